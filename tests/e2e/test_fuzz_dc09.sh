#!/usr/bin/env bash
# The DC-09 codec fuzzer (tests/fuzz/fuzz_dc09.c) over the seed frames of
# tests/data/dc09, for a short while.
exec "$(dirname "$0")/../lib/run_fuzzer.sh" fuzz_dc09 tests/data/dc09
