#!/usr/bin/env bash
# A long run (issue 11): `vsv serve` on the national snapshot with a register on
# SQLite, and caseworkers using it for --minutes (default 10). Each of --clients (50)
# caseworkers logs in with an own account in an own region (the accounts of
# bench/cases_load.sh, spread over --regions, each region with a coordinator who
# hands out its cases), then repeats, back to back: the dashboard (national count,
# by region and sector, trend), the own region's page (region, municipalities, count
# by sector), the own work list, and three cases of it, each read and given a contact
# with a unique client_key. The client is bench/soak_client.cc (built here).
#
# Reports throughput (overall and per route kind), p50/p99 per route kind per
# minute, the server's resident memory sampled over the run (start, end, slope over
# the second half), every unexpected answer, and — with sqlite3, after the server has
# stopped — that every acknowledged contact is stored exactly once. `uptime` is taken
# every minute, since the figures depend on what else runs. Progress on a terminal,
# only the report in a pipe. Not part of ctest.
#
#   bench/soak.sh [--minutes 10] [--clients 50] [--regions "21 3 13 23 33"]
#                 [--cases-per-client 40] [--data FILE.vsvdb] [--vsv build/vsv] [--out DIR]
#
# The national registry (vsv synth --scale 1.0 --seed 42, 2012-2024) and its snapshot
# are cached in $BENCH_WORK (default /tmp/vsv-bench) under the names bench/run_bench.sh
# uses. The report goes to stdout and OUT/report.md (default bench/results/soak, not
# committed). Exit status 1 when there was an error answer or an acknowledged contact
# is missing or doubled.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VSV="$ROOT/build/vsv"
MINUTES=10 CLIENTS=50 REGIONS="21 3 13 23 33" PER_CLIENT=40 DATA="" OUT="$ROOT/bench/results/soak"
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) MINUTES="$2"; shift 2 ;; --clients) CLIENTS="$2"; shift 2 ;;
    --regions) REGIONS="$2"; shift 2 ;; --cases-per-client) PER_CLIENT="$2"; shift 2 ;;
    --data) DATA="$2"; shift 2 ;; --vsv) VSV="$2"; shift 2 ;; --out) OUT="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "soak.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
for tool in sqlite3 curl cmake; do command -v $tool >/dev/null || { echo "soak.sh: needs $tool (./run setup)" >&2; exit 2; }; done
[ -x "$VSV" ] || { echo "soak.sh: no vsv binary at $VSV (cmake --build build --target vsv)" >&2; exit 2; }
read -r -a REGION_LIST <<< "$REGIONS"
[ "${#REGION_LIST[@]}" -ge 1 ] && [ "$CLIENTS" -ge 1 ] && [ "$MINUTES" -ge 1 ] || { echo "soak.sh: bad arguments" >&2; exit 2; }

TTY=0; [ -t 2 ] && TTY=1
say() { if [ $TTY = 1 ]; then echo "[soak] $*" >&2; fi; }
QUIET=(); [ $TTY = 1 ] || QUIET=(--quiet)

# The client, built beside the vsv binary (its build folder) when missing or older
# than its source.
BUILD="$(cd "$(dirname "$VSV")" && pwd)"
CLIENT="$BUILD/vsv_soak_client"
if [ ! -x "$CLIENT" ] || [ "$ROOT/bench/soak_client.cc" -nt "$CLIENT" ]; then
  say "building vsv_soak_client in $BUILD"
  # A build folder configured before the target existed is configured again first.
  { cmake --build "$BUILD" --target vsv_soak_client || { cmake "$BUILD" && cmake --build "$BUILD" --target vsv_soak_client; }; } \
    > "$BUILD/vsv_soak_client.build.log" 2>&1 || { tail -20 "$BUILD/vsv_soak_client.build.log" >&2; echo "soak.sh: building the client failed" >&2; exit 1; }
fi

# The national snapshot: the registry and snapshot of bench/run_bench.sh at scale 1.0
# (same cache, same names), generated or imported only when missing; a cached
# snapshot this vsv cannot read is imported again.
if [ -z "$DATA" ]; then
  WORK="${BENCH_WORK:-/tmp/vsv-bench}"
  mkdir -p "$WORK"
  REG="$WORK/registry-s1.0-seed42-2012-2024"
  if [ ! -f "$REG.complete" ]; then
    rm -rf "$REG"
    say "generating the national registry (vsv synth --scale 1.0) into $REG"
    "$VSV" synth --scale 1.0 --from 2012 --to 2024 --seed 42 --out "$REG" "${QUIET[@]}" >&2
    touch "$REG.complete"
  fi
  DATA="$WORK/s1.0.vsvdb"
  if [ ! -f "$DATA" ] || [ "$REG.complete" -nt "$DATA" ] || ! "$VSV" count --data "$DATA" --year 2023 --quiet > /dev/null 2>&1; then
    say "importing the snapshot $DATA"
    "$VSV" import --data "$REG" --out "$DATA" "${QUIET[@]}" >&2
  fi
fi
[ -f "$DATA" ] || [ -d "$DATA" ] || { echo "soak.sh: no registry at $DATA" >&2; exit 2; }

mkdir -p "$OUT"
RUN="$(mktemp -d /tmp/vsv-soak.XXXXXX)"
SERVER_PID="" LOAD_PID=""
cleanup() {
  [ -n "$LOAD_PID" ] && kill "$LOAD_PID" 2>/dev/null
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null
  wait 2>/dev/null
  [ -n "${KEEP:-}" ] || rm -rf "$RUN"
}
trap cleanup EXIT
PASSWORD='correct horse battery'
DB="$RUN/register.db"
RUN_ID="$(date -u +%Y%m%d%H%M%S)"

# The register: the accounts of cases_load.sh (caseworkers cwN, one password), here
# spread over the regions, a coordinator per region, and the regions' work lists.
say "register: $CLIENTS caseworkers in regions $REGIONS, work lists synced"
echo "$PASSWORD" | "$VSV" users add --db "$DB" --name admin --role administrator >/dev/null
for r in "${REGION_LIST[@]}"; do
  echo "$PASSWORD" | "$VSV" users add --db "$DB" --name "coord$r" --role regional-coordinator --region "$r" >/dev/null
  "$VSV" cases sync --data "$DATA" --db "$DB" --region "$r" --date 2024-10-01 --quiet >/dev/null
done
for i in $(seq 1 "$CLIENTS"); do
  r=${REGION_LIST[$(( (i - 1) % ${#REGION_LIST[@]} ))]}
  echo "$PASSWORD" | "$VSV" users add --db "$DB" --name "cw$i" --role caseworker --region "$r" >/dev/null
done
# Each caseworker gets PER_CLIENT open cases of the own region (by id, in turn).
USERS="$RUN/users.txt"
: > "$USERS"
for r in "${REGION_LIST[@]}"; do echo "coordinator coord$r $r" >> "$USERS"; done
declare -A NEXT
for i in $(seq 1 "$CLIENTS"); do
  r=${REGION_LIST[$(( (i - 1) % ${#REGION_LIST[@]} ))]}
  off=${NEXT[$r]:-0}
  ids=$(sqlite3 "$DB" "SELECT group_concat(id, ',') FROM (SELECT id FROM cases WHERE region = $r AND closed_on IS NULL ORDER BY id LIMIT $PER_CLIENT OFFSET $off)")
  n=$(tr ',' '\n' <<< "$ids" | grep -c . || true)
  [ "$n" = "$PER_CLIENT" ] || { echo "soak.sh: region $r has too few open cases for its caseworkers ($off + $n < $((off + PER_CLIENT)))" >&2; exit 1; }
  NEXT[$r]=$((off + PER_CLIENT))
  uid=$(sqlite3 "$DB" "SELECT id FROM users WHERE name = 'cw$i'")
  echo "caseworker cw$i $r $uid $ids" >> "$USERS"
done
CASES_BEFORE=$(sqlite3 "$DB" "SELECT count(*) FROM cases")

say "starting vsv serve on $DATA (warm-up: every school year classified)"
"$VSV" serve --data "$DATA" --db "$DB" --port 0 --quiet > "$RUN/serve.out" 2> "$RUN/serve.err" &
SERVER_PID=$!
for _ in $(seq 1 600); do grep -q "listening on" "$RUN/serve.out" 2>/dev/null && break; kill -0 $SERVER_PID 2>/dev/null || break; sleep 0.2; done
BASE=$(grep -o 'http://[^ ]*' "$RUN/serve.out" | head -1 | sed 's:/$::') || true
[ -n "$BASE" ] || { cat "$RUN/serve.err" >&2; echo "soak.sh: vsv serve did not start" >&2; exit 1; }
WARM_START=$(date +%s)
until curl -sf "$BASE/api/v1/health" | grep -q '"warm":true'; do
  kill -0 $SERVER_PID 2>/dev/null || { cat "$RUN/serve.err" >&2; echo "soak.sh: vsv serve stopped" >&2; exit 1; }
  sleep 1
done
WARM=$(( $(date +%s) - WARM_START ))

# The machine's load, every minute of the run.
( s=""; trap '[ -n "$s" ] && kill $s 2>/dev/null; exit 0' TERM
  while :; do echo "$(date -u +%H:%M:%S) $(uptime | sed 's/.*load average: //')"; sleep 60 & s=$!; wait $s; done
) > "$RUN/uptime.txt" &
LOAD_PID=$!
START_UTC=$(date -u '+%Y-%m-%d %H:%M UTC')
T0=$(date +%s)
PROGRESS=(); [ $TTY = 1 ] && PROGRESS=(--progress)
say "$CLIENTS caseworkers for $MINUTES min (set-up: logins and case assignment first)"
SOAK_PASSWORD="$PASSWORD" "$CLIENT" --base "$BASE" --users "$USERS" --seconds $((MINUTES * 60)) --out "$OUT" \
  --server-pid "$SERVER_PID" --run-id "$RUN_ID" "${PROGRESS[@]}" > "$RUN/client.out" || {
  cat "$RUN/client.out" >&2; echo "soak.sh: the client failed" >&2; exit 1; }
WALL=$(( $(date +%s) - T0 ))
kill "$LOAD_PID" 2>/dev/null; wait "$LOAD_PID" 2>/dev/null || true; LOAD_PID=""
echo "$(date -u +%H:%M:%S) $(uptime | sed 's/.*load average: //')" >> "$RUN/uptime.txt"
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
SUMMARY=$(grep '^SOAK ' "$RUN/client.out")
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<< "$SUMMARY"; }
ERRORS=$(field errors)

# Exactly once, in the register: the acknowledged keys (acked.txt) against the
# stored ones. Missing: acknowledged, not stored. Doubled: a key stored more than
# once. Stored without acknowledgement: a contact whose answer never arrived (only
# possible after a transport error, which is counted among the errors).
KEYS="$RUN/acked.db"
sqlite3 "$KEYS" "CREATE TABLE acked (k TEXT)"
sqlite3 "$KEYS" ".import $OUT/acked.txt acked"
check=$(sqlite3 "$KEYS" "ATTACH 'file:$DB?mode=ro' AS r;
  CREATE TEMP TABLE stored AS SELECT client_key AS k FROM r.contacts WHERE client_key LIKE 'soak-$RUN_ID-%';
  SELECT (SELECT count(*) FROM acked), (SELECT count(DISTINCT k) FROM acked), (SELECT count(*) FROM stored),
         (SELECT count(*) FROM (SELECT DISTINCT k FROM acked) WHERE k NOT IN (SELECT k FROM stored)),
         (SELECT count(*) FROM (SELECT k FROM stored GROUP BY k HAVING count(*) > 1)),
         (SELECT count(*) FROM stored WHERE k NOT IN (SELECT k FROM acked)),
         (SELECT count(*) FROM r.contacts), (SELECT count(*) FROM r.audit_log),
         (SELECT count(*) FROM r.cases WHERE owner_id IS NOT NULL)")
IFS='|' read -r ACKED ACKED_DISTINCT STORED MISSING DOUBLED UNACKED CONTACTS AUDIT OWNED <<< "$check"
DB_MB=$(du -cm "$DB"* | tail -1 | cut -f1)

status=0
if [ "$ERRORS" != 0 ] || [ "$MISSING" != 0 ] || [ "$DOUBLED" != 0 ] || [ "$ACKED" != "$ACKED_DISTINCT" ]; then status=1; fi
{
  echo "# Soak: $CLIENTS caseworkers, $MINUTES min — $START_UTC"
  echo
  echo "vsv $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores; data $DATA; register SQLite $DB_MB MB at the end ($CASES_BEFORE cases, $OWNED assigned to the caseworkers, $CONTACTS contacts, $AUDIT audit rows); regions $REGIONS; warm-up ${WARM} s; wall time of the client (set-up + run) ${WALL} s."
  echo
  echo "Machine load (uptime: 1, 5, 15 min), every minute of the run:"
  echo
  sed 's/^/    /' "$RUN/uptime.txt"
  echo
  cat "$OUT/report.md"
  echo
  echo "Exactly once (sqlite3 on the register after the server stopped): acknowledged $ACKED ($ACKED_DISTINCT distinct keys), stored $STORED; missing $MISSING, doubled $DOUBLED, stored without an acknowledgement $UNACKED."
  echo
  if [ "$ERRORS" != 0 ]; then echo "FAIL: $ERRORS unexpected answers or requests without an answer"; fi
  if [ "$MISSING" != 0 ] || [ "$DOUBLED" != 0 ] || [ "$ACKED" != "$ACKED_DISTINCT" ]; then
    echo "FAIL: acknowledged contacts missing or doubled"
  fi
  if [ $status = 0 ]; then echo "OK: no errors; every acknowledged contact stored exactly once."; fi
} > "$RUN/final.md"
cp "$RUN/final.md" "$OUT/report.md"
cat "$RUN/final.md"
exit $status
