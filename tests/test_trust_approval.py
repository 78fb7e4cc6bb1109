"""Issue 9, trust: approval, source kinds, notes, draft marks and per-audience disclaimers.

Each rule is checked with its exact message.  Builds use the small project (two topics,
the real templates and theme) so they stay quick.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from conftest import page_texts, position, squash
from medbrief.commands import draft_summary
from medbrief.errors import ContentError
from medbrief.errors import Location as Loc
from medbrief.jobs import Filters
from medbrief.loader import load_project
from medbrief.model import DRAFT_MARK, approval_of
from medbrief.pipeline import build
from medbrief.quality.governance import check_artefacts, check_safety

TOPIC = "content/topics/alpha-topic.yaml"
APPROVED = (
    'version: "1.0"\napproval:\n  status: approved\n  by: Dr A. Example\n'
    "  role: Consultant neurologist\n  date: 2026-01-10\n"
)
STRONG = "    kind: unattributed\n"


def messages(root) -> list[str]:
    with pytest.raises(ContentError) as info:
        load_project(root)
    return [str(p) for p in info.value.problems()]


def approve(project, approval: str = APPROVED, kind: str = "peer-reviewed") -> str:
    project.edit(TOPIC, STRONG, f"    kind: {kind}\n")
    return project.edit(TOPIC, 'version: "1.0"\n', approval)


# --- the approval block -----------------------------------------------------------------------


def test_a_topic_without_an_approval_block_is_a_draft(mini_project):
    project = load_project(mini_project.root)
    topic = project.topics["alpha-topic"]
    assert topic.approval.status == "draft"
    assert approval_of([topic]) == "draft"


def test_approval_needs_by_role_and_date_at_the_approval_line(mini_project):
    text = approve(
        mini_project, 'version: "1.0"\napproval:\n  status: approved\n  by: Dr A. Example\n'
    )
    line, col = position(text, "approval:")
    assert messages(mini_project.root) == [
        f"{TOPIC}:{line}:{col}: approval: approval refused: an approved topic needs by, role "
        "and date (missing: role, date)\n"
        "    hint: name who approved it (`by:`), their role (`role:`) and the date "
        "(`date: YYYY-MM-DD`), or set `status: draft`"
    ]


def test_approval_date_in_the_future_is_refused(mini_project):
    future = dt.date.today() + dt.timedelta(days=3)
    text = approve(mini_project, APPROVED.replace("2026-01-10", future.isoformat()))
    line, _ = position(text, "approval:")
    assert messages(mini_project.root) == [
        f"{TOPIC}:{line}:1: approval: approval refused: the approval date {future} is in the "
        "future\n    hint: write the date the topic was actually approved"
    ]


@pytest.mark.parametrize("kinds", [("opinion",), ("unattributed",), ("news", "organisation")])
def test_approval_without_a_strong_source_names_the_kinds_found(mini_project, kinds):
    text = approve(mini_project, kind=kinds[0])
    if len(kinds) > 1:  # a second source, cited by the summary
        text = mini_project.edit(
            TOPIC,
            "  sources: [demo-source]\nkey_points:",
            "  sources: [demo-source, other]\nkey_points:",
        )
        mini_project.write(TOPIC, text + f"  - id: other\n    title: Other\n    kind: {kinds[1]}\n")
    line, _ = position(text, "approval:")
    assert messages(mini_project.root) == [
        f"{TOPIC}:{line}:1: approval: approval refused: no source cited by this topic's "
        f"statements is of a strong kind (found: {', '.join(kinds)})\n"
        "    hint: cite a source of kind peer-reviewed, systematic-review, guideline, regulator "
        "or trial-registry for the statements, or keep `status: draft`"
    ]


def test_a_strong_source_listed_but_not_cited_does_not_count(mini_project):
    text = approve(mini_project, kind="opinion")
    mini_project.write(TOPIC, text + "  - id: paper\n    title: A paper\n    kind: guideline\n")
    (message,) = messages(mini_project.root)
    assert "(found: opinion)" in message


def test_approval_with_a_cited_strong_source_loads(mini_project):
    approve(mini_project)
    topic = load_project(mini_project.root).topics["alpha-topic"]
    assert (topic.approval.by, topic.approval.date) == ("Dr A. Example", dt.date(2026, 1, 10))


def test_the_real_topics_stay_drafts(project_copy):
    project = load_project(project_copy.root)
    for topic in project.topics.values():
        assert topic.approval.status == "draft"
        assert not set(topic.cited_kinds()) & {
            "peer-reviewed",
            "systematic-review",
            "guideline",
            "regulator",
            "trial-registry",
        }


def test_approving_a_real_topic_is_refused_at_its_approval_line(project_copy):
    path = "content/topics/car-t-ms.yaml"
    text = project_copy.edit(
        path,
        "approval:\n  status: draft\n",
        "approval:\n  status: approved\n  by: Dr R. Okafor\n"
        "  role: Consultant neurologist\n  date: 2026-11-28\n",
    )
    line, _ = position(text, "approval:\n  status: approved")
    found = messages(project_copy.root)
    assert [m.splitlines()[0] for m in found] == [
        f"{path}:{line}:1: approval: approval refused: no source cited by this topic's "
        "statements is of a strong kind (found: opinion)"
    ]


# --- source kinds and notes -------------------------------------------------------------------


def test_source_kind_is_a_closed_list(mini_project):
    text = mini_project.edit(TOPIC, STRONG, "    kind: opinion editorial\n")
    line, col = position(text, "opinion editorial")
    assert messages(mini_project.root) == [
        f"{TOPIC}:{line}:{col}: sources[0].kind: unknown source kind 'opinion editorial'\n"
        "    hint: use one of: peer-reviewed, systematic-review, guideline, regulator, "
        "trial-registry, organisation, news, opinion, unattributed (content/README.md says how "
        "to choose)"
    ]


def test_the_old_note_field_says_what_replaced_it(mini_project):
    text = mini_project.edit(TOPIC, STRONG, STRONG + "    note: Check its facts.\n")
    line, col = position(text, "Check its facts.")
    assert messages(mini_project.root) == [
        f"{TOPIC}:{line}:{col}: sources[0].note: unknown field: `note` is now internal_note or "
        "public_note\n    hint: write `internal_note:` for editors (printed nowhere) or "
        "`public_note:` for text that may be printed with the source"
    ]


def test_source_url_must_be_a_web_address(mini_project):
    text = mini_project.edit(TOPIC, STRONG, STRONG + "    url: file:///etc/passwd\n")
    line, col = position(text, "file:///etc/passwd")
    assert messages(mini_project.root) == [
        f"{TOPIC}:{line}:{col}: sources[0].url: expected a web address starting with https:// "
        "or http://"
    ]


def test_the_theme_safety_source_must_be_the_organisation(mini_project):
    text = mini_project.edit(
        "content/theme.yaml", "    kind: organisation\n", "    kind: opinion\n"
    )
    line, col = position(text, "kind: opinion")
    assert messages(mini_project.root) == [
        f"content/theme.yaml:{line}:{col + 6}: safety.source.kind: unknown source kind "
        "'opinion'\n    hint: use one of: organisation (content/README.md says how to choose)"
    ]


# --- what the built documents print -----------------------------------------------------------


def _build(root, outdir, **filters):
    f = Filters(**{k: frozenset(v) for k, v in filters.items()})
    report = build(root, outdir, f)
    assert report.ok, [str(r.error) for r in report.failures]
    return report


def test_a_draft_marks_every_page_and_the_manifest(mini_project, tmp_path):
    mini_project.edit(
        TOPIC,
        "  - id: demo-source\n",
        "  - id: demo-source\n"
        "    internal_note: Secret editors' remark.\n"
        "    public_note: Printed remark.\n",
    )
    out = tmp_path / "out"
    report = _build(mini_project.root, out, topics={"alpha-topic"})
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))["files"]
    assert {e["approval"] for e in manifest} == {"draft"}
    for entry in manifest:
        pages = page_texts(out / entry["path"])
        assert len(pages) == entry["pages"]
        for page in pages:
            assert DRAFT_MARK in page, f"{entry['path']}: a page without the draft band"
        text = squash(" ".join(pages))
        assert "Secret editors' remark" not in text
        assert "Printed remark." in text
    assert draft_summary(report) == (
        f"{len(manifest)} of {len(manifest)} documents are drafts, marked “{DRAFT_MARK}”; "
        "topics not approved: alpha-topic, beta-topic (see `approval:` in each topic file)"
    )


def test_an_approved_topic_prints_who_approved_it_and_no_draft_mark(mini_project, tmp_path):
    approve(mini_project)
    out = tmp_path / "out"
    report = _build(
        mini_project.root, out, topics={"alpha-topic"}, documents={"handout", "clinician-summary"}
    )
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))["files"]
    assert {e["approval"] for e in manifest} == {"approved"} and len(manifest) == 5
    for entry in manifest:
        text = squash(" ".join(page_texts(out / entry["path"])))
        assert "DRAFT" not in text
        assert (
            "Approved for use with patients by Dr A. Example, Consultant neurologist, on "
            "10 January 2026."
        ) in text
    assert draft_summary(report) == ""


def test_a_document_with_any_draft_topic_is_a_draft(mini_project, tmp_path):
    approve(mini_project)
    out = tmp_path / "out"
    _build(mini_project.root, out, documents={"briefing"})
    (entry,) = json.loads((out / "manifest.json").read_text("utf-8"))["files"]
    assert entry["approval"] == "draft"
    text = squash(" ".join(page_texts(out / entry["path"])))
    assert "Approved for use with patients by Dr A. Example" in text  # alpha
    assert "Draft: not yet approved for use with patients." in text  # beta


def test_each_audience_gets_its_own_disclaimer(mini_project, tmp_path):
    project = load_project(mini_project.root)
    d = project.theme.disclaimers
    out = tmp_path / "out"
    _build(mini_project.root, out, topics={"alpha-topic"})
    for entry in json.loads((out / "manifest.json").read_text("utf-8"))["files"]:
        text = squash(" ".join(page_texts(out / entry["path"])))
        own = getattr(d, entry["audience"])
        others = [
            getattr(d, a)
            for a in ("patient", "clinician", "organisation")
            if a != entry["audience"]
        ]
        assert squash(own) in text, entry["path"]
        for other in others:
            assert squash(other)[:60] not in text, entry["path"]


def test_handouts_print_the_safety_messages(mini_project, tmp_path):
    project = load_project(mini_project.root)
    s = project.theme.safety
    out = tmp_path / "out"
    _build(mini_project.root, out, topics={"alpha-topic"}, documents={"handout"})
    for pdf in (out / "handouts").glob("*.pdf"):
        pages = [squash(p) for p in page_texts(pdf)]
        assert squash(s.keep_treatment) in pages[0], pdf.name
        whole = " ".join(pages)
        assert squash(s.unproven_clinics) in whole and squash(s.find_a_trial) in whole
        assert "Northbridge Neurology Network safety messages (organisation's own text)" in whole


# --- the governance checks on built text ------------------------------------------------------

WHERE = Loc("output/x.pdf")


def test_a_patient_disclaimer_on_a_clinician_document_is_an_error(mini_project):
    project = load_project(mini_project.root)
    topic = project.topics["alpha-topic"]
    text = project.theme.disclaimers.patient + " " + project.theme.disclaimers.clinician
    found = [
        f
        for f in check_artefacts(text, project, [topic], WHERE, "x", "clinician")
        if "disclaimer" in f.message
    ]
    assert [(f.severity, f.message, f.hint) for f in found] == [
        (
            "error",
            "prints the patient disclaimer, but its audience is clinician",
            "print the clinician disclaimer (theme.yaml disclaimers.clinician)",
        )
    ]


def test_safety_messages_are_checked_on_handouts(mini_project):
    safety = load_project(mini_project.root).theme.safety
    found = check_safety("page one", "page one and more", safety, WHERE, "x.pdf")
    assert [f.message for f in found] == [
        "does not show the safety message “Do not stop or change your current MS treatment "
        "without talking to your MS team.” on page 1",
        "does not show the warning about clinics that sell unproven treatments "
        "(theme.yaml safety.unproven_clinics)",
        "does not show how to find a clinical trial (theme.yaml safety.find_a_trial)",
    ]
    everything = " ".join([safety.keep_treatment, safety.unproven_clinics, safety.find_a_trial])
    assert check_safety(everything, everything, safety, WHERE, "x.pdf") == []
