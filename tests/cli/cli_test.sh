#!/usr/bin/env bash
# End-to-end tests of the `vsv` binary: the JSON contract of `vsv count`, exit codes
# and messages for bad input, snapshots (written, loaded, refused when damaged), and
# that CSV and snapshot give the same numbers. Usage: cli_test.sh BUILD_DIR SOURCE_DIR
set -uo pipefail
VSV="$1/vsv"
SRC="$2"
PY=/usr/bin/python3
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
passed=0 failed=0
ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
check() { if eval "$2"; then ok; else fail "$1"; fi; }

REG="$WORK/reg"
"$1/tests/random_registry" "$REG" 17 2000

# 1. The JSON contract of one year.
"$VSV" count --data "$REG" --year 2021 --by region,sector --format json -q > "$WORK/one.json"
check "count exits 0" '[ $? -eq 0 ]'
$PY - "$WORK/one.json" <<'PYEOF' && ok || fail "JSON contract of one year"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["school_year"] == "2021-2022" and j["age_limit"] == 22, j
fields = "A B1 B2 B3 B C_VO C_MBO C_VAVO C_HO C_SPECIAL C_NONFUNDED C_DJI C_POLICE_DEFENCE C_SOCIAL C D_SK D_ENTREE_WORK D X".split()
for g in [j["total"]] + j["groups"]:
    for f in fields: assert isinstance(g[f], int), (f, g)
    assert g["A"] == g["B"] + g["C"] + g["D"] + g["X"]
    base = g["A"] - g["B"]
    assert g["pct"] == (None if base == 0 else round(100 * g["X"] / base, 2)), g
for g in j["groups"]:
    assert set(g["key"]) == {"region", "sector"}
    assert g["key"]["region"] is None or len(g["key"]["region"]) == 2
PYEOF

# 2. A range gives an array, one object per year.
"$VSV" count --data "$REG" --year 2020-2021 --format json -q > "$WORK/range.json"
check "range is an array of two years" "$PY -c 'import json,sys; a=json.load(open(\"$WORK/range.json\")); assert [o[\"school_year\"] for o in a]==[\"2020-2021\",\"2021-2022\"]'"

# 3. Snapshot: same numbers as CSV; damaged snapshots refused with a clear message.
"$VSV" import --data "$REG" --out "$WORK/r.vsvdb" -q
check "import exits 0" '[ $? -eq 0 ] && [ -s "$WORK/r.vsvdb" ]'
"$VSV" count --data "$WORK/r.vsvdb" --year 2021 --by region,sector --format json -q > "$WORK/snap.json"
check "snapshot gives the same JSON" 'cmp -s "$WORK/one.json" "$WORK/snap.json"'
head -c 100 "$WORK/r.vsvdb" > "$WORK/trunc.vsvdb"
msg=$("$VSV" count --data "$WORK/trunc.vsvdb" --year 2021 -q 2>&1 >/dev/null); code=$?
check "truncated snapshot: exit 1 and says so ($msg)" '[ $code -eq 1 ] && [[ "$msg" == *"truncated or corrupted"* ]]'

# 4. Bad input: exit 1, message names file, line, column and value; nothing written.
cp -r "$REG" "$WORK/bad"
echo "zz9,2023-02-30,M" >> "$WORK/bad/persons.csv"  # the last line
msg=$("$VSV" import --data "$WORK/bad" --out "$WORK/bad.vsvdb" -q 2>&1); code=$?
check "bad date: exit 1 with file:line, column and value ($msg)" \
  '[ $code -eq 1 ] && [[ "$msg" == *"persons.csv:"* && "$msg" == *"birth_date"* && "$msg" == *"2023-02-30"* ]] && [ ! -e "$WORK/bad.vsvdb" ]'

# 5. Usage errors: exit 2; bad option values: a message naming the option.
"$VSV" count --data "$REG" > /dev/null 2>&1; code=$?
check "missing --year: exit 2" '[ $code -eq 2 ]'
msg=$("$VSV" count --data "$REG" --year 2021 --by region,shoe -q 2>&1); code=$?
check "unknown breakdown named ($msg)" '[ $code -eq 1 ] && [[ "$msg" == *"shoe"* ]]'
msg=$("$VSV" count --data "$REG" --year 20x3 -q 2>&1); code=$?
check "bad year named ($msg)" '[ $code -eq 1 ] && [[ "$msg" == *"20x3"* ]]'

# 6. Table, CSV, classify, explain, stock, worklist run and say something sensible.
"$VSV" count --data "$REG" --year 2021 -q | grep -q "schooljaar 2021-2022"
check "table names the school year" '[ $? -eq 0 ]'
lines=$("$VSV" classify --data "$REG" --year 2021 -q | wc -l)
A=$($PY -c "import json; print(json.load(open('$WORK/one.json'))['total']['A'])")
check "classify has one row per person in A ($lines = 1 + $A)" '[ "$lines" -eq $((A + 1)) ]'
pid=$("$VSV" classify --data "$REG" --year 2021 -q | sed -n 2p | cut -d, -f1)
"$VSV" explain --data "$REG" --year 2021 --person "$pid" -q | grep -q "Result: in the start population"
check "explain of a counted person" '[ $? -eq 0 ]'
"$VSV" stock --data "$REG" --kind oud-vsv --date 2023-10-01 --by region --format json -q | $PY -c 'import json,sys; j=json.load(sys.stdin); assert j["kind"]=="oud-vsv"'
check "stock JSON" '[ $? -eq 0 ]'
"$VSV" worklist --data "$REG" --region 21 --from 2021-01-01 --to 2021-12-31 -q | head -1 | grep -q "^person_id,"
check "worklist CSV header" '[ $? -eq 0 ]'

echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
