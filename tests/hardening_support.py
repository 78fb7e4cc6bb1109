"""Throwaway projects for the hardening tests: a minimal valid topic, theme and plan.

Each test builds a project from Python data, changes the one value it is about,
and runs the real loader and pipeline on it.  Strings are written as YAML
double-quoted scalars (JSON string syntax is valid YAML), so a test can put any
character into any field; raw-byte tests write the file themselves.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from tools import tool  # the one tool-or-skip helper (also imported from here)

REPO = Path(__file__).resolve().parents[1]
TEMPLATES = REPO / "templates"


def qpdf_check(path: Path) -> None:
    """Assert that qpdf finds no damage in a PDF."""
    run = subprocess.run([tool("qpdf"), "--check", str(path)], capture_output=True, text=True)
    assert run.returncode == 0, f"qpdf --check {path}:\n{run.stdout}{run.stderr}"


def pdf_text(path: Path) -> str:
    """The text of a PDF, one string (pdfplumber, so no external tool is needed)."""
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def _statement(plain: str, clinical: str, **extra: Any) -> dict:
    return {"plain": plain, "clinical": clinical, "sources": ["src-a"], **extra}


def topic_data(topic_id: str = "alpha") -> dict:
    """A small, valid topic: every required field, one of most lists."""
    return {
        "id": topic_id,
        "title": f"Topic {topic_id}",
        "short_title": topic_id.title(),
        "status": "investigational",
        "status_text": {"plain": "Only in trials.", "clinical": "Investigational."},
        "last_reviewed": "2026-01-10",
        "next_review": "2027-01-10",
        "version": "1.0",
        "summary": _statement("A short plain summary.", "A short clinical summary."),
        "key_points": [_statement("A key point.", "A clinical key point.")],
        "sections": [
            {
                "id": "how-it-works",
                "heading": {"plain": "How it works", "clinical": "Mechanism"},
                "plain": ["Plain paragraph."],
                "clinical": ["Clinical paragraph."],
                "sources": ["src-a"],
            }
        ],
        "process": {
            "title": {"plain": "Step by step", "clinical": "Process"},
            "steps": [
                {"label": "Collect", "plain": "Cells are collected.", "clinical": "Apheresis."},
                {"label": "Return", "plain": "Cells go back.", "clinical": "Infusion."},
            ],
            "sources": ["src-a"],
        },
        "glossary": [{"term": "cell", "definition": "A tiny living unit."}],
        "questions": ["Is this right for me?"],
        "perspectives": [
            {
                "kind": "opinion",
                "whose": "An editorial",
                "plain": "A view.",
                "clinical": "A clinical view.",
                "sources": ["src-a"],
            }
        ],
        "comparison": {
            "mechanism": "m",
            "target_cells": "t",
            "stage": "s",
            "main_risks": "r",
            "results_in_ms": "none",
            "open_challenges": "c",
            "sources": ["src-a"],
        },
        "sources": [{"id": "src-a", "title": "A source", "kind": "unattributed"}],
    }


def theme_data() -> dict:
    return {
        "organisation": {"name": "Test Org", "contact": "Call 000", "feedback": "Tell us"},
        "logo": "assets/logo.svg",
        "safety": {
            "source": {"id": "org", "title": "Test Org safety", "kind": "organisation"},
            "keep_treatment": "Keep taking your treatment.",
            "unproven_clinics": "Beware of clinics.",
            "find_a_trial": "Ask your team.",
        },
        "disclaimers": {
            "patient": "General information only.",
            "clinician": "For clinicians.",
            "organisation": "For the organisation.",
            "speaker": "For speakers.",
        },
    }


def plan_data(**quality: Any) -> dict:
    handout = {
        "name": "handout",
        "title": "Handout",
        "template": "handout.html.j2",
        "audience": "patient",
        "format": "pdf",
        "per": "topic",
        "papers": ["a4"],
        "output": "handouts/{topic}-{paper}.pdf",
    }
    plan: dict[str, Any] = {"title": "Test", "documents": [handout]}
    if quality:
        plan["quality"] = quality
    return plan


def dump(value: Any, indent: int = 0) -> str:
    """Block-style YAML with every string double-quoted (escapes are JSON's)."""
    pad = " " * indent
    if isinstance(value, dict):
        lines = []
        for key, item in value.items():
            if isinstance(item, dict | list) and item:
                lines.append(f"{pad}{key}:\n{dump(item, indent + 2)}")
            else:
                lines.append(f"{pad}{key}: {_scalar(item)}")
        return "\n".join(lines)
    if isinstance(value, list):
        lines = []
        for item in value:
            if isinstance(item, dict | list) and item:
                body = dump(item, indent + 2)
                lines.append(f"{pad}- {body[indent + 2 :]}")
            else:
                lines.append(f"{pad}- {_scalar(item)}")
        return "\n".join(lines)
    return pad + _scalar(value)


def _scalar(value: Any) -> str:
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    if value is None:
        return "null"
    return json.dumps(str(value), ensure_ascii=False)


LOGO = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" width="10" height="10">'
    '<rect width="10" height="10" fill="#14506b"/></svg>\n'
)


class Project:
    """A project folder in ``tmp_path`` with the repository's real templates."""

    def __init__(self, root: Path):
        self.root = root
        self.topics: dict[str, dict] = {"alpha": topic_data("alpha")}
        self.theme = theme_data()
        self.plan = plan_data()
        shutil.copytree(TEMPLATES, root / "templates")
        (root / "content" / "topics").mkdir(parents=True)
        (root / "content" / "assets").mkdir()
        (root / "content" / "assets" / "logo.svg").write_text(LOGO)

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def out(self) -> Path:
        return self.root / "output"

    def write(self) -> Project:
        for path in (self.content / "topics").glob("*.yaml"):
            path.unlink()
        for topic_id, data in self.topics.items():
            self.write_file(f"topics/{topic_id}.yaml", dump(data))
        self.write_file("theme.yaml", dump(self.theme))
        self.write_file("documents.yaml", dump(self.plan))
        return self

    def write_file(self, relative: str, text: str | bytes) -> Path:
        path = self.content / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, str):
            text = (text + "\n").encode("utf-8")
        path.write_bytes(text)
        return path

    def topic(self, topic_id: str = "alpha") -> dict:
        return self.topics[topic_id]

    def load(self):
        from medbrief.loader import load_project

        return load_project(self.write().root)

    def build(self, **kwargs: Any):
        from medbrief.pipeline import build

        self.write()
        return build(self.root, kwargs.pop("outdir", self.out), **kwargs)

    def template(self, name: str, text: str) -> None:
        (self.root / "templates" / name).write_text(text)

    def document(self, **fields: Any) -> None:
        """Replace the plan with one document row (fields override the handout row)."""
        row = copy.deepcopy(plan_data()["documents"][0])
        row.update(fields)
        self.plan["documents"] = [row]


def problems_of(excinfo) -> list[str]:
    return [str(p) for p in excinfo.value.problems()]


def refused_at_load(project: Project, *, write: bool = True, seconds: float = 10) -> list[str]:
    """The problems loading ``project`` reports (it must refuse), found within ``seconds``."""
    import time

    import pytest

    from medbrief.errors import ContentError
    from medbrief.loader import load_project

    if write:
        project.write()
    started = time.perf_counter()
    with pytest.raises(ContentError) as e:
        load_project(project.root)
    assert time.perf_counter() - started < seconds
    return problems_of(e)
