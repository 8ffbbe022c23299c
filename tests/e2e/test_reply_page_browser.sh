#!/usr/bin/env bash
# test_reply_page_browser.sh: an agent answers a mass alert from the phone's
# browser while an operator watches the alert on the console. An operator
# sends an alert around a site in Lyon; the agent opens the link from the
# SMS in headless Chromium, presses "received", then reports a sighting
# with the position the browser gives. Both replies appear on the console
# (in tmux) with the agent, the site and the distance, and are in the
# alert's detail and on the stream. The pages carry a strict
# Content-Security-Policy (under which the inline style and script still
# work), no caching and no referrer, and refuse a form posted from another
# site. (The same pages over HTTPS: test_reply_page_tls.sh.)
# Needs Debian's chromium and node, and tests/browser's playwright-core
# (tools/deps.sh installs them all).
. "$(dirname "$0")/lib.sh"

plan 6
browser_dir=$E2E_REPO/tests/browser
if ! command -v node >/dev/null || ! [ -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  bail "chromium and node are needed: run tools/deps.sh"
fi
if ! [ -d "$browser_dir/node_modules/playwright-core" ]; then
  (cd "$browser_dir" && npm ci --no-audit --no-fund >"$WORLD/logs/npm.log" 2>&1) ||
    bail "npm ci in tests/browser failed: $(tail -3 "$WORLD/logs/npm.log")"
fi

server_init
cat >"$WORLD/agents.csv" <<'CSV'
agent_id,name,site_id,site_name,site_validated,lat,lon,phone,email,vetted,duty
LY1,Karim Benali,LYS1,Centre commercial Part-Dieu,yes,45.7610,4.8570,06 12 34 56 78,,yes,24/7
CSV
"$VIGIED" agents import "$WORLD/agents.csv" --db "$E2E_DB" >"$WORLD/logs/import.log" 2>&1 ||
  bail "agents import failed: $(cat "$WORLD/logs/import.log")"
server_start main -- --set public_url=https://vigie.example.org || bail "vigied did not start"
url=$(server_url main)
curl_opts=(--max-time 10)

token=$(curl -sf "${curl_opts[@]}" -XPOST "$url/v1/sessions" \
  -d "{\"username\":\"alice\",\"password\":\"$(password alice)\"}" | json_query 'd["token"]')
[ -n "$token" ] || bail "alice cannot log in"
curl -sN --connect-timeout 10 "$url/v1/stream" \
  -H "Authorization: Bearer $token" >"$WORLD/stream.txt" 2>/dev/null &
E2E_PIDS[$!]=1

# ---- the operator sends; the agent's SMS holds the link ----
test_begin "an alert sent gives the agent a reply link in the SMS" 20
alert=$(curl -sf "${curl_opts[@]}" -XPOST "$url/v1/massalerts" -H "Authorization: Bearer $token" \
  -H "Content-Type: application/json" -d '{"area":{"circle":{"lat":45.7606,"lon":4.8566,
  "radius_m":800}}, "message": "NE QUITTEZ PAS VOTRE SITE - N INTERVENEZ PAS - homme ~30 ans, veste noire <capuche>",
  "channels": ["sms"], "language": "fr", "centre": {"label": "Part-Dieu"}}' |
  json_query 'd["id"]')
check "the alert is created" [ -n "$alert" ]
link=$(sqlite3 "$E2E_DB" "SELECT body FROM outbox WHERE kind = 'massalert' AND channel = 'sms'" |
  grep -o 'https://vigie.example.org/r/[A-Za-z0-9_-]*' | head -1)
reply_token=${link##*/r/}
check "the SMS carries https://vigie.example.org/r/<43 characters>: '$link'" \
  [ "${#reply_token}" = 43 ]
page="$url/r/$reply_token"
test_end

test_begin "the operator follows the alert on the console" 30
console_start A 100 30 -- --server "$url" --user alice
console_login A alice
keys A A
wait_for A "Part-Dieu" 10
keys A Enter
wait_for A "Replies: 0" 10
test_end

# ---- headers of the page ----
test_begin "the page is HTML under a strict policy, not cached, without referrer" 10
curl -s "${curl_opts[@]}" -D "$WORLD/headers.txt" -o "$WORLD/page.html" "$page"
header() { grep -i "^$1:" "$WORLD/headers.txt" | head -1 | tr -d '\r'; }
csp=$(header Content-Security-Policy)
check "200: $(head -1 "$WORLD/headers.txt")" grep -q "^HTTP/[0-9.]* 200" "$WORLD/headers.txt"
check "text/html: $(header Content-Type)" grep -qi "^Content-Type: text/html; charset=utf-8" \
  "$WORLD/headers.txt"
check "default-src 'none' and nonces only: $csp" bash -c "[[ \"$csp\" == *\"default-src 'none'\"* && \"$csp\" == *\"script-src 'nonce-\"* &&
  \"$csp\" != *unsafe-inline* && \"$csp\" == *\"frame-ancestors 'none'\"* ]]"
check "no-store: $(header Cache-Control)" grep -qi "^Cache-Control: no-store" "$WORLD/headers.txt"
check "no-referrer: $(header Referrer-Policy)" grep -qi "^Referrer-Policy: no-referrer" \
  "$WORLD/headers.txt"
check "the message is escaped" grep -q "veste noire &lt;capuche&gt;" "$WORLD/page.html"
check "nothing is loaded from elsewhere" bash -c "! grep -Eq '(src|href)=\"(https?:)?//' \
  '$WORLD/page.html'"
test_end

# ---- the browser ----
test_begin "in Chromium the agent presses received, then a sighting with a position: the console shows it" 90
(cd "$browser_dir" && timeout 80 node reply_page.mjs "$page" 45.7601 4.8581 18 \
  "Homme veste noire à capuche, arrêt de bus en face de l'entrée nord") >"$WORLD/browser.txt" 2>&1
status=$?
while IFS= read -r line; do TEST_DIAG+=("browser: $line"); done <"$WORLD/browser.txt"
check "the browser script ended well (status $status)" [ "$status" = 0 ]
check "the page opened in French" grep -q "^open: 200 Alerte de sécurité" "$WORLD/browser.txt"
check "the inline style applies under the policy" grep -q "^styled: rgb(10, 110, 45)" \
  "$WORLD/browser.txt"
check "received is thanked" grep -q "^received: Merci. Le centre sait" "$WORLD/browser.txt"
check "the page then says it was received" grep -q "^back: Vous avez confirmé" "$WORLD/browser.txt"
check "the browser's position filled the form" grep -q "^fields: 45.7601 4.8581 18" \
  "$WORLD/browser.txt"
check "the sighting is thanked" grep -q "^seen: Merci. Votre signalement" "$WORLD/browser.txt"
check_console() {
  wait_for A "Replies: 2" 10
  wait_for A "Karim Benali, Centre commercial Part-Dieu, 54 m" 5
  wait_for A "Homme veste noire à capuche" 5
}
check_console
[ "$TEST_FAILED" = 0 ] && TEST_DIAG=()
test_end

# ---- what the operators get ----
test_begin "both replies are in the alert's detail and on the stream, with agent and site" 15
replies_ok() {
  curl -sf "${curl_opts[@]}" "$url/v1/massalerts/$alert" -H "Authorization: Bearer $token" |
    json_query '(len(d["replies"]) == 2
      and any(r["kind"] == "received" for r in d["replies"])
      and any(r["kind"] == "seen" and r["channel"] == "web"
        and abs(r["lat"] - 45.7601) < 1e-6 and abs(r["lon"] - 4.8581) < 1e-6
        and r["agent"]["name"] == "Karim Benali"
        and r["site"]["name"] == "Centre commercial Part-Dieu"
        and "arrêt de bus" in r["text"] for r in d["replies"]))' |
    grep -qx true
}
eventually 5 "GET /v1/massalerts/$alert lists the received and the sighting" replies_ok
stream_ok() {
  grep -A1 "^event: massalert_reply" "$WORLD/stream.txt" |
    grep '^data:' | grep '"kind":"seen"' | grep '"accuracy_m":18' |
    grep -q '"name":"Karim Benali"'
}
eventually 5 "a massalert_reply event with the sighting came on the stream" stream_ok
test_end

# ---- a form from elsewhere ----
test_begin "a form posted from another site is refused and records nothing" 10
before=$(sqlite3 "$E2E_DB" "SELECT COUNT(*) FROM massalert_replies")
cross=$(curl -s "${curl_opts[@]}" -o /dev/null -w '%{http_code}' -XPOST "$page/seen" \
  -H "Sec-Fetch-Site: cross-site" -d "text=forged")
check "Sec-Fetch-Site cross-site: 403 (got $cross)" [ "$cross" = 403 ]
cross=$(curl -s "${curl_opts[@]}" -o /dev/null -w '%{http_code}' -XPOST "$page/seen" \
  -H "Origin: https://evil.example" -d "text=forged")
check "another Origin: 403 (got $cross)" [ "$cross" = 403 ]
check "no reply was recorded" \
  [ "$(sqlite3 "$E2E_DB" "SELECT COUNT(*) FROM massalert_replies")" = "$before" ]
test_end
