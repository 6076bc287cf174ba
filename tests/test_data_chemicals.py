"""The vendored chemical and disease lexicons, the curated tables and the pure build steps."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

from pfocr.errors import LexiconError
from pfocr.recognise import chemicals, diseases, terms
from pfocr.sources import chebi, disease_ontologies, mesh
from pfocr.sources.build import DATA_DIR, iter_tsv_gz, read_manifest, verify_data
from pfocr.sources.chemical_disease import (
    CHEMICAL_TERMS_COLUMNS,
    CHEMICAL_TERMS_FILE,
    DISEASE_TERMS_COLUMNS,
    DISEASE_TERMS_FILE,
    SOURCE_MESH_VARIANT,
    acid_anion_rows,
    is_chemical,
    usable_term,
)

MESH_ID = re.compile(r"^(?:D\d{6,9}|C\d{6,9})$")
CHEBI_ID = re.compile(r"^CHEBI:\d+$")


@pytest.fixture(scope="module")
def chemical_rows() -> list[dict[str, str]]:
    return list(iter_tsv_gz(DATA_DIR / CHEMICAL_TERMS_FILE))


@pytest.fixture(scope="module")
def disease_rows() -> list[dict[str, str]]:
    return list(iter_tsv_gz(DATA_DIR / DISEASE_TERMS_FILE))


def _index(rows: list[dict[str, str]]) -> dict[str, set[str]]:
    by_term: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        by_term[row["term"]].add(row["mesh"])
    return by_term


@pytest.mark.parametrize("name", [CHEMICAL_TERMS_FILE, DISEASE_TERMS_FILE])
def test_files_match_the_manifest(name: str) -> None:
    manifest = read_manifest()
    assert name in manifest["files"], "run `pfocr data build`"
    assert not [p for p in verify_data() if p.startswith(name)]
    assert {"mesh", "chebi", "doid", "mondo"} <= set(manifest["upstreams"])
    assert manifest["files"][name]["bytes"] < 5_000_000


def test_chemical_rows_are_sorted_and_well_formed(chemical_rows: list[dict[str, str]]) -> None:
    assert list(chemical_rows[0]) == list(CHEMICAL_TERMS_COLUMNS)
    keys = [(r["term"], r["mesh"]) for r in chemical_rows]
    assert keys == sorted(keys) and len(keys) == len(set(keys))
    assert all(MESH_ID.match(r["mesh"]) for r in chemical_rows)
    assert all(CHEBI_ID.match(r["chebi"]) for r in chemical_rows if r["chebi"])
    assert all(usable_term(r["term"]) is None for r in chemical_rows)


@pytest.mark.parametrize(
    ("term", "mesh_id", "chebi_id"),
    [
        ("Adenosine Triphosphate", "D000255", "CHEBI:15422"),
        ("Glucose", "D005947", "CHEBI:17234"),
        ("Cholesterol", "D002784", "CHEBI:16113"),
        ("Nitric Oxide", "D009569", "CHEBI:16480"),
    ],
)
def test_chemicals_grounded_to_mesh_and_chebi(
    chemical_rows: list[dict[str, str]], term: str, mesh_id: str, chebi_id: str
) -> None:
    rows = [r for r in chemical_rows if r["term"] == term and r["mesh"] == mesh_id]
    assert rows and rows[0]["chebi"] == chebi_id


@pytest.mark.parametrize("term", ["NF-kappa B", "Insulin", "Protein Kinase C", "Enzyme Inhibitors"])
def test_proteins_and_categories_are_not_chemicals(
    chemical_rows: list[dict[str, str]], term: str
) -> None:
    assert term not in _index(chemical_rows)


def test_no_permuted_or_short_terms(chemical_rows: list[dict[str, str]]) -> None:
    assert not [r for r in chemical_rows if ", " in r["term"] or len(r["term"]) < 3]


def test_disease_rows(disease_rows: list[dict[str, str]]) -> None:
    assert list(disease_rows[0]) == list(DISEASE_TERMS_COLUMNS)
    index = _index(disease_rows)
    assert index["breast cancer"] == {"D001943"}  # from DOID/MONDO, not a MeSH entry term
    assert "D000544" in index["Alzheimer Disease"]
    alzheimer = next(r for r in disease_rows if r["term"] == "Alzheimer Disease")
    assert (alzheimer["doid"], alzheimer["mondo"]) == ("DOID:10652", "MONDO:0004975")
    assert "AD" not in index and "respiratory syncytial virus" not in index
    assert all(r["source"] in {"mesh_label", "mesh_entry", "doid", "mondo"} for r in disease_rows)


def _curated(name: str, columns: tuple[str, ...]) -> list[dict[str, str]]:
    return terms.read_curated(DATA_DIR / name, columns)


def test_chemical_abbreviations_are_grounded(chemical_rows: list[dict[str, str]]) -> None:
    rows = _curated(chemicals.ABBREVIATIONS_FILE, chemicals.ABBREVIATION_COLUMNS)
    assert len(rows) >= 250
    abbreviations = {r["abbreviation"] for r in rows}
    assert {
        "cAMP",
        "cGMP",
        "Ca2+",
        "IP3",
        "DAG",
        "PIP2",
        "PIP3",
        "ROS",
        "NO",
        "H2O2",
    } <= abbreviations
    assert len(abbreviations) == len(rows)
    lexicon_mesh = {r["mesh"] for r in chemical_rows}
    for row in rows:
        assert row["reason"], row
        assert not row["mesh"] or MESH_ID.match(row["mesh"]), row
        assert not row["chebi"] or CHEBI_ID.match(row["chebi"]), row
        assert row["over_gene"] in ("", "yes"), row
    descriptors = {r["mesh"] for r in rows if r["mesh"].startswith("D")}
    # curated rows point at chemicals the lexicon knows (or, rarely, lipoproteins it drops)
    assert len(descriptors - lexicon_mesh) <= 5


def test_disease_abbreviations_all_need_context() -> None:
    rows = _curated(diseases.ABBREVIATIONS_FILE, diseases.ABBREVIATION_COLUMNS)
    assert {"AD", "PD", "T2D", "HCC", "NSCLC", "CRC", "AML"} <= {r["abbreviation"] for r in rows}
    assert all(terms.split_context(r["context"]) and MESH_ID.match(r["mesh"]) for r in rows)


def test_stopwords_have_kinds_and_reasons() -> None:
    rows = _curated(chemicals.STOPWORDS_FILE, chemicals.STOPWORD_COLUMNS)
    assert all(r["kind"] in {"chemical", "disease", "both"} and r["reason"] for r in rows)
    assert "lead" in terms.stopwords_for(rows, "chemical")


def test_curated_table_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("abbreviation\tmesh\nATP\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"bad\.tsv"):
        terms.read_curated(bad, ("abbreviation", "mesh", "chebi"))
    with pytest.raises(LexiconError, match="row 2"):
        terms.read_curated(bad, ("abbreviation", "mesh"))


# --- pure build steps ---------------------------------------------------------------------


def test_descriptor_parsing_and_chemical_branches() -> None:
    text = (
        "D000255\tAdenosine Triphosphate\tATP|Adenosine Triphosphate, Magnesium Salt\t"
        "D03.633.100.759.646.138.694.100|D13.695.667.138.694.100\t\n"
        "D016328\tNF-kappa B\tNF kappa B\tD12.776.260.640|D12.776.930.590\t\n"
        "D004791\tEnzyme Inhibitors\t\tD27.505.519.389\t\n"
        "D012701\tSerotonin\t5-HT\tD03.633.100.473.426.700|D27.505.696.577.750\t\n"
    )
    parsed = {d.label: d for d in mesh.parse_descriptors(text)}
    assert parsed["Adenosine Triphosphate"].synonyms[0] == "ATP"
    assert is_chemical(parsed["Adenosine Triphosphate"])
    assert is_chemical(parsed["Serotonin"])  # also in D27, but has a structural tree number
    assert not is_chemical(parsed["NF-kappa B"])
    assert not is_chemical(parsed["Enzyme Inhibitors"])
    with pytest.raises(LexiconError, match="not a MeSH descriptor id"):
        mesh.parse_descriptors("X1\tfoo\t\tD01\t\n")


@pytest.mark.parametrize(
    ("term", "reason"),
    [("Acid, Lactic", "permuted_form"), ("Zn", "too_short"), ("123", "no_letters"),
     ("Lactic Acid", None), ("x" * 61, "too_long")],
)  # fmt: skip
def test_usable_term(term: str, reason: str | None) -> None:
    assert usable_term(term) == reason


def test_chebi_links_prefer_curated_then_unique_automatic() -> None:
    links = chebi.combine_links(
        ["D1", "D2", "D3", "D4"],
        [
            (chebi.LINK_CURATED, {"D1": {"CHEBI:30", "CHEBI:7"}}),
            (chebi.LINK_PUBCHEM, {"D1": {"CHEBI:1"}, "D2": {"CHEBI:2", "CHEBI:3"}}),
            (chebi.LINK_NAME, {"D2": {"CHEBI:4"}, "D3": {"CHEBI:5"}}),
        ],
    )
    assert links["D1"] == chebi.ChebiLink("CHEBI:7", chebi.LINK_CURATED)
    assert links["D2"] == chebi.ChebiLink("CHEBI:4", chebi.LINK_NAME)  # PubChem was ambiguous
    assert links["D3"].via == chebi.LINK_NAME and "D4" not in links


def test_chebi_link_by_an_entry_term_when_the_label_names_nothing() -> None:
    names = {
        "CHEBI:15414": "S-adenosyl-L-methionine",
        "CHEBI:4356": "desferrioxamine B",
        "CHEBI:50453": "desferrioxamine",
    }
    data = chebi.ChebiData(names=names, curated={}, pubchem={})
    labels = {"D012436": "S-Adenosylmethionine", "D003676": "Deferoxamine"}
    synonyms = {
        "D012436": ("AdoMet", "S-Adenosyl-L-Methionine"),
        "D003676": ("Desferrioxamine B", "Desferrioxamine"),
    }
    links = chebi.mesh_to_chebi(data, labels, synonyms)
    assert links["D012436"] == chebi.ChebiLink("CHEBI:15414", chebi.LINK_SYNONYM)
    assert "D003676" not in links  # two entry terms, two ChEBI ids: no link
    assert chebi.mesh_to_chebi(data, labels) == {}


def test_ontology_parsing_prefixes_ids_and_skips_obsolete() -> None:
    raw = (
        b'[{"id": "0004975", "name": "Alzheimer disease", "synonyms": ["AD"],'
        b' "xrefs": [{"id": "D000544", "namespace": "MESH"},'
        b' {"id": "10652", "namespace": "DOID"}]},'
        b' {"id": "0000001", "name": "obsolete thing"}]'
    )
    parsed = disease_ontologies.parse_ontology(raw, "MONDO", "mondo.json")
    assert [(t.term_id, t.mesh, t.doid) for t in parsed] == [
        ("MONDO:0004975", ("D000544",), ("DOID:10652",))
    ]
    assert disease_ontologies.ids_by_mesh(parsed) == {"D000544": "MONDO:0004975"}


def test_acid_terms_get_their_anion_names() -> None:
    rows = [
        ("Uric Acid", "D014527", "Uric Acid", "CHEBI:17775", "mesh_label"),
        ("Triiodobenzoic Acids", "D014283", "Triiodobenzoic Acids", "", "mesh_label"),
        ("Fatty Acids", "D005227", "Fatty Acids", "", "mesh_label"),  # not an "-ic acid"
        ("Lactic Acid", "D019344", "Lactic Acid", "", "mesh_label"),
        ("Selenious Acid", "D018036", "Selenious Acid", "", "mesh_label"),
    ]
    anions, counts = acid_anion_rows(rows, ["Lactate"], set())
    assert anions == [
        ("Selenite", "D018036", "Selenious Acid", "", SOURCE_MESH_VARIANT),
        ("Triiodobenzoates", "D014283", "Triiodobenzoic Acids", "", SOURCE_MESH_VARIANT),
        ("Urate", "D014527", "Uric Acid", "CHEBI:17775", SOURCE_MESH_VARIANT),
    ]
    assert counts["dropped_known_or_unusable"] == 1  # "Lactate" is already a term


def test_anion_names_are_in_the_lexicon(chemical_rows: list[dict[str, str]]) -> None:
    rows = {
        r["term"].replace("-", ""): r for r in chemical_rows if r["source"] == SOURCE_MESH_VARIANT
    }
    assert rows["alphaketoisocaproate"]["mesh"] == "C013082"
    assert rows["Guanylate"]["mesh"] == "D006157"
