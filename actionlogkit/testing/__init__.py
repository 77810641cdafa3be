"""The test kit of actionlogkit: public API for backends and for users' own tests.

- :class:`StoreContract`: the behavioural contract of a store, as a pytest mixin.
- :func:`assert_same_results`: the differential check of two stores on the same data.
- :func:`assert_logged`: assert what a store holds, with a message showing what it holds instead.
- :func:`run_matrix`: the query matrix (every operator, operand class and stored shape) on a
  store, compared with ``MemoryStore``; :class:`Exclusion` names a known difference of a stand-in.
- :mod:`actionlogkit.testing.strategies`: Hypothesis strategies for records and queries.
- The pytest plugin (installed with the package): the ``actionlog_store`` and
  ``actionlog_recorder`` fixtures and the ``--actionlog-store URL`` option.

Needs ``pytest`` (and ``hypothesis`` for the strategies and the differential test):
``pip install 'actionlogkit[testing]'``.
"""

from actionlogkit.testing._assertions import assert_logged
from actionlogkit.testing._contract import StoreContract
from actionlogkit.testing._differential import assert_same_results, canonical, load_dataset
from actionlogkit.testing._matrix import (
    SHAPES,
    Cell,
    Exclusion,
    MatrixReport,
    matrix_records,
    queries,
    run_matrix,
)

__all__ = [
    "SHAPES",
    "Cell",
    "Exclusion",
    "MatrixReport",
    "StoreContract",
    "assert_logged",
    "assert_same_results",
    "canonical",
    "load_dataset",
    "matrix_records",
    "queries",
    "run_matrix",
]
