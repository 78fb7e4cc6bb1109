"""Process diagrams: SVG drawn from the steps, escaped, accessible, one box per step."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from medbrief.diagram import DiagramStyle, process_svg

SVG = "{http://www.w3.org/2000/svg}"
LABELS = ["Collect T cells", "Change them in a lab", "Give the cells back"]


def parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))


@pytest.mark.parametrize("vertical", [False, True])
def test_one_numbered_box_per_step(vertical):
    root = parse(process_svg(LABELS, "How it works", "1. Collect...", vertical=vertical))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert len(root.findall(f"{SVG}rect")) == 3
    assert len(root.findall(f"{SVG}circle")) == 3
    numbers = [t.text for t in root.findall(f"{SVG}text") if t.text]
    assert numbers == ["1", "2", "3"]
    assert len(root.findall(f"{SVG}line")) == 2  # an arrow between each pair of boxes
    words = " ".join(s.text for s in root.iter(f"{SVG}tspan"))
    assert words.split() == " ".join(LABELS).split()


def test_title_and_description_for_assistive_technology():
    root = parse(process_svg(LABELS, "CAR-T, step by step", "1. Collect T cells: from blood."))
    assert root[0].tag == f"{SVG}title" and root[0].text == "CAR-T, step by step"
    assert root[1].tag == f"{SVG}desc" and root[1].text == "1. Collect T cells: from blood."


def test_labels_title_and_font_are_escaped():
    markup = process_svg(
        ["<script>alert(1)</script>", "A & B"],
        "Steps <b>",
        "x & y < z",
        style=DiagramStyle(font='Evil" onload="alert(1)'),
    )
    text = str(markup)
    assert "<script>" not in text and "<b>" not in text and 'onload="' not in text
    root = parse(markup)  # still well-formed XML
    assert root.find(f"{SVG}title").text == "Steps <b>"
    assert root.find(f"{SVG}desc").text == "x & y < z"
    assert root.get("font-family") == 'Evil" onload="alert(1)'
    boxes = [t for t in root.findall(f"{SVG}text") if t.find(f"{SVG}tspan") is not None]
    labels = [" ".join(s.text for s in box.findall(f"{SVG}tspan")) for box in boxes]
    assert labels == ["<script>alert(1)</script>", "A & B"]


def test_long_labels_wrap_inside_their_boxes():
    root = parse(
        process_svg(["Watch closely for side effects afterwards", "Go"], "t", "d", width=300)
    )
    first_box = root.findall(f"{SVG}text")[1]  # the text after the first number
    lines = [s.text for s in first_box.findall(f"{SVG}tspan")]
    assert len(lines) > 1
    assert " ".join(lines) == "Watch closely for side effects afterwards"


def test_size_follows_width_and_style():
    style = DiagramStyle(font="Atkinson Hyperlegible", font_size=18, border="#14506b")
    root = parse(process_svg(LABELS, "t", "d", width=420, vertical=True, style=style))
    assert root.get("width") == "420"
    assert root.get("viewBox").startswith("0 0 420 ")
    assert root.get("font-size") == "18.0"
    assert {r.get("stroke") for r in root.findall(f"{SVG}rect")} == {"#14506b"}
    vertical_height = float(root.get("height"))
    flat = parse(process_svg(LABELS, "t", "d", width=420, style=style))
    assert vertical_height > float(flat.get("height"))
