"""Each PFOCR transform on its own, with the upstream examples and the fixed defects."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pfocr.recognise import transforms as tf

EXPAND = [
    # PFOCR's committed acceptance set (transforms/expand.test.py)
    ("WNT9/10", ["WNT9", "WNT10"]),
    ("WNT9-11", ["WNT9", "WNT10", "WNT11"]),
    ("KDM6A/B", ["KDM6A", "KDM6B"]),
    ("5-HT2A/2B", ["5-HT2A", "5-HT2B"]),
    ("CDKN1A/2A", ["CDKN1A", "CDKN2A"]),
    ("AdipoR1/R2", ["AdipoR1", "AdipoR2"]),
    ("WNT1/HCK1-3/ABC", ["WNT1", "HCK1", "HCK2", "HCK3", "ABC"]),
    ("MEKK1-3,", ["MEKK1", "MEKK2", "MEKK3"]),
    ("TLR2/1", ["TLR2", "TLR1"]),
    ("TLR1,2, 5", ["TLR1", "TLR2", "TLR5"]),
    ("Wnt-1/3a", ["Wnt-1", "Wnt-3a"]),
    # its known failures, fixed
    ("TLR1,2 and 5", ["TLR1", "TLR2", "TLR5"]),
    ("IL-12/IL-23/IL-27", ["IL-12", "IL-23", "IL-27"]),
    # real figure labels
    ("ERK1/2", ["ERK1", "ERK2"]),
    ("ERK 1/2", ["ERK1", "ERK2"]),
    ("SMAD2/3", ["SMAD2", "SMAD3"]),
    ("SMAD1/5/8", ["SMAD1", "SMAD5", "SMAD8"]),
    ("Cdc25A,B,C", ["Cdc25A", "Cdc25B", "Cdc25C"]),
    ("Cdc25A-C", ["Cdc25A", "Cdc25B", "Cdc25C"]),
    ("PAK(1-3)", ["PAK1", "PAK2", "PAK3"]),
    ("TLRs 3/7/9", ["TLR3", "TLR7", "TLR9"]),
    ("TRAF 2/3/6", ["TRAF2", "TRAF3", "TRAF6"]),
    ("IKKα/β", ["IKKα", "IKKβ"]),
    ("IKKαβγ", ["IKKα", "IKKβ", "IKKγ"]),
    ("IKKa/b", ["IKKa", "IKKb"]),
    ("IFN-λ2/3", ["IFN-λ2", "IFN-λ3"]),
    ("IFNγR1/2", ["IFNγR1", "IFNγR2"]),
    ("IL-1α/β", ["IL-1α", "IL-1β"]),
    ("InR/IGFR", ["InR", "IGFR"]),
    ("PI3K/AKT", ["PI3K", "AKT"]),
    ("p-ERK1/2", ["p-ERK1", "p-ERK2"]),
    ("JAK1/S6", ["JAK1", "S6"]),  # a different letter is not a suffix
    ("IRF 3", ["IRF3"]),
    ("RNAse L", ["RNAseL"]),
    ("Pentraxins(PTX3)", ["Pentraxins", "PTX3"]),
    ("IL-4 & IL-13", ["IL-4", "IL-13"]),
    ("CD80|CD86", ["CD80", "CD86"]),
]
NOT_EXPANDED = [
    "3VIT19-001490329014",  # identifiers, not ranges
    "4000-3295",
    "ATG12-5",  # from > to
    "C/EBPβ",  # a one-letter head is part of the name
    "AKT",
    "IRF3 dimer",
]


@pytest.mark.parametrize(("word", "parts"), EXPAND, ids=[w for w, _ in EXPAND])
def test_expand(word: str, parts: list[str]) -> None:
    assert tf.expand(word) == parts


@pytest.mark.parametrize("word", NOT_EXPANDED)
def test_expand_leaves_non_lists_alone(word: str) -> None:
    assert tf.expand(word) == []


def test_expand_range_span_is_bounded() -> None:
    assert tf.expand("HCK1-29") == [f"HCK{i}" for i in range(1, 30)]
    assert tf.expand("HCK1-31") == []


ROOT = [
    ("c-Myc", {"Myc"}),
    ("p-ERK", {"ERK"}),
    ("P-ERK", {"ERK"}),
    ("pERK", {"ERK"}),
    ("p-AKT", {"AKT"}),
    ("phospho-ERK", {"ERK"}),
    ("pS473-AKT", {"AKT"}),
    ("Ras-GTP", {"Ras"}),
    ("Rac-GDP", {"Rac"}),
    ("SMADs", {"SMAD"}),
    ("Smads", {"Smad"}),
    ("AKT(S473)", {"AKT"}),
    ("STAT3-P", {"STAT3"}),
    ("Tlr4-/-", {"Tlr4"}),
    ("AKTpathway", {"AKT"}),
    ("GST-TP53", {"TP53"}),
    ("Flag:AKT1", {"AKT1"}),
    ("Ub-PCNA", {"PCNA"}),
    ("PCNA-Ub", {"PCNA"}),
    ("MYD88-dependent", {"MYD88"}),
    ("p-STATs", {"STATs", "STAT"}),
]


@pytest.mark.parametrize(("word", "variants"), ROOT, ids=[w for w, _ in ROOT])
def test_root(word: str, variants: set[str]) -> None:
    assert variants <= set(tf.root(word))


@pytest.mark.parametrize("word", ["cells", "Ras", "P-cadherin", "pRb", "class", "AKT"])
def test_root_leaves_names_alone(word: str) -> None:
    assert tf.root(word) == []


SWAPS = [
    ("IFNγ", "IFNG"),
    ("IFN-gamma", "IFN-G"),
    ("IFN gamma", "IFN G"),
    ("IFNy", "IFNG"),
    ("IFN-y", "IFN-G"),
    ("IFN-Y", "IFN-G"),
    ("Ifny", "IfnG"),
    ("IFNyR1", "IFNGR1"),
    ("PLCγ1", "PLCG1"),
    ("PLCy1", "PLCG1"),
    ("PPARy", "PPARG"),
    ("IKKε", "IKKE"),
    ("TNF-α", "TNF-A"),
    ("IL-1β", "IL-1B"),
    ("IL-1ß", "IL-1B"),  # sharp s typed for beta
    ("NFkappaB", "NFKB"),
    ("NF-xB", "NF-KB"),
    ("IxBα", "IKBA"),
    ("IFN-x", "IFN-K"),
    ("IFN-ω", "IFN-W"),
    ("PKCθ", "PKCQ"),
    ("14-3-3ζ", "YWHAZ"),
    ("P13K", "PI3K"),
    ("EB13", "EBI3"),
    ("TGFBRII", "TGFBR2"),
    ("TGFBRIII", "TGFBR3"),  # III before II
    ("TGFBRI", "TGFBR1"),
    ("E-cadherin", "CDH1"),
    ("VE-cadherin", "CDH5"),
    ("β-catenin", "CTNNB1"),
    ("Frizzled-7", "FZD7"),  # mixed-case keys work
    ("Cyclin D1", "CCND1"),
    ("Cyclin-A1", "CCNA1"),
    ("caspase 8", "CASP8"),
    ("Integrin β1", "ITGB1"),
    ("mGluR5", "GRM5"),
    ("NMDAR1", "GRIN1"),
    ("Grg4", "TLE4"),
    ("MAPKKK3", "MAP3K3"),
    ("MAPKK1", "MAP2K1"),
    ("AC5", "ADCY5"),
]


@pytest.mark.parametrize(("word", "variant"), SWAPS, ids=[w for w, _ in SWAPS])
def test_swaps(word: str, variant: str) -> None:
    assert variant in tf.swaps(word)


@pytest.mark.parametrize("word", ["RAC1", "PACS1", "ACTB", "Betaglycan", "ANY", "Many", "Alphabet"])
def test_swaps_do_not_touch_words_inside(word: str) -> None:
    # AC -> ADCY only for a whole adenylyl-cyclase label; Greek names only as units;
    # a trailing Y is gamma only after a Greek-bearing root (ANY is not ANG)
    assert tf.swaps(word) == []


def test_swaps_caspase_numbers_are_human_caspases() -> None:
    assert "CASP3" in tf.swaps("Caspase-3")
    assert all(v != "CASP11" for v in tf.swaps("Caspase-11"))


@pytest.mark.parametrize(
    ("word", "spelled"),
    [("eIF2α", "eIF2alpha"), ("IKKβ", "IKKbeta"), ("IκBα", "IkappaBalpha"), ("TGF-ß", "TGF-beta")],
)
def test_greek_names(word: str, spelled: str) -> None:
    assert tf.greek_names(word) == [spelled]
    assert tf.greek_names("EGFR") == []


@pytest.mark.parametrize(
    ("rule", "word", "out"),
    [
        ("nfkc", "ＡＫＴ１", "AKT1"),
        ("nfkc", "Ca²⁺", "Ca2+"),
        ("homoglyphs", "МАРК8", "MAPK8"),  # Cyrillic
        ("homoglyphs", "ΑΚΤ1", "AKT1"),  # Greek capitals
        ("homoglyphs", "IL–6", "IL-6"),  # en dash
        ("homoglyphs", "IL−6", "IL-6"),  # minus sign
        ("deburr", "Nrf2̃", "Nrf2"),
        ("deburr", "protéine", "proteine"),
        ("alphanumeric", "Bcl-2", "Bcl2"),
        ("alphanumeric", "IFN-γ", "IFNγ"),  # Greek kept: dropping it would give "IFN"
        ("ocr_fixes", "elF2α", "eIF2α"),
        ("ocr_fixes", "elF-4E", "eIF-4E"),
    ],
)
def test_character_level_rules(rule: str, word: str, out: str) -> None:
    assert tf.RULES[rule](word) == [out]


@pytest.mark.parametrize(
    ("rule", "word"),
    [
        ("nfkc", "AKT1"),
        ("homoglyphs", "MAPK8"),
        ("homoglyphs", "IKKα"),  # lower-case Greek is meaningful, not a lookalike
        ("deburr", "IKKβ"),
        ("alphanumeric", "EGFR"),
        ("ocr_fixes", "ELF2"),
        ("ocr_fixes", "Elf2"),
    ],
)
def test_rules_return_nothing_when_they_do_not_apply(rule: str, word: str) -> None:
    assert tf.RULES[rule](word) == []


def test_rule_names_are_stable_and_cover_the_cascade() -> None:
    assert set(tf.RULES) == {
        "nfkc",
        "ocr_fixes",
        "homoglyphs",
        "deburr",
        "expand",
        "root",
        "alphanumeric",
        "greek_names",
        "swaps",
        "ocr_confusions",
    }
    cascade = (*tf.UP_FRONT, *tf.WORD_STEPS, "expand", *tf.PART_STEPS)
    assert sorted(cascade) == sorted(tf.RULES)
    assert cascade.index("greek_names") < cascade.index("swaps")
    assert cascade[-1] == "ocr_confusions"  # guessing characters comes last


def test_ocr_confusions_only_for_symbol_shaped_words() -> None:
    assert "STAT1" in tf.ocr_confusions("STATl")
    assert "IL10" in tf.ocr_confusions("IL1O")
    assert "Plk1" in tf.ocr_confusions("PIk1")
    assert tf.ocr_confusions("Cell") == []  # no digit, one capital
    assert tf.ocr_confusions("I1") == []  # too short
    assert len(tf.ocr_confusions("I1I1I1I1I1I1I1I1")) <= 24


@pytest.mark.parametrize("rule", sorted(tf.RULES))
def test_rules_are_pure_functions_of_strings(rule: str) -> None:
    for word in ("", "EGFR", "IKKα/β", "p-ERK1/2", "Ca2+", "МАРК8"):
        first = tf.RULES[rule](word)
        assert first == tf.RULES[rule](word)
        assert all(isinstance(v, str) and v != word for v in first)


# ------------------------------------------------------------------ may_rewrite

#: Words of ASCII letters and digits with the letters rules look for (OCR's x/y/l/I/O,
#: tags, plural s, roman numerals), so triggers and near misses are both generated.
ALNUM_WORDS = st.text(alphabet="ABCDEGIKLMNOPRSTVXYZabcegiklnoprstxy0123456789", max_size=14)
#: Any text: non-ASCII and punctuation must always be left to the rules.
ANY_WORDS = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)
#: A word each rule rewrites: every one must be flagged.
REWRITTEN = [
    "elF4E",  # ocr_fixes
    "pERK",  # root: phospho tag
    "PhosphoAKT",
    "UbK48",
    "pS473AKT",
    "AKTS473",  # root: site suffix
    "AKTpathway",
    "NFKBsignaling",
    "TLRs",  # root: plural
    "IKKalpha",  # swaps: spelled Greek
    "IFNy",  # swaps: OCR Greek
    "NFxB",
    "IFNYR1",
    "P13K",  # swaps: OCR digits
    "TRADE",
    "TGFBRII",  # swaps: roman numeral
    "Ecadherin",  # swaps: names
    "cyclinD1",
    "AC5",
    "STATl",  # ocr_confusions
    "IL1O",
    "PIk1",
]


def _rewrites(word: str) -> bool:
    return any(rule(word) for rule in tf.RULES.values())


@settings(max_examples=400, deadline=None)
@given(word=ALNUM_WORDS | ANY_WORDS)
def test_a_word_may_rewrite_clears_is_left_alone_by_every_rule(word: str) -> None:
    if not tf.may_rewrite(word):
        assert not _rewrites(word)


@pytest.mark.parametrize("word", REWRITTEN)
def test_may_rewrite_flags_words_a_rule_rewrites(word: str) -> None:
    assert _rewrites(word)
    assert tf.may_rewrite(word)


@pytest.mark.parametrize("word", ["Cell", "activation", "Protein", "Hepatocyte", "TNF", "membrane"])
def test_plain_words_need_no_rule(word: str) -> None:
    assert not tf.may_rewrite(word)
    assert not _rewrites(word)


def test_may_rewrite_leaves_every_word_with_other_characters_to_the_rules() -> None:
    for word in ("IL-6", "IKKα", "МАРК8", "ERK1/2", "NF κB", "Ca2+", "AKT(S473)"):
        assert tf.may_rewrite(word)


@settings(max_examples=200, deadline=None)
@given(word=st.text(alphabet=st.characters(max_codepoint=127), max_size=20))
def test_ascii_noop_rules_leave_ascii_words_alone(word: str) -> None:
    for name in tf.ASCII_NOOP:
        assert tf.RULES[name](word) == []


# ------------------------------------------------------------------ may_swap_within

#: ASCII words with the characters and runs ``swaps`` looks for, punctuation included.
SWAP_WORDS = st.text(
    alphabet="ABCEGIKLMNPRSTVXYabcdeghilmnprstxyz0134-/() ", max_size=14
) | st.sampled_from(
    ["IFN-y", "NF-xB", "P1-3K", "TRA-DE", "14-3-3-B", "1433B", "AC-1", "(AC)1", "IKK-alpha",
     "E-cad-herin", "TGFBR-II", "IL-1V", "mGluR-5", "Cyclin(D1)", "x-ray", "Notch-y"]
)  # fmt: skip


def _swapped_anywhere(word: str) -> bool:
    """Whether ``swaps`` rewrites a substring of the word or a substring with its
    punctuation deleted (``alphanumeric``)."""
    subs = {word[a:b] for a in range(len(word)) for b in range(a + 1, len(word) + 1)}
    subs |= {out for s in subs for out in tf.alphanumeric(s)}
    return any(tf.swaps(s) for s in subs)


@settings(max_examples=400, deadline=None)
@given(word=SWAP_WORDS)
def test_may_swap_within_is_true_whenever_swaps_rewrites_a_piece(word: str) -> None:
    if _swapped_anywhere(word):
        assert tf.may_swap_within(word)


@pytest.mark.parametrize("word", ["IFN-y", "NF-xB", "TRA-DE", "14-3-3-B", "AC-1", "TGFBR-II"])
def test_may_swap_within_sees_rewrites_behind_punctuation(word: str) -> None:
    assert _swapped_anywhere(word)
    assert tf.may_swap_within(word)


@pytest.mark.parametrize("word", ["(S)-Malate", "0-CH2", "1.Elevation", "1-MT", "Protein-"])
def test_may_swap_within_clears_plain_labels(word: str) -> None:
    assert not tf.may_swap_within(word)


@pytest.mark.parametrize("word", ["AKT1pathway", "Wntsignalling", "Notchaxis", "AKTS473"])
def test_may_rewrite_flags_suffixes_without_punctuation(word: str) -> None:
    assert tf.root(word)
    assert tf.may_rewrite(word)


@pytest.mark.parametrize("word", ["IKKALPHA", "PKCTheta", "CYCLIND1", "Frizzled7", "AC9"])
def test_may_rewrite_flags_swaps_in_any_case(word: str) -> None:
    assert tf.swaps(word)
    assert tf.may_rewrite(word)
