#!/usr/bin/env bash
# Calibration of the synthetic registry over seeds (see bench/README.md, "Calibration").
#
# For each seed: `vsv synth --scale S --seed N` writes the registry, `vsv count --by
# sector --format json` counts it with the official count, and the registry is
# deleted again (2.2 GB at scale 1.0). Then bench/calibration_table.py prints, as
# markdown, the deviation of every published figure (data/reference/
# national_figures.csv: totals, VO, MBO, percentages, start population) per seed,
# the number of (figure, seed) pairs outside the tolerance and the largest deviation
# per figure kind. Progress goes to stderr when it is a terminal; in a pipe only the
# report is printed (stdout).
#
# Usage: bench/calibration.sh [--scale 1.0] [--seeds "1 2 3 4 5 7 8 42 2024 31337"]
#                             [--tolerance 3] [--keep]
#   --scale S      scale of `vsv synth` (1.0 = the national registry); counts are
#                  compared with the published figures times S
#   --seeds "..."  seeds to generate (default: the ten above; not the fitting seeds
#                  101-110 of src/synth/README.md)
#   --tolerance P  relative tolerance in % (default 3)
#   --keep         keep the generated registries in the work folder
# Environment:
#   VSV            path of the vsv binary (default build/vsv)
#   CAL_WORK       work folder (default /tmp/vsv-calibration); the counts of each
#                  seed stay there as counts-S<scale>-<seed>.json
#   CAL_THREADS    threads for synth and count (default: all cores)
# School years 2012-2013 .. 2023-2024 (registry 1 August 2012 .. 31 December 2024).
# Exit status: 0 when every seed was generated and counted (figures outside the
# tolerance are reported, not turned into a failure), 1 when a step failed, 2 on
# bad arguments.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH_DIR")"
VSV="${VSV:-$ROOT/build/vsv}"
WORK="${CAL_WORK:-/tmp/vsv-calibration}"
THREADS="${CAL_THREADS:-0}"
SCALE=1.0
SEEDS="1 2 3 4 5 7 8 42 2024 31337"
TOL=3
KEEP=0
FROM=2012
TO=2024

while [[ $# -gt 0 ]]; do
  case "$1" in
    --scale) SCALE="$2"; shift 2 ;;
    --seeds) SEEDS="$2"; shift 2 ;;
    --tolerance) TOL="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "calibration.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
read -r -a SEED_LIST <<< "$SEEDS"
[[ ${#SEED_LIST[@]} -gt 0 ]] || { echo "calibration.sh: --seeds is empty" >&2; exit 2; }
for s in "${SEED_LIST[@]}"; do
  [[ "$s" =~ ^[0-9]+$ ]] || { echo "calibration.sh: seed '$s' is not a number" >&2; exit 2; }
done
[[ -x "$VSV" ]] || { echo "calibration.sh: $VSV not found (cmake --build build --target vsv)" >&2; exit 1; }

TTY=0
[[ -t 2 ]] && TTY=1
progress() { if [[ $TTY == 1 ]]; then echo "[calibration] $*" >&2; fi; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

mkdir -p "$WORK"
QUIET=(--quiet)
[[ $TTY == 1 ]] && QUIET=()
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
START="$(now)"
ARGS=()
n=0
for seed in "${SEED_LIST[@]}"; do
  n=$((n + 1))
  dir="$WORK/registry-S$SCALE-$seed"
  json="$WORK/counts-S$SCALE-$seed.json"
  t0="$(now)"
  progress "seed $seed ($n of ${#SEED_LIST[@]}): vsv synth --scale $SCALE"
  rm -rf "$dir"
  "$VSV" synth --scale "$SCALE" --from "$FROM" --to "$TO" --seed "$seed" --threads "$THREADS" \
    --out "$dir" "${QUIET[@]}" || { echo "calibration.sh: synth failed for seed $seed" >&2; exit 1; }
  t1="$(now)"
  progress "seed $seed: vsv count ($(secs "$t0" "$t1") s to generate)"
  "$VSV" count --data "$dir" --year "$FROM-$((TO - 1))" --by sector --format json \
    --threads "$THREADS" > "$json.part" 2> "$WORK/count-$seed.err" \
    || { cat "$WORK/count-$seed.err" >&2; echo "calibration.sh: count failed for seed $seed" >&2; exit 1; }
  mv "$json.part" "$json"
  t2="$(now)"
  progress "seed $seed: done ($(secs "$t1" "$t2") s to count)"
  [[ $KEEP == 1 ]] || rm -rf "$dir"
  ARGS+=("$seed=$json")
done
END="$(now)"
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"

echo "# Calibration over seeds"
echo
echo "vsv $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'), scale $SCALE, seeds ${SEEDS};" \
  "school years $FROM-$((FROM + 1)) .. $((TO - 1))-$TO; $(nproc) cores;" \
  "wall time $(secs "$START" "$END") s for ${#SEED_LIST[@]} seeds (generate + count);" \
  "load average (1, 5, 15 min) $LOAD_BEFORE before, $LOAD_AFTER after; finished $(date -u '+%Y-%m-%d %H:%M UTC')."
echo
/usr/bin/python3 "$BENCH_DIR/calibration_table.py" --reference "$ROOT/data/reference" \
  --scale "$SCALE" --tolerance "$TOL" "${ARGS[@]}"
