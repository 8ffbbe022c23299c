#!/usr/bin/env bash
# vigied's HTTP listener over TLS: the API and the protection-phone ingest
# answer over HTTPS with the centre's certificate, plain HTTP gets nothing,
# a client that does not trust the certificate is refused, and bad TLS
# settings stop vigied with a clear message instead of serving in clear.
set -u
vigied=${VIGIED:-build/asan/bin/vigied}
world=$(mktemp -d /tmp/vigie-tls.XXXXXX)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$world"
}
trap cleanup EXIT
echo "1..7"
n=0
check() { # check DESCRIPTION COMMAND...
  local description=$1
  shift
  n=$((n + 1))
  if "$@" >"$world/out" 2>&1; then
    echo "ok $n - $description"
  else
    echo "not ok $n - $description"
    sed 's/^/# /' "$world/out" | tail -15
  fi
}

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=vigie-test \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$world/key.pem" -out "$world/cert.pem" \
  >/dev/null 2>&1
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=other \
  -keyout "$world/other-key.pem" -out "$world/other.pem" >/dev/null 2>&1
cost=(--set argon2_memory_kib=8 --set argon2_iterations=1)
"$vigied" init --db "$world/db" --demo "${cost[@]}" >"$world/accounts.txt"
"$vigied" --db "$world/db" --listen 127.0.0.1:0 --tls-cert "$world/cert.pem" \
  --tls-key "$world/key.pem" "${cost[@]}" 2>"$world/log" &
pid=$!
for _ in $(seq 1 100); do
  grep -q "ready: listening" "$world/log" && break
  sleep 0.1
done
port=$(sed -n 's/.*ready: listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$world/log" | head -1)
url="https://127.0.0.1:$port"

health_over_tls() {
  curl -sf --cacert "$world/cert.pem" "$url/v1/health" | grep -q '"status":"ok"' &&
    grep -q "(TLS)" "$world/log"
}
check "the API answers over HTTPS with the centre's certificate" health_over_tls

plain_refused() { ! curl -sf --max-time 3 "http://127.0.0.1:$port/v1/health"; }
check "plain HTTP on the TLS port gets no answer" plain_refused

untrusted_refused() { ! curl -sf --max-time 3 --cacert "$world/other.pem" "$url/v1/health"; }
check "a client that does not trust the certificate is refused" untrusted_refused

device_sos() {
  local token
  token=$(awk '$1 == "TGD-0001" { print $3 }' "$world/accounts.txt")
  curl -sf --cacert "$world/cert.pem" -XPOST "$url/v1/ingest/device" \
    -H "Authorization: Bearer $token" -H "Content-Type: application/json" \
    -d '{"device_id":"TGD-0001","trigger":"sos","position":{"lat":48.85,"lon":2.35,"accuracy_m":8,"source":"gps"},"battery":55}' |
    grep -q '"alarm_id"'
}
check "a protection phone's SOS arrives over HTTPS" device_sos

sim_phone_over_tls() {
  local token sim
  sim=$(dirname "$vigied")/vigie-sim
  token=$(awk '$1 == "TGD-0002" { print $3 }' "$world/accounts.txt")
  # Without the centre's certificate the simulator refuses the server...
  ! "$sim" phone --server "$url" --device TGD-0002 --token "$token" --lat 48.85 --lon 2.35 &&
    # ...and with it, the SOS arrives.
    "$sim" phone --server "$url" --cacert "$world/cert.pem" --device TGD-0002 \
      --token "$token" --lat 48.85 --lon 2.35 | grep -q "^201 alarm"
}
check "vigie-sim phone trusts the centre's certificate with --cacert, and only then" sim_phone_over_tls

kill "$pid" && wait "$pid" 2>/dev/null
pid=

mismatch_refused() {
  ! "$vigied" --db "$world/db" --listen 127.0.0.1:0 --tls-cert "$world/cert.pem" \
    --tls-key "$world/other-key.pem" "${cost[@]}" 2>"$world/bad.log" &&
    grep -q "do not match" "$world/bad.log"
}
check "a key that does not match the certificate stops vigied with a clear message" mismatch_refused

half_refused() {
  ! "$vigied" --db "$world/db" --listen 127.0.0.1:0 --tls-cert "$world/cert.pem" \
    "${cost[@]}" 2>"$world/half.log" && grep -q "both --tls-cert and --tls-key" "$world/half.log"
}
check "a certificate without its key is refused, never served in clear" half_refused
