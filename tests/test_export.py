"""export_all end to end: write every format into a folder, parse it back, check exact content."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from pfocr.errors import ExportError
from pfocr.export import (
    FIGURE_GENE_COLUMNS,
    GENE_COLUMNS,
    ExportSummary,
    GmtFormatError,
    export_all,
    read_gmt,
)
from pfocr.export._common import figure_file_stem
from pfocr.export.tables import AMBIGUOUS_COLUMNS
from pfocr.models import AmbiguousMention, Figure, FigureRecord, Mention

EXAMPLE_RECORD = Path(__file__).parent / "fixtures" / "example-figure-record.md"
DATE = "20240910"
SITE = "https://pfocr.example.org"

HOSTILE_CAPTION = (
    "Step 1: ---\n---\nfigid: injected\n\"double\" and 'single' quotes <script>alert(1)</script>"
    "\t# not a comment\r\n... end: [x] {y} & *anchor"
)
HOSTILE_TITLE = 'IL-6 "pathway": 50% of\tcases\n--- it\'s <b>bold</b>'


def mention(
    word: str,
    hgnc: str,
    entrez: str,
    source: str = "hgnc_symbol",
    symbol: str | None = None,
    **extra: Any,
) -> Mention:
    return Mention(
        word=word,
        symbol=word if symbol is None else symbol,
        source=source,
        hgnc_symbol=hgnc,
        entrez=entrez,
        **extra,
    )


def figure(figid: str, **fields: str) -> Figure:
    return Figure(figid=figid, image_path=None, source="test", **fields)


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Front matter (parsed) and body of a Jekyll page, the way Jekyll splits them."""
    assert text.startswith("---\n"), text[:40]
    end = text.index("\n---\n", 3)
    return yaml.safe_load(text[4 : end + 1]), text[end + 5 :]


def read_tsv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def example_record() -> FigureRecord:
    """The record of tests/fixtures/example-figure-record.md, as the store would hold it."""
    data, _ = split_front_matter(EXAMPLE_RECORD.read_text(encoding="utf-8"))
    return FigureRecord(
        figure=figure(
            data["figid"],
            pmcid=data["pmcid"],
            filename=data["filename"],
            figlink="https://www.ncbi.nlm.nih.gov" + data["figlink"],
            number="Figure 1",
            figtitle=data["figtitle"],
            caption=data["caption"],
            papertitle=data["papertitle"],
            reftext=data["reftext"],
            year=data["year"],
        ),
        mentions=tuple(
            mention(g["word"], g["hgnc_symbol"], g["entrez"], g["source"], g["symbol"])
            for g in data["genes"]
        ),
        pathway_score=data["pathway_score"],
    )


FAMILY_FIGURE = FigureRecord(
    figure=figure(
        "PMC1000001__fig2.jpg",
        pmcid="PMC1000001",
        filename="PMC1000001__fig2.jpg",
        figlink="/pmc/articles/PMC1000001/figure/F2/",
        number="Fig. 2B",
        figtitle="PI3K/AKT signalling",
        caption="PI3K activates AKT.",
        year="2020",
    ),
    mentions=(
        mention(
            "AKT1",
            "AKT1",
            "207",
            x0=10.5,
            y0=20.49,
            x1=40.5,
            y1=30.51,
            confidence=0.98765,
            transforms=("upper",),
        ),
        mention("PKB", "AKT1", "207", source="hgnc_alias_symbol"),
        mention("PI3K", "PIK3CA", "5290", source="famplex", family="PI3K"),
        mention("PI3K", "PIK3CB", "5291", source="famplex", family="PI3K"),
        mention("Akt1", "AKT1", "207", transforms=("upper",)),
        mention("AKT1", "AKT1", "207"),
    ),
    pathway_score=None,
    organisms=("Homo sapiens", "Mus musculus"),
    ambiguous=(
        AmbiguousMention(
            "p40",
            "p40",
            "hgnc_alias_symbol",
            ("BRMS1L", "TP63"),
            ("84312", "8626"),
            5.4,
            6.5,
            30.0,
            14.0,
            0.42,
            ("upper",),
        ),
    ),
)

NO_GENES_FIGURE = FigureRecord(
    figure=figure("PMC1000002__nogenes", pmcid="PMC1000002", number="Scheme 1"),
    mentions=(),
    pathway_score=0.25,
)

HOSTILE_FIGURE = FigureRecord(
    figure=figure(
        "PMC1000003__hostile",
        pmcid="PMC1000003",
        filename="hostile figure.jpg",
        number="Supplementary Figure 2",
        figtitle=HOSTILE_TITLE,
        caption=HOSTILE_CAPTION,
        papertitle="Title: with colon",
        reftext="- starts like a list",
        year="2019",
    ),
    mentions=(
        mention('IL"6\tx', "IL6", "3569", source="hgnc_alias_symbol", symbol="IL6"),
        mention("TNF\nα", "TNF", "7124", symbol="TNF"),
        mention("IL1B", "IL1B", "3553"),
    ),
    pathway_score=0.5,
)

SLASH_FIGURE = FigureRecord(
    figure=figure("../PMC1000004/fig 1/../../escape", pmcid="PMC1000004", number="Figure 1"),
    mentions=(
        mention("EGFR", "EGFR", "1956"),
        mention("ERBB2", "ERBB2", "2064"),
        mention("KRAS", "KRAS", "3845"),
    ),
)

PLANT_FIGURE = FigureRecord(
    figure=figure("PMC1000005__plant", figtitle="Photosynthesis"),
    mentions=(mention("PSBA", "PSBA", "1"), mention("RBCL", "RBCL", "2"), mention("LHC", "L", "3")),
    organisms=("Arabidopsis thaliana",),
)

ALL_FIGURES = [
    example_record(),
    FAMILY_FIGURE,
    NO_GENES_FIGURE,
    HOSTILE_FIGURE,
    SLASH_FIGURE,
    PLANT_FIGURE,
]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ExportSummary]:
    out = tmp_path_factory.mktemp("export") / "out"
    summary = export_all(iter(ALL_FIGURES), out, date=DATE, site_url=SITE + "/")
    return out, summary


def record_of(out: Path, figid: str) -> tuple[dict[str, Any], str]:
    path = out / "figures" / f"{figure_file_stem(figid)}.md"
    return split_front_matter(path.read_text(encoding="utf-8"))


# --- summary and file layout ----------------------------------------------------------------


def test_summary_counts_and_paths(exported: tuple[Path, ExportSummary]) -> None:
    out, summary = exported
    assert summary == ExportSummary(
        out_dir=out,
        date=DATE,
        figures=6,
        figures_without_genes=1,
        mentions=3 + 6 + 0 + 3 + 3 + 3,
        gene_sets=4,
        genes_tsv=out / "genes.tsv",
        gmt=out / f"pfocr-{DATE}-gmt-Homo_sapiens.gmt",
        documents=out / "figures.jsonl",
        figures_dir=out / "figures",
        data_dir=out / "_data",
        ambiguous=1,
        gmt_files={
            out / f"pfocr-{DATE}-gmt-Homo_sapiens.gmt": 4,
            # The human-and-mouse figure's genes, through HGNC orthologues.
            out / f"pfocr-{DATE}-gmt-Mus_musculus.gmt": 1,
        },
    )


def test_every_file_stays_inside_its_folder(exported: tuple[Path, ExportSummary]) -> None:
    out, _ = exported
    assert sorted(p.name for p in out.parent.iterdir()) == ["out"]
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    stems = [figure_file_stem(r.figure.figid) for r in ALL_FIGURES]
    assert files == sorted(
        [
            "genes.tsv",
            "ambiguous.tsv",
            "figures.jsonl",
            f"pfocr-{DATE}-gmt-Homo_sapiens.gmt",
            f"pfocr-{DATE}-gmt-Mus_musculus.gmt",
        ]
        + [f"figures/{stem}.md" for stem in stems]
        + [
            f"_data/{stem}-{kind}.tsv"
            for stem in stems
            for kind in ("genes", "chemicals", "diseases", "edges")
        ]
    )


@pytest.mark.parametrize(
    "figid",
    [
        "a/b",
        "a\\b",
        ".hidden",
        "..",
        "_draft",
        "/etc/passwd",
        "x/../../y",
        "tab\there",
        "é",
        "a" * 300,
    ],
)
def test_unsafe_figids_get_safe_file_names(figid: str) -> None:
    stem = figure_file_stem(figid)
    assert stem != figid
    assert all(ch.isascii() and (ch.isalnum() or ch in "._-") for ch in stem), stem
    assert stem[0].isalnum()
    assert len(stem) <= 200
    # Stable: the same figid always gets the same page.
    assert figure_file_stem(figid) == stem


def test_unsafe_figid_never_takes_the_name_of_a_safe_one() -> None:
    assert figure_file_stem("a/b") != figure_file_stem("a_b") == "a_b"
    assert figure_file_stem("a/b") != figure_file_stem("a\\b")


def test_safe_figid_keeps_its_name() -> None:
    assert figure_file_stem("PMC2398782__ppat.1000088.g007") == "PMC2398782__ppat.1000088.g007"


def test_empty_figid_is_refused() -> None:
    with pytest.raises(ExportError, match="empty figid"):
        figure_file_stem("")


# --- figure records ---------------------------------------------------------------------------


def test_example_record_is_reproduced_byte_for_byte(exported: tuple[Path, ExportSummary]) -> None:
    out, _ = exported
    record = example_record()
    written = (out / "figures" / f"{record.figure.figid}.md").read_text(encoding="utf-8")
    expected = EXAMPLE_RECORD.read_text(encoding="utf-8")
    # pfocr has no PMC search-result rank; everything else must match the published record.
    expected = expected.replace("pmc_ranked_result_index: '142986'", "pmc_ranked_result_index: ''")
    expected = expected.replace(
        "https://pfocr.wikipathways.org/figures/", "https://pfocr.example.org/figures/"
    )
    assert written == expected


def _key_paths(data: dict[str, Any]) -> list[str]:
    paths = []
    for key, value in data.items():
        paths.append(key)
        if isinstance(value, dict):
            paths += [f"{key}.{sub}" for sub in _key_paths(value)]
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            paths += [f"{key}[].{sub}" for sub in _key_paths(value[0])]
    return paths


@pytest.mark.parametrize("figid", [r.figure.figid for r in ALL_FIGURES if r.mentions])
def test_front_matter_keys_and_order_match_the_example(
    exported: tuple[Path, ExportSummary], figid: str
) -> None:
    example, _ = split_front_matter(EXAMPLE_RECORD.read_text(encoding="utf-8"))
    data, body = record_of(exported[0], figid)
    assert _key_paths(data) == _key_paths(example)
    assert body == ""


def test_record_without_genes(exported: tuple[Path, ExportSummary]) -> None:
    data, _ = record_of(exported[0], "PMC1000002__nogenes")
    assert list(data) == list(split_front_matter(EXAMPLE_RECORD.read_text(encoding="utf-8"))[0])
    assert data["genes"] == []
    assert data["schema-jsonld"]["keywords"] == []
    assert data["number"] == "S1"
    assert data["figtype"] == "Scheme"
    assert data["figid_alias"] == "PMC1000002__S1"
    assert data["redirect_from"] == "/figures/PMC1000002__S1"
    assert data["pathway_score"] == 0.25
    assert data["caption"] == "" and data["figlink"] == "" and data["filename"] == ""


def test_record_genes_are_distinct_word_symbol_pairs_in_reading_order(
    exported: tuple[Path, ExportSummary],
) -> None:
    data, _ = record_of(exported[0], "PMC1000001__fig2.jpg")
    assert data["genes"] == [
        {
            "word": "AKT1",
            "symbol": "AKT1",
            "source": "hgnc_symbol",
            "hgnc_symbol": "AKT1",
            "entrez": "207",
        },
        {
            "word": "PKB",
            "symbol": "PKB",
            "source": "hgnc_alias_symbol",
            "hgnc_symbol": "AKT1",
            "entrez": "207",
        },
        {
            "word": "PI3K",
            "symbol": "PI3K",
            "source": "famplex",
            "hgnc_symbol": "PIK3CA",
            "entrez": "5290",
        },
        {
            "word": "PI3K",
            "symbol": "PI3K",
            "source": "famplex",
            "hgnc_symbol": "PIK3CB",
            "entrez": "5291",
        },
        {
            "word": "Akt1",
            "symbol": "Akt1",
            "source": "hgnc_symbol",
            "hgnc_symbol": "AKT1",
            "entrez": "207",
        },
    ]
    assert data["schema-jsonld"]["keywords"] == ["AKT1", "PIK3CA", "PIK3CB"]
    # Unclassified figure: the key stays, empty.
    assert data["pathway_score"] == ""
    assert data["organisms"] == "Homo sapiens, Mus musculus"
    assert data["number"] == "F2"
    assert data["figid_alias"] == "PMC1000001__F2"
    assert data["filename"] == "fig2.jpg"
    assert data["figlink"] == "/pmc/articles/PMC1000001/figure/F2/"
    assert data["schema-jsonld"]["@id"] == f"{SITE}/figures/PMC1000001__fig2.jpg.html"


def test_hostile_caption_survives_as_data(exported: tuple[Path, ExportSummary]) -> None:
    out, _ = exported
    text = (out / "figures" / "PMC1000003__hostile.md").read_text(encoding="utf-8")
    # Exactly two front-matter delimiters, so Jekyll cannot end the block early.
    assert [line for line in text.splitlines() if line.strip() in ("---", "...")] == ["---", "---"]
    data, body = split_front_matter(text)
    assert body == ""
    assert data["figid"] == "PMC1000003__hostile"  # not "injected"
    assert data["caption"] == (
        "Step 1: --- --- figid: injected \"double\" and 'single' quotes "
        "<script>alert(1)</script> # not a comment ... end: [x] {y} & *anchor"
    )
    assert data["schema-jsonld"]["description"] == data["caption"]
    assert data["figtitle"] == 'IL-6 "pathway": 50% of cases --- it\'s <b>bold</b>'
    assert data["papertitle"] == "Title: with colon"
    assert data["reftext"] == "- starts like a list"
    assert data["year"] == "2019"
    assert data["number"] == "SF2"
    assert data["figtype"] == "Supplemental figure"
    assert [g["word"] for g in data["genes"]] == ['IL"6 x', "TNF α", "IL1B"]


def test_figid_with_slashes_keeps_its_id_but_not_its_path(
    exported: tuple[Path, ExportSummary],
) -> None:
    figid = SLASH_FIGURE.figure.figid
    stem = figure_file_stem(figid)
    assert "/" not in stem and not stem.startswith(".")
    data, _ = record_of(exported[0], figid)
    assert data["figid"] == figid
    assert data["figid_alias"] == "PMC1000004__F1"
    assert data["schema-jsonld"]["@id"] == f"{SITE}/figures/{stem}.html"


def test_alias_falls_back_to_figid_when_number_or_pmcid_unknown(
    exported: tuple[Path, ExportSummary],
) -> None:
    data, _ = record_of(exported[0], "PMC1000005__plant")
    assert data["figid_alias"] == "PMC1000005__plant"
    assert data["redirect_from"] == "/figures/PMC1000005__plant"
    assert data["number"] == "F0"
    assert data["organisms"] == "Arabidopsis thaliana"


# --- TSVs ------------------------------------------------------------------------------------


def test_genes_tsv_has_every_mention_with_exact_values(
    exported: tuple[Path, ExportSummary],
) -> None:
    header, rows = read_tsv(exported[0] / "genes.tsv")
    assert header == list(GENE_COLUMNS)
    assert header[:11] == [
        "figid",
        "word",
        "symbol",
        "source",
        "hgnc_symbol",
        "entrez",
        "x0",
        "y0",
        "x1",
        "y1",
        "confidence",
    ]
    assert [r["figid"] for r in rows] == [r.figure.figid for r in ALL_FIGURES for _ in r.mentions]
    akt = rows[3]
    assert akt == {
        "figid": "PMC1000001__fig2.jpg",
        "word": "AKT1",
        "symbol": "AKT1",
        "source": "hgnc_symbol",
        "hgnc_symbol": "AKT1",
        "entrez": "207",
        "x0": "11",
        "y0": "20",
        "x1": "41",
        "y1": "31",
        "confidence": "0.988",
        "transforms": "upper",
        "family": "",
    }
    family = rows[5]
    assert (family["source"], family["family"], family["confidence"]) == (
        "famplex",
        "PI3K",
        "1.000",
    )
    hostile = [r for r in rows if r["figid"] == "PMC1000003__hostile"]
    assert [r["word"] for r in hostile] == ['IL"6 x', "TNF α", "IL1B"]


def test_genes_tsv_lines_never_split_a_row(exported: tuple[Path, ExportSummary]) -> None:
    lines = (exported[0] / "genes.tsv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 + 18
    assert {line.count("\t") for line in lines} == {len(GENE_COLUMNS) - 1}


@pytest.mark.parametrize("record", ALL_FIGURES, ids=lambda r: r.figure.figid)
def test_per_figure_tsv_matches_genes_tsv(
    exported: tuple[Path, ExportSummary], record: FigureRecord
) -> None:
    out, _ = exported
    stem = figure_file_stem(record.figure.figid)
    header, rows = read_tsv(out / "_data" / f"{stem}-genes.tsv")
    assert header == list(FIGURE_GENE_COLUMNS)
    _, all_rows = read_tsv(out / "genes.tsv")
    expected = [
        {k: v for k, v in row.items() if k != "figid"}
        for row in all_rows
        if row["figid"] == record.figure.figid
    ]
    assert rows == expected
    assert len(rows) == len(record.mentions)


# --- GMT -------------------------------------------------------------------------------------


def test_gmt_round_trips(exported: tuple[Path, ExportSummary]) -> None:
    gene_sets = read_gmt(exported[1].gmt)
    assert [g.identifier for g in gene_sets] == [
        "PMC4168338__10-1055-s-0031-1298276-i430gf01",
        "PMC1000001__fig2.jpg",
        "PMC1000003__hostile",
        figure_file_stem(SLASH_FIGURE.figure.figid),
    ]
    first = gene_sets[0]
    assert first.name == (
        "Control of osteoclast differentiation by the RANK/RANKL/OPG signal pathway"
        f"%PFOCR_{DATE}%PMC4168338__10-1055-s-0031-1298276-i430gf01%Homo sapiens"
    )
    assert (first.source, first.species) == (f"PFOCR_{DATE}", "Homo sapiens")
    assert first.url == f"{SITE}/figures/PMC4168338__10-1055-s-0031-1298276-i430gf01.html"
    assert first.genes == ("8600", "8792", "4982")


def test_gmt_title_is_made_safe(exported: tuple[Path, ExportSummary]) -> None:
    hostile = read_gmt(exported[1].gmt)[2]
    assert hostile.title == "IL-6 pathway: 50 percent of cases --- it\u2019s <b>bold</b>"
    assert hostile.genes == ("3569", "7124", "3553")
    line = exported[1].gmt.read_text(encoding="utf-8").splitlines()[2]
    assert line.count("%") == 3 and '"' not in line and "'" not in line


def test_gmt_skips_small_and_non_human_figures(exported: tuple[Path, ExportSummary]) -> None:
    sets = {g.identifier: g for g in read_gmt(exported[1].gmt)}
    assert "PMC1000002__nogenes" not in sets
    # Three genes, but a plant figure: human-lexicon hits make no human gene set.
    assert "PMC1000005__plant" not in sets
    # Human among several organisms is still human; repeated IDs count once.
    assert sets["PMC1000001__fig2.jpg"].genes == ("207", "5290", "5291")


def test_min_gmt_genes_and_empty_title(tmp_path: Path) -> None:
    record = FigureRecord(
        figure=figure("PMC9__untitled", figtitle="  \t "),
        mentions=(
            mention("A", "A", "1"),
            mention("B", "B", "2"),
            mention("B2", "B", "2"),
            mention("F", "F", "NCBIGene:9"),
            mention("G", "G", ""),
        ),
    )
    summary = export_all([record], tmp_path, date=DATE, min_gmt_genes=2)
    (gene_set,) = read_gmt(summary.gmt)
    assert gene_set.title == "PMC9__untitled"
    assert gene_set.genes == ("1", "2")
    assert export_all([record], tmp_path / "strict", date=DATE, min_gmt_genes=3).gene_sets == 0


def test_read_gmt_reads_plain_gmt_and_rejects_malformed(tmp_path: Path) -> None:
    path = tmp_path / "plain.gmt"
    path.write_text("set one\tdescription\t1\t2\r\n\nset two\t\t3\n", encoding="utf-8")
    sets = read_gmt(path)
    assert [(s.title, s.url, s.genes, s.identifier) for s in sets] == [
        ("set one", "description", ("1", "2"), ""),
        ("set two", "", ("3",), ""),
    ]
    path.write_text("only-a-name\n", encoding="utf-8")
    with pytest.raises(GmtFormatError, match="line 1"):
        read_gmt(path)
    with pytest.raises(ExportError, match=r"missing\.gmt"):
        read_gmt(tmp_path / "missing.gmt")


# --- JSONL -----------------------------------------------------------------------------------


def test_jsonl_has_one_document_per_figure(exported: tuple[Path, ExportSummary]) -> None:
    documents = read_jsonl(exported[1].documents)
    assert [d["_id"] for d in documents] == [r.figure.figid for r in ALL_FIGURES]


def test_jsonl_document_shape_and_flavours(exported: tuple[Path, ExportSummary]) -> None:
    document = read_jsonl(exported[1].documents)[1]
    assert document == {
        "_id": "PMC1000001__fig2.jpg",
        "associatedWith": {
            "title": "PI3K/AKT signalling",
            "figureUrl": "https://europepmc.org/articles/PMC1000001/bin/fig2.jpg",
            "pfocrUrl": f"{SITE}/figures/PMC1000001__fig2.jpg.html",
            "pmc": "PMC1000001",
            "mentions": {
                "genes": {
                    "ncbigene": ["207", "5290", "5291"],
                    "symbol": ["AKT1", "PIK3CA", "PIK3CB"],
                },
                "chemicals": {"mesh": [], "chebi": []},
                "diseases": {"mesh": [], "doid": []},
            },
        },
        "flavours": {
            "strict": ["207"],
            "synonyms": ["207"],
            "all": ["207", "5290", "5291"],
            "names": ["207", "5290", "5291"],
        },
        "ambiguous": [{"word": "p40", "symbol": ["BRMS1L", "TP63"], "ncbigene": ["84312", "8626"]}],
        "organisms": ["Homo sapiens", "Mus musculus"],
    }


def test_jsonl_alias_only_and_missing_image(exported: tuple[Path, ExportSummary]) -> None:
    documents = {d["_id"]: d for d in read_jsonl(exported[1].documents)}
    example = documents["PMC4168338__10-1055-s-0031-1298276-i430gf01"]
    assert example["flavours"] == {
        "strict": [],
        "synonyms": ["8600", "8792", "4982"],
        "all": ["8600", "8792", "4982"],
        "names": ["8600", "8792", "4982"],
    }
    assert documents["PMC1000002__nogenes"]["associatedWith"]["figureUrl"] == ""
    assert documents["PMC1000002__nogenes"]["flavours"] == {
        "strict": [],
        "synonyms": [],
        "all": [],
        "names": [],
    }
    hostile = documents["PMC1000003__hostile"]["associatedWith"]
    assert (
        hostile["figureUrl"] == "https://europepmc.org/articles/PMC1000003/bin/hostile%20figure.jpg"
    )
    assert hostile["title"] == 'IL-6 "pathway": 50% of cases --- it\'s <b>bold</b>'


def test_jsonl_lines_are_ascii(exported: tuple[Path, ExportSummary]) -> None:
    raw = exported[1].documents.read_bytes()
    assert raw.isascii()
    assert raw.count(b"\n") == len(ALL_FIGURES)


# --- streaming, atomicity, bad input -----------------------------------------------------------


def test_export_streams_figure_files_as_it_goes(tmp_path: Path) -> None:
    seen_on_disk = []

    def records() -> Iterator[FigureRecord]:
        yield FAMILY_FIGURE
        seen_on_disk.append((tmp_path / "figures" / "PMC1000001__fig2.jpg.md").exists())
        yield NO_GENES_FIGURE

    assert export_all(records(), tmp_path, date=DATE).figures == 2
    assert seen_on_disk == [True]


def test_failed_export_leaves_previous_files_and_no_temporaries(tmp_path: Path) -> None:
    export_all([FAMILY_FIGURE], tmp_path, date=DATE)
    before = {p: p.read_bytes() for p in tmp_path.glob("*") if p.is_file()}

    def broken() -> Iterator[FigureRecord]:
        yield NO_GENES_FIGURE
        raise RuntimeError("store went away")

    with pytest.raises(RuntimeError, match="store went away"):
        export_all(broken(), tmp_path, date=DATE)
    after = {p: p.read_bytes() for p in tmp_path.glob("*") if p.is_file()}
    assert after == before
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]


def test_interrupted_first_export_writes_no_aggregate_file(tmp_path: Path) -> None:
    def broken() -> Iterator[FigureRecord]:
        yield FAMILY_FIGURE
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        export_all(broken(), tmp_path, date=DATE)
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == []


def test_duplicate_figid_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="PMC1000002__nogenes"):
        export_all([NO_GENES_FIGURE, NO_GENES_FIGURE], tmp_path, date=DATE)


def test_non_record_input_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="#1 is a dict"):
        export_all([NO_GENES_FIGURE, {"figid": "x"}], tmp_path, date=DATE)  # type: ignore[list-item]


@pytest.mark.parametrize("date", ["2024-09-10", "20241310", "2024091", "yesterday"])
def test_bad_date_is_refused(tmp_path: Path, date: str) -> None:
    with pytest.raises(ExportError, match=date):
        export_all([], tmp_path, date=date)


@pytest.mark.parametrize("site_url", ["", "pfocr.org", "https://a b.org", "https://x.org/%s"])
def test_bad_site_url_is_refused(tmp_path: Path, site_url: str) -> None:
    with pytest.raises(ExportError, match="Site URL"):
        export_all([], tmp_path, site_url=site_url)


def test_min_gmt_genes_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="min_gmt_genes"):
        export_all([], tmp_path, min_gmt_genes=0)


def test_default_date_is_today(tmp_path: Path) -> None:
    before = dt.date.today().strftime("%Y%m%d")
    summary = export_all([], tmp_path)
    after = dt.date.today().strftime("%Y%m%d")
    assert summary.date in (before, after)
    assert summary.gmt.name == f"pfocr-{summary.date}-gmt-Homo_sapiens.gmt"
    assert summary.gmt.read_text() == ""
    assert (tmp_path / "genes.tsv").read_text() == "\t".join(GENE_COLUMNS) + "\n"


def test_unwritable_folder_is_reported(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(ExportError, match="file"):
        export_all([FAMILY_FIGURE], blocker / "out", date=DATE)


def test_ambiguous_words_are_listed_apart_and_never_in_gene_sets(
    exported: tuple[Path, ExportSummary],
) -> None:
    out, _ = exported
    header, rows = read_tsv(out / "ambiguous.tsv")
    assert header == list(AMBIGUOUS_COLUMNS)
    assert [list(row.values()) for row in rows] == [
        [
            FAMILY_FIGURE.figure.figid, "p40", "p40", "hgnc_alias_symbol", "BRMS1L;TP63",
            "84312;8626", "5", "7", "30", "14", "0.420", "upper",
        ]
    ]  # fmt: skip
    everything = "".join(path.read_text(encoding="utf-8") for path in out.glob("*.gmt")) + (
        out / "genes.tsv"
    ).read_text(encoding="utf-8")
    assert "8626" not in everything and "TP63" not in everything
    documents = [
        json.loads(line) for line in (out / "figures.jsonl").read_text("utf-8").splitlines()
    ]
    (family,) = [d for d in documents if d["_id"] == FAMILY_FIGURE.figure.figid]
    assert family["ambiguous"] == [
        {"word": "p40", "symbol": ["BRMS1L", "TP63"], "ncbigene": ["84312", "8626"]}
    ]
    assert not any("8626" in ids for ids in family["flavours"].values())
    assert all(d["ambiguous"] == [] for d in documents if d is not family)


def test_gene_sets_of_one_tier_are_named_by_it(tmp_path: Path) -> None:
    summary = export_all(
        [FAMILY_FIGURE, HOSTILE_FIGURE], tmp_path, date=DATE, min_gmt_genes=1, gmt_tier="strict"
    )
    assert summary.gmt.name == f"pfocr-{DATE}-gmt-strict-Homo_sapiens.gmt"
    sets = {s.identifier: s.genes for s in read_gmt(summary.gmt)}
    # AKT1 by its symbol; PKB (an alias) and PI3K (a family) are outside the strict tier
    assert sets[FAMILY_FIGURE.figure.figid] == ("207",)
    assert sets[figure_file_stem(HOSTILE_FIGURE.figure.figid)] == ("7124", "3553")
    every = export_all([FAMILY_FIGURE], tmp_path / "every", date=DATE, min_gmt_genes=1)
    assert every.gmt.name == f"pfocr-{DATE}-gmt-Homo_sapiens.gmt"
    assert read_gmt(every.gmt)[0].genes == ("207", "5290", "5291")
    with pytest.raises(ExportError, match="Unknown gene tier 'loose'"):
        export_all([], tmp_path / "bad", gmt_tier="loose")
