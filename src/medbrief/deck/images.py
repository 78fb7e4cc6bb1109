"""Pictures of a deck: where their files are, and their proportions (read with Pillow).

Shared by the .pptx writer and the slides-with-notes HTML, so both place a picture alike;
python-pptx is not needed here.
"""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

from PIL import Image as PILImage

from medbrief.assets import MAX_IMAGE_BYTES
from medbrief.errors import ContentError, Location, RenderError
from medbrief.safefile import UnsafeFile, checked_path, read_file


class Images:
    """Resolves picture sources inside ``root`` and knows their proportions."""

    def __init__(self, root: Path, template: str):
        self.root = Path(root).resolve()
        self.template = template
        self._aspects: dict[str, float] = {}

    def path(self, src: str) -> Path:
        if src.startswith("file:"):  # what a template's asset() helper gives
            path = Path(url2pathname(urlparse(src).path)).resolve()
        else:
            path = (self.root / src).resolve()
        try:  # a regular file inside the project: no link out, no FIFO, no device
            return checked_path(path, [self.root], Location(self.template), self.root)
        except UnsafeFile as e:
            said = {"outside": f"is outside {self.root}", "missing": "not found"}
            raise self._error(
                src,
                said.get(e.reason, e.message),
                f"pictures must be files in the project; {e.hint}",
            ) from None

    def aspect(self, src: str) -> float:
        if src not in self._aspects:
            path = self.path(src)
            try:
                data = read_file(path, [self.root], MAX_IMAGE_BYTES, Location(self.template))
            except ContentError as e:
                raise self._error(src, e.message, e.hint) from None
            try:
                with PILImage.open(io.BytesIO(data)) as image:
                    width, height = image.size
            except Exception as e:  # noqa: BLE001 - Pillow parsing an untrusted file can
                # raise nearly anything (OSError, ValueError, ZeroDivisionError on an empty
                # EMF frame, struct.error, DecompressionBombError…): all mean "not a picture"
                raise self._error(
                    src, f"cannot be read as a picture ({e})", "use a PNG, JPEG or GIF file"
                ) from e
            self._aspects[src] = width / height if width and height else 1.0
        return self._aspects[src]

    def _error(self, src: str, problem: str, hint: str) -> RenderError:
        return RenderError(
            f'picture "{src}" {problem}', hint=hint, location=Location(self.template)
        )
