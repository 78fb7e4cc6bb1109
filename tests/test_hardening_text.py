"""Hostile text in content: markup, template syntax, bad links, long words, unusual characters.

Each test puts one input into a topic, builds the real handout template through the real
pipeline, and checks the result: printed as text, refused with a located error, or drawn
with real glyphs inside the page.
"""

from __future__ import annotations

import pdfplumber
import pikepdf
import pytest
from fontTools.ttLib import TTFont

from hardening_support import Project, pdf_text, problems_of, qpdf_check, topic_data
from medbrief import fonts
from medbrief.errors import ContentError


@pytest.fixture
def project(tmp_path) -> Project:
    return Project(tmp_path)


def built(project: Project):
    """Build and return (pdf path, html) of the only job, failing on any build error."""
    from medbrief.jobs import plan_jobs
    from medbrief.pipeline import Builder

    report = project.build()
    [result] = report.results
    assert result.ok, str(result.error)
    builder = Builder(project.load())
    html = builder.render_html(plan_jobs(builder.project)[0])
    return project.out / result.job.output, html


# --- markup and template syntax are text ----------------------------------------

HTML_INPUTS = [
    '<script>alert("x")</script>',
    '<img src="file:///etc/passwd" onerror="alert(1)">',
    "<style>body{display:none}</style>",
    '<a href="javascript:alert(1)">click</a>',
    "</p></section><h1>Injected</h1>",
    "<!-- comment --> &amp; &lt;",
]


@pytest.mark.parametrize("text", HTML_INPUTS)
def test_html_in_content_is_printed_as_text(project, text):
    project.topic()["summary"]["plain"] = f"Before {text} after"
    pdf, html = built(project)
    assert text not in html  # escaped in the HTML ...
    assert f"Before {text} after" in " ".join(pdf_text(pdf).split())  # ... and printed as is


def test_script_tag_in_every_kind_of_field_is_escaped(project):
    payload = "<script>x</script>"
    topic = project.topic()
    topic["title"] += payload
    topic["questions"][0] += payload
    topic["glossary"][0]["definition"] += payload
    topic["process"]["steps"][0]["label"] = "Go" + payload[:20]
    topic["sources"][0]["title"] += payload
    project.theme["organisation"]["name"] += payload
    project.theme["disclaimers"]["patient"] += payload
    _, html = built(project)
    assert "<script" not in html.lower()


@pytest.mark.parametrize(
    "text",
    [
        "{{ 7*7 }}",
        "{% include 'base.html.j2' %}",
        "{{ config.items() }}",
        "{{ lipsum.globals }}",
        "{# comment #}",
        "{% raw %}x{% endraw %}",
        "${7+7} #{7+7} <%= 7+7 %>",
    ],
)
def test_template_syntax_in_content_is_printed_literally(project, text):
    project.topic()["summary"]["plain"] = f"Sum {text} end"
    project.theme["organisation"]["name"] = f"Org {text}"
    pdf, html = built(project)
    printed = " ".join(pdf_text(pdf).split())
    assert f"Sum {text} end" in printed
    assert f"Org {text}" in printed
    assert "49" not in printed and "14" not in printed


# --- links --------------------------------------------------------------------

BAD_LINKS = [
    "[x](file:///etc/passwd)",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "[x]( file:///etc/passwd )",
    "[x](<javascript:alert(1)>)",
    "![logo](file:///etc/passwd)",
    "[x](vbscript:msgbox)",
    "[x](//evil.example/page)",
    "[x](../../etc/passwd)",
]


@pytest.mark.parametrize("link", BAD_LINKS)
def test_markdown_link_to_a_refused_scheme_is_a_located_load_error(project, link):
    project.topic()["key_points"][0]["plain"] = f"See {link} for more."
    with pytest.raises(ContentError) as e:
        project.load()
    [msg] = problems_of(e)
    text = (project.content / "topics" / "alpha.yaml").read_text().splitlines()
    line = next(i for i, row in enumerate(text, 1) if "See [" in row or "See ![" in row)
    assert msg.startswith(f"content/topics/alpha.yaml:{line}:")
    assert ": key_points[0].plain: link to " in msg
    assert "refused: only http, https and mailto links are allowed" in msg


def test_refused_link_in_the_theme_is_located_in_the_theme(project):
    project.theme["disclaimers"]["patient"] = "Read [this](file:///etc/shadow)."
    with pytest.raises(ContentError) as e:
        project.load()
    [msg] = problems_of(e)
    assert msg.startswith("content/theme.yaml:")
    assert ": disclaimers.patient: link to 'file:///etc/shadow' refused" in msg


def test_every_refused_link_is_reported_at_once(project):
    project.topic()["summary"]["plain"] = "[a](file:///a) and [b](javascript:b)"
    project.topic()["questions"] = ["[c](data:,c)"]
    with pytest.raises(ContentError) as e:
        project.load()
    assert len(problems_of(e)) == 3


def test_https_and_mailto_links_become_real_links(project):
    project.topic()["summary"]["plain"] = (
        "See [the trial](https://example.org/trial) or [write](mailto:info@example.org)."
    )
    pdf, _ = built(project)
    with pikepdf.open(pdf) as doc:
        uris = {
            str(a.A.URI)
            for page in doc.pages
            for a in page.get("/Annots", [])
            if "/A" in a and "/URI" in a.A
        }
    assert uris == {"https://example.org/trial", "mailto:info@example.org"}


# --- long words ---------------------------------------------------------------


def test_twenty_thousand_character_word_is_refused_with_its_location(project):
    project.topic()["summary"]["plain"] = "x" * 20_000
    with pytest.raises(ContentError) as e:
        project.load()
    [msg] = problems_of(e)
    assert msg.startswith("content/topics/alpha.yaml:")
    assert "summary.plain: String should have at most 4000 characters" in msg
    assert "hint: shorten the text" in msg


def _chars_inside_pages(pdf) -> None:
    with pdfplumber.open(pdf) as doc:
        for number, page in enumerate(doc.pages, 1):
            for c in page.chars:
                assert c["x0"] >= 0 and c["x1"] <= page.width, (number, c["text"], c["x1"])
                assert c["top"] >= 0 and c["bottom"] <= page.height, (number, c["text"])


LONG = "Start " + "x" * 2_000 + " end"


@pytest.mark.parametrize(
    ("template", "per", "variants"),
    [
        ("handout.html.j2", "topic", ["clear", "large"]),
        ("clinician-summary.html.j2", "topic", None),
        ("briefing.html.j2", "all", None),
    ],
)
def test_longest_allowed_word_wraps_inside_the_page(project, template, per, variants):
    if per == "all":
        project.topics["beta"] = topic_data("beta")
    for topic in project.topics.values():
        topic["summary"]["plain"] = topic["summary"]["clinical"] = LONG
        topic["key_points"][0]["clinical"] = LONG
        topic["comparison"]["mechanism"] = LONG
        topic["questions"] = ["Q" + "y" * 299]
        topic["process"]["steps"][0]["label"] = "z" * 40
    output = "out/{topic}-{paper}" + ("-{variant}" if variants else "") + ".pdf"
    project.document(
        template=template,
        per=per,
        variants=variants,
        output=output.replace("{topic}", "all") if per == "all" else output,
    )
    report = project.build()
    assert report.ok, [str(r.error) for r in report.failures]
    for result in report.results:
        pdf = project.out / result.job.output
        _chars_inside_pages(pdf)
        assert pdf_text(pdf).count("x") >= 2_000


# --- characters: real glyphs, never tofu ----------------------------------------

SYMBOLS = "Greek αβγδ Ωμ, maths ≥ ≤ ± × ÷ ≈ ≠ ∞ √ ∑ °C, dose 5 µg/m², arrow → ↑, “quotes” — …"
EMOJI = "emoji 😀 👍 ❤️ ⚠️ ✔ ♀ ♂"


def _packaged_cmap() -> set[int]:
    covered: set[int] = set()
    for family in fonts.PACKAGES:
        for f in fonts.family_files(family):
            covered |= set(TTFont(f.path, fontNumber=0).getBestCmap())
    return covered


def test_every_sample_character_has_a_glyph_in_a_packaged_font():
    covered = _packaged_cmap()
    missing = {c for c in SYMBOLS + EMOJI if ord(c) not in covered and c not in "\ufe0f"}
    assert not missing


@pytest.mark.parametrize("text", [SYMBOLS, EMOJI])
def test_greek_maths_and_emoji_render_with_real_glyphs(project, text):
    project.topic()["summary"]["plain"] = text
    project.topic()["glossary"][0]["definition"] = text
    pdf, _ = built(project)  # a .notdef (tofu) glyph would have failed the build
    qpdf_check(pdf)
    printed = pdf_text(pdf)
    assert all(c in printed for c in text if not c.isspace() and c != "\ufe0f")


def test_character_no_packaged_font_has_is_refused_at_load_at_its_line(project):
    hieroglyph = "\U00013000"
    assert ord(hieroglyph) not in _packaged_cmap()
    project.topic()["summary"]["plain"] = f"Old text {hieroglyph}"
    from medbrief.loader import load_project

    with pytest.raises(ContentError) as e:
        load_project(project.write().root)
    [msg] = problems_of(e)
    assert msg.startswith("content/topics/alpha.yaml:")
    assert "summary.plain: character" in msg and "(U+13000 EGYPTIAN HIEROGLYPH A001)" in msg


def test_character_no_packaged_font_has_in_a_template_fails_the_document_naming_it(project):
    hieroglyph = "\U00013000"
    base = (project.root / "templates" / "base.html.j2").read_text()
    project.template("base.html.j2", base.replace("</body>", f"<p>{hieroglyph}</p></body>"))
    [result] = project.build().results
    assert not result.ok
    assert "(U+13000)" in str(result.error)
    assert ".notdef glyph" in str(result.error)
    assert not (project.out / result.job.output).exists()


# --- injection through other channels ------------------------------------------


def test_css_string_breakout_in_the_running_footer_stays_text(project):
    project.topic()["short_title"] = '"}@page{background:url(file:///x)}'
    pdf, html = built(project)
    style = html[html.index("<style>") : html.index("</style>")]
    assert "url(file" not in style
    qpdf_check(pdf)


def test_css_injection_through_a_theme_font_name_is_refused_with_its_location(project):
    project.theme["fonts"] = {"body": 'Arimo"; } body { background: url(http://evil.example/)'}
    with pytest.raises(ContentError) as e:
        project.build()
    [msg] = problems_of(e)
    assert msg.startswith("content/theme.yaml:")
    assert "fonts.body: font 'Arimo\"; } body" in msg
    assert "is not a packaged font" in msg


def test_colour_that_is_not_a_hex_colour_is_refused(project):
    project.theme["colours"] = {"primary": "red; background: url(file:///etc/passwd)"}
    with pytest.raises(ContentError) as e:
        project.load()
    [msg] = problems_of(e)
    assert msg.startswith("content/theme.yaml:")
    assert "colours.primary: expected a colour like '#1f4e79'" in msg
