"""狮吼直播控制台 — run ``python main.py --help``."""

import sys

from console.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
