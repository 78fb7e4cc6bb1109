"""An organisation's .pptx master is an untrusted zip: checked before anything unpacks it.

:func:`inspect_master` reads only the zip's central directory and a few small XML parts
(never python-pptx): the number of parts, the sum and the ratio of their uncompressed sizes
(a 1.6 MB "zip bomb" that unpacks to 1.5 GB is refused in milliseconds), the content type
(a .potx template is not a presentation), relationships to anything outside the package
(``TargetMode="External"``: tracking pixels, ``file://`` shares), and the names of its
layouts.  Used once when the theme is loaded (errors located at the theme's line) and again,
as a guard, by the deck writer.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from lxml import etree

MAX_MASTER_BYTES = 50_000_000
"""Largest master file accepted (compressed, on disk)."""

MAX_PARTS = 2_000
"""Most parts (zip entries) in a master; real masters have tens to a few hundred."""

MAX_UNPACKED_BYTES = 200_000_000
"""Most bytes all parts may unpack to together."""

MAX_RATIO = 200
"""Most a part may expand by (uncompressed / compressed), for parts over 1 MB unpacked."""

MAIN_PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
MAIN_POTX = "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml"
MAX_XML_PART = 5_000_000
"""Largest XML part read to find layout names and external relationships."""

_LAYOUT = re.compile(r"^ppt/slideLayouts/slideLayout\d+\.xml$")
_P = "http://schemas.openxmlformats.org/presentationml/2006/main"


class MasterProblem(ValueError):
    """Why a master is refused: ``message`` and ``hint`` (the caller adds the location)."""

    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.message, self.hint = message, hint


@dataclass(frozen=True)
class MasterInfo:
    layouts: tuple[str, ...]
    """Layout names, in part order."""


RESAVE = "open it in PowerPoint and save it again as a .pptx presentation"


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _check_sizes(infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_PARTS:
        raise MasterProblem(
            f"master has {len(infos):,} parts; the limit is {MAX_PARTS:,}",
            "save a master with only its layouts and theme",
        )
    total = sum(i.file_size for i in infos)
    if total > MAX_UNPACKED_BYTES:
        raise MasterProblem(
            f"master unpacks to {total:,} bytes; the limit is {MAX_UNPACKED_BYTES:,}",
            "remove large pictures, videos and slides from the master and save it again",
        )
    for info in infos:
        ratio = info.file_size // max(info.compress_size, 1)
        if info.file_size > 1_000_000 and ratio > MAX_RATIO:
            raise MasterProblem(
                f"master part {info.filename!r} expands {ratio:,} times when unpacked; the "
                f"limit is {MAX_RATIO} (a zip bomb?)",
                "save the master again from PowerPoint",
            )


def _read(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    if info.file_size > MAX_XML_PART:
        raise MasterProblem(
            f"master part {info.filename!r} is {info.file_size:,} bytes; the "
            f"limit for XML parts is {MAX_XML_PART:,}",
            RESAVE,
        )
    return z.read(info)


def _external_targets(z: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    for info in infos:
        if not info.filename.endswith(".rels"):
            continue
        try:
            root = etree.fromstring(_read(z, info), _parser())
        except etree.XMLSyntaxError as e:
            raise MasterProblem(
                f"master part {info.filename!r} is not well-formed XML: {e}", RESAVE
            ) from None
        for rel in root:
            if str(rel.get("TargetMode", "")).lower() == "external":
                target = str(rel.get("Target", ""))
                shown = target if len(target) <= 80 else target[:77] + "..."
                raise MasterProblem(
                    f"master links to something outside it ({shown!r}, in "
                    f"{info.filename}); linked pictures, tracking images and file shares "
                    "are refused",
                    "in PowerPoint, embed linked pictures (or delete them) and remove "
                    "hyperlinks from the master's layouts, then save it again",
                )


def _layout_names(z: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> tuple[str, ...]:
    names = []
    parts = sorted(
        (i for i in infos if _LAYOUT.match(i.filename)),
        key=lambda i: int(re.sub(r"\D", "", i.filename.rsplit("/", 1)[1]) or 0),
    )
    for info in parts:
        try:
            root = etree.fromstring(_read(z, info), _parser())
        except etree.XMLSyntaxError as e:
            raise MasterProblem(
                f"master part {info.filename!r} is not well-formed XML: {e}", RESAVE
            ) from None
        c_sld = root.find(f"{{{_P}}}cSld")
        names.append(c_sld.get("name", "") if c_sld is not None else "")
    return tuple(names)


def inspect_master(data: bytes) -> MasterInfo:
    """Check a master's bytes (see the module doc); raise :class:`MasterProblem`."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            _check_sizes(infos)
            try:
                types = _read(z, z.getinfo("[Content_Types].xml"))
            except KeyError:
                raise MasterProblem(
                    "master is not a PowerPoint presentation (the zip has no [Content_Types].xml)",
                    RESAVE,
                ) from None
            if MAIN_POTX.encode() in types:
                raise MasterProblem(
                    "master is a PowerPoint template (.potx), not a presentation",
                    "open it in PowerPoint and save it as a .pptx presentation",
                )
            if MAIN_PPTX.encode() not in types:
                raise MasterProblem("master is not a PowerPoint presentation", RESAVE)
            _external_targets(z, infos)
            return MasterInfo(_layout_names(z, infos))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as e:
        if isinstance(e, MasterProblem):
            raise
        raise MasterProblem(
            f"master is not a PowerPoint file (not a valid .pptx zip: {e})", RESAVE
        ) from None
    except (NotImplementedError, RuntimeError, OSError) as e:  # odd compression, encryption
        raise MasterProblem(f"master cannot be unpacked: {e}", RESAVE) from None
