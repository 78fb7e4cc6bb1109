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
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from .colours import EXAMPLE, HEX_PATTERN, is_hex_colour

LOCATED_CHECKS = "located_checks"
"""Validation context key: leave cross-field checks to the caller, who can locate them."""

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=60)]
RelPath = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


def _hex_colour(value: str) -> str:
    if not is_hex_colour(value):
        raise ValueError(f"expected a colour like '{EXAMPLE}', got {value!r}")
    return value.lower()


Colour = Annotated[
    str, AfterValidator(_hex_colour), WithJsonSchema({"type": "string", "pattern": HEX_PATTERN})
]


VERSION_PATTERN = r"^\d+(\.\d+){0,2}$"
"""A content version: up to three dot-separated whole numbers ("1", "1.2", "10.0.3")."""


def version_key(version: str) -> tuple[int, ...]:
    """Sort key of a version, number by number: "2.0" < "10.0", "1.2" == "1.2.0"."""
    parts = [int(p) for p in version.split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def latest_version(versions) -> str:
    """The highest of ``versions``, compared number by number (not as text)."""
    return max(versions, key=version_key)


MAX_WEB_URL = 150
"""Longest web address a document prints and encodes in a QR code: longer ones make codes
too dense (or too large for a handout) to scan from paper."""


def web_url_problem(url: str) -> str | None:
    """Why ``url`` is not an ``http:``/``https:`` web address with a host, or None if it is.

    The one rule for addresses a document prints and encodes in a QR code (a site's
    website, the theme's topic page pattern)."""
    try:
        parsed = urlsplit(url)
    except ValueError:
        return f"{url[:80]!r} is not a valid web address"
    if parsed.scheme.lower() not in ("http", "https"):
        return f"{url[:80]!r} is not a web address: it must start with https:// or http://"
    if not parsed.hostname or any(c.isspace() for c in url) or "\\" in url:
        return f"{url[:80]!r} is not a valid web address"
    if len(url) > MAX_WEB_URL:
        return (
            f"the address is {len(url)} characters; the limit is {MAX_WEB_URL}, so that "
            "its QR code still scans from paper"
        )
    return None


def _web_url_pattern(value: str) -> str:
    unknown = set(re.findall(r"\{([^}]*)\}", value)) - {"topic"}
    if unknown or value.count("{") != value.count("}"):
        raise ValueError("topic_url may only use the placeholder {topic}")
    problem = web_url_problem(value.replace("{topic}", "topic"))
    if problem:
        raise ValueError(problem)
    return value


class Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, use_attribute_docstrings=True
    )
    # each field's docstring is its description in the JSON Schemas (`python build.py schema`)


# --- topics -----------------------------------------------------------------


class Registers(Model):
    """One thing said two ways: plain for patients, clinical for professionals."""

    plain: Text
    """For patients: short sentences, common words, reading grade 6-8."""
    clinical: Text
    """For clinicians and organisations: precise terms, mechanism, stage of evidence."""


class Cited(Model):
    """Where a statement comes from: source ids and, optionally, where in the source."""

    sources: list[Slug] = Field(min_length=1)
    """Ids of the sources (under `sources:` of this topic) this statement draws on."""
    where: Line | None = None
    """Where in the source, e.g. a section heading or page."""
    internal_note: Text | None = None
    """For editors only, printed nowhere: e.g. that this statement corrects its source."""


class Statement(Registers, Cited):
    """A sourced statement in both registers."""


SectionId = Literal["how-it-works", "who-it-may-help", "risks", "challenges", "research-status"]


class Section(Cited):
    id: SectionId
    """Which section this is; each id at most once per topic."""
    heading: Registers
    """The section heading, in both registers."""
    plain: list[Text] = Field(min_length=1, max_length=30)
    """Paragraphs for patients, one list item each."""
    clinical: list[Text] = Field(min_length=1, max_length=30)
    """Paragraphs for clinicians, one list item each."""


class Step(Model):
    label: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    """Short name of the step, drawn in the diagram box (at most 40 characters)."""
    plain: Text
    """What happens in this step, for patients."""
    clinical: Text
    """What happens in this step, for clinicians."""


class Process(Cited):
    title: Registers
    """Title of the step-by-step diagram."""
    steps: list[Step] = Field(min_length=2, max_length=8)
    """The steps, in order (2 to 8), drawn as a diagram."""


class GlossaryEntry(Model):
    term: Line
    """The word or phrase as it appears in the text."""
    definition: Text
    """A plain-language definition (reading grade 6-8)."""
    also: list[Line] = []
    """Other spellings that count as this term (plural, abbreviation)."""


class Perspective(Cited):
    """An opinion or a reported view: always shown with whose view it is."""

    kind: Literal["opinion", "skeptics", "experts"]
    """opinion (one person's or the source's view), skeptics or experts (a reported view)."""
    whose: Line
    """Whose view this is, e.g. "the editorial's author"."""
    plain: Text
    """The view, for patients, labelled as a view."""
    clinical: Text
    """The view, for clinicians."""


class Comparison(Cited):
    """The row this topic contributes to the briefing's side-by-side table."""

    mechanism: Text
    """How it works, in a few words."""
    target_cells: Text
    """Which cells it acts on."""
    stage: Text
    """Stage of evidence (animal studies, related disorders, early trials...)."""
    results_in_ms: Text
    """What the sources report about results in people with MS (often: none)."""
    main_risks: Text
    """The main known or expected risks."""
    open_challenges: Text
    """What is still unsolved."""


COMPARISON_ROWS = (
    ("mechanism", "Mechanism"),
    ("target_cells", "Target cells"),
    ("stage", "Stage of research"),
    ("results_in_ms", "Results in MS"),
    ("main_risks", "Main risks"),
    ("open_challenges", "Open challenges"),
)
"""The comparison table's rows, in order, with their labels (briefing and decks)."""


SourceKind = Literal[
    "peer-reviewed",
    "systematic-review",
    "guideline",
    "regulator",
    "trial-registry",
    "organisation",
    "news",
    "opinion",
    "unattributed",
]
"""What a source is.  content/README.md explains how to choose."""
SOURCE_KINDS: tuple[str, ...] = SourceKind.__args__
STRONG_KINDS: tuple[str, ...] = (
    "peer-reviewed",
    "systematic-review",
    "guideline",
    "regulator",
    "trial-registry",
)
"""Kinds a topic must cite at least one of before it can be approved for patients."""


def _web_address(value: str) -> str:
    if not value.lower().startswith(("https://", "http://")):
        raise ValueError("expected a web address starting with https:// or http://")
    return value


Url = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
    AfterValidator(_web_address),
]


class Source(Model):
    id: Slug
    """Short id that statements cite, e.g. gene-therapy-article."""
    title: Line
    """Title of the source as published."""
    kind: SourceKind
    """What the source is: peer-reviewed, systematic-review, guideline, regulator,
    trial-registry, organisation, news, opinion or unattributed (content/README.md)."""
    author: Line | None = None
    """Who wrote it, if known."""
    publisher: Line | None = None
    """Who published it, if known."""
    file: RelPath | None = None
    """Path of a local copy, relative to the project."""
    url: Url | None = None
    """Web address of the source (https:// or http://)."""
    published: dt.date | None = None
    """Date the source was published (YYYY-MM-DD), if known."""
    accessed: dt.date | None = None
    """Date the source was read (YYYY-MM-DD)."""
    internal_note: Text | None = None
    """For editors only: printed nowhere (e.g. where a statement corrects this source)."""
    public_note: Text | None = None
    """May be printed next to the source in every document."""


class Approval(Model):
    """Who signed a topic off for use with patients.  A missing block is a draft."""

    status: Literal["draft", "approved"] = "draft"
    """draft (the default) or approved."""
    by: Line | None = None
    """Who approved it (required when approved)."""
    role: Line | None = None
    """Their role, e.g. Consultant neurologist (required when approved)."""
    date: dt.date | None = None
    """When (YYYY-MM-DD; required when approved; not in the future)."""


DRAFT, APPROVED = "draft", "approved"
DRAFT_MARK = "DRAFT — not approved for use with patients"
"""Printed on every page and slide of a document built from a draft topic."""
SOURCE_KIND_LABELS = {
    "peer-reviewed": "peer-reviewed research",
    "systematic-review": "systematic review",
    "guideline": "clinical guideline",
    "regulator": "medicines regulator",
    "trial-registry": "trial registry entry",
    "organisation": "organisation's own text",
    "news": "news report",
    "opinion": "opinion piece",
    "unattributed": "no named author",
}
"""Each source kind in the words a reader understands."""


def approval_of(topics) -> str:
    """A document is approved only when every topic it covers is approved."""
    return APPROVED if topics and all(t.approval.status == APPROVED for t in topics) else DRAFT


class Topic(Model):
    id: Slug
    """The topic's id: lower-case words joined by hyphens; the file must be named <id>.yaml."""
    title: Line
    """Full title, used as the page heading."""
    short_title: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]
    """Short title for footers and slides (at most 40 characters)."""
    status: Literal["approved", "investigational", "experimental"]
    """Where the treatment stands: approved, investigational or experimental."""
    status_text: Registers
    """The status in words, in both registers; the handout's main message shows it."""
    last_reviewed: dt.date
    """Date the content was last reviewed (YYYY-MM-DD)."""
    next_review: dt.date
    """Date of the next review (YYYY-MM-DD), after last_reviewed."""
    version: Annotated[str, StringConstraints(pattern=VERSION_PATTERN)]
    """Content version, e.g. "1.0" (quote it)."""
    approval: Approval = Approval()
    """Who approved the topic for use with patients, and when; without it, a draft."""
    summary: Statement
    """The main message, in both registers, with its sources."""
    key_points: list[Statement] = Field(min_length=1, max_length=12)
    """The key points (1 to 12), each with its sources."""
    sections: list[Section] = Field(min_length=1, max_length=12)
    """The topic's sections (how it works, who it may help, risks, challenges, research status)."""
    process: Process
    """The step-by-step process drawn as a diagram."""
    glossary: list[GlossaryEntry] = Field(min_length=1, max_length=60)
    """Every medical term a patient may not know, with a plain definition."""
    questions: list[Line] = Field(min_length=1, max_length=15)
    """Questions a patient may ask their care team (1 to 15)."""
    perspectives: list[Perspective] = Field(default=[], max_length=12)
    """Opinions and reported views, always shown with whose view they are."""
    comparison: Comparison
    """This topic's row in the briefing's comparison table."""
    sources: list[Source] = Field(min_length=1, max_length=40)
    """The sources the statements draw on."""

    @model_validator(mode="after")
    def _check_references(self, info: ValidationInfo) -> Topic:
        if info.context and info.context.get(LOCATED_CHECKS):
            return self  # the loader reports them, located (see cross_field_problems)
        problems = self.cross_field_problems() + self.approval_problems(dt.date.today())
        if problems:
            raise ValueError(problems[0][1])
        return self

    def cited_kinds(self) -> list[str]:
        """The kinds of the sources the topic's statements cite, in source order."""
        cited = {s for c in self.cited() for s in c.sources}
        return list(dict.fromkeys(s.kind for s in self.sources if s.id in cited))

    def approval_problems(self, today: dt.date) -> list[tuple[tuple[str, ...], str, str]]:
        """Why this topic cannot be approved, as ``(("approval",), message, hint)``.

        The loader locates them at the line of the ``approval:`` key.
        """
        a = self.approval
        if a.status != APPROVED:
            return []
        where, out = ("approval",), []
        missing = [k for k in ("by", "role", "date") if getattr(a, k) is None]
        if missing:
            out.append(
                (
                    where,
                    "approval refused: an approved topic needs by, role and date "
                    f"(missing: {', '.join(missing)})",
                    "name who approved it (`by:`), their role (`role:`) and the date "
                    "(`date: YYYY-MM-DD`), or set `status: draft`",
                )
            )
        if a.date is not None and a.date > today:
            out.append(
                (
                    where,
                    f"approval refused: the approval date {a.date} is in the future",
                    "write the date the topic was actually approved",
                )
            )
        kinds = self.cited_kinds()
        if not any(k in STRONG_KINDS for k in kinds):
            out.append(
                (
                    where,
                    "approval refused: no source cited by this topic's statements is "
                    f"of a strong kind (found: {', '.join(kinds) or 'none'})",
                    f"cite a source of kind {', '.join(STRONG_KINDS[:-1])} or "
                    f"{STRONG_KINDS[-1]} for the statements, or keep `status: draft`",
                )
            )
        return out

    def cross_field_problems(self) -> list[tuple[tuple[str | int, ...], str, str]]:
        """Problems between fields, as ``(field path, message, hint)``."""
        problems = []
        if self.next_review <= self.last_reviewed:
            problems.append(
                (
                    ("next_review",),
                    "next_review must be after last_reviewed",
                    "set next_review to a later date than last_reviewed",
                )
            )
        known = sorted(s.id for s in self.sources)
        for where, cited in self.cited_paths():
            for j, source_id in enumerate(cited.sources):
                if source_id not in known:
                    problems.append(
                        (
                            (*where, "sources", j),
                            f"unknown source id {source_id!r}",
                            f"known source ids: {', '.join(known)}",
                        )
                    )
        seen: set[str] = set()
        for i, section in enumerate(self.sections):
            if section.id in seen:
                problems.append(
                    (
                        ("sections", i, "id"),
                        f"two sections share the id {section.id!r}",
                        "give each section a different id",
                    )
                )
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
            (("comparison",), self.comparison),
        ]

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)

    def source(self, source_id: str) -> Source:
        return next(s for s in self.sources if s.id == source_id)


# --- theme ------------------------------------------------------------------


class Organisation(Model):
    name: Line
    """The organisation's full name."""
    short_name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] | None = (
        None
    )
    """Short name for footers (at most 40 characters)."""
    contact: Line
    """How readers contact the organisation (phone, email)."""
    feedback: Line
    """How readers give feedback on the document."""
    website: Line | None = None
    """The organisation's website."""
    topic_url: (
        Annotated[
            str,
            StringConstraints(strip_whitespace=True, max_length=300),
            AfterValidator(_web_url_pattern),
        ]
        | None
    ) = None
    """The organisation's web page for a topic, e.g. ``https://example.org/topics/{topic}``:
    handouts without a site of their own carry a QR code to it."""


class Colours(Model):
    primary: Colour = "#1f4e79"
    """Headings, rules and the diagram's numbers."""
    accent: Colour = "#b45309"
    """Status marks and highlights."""
    text: Colour = "#1a1a1a"
    """Body text."""
    muted: Colour = "#4a4a4a"
    """Secondary text (footers, citations)."""
    background: Colour = "#ffffff"
    """Page background."""
    box_background: Colour = "#eef4fa"
    """Background of boxes (main message, diagram boxes)."""
    box_border: Colour = "#1f4e79"
    """Borders of boxes and diagram outlines."""
    on_primary: Colour = "#ffffff"
    """Text drawn on the primary colour."""


class FontFiles(Model):
    regular: RelPath
    """Regular font file, relative to content/."""
    bold: RelPath
    """Bold font file, relative to content/."""


class Fonts(Model):
    body: Line = "Atkinson Hyperlegible"
    """Packaged font family for body text."""
    heading: Line = "Atkinson Hyperlegible"
    """Packaged font family for headings."""
    deck: Line = "Arial"
    """Font the .pptx declares (presenters' machines must have it)."""
    deck_metrics: FontFiles | None = None
    """Font files to measure deck text with; default Arimo (Arial's metrics)."""


DeckLayout = Literal["title", "content", "section", "two-content", "comparison", "blank"]
"""The slide layouts a deck template may use (data-layout)."""
DEFAULT_LANGUAGE = "en-GB"
"""The documents' language when the theme does not say."""
LanguageTag = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$", max_length=35)
]


class OrganisationSource(Source):
    """The organisation's own text: the only kind it can be."""

    kind: Literal["organisation"] = "organisation"
    """Always organisation: the organisation's own text."""


class Safety(Model):
    """Safety text the organisation maintains once; every patient handout prints it."""

    source: OrganisationSource
    """The organisation as the source of this text (kind: organisation)."""
    keep_treatment: Text
    """Printed on page 1, next to the main message."""
    unproven_clinics: Text
    """A warning about clinics that sell unproven stem cell or gene treatments."""
    find_a_trial: Text
    """How to find a clinical trial."""


class Disclaimers(Model):
    """One disclaimer per audience: a patient's is never printed for a clinician."""

    patient: Text
    """Handouts."""
    clinician: Text
    """Clinician summaries."""
    organisation: Text
    """Briefings."""
    speaker: Text
    """Decks and their speaker notes."""

    def for_audience(self, audience: str) -> str:
        return getattr(self, audience)


class Theme(Model):
    organisation: Organisation
    """Who publishes the documents."""
    logo: RelPath | None = None
    """Logo file (SVG, PNG, JPEG or GIF), relative to content/."""
    colours: Colours = Colours()
    """Theme colours as #rrggbb; pairs must meet WCAG AA contrast."""
    fonts: Fonts = Fonts()
    """Fonts for documents and decks."""
    safety: Safety
    """Safety messages every patient handout prints, maintained once by the organisation."""
    disclaimers: Disclaimers
    """One disclaimer per audience: patient, clinician, organisation, speaker."""
    pptx_master: RelPath | None = None
    """The organisation's own .pptx master, relative to content/."""
    layouts: dict[DeckLayout, Line] = {}
    """Names of the master's layouts to use for each kind of slide."""
    language: LanguageTag = DEFAULT_LANGUAGE
    """Language of every document (BCP 47, e.g. en-GB): html lang, PDF /Lang, deck text."""


# --- wording to avoid in patient text -------------------------------------------------


class PromisePhrase(Model):
    phrase: Line
    """The word or phrase, e.g. breakthrough."""
    also: list[Line] = []
    """Other forms that count as this phrase."""
    instead: Text | None = None
    """What to write instead (shown in the hint)."""


class PromiseList(Model):
    """content/promises.yaml: phrases that read as a promise or hype in patient text."""

    phrases: list[PromisePhrase] = Field(min_length=1, max_length=2000)


# --- document plan ------------------------------------------------------------

DocumentKind = Slug
"""A row's document kind (handout, clinician-summary, briefing, deck, slides, or your own):
what ``--document`` selects and the manifest's ``document``."""
DocumentCheck = Literal[
    "status", "status-text", "artefacts", "main-message", "call-to-action", "safety", "print"
]
"""Checks of a built file besides readability and accessibility (README, "Quality gates")."""
DEFAULT_CHECKS: dict[str, tuple[DocumentCheck, ...]] = {
    "handout": ("status-text", "artefacts", "main-message", "call-to-action", "safety", "print"),
    "clinician-summary": ("status", "artefacts"),
    "briefing": ("status", "artefacts"),
    "web": ("status-text", "artefacts", "main-message", "call-to-action", "safety"),
    "deck": ("status",),
    "slides": ("status",),
}
"""The checks of a row that does not list its own ``checks`` (plans written before rows
could say so); other kinds get none."""
Audience = Literal["patient", "clinician", "organisation", "speaker"]
Paper = Literal["a4", "letter"]
Variant = Literal["clear", "large"]


WRITER_FORMATS = {"pdf": "pdf", "pptx": "pptx", "html": "html", "slides-pdf": "pdf"}
"""The file format each writer makes."""


class DocumentSpec(Model):
    """One row of content/documents.yaml: a template applied across topics/papers/variants."""

    name: DocumentKind
    """Which kind of document this row makes."""
    title: Line
    """Human-readable name of the row."""
    template: RelPath
    """Jinja template under templates/."""
    audience: Audience
    """Who reads it: decides the register and the checks."""
    format: Literal["pdf", "pptx", "html"]
    """File format of the output."""
    writer: Literal["pdf", "pptx", "html", "slides-pdf"] | None = None
    """Which writer makes the file (default: the one named like format); slides-pdf prints a
    deck template's fitted slides with their speaker notes."""
    per: Literal["topic", "all"] = "topic"
    """topic: one document per topic; all: one document covering every topic."""
    topics: list[Slug] | None = None
    """Only these topic ids (default: every topic)."""
    papers: list[Paper] | None = None
    """Paper sizes; one document each (needs {paper} in output)."""
    variants: list[Variant] | None = None
    """Print variants; one document each (needs {variant} in output)."""
    output: RelPath
    """Output path inside the output folder; placeholders {topic}, {paper}, {variant}, {site}."""
    sites: RelPath | None = None
    """A sites CSV file (relative to content/): one document per site, output uses {site}."""
    sections: list[SectionId] | None = None
    """Which topic sections this document shows, in this order (default: all)."""
    max_pages: Annotated[int, Field(ge=1, le=500)] | None = None
    """Most pages allowed (clear-print handouts: 2)."""
    max_pages_exempt: list[Variant] = ["large"]
    """Variants max_pages does not hold for (default: large print, set in large type)."""
    checks: list[DocumentCheck] | None = None
    """Which checks the built files get besides readability and accessibility (default: by
    document kind: :data:`DEFAULT_CHECKS`)."""

    @field_validator("output")
    @classmethod
    def _output_inside(cls, v: str) -> str:
        parts = v.replace("\\", "/").split("/")
        if v.startswith("/") or ".." in parts or ":" in parts[0]:
            raise ValueError("output must be a relative path inside the output folder")
        unknown = set(re.findall(r"\{([^}]*)\}", v)) - {"topic", "paper", "variant", "site"}
        if unknown or v.count("{") != v.count("}"):
            raise ValueError(
                "output may only use the placeholders {topic}, {paper}, {variant}, {site}"
            )
        if not v.endswith((".pdf", ".pptx", ".html")):
            raise ValueError("output must end in .pdf, .pptx or .html")
        return v

    @property
    def writer_name(self) -> str:
        return self.writer or self.format

    @property
    def applied_checks(self) -> tuple[DocumentCheck, ...]:
        return tuple(self.checks) if self.checks is not None else DEFAULT_CHECKS.get(self.name, ())

    def page_limit(self, variant: str | None) -> int | None:
        """The most pages a file of ``variant`` may have, if any."""
        return None if variant in self.max_pages_exempt else self.max_pages

    def expand(
        self, all_topics: list[str], site_ids: list[str] | None = None
    ) -> list[tuple[tuple[str, ...], str | None, str | None, str | None, str]]:
        """Every file this row writes: ``(topic ids, paper, variant, site id, output path)``,
        in order (site, topics, paper, variant).

        ``all_topics`` (sorted) is used when the row names no topics; ``site_ids`` are the
        sites of a row with ``sites:`` (None for other rows)."""
        ids = tuple(self.topics or all_topics)
        groups = [(t,) for t in ids] if self.per == "topic" else [ids]
        return [
            (
                topics,
                paper,
                variant,
                site,
                self.output.format(
                    topic=topics[0] if self.per == "topic" else "all",
                    paper=paper or "",
                    variant=variant or "",
                    site=site or "",
                ),
            )
            for site in (site_ids if site_ids is not None else [None])
            for topics in groups
            for paper in self.papers or [None]
            for variant in self.variants or [None]
        ]

    @model_validator(mode="after")
    def _placeholders(self) -> DocumentSpec:
        made = WRITER_FORMATS[self.writer_name]
        if made != self.format:
            raise ValueError(f"writer {self.writer_name!r} makes .{made} files, not .{self.format}")
        if not self.output.endswith("." + self.format):
            raise ValueError(f"output {self.output!r} must end in .{self.format}")
        needed = {"topic"} if self.per == "topic" else set()
        needed |= {"paper"} if self.papers else set()
        needed |= {"variant"} if self.variants else set()
        needed |= {"site"} if self.sites else set()
        if "{site}" in self.output and not self.sites:
            raise ValueError(
                f"output {self.output!r} uses {{site}} but the row has no `sites:` file"
            )
        missing = [n for n in sorted(needed) if "{" + n + "}" not in self.output]
        if missing:
            raise ValueError(
                f"output {self.output!r} must contain {{{missing[0]}}} so files do not collide"
            )
        return self


class Quality(Model):
    max_grade: dict[Audience, Annotated[float, Field(ge=1, le=20)]] = {"patient": 8.0}
    """Highest Flesch-Kincaid grade allowed per audience."""
    review_warning_days: Annotated[int, Field(ge=0, le=365)] = 60
    """Warn when a topic's next review is this many days away or fewer."""
    time_limit_seconds: Annotated[float, Field(gt=0, le=3600)] = 60.0
    """Longest time one document may take to build."""


class Plan(Model):
    title: Line = "medbrief"
    """Title of the collection of documents."""
    quality: Quality = Quality()
    """Settings of the quality gates."""
    documents: list[DocumentSpec] = Field(min_length=1)
    """The documents to build, one row each."""


class JargonTerm(Model):
    """A medical term patients may not know, and other spellings of it."""

    term: Line
    also: list[Line] = []


class JargonList(Model):
    """content/jargon.yaml: the terms plain-register text must explain in its glossary."""

    terms: Annotated[list[JargonTerm], Field(min_length=1, max_length=2000)]
