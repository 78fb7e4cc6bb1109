"""Hostile and broken YAML: every input named, every result a value as written or a located error.

Covers the strict reader (medbrief.yamlload) directly and through the loader, so each
error is shown as ``file:line:col: field: message``.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from hardening_support import Project, problems_of
from medbrief.errors import ContentError
from medbrief.yamlload import MAX_BYTES, parse_yaml


def parse(text: str | bytes):
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return parse_yaml(raw, Path("x.yaml"), "x.yaml").data


def refused(text: str | bytes) -> list[str]:
    with pytest.raises(ContentError) as e:
        parse(text)
    return problems_of(e)


@pytest.fixture
def project(tmp_path) -> Project:
    return Project(tmp_path)


# --- no silent types ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("answer: NO", "NO"),
        ("answer: yes", "yes"),
        ("answer: off", "off"),
        ("version: 1.10", "1.10"),
        ("time: 1:30", "1:30"),
        ("octal: 012", "012"),
        ("hex: 0x1F", "0x1F"),
        ("big: 1e400", "1e400"),
        ("inf: .inf", ".inf"),
        ("nan: .NaN", ".NaN"),
        ("date: 2026-01-10", "2026-01-10"),
        ("quoted: '1.10'", "1.10"),
    ],
)
def test_plain_scalars_stay_text_as_written(text, value):
    key = text.split(":")[0]
    assert parse(text) == {key: value}


def test_topic_version_1_10_stays_1_10(project):
    project.write()
    path = project.content / "topics" / "alpha.yaml"
    path.write_text(path.read_text().replace('version: "1.0"', "version: 1.10"))
    from medbrief.loader import load_project

    assert load_project(project.root).topics["alpha"].version == "1.10"


def test_boolean_looking_where_a_list_is_expected_is_a_located_error(project):
    project.write()
    path = project.content / "topics" / "alpha.yaml"
    text = path.read_text()
    start = text.index("questions:")
    end = text.index("\n", text.index("- ", start))
    path.write_text(text[:start] + "questions: NO" + text[end:])
    from medbrief.loader import load_project

    with pytest.raises(ContentError) as e:
        load_project(project.root)
    line = text[:start].count("\n") + 1
    assert problems_of(e) == [
        f"content/topics/alpha.yaml:{line}:12: questions: expected a list, got 'NO'\n"
        "    hint: write a list here, one `- item` per line"
    ]


# --- refused structures -------------------------------------------------------


def test_duplicate_key_names_both_lines():
    [msg] = refused("title: one\nother: x\ntitle: two\n")
    assert msg.startswith("x.yaml:3:1: duplicate key 'title' (first defined on line 1)")


def test_duplicate_key_in_nested_mapping_names_both_lines():
    [msg] = refused("a:\n  b: 1\n  c: 2\n  b: 3\n")
    assert msg.startswith("x.yaml:4:3: duplicate key 'b' (first defined on line 2)")


BILLION_LAUGHS = "\n".join(
    ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)]
)


def test_alias_bomb_is_refused_at_the_first_anchor_quickly():
    started = time.perf_counter()
    [msg] = refused(BILLION_LAUGHS)
    assert time.perf_counter() - started < 1
    assert msg.startswith("x.yaml:1:4: YAML anchors and aliases are not allowed")


def test_alias_alone_is_refused():
    [msg] = refused("a: *undefined\n")
    assert "anchors and aliases are not allowed" in msg or "YAML syntax error" in msg


def test_merge_key_is_refused():
    msg = refused("base: &b {x: 1}\nother:\n  <<: *b\n")[0]
    assert "anchors and aliases are not allowed" in msg


@pytest.mark.parametrize(
    "tagged",
    [
        '!!python/object/apply:os.system ["touch {marker}"]',
        "!!python/name:os.system",
        '!!python/object/new:subprocess.Popen [["touch", "{marker}"]]',
        "!!binary aGVsbG8=",
        "!!str 12",
        "!custom value",
    ],
)
def test_explicit_tags_are_refused_and_never_run(tagged, tmp_path):
    marker = tmp_path / "pwned"
    [msg] = refused("payload: " + tagged.format(marker=marker) + "\n")
    assert msg.startswith("x.yaml:1:10: YAML tag ")
    assert "is not allowed" in msg
    assert not marker.exists()


def test_complex_mapping_key_is_refused():
    [msg] = refused("? [a, b]\n: c\n")
    assert "mapping keys must be plain text" in msg


def test_two_documents_in_one_file_are_refused():
    [msg] = refused("a: 1\n---\nb: 2\n")
    assert msg.startswith("x.yaml:2:1: more than one YAML document in the file")


def test_tab_indentation_is_a_located_error_with_a_hint():
    [msg] = refused("a:\n\tb: 1\n")
    assert msg.startswith("x.yaml:2:")
    assert "YAML syntax error" in msg
    assert "hint: indent with spaces, not tabs" in msg


def test_tab_inside_quoted_text_is_accepted():
    assert parse('a: "one\ttwo"\nb: "x\\ty"\n') == {"a": "one\ttwo", "b": "x\ty"}


# --- encodings and sizes ------------------------------------------------------


def test_byte_order_mark_is_accepted_and_positions_unchanged():
    plain = parse_yaml(b"a: 1\nb: 2\n", Path("x.yaml"), "x.yaml")
    bom = parse_yaml(b"\xef\xbb\xbfa: 1\nb: 2\n", Path("x.yaml"), "x.yaml")
    assert bom.data == plain.data == {"a": "1", "b": "2"}
    assert bom.positions == plain.positions


def test_crlf_line_ends_are_accepted_with_the_same_lines():
    lf = parse_yaml(b"a: one\nb:\n  - two\n  - three\n", Path("x.yaml"), "x.yaml")
    crlf = parse_yaml(b"a: one\r\nb:\r\n  - two\r\n  - three\r\n", Path("x.yaml"), "x.yaml")
    assert crlf.data == lf.data == {"a": "one", "b": ["two", "three"]}
    assert crlf.positions == lf.positions


def test_lone_carriage_return_does_not_leak_into_values():
    data = parse(b"a: one\rb: two\n")
    assert all("\r" not in str(v) for v in (data or {}).values())


def test_latin1_bytes_are_a_located_error_naming_the_byte():
    [msg] = refused(b"title: ok\nname: caf\xe9 au lait\n")
    assert msg == (
        "x.yaml:2:10: byte 0xe9 is not valid UTF-8\n"
        "    hint: save the file as UTF-8 (it looks like Latin-1 or Windows-1252)"
    )


def test_utf16_file_is_refused_not_misread():
    msg = refused("title: x\n".encode("utf-16"))[0]
    assert "not valid UTF-8" in msg


@pytest.mark.parametrize("text", ["", "   \n\n", "\ufeff"])
def test_empty_file_is_refused(text):
    assert refused(text) == [
        "x.yaml:1:1: file is empty\n    hint: add the content, or delete the file"
    ]


def test_comment_only_topic_is_a_located_error(project):
    project.write()
    (project.content / "topics" / "alpha.yaml").write_text("# nothing yet\n")
    from medbrief.loader import load_project

    with pytest.raises(ContentError) as e:
        load_project(project.root)
    assert any(m.startswith("content/topics/alpha.yaml:") for m in problems_of(e))


def test_ten_megabyte_file_is_refused_by_size_before_parsing():
    raw = b"a: " + b"x" * 10_000_000 + b"\n"
    started = time.perf_counter()
    [msg] = refused(raw)
    assert time.perf_counter() - started < 1
    assert msg.startswith(f"x.yaml:1:1: file is 10,000,004 bytes; the limit is {MAX_BYTES:,}")


def test_ten_megabyte_topic_is_refused_through_the_loader(project):
    project.write()
    (project.content / "topics" / "alpha.yaml").write_bytes(b"# " + b"x" * 10_000_000)
    from medbrief.loader import load_project

    with pytest.raises(ContentError) as e:
        load_project(project.root)
    assert "content/topics/alpha.yaml:1:1: file is 10,000,002 bytes" in problems_of(e)[0]


# --- forbidden characters -----------------------------------------------------

FORBIDDEN = [
    ("\x00", "U+0000"),
    ("\x07", "U+0007"),
    ("\x08", "U+0008"),
    ("\x0b", "U+000B"),
    ("\x0c", "U+000C"),
    ("\x1b", "U+001B"),
    ("\x1f", "U+001F"),
    ("\x7f", "U+007F"),
    ("\x85", "U+0085"),
    ("\x9b", "U+009B"),
    ("\ufffe", "U+FFFE"),
    ("\uffff", "U+FFFF"),
    ("\ufdd0", "U+FDD0"),
    ("\u202e", "U+202E (right-to-left override)"),
    ("\u202d", "U+202D (left-to-right override)"),
    ("\u202a", "U+202A"),
    ("\u202b", "U+202B"),
    ("\u202c", "U+202C"),
    ("\u2066", "U+2066"),
    ("\u2067", "U+2067"),
    ("\u2068", "U+2068"),
    ("\u2069", "U+2069"),
]


@pytest.mark.parametrize(("char", "name"), FORBIDDEN)
def test_forbidden_character_written_raw_is_refused_with_its_position(char, name):
    [msg] = refused(f"title: ok\nname: ab{char}cd\n")
    assert msg.startswith(f"x.yaml:2:9: forbidden character {name}")


@pytest.mark.parametrize(("char", "name"), FORBIDDEN)
def test_forbidden_character_smuggled_as_an_escape_is_refused(char, name):
    escape = f"\\u{ord(char):04x}"
    [msg] = refused(f'title: ok\nname: "ab{escape}cd"\n')
    assert msg.startswith("x.yaml:2:")
    assert f"forbidden character {name}" in msg


@pytest.mark.parametrize("escape", ["\\ud800", "\\udfff", "\\ud83d"])
def test_lone_surrogate_escape_is_refused(escape):
    [msg] = refused(f'name: "x{escape}y"\n')
    # libyaml refuses the escape itself, located on its line
    assert msg.startswith("x.yaml:1:")
    assert "invalid Unicode character escape" in msg or f"U+{escape[2:].upper()}" in msg


def test_lone_surrogate_bytes_are_not_valid_utf8():
    [msg] = refused(b"name: x\xed\xa0\x80y\n")
    assert msg.startswith("x.yaml:1:8: byte 0xed is not valid UTF-8")


def test_every_forbidden_character_in_a_file_is_reported():
    msgs = refused("a: \x00\nb: \x07\nc: \u202e\n")
    assert [m.split(": ")[0] for m in msgs] == ["x.yaml:1:4", "x.yaml:2:4", "x.yaml:3:4"]


def test_forbidden_character_in_a_topic_is_located_in_the_content_file(project):
    project.topic()["summary"]["plain"] = "Safe \u202eevil"
    with pytest.raises(ContentError) as e:
        project.load()
    [msg] = problems_of(e)
    assert msg.startswith("content/topics/alpha.yaml:")
    assert "forbidden character U+202E (right-to-left override)" in msg


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('a: "x\\ty"', "x\ty"),
        ('a: "x\\ny"', "x\ny"),
        ("a: x\u200ey", "x\u200ey"),
        ("a: x\u200fy", "x\u200fy"),
        ("a: x\u00a0y", "x\u00a0y"),
    ],
)
def test_allowed_invisible_characters_are_kept(text, value):
    assert parse(text) == {"a": value}
