"""Untrusted archives and fonts: the files a theme names are validated once, at load.

An organisation's .pptx master is an untrusted zip (bombs, external links, parts no deck
needs), its measuring fonts untrusted font files, its logo an untrusted image.  Every
problem is a located error at the theme's line, with exit status 2, before any document is
built: never an engine's exception in the middle of a build.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import zipfile

import pytest

from hardening_support import REPO, Project, problems_of, refused_at_load
from medbrief.assets import MAX_SVG_DEPTH, MAX_SVG_EXPANDED, check_svg
from medbrief.deck.model import arimo_path
from medbrief.deck.package import MAX_PARTS, MAX_UNPACKED_BYTES, inspect_master
from medbrief.errors import ContentError

ARIMO = arimo_path()


@pytest.fixture
def project(tmp_path) -> Project:
    return Project(tmp_path / "project")


def _problems(project: Project) -> list[str]:
    return refused_at_load(project, seconds=5)


def _theme_line(project: Project, key: str) -> int:
    lines = (project.content / "theme.yaml").read_text().splitlines()
    return next(i for i, row in enumerate(lines, 1) if row.lstrip().startswith(key + ":"))


def real_master() -> bytes:
    from pptx import Presentation

    buffer = io.BytesIO()
    Presentation().save(buffer)
    return buffer.getvalue()


def rezip(
    data: bytes,
    change=None,
    extra: dict[str, bytes] | None = None,
    compression=zipfile.ZIP_DEFLATED,
) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", compression) as dst:
        for item in src.infolist():
            body = src.read(item)
            if change:
                body = change(item.filename, body)
            dst.writestr(item.filename, body)
        for name, body in (extra or {}).items():
            dst.writestr(name, body)
    return out.getvalue()


def use_master(project: Project, data: bytes, name: str = "org.pptx") -> None:
    project.write_file(f"assets/{name}", data)
    project.theme["pptx_master"] = f"assets/{name}"


# --- the master: a zip checked before it is opened -------------------------------------------


def test_zip_bomb_master_is_refused_in_well_under_a_second(project):
    bomb = rezip(real_master(), extra={"ppt/media/image1.png": b"\0" * 300_000_000})
    assert len(bomb) < 2_000_000
    use_master(project, bomb)
    started = time.perf_counter()
    [msg] = _problems(project)
    assert time.perf_counter() - started < 1.0
    line = _theme_line(project, "pptx_master")
    assert msg.startswith(f"content/theme.yaml:{line}:")
    assert "pptx_master: assets/org.pptx: master unpacks to 300," in msg
    assert f"the limit is {MAX_UNPACKED_BYTES:,}" in msg


def test_master_with_too_many_parts_is_refused(project):
    extra = {f"ppt/media/x{i}.txt": b"x" for i in range(MAX_PARTS + 1)}
    use_master(project, rezip(real_master(), extra=extra))
    [msg] = _problems(project)
    assert f"parts; the limit is {MAX_PARTS:,}" in msg


def test_master_part_with_an_absurd_ratio_is_refused():
    data = rezip(real_master(), extra={"ppt/media/flat.bin": b"\0" * 50_000_000})
    with pytest.raises(ValueError, match=r"expands [\d,]+ times when unpacked; the limit is 200"):
        inspect_master(data)


EXTERNAL = (
    '<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/'
    '2006/relationships/image" Target="{}" TargetMode="External"/>'
)


@pytest.mark.parametrize(
    "target",
    ["https://tracker.example/pixel.gif", "file://server/share/logo.png", "file:///etc/passwd"],
)
def test_master_linking_outside_itself_is_refused(project, target):
    def add_link(name, body):
        if name == "ppt/slideLayouts/_rels/slideLayout1.xml.rels":
            return body.replace(
                b"</Relationships>", EXTERNAL.format(target).encode() + b"</Relationships>"
            )
        return body

    use_master(project, rezip(real_master(), add_link))
    [msg] = _problems(project)
    assert f"master links to something outside it ('{target}'" in msg
    assert "ppt/slideLayouts/_rels/slideLayout1.xml.rels" in msg


def _potx(name, body):
    if name == "[Content_Types].xml":
        return body.replace(b"presentation.main+xml", b"template.main+xml")
    return body


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (lambda: rezip(real_master(), _potx), "master is a PowerPoint template (.potx)"),
        (lambda: b"just text, not a zip", "not a valid .pptx zip"),
        (lambda: real_master()[:5000], "not a valid .pptx zip"),
        (
            lambda: rezip(real_master(), lambda n, b: b.replace(b"presentation.main", b"nothing")),
            "master is not a PowerPoint presentation",
        ),
    ],
)
def test_unusable_master_is_a_located_error_with_exit_2(project, data, said):
    use_master(project, data())
    [msg] = _problems(project)
    line = _theme_line(project, "pptx_master")
    assert msg.startswith(f"content/theme.yaml:{line}:14: pptx_master: assets/org.pptx: "), msg
    assert said in msg
    assert "DeckStyle" not in msg
    run = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "--project", str(project.root), "-q"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    )
    assert run.returncode == 2 and said in run.stderr and "Traceback" not in run.stderr


def test_missing_layout_is_located_at_its_layouts_line_without_naming_deckstyle(project):
    use_master(project, real_master())
    project.theme["layouts"] = {"comparison": "Side by Side"}
    [msg] = _problems(project)
    line = _theme_line(project, "comparison")
    assert msg.startswith(f"content/theme.yaml:{line}:")
    assert (
        'layouts.comparison: layout "Side by Side" (for "comparison" slides) is not in '
        "assets/org.pptx" in msg
    )
    assert "'Title Slide'" in msg and "DeckStyle" not in msg


def test_master_python_pptx_cannot_open_is_a_located_error(project):
    data = rezip(real_master(), extra={"ppt/media/odd.qqq": b"x"})

    def link(name, body):
        if name == "ppt/slideLayouts/_rels/slideLayout7.xml.rels":
            return body.replace(
                b"</Relationships>",
                (
                    b'<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/image" Target="../media/odd.qqq"/>'
                    b"</Relationships>"
                ),
            )
        return body

    use_master(project, rezip(data, link))
    [msg] = _problems(project)
    line = _theme_line(project, "pptx_master")
    assert msg.startswith(
        f"content/theme.yaml:{line}:14: pptx_master: assets/org.pptx: cannot "
        "be opened as a presentation ("
    )


def test_master_without_the_default_layout_names_says_how_to_map_them(project):
    def rename(name, body):
        return body.replace(b'name="Blank"', b'name="Empty"')

    use_master(project, rezip(real_master(), rename))
    [msg] = _problems(project)
    assert 'pptx_master: layout "Blank" (for "blank" slides) is not in assets/org.pptx' in msg
    assert "add `layouts:` to content/theme.yaml with `blank: <layout name>`" in msg


def test_master_parts_no_deck_needs_are_not_copied(project, tmp_path):
    big = os.urandom(300_000)  # incompressible, so the ratio check lets it through

    def picture_on_unused_layout(name, body):
        if name == "[Content_Types].xml":
            return body.replace(
                b"<Default ", b'<Default Extension="png" ContentType="image/png"/><Default ', 1
            )
        if name == "ppt/slideLayouts/_rels/slideLayout6.xml.rels":  # "Title Only": unused
            return body.replace(
                b"</Relationships>",
                (
                    b'<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/image" Target="../media/big.png"/>'
                    b"</Relationships>"
                ),
            )
        return body

    data = rezip(
        real_master(),
        picture_on_unused_layout,
        {"ppt/media/big.png": big, "customXml/item1.xml": b"<x/>"},
    )
    use_master(project, data)
    project.plan["documents"] = [
        {
            "name": "deck",
            "title": "Deck",
            "template": "deck.html.j2",
            "audience": "speaker",
            "format": "pptx",
            "per": "topic",
            "output": "decks/{topic}.pptx",
        }
    ]
    report = project.build()
    assert report.ok, [str(r.error) for r in report.failures]
    with zipfile.ZipFile(project.out / "decks/alpha.pptx") as z:
        names = z.namelist()
        assert not any(
            n.startswith("ppt/media/") and z.getinfo(n).file_size == len(big) for n in names
        ), names
        assert not any(n.startswith("customXml/") for n in names)
        assert not any(
            'TargetMode="External"' in z.read(n).decode("utf-8", "replace")
            for n in names
            if n.endswith(".rels")
        )


# --- measuring fonts ------------------------------------------------------------------------


def _fonts(project: Project, regular: bytes, bold: bytes | None = None) -> None:
    project.write_file("fonts/Org-Regular.ttf", regular)
    project.write_file("fonts/Org-Bold.ttf", bold if bold is not None else regular)
    project.theme["fonts"] = {
        "deck": "Org Sans",
        "deck_metrics": {"regular": "fonts/Org-Regular.ttf", "bold": "fonts/Org-Bold.ttf"},
    }


def _with_fstype(value: int) -> bytes:
    from fontTools.ttLib import TTFont

    font = TTFont(ARIMO)
    font["OS/2"].fsType = value
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (lambda: ARIMO.read_bytes()[:20_000], "font is truncated: its loca table ends at byte"),
        (lambda: ARIMO.read_bytes()[:-1000], "font is truncated: its"),
        (lambda: ARIMO.read_bytes()[:200], "not a complete TrueType/OpenType font"),
        (lambda: b"not a font at all", "not a complete TrueType/OpenType font"),
        (lambda: b"", "not a complete TrueType/OpenType font"),
        (lambda: _with_fstype(0x0002), "the font's licence field (OS/2 fsType 0x0002) does not"),
    ],
)
def test_bad_measuring_font_is_a_located_error_at_load(project, data, said):
    _fonts(project, data(), ARIMO.read_bytes())
    [msg] = _problems(project)
    line = _theme_line(project, "regular")
    assert msg.startswith(f"content/theme.yaml:{line}:"), msg
    assert "fonts.deck_metrics.regular: fonts/Org-Regular.ttf: " + said in msg


def test_a_complete_measuring_font_loads(project):
    _fonts(project, ARIMO.read_bytes())
    loaded = project.load()
    assert loaded.theme_files.font_regular.name == "Org-Regular.ttf"


@pytest.mark.parametrize("target", ["/dev/zero", "fifo", "/etc/passwd"])
def test_measuring_font_that_is_not_a_regular_file_is_refused(project, target):
    _fonts(project, b"x", ARIMO.read_bytes())
    path = project.content / "fonts" / "Org-Regular.ttf"
    project.write()
    path.unlink()
    if target == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to(target)
    from medbrief.loader import load_project

    with pytest.raises(ContentError) as e:
        load_project(project.root)
    [msg] = problems_of(e)
    assert "fonts.deck_metrics.regular" in msg and "root:" not in msg


# --- SVG and PNG bounds ----------------------------------------------------------------------


def use_bomb(levels: int, fan: int = 10) -> bytes:
    groups = ['<g id="l0"><rect width="1" height="1"/></g>']
    for level in range(1, levels + 1):
        uses = "".join(f'<use href="#l{level - 1}"/>' for _ in range(fan))
        groups.append(f'<g id="l{level}">{uses}</g>')
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><defs>'
        + "".join(groups)
        + f'</defs><use href="#l{levels}"/></svg>'
    ).encode()


@pytest.mark.parametrize(
    ("svg", "said"),
    [
        (use_bomb(9), f"more than {MAX_SVG_EXPANDED:,} elements"),
        (use_bomb(5), f"more than {MAX_SVG_EXPANDED:,} elements"),
        (use_bomb(40, fan=2), f"more than {MAX_SVG_EXPANDED:,} elements"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><g id="a"><use href="#a"/></g></svg>',
            "refers to itself",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><pattern id="p"><rect fill="url(#p)"/>'
            b"</pattern></svg>",
            "refers to itself",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg">' + b"<g>" * 100 + b"</g>" * 100 + b"</svg>",
            f"deeper than {MAX_SVG_DEPTH} levels",
        ),
    ],
)
def test_svg_complexity_is_bounded(svg, said):
    started = time.perf_counter()
    problem = check_svg(svg)
    assert time.perf_counter() - started < 1
    assert problem is not None and said in problem[0]


def test_svg_with_a_few_uses_is_accepted():
    assert check_svg(use_bomb(2)) is None


def test_svg_use_bomb_logo_is_refused_at_load(project):
    project.write_file("assets/logo.svg", use_bomb(9))
    [msg] = _problems(project)
    assert msg.startswith(
        "content/theme.yaml:5:7: logo: content/assets/logo.svg: SVG draws more than"
    )


def _png(width: int = 64, height: int = 64) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.effect_noise((width, height), 50).convert("RGB").save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize("cut", [0.5, 0.8, 0.95])
@pytest.mark.parametrize("lenient", [False, True])
def test_truncated_png_logo_is_refused_at_load(project, cut, lenient, monkeypatch):
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", lenient)  # WeasyPrint sets True
    data = _png()
    project.write_file("assets/logo.png", data[: int(len(data) * cut)])
    project.theme["logo"] = "assets/logo.png"
    [msg] = _problems(project)
    assert "logo: content/assets/logo.png: the image data is damaged or truncated" in msg


def test_png_with_a_broken_data_stream_is_refused_at_load(project):
    data = bytearray(_png())
    start = data.index(b"IDAT") + 20
    data[start : start + 200] = b"\xff" * 200
    project.write_file("assets/logo.png", bytes(data))
    project.theme["logo"] = "assets/logo.png"
    [msg] = _problems(project)
    assert "logo: content/assets/logo.png: " in msg
