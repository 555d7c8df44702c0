"""pit_join_check.py - checksums the results of pit_join.sh over parsed values, and shows where they differ.

python3 pit_join_check.py NAME=OUT.csv...

Each file needs the columns user_id,event_timestamp,label,f_int,f_float,f_str
(in any order). Every row is normalised (integers and floats parsed and
printed back, 80330 and 80330.0 alike, nulls empty) and the SHA-256 of the
rows in order printed per file; then whether all agree, and, when not, the
first rows where each file differs from the first one.
"""
import csv
import hashlib
import sys

COLS = ["user_id", "event_timestamp", "label", "f_int", "f_float", "f_str"]


def norm_int(s):
    if s == "":
        return ""
    return str(int(s)) if "." not in s else str(int(float(s)))


def norm_float(s):
    return "" if s == "" else repr(float(s))


def rows(path):
    with open(path, newline="") as f:
        r = csv.reader(f)
        head = next(r)
        try:
            idx = [head.index(c) for c in COLS]
        except ValueError:
            sys.exit(f"pit_join_check: {path}: columns {head}, expected {COLS}")
        for row in r:
            v = [row[i] for i in idx]
            v[3] = norm_int(v[3])
            v[4] = norm_float(v[4])
            yield ",".join(v)


def main():
    runs = [a.split("=", 1) for a in sys.argv[1:]]
    if len(runs) < 2 or any(len(r) != 2 for r in runs):
        sys.exit("usage: pit_join_check.py NAME=OUT.csv NAME=OUT.csv...")
    sums = []
    for name, path in runs:
        h = hashlib.sha256()
        n = matched = 0
        for line in rows(path):
            h.update(line.encode())
            h.update(b"\n")
            n += 1
            if not line.endswith(",,,"):
                matched += 1
        sums.append(h.hexdigest())
        print(f"checksum {name:16} rows={n} with_features={matched} sha256={h.hexdigest()[:16]}")
    if len(set(sums)) == 1:
        print("checksums: all agree")
        return 0
    print("checksums: DIFFER")
    base_name, base_path = runs[0]
    for (name, path), s in zip(runs[1:], sums[1:]):
        if s == sums[0]:
            continue
        shown = 0
        for i, (a, b) in enumerate(zip(rows(base_path), rows(path)), 1):
            if a != b:
                print(f"  row {i}: {base_name}: {a}\n  row {i}: {name}: {b}")
                shown += 1
                if shown == 5:
                    break
    return 1


if __name__ == "__main__":
    sys.exit(main())
