"""actionlogkit: record and query integration action logs, the same on every storage backend."""

from actionlogkit._registry import available_schemes, open_store
from actionlogkit._version import __version__
from actionlogkit.errors import (
    ActionLogKitError,
    ActionLogKitWarning,
    ConfigurationError,
    Conflict,
    FieldError,
    InvalidQuery,
    InvalidRecord,
    MissingStore,
    NoResult,
    NotFound,
    StoreError,
    StoreTimeout,
    Unsupported,
)
from actionlogkit.memory import MemoryStore
from actionlogkit.models import ActionLog, ActionLogInput, ActionType, Page, Status
from actionlogkit.query import Query, parse_query
from actionlogkit.recorder import (
    Action,
    ActionOptions,
    ActionSpec,
    Call,
    Recorder,
    RecorderStats,
    RetryPolicy,
    action,
    configure,
    get_recorder,
    recorder_lifespan,
    shutdown,
    using_recorder,
)
from actionlogkit.stats import ExecutionTimeStats, Stats, StatsGroup
from actionlogkit.store import Store

__all__ = [
    "Action",
    "ActionLog",
    "ActionLogInput",
    "ActionLogKitError",
    "ActionLogKitWarning",
    "ActionOptions",
    "ActionSpec",
    "ActionType",
    "Call",
    "ConfigurationError",
    "Conflict",
    "ExecutionTimeStats",
    "FieldError",
    "InvalidQuery",
    "InvalidRecord",
    "MemoryStore",
    "MissingStore",
    "NoResult",
    "NotFound",
    "Page",
    "Query",
    "Recorder",
    "RecorderStats",
    "RetryPolicy",
    "Stats",
    "StatsGroup",
    "Status",
    "Store",
    "StoreError",
    "StoreTimeout",
    "Unsupported",
    "__version__",
    "action",
    "available_schemes",
    "configure",
    "get_recorder",
    "open_store",
    "parse_query",
    "recorder_lifespan",
    "shutdown",
    "using_recorder",
]
