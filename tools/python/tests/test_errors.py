"""test_errors.py - the library's failures as Python exceptions with its own
messages: a denied feature is fcat.PolicyDenied naming it, a broken
definition fcat.DefinitionError naming file and line; neither hurts the
interpreter (a child python survives both and exits 0), and the store keeps
serving after them."""

import os
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

import fcat
from conftest import OPERATOR, make_repo

HERE = os.path.dirname(os.path.abspath(__file__))

BROKEN = textwrap.dedent("""\
    -- broken.lua - a view whose schema names a type that does not exist
    feature_view {
      name = "broken",
      entities = { "user" },
      source = "conversations",
      schema = { field("x", int65) },
    }
""")


@pytest.fixture(scope="module")
def broken_repo(tmp_path_factory):
    """A demo repo (applied, no data) whose work tree holds a broken
    definition at catalog/broken.lua line 6."""
    repo = make_repo(str(tmp_path_factory.mktemp("broken")), with_data=False)
    with open(os.path.join(repo, "catalog", "broken.lua"), "w") as f:
        f.write(BROKEN)
    return repo


def entity_rows():
    return pd.DataFrame({"user_id": ["u0001", "u0002"],
                         "event_timestamp": pd.to_datetime(["2026-01-01", "2026-01-02"])})


def test_a_denied_feature_raises_policy_denied_naming_it(demo_repo):
    # alice (data-science) may read user features, but not the pii one
    store = fcat.FeatureStore(demo_repo, principal="alice")
    with pytest.raises(fcat.PolicyDenied) as e:
        store.get_historical_features(entity_rows(), features=[
            "user_features:total_conversations", "user_features:preferred_language"])
    assert "alice" in str(e.value)
    assert "feature:user_features:preferred_language" in str(e.value)
    assert "policies/access.yaml" in str(e.value)  # the rule that denied it
    assert e.value.code == -10 and isinstance(e.value, fcat.FcatError)
    with pytest.raises(fcat.PolicyDenied, match="user_features:preferred_language"):
        store.get_online_features(features=["user_features:preferred_language"],
                                  entity_rows=[{"user_id": "u0001"}])
    # the store serves on: what alice may read, she reads
    df = store.get_historical_features(entity_rows(),
                                       features=["user_features:total_conversations"]).to_df()
    assert len(df) == 2
    # a principal per call: one store, another caller
    with pytest.raises(fcat.PolicyDenied, match="ranking-service may not read_offline"):
        store.get_historical_features(entity_rows(), features=["user_features"],
                                      principal="ranking-service")
    online = fcat.FeatureStore(demo_repo, principal="alice").get_online_features(
        feature_service="chat_personalization", entity_rows=[{"user_id": "u0001"}],
        principal="ranking-service")
    assert online.statuses["preferred_language"] == ["PRESENT"]


def test_a_broken_definition_raises_definition_error_naming_file_and_line(broken_repo):
    with pytest.raises(fcat.DefinitionError) as e:
        fcat.FeatureStore(broken_repo, principal=OPERATOR, catalog="worktree")
    assert "catalog/broken.lua:6:" in str(e.value)
    assert "int65" in str(e.value)
    assert e.value.code == -5
    # the applied version is untouched by the work tree and opens
    assert len(fcat.FeatureStore(broken_repo, principal=OPERATOR).catalog_commit) == 40


def test_a_broken_fcat_yaml_raises_definition_error_naming_it(tmp_path):
    repo = make_repo(str(tmp_path), with_data=False)
    with open(os.path.join(repo, "fcat.yaml"), "a") as f:
        f.write("no_such_key: 1\n")
    with pytest.raises(fcat.DefinitionError, match=r"fcat\.yaml:\d+:\d+"):
        fcat.FeatureStore(repo, principal=OPERATOR)


def test_neither_error_crashes_the_interpreter(demo_repo, broken_repo):
    """In a child python: both errors caught, then a good read, then a clean
    exit (the library's handles are freed at exit without a crash)."""
    code = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {os.path.dirname(HERE)!r})
        import pandas as pd, fcat
        ent = pd.DataFrame({{"user_id": ["u0001"],
                             "event_timestamp": pd.to_datetime(["2026-01-01"])}})
        try:
            fcat.FeatureStore({demo_repo!r}, principal="alice").get_historical_features(
                ent, features=["user_features:preferred_language"])
        except fcat.PolicyDenied as e:
            print("denied:", e)
        try:
            fcat.FeatureStore({broken_repo!r}, catalog="worktree")
        except fcat.DefinitionError as e:
            print("definition:", e)
        s = fcat.FeatureStore({demo_repo!r}, principal={OPERATOR!r})
        print("rows:", len(s.get_historical_features(ent, features=["user_features"]).to_df()))
    """)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert "denied: alice may not read_offline feature:user_features:preferred_language" \
        in r.stdout
    assert "definition: catalog/broken.lua:6:" in r.stdout
    assert "rows: 1" in r.stdout


def test_other_failures_are_fcat_errors_with_the_librarys_message(demo_repo):
    store = fcat.FeatureStore(demo_repo, principal=OPERATOR)
    with pytest.raises(fcat.NotFound, match="no_such_view"):
        store.get_historical_features(entity_rows(), features=["no_such_view:x"])
    with pytest.raises(fcat.InvalidRequest, match="event_timestamp"):
        store.get_historical_features(entity_rows().drop(columns="event_timestamp"),
                                      features=["user_features"])
    bad_time = entity_rows().assign(event_timestamp=["yesterday", "2026-01-01"])
    with pytest.raises(fcat.InvalidRequest, match="entity row 1"):
        store.get_historical_features(bad_time, features=["user_features"])
    with pytest.raises(fcat.NotFound):
        store.get_online_features(feature_service="no_such_service",
                                  entity_rows=[{"user_id": "u0001"}])
    with pytest.raises(fcat.NotFound):
        fcat.FeatureStore(os.path.join(demo_repo, "no_such_dir"))
    with pytest.raises(fcat.NotFound):
        store.describe("no_such_object")
    with pytest.raises(ValueError):
        store.get_historical_features(entity_rows())  # neither features nor a service
