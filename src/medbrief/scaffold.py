"""``python build.py new topic ID --title "…"``: start a topic file from the content model.

The file is generated from the topic's JSON Schema (so it follows the model as it changes):
every required field is present, with its description as a comment above it.  Text fields
hold a placeholder starting with :data:`PLACEHOLDER`; the file loads, but ``check`` (and so
``build``) reports every placeholder as an error at its line until it is replaced, so a
half-written topic cannot be printed by accident.  The topic starts as a draft.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap
from pathlib import Path
from typing import Any

from .errors import ContentError, Location, Problem
from .safefile import read_file
from .schema import modeline, schema_for
from .yamlload import MAX_BYTES

PLACEHOLDER = "TODO"
"""Text starting with this word is unfinished: the placeholder gate refuses it."""

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
SOURCE_ID = "todo-source"
ALWAYS = {("approval",), ("approval", "status")}
"""Optional fields written anyway: a new topic is a draft, and says so."""
PREFERRED = {"status": "investigational", "kind": "unattributed"}
"""Closed-list values to start with where the first allowed value would mislead."""


def is_placeholder(text: str) -> bool:
    return re.match(rf"\s*{PLACEHOLDER}\b", text) is not None


class _Writer:
    def __init__(self, schema: dict[str, Any], topic_id: str, title: str, today: dt.date):
        self.defs = schema.get("$defs", {})
        self.fixed = {
            ("id",): topic_id,
            ("title",): title,
            ("version",): "0.1",
            ("last_reviewed",): today.isoformat(),
            ("next_review",): (today + dt.timedelta(days=365)).isoformat(),
        }
        self.lines: list[str] = []

    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        if "$ref" in node:
            return {
                **self.defs[node["$ref"].rsplit("/", 1)[1]],
                **{k: v for k, v in node.items() if k != "$ref"},
            }
        for key in ("anyOf", "oneOf"):
            if key in node:
                choice = next(o for o in node[key] if o.get("type") != "null")
                return self.resolve({**choice, **{k: v for k, v in node.items() if k != key}})
        return node

    def comment(self, indent: int, text: str) -> None:
        for line in textwrap.wrap(text, 96 - indent, break_on_hyphens=False):
            self.lines.append(" " * indent + "# " + line)

    def mapping(self, node: dict[str, Any], indent: int, where: tuple, dash: bool = False):
        required = set(node.get("required", []))
        first = True
        for key, prop in node.get("properties", {}).items():
            path = (*where, key)
            if key not in required and tuple(p for p in path if isinstance(p, str)) not in ALWAYS:
                continue
            prop = self.resolve(prop)
            note = prop.get("description", "")
            if "enum" in prop:
                note += f" One of: {', '.join(map(str, prop['enum']))}."
            item = dash and first
            self.comment(indent - 2 if item else indent, note)
            lead = " " * (indent - 2) + "- " if item else " " * indent
            first = False
            self.field(lead, key, prop, indent, path)

    def field(self, lead: str, key: str, prop: dict[str, Any], indent: int, path: tuple):
        kind = prop.get("type")
        if kind == "object" and "properties" in prop:
            self.lines.append(f"{lead}{key}:")
            self.mapping(prop, indent + 2, path)
        elif kind == "array":
            items = self.resolve(prop.get("items", {}))
            count = max(1, prop.get("minItems", 1))
            if items.get("type") == "object":
                self.lines.append(f"{lead}{key}:")
                for i in range(count):
                    self.mapping(items, indent + 4, (*path, i), dash=True)
            elif items.get("pattern") == SLUG.pattern:
                self.lines.append(f"{lead}{key}: [{SOURCE_ID}]")
            else:
                self.lines.append(f"{lead}{key}:")
                self.lines += [
                    f"{' ' * (indent + 2)}- {self.scalar(items, (*path, i))}" for i in range(count)
                ]
        else:
            self.lines.append(f"{lead}{key}: {self.scalar(prop, path)}")

    def scalar(self, prop: dict[str, Any], path: tuple) -> str:
        names = tuple(p for p in path if isinstance(p, str))
        if names in self.fixed:
            return json.dumps(self.fixed[names], ensure_ascii=False)
        if "enum" in prop:
            preferred = PREFERRED.get(names[-1])
            return json.dumps(preferred if preferred in prop["enum"] else prop["enum"][0])
        if prop.get("format") == "date":
            return self.fixed[("last_reviewed",)]
        if prop.get("pattern") == SLUG.pattern:
            return SOURCE_ID
        if "string" not in _types(prop):  # a number, such as a page limit
            return str(prop.get("minimum", 1))
        return json.dumps(self.placeholder(path, prop.get("maxLength", 300)))

    @staticmethod
    def placeholder(path: tuple, limit: int) -> str:
        words = [p.replace("_", " ") if isinstance(p, str) else str(p + 1) for p in path]
        text = f"{PLACEHOLDER}: " + " ".join(words)
        return text if len(text) <= limit else text[:limit]


def _types(prop: dict[str, Any]) -> list[str]:
    kind = prop.get("type", [])
    return kind if isinstance(kind, list) else [kind]


def topic_text(topic_id: str, title: str, today: dt.date) -> str:
    """The text of a new topic file (see the module docstring)."""
    writer = _Writer(schema_for("topic"), topic_id, title, today)
    writer.mapping(schema_for("topic"), 0, ())
    head = [
        modeline("topic", f"content/topics/{topic_id}.yaml"),
        f"# {title}: a new topic, started with `python build.py new topic`.",
        f"# Replace every {PLACEHOLDER}: `python build.py check` lists those left, by line.",
        "# Each field's comment says what it holds; content/README.md says how to write it.",
        "",
    ]
    return "\n".join(head + writer.lines) + "\n"


def _refuse(where: str, message: str, hint: str) -> ContentError:
    return ContentError([Problem(Location(where), "", message, hint)])


def _used_ids(topics_dir: Path) -> dict[str, str]:
    """Topic ids already in use, by file name and by the `id:` line of each file."""
    used = {}
    for path in sorted(topics_dir.glob("*.yaml")):
        used[path.stem] = path.name
        try:  # a FIFO or a link out of content/ is skipped, never opened
            text = read_file(path, [topics_dir.parent], MAX_BYTES, Location(path.name))
            match = re.search(r"^id:\s*['\"]?([^'\"\s#]+)", text.decode("utf-8"), re.M)
        except (ContentError, UnicodeDecodeError):
            match = None
        if match:
            used.setdefault(match.group(1), path.name)
    return used


def new_topic(root: Path, topic_id: str, title: str, today: dt.date | None = None) -> Path:
    """Write ``content/topics/<topic_id>.yaml``; refuse a bad or used id, never overwrite."""
    from .loader import validate
    from .model import Topic
    from .yamlload import check_text, parse_yaml

    rel = f"content/topics/{topic_id}.yaml"
    if not SLUG.fullmatch(topic_id) or len(topic_id) > 60:
        raise _refuse(
            "new topic",
            f"{topic_id!r} is not a topic id",
            "use lower-case letters, digits and single hyphens, e.g. stem-cells-ms",
        )
    title = " ".join(title.split())
    if not title or len(title) > 300 or check_text(title, "--title"):
        raise _refuse(
            "new topic",
            "--title must be 1 to 300 printable characters",
            'e.g. --title "Stem cell transplants for MS"',
        )
    path = root / rel
    if path.exists():
        raise _refuse(
            rel,
            "file already exists; it was left unchanged",
            "choose another id, or edit the existing file",
        )
    used = _used_ids(root / "content" / "topics")
    if topic_id in used:
        raise _refuse(
            f"content/topics/{used[topic_id]}",
            f"topic id {topic_id!r} is already used by this file",
            "choose another id",
        )
    text = topic_text(topic_id, title, today or dt.date.today())
    validate(Topic, parse_yaml(text.encode("utf-8"), path, rel))  # never write what won't load
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "xb") as f:  # refuses to overwrite even a file created meanwhile
        f.write(text.encode("utf-8"))
    return path
