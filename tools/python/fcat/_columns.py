"""_columns.py - data across the boundary in bulk: pandas columns as
fcat_column buffers (entity rows in), fcat_column buffers as pandas columns
(training sets out), Python sequences as arrays of fcat_value (online keys,
pushed rows), and arrays of fcat_feature_value as columns (online results).

Every conversion works on whole columns with numpy: one copy per buffer, no
library call per value. Strings go as Arrow's offsets + data.
"""

import ctypes
import datetime

import numpy as np
import pandas as pd

from . import _lib
from ._errors import InvalidRequest

_NUMPY = {
    _lib.INT32: np.int32,
    _lib.INT64: np.int64,
    _lib.FLOAT32: np.float32,
    _lib.FLOAT64: np.float64,
    _lib.TIMESTAMP: np.int64,
}
_INT_NULLABLE = {_lib.INT32: "Int32", _lib.INT64: "Int64"}
_NS_LIMIT = np.iinfo(np.int64).max // 1000  # micros that fit datetime64[ns]


def _view(ptr, nbytes, dtype=np.uint8):
    """A numpy array over libfcat's memory (no copy; copy before it goes)."""
    if not nbytes:
        return np.empty(0, dtype)
    return np.frombuffer((ctypes.c_char * nbytes).from_address(ptr), dtype)


def _bits(ptr, n):
    """A validity (or bool) bitmap of n bits as a numpy bool array; None for a
    NULL pointer (every bit set)."""
    if not ptr:
        return None
    return np.unpackbits(_view(ptr, (n + 7) // 8), count=n, bitorder="little").astype(bool)


def _packbits(mask):
    return np.packbits(np.asarray(mask, dtype=bool), bitorder="little")


# --- text in: offsets + data -----------------------------------------------

def _encode_strings(values, valid):
    """Python strings (bytes, for bytes columns) as Arrow's layout: int64
    offsets (len + 1) and one data buffer, as numpy arrays. Null rows are
    empty. Joins with a NUL separator and finds the separators with numpy, so
    the cost is one join, not one call per string; falls back to per-string
    lengths when a string holds a NUL itself."""
    n = len(values)
    if valid is not None and not valid.all():
        values = np.where(valid, values, "")
    items = values.tolist() if isinstance(values, np.ndarray) else list(values)
    if n == 0:
        return np.zeros(1, np.int64), np.zeros(1, np.uint8)
    as_bytes = isinstance(items[0], (bytes, bytearray))
    try:
        joined = (b"\0" if as_bytes else "\0").join(items)
    except TypeError:
        bad = next(x for x in items if not isinstance(x, bytes if as_bytes else str))
        raise TypeError(f"expected {'bytes' if as_bytes else 'str'} values, got "
                        f"{type(bad).__name__} {bad!r}") from None
    raw = np.frombuffer(joined if as_bytes else joined.encode("utf-8"), np.uint8)
    seps = np.flatnonzero(raw == 0)
    offsets = np.empty(n + 1, np.int64)
    offsets[0] = 0
    if len(seps) == n - 1:
        offsets[1:n] = seps - np.arange(n - 1)
        offsets[n] = len(raw) - (n - 1)
        data = raw[raw != 0] if n > 1 else raw
        return offsets, np.ascontiguousarray(data)
    enc = items if as_bytes else [s.encode("utf-8") for s in items]
    np.cumsum(np.fromiter(map(len, enc), np.int64, n), out=offsets[1:])
    return offsets, np.frombuffer(b"".join(enc), np.uint8)


def _infer_object(series, name):
    """What an object column holds: 'string', 'bytes', 'datetime', 'integer',
    'floating', 'boolean' (or 'empty')."""
    kind = pd.api.types.infer_dtype(series, skipna=True)
    if kind in ("string", "bytes", "integer", "floating", "boolean", "empty"):
        return kind
    if kind in ("datetime", "datetime64", "date"):
        return "datetime"
    if kind in ("mixed-integer-float", "decimal"):
        return "floating"
    raise InvalidRequest(f"entity column '{name}': cannot send values of kind '{kind}' "
                         "(give it as strings, numbers, booleans or datetimes)")


def _micros_from_datetime(series):
    """A datetime series (naive: UTC, as Feast reads it) as int64 microseconds
    and a validity mask."""
    s = pd.to_datetime(series, utc=True) if not pd.api.types.is_datetime64_any_dtype(series) \
        else series
    if getattr(s.dt, "tz", None) is None:
        s = s.dt.tz_localize("UTC")
    else:
        s = s.dt.tz_convert("UTC")
    ns = s.array.asi8 if hasattr(s.array, "asi8") else s.to_numpy().view(np.int64)
    valid = ~np.asarray(s.isna())
    return np.floor_divide(ns, 1000), valid


class EntityColumns:
    """The entity DataFrame as an array of fcat_column, and the numpy buffers
    they point to (kept alive as long as this object)."""

    def __init__(self, df, declared):
        self.keep = []
        self.names = [str(c) for c in df.columns]
        if len(set(self.names)) != len(self.names):
            raise InvalidRequest("entity_df has repeated column names")
        n = len(df)
        self.array = (_lib.Column * max(len(self.names), 1))()
        for i, name in enumerate(self.names):
            self._column(self.array[i], name, df.iloc[:, i], n, declared.get(name))

    def _hold(self, arr):
        arr = np.ascontiguousarray(arr)
        self.keep.append(arr)
        return arr.ctypes.data if arr.size else None

    def _column(self, c, name, s, n, declared):
        c.name = _lib.cstr(name)
        self.keep.append(c.name)
        c.length = n
        dtype = s.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            s = s.astype(object)
            dtype = s.dtype
        isna = np.asarray(s.isna()) if n else np.zeros(0, bool)
        valid = ~isna if isna.any() else None
        kind = dtype.kind
        if dtype == object or isinstance(dtype, pd.StringDtype):
            kind = {"string": "U", "bytes": "S", "datetime": "M", "integer": "i",
                    "floating": "f", "boolean": "b", "empty": "U"}[_infer_object(s, name)]
            if kind in "ifb":
                s = s.astype({"i": "Int64", "f": "float64", "b": "boolean"}[kind])
                dtype = s.dtype
        if kind in "US":
            vals = s.to_numpy(dtype=object, na_value="" if kind == "U" else b"")
            offsets, data = _encode_strings(vals, None)
            c.type = _lib.Type(_lib.STRING if kind == "U" else _lib.BYTES, False, 0)
            c.offsets = self._hold(offsets)
            c.data = self._hold(data) or self._hold(np.zeros(1, np.uint8))
        elif kind == "M":
            micros, valid_ts = _micros_from_datetime(s)
            valid = None if valid_ts.all() else valid_ts
            c.type = _lib.Type(_lib.TIMESTAMP, False, 0)
            c.values = self._hold(micros)
        elif kind == "b":
            bits = s.to_numpy(dtype=bool, na_value=False)
            c.type = _lib.Type(_lib.BOOL, False, 0)
            c.values = self._hold(_packbits(bits))
        elif kind in "iu":
            scalar = _lib.INT32 if dtype in (np.int32, pd.Int32Dtype()) else _lib.INT64
            if declared in (_lib.INT32, _lib.INT64):
                scalar = declared  # the join key's or request field's own width
            vals = s.to_numpy(dtype=np.uint64 if kind == "u" else np.int64, na_value=0)
            c.type = _lib.Type(scalar, False, 0)
            c.values = self._hold(_checked_ints(vals, _NUMPY[scalar], name))
        elif kind == "f":
            scalar = _lib.FLOAT32 if dtype == np.float32 else _lib.FLOAT64
            if declared in (_lib.FLOAT32, _lib.FLOAT64):
                scalar = declared
            vals = s.to_numpy(dtype=_NUMPY[scalar], na_value=np.nan)
            c.type = _lib.Type(scalar, False, 0)
            c.values = self._hold(vals)
        else:
            raise InvalidRequest(f"entity column '{name}': cannot send dtype {dtype}")
        if valid is not None:
            c.validity = self._hold(_packbits(valid))


def _checked_ints(vals, np_type, name):
    vals = np.asarray(vals)
    if vals.dtype == np_type:
        return vals
    info = np.iinfo(np_type)
    if vals.size and (vals.min() < info.min or vals.max() > info.max):
        raise InvalidRequest(f"entity column '{name}': a value is out of range for "
                             f"{np.dtype(np_type).name}")
    return vals.astype(np_type)


# --- columns out: fcat_column buffers as pandas -------------------------------

def _strings_out(offsets, data, valid, as_bytes=False):
    """Python str (or bytes) objects from offsets + data; None where not valid."""
    bounds = offsets.tolist()
    starts, ends = bounds[:-1], bounds[1:]
    if as_bytes:
        out = [data[a:b] for a, b in zip(starts, ends)]
    elif data.isascii():
        text = data.decode("ascii")
        out = [text[a:b] for a, b in zip(starts, ends)]
    else:
        out = [data[a:b].decode("utf-8", "surrogateescape") for a, b in zip(starts, ends)]
    arr = np.empty(len(out), dtype=object)
    arr[:] = out
    if valid is not None:
        arr[~valid] = None
    return arr


def _object_rows(n, row_of):
    """An object array of n rows, row i being row_of(i)'s numpy view."""
    arr = np.empty(n, dtype=object)
    for i in range(n):
        arr[i] = row_of(i)
    return arr


def scalar_series(scalar, values, valid, name=None):
    """A pandas Series of a scalar fcat type from its numpy values (already a
    copy) and validity (None: no nulls), with the client's dtypes: int64 /
    int32 (nullable Int64 / Int32 when nulls), float32 / float64 (NaN), bool
    (nullable boolean when nulls), string, datetime64[ns, UTC], object."""
    if scalar in (_lib.INT32, _lib.INT64):
        if valid is None:
            return pd.Series(values, name=name, copy=False)
        return pd.Series(pd.arrays.IntegerArray(values, ~valid), name=name)
    if scalar in (_lib.FLOAT32, _lib.FLOAT64):
        if valid is not None:
            values[~valid] = np.nan
        return pd.Series(values, name=name, copy=False)
    if scalar == _lib.BOOL:
        if valid is None:
            return pd.Series(values, name=name, copy=False)
        return pd.Series(pd.arrays.BooleanArray(values, ~valid), name=name)
    if scalar == _lib.TIMESTAMP:
        if valid is not None:
            values[~valid] = 0
        if values.size and (values.min() < -_NS_LIMIT or values.max() > _NS_LIMIT):
            raise OverflowError(f"column '{name}': a timestamp is outside what "
                                "datetime64[ns] holds (years 1677-2262)")
        ns = values * 1000
        if valid is not None:
            ns[~valid] = np.iinfo(np.int64).min  # NaT
        arr = pd.arrays.DatetimeArray(ns.view("M8[ns]"), dtype=pd.DatetimeTZDtype(tz="UTC"))
        return pd.Series(arr, name=name)
    if scalar == _lib.STRING:
        return pd.Series(pd.arrays.StringArray(values), name=name)
    return pd.Series(values, name=name, dtype=object)


def _values(c, scalar, count, offsets, valid):
    """`count` values of `scalar` from a column's buffers: numbers copied out
    of c.values, bools from its bits, strings and bytes cut out of c.data at
    `offsets` (count + 1 int64 offsets)."""
    if scalar in _NUMPY:
        dtype = _NUMPY[scalar]
        return _view(c.values, count * np.dtype(dtype).itemsize, dtype).copy()
    if scalar == _lib.BOOL:
        return _bits(c.values, count) if count else np.zeros(0, bool)
    bounds = _view(offsets, (count + 1) * 8, np.int64)
    data = ctypes.string_at(c.data, int(bounds[count])) if count else b""
    return _strings_out(bounds, data, valid, scalar == _lib.BYTES)


def column_series(c):
    """A training-set column (fcat_column over the set's buffers) as a pandas
    Series: one copy of each buffer."""
    n = c.length
    t = c.type
    name = c.name.decode("utf-8", "surrogateescape")
    valid = _bits(c.validity, n)
    if not t.is_array:
        values = _values(c, t.scalar, n, c.offsets, valid)
        return scalar_series(t.scalar, values, valid, name)
    return pd.Series(_array_rows(c, n, valid), name=name, dtype=object)


def _array_rows(c, n, valid):
    """An array column's rows as an object array of numpy arrays (strings and
    bytes: lists); None for null rows."""
    t = c.type
    if t.dim:
        total = n * t.dim
        bounds = None
    else:
        bounds = _view(c.offsets, (n + 1) * 8, np.int64).copy() if n else np.zeros(1, np.int64)
        total = int(bounds[-1])
    items = _values(c, t.scalar, total, c.item_offsets, None)
    if t.scalar == _lib.TIMESTAMP:
        items = (items * 1000).view("M8[ns]")
    if t.dim:
        mat = items.reshape(n, t.dim)
        rows = _object_rows(n, mat.__getitem__)
    else:
        rows = _object_rows(n, lambda i: items[bounds[i]:bounds[i + 1]])
    if t.scalar in (_lib.STRING, _lib.BYTES):
        for i in range(n):
            rows[i] = list(rows[i])
    if valid is not None:
        rows[~valid] = None
    return rows


# --- values in: arrays of fcat_value ------------------------------------------

class ValueArray:
    """n fcat_value of one declared type, built column-wise from a sequence
    (list, numpy array or Series; None/NaN/NaT is null), with the buffers
    their strings and arrays point into."""

    def __init__(self, seq, t, what):
        self.keep = []
        s = seq if isinstance(seq, pd.Series) else pd.Series(list(seq), dtype=object) \
            if not isinstance(seq, np.ndarray) else pd.Series(seq)
        n = len(s)
        self.n = n
        a = np.zeros(n, _lib.VALUE_DTYPE)
        a["scalar"] = t.scalar
        a["is_array"] = t.is_array
        a["dim"] = t.dim
        isna = _isna(s, t)
        a["is_null"] = isna
        valid = ~isna
        try:
            if t.is_array:
                self._arrays(a, s, t, valid)
            elif t.scalar in (_lib.STRING, _lib.BYTES):
                self._texts(a, s, t, valid)
            elif t.scalar == _lib.TIMESTAMP:
                micros, ok = _micros_from_datetime(_as_datetime(s))
                a["i64"] = np.where(ok, micros, 0)
                a["is_null"] = ~ok
            elif t.scalar == _lib.BOOL:
                a["b"] = np.where(valid, s.where(valid, False).astype(bool), False)
            elif t.scalar == _lib.INT32:
                a["i32"] = _ints(s, valid, np.int32)
            elif t.scalar == _lib.INT64:
                a["i64"] = _ints(s, valid, np.int64)
            elif t.scalar == _lib.FLOAT32:
                a["f32"] = s.where(valid, 0).astype(np.float32)
            elif t.scalar == _lib.FLOAT64:
                a["f64"] = s.where(valid, 0).astype(np.float64)
        except (TypeError, ValueError, OverflowError) as e:
            raise InvalidRequest(f"{what}: expected {_lib.type_name(t)}: {e}") from None
        self.array = a

    @property
    def ptr(self):
        return self.array.ctypes.data if self.n else None

    def _hold(self, arr):
        arr = np.ascontiguousarray(arr)
        self.keep.append(arr)
        return arr.ctypes.data

    def _texts(self, a, s, t, valid):
        vals = s.to_numpy(dtype=object)
        want = bytes if t.scalar == _lib.BYTES else str
        for i in np.flatnonzero(valid):
            if not isinstance(vals[i], want):
                raise TypeError(f"row {i + 1} is {type(vals[i]).__name__} {vals[i]!r}")
        offsets, data = _encode_strings(vals, valid)
        base = self._hold(data) if data.size else self._hold(np.zeros(1, np.uint8))
        a["ptr"] = base + offsets[:-1].astype(np.uintp)
        a["len"] = np.diff(offsets).astype(np.uintp)

    def _arrays(self, a, s, t, valid):
        rows = s.to_numpy(dtype=object)
        lens = np.zeros(len(rows), np.int64)
        for i in np.flatnonzero(valid):
            lens[i] = len(rows[i])
        starts = np.concatenate(([0], np.cumsum(lens)[:-1])) if len(rows) else lens
        present = [rows[i] for i in np.flatnonzero(valid)]
        if t.scalar in (_lib.STRING, _lib.BYTES):
            items = [x for r in present for x in r]
            offsets, data = _encode_strings(np.array(items, dtype=object), None) \
                if items else (np.zeros(1, np.int64), np.zeros(1, np.uint8))
            base = self._hold(data if data.size else np.zeros(1, np.uint8))
            b = np.zeros(len(items), np.dtype([("ptr", np.uintp), ("len", np.uintp)]))
            b["ptr"] = base + offsets[:-1].astype(np.uintp)
            b["len"] = np.diff(offsets).astype(np.uintp)
            buf, size = b, b.dtype.itemsize
        else:
            dtype = {_lib.BOOL: np.bool_}.get(t.scalar, _NUMPY.get(t.scalar))
            if t.scalar == _lib.TIMESTAMP:
                flat = [_micros_from_datetime(pd.Series(list(r)))[0] for r in present]
                buf = np.concatenate(flat) if flat else np.zeros(0, np.int64)
            else:
                buf = np.concatenate([np.asarray(r, dtype=dtype).ravel() for r in present]) \
                    if present else np.zeros(0, dtype)
            size = np.dtype(dtype).itemsize
        base = self._hold(buf if len(buf) else np.zeros(1, np.uint8))
        a["ptr"] = np.where(valid, base + starts.astype(np.uintp) * size, 0)
        a["len"] = lens.astype(np.uintp)


def _isna(s, t):
    if t.is_array:
        return np.array([x is None or (isinstance(x, float) and np.isnan(x))
                         for x in s.to_numpy(dtype=object)], dtype=bool)
    return np.asarray(s.isna(), dtype=bool)


def _as_datetime(s):
    if pd.api.types.is_datetime64_any_dtype(s):
        return s
    if pd.api.types.is_numeric_dtype(s):
        return pd.to_datetime(s, unit="s", utc=True)
    return pd.to_datetime(s, utc=True)


def _ints(s, valid, np_type):
    v = s.where(valid, 0)
    if v.dtype == object:
        for x in v:
            if isinstance(x, float) and not x.is_integer():
                raise TypeError(f"{x!r} is not a whole number")
            if isinstance(x, (str, bytes)):
                raise TypeError(f"{x!r} is not a number")
    return _checked_ints(v.to_numpy(dtype=np.int64), np_type, s.name or "value")


# --- online results out --------------------------------------------------------

def feature_values(cells, t, name):
    """One feature of an online result (a column of fcat_feature_value, read
    while the result lives) as a pandas Series of the client's dtypes."""
    v = cells["value"]
    n = len(cells)
    status = cells["status"]
    valid = ~v["is_null"]
    valid_or_none = None if valid.all() else valid
    if t.is_array:
        size = np.dtype({_lib.BOOL: np.bool_}.get(t.scalar, _NUMPY.get(t.scalar, np.uintp))) \
            .itemsize
        rows = np.empty(n, dtype=object)
        for i in range(n):
            if not valid[i]:
                continue
            ln = int(v["len"][i])
            if t.scalar in (_lib.STRING, _lib.BYTES):
                b = _view(int(v["ptr"][i]), ln * ctypes.sizeof(_lib.Bytes),
                          np.dtype([("ptr", np.uintp), ("len", np.uintp)]))
                rows[i] = [_text(int(p), int(q), t.scalar) for p, q in zip(b["ptr"], b["len"])]
            elif t.scalar == _lib.BOOL:
                rows[i] = _view(int(v["ptr"][i]), ln, np.bool_).copy()
            else:
                items = _view(int(v["ptr"][i]), ln * size, _NUMPY[t.scalar]).copy()
                rows[i] = (items * 1000).view("M8[ns]") if t.scalar == _lib.TIMESTAMP \
                    else items
        return pd.Series(rows, name=name, dtype=object), status
    if t.scalar in (_lib.STRING, _lib.BYTES):
        arr = np.empty(n, dtype=object)
        for i in np.flatnonzero(valid):
            arr[i] = _text(int(v["ptr"][i]), int(v["len"][i]), t.scalar)
        return scalar_series(t.scalar, arr, valid_or_none, name), status
    field = {_lib.INT32: "i32", _lib.INT64: "i64", _lib.FLOAT32: "f32",
             _lib.FLOAT64: "f64", _lib.BOOL: "b", _lib.TIMESTAMP: "i64"}[t.scalar]
    return scalar_series(t.scalar, np.array(v[field]), valid_or_none, name), status


def _text(ptr, ln, scalar):
    b = ctypes.string_at(ptr, ln) if ln else b""
    return b if scalar == _lib.BYTES else b.decode("utf-8", "surrogateescape")


def to_python(x):
    """A cell of a client Series as the plain Python value of to_dict()."""
    if x is None or x is pd.NA or x is pd.NaT:
        return None
    if isinstance(x, float) and np.isnan(x):
        return None
    if isinstance(x, pd.Timestamp):
        return x.to_pydatetime()
    if isinstance(x, np.ndarray):
        if x.dtype.kind == "M":
            return [pd.Timestamp(i, tz="UTC").to_pydatetime() for i in x]
        return x.tolist()
    if isinstance(x, np.generic):
        return x.item()
    return x


def epoch_seconds(ts):
    """Feast's __ts column: event time as whole epoch seconds (0 when none)."""
    return int(ts // 1000000) if ts else 0


def utc(micros):
    return datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc) + \
        datetime.timedelta(microseconds=int(micros))
