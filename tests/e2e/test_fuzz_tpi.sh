#!/usr/bin/env bash
# The TPI codec fuzzer of remote arm/disarm (tests/fuzz/fuzz_tpi.c) over the
# seed lines of tests/data/tpi, for a short while.
exec "$(dirname "$0")/../lib/run_fuzzer.sh" fuzz_tpi tests/data/tpi
