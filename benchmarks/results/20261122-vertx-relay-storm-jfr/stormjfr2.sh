#!/bin/bash
# JFR (the JDK's profile settings) on every DemoServer from its start, 30 s
mkdir -p /tmp/stormjfr2
declare -A seen
for i in $(seq 1 3000); do
  for pid in $(pgrep -f 'DemoServer'); do
    if [ -z "${seen[$pid]}" ]; then
      seen[$pid]=1
      ( jcmd $pid JFR.start settings=profile duration=30s filename=/tmp/stormjfr2/$pid.jfr >/dev/null 2>&1 ) &
    fi
  done
  sleep 0.1
done
