"""Mouse and rat lexicons, organism calls on real captions, human -> mouse gene sets."""

from __future__ import annotations

from pathlib import Path

import pytest

from pfocr.errors import LexiconError
from pfocr.models import Mention, OcrToken
from pfocr.recognise.organisms import (
    HUMAN,
    MOUSE,
    RAT,
    OrganismLexicon,
    default_organism_lexicon,
    human_to_organism,
    infer_organisms,
    load_organism_words,
    match_organism_genes,
    mouse_entrez_for,
    organisms_in_text,
)
from pfocr.sources.organism_genes import is_placeholder


def _line(text: str, line: int = 0) -> OcrToken:
    return OcrToken(text, 0, line * 20, 10 * len(text), line * 20 + 15, 0.99, line=line)


def _mention(word: str, symbol: str, entrez: str, source: str = "hgnc_symbol") -> Mention:
    return Mention(word=word, symbol=symbol, source=source, hgnc_symbol=symbol, entrez=entrez)


# --------------------------------------------------------------------------- lexicons


def test_mouse_lexicon_links_mapk1_to_mgi_ncbi_and_human() -> None:
    (term,) = default_organism_lexicon(MOUSE).exact("Mapk1")
    assert (term.source, term.organism_gene_id, term.entrez) == ("symbol", "MGI:1346858", "26413")
    assert (term.human_hgnc_symbol, term.human_entrez) == ("MAPK1", "5594")


def test_rat_lexicon_links_mapk1_and_a_rat_synonym() -> None:
    rat = default_organism_lexicon(RAT)
    (mapk1,) = rat.exact("Mapk1")
    assert (mapk1.organism_gene_id, mapk1.human_hgnc_symbol) == ("RGD:70500", "MAPK1")
    assert mapk1.entrez == ""  # no offline source of rat Entrez ids
    (best5,) = rat.exact("Best5")  # the rat-only name on a real arthritis figure
    assert (best5.source, best5.symbol, best5.human_hgnc_symbol) == ("synonym", "Rsad2", "RSAD2")


def test_placeholder_symbols_are_not_in_the_lexicons() -> None:
    mouse = default_organism_lexicon(MOUSE)
    assert is_placeholder("Gm12345") and is_placeholder("1700019C18Rik")
    assert is_placeholder("AABR07060595.1") and is_placeholder("Pgk1-ps1")
    assert not is_placeholder("Ifit3") and not is_placeholder("Mos")
    assert not any(is_placeholder(t.term) for t in mouse.terms if not t.human_hgnc_symbol)


def test_bad_lexicon_file_is_a_lexicon_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "mouse_terms.tsv.gz"
    path.write_bytes(b"not gzip")
    with pytest.raises(LexiconError, match=r"mouse_terms\.tsv\.gz"):
        OrganismLexicon.load(MOUSE, path)
    with pytest.raises(LexiconError, match="Danio"):
        OrganismLexicon.load("Danio rerio")


def test_matching_uses_rodent_casing_greek_and_lists() -> None:
    mouse = default_organism_lexicon(MOUSE)
    found = match_organism_genes(["Ifnγ", "Irf7,", "Cxcl9/10", "IFIT3", "the"], mouse)
    cased = found.cased_genes
    assert {"Ifng", "Irf7", "Cxcl9", "Cxcl10"} <= cased
    assert "Ifit3" not in cased  # written human-style: a mouse match, not mouse evidence
    assert found.count_match == 5 and found.count_direct == 5 and found.count_synonym == 0


# --------------------------------------------------------------------------- text evidence


def test_organism_words_table_loads_and_rejects_bad_rows(tmp_path: Path) -> None:
    assert len(load_organism_words()) > 30
    bad = tmp_path / "words.tsv"
    bad.write_text(
        "pattern\tcase\ttaxon_id\torganism_name\torganism_group\tkind\treason\n"
        "mice\ti\t10090\tMus musculus\tRodents\tsometimes\tx\n",
        encoding="utf-8",
    )
    with pytest.raises(LexiconError, match="line 2"):
        load_organism_words(bad)


def test_generic_words_yield_to_species() -> None:
    # PMC6540369: "... constructed in S. cerevisiae ... AtCPR1: cytochrome P450 reductase
    # from Arabidopsis thaliana"; "plants" alone would be Viridiplantae.
    named = organisms_in_text(["constructed in S. cerevisiae", "reductase from Arabidopsis"])
    assert set(named) == {"Saccharomyces cerevisiae", "Arabidopsis thaliana"}
    assert set(organisms_in_text(["ATF6 in animals and bZIP17/bZIP28 in plants"])) == {
        HUMAN,
        "Viridiplantae",
    }
    assert set(organisms_in_text(["in animals, such as porcine cells"])) == {"Sus scrofa"}


# --------------------------------------------------------------------------- calls


def test_rat_figure_from_text_and_casing() -> None:
    # PMC1884140 (bench-real-dev): rat arthritis genes written in rodent casing.
    caption = (
        "The molecular pathway that is shared between the arthritis resistant DA.Ncf1E3 rat "
        "strain and the arthritis treatment achieved with phytol is the Ifn-β-dependent "
        "pathway, which results in the upregulation of Best5, Irf7, Ifit3, Oas1 and Mx2."
    )
    tokens = [_line("Best5, Irf7, Ifit3"), _line("Mx2, Oas1", 1), _line("Ass, Mig, Mmp12", 2)]
    call = infer_organisms(caption, ["Arthritis suppression by NADPH activation"], [], tokens)
    assert call.organisms == (RAT,)
    assert call.evidence[RAT].startswith("text: rat")
    rat_row = next(r for r in call.organisms_ner if r["organism_name"] == RAT)
    assert rat_row["organism_id"] == "10116" and rat_row["organism_group"] == "Rodents"
    assert int(str(rat_row["count_match"])) >= 6


def test_rodent_casing_alone_calls_mouse() -> None:
    tokens = [_line("Ifit3  Irf7  Cxcl9"), _line("Oas1  Stat1", 1)]
    call = infer_organisms("Interferon response genes induced by infection.", [], [], tokens)
    assert call.organisms == (MOUSE,)
    assert call.evidence[MOUSE].startswith("casing:")
    assert call.gene_set_organisms == (MOUSE,)


def test_human_cased_figure_defaults_to_human_with_ner_counts() -> None:
    # PMC4712384: "HCV NS3/4A protease cleaves the TRIF and MAVS adapters ..."
    caption = "HCV NS3/4A protease cleaves the TRIF and MAVS adapters. NS5A interacts with MyD88."
    mentions = [
        _mention("MAVS", "MAVS", "57506"),
        _mention("TRIF", "TRIF", "148022", "hgnc_alias_symbol"),
    ]
    call = infer_organisms(
        caption, ["Evasion of innate immunity by HCV viral proteins"], mentions, []
    )
    assert call.organisms == (HUMAN,)
    assert call.evidence[HUMAN] == "default"
    human_row = call.organisms_ner[0]
    assert human_row == {
        "organism_id": "9606",
        "organism_name": HUMAN,
        "organism_group": "Primates",
        "count_direct": 1,
        "count_synonym": 1,
        "count_match": 2,
    }


def test_yeast_figure_is_not_human_although_human_genes_match() -> None:
    # PMC6540369: ERG/IDI1 labels hit human symbols; the caption says yeast.
    caption = "a Biosynthetic pathway of glycyrrhetinic acid constructed in S. cerevisiae."
    mentions = [_mention("IDI1", "IDI1", "3422"), _mention("ERG", "ERG", "2078")]
    call = infer_organisms(caption, [], mentions, [_line("ERG10 ERG13 IDI1")])
    assert call.organisms == ("Saccharomyces cerevisiae",)
    assert call.gene_set_organisms == ()


def test_pig_virus_figure_goes_to_the_human_gene_set() -> None:
    # PMC4914279: "Early after infection, TGEV stimulates the phosphorylation of cofilin
    # and the polymerization of F-actin through the EGFR-PI3K-Rac1/Cdc42-PAK-LIMK ..."
    caption = (
        "Early after infection, TGEV stimulates the phosphorylation of cofilin and the "
        "polymerization of F-actin through the EGFR-PI3K-Rac1/Cdc42-PAK-LIMK signaling pathway."
    )
    tokens = [_line("Rac1 Cdc42 Rock1 Limk1")]
    call = infer_organisms(caption, [], [], tokens)
    assert call.organisms == ("Sus scrofa",)  # text beats title-cased symbols
    assert call.info["Sus scrofa"].taxon_id == "9823"
    assert call.gene_set_organisms == (HUMAN,)


def test_virus_named_in_passing_yields_to_other_organism_words() -> None:
    # PMC3531707 g0005: "Some viruses such as ASFV ... for their replication in animals."
    caption = (
        "Some viruses such as ASFV activate the ATF6 pathway for their replication in animals."
    )
    assert infer_organisms(caption, [], [], []).organisms == (HUMAN,)


# --------------------------------------------------------------------------- gene sets


def test_human_gene_set_maps_to_mouse_entrez() -> None:
    # IFIT3 has two mouse orthologues in HGNC (Ifit3, Ifit3b): both are kept
    assert human_to_organism(["5594", "3437", "5594"], MOUSE) == ["26413", "15959", "667370"]
    assert human_to_organism(["5594"], HUMAN) == ["5594"]
    assert human_to_organism(["5594"], RAT) == []  # RGD genes carry no Entrez id offline
    mentions = [_mention("ERK2", "MAPK1", "5594"), _mention("IFIT3", "IFIT3", "3437")]
    assert mouse_entrez_for(mentions) == ["15959", "26413", "667370"]
