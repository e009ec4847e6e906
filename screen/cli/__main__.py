"""``python -m screen.cli``: the same as the ``interlayer`` command."""

import sys

from screen.cli.app import main

sys.exit(main())
