"""`python -m noc_app` is the same as the `noc-app` command."""

import sys

from noc_app.cli import main

sys.exit(main())
