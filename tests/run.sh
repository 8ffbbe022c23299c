#!/usr/bin/env bash
# Runs every test of every kind against one build directory and ends with
# the one summary line `make check` promises: "N passed, N failed".
# Each test program prints TAP ("ok N - name" / "not ok N - name"); a
# program that dies without finishing its plan counts as one failure.
set -u
build=${1:?usage: tests/run.sh BUILD_DIR}
export VIGIED="$PWD/$build/bin/vigied"
export CMOCKA_MESSAGE_OUTPUT=TAP
# verify_asan_link_order=0: stdbuf (below) preloads its library ahead of
# the sanitizer's, which is harmless for what it does.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:verify_asan_link_order=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
logs=$(mktemp -d /tmp/vigie-tests.XXXXXX)
passed=0
failed=0
failures=()

run_one() {
  local program=$1 name log status
  name=$(basename "$program")
  log="$logs/$name.log"
  # Line-buffered, so that a program killed by a sanitizer still shows
  # which tests passed before (a C program's TAP goes to a file).
  case "$program" in
  *.sh) timeout 600 "$program" >"$log" 2>&1 ;;
  *) timeout 600 stdbuf -oL "$program" >"$log" 2>&1 ;;
  esac
  status=$?
  local ok notok planned
  ok=$(grep -cE '^ok [0-9]+' "$log")
  notok=$(grep -cE '^not ok [0-9]+' "$log")
  planned=$(grep -oE '^1\.\.[0-9]+' "$log" | head -1 | cut -d. -f3)
  passed=$((passed + ok))
  failed=$((failed + notok))
  if [ "$notok" -gt 0 ]; then
    failures+=("$name: $(grep -E '^not ok' "$log" | head -3 | tr '\n' ';')")
  fi
  if [ "$status" -ne 0 ] && [ "$notok" -eq 0 ]; then
    failed=$((failed + 1))
    failures+=("$name: exited with status $status without a failing test (crash, sanitizer or timeout)")
  elif [ -n "$planned" ] && [ $((ok + notok)) -lt "$planned" ] && [ "$status" -eq 0 ]; then
    failed=$((failed + 1))
    failures+=("$name: ran $((ok + notok)) of $planned planned tests")
  fi
  printf '%-40s %3d ok %3d failed (exit %d)\n' "$name" "$ok" "$notok" "$status"
}

for program in "$build"/tests/unit/test_* "$build"/tests/integration/test_*; do
  [ -x "$program" ] || continue
  case "$program" in *.o | *.d) continue ;; esac
  run_one "$program"
done
for script in tests/e2e/test_*.sh; do
  [ -x "$script" ] || continue
  run_one "$script"
done

if [ ${#failures[@]} -gt 0 ]; then
  for f in "${failures[@]}"; do
    n=${f%%:*}
    echo "----- $n -----"
    # A sanitizer's report starts with its ERROR line and the faulting
    # frames; the shadow-byte legend at its end says nothing useful, so
    # show the head of the report rather than the log's tail.
    if grep -qE '^(==[0-9]+==ERROR|SUMMARY): |runtime error:' "$logs/$n.log"; then
      grep -m1 -A30 -E '^==[0-9]+==ERROR: |runtime error:' "$logs/$n.log"
    else
      tail -40 "$logs/$n.log"
    fi
  done
  # The list comes last so that a CI log cut to its tail still names them.
  echo
  echo "Failures (logs in $logs):"
  printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
