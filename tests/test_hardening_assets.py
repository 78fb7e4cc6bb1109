"""Hostile themes and assets: paths out of the project, unsafe SVG, refused image types,
absurd values.  Each input is refused with an error naming the file, or builds safely."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from hardening_support import Project, problems_of, qpdf_check
from medbrief.assets import MAX_IMAGE_BYTES, MAX_PIXELS, check_image
from medbrief.errors import ContentError
from medbrief.fetcher import Refused, SafeFetcher


@pytest.fixture
def project(tmp_path) -> Project:
    return Project(tmp_path / "project")


def theme_problem(project: Project) -> str:
    """The one problem a build reports for the theme (raised before any document is made)."""
    with pytest.raises(ContentError) as e:
        project.build()
    [msg] = problems_of(e)
    assert not project.out.exists() or not any(project.out.rglob("*.pdf"))
    return msg


def logo_line(project: Project) -> int:
    text = (project.content / "theme.yaml").read_text().splitlines()
    return next(i for i, row in enumerate(text, 1) if row.startswith("logo:"))


# --- paths out of the project ----------------------------------------------------


@pytest.mark.parametrize(
    "ref",
    [
        "../../etc/passwd",
        "assets/../../../etc/passwd",
        "../templates/base.html.j2",
        "/etc/passwd",
        "//etc/passwd",
        "\\etc\\passwd",
        "file:///etc/passwd",
        "http://evil.example/logo.png",
        "C:\\Windows\\logo.png",
    ],
)
def test_logo_path_outside_the_content_folder_is_refused(project, ref):
    project.theme["logo"] = ref
    msg = theme_problem(project)
    assert msg.startswith(f"content/theme.yaml:{logo_line(project)}:7: logo: refused ")
    assert "hint:" in msg


def test_logo_symlink_pointing_out_of_the_project_is_refused(project, tmp_path):
    secret = tmp_path / "secret.svg"
    secret.write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (project.content / "assets" / "evil.svg").symlink_to(secret)
    project.theme["logo"] = "assets/evil.svg"
    msg = theme_problem(project)
    assert "refused 'assets/evil.svg': it points outside the project's content/ folders" in msg


def test_logo_inside_a_symlinked_folder_out_of_the_project_is_refused(project, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "logo.svg").write_text((project.content / "assets" / "logo.svg").read_text())
    (project.content / "linked").symlink_to(outside, target_is_directory=True)
    project.theme["logo"] = "linked/logo.svg"
    assert "it points outside the project's content/ folders" in theme_problem(project)


def test_logo_that_is_a_folder_or_missing_is_a_clear_error(project):
    project.theme["logo"] = "assets"
    assert "refused 'assets': file is a folder, not a regular file" in theme_problem(project)
    project.theme["logo"] = "assets/nope.png"
    assert "file 'assets/nope.png' not found" in theme_problem(project)


# --- the fetcher ------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file:///dev/zero",
        "file:///proc/self/environ",
        "file://evil.example/share/x.css",
        "http://evil.example/x.css",
        "https://evil.example/x.png",
        "ftp://evil.example/x",
        "data:text/css,p%20%7Bcolor%3Ared%7D",
        "FILE:///etc/passwd",
        "file:///{root}/templates/../../../etc/passwd",
        "file:///{root}/output/manifest.json",
    ],
)
def test_fetcher_refuses_everything_outside_the_allowed_folders(project, url):
    fetcher = SafeFetcher([project.root / "templates", project.content])
    with pytest.raises(Refused):
        fetcher.check(url.format(root=str(project.root).lstrip("/")))
    assert len(fetcher.refused) == 1


def test_fetcher_refuses_a_symlink_inside_templates_that_points_out(project):
    (project.root / "templates" / "passwd.css").symlink_to("/etc/passwd")
    fetcher = SafeFetcher([project.root / "templates"])
    with pytest.raises(Refused, match="outside the project"):
        fetcher.check((project.root / "templates" / "passwd.css").as_uri())


@pytest.mark.parametrize(
    "reference",
    [
        "<style>body { background: url(file:///etc/passwd) }</style>",
        "<style>body { background: url(/dev/zero) }</style>",
        "<style>@import url(http://evil.example/x.css);</style>",
        "<style>@font-face { font-family: X; src: url(https://evil.example/x.ttf) }"
        " body { font-family: X }</style>",
        '<link rel="stylesheet" href="file:///etc/passwd">',
        '<img src="http://evil.example/pixel.png" alt="">',
        '<img src="../../../../../../../etc/passwd" alt="">',
    ],
)
def test_a_document_loading_anything_outside_the_project_fails_naming_it(project, reference):
    project.template(
        "probe.html.j2",
        '<!DOCTYPE html><html lang="en"><head><title>t</title>'
        f"{reference}</head><body><p>{{{{ topic.title }}}}</p></body></html>",
    )
    project.document(template="probe.html.j2")
    [result] = project.build().results
    assert not result.ok
    assert "refused to load" in str(result.error)
    assert not (project.out / result.job.output).exists()


# --- SVG logos --------------------------------------------------------------------

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    'viewBox="0 0 10 10">{}</svg>'
)

UNSAFE_SVGS = {
    "image-file-href": (
        SVG.format('<image href="file:///etc/passwd" width="5" height="5"/>'),
        "refers to 'file:///etc/passwd' outside the file",
    ),
    "image-xlink-http": (
        SVG.format('<image xlink:href="http://evil.example/x.png"/>'),
        "refers to 'http://evil.example/x.png' outside the file",
    ),
    "image-data-uri": (
        SVG.format('<image href="data:image/png;base64,AAAA"/>'),
        "outside the file",
    ),
    "use-other-file": (SVG.format('<use href="other.svg#a"/>'), "refers to 'other.svg#a'"),
    "fill-url": (
        SVG.format('<rect fill="url(http://evil.example/p#g)" width="1" height="1"/>'),
        "refers to 'http://evil.example/p#g'",
    ),
    "style-import": (
        SVG.format("<style>@import url(http://evil.example/x.css);</style>"),
        "imports another stylesheet",
    ),
    "style-url": (
        SVG.format("<style>rect { fill: url('file:///etc/passwd') }</style>"),
        "refers to 'file:///etc/passwd'",
    ),
    "script": (SVG.format("<script>alert(1)</script>"), "contains a <script> element"),
    "foreign-object": (
        SVG.format("<foreignObject><p>x</p></foreignObject>"),
        "contains a <foreignObject> element",
    ),
    "onload": (
        SVG.format('<rect onload="alert(1)" width="1" height="1"/>'),
        "event handler attribute 'onload'",
    ),
    "entity-expansion": (
        '<?xml version="1.0"?>\n<!DOCTYPE svg [\n<!ENTITY a "aaaaaaaaaa">\n'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">\n]>\n' + SVG.format("<text>&c;</text>"),
        "DOCTYPE or entity declarations",
    ),
    "external-entity": (
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM '
        '"file:///etc/passwd">]>' + SVG.format("<text>&x;</text>"),
        "DOCTYPE or entity declarations",
    ),
    "external-dtd": (
        '<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">' + SVG.format(""),
        "DOCTYPE or entity declarations",
    ),
    "xml-stylesheet": (
        '<?xml version="1.0"?><?xml-stylesheet href="http://evil.example/a.css"?>' + SVG.format(""),
        "external stylesheet",
    ),
    "not-well-formed": (SVG.format("<rect>"), "not well-formed XML"),
    "html-not-svg": (
        '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"/>',
        "no <svg> root element",
    ),
}


@pytest.mark.parametrize("name", UNSAFE_SVGS)
def test_unsafe_svg_logo_is_refused_naming_the_file(project, name):
    svg, expected = UNSAFE_SVGS[name]
    project.write_file("assets/bad.svg", svg)
    project.theme["logo"] = "assets/bad.svg"
    msg = theme_problem(project)
    assert msg.startswith(
        f"content/theme.yaml:{logo_line(project)}:7: logo: content/assets/bad.svg: "
    )
    assert expected in msg


def test_svg_that_is_not_utf8_is_refused(project):
    project.write_file("assets/latin.svg", SVG.format("<title>caf\xe9</title>").encode("latin-1"))
    project.theme["logo"] = "assets/latin.svg"
    assert "SVG is not UTF-8 text" in theme_problem(project)


def test_svg_with_internal_references_only_builds(project):
    svg = SVG.format(
        '<defs><linearGradient id="g"><stop offset="0" stop-color="#123456"/>'
        '</linearGradient><rect id="r" width="4" height="4"/></defs>'
        '<rect fill="url(#g)" width="10" height="10"/><use href="#r"/>'
        '<use xlink:href="#r" x="5"/>'
    )
    project.write_file("assets/ok.svg", svg)
    project.theme["logo"] = "assets/ok.svg"
    report = project.build()
    assert report.ok, [str(r.error) for r in report.failures]
    qpdf_check(project.out / report.results[0].job.output)


# --- refused image types and sizes --------------------------------------------------


def png(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` × ``height`` (the pixel data is not needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


def real_image(fmt: str, size=(40, 20)) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 80, 107)).save(buffer, fmt)
    return buffer.getvalue()


REFUSED_FILES = {
    "logo.eps": (b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n", "EPS/PostScript"),
    "logo-binary.eps": (b"\xc5\xd0\xd3\xc6" + b"\x00" * 60, "EPS (binary)"),
    "logo.emf": (b"\x01\x00\x00\x00" + b"\x00" * 36 + b" EMF" + b"\x00" * 40, "EMF"),
    "logo.wmf": (b"\xd7\xcd\xc6\x9a" + b"\x00" * 40, "WMF"),
    "logo.pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF images are not supported"),
    "logo.tif": (b"II*\x00" + b"\x00" * 20, "TIFF"),
    "logo.bmp": (b"BM" + b"\x00" * 60, "BMP"),
    "logo.png": (b"not an image at all", "not a PNG, JPEG, GIF or SVG image"),
    "huge.png": (png(20_000, 20_000), f"pixels; the limit is {MAX_PIXELS:,} pixels"),
    "wide.png": (png(100_000, 500), f"the limit is {MAX_PIXELS:,} pixels"),
    "fake.svg": (png(10, 10), "the file is PNG but its name says otherwise"),
    "fake.png": (
        b'<svg xmlns="http://www.w3.org/2000/svg"/>',
        "the file is SVG but its name says otherwise",
    ),
    "broken.png": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 30, "cannot read the image"),
}


@pytest.mark.parametrize("name", REFUSED_FILES)
def test_refused_image_is_a_clear_error_naming_the_file(project, name):
    data, expected = REFUSED_FILES[name]
    project.write_file(f"assets/{name}", data)
    project.theme["logo"] = f"assets/{name}"
    msg = theme_problem(project)
    assert f"logo: content/assets/{name}: " in msg
    assert expected in msg
    assert "hint: " in msg


def test_four_hundred_megapixel_png_is_refused_from_its_header(tmp_path):
    path = tmp_path / "big.png"
    path.write_bytes(png(20_000, 20_000))
    with pytest.raises(ContentError, match="big.png: image is .* pixels; the limit is"):
        check_image(path, "big.png")


def test_image_file_over_the_size_limit_is_refused_before_reading(tmp_path):
    path = tmp_path / "big.png"
    with path.open("wb") as f:
        f.truncate(MAX_IMAGE_BYTES + 1)
    with pytest.raises(ContentError, match=f"the limit is {MAX_IMAGE_BYTES:,}"):
        check_image(path, "big.png")


@pytest.mark.parametrize(
    ("name", "fmt"), [("logo.png", "PNG"), ("logo.jpg", "JPEG"), ("logo.gif", "GIF")]
)
def test_raster_logo_in_an_accepted_format_builds(project, name, fmt):
    project.write_file(f"assets/{name}", real_image(fmt))
    project.theme["logo"] = f"assets/{name}"
    report = project.build()
    assert report.ok, [str(r.error) for r in report.failures]
    qpdf_check(project.out / report.results[0].job.output)


def test_the_project_logo_passes_the_checks():
    repo = Path(__file__).resolve().parents[1]
    assert check_image(repo / "content" / "assets" / "logo.svg", "logo.svg") == "svg"


# --- absurd theme and plan values ---------------------------------------------------


@pytest.mark.parametrize(
    ("section", "key", "value"),
    [
        ("fonts", "size", "1e7"),
        ("fonts", "body_size", "10000000pt"),
        ("page", "width", "1000000px"),
        ("page", "size", "1000000px 1000000px"),
        ("colours", "opacity", "1e7"),
    ],
)
def test_theme_fields_the_model_does_not_have_are_refused_where_written(
    project, section, key, value
):
    project.theme[section] = {key: value}
    with pytest.raises(ContentError) as e:
        project.load()
    [msg] = problems_of(e)
    assert msg.startswith("content/theme.yaml:")
    field = f"{section}.{key}" if section in ("fonts", "colours") else section
    assert f": {field}: unknown field" in msg


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("time_limit_seconds", "0", "greater than 0"),
        ("time_limit_seconds", "-5", "greater than 0"),
        ("time_limit_seconds", "1e7", "less than or equal to 3600"),
        ("time_limit_seconds", "nan", ""),
        ("time_limit_seconds", "inf", ""),
        ("time_limit_seconds", "soon", "valid number"),
        ("review_warning_days", "1000000", "less than or equal to 365"),
        ("review_warning_days", "-1", "greater than or equal to 0"),
        ("review_warning_days", "1.5", "valid integer"),
    ],
)
def test_absurd_quality_numbers_are_refused_where_written(project, key, value, message):
    project.plan["quality"] = {key: value}
    with pytest.raises(ContentError) as e:
        project.load()
    [msg] = problems_of(e)
    assert msg.startswith("content/documents.yaml:")
    assert f"quality.{key}: " in msg
    assert message in msg


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "greater than or equal to 1"),
        ("1000000", "less than or equal to 500"),
        ("1e3", "valid integer"),
        ("nan", "valid integer"),
    ],
)
def test_absurd_page_limit_is_refused_where_written(project, value, message):
    project.document(max_pages=value)
    with pytest.raises(ContentError) as e:
        project.load()
    [msg] = problems_of(e)
    assert msg.startswith("content/documents.yaml:")
    assert "documents[0].max_pages: " in msg and message in msg


def test_absurd_reading_grade_limit_is_refused(project):
    project.plan["quality"] = {"max_grade": {"patient": "1e9"}}
    with pytest.raises(ContentError) as e:
        project.load()
    assert "quality.max_grade.patient: " in problems_of(e)[0]
