"""``python -m nbtrail.cli``."""

import sys

from nbtrail.cli import main

sys.exit(main())
