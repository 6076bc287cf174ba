"""Chemical recognition on text and OCR tokens, with the vendored lexicon and curated tables."""

from __future__ import annotations

import pytest

from pfocr.models import ChemicalMention, Mention, OcrToken
from pfocr.recognise.chemicals import SOURCE_DEFINED, ChemicalRecogniser, abbreviates
from pfocr.recognise.terms import (
    exact_key,
    folded_key,
    is_case_sensitive,
    loose_key,
    split_parts,
    token_text,
)


@pytest.fixture(scope="module")
def chemicals() -> ChemicalRecogniser:
    return ChemicalRecogniser()


def _found(recogniser: ChemicalRecogniser, text: str, context: str = "") -> dict[str, str]:
    return {m.word: m.mesh for m in recogniser.recognise_text(text, context)}


@pytest.mark.parametrize(
    ("text", "word", "mesh"),
    [
        ("cAMP activates PKA", "cAMP", "D000242"),
        ("influx of Ca2+ into the cell", "Ca2+", "D002118"),
        ("influx of Ca(2+) into the cell", "Ca(2+)", "D002118"),
        ("influx of Ca++ into the cell", "Ca++", "D002118"),
        ("influx of Ca²⁺ into the cell", "Ca²⁺", "D002118"),
        ("PIP2 is cleaved into IP3 and DAG by PLC", "IP3", "D015544"),
        ("PI(3,4,5)P3 recruits AKT", "PI(3,4,5)P3", "C060974"),
        ("H2O2 oxidises thiols", "H2O2", "D006861"),
        ("conversion of α-KG", "α-KG", "D007656"),
        ("acetyl-CoA enters the cycle", "acetyl-CoA", "D000105"),
        ("Acetyl CoA enters the cycle", "Acetyl CoA", "D000105"),
        ("levels of GLUCOSE rise", "GLUCOSE", "D005947"),
        ("nitric oxide relaxes vessels", "nitric oxide", "D009569"),
        ("LPS-induced signalling", "LPS", "D008070"),
        ("ceramides accumulate", "ceramides", "D002518"),
        ("treatment with LY294002", "LY294002", "C085911"),
    ],
)
def test_recognises_chemicals(
    chemicals: ChemicalRecogniser, text: str, word: str, mesh: str
) -> None:
    assert _found(chemicals, text).get(word) == mesh


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("there is NO change", "NO"),  # NO without nitric-oxide context
        ("no effect was seen", "no"),  # lower-case English word
        ("H and C and O and N atoms", "H"),  # single letters and element symbols alone
        ("this will lead to apoptosis", "lead"),  # English word listed as a chemical
        ("the drug was given", "drug"),
        ("ATP synthase pumps protons", "ATP"),  # part of an enzyme name
        ("the Insulin receptor", "Insulin"),  # a protein, not a chemical
        ("NF-κB translocates", "NF-κB"),  # a protein filed under a chemical heading
        ("cleaved by the lumenal S1P and S2P", "S1P"),  # site-1 protease, no lipid context
        ("glucose transporter GLUT1", "glucose"),  # protein name
        ("T 4 and T 3 panels", "T 4"),  # words joined where the term has no space
    ],
)
def test_rejects_non_chemicals(chemicals: ChemicalRecogniser, text: str, word: str) -> None:
    assert word not in _found(chemicals, text)


def test_short_forms_follow_their_context(chemicals: ChemicalRecogniser) -> None:
    text = "NO activates sGC"
    assert _found(chemicals, text).get("NO") == "D009569"
    assert "NO" not in _found(chemicals, "NO response")
    assert _found(chemicals, "DAG", context="PLC cleaves PIP2").get("DAG") == "D004075"
    # an abbreviation's own heading in the context also settles it
    assert _found(chemicals, "PA and DAG", context="phosphatidic acid").get("PA") == "D010712"


def test_text_spans_are_character_offsets(chemicals: ChemicalRecogniser) -> None:
    text = "Both (ROS) and glutathione, here."
    mentions = chemicals.recognise_text(text)
    spans = {text[int(m.x0) : int(m.x1)] for m in mentions}
    assert spans == {"ROS", "glutathione"}
    ros = next(m for m in mentions if m.word == "ROS")
    assert (ros.chebi, ros.source, ros.name) == (
        "CHEBI:26523",
        "curated",
        "Reactive Oxygen Species",
    )


def _line(text: str, x0: float, y0: float, x1: float, line: int) -> OcrToken:
    return OcrToken(text, x0, y0, x1, y0 + 20, 0.9, kind="line", line=line)


def test_multi_word_name_across_ocr_lines(chemicals: ChemicalRecogniser) -> None:
    tokens = [_line("Nitric", 100, 100, 160, 0), _line("oxide", 100, 124, 150, 1)]
    mentions = chemicals.recognise(tokens)
    assert [(m.word, m.mesh) for m in mentions] == [("Nitric oxide", "D009569")]
    m = mentions[0]
    assert (m.x0, m.y0, m.x1, m.y1) == (100, 100, 160, 144)
    assert m.confidence == pytest.approx(0.9 * 0.9)


def test_lines_far_apart_are_not_joined(chemicals: ChemicalRecogniser) -> None:
    tokens = [_line("Nitric", 100, 100, 160, 0), _line("oxide", 600, 400, 650, 1)]
    assert [m.word for m in chemicals.recognise(tokens)] == []


def test_word_tokens_and_ocr_context(chemicals: ChemicalRecogniser) -> None:
    tokens = [
        OcrToken("NO", 0, 0, 20, 10, 0.8, kind="word", line=0),
        OcrToken("eNOS", 0, 50, 40, 60, 0.8, kind="word", line=1),
    ]
    assert [m.match for m in chemicals.recognise(tokens)] == ["NO"]


def test_drop_gene_clashes_keeps_other_genes(chemicals: ChemicalRecogniser) -> None:
    tokens = [_line("ATP", 0, 0, 30, 0), _line("AKT1", 0, 100, 40, 1)]
    found = chemicals.recognise(tokens)
    assert [m.match for m in found] == ["ATP"]
    genes = [
        Mention("ATP", "ATP", "hgnc_alias_symbol", "ATP8A2", "51761", 0, 0, 30, 20),
        Mention("AKT1", "AKT1", "hgnc_symbol", "AKT1", "207", 0, 100, 40, 120),
    ]
    assert [g.hgnc_symbol for g in chemicals.drop_gene_clashes(genes, found)] == ["AKT1"]


def test_second_messenger_read_in_capitals_only_beside_its_machinery(
    chemicals: ChemicalRecogniser,
) -> None:
    camp = _line("CAMP", 0, 0, 40, 0)
    beside_pka = chemicals.recognise([camp, _line("PKA", 0, 100, 30, 1)])
    assert [(m.word, m.name) for m in beside_pka] == [("CAMP", "Cyclic AMP")]
    gene = Mention("CAMP", "CAMP", "hgnc_symbol", "CAMP", "820", 0, 0, 40, 20)
    assert chemicals.drop_gene_clashes([gene], beside_pka) == []  # not cathelicidin here
    # beside the antimicrobial peptide it is the cathelicidin gene, not the chemical
    assert chemicals.recognise([camp, _line("LL-37", 0, 100, 40, 1)]) == []
    sting = chemicals.recognise([_line("CGAMP", 0, 0, 50, 0), _line("STING", 0, 100, 50, 1)])
    assert [m.chebi for m in sting] == ["CHEBI:75947"]


def test_mention_to_json_round_trips() -> None:
    mention = ChemicalMention("cAMP", "cAMP", "Cyclic AMP", "D000242", "CHEBI:17489", 1, 2, 3, 4)
    data = mention.to_json()
    assert data["chebi"] == "CHEBI:17489" and ChemicalMention(**data) == mention


@pytest.mark.parametrize(
    ("a", "b"),
    [("Ca2+", "Ca(2+)"), ("Ca2+", "Ca++"), ("Ca2+", "Ca²⁺"), ("Ca2+", "Ca 2+"), ("Ca2+", "Ca+2"),
     ("NAD+", "NAD(+)"), ("α-KG", "alpha-KG"), ("Acetyl-CoA", "Acetyl CoA"), ("Cl-", "Cl⁻")],
)  # fmt: skip
def test_keys_fold_ocr_variants(a: str, b: str) -> None:
    assert exact_key(a) == exact_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("HCO₃3⁻", "HCO3-"),  # a subscript digit read twice
        ("Δ12-PGJ2", "Delta(12)-PGJ2"),
        ("15-deoxy-Δ12,14-PGJ2", "15-deoxy-Delta(12,14)-PGJ2"),
        ("fructose 1,6-diphosphate", "fructose-1,6-bisphosphate"),
        ("Fructose-1,6- biphosphate", "fructose 1,6-bisphosphate"),
        ("inositol 1,4,5-triphosphate", "inositol 1,4,5-trisphosphate"),
    ],
)
def test_keys_fold_spelling_variants(a: str, b: str) -> None:
    assert folded_key(a) == folded_key(b)


def test_single_locant_diphosphate_is_kept() -> None:
    assert folded_key("thiamine 5'-diphosphate") != folded_key("thiamine 5'-bisphosphate")


@pytest.mark.parametrize(
    ("a", "b"),
    [("20-hydroxy-PGD2", "20-Hydroxy-PGD2"), ("Long chain Acyl-CoA", "Long-Chain Acyl CoA"),
     ("trans-D2-Enoyl-CoA", "trans-D2-enoyl-CoA")],
)  # fmt: skip
def test_loose_key_ignores_case_of_word_parts_only(a: str, b: str) -> None:
    assert exact_key(a) != exact_key(b) and loose_key(a) == loose_key(b)
    assert loose_key("PGD2") != loose_key("pgd2")


def test_charge_minus_is_not_a_hyphen() -> None:
    assert exact_key("Cl-") != exact_key("Cl")


@pytest.mark.parametrize(
    ("term", "sensitive"),
    [("ATP", True), ("cAMP", True), ("PtdIns(4,5)P2", True), ("Glucose", False),
     ("Nitric Oxide", False), ("Adenosine Triphosphate", False)],
)  # fmt: skip
def test_case_rules(term: str, sensitive: bool) -> None:
    assert is_case_sensitive(term) is sensitive


def test_split_parts() -> None:
    assert split_parts("GTP-bound") == [(0, 3, "-"), (4, 9, " ")]
    assert split_parts("ROS/NOS") == [(0, 3, "/"), (4, 7, " ")]
    assert split_parts("Acetyl-CoA") == [(0, 10, " ")]


@pytest.mark.parametrize(
    ("label", "chebi_id"),
    [
        ("20-hydroxy-PGF2a", "CHEBI:174935"),  # ChEBI "20-Hydroxy-PGF2a"
        ("6-keto-PGF1alpha", "CHEBI:28158"),  # MeSH "6-Keto-PGF1 alpha"
        ("3-L-Hydroxyacyl-CoA", "CHEBI:65260"),  # looked up without its L descriptor
        ("Urate", "CHEBI:27216"),  # lower-case ChEBI variant "urate" starting a label
        ("ThPP", "CHEBI:9532"),
        ("CoA-SH", "CHEBI:15346"),
        ("D-2-hydroxyglutarate", "CHEBI:132941"),  # MeSH's 2-hydroxyglutarate, descriptor dropped
        ("25(OH)D₃", "CHEBI:17933"),
        ("HPO₄²⁻", "CHEBI:43474"),
        ("H₂O", "CHEBI:15377"),
    ],
)
def test_recognises_figure_spellings(
    chemicals: ChemicalRecogniser, label: str, chebi_id: str
) -> None:
    found = chemicals.recognise([OcrToken(label, 0, 0, 9 * len(label), 20, 0.95)])
    assert [(m.word, m.chebi) for m in found] == [(label, chebi_id)]


def test_superscript_reading_among_alternatives_is_used(chemicals: ChemicalRecogniser) -> None:
    token = OcrToken("Ca2", 0, 0, 30, 20, 0.9, alternatives=("Ca²",))
    assert token_text(token) == "Ca²"
    assert [m.mesh for m in chemicals.recognise([token])] == ["D002118"]
    plain = OcrToken("HCO₃3⁻", 0, 0, 30, 20, 0.9, alternatives=("HCO33⁻",))
    assert token_text(plain) == "HCO₃3⁻"  # an alternative with fewer marks is not taken


def test_letter_reading_for_a_stray_symbol_is_used(chemicals: ChemicalRecogniser) -> None:
    token = OcrToken(
        "€arbamoyl-phosphate", 0, 0, 180, 20, 0.9, alternatives=("Carbamoyl-phosphate",)
    )
    assert token_text(token) == "Carbamoyl-phosphate"
    assert [m.mesh for m in chemicals.recognise([token])] == ["D002221"]
    # ASCII signs are read as written: "NAD+" is not "NADH"
    assert token_text(OcrToken("NAD+", 0, 0, 40, 20, 0.9, alternatives=("NADH",))) == "NAD+"


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Retinal pigment epithelium", "Retinal"),
        ("Gonadotropins gene expression", "Gonadotropins"),
        ("Dopamine neurons", "Dopamine"),
        ("Retinal pericytes", "Retinal"),
        ("Uracil DNA glycosylase", "Uracil"),
        ("Methyl-guanine DNA methyltransferase", "Methyl-guanine"),
        ("Na+ K+ ATPase", "Na+"),
        ("inhibits the Na+/K+-ATPase", "Na+"),
        ("Na⁺/K⁺-ATPase", "Na⁺"),
        ("Monocyte adhesion to retinal endothelial cells", "retinal"),
    ],
)
def test_adjective_or_gene_reading_is_not_a_chemical(
    chemicals: ChemicalRecogniser, text: str, word: str
) -> None:
    assert word not in _found(chemicals, text)


def test_ions_listed_without_a_pump_are_chemicals(chemicals: ChemicalRecogniser) -> None:
    assert set(_found(chemicals, "Na+ K+ Cl- cotransport by NKCC1")) == {"Na+", "K+", "Cl-"}


def test_all_trans_retinal_is_still_a_chemical(chemicals: ChemicalRecogniser) -> None:
    assert "All-trans retinal" in _found(chemicals, "All-trans retinal")


@pytest.mark.parametrize(
    ("short", "long", "ok"),
    [
        ("SeMet", "SelenoMethionine", True),
        ("2-HG", "2-hydroxyglutarate", True),
        ("SAM", "S-adenosylmethionine", True),
        ("PBDE", "diphenyl ether", False),
        ("MET", "selenomethionine", False),  # the first letter must start a word
    ],
)
def test_abbreviates(short: str, long: str, ok: bool) -> None:
    assert abbreviates(short, long) is ok


def test_figure_legend_defines_a_short_form(chemicals: ChemicalRecogniser) -> None:
    tokens = [
        OcrToken("SeMet", 0, 0, 50, 20, 0.95, line=0),
        OcrToken("SeMet = SelenoMethionine, GSH = glutathione", 0, 400, 400, 420, 0.95, line=1),
    ]
    found = [(m.word, m.mesh, m.source) for m in chemicals.recognise(tokens)]
    assert ("SeMet", "D012645", SOURCE_DEFINED) in found


def test_caption_defines_a_short_form(chemicals: ChemicalRecogniser) -> None:
    tokens = [OcrToken("HVA", 0, 0, 40, 20, 0.95)]
    assert chemicals.recognise(tokens) == []
    caption = "Dopamine is degraded to homovanillic acid (HVA) by COMT and MAO."
    found = chemicals.recognise(tokens, caption)
    assert [(m.word, m.source) for m in found] == [("HVA", SOURCE_DEFINED)]


def test_definition_overrides_a_context_reading(chemicals: ChemicalRecogniser) -> None:
    text = "alpha-linolenic acid (ALA) and heme synthesis; ALA is desaturated"
    names = {m.name for m in chemicals.recognise_text(text) if m.word == "ALA"}
    assert names == {"alpha-Linolenic Acid"}


def test_two_letter_short_forms_are_not_defined(chemicals: ChemicalRecogniser) -> None:
    assert chemicals.defined_abbreviations("Se = Selenium") == []


def test_pathway_labels_in_figures_are_not_metabolites(chemicals: ChemicalRecogniser) -> None:
    tokens = [
        OcrToken("Pyrimidine metabolism", 0, 0, 200, 20, 0.95, line=0),
        OcrToken("Fatty Acid Oxidation", 0, 100, 200, 120, 0.95, line=1),
        OcrToken("Nucleotide excision repair (NER)", 0, 150, 300, 170, 0.95, line=4),
        OcrToken("Pyrimidine", 0, 200, 100, 220, 0.95, line=2),
    ]
    assert [m.word for m in chemicals.recognise(tokens)] == ["Pyrimidine"]
    # a caption's "tryptophan metabolism" still mentions tryptophan
    assert "tryptophan" in _found(chemicals, "changes in tryptophan metabolism")


def test_process_labels_wrapped_onto_two_lines_are_not_metabolites(
    chemicals: ChemicalRecogniser,
) -> None:
    tokens = [
        OcrToken("Calcium", 100, 0, 170, 20, 0.95, line=0),
        OcrToken("homeostasis", 90, 22, 190, 42, 0.95, line=1),
        OcrToken("Glucose transport", 400, 0, 560, 20, 0.95, line=2),
        # a metabolite node well above an unrelated label stays
        OcrToken("Pyrimidine", 100, 300, 190, 320, 0.95, line=3),
        OcrToken("synthesis", 100, 360, 180, 380, 0.95, line=4),
        # and beside it, not over it
        OcrToken("Glucose", 400, 300, 470, 320, 0.95, line=5),
        OcrToken("transport", 600, 322, 680, 342, 0.95, line=6),
    ]
    assert [m.word for m in chemicals.recognise(tokens)] == ["Pyrimidine", "Glucose"]


def test_chain_length_qualifier_joins_the_class_name(chemicals: ChemicalRecogniser) -> None:
    found = chemicals.recognise([OcrToken("Long chain acyl-carnitine", 0, 0, 250, 20, 0.95)])
    assert [(m.word, m.match) for m in found] == [("Long chain acyl-carnitine", "acylcarnitine")]
    # a qualified class the lexicon knows keeps its own grounding
    found = chemicals.recognise([OcrToken("short-chain acyl-CoA", 0, 0, 200, 20, 0.95)])
    assert [m.chebi for m in found] == ["CHEBI:61905"]
