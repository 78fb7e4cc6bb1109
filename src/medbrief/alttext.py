"""Alt text that says nothing: a file name, or a bare "image 3".

One rule for the deck parser (which refuses such alt text in slide HTML) and the deck
accessibility check (which reports it in a built .pptx, whoever made it).
"""

from __future__ import annotations

import re

_FILE_NAME = re.compile(
    r"\.(png|jpe?g|gif|bmp|tiff?|svg|webp|emf|wmf)$"
    r"|^(image|picture|img|photo|graphic)[\s_-]*\d*$",
    re.IGNORECASE,
)


def meaningless_alt(alt: str, src: str = "") -> bool:
    """Whether ``alt`` is empty, a file name (``src``'s own included) or a bare "image N"."""
    alt = " ".join(alt.split())
    return not alt or bool(_FILE_NAME.search(alt)) or (bool(src) and alt == src.rsplit("/", 1)[-1])
