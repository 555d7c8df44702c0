"""test_writes.py - materialize, materialize_incremental and push through the
Python client write what the C library writes: the values read back (by the
client and by `fcat get-online`) went through the view's transform; a bad
row writes nothing and names row and column; a push needs `write`."""

import datetime
import json

import numpy as np
import pandas as pd
import pytest

import fcat
from conftest import OPERATOR, make_repo, run_fcat


@pytest.fixture
def repo(tmp_path):
    """A fresh demo repo: data generated, nothing materialized yet."""
    return make_repo(str(tmp_path))


def cli_value(repo, feature, user):
    out = run_fcat("--repo", repo, "get-online", "--features", feature, "--entity",
                   f"user_id={user}", "--json").stdout
    r = json.loads(out)["results"][1]
    return r["values"][0], r["statuses"][0]


def test_materialize_fills_the_online_store(repo):
    store = fcat.FeatureStore(repo, principal=OPERATOR)
    read = lambda: store.get_online_features(  # noqa: E731
        features=["user_features:total_conversations"], entity_rows=[{"user_id": "u0001"}])
    assert read().statuses["total_conversations"] == ["NOT_FOUND"]
    now = datetime.datetime.now(datetime.timezone.utc)
    stats = store.materialize(now - datetime.timedelta(days=60), now)
    # user_features and user_activity, each over the 10,000 rows of 1,000 users
    assert stats.views == 2 and stats.keys_written == 2000 and stats.rows_read == 20000
    got = read()
    assert got.statuses["total_conversations"] == ["PRESENT"]
    assert got.to_dict()["total_conversations"] == [cli_value(
        repo, "user_features:total_conversations", "u0001")[0]]
    # incremental: from where the last run ended, nothing new
    again = store.materialize_incremental("now")
    assert again.keys_written == 0
    with pytest.raises(fcat.InvalidRequest, match="START must be before END"):
        store.materialize(now, now - datetime.timedelta(days=1))
    with pytest.raises(fcat.PolicyDenied, match="alice"):
        fcat.FeatureStore(repo, principal="alice").materialize_incremental("now")


def pushed_rows(users, when, rating=7.5, language="FR"):
    n = len(users)
    return pd.DataFrame({
        "user_id": users,
        "event_timestamp": [when] * n,
        "created_at": [when] * n,
        "total_conversations": np.arange(1000, 1000 + n, dtype=np.int64),
        "avg_response_rating": [rating] * n,
        "preferred_language": [language] * n,
        "user_embedding": [np.full(16, 0.25, np.float32)] * n,
    })


def test_push_writes_through_the_views_transform(repo):
    store = fcat.FeatureStore(repo, principal=OPERATOR)
    when = pd.Timestamp.now(tz="UTC").floor("s")
    stats = store.push("conversations_push", pushed_rows(["u0042", "u7777"], when))
    # two keys in user_features and two in user_activity
    assert stats.rows == 2 and stats.keys_written == 4 and stats.rows_appended == 0
    got = store.get_online_features(
        features=["user_features"], entity_rows=[{"user_id": "u0042"}, {"user_id": "u7777"}])
    d = got.to_dict()
    assert d["avg_response_rating"] == [5.0, 5.0]  # clamped by the transform
    assert d["preferred_language"] == ["fr", "fr"]  # lowercased
    assert d["total_conversations"] == [1000, 1001]
    assert d["user_embedding"][0] == [0.25] * 16
    assert got.event_timestamps["total_conversations"][0] == when.to_pydatetime()
    # the command line reads the same
    assert cli_value(repo, "user_features:preferred_language", "u7777") == ("fr", "PRESENT")


def test_push_offline_is_seen_by_training_sets(repo):
    store = fcat.FeatureStore(repo, principal=OPERATOR)
    when = pd.Timestamp("2031-01-01T00:00:00Z")
    stats = store.push("conversations_push", pushed_rows(["u0001"], when, rating=2.0),
                       to=fcat.PushMode.ONLINE_AND_OFFLINE)
    assert stats.rows_appended == 1
    ent = pd.DataFrame({"user_id": ["u0001"],
                        "event_timestamp": [when + pd.Timedelta(hours=1)]})
    df = store.get_historical_features(ent, features=["user_features"]).to_df()
    assert df["avg_response_rating"][0] == np.float32(2.0)
    assert df["total_conversations"][0] == 1000


def test_a_bad_push_writes_nothing_and_names_row_and_column(repo):
    store = fcat.FeatureStore(repo, principal=OPERATOR)
    when = pd.Timestamp.now(tz="UTC")
    rows = pushed_rows(["u0100", "u0101"], when)
    rows.loc[1, "user_id"] = None  # a null join key
    with pytest.raises(fcat.InvalidRequest) as e:
        store.push("conversations_push", rows)
    assert "row 2" in str(e.value) and "user_id" in str(e.value)
    assert store.get_online_features(
        features=["user_features:total_conversations"],
        entity_rows=[{"user_id": "u0100"}]).statuses["total_conversations"] == ["NOT_FOUND"]
    with pytest.raises(fcat.InvalidRequest, match="no_such_column"):
        store.push("conversations_push", pushed_rows(["u0100"], when).assign(no_such_column=1))
    with pytest.raises(fcat.NotFound):
        store.push("no_such_source", pushed_rows(["u0100"], when))
    with pytest.raises(fcat.PolicyDenied, match="alice"):
        fcat.FeatureStore(repo, principal="alice").push("conversations_push",
                                                        pushed_rows(["u0100"], when))


def test_an_empty_push_writes_nothing(repo):
    store = fcat.FeatureStore(repo, principal=OPERATOR)
    stats = store.push("conversations_push", pushed_rows([], pd.Timestamp.now(tz="UTC")))
    assert stats.rows == 0 and stats.keys_written == 0
