#!/bin/bash
# Runs a command once on each server process a load run starts, a delay after it appears: how
# BENCHMARKS.md takes perf stat figures and JFR recordings inside a scenario's measured window.
#
#   on-each-server.sh PATTERN DELAY_SECONDS COMMAND [ARGS...]
#
# PATTERN (an extended regular expression) is matched against the command lines of Java
# processes, and the part that matched is {name}; {pid} is the process. Start it in the
# background before the scenario and stop it after (it gives up by itself after an hour). The
# directories the command writes to must exist. Examples:
#   on-each-server.sh 'DemoServer|VertxPeriodicServer' 13 \
#       jcmd {pid} JFR.start settings=profile method-profiling=max duration=10s filename=/tmp/echoprof/{name}-{pid}.jfr
#   on-each-server.sh 'DemoServer' 0 jcmd {pid} JFR.start settings=profile duration=30s filename=/tmp/stormjfr/{pid}.jfr
#   on-each-server.sh 'DemoServer|VertxPeriodicServer|SweepServer' 14 sh -c 'perf stat -e raw_syscalls:sys_enter,syscalls:sys_enter_write,syscalls:sys_enter_writev,syscalls:sys_enter_read,syscalls:sys_enter_epoll_wait,context-switches,cpu-clock -p {pid} -- sleep 10 > /tmp/perfe/{name}-{pid}.txt 2>&1'
set -u
pattern=$1
delay=$2
shift 2
declare -A seen
end=$((SECONDS + 3600))
while [ $SECONDS -lt $end ]; do
  # Java processes only: this script's own command line holds the pattern too.
  for pid in $(pgrep -x java); do
    if [ -z "${seen[$pid]:-}" ]; then
      seen[$pid]=1
      name=$(tr '\0' ' ' < /proc/$pid/cmdline 2>/dev/null | grep -oE "$pattern" | head -1)
      [ -z "$name" ] && continue
      args=()
      for arg in "$@"; do
        arg=${arg//\{pid\}/$pid}
        args+=("${arg//\{name\}/$name}")
      done
      ( sleep "$delay"; "${args[@]}" > /dev/null ) &
    fi
  done
  sleep 0.1
done
