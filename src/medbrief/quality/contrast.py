"""Contrast gate: WCAG 2 AA for every theme colour pair the templates draw.

4.5:1 for text, 3:1 for graphics (borders, diagram outlines).  The ratio is
(L1 + 0.05) / (L2 + 0.05) of the relative luminances of the lighter and darker
colour, as defined by WCAG 2.x.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..loader import Project
from ..model import Colours
from .finding import Finding, finding

GATE = "contrast"
TEXT, GRAPHICS = 4.5, 3.0


@dataclass(frozen=True)
class Pair:
    foreground: str
    background: str
    minimum: float
    use: str


PAIRS = (
    Pair("text", "background", TEXT, "body text"),
    Pair("muted", "background", TEXT, "secondary text"),
    Pair("primary", "background", TEXT, "headings and links"),
    Pair("accent", "background", TEXT, "highlighted text"),
    Pair("on_primary", "primary", TEXT, "text on primary bands and diagram numbers"),
    Pair("text", "box_background", TEXT, "text in boxes"),
    Pair("muted", "box_background", TEXT, "secondary text in boxes"),
    Pair("primary", "box_background", TEXT, "headings in boxes"),
    Pair("accent", "box_background", TEXT, "highlighted text in boxes"),
    Pair("box_border", "background", GRAPHICS, "box borders and diagram outlines"),
    Pair("box_border", "box_background", GRAPHICS, "diagram outlines inside boxes"),
)
"""Every foreground/background pair the templates use, with its WCAG AA minimum."""


@dataclass(frozen=True)
class Measured:
    pair: Pair
    ratio: float

    @property
    def ok(self) -> bool:
        return self.ratio >= self.pair.minimum

    def as_dict(self) -> dict[str, object]:
        p = self.pair
        return {
            "foreground": p.foreground,
            "background": p.background,
            "use": p.use,
            "ratio": round(self.ratio, 2),
            "minimum": p.minimum,
            "ok": self.ok,
        }


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """WCAG relative luminance of ``#rrggbb``."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def ratio(foreground: str, background: str) -> float:
    hi, lo = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _mix(colour: str, target: int, t: float) -> str:
    parts = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(c + (target - c) * t):02x}" for c in parts)


def suggest(foreground: str, background: str, minimum: float) -> str:
    """The foreground moved the least towards black or white that meets ``minimum``."""
    target = 0 if luminance(background) > 0.18 else 255
    for step in range(1, 101):
        candidate = _mix(foreground, target, step / 100)
        if ratio(candidate, background) >= minimum:
            return candidate
    return "#000000" if target == 0 else "#ffffff"


def measure(colours: Colours) -> list[Measured]:
    return [
        Measured(p, ratio(getattr(colours, p.foreground), getattr(colours, p.background)))
        for p in PAIRS
    ]


def _failure(project: Project, m: Measured) -> Finding:
    p, colours = m.pair, project.theme.colours
    fg, bg = getattr(colours, p.foreground), getattr(colours, p.background)
    kind = "text" if p.minimum == TEXT else "graphics"
    return finding(
        GATE,
        project.locate("theme", ("colours", p.foreground)),
        f"colours.{p.foreground}",
        f"{p.foreground} {fg} on {p.background} {bg} ({p.use}) has contrast {m.ratio:.2f}:1; "
        f"WCAG AA needs {p.minimum:g}:1 for {kind}",
        f'use a darker or lighter colour, e.g. {p.foreground}: "{suggest(fg, bg, p.minimum)}"',
    )


def check(project: Project, measured: list[Measured] | None = None) -> list[Finding]:
    measured = measured if measured is not None else measure(project.theme.colours)
    return [_failure(project, m) for m in measured if not m.ok]
