"""Contrast gate: WCAG AA for every theme colour pair the templates use."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import position
from medbrief.loader import load_project
from medbrief.quality import check_content
from medbrief.quality.contrast import measure, ratio, suggest


def contrast(root):
    return [
        f for f in check_content(load_project(root), dt.date(2026, 6, 1)) if f.gate == "contrast"
    ]


@pytest.mark.parametrize(
    ("fg", "bg", "expected"),
    [
        ("#000000", "#ffffff", 21.0),
        ("#ffffff", "#ffffff", 1.0),
        ("#767676", "#ffffff", 4.54),
        ("#999999", "#ffffff", 2.85),
    ],
)
def test_wcag_ratio(fg, bg, expected):
    assert ratio(fg, bg) == pytest.approx(expected, abs=0.01)
    assert ratio(bg, fg) == pytest.approx(expected, abs=0.01)


def test_suggestion_meets_the_minimum():
    assert ratio(suggest("#999999", "#ffffff", 4.5), "#ffffff") >= 4.5
    assert ratio(suggest("#555555", "#000000", 4.5), "#000000") >= 4.5


def test_seeded_theme_passes(project_copy):
    assert contrast(project_copy.root) == []
    assert all(m.ok for m in measure(load_project(project_copy.root).theme.colours))


def test_muted_text_at_2_85_to_1_is_a_located_error(project_copy):
    old = project_copy.read("content/theme.yaml")
    muted = old.split("muted:", 1)[1].split("\n", 1)[0].strip()
    text = project_copy.edit("content/theme.yaml", f"muted: {muted}", 'muted: "#999999"')
    line, col = position(text, '"#999999"')
    err, in_boxes = contrast(project_copy.root)  # on the page and on box backgrounds
    assert "muted #999999 on box_background" in in_boxes.message
    assert str(err).splitlines()[0] == (
        f"content/theme.yaml:{line}:{col}: colours.muted: muted #999999 on background #ffffff "
        "(secondary text) has contrast 2.85:1; WCAG AA needs 4.5:1 for text"
    )
    assert err.hint.startswith('use a darker or lighter colour, e.g. muted: "#')


def test_box_border_needs_3_to_1_as_graphics(project_copy):
    old = project_copy.read("content/theme.yaml")
    border = old.split("box_border:", 1)[1].split("\n", 1)[0].strip()
    project_copy.edit("content/theme.yaml", f"box_border: {border}", 'box_border: "#aaaaaa"')
    messages = [e.message for e in contrast(project_copy.root)]
    assert messages[0].startswith(
        "box_border #aaaaaa on background #ffffff (box borders and "
        "diagram outlines) has contrast 2.32:1; WCAG AA needs 3:1 "
        "for graphics"
    )
