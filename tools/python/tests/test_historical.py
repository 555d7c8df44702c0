"""test_historical.py - training sets through the Python client equal, value
for value, dtype for dtype, row for row and null for null, what the C library
writes as CSV (`fcat get-historical`) for the same request; the metadata is
the set's own; entity columns may come in every pandas form."""

import json
import os

import numpy as np
import pandas as pd
import pytest

import fcat
from conftest import OPERATOR, read_fcat_csv, run_fcat, write_entities_csv

ALL_FEATURES = ["user_features:total_conversations", "user_features:avg_response_rating",
                "user_features:preferred_language", "user_features:user_embedding"]

# the client's dtypes for each fcat type, with and without null rows
DTYPES = {
    "int64": ("int64", "Int64"),
    "float32": ("float32", "float32"),
    "string": ("string", "string"),
    "float32[16]": ("object", "object"),
    "bool": ("bool", "boolean"),
}


def cli_training_set(repo, tmp_path, entity_df, args):
    """The CSV path's training set for the same rows: (header, rows, meta)."""
    ent = tmp_path / "entities.csv"
    out = tmp_path / "training.csv"
    write_entities_csv(entity_df, ent)
    run_fcat("--repo", repo, "get-historical", "--entities", ent, *args, "-o", out)
    header, rows = read_fcat_csv(out)
    with open(str(out) + ".meta.json") as f:
        meta = json.load(f)
    return header, rows, meta


def parse_cell(text, ftype):
    """A CSV cell of the C output as the value the client should hold."""
    if ftype == "int64":
        return int(text)
    if ftype == "float32":
        return np.float32(text)
    if ftype == "bool":
        return {"true": True, "false": False}[text]
    if ftype.startswith("float32["):
        return np.array(json.loads(text), dtype=np.float32)
    return text


def assert_same_as_cli(df, entity_df, header, rows, meta):
    types = {f["name"]: f["type"] for f in meta["features"]}
    assert list(df.columns) == header
    assert len(df) == len(rows) == len(entity_df)
    # row order: the entity rows, in their order, with their labels
    assert list(df["user_id"]) == [r[0] for r in rows] == list(entity_df["user_id"])
    assert (df["event_timestamp"] == pd.to_datetime([r[1] for r in rows], utc=True)).all()
    assert list(df["note"]) == [r[header.index("note")] for r in rows]
    assert list(df["clicked"]) == [int(r[header.index("clicked")]) for r in rows]
    cli_score = [r[header.index("score")] for r in rows]
    assert [None if np.isnan(x) else x for x in df["score"]] == \
        [None if t is None else float(t) for t in cli_score]
    null_rows_seen = 0
    cells = len(types) * len(rows)
    for name, ftype in types.items():
        c = header.index(name)
        col = df[name]
        nulls = [r[c] is None for r in rows]
        assert list(col.isna()) == nulls, f"{name}: null rows differ from the CSV's"
        assert str(col.dtype) == DTYPES[ftype][any(nulls)], f"{name}: dtype {col.dtype}"
        null_rows_seen += sum(nulls)
        for i, r in enumerate(rows):
            if r[c] is None:
                continue
            want, got = parse_cell(r[c], ftype), col.iloc[i]
            if isinstance(want, np.ndarray):
                assert isinstance(got, np.ndarray) and got.dtype == np.float32
                assert np.array_equal(got, want), f"{name}, row {i + 1}"
            else:
                assert got == want and type(want)(got) == want, f"{name}, row {i + 1}"
    # the fixture has rows that match nothing, and most rows match
    assert 0 < null_rows_seen < cells // 2


def test_training_set_equals_the_cli_csv(demo_repo, entity_df, tmp_path):
    store = fcat.FeatureStore(demo_repo, principal=OPERATOR)
    job = store.get_historical_features(entity_df=entity_df, features=ALL_FEATURES)
    df = job.to_df()
    header, rows, meta = cli_training_set(demo_repo, tmp_path, entity_df,
                                          ["--features", ",".join(ALL_FEATURES)])
    assert_same_as_cli(df, entity_df, header, rows, meta)
    assert str(df["event_timestamp"].dtype) == "datetime64[ns, UTC]"
    assert df["clicked"].dtype == np.int64 and df["score"].dtype == np.float64
    # the set's metadata is the CLI's OUT.meta.json, less the entity file
    assert job.catalog_commit == meta["catalog_commit"] == store.catalog_commit
    assert len(job.catalog_commit) == 40
    assert job.metadata["features"] == meta["features"]
    assert job.feature_hashes["user_features:user_embedding"] == meta["features"][3]["hash"]
    assert len(job) == len(entity_df)


def test_a_service_with_on_demand_features_equals_the_cli_csv(demo_repo, entity_df, tmp_path):
    """chat_reply: a view's feature and an on-demand view's (a bool and an
    int64 computed from the entity rows' message_length request column)."""
    store = fcat.FeatureStore(demo_repo, principal=OPERATOR)
    df = store.get_historical_features(entity_df, feature_service="chat_reply").to_df()
    header, rows, meta = cli_training_set(demo_repo, tmp_path, entity_df,
                                          ["--service", "chat_reply"])
    assert_same_as_cli(df, entity_df, header, rows, meta)
    assert df["reply_length_hint"].dtype == np.int64 and df["is_regular"].dtype == bool
    # a FeatureService object, as Feast passes it, is the same request
    svc = store.get_feature_service("chat_reply")
    again = store.get_historical_features(entity_df, features=svc).to_df()
    pd.testing.assert_frame_equal(df, again)


def test_full_feature_names_name_view_and_feature(demo_repo, entity_df):
    store = fcat.FeatureStore(demo_repo, principal=OPERATOR)
    df = store.get_historical_features(entity_df, features=["user_features"],
                                       full_feature_names=True).to_df()
    assert list(df.columns)[-4:] == ["user_features__" + f.split(":")[1] for f in ALL_FEATURES]


def test_entity_columns_in_other_forms_give_the_same_set(demo_repo, entity_df):
    """Times as naive datetimes (read as UTC), in another time zone, or as
    RFC 3339 text; keys as pandas' string dtype or a category; a non-default
    index: the features are the same."""
    store = fcat.FeatureStore(demo_repo, principal=OPERATOR)
    base = store.get_historical_features(entity_df, features=ALL_FEATURES).to_df()
    variants = {
        "naive": entity_df.assign(event_timestamp=entity_df["event_timestamp"].dt.tz_localize(None)),
        "paris": entity_df.assign(
            event_timestamp=entity_df["event_timestamp"].dt.tz_convert("Europe/Paris")),
        "text": entity_df.assign(
            event_timestamp=entity_df["event_timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")),
        "string": entity_df.assign(user_id=entity_df["user_id"].astype("string")),
        "category": entity_df.assign(user_id=entity_df["user_id"].astype("category")),
        "index": entity_df.set_axis(np.arange(len(entity_df)) * 3 + 5),
    }
    for name, ent in variants.items():
        df = store.get_historical_features(ent, features=ALL_FEATURES).to_df()
        for f in ALL_FEATURES:
            col = f.split(":")[1]
            assert df[col].isna().tolist() == base[col].isna().tolist(), (name, col)
            if col == "user_embedding":
                assert all(a is None and b is None or np.array_equal(a, b)
                           for a, b in zip(df[col], base[col])), name
            else:
                assert df[col].equals(base[col]), (name, col)
        assert len(df) == len(ent) and (df.index == np.arange(len(ent))).all()


def test_integer_keys_go_in_at_their_declared_width(demo_repo, tmp_path):
    """A view keyed by an int32 column (read from the work tree, as an author
    tries it): an int64 column of entity rows (pandas' default) is sent as
    int32, and a nullable Int64 column keeps its nulls (rows that match
    nothing)."""
    import shutil
    repo = str(tmp_path / "repo")
    shutil.copytree(demo_repo, repo, symlinks=True)
    with open(os.path.join(repo, "data", "stores.csv"), "w") as f:
        f.write("store_id,event_timestamp,visits\n7,2026-01-01T00:00:00Z,10\n"
                "8,2026-01-02T00:00:00Z,20\n")
    with open(os.path.join(repo, "catalog", "stores.lua"), "w") as f:
        f.write('local shop = entity { name = "shop", join_keys = { field("store_id", int32) } }\n'
                'local visits = source { name = "visits", path = "data/stores.csv",\n'
                '  timestamp_field = "event_timestamp",\n'
                '  schema = { field("store_id", int32), field("event_timestamp", timestamp),\n'
                '             field("visits", int64) } }\n'
                'feature_view { name = "shop_stats", entities = { shop }, source = visits,\n'
                '  schema = { field("visits", int64) } }\n')
    store = fcat.FeatureStore(repo, principal=OPERATOR, catalog="worktree")
    ent = pd.DataFrame({"store_id": pd.array([8, 7, None, 9], dtype="Int64"),
                        "event_timestamp": pd.to_datetime(["2026-02-01"] * 4)})
    df = store.get_historical_features(ent, features=["shop_stats:visits"]).to_df()
    assert df["visits"].tolist()[:2] == [20, 10]
    assert df["visits"].isna().tolist() == [False, False, True, True]
    plain = store.get_historical_features(ent.astype({"store_id": "float64"}).fillna(0)
                                          .astype({"store_id": "int64"}),
                                          features=["shop_stats:visits"]).to_df()
    assert plain["visits"].tolist()[:2] == [20, 10]


def test_an_empty_entity_df_gives_an_empty_set(demo_repo, entity_df):
    store = fcat.FeatureStore(demo_repo, principal=OPERATOR)
    df = store.get_historical_features(entity_df.iloc[:0], features=ALL_FEATURES).to_df()
    assert len(df) == 0
    assert list(df.columns) == list(entity_df.columns) + [f.split(":")[1] for f in ALL_FEATURES]


def test_a_training_set_outlives_its_store(demo_repo, entity_df):
    store = fcat.FeatureStore(demo_repo, principal=OPERATOR)
    job = store.get_historical_features(entity_df, features=ALL_FEATURES)
    store.close()
    with pytest.raises(fcat.FcatError, match="closed"):
        store.get_historical_features(entity_df, features=ALL_FEATURES)
    assert len(job.to_df()) == len(entity_df)
