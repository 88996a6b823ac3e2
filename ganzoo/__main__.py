"""``python -m ganzoo`` is the ``ganzoo`` command."""

import sys

from ganzoo.cli import main

sys.exit(main())
