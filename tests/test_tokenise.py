"""OCR lines to words and lookup candidates: boxes, skip rules, rejoined labels."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pfocr.models import OcrToken
from pfocr.recognise import tokenise
from pfocr.recognise.tokenise import (
    build_candidate,
    candidate_spans,
    candidates,
    clean_word,
    group_lines,
    is_list_like,
    is_skippable,
    line_candidates,
    words_from_lines,
)


def line(text: str, x0: float, y0: float, x1: float, y1: float, index: int, conf: float = 0.9):
    return OcrToken(text, x0=x0, y0=y0, x1=x1, y1=y1, confidence=conf, kind="line", line=index)


def accept_only(*texts: str):
    """An accept callback that names exactly these joined strings as genes."""
    wanted = set(texts)
    seen: list[tuple[str, str]] = []

    def accept(text: str, kind: str) -> bool:
        seen.append((text, kind))
        return text in wanted

    accept.seen = seen  # type: ignore[attr-defined]
    return accept


def test_words_get_boxes_proportional_to_character_offsets() -> None:
    words = words_from_lines([line("AKT PTEN", 100, 10, 180, 30, 4)])
    assert [w.text for w in words] == ["AKT", "PTEN"]
    akt, pten = words
    assert (akt.x0, akt.x1) == (100, 130)
    assert (pten.x0, pten.x1) == (140, 180)
    assert all(
        (w.y0, w.y1, w.kind, w.line, w.confidence) == (10, 30, "word", 4, 0.9) for w in words
    )


def test_lines_without_distinct_indexes_are_numbered_in_order() -> None:
    tokens = [line("EGFR", 0, 0, 40, 10, 0), line("KRAS", 0, 20, 40, 30, 0)]
    assert [w.line for w in words_from_lines(tokens)] == [0, 1]


def test_word_tokens_pass_through() -> None:
    word = OcrToken("TP53", 1, 2, 3, 4, 0.5, kind="word", line=7)
    assert words_from_lines([word]) == [word]


def test_arrows_and_em_dashes_separate_words() -> None:
    words = words_from_lines([line("TLR4→MyD88—NF-κB", 0, 0, 170, 10, 0)])
    assert [w.text for w in words] == ["TLR4", "MyD88", "NF-κB"]


@pytest.mark.parametrize(
    "word",
    ["a", "7", "12", "-3", "3.5", "0,25", "1e-5", "2.5E+3", "2x3", "4 x 5", "50%", "Ca2+", "K+",
     "Cl-", "PI(4,5)P2", "PI4P", "ATGCATGCATGCATG", "Ab_cdefghijklmn"],
)  # fmt: skip
def test_skip_rules(word: str) -> None:
    assert is_skippable(word)


@pytest.mark.parametrize("word", ["IL6", "p53", "ERK1/2", "CD4", "TLR1,2", "IkappaBalpha", "C3"])
def test_skip_rules_keep_gene_like_words(word: str) -> None:
    assert not is_skippable(word)


def test_a_skipped_token_does_not_abandon_the_rest_of_its_line() -> None:
    # PFOCR broke out of the line at the first numeric token (defect 1)
    words = words_from_lines([line("12 TP53 3.5 EGFR 2x3 KRAS", 0, 0, 260, 10, 0)])
    texts = [c.text for c in candidates(words, accept_only())]
    assert texts == ["TP53", "EGFR", "KRAS"]


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("(ERK)", "ERK"),
        ("[Cdh1],", "Cdh1"),
        ("([CycB],", "CycB"),
        ("PAK(1-3)", "PAK(1-3)"),
        ("AKT(S473)", "AKT(S473)"),
        ("IL-6,", "IL-6"),
        ('"TP53".', "TP53"),
        ("Ca2+", "Ca2+"),
        ("Tlr4-/-", "Tlr4-/-"),
        ("*p53*", "p53"),
        ("β-catenin:", "β-catenin"),
    ],
)
def test_clean_word(raw: str, clean: str) -> None:
    assert clean_word(raw) == clean


@pytest.mark.parametrize("word", ["1/2", "3/7/9", "(1-3)", "2,", "α", "βγ", "3β", "κB", "B", "and",
                                  "/", "gamma", "Beta"])  # fmt: skip
def test_list_like_continuations(word: str) -> None:
    assert is_list_like(word)


@pytest.mark.parametrize("word", ["AKT", "dimer", "GAP", "signaling", "IRF3"])
def test_words_that_do_not_continue_a_label(word: str) -> None:
    assert not is_list_like(word)


def test_list_suffix_on_the_same_line_is_joined_longest_first() -> None:
    words = words_from_lines([line("TLRs 3/7/9 and 5 TNF", 0, 0, 200, 10, 0)])
    accept = accept_only("TLRs 3/7/9")
    found = candidates(words, accept)
    assert [(c.text, c.kind, c.size) for c in found] == [
        ("TLRs 3/7/9", "list", 2),
        ("and", "word", 1),  # "5" alone is a number
        ("TNF", "word", 1),
    ]
    assert accept.seen[0] == ("TLRs 3/7/9 and 5", "list")  # the longest span is tried first
    assert found[0].x0 == 0 and found[0].x1 == pytest.approx(100)


def test_slash_with_spaces_is_rejoined() -> None:
    words = words_from_lines([line("PI3K / AKT", 0, 0, 100, 10, 0)])
    found = candidates(words, accept_only("PI3K/AKT"))
    assert [c.text for c in found] == ["PI3K/AKT"]


def test_two_words_forming_one_symbol_are_offered_as_a_pair() -> None:
    words = words_from_lines([line("Rap1 GAP", 0, 0, 80, 10, 0)])
    accept = accept_only("Rap1 GAP")
    assert [(c.text, c.kind) for c in candidates(words, accept)] == [("Rap1 GAP", "pair")]


def test_rejected_joins_fall_back_to_single_words() -> None:
    words = words_from_lines([line("IRF3 dimer", 0, 0, 100, 10, 0)])
    assert [c.text for c in candidates(words, accept_only())] == ["IRF3", "dimer"]


def test_label_broken_after_a_hyphen_onto_the_next_line_is_rejoined() -> None:
    tokens = [line("NF-", 100, 100, 130, 112, 0, 0.9), line("κB", 102, 114, 124, 126, 1, 0.7)]
    (cand,) = candidates(words_from_lines(tokens), accept_only("NF-κB"))
    assert (cand.text, cand.kind, cand.size) == ("NF-κB", "split", 2)
    assert (cand.x0, cand.y0, cand.x1, cand.y1, cand.confidence) == (100, 100, 130, 126, 0.7)


def test_two_line_label_is_offered_as_a_pair() -> None:
    tokens = [line("Rap1", 100, 100, 130, 112, 0), line("GAP", 102, 114, 128, 126, 1)]
    found = candidates(words_from_lines(tokens), accept_only("Rap1 GAP"))
    assert [c.text for c in found] == ["Rap1 GAP"]


def test_lines_far_apart_are_not_joined() -> None:
    tokens = [line("NF-", 100, 100, 130, 112, 0), line("κB", 102, 200, 124, 212, 1)]
    accept = accept_only("NF-κB")
    assert [c.text for c in candidates(words_from_lines(tokens), accept)] == ["NF-", "κB"]
    assert accept.seen == []
    beside = [line("NF-", 100, 100, 130, 112, 0), line("κB", 400, 114, 424, 126, 1)]
    assert [c.text for c in candidates(words_from_lines(beside), accept)] == ["NF-", "κB"]


def test_candidates_come_in_reading_order() -> None:
    tokens = [line("B1 A1", 0, 0, 100, 10, 0), line("C1", 0, 50, 40, 60, 1)]
    assert [c.text for c in candidates(words_from_lines(tokens), accept_only())] == [
        "B1",
        "A1",
        "C1",
    ]


def test_line_alternatives_are_split_per_word_when_they_align() -> None:
    token = OcrToken(
        "IL1O TNF", 0, 0, 80, 10, 0.9, alternatives=("IL10 TNF", "IL1O TNF alpha", "ILlO TNF")
    )
    il10, tnf = words_from_lines([token])
    assert il10.alternatives == ("IL10", "ILlO")  # the 3-word reading does not align
    assert tnf.alternatives == ()
    (first, _) = candidates([il10, tnf], accept_only())
    assert first.alternatives == ("IL10", "ILlO")


def test_a_list_never_ends_on_a_connector() -> None:
    words = words_from_lines([line("IFNa4 and ISG56", 0, 0, 150, 10, 0)])
    accept = accept_only()
    texts = [c.text for c in candidates(words, accept)]
    assert texts == ["IFNa4", "and", "ISG56"]
    assert ("IFNa4 and", "list") not in accept.seen


# ------------------------------------------------------- shortcuts agree with the rules

OCR_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20) | st.text(
    alphabet="ABCab01+-.,;:()[]/αβ ²\u2013", max_size=12
)


def _clean_by_the_rules(text: str) -> str:
    """``clean_word`` without its shortcut for words with nothing to strip."""
    text = tokenise._TRAIL_JUNK.sub("", tokenise._LEAD_JUNK.sub("", text.strip()))
    for open_, close in (("(", ")"), ("[", "]")):
        if text.startswith(open_) and text.endswith(close) and text.count(open_) == 1:
            text = text[1:-1]
        elif text.endswith(close) and text.count(close) > text.count(open_):
            text = text[:-1]
        elif text.startswith(open_) and text.count(open_) > text.count(close):
            text = text[1:]
    return tokenise._TRAIL_JUNK.sub("", tokenise._LEAD_JUNK.sub("", text))


@settings(max_examples=400, deadline=None)
@given(text=OCR_TEXT)
def test_clean_word_shortcut_agrees_with_the_rules(text: str) -> None:
    assert clean_word.__wrapped__(text) == _clean_by_the_rules(text)


@settings(max_examples=400, deadline=None)
@given(word=OCR_TEXT | st.text(alphabet=st.characters(categories=("L",)), max_size=16))
def test_skip_shortcut_for_letters_agrees_with_the_rules(word: str) -> None:
    by_rules = len(word) <= 1 or tokenise._SKIP.search(word) is not None
    assert is_skippable.__wrapped__(word) == by_rules


def test_one_word_lines_split_as_any_line() -> None:
    tokens = [
        line("TNF", 10, 0, 40, 10, 0),
        line("p-ERK →  AKT", 10, 20, 130, 30, 1),
        line("", 0, 40, 0, 50, 2),
    ]
    words = words_from_lines(tokens)
    assert [(w.text, w.x0, w.x1, w.line) for w in words] == [
        ("TNF", 10.0, 40.0, 0),
        ("p-ERK", 10.0, 10 + 120 * 5 / 12, 1),
        ("AKT", 10 + 120 * 9 / 12, 130.0, 1),
    ]


def test_candidate_spans_build_the_same_candidates() -> None:
    words = words_from_lines(
        [
            line("ERK 1/2 and TNF", 0, 0, 150, 10, 0),
            line("NF-", 0, 20, 30, 30, 1),
            line("κB", 0, 32, 20, 42, 2),
        ]
    )
    accept = accept_only("ERK 1/2", "NF-κB")
    built = [build_candidate(*span) for span in candidate_spans(group_lines(words), accept)]
    assert built == candidates(words, accept)
    assert built == line_candidates(group_lines(words), accept)
    assert [(c.text, c.kind) for c in built] == [
        ("ERK 1/2", "list"),
        ("and", "word"),
        ("TNF", "word"),
        ("NF-κB", "split"),
    ]


# ------------------------------------------------------- tokens built without __init__

LINE_TEXT = st.text(alphabet="AKTerk12-/ \u2192", max_size=16)


def _reference_words(tokens: list[OcrToken]) -> list[OcrToken]:
    """``words_from_lines`` as the dataclass constructor builds each word."""
    return [
        OcrToken(w.text, w.x0, w.y0, w.x1, w.y1, w.confidence, w.kind, w.line, w.alternatives)
        for w in words_from_lines(tokens)
    ]


@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(
        st.tuples(
            LINE_TEXT, st.floats(-5, 500), st.floats(0, 300), st.lists(LINE_TEXT, max_size=2)
        ),
        max_size=5,
    )
)
def test_word_tokens_equal_constructed_ones(
    lines: list[tuple[str, float, float, list[str]]],
) -> None:
    import pickle

    tokens = [
        OcrToken(
            text, x0, 10.0 * i, x0 + width, 10.0 * i + 8, 0.9, line=i, alternatives=tuple(alts)
        )
        for i, (text, x0, width, alts) in enumerate(lines)
    ]
    words = words_from_lines(tokens)
    reference = _reference_words(tokens)
    assert words == reference
    assert [hash(w) for w in words] == [hash(w) for w in reference]
    assert [repr(w) for w in words] == [repr(w) for w in reference]
    assert pickle.loads(pickle.dumps(words)) == reference
    assert all(w.kind == "word" for w in words)


def test_frozen_builds_what_the_constructor_builds() -> None:
    fields = dict(text="AKT1", x0=1.0, y0=2.0, x1=3.0, y1=4.0, confidence=0.5, kind="word",
                  line=7, alternatives=("AKTl",))  # fmt: skip
    token = tokenise._frozen(OcrToken, **fields)
    assert token == OcrToken(**fields) and hash(token) == hash(OcrToken(**fields))
    with pytest.raises(AttributeError):
        token.text = "AKT2"  # type: ignore[misc]


def test_frozen_builds_mentions_as_the_constructor_does() -> None:
    import dataclasses

    from pfocr.models import Mention

    fields = dict(word="Akt1", symbol="AKT1", source="hgnc_symbol", hgnc_symbol="AKT1",
                  entrez="207", x0=1.0, y0=2.0, x1=3.0, y1=4.0, confidence=0.95,
                  transforms=("casefold",), family="")  # fmt: skip
    assert [f.name for f in dataclasses.fields(Mention)] == list(fields)
    mention = tokenise._frozen(Mention, **fields)
    assert mention == Mention(**fields) and mention.to_json() == Mention(**fields).to_json()
