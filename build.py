#!/usr/bin/env python3
"""Build every document into output/.  `python build.py --help` lists the options."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from medbrief.cli import run  # noqa: E402

if __name__ == "__main__":
    run()
