"""actionlogkit: record and query integration action logs, the same on every storage backend."""

from actionlogkit._action import ActionSpec
from actionlogkit._default import action, configure, get_recorder
from actionlogkit._handle import Action
from actionlogkit._recorder import Recorder, RecorderStats
from actionlogkit._registry import available_schemes, open_store
from actionlogkit._sources import Call
from actionlogkit.errors import (
    ActionLogKitError,
    ConfigurationError,
    Conflict,
    FieldError,
    InvalidQuery,
    InvalidRecord,
    NoResult,
    NotFound,
    StoreError,
)
from actionlogkit.memory import MemoryStore
from actionlogkit.models import ActionLog, ActionLogInput, ActionType, Page, Status
from actionlogkit.query import Query, parse_query
from actionlogkit.store import Store

__all__ = [
    "Action",
    "ActionLog",
    "ActionLogInput",
    "ActionLogKitError",
    "ActionSpec",
    "ActionType",
    "Call",
    "ConfigurationError",
    "Conflict",
    "FieldError",
    "InvalidQuery",
    "InvalidRecord",
    "MemoryStore",
    "NoResult",
    "NotFound",
    "Page",
    "Query",
    "Recorder",
    "RecorderStats",
    "Status",
    "Store",
    "StoreError",
    "__version__",
    "action",
    "available_schemes",
    "configure",
    "get_recorder",
    "open_store",
    "parse_query",
]

__version__ = "0.1.0"
