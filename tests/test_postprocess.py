"""Metadata post-processing on real titles and captions from PMC articles."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from pfocr.errors import IngestError
from pfocr.ingest.postprocess import (
    choose_title,
    clean_metadata,
    clean_title,
    duplicate_groups,
    duplicates_to_drop,
    figid_alias,
    first_sentence,
    load_title_preambles,
    remove_preamble,
    remove_trailing_period,
    strip_artifacts,
    strip_figure_label,
    ungreek_text,
    year_from_reftext,
)
from pfocr.models import Figure

#: From bench-real-dev metadata PMC2398782__ppat.1000088.g007 (PLoS Pathog 2008): no title.
MHV_CAPTION = (
    "Two major steps in the anterograde protein secretion route (reviewed in ) are linked to "
    "MHV RC formation and/or RNA replication. First, transport of proteins out of the ER "
    "requires ER exit site formation controlled by Sar1p ,,."
)
MHV_PAPER = "Mouse Hepatitis Coronavirus RNA Replication Depends on GBF1-Mediated ARF1 Activation."
MHV_REFTEXT = "Monique H. Verheije, et al. PLoS Pathog. 2008 Jun;4(6):e1000088."


def _figure(**fields: str) -> Figure:
    return Figure(figid="PMC2398782__ppat.1000088.g007", image_path=None, source="test", **fields)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        # bench-real-dev metadata (figure_title as PMC gives it)
        (
            "Schematic representation of APP processing and role of its products in AD pathology",
            "APP processing and role of its products in AD pathology",
        ),
        (
            "Schematic depicting possible mechanisms of KD pathogenesis",
            "Possible mechanisms of KD pathogenesis",
        ),
        (
            "A hypothetical model of TMEM2 exerting its antiviral functions",
            "TMEM2 exerting its antiviral functions",
        ),
        (
            "a Biosynthetic pathway of glycyrrhetinic acid constructed in S",
            "Biosynthetic pathway of glycyrrhetinic acid constructed in S",
        ),
        ("Leukocyte extravasation signaling pathway", "Leukocyte extravasation signaling pathway"),
        ("ATF6 and bZIP17/bZIP28 pathways", "ATF6 and bZIP17/bZIP28 pathways"),
        # JATS sample titles (pone.0046493, pone.0000217)
        ("Chemical structure of inhibitors.", "Chemical structure of inhibitors"),
        (
            "Fisher's geometric model in two-dimensional phenotypic space.",
            "Fisher's geometric model in two-dimensional phenotypic space",
        ),
        # label forms as journals print them
        ("Figure 3. Proposed model of mTOR signaling.", "mTOR signaling"),
        ("Fig. 2: (A) IFN-γ signaling in macrophages", "IFN-γ signaling in macrophages"),
        (
            "FIG 5 Leukocyte extravasation signaling pathway",
            "Leukocyte extravasation signaling pathway",
        ),
        ("Supplementary Figure S1 | Wnt pathway [12]", "Wnt pathway"),
    ],
)
def test_clean_title(title: str, expected: str) -> None:
    assert clean_title(title) == expected
    assert clean_title(expected) == expected  # idempotent


def test_label_alone_is_not_stripped_to_nothing() -> None:
    assert strip_figure_label("Figure 1") == "Figure 1"
    assert strip_figure_label("Figure legends matter") == "Figure legends matter"


def test_artifacts_and_periods() -> None:
    assert (
        strip_artifacts("(B) CyPA promotes neurodegeneration") == "CyPA promotes neurodegeneration"
    )
    assert strip_artifacts("ACE2 [3, 4] entry route") == "ACE2 entry route"
    assert strip_artifacts("A20 inhibits NF-κB") == "A20 inhibits NF-κB"  # a gene, not a panel
    assert remove_trailing_period("Cellular entry of HCV particles.") == (
        "Cellular entry of HCV particles"
    )
    assert remove_trailing_period("Peter Olofsson, et al.") == "Peter Olofsson, et al."


def test_preamble_keeps_gene_casing_and_word_boundaries() -> None:
    assert remove_preamble("Model of the mTORC1 pathway") == "mTORC1 pathway"
    assert remove_preamble("Modeling the IFN response") == "Modeling the IFN response"
    assert remove_preamble("Schematic of") == "Schematic of"


def test_preambles_table_is_sorted_longest_first() -> None:
    preambles = load_title_preambles()
    assert "Schematic representation of" in preambles
    assert [len(p) for p in preambles] == sorted((len(p) for p in preambles), reverse=True)


def test_malformed_preambles_table_names_the_file(tmp_path: Path) -> None:
    table = tmp_path / "preambles.tsv"
    table.write_text("preamble\treason\nSchematic of\n", encoding="utf-8")
    with pytest.raises(IngestError, match=r"preambles\.tsv:2"):
        load_title_preambles(table)


def test_first_sentence_does_not_split_abbreviations() -> None:
    assert first_sentence(MHV_CAPTION) == (
        "Two major steps in the anterograde protein secretion route (reviewed in ) are linked "
        "to MHV RC formation and/or RNA replication."
    )
    caption = (
        "a Biosynthetic pathway of glycyrrhetinic acid constructed in S. cerevisiae. "
        "IPP: isopentenyl pyrophosphate"
    )
    assert first_sentence(caption).endswith("in S. cerevisiae.")
    assert first_sentence("Adapted from Olofsson et al. BMC Biology, 2007") == (
        "Adapted from Olofsson et al. BMC Biology, 2007"
    )


def test_choose_title_falls_back_to_caption_then_paper() -> None:
    assert choose_title("", MHV_CAPTION, MHV_PAPER) == (
        "Two major steps in the anterograde protein secretion route (reviewed in ) are linked "
        "to MHV RC formation and/or RNA replication"
    )
    assert choose_title("Results", "", MHV_PAPER) == MHV_PAPER.rstrip(".")
    assert choose_title("x" * 300, "", MHV_PAPER) == MHV_PAPER.rstrip(".")
    assert choose_title("Results", "", "") == "Results"


def test_year_from_reftext() -> None:
    assert year_from_reftext(MHV_REFTEXT) == "2008"
    assert year_from_reftext("Peter Olofsson, et al. BMC Biol. 2007;5:19-19.") == "2007"
    assert year_from_reftext("Caixia Wang, et al. Microb Cell Fact. 2019;18:95.") == "2019"
    assert year_from_reftext("J Biol Chem 277:32453") == ""


def test_ungreek_text_as_pfocr() -> None:
    assert ungreek_text("β-catenin") == "Beta-catenin"
    assert ungreek_text("IFN-γ and NF-κB") == "IFNG and NFKB"
    assert ungreek_text("TSHβ (A) and GPHα (B)") == "TSHB (A) and GPHA (B)"
    assert ungreek_text("no Greek here") == "no Greek here"


def test_clean_metadata_is_pure_and_fills_title_and_year() -> None:
    figure = _figure(
        pmcid="PMC2398782",
        number="Figure 7",
        caption=MHV_CAPTION,
        papertitle=MHV_PAPER,
        reftext=MHV_REFTEXT,
    )
    cleaned = clean_metadata(figure)
    assert figure.figtitle == "" and figure.year == ""
    assert cleaned.figtitle.startswith("Two major steps in the anterograde")
    assert cleaned.year == "2008"
    assert clean_metadata(cleaned) == cleaned
    assert replace(cleaned, figtitle="", year="") == figure


def test_clean_metadata_keeps_greek_and_an_existing_year() -> None:
    figure = _figure(
        figtitle="Figure 2. Interference with type I IFN-activated JAK/STAT signaling pathway",
        year="2014",
        reftext="Biomed Res Int. 2013",
        caption="Dietary exposure to PBDE-47 altered relative transcripts levels for TSHβ (A).",
    )
    cleaned = clean_metadata(figure)
    assert cleaned.figtitle == "Interference with type I IFN-activated JAK/STAT signaling pathway"
    assert cleaned.year == "2014"
    greek = clean_metadata(_figure(caption=figure.caption))
    assert greek.figtitle == (
        "Dietary exposure to PBDE-47 altered relative transcripts levels for TSHβ (A)"
    )


def test_figid_alias_reuses_figure_number_normalisation() -> None:
    figure = _figure(
        pmcid="PMC2398782",
        number="Figure 7",
        filename="ppat.1000088.g007.jpg",
    )
    assert figid_alias(figure) == "PMC2398782__F7"
    assert figid_alias(replace(figure, number="")) == "PMC2398782__F7"  # from g007


def test_duplicate_groups_by_image_hash() -> None:
    pairs = [
        ("PMC2__f1", "AA"),
        ("PMC1__f1", "aa"),
        ("PMC3__f2", "bb"),
        ("PMC4__f9", "aa"),
        ("PMC5__f1", ""),
        ("PMC6__f1", ""),
        ("PMC7__f3", "cc"),
        ("PMC8__f3", "cc"),
    ]
    groups = duplicate_groups(pairs)
    assert groups == [("PMC1__f1", "PMC2__f1", "PMC4__f9"), ("PMC7__f3", "PMC8__f3")]
    assert duplicates_to_drop(groups) == {"PMC2__f1", "PMC4__f9", "PMC8__f3"}
    assert duplicate_groups([]) == []


@pytest.mark.parametrize(
    ("figtitle", "papertitle"),
    [
        ("", "a\r0"),  # a short paper title that starts like a panel letter
        ("Figure 2. (A) Figure 3. Model of the X pathway.", ""),
        ("", "Schematic representation of the insulin signalling pathway."),
    ],
)
def test_cleaning_a_cleaned_figure_changes_nothing(figtitle: str, papertitle: str) -> None:
    figure = Figure(
        figid="f", image_path=None, source="s", figtitle=figtitle, papertitle=papertitle
    )
    once = clean_metadata(figure)
    assert clean_metadata(once) == once
