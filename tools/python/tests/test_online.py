"""test_online.py - online reads through the Python client give what the C
library gives for the same request (`fcat get-online --json`, Feast's JSON):
the same values, statuses and event times, as to_dict() and to_df(); the
catalog is listed and described as the principal may see it."""

import datetime
import json

import numpy as np
import pandas as pd

import fcat
from conftest import OPERATOR, run_fcat

FEATURES = ["user_features:total_conversations", "user_features:avg_response_rating",
            "user_features:preferred_language", "user_features:user_embedding"]
USERS = ["u0001", "u0042", "nobody", "u0001"]


def cli_online(repo, args, users, request=()):
    out = run_fcat("--repo", repo, "get-online", *args,
                   *[a for u in users for a in ("--entity", f"user_id={u}")],
                   *[a for r in request for a in ("--request", r)], "--json").stdout
    body = json.loads(out)
    names = body["metadata"]["feature_names"]
    return {n: r for n, r in zip(names, body["results"])}


def epoch(text):
    return int(pd.Timestamp(text).timestamp())


def test_online_features_equal_the_cli_json(demo_repo):
    store = fcat.FeatureStore(demo_repo, principal=OPERATOR)
    resp = store.get_online_features(features=FEATURES,
                                     entity_rows=[{"user_id": u} for u in USERS])
    got = resp.to_dict(include_event_timestamps=True)
    want = cli_online(demo_repo, ["--features", ",".join(FEATURES)], USERS)
    assert got["user_id"] == USERS
    for f in FEATURES:
        name = f.split(":")[1]
        assert got[name] == want[name]["values"], name  # floats: the same doubles
        assert resp.statuses[name] == want[name]["statuses"]
        assert got[name + "__ts"] == [
            epoch(t) if s != "NOT_FOUND" else 0
            for t, s in zip(want[name]["event_timestamps"], want[name]["statuses"])]
    assert resp.statuses["total_conversations"] == ["PRESENT", "PRESENT", "NOT_FOUND",
                                                    "PRESENT"]
    ts = resp.event_timestamps["total_conversations"]
    assert ts[2] is None and ts[0].tzinfo == datetime.timezone.utc


def test_to_df_has_the_training_sets_dtypes(demo_repo):
    store = fcat.FeatureStore(demo_repo, principal=OPERATOR)
    df = store.get_online_features(features=FEATURES,
                                   entity_rows=[{"user_id": u} for u in USERS]).to_df(
        include_event_timestamps=True)
    assert list(df.columns[:3]) == ["user_id", "total_conversations",
                                    "total_conversations__ts"]
    assert str(df["total_conversations"].dtype) == "Int64"  # a row not found
    assert df["avg_response_rating"].dtype == np.float32
    assert str(df["preferred_language"].dtype) == "string"
    assert df["user_embedding"].dtype == object
    emb = df["user_embedding"][0]
    assert isinstance(emb, np.ndarray) and emb.dtype == np.float32 and emb.shape == (16,)
    assert df["user_embedding"][2] is None
    assert str(df["total_conversations__ts"].dtype) == "datetime64[ns, UTC]"
    assert pd.isna(df["total_conversations__ts"][2])


def test_a_service_with_request_data_equals_the_cli(demo_repo):
    store = fcat.FeatureStore(demo_repo, principal=OPERATOR)
    rows = [{"user_id": "u0001", "message_length": 40},
            {"user_id": "nobody", "message_length": 3}]
    got = store.get_online_features(feature_service="chat_reply", entity_rows=rows)
    for i, row in enumerate(rows):
        want = cli_online(demo_repo, ["--service", "chat_reply"], [row["user_id"]],
                          [f"message_length={row['message_length']}"])
        d = got.to_dict()
        for name in ("preferred_language", "is_regular", "reply_length_hint"):
            assert d[name][i] == want[name]["values"][0], (name, i)
            assert got.statuses[name][i] == want[name]["statuses"][0]
    # entity rows as columns (Feast's other form) and full names
    cols = store.get_online_features(
        features=store.get_feature_service("chat_reply"),
        entity_rows={"user_id": ["u0001", "nobody"], "message_length": [40, 3]},
        full_feature_names=True).to_dict()
    assert cols["reply_style__reply_length_hint"] == got.to_dict()["reply_length_hint"]


def test_wrong_entity_rows_are_refused_naming_the_key(demo_repo):
    store = fcat.FeatureStore(demo_repo, principal=OPERATOR)
    try:
        store.get_online_features(features=FEATURES, entity_rows=[{"customer": "u1"}])
    except fcat.InvalidRequest as e:
        assert "user_id" in str(e)
    else:
        raise AssertionError("no error")
    try:
        store.get_online_features(features=FEATURES, entity_rows=[{"user_id": 42}])
    except fcat.InvalidRequest as e:
        assert "user_id" in str(e) and "string" in str(e)
    else:
        raise AssertionError("no error")


def test_the_catalog_as_the_principal_may_see_it(demo_repo):
    store = fcat.FeatureStore(demo_repo, principal=OPERATOR)
    views = store.list_feature_views()
    assert [v.name for v in views] == ["user_activity", "user_features"]
    v = views[1]
    assert v.ttl == datetime.timedelta(days=7) and v.online
    assert [(f.name, f.dtype) for f in v.features][-1] == ("user_embedding", "float32[16]")
    assert [k.name for k in v.join_keys] == ["user_id"] and v.entities == ["user"]
    assert [o.name for o in store.list_on_demand_feature_views()] == ["reply_style"]
    assert [s.name for s in store.list_feature_services()] == ["chat_personalization",
                                                               "chat_reply"]
    d = store.describe("user_features")
    assert d["kind"] == "feature_view" and d["ttl_seconds"] == 604800
    assert d["defined_at"]["file"] == "catalog/users.lua"
    assert store.describe("user_features:preferred_language")["kind"] == "feature"
    # anonymous may describe nothing under the demo's policies
    anon = fcat.FeatureStore(demo_repo, principal="anonymous")
    assert anon.list_feature_views() == []
    try:
        anon.describe("user_features")
    except fcat.NotFound as e:
        assert "user_features" in str(e)
    else:
        raise AssertionError("anonymous described a view")


def test_no_entity_rows_read_nothing(demo_repo):
    store = fcat.FeatureStore(demo_repo, principal=OPERATOR)
    r = store.get_online_features(features=FEATURES, entity_rows=[])
    assert r.to_dict() == {"user_id": [], **{f.split(":")[1]: [] for f in FEATURES}}
    assert len(r.to_df()) == 0
