#!/bin/bash
# JFR 10 s on each echo server, 9 s after it appears
declare -A seen
for i in $(seq 1 1500); do
  for pid in $(pgrep -f 'DemoServer|SweepServer|VertxPeriodicServer'); do
    if [ -z "${seen[$pid]}" ]; then
      seen[$pid]=1
      name=$(tr '\0' ' ' < /proc/$pid/cmdline | grep -o 'DemoServer\|SweepServer\|VertxPeriodicServer')
      ( sleep 13; jcmd $pid JFR.start settings=/tmp/fast.jfc duration=10s filename=/tmp/echoprof/$name-$pid.jfr >/dev/null 2>&1 ) &
    fi
  done
  sleep 0.2
done
