#!/usr/bin/env bash
# The demo a newcomer starts with `make demo` comes up with its dataset and
# first alarms (run in smoke mode: seeded, checked, stopped).
echo "1..1"
if output=$(tools/demo.sh build/asan --smoke 2>&1); then
  echo "ok 1 - make demo serves the demo dataset with its first alarms"
else
  echo "not ok 1 - make demo serves the demo dataset with its first alarms"
  echo "$output" | sed 's/^/# /'
fi
