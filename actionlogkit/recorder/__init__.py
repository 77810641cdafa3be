"""The recorder: one decorator and context manager that records any integration call.

``Recorder(store).action(...)`` (or ``actionlogkit.action(...)`` on the module-level recorder)
times a call and records its status, ``executionTime``, retries, error, payload and response.
The public names are importable from :mod:`actionlogkit` itself; see ``docs/recorder.md``.
"""

from actionlogkit.recorder._action import Action
from actionlogkit.recorder._call import Call
from actionlogkit.recorder._default import action, configure, get_recorder, using_recorder
from actionlogkit.recorder._lifespan import recorder_lifespan, shutdown
from actionlogkit.recorder._options import ActionOptions
from actionlogkit.recorder._recorder import Recorder
from actionlogkit.recorder._retry import RetryPolicy
from actionlogkit.recorder._spec import ActionSpec
from actionlogkit.recorder._tally import RecorderStats

__all__ = [
    "Action",
    "ActionOptions",
    "ActionSpec",
    "Call",
    "Recorder",
    "RecorderStats",
    "RetryPolicy",
    "action",
    "configure",
    "get_recorder",
    "recorder_lifespan",
    "shutdown",
    "using_recorder",
]
