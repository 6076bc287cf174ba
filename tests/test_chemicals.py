"""Chemical recognition on text and OCR tokens, with the vendored lexicon and curated tables."""

from __future__ import annotations

import pytest

from pfocr.models import ChemicalMention, Mention, OcrToken
from pfocr.recognise.chemicals import ChemicalRecogniser
from pfocr.recognise.terms import exact_key, is_case_sensitive, split_parts


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
