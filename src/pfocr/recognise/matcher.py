"""Gene recognition: the PFOCR transform cascade over OCR words, with figure context.

A word is looked up as read; when nothing matches, transforms are applied
cumulatively (``transforms.WORD_STEPS``, then ``expand`` into list items, then
``transforms.PART_STEPS`` per item) and the first step that hits ends the
search. Each lookup tries three keys: exact text, upper case, and upper case
without ``-``/``_``/``.``/spaces (``lexicon.compact_key``).

When one key hits several lexicon rows the most trusted tier wins
(``SOURCE_PRIORITY``): approved symbol > FamPlex family > previous symbol >
alias. This is PFOCR's published order. An approved symbol is a unique,
curated name, so it beats everything. A family name ("ERK", "PI3K", "NF-κB")
is what a figure means when it writes one, and its members are the honest
expansion, whereas a stray alias of a single gene ("ERK" is also an MAPK1
alias) would claim more precision than the label has. Previous symbols come
before aliases because they were once the official name of exactly one gene
(TAK1 was MAP3K7's symbol; it is only an alias of NR2C2). Within the winning
tier the closest spelling wins (exact > case-folded > compact): "p65" is RELA,
"P65" two other genes; "RIG-1" is RIGI, "RIG1" also PLAAT4.

Ambiguity policy (``resolve_ambiguous``): a previous symbol or alias that names
several genes is never expanded to all of them. Non-protein-coding candidates
are dropped when a protein-coding one exists; if several remain, the figure
decides: a candidate that is itself named elsewhere on the figure, or is a
member of a family named there, or shares a FamPlex family with a gene named
there, wins when it is the single best supported one. Otherwise the word
names no gene and is reported, with its candidates, as an ``AmbiguousMention``
(``Recogniser.read``): never silently dropped or expanded. Curated context
rules (``data/curated/gene_context_rules.tsv``) are applied first for
well-known collisions.

Family policy (``resolve_family``): a family word yields the members the figure
also names individually, or all members when it names none. A family word that
is also one member's synonym, while not the family's own name and not the stem
of its siblings' names, means that member ("p53" is TP53, not the p53 family;
"ERK" stays ERK1/2 because MAPK3 is "ERK1"). Families with more than
``MAX_FAMILY_SIZE`` members are classes ("Growth Factor") and never match.

Case and shape guards keep OCR noise and English out: short all-lower-case
words, words like "apR", plural acronyms ("APCs") and phospho forms ("pERK")
need a case-exact hit; compact keys never glue a one-letter tag ("p-ERK" is
not PERK) or a digit range ("WNT1-3" is not WNT13) into a symbol.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

from pfocr.errors import LexiconError
from pfocr.models import AmbiguousMention, Mention, OcrToken
from pfocr.recognise.lexicon import (
    Lexicon,
    Term,
    compact_key,
    confusable_key,
    default_lexicon,
)
from pfocr.recognise.names import NAME_SOURCE, NameIndex, default_name_index, word_key
from pfocr.recognise.tokenise import (
    Candidate,
    _below,
    _frozen,
    build_candidate,
    candidate_spans,
    group_lines,
    is_skippable,
    words_from_lines,
)
from pfocr.recognise.transforms import (
    ASCII_NOOP,
    PART_STEPS,
    RULES,
    UP_FRONT,
    WORD_STEPS,
    expand,
    may_rewrite,
    may_swap_within,
    root,
)

#: Lower is more trusted; see the module docstring for the order.
SOURCE_PRIORITY: dict[str, int] = {
    "hgnc_symbol": 0,
    "famplex": 1,
    "hgnc_prev_symbol": 2,
    "hgnc_alias_symbol": 3,
}
LOOKUPS: tuple[str, ...] = ("exact", "casefold", "compact")

#: Mention.confidence = OCR confidence x SOURCE_FACTOR x LOOKUP_FACTOR
#: (x CONTEXT_FACTOR when figure context chose between candidate genes).
#: The factors rank how often each kind of hit is a true gene mention: an
#: approved symbol read exactly is the surest; a family hit names the gene only
#: as one of several members.
SOURCE_FACTOR: dict[str, float] = {
    "hgnc_symbol": 1.0,
    "hgnc_prev_symbol": 0.9,
    "hgnc_alias_symbol": 0.85,
    "famplex": 0.7,
    NAME_SOURCE: 0.8,
}
LOOKUP_FACTOR: dict[str, float] = {"exact": 1.0, "casefold": 0.95, "compact": 0.9}
CONTEXT_FACTOR = 0.9
#: ... x ALTERNATIVE_FACTOR when the gene came from the engine's second reading.
ALTERNATIVE_FACTOR = 0.8

#: Aliases, previous symbols and family names this short are ignored (PFOCR's
#: rule for synonyms); approved symbols this short must match with exact case.
SHORT_TERM = 2
MAX_VARIANTS = 64
#: Distinct words remembered before the caches start over.
CACHE_LIMIT = 400_000
_CASE_KEY_DROP = re.compile(r"[-_.\s]+")
_NAME_LIST_SPLIT = re.compile(r"[/,;]+")
_TAG_PREFIX = re.compile(r"^[A-Za-z][-_.\s]")
#: A short all-lower-case word ("set", "nos", "gap") is English far more often
#: than a gene: it must match a term written the same way.
_SHORT_LOWER_WORD = re.compile(r"^[a-z][a-z0-9]{0,3}$")
#: Two or more lower-case letters before a capital ("apR", "elF") is not how
#: gene names are cased (mTOR, cGAS, iNOS have one): OCR noise, exact hits only.
_ODD_CASE = re.compile(r"^(?!miR)[a-z]{2,}[A-Z]")
_PLURAL_ACRONYM = re.compile(r"^[A-Z][A-Z0-9]+s$")
_DANGLING_HYPHEN = re.compile(r"[A-Za-z0-9]-$")
_DIGIT_JOIN = re.compile(r"\d[-_.\s]\d")
_PHOSPHO_P = re.compile(r"^p[A-Z]{2}")
#: How a symbol is cased after a guessed character: "STAT1", "Plk1" ("PPl" is not).
_WELL_CASED = re.compile(r"^(?:[A-Z0-9-]+|[A-Z][a-z0-9-]+)$")
#: OCR confidence below which a short synonym counts as read with doubt.
DOUBT_CONFIDENCE = 0.9
#: Synonyms this short (compact characters) need clean reading or figure support.
SHORT_SYNONYM = 4
_SYNONYM_SOURCES = frozenset({"hgnc_prev_symbol", "hgnc_alias_symbol"})
#: A short Capitalised word ("Rap", "Tal", "Mig"): a rodent gene in rodent-cased
#: figures, an English word or a stray label in human-cased ones.
_CAPITALISED_SHORT = re.compile(r"^[A-Z][a-z]{1,3}$")
#: Rodent casing of a symbol: "Jak1", "Ifit3", "Ifng" (capital, then lower case).
_RODENT_CASED = re.compile(r"^[A-Z][a-z][a-z0-9]*$")
#: An upper-case symbol: "JAK1", "IL-6", "TNFRSF1A".
_UPPER_CASED = re.compile(r"^[A-Z0-9][A-Z0-9\-]*[A-Z][A-Z0-9\-]*$")
#: The word steps that can change an ASCII word (the others only rewrite other characters).
_ASCII_WORD_STEPS = tuple(step for step in WORD_STEPS if step not in ASCII_NOOP)
#: Families larger than this are classes ("Growth Factor" has 100 members), not labels.
MAX_FAMILY_SIZE = 25


def _case_exact(variant: str, term: str) -> bool:
    """Same letters in the same case, ignoring hyphens, underscores, dots and spaces."""
    return variant == term or _CASE_KEY_DROP.sub("", variant) == _CASE_KEY_DROP.sub("", term)


def _curated_path(name: str) -> Path:
    return Path(str(resources.files("pfocr") / "data" / "curated" / name))


def _read_tsv(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    """Rows of a curated TSV; ``#`` lines are comments."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise LexiconError(f"curated table {path} is unreadable: {exc}") from exc
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    reader = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    if tuple(reader.fieldnames or ()) != columns:
        raise LexiconError(
            f"curated table {path} has columns {reader.fieldnames}, expected {list(columns)}"
        )
    rows = []
    for lineno, row in enumerate(reader, start=2):
        if any(not (row.get(c) or "").strip() for c in columns):
            raise LexiconError(f"curated table {path} row {lineno}: every column needs a value")
        rows.append({c: row[c].strip() for c in columns})
    return rows


class StopList:
    """Words that are not genes however well they match, each with its reason.

    An entry written in upper case blocks every spelling of the word ("LPS",
    "FOR"); an entry with lower-case letters blocks the spellings that are not
    all upper case ("Set" blocks "Set" and "set", leaving "SET" to the gene).
    """

    def __init__(self, entries: Mapping[str, str]) -> None:
        self.entries = dict(entries)
        self._any_case = {compact_key(w): r for w, r in entries.items() if w == w.upper()}
        self._not_upper = {compact_key(w): r for w, r in entries.items() if w != w.upper()}

    @classmethod
    def load(cls, path: Path | None = None) -> StopList:
        path = path or _curated_path("gene_stoplist.tsv")
        return cls({row["word"]: row["reason"] for row in _read_tsv(path, ("word", "reason"))})

    def reason(self, word: str) -> str | None:
        """Why ``word`` is not a gene, or None when it may be one."""
        key = compact_key(word)
        if key in self._any_case:
            return self._any_case[key]
        if word != word.upper() and key in self._not_upper:
            return self._not_upper[key]
        return None

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self.reason(word) is not None


@dataclass(frozen=True, slots=True)
class ContextRule:
    """``word`` means ``hgnc_symbol`` when any ``context`` gene is on the figure.

    ``context`` None means any figure (a default sense); ``hgnc_symbol`` "-"
    means "not a gene".
    """

    word: str
    hgnc_symbol: str
    context: frozenset[str] | None
    reason: str


def load_context_rules(path: Path | None = None) -> dict[str, tuple[ContextRule, ...]]:
    """Curated rules by the word's compact key, in file order."""
    path = path or _curated_path("gene_context_rules.tsv")
    rules: dict[str, list[ContextRule]] = {}
    for row in _read_tsv(path, ("word", "hgnc_symbol", "context", "reason")):
        ctx = row["context"]
        context = None if ctx == "*" else frozenset(s.strip() for s in ctx.split(",") if s)
        rule = ContextRule(row["word"], row["hgnc_symbol"], context, row["reason"])
        rules.setdefault(compact_key(row["word"]), []).append(rule)
    return {k: tuple(v) for k, v in rules.items()}


@dataclass(frozen=True, slots=True)
class WordMatch:
    """One gene a word may name: the lexicon term hit and how it was reached.

    ``part`` is the list item the term matched (the word itself unless
    ``expand`` split it), ``variant`` the transformed string that hit,
    ``transforms`` the rules applied in order and ``lookup`` the key that hit.
    ``ambiguous`` marks a synonym shared by several genes: ``recognise`` keeps
    at most one of them, chosen by figure context.
    """

    word: str
    part: str
    variant: str
    term: Term
    transforms: tuple[str, ...]
    lookup: str
    ambiguous: bool = False

    @property
    def hgnc_symbol(self) -> str:
        return self.term.hgnc_symbol


_Hit = tuple[str, str, Term]  # (variant, lookup, term)


@dataclass(frozen=True, slots=True)
class GeneReading:
    """What ``Recogniser.read`` found: gene mentions, and synonyms left ambiguous."""

    mentions: list[Mention]
    ambiguous: list[AmbiguousMention]


class Recogniser:
    """Finds human genes in OCR tokens with the PFOCR cascade and figure context.

    ``include_families`` keeps FamPlex family hits (expanded to their members);
    without them a family word matches nothing rather than a lesser tier
    (see ``_usable``).
    Pseudogenes are ignored unless ``include_pseudogenes``. Results of
    ``match_word`` are cached per distinct word, so repeated words cost one
    dictionary lookup.
    """

    def __init__(
        self,
        lexicon: Lexicon | None = None,
        *,
        include_families: bool = True,
        include_pseudogenes: bool = False,
        max_family_size: int = MAX_FAMILY_SIZE,
        stoplist: StopList | None = None,
        context_rules: Mapping[str, Sequence[ContextRule]] | None = None,
        names: NameIndex | None = None,
        include_names: bool = True,
    ) -> None:
        self.lexicon = lexicon if lexicon is not None else default_lexicon()
        self.include_families = include_families
        self.include_pseudogenes = include_pseudogenes
        self.max_family_size = max_family_size
        self._family_sizes = self.lexicon.family_sizes()
        self.stoplist = stoplist if stoplist is not None else StopList.load()
        self.context_rules = dict(
            context_rules if context_rules is not None else load_context_rules()
        )
        self.include_names = include_names
        self._names = names
        self._word_cache: dict[str, tuple[WordMatch, ...]] = {}
        self._hit_cache: dict[str, tuple[_Hit, ...]] = {}
        # what ``_admissible`` needs of each term depends on the settings only, not on the
        # words read: recognisers with the same settings share it (by the term's identity)
        self._term_facts: dict[int, tuple[bool, bool, bool]] = self.lexicon.memo(
            ("term_facts", include_pseudogenes, max_family_size)
        )
        self._name_cache: dict[str, tuple[tuple[tuple[str, str], ...], bool, bool]] = {}
        self._confusable_keys = self.lexicon.confusable_keys()

    # ------------------------------------------------------------------ lookups

    def _admissible(self, term: Term, variant: str, plural: bool, strict: bool) -> bool:
        """Whether ``term`` may stand for ``variant``. The tests of the word alone are made
        once per variant by ``lookup``: ``plural`` is the shape of a plural acronym,
        ``strict`` a short lower-case or odd-case word (both need a case-exact term)."""
        if plural and not _case_exact(variant, term.term):
            # "APCs", "MCs": plural acronyms, not APCS or MCS; "MAVs" is MAVS
            # because no approved symbol or family "MAV" is its singular
            return term.source == "hgnc_symbol" and not any(
                t.source in ("hgnc_symbol", "famplex") for _, _, t in self.lookup(variant[:-1])
            )
        facts = self._term_facts.get(id(term))
        if facts is None:
            facts = self._term_facts[id(term)] = self._facts_of(term)
        pseudogene, short, excluded = facts
        if pseudogene and not (term.source == "hgnc_symbol" and variant == term.term):
            return False  # pseudogene synonyms are noise; "HLA-H" written exactly is meant
        if excluded:
            return False
        if short or strict:
            return _case_exact(variant, term.term)
        return True

    def _facts_of(self, term: Term) -> tuple[bool, bool, bool]:
        """What ``_admissible`` needs of a term regardless of the word: (pseudogene held back,
        short, never admissible). Computed once per term."""
        text = term.term
        # letters and digits only (most terms): nothing for the case key to drop
        short = len(text if text.isalnum() else _CASE_KEY_DROP.sub("", text)) <= SHORT_TERM
        excluded = (short and term.source != "hgnc_symbol") or (
            # "Growth Factor", "Myosin", "Cytochrome": classes, not labels
            term.source == "famplex"
            and self._family_sizes.get(term.family, 0) > self.max_family_size
        )
        pseudogene = term.locus_group == "pseudogene" and not self.include_pseudogenes
        return pseudogene, short, excluded

    def lookup(self, variant: str) -> tuple[_Hit, ...]:
        """Every admissible lexicon row for ``variant``, best lookup key first."""
        cached = self._hit_cache.get(variant)
        if cached is not None:
            return cached
        found = self.lexicon.by_keys(variant)
        if found is None:  # the compact key is unknown: no key can hit (most OCR words)
            self._hit_cache[variant] = ()
            return ()
        exact, folded, compacted = found
        # a row written exactly as the variant is judged without the word-shape tests
        # (they only ever ask for a case-exact spelling, which it is)
        hits: list[_Hit] = [
            (variant, "exact", t) for t in exact if self._admissible(t, variant, False, False)
        ]
        if not (folded or compacted):
            result = tuple(hits)
            self._hit_cache[variant] = result
            return result
        if _PHOSPHO_P.match(variant):
            folded = compacted = ()  # "pERK" is phospho-ERK, not PERK (EIF2AK3)
        if compacted and _TAG_PREFIX.match(variant):
            # "p-ERK" is phospho-ERK, not PERK: the compact key may not glue a
            # one-letter tag onto the word unless the term has the same tag
            compacted = tuple(t for t in compacted if _TAG_PREFIX.match(t.term))
        if compacted and _DIGIT_JOIN.search(variant):
            # "WNT1-3" is a range, not WNT13 (a previous symbol of WNT2B)
            compacted = tuple(t for t in compacted if _DIGIT_JOIN.search(t.term))
        plural = _PLURAL_ACRONYM.match(variant) is not None
        strict = bool(_SHORT_LOWER_WORD.match(variant) or _ODD_CASE.match(variant))
        for name, terms in (("casefold", folded), ("compact", compacted)):
            for term in terms:
                if self._admissible(term, variant, plural, strict):
                    hits.append((variant, name, term))
        result = tuple(hits)
        self._hit_cache[variant] = result
        return result

    def _select(
        self, word: str, part: str, hits: list[_Hit], steps: tuple[str, ...]
    ) -> list[WordMatch]:
        """Apply tier priority and closest spelling to the hits of one cascade step."""
        if len(hits) == 1:  # the usual exact hit: nothing to rank
            variant, name, term = hits[0]
            return [WordMatch(word, part, variant, term, steps, name, False)]
        best_source = min(SOURCE_PRIORITY[t.source] for _, _, t in hits)
        synonyms = [h for h in hits if h[2].source in ("hgnc_prev_symbol", "hgnc_alias_symbol")]
        hits = [h for h in hits if SOURCE_PRIORITY[h[2].source] == best_source]
        best_lookup = min(LOOKUPS.index(name) for _, name, _ in hits)
        hits = [h for h in hits if LOOKUPS.index(h[1]) == best_lookup]
        if best_source == SOURCE_PRIORITY["famplex"]:
            hits = self._family_or_member(hits, synonyms)
        by_gene: dict[str, _Hit] = {}
        for h in hits:
            by_gene.setdefault(h[2].hgnc_symbol, h)
        chosen = list(by_gene.values())
        ambiguous = False
        if len(chosen) > 1 and chosen[0][2].source != "famplex":
            coding = [h for h in chosen if h[2].locus_group == "protein-coding gene"]
            chosen = coding or chosen
            ambiguous = len(chosen) > 1
        return [
            WordMatch(word, part, variant, term, steps, name, ambiguous)
            for variant, name, term in chosen
        ]

    def _family_or_member(self, family: list[_Hit], synonyms: list[_Hit]) -> list[_Hit]:
        """A family word that is also one member's synonym names that member, unless
        the other members are named after it.

        "ERK" is MAPK1's alias, but MAPK3 is "ERK1": the word means the family.
        "p53" is TP53's alias and FamPlex's p53 family, whose other members are
        p63 and p73: the word means TP53.
        """
        members = {h[2].hgnc_symbol for h in family}
        candidates = {h[2].hgnc_symbol for h in synonyms if h[2].hgnc_symbol in members}
        if len(candidates) != 1:
            return family
        (gene,) = candidates
        word = compact_key(family[0][0])
        if any(compact_key(h[2].family) == word for h in family):
            return family  # the word is the family's own name: "PI3K", "ERK", "AKT"
        numbered = re.compile(re.escape(word) + r"(?:\d{1,2}|[A-Z]|ALPHA|BETA|GAMMA|DELTA)")
        for other in members - candidates:
            if any(numbered.fullmatch(k) for k in self.lexicon.synonym_keys(other)):
                return family
        return [h for h in synonyms if h[2].hgnc_symbol == gene]

    def _cascade(
        self, word: str, part: str, start: list[str], done: tuple[str, ...], steps: Iterable[str]
    ) -> tuple[list[WordMatch], list[str], tuple[str, ...]]:
        """Look up ``start``, then each step's new variants, until one step hits."""
        variants = list(dict.fromkeys(start))
        lookup, may_match = self.lookup, self.lexicon.may_match
        hits = [h for v in variants for h in lookup(v)]
        if hits:
            hits = self._usable(hits, variants, "")
            if hits:
                return self._select(word, part, hits, done), variants, done
        if not steps:
            return [], variants, done
        known = set(variants)  # membership test for ``variants``
        # rules that only rewrite non-ASCII characters cannot change an ASCII variant
        ascii_only = "".join(variants).isascii()
        applied = done
        for step in steps:
            if ascii_only and step in ASCII_NOOP:
                continue
            rule = RULES[step]
            new = [n for v in variants for n in rule(v) if n not in known]
            new = list(dict.fromkeys(new))[: MAX_VARIANTS - len(variants)]
            if not new:
                continue
            applied = (*applied, step)
            variants.extend(new)
            known.update(new)
            ascii_only = ascii_only and "".join(new).isascii()
            # most new variants have an unknown compact key: test that before ``lookup``
            hits = [h for v in new if may_match(v) for h in lookup(v)]
            if hits:
                hits = self._usable(hits, variants, step)
                if hits:
                    return self._select(word, part, hits, applied), variants, applied
        return [], variants, applied

    def _usable(self, hits: list[_Hit], variants: list[str], step: str) -> list[_Hit]:
        """Hits a cascade step may accept.

        Without families, a variant that names a family is claimed by it: its
        lesser-tier hits ("ERK" is also an EPHB2 previous symbol) are dropped,
        while later transforms may still find genes ("ERK1/2" -> ERK1, ERK2).
        A variant made by dropping a plural "s" may only name a family or an
        approved symbol written exactly ("TLRs" -> TLR, but "MDMs" is not MDM).
        """
        if not hits:
            return hits
        if not self.include_families:
            approved = {v for v, _, t in hits if t.source == "hgnc_symbol"}
            claimed = {v for v, _, t in hits if t.source == "famplex"} - approved
            hits = [h for h in hits if h[0] not in claimed and h[2].source != "famplex"]
        if step == "ocr_confusions":
            # a guessed character must land on one approved symbol, nothing vaguer
            hits = [
                h
                for h in hits
                if h[2].source == "hgnc_symbol" and h[1] != "compact" and _WELL_CASED.match(h[0])
            ]
            if len({h[2].hgnc_symbol for h in hits}) != 1:
                return []
        if step == "root":
            hits = [
                h
                for h in hits
                if h[0] + "s" not in variants
                or h[2].source == "famplex"
                or (h[2].source == "hgnc_symbol" and h[1] == "exact")
            ]
        return hits

    def match_word(self, word: str) -> list[WordMatch]:
        """Genes ``word`` may name, after the cascade (cached per distinct word).

        Stop-listed and skippable words match nothing; a list ("ERK1/2") gives
        the matches of every item. Matches flagged ``ambiguous`` still need
        figure context (see ``recognise``).
        """
        cached = self._word_cache.get(word)
        if cached is None:
            if len(self._word_cache) >= CACHE_LIMIT:
                self._word_cache.clear()  # bounded memory over millions of figures
                self._hit_cache.clear()
                self._name_cache.clear()
            cached = tuple(self._match_word(word))
            self._word_cache[word] = cached
        return list(cached)

    def _match_word(self, word: str) -> list[WordMatch]:
        rewrites: bool | None = None  # may_rewrite(word), when it was needed already
        if not self.lexicon.may_match(word):
            rewrites = may_rewrite(word)
            if not rewrites:
                # no lexicon key can hit the word and no rule derives another variant
                # from it: whatever the checks below decide, nothing matches (most words)
                return []
        if not word or is_skippable(word) or word in self.stoplist:
            return []
        text, done = word, ()
        ascii_word = word.isascii()
        for step in UP_FRONT:
            if ascii_word and step in ASCII_NOOP:
                continue
            out = RULES[step](text)
            if out:
                text, done = out[0], (*done, step)
        if text != word and (is_skippable(text) or text in self.stoplist):
            return []
        if _DANGLING_HYPHEN.search(text):
            # "ICAM-": the engine lost the end of the label; only an approved
            # symbol is a safe reading of what is left
            found = self._match_word(text[:-1])
            return [m for m in found if m.term.source == "hgnc_symbol"]
        ascii_text = text.isascii()
        if ascii_text and not _ASCII_WORD_STEPS:
            # no word step changes ASCII text, so the word stage is the text's own lookup
            # (``_cascade`` without steps), and it finds nothing when the text is the word
            # and the word's compact key is unknown (``rewrites`` was needed then)
            if rewrites is None or text != word:
                hits = self._usable(list(self.lookup(text)), [text], "")
                if hits:
                    return self._select(word, text, hits, done)
            normal = text
        else:
            word_steps = _ASCII_WORD_STEPS if ascii_text else WORD_STEPS
            matches, variants, done = self._cascade(word, text, [text], done, word_steps)
            if matches:
                return matches
            normal = variants[-1] if len(done) and done[-1] in WORD_STEPS else text
        if rewrites is None or text != word:
            rewrites = may_rewrite(text)
        if not rewrites:
            # no rule derives a variant from the word (most OCR words): the rest of the
            # cascade would look the same word up again and find nothing more to try
            return []
        # guessing characters is for one OCR word, not for words joined by the tokeniser
        steps = PART_STEPS if " " not in text else PART_STEPS[:-1]
        parts = expand(normal)
        if not parts:
            if not self._part_may_match(normal):
                return []
            return self._cascade(word, normal, [normal], done, steps)[0]
        found: list[WordMatch] = []
        for part in parts:
            if is_skippable(part) or part in self.stoplist or not self._part_may_match(part):
                continue
            found.extend(self._cascade(word, part, [part], (*done, "expand"), steps)[0])
        return found

    def _part_may_match(self, part: str) -> bool:
        """Whether the ``PART_STEPS`` cascade of ``part`` may hit; False only when it cannot.

        Most words that reach the part steps are chemicals, numbers and labels the steps
        only strip or split ("(S)-Malate", "1-MT"), and trying every variant is the
        slowest thing the matcher does for them. For an ASCII part that ``swaps`` cannot
        rewrite, every variant of the cascade is a ``root`` variant of the part (or the
        part), at most with punctuation deleted (``alphanumeric``) and one lookalike
        replaced (``ocr_confusions``): all of these share that variant's
        ``confusable_key``. So when neither the part's key nor any ``root`` variant's is
        a term's, no variant has a known compact key and no lookup can hit.
        """
        if not part.isascii() or may_swap_within(part):
            return True
        keys = self._confusable_keys
        return any(confusable_key(v) in keys for v in (part, *root(part)))

    def _accept(self, text: str, kind: str) -> bool:
        """Whether a multi-word candidate names a gene (``pair``: without transforms)."""
        if kind == "pair":
            if not self.lexicon.may_match(text) or not self.lookup(text):
                return False  # what the lookup below would find: nothing (most pairs)
            if is_skippable(text) or text in self.stoplist:
                return False
            return any(not m.ambiguous for m in self._cascade(text, text, [text], (), ())[0])
        return bool(self.match_word(text))

    # --------------------------------------------------------------- recognition

    def recognise(self, tokens: Sequence[OcrToken]) -> list[Mention]:
        """Gene mentions of one figure's OCR tokens (lines or words), in reading order.

        One Mention per (token, gene); a word naming a family gives one per member.
        Two figure-level evidence rules apply on top of ``match_word`` (see
        ``_plausible``): a short Capitalised word reaches a synonym by case folding
        only on a figure written in rodent casing, and a short synonym read with
        doubt (low OCR confidence or other engine readings) needs the rest of the
        figure to support its gene.
        """
        return self.read(tokens).mentions

    def read(self, tokens: Sequence[OcrToken]) -> GeneReading:
        """As ``recognise``, also reporting the synonyms the figure could not resolve."""
        words = words_from_lines(tokens)
        lines = group_lines(words)
        found: list[tuple[Candidate, Sequence[WordMatch]]] = []
        cache = self._word_cache
        for text, span, kind in candidate_spans(lines, self._accept):
            if kind == "word" and not span[0].alternatives:
                # a word without other readings is its own matches (cached once seen);
                # most name nothing and need no Candidate
                ms = cache.get(text) or self.match_word(text)
                if ms:
                    found.append((build_candidate(text, span, kind), ms))
                continue
            cand = build_candidate(text, span, kind)
            ms = self._match_candidate(cand)
            if ms:
                found.append((cand, ms))
        rodent = _rodent_cased_figure(ms for _, ms in found)
        # genes each candidate names firmly / through a family, counted over the figure
        firm: dict[str, int] = {}
        members: dict[str, int] = {}
        matched: list[tuple[Candidate, Sequence[WordMatch], bool, set[str], set[str]]] = []
        for cand, ms in found:
            if not rodent:  # on a rodent-cased figure every match is plausible
                ms = [m for m in ms if _case_plausible(m, rodent)]
                if not ms:
                    continue
            doubtful = self._doubtful(cand, ms)
            f = (
                set()
                if doubtful
                else {m.hgnc_symbol for m in ms if not m.ambiguous and m.term.source != "famplex"}
            )
            fm = {m.hgnc_symbol for m in ms if m.term.source == "famplex"}
            for g in f:
                firm[g] = firm.get(g, 0) + 1
            for g in fm:
                members[g] = members.get(g, 0) + 1
            matched.append((cand, ms, doubtful, f, fm))
        all_named, all_members = set(firm), set(members)
        mentions: list[Mention] = []
        unresolved: list[AmbiguousMention] = []
        for cand, ms, doubtful, f, fm in matched:
            if doubtful or self._needs_context(ms):
                # what the *rest* of the figure names: drop what only this word names
                named = all_named - {g for g in f if firm[g] == 1}
                in_families = all_members - {g for g in fm if members[g] == 1}
                context = FigureContext(named, in_families, self.lexicon)
                if doubtful:
                    resolved = [(m, CONTEXT_FACTOR, "figure_context") for m in ms
                                if context.support(m.hgnc_symbol) > 0]  # fmt: skip
                else:
                    parts: list[list[WordMatch]] = []
                    resolved = self._resolve_parts(ms, context, parts)
                    unresolved.extend(self._ambiguous(cand, p) for p in parts)
            else:
                resolved = [(m, 1.0, "") for m in ms]
            seen: set[str] = set()
            for m, factor, how in resolved:
                if m.hgnc_symbol not in seen:
                    seen.add(m.hgnc_symbol)
                    mentions.append(self._mention(cand, m, factor, how))
        if self.include_names:
            mentions.extend(self._name_mentions(words, mentions, lines))
        return GeneReading(mentions, unresolved)

    @property
    def names(self) -> NameIndex:
        """The name index (HGNC approved names and curated names), loaded on first use."""
        if self._names is None:
            self._names = default_name_index()
        return self._names

    def _name_parts(self, text: str) -> tuple[tuple[tuple[str, str], ...], bool, bool]:
        """A word's items for name matching, each with its name key (list items apart:
        "Actin/Vimentin"; OCR fixes applied); whether a name can start on one of them; and
        whether one is a whole name. Cached per distinct word: figures repeat their words."""
        got = self._name_cache.get(text)
        if got is None:
            index = self.names
            if text.isascii() and text.isalnum() and not text.startswith("elF"):
                # nothing to fix or split, and lower case is the whole key (most words)
                key = text.lower()
                got = (((text, key),), *index.word_facts(key))
            else:
                fixed = (RULES["ocr_fixes"](text) or [text])[0]
                items = [p for p in _NAME_LIST_SPLIT.split(fixed) if p]
                parts = tuple((p, word_key(p)) for p in (items if len(items) > 1 else [fixed]))
                keys = [k for _, k in parts]
                got = parts, any(map(index.can_start, keys)), any(map(index.is_name, keys))
            self._name_cache[text] = got
        return got

    def _name_mentions(
        self,
        words: Sequence[OcrToken],
        found: Sequence[Mention],
        lines: Sequence[Sequence[OcrToken]] | None = None,
    ) -> list[Mention]:
        """Mentions of full names, on one line or wrapped onto the line below.

        A name is skipped where a mention of the same gene already covers its box
        ("E-cadherin" is CDH1 through the symbol cascade already). ``lines`` are
        ``group_lines(words)`` when the caller has them already.
        """
        boxes: dict[str, list[tuple[float, float, float, float]]] = {}
        for m in found:
            boxes.setdefault(m.hgnc_symbol, []).append((m.x0, m.y0, m.x1, m.y1))
        index = self.names
        grouped = group_lines(words) if lines is None else lines
        cached, parts_of = self._name_cache.get, self._name_parts
        info = [[cached(w.text) or parts_of(w.text) for w in line] for line in grouped]
        built: dict[int, tuple[list[OcrToken], list[str]]] = {}

        def name_line(li: int) -> tuple[list[OcrToken], list[str]]:
            got = built.get(li)
            if got is None:
                pairs = zip(grouped[li], info[li], strict=True)
                got = built[li] = (
                    [
                        w if p == w.text else replace(w, text=p)
                        for w, (ps, _, _) in pairs
                        for p, _ in ps
                    ],
                    [k for ps, _, _ in info[li] for _, k in ps],
                )
            return got

        # a name starts on a word whose key is a name or begins one: most lines have none
        # and are not looked at further (their name words are never built)
        starting = sorted({li for li, line in enumerate(info) for _, starts, _ in line if starts})
        out: list[Mention] = []
        for li in starting:
            # split items keep their word's box: the original words decide the wrap
            wraps = li + 1 < len(grouped) and _below(grouped[li][-1], grouped[li + 1][0])
            (parts, _, is_name), *more = info[li]
            if not wraps and not more and len(parts) == 1 and not is_name:
                continue  # one key that only begins names, and no line below to finish one
            line, keys = name_line(li)
            spans = [(line[a:b], names, False) for a, b, names in index.spans(keys)]
            if wraps:
                below, below_keys = name_line(li + 1)
                joined = line + below
                for a, b, names in index.spans(keys + below_keys):
                    if a < len(line) < b:
                        spans.append((joined[a:b], names, True))
            for span, names, wrapped in spans:
                entry = names[0]
                text = " ".join(w.text for w in span)
                if len(span) == 1 and (
                    text in self.stoplist or (text.isalpha() and len(entry.name.split()) > 1)
                ):
                    continue  # "proteins" is not "protein S", "Selenoproteins" not one
                box = (
                    min(w.x0 for w in span),
                    min(w.y0 for w in span),
                    max(w.x1 for w in span),
                    max(w.y1 for w in span),
                )
                if any(_overlap(box, b) for b in boxes.get(entry.hgnc_symbol, ())):
                    continue
                boxes.setdefault(entry.hgnc_symbol, []).append(box)
                confidence = min(w.confidence for w in span) * SOURCE_FACTOR[NAME_SOURCE]
                out.append(
                    Mention(
                        word=text,
                        symbol=entry.name,
                        source=NAME_SOURCE,
                        hgnc_symbol=entry.hgnc_symbol,
                        entrez=entry.entrez,
                        x0=box[0],
                        y0=box[1],
                        x1=box[2],
                        y1=box[3],
                        confidence=round(confidence, 4),
                        transforms=("name", "line_break") if wrapped else ("name",),
                    )
                )
        return out

    def _doubtful(self, cand: Candidate, ms: Sequence[WordMatch]) -> bool:
        """A short synonym read with doubt: the engine was unsure or saw other readings.

        Three- and four-character aliases ("TUG", "DAM1", "FA-1") are what noise in
        dense figures most often spells; read cleanly they are kept, read with
        doubt they must name a gene the figure supports (``FigureContext.support``).
        Words with curated context rules decide through those rules instead.
        """
        if not ms or (cand.confidence >= DOUBT_CONFIDENCE and not cand.alternatives):
            return False
        return all(
            m.term.source in _SYNONYM_SOURCES
            and not m.ambiguous
            and not m.transforms
            and not any(c.islower() for c in m.word)
            and len(compact_key(m.term.term)) <= SHORT_SYNONYM
            and compact_key(m.part) not in self.context_rules
            and compact_key(m.variant) not in self.context_rules
            for m in ms
        )

    def _match_candidate(self, cand: Candidate) -> list[WordMatch]:
        """The candidate's matches, or those of the engine's next-best reading.

        An alternative reading is tried when the text names nothing, or names a
        gene only weakly (see ``_weak``) while the alternative names an approved
        symbol ("Jakl" is the JAKL alias of JAK3 read for "Jak1"). Only a clear hit
        counts for an alternative: an approved symbol in exact, upper or rodent
        case, or a synonym written exactly in the engine's next-best reading; no
        ambiguous synonym, no family. Its matches carry the ``ocr_alternative`` step.
        """
        found = self.match_word(cand.text)
        if not cand.alternatives or cand.text in self.stoplist:
            return found
        if found and not all(_weak(m) for m in found):
            return found
        for rank, alt in enumerate(cand.alternatives):
            ms = self.match_word(alt)
            if not ms or not all(_clear_alternative(m) for m in ms):
                continue
            if rank and any(m.term.source != "hgnc_symbol" for m in ms):
                continue  # a synonym only from the engine's next-best reading
            if found and not any(m.term.source == "hgnc_symbol" for m in ms):
                continue
            return [
                WordMatch(alt, m.part, m.variant, m.term, ("ocr_alternative", *m.transforms),
                          m.lookup)
                for m in ms
            ]  # fmt: skip
        return found

    def _needs_context(self, ms: Sequence[WordMatch]) -> bool:
        rules = self.context_rules
        return any(
            m.ambiguous
            or m.term.source == "famplex"
            or compact_key(m.variant) in rules
            # the variant is the part itself for most matches: one key is enough then
            or (m.part != m.variant and compact_key(m.part) in rules)
            for m in ms
        )

    def recognise_text(self, text: str) -> list[Mention]:
        """Gene mentions of plain text, one OCR line per text line (boxes are 0)."""
        return self.read_text(text).mentions

    def read_text(self, text: str) -> GeneReading:
        """As ``recognise_text``, also reporting the synonyms left ambiguous."""
        tokens = [
            OcrToken(text=line, x0=0.0, y0=0.0, x1=0.0, y1=0.0, confidence=1.0, line=i)
            for i, line in enumerate(text.splitlines())
        ]
        return self.read(tokens)

    def resolve(
        self, matches: Sequence[WordMatch], context: FigureContext
    ) -> list[tuple[WordMatch, float]]:
        """Context rules, then the ambiguity policy, per list item; (match, factor) pairs."""
        return [(m, factor) for m, factor, _ in self.resolve_explained(matches, context)]

    def resolve_explained(
        self, matches: Sequence[WordMatch], context: FigureContext
    ) -> list[tuple[WordMatch, float, str]]:
        """As ``resolve``, with the step that decided: ``context_rule``, ``figure_context``,
        ``family_named_members`` or "" when the matches stand as they are."""
        return self._resolve_parts(matches, context, [])

    def _resolve_parts(
        self,
        matches: Sequence[WordMatch],
        context: FigureContext,
        unresolved: list[list[WordMatch]],
    ) -> list[tuple[WordMatch, float, str]]:
        """``resolve_explained``; the ambiguous list items nothing decided go to ``unresolved``."""
        by_part: dict[str, list[WordMatch]] = {}
        for m in matches:
            by_part.setdefault(m.part, []).append(m)
        out: list[tuple[WordMatch, float, str]] = []
        for part, ms in by_part.items():
            ruled = self._apply_rules(part, ms, context)
            if ruled is not None:
                out.extend((m, factor, "context_rule") for m, factor in ruled)
            elif ms[0].ambiguous:
                winners = resolve_ambiguous(ms, context)
                out.extend((m, CONTEXT_FACTOR, "figure_context") for m in winners)
                if not winners:
                    unresolved.append(ms)
            elif ms[0].term.source == "famplex":
                kept = resolve_family(ms, context)
                how = "family_named_members" if len(kept) < len(ms) else ""
                out.extend((m, 1.0, how) for m in kept)
            else:
                out.extend((m, 1.0, "") for m in ms)
        return out

    def _apply_rules(
        self, part: str, ms: list[WordMatch], context: FigureContext
    ) -> list[tuple[WordMatch, float]] | None:
        rules = self.context_rules.get(compact_key(ms[0].variant)) or self.context_rules.get(
            compact_key(part)
        )
        if not rules:
            return None
        for rule in rules:
            if rule.context is not None and not (rule.context & context.present):
                continue
            if rule.hgnc_symbol == "-":
                return []
            for m in ms:
                if m.hgnc_symbol == rule.hgnc_symbol:
                    return [(m, 1.0 if rule.context is None else CONTEXT_FACTOR)]
            hit = next(
                (h for h in self.lookup(ms[0].variant) if h[2].hgnc_symbol == rule.hgnc_symbol),
                None,
            )
            if hit is not None:
                m0 = ms[0]
                m = WordMatch(m0.word, m0.part, hit[0], hit[2], m0.transforms, hit[1], False)
                return [(m, CONTEXT_FACTOR)]
        return None

    @staticmethod
    def _ambiguous(cand: Candidate, ms: Sequence[WordMatch]) -> AmbiguousMention:
        """The report of a synonym left undecided: every candidate gene, none chosen."""
        m = ms[0]
        transforms = m.transforms if m.lookup == "exact" else (*m.transforms, m.lookup)
        confidence = cand.confidence * SOURCE_FACTOR[m.term.source] * LOOKUP_FACTOR[m.lookup]
        genes = sorted({(x.term.hgnc_symbol, x.term.entrez) for x in ms})
        return AmbiguousMention(
            word=cand.text,
            symbol=m.term.term,
            source=m.term.source,
            candidates=tuple(g for g, _ in genes),
            entrez=tuple(e for _, e in genes),
            x0=cand.x0,
            y0=cand.y0,
            x1=cand.x1,
            y1=cand.y1,
            confidence=round(confidence / len(genes), 4),
            transforms=transforms,
        )

    @staticmethod
    def _mention(cand: Candidate, m: WordMatch, factor: float, how: str = "") -> Mention:
        """The Mention of one match; ``transforms`` names every step that changed the word:
        the cascade's rules, the lookup key when not exact (``casefold``, ``compact``)
        and what decided between genes (``how``)."""
        confidence = (
            cand.confidence * SOURCE_FACTOR[m.term.source] * LOOKUP_FACTOR[m.lookup] * factor
        )
        alternative = bool(m.transforms) and m.transforms[0] == "ocr_alternative"
        if alternative:
            confidence *= ALTERNATIVE_FACTOR
        transforms = m.transforms
        if m.lookup != "exact":
            transforms = (*transforms, m.lookup)
        if how:
            transforms = (*transforms, how)
        return _frozen(  # Mention(...) without its slow frozen __init__
            Mention,
            word=m.word if alternative else cand.text,
            symbol=m.term.term,
            source=m.term.source,
            hgnc_symbol=m.term.hgnc_symbol,
            entrez=m.term.entrez,
            x0=cand.x0,
            y0=cand.y0,
            x1=cand.x1,
            y1=cand.y1,
            confidence=round(confidence, 4),
            transforms=transforms,
            family=m.term.family,
        )


def _weak(m: WordMatch) -> bool:
    """A synonym reached only by case folding or compaction, or a short one."""
    return m.term.source in _SYNONYM_SOURCES and (
        m.lookup != "exact" or len(compact_key(m.term.term)) <= SHORT_SYNONYM
    )


def _clear_alternative(m: WordMatch) -> bool:
    """Whether an engine's alternative reading may stand for the word (see ``_match_candidate``)."""
    if m.ambiguous or m.term.source == "famplex":
        return False
    if m.term.source == "hgnc_symbol":
        return (
            m.lookup == "exact"
            or bool(_UPPER_CASED.match(m.variant))
            or bool(_RODENT_CASED.match(m.variant))
        )
    return _case_exact(m.variant, m.term.term)


def _rodent_cased_figure(matches: Iterable[Sequence[WordMatch]]) -> bool:
    """Whether the figure writes its genes in rodent casing ("Ifit3", "Jak1").

    Counted on approved symbols read directly: at least two in rodent casing and
    no fewer than in upper case.
    """
    rodent = upper = 0
    for ms in matches:
        for m in ms:
            if m.term.source != "hgnc_symbol" or m.ambiguous or m.transforms:
                continue
            if m.lookup == "exact":
                upper += 1 if _UPPER_CASED.match(m.variant) else 0
            elif _RODENT_CASED.match(m.variant):
                rodent += 1
    return rodent >= 2 and rodent >= upper


def _case_plausible(m: WordMatch, rodent_figure: bool) -> bool:
    """A short Capitalised word reaches a synonym by case folding only on rodent figures."""
    if m.term.source not in _SYNONYM_SOURCES or m.lookup == "exact" or rodent_figure:
        return True
    return not _CAPITALISED_SHORT.match(m.variant)


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    """Whether two boxes share any area (or are the same zero-size box)."""
    if a == b:
        return True
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@dataclass(frozen=True)
class FigureContext:
    """What the rest of a figure names: genes read unambiguously, family members."""

    named: set[str]
    in_families: set[str]
    lexicon: Lexicon

    @property
    def present(self) -> set[str]:
        return self.named | self.in_families

    def support(self, gene: str) -> int:
        """3: named elsewhere; 2: member of a family named; 1: shares a family; 0: none."""
        if gene in self.named:
            return 3
        if gene in self.in_families:
            return 2
        families = self.lexicon.families_of(gene)
        if families and any(families & self.lexicon.families_of(g) for g in self.named):
            return 1
        return 0


def resolve_ambiguous(matches: Sequence[WordMatch], context: FigureContext) -> list[WordMatch]:
    """The ambiguity policy: the single best-supported candidate gene, or nothing."""
    scored = [(context.support(m.hgnc_symbol), m) for m in matches]
    best = max(s for s, _ in scored)
    winners = [m for s, m in scored if s == best]
    if best == 0 or len(winners) != 1:
        return []
    return winners


def resolve_family(matches: Sequence[WordMatch], context: FigureContext) -> list[WordMatch]:
    """The family policy: members named elsewhere on the figure, else every member.

    A figure that writes "STAT" beside "STAT1" and "STAT2" means those two, not
    the whole family; a figure that only writes "PI3K" means the family, and
    PFOCR's expansion to all members is kept.
    """
    if expand(matches[0].part):
        return list(matches)  # "ERK1/2" lists its members, it does not stand for a few
    named = [m for m in matches if m.hgnc_symbol in context.named]
    return named or list(matches)
