"""What a colour is, once: ``#`` and six hex digits (the theme, the deck style, the checks)."""

from __future__ import annotations

import re

HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
HEX_PATTERN = "^#[0-9a-fA-F]{6}$"
"""The same rule as a JSON Schema pattern."""
EXAMPLE = "#1f4e79"


def is_hex_colour(value: object) -> bool:
    return isinstance(value, str) and HEX_COLOUR.fullmatch(value) is not None
