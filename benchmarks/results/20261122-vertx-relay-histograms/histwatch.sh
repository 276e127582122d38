#!/bin/bash
mkdir -p /tmp/hist
declare -A seen
while true; do
  for pid in $(pgrep -f 'DemoServer|FluxIntervalServer|VertxPeriodicServer|SweepServer'); do
    name=$(tr '\0' ' ' < /proc/$pid/cmdline 2>/dev/null | grep -o 'DemoServer\|FluxIntervalServer\|VertxPeriodicServer\|SweepServer')
    env=$(tr '\0' '\n' < /proc/$pid/environ 2>/dev/null | grep '^TRANSPORT=' )
    if [ -z "${seen[$pid]}" ]; then
      seen[$pid]=0
      sleep 1.5
      jcmd $pid GC.class_histogram > /tmp/hist/$pid-$name-$env-0.txt 2>&1
    else
      n=$(( ${seen[$pid]} + 1 )); seen[$pid]=$n
      jcmd $pid GC.class_histogram > /tmp/hist/$pid-$name-$env-$n.txt 2>&1
    fi
  done
  sleep 7
done
