"""ChEBI-only chemical names: the build steps and what they let the recogniser find."""

from __future__ import annotations

import pytest

from pfocr.models import OcrToken
from pfocr.recognise.chemicals import ChemicalRecogniser
from pfocr.sources import chebi
from pfocr.sources.build import DATA_DIR, iter_tsv_gz, read_manifest
from pfocr.sources.chebi import ChebiData, ChebiLink
from pfocr.sources.chemical_disease import (
    CHEBI_TERMS_FILE,
    SOURCE_CHEBI,
    SOURCE_CHEBI_VARIANT,
    chebi_rows,
    chebi_term_reason,
    name_variants,
)


@pytest.fixture(scope="module")
def chemicals() -> ChemicalRecogniser:
    return ChemicalRecogniser()


@pytest.mark.parametrize(
    ("name", "variants"),
    [
        ("citrate(3-)", ["citrate"]),
        ("2-oxoglutaric acid", ["2-oxoglutarate", "2-ketoglutaric acid", "2-ketoglutarate"]),
        (
            "15-oxoprostaglandin F2alpha",
            [
                "15-oxoPGF2alpha",
                "15-ketoprostaglandin F2alpha",
                "15-ketoPGF2alpha",
                "15-oxoprostaglandin F2a",
                "15-oxoPGF2a",
                "15-ketoprostaglandin F2a",
                "15-ketoPGF2a",
            ],
        ),  # oxo at a locant is what biochemists call keto
        (
            "N-acetyl-L-glutamate(2-)",
            ["N-acetyl-L-glutamate", "N-acetyl-glutamate(2-)", "N-acetyl-glutamate"],
        ),
        ("(S)-malate(2-)", ["(S)-malate", "malate(2-)", "malate"]),
        ("oxolane", []),  # no locant: not an oxo group
        ("isopentenyl diphosphate", ["isopentenyl pyrophosphate"]),
        ("selenous acid", ["selenite"]),
        ("prostaglandin G2", ["PGG2"]),
        ("prostaglandin F2alpha", ["PGF2alpha", "prostaglandin F2a", "PGF2a"]),
        ("thromboxane B2", ["TXB2"]),
        ("pyruvate", []),
        ("fatty acid", []),  # not an "-ic acid"
        ("calcium(2+)", []),  # a cation keeps its charge: "calcium" is the element
        (
            "15-dehydro-prostaglandin D2",
            ["15-dehydro-PGD2", "15-keto-prostaglandin D2", "15-keto-PGD2"],
        ),
        (
            "2,3-dinor-prostaglandin E2",
            ["2,3-dinor-PGE2", "dinor-prostaglandin E2", "dinor-PGE2"],
        ),
        ("long-chain fatty acyl-CoA", ["long-chain acyl-CoA"]),
        ("trans-2-enoyl-CoA", ["trans-Delta2-enoyl-CoA", "trans-D2-enoyl-CoA"]),
        ("succinyl-CoA", ["succinoyl-CoA"]),
        ("palmitoyl-CoA", []),
        (
            "2-(1-hydroxyethyl)thiamine diphosphate",
            [
                "2-(1-hydroxyethyl)-ThPP",
                "2-(1-hydroxyethyl)-ThDP",
                "2-(1-hydroxyethyl)-TPP",
                "2-(1-hydroxyethyl)thiamine pyrophosphate",
            ],
        ),
    ],
)
def test_name_variants(name: str, variants: list[str]) -> None:
    assert name_variants(name) == variants


def test_15_deoxy_prostaglandins_by_first_double_bond_or_none() -> None:
    variants = name_variants("15-deoxy-Delta(12,14)-prostaglandin A2")
    assert {"15-deoxy-Delta(12)-PGA2", "15-deoxy-PGA2", "15d-PGA2"} <= set(variants)


@pytest.mark.parametrize(
    ("label", "chebi_id"),
    [
        ("15-keto-PGD2", "CHEBI:15557"),
        ("Dinor-PGE2", "CHEBI:73952"),
        ("15-deoxy-PGA2", "CHEBI:63975"),
        ("15-deoxy-delta-12-PGD2", "CHEBI:63999"),
        ("15-deoxy-Δ12,14-PGD2", "CHEBI:63999"),
        ("trans-D2-Enoyl-CoA", "CHEBI:50998"),
        ("cis-Δ3-enoyl-CoA", "CHEBI:27773"),
        ("Succinoyl-CoA", "CHEBI:15380"),
        ("3-Ketoacyl-CoA", "CHEBI:15489"),
        ("3-carboxy-1-hydroxypropyl-ThPP", "CHEBI:1463"),
    ],
)
def test_recognises_pathway_spellings_of_chebi_names(
    chemicals: ChemicalRecogniser, label: str, chebi_id: str
) -> None:
    found = chemicals.recognise([_line(label, 100, 100, 0)])
    assert [(m.word, m.chebi) for m in found] == [(label, chebi_id)]


@pytest.mark.parametrize(
    ("term", "source", "reason"),
    [
        ("sildenafil", SOURCE_CHEBI, None),
        ("15(S)-HETE", SOURCE_CHEBI, None),
        ("SU-2", SOURCE_CHEBI, "short_code"),
        ("PGG2", SOURCE_CHEBI_VARIANT, None),  # a derived abbreviation, not a code
        ("probe", SOURCE_CHEBI, "plain_word"),
        ("diuretic", SOURCE_CHEBI, "plain_word"),
        ("methyl", SOURCE_CHEBI, "plain_word"),
        ("molecule", SOURCE_CHEBI, "plain_word"),
        ("azide", SOURCE_CHEBI, None),
        ("Protein C", SOURCE_CHEBI, "not_a_substance"),
        ("RNA fragment", SOURCE_CHEBI, "not_a_substance"),
    ],
)
def test_chebi_term_reason(term: str, source: str, reason: str | None) -> None:
    assert chebi_term_reason(term, source) == reason


def _data() -> ChebiData:
    names = {
        "CHEBI:30769": "citric acid",
        "CHEBI:35808": "citrate(2-)",
        "CHEBI:16947": "citrate(3-)",
        "CHEBI:132362": "citrate(4-)",
        "CHEBI:50906": "role",
        "CHEBI:52214": "ligand",
        "CHEBI:9139": "sildenafil",
        "CHEBI:1": "calcitonin",
    }
    base = "is_conjugate_base_of"
    relations = {
        "CHEBI:35808": {base: ("CHEBI:30769",)},
        "CHEBI:16947": {base: ("CHEBI:35808",), "has_role": (chebi.HUMAN_METABOLITE,)},
        "CHEBI:132362": {base: ("CHEBI:16947",)},
        "CHEBI:52214": {"is_a": ("CHEBI:50906",)},
    }
    return ChebiData(names=names, curated={}, pubchem={}, relations=relations)


def test_chebi_rows_ground_anions_to_the_family_mesh_id() -> None:
    links = {"D019343": ChebiLink("CHEBI:30769", chebi.LINK_CURATED)}
    rows, counts = chebi_rows(_data(), links, ["Citric Acid"], gene_terms={"calcitonin"})
    by_term = {row[0]: row for row in rows}
    # the form ChEBI marks as the human metabolite wins among the charge states
    assert by_term["citrate"] == (
        "citrate",
        "D019343",
        "citrate(3-)",
        "CHEBI:16947",
        "chebi_variant",
    )
    assert by_term["sildenafil"][1:] == ("", "sildenafil", "CHEBI:9139", "chebi")
    assert "ligand" not in by_term and "role" not in by_term  # roles are not substances
    assert "calcitonin" not in by_term and counts["dropped_gene_term"] == 1
    assert "citric acid" not in by_term  # MeSH already has it (a linked ChEBI name)
    assert counts["rows_with_mesh"] == 4  # "citrate" and the three charged names


def test_the_drawn_form_chooses_the_charge_state() -> None:
    names = {"CHEBI:28442": "15-oxoprostaglandin F2alpha",
             "CHEBI:133409": "15-oxoprostaglandin F2alpha(1-)"}  # fmt: skip
    relations = {
        "CHEBI:133409": {
            "is_conjugate_base_of": ("CHEBI:28442",),
            "has_role": (chebi.HUMAN_METABOLITE,),
        }
    }
    data = ChebiData(names=names, curated={}, pubchem={}, relations=relations)
    rows, _ = chebi_rows(data, {}, [], gene_terms=set())
    by_term = {row[0]: row for row in rows}
    # the acid is named so; its anion gives the same term only once "(1-)" is dropped
    assert by_term["15-ketoPGF2a"][3] == "CHEBI:28442"
    assert by_term["15-oxoprostaglandin F2alpha(1-)"][3] == "CHEBI:133409"


def test_conjugate_families_join_charge_states() -> None:
    families = chebi.conjugate_families(_data().relations)
    assert {families[c] for c in ("CHEBI:30769", "CHEBI:35808", "CHEBI:132362")} == {"CHEBI:16947"}


def test_chebi_file_is_built_and_small() -> None:
    manifest = read_manifest()
    assert manifest["files"][CHEBI_TERMS_FILE]["bytes"] < 5_000_000
    rows = list(iter_tsv_gz(DATA_DIR / CHEBI_TERMS_FILE))
    assert {r["source"] for r in rows} == {SOURCE_CHEBI, SOURCE_CHEBI_VARIANT}
    assert all(r["chebi"].startswith("CHEBI:") for r in rows)


@pytest.mark.parametrize(
    ("text", "word", "chebi_id"),
    [
        ("Pyruvate enters the mitochondrion", "Pyruvate", "CHEBI:15361"),
        ("2-oxoglutarate is decarboxylated", "2-oxoglutarate", "CHEBI:16810"),
        ("Selenite is reduced to selenide", "Selenite", "CHEBI:18212"),
        ("PGG2 is reduced to PGH2", "PGG2", "CHEBI:27647"),
        ("15(S)-HETE accumulates", "15(S)-HETE", "CHEBI:15558"),
        ("treated with sildenafil", "sildenafil", "CHEBI:9139"),
    ],
)
def test_recognises_chebi_only_names(
    chemicals: ChemicalRecogniser, text: str, word: str, chebi_id: str
) -> None:
    found = {m.word: m.chebi for m in chemicals.recognise_text(text)}
    assert found.get(word) == chebi_id


@pytest.mark.parametrize(
    "text",
    [
        "a fluorescent probe was used",
        "the ligand binds its receptor",
        "an oligomer forms at the membrane",
        "enzymes of the citric acid cycle",
    ],
)
def test_english_words_and_processes_are_not_chemicals(
    chemicals: ChemicalRecogniser, text: str
) -> None:
    assert chemicals.recognise_text(text) == []


def _line(text: str, x0: float, y0: float, line: int) -> OcrToken:
    return OcrToken(text, x0, y0, x0 + 9 * len(text), y0 + 20, 0.95, "line", line)


def test_wrapped_label_is_joined_across_an_interleaved_line(
    chemicals: ChemicalRecogniser,
) -> None:
    """Reading order puts a label further right between the two lines of a wrapped label."""
    tokens = [
        _line("Glyceraldehyde-", 100, 100, 0),
        _line("Dihydroxyacetone", 500, 100, 1),
        _line("3-phosphate", 110, 121, 2),
        _line("phosphate", 530, 122, 3),
    ]
    words = {m.word for m in chemicals.recognise(tokens)}
    assert {"Glyceraldehyde-3-phosphate", "Dihydroxyacetone phosphate"} <= words


def test_superscript_charge_dropped_by_ocr(chemicals: ChemicalRecogniser) -> None:
    tokens = [_line("Ca²", 100, 100, 0), _line("Ca2", 100, 300, 1)]
    found = [(m.word, m.mesh) for m in chemicals.recognise(tokens)]
    assert found == [("Ca²", "D002118")]  # "Ca2" (no superscript) stays unread


def test_wrapped_label_whose_boxes_overlap_is_joined(chemicals: ChemicalRecogniser) -> None:
    """Small or blurred labels: the second line's box reaches half a height into the first."""
    tokens = [
        OcrToken("13,14-dihydro-", 106, 860, 185, 877, 0.99, "line", 0),
        OcrToken("15-keto-PGE2", 105, 869, 186, 892, 0.99, "line", 1),
    ]
    found = [(m.word, m.chebi) for m in chemicals.recognise(tokens)]
    assert found == [("13,14-dihydro-15-keto-PGE2", "CHEBI:15550")]


def test_alternative_reading_that_names_a_chemical_is_used(chemicals: ChemicalRecogniser) -> None:
    found = chemicals.recognise(
        [OcrToken("Omnithine", 0, 0, 90, 20, 0.8, alternatives=("Ornithine",))]
    )
    assert [(m.word, m.mesh) for m in found] == [("Ornithine", "D009952")]
    # the alternative of a wrapped label's first line names the label with the second
    wrapped = [
        OcrToken("Glyceral-3-", 368, 202, 418, 217, 0.8, "line", 0, ("Glycerol-3-",)),
        OcrToken("phosphate", 369, 214, 417, 227, 0.9, "line", 1),
    ]
    assert [m.word for m in chemicals.recognise(wrapped)] == ["Glycerol-3-phosphate"]
    # an alternative that misreads the word making a label a protein reads nothing new
    channel = OcrToken("Calcium channel", 0, 0, 150, 20, 0.8, alternatives=("Calcium channef",))
    assert chemicals.recognise([channel]) == []
    # a short name made by the alternative is not taken: "Cat" / "Cal"
    assert chemicals.recognise([OcrToken("Cat", 0, 0, 30, 20, 0.8, alternatives=("Cal",))]) == []
    # nor one that names less than the first reading
    first = OcrToken("Glucose", 0, 0, 70, 20, 0.8, alternatives=("Glucase",))
    assert [m.word for m in chemicals.recognise([first])] == ["Glucose"]


def test_long_names_match_with_l_i_and_1_confused(chemicals: ChemicalRecogniser) -> None:
    found = chemicals.recognise([OcrToken("Diacyiglycerol", 0, 0, 140, 20, 0.9)])
    assert [(m.word, m.match, m.mesh) for m in found] == [
        ("Diacyiglycerol", "Diacylglycerol", "D004075")
    ]
    # short names keep every letter: "Iysine" is not lysine
    assert chemicals.recognise([OcrToken("Iysine", 0, 0, 60, 20, 0.9)]) == []


def test_mesh_rows_take_the_chebi_id_the_curated_table_gives_their_descriptor(
    chemicals: ChemicalRecogniser,
) -> None:
    found = chemicals.recognise([OcrToken("Diacylglycerol", 0, 0, 140, 20, 0.95)])
    assert [(m.mesh, m.chebi) for m in found] == [("D004075", "CHEBI:18035")]  # as "DAG"
    # an ion's charge is not passed on to its element
    found = chemicals.recognise([OcrToken("Sodium", 0, 0, 60, 20, 0.95)])
    assert [(m.mesh, m.chebi) for m in found] == [("D012964", "")]


def test_locant_comma_read_as_a_full_stop(chemicals: ChemicalRecogniser) -> None:
    tokens = [_line("13.14-dihydro-", 100, 100, 0), _line("15-keto-PGF2a", 100, 121, 1)]
    assert [m.chebi for m in chemicals.recognise(tokens)] == ["CHEBI:63976"]
    assert chemicals.recognise_text("a 1.5-fold rise") == []


def test_calcium_symbol_without_its_charge_needs_calcium_machinery(
    chemicals: ChemicalRecogniser,
) -> None:
    beside_channel = [_line("Ca", 100, 100, 0), _line("Calcium channel", 100, 300, 1)]
    assert [(m.word, m.chebi) for m in chemicals.recognise(beside_channel)] == [
        ("Ca", "CHEBI:29108")
    ]
    assert chemicals.recognise([_line("Ca", 100, 100, 0), _line("MAPK1", 100, 300, 1)]) == []


def test_curated_links_skip_ions_and_mesh_ids_with_two_chebi_ids() -> None:
    from pfocr.recognise.chemicals import curated_chebi_links
    from pfocr.recognise.terms import SOURCE_CURATED, Entry

    rows = [
        Entry("DAG", "Diglycerides", ("D004075", "CHEBI:18035"), SOURCE_CURATED),
        Entry("Ca", "Calcium", ("D002118", "CHEBI:29108"), SOURCE_CURATED),
        Entry("Na+", "Sodium", ("D012964", "CHEBI:29101"), SOURCE_CURATED),
        Entry("NAD", "NAD", ("D009243", "CHEBI:15846"), SOURCE_CURATED),
        Entry("NADH", "NAD", ("D009243", "CHEBI:16908"), SOURCE_CURATED),
    ]
    assert curated_chebi_links(rows) == {"D004075": "CHEBI:18035"}
