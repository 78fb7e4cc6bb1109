"""JSON Schemas for editors: committed files match the models, and schema and loader agree.

The agreement corpus is real content (and small valid variations) plus the mistakes editors
make: a misspelled field, a wrong type, an impossible date, a value outside a closed list.
Each file is read twice: by medbrief's loader, and as an editor's YAML language server reads
it (YAML 1.2: dates stay text) and checked against the schema with ``jsonschema``.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from ruamel.yaml import YAML

from conftest import MINIMAL_TOPIC, REPO
from medbrief.cli import main
from medbrief.errors import ContentError
from medbrief.loader import validate
from medbrief.schema import CONTENT_FILES, MODELS, modeline, render_schema, stale_schemas
from medbrief.yamlload import parse_yaml

TOPIC = MINIMAL_TOPIC.format(id="demo-topic")
THEME = (REPO / "content/theme.yaml").read_text("utf-8")
PLAN = (REPO / "content/documents.yaml").read_text("utf-8")


def editor_yaml(text: str):
    """``text`` as the YAML language server reads it: YAML 1.2, timestamps left as text."""
    yaml = YAML(typ="safe", pure=True)
    yaml.constructor.add_constructor(
        "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
    )
    return yaml.load(io.StringIO(text))


def schema_accepts(name: str, text: str) -> bool:
    import json

    validator = Draft202012Validator(
        json.loads(render_schema(name)), format_checker=FormatChecker()
    )
    return validator.is_valid(editor_yaml(text))


def loader_accepts(name: str, text: str) -> bool:
    doc = parse_yaml(text.encode("utf-8"), Path(f"{name}.yaml"), f"{name}.yaml")
    try:
        validate(MODELS[name][0], doc)
    except ContentError:
        return False
    return True


def sub(text: str, pattern: str, replacement: str) -> str:
    """``text`` with the first line matching ``pattern`` replaced (the pattern must match)."""
    new, count = re.subn(pattern, replacement, text, count=1, flags=re.MULTILINE)
    assert count == 1, f"{pattern!r} not found"
    return new


# --- the committed files --------------------------------------------------------------------


def test_committed_schemas_match_the_models():
    stale = stale_schemas(REPO)
    assert not stale, f"{', '.join(stale)} out of date: run `python build.py schema` and commit"


@pytest.mark.parametrize("name", list(MODELS))
def test_every_field_has_a_description(name):
    import json

    missing = []

    def walk(node):
        if isinstance(node, dict):
            missing.extend(
                k for k, prop in node.get("properties", {}).items() if not prop.get("description")
            )
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(render_schema(name)))
    assert not missing, f"fields without a docstring in model.py: {sorted(set(missing))}"


@pytest.mark.parametrize("name", list(MODELS))
def test_content_files_name_their_schema_on_line_one(name):
    files = sorted(REPO.glob(CONTENT_FILES[name]))
    assert files
    for path in files:
        rel = path.relative_to(REPO).as_posix()
        first = path.read_text("utf-8").splitlines()[0]
        assert first == modeline(name, rel)
        target = (path.parent / first.split("$schema=")[1]).resolve()
        assert target == (REPO / f"schema/{name}.schema.json").resolve()
        assert target.is_file()


def test_schema_command_writes_then_reports_up_to_date(tmp_path, capsys):
    assert main(["schema", "--project", str(tmp_path)]) == 0
    for name in MODELS:
        assert (tmp_path / f"schema/{name}.schema.json").read_text("utf-8") == render_schema(name)
    assert stale_schemas(tmp_path) == []
    (tmp_path / "schema/topic.schema.json").write_text("{}", "utf-8")
    assert stale_schemas(tmp_path) == ["schema/topic.schema.json"]
    assert main(["schema", "--project", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert "wrote: schema/topic.schema.json" in err
    assert "up to date: schema/theme.schema.json" in err


# --- agreement corpus -----------------------------------------------------------------------

VALID = {
    "real topic car-t-ms": ("topic", (REPO / "content/topics/car-t-ms.yaml").read_text("utf-8")),
    "real topic gene-therapy-ms": (
        "topic",
        (REPO / "content/topics/gene-therapy-ms.yaml").read_text("utf-8"),
    ),
    "minimal topic": ("topic", TOPIC),
    "unquoted version number": ("topic", sub(TOPIC, r"^version: .*$", "version: 1.0")),
    "title that YAML reads as a number": ("topic", sub(TOPIC, r"^title: .*$", "title: 2026")),
    "optional perspectives present": (
        "topic",
        TOPIC
        + (
            "perspectives:\n  - kind: opinion\n    whose: The author\n    plain: A view.\n"
            "    clinical: A view.\n    sources: [demo-source]\n"
        ),
    ),
    "real theme": ("theme", THEME),
    "upper-case colour": ("theme", sub(THEME, r"^  primary: .*$", '  primary: "#14506B"')),
    "theme without optional parts": (
        "theme",
        "organisation:\n  name: Org\n  contact: 000\n"
        "  feedback: Tell us\nsafety:\n  source:\n    id: org\n"
        "    title: Org safety text\n  keep_treatment: Keep it.\n"
        "  unproven_clinics: Beware.\n  find_a_trial: Ask.\n"
        "disclaimers:\n  patient: P.\n  clinician: C.\n"
        "  organisation: O.\n  speaker: S.\n",
    ),
    "approved with a date": (
        "topic",
        sub(
            TOPIC,
            r"^version: (.*)$",
            "version: \\1\napproval:\n  status: draft\n  by: Dr A\n  date: 2026-01-01",
        ),
    ),
    "real plan": ("documents", PLAN),
}

INVALID = {
    "misspelled field": ("topic", sub(TOPIC, r"^short_title:", "short_tilte:")),
    "misspelled nested field": ("topic", sub(TOPIC, r"^  plain: A short summary", "  plian: x")),
    "required field missing": ("topic", sub(TOPIC, r"^questions:\n  - .*\n", "")),
    "text where a list belongs": ("topic", sub(TOPIC, r"^questions:\n  - (.*)$", r"questions: \1")),
    "list where text belongs": ("topic", sub(TOPIC, r"^title: (.*)$", r"title: [\1]")),
    "mapping where text belongs": ("topic", sub(TOPIC, r"^title: (.*)$", r"title: {a: b}")),
    "impossible date": ("topic", sub(TOPIC, r"^last_reviewed: .*$", "last_reviewed: 2026-02-30")),
    "date in another format": (
        "topic",
        sub(TOPIC, r"^next_review: .*$", "next_review: 15/01/2027"),
    ),
    "status outside the closed list": (
        "topic",
        sub(TOPIC, r"^status: .*$", "status: approved-ish"),
    ),
    "section id outside the closed list": (
        "topic",
        sub(TOPIC, r"^  - id: risks$", "  - id: side-effects"),
    ),
    "perspective kind outside the closed list": (
        "topic",
        TOPIC
        + (
            "perspectives:\n  - kind: rumour\n    whose: Someone\n    plain: A view.\n"
            "    clinical: A view.\n    sources: [demo-source]\n"
        ),
    ),
    "id that is not a slug": ("topic", sub(TOPIC, r"^id: .*$", "id: Demo Topic")),
    "version that is not a number": ("topic", sub(TOPIC, r"^version: .*$", "version: one")),
    "empty list": ("topic", sub(TOPIC, r"^questions:\n  - .*$", "questions: []")),
    "one process step": (
        "topic",
        sub(TOPIC, r"^    - label: Return\n(    .*\n)*?(?=  sources)", ""),
    ),
    "misspelled theme field": ("theme", sub(THEME, r"^disclaimers:", "disclaimor:")),
    "source kind outside the closed list": (
        "topic",
        sub(TOPIC, r"^    kind: unattributed$", "    kind: opinion editorial"),
    ),
    "the old source note field": (
        "topic",
        sub(TOPIC, r"^    kind: unattributed$", "    kind: news\n    note: Check it."),
    ),
    "approval status outside the closed list": (
        "topic",
        sub(TOPIC, r"^version: (.*)$", "version: \\1\napproval:\n  status: signed"),
    ),
    "colour that is not a colour": ("theme", sub(THEME, r"^  primary: .*$", "  primary: navy")),
    # any slug names a document kind (issue 13: a new kind needs no Python); this is not one
    "document kind that is not a slug": (
        "documents",
        sub(PLAN, r"^  - name: handout$", "  - name: Patient leaflet"),
    ),
    "audience outside the closed list": (
        "documents",
        sub(PLAN, r"^    audience: patient$", "    audience: public"),
    ),
    "page limit that is not a number": (
        "documents",
        sub(PLAN, r"^    max_pages: 3$", "    max_pages: two"),
    ),
    "page limit out of range": ("documents", sub(PLAN, r"^    max_pages: 3$", "    max_pages: 0")),
    "paper outside the closed list": (
        "documents",
        sub(PLAN, r"papers: \[a4, letter\]", "papers: [a4, a5]"),
    ),
}

LOADER_ONLY = {
    "next review before last review": (
        "topic",
        sub(TOPIC, r"^next_review: .*$", "next_review: 2025-01-01"),
    ),
    "citing a source that does not exist": (
        "topic",
        sub(TOPIC, r"sources: \[demo-source\]", "sources: [no-such-source]"),
    ),
    "approved without a strong source": (
        "topic",
        sub(
            TOPIC,
            r"^version: (.*)$",
            "version: \\1\napproval:\n  status: approved\n  by: Dr A\n"
            "  role: Neurologist\n  date: 2026-01-01",
        ),
    ),
}
"""Checks between fields a JSON Schema cannot express: the loader refuses, editors do not."""


@pytest.mark.parametrize("case", list(VALID))
def test_valid_files_pass_loader_and_schema(case):
    name, text = VALID[case]
    assert loader_accepts(name, text)
    assert schema_accepts(name, text)


@pytest.mark.parametrize("case", list(INVALID))
def test_mistakes_fail_loader_and_schema(case):
    name, text = INVALID[case]
    assert not loader_accepts(name, text)
    assert not schema_accepts(name, text)


@pytest.mark.parametrize("case", list(LOADER_ONLY))
def test_cross_field_checks_are_the_loaders_alone(case):
    name, text = LOADER_ONLY[case]
    assert not loader_accepts(name, text)
    assert schema_accepts(name, text)
