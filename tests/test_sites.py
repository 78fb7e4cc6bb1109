"""Sites: the CSV loader (located errors), plan rows with `sites:`, --sites, the manifest's
"site", and personalised handouts whose QR code scans to the clinic's website."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, page_texts, tool
from medbrief.cli import main
from medbrief.errors import ContentError
from medbrief.jobs import plan_jobs
from medbrief.loader import load_project
from medbrief.sites import MAX_ROWS, parse_sites

HEADER = "id,name,phone,email,address,website\n"

SITES_ROW = """
  - name: handout
    title: Patient handout for each clinic
    template: handout.html.j2
    audience: patient
    format: pdf
    per: topic
    sites: {sites}
    papers: [a4]
    variants: [clear]
    output: {output}
    max_pages: 2
"""


def problems(raw: str | bytes, display: str = "content/sites.csv") -> list[str]:
    """Every problem of a sites file, as the CLI prints them (first line of each)."""
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    with pytest.raises(ContentError) as e:
        parse_sites(data, display)
    return [str(p).splitlines()[0] for p in e.value.problems()]


def hints(raw: str | bytes) -> list[str]:
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    with pytest.raises(ContentError) as e:
        parse_sites(data, "s.csv")
    return [p.hint for p in e.value.problems()]


# --- reading good files ----------------------------------------------------------------------


def test_excel_export_with_bom_crlf_quotes_and_multiline_cells():
    raw = (
        "\ufeffid,name,phone,email,address,website,opening hours\r\n"
        'north,"Clinic North, ""the new one""",+44 1632 960001,a@north.example,'
        '"1 High St\r\nNorthtown",https://north.example/ms,=SUM(A1)\r\n'
        "south,Clínica Sur,-0,s@south.example,,,@mention\r\n"
    ).encode("utf-8")
    sites = parse_sites(raw, "content/sites.csv")
    north, south = sites.sites
    assert north.id == "north" and north.name == 'Clinic North, "the new one"'
    assert north.phone == "+44 1632 960001"  # formula-like cells are kept as written
    assert north.address == "1 High St\nNorthtown"
    assert north.website == "https://north.example/ms"
    assert north.extra == {"opening hours": "=SUM(A1)"}
    assert (north.line, south.line) == (2, 4)  # physical lines: the address spans two
    assert south.name == "Clínica Sur" and south.phone == "-0"
    assert south.address is None and south.website is None
    assert south.extra == {"opening hours": "@mention"}


def test_blank_rows_and_trailing_empty_cells_are_ignored():
    raw = HEADER + "a,A,1,a@x.example,,\n,,,,,\n\nb,B,2,b@x.example,,,,\n"
    assert [s.id for s in parse_sites(raw.encode(), "s.csv")] == ["a", "b"]


@pytest.mark.parametrize(
    "extra", ["opening_hours", "notes", "region", "fax", "mobile", "uid", "phone2"]
)
def test_extra_columns_that_are_not_typos_reach_templates(extra):
    raw = f"id,name,phone,email,{extra}\na,A,1,a@x.example,v\n"
    # `phone2` next to a real `phone` column is a second number, not a typo of it
    assert parse_sites(raw.encode(), "s.csv").sites[0].extra == {extra: "v"}


# --- refusals, each located -------------------------------------------------------------------


def test_every_problem_of_a_broken_file_is_reported_together_with_physical_lines():
    raw = (
        "id,name,phone,email,website,notes\n"  # 1
        'ok-1,"Multi\nline, name",1,a@x.example,https://a.example,\n'  # 2-3
        "ok-1,Second,2,b@x.example,,\n"  # 4 duplicate id
        "Bad_Id,Third,3,c@x.example,,\n"  # 5 not a slug
        "empty-name,,4,d@x.example,,\n"  # 6 empty name
        "bad-mail,Fifth,5,not-an-email,,\n"  # 7
        "ftp-site,Sixth,6,f@x.example,ftp://files.example,\n"  # 8
        "bare-site,Seventh,7,g@x.example,www.site.example,\n"  # 9
        "bidi,Eve\u202eil,8,h@x.example,,\n"  # 10
        "ctrl,Nul\x07l,9,i@x.example,,\n"  # 11
    )
    assert problems(raw) == [
        "content/sites.csv:4:1: id: duplicate id 'ok-1': lines 2 and 4 both use it",
        "content/sites.csv:5:1: id: id 'Bad_Id' is not a slug",
        "content/sites.csv:6:12: name: name is empty",
        "content/sites.csv:7:18: email: 'not-an-email' is not a valid email address",
        "content/sites.csv:8:30: website: 'ftp://files.example' is not a web address: it must "
        "start with https:// or http://",
        "content/sites.csv:9:33: website: 'www.site.example' is not a web address: it must "
        "start with https:// or http://",
        "content/sites.csv:10:9: name: forbidden character U+202E (right-to-left override)",
        "content/sites.csv:11:9: name: forbidden character U+0007",
    ]
    assert hints(raw)[-4] == "write the full address, starting with https://"


def test_header_problems_missing_typo_and_duplicate_columns():
    raw = "id,nmae,Phone number,emial,notes,id\na,b,c,d,e,f\n"
    assert problems(raw) == [
        "content/sites.csv:1:1: phone: required column 'phone' is missing",
        "content/sites.csv:1:4: nmae: unknown column 'nmae': did you mean 'name'?",
        "content/sites.csv:1:22: emial: unknown column 'emial': did you mean 'email'?",
        "content/sites.csv:1:34: id: two columns are named 'id' (the first at column 1)",
    ]
    assert "rename the column 'Phone number' to 'phone'" in hints(raw)


def test_email_and_website_typo_columns_are_named():
    raw = "id,name,phone,E-mail,Webiste\na,A,1,a@x.example,https://a.example\n"
    assert problems(raw) == [
        "content/sites.csv:1:15: E-mail: unknown column 'E-mail': did you mean 'email'?",
        "content/sites.csv:1:22: Webiste: unknown column 'Webiste': did you mean 'website'?",
    ]


def test_not_utf8_says_save_as_csv_utf8():
    raw = (HEADER + "a,Clínica,1,a@x.example,,\n").encode("cp1252")
    assert problems(raw) == ["content/sites.csv:2:5: byte 0xed is not valid UTF-8"]
    assert "CSV UTF-8" in hints(raw)[0]
    utf16 = (HEADER + "a,A,1,a@x.example,,\n").encode("utf-16")
    assert "UTF-16" in problems(utf16)[0] and "CSV UTF-8" in hints(utf16)[0]


def test_semicolon_separated_export_is_explained():
    raw = "id;name;phone;email\na;A;1;a@x.example\n"
    assert problems(raw) == [
        "content/sites.csv:1:1: header: the columns are separated by semicolons, not commas"
    ]
    assert "CSV UTF-8" in hints(raw)[0]


def test_an_unclosed_quote_is_located_at_its_opening():
    raw = HEADER + 'a,"Clinic A,1,a@x.example,,\nb,B,2,b@x.example,,\n'
    assert problems(raw) == ["content/sites.csv:2:3: a quoted cell is never closed"]


def test_too_many_cells_in_a_row():
    raw = "id,name,phone,email\na,Smith, Jones,1,a@x.example\n"
    assert problems(raw) == [
        "content/sites.csv:2:18: column 5: this row has 5 cells; the header names 4 columns"
    ]


def test_more_than_10000_rows_is_refused_at_the_first_row_too_many():
    rows = "".join(f"s{i},Site {i},1,s{i}@x.example,,\n" for i in range(MAX_ROWS + 1))
    assert problems(HEADER + rows) == [
        f"content/sites.csv:{MAX_ROWS + 2}:1: more than 10,000 sites; this is row 10,001"
    ]
    assert len(parse_sites((HEADER + rows[: rows.rindex("s10000,")]).encode(), "s.csv")) == MAX_ROWS


def test_website_too_long_for_a_scannable_qr_code():
    url = "https://x.example/" + "a" * 200
    found = problems(HEADER + f"a,A,1,a@x.example,,{url}\n")
    assert found == [
        "content/sites.csv:2:20: website: the address is 218 characters; the "
        "limit is 150, so that its QR code still scans from paper"
    ]


def test_empty_file():
    assert problems("") == ["content/sites.csv:1:1: the sites file is empty"]


# --- the plan ---------------------------------------------------------------------------------


def add_sites_row(
    project, sites: str = "sites.csv", output: str = "sites/{site}/{topic}-{variant}-{paper}.pdf"
) -> None:
    plan = project.read("content/documents.yaml")
    project.write("content/documents.yaml", plan + SITES_ROW.format(sites=sites, output=output))


def test_plan_row_makes_one_document_per_site_and_topic(mini_project):
    mini_project.write("content/sites.csv", HEADER + "a,A,1,a@x.example,,\nb,B,2,b@x.example,,\n")
    add_sites_row(mini_project)
    project = load_project(mini_project.root)
    jobs = [j for j in plan_jobs(project) if j.site]
    assert [j.output for j in jobs] == [
        "sites/a/alpha-topic-clear-a4.pdf",
        "sites/a/beta-topic-clear-a4.pdf",
        "sites/b/alpha-topic-clear-a4.pdf",
        "sites/b/beta-topic-clear-a4.pdf",
    ]


def test_output_must_use_site(mini_project):
    mini_project.write("content/sites.csv", HEADER + "a,A,1,a@x.example,,\n")
    add_sites_row(mini_project, output="sites/{topic}-{variant}-{paper}.pdf")
    with pytest.raises(ContentError) as e:
        load_project(mini_project.root)
    (problem,) = e.value.problems()
    plan = mini_project.read("content/documents.yaml")
    line = plan[: plan.rindex("  - name: handout")].count("\n") + 1
    assert (problem.location.path, problem.location.line) == ("content/documents.yaml", line)
    assert "must contain {site}" in problem.message


def test_site_placeholder_without_a_sites_file(mini_project):
    mini_project.edit(
        "content/documents.yaml",
        "output: handouts/{topic}-{variant}",
        "output: handouts/{site}-{topic}-{variant}",
    )
    with pytest.raises(ContentError) as e:
        load_project(mini_project.root)
    assert "uses {site} but the row has no `sites:` file" in str(e.value)


def test_sites_file_outside_content_is_refused_at_the_plan_line(mini_project, tmp_path):
    (tmp_path / "elsewhere.csv").write_text(HEADER + "a,A,1,a@x.example,,\n")
    add_sites_row(mini_project, sites="../../elsewhere.csv")
    with pytest.raises(ContentError) as e:
        load_project(mini_project.root)
    (problem,) = e.value.problems()
    assert problem.location.path == "content/documents.yaml"
    assert problem.field.endswith(".sites") and "outside" in problem.message


def test_sites_errors_come_with_every_other_content_error(mini_project):
    mini_project.write("content/sites.csv", HEADER + "A!,A,1,bad,,\n")
    add_sites_row(mini_project)
    mini_project.edit("content/topics/alpha-topic.yaml", "status: investigational", "status: maybe")
    with pytest.raises(ContentError) as e:
        load_project(mini_project.root)
    where = sorted(p.location.path for p in e.value.problems())
    assert where == ["content/sites.csv", "content/sites.csv", "content/topics/alpha-topic.yaml"]


def test_cli_refuses_a_broken_sites_file_with_exit_2_and_builds_nothing(
    mini_project, tmp_path, capsys
):
    add_sites_row(mini_project)
    mini_project.write("content/sites.csv", HEADER + "a,A,,a@x.example,,\na,B,2,b@x,,\n")
    out = tmp_path / "out"
    code = main(["--project", str(mini_project.root), "--no-check", "-q", "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert "content/sites.csv:2:5: phone: phone is empty" in err
    assert "content/sites.csv:3:1: id: duplicate id 'a': lines 2 and 3 both use it" in err
    assert "content/sites.csv:3:7: email: 'b@x' is not a valid email address" in err
    assert "3 problems found; nothing was built." in err
    assert not list(out.rglob("*.pdf"))


def test_cli_sites_option_without_a_sites_row(mini_project, tmp_path, capsys):
    sites = tmp_path / "other.csv"
    sites.write_text(HEADER + "a,A,1,a@x.example,,\n")
    code = main(
        [
            "--project",
            str(mini_project.root),
            "--no-check",
            "-q",
            "--sites",
            str(sites),
            "-o",
            str(tmp_path / "out"),
        ]
    )
    assert code == 2
    assert "--sites was given but no plan row has `sites:`" in capsys.readouterr().err


def test_cli_sites_option_file_errors_name_that_file(mini_project, tmp_path, capsys):
    add_sites_row(mini_project)
    sites = tmp_path / "other.csv"
    sites.write_text(HEADER + "a,A,1,a@x.example,,notaurl\n")
    code = main(
        [
            "--project",
            str(mini_project.root),
            "--no-check",
            "-q",
            "--sites",
            str(sites),
            "-o",
            str(tmp_path / "out"),
        ]
    )
    assert code == 2
    assert f"{sites}:2:20: website: 'notaurl' is not a web address" in capsys.readouterr().err


# --- personalised handouts --------------------------------------------------------------------

FIRST = [
    "Zoë",
    "Łukasz",
    "Ngozi",
    "Søren",
    "María José",
    "Dafydd",
    "Aoife",
    "Renée",
    "Björk",
    "Tomasz",
]
PLACES = [
    "Ærøskøbing",
    "São João",
    "Llanfair",
    "Kraków",
    "Zürich",
    "Dún Laoghaire",
    "Göteborg",
    "Île-de-Ré",
]


def forty_sites() -> list[dict[str, str]]:
    """40 clinics with accented names, commas, quotes and formula-like cells."""
    rows = []
    for i in range(40):
        place = PLACES[i % len(PLACES)]
        name = [
            f"{place} Neurology, {FIRST[i % len(FIRST)]}'s team",
            f'The "{place}" MS Clinic',
            f'=HYPERLINK("https://evil.example","{place}")',
            f"@{place} Care",
            f"-{place} & Partners",
            f"+{place} Clinic",
        ][i % 6]
        rows.append(
            {
                "id": f"clinic-{i:02d}",
                "name": name,
                "phone": [
                    f"+44 1632 960 {i:03d}",
                    f"=1632960{i:03d}",
                    f"-0 {i}",
                    f"@01632 960 {i:03d}",
                ][i % 4],
                "email": f"team{i}@clinic-{i:02d}.example",
                "address": f"{i} Rue de l'Église,\n{place}",
                "website": "" if i % 10 == 9 else f"https://clinic-{i:02d}.example/ms?ref=leaflet",
                "notes": "=1+1" if i % 2 else "",
            }
        )
    return rows


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))  # Excel's BOM


def decode_qr_codes(
    pdf: Path, tmp_path: Path, dpi: int = 150, pages: tuple[int, int] | None = None
) -> list[str]:
    """Every QR code on the PDF's pages (or pages first..last), as a phone would read a
    print: render with pdftoppm at ``dpi``, decode with zxing-cpp."""
    import zxingcpp
    from PIL import Image

    prefix = tmp_path / pdf.stem
    only = ["-f", str(pages[0]), "-l", str(pages[1])] if pages else []
    subprocess.run(
        [tool("pdftoppm"), "-png", "-gray", "-r", str(dpi), *only, str(pdf), str(prefix)],
        check=True,
    )
    found = []
    for png in sorted(tmp_path.glob(f"{pdf.stem}-*.png")):
        with Image.open(png) as image:
            found += [
                r.text
                for r in zxingcpp.read_barcodes(image)
                if r.format == zxingcpp.BarcodeFormat.QRCode
            ]
        png.unlink()
    return found


def test_forty_clinics_each_get_their_documents_printed_as_written_with_a_scannable_qr(
    mini_project, tmp_path, capsys
):
    theme = mini_project.read("content/theme.yaml")
    topic_url = re.search(r'topic_url: "(.*)"', theme).group(1)
    add_sites_row(mini_project, sites="clinics.csv")
    rows = forty_sites()
    sites_file = tmp_path / "forty.csv"
    write_csv(sites_file, rows)
    out = tmp_path / "out"
    code = main(
        [
            "--project",
            str(mini_project.root),
            "--no-check",
            "-q",
            "-o",
            str(out),
            "--sites",
            str(sites_file),
            "-t",
            "alpha-topic",
            "-d",
            "handout",
        ]
    )
    assert code == 0, capsys.readouterr().err
    manifest = {
        row["path"]: row for row in json.loads((out / "manifest.json").read_text())["files"]
    }
    for row in rows:
        path = f"sites/{row['id']}/alpha-topic-clear-a4.pdf"
        assert manifest[path]["site"] == row["id"]
        texts = [" ".join(page.split()) for page in page_texts(out / path, layout=False)]
        text = " ".join(texts)
        for key in ("name", "phone", "email"):
            assert row[key] in text, f"{path}: {key} {row[key]!r} not printed as written"
        expected = row["website"] or topic_url.replace("{topic}", "alpha-topic")
        # the address is printed under the code; decode the page it is on
        page = next(i for i, t in enumerate(texts, 1) if expected in t.replace(" ", ""))
        assert decode_qr_codes(out / path, tmp_path, pages=(page, page)) == [expected], path
    defaults = [p for p, row in manifest.items() if p.startswith("handouts/")]
    assert defaults and all(manifest[p]["site"] is None for p in defaults)


def test_default_handouts_carry_the_organisations_qr_code(mini_project, tmp_path):
    out = tmp_path / "out"
    assert (
        main(
            [
                "--project",
                str(mini_project.root),
                "--no-check",
                "-q",
                "-o",
                str(out),
                "-t",
                "beta-topic",
                "-d",
                "handout",
            ]
        )
        == 0
    )
    pdf = out / "handouts/beta-topic-clear-print-letter.pdf"
    assert decode_qr_codes(pdf, tmp_path) == ["https://northbridge.example/ms/beta-topic"]


def test_the_sample_sites_file_is_loaded_by_the_real_plan():
    project = load_project(REPO)
    jobs = [j for j in plan_jobs(project) if j.site]
    assert {j.site.id for j in jobs} == {"riverside", "hillview", "st-annes"}
    assert all(j.output.startswith(f"sites/{j.site.id}/") for j in jobs)
    assert all(j.site.email.endswith(".example") for j in jobs)  # fictional: see README
