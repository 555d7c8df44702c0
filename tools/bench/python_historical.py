#!/usr/bin/env python3
"""python_historical.py - the Python side of python_historical.sh.

  python_historical.py gen-demo CONVERSATIONS.csv N OUT.csv
      N entity rows over the demo's data: user_id (2% unknown users),
      event_timestamp (RFC 3339, uniform from a day before the first event to
      8 days after the last, so some rows are past the 7-day ttl), label.
  python_historical.py run REPO ENTITIES.csv CLI_OUT.csv [--check]
                           [--features V:F,... | --service NAME] [--worktree]
      Reads ENTITIES.csv into a DataFrame as a Feast user holds it (user_id
      strings, event_timestamp datetime64[ns, UTC], labels) - not timed -,
      then times FeatureStore(REPO) + get_historical_features(...).to_df()
      and prints "RUN wall_s=... cpu_s=... rows=... cols=...". With --check
      (not timed) it compares the DataFrame with CLI_OUT.csv, the training set
      fcat get-historical wrote for the same request: the same columns, rows,
      nulls and values (floats exactly; arrays on a sample of rows).
The principal is $FCAT_PRINCIPAL; libfcat is $FCAT_LIBRARY (see fcat/_lib.py).
"""

import argparse
import json
import os
import sys
import time

import numpy as np
import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools", "python"))


def gen_demo(conversations, n, out):
    src = pd.read_csv(conversations, usecols=["user_id", "event_timestamp"])
    times = pd.to_datetime(src["event_timestamp"], utc=True)
    users = src["user_id"].unique()
    rng = np.random.default_rng(1)
    u = users[rng.integers(0, len(users), n)].astype(object)
    unknown = rng.random(n) < 0.02
    u[unknown] = [f"x{i:07d}" for i in np.flatnonzero(unknown)]
    lo = (times.min() - pd.Timedelta(days=1)).value // 10**9
    hi = (times.max() + pd.Timedelta(days=8)).value // 10**9
    t = pd.to_datetime(rng.integers(lo, hi, n), unit="s", utc=True)
    df = pd.DataFrame({"user_id": u, "event_timestamp": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
                       "label": rng.integers(0, 2, n)})
    df.to_csv(out, index=False)


def run(args):
    import fcat

    ent = pd.read_csv(args.entities, dtype={"user_id": object}, keep_default_na=False)
    ent["event_timestamp"] = pd.to_datetime(ent["event_timestamp"], utc=True)
    request = dict(features=args.features.split(",")) if args.features \
        else dict(feature_service=args.service)
    catalog = "worktree" if args.worktree else "applied"
    wall, cpu = time.perf_counter(), time.process_time()
    store = fcat.FeatureStore(args.repo, catalog=catalog)
    df = store.get_historical_features(ent, **request).to_df()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"RUN wall_s={wall:.3f} cpu_s={cpu:.3f} rows={len(df)} cols={len(df.columns)}",
          flush=True)
    if args.check:
        check(df, args.cli_out, len(ent.columns))


def check(df, cli_out, nent):
    """Exits 1 unless df holds what the CLI's CSV holds."""
    cli = pd.read_csv(cli_out, keep_default_na=False, na_values=[""], dtype=str)
    if list(cli.columns) != list(df.columns) or len(cli) != len(df):
        sys.exit(f"check: columns or rows differ: {list(cli.columns)} x {len(cli)} "
                 f"vs {list(df.columns)} x {len(df)}")
    if not (cli["user_id"].to_numpy() == df["user_id"].to_numpy()).all():
        sys.exit("check: the rows are not in the same order")
    for name in df.columns[nent:]:
        ours, text = df[name], cli[name]
        if not (ours.isna().to_numpy() == text.isna().to_numpy()).all():
            sys.exit(f"check: {name}: null rows differ")
        have = ~text.isna().to_numpy()
        if ours.dtype == object:  # arrays: parse a sample
            for i in np.flatnonzero(have)[:: max(1, have.sum() // 10000)]:
                want = np.array(json.loads(text.iloc[i]), dtype=ours.iloc[i].dtype)
                if not np.array_equal(want, ours.iloc[i]):
                    sys.exit(f"check: {name}, row {i + 1}: {ours.iloc[i]} vs {text.iloc[i]}")
            continue
        dtype = ours.dtype.numpy_dtype if hasattr(ours.dtype, "numpy_dtype") else ours.dtype
        got = ours.to_numpy()[have]
        want = text.to_numpy()[have]
        if dtype.kind in "if":
            want = want.astype(np.float64).astype(dtype) if dtype.kind == "f" \
                else want.astype(np.int64)
            got = got.astype(dtype)
        else:
            got = got.astype(str)
        if not (got == want).all():
            i = int(np.flatnonzero(got != want)[0])
            sys.exit(f"check: {name}: {got[i]!r} vs {want[i]!r}")
    print(f"check: the DataFrame equals {os.path.basename(cli_out)} "
          f"({len(df)} rows, {len(df.columns) - nent} features)")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "gen-demo":
        gen_demo(sys.argv[2], int(sys.argv[3]), sys.argv[4])
        return
    p = argparse.ArgumentParser()
    p.add_argument("cmd", choices=["run"])
    p.add_argument("repo")
    p.add_argument("entities")
    p.add_argument("cli_out")
    p.add_argument("--check", action="store_true")
    p.add_argument("--features")
    p.add_argument("--service")
    p.add_argument("--worktree", action="store_true")
    run(p.parse_args())


if __name__ == "__main__":
    main()
