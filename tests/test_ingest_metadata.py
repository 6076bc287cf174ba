"""Metadata beside images: figure-bot YAML sidecars and CSV/TSV manifests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PIL import Image

from pfocr.errors import IngestError
from pfocr.ingest import discover, figure_fields, read_manifest, read_sidecar
from pfocr.models import Figure, IngestFailure

# The PFOCR figure-bot layout (keys as in pfocr-pmcfigurebot figures/*.yml).
BOT_SIDECAR = """\
figid: PMC3531707__fpls-03-00293-g0003
pmcid: PMC3531707
image_filename: PMC3531707__fpls-03-00293-g0003.jpg
figure_link: https://www.ncbi.nlm.nih.gov/pmc/articles/PMC3531707/figure/F3/
number: Figure 3
figure_title: PERK signaling under virus attack
caption: PERK signaling under virus attack. Upon ER stress, PERK oligomerizes.
article_title: Virus-induced ER stress and the unfolded protein response.
citation: Lingrui Zhang, et al. Front Plant Sci. 2012;3:293.
year: 2012
pub_date: 2012-12-27
doi: 10.3389/fpls.2012.00293
journal_title: Frontiers in plant science
journal_nlm_ta: Front Plant Sci
publisher_name: Frontiers Media SA
keywords:
  - ER stress
  - unfolded protein response
"""

# A PFOCR site record: front matter with record field names and nested extras.
RECORD_SIDECAR = """\
---
figid: PMC4168338__10-1055-s-0031-1298276-i430gf01
figlink: /pmc/articles/PMC4168338/figure/FI430-1/
number: F1
figtitle: Control of osteoclast differentiation
pmcid: PMC4168338
reftext: J. T. Ney, et al. Geburtshilfe Frauenheilkd. 2012 May;72(5):385-391.
year: '2012'
genes:
- word: RANKL
  hgnc_symbol: TNFSF11
schema-jsonld:
  '@type': Dataset
---
"""


def write_png(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (4, 4), (0, 0, 0)).save(path)
    return path


def figures(items: list[Figure | IngestFailure]) -> list[Figure]:
    return [item for item in items if isinstance(item, Figure)]


def failures(items: list[Figure | IngestFailure]) -> list[IngestFailure]:
    return [item for item in items if isinstance(item, IngestFailure)]


# ------------------------------------------------------------------ field mapping


def test_figure_fields_maps_bot_names_to_figure_fields() -> None:
    fields = figure_fields(
        {
            "figure_link": "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC1/figure/F2/",
            "figure_title": "Title",
            "article_title": "Paper",
            "citation": "A. B, et al. J. 2020;1:2.",
            "image_filename": "x.jpg",
            "year": 2020,
            "pmcid": "1",
            "keywords": ["a", "b"],
            "unrelated": "dropped",
            "nested": {"a": 1},
        }
    )
    assert fields == {
        "figlink": "/pmc/articles/PMC1/figure/F2/",
        "figtitle": "Title",
        "papertitle": "Paper",
        "reftext": "A. B, et al. J. 2020;1:2.",
        "filename": "x.jpg",
        "year": "2020",
        "pmcid": "PMC1",
        "keywords": "a | b",
    }


def test_explicit_field_name_wins_over_alias() -> None:
    fields = figure_fields({"figure_title": "from alias", "figtitle": "explicit"})
    assert fields["figtitle"] == "explicit"


def test_new_pmc_domain_links_become_relative() -> None:
    fields = figure_fields({"figure_link": "https://pmc.ncbi.nlm.nih.gov/articles/PMC9/figure/F1/"})
    assert fields["figlink"] == "/pmc/articles/PMC9/figure/F1/"


def test_year_falls_back_to_publication_date() -> None:
    assert figure_fields({"pub_date": "2019 Mar 4"})["year"] == "2019"
    assert figure_fields({"pub_date": dt.date(2012, 12, 27)})["year"] == "2012"


def test_spreadsheet_headers_are_normalised() -> None:
    fields = figure_fields({"Figure Title": "T", "Journal-Title": "J", " DOI ": "10.1/x"})
    assert fields == {"figtitle": "T", "journal_title": "J", "doi": "10.1/x"}


# ---------------------------------------------------------------------- sidecars


def test_read_bot_sidecar(tmp_path: Path) -> None:
    path = tmp_path / "fig.yml"
    path.write_text(BOT_SIDECAR, "utf-8")
    fields = read_sidecar(path)
    assert fields["figid"] == "PMC3531707__fpls-03-00293-g0003"
    assert fields["filename"] == "PMC3531707__fpls-03-00293-g0003.jpg"
    assert fields["figlink"] == "/pmc/articles/PMC3531707/figure/F3/"
    assert fields["figtitle"] == "PERK signaling under virus attack"
    assert fields["papertitle"] == "Virus-induced ER stress and the unfolded protein response."
    assert fields["reftext"] == "Lingrui Zhang, et al. Front Plant Sci. 2012;3:293."
    assert fields["year"] == "2012"
    assert fields["keywords"] == "ER stress | unfolded protein response"
    assert fields["journal_nlm_ta"] == "Front Plant Sci"


def test_read_record_sidecar_with_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "fig.yml"
    path.write_text(RECORD_SIDECAR, "utf-8")
    fields = read_sidecar(path)
    assert fields["figlink"] == "/pmc/articles/PMC4168338/figure/FI430-1/"
    assert fields["reftext"].startswith("J. T. Ney, et al.")
    assert "genes" not in fields and "schema_jsonld" not in fields


def test_invalid_yaml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.yml"
    path.write_text("figid: [unclosed\n", "utf-8")
    with pytest.raises(IngestError, match=r"bad\.yml: not valid YAML"):
        read_sidecar(path)


def test_non_mapping_yaml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- a\n- b\n", "utf-8")
    with pytest.raises(IngestError, match=r"list\.yaml: metadata must be a YAML mapping"):
        read_sidecar(path)


def test_discover_applies_sidecar_and_its_figid(tmp_path: Path) -> None:
    image = write_png(tmp_path / "local name.png")
    (tmp_path / "local name.yml").write_text(BOT_SIDECAR, "utf-8")
    [figure] = list(discover([tmp_path]))
    assert isinstance(figure, Figure)
    assert figure.figid == "PMC3531707__fpls-03-00293-g0003"
    assert figure.image_path == str(image)
    assert figure.pmcid == "PMC3531707"
    assert figure.number == "Figure 3"
    assert figure.caption.startswith("PERK signaling under virus attack. Upon ER stress")
    assert figure.doi == "10.3389/fpls.2012.00293"


def test_discover_finds_sidecars_in_a_metadata_folder_beside_the_images(tmp_path: Path) -> None:
    write_png(tmp_path / "figures" / "PMC1__g1.jpg")
    (tmp_path / "metadata").mkdir()
    (tmp_path / "metadata" / "PMC1__g1.yaml").write_text("figure_title: Beside\n", "utf-8")
    [figure] = list(discover([tmp_path / "figures"]))
    assert isinstance(figure, Figure)
    assert figure.figtitle == "Beside"
    assert figure.pmcid == "PMC1"


def test_broken_sidecar_skips_only_its_figure(tmp_path: Path) -> None:
    write_png(tmp_path / "a.png")
    write_png(tmp_path / "b.png")
    (tmp_path / "a.yml").write_text("caption: 'unterminated\n", "utf-8")
    items = list(discover([tmp_path]))
    [failure] = failures(items)
    assert failure.figid == "a"
    assert "a.yml" in failure.message
    assert [f.figid for f in figures(items)] == ["b"]


# --------------------------------------------------------------------- manifests


def test_csv_manifest_by_filename(tmp_path: Path) -> None:
    write_png(tmp_path / "fig1.png")
    write_png(tmp_path / "fig2.png")
    (tmp_path / "manifest.csv").write_text(
        "filename,pmcid,Figure Title,article_title,year\n"
        'fig1.png,PMC42,"Insulin signalling, simplified",A paper,2021\n'
        "fig2.png,PMC43,Second,Another,2020\n",
        "utf-8",
    )
    items = list(discover([tmp_path]))
    assert failures(items) == []
    first, second = figures(items)
    assert (first.figid, first.pmcid, first.figtitle) == (
        "fig1",
        "PMC42",
        "Insulin signalling, simplified",
    )
    assert (second.papertitle, second.year, second.filename) == ("Another", "2020", "fig2.png")


def test_tsv_manifest_by_figid_reports_rows_without_images(tmp_path: Path) -> None:
    write_png(tmp_path / "PMC7__a.png")
    (tmp_path / "metadata.tsv").write_text(
        "figid\tcaption\tcitation\nPMC7__a\tCaption A\tX Y. J. 2001.\nPMC7__missing\tB\tZ.\n",
        "utf-8",
    )
    items = list(discover([tmp_path]))
    [figure] = figures(items)
    assert (figure.caption, figure.reftext) == ("Caption A", "X Y. J. 2001.")
    [failure] = failures(items)
    assert "line 3" in failure.message and "PMC7__missing" in failure.message


def test_manifest_image_filename_column_with_figid_override(tmp_path: Path) -> None:
    write_png(tmp_path / "scan 01.png")
    (tmp_path / "manifest.csv").write_text(
        "image_filename,figid,number\nscan 01.png,PMC5__F1,Figure 1\n", "utf-8"
    )
    [figure] = list(discover([tmp_path]))
    assert isinstance(figure, Figure)
    assert (figure.figid, figure.pmcid, figure.number) == ("PMC5__F1", "PMC5", "Figure 1")
    assert figure.filename == "scan 01.png"


def test_manifest_covers_subfolders_and_sidecar_wins(tmp_path: Path) -> None:
    write_png(tmp_path / "batch" / "f.png")
    (tmp_path / "batch" / "f.yml").write_text("figure_title: From sidecar\n", "utf-8")
    (tmp_path / "manifest.csv").write_text(
        "filename,figtitle,year\nbatch/f.png,From manifest,1999\n", "utf-8"
    )
    [figure] = list(discover([tmp_path]))
    assert isinstance(figure, Figure)
    assert (figure.figtitle, figure.year) == ("From sidecar", "1999")


def test_manifest_without_key_column_holds_its_images_back(tmp_path: Path) -> None:
    write_png(tmp_path / "f.png")
    (tmp_path / "manifest.csv").write_text("title,year\nx,2000\n", "utf-8")
    items = list(discover([tmp_path]))
    assert figures(items) == []
    manifest_failure, image_failure = failures(items)
    assert "manifest.csv: no column to match images" in manifest_failure.message
    assert image_failure.figid == "f" and "manifest" in image_failure.message


def test_second_manifest_is_reported_and_ignored(tmp_path: Path) -> None:
    write_png(tmp_path / "f.png")
    (tmp_path / "manifest.csv").write_text("filename,year\nf.png,2001\n", "utf-8")
    (tmp_path / "metadata.tsv").write_text("filename\tyear\nf.png\t1990\n", "utf-8")
    items = list(discover([tmp_path]))
    [failure] = failures(items)
    assert failure.source.endswith("metadata.tsv")
    assert figures(items)[0].year == "2001"


def test_duplicate_manifest_rows_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "manifest.csv"
    path.write_text("filename,year\nf.png,2001\nf.png,2002\n", "utf-8")
    manifest = read_manifest(path)
    assert manifest.match("f.png", "f.png", "f") == (0, {"filename": "f.png", "year": "2001"})
    assert len(manifest.problems) == 1 and "line 3" in manifest.problems[0]


def test_manifest_in_latin1_is_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "manifest.csv"
    path.write_bytes("filename,caption\nf.png,caf\xe9\n".encode("latin-1"))
    with pytest.raises(IngestError, match="not UTF-8 text"):
        read_manifest(path)
