#!/usr/bin/env bash
# test_reply_push_browser.sh: a mass alert by Web Push reaches an agent's
# phone, and the phone says so. The agent's browser subscription comes from
# the test push service (vigie-sim push-service), which takes the alert's
# push message and decrypts it as the browser would. In headless Chromium
# the agent opens his reply link: the page (in French, the alert's
# language) offers the alerts on this phone and registers the reply pages'
# service worker; Chromium has no push service of its own, so the
# subscription fails and the page says so. The message the push service
# decrypted is then handed to that worker as a push event (DevTools): the
# worker shows it as a notification, without its link, under the French
# title, and acknowledges it; the alert's push count turns from sent to
# delivered.
# Needs Debian's chromium and node, and tests/browser's playwright-core
# (tools/deps.sh installs them all).
. "$(dirname "$0")/lib.sh"

plan 3
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
NI1,Sophie Laurent,NIS1,Hôtel Negresco,yes,43.6950,7.2580,06 98 76 54 32,,yes,24/7
CSV
"$VIGIED" agents import "$WORLD/agents.csv" --db "$E2E_DB" >"$WORLD/logs/import.log" 2>&1 ||
  bail "agents import failed: $(cat "$WORLD/logs/import.log")"
push_dir=$WORLD/push
"$VIGIE_SIM" push-service --listen 127.0.0.1:0 --dir "$push_dir" >"$WORLD/logs/push.log" 2>&1 &
E2E_PIDS[$!]=1
for _ in $(seq 1 100); do
  grep -q "listening on https://" "$WORLD/logs/push.log" && break
  sleep 0.1
done
grep -q "listening on https://" "$WORLD/logs/push.log" || bail "the push service did not start"
server_start main -- --set public_url=https://vigie.example.org \
  --set "webpush_vapid_key=$WORLD/vapid.pem" --set webpush_subject=mailto:ops@vigie.example.org \
  --set "webpush_ca_file=$push_dir/cert.pem" --set push_rate=0 \
  --set push_enrol_from_reply_page=1 || bail "vigied did not start"
url=$(server_url main)
token=$(api_login alice) || bail "alice cannot log in"
agent=$(sqlite3 "$E2E_DB" "SELECT id FROM agents WHERE ext_id = 'NI1'")

# ---- the alert goes out by push ----
test_begin "an alert by push is taken by the agent's push service" 30
subscription=$("$VIGIE_SIM" push-service subscribe --dir "$push_dir")
register() { api "$token" POST "/v1/agents/$agent/push-subscription" "$subscription" >/dev/null; }
check "the operator registers the agent's subscription" register
alert=$(api "$token" POST /v1/massalerts '{"area":{"circle":{"lat":43.6955,"lon":7.2575,
  "radius_m":800}}, "message": "NE QUITTEZ PAS VOTRE SITE - homme ~30 ans, veste noire",
  "channels": ["push"], "language": "fr"}' | json_query 'd["id"]')
check "the alert is created" [ -n "$alert" ]
counts() { api "$token" GET "/v1/massalerts/$alert" | json_query "d['counts']['push']['$1']"; }
eventually 20 "the push message is sent" bash -c "[ \"\$(ls '$push_dir/messages' | wc -l)\" = 1 ]"
test_count_sent() { [ "$(counts sent)" = 1 ]; }
eventually 10 "the alert counts it sent" test_count_sent
message=$(ls "$push_dir"/messages/* 2>/dev/null | head -1)
reply_token=$(grep -o '/r/[A-Za-z0-9_-]*' "$message" | head -1)
reply_token=${reply_token#/r/}
check "the message carries the agent's reply link: $(cat "$message" 2>/dev/null)" \
  [ "${#reply_token}" = 43 ]
test_end

# ---- the phone ----
test_begin "in Chromium the page registers the service worker, which shows the push and acknowledges it" 90
(cd "$browser_dir" && timeout 80 node reply_push.mjs "$url/r/$reply_token" "$message") \
  >"$WORLD/browser.txt" 2>&1
status=$?
while IFS= read -r line; do TEST_DIAG+=("browser: $line"); done <"$WORLD/browser.txt"
check "the browser script ended well (status $status)" [ "$status" = 0 ]
check "the page opened in French" grep -q "^open: 200 Alerte de sécurité" "$WORLD/browser.txt"
check "it offers the alerts on this phone" \
  grep -q "^offer: Recevoir les alertes sur ce téléphone" "$WORLD/browser.txt"
check "headless Chromium has no push service: the page says it could not subscribe" \
  grep -q "^subscribe: Les notifications n'ont pas pu" "$WORLD/browser.txt"
check "the service worker is /r/sw.js in French, scope /r/" \
  grep -q "^worker: $url/r/ $url/r/sw.js?lang=fr" "$WORLD/browser.txt"
check "the notification shows the message without its link, under the French title" \
  grep -q "^notification: Alerte de sécurité | NE QUITTEZ PAS VOTRE SITE - homme ~30 ans, veste noire | $url/r/$reply_token$" \
  "$WORLD/browser.txt"
[ "$TEST_FAILED" = 0 ] && TEST_DIAG=()
test_end

test_begin "the alert's push count turns from sent to delivered" 15
test_count_delivered() { [ "$(counts delivered)" = 1 ] && [ "$(counts sent)" = 0 ]; }
eventually 10 "counts.push: delivered 1, sent 0" test_count_delivered
check "the outbox row is confirmed delivered" [ "$(sqlite3 "$E2E_DB" \
  "SELECT confirm_state FROM outbox WHERE kind = 'massalert' AND channel = 'push'")" = delivered ]
test_end
