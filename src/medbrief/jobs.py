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
    def document(self) -> str:
        return self.spec.name

    @property
    def topic_ids(self) -> list[str]:
        return [t.id for t in self.topics]


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
