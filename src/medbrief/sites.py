"""Sites: each clinic's own contact details, from a CSV file exported from a spreadsheet.

A plan row with ``sites: sites.csv`` makes one document per site (and topic); the
personalised handout prints the site's name, phone and email and a QR code to its website.

The file is untrusted data, read like every content file: UTF-8 (an Excel byte-order mark
is accepted), a header row naming the columns, then one row per site.  Every problem in
the file is collected and reported together as ``FILE:LINE:COL: column: message`` plus a
hint, before anything is built.  LINE is the physical line in the file, so a quoted cell
that spans lines (a multi-line address) does not shift the rows after it.

Cells are data: ``=SUM(A1)``, ``+44 …``, ``-`` or ``@`` at the start of a cell is kept and
printed exactly as written, never interpreted.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ContentError, Location, Problem
from .model import SLUG_PATTERN, web_url_problem
from .safefile import read_file
from .yamlload import check_text, decode_utf8

REQUIRED = ("id", "name", "phone", "email")
OPTIONAL = ("address", "website")
KNOWN = REQUIRED + OPTIONAL

MAX_ROWS = 10_000
"""Most sites in one file; a national network has a few hundred."""

MAX_BYTES = 20_000_000
"""Largest sites file read (10,000 rows of long addresses fit several times over)."""

MAX_CELL = 1000
"""Longest cell accepted, in characters."""

MAX_ID = 60

_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
_SLUG = re.compile(SLUG_PATTERN)

SAVE_AS_UTF8 = (
    'save the spreadsheet as "CSV UTF-8 (Comma delimited) (*.csv)" '
    '(Excel: File > Save As; LibreOffice: character set "Unicode (UTF-8)")'
)


@dataclass(frozen=True)
class Site:
    """One row of a sites file.  ``line`` is the physical line the row starts on."""

    id: str
    name: str
    phone: str
    email: str
    address: str | None = None
    website: str | None = None
    extra: dict[str, str] = field(default_factory=dict, hash=False)
    """Every other column, by its header name, as written."""
    line: int = 0
    cells: dict[str, tuple[int, int]] = field(default_factory=dict, hash=False, compare=False)
    """The (line, column) each known column's cell starts at, for findings about a value."""

    def locate(self, column: str) -> tuple[int, int]:
        return self.cells.get(column, (self.line, 1))


@dataclass(frozen=True)
class SiteList:
    """The validated sites of one file, in file order."""

    display: str
    sites: tuple[Site, ...]
    sha256: str
    """Of the file's bytes: the sites' part of a document's fingerprint."""

    def __iter__(self) -> Iterator[Site]:
        return iter(self.sites)

    def __len__(self) -> int:
        return len(self.sites)


# --- reading -------------------------------------------------------------------------------


def load_sites(path: Path, display: str, allowed: list[Path] | None = None) -> SiteList:
    """Read and validate a sites file; raise :class:`ContentError` listing every problem.

    The file is read through :func:`medbrief.safefile.read_file`: a regular file inside
    ``allowed`` (content/ for a file the plan names; its own folder for ``--sites FILE``,
    which the person running the build chose), at most MAX_BYTES.
    """
    raw = read_file(
        path,
        allowed if allowed is not None else [path.parent],
        MAX_BYTES,
        Location(display, 1, 1),
        kind="sites",
    )
    return parse_sites(raw, display)


# --- decoding and splitting into cells ------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    text: str
    """The value, quotes removed."""
    line: int
    col: int
    raw: str
    """The cell as written in the file (quotes and all), for locating characters in it."""


def _decode(raw: bytes, display: str) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ContentError(
            [
                Problem(
                    Location(display, 1, 1),
                    "",
                    'file is UTF-16 (Excel\'s "Unicode Text"), not UTF-8',
                    SAVE_AS_UTF8,
                )
            ]
        )
    text = decode_utf8(raw, display, SAVE_AS_UTF8)
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def split_cells(text: str, display: str) -> list[list[Cell]]:
    """RFC 4180 records with the physical line and column of every cell.

    Quoted cells may hold commas, doubled quotes and line breaks.  A quoted cell that is
    never closed is an error located at its opening quote.
    """
    records: list[list[Cell]] = []
    problems: list[Problem] = []
    i, n, line, col = 0, len(text), 1, 1
    while i < n:
        record: list[Cell] = []
        while True:
            start, cell_line, cell_col = i, line, col
            if i < n and text[i] == '"':
                i, col, value = i + 1, col + 1, []
                while True:
                    if i >= n:
                        raise ContentError(
                            [
                                *problems,
                                Problem(
                                    Location(display, cell_line, cell_col),
                                    "",
                                    "a quoted cell is never closed",
                                    'add the closing " (a " inside a cell is written "")',
                                ),
                            ]
                        )
                    ch = text[i]
                    if ch == '"':
                        if text.startswith('""', i):
                            value.append('"')
                            i, col = i + 2, col + 2
                            continue
                        i, col = i + 1, col + 1
                        break
                    value.append(ch)
                    i += 1
                    line, col = (line + 1, 1) if ch == "\n" else (line, col + 1)
                if i < n and text[i] not in ",\n":
                    problems.append(
                        Problem(
                            Location(display, line, col),
                            "",
                            "text after the closing quote of a quoted cell",
                            'put the whole cell inside the quotes; write a " inside it as ""',
                        )
                    )
                    while i < n and text[i] not in ",\n":
                        value.append(text[i])
                        i, col = i + 1, col + 1
                cell_text = "".join(value)
            else:
                end = i
                while end < n and text[end] not in ",\n":
                    end += 1
                cell_text = text[i:end]
                col += end - i
                i = end
            record.append(Cell(cell_text, cell_line, cell_col, text[start:i]))
            if i < n and text[i] == ",":
                i, col = i + 1, col + 1
                continue
            if i < n:  # a line break ends the record
                i, line, col = i + 1, line + 1, 1
            break
        records.append(record)
    if problems:
        raise ContentError(problems)
    return records


# --- validation ------------------------------------------------------------------------------


def _problem(display: str, cell: Cell, column: str, message: str, hint: str) -> Problem:
    return Problem(Location(display, cell.line, cell.col), column, message, hint)


def _distance(a: str, b: str) -> int:
    """Edit distance counting a swap of two neighbours as one edit (typos)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cost = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, prev2[j - 2] + 1)
            cur.append(cost)
        prev2, prev = prev, cur
    return prev[-1]


def looks_like(name: str) -> str | None:
    """The known column an unknown header name looks like a typo of, if any."""
    folded = re.sub(r"[\s_\-]", "", name.lower())
    for known in KNOWN:  # Name, E-mail, Web site, emails
        if folded in (known, known + "s") or (known == "email" and folded == "mail"):
            return known
    for known in KNOWN:
        if len(known) > 2 and _distance(folded, known) <= (1 if len(known) <= 5 else 2):
            return known
    return None


def _check_header(header: list[Cell], display: str) -> tuple[dict[str, int], list[Problem]]:
    problems, columns = [], {}
    for index, cell in enumerate(header):
        name = cell.text.strip()
        if not name:
            problems.append(
                _problem(
                    display,
                    cell,
                    "header",
                    f"column {index + 1} has no name",
                    "give every column a name in the first row",
                )
            )
            continue
        if name in columns:
            first = header[columns[name]]
            problems.append(
                _problem(
                    display,
                    cell,
                    name,
                    f"two columns are named {name!r} (the first at column {first.col})",
                    "rename or remove one of them",
                )
            )
            continue
        columns[name] = index
    for name, index in columns.items():
        if name not in KNOWN and (guess := looks_like(name)) and guess not in columns:
            problems.append(
                _problem(
                    display,
                    header[index],
                    name,
                    f"unknown column {name!r}: did you mean {guess!r}?",
                    f"rename the column to {guess!r}; if it is a different column, "
                    f"give it a name that is not so close to {guess!r}",
                )
            )
    if len(header) == 1 and (sep := next((c for c in ";\t" if c in header[0].text), None)):
        what = "semicolons" if sep == ";" else "tabs"
        return columns, [
            *problems,
            _problem(
                display,
                header[0],
                "header",
                f"the columns are separated by {what}, not commas",
                SAVE_AS_UTF8 + ", which separates them by commas",
            ),
        ]
    # A typo'd column reports the typo; a column nowhere near is reported as missing.
    typos = {looks_like(n) for n in columns if n not in KNOWN}
    missing = [c for c in REQUIRED if c not in columns and c not in typos]
    where = header[0] if header else Cell("", 1, 1, "")
    for name in missing:
        near = next((n for n in columns if n not in KNOWN and name in n.lower()), None)
        hint = (
            f"rename the column {near!r} to {name!r}"
            if near
            else f"the first row must name the columns {', '.join(REQUIRED)}"
        )
        problems.append(
            _problem(display, where, name, f"required column {name!r} is missing", hint)
        )
    return columns, problems


def _check_cell(name: str, value: str, cell: Cell, display: str) -> list[Problem]:
    if len(value) > MAX_CELL:
        return [
            _problem(
                display,
                cell,
                name,
                f"{len(value):,} characters; the limit is {MAX_CELL:,}",
                "shorten the text",
            )
        ]
    if name in REQUIRED and not value:
        return [_problem(display, cell, name, f"{name} is empty", f"fill in the {name}")]
    if name == "id" and not (_SLUG.fullmatch(value) and len(value) <= MAX_ID):
        return [
            _problem(
                display,
                cell,
                name,
                f"id {value!r} is not a slug",
                "use lower-case letters, digits and single hyphens, e.g. "
                "riverside-clinic (it becomes part of file names)",
            )
        ]
    if name == "email" and not _EMAIL.fullmatch(value):
        return [
            _problem(
                display,
                cell,
                name,
                f"{value!r} is not a valid email address",
                "write it as name@example.org",
            )
        ]
    if name == "website" and value and (why := web_url_problem(value)):
        hint = (
            "use a shorter address for the site (or a short link to it)"
            if value.lower().startswith(("http://", "https://"))
            else "write the full address, starting with https://"
        )
        return [_problem(display, cell, name, why, hint)]
    return []


def _forbidden(cell: Cell, column: str, display: str) -> list[Problem]:
    # The same rule as YAML content (yamlload.check_text), run on the cell as written so
    # each character is located at its physical line and column.
    return [
        dataclasses.replace(p, field=column)
        for p in check_text(cell.raw, display, cell.line, cell.col)
    ]


def _row_problems(
    record: list[Cell], columns: dict[str, int], header: list[Cell], display: str
) -> tuple[list[Problem], set[str]]:
    """The row's problems, and the names of the columns that have one."""
    problems, bad = [], set()
    for index, cell in enumerate(record):
        column = (
            header[index].text.strip() if index < len(header) else ""
        ) or f"column {index + 1}"
        found = _forbidden(cell, column, display)
        if found:
            problems += found
            bad.add(column)
    if len(record) > len(header) and any(c.text.strip() for c in record[len(header) :]):
        extra = next(c for c in record[len(header) :] if c.text.strip())
        problems.append(
            _problem(
                display,
                extra,
                f"column {record.index(extra) + 1}",
                f"this row has {len(record)} cells; the header names {len(header)} columns",
                "quote cells that contain commas, or add a column name",
            )
        )
        return problems, set(KNOWN)  # the cells are shifted: checking them would mislead
    for name in KNOWN:
        if name not in columns or name in bad:  # a forbidden character is reported alone
            continue
        index = columns[name]
        cell = (
            record[index] if index < len(record) else Cell("", record[-1].line, record[-1].col, "")
        )
        found = _check_cell(name, cell.text.strip(), cell, display)
        if found:
            problems += found
            bad.add(name)
    return problems, bad


def _site(record: list[Cell], columns: dict[str, int]) -> Site:
    def value(name: str) -> str:
        index = columns.get(name)
        return record[index].text.strip() if index is not None and index < len(record) else ""

    extra = {name: value(name) for name in columns if name not in KNOWN}
    return Site(
        id=value("id"),
        name=value("name"),
        phone=value("phone"),
        email=value("email"),
        address=value("address") or None,
        website=value("website") or None,
        extra=extra,
        line=record[0].line,
        cells={
            name: (record[i].line, record[i].col)
            for name, i in columns.items()
            if name in KNOWN and i < len(record)
        },
    )


def parse_sites(raw: bytes, display: str) -> SiteList:
    """Validate the bytes of a sites file (see :func:`load_sites`)."""
    text = _decode(raw, display)
    records = split_cells(text, display)
    records = [r for r in records if any(c.text.strip() for c in r)]  # blank rows
    if not records:
        raise ContentError(
            [
                Problem(
                    Location(display, 1, 1),
                    "",
                    "the sites file is empty",
                    f"add a header row ({', '.join(REQUIRED)}) and one row per site",
                )
            ]
        )
    header, rows = records[0], records[1:]
    problems = [p for cell in header for p in _forbidden(cell, "header", display)]
    columns, header_problems = _check_header(header, display)
    problems += header_problems
    if len(rows) > MAX_ROWS:
        problems.append(
            _problem(
                display,
                rows[MAX_ROWS][0],
                "",
                f"more than {MAX_ROWS:,} sites; this is row {MAX_ROWS + 1:,}",
                "split the sites into several files, each with its own plan row or build",
            )
        )
        rows = rows[:MAX_ROWS]
    sites: list[Site] = []
    first_line: dict[str, int] = {}
    for record in rows:
        row_problems, bad = _row_problems(record, columns, header, display)
        problems += row_problems
        if "id" not in columns or "id" in bad:
            continue
        site = _site(record, columns)
        cell = record[columns["id"]]
        if site.id in first_line:
            problems.append(
                _problem(
                    display,
                    cell,
                    "id",
                    f"duplicate id {site.id!r}: lines {first_line[site.id]} "
                    f"and {cell.line} both use it",
                    "give each site its own id",
                )
            )
            continue
        first_line[site.id] = cell.line
        if not row_problems:
            sites.append(site)
    if problems:
        raise ContentError(
            sorted(problems, key=lambda p: (p.location.line or 0, p.location.col or 0))
        )
    return SiteList(display, tuple(sites), hashlib.sha256(raw).hexdigest())
