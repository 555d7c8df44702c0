"""pit_join_pandas.py - the point-in-time join of pit_join.sh in pandas: dedup, merge_asof with the ttl as tolerance, input order, CSV out.

python3 pit_join_pandas.py FEATURES.csv ENTITIES.csv OUT.csv
"""
import sys

import pandas as pd


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: pit_join_pandas.py FEATURES.csv ENTITIES.csv OUT.csv")
    feat, ents, out = sys.argv[1:]
    f = pd.read_csv(feat, dtype={"user_id": str, "f_int": "Int64", "f_float": float, "f_str": str})
    f["event_timestamp"] = pd.to_datetime(f["event_timestamp"])
    f["created_at"] = pd.to_datetime(f["created_at"])
    # one row per (key, event time): the one created last
    f = f.sort_values("created_at", kind="stable")
    f = f.drop_duplicates(["user_id", "event_timestamp"], keep="last")
    f = f.rename(columns={"event_timestamp": "fts"}).drop(columns="created_at")
    f = f.sort_values("fts", kind="stable")

    # the entity columns stay as they were read (text), like fcat's
    e = pd.read_csv(ents, dtype=str, keep_default_na=False)
    e["_t"] = pd.to_datetime(e["event_timestamp"])
    e["_rn"] = range(len(e))
    e = e.sort_values("_t", kind="stable")
    j = pd.merge_asof(e, f, left_on="_t", right_on="fts", by="user_id",
                      direction="backward", tolerance=pd.Timedelta(days=7))
    j = j.sort_values("_rn")
    j[["user_id", "event_timestamp", "label", "f_int", "f_float", "f_str"]].to_csv(out, index=False)


if __name__ == "__main__":
    main()
