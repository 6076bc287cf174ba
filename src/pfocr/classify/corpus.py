"""A labelled figure corpus rendered on the spot, for training and testing the classifier.

There is no network and PFOCR's 15k hand-labelled figures are not public, so the default
model is fitted on figures drawn here with Pillow and numpy: pathway diagrams (gene boxes
and ellipses joined by arrows and T-bars, compartments, legends) against the figure types
that fill the rest of the biomedical literature (charts, survival curves, heatmaps, gels
and blots, micrographs and photos, tables, study-design flowcharts, chemical structures).
Each example also carries the text boxes as an ideal OCR would return them (with small
labels dropped and some boxes lost, as real OCR loses them) and a caption drawn from
templates, so all three feature groups are exercised. Everything is seeded: the same
seed gives the same pixels.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from pfocr.models import OcrToken

_GENE_TEXT = """
    EGFR ERBB2 GRB2 SOS1 KRAS HRAS NRAS BRAF RAF1 MAP2K1 MAP2K2 MAPK1 MAPK3 MAPK8 MAPK14 JUN FOS
    MYC PIK3CA PIK3R1 AKT1 AKT2 PTEN MTOR RPTOR RICTOR TSC1 TSC2 RHEB RPS6KB1 EIF4EBP1 GSK3B
    CTNNB1 APC AXIN1 TCF7L2 LEF1 WNT3A FZD7 LRP6 DVL1 NOTCH1 JAG1 DLL4 HES1 RBPJ SHH PTCH1 SMO
    GLI1 TGFB1 TGFBR1 TGFBR2 SMAD2 SMAD3 SMAD4 SMAD7 BMP2 BMPR2 TNF TNFRSF1A TRADD TRAF2 TRAF6
    RIPK1 IKBKB CHUK IKBKG NFKBIA RELA NFKB1 IL1B IL1R1 MYD88 IRAK4 IRAK1 TLR4 TLR3 TICAM1 IRF3
    IRF7 IFNB1 IFNAR1 JAK1 JAK2 TYK2 STAT1 STAT3 STAT5A IL6 IL6R IL2 IL10 CXCL8 CCL2 VEGFA KDR
    HIF1A VHL EPAS1 TP53 MDM2 CDKN1A ATM ATR CHEK1 CHEK2 BAX BCL2 BCL2L1 BAK1 BID CASP3 CASP8
    CASP9 CYCS APAF1 XIAP FAS FASLG CDK4 CDK6 CCND1 CCNE1 CDK2 RB1 E2F1 PRKACA PRKCA PLCG1 ADCY5
    GNAS GNAQ CAMK2A CREB1 CALM1 NFATC1 PPP3CA SRC PTK2 ITGB1 RAC1 RHOA CDC42 ROCK1 PAK1 INS
    INSR IRS1 SREBF1 PPARG PPARGC1A SIRT1 PRKAA1 STK11 ULK1 BECN1 ATG5 MAP1LC3B SQSTM1 NFE2L2
    KEAP1 HMOX1 NOS3 SOD2 CAT ESR1 AR NR3C1 VDR RXRA PDGFRB FGFR1 FGF2 IGF1R IGF1 PI3K JNK AMPK
"""
#: Real HGNC symbols and common family names used as diagram labels.
GENE_LABELS: tuple[str, ...] = (
    *_GENE_TEXT.split(),
    "NF-κB",
    "ERK1/2",
    "p-AKT",
    "p38",
    "IKKα",
    "IFN-γ",
    "TGF-β",
    "mTORC1",
)

_PROCESS_LABELS = (
    "Proliferation",
    "Apoptosis",
    "Survival",
    "Autophagy",
    "Inflammation",
    "Migration",
    "Angiogenesis",
    "Cell cycle",
    "Differentiation",
    "Transcription",
    "Translation",
    "Ca2+",
    "cAMP",
    "ROS",
    "LPS",
    "ATP",
    "DAG",
    "IP3",
    "PIP3",
    "Ub",
    "P",
)
_COMPARTMENTS = (
    "Nucleus",
    "Cytoplasm",
    "Plasma membrane",
    "Mitochondrion",
    "Extracellular",
    "Endoplasmic reticulum",
    "Golgi",
    "Endosome",
)
_SENTENCE_TEXT = """
    patients were screened for eligibility and enrolled in the study after informed consent
    excluded due to missing data follow up visits randomised to treatment or placebo group
    samples collected at baseline analysed by sequencing quality control passed criteria records
    identified through database searching full text articles assessed included in the final
    analysis lost to follow up discontinued intervention allocated
"""
_SENTENCE_WORDS = tuple(_SENTENCE_TEXT.split())
_AXIS_TITLES = (
    "Relative expression",
    "Fold change",
    "Cell viability (%)",
    "Tumor volume (mm3)",
    "Time (h)",
    "Days",
    "Concentration (µM)",
    "OD 450 nm",
    "Log2 FC",
    "Counts",
    "Weight (g)",
    "Survival probability",
    "Time (months)",
    "% of control",
    "-log10 P",
)
_CONDITIONS = (
    "control",
    "siRNA",
    "vehicle",
    "treated",
    "WT",
    "KO",
    "DMSO",
    "LPS",
    "sham",
    "mock",
    "shNC",
)

CAPTIONS: dict[str, tuple[str, ...]] = {
    "pathway": (
        "Schematic representation of the {gene} signaling pathway.",
        "Proposed model of {gene}-mediated activation of {gene2}.",
        "The {gene}/{gene2} axis regulates cell proliferation and survival.",
        "Overview of the signaling cascade downstream of {gene}.",
        "Mechanism by which {gene} inhibits {gene2} phosphorylation.",
        "Summary of the interactions between {gene} and {gene2} in the regulation of apoptosis.",
        "{gene} signaling network. Arrows indicate activation, bars indicate inhibition.",
        "Diagram of metabolic pathways affected in the mutant.",
        "Genes differentially expressed after treatment, mapped onto the {gene} pathway.",
        "Crosstalk between the {gene} and {gene2} pathways.",
        "Graphical abstract.",
        "Figure 7",
    ),
    "chart": (
        "{gene} expression in {cond} and treated cells. Data are mean ± SEM, n = 3; *P < 0.05.",
        "Quantification of {gene} levels. Bars show mean ± SD of three experiments.",
        "Effect of {gene} knockdown on cell viability measured by CCK-8 assay.",
        "Time course of {gene} mRNA levels after stimulation.",
        "Correlation between {gene} and {gene2} expression in tumour samples.",
        "Activation of the {gene} signaling pathway was quantified by qPCR (fold change).",
        "Dose-response curves for inhibition of {gene} kinase activity.",
    ),
    "survival": (
        "Kaplan-Meier survival curves of patients stratified by {gene} expression.",
        "Overall survival according to {gene} status; log-rank test P = 0.01.",
        "Disease-free survival of patients with high versus low {gene} levels.",
    ),
    "heatmap": (
        "Heatmap of differentially expressed genes in the {gene} pathway.",
        "Hierarchical clustering of gene expression profiles; colour shows z-score.",
        "Heat map of pathway enrichment scores across samples.",
    ),
    "gel": (
        "Western blot analysis of {gene} and phosphorylated {gene2}; GAPDH as loading control.",
        "Immunoblot showing activation of {gene} signaling after stimulation.",
        "RT-PCR products separated on agarose gel.",
        "{gene} protein levels in {cond} and treated cells detected by western blotting.",
    ),
    "micrograph": (
        "Representative immunofluorescence images of {gene} staining. Scale bar, 20 µm.",
        "Confocal microscopy of cells expressing {gene}-GFP.",
        "H&E staining of tissue sections. Original magnification ×200.",
        "Electron micrographs showing mitochondrial morphology.",
        "Immunohistochemistry of {gene} in tumour tissue.",
    ),
    "photo": (
        "Photographs of representative tumours excised from mice.",
        "Gross appearance of the lesions at day 14.",
        "Images of plants grown under control and stress conditions.",
    ),
    "table": (
        "Characteristics of the study population.",
        "Genes significantly altered in the {gene} pathway (P < 0.05).",
        "Baseline clinical data of patients.",
    ),
    "flowchart": (
        "Flowchart of patient enrolment in the study.",
        "Study design and participant flow.",
        "PRISMA flow diagram of study selection.",
        "Schematic overview of the experimental workflow.",
        "Overview of the analysis pipeline.",
    ),
    "chemical": (
        "Chemical structures of the compounds tested.",
        "Structure of {gene} inhibitor and its analogues.",
        "Synthesis of compound 3. Reagents and conditions: (a) DMF, 80 °C.",
    ),
}

#: Figure kinds and whether each is a pathway figure (1) or not (0).
KINDS: dict[str, int] = {
    "pathway": 1,
    "pathway_cartoon": 1,
    "bar_chart": 0,
    "line_chart": 0,
    "scatter_plot": 0,
    "kaplan_meier": 0,
    "heatmap": 0,
    "gel": 0,
    "micrograph": 0,
    "photo": 0,
    "table": 0,
    "flowchart": 0,
    "chemical": 0,
}
_CAPTION_GROUP = {
    "pathway": "pathway",
    "pathway_cartoon": "pathway",
    "bar_chart": "chart",
    "line_chart": "chart",
    "scatter_plot": "chart",
    "kaplan_meier": "survival",
    "heatmap": "heatmap",
    "gel": "gel",
    "micrograph": "micrograph",
    "photo": "photo",
    "table": "table",
    "flowchart": "flowchart",
    "chemical": "chemical",
}
_FONT_FILES = (
    "DejaVuSans.ttf",
    "DejaVuSans-Bold.ttf",
    "DejaVuSansCondensed.ttf",
    "DejaVuSerif.ttf",
    "DejaVuSans-Oblique.ttf",
    "DejaVuSerif-Italic.ttf",
    "DejaVuSansMono.ttf",
)
_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))


@dataclass(frozen=True)
class Example:
    """One rendered figure with its label, OCR-like text boxes and caption."""

    kind: str
    label: int
    image: Image.Image
    tokens: tuple[OcrToken, ...]
    caption: str


@lru_cache(maxsize=256)
def _font(index: int, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    name = _FONT_FILES[index % len(_FONT_FILES)]
    for folder in _FONT_DIRS:
        if (folder / name).is_file():
            return ImageFont.truetype(str(folder / name), size)
    return ImageFont.load_default(size=size)


class _Canvas:
    """A Pillow drawing that remembers where it wrote text, as OCR would report it."""

    def __init__(self, rng: random.Random, width: int, height: int, background: str = "white"):
        self.rng = rng
        self.image = Image.new("RGB", (width, height), background)
        self.draw = ImageDraw.Draw(self.image)
        self.tokens: list[OcrToken] = []
        self.font_index = rng.randrange(len(_FONT_FILES))

    @property
    def width(self) -> int:
        return self.image.width

    @property
    def height(self) -> int:
        return self.image.height

    def text(
        self, x: float, y: float, text: str, size: int, fill: object = "black", anchor: str = "la"
    ) -> tuple[float, float, float, float]:
        font = _font(self.font_index, max(6, int(size)))
        self.draw.text((x, y), text, fill=fill, font=font, anchor=anchor)
        box = self.draw.textbbox((x, y), text, font=font, anchor=anchor)
        self.tokens.append(OcrToken(text, *map(float, box), 0.95, line=len(self.tokens)))
        return box

    def text_size(self, text: str, size: int) -> tuple[float, float]:
        box = self.draw.textbbox((0, 0), text, font=_font(self.font_index, max(6, int(size))))
        return box[2] - box[0], box[3] - box[1]

    def paste_array(self, array: np.ndarray, x: int, y: int) -> None:
        patch = Image.fromarray(np.clip(array, 0, 255).astype(np.uint8))
        self.image.paste(patch.convert("RGB"), (x, y))
        self.draw = ImageDraw.Draw(self.image)


def _pastel(rng: random.Random) -> tuple[int, int, int]:
    return tuple(rng.randint(170, 255) for _ in range(3))  # type: ignore[return-value]


def _strong(rng: random.Random) -> tuple[int, int, int]:
    palette = [(0, 0, 0), (40, 40, 40), (200, 30, 30), (30, 60, 200), (20, 130, 40), (120, 0, 160)]
    return rng.choice(palette)


def _arrow(
    canvas: _Canvas,
    start: tuple[float, float],
    end: tuple[float, float],
    *,
    colour: object,
    width: int,
    head: str,
) -> None:
    draw = canvas.draw
    (x0, y0), (x1, y1) = start, end
    draw.line((x0, y0, x1, y1), fill=colour, width=width)
    angle = math.atan2(y1 - y0, x1 - x0)
    size = 4 + 2.5 * width
    if head == "arrow":
        left = (x1 - size * math.cos(angle - 0.45), y1 - size * math.sin(angle - 0.45))
        right = (x1 - size * math.cos(angle + 0.45), y1 - size * math.sin(angle + 0.45))
        draw.polygon([(x1, y1), left, right], fill=colour)
    elif head == "tbar":
        dx, dy = -math.sin(angle) * size, math.cos(angle) * size
        draw.line((x1 - dx, y1 - dy, x1 + dx, y1 + dy), fill=colour, width=width + 1)


def _edge_point(
    centre: tuple[float, float], half: tuple[float, float], towards: tuple[float, float]
) -> tuple[float, float]:
    """Where the segment from a node's centre towards a point leaves the node's box."""
    dx, dy = towards[0] - centre[0], towards[1] - centre[1]
    scale = 1.0 / max(abs(dx) / max(half[0], 1), abs(dy) / max(half[1], 1), 1e-6)
    return centre[0] + dx * min(scale, 1.0), centre[1] + dy * min(scale, 1.0)


def _gene(rng: random.Random) -> str:
    return rng.choice(GENE_LABELS)


def _render_pathway(canvas: _Canvas, cartoon: bool) -> None:
    rng, draw = canvas.rng, canvas.draw
    w, h = canvas.width, canvas.height
    line_ink = (30, 30, 30) if sum(canvas.image.getpixel((0, 0))) > 300 else (230, 230, 230)
    if rng.random() < 0.6:
        # Compartments: a membrane band or nested rounded rectangles, labelled.
        if rng.random() < 0.5:
            y = rng.randint(h // 6, h // 3)
            colour = _pastel(rng) if cartoon else (200, 200, 200)
            draw.rectangle((0, y, w, y + rng.randint(8, 30)), fill=colour)
            canvas.text(8, y + 36, rng.choice(_COMPARTMENTS), rng.randint(11, 18), (90, 90, 90))
        if rng.random() < 0.6:
            x0, y0 = rng.randint(w // 3, w // 2), rng.randint(h // 2, 2 * h // 3)
            box = (x0, y0, w - rng.randint(10, 60), h - rng.randint(10, 40))
            draw.rounded_rectangle(
                box,
                radius=30,
                outline=(120, 120, 160),
                width=rng.randint(2, 5),
                fill=(245, 245, 255) if rng.random() < 0.5 else None,
            )
            canvas.text(box[0] + 10, box[3] - 28, rng.choice(_COMPARTMENTS), rng.randint(11, 17))
    dense = rng.random() < 0.3
    columns = rng.randint(6, 12) if dense else rng.randint(3, 7)
    rows = rng.randint(6, 12) if dense else rng.randint(3, 7)
    cell_w, cell_h = w / columns, h / rows
    count = min(columns * rows, rng.randint(40, 110) if dense else rng.randint(6, 40))
    monochrome = not cartoon and rng.random() < 0.55
    cells = rng.sample([(c, r) for c in range(columns) for r in range(rows)], count)
    size = max(8, min(rng.randint(10, 20), int(cell_h * 0.4), int(cell_w * 0.16)))
    shape_kind = rng.choice(["rect", "round", "ellipse", "mixed", "text"])
    nodes: list[tuple[tuple[float, float], tuple[float, float]]] = []
    for c, r in cells:
        cx = (c + 0.5) * cell_w + rng.uniform(-0.2, 0.2) * cell_w
        cy = (r + 0.5) * cell_h + rng.uniform(-0.2, 0.2) * cell_h
        label = _gene(rng) if rng.random() < 0.82 else rng.choice(_PROCESS_LABELS)
        text_w, text_h = canvas.text_size(label, size)
        half = (text_w / 2 + rng.randint(5, 12), text_h / 2 + rng.randint(4, 9))
        shape = rng.choice(["rect", "round", "ellipse"]) if shape_kind == "mixed" else shape_kind
        fill = _pastel(rng) if rng.random() < 0.7 and not monochrome else "white"
        outline = _strong(rng) if rng.random() < 0.7 and not monochrome else (30, 30, 30)
        box = (cx - half[0], cy - half[1], cx + half[0], cy + half[1])
        if cartoon and rng.random() < 0.5:
            # Receptors and proteins drawn as coloured blobs with shading.
            blob = (box[0] - 6, box[1] - 10, box[2] + 6, box[3] + 10)
            draw.ellipse(blob, fill=_pastel(rng), outline=outline, width=2)
        elif shape == "rect":
            draw.rectangle(box, fill=fill, outline=outline, width=rng.randint(1, 3))
        elif shape == "round":
            draw.rounded_rectangle(
                box, radius=8, fill=fill, outline=outline, width=rng.randint(1, 3)
            )
        elif shape == "ellipse":
            draw.ellipse(
                (box[0] - 6, box[1] - 3, box[2] + 6, box[3] + 3),
                fill=fill,
                outline=outline,
                width=rng.randint(1, 3),
            )
        canvas.text(cx, cy, label, size, "black", anchor="mm")
        if rng.random() < 0.15:
            draw.ellipse(
                (box[2] - 6, box[1] - 8, box[2] + 8, box[1] + 6),
                fill=(250, 200, 60),
                outline="black",
            )
        nodes.append(((cx, cy), half))
    width = rng.randint(1, 3)
    for index, (centre, half) in enumerate(nodes):
        for _ in range(rng.choice([1, 1, 1, 2])):
            others = sorted(
                (j for j in range(len(nodes)) if j != index),
                key=lambda j: math.dist(centre, nodes[j][0]),
            )[:3]
            if not others:
                continue
            target, target_half = nodes[rng.choice(others)]
            start = _edge_point(centre, half, target)
            end = _edge_point(target, (target_half[0] + 3, target_half[1] + 3), centre)
            head = "tbar" if rng.random() < 0.2 else "arrow"
            colour = _strong(rng) if rng.random() < 0.3 and not monochrome else line_ink
            if rng.random() < 0.3:
                elbow = (end[0], start[1])
                draw.line((*start, *elbow), fill=colour, width=width)
                _arrow(canvas, elbow, end, colour=colour, width=width, head=head)
            else:
                _arrow(canvas, start, end, colour=colour, width=width, head=head)
    if rng.random() < 0.3:
        canvas.text(10, 8, rng.choice("ABCD"), rng.randint(16, 26))
    if rng.random() < 0.25:
        # A small legend box in a corner.
        x, y = w - 150, h - 70
        draw.rectangle((x, y, w - 8, h - 8), outline="black")
        _arrow(canvas, (x + 8, y + 18), (x + 40, y + 18), colour="black", width=1, head="arrow")
        canvas.text(x + 46, y + 10, "activation", 11)
        _arrow(canvas, (x + 8, y + 44), (x + 40, y + 44), colour="black", width=1, head="tbar")
        canvas.text(x + 46, y + 36, "inhibition", 11)


def _axes(
    canvas: _Canvas, box: tuple[int, int, int, int], *, numeric_x: bool = True
) -> tuple[int, int, int, int]:
    """Axes with ticks and numeric tick labels; returns the plotting area."""
    rng, draw = canvas.rng, canvas.draw
    x0, y0, x1, y1 = box
    left, bottom = x0 + 50, y1 - 40
    size = rng.randint(9, 15)
    draw.line((left, y0 + 10, left, bottom), fill="black", width=rng.randint(1, 2))
    draw.line((left, bottom, x1 - 10, bottom), fill="black", width=rng.randint(1, 2))
    top_value = rng.choice([1, 5, 10, 20, 50, 100, 150, 200, 1000])
    ticks = rng.randint(3, 6)
    for i in range(ticks + 1):
        y = bottom - i * (bottom - y0 - 20) / ticks
        draw.line((left - 5, y, left, y), fill="black")
        value = top_value * i / ticks
        canvas.text(left - 8, y, f"{value:g}" if value < 10 else f"{value:.0f}", size, anchor="rm")
    if numeric_x:
        for i in range(ticks + 1):
            x = left + i * (x1 - 20 - left) / ticks
            draw.line((x, bottom, x, bottom + 5), fill="black")
            canvas.text(
                x, bottom + 8, f"{i * rng.choice([1, 2, 5, 10, 12, 24])}", size, anchor="ma"
            )
    if rng.random() < 0.7:
        canvas.text(x0 + 4, (y0 + bottom) / 2, rng.choice(_AXIS_TITLES)[:14], size, anchor="lm")
    return left, y0 + 10, x1 - 10, bottom


def _panels(canvas: _Canvas) -> list[tuple[int, int, int, int]]:
    rng = canvas.rng
    columns, rows = rng.choice([(1, 1), (1, 1), (2, 1), (2, 2), (3, 1), (3, 2)])
    w, h = canvas.width / columns, canvas.height / rows
    boxes = []
    for r in range(rows):
        for c in range(columns):
            boxes.append(
                (int(c * w + 5), int(r * h + 20), int((c + 1) * w - 5), int((r + 1) * h - 5))
            )
            if columns * rows > 1:
                canvas.text(c * w + 6, r * h + 2, "ABCDEFGH"[r * columns + c], rng.randint(14, 22))
    return boxes


def _render_bar_chart(canvas: _Canvas) -> None:
    rng, draw = canvas.rng, canvas.draw
    for box in _panels(canvas):
        left, top, right, bottom = _axes(canvas, box, numeric_x=False)
        groups = rng.randint(2, 6)
        series = rng.randint(1, 3)
        colours = [_strong(rng) if rng.random() < 0.5 else _pastel(rng) for _ in range(series)]
        slot = (right - left) / groups
        for g in range(groups):
            for s in range(series):
                bar_w = slot * 0.7 / series
                x = left + g * slot + slot * 0.15 + s * bar_w
                y = bottom - rng.uniform(0.1, 0.9) * (bottom - top)
                draw.rectangle((x, y, x + bar_w - 2, bottom), fill=colours[s], outline="black")
                err = rng.uniform(3, 20)
                draw.line((x + bar_w / 2, y - err, x + bar_w / 2, y + err), fill="black")
                draw.line((x + bar_w / 4, y - err, x + 3 * bar_w / 4, y - err), fill="black")
                if rng.random() < 0.2:
                    canvas.text(
                        x + bar_w / 2, y - err - 4, "*" * rng.randint(1, 3), 14, anchor="mb"
                    )
            label = _gene(rng) if rng.random() < 0.4 else rng.choice(_CONDITIONS)
            canvas.text(left + (g + 0.5) * slot, bottom + 6, label, rng.randint(9, 14), anchor="ma")


def _render_line_chart(canvas: _Canvas, scatter: bool = False) -> None:
    rng, draw = canvas.rng, canvas.draw
    for box in _panels(canvas):
        left, top, right, bottom = _axes(canvas, box)
        for _ in range(rng.randint(1, 4)):
            colour = _strong(rng)
            points = rng.randint(6, 60 if scatter else 12)
            xs = sorted(rng.uniform(left + 5, right) for _ in range(points))
            level, trend = rng.uniform(0.1, 0.9), rng.uniform(-0.8, 0.8)
            coords = []
            for i, x in enumerate(xs):
                value = level + trend * i / points + rng.gauss(0, 0.06)
                coords.append((x, bottom - min(0.95, max(0.02, value)) * (bottom - top)))
            if not scatter:
                draw.line(coords, fill=colour, width=rng.randint(1, 3))
            for x, y in coords:
                r = rng.randint(2, 4)
                draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
        if rng.random() < 0.5:
            canvas.text(right - 90, top + 4, f"R = 0.{rng.randint(10, 99)}", 12)


def _render_kaplan_meier(canvas: _Canvas) -> None:
    rng, draw = canvas.rng, canvas.draw
    for box in _panels(canvas):
        left, top, right, bottom = _axes(canvas, box)
        for name in rng.sample(["High", "Low", "Mutant", "Wild type", "Treated", "Control"], 2):
            colour = _strong(rng)
            x, survival = float(left), 1.0
            while x < right and survival > 0.05:
                step = rng.uniform(5, 30)
                y = bottom - survival * (bottom - top)
                draw.line((x, y, x + step, y), fill=colour, width=2)
                survival *= rng.uniform(0.85, 0.99)
                draw.line(
                    (x + step, y, x + step, bottom - survival * (bottom - top)),
                    fill=colour,
                    width=2,
                )
                if rng.random() < 0.3:
                    draw.line((x + step / 2, y - 4, x + step / 2, y + 4), fill=colour)
                x += step
            canvas.text(
                right - 80,
                top + rng.randint(5, 40),
                f"{name} (n={rng.randint(20, 300)})",
                11,
                fill=colour,
            )
        canvas.text(left + 20, bottom - 30, f"P = 0.0{rng.randint(1, 49)}", 12)


def _render_heatmap(canvas: _Canvas) -> None:
    rng = canvas.rng
    rows, columns = rng.randint(8, 45), rng.randint(4, 30)
    left, top = 90, 60
    cell_w = (canvas.width - left - 80) / columns
    cell_h = (canvas.height - top - 20) / rows
    nrng = np.random.default_rng(rng.randrange(2**32))
    values = nrng.normal(size=(rows, columns)).cumsum(axis=1) / 3
    scheme = rng.choice(["rb", "gr", "viridis"])
    t = np.clip((values + 2) / 4, 0, 1)
    if scheme == "rb":
        colours = np.stack([255 * t, 255 * (1 - np.abs(t - 0.5) * 2) * 0.9, 255 * (1 - t)], axis=-1)
    elif scheme == "gr":
        colours = np.stack([255 * t, 255 * (1 - t), 40 + 0 * t], axis=-1)
    else:
        colours = np.stack([70 + 180 * t, 20 + 200 * t, 120 - 80 * t], axis=-1)
    array = np.repeat(np.repeat(colours, max(1, int(cell_h)), axis=0), max(1, int(cell_w)), axis=1)
    canvas.paste_array(array, left, top)
    if rows <= 30:
        for r in range(rows):
            canvas.text(
                left - 4,
                top + (r + 0.5) * int(cell_h),
                _gene(rng),
                max(7, min(12, int(cell_h))),
                anchor="rm",
            )
    draw = canvas.draw
    for c in range(0, columns, 2):  # a dendrogram-like bracket row above the map
        x = left + c * int(cell_w) + int(cell_w) / 2
        draw.line(
            (x, top - 5, x, top - 20, x + int(cell_w), top - 20, x + int(cell_w), top - 5),
            fill="black",
        )
    for i, label in enumerate(["2", "0", "-2"]):
        canvas.text(canvas.width - 40, top + i * 40, label, 11)


def _render_gel(canvas: _Canvas) -> None:
    rng = canvas.rng
    nrng = np.random.default_rng(rng.randrange(2**32))
    lanes = rng.randint(4, 14)
    blots = rng.randint(1, 6)
    dark_background = rng.random() < 0.3
    left, top = 110, 50
    lane_w = (canvas.width - left - 20) / lanes
    strip_h = (canvas.height - top - 20) / blots
    for lane in range(lanes):
        canvas.text(
            left + (lane + 0.5) * lane_w,
            top - 30,
            rng.choice(["+", "-", "0", "1", "6", "24"]),
            13,
            anchor="ma",
        )
    for b in range(blots):
        height = int(strip_h * 0.75)
        width = int(canvas.width - left - 20)
        yy, xx = np.mgrid[0:height, 0:width]
        base = 30.0 if dark_background else 225.0
        strip = base + nrng.normal(0, 6, size=(height, width))
        for lane in range(lanes):
            intensity = nrng.uniform(0.1, 1.0)
            cx, cy = (lane + 0.5) * lane_w, height * nrng.uniform(0.35, 0.65)
            band = np.exp(-(((yy - cy) / (height * 0.12)) ** 2)) * np.exp(
                -((np.abs(xx - cx) / (lane_w * 0.38)) ** 6)
            )
            strip += (1 if dark_background else -1) * 200 * intensity * band
        strip = np.stack([strip] * 3, axis=-1)
        y = int(top + b * strip_h)
        canvas.paste_array(strip, left, y)
        canvas.text(
            left - 8,
            y + height / 2,
            rng.choice([_gene(rng), "p-" + _gene(rng), "GAPDH", "β-actin", "Tubulin"]),
            rng.randint(11, 15),
            anchor="rm",
        )
        if rng.random() < 0.5:
            canvas.text(
                canvas.width - 18, y + height / 2, f"{rng.randint(15, 250)} kDa", 10, anchor="rm"
            )


def _texture(nrng: np.random.Generator, height: int, width: int, smooth: float) -> np.ndarray:
    noise = Image.fromarray((nrng.random((height, width)) * 255).astype(np.uint8))
    blurred = np.asarray(noise.filter(ImageFilter.GaussianBlur(smooth)), dtype=np.float64)
    span = max(1.0, float(blurred.max() - blurred.min()))
    return (blurred - blurred.min()) / span


def _render_micrograph(canvas: _Canvas, photo: bool = False) -> None:
    rng = canvas.rng
    nrng = np.random.default_rng(rng.randrange(2**32))
    for box in _panels(canvas):
        x0, y0, x1, y1 = box
        height, width = y1 - y0, x1 - x0
        if height < 20 or width < 20:
            continue
        base = _texture(nrng, height, width, rng.uniform(1.0, 6.0))
        fluorescent = not photo and rng.random() < 0.5
        if fluorescent:
            colour = np.array(rng.choice([(0, 255, 0), (255, 0, 0), (60, 120, 255), (255, 0, 255)]))
            cells = _texture(nrng, height, width, rng.uniform(4, 12)) ** 3
            array = (cells[..., None] * 1.8 + base[..., None] * 0.2) * colour
        elif photo:
            tint = np.array([rng.uniform(0.4, 1.0) for _ in range(3)]) * 255
            gradient = np.linspace(0.3, 1.0, height)[:, None]
            array = (0.5 * base + 0.5 * gradient)[..., None] * tint
        else:  # stained tissue: pink/purple, or grey electron micrograph
            tint = np.array(rng.choice([(230, 150, 200), (200, 120, 180), (180, 180, 180)]))
            array = (0.35 + 0.65 * base[..., None]) * tint
        canvas.paste_array(array, x0, y0)
        if rng.random() < 0.7:
            bar_y = y1 - 12
            canvas.draw.rectangle((x1 - 60, bar_y, x1 - 15, bar_y + 4), fill="white")
        if rng.random() < 0.3:
            canvas.text(
                x0 + 6, y0 + 4, rng.choice(["DAPI", "Merge", _gene(rng), "20 µm"]), 12, fill="white"
            )


def _render_table(canvas: _Canvas) -> None:
    rng, draw = canvas.rng, canvas.draw
    columns, rows = rng.randint(3, 8), rng.randint(5, 25)
    cell_w, cell_h = (canvas.width - 20) / columns, (canvas.height - 20) / rows
    size = max(8, min(14, int(cell_h * 0.6)))
    ruled = rng.random() < 0.5
    for r in range(rows + 1):
        if ruled or r in (0, 1, rows):
            draw.line((10, 10 + r * cell_h, canvas.width - 10, 10 + r * cell_h), fill="black")
    if ruled:
        for c in range(columns + 1):
            draw.line((10 + c * cell_w, 10, 10 + c * cell_w, canvas.height - 10), fill="black")
    headers = ["Gene", "Variable", "n", "Mean", "SD", "P value", "OR", "95% CI", "Age", "Group"]
    for c in range(columns):
        canvas.text(14 + c * cell_w, 10 + cell_h / 2, rng.choice(headers), size, anchor="lm")
    for r in range(1, rows):
        for c in range(columns):
            if c == 0:
                text = (
                    _gene(rng) if rng.random() < 0.5 else " ".join(rng.sample(_SENTENCE_WORDS, 2))
                )
            else:
                text = rng.choice(
                    [
                        f"{rng.uniform(0, 100):.1f}",
                        f"{rng.randint(1, 500)}",
                        f"0.{rng.randint(1, 999):03d}",
                        f"{rng.uniform(0, 5):.2f}",
                    ]
                )
            canvas.text(14 + c * cell_w, 10 + (r + 0.5) * cell_h, text, size, anchor="lm")


def _render_flowchart(canvas: _Canvas) -> None:
    """Study-design flowcharts: boxes and arrows like a diagram, but full of sentences."""
    rng, draw = canvas.rng, canvas.draw
    levels = rng.randint(3, 6)
    size = rng.randint(10, 16)
    level_h = canvas.height / levels
    previous: list[tuple[float, float]] = []
    for level in range(levels):
        branches = rng.choice([1, 1, 2, 2, 3])
        current = []
        for b in range(branches):
            cx = canvas.width * (b + 0.5) / branches
            cy = (level + 0.5) * level_h
            lines = []
            for _ in range(rng.randint(1, 3)):
                words = rng.sample(_SENTENCE_WORDS, rng.randint(3, 7))
                lines.append(" ".join(words))
            if rng.random() < 0.7:
                lines.append(f"(n = {rng.randint(10, 5000):,})")
            widths = [canvas.text_size(line, size)[0] for line in lines]
            half_w = min(canvas.width / branches / 2 - 8, max(widths) / 2 + 10)
            half_h = len(lines) * (size + 4) / 2 + 8
            fill = "white" if rng.random() < 0.6 else _pastel(rng)
            draw.rectangle(
                (cx - half_w, cy - half_h, cx + half_w, cy + half_h),
                outline="black",
                fill=fill,
                width=rng.randint(1, 2),
            )
            for i, line in enumerate(lines):
                canvas.text(cx, cy - half_h + 8 + i * (size + 4), line, size, anchor="ma")
            current.append((cx, cy - half_h))
            for px, py in previous:
                if abs(px - cx) < canvas.width / 2:
                    _arrow(
                        canvas, (px, py), (cx, cy - half_h), colour="black", width=1, head="arrow"
                    )
        previous = [(x, y + 2 * ((level + 0.5) * level_h - y)) for x, y in current]


def _render_chemical(canvas: _Canvas) -> None:
    rng, draw = canvas.rng, canvas.draw
    molecules = rng.randint(1, 6)
    for m in range(molecules):
        cx = canvas.width * (m % 3 + 0.5) / min(3, molecules)
        cy = canvas.height * (m // 3 + 0.5) / ((molecules + 2) // 3)
        bond = rng.randint(18, 34)
        atoms: list[tuple[float, float]] = []
        for ring in range(rng.randint(1, 3)):
            ox = cx + ring * bond * 1.73
            hexagon = [
                (
                    ox + bond * math.cos(math.pi / 6 + k * math.pi / 3),
                    cy + bond * math.sin(math.pi / 6 + k * math.pi / 3),
                )
                for k in range(6)
            ]
            draw.polygon(hexagon, outline="black", width=2)
            if rng.random() < 0.6:
                for k in (0, 2, 4):
                    a, b = hexagon[k], hexagon[(k + 1) % 6]
                    inner = [(p[0] + (ox - p[0]) * 0.2, p[1] + (cy - p[1]) * 0.2) for p in (a, b)]
                    draw.line((*inner[0], *inner[1]), fill="black", width=2)
            atoms += hexagon
        for _ in range(rng.randint(1, 4)):
            ax, ay = rng.choice(atoms)
            angle = rng.uniform(0, 2 * math.pi)
            bx, by = ax + bond * math.cos(angle), ay + bond * math.sin(angle)
            draw.line((ax, ay, bx, by), fill="black", width=2)
            canvas.text(
                bx,
                by,
                rng.choice(["OH", "O", "N", "NH2", "Cl", "F", "CH3", "COOH", "H3C"]),
                rng.randint(12, 18),
                anchor="mm",
            )
        canvas.text(
            cx,
            cy + bond * 2 + 10,
            rng.choice(["1", "2", "3a", "4", "5b", "compound 6"]),
            14,
            anchor="ma",
        )
        if m and rng.random() < 0.5:
            _arrow(
                canvas,
                (cx - canvas.width / 3 + 2 * bond + 10, cy),
                (cx - 2 * bond, cy),
                colour="black",
                width=2,
                head="arrow",
            )


_RENDERERS: dict[str, Callable[[_Canvas], None]] = {
    "pathway": lambda c: _render_pathway(c, cartoon=False),
    "pathway_cartoon": lambda c: _render_pathway(c, cartoon=True),
    "bar_chart": _render_bar_chart,
    "line_chart": _render_line_chart,
    "scatter_plot": lambda c: _render_line_chart(c, scatter=True),
    "kaplan_meier": _render_kaplan_meier,
    "heatmap": _render_heatmap,
    "gel": _render_gel,
    "micrograph": _render_micrograph,
    "photo": lambda c: _render_micrograph(c, photo=True),
    "table": _render_table,
    "flowchart": _render_flowchart,
    "chemical": _render_chemical,
}


def _caption(rng: random.Random, kind: str) -> str:
    """A caption from the kind's templates; a quarter have none, a tenth borrow another kind's."""
    roll = rng.random()
    if roll < 0.25:
        return ""
    group = _CAPTION_GROUP[kind]
    if roll < 0.35:
        group = rng.choice(sorted(CAPTIONS))
    template = rng.choice(CAPTIONS[group])
    return template.format(gene=_gene(rng), gene2=_gene(rng), cond=rng.choice(_CONDITIONS))


def _degrade(
    rng: random.Random, image: Image.Image, tokens: list[OcrToken]
) -> tuple[Image.Image, tuple[OcrToken, ...]]:
    """Downscale and JPEG-compress like a published figure; drop text OCR would miss."""
    scale = rng.uniform(0.55, 1.0)
    if scale < 0.98:
        size = (max(32, round(image.width * scale)), max(32, round(image.height * scale)))
        image = image.resize(size, Image.Resampling.LANCZOS)
    else:
        scale = 1.0
    if rng.random() < 0.35:
        degraded = image  # published as PNG: no compression artefacts
    else:
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=rng.randint(45, 95))
        degraded = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    kept = []
    for token in tokens:
        if (token.y1 - token.y0) * scale < 7 or rng.random() < 0.15:
            continue
        kept.append(
            OcrToken(
                token.text,
                token.x0 * scale,
                token.y0 * scale,
                token.x1 * scale,
                token.y1 * scale,
                token.confidence,
                line=len(kept),
            )
        )
    return degraded, tuple(kept)


def render_example(kind: str, seed: int) -> Example:
    """Render one figure of a kind (see ``KINDS``); the same (kind, seed) gives the same figure."""
    if kind not in _RENDERERS:
        raise ValueError(f"unknown figure kind {kind!r}; known: {', '.join(KINDS)}")
    rng = random.Random(f"{kind}:{seed}")
    width = rng.randint(420, 1300) if rng.random() < 0.8 else rng.randint(1300, 2200)
    height = int(width * rng.uniform(0.55, 1.3))
    background = "white"
    if kind == "pathway_cartoon" and rng.random() < 0.15:
        background = rng.choice(["black", "#101830", "#202020"])
    canvas = _Canvas(rng, width, height, background)
    _RENDERERS[kind](canvas)
    image, tokens = _degrade(rng, canvas.image, canvas.tokens)
    return Example(kind, KINDS[kind], image, tokens, _caption(rng, kind))


def iter_corpus(
    seed: int, per_kind: int, kinds: tuple[str, ...] | None = None
) -> Iterator[Example]:
    """``per_kind`` figures of every kind, rendered lazily (figures are large; keep few in memory).

    Positive kinds get as many figures as all negative kinds together would be too many, so the
    corpus is balanced at roughly one pathway figure for two others, as in PFOCR's labels.
    """
    chosen = kinds or tuple(KINDS)
    negatives = sum(1 for kind in chosen if KINDS[kind] == 0)
    positives = sum(1 for kind in chosen if KINDS[kind] == 1)
    for kind in chosen:
        count = per_kind
        if KINDS[kind] == 1 and positives and negatives:
            count = max(per_kind, round(per_kind * negatives / positives / 2))
        for index in range(count):
            yield render_example(kind, seed * 1_000_003 + index)
