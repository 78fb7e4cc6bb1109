"""The Jinja environment: content is data (escaped, never evaluated), Markdown is limited."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from markupsafe import Markup

from conftest import position
from medbrief.errors import ContentError, TemplateError
from medbrief.jobs import plan_jobs
from medbrief.loader import load_project
from medbrief.pipeline import Builder
from medbrief.templating import (
    css_string,
    long_date,
    make_env,
    markdown_links,
    md_inline,
    md_plain,
    render,
)

LINK_HINT = "remove the link or use an https:// address"


def env_with(tmp_path: Path, **templates: str):
    folder = tmp_path / "templates"
    for name, text in templates.items():
        path = folder / name.replace("__", "/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return make_env(folder)


# --- escaping ---------------------------------------------------------------------------------


def test_autoescape_prints_html_from_content_as_text(tmp_path):
    env = env_with(tmp_path, **{"t.html.j2": "<p>{{ value }}</p>"})
    out = render(env, "t.html.j2", {"value": "<script>alert('x')</script> & co"})
    assert out == "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co</p>"


@pytest.mark.parametrize(
    "text, html",
    [
        ("{{ 7*7 }}", "{{ 7*7 }}"),
        ('{% include "secret.j2" %}', "{% include &#34;secret.j2&#34; %}"),
        ("{# comment #}", "{# comment #}"),
    ],
)
def test_jinja_syntax_in_content_is_printed_literally(tmp_path, text, html):
    env = env_with(tmp_path, **{"t.html.j2": "{{ value }}|{{ value | md }}", "secret.j2": "SECRET"})
    plain, marked = render(env, "t.html.j2", {"value": text}).split("|")
    assert plain == html
    assert marked == html.replace("&#34;", "&quot;")
    assert "49" not in plain and "SECRET" not in plain + marked


def test_md_escapes_raw_html():
    assert md_inline("<b>bold</b> & <img src=x onerror=alert(1)>") == Markup(
        "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;img src=x onerror=alert(1)&gt;"
    )


def test_content_in_the_real_templates_stays_text(mini_project):
    """Hostile text in a topic reaches the handout HTML as text, never as markup or code."""
    mini_project.edit(
        "content/topics/alpha-topic.yaml",
        "  plain: A short summary.\n",
        "  plain: \"<script>alert(1)</script> {{ 7*7 }} {% include 'base.html.j2' %} *really*\"\n",
    )
    project = load_project(mini_project.root)
    builder = Builder(project)
    job = next(
        j for j in plan_jobs(project) if j.document == "handout" and j.topic_ids == ["alpha-topic"]
    )
    html = builder.render_html(job)
    assert (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }} {% include 'base.html.j2' %} "
        "<em>really</em></p>"
    ) in html
    assert "<script>" not in html
    assert html.count("<!DOCTYPE html>") == 1  # base.html.j2 was not included a second time


# --- Markdown -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, html",
    [
        ("*em* and _em_", "<em>em</em> and <em>em</em>"),
        ("**strong**", "<strong>strong</strong>"),
        ("[NHS](https://www.nhs.uk)", '<a href="https://www.nhs.uk">NHS</a>'),
        ("[mail](mailto:info@example.org)", '<a href="mailto:info@example.org">mail</a>'),
        ("# not a heading", "# not a heading"),
        ("- not a list", "- not a list"),
        (
            "![not an image](https://example.org/x.png)",
            '!<a href="https://example.org/x.png">not an image</a>',
        ),
    ],
)
def test_md_allows_emphasis_and_links_only(text, html):
    assert md_inline(text) == Markup(html)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert",
        "JavaScript:alert",
        "file:///etc/passwd",
        "data:text/html;base64,PHNjcmlwdD4=",
        "vbscript:msgbox",
        "/etc/passwd",
        "relative/page.html",
    ],
)
def test_unsafe_links_refused(url):
    with pytest.raises(TemplateError) as info:
        md_inline(f"see [this]({url}) now")
    assert info.value.message == (f"link to {url!r} refused: only http, https and mailto links")
    assert info.value.hint == LINK_HINT


@pytest.mark.parametrize(
    "text",
    [
        "[x]( javascript:alert)",
        "[x](<javascript:alert>)",
        "[x](java&#115;cript:alert)",
    ],
)
def test_disguised_unsafe_links_refused(text):
    with pytest.raises(TemplateError, match="refused: only http, https and mailto links"):
        md_inline(text)


def test_markdown_links_lists_every_target():
    assert markdown_links("[a](https://a.example) and [b](javascript:x)") == [
        "https://a.example",
        "javascript:x",
    ]


def test_md_plain_drops_markup():
    assert md_plain("A *very* [good](https://x.example) `idea`") == "A very good idea"


def test_unsafe_link_in_content_is_refused_when_loading(mini_project):
    text = mini_project.edit(
        "content/topics/alpha-topic.yaml",
        "  plain: A short summary.\n",
        "  plain: Read [this](javascript:alert) first.\n",
    )
    line, col = position(text, "Read [this]")
    with pytest.raises(ContentError) as info:
        load_project(mini_project.root)
    assert [str(p) for p in info.value.problems()] == [
        f"content/topics/alpha-topic.yaml:{line}:{col}: summary.plain: link to 'javascript:alert'"
        " refused: only http, https and mailto links are allowed\n"
        "    hint: remove the link, or link to an https:// address"
    ]


def test_unsafe_link_from_elsewhere_fails_the_render(tmp_path):
    env = env_with(tmp_path, **{"t.html.j2": "{{ value | md }}"})
    with pytest.raises(TemplateError, match="link to 'file:///etc/passwd' refused"):
        render(env, "t.html.j2", {"value": "[x](file:///etc/passwd)"})


# --- other filters ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, css",
    [
        ("Plain text 1", '"Plain text 1"'),
        ('a"b', '"a\\22 b"'),
        ("</style><script>", '"\\3c \\2f style\\3e \\3c script\\3e "'),
        ("back\\slash", '"back\\5c slash"'),
        ("new\nline", '"new\\a line"'),
        ("Café · v1.0", '"Caf\\e9  \\b7  v1\\2e 0"'),
    ],
)
def test_css_string_escapes_everything_but_letters_digits_spaces(value, css):
    assert css_string(value) == Markup(css)


def test_css_string_unescapes_markup_first():
    assert css_string(Markup("Tom &amp; Jerry")) == Markup('"Tom \\26  Jerry"')


def test_css_string_inside_a_style_block(tmp_path):
    env = env_with(
        tmp_path, **{"t.html.j2": "<style>p::after { content: {{ v | css_string }}; }</style>"}
    )
    out = render(env, "t.html.j2", {"v": '"; } body { display: none } </style>'})
    assert "</style>" not in out.removesuffix("</style>")
    assert "display: none" not in out.replace("display\\3a ", "")


def test_long_date():
    assert long_date(dt.date(2026, 11, 5)) == "5 November 2026"


# --- errors -----------------------------------------------------------------------------------


def test_strict_undefined_names_the_template_and_line(tmp_path):
    env = env_with(tmp_path, **{"page.html.j2": "<p>ok</p>\n{{ topic.nope }}\n"})
    with pytest.raises(TemplateError) as info:
        render(env, "page.html.j2", {"topic": {"title": "x"}})
    assert str(info.value).splitlines()[0] == (
        "templates/page.html.j2:2: 'dict object' has no attribute 'nope'"
    )
    assert info.value.hint == "the template uses a value the content does not define"


def test_undefined_in_a_partial_names_the_partial(tmp_path):
    env = env_with(
        tmp_path,
        **{
            "page.html.j2": 'a\n{% include "partials/p.html.j2" %}\n',
            "partials__p.html.j2": "b\n\n{{ missing }}\n",
        },
    )
    with pytest.raises(TemplateError) as info:
        render(env, "page.html.j2", {})
    assert str(info.value).splitlines()[0] == (
        "templates/partials/p.html.j2:3: 'missing' is undefined"
    )


def test_undefined_cannot_be_printed_empty(tmp_path):
    env = env_with(tmp_path, **{"page.html.j2": "{{ missing or '' }}"})
    with pytest.raises(TemplateError, match="'missing' is undefined"):
        render(env, "page.html.j2", {})


def test_syntax_error_is_located(tmp_path):
    env = env_with(tmp_path, **{"page.html.j2": "ok\n{% if %}\n"})
    with pytest.raises(TemplateError) as info:
        render(env, "page.html.j2", {})
    assert str(info.value).splitlines()[0] == (
        "templates/page.html.j2:2: template syntax error: "
        "Expected an expression, got 'end of statement block'"
    )
    assert info.value.hint == "fix the template"


def test_missing_template(tmp_path):
    env = env_with(tmp_path, **{"page.html.j2": "x"})
    with pytest.raises(TemplateError) as info:
        render(env, "nope.html.j2", {})
    assert str(info.value).splitlines()[0] == (
        "templates/nope.html.j2: template 'nope.html.j2' not found in templates/"
    )


def test_runtime_error_in_a_template_becomes_a_template_error(tmp_path):
    env = env_with(tmp_path, **{"page.html.j2": "a\nb\n{{ 1 / 0 }}\n"})
    with pytest.raises(TemplateError) as info:
        render(env, "page.html.j2", {})
    assert str(info.value).splitlines()[0] == (
        "templates/page.html.j2:3: ZeroDivisionError: division by zero"
    )


# --- deck errors point at the template line -----------------------------------------------


def test_a_deck_error_points_at_the_slide_in_the_template(project_copy):
    from conftest import position
    from medbrief.jobs import Filters
    from medbrief.pipeline import build

    text = project_copy.edit(
        "templates/deck.html.j2", "  <h2>Agenda</h2>\n", "  <h2>Agenda</h2>\n  <video></video>\n"
    )
    line, _ = position(text, '<section data-layout="content" id="agenda">')
    filters = Filters(documents=frozenset({"deck"}), topics=frozenset({"car-t-ms"}))
    report = build(project_copy.root, project_copy.root / "out", filters)
    errors = {r.job.output: r.error for r in report.failures}
    assert errors, "the broken slide was not refused"
    for error in errors.values():
        (problem,) = error.problems()
        assert str(problem.location) == f"templates/deck.html.j2:{line}"
        assert 'slide 2 ("Agenda"): unknown element <video>' in problem.message
