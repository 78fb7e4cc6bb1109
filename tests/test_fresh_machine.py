"""Issue 8: the README's first command works on a fresh machine.

- WeasyPrint's messages are classified by two explicit lists: damage fails the document,
  a slower fallback never does.
- Without HarfBuzz-Subset (hidden for real: a mount namespace, or the library refused to
  the loader) ``python build.py`` builds every document, exits 0 and says once, with the
  install command, that PDFs take longer.
"""

from __future__ import annotations

import json

import pytest

from hidden_libraries import ENGINE_PROBE, REPO, hide, namespace_available
from medbrief import environment, fonts
from medbrief.errors import RenderError
from medbrief.jobs import Filters, plan_jobs
from medbrief.loader import load_project

# --- the two lists --------------------------------------------------------------------------

FATAL_MESSAGES = [
    '.notdef glyph rendered for Unicode string unsupported by fonts: "\U00013000" (U+13000)',
    'Too many glyphs missing from "Arimo", expect text selection problems',
    "Failed to load image at 'file:///project/content/logo.png': cannot identify image file",
    "Failed to render SVG image file:///project/content/logo.svg",
    "Failed to load inline SVG: not well-formed",
    "Failed to load stylesheet at https://example.org/x.css: refused",
    "Font-face 'Atkinson Hyperlegible' cannot be loaded",
    'Unable to instantiate "Noto Sans" variable font',
    "Relative URI reference without a base URI: <img src=x>",
    "Content discarded: target points to undefined anchor '#nowhere'",
    'Image "logo.png" has no required alt description',
    "Ignored `colour: red` at 3:5, unknown property.",
    "Parse error at 1:1: invalid",
    "A message WeasyPrint may add in a later release",
]
HARMLESS_MESSAGES = [
    'Using fontTools instead of HarfBuzz-Subset for font "Arimo". This will be unsupported in '
    "future versions of WeasyPrint. Please install HarfBuzz-Subset >= 4.1.0 with your package "
    "manager.",
    'Unable to subset "Noto Sans" with HarfBuzz',
    'Unable to subset "Noto Sans" with fontTools',
]


@pytest.mark.parametrize("message", FATAL_MESSAGES)
def test_damaging_and_unknown_messages_are_fatal(message):
    from medbrief.writers.pdf import classify

    verdict = classify(message)
    assert verdict.fatal and verdict.why


@pytest.mark.parametrize("message", HARMLESS_MESSAGES)
def test_slower_or_bigger_fallbacks_are_harmless(message):
    from medbrief.writers.pdf import classify

    assert not classify(message).fatal


def test_the_fonttools_notice_is_not_shown_per_document():
    from medbrief.writers.pdf import classify

    assert classify(HARMLESS_MESSAGES[0]).why == ""  # the build's one note covers it
    assert "bigger" in classify(HARMLESS_MESSAGES[1]).why  # a per-document warning


# --- the writer, with WeasyPrint's real messages ----------------------------------------------


@pytest.fixture
def writer(tmp_path):
    from medbrief.writers.pdf import PdfContext, PdfWriter

    return PdfWriter(PdfContext(tmp_path, [tmp_path, *fonts.font_dirs()]))


def page(body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><title>t</title></head>'
        f"<body style=\"font-family: 'Atkinson Hyperlegible'\">{body}</body></html>"
    )


def test_an_image_that_cannot_load_fails_the_document(writer, tmp_path):
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    with pytest.raises(RenderError, match="an image could not be loaded"):
        writer.write(page('<p>Text</p><img src="broken.png" alt="a picture">'), "t.pdf")


def test_a_missing_glyph_fails_the_document(writer):
    with pytest.raises(RenderError, match=r"no packaged font can draw.*U\+13000"):
        writer.write(page("<p>Old text \U00013000</p>"), "t.pdf")


def test_the_fonttools_fallback_builds_the_same_pages(writer, monkeypatch, caplog):
    """In process: WeasyPrint's own fontTools branch, taken as when the library is absent."""
    import weasyprint.pdf.fonts

    html = page("<p>Plain text, <b>bold</b> and Greek \u03b2.</p>")
    with_subset = writer.write(html, "t.pdf")
    monkeypatch.setattr(weasyprint.pdf.fonts, "harfbuzz_subset", None)
    with caplog.at_level("WARNING"):
        fallback = writer.write(html, "t.pdf")
    assert fallback.pages == with_subset.pages == 1
    assert fallback.warnings == []
    assert fallback.data.startswith(b"%PDF") and fallback.data != with_subset.data


# --- the whole build, with HarfBuzz-Subset hidden for real ------------------------------------


@pytest.mark.parametrize("method", ["namespace", "dlopen"])
def test_the_library_is_really_hidden(method):
    if method == "namespace" and not namespace_available():
        pytest.skip("no mount namespace here (needs root and unshare); the dlopen way runs")
    run, _ = hide("harfbuzz-subset", ["-c", ENGINE_PROBE], method=method)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["subset", "False", "error", "None"]


def test_readme_first_command_builds_everything_without_harfbuzz_subset(tmp_path):
    out = tmp_path / "output"
    run, method = hide("harfbuzz-subset", ["build.py", "--output", str(out)])
    report = f"({method}) exit {run.returncode}\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    assert run.returncode == 0, report
    expected = {job.output for job in plan_jobs(load_project(REPO), Filters())}
    manifest = json.loads((out / "manifest.json").read_text())
    assert {f["path"] for f in manifest["files"]} == expected, report
    assert all((out / path).stat().st_size > 0 for path in expected)
    notes = [line for line in run.stderr.splitlines() if line.startswith("note:")]
    assert len(notes) == 1, report
    assert "HarfBuzz-Subset is not installed" in notes[0]
    assert "WeasyPrint reported" not in run.stderr, report


# --- doctor: one place that knows the environment ---------------------------------------------


def test_doctor_reports_every_piece_and_exits_0_when_build_can_work(capsys, monkeypatch):
    from medbrief.cli import main

    monkeypatch.setenv("COLUMNS", "200")  # one table row per line
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    for name in [
        "Python",
        "WeasyPrint",
        "Pango",
        "HarfBuzz-Subset",
        "LibreOffice (optional)",
        "poppler (optional)",
        "qpdf (optional)",
        *(f"font {f}" for f in fonts.PACKAGES),
    ]:
        assert name in out, f"{name} missing from the doctor's table:\n{out}"
    found = environment.engine()
    assert found.weasyprint in out and ".".join(map(str, found.pango)) in out
    assert "build can work on this machine" in out


def test_doctor_and_build_without_pango_exit_1_with_the_fix(tmp_path):
    fix = environment.install_command("pango")
    doctor, method = hide("pango-1.0", ["build.py", "doctor"])
    assert doctor.returncode == 1, f"({method})\n{doctor.stdout}{doctor.stderr}"
    assert f"fix: WeasyPrint + Pango: {fix}" in doctor.stdout
    assert "build cannot work on this machine" in doctor.stderr
    build_run, _ = hide("pango-1.0", ["build.py", "--output", str(tmp_path / "out")], method=method)
    assert build_run.returncode == 1
    assert "PDFs cannot be made on this machine" in build_run.stderr
    assert fix in build_run.stderr and "Traceback" not in build_run.stderr
    assert not (tmp_path / "out" / "handouts").exists()


def test_doctor_without_harfbuzz_subset_exits_0_and_names_the_optional_fix():
    doctor, method = hide("harfbuzz-subset", ["build.py", "doctor"])
    assert doctor.returncode == 0, f"({method})\n{doctor.stdout}{doctor.stderr}"
    fix = environment.install_command("harfbuzz-subset")
    assert f"optional: HarfBuzz-Subset: {fix}" in doctor.stdout
    assert "build can work on this machine" in doctor.stdout


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("debian", "sudo apt-get install libharfbuzz-subset0"),
        ("fedora", "sudo dnf install harfbuzz"),
        ("macos", "brew install harfbuzz"),
    ],
)
def test_install_commands_per_platform(where, expected):
    assert environment.install_command("harfbuzz-subset", where) == expected


def test_a_missing_tool_skips_saying_what_to_install(monkeypatch):
    from tools import tool

    monkeypatch.setattr(environment, "find_tool", lambda name: None)
    monkeypatch.delenv("MEDBRIEF_REQUIRE_TOOLS", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"qpdf \(qpdf\) is not installed: .*qpdf"):
        tool("qpdf")
    monkeypatch.setenv("MEDBRIEF_REQUIRE_TOOLS", "1")
    with pytest.raises(pytest.fail.Exception, match="soffice .*LibreOffice.*REQUIRE_TOOLS=1"):
        tool("soffice")
