"""`python -m monitor.cli`: the `monitor` command."""

import sys

from monitor.cli.entry import main

sys.exit(main())
