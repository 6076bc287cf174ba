"""The recogniser: the cascade on real spellings, tiers, ambiguity, context and figures."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pfocr.errors import LexiconError
from pfocr.models import OcrToken
from pfocr.recognise import Lexicon, Recogniser, StopList, load_context_rules, matcher
from pfocr.recognise.lexicon import packaged_lexicon_path
from pfocr.recognise.matcher import (
    ALTERNATIVE_FACTOR,
    CONTEXT_FACTOR,
    LOOKUP_FACTOR,
    SOURCE_FACTOR,
)
from recognition_cases import KNOWN_LIMITS, NEGATIVE, POSITIVE

FIXTURE = Path(__file__).parent / "fixtures" / "gene_terms_small.tsv"


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon.load(FIXTURE)


@pytest.fixture(scope="module")
def recogniser(lexicon: Lexicon) -> Recogniser:
    return Recogniser(lexicon)


def genes(recogniser: Recogniser, text: str) -> set[str]:
    """Genes a one-line text names, after context and ambiguity resolution."""
    return {m.hgnc_symbol for m in recogniser.recognise_text(text)}


@pytest.mark.parametrize(("word", "expected"), POSITIVE, ids=[w for w, _ in POSITIVE])
def test_real_world_spelling(recogniser: Recogniser, word: str, expected: set[str]) -> None:
    assert genes(recogniser, word) == expected


@pytest.mark.parametrize("word", NEGATIVE)
def test_not_a_gene(recogniser: Recogniser, word: str) -> None:
    assert genes(recogniser, word) == set()


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        pytest.param(w, e, marks=pytest.mark.xfail(reason=r, strict=True), id=w)
        for w, e, r in KNOWN_LIMITS
    ],
)
def test_known_limits(recogniser: Recogniser, word: str, expected: set[str]) -> None:
    assert genes(recogniser, word) == expected


def test_match_word_records_the_transforms_in_order(recogniser: Recogniser) -> None:
    (match,) = recogniser.match_word("IFN-γ")
    assert match.hgnc_symbol == "IFNG"
    assert match.term.source == "hgnc_symbol"
    assert match.transforms == ("alphanumeric", "greek_names", "swaps")
    (match,) = recogniser.match_word("ＡＫＴ１")
    assert match.transforms[0] == "nfkc"
    assert {m.transforms for m in recogniser.match_word("TLRs 3/7/9")} == {("expand",)}


def test_p_erk_is_phospho_erk_not_perk(recogniser: Recogniser) -> None:
    matches = recogniser.match_word("p-ERK")
    assert {m.hgnc_symbol for m in matches} == {"MAPK1", "MAPK3"}
    assert all(m.transforms == ("root",) for m in matches)


def test_tier_priority_approved_beats_family_beats_previous_beats_alias(
    recogniser: Recogniser,
) -> None:
    # SRC is an approved symbol and a FamPlex family ("Src family kinases")
    assert [(m.hgnc_symbol, m.term.source) for m in recogniser.match_word("SRC")] == [
        ("SRC", "hgnc_symbol")
    ]
    # ERK: family ERK > previous symbol of EPHB2 > alias of MAPK1
    assert {m.term.source for m in recogniser.match_word("ERK")} == {"famplex"}
    # TAK1: previous symbol of MAP3K7 beats the NR2C2 alias
    assert [m.hgnc_symbol for m in recogniser.match_word("TAK1")] == ["MAP3K7"]


def test_exact_case_beats_case_folded_within_a_tier(recogniser: Recogniser) -> None:
    assert [m.hgnc_symbol for m in recogniser.match_word("p65")] == ["RELA"]
    assert all(m.hgnc_symbol != "RELA" for m in recogniser.match_word("P65"))


def test_short_synonyms_ignored_and_short_symbols_need_exact_case(lexicon: Lexicon) -> None:
    recogniser = Recogniser(lexicon)
    assert [m.hgnc_symbol for m in recogniser.match_word("C3")] == ["C3"]
    assert recogniser.match_word("c3") == []


def test_ambiguous_alias_is_not_expanded_to_every_gene(recogniser: Recogniser) -> None:
    matches = recogniser.match_word("p50")
    assert len(matches) > 1 and all(m.ambiguous for m in matches)
    assert genes(recogniser, "p50") == set()  # no context on the figure: record nothing


def test_unresolved_alias_is_reported_with_every_candidate(recogniser: Recogniser) -> None:
    reading = recogniser.read_text("p50\nRIP1\nTP53")
    assert [m.hgnc_symbol for m in reading.mentions] == ["TP53"]
    by_word = {a.word: a for a in reading.ambiguous}
    assert set(by_word) == {"p50", "RIP1"}
    p50 = by_word["p50"]
    assert p50.source == "hgnc_alias_symbol" and p50.symbol == "p50"
    assert "NFKB1" in p50.candidates and len(p50.candidates) > 1
    lexicon = recogniser.lexicon
    # every candidate's Entrez ID, in the same order as the symbols
    for symbol, entrez in zip(p50.candidates, p50.entrez, strict=True):
        assert any(t.entrez == entrez for t in lexicon.exact(symbol))
    assert recogniser.recognise_text("p50\nRIP1\nTP53") == reading.mentions


def test_resolved_or_ruled_words_are_not_reported_ambiguous(recogniser: Recogniser) -> None:
    assert recogniser.read_text("p50\nNF-κB").ambiguous == []  # context chose NFKB1
    assert recogniser.read_text("S1P").ambiguous == []  # a context rule: not a gene
    listed = recogniser.read_text("p50/p65")
    assert [m.hgnc_symbol for m in listed.mentions] == ["RELA"]
    assert [(a.word, a.symbol) for a in listed.ambiguous] == [("p50/p65", "p50")]


def test_ambiguous_alias_resolved_by_a_family_named_on_the_figure(
    recogniser: Recogniser,
) -> None:
    found = recogniser.recognise_text("p50\nNF-κB")
    p50 = [m for m in found if m.word == "p50"]
    assert [m.hgnc_symbol for m in p50] == ["NFKB1"]
    assert p50[0].confidence == pytest.approx(
        SOURCE_FACTOR["hgnc_alias_symbol"] * LOOKUP_FACTOR["exact"] * CONTEXT_FACTOR
    )


def test_ambiguous_alias_resolved_by_a_gene_named_on_the_figure(recogniser: Recogniser) -> None:
    assert "RIPK1" in genes(recogniser, "RIP1\nTRADD\nFADD")
    assert genes(recogniser, "RIP1") == set()


def test_context_rule_overrides_an_approved_symbol_only_in_context(
    recogniser: Recogniser,
) -> None:
    assert genes(recogniser, "PDK1") == {"PDK1"}
    assert genes(recogniser, "PDK1\nAKT1") == {"PDPK1", "AKT1"}
    assert genes(recogniser, "FAS") == {"FAS"}
    assert genes(recogniser, "FAS ACACA") == {"FASN", "ACACA"}


def test_context_rule_can_say_not_a_gene(recogniser: Recogniser) -> None:
    assert genes(recogniser, "S1P") == set()  # sphingosine-1-phosphate
    assert genes(recogniser, "S1P\nATF6") == {"MBTPS1", "ATF6"}
    assert genes(recogniser, "APCs") == set()
    assert genes(recogniser, "APC\nCTNNB1\nGSK3B") == {"APC", "CTNNB1", "GSK3B"}


def test_family_yields_only_members_named_elsewhere(recogniser: Recogniser) -> None:
    assert genes(recogniser, "STAT") >= {"STAT1", "STAT3", "STAT6"}
    assert genes(recogniser, "STAT\nSTAT1\nSTAT2") == {"STAT1", "STAT2"}


def test_families_can_be_switched_off_without_falling_to_lesser_tiers(lexicon: Lexicon) -> None:
    strict = Recogniser(lexicon, include_families=False)
    assert strict.match_word("ERK") == []  # not EPHB2 (previous) nor MAPK1 (alias)
    assert {m.hgnc_symbol for m in strict.match_word("ERK1/2")} == {"MAPK1", "MAPK3"}
    assert [m.hgnc_symbol for m in strict.match_word("JUN")] == ["JUN"]
    assert all(m.family == "" for m in strict.recognise_text("NF-κB\nAKT\nRELA"))


def test_stop_list_is_checked_on_the_word_as_read(recogniser: Recogniser) -> None:
    assert recogniser.match_word("LPS") == []
    # an expansion item that is a stop word drops that item only
    assert {m.hgnc_symbol for m in recogniser.match_word("ATP/IL-6")} == {"IL6"}
    # upper-case entries block every spelling, mixed-case ones leave upper case alone
    assert "lps" in recogniser.stoplist and "Lps" in recogniser.stoplist
    assert "set" in recogniser.stoplist and "SET" not in recogniser.stoplist


def test_every_curated_entry_has_a_reason() -> None:
    stoplist = StopList.load()
    assert len(stoplist.entries) > 100
    assert all(reason.strip() for reason in stoplist.entries.values())
    rules = load_context_rules()
    assert all(rule.reason.strip() for rs in rules.values() for rule in rs)
    assert any(rule.context is None for rs in rules.values() for rule in rs)


def test_malformed_curated_table_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "stop.tsv"
    bad.write_text("word\treason\nFOR\t\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"stop\.tsv"):
        StopList.load(bad)
    bad.write_text("word\twhy\nFOR\tEnglish\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="columns"):
        StopList.load(bad)


def test_recognise_keeps_reading_order_boxes_and_one_mention_per_token_and_gene(
    recogniser: Recogniser,
) -> None:
    tokens = [
        OcrToken("TP53 12 EGFR", x0=0, y0=0, x1=120, y1=10, confidence=0.9, line=0),
        OcrToken("TLR7/8 TLR8", x0=0, y0=40, x1=110, y1=50, confidence=0.8, line=1),
    ]
    found = recogniser.recognise(tokens)
    assert [m.hgnc_symbol for m in found] == ["TP53", "EGFR", "TLR7", "TLR8", "TLR8"]
    tp53, egfr = found[0], found[1]
    assert (tp53.x0, tp53.x1) == (0, 40) and tp53.word == "TP53"
    assert egfr.x0 == pytest.approx(80) and egfr.y1 == 10
    assert tp53.confidence == pytest.approx(0.9)  # approved, exact: factor 1
    assert found[2].word == "TLR7/8" and found[2].transforms == ("expand",)
    assert found[2].x1 == pytest.approx(60) and found[4].x0 == pytest.approx(70)
    assert found[2].confidence == pytest.approx(0.8)


def test_list_that_is_also_a_family_name_keeps_every_member(recogniser: Recogniser) -> None:
    found = recogniser.recognise_text("ERK1/2 ERK2")
    assert {m.hgnc_symbol for m in found if m.word == "ERK1/2"} == {"MAPK1", "MAPK3"}


def test_family_mentions_carry_the_family_id(recogniser: Recogniser) -> None:
    found = recogniser.recognise_text("PI3K")
    assert len(found) == 10
    assert {m.family for m in found} == {"PI3K"} and {m.source for m in found} == {"famplex"}


def test_label_broken_across_lines_is_rejoined(recogniser: Recogniser) -> None:
    tokens = [
        OcrToken("NF-", x0=100, y0=100, x1=130, y1=112, confidence=0.9, line=0),
        OcrToken("κB", x0=102, y0=114, x1=124, y1=126, confidence=0.8, line=1),
    ]
    found = recogniser.recognise(tokens)
    assert {m.hgnc_symbol for m in found} == {"NFKB1", "NFKB2", "REL", "RELA", "RELB"}
    assert found[0].word == "NF-κB" and (found[0].y0, found[0].y1) == (100, 126)


def test_recognise_text_has_zero_boxes(recogniser: Recogniser) -> None:
    (m,) = recogniser.recognise_text("EGFR")
    assert (m.x0, m.y0, m.x1, m.y1) == (0, 0, 0, 0)


def test_match_word_is_cached_per_distinct_word(recogniser: Recogniser) -> None:
    first = recogniser.match_word("IKKα")
    assert recogniser.match_word("IKKα") == first
    assert "IKKα" in recogniser._word_cache


def test_repeated_words_are_matched_once(recogniser: Recogniser) -> None:
    """Figures repeat words: every repeat is a cache hit, and gives the same mentions.

    (Speed itself is measured by scripts/bench_recognition_speed.py, not asserted here.)
    """
    words = ["TP53", "IL-6", "NF-κB", "ERK1/2", "p-AKT", "the", "12", "IFN-γ", "LPS", "CD4"]
    tokens = [
        OcrToken(" ".join(words), x0=0, y0=i * 20, x1=500, y1=i * 20 + 10, confidence=1.0, line=i)
        for i in range(200)
    ]
    first = recogniser.recognise(tokens[:1])
    cached = len(recogniser._word_cache)
    mentions = recogniser.recognise(tokens)
    assert len(recogniser._word_cache) == cached  # no new word was matched again
    assert len(mentions) == 200 * len(first)
    assert {m.hgnc_symbol for m in mentions} == {m.hgnc_symbol for m in first}


packaged = pytest.mark.skipif(
    not packaged_lexicon_path().is_file(), reason="packaged lexicon not built"
)


@packaged
def test_packaged_lexicon_gives_the_same_answers_on_a_sample() -> None:
    full = Recogniser()
    for word, expected in POSITIVE[::7]:
        assert {m.hgnc_symbol for m in full.recognise_text(word)} == expected, word
    for word in NEGATIVE[::5]:
        assert full.recognise_text(word) == [], word


def test_engine_alternative_reading_is_used_only_when_the_text_names_nothing(
    recogniser: Recogniser,
) -> None:
    tokens = [
        OcrToken("ILIO TNF", 0, 0, 80, 10, 1.0, alternatives=("IL10 TNF",)),
        OcrToken("EGFR", 0, 20, 40, 30, 1.0, line=1, alternatives=("EGF",)),
    ]
    found = recogniser.recognise(tokens)
    assert [(m.word, m.hgnc_symbol) for m in found] == [
        ("IL10", "IL10"),
        ("TNF", "TNF"),
        ("EGFR", "EGFR"),
    ]
    assert found[0].transforms == ("ocr_alternative",)
    assert found[0].confidence == pytest.approx(ALTERNATIVE_FACTOR)


def test_name_wrapped_onto_the_next_line_is_one_mention(recogniser: Recogniser) -> None:
    tokens = [
        OcrToken("Glucocorticoid", 10, 10, 110, 22, 0.99, line=0),
        OcrToken("receptor", 20, 24, 90, 36, 0.98, line=1),
        OcrToken("receptor", 400, 300, 470, 312, 0.98, line=2),
    ]
    found = recogniser.recognise(tokens)
    assert [(m.hgnc_symbol, m.source, m.transforms) for m in found] == [
        ("NR3C1", "name", ("name", "line_break"))
    ]
    assert (found[0].x0, found[0].y0, found[0].x1, found[0].y1) == (10, 10, 110, 36)


def test_name_tier_can_be_switched_off(lexicon: Lexicon) -> None:
    assert Recogniser(lexicon, include_names=False).recognise_text("Vimentin") == []
    assert {m.source for m in Recogniser(lexicon).recognise_text("Vimentin")} == {"name"}


def test_name_is_not_repeated_where_the_symbol_cascade_found_the_gene(
    recogniser: Recogniser,
) -> None:
    found = recogniser.recognise_text("E-cadherin")
    assert [(m.hgnc_symbol, m.source) for m in found] == [("CDH1", "hgnc_symbol")]


def test_short_capitalised_synonym_needs_a_rodent_cased_figure(recogniser: Recogniser) -> None:
    assert genes(recogniser, "Mig\nTNF\nIL6\nCXCL10") == {"TNF", "IL6", "CXCL10"}
    assert genes(recogniser, "Mig\nTnf\nIl6\nCxcl10") == {"CXCL9", "TNF", "IL6", "CXCL10"}


def test_short_synonym_read_with_doubt_needs_figure_support(recogniser: Recogniser) -> None:
    clean = OcrToken("CHOP", 0, 0, 40, 10, 0.99)
    doubtful = OcrToken("CHOP", 0, 0, 40, 10, 0.7)
    assert {m.hgnc_symbol for m in recogniser.recognise([clean])} == {"DDIT3"}
    assert recogniser.recognise([doubtful]) == []


def test_weak_synonym_gives_way_to_an_approved_alternative_reading(
    recogniser: Recogniser,
) -> None:
    token = OcrToken("Jakl", 0, 0, 40, 10, 0.96, alternatives=("Jak1",))
    found = recogniser.recognise([token])
    assert [(m.word, m.hgnc_symbol) for m in found] == [("Jak1", "JAK1")]
    assert found[0].transforms == ("ocr_alternative", "casefold")


def test_alternative_reading_in_odd_case_is_not_taken(recogniser: Recogniser) -> None:
    token = OcrToken("xqzR", 0, 0, 40, 10, 0.5, alternatives=("sRC", "Src"))
    assert [(m.word, m.hgnc_symbol) for m in recogniser.recognise([token])] == [("Src", "SRC")]


def test_context_resolution_is_named_in_transforms(recogniser: Recogniser) -> None:
    found = recogniser.recognise_text("p62\nKEAP1")
    p62 = next(m for m in found if m.word == "p62")
    assert p62.hgnc_symbol == "SQSTM1" and p62.transforms[-1] == "context_rule"


# ------------------------------------------------- shortcuts agree with the full cascade

CASE_WORDS = sorted(
    {w for w, _ in POSITIVE}
    | {case[0] if isinstance(case, tuple) else case for case in NEGATIVE}
    | {case[0] if isinstance(case, tuple) else case for case in KNOWN_LIMITS}
)
GENERATED = st.text(alphabet="ABCDEGIKLMNOPRSTVXYabcegiklnoprsty0123456789-/αβκ ", max_size=12)


def _full_cascade(lexicon: Lexicon, monkeypatch: pytest.MonkeyPatch) -> Recogniser:
    """A recogniser that runs every rule on every word: no word is proven unmatched early
    and no rule is skipped for ASCII words."""
    monkeypatch.setattr(matcher, "may_rewrite", lambda word: True)
    monkeypatch.setattr(matcher, "ASCII_NOOP", frozenset())
    monkeypatch.setattr(matcher, "_ASCII_WORD_STEPS", matcher.WORD_STEPS)
    monkeypatch.setattr(Recogniser, "_part_may_match", lambda self, part: True)
    return Recogniser(lexicon)


def test_shortcuts_match_what_the_full_cascade_matches(
    lexicon: Lexicon, monkeypatch: pytest.MonkeyPatch
) -> None:
    labels = ["(S)-Malate", "0-CH2", "1.Elevation", "1-MT", "p-STATl", "STATl-/-", "IL-1O"]
    words = [*CASE_WORDS, "Cell", "activation", "PROTEIN", "proteins", "INORGANIC", "ICAM-"]
    words += labels
    fast = Recogniser(lexicon)
    expected = {w: fast.match_word(w) for w in words}
    figure = fast.recognise_text("\n".join(words))
    full = _full_cascade(lexicon, monkeypatch)
    assert {w: full.match_word(w) for w in words} == expected
    assert full.recognise_text("\n".join(words)) == figure


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(words=st.lists(GENERATED, max_size=8))
def test_shortcuts_agree_on_generated_words(
    lexicon: Lexicon, monkeypatch: pytest.MonkeyPatch, words: list[str]
) -> None:
    fast = Recogniser(lexicon)
    expected = [fast.match_word(w) for w in words]
    with monkeypatch.context() as patched:
        full = _full_cascade(lexicon, patched)
        assert [full.match_word(w) for w in words] == expected


#: Labels the part steps only strip or split, with OCR lookalikes and punctuation.
PART_WORDS = st.text(alphabet="ACDEHKLMNOPRSTabcehlmnorst01256-/.() ", min_size=1, max_size=12)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(part=PART_WORDS)
def test_part_may_match_is_true_whenever_the_part_cascade_hits(
    recogniser: Recogniser, part: str
) -> None:
    found = recogniser._cascade(part, part, [part], (), matcher.PART_STEPS)[0]
    if found:
        assert recogniser._part_may_match(part)


def test_part_may_match_clears_labels_no_variant_can_reach(recogniser: Recogniser) -> None:
    for part in ("(S)-Malate", "1.Elevation", "Protein-"):
        assert not recogniser._part_may_match(part)
    for part in ("p-STATl", "STAT3-/-", "IL-1O"):  # root, alphanumeric and lookalikes hit
        assert recogniser._part_may_match(part)
        assert recogniser._cascade(part, part, [part], (), matcher.PART_STEPS)[0]


def test_recognisers_with_the_same_settings_share_term_facts(lexicon: Lexicon) -> None:
    one, same = Recogniser(lexicon), Recogniser(lexicon)
    other = Recogniser(lexicon, include_pseudogenes=True)
    assert one._term_facts is same._term_facts
    assert one._term_facts is not other._term_facts


def test_word_facts_agree_with_can_start_and_is_name(recogniser: Recogniser) -> None:
    index = recogniser.names
    for key in ("tumor", "tumornecrosis", "ecadherin", "protein", "zzz", "", "p"):
        assert index.word_facts(key) == (index.can_start(key), index.is_name(key))
