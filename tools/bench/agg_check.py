#!/usr/bin/env python3
"""agg_check.py - checks that the training sets of aggregations.sh agree, row by row in entity-row order, over parsed values.

usage: agg_check.py NAME=OUT.csv NAME=OUT.csv   (the first is the reference: fcat)

Each file holds user_id, event_timestamp and the five features (a column
whose name ends with the feature's name: count_1h, count_1d, count_7d,
amount_sum_7d, amount_mean_7d). Keys and times must be equal, the counts
exactly; the sums and means are compared exactly and, where they differ,
within 1e-9 relative (a peer whose sum rounds as it goes is off in the last
bits). An empty cell is null: only the mean may be null, and only where the
7-day count is 0. Prints per file a checksum (the number of rows, the sum of
each count, math.fsum of the sums and of the means), then the rows whose
sums/means are bit-equal, the largest relative difference, and the first
rows that disagree. Exit 0 when all agree, 1 otherwise.
"""
import csv
import math
import sys

COUNTS = ("count_1h", "count_1d", "count_7d")
REALS = ("amount_sum_7d", "amount_mean_7d")
REL = 1e-9


def load(path):
    with open(path, newline="") as f:
        r = csv.reader(f)
        head = next(r)
        idx = {}
        for name in ("user_id", "event_timestamp") + COUNTS + REALS:
            hits = [i for i, h in enumerate(head) if h == name or h.endswith(":" + name)
                    or h.endswith("__" + name)]
            if len(hits) != 1:
                sys.exit(f"agg_check: {path}: no single column for {name} in {head}")
            idx[name] = hits[0]
        rows = []
        for row in r:
            key = (row[idx["user_id"]], row[idx["event_timestamp"]])
            counts = tuple(int(row[idx[c]]) for c in COUNTS)
            reals = tuple(float(row[idx[c]]) if row[idx[c]] != "" else None for c in REALS)
            rows.append((key, counts, reals))
        return rows


def checksum(rows):
    return "rows %d, counts %s, sum of sums %r, sum of means %r" % (
        len(rows),
        "/".join(str(sum(r[1][i] for r in rows)) for i in range(3)),
        math.fsum(r[2][0] for r in rows),
        math.fsum(r[2][1] for r in rows if r[2][1] is not None),
    )


def main():
    files = [a.split("=", 1) for a in sys.argv[1:]]
    if len(files) < 2 or any(len(f) != 2 for f in files):
        sys.exit("usage: agg_check.py NAME=OUT.csv NAME=OUT.csv ...")
    data = {name: load(path) for name, path in files}
    for name, rows in data.items():
        print(f"checksum {name}: {checksum(rows)}")
    ref_name, ref = files[0][0], data[files[0][0]]
    ok = True
    for name, rows in list(data.items())[1:]:
        bad, exact, cells, maxrel, shown = 0, 0, 0, 0.0, 0
        if len(rows) != len(ref):
            print(f"{name}: {len(rows)} rows, {ref_name} has {len(ref)}")
            ok = False
        for i, (a, b) in enumerate(zip(ref, rows)):
            wrong = a[0] != b[0] or a[1] != b[1]
            if a[1][2] == 0 and a[2][1] is not None:
                wrong = True  # a mean of nothing must be null
            for x, y in zip(a[2], b[2]):
                if x is None or y is None:
                    wrong |= (x is None) != (y is None)
                elif x == y:
                    exact += 1
                    cells += 1
                else:
                    cells += 1
                    rel = abs(x - y) / max(abs(x), abs(y))
                    maxrel = max(maxrel, rel)
                    wrong |= rel > REL
            if wrong:
                bad += 1
                if shown < 5:
                    print(f"  entity row {i + 1}: {ref_name} {a}  {name} {b}")
                    shown += 1
        print(f"{ref_name} vs {name}: {bad} rows disagree; sums and means bit-equal in "
              f"{exact} of {cells} non-null cells, largest relative difference {maxrel:.3g}")
        ok &= bad == 0
    print("agg_check: all agree" if ok else "agg_check: MISMATCH")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
