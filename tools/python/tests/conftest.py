"""conftest.py - the Python client's fixtures: feature repos made by the real
`fcat` binary (`fcat init`: the demo catalog and policies, its generated
data, a first commit applied; then `fcat materialize`), as the C integration
tests make theirs, and the helpers that run the command line beside the
client and read its CSV exactly.

Environment (ctest sets both; the defaults are the release build):
  FCAT_CLI      the fcat binary
  FCAT_LIBRARY  the libfcat.so the package loads (see fcat/_lib.py)
"""

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.dirname(HERE))  # tools/python: the fcat package

FCAT_CLI = os.environ.get("FCAT_CLI") or os.path.join(ROOT, "build", "release", "fcat")
OPERATOR = "fcat-operator"  # policies/access.yaml: reads, writes, admin


def run_fcat(*args, cwd=None, principal=OPERATOR, check=True, stdin=None):
    """Runs the fcat command line; returns its CompletedProcess (text)."""
    cmd = [FCAT_CLI] + (["--as", principal] if principal else []) + [str(a) for a in args]
    r = subprocess.run(cmd, cwd=cwd, input=stdin, capture_output=True, text=True)
    if check and r.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stdout}{r.stderr}")
    return r


def make_repo(parent, with_data=True):
    """`fcat init demo` in parent: the demo repo, applied (its data generated
    for the 30 days before today unless with_data is False)."""
    args = ["init", "demo"] if with_data else ["init", "--no-data", "demo"]
    run_fcat(*args, cwd=parent, principal=None)
    return os.path.join(parent, "demo")


@pytest.fixture(scope="session")
def demo_repo(tmp_path_factory):
    """The demo repo with its data materialized into the online store. Tests
    that write (push, materialize) make their own repo."""
    repo = make_repo(str(tmp_path_factory.mktemp("demo")))
    run_fcat("--repo", repo, "materialize", "2000-01-01T00:00:00Z", "now")
    return repo


@pytest.fixture(scope="session")
def conversations(demo_repo):
    """The demo's source rows, as written by fcat-datagen."""
    return pd.read_csv(os.path.join(demo_repo, "data", "conversations.csv"),
                       keep_default_na=False, dtype=str)


@pytest.fixture(scope="session")
def entity_df(conversations):
    """Entity rows with labels that cover every edge of the join: exactly at
    a source row's event time, a second before it, days later (some past the
    7-day ttl), users that do not exist, a time before any data; repeated
    users; labels of several types (a string label with a comma, a quote
    and an empty string, an int, a float with NaN), in an order that is not
    sorted by anything."""
    rng = np.random.default_rng(7)
    picks = conversations.iloc[rng.choice(len(conversations), 300, replace=False)]
    times = pd.to_datetime(picks["event_timestamp"], utc=True).reset_index(drop=True)
    shift = rng.choice([0, -1, 3600, 3 * 86400, 9 * 86400], len(picks))
    users = list(picks["user_id"])
    times = times + pd.to_timedelta(shift, unit="s")
    users += ["nobody", "u9999", users[0], users[1]]
    times = pd.concat([times, pd.Series(pd.to_datetime(
        ["2026-01-01T00:00:00Z", times[0], "1999-12-31T23:59:59Z",
         "2030-01-01T00:00:00Z"], utc=True))], ignore_index=True)
    n = len(users)
    text_labels = np.array(["yes", "no", "a, b", 'say "hi"', ""], dtype=object)
    return pd.DataFrame({
        "user_id": users,
        "event_timestamp": times,
        "clicked": rng.integers(0, 2, n),
        "note": text_labels[rng.integers(0, len(text_labels), n)],
        "score": np.where(rng.random(n) < 0.1, np.nan, rng.random(n)),
        "message_length": rng.integers(1, 300, n),
    })


def read_fcat_csv(path):
    """A CSV written by fcat, cell by cell, telling a null (an empty cell)
    from the empty string (a quoted "", which Python's csv module cannot):
    returns (header, rows) with None for null cells."""
    with open(path, newline="", encoding="utf-8") as f:
        text = f.read()
    rows, row, cell, quoted, i = [], [], [], False, 0
    in_quotes = False
    while i < len(text):
        ch = text[i]
        if in_quotes:
            if ch == '"':
                if i + 1 < len(text) and text[i + 1] == '"':
                    cell.append('"')
                    i += 1
                else:
                    in_quotes = False
            else:
                cell.append(ch)
        elif ch == '"':
            in_quotes = quoted = True
        elif ch in ",\n":
            row.append("".join(cell) if cell or quoted else None)
            cell, quoted = [], False
            if ch == "\n":
                rows.append(row)
                row = []
        elif ch != "\r":
            cell.append(ch)
        i += 1
    if cell or row:
        row.append("".join(cell) if cell or quoted else None)
        rows.append(row)
    return rows[0], rows[1:]


def write_entities_csv(df, path):
    """The entity DataFrame as the CLI's entity file: times in RFC 3339 UTC,
    strings always quoted (so "" stays the empty string), NaN and None as an
    empty cell (null), floats with repr (they read back exactly)."""
    def cell(v):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return ""
        if isinstance(v, pd.Timestamp):
            return v.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        if isinstance(v, str):
            return '"' + v.replace('"', '""') + '"'
        return repr(v.item() if isinstance(v, np.generic) else v)

    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(df.columns) + "\n")
        for row in df.itertuples(index=False):
            f.write(",".join(cell(v) for v in row) + "\n")
