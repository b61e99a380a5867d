#!/usr/bin/env bash
# The vsv benchmark (called by `./run bench`); see bench/README.md.
#
# For each scale (or one given registry): the count of all school years by
# region x sector x category with build/vsv from the CSV files, the same count with
# DuckDB (bench/duckdb/count.mjs, the definition in SQL) on the same files, a check
# that both give the same numbers, then `vsv import` and the count from the snapshot.
# Wall time and peak RSS of every step come from /usr/bin/time -v. Writes a markdown
# report to stdout and to bench/results/latest.md.
#
# Usage: bench/run_bench.sh [--data DIR] [--scales "0.1 0.25 0.5 1.0"] [--setup]
#   --data DIR   benchmark this registry folder instead of generating them (one row)
#   --scales S   scales to generate with `vsv synth` (default $BENCH_SCALES or all four)
#   --setup      only install the DuckDB npm package (idempotent, quick when present)
# Environment:
#   BENCH_SCALES    "0.1 0.25 0.5 1.0"    BENCH_DATA    registry dir (as --data)
#   BENCH_WORK      /tmp/vsv-bench (generated registries are cached here per scale/seed)
#   BENCH_FROM/TO   2012/2023 (school years counted)   BENCH_SEED   42
#   BENCH_THREADS   2 (DuckDB threads)   BENCH_REPEAT  1 (runs per step; best wall time)
#   BENCH_REFERENCE reference dir for both (default: data/reference, vsv's default)
#   VSV             path of the vsv binary (default build/vsv)
# Exit status: 0 when every step ran and vsv and DuckDB gave the same numbers; 1 when
# the numbers differ or a step failed. The performance targets are reported, not
# asserted.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH_DIR")"
DUCK_DIR="$BENCH_DIR/duckdb"
VSV="${VSV:-$ROOT/build/vsv}"
WORK="${BENCH_WORK:-/tmp/vsv-bench}"
FROM="${BENCH_FROM:-2012}"
TO="${BENCH_TO:-2023}"
SEED="${BENCH_SEED:-42}"
THREADS="${BENCH_THREADS:-2}"
REPEAT="${BENCH_REPEAT:-1}"
SCALES="${BENCH_SCALES:-0.1 0.25 0.5 1.0}"
DATA="${BENCH_DATA:-}"
REFERENCE="${BENCH_REFERENCE:-}"
PYTHON=/usr/bin/python3
SETUP_ONLY=0

while [[ $# -gt 0 ]]; do
  case "$1" in
    --data) DATA="$2"; shift 2 ;;
    --scales) SCALES="$2"; shift 2 ;;
    --setup) SETUP_ONLY=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "run_bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

log() { echo "[bench] $*" >&2; }
die() { echo "run_bench.sh: $*" >&2; exit 1; }

# npm ci only when node_modules does not match package-lock.json (stamp = lock hash).
setup_duckdb() {
  command -v node >/dev/null || die "node is not installed (./run setup installs it)"
  local want have=""
  want="$(sha256sum "$DUCK_DIR/package-lock.json" | cut -d' ' -f1)"
  [[ -f "$DUCK_DIR/node_modules/.vsv-lock-hash" ]] && have="$(cat "$DUCK_DIR/node_modules/.vsv-lock-hash")"
  if [[ "$want" != "$have" || ! -d "$DUCK_DIR/node_modules/@duckdb/node-api" ]]; then
    log "npm ci in bench/duckdb"
    # The stamp is the one ./run setup writes too. Should npm ci refuse the lock (it
    # did before the lock listed the other platforms' optional DuckDB bindings, which
    # this machine's registry does not serve), npm install --no-save installs the same
    # locked versions without touching package-lock.json.
    (cd "$DUCK_DIR" && { npm ci --no-audit --no-fund --loglevel=silent >&2 2>/dev/null \
      || npm install --no-save --no-audit --no-fund --loglevel=error >&2; })
    echo "$want" > "$DUCK_DIR/node_modules/.vsv-lock-hash"
  fi
}

setup_duckdb
[[ "$SETUP_ONLY" == 1 ]] && exit 0

[[ -x "$VSV" ]] || die "no vsv binary at $VSV (run ./run build first)"
[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing (Debian package 'time')"
mkdir -p "$WORK" "$BENCH_DIR/results"
REF_ARGS=()
if [[ -n "$REFERENCE" ]]; then REF_ARGS=(--reference "$REFERENCE"); else REFERENCE="$ROOT/data/reference"; fi

# warm FILE...: reads the files once, so every measured step finds its input in the
# page cache (the machine may have evicted a registry generated earlier) and neither
# tool pays for the disk.
warm() { cat "$@" > /dev/null; }

# measure TAG OUTFILE CMD...: runs CMD (stdout to OUTFILE) BENCH_REPEAT times under
# /usr/bin/time -v; sets WALL (best, seconds) and RSS (largest peak, MB). Its stderr
# is kept in $WORK/TAG.err.
measure() {
  local tag="$1" out="$2"; shift 2
  local best="" peak=0 i t0 t1 w r
  for ((i = 0; i < REPEAT; i++)); do
    t0=$EPOCHREALTIME
    if ! /usr/bin/time -v -o "$WORK/$tag.time" "$@" > "$out" 2> "$WORK/$tag.err"; then
      tail -20 "$WORK/$tag.err" >&2
      die "step '$tag' failed: $*"
    fi
    t1=$EPOCHREALTIME
    w=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    r=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$WORK/$tag.time")
    if [[ -z "$best" ]] || awk -v a="$w" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$w; fi
    (( r > peak )) && peak=$r
  done
  WALL=$best; RSS=$peak
  log "$tag: ${WALL} s, ${RSS} MB"
}

fmt() { awk -v x="$1" 'BEGIN { printf (x < 10 ? "%.2f" : "%.1f"), x }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "-" }'; }
json_total_a() {  # A of the last school year in a count JSON
  "$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); d=d if isinstance(d,list) else [d]; print(d[-1]["total"]["A"])' "$1"
}

registry_for_scale() {  # prints the registry dir of scale $1, generating it if needed
  local s="$1" dir="$WORK/registry-s$1-seed$SEED-$FROM-$((TO + 1))"
  if [[ ! -f "$dir.complete" ]]; then
    rm -rf "$dir"
    log "generating registry at scale $s (vsv synth) into $dir"
    "$VSV" synth --scale "$s" --from "$FROM" --to "$((TO + 1))" --seed "$SEED" --out "$dir" >&2 \
      || die "vsv synth --scale $s failed"
    touch "$dir.complete"
  fi
  echo "$dir"
}

if [[ -n "$DATA" ]]; then
  [[ -d "$DATA" ]] || die "no registry folder $DATA"
  RUNS=("given")
else
  read -r -a RUNS <<< "$SCALES"
fi

ROWS=() GROWTH=() FAILED=0 LAST_CHECK=""
for scale in "${RUNS[@]}"; do
  if [[ "$scale" == given ]]; then dir="$(cd "$DATA" && pwd)"; else dir="$(registry_for_scale "$scale")"; fi
  tag="s$scale"
  csv_mb=$(du -cm "$dir"/*.csv | tail -1 | cut -f1)
  log "scale $scale: $dir ($csv_mb MB of CSV)"

  warm "$dir"/*.csv
  measure "$tag-vsv" "$WORK/$tag-vsv.json" \
    "$VSV" count --data "$dir" "${REF_ARGS[@]}" --year "$FROM-$TO" --by region,sector,category --format json
  vsv_wall=$WALL vsv_rss=$RSS

  warm "$dir"/*.csv
  measure "$tag-duckdb" "$WORK/$tag-duckdb.log" \
    node "$DUCK_DIR/count.mjs" --data "$dir" --reference "$REFERENCE" --from "$FROM" --to "$TO" \
    --threads "$THREADS" --out "$WORK/$tag-duckdb.json"
  duck_wall=$WALL duck_rss=$RSS
  duck_split=$(sed -n 's/^duckdb: load \([0-9.]*\) s, compute \([0-9.]*\) s.*/\1 + \2/p' "$WORK/$tag-duckdb.err" | tail -1)

  measure "$tag-import" /dev/null "$VSV" import --data "$dir" "${REF_ARGS[@]}" --out "$WORK/$tag.vsvdb"
  imp_wall=$WALL
  snap_mb=$(du -m "$WORK/$tag.vsvdb" | cut -f1)
  warm "$WORK/$tag.vsvdb"
  measure "$tag-snapshot" "$WORK/$tag-snapshot.json" \
    "$VSV" count --data "$WORK/$tag.vsvdb" "${REF_ARGS[@]}" --year "$FROM-$TO" --by region,sector,category --format json
  snap_wall=$WALL snap_rss=$RSS

  same="yes"
  if ! "$PYTHON" "$BENCH_DIR/compare_counts.py" --names vsv,duckdb \
        "$WORK/$tag-vsv.json" "$WORK/$tag-duckdb.json" > "$WORK/$tag-compare.txt"; then
    same="**NO** (see $WORK/$tag-compare.txt)"; FAILED=1
    head -20 "$WORK/$tag-compare.txt" >&2
  fi
  if ! "$PYTHON" "$BENCH_DIR/compare_counts.py" --names csv,snapshot \
        "$WORK/$tag-vsv.json" "$WORK/$tag-snapshot.json" > "$WORK/$tag-compare-snapshot.txt"; then
    same="$same; snapshot **differs** from CSV (see $WORK/$tag-compare-snapshot.txt)"; FAILED=1
  fi
  a_last=$(json_total_a "$WORK/$tag-vsv.json")

  ROWS+=("| $scale | $csv_mb | $a_last | $(fmt "$vsv_wall") | $vsv_rss | $(fmt "$duck_wall") ($duck_split) | $duck_rss | **$(ratio "$duck_wall" "$vsv_wall")×** | $(fmt "$imp_wall") | $snap_mb | $(fmt "$snap_wall") | $snap_rss | $same |")
  if [[ "$scale" != given ]]; then
    per() { awk -v t="$1" -v s="$scale" 'BEGIN { printf "%.1f", t / s }'; }
    GROWTH+=("| $scale | $(fmt "$vsv_wall") | $(per "$vsv_wall") | $(fmt "$snap_wall") | $(per "$snap_wall") | $(fmt "$duck_wall") | $(per "$duck_wall") |")
  fi
  # Targets, judged on the last (largest) run.
  ok() { if awk "BEGIN { exit !($1) }"; then echo "met"; else echo "**not met**"; fi; }
  LAST_CHECK="- scale $scale: DuckDB / vsv = $(ratio "$duck_wall" "$vsv_wall")× (target ≥ 5×: $(ok "$duck_wall >= 5 * $vsv_wall")); \
vsv peak memory $vsv_rss MB (target ≤ 3072 MB: $(ok "$vsv_rss <= 3072")); \
count from snapshot $(fmt "$snap_wall") s (target ≤ 1 s: $(ok "$snap_wall <= 1")); same numbers: $same"
done

vsv_rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "?")
duck_ver=$(node -p "require('$DUCK_DIR/node_modules/@duckdb/node-api/package.json').version")
{
  echo "# vsv benchmark — $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Machine: $(nproc) cores ($(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)), $(free -g | awk '/^Mem:/ { print $2 }') GB RAM." \
    "vsv $vsv_rev; DuckDB @duckdb/node-api $duck_ver (threads $THREADS), node $(node --version)." \
    "School years $FROM-$((FROM + 1)) … $TO-$((TO + 1)), by region × sector × category;" \
    "$(if [[ -n "$DATA" ]]; then echo "registry $DATA"; else echo "vsv synth, seed $SEED"; fi); best of $REPEAT run(s)."
  echo
  echo "| scale | CSV MB | A $TO | vsv count from CSV s | vsv peak MB | DuckDB s (load + compute) | DuckDB peak MB | DuckDB / vsv | vsv import s | snapshot MB | count from snapshot s | snapshot peak MB | same numbers |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${ROWS[@]}"
  echo
  if [[ ${#GROWTH[@]} -gt 1 ]]; then
    echo "Growth (seconds divided by scale = seconds per national registry; constant means linear):"
    echo
    echo "| scale | vsv CSV s | ÷ scale | vsv snapshot s | ÷ scale | DuckDB s | ÷ scale |"
    echo "|---|---|---|---|---|---|---|"
    printf '%s\n' "${GROWTH[@]}"
    echo
  fi
  echo "Targets (issue 2), on the largest run:"
  echo "$LAST_CHECK"
} | tee "$BENCH_DIR/results/latest.md"

exit "$FAILED"
