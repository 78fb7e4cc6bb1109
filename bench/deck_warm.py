#!/usr/bin/env python3
"""Target: a warm deck write (fonts instanced, modules loaded) takes under 0.3 s.

    python bench/deck_warm.py        # prints the best of 5 warm writes of the sample deck

Moved here from the unit tests, where a wall-clock limit flaked on a loaded machine; the
tests check instead that a warm write loads no font again.  Exit status 1 if the target is
missed.
"""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from deck_fixtures import sample_deck, style  # noqa: E402
from medbrief.deck.pptx_writer import write_pptx  # noqa: E402

TARGET_SECONDS = 0.3


def main() -> int:
    deck = sample_deck()
    write_pptx(deck, style(), io.BytesIO())  # warm up
    times = []
    for _ in range(5):
        start = time.perf_counter()
        write_pptx(deck, style(), io.BytesIO())
        times.append(time.perf_counter() - start)
    best = min(times)
    print(
        f"warm deck write (14 slides): best {best:.3f} s of {len(times)}; target {TARGET_SECONDS} s"
    )
    return 0 if best < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
