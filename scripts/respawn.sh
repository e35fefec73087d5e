#!/usr/bin/env bash
# Runs a command and starts it again whenever it exits, so that one process of `make run`
# that dies (a crash, the OOM killer, kill -9) does not take the whole service down with it:
# honcho stops every process as soon as any one exits and has no restart option of its own.
#
#   scripts/respawn.sh COMMAND [ARG...]
#
# - Between an exit and the next start it waits RESPAWN_DELAY_S seconds (default 1),
#   doubling up to 30 s while the command keeps failing soon after starting.
# - A command that exits within RESPAWN_MIN_UPTIME_S seconds of starting (default 60)
#   RESPAWN_MAX_QUICK times in a row (default 5) is taken to be broken (a wrong setting, a
#   port in use, no model): the wrapper gives up with its exit status and honcho stops the
#   service, the error on screen, instead of restarting it forever.
# - SIGTERM or SIGINT (honcho stopping, Ctrl-C) is passed to the command as SIGTERM; the
#   wrapper then exits without restarting it.
# Every restart is announced on stderr, prefixed by honcho with the process name.
set -u

if [ $# -eq 0 ]; then
  echo "usage: $0 COMMAND [ARG...]" >&2
  exit 2
fi
delay=${RESPAWN_DELAY_S:-1}
min_uptime=${RESPAWN_MIN_UPTIME_S:-60}
max_quick=${RESPAWN_MAX_QUICK:-5}
name=${1##*/}
child=0
stopping=0

stop() {
  stopping=1
  if [ "$child" -gt 0 ]; then
    kill -TERM "$child" 2>/dev/null
  fi
}
trap stop TERM INT

describe() {  # an exit status in words
  if [ "$1" -gt 128 ]; then
    echo "was killed by signal $(($1 - 128))"
  else
    echo "exited with status $1"
  fi
}

quick=0
pause=$delay
while :; do
  started=$SECONDS
  "$@" &
  child=$!
  wait "$child"
  status=$?
  # `wait` returns early when a trapped signal arrives: wait for the command itself.
  while kill -0 "$child" 2>/dev/null; do
    wait "$child"
    status=$?
  done
  child=0
  if [ "$stopping" -eq 1 ]; then
    exit "$status"
  fi
  uptime=$((SECONDS - started))
  if [ "$uptime" -lt "$min_uptime" ]; then
    quick=$((quick + 1))
  else
    quick=0
    pause=$delay
  fi
  if [ "$quick" -ge "$max_quick" ]; then
    echo "respawn: $name $(describe "$status") $quick times within ${min_uptime} s of starting; giving up" >&2
    if [ "$status" -eq 0 ]; then
      exit 1
    fi
    exit "$status"
  fi
  echo "respawn: $name $(describe "$status") after ${uptime} s; starting it again in ${pause} s" >&2
  sleep "$pause" &
  child=$!
  wait "$child"
  child=0
  if [ "$stopping" -eq 1 ]; then
    exit 0
  fi
  if [ "$quick" -gt 0 ]; then
    pause=$((pause * 2 > 30 ? 30 : pause * 2))
  fi
done
