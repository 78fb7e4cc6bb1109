"""The files a theme names, validated once, when the project is loaded.

A theme is untrusted: its logo, its organisation's .pptx master and its deck measuring fonts
are files from another organisation.  Each is resolved inside ``content/`` and read through
:func:`medbrief.safefile.read_file`, then checked completely -- the logo decoded, the
master's zip inspected without unpacking it (:mod:`medbrief.deck.package`), the fonts parsed
table by table with fontTools -- so that every problem is a located content error
(``content/theme.yaml:LINE:COL: field: message``, exit status 2) before any document is
built, never an engine's exception in the middle of a build.  Template names in the plan are
checked here too, located at their line of ``content/documents.yaml``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import fonts
from .assets import check_image
from .errors import ContentError, Location, MedbriefError, Problem
from .paths import project_file
from .safefile import checked_path, read_file

if TYPE_CHECKING:
    from .model import Plan, Theme
    from .yamlload import Document

MAX_FONT_BYTES = 30_000_000
"""Largest measuring-font file accepted."""

OUTLINE_TABLES = {"glyf", "loca", "gvar", "CFF ", "CFF2", "GlyphOrder"}
"""Large tables not decompiled at load (their extent in the file is still checked)."""

FSTYPE_RESTRICTED = 0x0002
FSTYPE_BITMAP_ONLY = 0x0200


@dataclass(frozen=True)
class ThemeFiles:
    """Checked, real paths of the files a theme names (None when it names none)."""

    logo: Path | None = None
    master: Path | None = None
    layouts: tuple[str, ...] = ()
    """The master's layout names (empty for the built-in master)."""
    font_regular: Path | None = None
    font_bold: Path | None = None


def font_problem(data: bytes) -> tuple[str, str] | None:
    """Why font bytes cannot measure deck text (or be embedded), or None.

    Every table is decompiled now, so a truncated or damaged font fails here, at load, and
    not halfway through a deck.  The OS/2 ``fsType`` licence field must allow embedding: a
    measuring font is embedded in the slides-with-notes PDF.
    """
    from fontTools.ttLib import TTFont

    try:
        font = TTFont(io.BytesIO(data), lazy=True)
        for tag, entry in font.reader.tables.items():  # a truncated file ends inside a table
            if entry.offset + entry.length > len(data):
                return (
                    f"font is truncated: its {tag.strip()} table ends at byte "
                    f"{entry.offset + entry.length:,} of {len(data):,}",
                    "use the font's .ttf or .otf file as the foundry ships it",
                )
        for tag in font.keys():  # noqa: SIM118 - every table but the outlines (never measured)
            if tag not in OUTLINE_TABLES:
                _ = font[tag]  # decompiles it
        missing = [t for t in ("head", "hhea", "hmtx", "cmap") if t not in font]
        if missing:
            return (
                f"font has no {', '.join(missing)} table, so text cannot be measured",
                "use the font's ordinary .ttf or .otf file",
            )
        cmap = font.getBestCmap() or {}
        if not cmap:
            return "font maps no characters", "use the font's ordinary .ttf or .otf file"
        fs_type = font["OS/2"].fsType if "OS/2" in font else 0
    except Exception as e:  # noqa: BLE001 - fontTools raises many kinds on damaged fonts
        said = str(e).strip().splitlines()[0][:200] if str(e).strip() else type(e).__name__
        return (
            f"not a complete TrueType/OpenType font ({said})",
            "use the font's .ttf or .otf file as the foundry ships it (it may be "
            "truncated or damaged)",
        )
    if fs_type & FSTYPE_RESTRICTED or fs_type & FSTYPE_BITMAP_ONLY:
        return (
            f"the font's licence field (OS/2 fsType {fs_type:#06x}) does not allow "
            "embedding it in a PDF",
            "use a font whose licence allows embedding",
        )
    return None


def _locate(doc: Document, where: tuple) -> Location:
    return doc.locate(where)


def _field(where: tuple) -> str:
    return ".".join(str(p) for p in where)


def check_theme_files(root: Path, theme: Theme, doc: Document) -> tuple[ThemeFiles, list[Problem]]:
    """Resolve and check every file the theme names; problems located at their theme line."""
    content = root / "content"
    problems: list[Problem] = []

    def problem(where: tuple, message: str, hint: str) -> None:
        problems.append(Problem(_locate(doc, where), _field(where), message, hint))

    def resolve(where: tuple, ref: str) -> Path | None:
        try:
            return project_file(root, content, ref, [content], _locate(doc, where))
        except MedbriefError as e:
            problem(where, e.message, e.hint)
            return None

    for key in ("body", "heading"):
        family = getattr(theme.fonts, key)
        if family not in fonts.PACKAGES:
            problem(
                ("fonts", key),
                f"font {family!r} is not a packaged font",
                f"use one of: {', '.join(fonts.PACKAGES)}",
            )
    logo = None
    if theme.logo and (logo := resolve(("logo",), theme.logo)):
        try:
            check_image(logo, f"content/{theme.logo}", _locate(doc, ("logo",)), [content])
        except ContentError as e:
            problems.extend(Problem(p.location, "logo", p.message, p.hint) for p in e.problems())
            logo = None
    found: dict[str, Path | None] = {"font_regular": None, "font_bold": None}
    if theme.fonts.deck_metrics:
        for key in ("regular", "bold"):
            where = ("fonts", "deck_metrics", key)
            path = resolve(where, getattr(theme.fonts.deck_metrics, key))
            if path is None:
                continue
            try:
                data = read_file(
                    path, [content], MAX_FONT_BYTES, _locate(doc, where), root, kind="font"
                )
            except ContentError as e:
                problem(where, e.message, e.hint)
                continue
            bad = font_problem(data)
            if bad:
                problem(where, f"{getattr(theme.fonts.deck_metrics, key)}: {bad[0]}", bad[1])
            else:
                found[f"font_{key}"] = path
    master, layouts = None, ()
    if theme.pptx_master:
        master, layouts = _check_master(root, theme, doc, resolve, problem)
    elif theme.layouts:
        problem(
            ("layouts",),
            "layouts are given but no pptx_master",
            "name the organisation's master with `pptx_master:`, or remove `layouts:`",
        )
    files = ThemeFiles(logo, master, layouts, found["font_regular"], found["font_bold"])
    return files, problems


def _check_master(root: Path, theme: Theme, doc: Document, resolve, problem):
    from .deck.model import default_layouts
    from .deck.package import MAX_MASTER_BYTES, MasterProblem, inspect_master

    where = ("pptx_master",)
    path = resolve(where, theme.pptx_master)
    if path is None:
        return None, ()
    try:
        data = read_file(
            path, [root / "content"], MAX_MASTER_BYTES, _locate(doc, where), root, kind="master"
        )
        info = inspect_master(data)
    except ContentError as e:
        problem(where, e.message, e.hint)
        return None, ()
    except MasterProblem as e:
        problem(where, f"{theme.pptx_master}: {e.message}", e.hint)
        return None, ()
    opened = _open_problem(data)
    if opened:
        problem(
            where,
            f"{theme.pptx_master}: {opened}",
            "open it in PowerPoint and save it again as a .pptx presentation",
        )
        return None, ()
    wanted = {**default_layouts(), **theme.layouts}
    known = ", ".join(repr(n) for n in info.layouts) or "none"
    for ours, name in wanted.items():
        if name not in info.layouts:
            mapped = ours in theme.layouts
            problem(
                ("layouts", ours) if mapped else where,
                f'layout "{name}" (for "{ours}" slides) is not in {theme.pptx_master}',
                f"its layouts are: {known}; "
                + (
                    f"change `{ours}:` under `layouts:` in content/theme.yaml to one of them"
                    if mapped
                    else f"add `layouts:` to content/theme.yaml with `{ours}: <layout name>`"
                ),
            )
    return path, info.layouts


def _open_problem(data: bytes) -> str | None:
    """Why python-pptx cannot open a master that passed the zip checks, or None."""
    from pptx import Presentation

    try:
        Presentation(io.BytesIO(data))
    except Exception as e:  # noqa: BLE001 - python-pptx raises many kinds on a bad package
        said = str(e).strip().splitlines()[0][:200] if str(e).strip() else type(e).__name__
        return f"cannot be opened as a presentation ({said})"
    return None


def check_plan_templates(root: Path, plan: Plan, doc: Document) -> list[Problem]:
    """Each plan row's template must be a regular file inside templates/."""
    problems = []
    templates = root / "templates"
    for i, spec in enumerate(plan.documents):
        where = ("documents", i, "template")
        location = doc.locate(where)
        path = templates / spec.template
        if not (path.exists() or path.is_symlink()):
            names = sorted(p.name for p in templates.glob("*.j2")) if templates.is_dir() else []
            problems.append(
                Problem(
                    location,
                    f"documents[{i}].template",
                    f"template {spec.template!r} not found in templates/",
                    f"templates are: {', '.join(names) or 'none'}",
                )
            )
            continue
        try:
            checked_path(path, [templates], location, root)
        except ContentError as e:
            problems.extend(
                Problem(p.location, f"documents[{i}].template", p.message, p.hint)
                for p in e.problems()
            )
    return problems
