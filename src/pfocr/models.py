"""The records that flow through the pipeline: figure -> OCR tokens -> gene mentions.

Plain frozen dataclasses so they pickle cheaply to worker processes and serialise
the same way to the store, the TSVs and JSON.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

#: Metadata fields of a figure, in the order of a PFOCR figure record.
METADATA_FIELDS: tuple[str, ...] = (
    "pmcid",
    "filename",
    "figlink",
    "number",
    "figtitle",
    "caption",
    "papertitle",
    "reftext",
    "year",
    "doi",
    "journal_title",
    "journal_nlm_ta",
    "publisher_name",
    "keywords",
)


#: Organisms with a gene lexicon (and so gene-set files).
LEXICON_SPECIES: tuple[str, ...] = ("Homo sapiens", "Mus musculus", "Rattus norvegicus")


@dataclass(frozen=True)
class Figure:
    """One figure to process: where its image is, and what is known about it.

    ``image_path`` is a file on disk, or the archive holding the image when
    ``archive_member`` is set (images are read from ``.tar.gz`` packages in place,
    never extracted). ``image_path`` is ``None`` when the image could not be found.
    ``source`` names the input the figure came from, for error messages.
    """

    figid: str
    image_path: str | None
    source: str
    archive_member: str | None = None
    pmcid: str = ""
    filename: str = ""
    figlink: str = ""
    number: str = ""
    figtitle: str = ""
    caption: str = ""
    papertitle: str = ""
    reftext: str = ""
    year: str = ""
    doi: str = ""
    journal_title: str = ""
    journal_nlm_ta: str = ""
    publisher_name: str = ""
    keywords: str = ""

    def metadata(self) -> dict[str, str]:
        """The publishable metadata fields, in record order."""
        return {name: getattr(self, name) for name in METADATA_FIELDS}

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class IngestFailure:
    """An input, or one figure of it, that could not be turned into a ``Figure``."""

    source: str
    message: str
    figid: str | None = None
    stage: str = "ingest"


@dataclass(frozen=True)
class OcrToken:
    """One line or word the OCR engine read, with its axis-aligned box in image pixels."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    confidence: float
    #: ``line`` for an engine text line, ``word`` for a word split from a line.
    kind: str = "line"
    #: Index of the line this token belongs to (words keep their line's index).
    line: int = 0
    #: Other readings the engine found nearly as likely (e.g. "IL1O" beside "IL10").
    alternatives: tuple[str, ...] = ()

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["alternatives"] = list(self.alternatives)
        return data


@dataclass(frozen=True)
class Mention:
    """A gene (or family member) recognised in a figure.

    ``word`` is the text as read; ``symbol`` the lexicon term it matched;
    ``source`` the lexicon tier (``hgnc_symbol``, ``hgnc_alias_symbol``,
    ``hgnc_prev_symbol`` or ``famplex``); ``hgnc_symbol``/``entrez`` the gene.
    ``transforms`` lists the transforms the word took to match, in order.
    """

    word: str
    symbol: str
    source: str
    hgnc_symbol: str
    entrez: str
    x0: float = 0.0
    y0: float = 0.0
    x1: float = 0.0
    y1: float = 0.0
    confidence: float = 1.0
    transforms: tuple[str, ...] = ()
    family: str = ""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["transforms"] = list(self.transforms)
        return data


@dataclass(frozen=True)
class AmbiguousMention:
    """A word that is a synonym of several genes the figure gives no reason to choose between.

    It is reported with its candidates rather than dropped or expanded to all of
    them: "CAP" may be CAP1 or SORBS1, and a reader can tell which from the figure.
    ``source`` is the synonym's lexicon tier; ``candidates`` and ``entrez`` list
    the genes in the same order.
    """

    word: str
    symbol: str
    source: str
    candidates: tuple[str, ...]
    entrez: tuple[str, ...]
    x0: float = 0.0
    y0: float = 0.0
    x1: float = 0.0
    y1: float = 0.0
    confidence: float = 1.0
    transforms: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("candidates", "entrez", "transforms"):
            data[key] = list(data[key])
        return data


@dataclass(frozen=True)
class FigureResult:
    """Everything the per-figure pipeline produced for one figure."""

    figure: Figure
    image_sha256: str
    width: int
    height: int
    tokens: tuple[OcrToken, ...]
    mentions: tuple[Mention, ...]
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    chemicals: tuple[ChemicalMention, ...] = ()
    diseases: tuple[DiseaseMention, ...] = ()
    organisms: tuple[OrganismRow, ...] = ()
    organisms_ner: tuple[OrganismCount, ...] = ()
    edges: tuple[Edge, ...] = ()
    ambiguous: tuple[AmbiguousMention, ...] = ()
    #: Probability that the figure is a pathway diagram (None: not classified).
    pathway_score: float | None = None
    #: True when the figure scored below ``--min-score`` and was not read.
    skipped: bool = False


@dataclass(frozen=True)
class FigureRecord:
    """A stored figure with its mentions: what exporters publish."""

    figure: Figure
    mentions: tuple[Mention, ...]
    image_sha256: str = ""
    width: int = 0
    height: int = 0
    pathway_score: float | None = None
    organisms: tuple[str, ...] = ("Homo sapiens",)
    chemicals: tuple[ChemicalMention, ...] = ()
    diseases: tuple[DiseaseMention, ...] = ()
    organisms_ner: tuple[OrganismCount, ...] = ()
    edges: tuple[Edge, ...] = ()
    ambiguous: tuple[AmbiguousMention, ...] = ()
    #: Organisms whose gene-set files (GMT) list this figure (see ``OrganismCall``);
    #: None: those of ``organisms`` that have a gene lexicon.
    gene_set_organisms: tuple[str, ...] | None = None

    def set_organisms(self) -> tuple[str, ...]:
        """Organisms whose gene-set files list this figure."""
        if self.gene_set_organisms is not None:
            return self.gene_set_organisms
        if not self.organisms:
            return ("Homo sapiens",)
        return tuple(name for name in self.organisms if name in LEXICON_SPECIES)


@dataclass(frozen=True)
class ChemicalMention:
    """A chemical recognised in a figure or a text.

    ``word`` is the text as read (several OCR words joined by a space when the name spans
    them); ``match`` the lexicon term it matched; ``name`` the MeSH heading; ``mesh`` a MeSH
    descriptor (``D...``) or supplementary concept (``C...``) id and ``chebi`` a ``CHEBI:n``
    id (empty when no link is known). ``source`` says which table matched: ``curated``,
    ``mesh_label``, ``mesh_entry``, ``chebi_name``, ``mesh_scr``, ``chebi``,
    ``chebi_variant``, ``mesh_variant``, or ``defined_abbreviation`` (a short form the
    figure's caption or legend defines). For plain text the box
    holds character offsets: ``x0``/``x1`` start and end, ``y0``/``y1`` 0 and 1.
    """

    word: str
    match: str
    name: str
    mesh: str
    chebi: str
    x0: float = 0.0
    y0: float = 0.0
    x1: float = 0.0
    y1: float = 0.0
    confidence: float = 1.0
    source: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class DiseaseMention:
    """A disease recognised in a figure or a text (fields as in ``ChemicalMention``).

    ``doid`` is a ``DOID:n`` id cross-referenced to the MeSH descriptor (empty when none);
    ``source`` is ``curated``, ``mesh_label``, ``mesh_entry``, ``doid`` or ``mondo``.
    """

    word: str
    match: str
    name: str
    mesh: str
    doid: str
    x0: float = 0.0
    y0: float = 0.0
    x1: float = 0.0
    y1: float = 0.0
    confidence: float = 1.0
    source: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class OrganismRow:
    """An organism a figure is about, and why it was called (``"text: mice"``, ``"default"``)."""

    name: str
    taxon_id: str = ""
    group: str = ""
    evidence: str = ""
    #: Whether the figure's genes go to this organism's gene-set file (GMT).
    gene_set: bool = True

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class OrganismCount:
    """One row of PFOCR's ``organisms_ner``: how many of a figure's genes each lexicon matched.

    ``count_direct`` counts official symbols, ``count_synonym`` genes found only through
    aliases or previous symbols, ``count_match`` every gene matched.
    """

    organism_id: str
    organism_name: str
    organism_group: str
    count_direct: int
    count_synonym: int
    count_match: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


#: Kinds of interaction an edge can have, from the arrow end drawn on the figure.
EDGE_KINDS: tuple[str, ...] = ("activation", "inhibition", "conversion", "binding", "other")


@dataclass(frozen=True)
class Edge:
    """A directed interaction read off the figure: a connector from one node to another.

    ``source``/``target`` name the nodes as exported: an HGNC symbol for a gene, a
    ``CHEBI:n`` id (or the name when none is known) for a chemical, the label text otherwise.
    ``source_word``/``target_word`` are the labels as read. ``kind`` is one of
    ``EDGE_KINDS``; ``directed`` is False for a plain line (source and target then in
    reading order). ``polyline`` is the connector in image pixels, source end first.
    """

    source: str
    target: str
    kind: str = "activation"
    confidence: float = 1.0
    polyline: tuple[tuple[float, float], ...] = ()
    directed: bool = True
    source_word: str = ""
    target_word: str = ""
    source_type: str = "gene"
    target_type: str = "gene"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["polyline"] = [list(point) for point in self.polyline]
        return data
