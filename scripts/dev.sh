#!/usr/bin/env bash
# Patto's two commands:
#   scripts/dev.sh run    set up, migrate, seed the demo district, print the demo accounts, serve at 127.0.0.1:8000
#                         with the background worker (db_worker) beside the server; one Ctrl-C stops both
#   scripts/dev.sh test   set up and run the whole suite (browser tests included)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="$ROOT/.venv"
mkdir -p "$ROOT/var" "$ROOT/staticfiles"  # staticfiles/: collectstatic target (WhiteNoise warns if absent)

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

is_root() { [ "$(id -u)" = 0 ]; }

apt_install() {  # installs Debian packages when root and missing; otherwise says what is needed
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if is_root; then
    say "Installing Debian packages: ${missing[*]}"
    apt-get update -qq >"$ROOT/var/apt.log" 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
      >>"$ROOT/var/apt.log" 2>&1 || { tail -20 "$ROOT/var/apt.log"; exit 1; }
  else
    echo "Please install these Debian packages first: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
}

python_ok() {
  "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null
}

setup() {  # $1: the pip extras to install ("[demo]" or "[test,demo]")
  local extras="$1" python="${PYTHON:-python3}"
  python_ok "$python" || { echo "Patto needs Python 3.11 or newer ($python is older or missing)." >&2; exit 1; }
  if [ ! -x "$VENV/bin/python" ]; then
    say "Creating the virtual environment in .venv"
    "$python" -m venv "$VENV" 2>/dev/null || { apt_install python3-venv; rm -rf "$VENV"; "$python" -m venv "$VENV"; }
  fi
  local stamp="$VENV/.patto-installed" wanted
  wanted="$(sha256sum pyproject.toml | cut -c1-64) $extras"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    say "Installing Patto and its dependencies"
    "$VENV/bin/python" -m pip install -q --upgrade pip >"$ROOT/var/pip.log" 2>&1 || true
    "$VENV/bin/python" -m pip install -e ".$extras" >>"$ROOT/var/pip.log" 2>&1 || { tail -30 "$ROOT/var/pip.log"; exit 1; }
    echo "$wanted" >"$stamp"
  fi
}

run() {
  setup "[demo]"
  apt_install file  # libmagic: uploads are typed by their content
  say "Migrating the database"
  "$VENV/bin/python" manage.py migrate --noinput >"$ROOT/var/migrate.log" 2>&1 || { tail -30 "$ROOT/var/migrate.log"; exit 1; }
  say "Seeding the demo district of Rimini (fictional people)"
  "$VENV/bin/python" manage.py seed_demo
  # The background worker (notification e-mails; in development they are printed in var/worker.log) beside
  # the server. Ctrl-C reaches both (same process group); the trap stops the worker whatever ends the server.
  say "Starting the background worker (output in var/worker.log)"
  "$VENV/bin/python" manage.py db_worker --no-reload >"$ROOT/var/worker.log" 2>&1 &
  WORKER_PID=$!
  trap 'kill "$WORKER_PID" 2>/dev/null; wait "$WORKER_PID" 2>/dev/null || true' EXIT
  trap 'exit 130' INT TERM
  say "Patto is at http://127.0.0.1:8000 (Ctrl-C stops the server and the worker)"
  "$VENV/bin/python" manage.py runserver 127.0.0.1:8000
}

test() {
  setup "[test,demo]"
  apt_install chromium gettext clamav-daemon file
  # One worker per core (pytest-xdist), a test file per worker at a time (files share fixtures and
  # PostgreSQL roles); PATTO_TEST_WORKERS=0 runs in this process.
  local workers="${PATTO_TEST_WORKERS:-auto}"
  say "Running the test suite ($workers workers)"
  local status=0
  "$VENV/bin/python" -m pytest -n "$workers" --dist loadfile "$@" || status=$?
  if [ "$status" = 5 ]; then
    echo "pytest collected no tests: that is a failure." >&2
    exit 1
  fi
  exit "$status"
}

lint() {  # ruff: the lint rules and the format of pyproject.toml (CI runs this first)
  setup "[test,demo]"
  say "Checking lint and format (ruff)"
  "$VENV/bin/ruff" check patto scripts loadtest conftest.py manage.py
  "$VENV/bin/ruff" format --check patto scripts loadtest conftest.py manage.py
}

case "${1:-}" in
  run) shift; run "$@" ;;
  test) shift; test "$@" ;;
  lint) shift; lint ;;
  *) echo "usage: scripts/dev.sh run | test [pytest arguments] | lint" >&2; exit 2 ;;
esac
