#!/bin/bash
# perf stat 10 s on each echo server, 14 s after it appears (inside its measured window)
mkdir -p /tmp/perfe
declare -A seen
for i in $(seq 1 3000); do
  for pid in $(pgrep -f 'DemoServer|VertxPeriodicServer|SweepServer'); do
    if [ -z "${seen[$pid]}" ]; then
      seen[$pid]=1
      name=$(tr '\0' ' ' < /proc/$pid/cmdline | grep -o 'DemoServer\|VertxPeriodicServer\|SweepServer')
      ( sleep 14; perf stat -e raw_syscalls:sys_enter,syscalls:sys_enter_write,syscalls:sys_enter_writev,syscalls:sys_enter_read,syscalls:sys_enter_epoll_wait,context-switches,cpu-clock -p $pid -- sleep 10 > /tmp/perfe/$name-$pid.txt 2>&1 ) &
    fi
  done
  sleep 0.3
done
