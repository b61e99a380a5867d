#!/usr/bin/env bash
# Builds the loader fuzz target with clang (libFuzzer + AddressSanitizer) and runs it
# for a bounded time (FUZZ_SECONDS, default 60). Called by ctest; exit 77 = skipped
# when clang's fuzzer runtime is not installed (./run setup installs it).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${1:-$ROOT/build/fuzz}"
SECONDS_TO_RUN="${FUZZ_SECONDS:-60}"
CXX=clang++-14
command -v "$CXX" >/dev/null || { echo "clang++-14 not installed: fuzzing skipped"; exit 77; }
mkdir -p "$OUT/corpus"
OUT="$(cd "$OUT" && pwd)"  # absolute: the fuzzer runs from inside it
SRC=(src/core/date.cc src/core/csv_reader.cc src/core/file_util.cc src/core/utf8.cc src/registry/codes.cc
     src/registry/reference.cc src/registry/registry.cc src/registry/loader.cc src/registry/snapshot.cc)
BIN="$OUT/fuzz_loader"
newest_src=$(cd "$ROOT" && ls -t "${SRC[@]}" tests/fuzz/fuzz_loader.cc | head -1)
if [ ! -x "$BIN" ] || [ "$ROOT/$newest_src" -nt "$BIN" ]; then
  (cd "$ROOT" && "$CXX" -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -Isrc -DVSV_SOURCE_DIR="\"$ROOT\"" "${SRC[@]}" tests/fuzz/fuzz_loader.cc -lfmt -o "$BIN")
fi
# Seed corpus: the scenario files' registry sections are good starting points.
if [ -z "$(ls -A "$OUT/corpus")" ]; then
  i=0
  for f in "$ROOT"/tests/scenarios/*.scn; do
    awk '/^--- enrolments.csv/{p=1;next} /^--- /{p=0} p' "$f" > "$OUT/corpus/seed$i" 2>/dev/null || true
    printf '\x02' | cat - "$OUT/corpus/seed$i" > "$OUT/corpus/seed$i.x" && mv "$OUT/corpus/seed$i.x" "$OUT/corpus/seed$i"
    i=$((i + 1))
  done
fi
cd "$OUT"
"$BIN" -max_total_time="$SECONDS_TO_RUN" -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 corpus 2>&1 | tail -15
