"""Load and validate a project: topics, theme and document plan.

Every file is read with the strict YAML reader and validated into the typed
model.  All problems of a run are collected and raised together as one
:class:`ContentError`, each located as ``file:line:col: field.path: message``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import ContentError, Location, Problem
from .model import Plan, Theme, Topic
from .yamlload import Document, load_yaml

M = TypeVar("M", bound=BaseModel)

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


def _field_path(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _message(err: dict) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "required field is missing"
    msg = err["msg"].removeprefix("Value error, ")
    if kind in ("string_type", "model_type", "dict_type", "list_type"):
        return f"{msg.lower()}, got {_what(err.get('input'))}"
    return msg


def _clean_loc(loc: tuple) -> tuple:
    # pydantic adds function-validator names such as 'function-after[...]'
    return tuple(p for p in loc if not (isinstance(p, str) and "[" in p))


def validate(model: type[M], doc: Document) -> M:
    """Validate ``doc`` into ``model`` or raise a ContentError with located problems."""
    try:
        return model.model_validate(doc.data)
    except ValidationError as e:
        problems = []
        for err in e.errors(include_url=False):
            loc = _clean_loc(err["loc"])
            problems.append(Problem(doc.locate(loc), _field_path(loc), _message(err),
                                    HINTS.get(err["type"], "")))
        raise ContentError(problems) from None


def _rel(root: Path, path: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _load(root: Path, path: Path, model: type[M], problems: list[Problem]):
    try:
        doc = load_yaml(path, _rel(root, path))
        return doc, validate(model, doc)
    except ContentError as e:
        problems.extend(e.problems())
        return None, None


def load_project(root: Path) -> Project:
    """Load ``root/content`` into a :class:`Project`; raise ContentError listing every problem."""
    root = root.resolve()
    content = root / "content"
    problems: list[Problem] = []
    topic_files = sorted((content / "topics").glob("*.yaml"))
    if not topic_files:
        problems.append(Problem(Location(_rel(root, content / "topics")), "",
                                "no topic files found", "add content/topics/<topic-id>.yaml"))
    topics: dict[str, Topic] = {}
    files: dict[str, Path] = {}
    docs: dict[str, Document] = {}
    for path in topic_files:
        doc, topic = _load(root, path, Topic, problems)
        if topic is None:
            continue
        if topic.id != path.stem:
            problems.append(Problem(doc.locate(("id",)), "id",
                                    f"id {topic.id!r} does not match the file name {path.name!r}",
                                    f"rename the file to {topic.id}.yaml or change the id"))
        topics[topic.id], files[topic.id], docs[topic.id] = topic, path, doc
    theme_doc, theme = _load(root, content / "theme.yaml", Theme, problems)
    plan_doc, plan = _load(root, content / "documents.yaml", Plan, problems)
    if plan is not None:
        problems += _check_plan(plan, plan_doc, topics)
    if problems:
        raise ContentError(problems)
    files.update(theme=content / "theme.yaml", plan=content / "documents.yaml")
    docs.update(theme=theme_doc, plan=plan_doc)
    return Project(root, topics, theme, plan, files, docs)


def _check_plan(plan: Plan, doc: Document, topics: dict[str, Topic]) -> list[Problem]:
    problems = []
    for i, spec in enumerate(plan.documents):
        for j, topic_id in enumerate(spec.topics or []):
            if topic_id not in topics:
                problems.append(Problem(
                    doc.locate(("documents", i, "topics", j)), f"documents[{i}].topics[{j}]",
                    f"unknown topic {topic_id!r}", f"known topics: {', '.join(sorted(topics))}"))
    return problems
