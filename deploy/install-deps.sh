#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages frugal needs to build (and, with --test, to run its
# test suite: real IRC servers, python3, clang for the fuzzers). Idempotent: packages
# already present are skipped, and apt-get update runs only when something is missing.
set -euo pipefail

build_pkgs=(build-essential cmake pkg-config g++ libuv1-dev libcurl4-openssl-dev
  libsimdjson-dev libtomlplusplus-dev libsqlite3-dev catch2 libssl-dev libseccomp-dev
  libedit-dev)
test_pkgs=(python3 ngircd inspircd atheme-services openssl ccache procps systemd clang
  libclang-rt-14-dev dpkg-dev file sqlite3 man-db groff-base strace bubblewrap lintian
  faketime libfaketime fakeroot)

want=("${build_pkgs[@]}")
if [[ "${1:-}" == "--test" ]]; then want+=("${test_pkgs[@]}"); fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#want[@]} packages present"
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; else SUDO=; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
# The IRC server packages start their own services on some systems; the tests start
# private instances on free ports instead, so stop the system ones if they came up.
for svc in inspircd ngircd atheme-services; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
    $SUDO systemctl stop "$svc" || true
  fi
done
