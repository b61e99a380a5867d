#!/usr/bin/python3
"""Deviation of synthetic registries from the published national figures, per seed.

Usage: calibration_table.py --reference DIR --scale S [--tolerance 3] SEED=FILE.json ...

Each FILE.json is the output of `vsv count --year FIRST-LAST --by sector --format json`
over the registry that `vsv synth --seed SEED --scale S` generated. Every published
figure of data/reference/national_figures.csv inside those school years is compared:
the counts (total, VO and MBO new vsv'ers, the start population A) against the figure
times the scale, the percentages (total, VO, MBO: X / (A - B) x 100, computed from the
counts) against the figure. The deviation is relative, (generated - target) / target.
A published percentage is rounded to the decimals it is written with ("0.6" is any
value in [0.55, 0.65)), so its target is that interval and the deviation is taken
from its nearest end (0 inside it): otherwise 3% of "0.6" would ask for more
precision than the publication has.

Prints markdown to stdout: the table of deviation per figure and seed (cells outside
the tolerance in bold) with, per figure, the mean and the standard deviation over the
seeds and the standard deviation that binomial (Poisson) sampling noise alone would
give, 1/sqrt(expected count); the number of (figure, seed) pairs outside the
tolerance; and the largest deviation per figure kind. Standard library only.
"""
import csv
import json
import math
import statistics
import sys

# (column of national_figures.csv, label, kind); kind is "count" or "pct".
FIGURES = [
    ("total_new_vsv", "total", "count"),
    ("vo_new_vsv", "VO", "count"),
    ("mbo_new_vsv", "MBO", "count"),
    ("total_pct", "total %", "pct"),
    ("vo_pct", "VO %", "pct"),
    ("mbo_pct", "MBO %", "pct"),
    ("start_population", "start population", "count"),
]


def die(msg):
    print(f"calibration_table: {msg}", file=sys.stderr)
    sys.exit(2)


def load_counts(path):
    """{school_year: {"total": counts, "VO": counts, "MBO": counts, "VAVO": counts}}."""
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as err:
        die(f"cannot read {path}: {err}")
    out = {}
    for y in doc if isinstance(doc, list) else [doc]:
        per = {"total": y["total"]}
        for g in y["groups"]:
            per[g["key"].get("sector")] = g
        out[y["school_year"]] = per
    return out


def generated(per, column):
    """The generated value of a figure: (value, X that drives its noise)."""
    sector = {"total": "total", "vo": "VO", "mbo": "MBO"}.get(column.split("_")[0])
    if column == "start_population":
        return per["total"]["A"], per["total"]["A"]
    c = per.get(sector)
    if c is None:
        return 0, 0
    if column.endswith("_pct"):
        den = c["A"] - c["B"]
        return (100.0 * c["X"] / den if den else 0.0), c["X"]
    return c["X"], c["X"]


def half_unit(text):
    """Half the last written decimal of a published figure: "0.6" -> 0.05, "0.49" -> 0.005."""
    decimals = len(text.split(".", 1)[1]) if "." in text else 0
    return 0.5 * 10 ** -decimals


def deviation(value, target, half):
    """Relative deviation in % from [target - half, target + half]; 0 inside it."""
    if value > target + half:
        return 100.0 * (value - (target + half)) / (target + half)
    if value < target - half:
        return 100.0 * (value - (target - half)) / (target - half)
    return 0.0


def main(argv):
    reference, scale, tol, runs = None, None, 3.0, []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("--reference", "--scale", "--tolerance") and i + 1 < len(argv):
            v = argv[i + 1]
            if a == "--reference":
                reference = v
            elif a == "--scale":
                scale = float(v)
            else:
                tol = float(v)
            i += 2
        elif "=" in a:
            seed, path = a.split("=", 1)
            runs.append((seed, load_counts(path)))
            i += 1
        else:
            die(f"unknown argument {a}")
    if not reference or scale is None or not runs:
        die("usage: calibration_table.py --reference DIR --scale S SEED=FILE.json ...")

    with open(f"{reference}/national_figures.csv", encoding="utf-8") as f:
        national = {r["school_year"]: r for r in csv.DictReader(f)}
    years = sorted(set.intersection(*(set(c) for _, c in runs)))

    rows = []  # (label, kind, year, target, [dev %], expected count for noise)
    for year in years:
        nf = national.get(year)
        if not nf:
            continue
        for column, label, kind in FIGURES:
            if not nf.get(column):
                continue
            target = float(nf[column]) * (scale if kind == "count" else 1.0)
            half = half_unit(nf[column]) if kind == "pct" else 0.0
            devs, xs = [], []
            for _, counts in runs:
                value, x = generated(counts[year], column)
                devs.append(deviation(value, target, half))
                xs.append(x)
            rows.append((label, kind, year, target, devs, statistics.mean(xs)))

    seeds = [s for s, _ in runs]
    out = []
    out.append(f"Deviation from the published figure, % ((generated - target) / target; for a "
               f"percentage from the interval that rounds to it, 0.0 inside), "
               f"scale {scale:g}; **bold** = outside ±{tol:g}%.\n")
    out.append("| school year | figure | target | " + " | ".join(f"seed {s}" for s in seeds) +
               " | mean | sd | noise sd |")
    out.append("|---|---|---:|" + "---:|" * len(seeds) + "---:|---:|---:|")
    outside = 0
    worst = {}  # label -> (abs dev, dev, year, seed)
    for label, kind, year, target, devs, x in rows:
        cells = []
        for seed, d in zip(seeds, devs):
            if abs(d) > tol:
                outside += 1
                cells.append(f"**{d:+.1f}**")
            else:
                cells.append(f"{d:+.1f}")
            if label not in worst or abs(d) > worst[label][0]:
                worst[label] = (abs(d), d, year, seed)
        sd = statistics.stdev(devs) if len(devs) > 1 else float("nan")
        noise = 100.0 / math.sqrt(x) if x > 0 else float("nan")
        tgt = f"{target:.2f}" if kind == "pct" else f"{round(target):,}"
        out.append(f"| {year} | {label} | {tgt} | " + " | ".join(cells) +
                   f" | {statistics.mean(devs):+.2f} | {sd:.2f} | {noise:.2f} |")
    pairs = len(rows) * len(seeds)
    out.append("")
    out.append("sd: standard deviation of the deviation over the seeds (percentage points of the "
               "target); noise sd: 100 / sqrt(count), the relative sd of a binomial count of that "
               "size (for a percentage: of its numerator X).")
    out.append("")
    out.append(f"(figure, seed) pairs outside ±{tol:g}%: **{outside} of {pairs}** "
               f"({len(rows)} figures x {len(seeds)} seeds: {' '.join(seeds)})")
    out.append("")
    out.append("| figure kind | figures | largest deviation | school year | seed |")
    out.append("|---|---:|---:|---|---|")
    for _, label, _ in FIGURES:
        if label in worst:
            n = sum(1 for r in rows if r[0] == label)
            _, d, year, seed = worst[label]
            out.append(f"| {label} | {n} | {d:+.2f}% | {year} | {seed} |")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
