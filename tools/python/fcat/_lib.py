"""_lib.py - finds and loads libfcat with ctypes, and mirrors the structs and
prototypes of core/include/fcat.h that the client uses.

Where libfcat is looked for, first hit wins:

1. ``$FCAT_LIBRARY``: the path of the shared library (``.../libfcat.so``);
   set, it must load (no silent fallback to another copy);
2. next to the package: ``libfcat.so*`` in the ``fcat`` package directory or
   the directory that holds it (where an install copies the library beside
   the package);
3. the build tree of the repository this package sits in:
   ``build/release/libfcat.so`` (``tools/python/fcat`` -> the repository root);
   an ASan build is never picked here: loading it into python needs
   ``LD_PRELOAD`` of libasan, so point ``$FCAT_LIBRARY`` at it on purpose;
4. the system loader: ``libfcat.so.0`` (``ldconfig``, ``$LD_LIBRARY_PATH``).

The structs below repeat fcat.h field for field (their ``size`` or
``version`` fields are set from ``ctypes.sizeof``); the numpy dtypes of
``fcat_value`` and ``fcat_feature_value`` are derived from the ctypes layout
so that arrays of them can be built and read in bulk.
"""

import ctypes
import glob
import os

import numpy as np

# --- error codes and enums (fcat.h) ----------------------------------------
FCAT_ERROR = -1
FCAT_ENOTFOUND = -3
FCAT_EEXISTS = -4
FCAT_EINVALID = -5
FCAT_EVERSION = -6
FCAT_ETIMEOUT = -7
FCAT_ENOMEM = -8
FCAT_EIO = -9
FCAT_EDENIED = -10
FCAT_EUSAGE = -11

INT32, INT64, FLOAT32, FLOAT64, STRING, BYTES, BOOL, TIMESTAMP = range(1, 9)

OBJ_ENTITY, OBJ_SOURCE, OBJ_VIEW, OBJ_ON_DEMAND_VIEW, OBJ_SERVICE = range(5)
OBJ_FEATURE, OBJ_PUSH_SOURCE = 5, 6

CATALOG_APPLIED, CATALOG_COMMIT, CATALOG_WORKTREE = 0, 1, 2

PUSH_ONLINE, PUSH_OFFLINE, PUSH_ONLINE_AND_OFFLINE = 0, 1, 2

FCAT_OPEN_OPTIONS_VERSION = 1

# --- structs ---------------------------------------------------------------
c_size = ctypes.c_size_t
c_ptr = ctypes.c_void_p


class Type(ctypes.Structure):
    _fields_ = [("scalar", ctypes.c_int), ("is_array", ctypes.c_bool), ("dim", ctypes.c_uint32)]


class Bytes(ctypes.Structure):
    _fields_ = [("ptr", c_ptr), ("len", c_size)]


class _Array(ctypes.Structure):
    _fields_ = [("items", c_ptr), ("len", c_size)]


class _ValueUnion(ctypes.Union):
    _fields_ = [
        ("i32", ctypes.c_int32),
        ("i64", ctypes.c_int64),
        ("f32", ctypes.c_float),
        ("f64", ctypes.c_double),
        ("b", ctypes.c_bool),
        ("ts", ctypes.c_int64),
        ("str", Bytes),
        ("array", _Array),
    ]


class Value(ctypes.Structure):
    _fields_ = [("type", Type), ("is_null", ctypes.c_bool), ("u", _ValueUnion)]


class FeatureValue(ctypes.Structure):
    _fields_ = [
        ("value", Value),
        ("status", ctypes.c_int),
        ("event_ts", ctypes.c_int64),
        ("stale_version", ctypes.c_bool),
    ]


class Column(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("type", Type),
        ("length", c_size),
        ("validity", c_ptr),
        ("values", c_ptr),
        ("offsets", c_ptr),
        ("item_offsets", c_ptr),
        ("data", c_ptr),
    ]


class OpenOptions(ctypes.Structure):
    _fields_ = [
        ("version", ctypes.c_uint),
        ("catalog", ctypes.c_int),
        ("commit", ctypes.c_char_p),
        ("principal", ctypes.c_char_p),
    ]


class ReadOptions(ctypes.Structure):
    _fields_ = [
        ("size", c_size),
        ("principal", ctypes.c_char_p),
        ("now", ctypes.c_int64),
        ("request", c_ptr),
    ]


class PushColumn(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("values", c_ptr)]


class PushOptions(ctypes.Structure):
    _fields_ = [("size", c_size), ("principal", ctypes.c_char_p), ("to", ctypes.c_int)]


class PushStats(ctypes.Structure):
    _fields_ = [
        ("rows", ctypes.c_uint64),
        ("views", c_size),
        ("keys_written", ctypes.c_uint64),
        ("rows_appended", ctypes.c_uint64),
        ("seconds", ctypes.c_double),
    ]


class HistoricalStats(ctypes.Structure):
    _fields_ = [("rows", c_size), ("features", c_size), ("pushed_down", c_size)]


class HistoricalOptions(ctypes.Structure):
    _fields_ = [("size", c_size), ("principal", ctypes.c_char_p), ("full_names", ctypes.c_bool)]


class MaterializeStats(ctypes.Structure):
    _fields_ = [
        ("views", c_size),
        ("rows_read", ctypes.c_uint64),
        ("rows_skipped", ctypes.c_uint64),
        ("keys_written", ctypes.c_uint64),
        ("seconds", ctypes.c_double),
    ]


def _offset(struct, *path):
    """The byte offset of a nested field: _offset(Value, "u", "str", "len")."""
    off = 0
    for name in path:
        field = getattr(struct, name)
        off += field.offset
        struct = dict(struct._fields_)[name]
    return off


def _value_dtype():
    """A numpy dtype laid out as fcat_value, with the union's members as
    overlapping fields, so an array of values is filled or read column-wise."""
    u = _offset(Value, "u")
    fields = {
        "scalar": (np.int32, _offset(Value, "type", "scalar")),
        "is_array": (np.bool_, _offset(Value, "type", "is_array")),
        "dim": (np.uint32, _offset(Value, "type", "dim")),
        "is_null": (np.bool_, _offset(Value, "is_null")),
        "i32": (np.int32, u),
        "i64": (np.int64, u),
        "f32": (np.float32, u),
        "f64": (np.float64, u),
        "b": (np.bool_, u),
        "ptr": (np.uintp, u + _offset(Bytes, "ptr")),
        "len": (np.uintp, u + _offset(Bytes, "len")),
    }
    return np.dtype({
        "names": list(fields),
        "formats": [f[0] for f in fields.values()],
        "offsets": [f[1] for f in fields.values()],
        "itemsize": ctypes.sizeof(Value),
    })


VALUE_DTYPE = _value_dtype()


def _feature_value_dtype():
    return np.dtype({
        "names": ["value", "status", "event_ts", "stale_version"],
        "formats": [VALUE_DTYPE, np.int32, np.int64, np.bool_],
        "offsets": [FeatureValue.value.offset, FeatureValue.status.offset,
                    FeatureValue.event_ts.offset, FeatureValue.stale_version.offset],
        "itemsize": ctypes.sizeof(FeatureValue),
    })


FEATURE_VALUE_DTYPE = _feature_value_dtype()

# --- finding and loading the library ---------------------------------------
_here = os.path.dirname(os.path.abspath(__file__))


def _candidates():
    env = os.environ.get("FCAT_LIBRARY")
    if env:
        return [env], True
    found = []
    for d in (_here, os.path.dirname(_here)):
        found += sorted(glob.glob(os.path.join(d, "libfcat.so*")))
    root = os.path.dirname(os.path.dirname(os.path.dirname(_here)))
    found.append(os.path.join(root, "build", "release", "libfcat.so"))
    return [p for p in found if os.path.exists(p)] + ["libfcat.so.0", "libfcat.so"], False


def _load():
    paths, explicit = _candidates()
    errors = []
    for path in paths:
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            if explicit:
                raise ImportError(f"fcat: cannot load $FCAT_LIBRARY={path}: {e}") from None
            errors.append(f"{path}: {e}")
    raise ImportError("fcat: libfcat not found; build it (cmake --build build/release) or "
                      "set FCAT_LIBRARY to the path of libfcat.so. Tried:\n  " +
                      "\n  ".join(errors))


lib, path = _load()

_P = ctypes.POINTER
_pp = _P(c_ptr)
_charpp = _P(ctypes.c_char_p)
_int, _bool, _i64, _str = ctypes.c_int, ctypes.c_bool, ctypes.c_int64, ctypes.c_char_p

_PROTOTYPES = {
    # name: (restype, argtypes)
    "fcat_error_last": (_str, []),
    "fcat_strerror": (_str, [_int]),
    "fcat_free": (None, [c_ptr]),
    "fcat_version": (_str, []),
    "fcat_type_format": (_int, [ctypes.c_char_p, c_size, Type]),
    "fcat_status_name": (_str, [_int]),
    "fcat_type_parse": (_int, [_P(Type), _str]),
    "fcat_timestamp_parse": (_int, [_P(ctypes.c_int64), ctypes.c_char_p, c_size]),
    "fcat_object_describe_json": (_int, [_pp, c_ptr, _bool]),
    "fcat_store_open_ext": (_int, [_pp, _str, _P(OpenOptions)]),
    "fcat_store_free": (None, [c_ptr]),
    "fcat_store_catalog": (c_ptr, [c_ptr]),
    "fcat_store_principal": (_str, [c_ptr]),
    "fcat_store_root": (_str, [c_ptr]),
    "fcat_store_may_describe": (_bool, [c_ptr, c_ptr]),
    "fcat_store_describe_json": (_int, [_pp, c_ptr, c_ptr, _bool]),
    "fcat_catalog_commit": (_str, [c_ptr]),
    "fcat_catalog_count": (c_size, [c_ptr, _int]),
    "fcat_catalog_at": (c_ptr, [c_ptr, _int, c_size]),
    "fcat_catalog_lookup": (_int, [_pp, c_ptr, _str]),
    "fcat_object_name": (_str, [c_ptr]),
    "fcat_source_column_count": (c_size, [c_ptr]),
    "fcat_source_column_name": (_str, [c_ptr, c_size]),
    "fcat_source_column_type": (Type, [c_ptr, c_size]),
    # progress callbacks are not used: NULL (c_void_p None)
    "fcat_materialize": (_int, [_P(MaterializeStats), c_ptr, _i64, _i64, _charpp, c_size,
                                c_ptr, c_ptr]),
    "fcat_materialize_incremental": (_int, [_P(MaterializeStats), c_ptr, _i64, _charpp,
                                            c_size, c_ptr, c_ptr]),
    "fcat_feature_set_new": (_int, [_pp, c_ptr, _charpp, c_size]),
    "fcat_feature_set_for_service": (_int, [_pp, c_ptr, _str]),
    "fcat_feature_set_free": (None, [c_ptr]),
    "fcat_feature_set_count": (c_size, [c_ptr]),
    "fcat_feature_set_feature": (c_ptr, [c_ptr, c_size]),
    "fcat_feature_set_key_count": (c_size, [c_ptr]),
    "fcat_feature_set_key_name": (_str, [c_ptr, c_size]),
    "fcat_feature_set_key_type": (Type, [c_ptr, c_size]),
    "fcat_feature_set_request_count": (c_size, [c_ptr]),
    "fcat_feature_set_request_name": (_str, [c_ptr, c_size]),
    "fcat_feature_set_request_type": (Type, [c_ptr, c_size]),
    "fcat_feature_type": (Type, [c_ptr]),
    "fcat_feature_view": (c_ptr, [c_ptr]),
    "fcat_online_result_new": (_int, [_pp]),
    "fcat_online_result_free": (None, [c_ptr]),
    "fcat_online_result_rows": (c_size, [c_ptr]),
    "fcat_online_result_values": (c_ptr, [c_ptr]),
    "fcat_online_read": (_int, [c_ptr, c_ptr, c_ptr, c_ptr, c_size, _P(ReadOptions)]),
    "fcat_push": (_int, [_P(PushStats), c_ptr, _str, _P(PushColumn), c_size, c_size,
                         _P(PushOptions)]),
    "fcat_get_historical_columns": (_int, [_pp, _P(HistoricalStats), c_ptr, _P(Column),
                                           c_size, _charpp, c_size, _str,
                                           _P(HistoricalOptions)]),
    "fcat_training_set_free": (None, [c_ptr]),
    "fcat_training_set_rows": (c_size, [c_ptr]),
    "fcat_training_set_column_count": (c_size, [c_ptr]),
    "fcat_training_set_column": (_int, [_P(Column), c_ptr, c_size]),
    "fcat_training_set_catalog_commit": (_str, [c_ptr]),
    "fcat_training_set_meta_json": (_int, [_pp, c_ptr]),
}

for _name, (_res, _args) in _PROTOTYPES.items():
    try:
        _fn = getattr(lib, _name)
    except AttributeError:
        raise ImportError(f"fcat: {path} has no {_name}: the library is older than this "
                          "package; rebuild it") from None
    _fn.restype = _res
    _fn.argtypes = _args


def take_string(ptr):
    """The text of a `char *` libfcat handed over, released with fcat_free."""
    if not ptr:
        return ""
    try:
        return ctypes.string_at(ptr).decode("utf-8", "replace")
    finally:
        lib.fcat_free(ptr)


def cstr(s):
    """A Python str (or None) as the bytes a `const char *` takes."""
    return None if s is None else os.fsencode(s) if isinstance(s, os.PathLike) else \
        s.encode("utf-8") if isinstance(s, str) else bytes(s)


def strarray(items):
    """A `const char *const *` of the items, and the length."""
    arr = (ctypes.c_char_p * max(len(items), 1))(*[cstr(s) for s in items])
    return arr, len(items)


def type_name(t):
    buf = ctypes.create_string_buffer(64)
    lib.fcat_type_format(buf, 64, t)
    return buf.value.decode()
