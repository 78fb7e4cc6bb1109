"""Issue 9: the promise gate (content/promises.yaml) and the sample-contact warning."""

from __future__ import annotations

from conftest import position
from medbrief.check_command import content_gate
from medbrief.loader import load_project
from medbrief.quality import promises
from medbrief.quality.finding import failed

TOPIC = "content/topics/alpha-topic.yaml"
HINT_CURE = (
    "say what is known, not what is hoped: say what the research is testing, and that "
    "nobody knows yet if it works"
)


def found(root) -> list[str]:
    return [
        str(f)
        for f in promises.check(load_project(root))
        if "contact details look like a sample" not in f.message  # the sample's, expected
    ]


def test_the_real_content_makes_no_promises(project_copy):
    assert found(project_copy.root) == []


def test_a_promise_in_a_folded_field_is_located_at_its_own_line_and_column(mini_project):
    text = mini_project.edit(
        TOPIC,
        "  plain: A short summary.\n",
        '  plain: "A short summary. It\n    could Cure MS one day."\n',
    )
    line, col = position(text, "Cure MS")
    (f,) = promises.check(load_project(mini_project.root))[:1]
    assert str(f) == (
        f"{TOPIC}:{line}:{col}: summary.plain: “Cure” reads as a promise in "
        f"patient text\n    hint: {HINT_CURE}"
    )
    assert f.severity == "warning" and f.gate == "promises"


def test_phrases_match_across_line_breaks_hyphens_and_case(mini_project):
    text = mini_project.edit(
        TOPIC,
        "    plain: [Some risks.]\n",
        '    plain: ["It is only\n        AVAILABLE in trials."]\n',
    )
    line, col = position(text, "only\n")
    (message,) = found(mini_project.root)
    assert message.startswith(
        f"{TOPIC}:{line}:{col}: sections[1].plain[0]: “only AVAILABLE "
        "in” reads as a promise in patient text"
    )


def test_whole_words_only(mini_project):
    mini_project.edit(
        TOPIC,
        "  plain: A short summary.\n",
        "  plain: A secure, curious summary with procured data.\n",
    )
    assert found(mini_project.root) == []


def test_clinical_text_is_not_patient_text(mini_project):
    mini_project.edit(
        TOPIC, "  clinical: A clinical summary.\n", "  clinical: No cure is reported.\n"
    )
    assert found(mini_project.root) == []


def test_theme_patient_text_is_checked(mini_project):
    text = mini_project.edit(
        "content/theme.yaml",
        '  keep_treatment: "Do not stop',
        '  keep_treatment: "A breakthrough. Do not stop',
    )
    line, col = position(text, "breakthrough")
    assert found(mini_project.root) == [
        f"content/theme.yaml:{line}:{col}: safety.keep_treatment: “breakthrough” reads as a "
        "promise in patient text\n    hint: say what is known, not what is hoped: say what "
        "stage the research is at (lab, animals, early studies in people)"
    ]


def test_strict_turns_a_promise_into_an_error(mini_project):
    mini_project.edit(
        TOPIC,
        "  plain: A short summary.\n",
        "  plain: A short summary. One treatment might be enough.\n",
    )
    findings = promises.check(load_project(mini_project.root))
    assert not failed(findings) and failed(findings, strict=True)


def test_strict_build_refuses_a_promise(mini_project):
    from rich.console import Console

    mini_project.edit(
        TOPIC, "  plain: A short summary.\n", "  plain: A short summary, not just hope.\n"
    )
    project = load_project(mini_project.root)
    console = Console(record=True, width=200)
    assert content_gate(project, console, strict=False) is True
    assert content_gate(project, console, strict=True) is False
    assert "summary.plain: “not just” reads as a promise in patient text" in console.export_text()


def test_a_missing_list_is_a_warning(mini_project):
    mini_project.path("content/promises.yaml").unlink()
    (f,) = [
        f
        for f in promises.check(load_project(mini_project.root))
        if f.gate == "promises" and not f.field
    ]
    assert str(f) == (
        "content/promises.yaml: no promise list: patient text cannot be checked "
        "for promises\n    hint: add content/promises.yaml with `phrases:` (see "
        "content/README.md)"
    )


def test_a_broken_list_is_a_located_content_error(mini_project):
    import pytest

    from medbrief.errors import ContentError

    mini_project.write("content/promises.yaml", "phrases:\n  - phrase: cure\n    colour: red\n")
    with pytest.raises(ContentError) as info:
        load_project(mini_project.root)
    assert [str(p).splitlines()[0] for p in info.value.problems()] == [
        "content/promises.yaml:3:13: phrases[0].colour: unknown field"
    ]


# --- sample contact details -------------------------------------------------------------------


def test_sample_contact_details_are_warned_about(mini_project):
    text = mini_project.read("content/theme.yaml")
    phone, mail = position(text, "0300 000 0000"), position(text, "northbridge.example")
    contact = [
        str(f)
        for f in promises.sample_contacts(load_project(mini_project.root))
        if f.field == "organisation.contact"
    ]
    hint = (
        "    hint: give the organisation's real contact details before any handout reaches a "
        "patient; a fictional helpline must never be printed"
    )
    assert contact == [
        f"content/theme.yaml:{mail[0]}:{mail[1]}: organisation.contact: contact details look "
        f"like a sample: the address “northbridge.example” uses a reserved example domain\n{hint}",
        f"content/theme.yaml:{phone[0]}:{phone[1]}: organisation.contact: contact details look "
        f"like a sample: the phone number “0300 000 0000” is a row of zeros\n{hint}",
    ]


def test_real_looking_contact_details_pass(mini_project):
    mini_project.edit(
        "content/theme.yaml",
        '"Neurology information service · 0300 000 0000 · info@northbridge.example"',
        '"Neurology information service · 0300 123 4567 · info@northbridge.org"',
    )
    mini_project.edit(
        "content/theme.yaml", "feedback@northbridge.example", "feedback@northbridge.org"
    )
    mini_project.edit(
        "content/theme.yaml", "website: northbridge.example", "website: northbridge.org"
    )
    assert promises.sample_contacts(load_project(mini_project.root)) == []


def test_sample_phone_rule():
    assert promises.sample_phone("call 0300 000 0000") == "0300 000 0000"
    assert promises.sample_phone("call +44 (0)20 0000 000") == "+44 (0)20 0000 000"
    assert promises.sample_phone("call 0300 123 4567") is None
    assert promises.sample_phone("room 1000") is None
    assert promises.sample_phone("call 01632 960 101") == "01632 960 101"  # UK drama range
    assert promises.sample_phone("call 555-0123") == "555-0123"
    assert promises.sample_phone("call 01632 123 456") is None


def test_sample_contacts_in_a_sites_file_are_one_warning_per_column(tmp_path):
    from hardening_support import Project

    project = Project(tmp_path)
    project.write_file(
        "sites.csv",
        "id,name,phone,email,website\n"
        "north,North Clinic,0161 496 0123,north@clinic.org,https://north.clinic.org\n"
        "east,East Clinic,01632 960 202,east@clinic.example,https://clinic.org/east\n"
        "west,West Clinic,01632 960 303,west@clinic.example,https://clinic.org/west",
    )
    row = dict(project.plan["documents"][0], sites="sites.csv")
    row["output"] = "sites/{site}/" + row["output"].split("/")[-1]
    project.plan["documents"] = [row]
    found = [str(f) for f in promises.sample_contacts(project.load()) if "sites.csv" in str(f)]
    hint = (
        "    hint: give each clinic's real contact details in the sites file before any "
        "handout reaches a patient; a fictional helpline must never be printed"
    )
    assert found == [
        "content/sites.csv:3:18: phone: site “east”: contact details look like a sample: the "
        f"phone number “01632 960 202” is in a range reserved for fiction (2 of 3 sites)\n{hint}",
        "content/sites.csv:3:32: email: site “east”: contact details look like a sample: the "
        f"address “clinic.example” uses a reserved example domain (2 of 3 sites)\n{hint}",
    ]
