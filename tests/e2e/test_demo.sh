#!/usr/bin/env bash
# The demo a newcomer starts with `make demo` comes up with its dataset and
# first alarms (run in smoke mode: seeded, checked, stopped).
# The binaries are those of $VIGIED's build (tests/run.sh sets it).
build=$(dirname "$(dirname "${VIGIED:-$PWD/build/asan/bin/vigied}")")
echo "1..2"
if output=$(tools/demo.sh "$build" --smoke 2>&1); then
  echo "ok 1 - make demo serves the demo dataset with its first alarms"
else
  echo "not ok 1 - make demo serves the demo dataset with its first alarms"
  echo "$output" | sed 's/^/# /'
fi
# Its mass alert's gateways (Kannel, aiosmtpd, baresip: tools/deps.sh).
if [ ! -x /usr/sbin/bearerbox ] || ! command -v baresip >/dev/null ||
  ! /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null; then
  echo "ok 2 # SKIP Kannel, baresip or python3-aiosmtpd is not installed"
elif echo "$output" | grep -qxF "demo smoke: mass alert by SMS (Kannel), e-mail (SMTP), push (Web Push), voice (SIP)"; then
  echo "ok 2 - make demo starts a gateway for each channel of the mass alert"
else
  echo "not ok 2 - make demo starts a gateway for each channel of the mass alert"
  echo "$output" | sed 's/^/# /'
fi
