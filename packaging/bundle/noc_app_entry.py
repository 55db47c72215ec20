"""PyInstaller entry point of the frozen bundle: the same as the `noc-app` command."""

import sys

from noc_app.cli import main

sys.exit(main())
