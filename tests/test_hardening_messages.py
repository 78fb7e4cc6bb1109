"""Messages are safe and located.

Content echoed in a message can neither drive the terminal (escape sequences are refused in
keys as in values, and anything unprintable in a message is escaped) nor be reinterpreted by
the console (rich markup, ``:emoji:`` codes).  Keys keep their names whatever they contain;
an unquoted ``#colour`` gets the hint to quote it; a character no packaged font can draw is
found at load, at its line; ✓ and ✗ print.
"""

from __future__ import annotations

import pytest

from hardening_support import Project, pdf_text, refused_at_load
from medbrief.cli import main
from medbrief.errors import Location, Problem, printable


@pytest.fixture
def project(tmp_path) -> Project:
    return Project(tmp_path / "project")


def _append(project: Project, relative: str, text: str) -> None:
    project.write()
    path = project.content / relative
    path.write_text(path.read_text() + text)


@pytest.mark.parametrize(
    ("key", "code"),
    [
        ("x\\u001b]0;TITLE\\u001b\\\\", "U+001B"),  # sets the terminal's title
        ("bell\\u0007", "U+0007"),
        ("csi\\u009b31m", "U+009B"),
        ("flip\\u202eevil", "U+202E (right-to-left override)"),
    ],
)
def test_forbidden_characters_in_mapping_keys_are_refused(project, key, code):
    _append(project, "topics/alpha.yaml", f'"{key}": 1\n')
    msgs = refused_at_load(project, write=False)
    assert msgs and all(f"forbidden character {code}" in m for m in msgs)
    assert msgs[0].startswith("content/topics/alpha.yaml:")
    assert all("\x1b" not in m and "\x07" not in m and "\x9b" not in m for m in msgs)


@pytest.mark.parametrize("text", ["a\x1b[31mred", "t\x07", "\x9b2J", "x\u202ey", "\x00"])
def test_unprintable_characters_in_any_message_are_escaped(text):
    shown = str(Problem(Location(f"content/{text}.yaml", 1, 1), text, text, text))
    assert printable(text) in shown
    assert not any(ch in shown for ch in "\x1b\x07\x9b\u202e\x00")


def test_a_topic_file_name_with_an_escape_sequence_is_printed_escaped(project, capsys):
    project.write()
    (project.content / "topics" / "evil\x1b]0;T\x07.yaml").write_text("id: alpha\n")
    assert main(["--project", str(project.root), "-q", "-o", str(project.out)]) == 2
    err = capsys.readouterr().err
    assert "\x1b]" not in err and "\x07" not in err
    assert "evil\\x1b]0;T\\x07.yaml" in err


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("a[b]", "['a[b]']: unknown field"),
        ("[0]", "['[0]']: unknown field"),
        ("x[y].z", "['x[y].z']: unknown field"),
    ],
)
def test_keys_with_brackets_keep_their_names(project, key, shown):
    _append(project, "topics/alpha.yaml", f'"{key}": 1\n')
    [msg] = refused_at_load(project, write=False)
    assert shown in msg


@pytest.mark.parametrize("key", [":thumbs_up:", "[bold red]loud[/bold red]", ":smile: [link=x]y"])
def test_echoed_content_is_not_reinterpreted_by_the_console(project, key, capsys):
    _append(project, "topics/alpha.yaml", f'"{key}": 1\n')
    assert main(["--project", str(project.root), "-q", "-o", str(project.out)]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert key in err
    assert "👍" not in err and "😄" not in err


@pytest.mark.parametrize("field", ["primary", "accent", "box_border"])
def test_unquoted_colour_gets_the_hint_to_quote_it(project, field):
    _append(project, "theme.yaml", f"colours:\n  {field}: #14506b\n")
    [msg] = refused_at_load(project, write=False)
    lines = (project.content / "theme.yaml").read_text().splitlines()
    line = next(i for i, row in enumerate(lines, 1) if row.strip().startswith(f"{field}:"))
    assert msg.startswith(f"content/theme.yaml:{line}:3: colours.{field}: ")
    assert "(YAML reads `#14506b` as a comment)" in msg
    assert msg.endswith('hint: quote it: "#14506b"')


@pytest.mark.parametrize(
    ("where", "char"),
    [
        (("summary", "plain"), "中"),
        (("title",), "ᚠ"),
        (("questions", 0), "\U00017000"),  # Tangut
    ],
)
def test_a_character_no_packaged_font_has_is_found_at_load(project, where, char):
    target = project.topic()
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = f"Text with {char} in it."
    [msg] = refused_at_load(project)
    assert msg.startswith("content/topics/alpha.yaml:")
    assert f"character {char!r} (U+{ord(char):04X} " in msg
    assert "cannot be printed: no packaged font has it" in msg


def test_tick_and_cross_print(project):
    project.topic()["summary"]["plain"] = "Yes ✓, no ✗, done ✔, failed ✖, box ☐ ☑ ☒."
    report = project.build()
    assert report.ok, [str(r.error) for r in report.failures]
    text = pdf_text(project.out / "handouts/alpha-a4.pdf")
    for char in "✓✗✔✖☐☑☒":
        assert char in text
