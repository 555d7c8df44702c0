"""store.py - FeatureStore: Feast's Python shape over one open libfcat store.

Every computation happens in the library; this layer turns pandas columns
into the library's buffers and back, and its error codes into exceptions.
"""

import ctypes
import datetime
import enum
import json
import os
import threading
import weakref
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import numpy as np
import pandas as pd

from . import _columns, _lib
from ._errors import FcatError, InvalidRequest, NotFound, check, raise_for

lib = _lib.lib


class PushMode(enum.Enum):
    """Where store.push writes (Feast's PushMode)."""
    ONLINE = _lib.PUSH_ONLINE
    OFFLINE = _lib.PUSH_OFFLINE
    ONLINE_AND_OFFLINE = _lib.PUSH_ONLINE_AND_OFFLINE


@dataclass
class Field:
    name: str
    dtype: str  # fcat's type name: "int64", "float32[16]", ...
    description: str = ""
    tags: Dict[str, str] = field(default_factory=dict)


@dataclass
class FeatureView:
    """A feature view (or on-demand view) as the principal may describe it."""
    name: str
    features: List[Field]
    entities: List[str]
    join_keys: List[Field]
    ttl: Optional[datetime.timedelta]
    online: bool
    source: Optional[str]
    description: str
    owner: str
    tags: Dict[str, str]
    kind: str = "feature_view"

    @property
    def schema(self):
        return self.features


@dataclass
class FeatureService:
    name: str
    features: List[str]  # "view:feature"
    description: str = ""
    owner: str = ""
    tags: Dict[str, str] = field(default_factory=dict)


@dataclass
class MaterializeStats:
    views: int
    rows_read: int
    rows_skipped: int
    keys_written: int
    seconds: float


@dataclass
class PushStats:
    rows: int
    views: int
    keys_written: int
    rows_appended: int
    seconds: float


def _micros(t, what):
    """A time (datetime, naive meaning UTC; pandas Timestamp; numpy
    datetime64; epoch seconds; RFC 3339 text or "now") as epoch microseconds."""
    if isinstance(t, str):
        if t == "now":
            return _micros(datetime.datetime.now(datetime.timezone.utc), what)
        out = ctypes.c_int64()
        b = t.encode()
        check(lib.fcat_timestamp_parse(ctypes.byref(out), b, len(b)))
        return out.value
    if isinstance(t, (int, float)) and not isinstance(t, bool):
        return int(round(t * 1000000))
    if isinstance(t, datetime.date) and not isinstance(t, datetime.datetime):
        t = datetime.datetime(t.year, t.month, t.day)
    try:
        ts = pd.Timestamp(t)
    except (TypeError, ValueError):
        raise TypeError(f"{what}: not a time: {t!r}") from None
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return ts.value // 1000


def _service_name(obj):
    return obj if isinstance(obj, str) else getattr(obj, "name", None)


class _Handle:
    """The C store and the feature sets resolved from it, freed together
    (sets first) by close() or when the FeatureStore is collected."""

    def __init__(self, ptr):
        self.ptr = ptr
        self.sets = {}
        self.lock = threading.Lock()

    def free(self):
        with self.lock:
            for s in self.sets.values():
                lib.fcat_feature_set_free(s)
            self.sets.clear()
            if self.ptr:
                lib.fcat_store_free(self.ptr)
                self.ptr = None


class FeatureStore:
    """A feature repo opened through libfcat, with Feast's FeatureStore methods.

    ``FeatureStore(repo_path=".", principal=None)`` opens the applied catalog
    version of the repo at ``repo_path`` as ``principal`` (a name of the
    policy files; None: ``$FCAT_PRINCIPAL``, else "anonymous"). Every read
    is checked against the applied policies, feature by feature; a call may
    name its own ``principal=`` (one open store serves many callers).
    ``catalog="worktree"`` reads the definitions as they are in the work
    tree (for authoring, as ``fcat --worktree``), ``commit="REV"`` those of
    a commit.

    Errors are exceptions carrying the library's message: ``PolicyDenied``,
    ``DefinitionError`` (a definition or fcat.yaml, naming FILE:LINE),
    ``NotFound``, ``InvalidRequest``, and ``FcatError`` for the rest (their
    base class).
    """

    def __init__(self, repo_path=".", principal=None, catalog="applied", commit=None):
        if principal is None:
            principal = os.environ.get("FCAT_PRINCIPAL") or None
        kinds = {"applied": _lib.CATALOG_APPLIED, "commit": _lib.CATALOG_COMMIT,
                 "worktree": _lib.CATALOG_WORKTREE}
        if commit is not None:
            catalog = "commit"
        if catalog not in kinds:
            raise ValueError(f"catalog must be one of {', '.join(kinds)}, not {catalog!r}")
        self.repo_path = os.fspath(repo_path)
        opts = _lib.OpenOptions(_lib.FCAT_OPEN_OPTIONS_VERSION, kinds[catalog],
                                _lib.cstr(commit), _lib.cstr(principal))
        out = ctypes.c_void_p()
        rc = lib.fcat_store_open_ext(ctypes.byref(out), _lib.cstr(self.repo_path),
                                     ctypes.byref(opts))
        if rc:
            raise_for(rc, definitions=True)
        self._h = _Handle(out.value)
        self._finalizer = weakref.finalize(self, self._h.free)

    # --- lifetime ------------------------------------------------------------
    def close(self):
        """Closes the store (flushes its audit log); a closed store refuses
        calls. Training sets already retrieved stay readable."""
        self._finalizer()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def _ptr(self):
        if not self._h.ptr:
            raise FcatError("the FeatureStore is closed")
        return self._h.ptr

    # --- who and what ------------------------------------------------------
    @property
    def principal(self):
        """The principal the store was opened as."""
        return lib.fcat_store_principal(self._ptr).decode()

    @property
    def catalog_commit(self):
        """The commit of the catalog version read ("" for a work tree)."""
        return lib.fcat_catalog_commit(lib.fcat_store_catalog(self._ptr)).decode()

    @property
    def repo_root(self):
        return lib.fcat_store_root(self._ptr).decode()

    def _catalog(self):
        return lib.fcat_store_catalog(self._ptr)

    def _describe_object(self, obj):
        out = ctypes.c_void_p()
        check(lib.fcat_store_describe_json(ctypes.byref(out), self._ptr, obj, False))
        return json.loads(_lib.take_string(out.value))

    def describe(self, name):
        """An object ("user_features", "user_features:preferred_language",
        a service, entity or source) as the principal may see it: the dict of
        `fcat describe NAME --json`. NotFound for an unknown name, and for
        one the principal may not describe (as the CLI says it)."""
        obj = ctypes.c_void_p()
        rc = lib.fcat_catalog_lookup(ctypes.byref(obj), self._catalog(), _lib.cstr(name))
        if rc == 0 and not lib.fcat_store_may_describe(self._ptr, obj):
            raise NotFound(f"no object named '{name}' in the catalog", _lib.FCAT_ENOTFOUND)
        check(rc)
        return self._describe_object(obj)

    def _visible(self, kind):
        cat = self._catalog()
        for i in range(lib.fcat_catalog_count(cat, kind)):
            obj = lib.fcat_catalog_at(cat, kind, i)
            if lib.fcat_store_may_describe(self._ptr, obj):
                yield self._describe_object(obj)

    @staticmethod
    def _view_of(d):
        fields = [Field(f["name"], f["type"], f.get("description", ""), f.get("tags", {}))
                  for f in d.get("schema", [])]
        keys = [Field(k["name"], k["type"]) for k in d.get("join_keys", [])]
        ttl = d.get("ttl_seconds")
        return FeatureView(
            name=d["name"], features=fields, entities=list(d.get("entities", [])),
            join_keys=keys, ttl=datetime.timedelta(seconds=ttl) if ttl else None,
            online=bool(d.get("online", d["kind"] == "on_demand_view")),
            source=d.get("source"), description=d.get("description", ""),
            owner=d.get("owner", ""), tags=d.get("tags", {}), kind=d["kind"])

    def list_feature_views(self):
        """The feature views the principal may describe, in definition order."""
        return [self._view_of(d) for d in self._visible(_lib.OBJ_VIEW)]

    def list_on_demand_feature_views(self):
        return [self._view_of(d) for d in self._visible(_lib.OBJ_ON_DEMAND_VIEW)]

    def list_feature_services(self):
        return [self._service_of(d) for d in self._visible(_lib.OBJ_SERVICE)]

    @staticmethod
    def _service_of(d):
        return FeatureService(d["name"], [f"{f['view']}:{f['name']}" for f in d["features"]],
                              d.get("description", ""), d.get("owner", ""), d.get("tags", {}))

    def get_feature_service(self, name):
        return self._service_of(self.describe(name))

    def get_feature_view(self, name):
        return self._view_of(self.describe(name))

    # --- training sets -----------------------------------------------------
    def _declared_types(self, refs, service):
        """The declared scalar of each join key and request field the request
        involves, by name, so that numeric entity columns go in at that width
        (the library takes a key of its declared type, or as text)."""
        cat = self._catalog()
        views = set()
        out = {}

        def look(name):
            obj = ctypes.c_void_p()
            if lib.fcat_catalog_lookup(ctypes.byref(obj), cat, _lib.cstr(name)) != 0:
                return None
            ptr = ctypes.c_void_p()
            if lib.fcat_object_describe_json(ctypes.byref(ptr), obj, False) != 0:
                return None
            return json.loads(_lib.take_string(ptr.value))

        def add_view(name):
            if name in views:
                return
            views.add(name)
            d = look(name)
            if not d:
                return
            for k in d.get("join_keys", []) + d.get("request", []):
                t = _lib.Type()
                if lib.fcat_type_parse(ctypes.byref(t), k["type"].encode()) == 0:
                    out[k["name"]] = t.scalar
            for src in d.get("sources", []):
                add_view(src)

        if service:
            d = look(service)
            for f in (d or {}).get("features", []):
                add_view(f["view"])
        for r in refs or []:
            add_view(r.split(":", 1)[0])
        return out

    def get_historical_features(self, entity_df, features=None, feature_service=None,
                                full_feature_names=False, principal=None):
        """A training set: every row of ``entity_df`` (its join keys, an
        ``event_timestamp`` column, and any other columns such as labels, which
        pass through) with each requested feature as it was at that time
        (point-in-time correct; null where no row matched).

        ``features``: ["view:feature", "view", ...], or a FeatureService;
        ``feature_service``: a service's name or FeatureService. Returns a
        RetrievalJob: ``.to_df()``, ``.metadata`` (catalog commit, feature
        version hashes). The join runs here, in the call; its errors raise.
        """
        if not isinstance(entity_df, pd.DataFrame):
            raise TypeError("entity_df must be a pandas DataFrame")
        refs, service = self._request(features, feature_service)
        cols = _columns.EntityColumns(entity_df, self._declared_types(refs, service))
        arr, nrefs = _lib.strarray(refs or [])
        opts = _lib.HistoricalOptions(ctypes.sizeof(_lib.HistoricalOptions),
                                      _lib.cstr(principal), bool(full_feature_names))
        out = ctypes.c_void_p()
        rc = lib.fcat_get_historical_columns(ctypes.byref(out), None, self._ptr, cols.array,
                                             len(cols.names), arr if nrefs else None, nrefs,
                                             _lib.cstr(service), ctypes.byref(opts))
        if rc:
            raise_for(rc)
        # the entity columns of the set are entity_df's own, as they were now
        return RetrievalJob(out.value, entity_df.copy())

    @staticmethod
    def _request(features, feature_service):
        if features is not None and not isinstance(features, (list, tuple)):
            if feature_service is not None:
                raise ValueError("give features or feature_service, not both")
            feature_service, features = features, None
        if (features is None) == (feature_service is None):
            raise ValueError("give features=[...] or feature_service=..., one of them")
        if features is not None:
            if not features:
                raise ValueError("features is empty")
            return [str(f) for f in features], None
        name = _service_name(feature_service)
        if not name:
            raise TypeError("feature_service must be a name or a FeatureService")
        return None, name

    # --- online --------------------------------------------------------------
    def _feature_set(self, refs, service):
        key = ("service", service) if service else ("features", tuple(refs))
        with self._h.lock:
            s = self._h.sets.get(key)
            if s:
                return s
            out = ctypes.c_void_p()
            if service:
                rc = lib.fcat_feature_set_for_service(ctypes.byref(out), self._ptr,
                                                      _lib.cstr(service))
            else:
                arr, n = _lib.strarray(refs)
                rc = lib.fcat_feature_set_new(ctypes.byref(out), self._ptr, arr, n)
            if rc:
                raise_for(rc)
            self._h.sets[key] = out.value
            return out.value

    def get_online_features(self, features=None, entity_rows=None, feature_service=None,
                            full_feature_names=False, principal=None, now=None):
        """Feature vectors from the online store for ``entity_rows``: a list of
        {join_key: value, request_field: value} dicts, or a mapping of
        column -> list. ``features``: ["view:feature", "view", ...] or a
        FeatureService; or ``feature_service=`` a name. Returns an
        OnlineResponse (``.to_dict()``, ``.to_df()``, ``.statuses``). ``now``
        judges each view's ttl at that time instead of the current one."""
        refs, service = self._request(features, feature_service)
        columns, nrows = _entity_columns(entity_rows)
        fset = self._feature_set(refs, service)
        nkeys = lib.fcat_feature_set_key_count(fset)
        keys = np.zeros((nrows, max(nkeys, 1)), _lib.VALUE_DTYPE)
        keep = []
        key_names = []
        for k in range(nkeys):
            name = lib.fcat_feature_set_key_name(fset, k).decode()
            if name not in columns and nrows:
                raise InvalidRequest(f"entity_rows: no value of the join key '{name}'")
            columns.setdefault(name, [])
            va = _columns.ValueArray(columns[name], lib.fcat_feature_set_key_type(fset, k),
                                     f"entity_rows '{name}'")
            keys[:, k] = va.array
            keep.append(va)
            key_names.append((name, columns[name]))
        nreq = lib.fcat_feature_set_request_count(fset)
        req = np.zeros((nrows, max(nreq, 1)), _lib.VALUE_DTYPE)
        for k in range(nreq):
            name = lib.fcat_feature_set_request_name(fset, k).decode()
            t = lib.fcat_feature_set_request_type(fset, k)
            va = _columns.ValueArray(columns.get(name, [None] * nrows), t,
                                     f"entity_rows '{name}'")
            req[:, k] = va.array
            keep.append(va)
        keys = np.ascontiguousarray(keys[:, :nkeys])
        req = np.ascontiguousarray(req[:, :nreq])
        opts = _lib.ReadOptions(ctypes.sizeof(_lib.ReadOptions), _lib.cstr(principal),
                                -1 if now is None else _micros(now, "now"),
                                req.ctypes.data if nreq and nrows else None)
        res = ctypes.c_void_p()
        check(lib.fcat_online_result_new(ctypes.byref(res)))
        try:
            rc = lib.fcat_online_read(res, self._ptr, fset,
                                      keys.ctypes.data if nkeys and nrows else None, nrows,
                                      ctypes.byref(opts))
            if rc:
                raise_for(rc)
            return OnlineResponse._read(res.value, fset, key_names, nrows,
                                        bool(full_feature_names))
        finally:
            lib.fcat_online_result_free(res)

    # --- writes ----------------------------------------------------------------
    def materialize(self, start_date, end_date, feature_views=None):
        """Loads, per online view (all, or those named) and entity key, the
        latest source row with start_date <= event time < end_date into the
        online store. Times: datetimes (naive: UTC), Timestamps, epoch
        seconds, RFC 3339 text or "now"."""
        return self._materialize(_micros(start_date, "start_date"),
                                 _micros(end_date, "end_date"), feature_views)

    def materialize_incremental(self, end_date, feature_views=None):
        """As materialize, each view from where its last run ended."""
        return self._materialize(None, _micros(end_date, "end_date"), feature_views)

    def _materialize(self, start, end, views):
        views = [getattr(v, "name", v) for v in views or []]
        arr, n = _lib.strarray(views)
        st = _lib.MaterializeStats()
        if start is None:
            rc = lib.fcat_materialize_incremental(ctypes.byref(st), self._ptr, end,
                                                  arr if n else None, n, None, None)
        else:
            rc = lib.fcat_materialize(ctypes.byref(st), self._ptr, start, end,
                                      arr if n else None, n, None, None)
        check(rc)
        return MaterializeStats(st.views, st.rows_read, st.rows_skipped, st.keys_written,
                                st.seconds)

    def push(self, push_source_name, df, allow_registry_cache=True, to=PushMode.ONLINE,
             principal=None):
        """Pushes the rows of ``df`` (columns of the push source's schema) for a
        push source: all or nothing, through the views' transforms.
        ``to``: PushMode (or "online", "offline", "online_and_offline")."""
        del allow_registry_cache  # Feast's; the catalog is in memory already
        if isinstance(to, str):
            to = PushMode[to.upper()]
        if not isinstance(df, pd.DataFrame):
            raise TypeError("df must be a pandas DataFrame")
        obj = ctypes.c_void_p()
        check(lib.fcat_catalog_lookup(ctypes.byref(obj), self._catalog(),
                                      _lib.cstr(push_source_name)))
        types = {}
        for i in range(lib.fcat_source_column_count(obj)):
            types[lib.fcat_source_column_name(obj, i).decode()] = \
                lib.fcat_source_column_type(obj, i)
        n = len(df)
        cols = (_lib.PushColumn * max(len(df.columns), 1))()
        keep = []
        for i, name in enumerate(df.columns):
            name = str(name)
            t = types.get(name)
            if t is None:  # the library refuses it by name
                va = _columns.ValueArray([None] * n, _lib.Type(0, False, 0), name)
            else:
                va = _columns.ValueArray(df.iloc[:, i], t, f"column '{name}'")
            keep.append(va)
            cols[i].name = _lib.cstr(name)
            if not n:  # no rows: any value array will do, but not NULL
                keep.append(_lib.Value())
            cols[i].values = va.ptr if n else ctypes.addressof(keep[-1])
        opts = _lib.PushOptions(ctypes.sizeof(_lib.PushOptions), _lib.cstr(principal),
                                to.value)
        st = _lib.PushStats()
        check(lib.fcat_push(ctypes.byref(st), self._ptr, _lib.cstr(push_source_name), cols,
                            len(df.columns), n, ctypes.byref(opts)))
        return PushStats(st.rows, st.views, st.keys_written, st.rows_appended, st.seconds)


def _entity_columns(entity_rows):
    """entity_rows as {column: list}, and the number of rows."""
    if entity_rows is None:
        raise ValueError("entity_rows is required")
    if isinstance(entity_rows, pd.DataFrame):
        return {str(c): entity_rows[c] for c in entity_rows.columns}, len(entity_rows)
    if isinstance(entity_rows, dict):
        cols = {str(k): list(v) for k, v in entity_rows.items()}
        lens = {len(v) for v in cols.values()}
        if len(lens) > 1:
            raise InvalidRequest("entity_rows: columns of different lengths")
        return cols, lens.pop() if lens else 0
    rows = list(entity_rows)
    names = []
    for r in rows:
        for k in r:
            if k not in names:
                names.append(k)
    return {str(k): [r.get(k) for r in rows] for k in names}, len(rows)


class RetrievalJob:
    """A training set built by get_historical_features, held by the library
    until this object goes. ``to_df()`` builds a DataFrame (one copy of each
    column's buffers); ``metadata`` is the set's OUT.meta.json."""

    def __init__(self, ptr, entity_df):
        self._ptr = ptr
        self._entity_df = entity_df
        self._finalizer = weakref.finalize(self, lib.fcat_training_set_free, ptr)
        out = ctypes.c_void_p()
        check(lib.fcat_training_set_meta_json(ctypes.byref(out), ptr))
        self.metadata = json.loads(_lib.take_string(out.value))

    @property
    def catalog_commit(self):
        """The catalog commit the set was built from ("" for a work tree)."""
        return self.metadata["catalog_commit"]

    @property
    def feature_hashes(self):
        """{"view:feature": version hash} of every feature of the set."""
        return {f"{f['view']}:{f['name']}": f["hash"] for f in self.metadata["features"]}

    @property
    def full_feature_names(self):
        return list(self._names()[len(self._entity_df.columns):])

    def _names(self):
        names = []
        col = _lib.Column()
        for i in range(lib.fcat_training_set_column_count(self._ptr)):
            check(lib.fcat_training_set_column(ctypes.byref(col), self._ptr, i))
            names.append(col.name.decode("utf-8", "surrogateescape"))
        return names

    def __len__(self):
        return lib.fcat_training_set_rows(self._ptr)

    def to_df(self):
        """The training set as a DataFrame: the entity columns as entity_df
        had them (the event_timestamp column as datetime64[ns, UTC] when it was
        a datetime), then the features: int64 / int32 (pandas' nullable Int64
        / Int32 where a row has no value), float32 / float64 (NaN), bool
        (nullable boolean where nulls), string (pandas' string dtype),
        datetime64[ns, UTC], bytes and arrays (embeddings) as object columns of
        bytes / numpy arrays (None where null). Rows keep entity_df's order."""
        ncols = lib.fcat_training_set_column_count(self._ptr)
        nent = len(self._entity_df.columns)
        data = {}
        ent = self._entity_df.reset_index(drop=True)
        for i, name in enumerate(ent.columns):
            s = ent.iloc[:, i]
            if name == "event_timestamp" and pd.api.types.is_datetime64_any_dtype(s):
                s = s.dt.tz_localize("UTC") if s.dt.tz is None else s.dt.tz_convert("UTC")
            data[name] = s
        col = _lib.Column()
        for i in range(nent, ncols):
            check(lib.fcat_training_set_column(ctypes.byref(col), self._ptr, i))
            s = _columns.column_series(col)
            data[s.name] = s
        return pd.DataFrame(data, copy=False)

    def to_arrow(self):
        raise NotImplementedError("pyarrow is not used by this client; see to_df()")


class OnlineResponse:
    """An online read: per feature its values, statuses ("PRESENT",
    "NOT_FOUND", "NULL_VALUE", "OUTSIDE_MAX_AGE") and event times, copied out
    of the library's result in one piece."""

    def __init__(self, columns, statuses, event_ts):
        self._columns = columns  # name -> Series (join keys first)
        self.statuses = statuses  # feature name -> list of status names
        self._event_ts = event_ts  # feature name -> int64 micros (0: none)

    @classmethod
    def _read(cls, res, fset, key_names, nrows, full_names):
        nfeat = lib.fcat_feature_set_count(fset)
        ptr = lib.fcat_online_result_values(res)
        cells = _columns._view(ptr, nrows * nfeat * _lib.FEATURE_VALUE_DTYPE.itemsize,
                               _lib.FEATURE_VALUE_DTYPE).reshape(nrows, nfeat) \
            if nrows and nfeat else np.zeros((nrows, nfeat), _lib.FEATURE_VALUE_DTYPE)
        columns, statuses, event_ts = {}, {}, {}
        for name, values in key_names:
            values = list(values) if not isinstance(values, pd.Series) else values.to_numpy()
            columns[name] = pd.Series(values, name=name,
                                      dtype=None if len(values) else object)
        names = {}
        for f in range(nfeat):
            obj = lib.fcat_feature_set_feature(fset, f)
            view = lib.fcat_object_name(lib.fcat_feature_view(obj)).decode()
            fname = lib.fcat_object_name(obj).decode()
            name = f"{view}__{fname}" if full_names else fname
            names[name] = names.get(name, 0) + 1
            col = np.array(cells[:, f])
            s, st = _columns.feature_values(col, lib.fcat_feature_type(obj), name)
            columns[name] = s
            statuses[name] = [_STATUS.get(int(x), "INVALID") for x in st]
            event_ts[name] = col["event_ts"].copy()
        dup = [n for n, c in names.items() if c > 1]
        if dup:
            raise InvalidRequest(f"two features are named {dup[0]!r}: use "
                                 "full_feature_names=True")
        return cls(columns, statuses, event_ts)

    def to_dict(self, include_event_timestamps=False):
        """{name: [value per entity row]}: the join keys, then each feature, as
        plain Python values (None where null, lists for arrays, UTC datetimes);
        with include_event_timestamps, "NAME__ts" holds each value's event
        time in epoch seconds (0 when not found), as Feast's to_dict does."""
        out = {}
        for name, s in self._columns.items():
            out[name] = [_columns.to_python(x) for x in s.to_numpy(dtype=object)]
            if include_event_timestamps and name in self._event_ts:
                out[name + "__ts"] = [_columns.epoch_seconds(t) for t in self._event_ts[name]]
        return out

    def to_df(self, include_event_timestamps=False):
        """The same as a DataFrame, with the dtypes of RetrievalJob.to_df;
        "NAME__ts" columns as datetime64[ns, UTC] (NaT when not found)."""
        data = {}
        for name, s in self._columns.items():
            data[name] = s.reset_index(drop=True)
            if include_event_timestamps and name in self._event_ts:
                ts = self._event_ts[name]
                valid = ts != 0
                data[name + "__ts"] = _columns.scalar_series(
                    _lib.TIMESTAMP, ts.copy(), None if valid.all() else valid, name + "__ts")
        return pd.DataFrame(data)

    @property
    def event_timestamps(self):
        """{feature: [UTC datetime or None per row]}."""
        return {n: [_columns.utc(t) if t else None for t in ts]
                for n, ts in self._event_ts.items()}


_STATUS = {1: "PRESENT", 2: "NULL_VALUE", 3: "NOT_FOUND", 4: "OUTSIDE_MAX_AGE"}
