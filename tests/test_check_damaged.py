"""Issue 8: `check` on damaged outputs gives a finding naming the file, never a traceback."""

from __future__ import annotations

import json

import pytest
from pptx import Presentation

from medbrief import fonts
from medbrief.cli import main
from medbrief.errors import DamagedOutput


def truncate(path, keep: float = 0.5) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


@pytest.fixture(scope="module")
def good_pdf(tmp_path_factory):
    from medbrief.writers.pdf import PdfContext, PdfWriter

    folder = tmp_path_factory.mktemp("pdf")
    writer = PdfWriter(PdfContext(folder, [folder, *fonts.font_dirs()]))
    html = (
        '<!doctype html><html lang="en"><head><title>T</title></head><body>'
        + "<p>Some text to read back.</p>" * 40
        + "</body></html>"
    )
    path = folder / "good.pdf"
    path.write_bytes(writer.write(html, "good.pdf").data)
    return path


@pytest.fixture
def good_deck(tmp_path):
    path = tmp_path / "good.pptx"
    prs = Presentation()
    prs.slides.add_slide(prs.slide_layouts[0]).shapes.title.text = "Hello"
    prs.save(path)
    return path


@pytest.mark.parametrize("damage", ["half", "tail", "garbage", "empty"])
def test_a_damaged_pdf_is_reported_not_raised(good_pdf, tmp_path, damage):
    from medbrief.quality.pdfread import read_pdf

    read_pdf(good_pdf)  # the undamaged file reads
    path = tmp_path / "x.pdf"
    data = good_pdf.read_bytes()
    path.write_bytes(
        {
            "half": data[: len(data) // 2],
            "tail": data[:-40],
            "garbage": b"not a pdf at all" * 50,
            "empty": b"",
        }[damage]
    )
    with pytest.raises(DamagedOutput) as info:
        read_pdf(path)
    assert str(path) in info.value.message and "python build.py" in info.value.hint


@pytest.mark.parametrize("damage", ["half", "garbage", "empty"])
def test_a_damaged_deck_is_reported_not_raised(good_deck, damage):
    from medbrief.quality.deckchecks import read_deck

    assert [s.title for s in read_deck(good_deck)] == ["Hello"]
    data = good_deck.read_bytes()
    good_deck.write_bytes(
        {"half": data[: len(data) // 2], "garbage": b"garbage" * 100, "empty": b""}[damage]
    )
    with pytest.raises(DamagedOutput) as info:
        read_deck(good_deck)
    assert str(good_deck) in info.value.message


def test_check_over_damaged_outputs_prints_findings_and_no_traceback(project_copy, capsys):
    root, out = project_copy.root, project_copy.root / "output"
    args = [
        "check",
        "--project",
        str(root),
        "-t",
        "gene-therapy-ms",
        "-d",
        "deck",
        "-d",
        "clinician-summary",
    ]
    main(args)  # builds what is missing, then checks it
    pdf = out / "clinician/gene-therapy-ms-summary-a4.pdf"
    deck = out / "decks/gene-therapy-ms-talk.pptx"
    truncate(pdf)
    deck.write_bytes(b"garbage" * 100)
    capsys.readouterr()
    status = main(args)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    report = json.loads((out / "quality-report.json").read_text())
    damaged_found = {f["document"] for f in report["findings"] if "damaged" in f["message"]}
    for damaged in (pdf, deck):
        name = str(damaged.relative_to(out))
        if name not in damaged_found:  # a check that rebuilds files whose sha256 no longer
            assert damaged.stat().st_size > 1000, name  # matches the manifest is fine too
            continue
        assert status == 1
        assert f"{damaged.relative_to(root)}: the file is damaged and cannot be read" in err
        assert "rebuild it: python build.py" in err
