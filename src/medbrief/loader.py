"""Load and validate a project: topics, theme, document plan and jargon list.

Every file is read with the strict YAML reader and validated into the typed
model.  All problems of a run are collected and raised together as one
:class:`ContentError`, each located as ``file:line:col: field.path: message``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from . import fonts
from .errors import ContentError, Location, MedbriefError, Problem, field_path
from .links import markdown_links, markdown_problems, unsafe_link
from .model import (
    LOCATED_CHECKS,
    SOURCE_KINDS,
    DocumentSpec,
    JargonList,
    Plan,
    PromiseList,
    Theme,
    Topic,
)
from .paths import project_file
from .sites import SiteList, load_sites
from .themefiles import ThemeFiles, check_plan_templates, check_theme_files
from .yamlload import Document, load_yaml

M = TypeVar("M", bound=BaseModel)
PROMISES_FILE = "promises.yaml"

JARGON_FILE = "jargon.yaml"

HINTS = {
    "extra_forbidden": "remove it, or check its spelling against the content model",
    "missing": "add this field",
    "date_from_datetime_parsing": "write dates as YYYY-MM-DD, e.g. 2026-11-20",
    "date_parsing": "write dates as YYYY-MM-DD, e.g. 2026-11-20",
    "string_type": "write plain text here",
    "list_type": "write a list here, one `- item` per line",
    "model_type": "write a mapping here (`name: value` lines)",
    "dict_type": "write a mapping here (`name: value` lines)",
    "literal_error": "use one of the allowed values",
    "string_too_long": "shorten the text",
    "too_long": "use fewer items",
    "too_short": "add the missing items",
    "string_pattern_mismatch": "follow the pattern shown",
    "int_parsing": "write a whole number",
    "float_parsing": "write a number",
}


EXPECTED = {
    "string_type": "text",
    "list_type": "a list",
    "model_type": "a mapping",
    "dict_type": "a mapping",
}
"""What a type error expected, in the words of the content author."""


@dataclass(frozen=True)
class Project:
    """Everything a build needs, validated.  ``root`` is the project folder."""

    root: Path
    topics: dict[str, Topic]
    theme: Theme
    plan: Plan
    files: dict[str, Path]
    """Which file each topic id (and 'theme', 'plan') came from."""
    documents: dict[str, Document]
    """The parsed documents, for locating fields in later checks."""
    warnings: tuple[Problem, ...] = field(default=())
    """Things loading noticed that do not stop a build (a file it did not load)."""
    theme_files: ThemeFiles = field(default_factory=ThemeFiles)
    """The logo, master and measuring fonts the theme names, checked at load."""
    sites: dict[str, SiteList] = field(default_factory=dict)
    """The validated sites file of each plan row with ``sites:``, by that row's value."""
    jargon: JargonList | None = None
    """content/jargon.yaml, when the project has one (the jargon gate warns when not)."""
    promises: PromiseList | None = None
    """content/promises.yaml (phrases that read as promises in patient text), if present."""
    sites_file: Path | None = None
    """The ``--sites`` file that replaced every plan row's sites file, if one was given."""

    def sites_for(self, spec: DocumentSpec) -> SiteList | None:
        """The sites a plan row makes one document for (None: not a per-site row)."""
        return self.sites[spec.sites] if spec.sites else None

    def locate(self, key: str, where: tuple = ()) -> Location:
        """Location of a field of a topic id, 'theme' or 'plan'."""
        return self.documents[key].locate(where)

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"


def _what(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return repr(value) if len(repr(value)) < 40 else repr(value)[:37] + "...'"


def _message(err: dict) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "required field is missing"
    msg = err["msg"].removeprefix("Value error, ")
    if kind in EXPECTED:
        return f"expected {EXPECTED[kind]}, got {_what(err.get('input'))}"
    return msg


def _clean_loc(loc: tuple, data: Any) -> tuple:
    """``loc`` without the validator names pydantic adds (``function-after[...]``); a part
    that is a key of the data at that point is always kept, whatever it contains."""
    kept, here = [], data
    for part in loc:
        in_dict = isinstance(here, dict) and part in here
        if in_dict or (isinstance(part, int) and isinstance(here, list) and 0 <= part < len(here)):
            kept.append(part)
            here = here[part]
        elif not (isinstance(part, str) and "[" in part):
            kept.append(part)
            here = None
    return tuple(kept)


_COMMENT_VALUE = re.compile(r":[ \t]+(#\S*)")


def _comment_value(doc: Document, where: Location) -> str | None:
    """``#14506b`` when the line of an empty value reads ``colour: #14506b`` (unquoted, so
    YAML took it for a comment)."""
    lines = doc.text.splitlines()
    if not where.line or where.line > len(lines):
        return None
    m = _COMMENT_VALUE.search(lines[where.line - 1])
    return m.group(1)[:20] if m else None


def _source_field(loc: tuple, name: str) -> bool:
    """True for ``sources[i].<name>`` (topics) and ``safety.source.<name>`` (theme)."""
    return (
        len(loc) >= 2
        and loc[-1] == name
        and ((len(loc) >= 3 and loc[-3] == "sources") or loc[-2] == "source")
    )


def _problem(doc: Document, loc: tuple, err: dict) -> Problem:
    """One located problem for a pydantic error, in the content author's words."""
    message, hint = _message(err), HINTS.get(err["type"], "")
    if err["type"] == "literal_error" and _source_field(loc, "kind"):
        message = f"unknown source kind {_what(err.get('input'))}"
        allowed = SOURCE_KINDS if loc[-2] != "source" else ("organisation",)
        hint = f"use one of: {', '.join(allowed)} (content/README.md says how to choose)"
    elif err["type"] == "extra_forbidden" and _source_field(loc, "note"):
        message = "unknown field: `note` is now internal_note or public_note"
        hint = (
            "write `internal_note:` for editors (printed nowhere) or `public_note:` "
            "for text that may be printed with the source"
        )
    return Problem(doc.locate(loc), field_path(loc), message, hint)


def validate(model: type[M], doc: Document) -> M:
    """Validate ``doc`` into ``model`` or raise a ContentError with located problems."""
    try:
        result = model.model_validate(doc.data, context={LOCATED_CHECKS: True})
    except ValidationError as e:
        problems = []
        for err in e.errors(include_url=False):
            problem = _problem(doc, _clean_loc(err["loc"], doc.data), err)
            comment = _comment_value(doc, problem.location) if err.get("input") is None else None
            if comment:
                problem = Problem(
                    problem.location,
                    problem.field,
                    problem.message + f" (YAML reads `{comment}` as a comment)",
                    f'quote it: "{comment}"',
                )
            problems.append(problem)
        raise ContentError(problems) from None
    cross = getattr(result, "cross_field_problems", None)
    problems = [
        Problem(doc.locate(loc), field_path(loc), message, hint)
        for loc, message, hint in (cross() if cross else [])
    ]
    approval = getattr(result, "approval_problems", None)
    problems += [
        Problem(doc.locate_key(loc), field_path(loc), message, hint)
        for loc, message, hint in (approval(dt.date.today()) if approval else [])
    ]
    if problems:
        raise ContentError(problems)
    return result


def _rel(root: Path, path: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _load(root: Path, path: Path, model: type[M], problems: list[Problem]):
    try:
        doc = load_yaml(path, _rel(root, path), [root / "content"])
    except ContentError as e:
        problems.extend(e.problems())
        return None, None
    problems += unsafe_links(doc) + markdown_problems_of(doc) + glyph_problems(doc)
    try:
        return doc, validate(model, doc)
    except ContentError as e:
        problems.extend(e.problems())
        return None, None


def strings_in(value: Any, where: tuple = ()):
    """Every string in parsed YAML data, with its field path."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings_in(item, (*where, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from strings_in(item, (*where, i))


def unsafe_links(doc: Document) -> list[Problem]:
    """Markdown links in any text of ``doc`` to anything but http, https or mailto."""
    return [
        Problem(
            doc.locate(where),
            field_path(where),
            f"link to {href[:60]!r} refused: only http, https and mailto links are allowed",
            "remove the link, or link to an https:// address",
        )
        for where, text in strings_in(doc.data)
        if "](" in text
        for href in markdown_links(text)
        if unsafe_link(href)
    ]


def glyph_problems(doc: Document) -> list[Problem]:
    """Characters no packaged font can draw, located at their field (found at load, not as
    an empty box or an unlocated failure while printing)."""
    problems = []
    for where, text in strings_in(doc.data):
        if all(ord(c) < 0x250 or 0x2000 <= ord(c) <= 0x206F for c in text):
            continue  # Latin and general punctuation: Noto Sans has them all (no fonts read)
        for ch in fonts.undrawable(text):
            name = unicodedata.name(ch, "unnamed")
            problems.append(
                Problem(
                    doc.locate(where),
                    field_path(where),
                    f"character {ch!r} (U+{ord(ch):04X} {name}) cannot be printed: no packaged "
                    "font has it",
                    "replace it with a character the fonts have, or remove it",
                )
            )
    return problems


def markdown_problems_of(doc: Document) -> list[Problem]:
    """Markdown in any text of ``doc`` that documents cannot draw (see
    :func:`medbrief.templating.markdown_problems`), located at its field."""
    return [
        Problem(doc.locate(where), field_path(where), message, hint)
        for where, text in strings_in(doc.data)
        for message, hint in markdown_problems(text)
    ]


def load_project(root: Path, sites: Path | None = None) -> Project:
    """Load ``root/content`` into a :class:`Project`; raise ContentError listing every problem.

    ``sites`` (``--sites FILE``) replaces the sites file of every plan row that has one.
    """
    root = root.resolve()
    content = root / "content"
    problems: list[Problem] = []
    warnings: list[Problem] = []
    topic_files = _topic_files(root, content / "topics", warnings)
    if not topic_files:
        problems.append(
            Problem(
                Location(_rel(root, content / "topics")),
                "",
                "no topic files found",
                "add content/topics/<topic-id>.yaml",
            )
        )
    topics: dict[str, Topic] = {}
    files: dict[str, Path] = {}
    docs: dict[str, Document] = {}
    for path in topic_files:
        doc, topic = _load(root, path, Topic, problems)
        if topic is None:
            continue
        if topic.id != path.stem:
            problems.append(
                Problem(
                    doc.locate(("id",)),
                    "id",
                    f"id {topic.id!r} does not match the file name {path.name!r}",
                    f"rename the file to {topic.id}.yaml or change the id",
                )
            )
        elif topic.id in topics:
            problems.append(
                Problem(
                    doc.locate(("id",)),
                    "id",
                    f"topic {topic.id!r} is also defined in {_rel(root, files[topic.id])}",
                    "keep one file per topic; delete or rename the other",
                )
            )
            continue
        topics[topic.id], files[topic.id], docs[topic.id] = topic, path, doc
    theme_doc, theme = _load(root, content / "theme.yaml", Theme, problems)
    theme_files = ThemeFiles()
    if theme is not None:
        theme_files, found = check_theme_files(root, theme, theme_doc)
        problems += found
    plan_doc, plan = _load(root, content / "documents.yaml", Plan, problems)
    site_lists: dict[str, SiteList] = {}
    jargon_doc = jargon = None
    if (content / JARGON_FILE).exists() or (content / JARGON_FILE).is_symlink():
        # a link or FIFO is refused, located, by the safe reader
        jargon_doc, jargon = _load(root, content / JARGON_FILE, JargonList, problems)
    promises_doc, promises = None, None
    if (content / PROMISES_FILE).is_file():
        promises_doc, promises = _load(root, content / PROMISES_FILE, PromiseList, problems)
    if plan is not None:
        problems += _check_plan(plan, plan_doc, topics)
        problems += check_plan_templates(root, plan, plan_doc)
        site_lists = _load_sites(root, plan, plan_doc, sites, problems)
        problems += _duplicate_outputs(plan, plan_doc, topics, site_lists)
    if problems:
        raise ContentError(problems)
    files.update(theme=content / "theme.yaml", plan=content / "documents.yaml")
    docs.update(theme=theme_doc, plan=plan_doc)
    if jargon_doc is not None:
        files["jargon"], docs["jargon"] = content / JARGON_FILE, jargon_doc
    if promises_doc is not None:
        files["promises"], docs["promises"] = content / PROMISES_FILE, promises_doc
    return Project(
        root,
        topics,
        theme,
        plan,
        files,
        docs,
        tuple(warnings),
        theme_files,
        site_lists,
        jargon,
        promises,
        sites.resolve() if sites is not None else None,
    )


TOPIC_SUFFIXES = (".yaml", ".yml")
"""Topic file endings, in any case (``new-topic.yml`` and ``X.YAML`` are loaded too)."""


def _topic_files(root: Path, folder: Path, warnings: list[Problem]) -> list[Path]:
    """The topic files in ``folder``; every other entry is named in a warning, never skipped
    silently (hidden files such as editor swap files excepted)."""
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        if path.suffix.lower() in TOPIC_SUFFIXES:
            found.append(path)
        else:
            warnings.append(
                Problem(
                    Location(_rel(root, path)),
                    "",
                    "not loaded: topic files end in .yaml or .yml",
                    "rename it to <topic-id>.yaml if it is a topic, or move it out of "
                    "content/topics/",
                    severity="warning",
                )
            )
    return found


def _load_sites(
    root: Path, plan: Plan, doc: Document, override: Path | None, problems: list[Problem]
) -> dict[str, SiteList]:
    """Every sites file the plan names (or ``override`` for all of them), each read once."""
    rows = [(i, spec.sites) for i, spec in enumerate(plan.documents) if spec.sites]
    if override is not None and not rows:
        problems.append(
            Problem(
                Location(_rel(root, root / "content" / "documents.yaml")),
                "documents",
                "--sites was given but no plan row has `sites:`",
                "add `sites: sites.csv` to the row that makes per-site documents",
            )
        )
        return {}
    loaded: dict[Path, SiteList | None] = {}
    result: dict[str, SiteList] = {}
    for i, ref in rows:
        if override is not None:
            path, display = override.resolve(), _display(override)
            allowed = [path.parent]
        else:
            where = doc.locate(("documents", i, "sites"))
            try:
                path = project_file(root, root / "content", ref, [root / "content"], where)
            except MedbriefError as e:
                problems.append(
                    Problem(e.location or where, f"documents[{i}].sites", e.message, e.hint)
                )
                continue
            display, allowed = _rel(root, path), [root / "content"]
        if path not in loaded:
            try:
                loaded[path] = load_sites(path, display, allowed)
            except ContentError as e:
                problems.extend(e.problems())
                loaded[path] = None
        if loaded[path] is not None:
            result[ref] = loaded[path]
    return result


def _display(path: Path) -> str:
    """A path as the person who typed it sees it: relative to the working folder if inside."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _check_plan(plan: Plan, doc: Document, topics: dict[str, Topic]) -> list[Problem]:
    problems = []
    for i, spec in enumerate(plan.documents):
        for j, topic_id in enumerate(spec.topics or []):
            if topic_id not in topics:
                problems.append(
                    Problem(
                        doc.locate(("documents", i, "topics", j)),
                        f"documents[{i}].topics[{j}]",
                        f"unknown topic {topic_id!r}",
                        f"known topics: {', '.join(sorted(topics))}",
                    )
                )
    return problems


def _duplicate_outputs(
    plan: Plan, doc: Document, topics: dict[str, Topic], site_lists: dict[str, SiteList]
) -> list[Problem]:
    """Two plan rows that would write one output file: refused, naming both rows' lines."""
    if any(t not in topics for spec in plan.documents for t in spec.topics or []) or any(
        spec.sites and spec.sites not in site_lists for spec in plan.documents
    ):
        return []  # already reported
    problems = []
    written: dict[str, int] = {}  # output path -> the first row that writes it
    for i, spec in enumerate(plan.documents):
        sites = [s.id for s in site_lists[spec.sites]] if spec.sites else None
        for *_, out in spec.expand(sorted(topics), sites):
            first = written.setdefault(out, i)
            if first != i:
                there = doc.locate(("documents", first, "output"))
                problems.append(
                    Problem(
                        doc.locate(("documents", i, "output")),
                        f"documents[{i}].output",
                        f"writes {out!r}, which documents[{first}] (line {there.line}) also writes",
                        "give each row its own output name, e.g. add the document kind or "
                        "{variant}",
                    )
                )
                break
    return problems
