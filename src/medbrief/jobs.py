"""Expand the document plan into jobs: template × topic(s) × site × paper × variant."""

from __future__ import annotations

from dataclasses import dataclass

from .loader import Project
from .model import DocumentSpec, Topic
from .sites import Site


@dataclass(frozen=True)
class Job:
    spec: DocumentSpec
    topics: tuple[Topic, ...]
    paper: str | None
    variant: str | None
    output: str
    """Path relative to the output folder."""
    site: Site | None = None
    """The site a personalised document is for (plan rows with ``sites:``)."""

    @property
    def format(self) -> str:
        return self.spec.format

    @property
    def writer(self) -> str:
        return self.spec.writer_name

    @property
    def needs_pdf_engine(self) -> bool:
        """Rendered by WeasyPrint (every PDF, slides PDFs included); decks and web pages are
        not, so they can be made before, or without, the PDF engine loaded."""
        return self.format == "pdf"

    @property
    def document(self) -> str:
        return self.spec.name

    @property
    def topic_ids(self) -> list[str]:
        return [t.id for t in self.topics]


WRITER_COST = {"slides-pdf": 1.5, "pdf": 1.0, "pptx": 0.5, "html": 0.05}
"""Rough render time of one topic's document by writer, relative to a PDF handout (measured
on the default build: a slides-with-notes PDF takes about 1.5 handouts per topic)."""


def render_order(jobs: list[Job]) -> list[Job]:
    """``jobs`` with the costliest first (longest-processing-time scheduling): workers that
    take documents in this order finish together instead of waiting on a slow last one.
    Stable, so equal costs keep plan order; only the order of rendering changes, never what
    is reported (summaries and the manifest stay in plan order)."""
    return sorted(jobs, key=lambda j: -WRITER_COST.get(j.writer, 1.0) * len(j.topics))


@dataclass(frozen=True)
class Filters:
    documents: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()
    formats: frozenset[str] = frozenset()

    def accepts(self, job: Job) -> bool:
        return (
            (not self.documents or job.document in self.documents)
            and (not self.topics or bool(self.topics & set(job.topic_ids)))
            and (not self.formats or job.format in self.formats)
        )


def plan_jobs(project: Project, filters: Filters = Filters()) -> list[Job]:
    """Every job the plan asks for, in plan order, that the filters accept."""
    jobs = []
    for spec in project.plan.documents:
        sites = project.sites_for(spec)
        by_id = {site.id: site for site in sites} if sites is not None else {}
        for ids, paper, variant, site_id, out in spec.expand(
            sorted(project.topics), list(by_id) if sites is not None else None
        ):
            job = Job(
                spec, tuple(project.topics[i] for i in ids), paper, variant, out, by_id.get(site_id)
            )
            if filters.accepts(job):
                jobs.append(job)
    return jobs
