"""Print and accessibility gates, measured on built PDFs (never on the CSS).

Print (patient handouts)
    *Body text* is the most common font size by character count, outside headers,
    footers and figures.  Clear print needs ≥ 12 pt body text and at most
    ``max_pages`` pages (2 when the plan sets none); large print needs ≥ 16 pt, the
    same body size on every page and A4 or Letter pages (an enlarged A4 is not large
    print).  The smallest text anywhere but headers, footers and the logotype is
    reported, and is a warning when below the minimum.
Accessibility (every PDF)
    Tagged (StructTreeRoot, MarkInfo/Marked), /Lang, a title shown as the window
    title, /Alt on every Figure, heading levels that do not skip, embedded fonts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..errors import Location
from ..output import ManifestEntry
from .finding import ERROR, WARNING, Finding, finding
from .governance import letters
from .pdfread import Char, PdfFacts

PRINT, ACCESSIBILITY = "print", "accessibility"
MIN_BODY_PT = {"clear": 12.0, "large": 16.0}
CLEAR_PRINT_MAX_PAGES = 2
PAPER_SIZES_PT = {"A4": (595.28, 841.89), "Letter": (612.0, 792.0)}
PAPER_TOLERANCE_PT = 1.0


@dataclass(frozen=True)
class PrintMetrics:
    body_size: float
    smallest_size: float
    smallest_text: str
    smallest_page: int
    page_body_sizes: tuple[float, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "body_pt": self.body_size,
            "smallest_pt": self.smallest_size,
            "smallest_text": self.smallest_text,
            "smallest_page": self.smallest_page,
            "page_body_pt": list(self.page_body_sizes),
        }


def _most_common(chars: list[Char]) -> float:
    return Counter(c.size for c in chars).most_common(1)[0][0] if chars else 0.0


def _logotype(facts: PdfFacts, ch: Char, organisation: str) -> bool:
    """Text inside a figure that only spells the organisation's name (WCAG exempts logos)."""
    return facts.in_figure(ch) and letters(facts.blocks[ch.block].text) in letters(organisation)


def _sample(facts: PdfFacts, ch: Char) -> str:
    same = "".join(c.text for c in facts.chars if c.block == ch.block and c.size == ch.size)
    text = facts.blocks[ch.block].text if ch.block is not None and ch.block >= 0 else same
    return text[:60] + ("…" if len(text) > 60 else "")


def print_metrics(facts: PdfFacts, organisation: str) -> PrintMetrics:
    shown = facts.content_chars()
    body = [c for c in shown if not facts.in_figure(c)]
    pages = tuple(_most_common([c for c in body if c.page == i]) for i in range(facts.pages))
    readable = [c for c in shown if not _logotype(facts, c, organisation)]
    small = min(readable, key=lambda c: c.size, default=None)
    if small is None:
        return PrintMetrics(0.0, 0.0, "", 0, pages)
    return PrintMetrics(
        _most_common(body), small.size, _sample(facts, small), small.page + 1, pages
    )


def _paper(size: tuple[float, float]) -> str | None:
    w, h = sorted(size)
    return next(
        (
            name
            for name, (pw, ph) in PAPER_SIZES_PT.items()
            if abs(w - pw) <= PAPER_TOLERANCE_PT and abs(h - ph) <= PAPER_TOLERANCE_PT
        ),
        None,
    )


def _f(
    where: Location,
    entry: ManifestEntry,
    message: str,
    hint: str,
    gate: str = PRINT,
    severity: str = ERROR,
) -> Finding:
    return finding(gate, where, "", message, hint, severity, entry.path)


def _size_findings(
    m: PrintMetrics, variant: str, where: Location, entry: ManifestEntry
) -> list[Finding]:
    minimum, out = MIN_BODY_PT[variant], []
    if m.body_size < minimum:
        out.append(
            _f(
                where,
                entry,
                f"body text is {m.body_size:g} pt; {variant} print needs at least {minimum:g} pt",
                "raise the body font-size in the template CSS",
            )
        )
    if m.smallest_size < minimum:
        out.append(
            _f(
                where,
                entry,
                f"smallest text is {m.smallest_size:g} pt (page "
                f"{m.smallest_page}: “{m.smallest_text}”); {variant} print needs at "
                f"least {minimum:g} pt for all text",
                "enlarge it in the template CSS or diagram",
                severity=WARNING,
            )
        )
    return out


def _large_findings(
    facts: PdfFacts, m: PrintMetrics, where: Location, entry: ManifestEntry
) -> list[Finding]:
    out = []
    odd = [
        f"page {i} {s:g} pt"
        for i, s in enumerate(m.page_body_sizes, 1)
        if s and abs(s - m.body_size) > 0.05
    ]
    if odd:
        out.append(
            _f(
                where,
                entry,
                f"body text size changes across pages (body {m.body_size:g}"
                f" pt; {', '.join(odd)}); large print keeps one size",
                "do not scale pages or sections to fit",
            )
        )
    bad = [
        f"page {i} {w:.0f}×{h:.0f} pt"
        for i, (w, h) in enumerate(facts.page_sizes, 1)
        if _paper((w, h)) is None
    ]
    if bad:
        out.append(
            _f(
                where,
                entry,
                f"page size is not A4 or Letter ({', '.join(bad[:3])}); "
                "large print is set in large type, not enlarged",
                "use @page size A4 or letter",
            )
        )
    return out


def check_print(
    facts: PdfFacts, entry: ManifestEntry, max_pages: int | None, where: Location, organisation: str
) -> tuple[PrintMetrics, list[Finding]]:
    """Print gates for a patient handout; returns the measurements too."""
    metrics = print_metrics(facts, organisation)
    variant = entry.variant or "clear"
    out = _size_findings(metrics, variant, where, entry)
    if variant == "large":
        out += _large_findings(facts, metrics, where, entry)
    else:
        limit = max_pages or CLEAR_PRINT_MAX_PAGES
        if facts.pages > limit:
            out.append(
                _f(
                    where,
                    entry,
                    f"{facts.pages} pages; clear-print handouts must fit on {limit}",
                    "shorten the content or tighten the template",
                )
            )
    return metrics, out


# --- accessibility --------------------------------------------------------------


def _heading_findings(facts: PdfFacts, where: Location, entry: ManifestEntry) -> list[Finding]:
    out, previous = [], 0
    for level, page, block in facts.headings:
        if level > previous + 1:
            text = facts.heading_text(block)
            out.append(
                _f(
                    where,
                    entry,
                    f"heading levels skip from "
                    f"{'H' + str(previous) if previous else 'the start'} to H{level} "
                    f"(page {page}: “{text[:60]}”)",
                    "use the next heading level down; style it with CSS",
                    ACCESSIBILITY,
                )
            )
        previous = level
    return out


def _tag_findings(facts: PdfFacts) -> list[tuple[str, str]]:
    checks = [
        (
            facts.tagged and facts.marked,
            "is not tagged (no StructTreeRoot or MarkInfo/Marked)",
            "write it with pdf_variant='pdf/ua-1' and pdf_tags=True",
        ),
        (
            bool(facts.lang),
            "has no document language (/Lang)",
            'write <html lang="{{ theme.language }}"> in the template',
        ),
        (bool(facts.title), "has no title in its metadata", "set <title> in the template"),
        (
            facts.display_doc_title,
            "does not show its title as the window title (ViewerPreferences/DisplayDocTitle)",
            "write it as PDF/UA-1",
        ),
        (
            not facts.unembedded_fonts,
            f"uses fonts that are not embedded: {', '.join(facts.unembedded_fonts)}",
            "use the packaged fonts only",
        ),
        (
            not facts.figures_without_alt,
            f"has figures without alt text (pages "
            f"{', '.join(map(str, sorted(set(facts.figures_without_alt))))})",
            "give every <img> an alt and every <svg> a <title>",
        ),
    ]
    return [(message, hint) for ok, message, hint in checks if not ok]


def check_accessibility(facts: PdfFacts, where: Location, entry: ManifestEntry) -> list[Finding]:
    out = [_f(where, entry, message, hint, ACCESSIBILITY) for message, hint in _tag_findings(facts)]
    return out + _heading_findings(facts, where, entry)
