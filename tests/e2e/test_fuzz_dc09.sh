#!/usr/bin/env bash
# Runs the DC-09 codec fuzzer (build/fuzz/fuzz_dc09, from `make fuzz`) for a
# short while over the seed frames of tests/data/dc09, as one TAP test. New
# inputs go to a temporary corpus, never into the seed directory; a crash
# leaves its input in the log directory named below.
set -u
fuzzer=build/fuzz/fuzz_dc09
seeds=tests/data/dc09
echo "1..1"
if [ ! -x "$fuzzer" ]; then
  echo "not ok 1 - fuzz_dc09: $fuzzer is not built (make fuzz)"
  exit 1
fi
work=$(mktemp -d /tmp/vigie-fuzz-dc09.XXXXXX)
mkdir "$work/corpus"
# libFuzzer saves the crashing input itself, which abort_on_error prevents.
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  "$fuzzer" -runs=200000 -max_total_time=20 -artifact_prefix="$work/" \
  "$work/corpus" "$seeds" >"$work/log" 2>&1
status=$?
runs=$(grep -oE 'Done [0-9]+ runs' "$work/log" | grep -oE '[0-9]+' | tail -1)
if [ "$status" -eq 0 ]; then
  echo "ok 1 - fuzz_dc09: ${runs:-?} runs over $seeds without a crash"
  rm -rf "$work"
  exit 0
fi
tail -40 "$work/log" | sed 's/^/# /'
echo "not ok 1 - fuzz_dc09 failed (status $status); input and log in $work"
exit 1
