#!/usr/bin/env bash
# Installs frugal on Debian 12 / Ubuntu 24.04 as a systemd service: build dependencies,
# the release build, /usr/local/bin/frugal, a `frugal` system user with /var/lib/frugal,
# /etc/frugal/frugal.toml and /etc/frugal/env (written only when missing, never
# overwritten), the unit and the man page. Idempotent: run it again to upgrade.
# It never starts the service itself: it prints the next steps instead. With --prefix DIR
# everything stays under DIR (config in DIR/etc/frugal, state in DIR/var/lib/frugal, no
# unit, user or systemctl) unless --system-files asks for the system's own paths.
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PREFIX=${PREFIX:-/usr/local}
DESTDIR=${DESTDIR:-}
BINARY=${FRUGAL_BINARY:-}
UNIT_DIR=/etc/systemd/system
MODE=install
BUILD=1
PURGE=0
SYSTEM_FILES=1  # /etc/frugal, /var/lib/frugal, the unit, the frugal user (off for --prefix)
PREFIX_GIVEN=0
ASKED_SYSTEM=0

say() { printf 'install.sh: %s\n' "$*"; }
die() {
  printf 'install.sh: error: %s\n' "$*" >&2
  exit 1
}
trap 'say "error: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

usage() {
  cat <<EOF
usage: deploy/install.sh [--prefix DIR [--system-files]] [--no-build] [--binary PATH]
                         [--unit-dir DIR]
       deploy/install.sh --uninstall [--purge] [--prefix DIR [--system-files]] [--unit-dir DIR]

Installs frugal as a systemd service (run as root on Debian 12 / Ubuntu 24.04).
  --prefix DIR    install under DIR and nowhere else: DIR/bin/frugal,
                  DIR/share/man/man1/frugal.1, DIR/share/doc/frugal/examples/, the
                  config DIR/etc/frugal/{frugal.toml,env} (its state_dir set to
                  DIR/var/lib/frugal) and that state folder; no unit, no user, no
                  systemctl, no root needed. Without --prefix: /usr/local plus the
                  system files below.
  --system-files  with --prefix: also the system files (/etc/frugal, /var/lib/frugal,
                  the unit, the frugal user), as an install without --prefix does
  --no-build      skip install-deps.sh and the build; use build-release/frugal
  --binary PATH   install this binary (implies --no-build; also \$FRUGAL_BINARY)
  --unit-dir DIR  where the unit goes (default /etc/systemd/system)
  --uninstall     remove the binary, unit, man page and examples; keep /etc/frugal
                  and /var/lib/frugal (the config, secrets, ledger and memory)
  --purge         with --uninstall: also remove /etc/frugal, /var/lib/frugal and the
                  frugal user
DESTDIR=DIR puts every file under DIR (for packaging) and skips useradd, chown and
systemctl, so it needs no root.
EOF
}

while (($#)); do
  case "$1" in
    --prefix)
      (($# >= 2)) || die "--prefix needs a directory"
      PREFIX=$2
      PREFIX_GIVEN=1
      shift
      ;;
    --prefix=*)
      PREFIX=${1#--prefix=}
      PREFIX_GIVEN=1
      ;;
    --system-files) ASKED_SYSTEM=1 ;;
    --binary)
      (($# >= 2)) || die "--binary needs a path"
      BINARY=$2
      shift
      ;;
    --binary=*) BINARY=${1#--binary=} ;;
    --unit-dir)
      (($# >= 2)) || die "--unit-dir needs a directory"
      UNIT_DIR=$2
      shift
      ;;
    --unit-dir=*) UNIT_DIR=${1#--unit-dir=} ;;
    --no-build) BUILD=0 ;;
    --uninstall) MODE=uninstall ;;
    --purge) PURGE=1 ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      usage >&2
      die "unknown option $1"
      ;;
  esac
  shift
done

[[ $PREFIX == /* ]] || die "--prefix must be an absolute path (got '$PREFIX')"
[[ $UNIT_DIR == /* ]] || die "--unit-dir must be an absolute path (got '$UNIT_DIR')"
((PURGE == 0)) || [[ $MODE == uninstall ]] || die "--purge only goes with --uninstall"
if [[ -n $BINARY ]]; then BUILD=0; fi
if ((PREFIX_GIVEN && !ASKED_SYSTEM)); then SYSTEM_FILES=0; fi
if [[ -z $DESTDIR && $(id -u) -ne 0 ]] && ((SYSTEM_FILES)); then
  die "run as root (or set DESTDIR to stage the files without installing them, or give" \
    "--prefix DIR for an install that stays inside DIR)"
fi
DESTDIR=${DESTDIR%/}
PREFIX=${PREFIX%/}

BIN=$DESTDIR$PREFIX/bin/frugal
MAN=$DESTDIR$PREFIX/share/man/man1/frugal.1
DOC=$DESTDIR$PREFIX/share/doc/frugal
if ((SYSTEM_FILES)); then
  UNIT=$DESTDIR$UNIT_DIR/frugal.service
  ETC_DIR=/etc/frugal
  STATE_DIR=/var/lib/frugal
else
  UNIT= # a unit names system paths (StateDirectory=, /etc/frugal/env): none here
  ETC_DIR=$PREFIX/etc/frugal
  STATE_DIR=$PREFIX/var/lib/frugal
fi
ETC=$DESTDIR$ETC_DIR
STATE=$DESTDIR$STATE_DIR

# systemctl only on a live system: not when staging, not in a container without systemd.
have_systemd() {
  ((SYSTEM_FILES)) && [[ -z $DESTDIR && -d /run/systemd/system ]] && command -v systemctl >/dev/null
}
# The frugal user, chown and userdel: only for a live install of the system files.
live_system() { ((SYSTEM_FILES)) && [[ -z $DESTDIR ]]; }

uninstall() {
  if have_systemd && systemctl list-unit-files frugal.service >/dev/null 2>&1; then
    say "stopping and disabling frugal.service"
    systemctl disable --now frugal.service >/dev/null 2>&1 || true
  fi
  for f in "$BIN" "$UNIT" "$MAN"; do
    if [[ -n $f && -e $f ]]; then
      rm -f -- "$f"
      say "removed $f"
    fi
  done
  if [[ -d $DOC ]]; then
    rm -rf -- "$DOC"
    say "removed $DOC"
  fi
  if ((PURGE)); then
    rm -rf -- "$ETC" "$STATE"
    say "purged $ETC and $STATE (config, secrets, ledger, memory)"
    if live_system && getent passwd frugal >/dev/null; then
      userdel frugal && say "removed user frugal"
    fi
  else
    say "kept $ETC and $STATE (use --uninstall --purge to remove them)"
  fi
  if have_systemd; then systemctl daemon-reload; fi
}

# Builds the release preset; on a 1 GB VPS with one job per ~900 MB of available memory.
build() {
  say "installing build dependencies"
  "$SRC/deploy/install-deps.sh"
  local v
  v=$(cmake --version | sed -n '1s/[^0-9]*\([0-9]*\.[0-9]*\).*/\1/p')
  if [[ $(printf '%s\n3.25\n' "$v" | sort -V | head -n1) != 3.25 ]]; then
    die "CMake $v is too old: frugal needs 3.25 or newer (Debian 12, Ubuntu 24.04; on" \
      "older systems install a newer cmake, e.g. 'pip install cmake')"
  fi
  local mem_kb jobs
  mem_kb=$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo 2>/dev/null || echo 0)
  jobs=$((mem_kb / 900000))
  ((jobs >= 1)) || jobs=1
  ((jobs <= $(nproc))) || jobs=$(nproc)
  say "building the release preset with $jobs job(s) (a few minutes on one vCPU)"
  (cd "$SRC" && cmake --preset release >/dev/null && cmake --build --preset release -j "$jobs")
}

# install_new MODE SOURCE DEST: replaces DEST through a temporary file and a rename, so a
# running binary is never written in place.
install_new() {
  local mode=$1 src=$2 dest=$3
  mkdir -p -- "$(dirname "$dest")"
  install -m "$mode" -- "$src" "$dest.new.$$"
  mv -f -- "$dest.new.$$" "$dest"
}

env_template() {
  cat <<'EOF'
# Secrets for frugal.service, read by systemd (EnvironmentFile=) before it drops to the
# frugal user. One NAME=value per line, no quotes needed, no `export`. Keep this file
# mode 600, owned by root. frugal.toml names these variables in its *_env keys.
#
# ANTHROPIC_API_KEY=sk-ant-...
# OPENROUTER_API_KEY=sk-or-...
# FRUGAL_IRC_PASSWORD=the NickServ password of the bot's account (SASL PLAIN)
# FRUGAL_MATRIX_TOKEN=syt_...
EOF
}

install_all() {
  if ((BUILD)); then
    build
    BINARY=$SRC/build-release/frugal
  elif [[ -z $BINARY ]]; then
    BINARY=$SRC/build-release/frugal
  fi
  [[ -x $BINARY ]] || die "no built binary at $BINARY (build it, or pass --binary PATH)"

  install_new 0755 "$BINARY" "$BIN"
  say "installed $BIN ($("$BIN" --version 2>/dev/null || echo 'version unknown'))"

  if [[ -n $UNIT ]]; then
    local unit_tmp
    unit_tmp=$(mktemp)
    sed "s#/usr/local/bin/frugal#$PREFIX/bin/frugal#g" "$SRC/deploy/frugal.service" >"$unit_tmp"
    install_new 0644 "$unit_tmp" "$UNIT"
    rm -f -- "$unit_tmp"
    say "installed $UNIT"
  fi
  install_new 0644 "$SRC/deploy/frugal.1" "$MAN"
  say "installed $MAN"
  for f in frugal.example.toml matrix.example.toml cron.example; do
    install_new 0644 "$SRC/deploy/$f" "$DOC/examples/$f"
  done
  say "installed examples in $DOC/examples"

  if live_system && ! getent passwd frugal >/dev/null; then
    useradd --system --user-group --home-dir /var/lib/frugal --no-create-home \
      --shell /usr/sbin/nologin --comment "frugal agent" frugal
    say "created system user frugal"
  fi
  mkdir -p -- "$STATE"
  chmod 0700 -- "$STATE"
  if live_system; then
    chown frugal:frugal -- "$STATE"
    say "state folder $STATE (0700, owner frugal)"
  elif ((SYSTEM_FILES)); then
    say "state folder $STATE (0700; the package's postinst or the admin chowns it)"
  else
    say "state folder $STATE (0700)"
  fi

  mkdir -p -- "$ETC"
  chmod 0755 -- "$ETC"
  if [[ -e $ETC/frugal.toml ]]; then
    say "kept the existing $ETC/frugal.toml (compare with $DOC/examples/frugal.example.toml)"
  else
    # Inside a prefix the config points at the prefix's own state folder.
    sed "s#^state_dir = \"/var/lib/frugal\"#state_dir = \"$STATE_DIR\"#" \
      "$SRC/deploy/frugal.example.toml" >"$ETC/frugal.toml.new.$$"
    chmod 0644 -- "$ETC/frugal.toml.new.$$"
    mv -f -- "$ETC/frugal.toml.new.$$" "$ETC/frugal.toml"
    say "wrote $ETC/frugal.toml from the example: edit it"
  fi
  if [[ -e $ETC/env ]]; then
    say "kept the existing $ETC/env"
  else
    (
      umask 077
      env_template >"$ETC/env"
    )
    say "wrote $ETC/env (mode 600): put the API keys and passwords there"
  fi
  chmod 0600 -- "$ETC/env"
  if live_system; then chown root:root -- "$ETC/env"; fi

  if have_systemd; then
    systemctl daemon-reload
    say "systemd reloaded"
  fi
  if [[ -z $DESTDIR ]] && ! ((SYSTEM_FILES)); then
    cat <<EOF

Next steps: put the API keys in $ETC_DIR/env, edit $ETC_DIR/frugal.toml, then
  (set -a; . $ETC_DIR/env; $PREFIX/bin/frugal --config $ETC_DIR/frugal.toml doctor)
EOF
  elif [[ -z $DESTDIR ]]; then
    cat <<EOF

Next steps:
  1. Edit /etc/frugal/frugal.toml (channel, nick, owners, models) and /etc/frugal/env.
  2. Check it as the service will run:
       (set -a; . /etc/frugal/env; runuser -u frugal -- $PREFIX/bin/frugal --config /etc/frugal/frugal.toml doctor)
  3. systemctl enable --now frugal && journalctl -u frugal -f
After an upgrade: systemctl restart frugal. After a config edit: systemctl reload frugal.
EOF
  fi
}

case $MODE in
  install) install_all ;;
  uninstall) uninstall ;;
esac
