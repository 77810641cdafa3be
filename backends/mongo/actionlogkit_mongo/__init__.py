"""The MongoDB backend of actionlogkit: :class:`MongoStore`, opened for ``mongodb://`` URLs.

``open_store("mongodb://127.0.0.1:27017/app")`` finds it through the ``actionlogkit.backends``
entry point; importing :mod:`actionlogkit` alone never imports pymongo.
"""

from actionlogkit_mongo._store import (
    DEFAULT_COLLECTION,
    DEFAULT_SERVER_SELECTION_TIMEOUT,
    INDEXES,
    MongoStore,
)

__all__ = ["DEFAULT_COLLECTION", "DEFAULT_SERVER_SELECTION_TIMEOUT", "INDEXES", "MongoStore"]
