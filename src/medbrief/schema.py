"""JSON Schemas of the content files, generated from the pydantic models, for editors.

``python build.py schema`` writes ``schema/topic.schema.json``, ``schema/theme.schema.json``
and ``schema/documents.schema.json``.  Content files name theirs on their first line
(:func:`modeline`), so VS Code and other editors with the YAML language server complete
field names and flag mistakes while the author types.

The schemas describe the files as an editor reads them (YAML 1.2: ``2`` is a number,
``2026-11-20`` is text), while medbrief's own reader keeps every scalar as text and lets
the model convert it.  So that every file medbrief accepts also validates, a text field
accepts a bare number or ``true``/``false`` too (medbrief reads ``version: 1.0`` as the
text ``"1.0"``).  Checks between fields (next review after last review, cited source ids
that exist) and the rules of ``output`` paths are medbrief's alone: a schema cannot say them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .model import Plan, Theme, Topic

SCHEMA_DIR = "schema"
DIALECT = "https://json-schema.org/draft/2020-12/schema"

MODELS: dict[str, tuple[type[BaseModel], str]] = {
    "topic": (Topic, "A medical topic: content/topics/<id>.yaml"),
    "theme": (Theme, "The organisation's look and details: content/theme.yaml"),
    "documents": (Plan, "Which documents to build: content/documents.yaml"),
}
"""Schema name -> (model, title)."""

CONTENT_FILES = {
    "topic": "content/topics/*.yaml",
    "theme": "content/theme.yaml",
    "documents": "content/documents.yaml",
}
"""Which content files each schema describes (relative to the project)."""


def schema_path(name: str) -> str:
    """Path of a schema file relative to the project, e.g. ``schema/topic.schema.json``."""
    return f"{SCHEMA_DIR}/{name}.schema.json"


def modeline(name: str, content_file: str) -> str:
    """The first line of a content file at ``content_file`` (relative to the project) that
    points the YAML language server at its schema, by a path relative to the file."""
    depth = content_file.count("/")
    return f"# yaml-language-server: $schema={'../' * depth}{schema_path(name)}"


def _editor_scalars(node: Any) -> None:
    """Let text fields accept what YAML 1.2 reads as a number or boolean (see module doc)."""
    if isinstance(node, dict):
        if node.get("type") == "string" and "format" not in node and "enum" not in node:
            node["type"] = ["string", "number", "boolean"]
        for value in node.values():
            _editor_scalars(value)
    elif isinstance(node, list):
        for value in node:
            _editor_scalars(value)


def schema_for(name: str) -> dict[str, Any]:
    """The JSON Schema of one kind of content file."""
    model, title = MODELS[name]
    body = model.model_json_schema(mode="validation")
    _editor_scalars(body)
    head = {"$schema": DIALECT, "title": title}
    body.pop("title", None)
    return {**head, **body}


def render_schema(name: str) -> str:
    """The exact text of a schema file (stable order, so the committed file can be compared)."""
    return json.dumps(schema_for(name), indent=2, ensure_ascii=False) + "\n"


def stale_schemas(root: Path) -> list[str]:
    """Schema files under ``root`` that are missing or differ from the models."""
    stale = []
    for name in MODELS:
        path = root / schema_path(name)
        try:
            current = path.read_text("utf-8")
        except OSError:
            current = None
        if current != render_schema(name):
            stale.append(schema_path(name))
    return stale


def write_schemas(root: Path) -> list[tuple[str, bool]]:
    """Write every schema under ``root/schema``; return ``(path, changed)`` for each."""
    from .output import atomic_write

    stale = set(stale_schemas(root))
    written = []
    for name in MODELS:
        rel = schema_path(name)
        if rel in stale:
            atomic_write(root / rel, render_schema(name).encode("utf-8"))
        written.append((rel, rel in stale))
    return written
