#!/usr/bin/env bash
# Runs a libFuzzer target of build/fuzz (from `make fuzz`) for a short
# while over its seed directory, as one TAP test. New inputs go to a
# temporary corpus, never into the seed directory; a crash leaves its input
# in the log directory named below.
# Usage: tests/lib/run_fuzzer.sh NAME SEED_DIR
set -u
name=$1
seeds=$2
fuzzer=build/fuzz/$name
echo "1..1"
if [ ! -x "$fuzzer" ]; then
  echo "not ok 1 - $name: $fuzzer is not built (make fuzz)"
  exit 1
fi
work=$(mktemp -d "/tmp/vigie-$name.XXXXXX")
mkdir "$work/corpus"
# libFuzzer saves the crashing input itself, which abort_on_error prevents.
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  "$fuzzer" -runs=200000 -max_total_time=20 -artifact_prefix="$work/" \
  "$work/corpus" "$seeds" >"$work/log" 2>&1
status=$?
runs=$(grep -oE 'Done [0-9]+ runs' "$work/log" | grep -oE '[0-9]+' | tail -1)
if [ "$status" -eq 0 ]; then
  echo "ok 1 - $name: ${runs:-?} runs over $seeds without a crash"
  rm -rf "$work"
  exit 0
fi
tail -40 "$work/log" | sed 's/^/# /'
echo "not ok 1 - $name failed (status $status); input and log in $work"
exit 1
