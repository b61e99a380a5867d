#!/usr/bin/env bash
# API latency under load: `vsv serve` on loopback, wrk with N concurrent connections
# for a bounded time over the dashboard's requests, p50/p90/p99 reported. Also the
# first (uncached) answer time of each request, and the peak memory of the server.
#
#   bench/api_bench.sh --data FILE.vsvdb|DIR [--vsv build/vsv] [--connections 50]
#                      [--duration 30s] [--threads 2] [--out bench/results/api]
#
# Prints a Markdown summary (also written to OUT/summary.md); the figures of record
# are in bench/README.md, section "API".
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VSV="$ROOT/build/vsv"
DATA=""
CONNECTIONS=50
DURATION=30s
THREADS=2
OUT="$ROOT/bench/results/api"
while [ $# -gt 0 ]; do
  case "$1" in
    --data) DATA="$2"; shift 2 ;;
    --vsv) VSV="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    *) echo "api_bench: unknown option $1" >&2; exit 2 ;;
  esac
done
[ -n "$DATA" ] || { echo "api_bench: --data FILE.vsvdb|DIR is required" >&2; exit 2; }
command -v wrk >/dev/null || { echo "api_bench: wrk is not installed (Debian package wrk)" >&2; exit 2; }
mkdir -p "$OUT"

# The server, on a free port; stopped whatever happens.
LOG="$OUT/serve.log"
/usr/bin/time -v "$VSV" serve --data "$DATA" --port 0 --quiet > "$OUT/serve.out" 2> "$LOG" &
SERVER=$!
# $SERVER is /usr/bin/time; stop the vsv under it so time can report its memory.
stop_server() { kill -TERM $(pgrep -P $SERVER) 2>/dev/null || true; wait $SERVER 2>/dev/null || true; }
trap stop_server EXIT
for _ in $(seq 1 600); do
  grep -q "listening on" "$OUT/serve.out" 2>/dev/null && break
  sleep 0.2
done
BASE="$(grep -o 'http://[^ ]*' "$OUT/serve.out" | head -1)"
BASE="${BASE%/}"
[ -n "$BASE" ] || { echo "api_bench: vsv serve did not start; see $LOG" >&2; exit 1; }
START=$(date +%s)
until curl -sf "$BASE/api/v1/health" | grep -q '"warm":true'; do sleep 1; done
WARM=$(( $(date +%s) - START ))

META="$(curl -sf "$BASE/api/v1/meta")"
LAST="$(printf '%s' "$META" | sed -n 's/.*"last":\([0-9]*\).*/\1/p')"

# The dashboard's requests: national, regions, one region, its municipalities and
# schools, a school, downloads — each asked once first (uncached), then under load.
SCHOOL="$(curl -sf "$BASE/api/v1/schools?region=21&year=$LAST" | sed -n 's/.*"brin":"\([^"]*\)".*/\1/p' | head -1)"
PATHS=(
  "/api/v1/count?year=$LAST"
  "/api/v1/count?year=$LAST&by=region,sector"
  "/api/v1/count?year=$LAST&by=sector&region=21"
  "/api/v1/trend?age_limit=22"
  "/api/v1/trend?age_limit=22&by=sector"
  "/api/v1/regions?year=$LAST&age_limit=22"
  "/api/v1/regions/21?year=$LAST&age_limit=22"
  "/api/v1/municipalities?region=21&year=$LAST"
  "/api/v1/schools?region=21&year=$LAST"
  "/api/v1/schools/$SCHOOL?year=$LAST&age_limit=22"
  "/api/v1/count?year=$LAST&school=$SCHOOL&by=category,pathway"
  "/api/v1/trend?age_limit=22&region=21"
  "/api/v1/count?year=$LAST&by=region&format=xlsx"
)
{
  echo "| request | first answer (uncached) | bytes |"
  echo "|---|---:|---:|"
  for p in "${PATHS[@]}"; do
    read -r t size < <(curl -s -o /dev/null -w '%{time_total} %{size_download}\n' "$BASE$p")
    printf '| `%s` | %.1f ms | %s |\n' "$p" "$(echo "$t * 1000" | bc -l)" "$size"
  done
} > "$OUT/first.md"

# wrk: every connection walks the list of requests round-robin.
LUA="$OUT/paths.lua"
{
  echo "local paths = {"
  for p in "${PATHS[@]}"; do echo "  \"$p\","; done
  echo "}"
  cat <<'EOF'
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d errors=%d non2xx=%d p50=%.2f p90=%.2f p99=%.2f max=%.2f rps=%.0f\n",
    summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, summary.requests / (summary.duration / 1e6)))
end
EOF
} > "$LUA"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$LUA" "$BASE" > "$OUT/wrk.txt"
RESULT="$(grep '^RESULT' "$OUT/wrk.txt")"

stop_server
trap - EXIT
PEAK_KB="$(sed -n 's/.*Maximum resident set size (kbytes): \([0-9]*\).*/\1/p' "$LOG")"

get() { printf '%s' "$RESULT" | sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
{
  echo "API under load: $CONNECTIONS connections, $THREADS wrk threads, $DURATION, loopback, $(nproc) cores"
  echo "data: $DATA ($(printf '%s' "$META" | sed -n 's/.*"persons":\([0-9]*\).*/\1/p') persons); warm-up ${WARM} s"
  echo
  echo "| requests | errors | non-2xx | req/s | p50 | p90 | p99 | max |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
  echo "| $(get requests) | $(get errors) | $(get non2xx) | $(get rps) | $(get p50) ms | $(get p90) ms | $(get p99) ms | $(get max) ms |"
  echo
  echo "Peak resident memory of vsv serve: $(( ${PEAK_KB:-0} / 1024 )) MB"
  echo
  cat "$OUT/first.md"
} | tee "$OUT/summary.md"
