"""What this machine has, and what each missing piece costs: the one place that knows.

``python build.py doctor`` prints :func:`checks` as a table; the build asks
:func:`build_notes` for its once-per-build note (HarfBuzz-Subset missing); the
tests' "tool or skip" helpers ask :func:`find_tool` and :func:`tool_missing`, so a
skipped test says what to install.  Facts about WeasyPrint (its version, the
Pango it loaded, whether it subsets fonts with HarfBuzz-Subset) come from the PDF
writer, the only module that imports WeasyPrint.

Required: Python 3.11+, Pango >= 1.44 (WeasyPrint loads it from the operating
system) and the packaged fonts.  Optional: HarfBuzz-Subset (faster
PDFs), LibreOffice, poppler and qpdf (only tests use them) and Chromium (browser
tests of web pages).
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import platform as _platform
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from . import fonts

PYTHON_MIN = (3, 11)
PANGO_MIN = (1, 44, 0)

PACKAGES: dict[str, dict[str, str]] = {
    "pango": {"debian": "libpango-1.0-0 libpangoft2-1.0-0", "fedora": "pango", "macos": "pango"},
    "harfbuzz-subset": {"debian": "libharfbuzz-subset0", "fedora": "harfbuzz", "macos": "harfbuzz"},
    "libreoffice": {
        "debian": "libreoffice-impress",
        "fedora": "libreoffice-impress",
        "macos": "--cask libreoffice",
    },
    "poppler": {"debian": "poppler-utils", "fedora": "poppler-utils", "macos": "poppler"},
    "qpdf": {"debian": "qpdf", "fedora": "qpdf", "macos": "qpdf"},
    "chromium": {"debian": "chromium", "fedora": "chromium", "macos": "--cask chromium"},
}
"""Operating-system package(s) that provide each piece, per platform."""

MANAGERS = {
    "debian": "sudo apt-get install {}",
    "fedora": "sudo dnf install {}",
    "macos": "brew install {}",
}


@dataclass(frozen=True)
class Tool:
    package: str
    """Key of :data:`PACKAGES`."""
    label: str
    enables: str


TOOLS: dict[str, Tool] = {
    "soffice": Tool("libreoffice", "LibreOffice", "tests: decks opened in LibreOffice"),
    "pdftoppm": Tool("poppler", "poppler", "tests: PDF text, fonts, pictures"),
    "pdftotext": Tool("poppler", "poppler", "tests: PDF text, fonts, pictures"),
    "pdfinfo": Tool("poppler", "poppler", "tests: PDF text, fonts, pictures"),
    "pdffonts": Tool("poppler", "poppler", "tests: PDF text, fonts, pictures"),
    "qpdf": Tool("qpdf", "qpdf", "tests: PDF structure"),
    "chromium": Tool("chromium", "Chromium", "tests: web pages in a browser"),
}
"""External programs medbrief's tests use, with what provides them and what they enable."""


def platform() -> str:
    """``debian`` (Debian, Ubuntu...), ``fedora`` (Fedora, RHEL...), ``macos`` or ``other``."""
    if sys.platform == "darwin":
        return "macos"
    with contextlib.suppress(OSError):
        release = _platform.freedesktop_os_release()
        ids = {release.get("ID", ""), *release.get("ID_LIKE", "").split()}
        if ids & {"debian", "ubuntu"}:
            return "debian"
        if ids & {"fedora", "rhel", "centos"}:
            return "fedora"
    return "other"


def install_command(package: str, where: str | None = None) -> str:
    """The one-line install of a :data:`PACKAGES` key on this (or the given) platform."""
    where = where or platform()
    if where not in MANAGERS:
        return f"install {PACKAGES[package]['debian']} (Debian name) with your package manager"
    return MANAGERS[where].format(PACKAGES[package][where])


# --- external programs (the tests' tool-or-skip helpers) -----------------------------------


def find_tool(command: str) -> str | None:
    """Path of an external program, or None."""
    return shutil.which(command)


def tools_required() -> bool:
    """CI sets MEDBRIEF_REQUIRE_TOOLS=1: tests then fail, not skip, without their tools."""
    return os.environ.get("MEDBRIEF_REQUIRE_TOOLS") == "1"


def tool_missing(command: str) -> str:
    """Why a test that needs ``command`` cannot run, with the install command."""
    tool = TOOLS.get(command)
    if tool is None:
        return f"{command} is not installed"
    return f"{command} ({tool.label}) is not installed: {install_command(tool.package)}"


# --- WeasyPrint, Pango, HarfBuzz-Subset ----------------------------------------------------


@dataclass(frozen=True)
class Engine:
    """What the PDF engine found, or why it could not start."""

    weasyprint: str | None = None
    pango: tuple[int, int, int] | None = None
    harfbuzz_subset: bool = False
    error: str | None = None
    python_package: bool = False
    """True when the error is a missing Python package, not a system library."""


@functools.cache
def engine() -> Engine:
    """Load the PDF writer (WeasyPrint) once and ask what it found."""
    banner = io.StringIO()
    try:
        with contextlib.redirect_stdout(banner):  # WeasyPrint prints a banner when Pango is missing
            from .writers import pdf
    except ImportError as e:  # WeasyPrint (or a Python dependency) is not installed
        return Engine(error=f"Python package missing: {e}", python_package=True)
    except OSError as e:  # WeasyPrint could not load a system library (Pango...)
        return Engine(error=str(e).strip() or type(e).__name__)
    facts = pdf.engine_facts()
    return Engine(facts.weasyprint, facts.pango, facts.harfbuzz_subset)


def pdf_blockers() -> list[Check]:
    """Required pieces of the PDF engine that are missing or too old (empty: PDFs can be made)."""
    return [c for c in _engine_checks() if c.required and not c.ok]


def build_notes() -> list[str]:
    """Notes a build that writes PDFs prints once: what this machine costs it."""
    found = engine()
    if found.error is None and not found.harfbuzz_subset:
        return [
            "HarfBuzz-Subset is not installed, so WeasyPrint subsets fonts with fontTools: "
            "the PDFs are the same, only slower to make. For speed: "
            + install_command("harfbuzz-subset")
        ]
    return []


# --- the doctor's checks -------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One line of ``python build.py doctor``."""

    name: str
    found: str
    ok: bool
    required: bool
    enables: str
    fix: str = ""


def _version(v: tuple[int, ...]) -> str:
    return ".".join(map(str, v))


def _python() -> Check:
    ok = sys.version_info[:2] >= PYTHON_MIN
    return Check(
        "Python",
        _version(sys.version_info[:3]),
        ok,
        True,
        "runs medbrief",
        "" if ok else f"use Python {_version(PYTHON_MIN)} or newer",
    )


def _engine_checks() -> list[Check]:
    found = engine()
    pango_fix = install_command("pango")
    if found.error is not None:
        fix = "python -m pip install -e ." if found.python_package else pango_fix
        return [
            Check(
                "WeasyPrint + Pango",
                f"cannot start: {found.error}",
                False,
                True,
                "makes every PDF",
                fix,
            )
        ]
    pango_ok = found.pango >= PANGO_MIN
    return [
        Check("WeasyPrint", found.weasyprint, True, True, "makes every PDF"),
        Check(
            "Pango",
            _version(found.pango) + ("" if pango_ok else " (too old)"),
            pango_ok,
            True,
            f"text layout (needs {_version(PANGO_MIN)}+)",
            "" if pango_ok else pango_fix,
        ),
        Check(
            "HarfBuzz-Subset",
            "found" if found.harfbuzz_subset else "not found",
            found.harfbuzz_subset,
            False,
            "faster PDFs (the same pages)",
            "" if found.harfbuzz_subset else install_command("harfbuzz-subset"),
        ),
    ]


def _font_checks() -> list[Check]:
    checks = []
    for family, package in fonts.PACKAGES.items():
        module = package.partition(":")[0]
        try:
            files = fonts.family_files(family)
        except ImportError:
            files = ()
        found = f"{len(files)} file(s)" if files else f"Python package {module} not installed"
        checks.append(
            Check(
                f"font {family}",
                found,
                bool(files),
                True,
                "measuring deck text" if family == "Arimo" else "text in PDFs",
                "" if files else "python -m pip install -e .",
            )
        )
    return checks


def _tool_checks() -> list[Check]:
    checks, seen = [], set()
    for tool in TOOLS.values():
        if tool.package in seen:
            continue
        seen.add(tool.package)
        commands = [c for c, t in TOOLS.items() if t.package == tool.package]
        paths = [p for c in commands if (p := find_tool(c))]
        ok = len(paths) == len(commands)
        found = ", ".join(Path(p).name for p in paths) if paths else "not found"
        checks.append(
            Check(
                tool.label,
                found,
                ok,
                False,
                tool.enables,
                "" if ok else install_command(tool.package),
            )
        )
    return checks


def checks() -> list[Check]:
    """Everything ``doctor`` reports, required pieces first."""
    return [_python(), *_engine_checks(), *_font_checks(), *_tool_checks()]


def ready(found: list[Check]) -> bool:
    """True when ``build`` can work: every required piece is there."""
    return all(c.ok for c in found if c.required)


def describe() -> str:
    """One line naming the platform and the Python, for the doctor's title."""
    names = {"debian": "Debian/Ubuntu", "fedora": "Fedora", "macos": "macOS (Homebrew)"}
    system = names.get(platform(), _platform.system() or "unknown system")
    return f"{system}, Python {_version(sys.version_info[:3])}"
