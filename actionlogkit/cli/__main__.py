"""``python -m actionlogkit.cli``: the command line, as the ``actionlogkit`` script runs it."""

import sys

from actionlogkit.cli import main

sys.exit(main())
