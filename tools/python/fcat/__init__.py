"""fcat - the Python client of fcat, a governed feature store in C.

Feast's shape over libfcat, loaded with ctypes (no compiled extension: it
needs nothing but the shared library, numpy and pandas)::

    from fcat import FeatureStore

    store = FeatureStore(repo_path=".", principal="alice")
    training_df = store.get_historical_features(
        entity_df=entity_df,   # user_id, event_timestamp, labels...
        features=["user_features:total_conversations", "user_features:avg_response_rating"],
    ).to_df()
    online = store.get_online_features(
        features=["user_features:total_conversations"],
        entity_rows=[{"user_id": "u0001"}],
    ).to_dict()

libfcat is found (first hit wins) through ``$FCAT_LIBRARY`` (the path of
libfcat.so), next to this package (``libfcat.so*`` in its directory or the
one above), in the build tree of the repository it sits in
(``build/release/libfcat.so``), then by the system loader (``libfcat.so.0``).
``fcat.library_path`` says which one was loaded. Plugins are found by the
library itself (``$FCAT_PLUGIN_PATH``, its build tree, its install prefix).
"""

from ._errors import DefinitionError, FcatError, InvalidRequest, NotFound, PolicyDenied
from ._lib import path as library_path
from .store import (FeatureService, FeatureStore, FeatureView, Field, MaterializeStats,
                    OnlineResponse, PushMode, PushStats, RetrievalJob)

from . import _lib as _l

__version__ = _l.lib.fcat_version().decode()

__all__ = [
    "FeatureStore", "RetrievalJob", "OnlineResponse", "PushMode", "FeatureView",
    "FeatureService", "Field", "MaterializeStats", "PushStats", "FcatError",
    "PolicyDenied", "DefinitionError", "NotFound", "InvalidRequest", "library_path",
]
