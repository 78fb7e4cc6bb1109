"""The typed content model: topics, the theme and the document plan.

Pure data: nothing here knows about Jinja, WeasyPrint or python-pptx.  Every
model forbids unknown keys, so a typo is an error rather than a silently
ignored field.  Text is limited in length and stripped; Markdown (emphasis and
links only) is allowed inside text and rendered by the templating layer.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

LOCATED_CHECKS = "located_checks"
"""Validation context key: leave cross-field checks to the caller, who can locate them."""

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60)]
RelPath = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


def _hex_colour(value: str) -> str:
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        raise ValueError(f"expected a colour like '#1f4e79', got {value!r}")
    return value.lower()


Colour = Annotated[str, AfterValidator(_hex_colour)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


# --- topics -----------------------------------------------------------------


class Registers(Model):
    """One thing said two ways: plain for patients, clinical for professionals."""

    plain: Text
    clinical: Text


class Cited(Model):
    """Where a statement comes from: source ids and, optionally, where in the source."""

    sources: list[Slug] = Field(min_length=1)
    where: Line | None = None


class Statement(Registers, Cited):
    """A sourced statement in both registers."""


SectionId = Literal["how-it-works", "who-it-may-help", "risks", "challenges", "research-status"]


class Section(Cited):
    id: SectionId
    heading: Registers
    plain: list[Text] = Field(min_length=1, max_length=30)
    clinical: list[Text] = Field(min_length=1, max_length=30)


class Step(Model):
    label: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    plain: Text
    clinical: Text


class Process(Cited):
    title: Registers
    steps: list[Step] = Field(min_length=2, max_length=8)


class GlossaryEntry(Model):
    term: Line
    definition: Text
    also: list[Line] = []
    """Other spellings that count as this term (plural, abbreviation)."""


class Perspective(Cited):
    """An opinion or a reported view: always shown with whose view it is."""

    kind: Literal["opinion", "skeptics", "experts"]
    whose: Line
    plain: Text
    clinical: Text


class Comparison(Model):
    """The row this topic contributes to the briefing's side-by-side table."""

    mechanism: Text
    target_cells: Text
    stage: Text
    main_risks: Text
    open_challenges: Text


class Source(Model):
    id: Slug
    title: Line
    kind: Line
    author: Line | None = None
    publisher: Line | None = None
    file: RelPath | None = None
    note: Text | None = None


class Topic(Model):
    id: Slug
    title: Line
    short_title: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]
    status: Literal["approved", "investigational", "experimental"]
    status_text: Registers
    last_reviewed: dt.date
    next_review: dt.date
    version: Annotated[str, StringConstraints(pattern=r"^\d+(\.\d+){0,2}$")]
    summary: Statement
    key_points: list[Statement] = Field(min_length=1, max_length=12)
    sections: list[Section] = Field(min_length=1, max_length=12)
    process: Process
    glossary: list[GlossaryEntry] = Field(min_length=1, max_length=60)
    questions: list[Line] = Field(min_length=1, max_length=15)
    perspectives: list[Perspective] = Field(default=[], max_length=12)
    comparison: Comparison
    sources: list[Source] = Field(min_length=1, max_length=40)

    @model_validator(mode="after")
    def _check_references(self, info: ValidationInfo) -> Topic:
        if info.context and info.context.get(LOCATED_CHECKS):
            return self  # the loader reports them, located (see cross_field_problems)
        problems = self.cross_field_problems()
        if problems:
            raise ValueError(problems[0][1])
        return self

    def cross_field_problems(self) -> list[tuple[tuple[str | int, ...], str, str]]:
        """Problems between fields, as ``(field path, message, hint)``."""
        problems = []
        if self.next_review <= self.last_reviewed:
            problems.append((("next_review",), "next_review must be after last_reviewed",
                             "set next_review to a later date than last_reviewed"))
        known = sorted(s.id for s in self.sources)
        for where, cited in self.cited_paths():
            for j, source_id in enumerate(cited.sources):
                if source_id not in known:
                    problems.append(((*where, "sources", j), f"unknown source id {source_id!r}",
                                     f"known source ids: {', '.join(known)}"))
        seen: set[str] = set()
        for i, section in enumerate(self.sections):
            if section.id in seen:
                problems.append((("sections", i, "id"), f"two sections share the id {section.id!r}",
                                 "give each section a different id"))
            seen.add(section.id)
        return problems

    def cited(self) -> list[Cited]:
        return [cited for _, cited in self.cited_paths()]

    def cited_paths(self) -> list[tuple[tuple[str | int, ...], Cited]]:
        """Every sourced part of the topic with its field path."""
        return [
            (("summary",), self.summary),
            *((("key_points", i), p) for i, p in enumerate(self.key_points)),
            *((("sections", i), s) for i, s in enumerate(self.sections)),
            (("process",), self.process),
            *((("perspectives", i), p) for i, p in enumerate(self.perspectives)),
        ]

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)

    def source(self, source_id: str) -> Source:
        return next(s for s in self.sources if s.id == source_id)


# --- theme ------------------------------------------------------------------


class Organisation(Model):
    name: Line
    short_name: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] | None
    ) = None
    contact: Line
    feedback: Line
    website: Line | None = None


class Colours(Model):
    primary: Colour = "#1f4e79"
    accent: Colour = "#b45309"
    text: Colour = "#1a1a1a"
    muted: Colour = "#4a4a4a"
    background: Colour = "#ffffff"
    box_background: Colour = "#eef4fa"
    box_border: Colour = "#1f4e79"
    on_primary: Colour = "#ffffff"


class FontFiles(Model):
    regular: RelPath
    bold: RelPath


class Fonts(Model):
    body: Line = "Atkinson Hyperlegible"
    heading: Line = "Atkinson Hyperlegible"
    deck: Line = "Arial"
    deck_metrics: FontFiles | None = None
    """Font files to measure deck text with; default Arimo (Arial's metrics)."""


DeckLayout = Literal["title", "content", "section", "two-content", "comparison", "blank"]


class Theme(Model):
    organisation: Organisation
    logo: RelPath | None = None
    colours: Colours = Colours()
    fonts: Fonts = Fonts()
    disclaimer: Text
    pptx_master: RelPath | None = None
    layouts: dict[DeckLayout, Line] = {}


# --- document plan ------------------------------------------------------------

DocumentKind = Literal["handout", "clinician-summary", "briefing", "deck", "slides"]
Audience = Literal["patient", "clinician", "organisation", "speaker"]
Paper = Literal["a4", "letter"]
Variant = Literal["clear", "large"]


class DocumentSpec(Model):
    """One row of content/documents.yaml: a template applied across topics/papers/variants."""

    name: DocumentKind
    title: Line
    template: RelPath
    audience: Audience
    format: Literal["pdf", "pptx"]
    per: Literal["topic", "all"] = "topic"
    topics: list[Slug] | None = None
    papers: list[Paper] | None = None
    variants: list[Variant] | None = None
    output: RelPath
    sections: list[SectionId] | None = None
    """Which topic sections this document shows, in this order (default: all)."""
    max_pages: Annotated[int, Field(ge=1, le=500)] | None = None
    """Most pages allowed (clear-print handouts: 2); large print is exempt."""

    @field_validator("output")
    @classmethod
    def _output_inside(cls, v: str) -> str:
        parts = v.replace("\\", "/").split("/")
        if v.startswith("/") or ".." in parts or ":" in parts[0]:
            raise ValueError("output must be a relative path inside the output folder")
        unknown = set(re.findall(r"\{([^}]*)\}", v)) - {"topic", "paper", "variant"}
        if unknown or v.count("{") != v.count("}"):
            raise ValueError("output may only use the placeholders {topic}, {paper}, {variant}")
        if not v.endswith((".pdf", ".pptx")):
            raise ValueError("output must end in .pdf or .pptx")
        return v

    @model_validator(mode="after")
    def _placeholders(self) -> DocumentSpec:
        if not self.output.endswith("." + self.format):
            raise ValueError(f"output {self.output!r} must end in .{self.format}")
        needed = {"topic"} if self.per == "topic" else set()
        needed |= {"paper"} if self.papers else set()
        needed |= {"variant"} if self.variants else set()
        missing = [n for n in sorted(needed) if "{" + n + "}" not in self.output]
        if missing:
            raise ValueError(
                f"output {self.output!r} must contain {{{missing[0]}}} so files do not collide")
        return self


class Quality(Model):
    max_grade: dict[Audience, Annotated[float, Field(ge=1, le=20)]] = {"patient": 8.0}
    review_warning_days: Annotated[int, Field(ge=0, le=365)] = 60
    time_limit_seconds: Annotated[float, Field(gt=0, le=3600)] = 60.0


class Plan(Model):
    title: Line = "medbrief"
    quality: Quality = Quality()
    documents: list[DocumentSpec] = Field(min_length=1)
