"""The lexicon file: loading, errors that name the file, and the three lookup keys."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from pfocr.errors import LexiconError
from pfocr.recognise import Lexicon, Term, default_lexicon
from pfocr.recognise.lexicon import COLUMNS, casefold_key, compact_key, packaged_lexicon_path

FIXTURE = Path(__file__).parent / "fixtures" / "gene_terms_small.tsv"
HEADER = "\t".join(COLUMNS) + "\n"


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon.load(FIXTURE)


def test_fixture_holds_real_rows(lexicon: Lexicon) -> None:
    (rankl,) = lexicon.exact("RANKL")
    assert rankl == Term(
        "RANKL", "hgnc_alias_symbol", "TNFSF11", "8600", "HGNC:11926", "protein-coding gene", ""
    )
    assert {t.hgnc_symbol for t in lexicon.exact("LPS")} == {"IRF6"}
    assert {t.source for t in lexicon.exact("ERK")} == {
        "hgnc_alias_symbol",
        "hgnc_prev_symbol",
        "famplex",
    }
    assert len(lexicon) > 1000


def test_three_lookup_keys(lexicon: Lexicon) -> None:
    assert {t.hgnc_symbol for t in lexicon.exact("MyD88")} == set()
    assert {t.hgnc_symbol for t in lexicon.casefold("MyD88")} == {"MYD88"}
    assert lexicon.exact("il 6") == () and lexicon.casefold("il 6") == ()
    assert "IL6" in {t.hgnc_symbol for t in lexicon.compact("il 6")}
    assert compact_key("IL-6 r_α.") == "IL6RΑ"
    assert casefold_key("Tyk2") == "TYK2"


def test_family_rows_and_membership(lexicon: Lexicon) -> None:
    members = {t.hgnc_symbol for t in lexicon.exact("PI3K") if t.source == "famplex"}
    assert {"PIK3CA", "PIK3CB", "PIK3R1"} <= members
    assert "PI3K" in lexicon.families_of("PIK3CA")
    assert lexicon.family_sizes()["PI3K"] == len(members)
    assert "TP53" in lexicon.genes()
    assert "P53" in lexicon.synonym_keys("TP53")


def test_terms_are_built_once_and_shared(lexicon: Lexicon) -> None:
    assert lexicon.exact("EGFR")[0] is lexicon.casefold("egfr")[0]
    assert len(lexicon.terms) == len(lexicon)


def test_gzip_and_plain_files_load_the_same(tmp_path: Path, lexicon: Lexicon) -> None:
    packed = tmp_path / "terms.tsv.gz"
    packed.write_bytes(gzip.compress(FIXTURE.read_bytes()))
    again = Lexicon.load(packed)
    assert len(again) == len(lexicon)
    assert again.exact("RANKL") == lexicon.exact("RANKL")
    assert again.path == packed


def test_missing_file_names_the_path_and_the_fix(tmp_path: Path) -> None:
    missing = tmp_path / "nope.tsv.gz"
    with pytest.raises(LexiconError, match=r"nope\.tsv\.gz.*pfocr data build"):
        Lexicon.load(missing)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("term\tsource\n", "header"),
        (HEADER, "no rows"),
        (HEADER + "EGFR\thgnc_symbol\tEGFR\n", "line 2: 3 columns"),
        (HEADER + "EGFR\tmade_up\tEGFR\t1956\tHGNC:3236\tprotein-coding gene\t\n", "source"),
        (HEADER + "\thgnc_symbol\tEGFR\t1956\tHGNC:3236\tprotein-coding gene\t\n", "empty"),
    ],
)
def test_malformed_file_names_the_path_and_the_problem(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LexiconError, match=message) as err:
        Lexicon.load(path)
    assert "bad.tsv" in str(err.value) and "pfocr data build" in str(err.value)


def test_corrupt_gzip_is_a_lexicon_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.tsv.gz"
    path.write_bytes(gzip.compress(b"term\tsource")[:12])
    with pytest.raises(LexiconError, match=r"broken\.tsv\.gz"):
        Lexicon.load(path)


packaged = pytest.mark.skipif(
    not packaged_lexicon_path().is_file(), reason="packaged lexicon not built"
)


@packaged
def test_packaged_lexicon_loads_and_is_cached() -> None:
    lexicon = Lexicon.load()
    assert len(lexicon) > 100_000
    assert default_lexicon() is default_lexicon()
    assert {t.hgnc_symbol for t in lexicon.exact("RANKL")} == {"TNFSF11"}
    assert {t.source for t in lexicon.terms[:1]} <= {
        "hgnc_symbol",
        "hgnc_alias_symbol",
        "hgnc_prev_symbol",
        "famplex",
    }


@pytest.mark.parametrize(
    "text", ["EGFR", "egfr", "MyD88", "il 6", "IL-6", "IL6", "PI3K", "ERK", "p-ERK", "LPS", "zzz"]
)
def test_by_keys_gives_each_row_once_at_its_closest_key(lexicon: Lexicon, text: str) -> None:
    found = lexicon.by_keys(text)
    if not lexicon.may_match(text):
        assert found is None
        return
    assert found is not None
    exact, folded, compact = found
    assert exact == lexicon.exact(text)
    assert folded == tuple(t for t in lexicon.casefold(text) if t not in exact)
    assert compact == tuple(t for t in lexicon.compact(text) if t not in exact + folded)


def test_confusable_key_folds_lookalikes_and_punctuation() -> None:
    from pfocr.recognise.lexicon import confusable_key

    assert confusable_key("STATl") == confusable_key("STAT1") == confusable_key("STATI")
    assert confusable_key("IL-1O") == confusable_key("IL10") == confusable_key("il(10)")
    assert confusable_key("(S)-Malate") == "SMA1ATE"


def test_confusable_keys_hold_every_term() -> None:
    from pfocr.recognise.lexicon import confusable_key

    lexicon = Lexicon(
        [Term("IL-10", "hgnc_symbol", "IL10", "3586", "HGNC:5962", "protein-coding gene")]
    )
    keys = lexicon.confusable_keys()
    assert confusable_key("IL-10") in keys and confusable_key("ILlO") in keys
    assert confusable_key("IL11") not in keys
    assert lexicon.confusable_keys() is keys  # built once


def test_memo_is_one_dictionary_per_name() -> None:
    lexicon = Lexicon(
        [Term("IL-10", "hgnc_symbol", "IL10", "3586", "HGNC:5962", "protein-coding gene")]
    )
    assert lexicon.memo("a") is lexicon.memo("a")
    assert lexicon.memo("a") is not lexicon.memo("b")
