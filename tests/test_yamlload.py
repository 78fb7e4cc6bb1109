"""The strict YAML reader: plain strings only, located refusals with exact messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from medbrief.errors import ContentError
from medbrief.yamlload import MAX_BYTES, load_yaml, parse_yaml

NAME = "content/topics/demo.yaml"
CHAR_HINT = "remove it: control, bidi-override and non-characters cannot be printed safely"


def parse(raw: bytes):
    return parse_yaml(raw, Path("demo.yaml"), NAME)


def problems(raw: bytes) -> list[str]:
    """Every problem reported for ``raw``, as printed; fails if it parses."""
    with pytest.raises(ContentError) as info:
        parse(raw)
    return [str(p) for p in info.value.problems()]


def test_scalars_stay_strings():
    data = parse(
        b"answer: NO\nversion: 1.10\ntime: 1:30\ncount: 012\nflag: on\n"
        b"day: 2026-01-15\nnothing: ~\n"
    ).data
    assert data == {
        "answer": "NO",
        "version": "1.10",
        "time": "1:30",
        "count": "012",
        "flag": "on",
        "day": "2026-01-15",
        "nothing": None,
    }


def test_positions_are_recorded_for_nested_values():
    doc = parse(b"top:\n  items:\n    - first\n    - second\n")
    assert doc.data == {"top": {"items": ["first", "second"]}}
    assert str(doc.locate(("top", "items", 1))) == f"{NAME}:4:7"
    # an unknown deeper path falls back to its closest known parent
    assert str(doc.locate(("top", "items", 1, "missing"))) == f"{NAME}:4:7"


def test_duplicate_key_names_both_lines():
    assert problems(b"title: One\nversion: '1'\ntitle: Two\n") == [
        f"{NAME}:3:1: duplicate key 'title' (first defined on line 1)\n"
        "    hint: remove one of the two entries"
    ]


def test_duplicate_key_in_nested_mapping():
    raw = b"summary:\n  plain: a\n  clinical: b\n  plain: c\n"
    assert problems(raw)[0].startswith(
        f"{NAME}:4:3: duplicate key 'plain' (first defined on line 2)"
    )


@pytest.mark.parametrize(
    "raw, where",
    [
        (b"a: &anchor text\nb: x\n", "1:4"),
        (b"a: [x]\nb: *anchor\n", "2:4"),
    ],
)
def test_anchors_and_aliases_refused(raw, where):
    assert problems(raw) == [
        f"{NAME}:{where}: YAML anchors and aliases are not allowed\n"
        "    hint: write the value out in full where it is needed"
    ]


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object:os.system",
        "!!python/object/apply:os.system",
        "!!python/name:os.system",
    ],
)
def test_python_tags_refused(tag):
    expected_tag = "tag:yaml.org,2002:" + tag.removeprefix("!!")
    assert problems(f"ok: yes\nboom: {tag} ['ls']\n".encode()) == [
        f"{NAME}:2:7: YAML tag {expected_tag!r} is not allowed\n"
        "    hint: remove the tag; content is plain text, lists and mappings"
    ]


def test_local_tag_refused():
    assert problems(b"a: !secret x\n")[0].startswith(f"{NAME}:1:4: YAML tag '!secret' is not")


def test_tab_indentation_hint_mentions_tabs():
    assert problems(b"title: x\nsummary:\n\tplain: y\n") == [
        f"{NAME}:3:1: YAML syntax error: found character '\\t' that cannot start any token\n"
        "    hint: indent with spaces, not tabs"
    ]


def test_tab_inside_quoted_text_is_fine():
    assert parse(b'a: "one\\ttwo"\nb: "x\ty"\n').data == {"a": "one\ttwo", "b": "x\ty"}


def test_other_syntax_errors_are_located():
    found = problems(b"title: x\nsummary: [unclosed\nnext: y\n")
    assert len(found) == 1
    assert found[0].startswith(f"{NAME}:3:5: YAML syntax error: ")
    assert found[0].endswith("hint: check the indentation and quoting near this line")


def test_bom_and_crlf_accepted():
    raw = "\ufefftitle: Café\r\nitems:\r\n  - one\r\n  - two\r\n".encode()
    doc = parse(raw)
    assert doc.data == {"title": "Café", "items": ["one", "two"]}
    assert str(doc.locate(("items", 1))) == f"{NAME}:4:5"


def test_latin1_bytes_give_located_utf8_error():
    assert problems(b"title: ok\nsummary: caf\xe9 au lait\n") == [
        f"{NAME}:2:13: byte 0xe9 is not valid UTF-8\n"
        "    hint: save the file as UTF-8 (it looks like Latin-1 or Windows-1252)"
    ]


@pytest.mark.parametrize("raw", [b"", b"  \n\n", "\ufeff\n".encode()])
def test_empty_file(raw):
    assert problems(raw) == [
        f"{NAME}:1:1: file is empty\n    hint: add the content, or delete the file"
    ]


def test_oversized_file_refused_before_parsing():
    raw = b"a: " + b"x" * MAX_BYTES
    assert problems(raw) == [
        f"{NAME}:1:1: file is {len(raw):,} bytes; the limit is 1,000,000\n"
        "    hint: split the content into smaller files; a topic is normally a few kilobytes"
    ]


def test_file_at_the_limit_is_read():
    raw = b"a: " + b"x" * (MAX_BYTES - 4) + b"\n"
    assert len(raw) == MAX_BYTES
    assert len(parse(raw).data["a"]) == MAX_BYTES - 4


@pytest.mark.parametrize(
    "char, name, col",
    [
        ("\x07", "U+0007", 9),
        ("\x00", "U+0000", 9),
        ("\x1b", "U+001B", 9),
        ("\x85", "U+0085", 9),
        ("\u202e", "U+202E (right-to-left override)", 9),
        ("\u202d", "U+202D (left-to-right override)", 9),
        ("\u2066", "U+2066", 9),
        ("\ufffe", "U+FFFE", 9),
    ],
)
def test_forbidden_characters_located(char, name, col):
    raw = f"title: ok\nnote: ab{char}cd\n".encode()
    assert problems(raw) == [f"{NAME}:2:{col}: forbidden character {name}\n    hint: {CHAR_HINT}"]


def test_every_forbidden_character_is_reported():
    raw = "a: x\u202ey\nb: ok\nc: \x07\n".encode()
    assert [p.splitlines()[0] for p in problems(raw)] == [
        f"{NAME}:1:5: forbidden character U+202E (right-to-left override)",
        f"{NAME}:3:4: forbidden character U+0007",
    ]


def test_forbidden_character_in_a_comment_is_still_refused():
    assert problems(b"a: x  # bell \x07\n")[0].startswith(f"{NAME}:1:14: forbidden character")


@pytest.mark.parametrize(
    "escaped, name",
    [
        ("\\x07", "U+0007"),
        ("\\a", "U+0007"),
        ("\\u202e", "U+202E (right-to-left override)"),
        ("\\0", "U+0000"),
    ],
)
def test_quoted_escapes_refused(escaped, name):
    raw = f'title: ok\nnote: "ab{escaped}cd"\n'.encode()
    found = problems(raw)
    assert len(found) == 1
    assert found[0].startswith(f"{NAME}:2:")
    assert found[0].endswith(f"forbidden character {name}\n    hint: {CHAR_HINT}")


def test_harmless_escapes_and_unicode_accepted():
    assert parse('a: "line\\nnext é ✓ — “quoted”"\n'.encode()).data == {
        "a": "line\nnext é ✓ — “quoted”"
    }


def test_more_than_one_document_refused():
    assert problems(b"a: 1\n---\nb: 2\n") == [
        f"{NAME}:2:1: more than one YAML document in the file\n"
        "    hint: remove the `---` separator; one file holds one document"
    ]


def test_complex_keys_refused():
    assert problems(b"? [a, b]\n: value\n")[0].startswith(
        f"{NAME}:1:3: mapping keys must be plain text"
    )


def test_load_yaml_reports_missing_file(tmp_path):
    with pytest.raises(ContentError) as info:
        load_yaml(tmp_path / "nope.yaml", "content/nope.yaml")
    assert str(info.value.problems()[0]) == (
        "content/nope.yaml:1:1: cannot read file: No such file or directory\n"
        "    hint: check that the file exists and is readable"
    )


def test_load_yaml_reads_bytes_from_disk(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_bytes(b"\xef\xbb\xbfk: v\r\n")
    doc = load_yaml(path, "content/x.yaml")
    assert (doc.data, doc.display, doc.path) == ({"k": "v"}, "content/x.yaml", path)
