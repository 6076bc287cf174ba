"""A static website of the figures: one HTML page per figure plus an index, no server needed.

Each page is the figure page of ``pfocr serve`` (same template, same outlines and edges)
with its record (``.md``), genes TSV, GPML and CX2 beside it, and the image copied next to
it when readable, so the folder can be opened from disk or put on any static host.
"""

from __future__ import annotations

import io
import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from pfocr.errors import ExportError
from pfocr.export._common import figure_file_stem, write_text_atomically
from pfocr.models import FigureRecord

SITE_DIR = "site"
_IMAGE_TYPES = {b"\x89PNG": ".png", b"\xff\xd8": ".jpg", b"GIF8": ".gif"}


def _environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from pfocr.web import render

    folder = str(resources.files("pfocr.web") / "templates")
    env = Environment(loader=FileSystemLoader(folder), autoescape=select_autoescape(default=True))
    env.globals.update(render.TEMPLATE_GLOBALS)
    env.filters.update(render.TEMPLATE_FILTERS)
    return env


@dataclass(frozen=True)
class _IndexRow:
    figid: str
    stem: str
    title: str
    year: str
    pmcid: str
    genes: int


class SiteWriter:
    """Writes ``<out>/site/``: call :meth:`write` per record, then :meth:`close`."""

    def __init__(self, out_dir: Path, *, site_url: str, images: bool = True) -> None:
        self.root = Path(out_dir) / SITE_DIR
        self.figures_dir = self.root / "figures"
        self.images_dir = self.root / "images"
        self._site_url = site_url
        self._images = images
        self._env = _environment()
        self._rows: list[_IndexRow] = []
        try:
            for folder in (self.figures_dir, self.images_dir):
                folder.mkdir(parents=True, exist_ok=True)
            static = Path(str(resources.files("pfocr.web") / "static"))
            shutil.copytree(static, self.root / "static", dirs_exist_ok=True)
        except OSError as exc:
            raise ExportError(f"Cannot create the site folder {self.root}: {exc}") from exc

    def _copy_image(self, record: FigureRecord, stem: str) -> str | None:
        from pfocr.ingest.images import read_image_bytes

        if not self._images or not record.figure.image_path:
            return None
        try:
            data = read_image_bytes(record.figure)
        except Exception:  # a missing image leaves the page without it
            return None
        suffix = next((s for magic, s in _IMAGE_TYPES.items() if data.startswith(magic)), None)
        if suffix is None:
            from PIL import Image

            try:
                with Image.open(io.BytesIO(data)) as image:
                    out = io.BytesIO()
                    image.convert("RGB").save(out, format="PNG")
            except Exception:
                return None
            data, suffix = out.getvalue(), ".png"
        (self.images_dir / f"{stem}{suffix}").write_bytes(data)
        return f"../images/{stem}{suffix}"

    def write(self, record: FigureRecord) -> None:
        from pfocr.export.cx2 import render_cx2
        from pfocr.export.gpml import render_gpml
        from pfocr.export.records import render_record
        from pfocr.export.tables import write_figure_genes
        from pfocr.web.pages import figure_context

        stem = figure_file_stem(record.figure.figid)
        context = figure_context(record, [], self._site_url)
        image_url = self._copy_image(record, stem)
        context.update(root="..", static_site=True, has_image=image_url is not None)
        if image_url:
            context["image_url"] = image_url
        html = self._env.get_template("figure.html").render(context)
        genes = io.StringIO()
        write_figure_genes(genes, record.mentions)
        for name, text in (
            (f"{stem}.html", html),
            (f"{stem}.md", render_record(record, self._site_url)),
            (f"{stem}-genes.tsv", genes.getvalue()),
            (f"{stem}.gpml", render_gpml(record)),
            (f"{stem}.cx2", render_cx2(record, self._site_url)),
        ):
            write_text_atomically(self.figures_dir / name, text)
        self._rows.append(
            _IndexRow(
                figid=record.figure.figid,
                stem=stem,
                title=record.figure.figtitle,
                year=record.figure.year,
                pmcid=record.figure.pmcid,
                genes=len({m.entrez for m in record.mentions}),
            )
        )

    def close(self) -> Path:
        """Write ``index.html`` (newest first) and return the site folder."""
        rows = sorted(self._rows, key=lambda r: (r.year, r.figid), reverse=True)
        html = self._env.get_template("site_index.html").render(
            rows=rows, root=".", static_site=True
        )
        write_text_atomically(self.root / "index.html", html)
        return self.root


def export_site(records: Any, out_dir: Path, *, site_url: str, images: bool = True) -> Path:
    """Write the static site of ``records`` under ``out_dir/site`` and return its folder."""
    writer = SiteWriter(out_dir, site_url=site_url, images=images)
    for record in records:
        writer.write(record)
    return writer.close()
