#!/usr/bin/python3
"""Compare two outputs of `vsv count --format json` (or bench/duckdb/count.mjs).

Usage: compare_counts.py LEFT.json RIGHT.json [--max-report N] [--names L,R]

Each file holds one year object or an array of year objects
({"school_year", "age_limit", "total", "groups": [{"key": {...}, "A": .., ...}]}).
Years are matched by school_year, groups by their key (so group order does not
matter; a differing order is reported as a note only). Every integer field of the
contract and pct are compared exactly. Exit status: 0 when equal, 1 when any year,
total or group differs (the differences are listed on stdout), 2 on bad input.
Standard library only.
"""
import json
import sys

FIELDS = ["A", "B1", "B2", "B3", "B", "C_VO", "C_MBO", "C_VAVO", "C_HO", "C_SPECIAL",
          "C_NONFUNDED", "C_DJI", "C_POLICE_DEFENCE", "C_SOCIAL", "C", "D_SK",
          "D_ENTREE_WORK", "D", "X", "pct"]


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as err:
        print(f"compare_counts: cannot read {path}: {err}", file=sys.stderr)
        sys.exit(2)
    years = doc if isinstance(doc, list) else [doc]
    out = {}
    for y in years:
        if not isinstance(y, dict) or "school_year" not in y or "total" not in y:
            print(f"compare_counts: {path}: not a count object: {str(y)[:80]}", file=sys.stderr)
            sys.exit(2)
        out[y["school_year"]] = y
    return out


def key_str(key):
    return "{" + ", ".join(f"{k}={'null' if v is None else v}" for k, v in key.items()) + "}"


def key_id(key):
    return json.dumps(key, sort_keys=True)


def diff_counts(where, a, b, names):
    diffs = []
    for f in FIELDS:
        va, vb = a.get(f, "<missing>"), b.get(f, "<missing>")
        equal = va == vb
        if not equal and f == "pct" and isinstance(va, (int, float)) and isinstance(vb, (int, float)):
            equal = abs(va - vb) < 1e-9
        if not equal:
            diffs.append(f"{where}: {f} {names[0]}={va} {names[1]}={vb}")
    extra = set(a) ^ set(b)
    extra.discard("key")
    for f in sorted(extra - set(FIELDS)):
        diffs.append(f"{where}: field {f} only in {names[0] if f in a else names[1]}")
    return diffs


def compare(left, right, names):
    diffs, notes = [], []
    for sy in sorted(set(left) | set(right)):
        if sy not in left or sy not in right:
            diffs.append(f"{sy}: year only in {names[0] if sy in left else names[1]}")
            continue
        a, b = left[sy], right[sy]
        if a.get("age_limit") != b.get("age_limit"):
            diffs.append(f"{sy}: age_limit {names[0]}={a.get('age_limit')} {names[1]}={b.get('age_limit')}")
        diffs += diff_counts(f"{sy} total", a["total"], b["total"], names)
        ga = {key_id(g["key"]): g for g in a.get("groups", [])}
        gb = {key_id(g["key"]): g for g in b.get("groups", [])}
        if len(ga) != len(a.get("groups", [])) or len(gb) != len(b.get("groups", [])):
            diffs.append(f"{sy}: duplicate group keys")
        for k in sorted(ga.keys() | gb.keys()):
            g = ga.get(k) or gb.get(k)
            where = f"{sy} {key_str(g['key'])}"
            if k not in ga or k not in gb:
                side = names[0] if k in ga else names[1]
                diffs.append(f"{where}: group only in {side} (A={g.get('A')}, X={g.get('X')})")
                continue
            diffs += diff_counts(where, ga[k], gb[k], names)
        order_a = [key_id(g["key"]) for g in a.get("groups", []) if key_id(g["key"]) in gb]
        order_b = [key_id(g["key"]) for g in b.get("groups", []) if key_id(g["key"]) in ga]
        if order_a != order_b:
            notes.append(f"{sy}: same groups in a different order")
    return diffs, notes


def main(argv):
    args, max_report, names = [], 50, None
    it = iter(argv)
    for a in it:
        if a == "--max-report":
            max_report = int(next(it))
        elif a == "--names":
            names = next(it).split(",", 1)
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        else:
            args.append(a)
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    names = names or ["left", "right"]
    left, right = load(args[0]), load(args[1])
    diffs, notes = compare(left, right, names)
    for n in notes:
        print(f"note: {n}")
    if diffs:
        for d in diffs[:max_report]:
            print(d)
        if len(diffs) > max_report:
            print(f"... and {len(diffs) - max_report} more differences")
        print(f"DIFFERENT: {len(diffs)} difference(s) between {args[0]} and {args[1]}")
        return 1
    ngroups = sum(len(y.get("groups", [])) for y in left.values())
    print(f"EQUAL: {len(left)} school year(s), {ngroups} group(s), all fields identical")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
