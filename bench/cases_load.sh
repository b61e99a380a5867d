#!/usr/bin/env bash
# Load on the register: 50 caseworkers (one wrk thread and connection each, own
# session and case) record contacts for 60 s against `vsv serve --db` over loopback,
# on SQLite (default) or PostgreSQL 15 (`--db postgres`: a throwaway cluster on
# loopback from tests/postgres/pg_test_env.sh, stopped and deleted afterwards).
# Reports contacts/s, errors and conflicts, then checks in the database (sqlite3 or
# psql) that every acknowledged contact (HTTP 201) is stored exactly once: no lost
# and no duplicated write. Prints the machine load (uptime) before and after, since
# the figures depend on what else runs. Not part of ctest.
#
#   bench/cases_load.sh [--db sqlite|postgres] [--vsv build/vsv] [--seconds 60] [--workers 50]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VSV="$ROOT/build/vsv"; SECONDS_RUN=60; WORKERS=50; BACKEND=sqlite
ARGS=("$@")
while [ $# -gt 0 ]; do
  case "$1" in
    --vsv) VSV="$2"; shift 2 ;; --seconds) SECONDS_RUN="$2"; shift 2 ;; --workers) WORKERS="$2"; shift 2 ;;
    --db) BACKEND="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
case "$BACKEND" in
  sqlite) SQL_TOOL=sqlite3 ;;
  postgres)
    SQL_TOOL=psql
    # Run again inside a throwaway PostgreSQL cluster (VSV_TEST_PG names it).
    if [ -z "${VSV_TEST_PG:-}" ]; then exec bash "$ROOT/tests/postgres/pg_test_env.sh" bash "$0" "${ARGS[@]}"; fi ;;
  *) echo "--db: sqlite or postgres" >&2; exit 2 ;;
esac
for tool in wrk $SQL_TOOL curl jq; do command -v $tool >/dev/null || { echo "needs $tool" >&2; exit 2; }; done
echo "backend=$BACKEND"
echo "load before: $(uptime)"
WORK="$(mktemp -d /tmp/vsv-cases-load.XXXXXX)"
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$WORK"; }
trap cleanup EXIT
PASSWORD='correct horse battery'
REGION=21

"$VSV" synth --scale 0.05 --from 2012 --to 2024 --seed 7 --out "$WORK/registry" --quiet
if [ "$BACKEND" = postgres ]; then
  psql -XAtq -v ON_ERROR_STOP=1 "$VSV_TEST_PG/postgres" -c "CREATE DATABASE vsv_cases_load" >/dev/null
  DB="$VSV_TEST_PG/vsv_cases_load"
else
  DB="$WORK/register.db"
fi
# One query, one value per line, on either database.
q() {
  if [ "$BACKEND" = postgres ]; then psql -XAtq -v ON_ERROR_STOP=1 "$DB" -c "$1"; else sqlite3 "$DB" "$1"; fi
}
echo "$PASSWORD" | "$VSV" users add --db "$DB" --name admin --role administrator >/dev/null
for i in $(seq 1 "$WORKERS"); do
  echo "$PASSWORD" | "$VSV" users add --db "$DB" --name "cw$i" --role caseworker --region $REGION >/dev/null
done
"$VSV" cases sync --data "$WORK/registry" --db "$DB" --region $REGION --date 2024-10-01 --quiet >/dev/null
OPEN=$(q "SELECT count(*) FROM cases WHERE region = $REGION AND closed_on IS NULL")
[ "$OPEN" -ge "$WORKERS" ] || { echo "only $OPEN cases in region $REGION for $WORKERS workers" >&2; exit 1; }

"$VSV" serve --data "$WORK/registry" --db "$DB" --port 0 --no-warm-up --quiet ${SERVE_ARGS:-} > "$WORK/serve.out" &
SERVER_PID=$!
for _ in $(seq 1 300); do grep -q "listening on" "$WORK/serve.out" 2>/dev/null && break; sleep 0.1; done
BASE=$(grep -o 'http://[^ ]*' "$WORK/serve.out" | sed 's:/$::')

# One session per caseworker, one case each (the region's cases by id).
mapfile -t CASES < <(q "SELECT id || ' ' || version FROM cases WHERE region = $REGION AND closed_on IS NULL ORDER BY id LIMIT $WORKERS")
SESSIONS="$WORK/sessions.lua"
echo "return {" > "$SESSIONS"
for i in $(seq 1 "$WORKERS"); do
  read -r CASE_ID VERSION <<< "${CASES[$((i - 1))]}"
  HDR="$WORK/h$i"
  CSRF=$(curl -s -D "$HDR" -H 'Content-Type: application/json' \
    -d "{\"name\":\"cw$i\",\"password\":\"$PASSWORD\"}" "$BASE/api/v1/login" | jq -r .csrf_token)
  COOKIE=$(grep -i '^set-cookie:' "$HDR" | sed 's/^[Ss]et-[Cc]ookie: //; s/;.*//' | tr -d '\r')
  echo "  {case_id=$CASE_ID, version=$VERSION, cookie=\"$COOKIE\", csrf=\"$CSRF\"}," >> "$SESSIONS"
done
echo "}" >> "$SESSIONS"

BEFORE=$(q "SELECT count(*) FROM contacts")
LOAD_SESSIONS="$SESSIONS" wrk -t"$WORKERS" -c"$WORKERS" -d"${SECONDS_RUN}s" --timeout 10s --latency -s "$ROOT/bench/cases_load.lua" \
  "$BASE" > "$WORK/wrk.out"
RESULT=$(grep '^RESULT' "$WORK/wrk.out")
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""

created=$(sed 's/.*created=\([0-9]*\).*/\1/' <<< "$RESULT")
errors=$(sed 's/.* errors=\([0-9]*\).*/\1/' <<< "$RESULT")
conflicts=$(sed 's/.*conflicts=\([0-9]*\).*/\1/' <<< "$RESULT")
stored=$(q "SELECT count(*) FROM contacts WHERE client_key LIKE 'load-%'")
distinct=$(q "SELECT count(DISTINCT client_key) FROM contacts WHERE client_key LIKE 'load-%'")
# wrk stops with one request in flight per connection: that write may be stored
# without wrk having counted its answer. And wrk calls request() once on the first
# thread to verify the script, so worker 1's key 1 is never sent. So per worker the
# stored keys must be contiguous from 1 (worker 1: 2) to m (no gap = nothing lost,
# distinct = nothing doubled), and in all at most one more per worker than
# acknowledged. Keys are load-WWW-SSSSSSSSS (fixed widths: the same substr on both
# databases).
gaps=$(q "WITH k AS (SELECT CAST(substr(client_key, 6, 3) AS INTEGER) AS w, CAST(substr(client_key, 10) AS INTEGER) AS s
  FROM contacts WHERE client_key LIKE 'load-%') SELECT count(*) FROM (SELECT w, count(*) AS n, min(s) AS a, max(s) AS m
  FROM k GROUP BY w) g WHERE n != m - a + 1 OR a != (CASE WHEN w = 1 THEN 2 ELSE 1 END)")
versions_ok=$(q "SELECT count(*) FROM cases c WHERE c.id IN (SELECT case_id FROM contacts WHERE client_key LIKE 'load-%') AND c.version - 1 < (SELECT count(*) FROM contacts k WHERE k.case_id = c.id AND k.client_key LIKE 'load-%')")
audited=$(q "SELECT count(*) FROM audit_log WHERE action = 'record-contact'" 2>/dev/null || echo "?")
rate=$(awk -v c="$created" -v s="$SECONDS_RUN" 'BEGIN { printf "%.0f", c / s }')
echo "load after: $(uptime)"
echo "backend=$BACKEND workers=$WORKERS seconds=$SECONDS_RUN"
echo "$RESULT"
echo "contacts/s=$rate acknowledged=$created stored=$stored distinct_keys=$distinct contacts_before=$BEFORE audit_rows=$audited"
status=0
echo "in flight at the end (stored, answer not counted by wrk): $((stored - created)) (at most $WORKERS)"
[ "$stored" -ge "$created" ] && [ $((stored - created)) -le "$WORKERS" ] || { echo "FAIL: $created acknowledged but $stored stored"; status=1; }
[ "$gaps" = "0" ] || { echo "FAIL: $gaps workers with a gap in their stored contacts (a lost write)"; status=1; }
[ "$distinct" = "$stored" ] || { echo "FAIL: duplicated contacts"; status=1; }
[ "$errors" = "0" ] || { echo "FAIL: $errors error responses"; status=1; }
socket_errors=$(sed 's/.*socket_errors=\([0-9]*\).*/\1/' <<< "$RESULT")
[ "$socket_errors" = "0" ] || { echo "FAIL: $socket_errors socket errors or timeouts (10 s)"; status=1; }
[ "$versions_ok" = "0" ] || { echo "FAIL: $versions_ok cases whose version did not advance with each contact"; status=1; }
[ $status = 0 ] && echo "OK: every acknowledged contact stored exactly once (no gaps, no duplicates), no errors"
exit $status
