"""Stores written through the real store API without OCR: a few hand-made figures (for
demos and tests of the site) and large synthetic stores (for load measurements).

Synthetic figures use real HGNC symbols and Entrez IDs from the packaged lexicon, with a
skewed gene popularity (a few genes on many figures, as in PFOCR) and a log-normal gene
count per figure with a median of about 18, PFOCR's mean mentions per figure.
"""

from __future__ import annotations

import csv
import gzip
import math
import random
import sqlite3
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

from pfocr.models import (
    AmbiguousMention,
    ChemicalMention,
    DiseaseMention,
    Edge,
    Figure,
    FigureResult,
    Mention,
    OrganismRow,
)
from pfocr.store.db import connect, start_run, store_path

_SOURCES = (
    ("hgnc_symbol", 0.72),
    ("hgnc_alias_symbol", 0.12),
    ("hgnc_prev_symbol", 0.05),
    ("famplex", 0.11),
)
_ORGANISMS = (
    (OrganismRow("Homo sapiens", "9606", "mammals", "default"), 0.84),
    (OrganismRow("Mus musculus", "10090", "mammals", "text: mice"), 0.11),
    (OrganismRow("Rattus norvegicus", "10116", "mammals", "text: rats"), 0.05),
)
_WORD_TEXT = (
    "signaling pathway regulation apoptosis proliferation inflammation metabolism autophagy "
    "receptor kinase cascade transcription immune response tumor cell cycle stress insulin "
    "hypoxia differentiation migration senescence fibrosis angiogenesis mitochondrial "
    "oxidative DNA damage repair synaptic neuronal cardiac hepatic macrophage T-cell"
)
_WORDS: tuple[str, ...] = tuple(_WORD_TEXT.split())
_CHEMICALS = (
    ("Glucose", "D005947", "CHEBI:17234"),
    ("Adenosine Triphosphate", "D000255", "CHEBI:15422"),
    ("Calcium", "D002118", "CHEBI:29108"),
    ("Cholesterol", "D002784", "CHEBI:16113"),
    ("Reactive Oxygen Species", "D017382", "CHEBI:26523"),
    ("Cyclic AMP", "D000242", "CHEBI:17489"),
)
_DISEASES = (
    ("Breast Neoplasms", "D001943", "DOID:1612"),
    ("Alzheimer Disease", "D000544", "DOID:10652"),
    ("Diabetes Mellitus, Type 2", "D003924", "DOID:9352"),
    ("Colorectal Neoplasms", "D015179", "DOID:9256"),
    ("Asthma", "D001249", "DOID:2841"),
)
_EDGE_KINDS = ("activation", "activation", "inhibition", "conversion", "binding")


def write_png(path: Path, width: int = 400, height: int = 300) -> Path:
    """A small real PNG (white with a grey frame) to stand in for a figure image."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((2, 2, width - 3, height - 3), outline=(160, 160, 160), width=2)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, format="PNG")
    return path


def lexicon_genes(limit: int | None = None) -> list[tuple[str, str]]:
    """(symbol, Entrez ID) of protein-coding HGNC genes, in lexicon order."""
    base = resources.files("pfocr") / "data" / "lexicon" / "hgnc_genes.tsv.gz"
    genes = []
    with gzip.open(str(base), "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row["locus_group"] == "protein-coding gene" and row["entrez"].isdigit():
                genes.append((row["symbol"], row["entrez"]))
                if limit is not None and len(genes) >= limit:
                    break
    return genes


def _choice(rng: random.Random, weighted: tuple[tuple[object, float], ...]) -> object:
    return rng.choices([w[0] for w in weighted], [w[1] for w in weighted])[0]


def synthetic_results(
    n: int, *, seed: int = 7, image_path: str | None = None, width: int = 1000, height: int = 800
) -> Iterator[FigureResult]:
    """``n`` synthetic figures with genes, a few chemicals, diseases and edges each."""
    rng = random.Random(seed)
    genes = lexicon_genes()
    rng.shuffle(genes)
    # Zipf-like popularity: gene i drawn with weight 1 / (i + 10).
    weights = [1.0 / (i + 10) for i in range(len(genes))]
    cumulative = []
    total = 0.0
    for w in weights:
        total += w
        cumulative.append(total)
    for i in range(n):
        count = max(1, min(300, round(math.exp(rng.gauss(math.log(18), 0.75)))))
        picked = {}
        while len(picked) < count:
            index = rng.choices(range(len(genes)), cum_weights=cumulative, k=1)[0]
            picked.setdefault(genes[index][0], genes[index][1])
        mentions = []
        for j, (symbol, entrez) in enumerate(picked.items()):
            x0 = 20 + (j % 8) * 120 + rng.uniform(0, 10)
            y0 = 20 + (j // 8) * 40 % (height - 60)
            source = str(_choice(rng, _SOURCES))
            mentions.append(
                Mention(
                    word=symbol,
                    symbol=symbol,
                    source=source,
                    hgnc_symbol=symbol,
                    entrez=entrez,
                    x0=x0,
                    y0=y0,
                    x1=x0 + 60,
                    y1=y0 + 22,
                    confidence=round(rng.uniform(0.8, 1.0), 3),
                    family="FAM" if source == "famplex" else "",
                )
            )
        chemicals = tuple(
            ChemicalMention(name, name, name, mesh, chebi, 900, 700, 980, 720, 0.95, "mesh_label")
            for name, mesh, chebi in rng.sample(_CHEMICALS, rng.randint(0, 2))
        )
        diseases = tuple(
            DiseaseMention(name, name, name, mesh, doid, 0, 0, 0, 0, 1.0, "mesh_label")
            for name, mesh, doid in rng.sample(_DISEASES, rng.randint(0, 1))
        )
        edges = []
        for _ in range(min(len(mentions) - 1, rng.randint(0, 4))):
            a, b = rng.sample(mentions, 2)
            edges.append(
                Edge(
                    source=a.hgnc_symbol,
                    target=b.hgnc_symbol,
                    kind=rng.choice(_EDGE_KINDS),
                    confidence=0.9,
                    polyline=((a.x1, (a.y0 + a.y1) / 2), (b.x0, (b.y0 + b.y1) / 2)),
                    source_word=a.word,
                    target_word=b.word,
                )
            )
        organism = _choice(rng, _ORGANISMS)
        lead = mentions[0].hgnc_symbol
        title = f"{lead} {' '.join(rng.sample(_WORDS, 3))}"
        caption = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(20, 60)))
        pmc = 1_000_000 + i // 2
        figid = f"PMC{pmc}__F{i % 2 + 1}"
        figure = Figure(
            figid=figid,
            image_path=image_path,
            source="synthetic",
            pmcid=f"PMC{pmc}",
            filename=f"F{i % 2 + 1}.jpg",
            number=f"Figure {i % 2 + 1}",
            figtitle=title.capitalize(),
            caption=caption,
            papertitle=f"The role of {lead} in {rng.choice(_WORDS)} {rng.choice(_WORDS)}",
            year=str(rng.randint(1995, 2025)),
            journal_title=rng.choice(("Cell", "Nature", "Cancers", "PLoS One", "Cells")),
        )
        yield FigureResult(
            figure=figure,
            image_sha256=f"{i:064x}",
            width=width,
            height=height,
            tokens=(),
            mentions=tuple(mentions),
            chemicals=chemicals,
            diseases=diseases,
            organisms=(organism,),  # type: ignore[arg-type]
            edges=tuple(edges),
            pathway_score=0.9,
        )


def write_store(
    out_dir: Path, results: Iterator[FigureResult] | list[FigureResult], *, fast: bool = False
) -> Path:
    """Save results into ``out_dir/pfocr.sqlite`` with ``save_result``; returns the store path.

    ``fast`` turns off durable commits (for throwaway stores of many figures).
    """
    from pfocr.store.db import save_result

    path = store_path(out_dir)
    conn: sqlite3.Connection = connect(path)
    try:
        if fast:
            conn.execute("PRAGMA synchronous = OFF")
        run_id = start_run(conn, {"sample": True}, "sample")
        for result in results:
            save_result(conn, result, ocr_key="sample", recognise_key="sample", run_id=run_id)
    finally:
        conn.close()
    return path


def example_results(image_path: str | None) -> list[FigureResult]:
    """Three hand-made figures: genes of every tier, chemicals, a disease, edges and hostile
    caption text (markup that must be shown as text)."""

    def gene(
        word: str, symbol: str, entrez: str, source: str, box: tuple[float, ...], family: str = ""
    ) -> Mention:
        return Mention(word, word.upper(), source, symbol, entrez, *box, 0.97, (), family)

    egfr = Figure(
        figid="PMC1000001__F1",
        image_path=image_path,
        source="example",
        pmcid="PMC1000001",
        filename="F1.jpg",
        number="Figure 1",
        figtitle="EGFR signalling to ERK and apoptosis",
        caption="EGF binds EGFR <script>alert('x')</script> & activates MAPK3/MAPK1.",
        papertitle="Growth factor signalling in breast cancer",
        reftext="Doe J, et al. Cells. 2020;9(1):1.",
        year="2020",
        doi="10.1000/example.1",
        journal_title="Cells",
    )
    mentions = (
        gene("EGFR", "EGFR", "1956", "hgnc_symbol", (20, 20, 90, 45)),
        gene("TP53", "TP53", "7157", "hgnc_symbol", (150, 20, 220, 45)),
        gene("ERK1/2", "MAPK3", "5595", "famplex", (20, 120, 100, 145), "ERK"),
        gene("ERK1/2", "MAPK1", "5594", "famplex", (20, 120, 100, 145), "ERK"),
        gene("p53", "TP53", "7157", "hgnc_alias_symbol", (150, 200, 200, 225)),
        gene("BAX", "BAX", "581", "hgnc_symbol", (260, 120, 320, 145)),
        gene("HER2", "ERBB2", "2064", "hgnc_alias_symbol", (260, 20, 330, 45)),
    )
    first = FigureResult(
        figure=egfr,
        image_sha256="a" * 64,
        width=400,
        height=300,
        tokens=(),
        mentions=mentions,
        chemicals=(
            ChemicalMention(
                "ATP",
                "ATP",
                "Adenosine Triphosphate",
                "D000255",
                "CHEBI:15422",
                300,
                250,
                340,
                270,
                0.9,
                "curated",
            ),
        ),
        diseases=(
            DiseaseMention(
                "breast cancer",
                "breast cancer",
                "Breast Neoplasms",
                "D001943",
                "DOID:1612",
                0,
                0,
                0,
                0,
                1.0,
                "mesh_entry",
            ),
        ),
        organisms=(OrganismRow("Homo sapiens", "9606", "mammals", "text: human"),),
        edges=(
            Edge("EGFR", "MAPK3", "activation", 0.9, ((55, 45), (55, 120)), True, "EGFR", "ERK1/2"),
            Edge("TP53", "BAX", "activation", 0.8, ((200, 45), (270, 120)), True, "TP53", "BAX"),
            Edge(
                "MAPK1", "TP53", "inhibition", 0.7, ((100, 130), (160, 200)), True, "ERK1/2", "p53"
            ),
        ),
        ambiguous=(
            AmbiguousMention(
                "p50",
                "p50",
                "hgnc_alias_symbol",
                ("CD40", "NFKB1"),
                ("958", "4790"),
                300,
                200,
                340,
                220,
                0.4,
            ),
        ),
        pathway_score=0.95,
    )
    wnt = Figure(
        figid="PMC1000002__F2",
        image_path=image_path,
        source="example",
        pmcid="PMC1000002",
        number="Figure 2",
        figtitle="Wnt signalling in colorectal cancer",
        caption="CTNNB1 and APC regulate MYC; glucose uptake rises.",
        papertitle="Wnt in the colon",
        year="2018",
    )
    second = FigureResult(
        figure=wnt,
        image_sha256="b" * 64,
        width=400,
        height=300,
        tokens=(),
        mentions=(
            gene("CTNNB1", "CTNNB1", "1499", "hgnc_symbol", (10, 10, 80, 30)),
            gene("APC", "APC", "324", "hgnc_symbol", (100, 10, 160, 30)),
            gene("MYC", "MYC", "4609", "hgnc_symbol", (200, 10, 260, 30)),
            gene("TP53", "TP53", "7157", "hgnc_symbol", (10, 100, 80, 120)),
        ),
        chemicals=(
            ChemicalMention(
                "glucose",
                "glucose",
                "Glucose",
                "D005947",
                "CHEBI:17234",
                10,
                200,
                80,
                220,
                0.9,
                "mesh_label",
            ),
        ),
        organisms=(OrganismRow("Homo sapiens", "9606", "mammals", "default"),),
        pathway_score=0.9,
    )
    mouse = Figure(
        figid="PMC1000003__F1",
        image_path=image_path,
        source="example",
        pmcid="PMC1000003",
        number="Figure 1",
        figtitle="Insulin signalling in mouse liver",
        caption="Insr and Akt2 in hepatocytes of mice.",
        papertitle="Hepatic insulin action",
        year="2022",
    )
    third = FigureResult(
        figure=mouse,
        image_sha256="c" * 64,
        width=400,
        height=300,
        tokens=(),
        mentions=(
            gene("Insr", "INSR", "3643", "hgnc_symbol", (10, 10, 60, 30)),
            gene("Akt2", "AKT2", "208", "hgnc_symbol", (100, 10, 160, 30)),
            gene("Foxo1", "FOXO1", "2308", "hgnc_symbol", (200, 10, 260, 30)),
        ),
        organisms=(OrganismRow("Mus musculus", "10090", "mammals", "text: mice"),),
        pathway_score=0.8,
    )
    return [first, second, third]
