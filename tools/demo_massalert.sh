# shellcheck shell=bash
# demo_massalert.sh: the mass alert's side of `make demo`, sourced by
# tools/demo.sh before it starts vigied (it uses the demo's dir, url, sim,
# vigied, python, repo, ports, services and notes). It starts on loopback
# what a centre's mass alert goes through: Kannel (bearerbox and smsbox)
# with Debian's fakesmsc as the operator's SMS centre, an SMTP server
# (aiosmtpd, tests/lib/smtp_sink.py) that keeps each e-mail it takes, a
# Web Push service (vigie-sim push-service), and baresip answering the
# agents' calls; `massalert` holds the settings that point vigied at
# them. A gateway that is not installed, or does not come up, is left out
# and the demo's message says so. Once vigied runs, demo.sh calls
# massalert_push_subscriptions and massalert_agents.

# Paces that let the console show the counts climb; real accounts are
# faster (vigied's defaults).
massalert=(--set "public_url=$url" --set sms_rate=10 --set email_rate=10 --set push_rate=20)
massalert_sms_centre='' massalert_mail='' massalert_push='' massalert_voice=''
# Kannel's boxes and aiosmtpd take a second or two on a loaded machine.
massalert_start_tries=150

random_hex() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }

# massalert_wait COMMAND...: until it holds (15 s at most).
massalert_wait() {
  local _
  for _ in $(seq 1 "$massalert_start_tries"); do
    "$@" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ---- SMS: Kannel ----

# Its configuration, as a centre writes one (man/vigied.1): the sendsms
# interface vigied calls, delivery reports at the dlr-url vigied gives,
# and an sms-service that hands each agent's answer to vigied. Two fake
# centres: the phones (what they receive is in kannel/phones.log), and
# the one agents answer through (vigie-sim agents).
massalert_kannel_config() { # ADMIN SMSBOX PHONES ANSWERS PASSWORD SECRET
  cat <<CONF
group = core
admin-port = $1
admin-interface = 127.0.0.1
admin-password = $(random_hex 8)
smsbox-port = $2
smsbox-interface = 127.0.0.1
box-allow-ip = "127.0.0.1"
log-file = "$dir/kannel/bearerbox.log"
log-level = 1
dlr-storage = internal

group = smsc
smsc = fake
smsc-id = phones
port = $3
connect-allow-ip = "127.0.0.1"
allowed-smsc-id = phones

group = smsc
smsc = fake
smsc-id = answers
port = $4
connect-allow-ip = "127.0.0.1"
allowed-smsc-id = answers

group = smsbox
bearerbox-host = 127.0.0.1
sendsms-port = $kannel_port
sendsms-interface = 127.0.0.1
log-file = "$dir/kannel/smsbox.log"
log-level = 1
http-request-retry = 30
http-queue-delay = 1

group = sendsms-user
username = vigie
password = $5
forced-smsc = phones
max-messages = 10
concatenation = true

group = sms-service
keyword = default
catch-all = true
max-messages = 0
omit-empty = true
get-url = "$url/v1/connectors/kannel/mo?secret=$6&from=%p&text=%a"
CONF
}

massalert_start_kannel() {
  local sbin=/usr/sbin fakesmsc=/usr/lib/kannel/test/fakesmsc k=$dir/kannel
  if [ ! -x "$sbin/bearerbox" ] || [ ! -x "$sbin/smsbox" ] || [ ! -x "$fakesmsc" ]; then
    notes+=("No SMS: Kannel is not installed (make deps installs kannel and kannel-extras).")
    return 0
  fi
  local admin smsbox phones answers password secret
  admin=$(free_port) smsbox=$(free_port) phones=$(free_port) answers=$(free_port)
  password=$(random_hex 8) secret=$(random_hex 16)
  mkdir -p "$k"
  massalert_kannel_config "$admin" "$smsbox" "$phones" "$answers" "$password" "$secret" \
    >"$k/kannel.conf"
  "$sbin/bearerbox" "$k/kannel.conf" >"$k/bearerbox.out" 2>&1 &
  services+=($!)
  if massalert_wait port_open "$smsbox"; then
    # -m 0: it sends nothing and prints each SMS it receives.
    "$fakesmsc" -H 127.0.0.1 -r "$phones" -m 0 "1 2 text unused" >"$k/phones.log" 2>&1 &
    services+=($!)
    "$sbin/smsbox" "$k/kannel.conf" >"$k/smsbox.out" 2>&1 &
    services+=($!)
  fi
  if ! massalert_wait port_open "$kannel_port"; then
    notes+=("No SMS: Kannel did not start (see $k/bearerbox.log and smsbox.log).")
    return 0
  fi
  massalert_sms_centre=127.0.0.1:$answers
  massalert+=(--set "sms_gateway_url=http://127.0.0.1:$kannel_port/cgi-bin/sendsms"
    --set sms_username=vigie --set "sms_password=$password" --set sms_from=VIGIE
    --set "kannel_secret=$secret" --set "sms_callback_url=$url")
}

# ---- e-mail: an SMTP server that keeps what it takes ----

massalert_start_mail() {
  if ! "$python" -c 'import aiosmtpd' 2>/dev/null; then
    notes+=("No e-mail: python3-aiosmtpd is not installed (make deps).")
    return 0
  fi
  mkdir -p "$dir/mail"
  # STARTTLS, as vigied requires by default (smtp_starttls), with a
  # certificate made at start that vigied is told to trust.
  "$python" "$repo/tests/lib/smtp_sink.py" --port "$smtp_port" --dir "$dir/mail" --starttls \
    >"$dir/mail/sink.log" 2>&1 &
  services+=($!)
  if ! massalert_wait test -e "$dir/mail/ready"; then
    notes+=("No e-mail: the SMTP server did not start (see $dir/mail/sink.log).")
    return 0
  fi
  massalert_mail=$dir/mail
  massalert+=(--set "smtp_url=smtp://127.0.0.1:$smtp_port" --set "outbox_ca_file=$dir/mail/cert.pem"
    --set "smtp_from=Centre Vigie (démo) <alertes@vigie.example>"
    --set mail_reply_domain=reply.vigie.example --set "mail_reply_secret=$(random_hex 16)")
}

# ---- push: vigie-sim push-service ----

massalert_start_push() {
  "$sim" push-service --listen "127.0.0.1:$push_port" --dir "$dir/push" >"$dir/push.log" 2>&1 &
  services+=($!)
  if ! massalert_wait grep -q "^push-service: listening on" "$dir/push.log"; then
    notes+=("No push: the push service did not start (see $dir/push.log).")
    return 0
  fi
  massalert_push=$dir/push
  massalert+=(--set "webpush_vapid_key=$dir/vapid.pem" --set webpush_subject=mailto:centre@vigie.example
    --set "webpush_ca_file=$dir/push/cert.pem")
}

# ---- voice: baresip, the agents' phone ----

# One account answers every call at once: vigied dials it with the
# agent's number as a URI parameter (sip_uri needs it), which it ignores.
massalert_start_voice() {
  if ! command -v baresip >/dev/null 2>&1 || [ ! -d /usr/lib/baresip/modules ]; then
    notes+=("No voice calls: baresip is not installed (make deps installs baresip-core).")
    return 0
  fi
  local b=$dir/baresip
  mkdir -p "$b"
  # aubridge plays and records nothing: no sound card needed.
  cat >"$b/config" <<CONF
poll_method epoll
sip_listen 127.0.0.1:$sip_port
audio_player aubridge,phone
audio_source aubridge,phone
audio_alert aubridge,ring
module_path /usr/lib/baresip/modules
module g711.so
module aubridge.so
module_app account.so
module_app menu.so
CONF
  echo "<sip:agents@127.0.0.1>;regint=0;answermode=auto" >"$b/accounts"
  : >"$b/contacts"
  baresip -f "$b" </dev/null >"$b/baresip.log" 2>&1 &
  services+=($!)
  if ! massalert_wait grep -q "baresip is ready" "$b/baresip.log"; then
    notes+=("No voice calls: baresip did not start (see $b/baresip.log).")
    return 0
  fi
  massalert_voice=$b
  massalert+=(--set "sip_uri=sip:agents@127.0.0.1:$sip_port;agent=%s" --set sip_listen=127.0.0.1)
}

massalert_start_kannel
massalert_start_mail
massalert_start_push
massalert_start_voice

# The channels that have a gateway, for the demo's message.
massalert_channels() {
  local text=''
  [ -n "$massalert_sms_centre" ] && text+=", SMS (Kannel)"
  [ -n "$massalert_mail" ] && text+=", e-mail (SMTP)"
  [ -n "$massalert_push" ] && text+=", push (Web Push)"
  [ -n "$massalert_voice" ] && text+=", voice (SIP)"
  text=${text#, }
  echo "${text:-no channel}"
}

# ---- once vigied runs ----

# massalert_push_subscriptions TOKEN SITE...: the agents nearest each
# site (its position cut to the 6 decimals the API takes) subscribe to push, as their browser would on their reply page
# (vigie-sim mints the subscription). Each costs a process and a POST,
# about a tenth of a second: run it in the background.
massalert_push_subscriptions() {
  local token=$1 site position lat lon id subscription count=0 per
  shift
  [ -n "$massalert_push" ] && [ "$push_agents" -gt 0 ] || return 0
  per=$(((push_agents + $# - 1) / $#))
  for site in "$@"; do
    position=$(curl -sf "$url/v1/sites/$site" -H "Authorization: Bearer $token" |
      sed -n 's/.*"lat":\(-\{0,1\}[0-9]*\.[0-9]\{1,6\}\)[0-9]*,"lon":\(-\{0,1\}[0-9]*\.[0-9]\{1,6\}\)[0-9]*,.*/\1 \2/p') ||
      continue
    [ -n "$position" ] || continue
    lat=${position% *} lon=${position#* }
    for id in $(curl -sf "$url/v1/agents?lat=$lat&lon=$lon&radius_m=3000&limit=$per" \
      -H "Authorization: Bearer $token" | grep -o '{"id":[0-9]*,"ext_id"' | grep -o '[0-9][0-9]*'); do
      subscription=$("$sim" push-service subscribe --dir "$massalert_push") || return 0
      curl -sf -o /dev/null -XPOST "$url/v1/agents/$id/push-subscription" \
        -H "Authorization: Bearer $token" -d "$subscription" && count=$((count + 1))
    done
  done
  echo "$count agents subscribed to push" >"$dir/push-subscriptions.log"
}

# massalert_agents: the simulated agents who answer (vigie-sim agents).
massalert_agents() {
  local args=(--server "$url")
  [ -n "$massalert_sms_centre" ] &&
    args+=(--sms-log "$dir/kannel/phones.log" --sms-centre "$massalert_sms_centre")
  [ -n "$massalert_mail" ] && args+=(--mail-dir "$massalert_mail" --vigied "$vigied")
  [ -n "$massalert_push" ] && args+=(--push-dir "$massalert_push")
  [ ${#args[@]} -gt 2 ] || return 0
  "$sim" agents "${args[@]}" >"$dir/agents.log" 2>&1 &
  services+=($!)
}
