#!/usr/bin/env bash
# Builds the HTTP API fuzz target (tests/fuzz/fuzz_api.cc) with clang, libFuzzer,
# AddressSanitizer and UndefinedBehaviorSanitizer in its own build folder, and runs it
# for a bounded time (FUZZ_SECONDS, default 60). Called by ctest beside the CSV
# fuzzer; exit 77 = skipped when clang's fuzzer runtime is not installed. The build
# is incremental: a second run only recompiles what changed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${1:-$ROOT/build/fuzz-api}"
SECONDS_TO_RUN="${FUZZ_SECONDS:-60}"
CXX=clang++-14
command -v "$CXX" >/dev/null || { echo "clang++-14 not installed: fuzzing skipped"; exit 77; }
mkdir -p "$OUT/corpus"
OUT="$(cd "$OUT" && pwd)"  # absolute: the fuzzer runs from inside it
if [ ! -f "$OUT/build/CMakeCache.txt" ]; then
  cmake -S "$ROOT" -B "$OUT/build" -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_CXX_FLAGS_DEBUG="-O1 -gline-tables-only" -DVSV_FUZZ=ON >/dev/null
fi
if ! cmake --build "$OUT/build" --target fuzz_api -j"$(nproc)" >"$OUT/build.log" 2>&1; then
  tail -40 "$OUT/build.log"
  echo "fuzz_api did not build (log: $OUT/build.log)"
  exit 1
fi
cd "$OUT"
# Leak checking is off: the server's threads and the register outlive the last input.
"$OUT/build/tests/fuzz_api" -max_total_time="$SECONDS_TO_RUN" -max_len=512 -timeout=20 -rss_limit_mb=4096 \
  -detect_leaks=0 -print_final_stats=1 corpus 2>&1 | tail -15
