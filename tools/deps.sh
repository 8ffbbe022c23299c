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
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "deps: not root; run: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
