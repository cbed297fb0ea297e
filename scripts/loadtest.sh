#!/usr/bin/env bash
# Patto's load test (issue 13; README, "Benchmarks"): a fresh database with the demo district and N fictional
# accounts with TOTP, gunicorn with the production settings, Locust headless, then the figures.
#
#   scripts/loadtest.sh                    200 people arriving 10 a second (20 s), 60 s in all: the target run
#   scripts/loadtest.sh --smoke            5 people at once, 10 s: checks that everything works (light)
#   scripts/loadtest.sh --users 50 --spawn-rate 5 --run-time 2m --workers 3
#   PATTO_LOADTEST_WAIT=0,0 scripts/loadtest.sh   no reading time: the ceiling in requests per second
#
# Database: PostgreSQL when PGHOST or PGDATABASE is set (libpq's PG* variables; the role needs CREATEDB): the
# database PATTO_LOADTEST_DB (default patto_loadtest) is DROPPED and created again. Otherwise SQLite, in a
# temporary folder. Gunicorn: --workers (default 2, the README's production command; 2 × cores + 1 is
# gunicorn's own suggestion) sync workers on 127.0.0.1 only.
#
# HTTPS: production settings send Secure __Host- cookies and redirect plain HTTP. In production nginx
# terminates TLS and tells Patto with X-Forwarded-Proto (PATTO_BEHIND_PROXY=1); here Locust plays that proxy
# (loadtest/locustfile.py) and gunicorn listens on 127.0.0.1 alone, so no setting is relaxed and no flag
# exists that could weaken a real deployment. TLS itself (nginx's work) is not measured.
#
# Printed: sign-in p50/p95 (the password step, Argon2, and the whole sign-in with the TOTP code), whole-run
# p50/p95/p99, errors, requests per second, peak RSS of each gunicorn worker. Never a test: it wants a quiet
# machine (Locust runs on the same cores and takes some of them).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
USERS=200 SPAWN_RATE=10 RUN_TIME=60s WORKERS=2 THREADS=1 CASELOAD=12
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) USERS=5 SPAWN_RATE=5 RUN_TIME=10s CASELOAD=4 ;;
    --users) USERS=$2; shift ;;
    --spawn-rate) SPAWN_RATE=$2; shift ;;
    --run-time) RUN_TIME=$2; shift ;;
    --workers) WORKERS=$2; shift ;;
    --threads) THREADS=$2; shift ;;
    --caseload) CASELOAD=$2; shift ;;
    *) echo "usage: scripts/loadtest.sh [--smoke] [--users N] [--spawn-rate R] [--run-time T] [--workers W] [--threads T] [--caseload C]" >&2; exit 2 ;;
  esac
  shift
done

VENV="${PATTO_VENV:-$ROOT/.venv}"
export PATH="$VENV/bin:$PATH" PYTHONPATH="$ROOT"
python -c 'import locust' 2>/dev/null || pip install -q -e ".[load]" >/dev/null
WORK=$(mktemp -d /tmp/patto-loadtest.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -n "${PATTO_LOADTEST_KEEP:-}" ] && echo "kept: $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT
START=$SECONDS
say() { printf '\033[1m==> %4ds  %s\033[0m\n' $((SECONDS - START)) "$*" >&2; }
fail() { echo "LOAD TEST FAILED: $*" >&2; for log in "$WORK"/*.log; do echo "--- $log" >&2; tail -15 "$log" >&2; done; exit 1; }

# --- The database
DB_ENV=(env -u PATTO_EXPECT_DATABASE -u DATABASE_URL)
if [ -n "${PGHOST:-}" ] || [ -n "${PGDATABASE:-}" ]; then
  DB_NAME=${PATTO_LOADTEST_DB:-patto_loadtest}
  [[ "$DB_NAME" =~ ^[a-z_][a-z0-9_]*$ ]] || fail "PATTO_LOADTEST_DB must be a plain name"
  say "PostgreSQL: database $DB_NAME created afresh"
  psql -q -v ON_ERROR_STOP=1 -d postgres -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" -c "CREATE DATABASE $DB_NAME" \
    >"$WORK/psql.log" 2>&1 || fail "creating the database"
  DB_ENV+=(PGDATABASE="$DB_NAME")
else
  say "SQLite: $WORK/patto.sqlite3"
  DB_ENV+=(-u PGDATABASE PATTO_SQLITE_PATH="$WORK/patto.sqlite3")
fi

# --- The production environment (README, "Production"); no upload happens in the load test, so clamd's
# socket is only named (an upload would be refused, as production does when clamd does not answer).
PORT=$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
PRODUCTION=("${DB_ENV[@]}"
  PATTO_ENV=production
  PATTO_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
  PATTO_ALLOWED_HOSTS=127.0.0.1
  PATTO_BEHIND_PROXY=1 PATTO_TRUSTED_PROXIES=1
  PATTO_CLAMD_SOCKET="$WORK/clamd.sock"
  PATTO_UPLOAD_ROOT="$WORK/uploads" PATTO_EXPORT_ROOT="$WORK/exports"
  PATTO_AUDIT_ARCHIVE_DIR="$WORK/audit-archive" PATTO_STATIC_ROOT="$WORK/static")

say "migrate"
"${PRODUCTION[@]}" python manage.py migrate --noinput >"$WORK/migrate.log" 2>&1 || fail "migrate"
say "collectstatic (in the background) and $USERS accounts with TOTP (development settings: the demo app)"
"${PRODUCTION[@]}" python manage.py collectstatic --noinput >"$WORK/collectstatic.log" 2>&1 &
COLLECT=$!
"${DB_ENV[@]}" python manage.py seed_loadtest --users "$USERS" --caseload "$CASELOAD" --out "$WORK/accounts.json" \
  >"$WORK/seed.log" 2>&1 || fail "seed_loadtest"
tail -1 "$WORK/seed.log"
wait "$COLLECT" || fail "collectstatic"
"${PRODUCTION[@]}" python manage.py check --deploy --fail-level WARNING >"$WORK/check.log" 2>&1 || fail "check --deploy"

say "gunicorn, $WORKERS workers × $THREADS threads, production settings, 127.0.0.1:$PORT"
"${PRODUCTION[@]}" gunicorn patto.wsgi --workers "$WORKERS" --threads "$THREADS" --bind "127.0.0.1:$PORT" >"$WORK/gunicorn.log" 2>&1 &
GUNICORN=$!
PIDS+=("$GUNICORN")
# Ready when the sign-in page answers (not /salute/: it reports the antivirus down, as no clamd runs here).
ready=""
for _attempt in $(seq 240); do
  curl -sf -o /dev/null -H "X-Forwarded-Proto: https" "http://127.0.0.1:$PORT/accesso/" && ready=1 && break
  kill -0 "$GUNICORN" 2>/dev/null || fail "gunicorn did not start"
  sleep 0.5
done
[ -n "$ready" ] || fail "gunicorn does not answer"
# Warm-up: each worker renders the sign-in page once or twice (imports, templates) before anyone arrives.
for _request in $(seq $((WORKERS * 2))); do
  curl -sf -o /dev/null -H "X-Forwarded-Proto: https" "http://127.0.0.1:$PORT/accesso/" || true
done

say "locust: $USERS users, $SPAWN_RATE a second, $RUN_TIME"
status=0
PATTO_LOADTEST_ACCOUNTS="$WORK/accounts.json" PATTO_LOADTEST_SUMMARY="$WORK/summary.json" \
  locust -f loadtest/locustfile.py --headless --host "http://127.0.0.1:$PORT" --users "$USERS" \
  --spawn-rate "$SPAWN_RATE" --run-time "$RUN_TIME" --only-summary --csv "$WORK/locust" \
  >"$WORK/locust.log" 2>&1 || status=$?
[ -f "$WORK/summary.json" ] || fail "locust wrote no summary (exit $status)"
kill -0 "$GUNICORN" 2>/dev/null || fail "gunicorn died"

# Peak resident memory (VmHWM) of each worker, read before gunicorn stops; workers gunicorn restarted
# during the run (a timeout) would be missing: the log says so.
RSS=$(for pid in $(cat "/proc/$GUNICORN/task/$GUNICORN/children"); do
  awk '/VmHWM/ {printf "%d ", $2 / 1024}' "/proc/$pid/status"
done)
RESTARTS=$(grep -c "WORKER TIMEOUT\|Worker exiting\|Booting worker" "$WORK/gunicorn.log" || true)

python - "$WORK/summary.json" "$RSS" "$((RESTARTS - WORKERS))" "$WORKERS" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
rss, restarts, workers = sys.argv[2].split(), int(sys.argv[3]), sys.argv[4]
t, pw, flow = s["total"], s["sign_in_password"], s["sign_in_flow_ms"]
print(f"\nusers {s['users']}, signed in {s['sign_ins']}; gunicorn workers {workers}")
print(f"sign-in (password, Argon2)  p50 {pw['p50_ms']} ms  p95 {pw['p95_ms']} ms  ({pw['requests']} requests)")
print(f"sign-in (whole, with TOTP)  p50 {flow['p50']} ms  p95 {flow['p95']} ms  max {flow['max']} ms")
print(f"whole run                   p50 {t['p50_ms']} ms  p95 {t['p95_ms']} ms  p99 {t['p99_ms']} ms  max {t['max_ms']} ms")
print(f"requests {t['requests']}, errors {t['failures']}, {s['requests_per_s']} requests/s")
print(f"peak RSS of the workers: {', '.join(r + ' MB' for r in rss)}" + (f" ({restarts} restarted)" if restarts > 0 else ""))
for e in s["errors"]:
    print(f"  error ×{e['count']}: {e['name']}: {e['error']}")
print("\nper page (requests, failures, p50, p95 ms):")
for name, p in sorted(s["pages"].items()):
    print(f"  {name:<45} {p['requests']:>6} {p['failures']:>4} {p['p50_ms']:>6} {p['p95_ms']:>6}")
met = t["failures"] == 0 and (pw["p95_ms"] or 0) <= 1000 and (t["p95_ms"] or 0) <= 500
note = "" if s["users"] >= 200 else f" (this run had {s['users']} users: the targets are for 200)"
print("\ntargets (200 users over 20 s: sign-in p95 ≤ 1 s, 0 errors, whole-run p95 ≤ 500 ms):", "met" if met else "NOT met", note)
EOF
