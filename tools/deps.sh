#!/usr/bin/env bash
# Installs the Debian packages Vigie needs that this machine lacks.
# Called by `make deps` (and so by `make check` and `make demo`).
set -euo pipefail
packages=(
  build-essential pkg-config gettext
  libmicrohttpd-dev libsqlite3-dev libcjson-dev libcurl4-openssl-dev
  libncurses-dev libpcre2-dev libnotify-dev libargon2-dev libssl-dev
  libcmocka-dev libclang-rt-14-dev clang libcsv-dev libphonenumber-dev g++
  sqlite3 curl tmux openssh-server openssh-client python3-yaml libxml2-utils
  # A real SMS gateway for the mass-alert tests: Kannel's bearerbox and
  # smsbox, and its fakesmsc SMS centre (tests/lib/harness_kannel.c).
  kannel kannel-extras
  # The agent's reply page in a real browser (tests/browser, playwright-core).
  chromium nodejs openssl
  # A real SMTP server for the e-mail tests (tests/lib/smtp_sink.py).
  python3-aiosmtpd
  # Voice calls: libre/librem (SIP, RTP, G.711), espeak-ng's library and
  # libsamplerate (speech at 8 kHz); baresip and sox for the voice tests.
  libre-dev librem-dev libespeak-ng-dev espeak-ng-data libsamplerate0-dev baresip-core sox
  # The French catalogue needs a French locale: vigied translates each
  # reply page with uselocale(), which glibc only grants for a locale
  # that exists (locale_deps below generates fr_FR.UTF-8).
  locales
)
# tests/browser's node modules (playwright-core, pinned by package-lock.json).
browser_deps() {
  local dir
  dir=$(cd "$(dirname "$0")/.." && pwd)/tests/browser
  [ -d "$dir/node_modules/playwright-core" ] && return 0
  # Debian's nodejs comes without npm; other builds of nodejs include it.
  command -v npm >/dev/null || apt-get install -y -qq --no-install-recommends npm
  echo "deps: npm ci in tests/browser"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
}
# fr_FR.UTF-8, generated (and kept in /etc/locale.gen, so that a later
# locale-gen keeps it) when the system has no French locale.
locale_deps() {
  locale -a 2>/dev/null | grep -qi '^fr_FR\.utf-\?8$' && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "deps: no fr_FR.UTF-8 locale; run: sudo localedef -i fr_FR -f UTF-8 fr_FR.UTF-8" >&2
    return 1
  fi
  echo "deps: generating the fr_FR.UTF-8 locale"
  if [ -f /etc/locale.gen ] && command -v locale-gen >/dev/null; then
    grep -q '^fr_FR.UTF-8 UTF-8' /etc/locale.gen ||
      sed -i 's/^# *fr_FR.UTF-8 UTF-8/fr_FR.UTF-8 UTF-8/' /etc/locale.gen
    grep -q '^fr_FR.UTF-8 UTF-8' /etc/locale.gen || echo 'fr_FR.UTF-8 UTF-8' >>/etc/locale.gen
    locale-gen >/dev/null
  else
    localedef -i fr_FR -f UTF-8 fr_FR.UTF-8
  fi
}
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && { browser_deps; locale_deps; exit 0; }
echo "deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "deps: not root; run: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
browser_deps
locale_deps
