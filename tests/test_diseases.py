"""Disease recognition: vocabulary names, context-gated abbreviations and pathogen names."""

from __future__ import annotations

import pytest

from pfocr.models import DiseaseMention, OcrToken
from pfocr.recognise.diseases import DiseaseRecogniser


@pytest.fixture(scope="module")
def diseases() -> DiseaseRecogniser:
    return DiseaseRecogniser()


def _found(recogniser: DiseaseRecogniser, text: str, context: str = "") -> dict[str, str]:
    return {m.word: m.mesh for m in recogniser.recognise_text(text, context)}


@pytest.mark.parametrize(
    ("text", "word", "mesh"),
    [
        ("patients with breast cancer", "breast cancer", "D001943"),
        ("in Alzheimer's disease brains", "Alzheimer's disease", "D000544"),
        ("in Alzheimer’s disease brains", "Alzheimer’s disease", "D000544"),
        ("type 2 diabetes and obesity", "type 2 diabetes", "D003924"),
        ("hepatocellular carcinoma cells", "hepatocellular carcinoma", "D006528"),
        ("severe pneumonia", "pneumonia", "D011014"),
        ("growth of the tumor", "tumor", "D009369"),
        ("hepatitis C virus infection", "hepatitis C virus infection", "D006526"),
    ],
)
def test_recognises_diseases(diseases: DiseaseRecogniser, text: str, word: str, mesh: str) -> None:
    assert _found(diseases, text).get(word) == mesh


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("AD and PD were measured", "AD"),  # no context for the abbreviations
        ("dengue virus replicates", "dengue"),  # the pathogen, not the disease
        ("Mouse Hepatitis Coronavirus RNA", "Hepatitis"),
        ("the hepatitis C virus NS3 protease", "hepatitis"),
        ("growth of M. tuberculosis", "tuberculosis"),  # the species
        ("melanoma differentiation-associated gene 5", "melanoma"),  # a gene name
        ("tumor necrosis factor", "tumor"),
        ("the disease and its syndrome", "disease"),  # generic words
        ("cell death and inflammation", "inflammation"),  # processes
    ],
)
def test_rejects_non_diseases(diseases: DiseaseRecogniser, text: str, word: str) -> None:
    assert word not in _found(diseases, text)


@pytest.mark.parametrize(
    ("word", "context", "mesh"),
    [
        ("AD", "amyloid plaques in Alzheimer's disease", "D000544"),
        ("T2D", "insulin resistance", "D003924"),
        ("HCC", "liver tumours", "D006528"),
        ("NSCLC", "lung adenocarcinoma cells", "D002289"),
        ("CRC", "colorectal cancer", "D015179"),
    ],
)
def test_abbreviations_need_context(
    diseases: DiseaseRecogniser, word: str, context: str, mesh: str
) -> None:
    assert _found(diseases, f"{word} pathway", context).get(word) == mesh
    assert word not in _found(diseases, f"{word} pathway", "kinase signalling")


def test_ocr_tokens_and_figure_context(diseases: DiseaseRecogniser) -> None:
    tokens = [
        OcrToken("AD", 10, 10, 40, 30, 0.9, kind="line", line=0),
        OcrToken("MAPK1", 10, 200, 50, 220, 0.9, kind="line", line=1),
    ]
    assert diseases.recognise(tokens) == []
    found = diseases.recognise(tokens, context="Alzheimer disease pathway")
    assert [(m.word, m.mesh, m.doid, m.source) for m in found] == [
        ("AD", "D000544", "DOID:10652", "curated")
    ]
    assert (found[0].x0, found[0].y1) == (10, 30)


def test_mention_to_json() -> None:
    mention = DiseaseMention("AD", "AD", "Alzheimer Disease", "D000544", "DOID:10652")
    assert mention.to_json()["doid"] == "DOID:10652"
