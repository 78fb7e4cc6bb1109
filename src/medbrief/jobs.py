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


def _topic_groups(spec: DocumentSpec, project: Project) -> list[tuple[Topic, ...]]:
    ids = spec.topics or sorted(project.topics)
    topics = tuple(project.topics[i] for i in ids)
    return [(t,) for t in topics] if spec.per == "topic" else [topics]


def plan_jobs(project: Project, filters: Filters = Filters()) -> list[Job]:
    """Every job the plan asks for, in plan order, that the filters accept."""
    jobs = []
    for spec in project.plan.documents:
        sites = project.sites_for(spec)
        for site in sites if sites is not None else [None]:
            for topics in _topic_groups(spec, project):
                for paper in spec.papers or [None]:
                    for variant in spec.variants or [None]:
                        out = spec.output.format(
                            topic=topics[0].id if spec.per == "topic" else "all",
                            paper=paper or "", variant=variant or "",
                            site=site.id if site else "")
                        job = Job(spec, topics, paper, variant, out, site)
                        if filters.accepts(job):
                            jobs.append(job)
    return jobs
