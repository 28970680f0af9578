from __future__ import annotations

import sys

from journal_site.cli import main

sys.exit(main())
