#!/usr/bin/env bash
# test_reply_page_tls.sh: the agents' reply pages are reached from the
# internet, so vigied serves them over HTTPS with the centre's certificate
# (--tls-cert, --tls-key): an agent's phone opens the link, says
# "received" and reports a sighting with a form post over TLS, and the
# operator reads both replies; the pages tell the browser to stay on HTTPS,
# and plain HTTP on that port gets nothing.
. "$(dirname "$0")/lib.sh"

plan 4
e2e_require openssl sqlite3
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=vigie-test \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$WORLD/key.pem" -out "$WORLD/cert.pem" \
  >/dev/null 2>&1 || bail "cannot make a certificate"
server_init
cat >"$WORLD/agents.csv" <<'CSV'
agent_id,name,site_id,site_name,site_validated,lat,lon,phone,email,vetted,duty
LY1,Karim Benali,LYS1,Centre commercial Part-Dieu,yes,45.7610,4.8570,06 12 34 56 78,,yes,24/7
CSV
"$VIGIED" agents import "$WORLD/agents.csv" --db "$E2E_DB" >"$WORLD/logs/import.log" 2>&1 ||
  bail "agents import failed: $(cat "$WORLD/logs/import.log")"
server_start main -- --tls-cert "$WORLD/cert.pem" --tls-key "$WORLD/key.pem" \
  --set public_url=https://vigie.example.org || bail "vigied did not start"
url="https://127.0.0.1:${SERVER_PORT[main]}"
tls=(--cacert "$WORLD/cert.pem" --max-time 10)

token=$(curl -sf "${tls[@]}" -XPOST "$url/v1/sessions" \
  -d "{\"username\":\"alice\",\"password\":\"$(password alice)\"}" | json_query 'd["token"]')
[ -n "$token" ] || bail "alice cannot log in over HTTPS"
alert=$(curl -sf "${tls[@]}" -XPOST "$url/v1/massalerts" -H "Authorization: Bearer $token" \
  -H "Content-Type: application/json" -d '{"area":{"circle":{"lat":45.7606,"lon":4.8566,
  "radius_m":800}},"message":"DO NOT LEAVE YOUR SITE - man, about 30, black jacket",
  "channels":["sms"],"language":"en"}' | json_query 'd["id"]')
[ -n "$alert" ] || bail "the alert was not sent"
reply_token=$(sqlite3 "$E2E_DB" "SELECT body FROM outbox WHERE kind = 'massalert'" |
  grep -o 'https://vigie.example.org/r/[A-Za-z0-9_-]*' | head -1)
reply_token=${reply_token##*/r/}
[ "${#reply_token}" = 43 ] || bail "no reply link in the SMS"
page="$url/r/$reply_token"

test_begin "the reply page comes over HTTPS, telling the browser to stay on HTTPS" 10
curl -s "${tls[@]}" -D "$WORLD/headers.txt" -o "$WORLD/page.html" "$page"
check "200 over TLS: $(head -1 "$WORLD/headers.txt")" \
  grep -q "^HTTP/[0-9.]* 200" "$WORLD/headers.txt"
check "the message is on the page" grep -q "DO NOT LEAVE YOUR SITE" "$WORLD/page.html"
check "in English, as the alert" grep -q 'lang="en"' "$WORLD/page.html"
check "Strict-Transport-Security is sent" \
  grep -qi "^Strict-Transport-Security: max-age=" "$WORLD/headers.txt"
test_end

test_begin "received, then a sighting posted as forms over TLS" 10
post() { # post WHAT BODY: prints the status
  curl -s "${tls[@]}" -o "$WORLD/answer.html" -w '%{http_code}' -XPOST "$page/$1" \
    -H "Content-Type: application/x-www-form-urlencoded" --data-raw "$2"
}
status=$(post received "")
check "received: 200 (got $status)" [ "$status" = 200 ]
check "the answer thanks the agent" grep -q "Thank you. The control room knows" \
  "$WORLD/answer.html"
status=$(post seen "text=Man+in+black+jacket+at+the+north+entrance%2C+heading+east&lat=45.7612&lon=4.8575&accuracy=25")
check "seen: 200 (got $status)" [ "$status" = 200 ]
check "the answer thanks the agent for the report" \
  grep -q "Your report has been sent to the control room" "$WORLD/answer.html"
test_end

test_begin "the operator reads both replies over HTTPS" 10
replies() {
  curl -sf "${tls[@]}" "$url/v1/massalerts/$alert" -H "Authorization: Bearer $token" |
    json_query '(len(d["replies"]) == 2 and any(r["kind"] == "seen" and r["text"] ==
      "Man in black jacket at the north entrance, heading east" and r["lat"] == 45.7612
      for r in d["replies"]))' | grep -qx true
}
eventually 5 "GET /v1/massalerts/$alert has the received and the sighting" replies
test_end

test_begin "plain HTTP on the TLS port gets no reply page" 10
plain() { ! curl -sf --max-time 3 "http://127.0.0.1:${SERVER_PORT[main]}/r/$reply_token"; }
check "no answer over plain HTTP" plain
test_end
