#!/usr/bin/env python3
"""example.py - the README's Python example, on the demo feature repo.

    python3 tools/python/example.py [REPO]

REPO defaults to this repository, which is the demo (run tools/scripts/demo.sh
first: it generates the data and applies the catalog). A Feast user knows
every call: a training set from labelled entity rows, materialization, an
online feature vector; then a read the policies refuse.
"""

import os
import sys
from datetime import datetime, timedelta, timezone
from pprint import pprint

import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)  # the fcat package beside this file

import fcat  # noqa: E402
from fcat import FeatureStore  # noqa: E402

repo = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(HERE))
if not os.path.exists(os.path.join(repo, "data", "conversations.csv")):
    sys.exit(f"example.py: {repo} has no data yet: run tools/scripts/demo.sh first")

pd.set_option("display.width", 200)
pd.set_option("display.max_columns", None)

# the platform team's operator account of policies/access.yaml
store = FeatureStore(repo_path=repo, principal="fcat-operator")

# --- training: each labelled row joined with the features as they were then
now = datetime.now(timezone.utc).replace(microsecond=0)
entity_df = pd.DataFrame.from_dict({
    "user_id": ["u0001", "u0002", "u0003", "u0042", "nobody"],
    "event_timestamp": [now - timedelta(days=d) for d in (1, 2, 3, 12, 1)],
    "clicked": [1, 0, 1, 0, 1],  # the label, kept as it is
})
job = store.get_historical_features(
    entity_df=entity_df,
    features=[
        "user_features:total_conversations",
        "user_features:avg_response_rating",
        "user_features:preferred_language",
    ],
)
training_df = job.to_df()
print("----- training set -----")
print(training_df)
print(training_df.dtypes.to_string())
print("built from catalog commit", job.catalog_commit[:12], "with feature versions",
      {k: v[:12] for k, v in job.feature_hashes.items()})

# --- serving: load the latest values into the online store, then read them
store.materialize_incremental(end_date=now)
feature_vector = store.get_online_features(
    features=[
        "user_features:total_conversations",
        "user_features:avg_response_rating",
        "user_features:preferred_language",
    ],
    entity_rows=[{"user_id": "u0001"}, {"user_id": "nobody"}],
)
print("----- online features -----")
pprint(feature_vector.to_dict())
print("statuses:", feature_vector.statuses)

# a feature service, with request data for its on-demand view
pprint(store.get_online_features(
    features=store.get_feature_service("chat_reply"),
    entity_rows=[{"user_id": "u0001", "message_length": 40}],
).to_dict())

# --- governance: a data scientist may not read the personal (pii) feature
try:
    FeatureStore(repo_path=repo, principal="alice").get_historical_features(
        entity_df=entity_df, features=["user_features:preferred_language"])
except fcat.PolicyDenied as e:
    print("----- refused -----")
    print(e)
