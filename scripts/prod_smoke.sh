#!/usr/bin/env bash
# Production smoke test: deploys Patto exactly as the README's "Production" section says, on a fresh
# database of a running PostgreSQL cluster, and uses it as a person would.
#
#   PGHOST=/tmp/patto-pg.XXXX scripts/prod_smoke.sh     (.ci/run calls it after the PostgreSQL suite)
#
# PGHOST is the cluster's socket directory; PGUSER (default app) must be a superuser there: it creates the
# two roles of the README (owner, runtime) and a database owned by the owner. Every other command runs as
# one of those roles, with PATTO_ENV=production, a generated secret key and a real clamd.
#
# The only step that is not the README's: the demo district is loaded (with development settings, the demo
# app and Faker, from the CI's virtual environment) so that the pages have something to show. Production
# processes run with Faker hidden: they must not need it. The venv is the one `scripts/dev.sh test` made
# (a fresh `pip install .` takes minutes here); .venv/bin is first in PATH, so `python` and `gunicorn`
# below are its.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
START=$(date +%s%N)
: "${PGHOST:?set PGHOST to the socket directory of a running PostgreSQL cluster}"
export PGUSER="${PGUSER:-app}"
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}
PORT=${PATTO_SMOKE_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
SMOKE=$(mktemp -d /tmp/patto-smoke.XXXXXX)
export PATH="${PATTO_VENV:-$ROOT/.venv}/bin:$PATH" PYTHONPATH="$ROOT"  # this checkout's code, whatever pip installed
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$SMOKE"
}
trap cleanup EXIT
step() { local ms=$(( ($(date +%s%N) - START) / 1000000 )); printf '%4d.%ds  %s\n' $((ms / 1000)) $((ms % 1000 / 100)) "$*"; }
fail() { echo "SMOKE FAILED: $*" >&2; for log in "$SMOKE"/*.log; do echo "--- $log" >&2; tail -20 "$log" >&2; done; exit 1; }

# --- A real clamd with the test signature database (detects EICAR; the official one cannot be downloaded here)
step "clamd"
mkdir -p "$SMOKE/clamd/db"
python - "$SMOKE/clamd/db/patto-test.ndb" <<'EOF'
import sys
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
open(sys.argv[1], "w").write(f"Patto.Test.EICAR:0:*:{EICAR.hex()}\n")
EOF
cat >"$SMOKE/clamd/clamd.conf" <<EOF
DatabaseDirectory $SMOKE/clamd/db
LocalSocket $SMOKE/clamd/clamd.sock
Foreground yes
LogFile $SMOKE/clamd.log
StreamMaxLength 30M
EOF
[ "$(id -u)" = 0 ] && echo "User root" >>"$SMOKE/clamd/clamd.conf"
setsid "${CLAMD:-/usr/sbin/clamd}" -c "$SMOKE/clamd/clamd.conf" >/dev/null 2>&1 &
PIDS+=($!)

# --- The database and its two roles (README, "Database roles"), once, as a superuser
step "database roles"
OWNER_PASSWORD=$(python -c 'import secrets; print(secrets.token_hex(16))')
APP_PASSWORD=$(python -c 'import secrets; print(secrets.token_hex(16))')
"$PGBIN/psql" -q -v ON_ERROR_STOP=1 -d postgres >"$SMOKE/psql.log" 2>&1 <<EOF || fail "roles"
DROP DATABASE IF EXISTS patto_smoke WITH (FORCE);
DROP ROLE IF EXISTS patto_smoke_app;
DROP ROLE IF EXISTS patto_smoke_owner;
CREATE ROLE patto_smoke_owner LOGIN PASSWORD '$OWNER_PASSWORD';
CREATE ROLE patto_smoke_app LOGIN PASSWORD '$APP_PASSWORD';
CREATE DATABASE patto_smoke OWNER patto_smoke_owner;
REVOKE ALL ON DATABASE patto_smoke FROM PUBLIC;
EOF
SOCKET=$(python -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$PGHOST")
OWNER_URL="postgres://patto_smoke_owner:$OWNER_PASSWORD@$SOCKET/patto_smoke"
APP_URL="postgres://patto_smoke_app:$APP_PASSWORD@$SOCKET/patto_smoke"
unset PGHOST PGUSER PGDATABASE  # from here on only DATABASE_URL says where the database is

# --- The production environment (README, "Production")
mkdir -p "$SMOKE/nofaker/faker" && echo 'raise ImportError("production has no Faker")' >"$SMOKE/nofaker/faker/__init__.py"
SECRET_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(50))')
PRODUCTION=(env -u PATTO_EXPECT_DATABASE PYTHONPATH="$SMOKE/nofaker:$ROOT"
  PATTO_ENV=production
  PATTO_SECRET_KEY="$SECRET_KEY"
  PATTO_ALLOWED_HOSTS=patto.example.org
  PATTO_BEHIND_PROXY=1 PATTO_TRUSTED_PROXIES=1
  PATTO_CLAMD_SOCKET="$SMOKE/clamd/clamd.sock"
  PATTO_UPLOAD_ROOT="$SMOKE/uploads"
  PATTO_AUDIT_ARCHIVE_DIR="$SMOKE/audit-archive"
  PATTO_STATIC_ROOT="$SMOKE/static")

step "migrate (owner)"
"${PRODUCTION[@]}" DATABASE_URL="$OWNER_URL" python manage.py migrate --noinput >"$SMOKE/migrate.log" 2>&1 || fail "migrate"
step "grant_runtime_role (owner)"
"${PRODUCTION[@]}" DATABASE_URL="$OWNER_URL" python manage.py grant_runtime_role patto_smoke_app >"$SMOKE/grant.log" 2>&1 \
  || fail "grant_runtime_role"

python - "$SMOKE/clamd/clamd.sock" <<'EOF' || fail "clamd does not answer"
import socket, sys, time
for _attempt in range(240):
    try:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(2)
            sock.connect(sys.argv[1])
            sock.sendall(b"zPING\0")
            if sock.recv(16).startswith(b"PONG"):
                sys.exit(0)
    except OSError:
        time.sleep(0.25)
sys.exit(1)
EOF

step "collectstatic (in the background) and the demo data (test data, development settings)"
"${PRODUCTION[@]}" python manage.py collectstatic --noinput >"$SMOKE/collectstatic.log" 2>&1 &
COLLECT=$!
TOTP_KEY=$(python -c 'import secrets; print(secrets.token_hex(20))')
env -u PATTO_EXPECT_DATABASE DATABASE_URL="$OWNER_URL" PATTO_UPLOAD_ROOT="$SMOKE/uploads" \
  PATTO_CLAMD_SOCKET="$SMOKE/clamd/clamd.sock" python manage.py seed_demo >"$SMOKE/seed.log" 2>&1 || fail "seed_demo"
env -u PATTO_EXPECT_DATABASE DATABASE_URL="$OWNER_URL" PATTO_SMOKE_TOTP_KEY="$TOTP_KEY" \
  python scripts/prod_smoke_data.py >"$SMOKE/targets.json" 2>"$SMOKE/data.log" || fail "smoke data"
wait "$COLLECT" || fail "collectstatic"

step "check --deploy (runtime role) and gunicorn, 2 workers"
"${PRODUCTION[@]}" DATABASE_URL="$APP_URL" python manage.py check --deploy --database default --fail-level WARNING \
  >"$SMOKE/check.log" 2>&1 || fail "check --deploy"
"${PRODUCTION[@]}" DATABASE_URL="$APP_URL" gunicorn patto.wsgi --workers 2 --bind "127.0.0.1:$PORT" \
  >"$SMOKE/gunicorn.log" 2>&1 &
PIDS+=($!)
GUNICORN=$!

step "a person signs in with a password and TOTP and reads the pages, the plan PDF and the report XLSX"
PATTO_SMOKE_TOTP_KEY="$TOTP_KEY" python scripts/prod_smoke_client.py "127.0.0.1:$PORT" patto.example.org \
  "$SMOKE/targets.json" || fail "client"
kill -0 "$GUNICORN" 2>/dev/null || fail "gunicorn died"

step "daily maintenance (owner)"
"${PRODUCTION[@]}" DATABASE_URL="$OWNER_URL" python manage.py maintenance >"$SMOKE/maintenance.log" 2>&1 || fail "maintenance"
grep -q "Maintenance done" "$SMOKE/maintenance.log" || fail "maintenance"

step "the hourly and daily jobs and the background worker (runtime role; e-mail kept in memory)"
WORKER=("${PRODUCTION[@]}" DATABASE_URL="$APP_URL" PATTO_EMAIL_BACKEND=django.core.mail.backends.locmem.EmailBackend)
"${WORKER[@]}" python manage.py send_reminders >"$SMOKE/reminders.log" 2>&1 || fail "send_reminders"
"${WORKER[@]}" python manage.py send_digests >"$SMOKE/digests.log" 2>&1 || fail "send_digests"
"${WORKER[@]}" timeout 300 python manage.py db_worker --batch >"$SMOKE/worker.log" 2>&1 || fail "db_worker"
QUEUE=$("${WORKER[@]}" python manage.py shell -c '
from django_tasks_db.models import DBTaskResult
from patto.notifications.models import EmailDelivery
print(DBTaskResult.objects.filter(status="READY").count(), DBTaskResult.objects.filter(status="SUCCESSFUL").count())
' 2>"$SMOKE/queue.log" | tail -1)
echo "   queue after the worker: ready, done = $QUEUE"
[ "${QUEUE%% *}" = 0 ] && [ "${QUEUE##* }" -gt 0 ] || fail "the worker left tasks in the queue (ready, done = $QUEUE)"

step "production smoke passed"
