"""Word transforms of the PFOCR cascade: small pure functions ``str -> list[str]``.

Each transform returns the *new* variants it derives from a word (an empty list
when it does not apply), so the matcher can record exactly which rules a match
needed. They follow PFOCR's ``4_ner_genes/transforms`` with its known defects
fixed: swaps keep case-insensitive name keys working on mixed-case words,
roman ``III`` is read before ``II``, ``AC`` -> ``ADCY`` only for a whole
adenylyl-cyclase label, homoglyphs keep every path instead of slicing, and
``alphanumeric`` keeps Greek letters (dropping ``γ`` from ``IFN-γ`` would turn
it into the family ``IFN``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

Transform = Callable[[str], list[str]]

GREEK_LOWER = "αβγδεζηθικλμνξοπρστυφχψω"
#: Greek letter -> the Latin letter HGNC uses for it in symbols (IFNG, PRKCQ, IFNW1).
GREEK_TO_LATIN: dict[str, str] = {
    "α": "A",
    "β": "B",
    "γ": "G",
    "δ": "D",
    "ε": "E",
    "ζ": "Z",
    "η": "H",
    "θ": "Q",
    "ι": "I",
    "κ": "K",
    "λ": "L",
    "μ": "M",
    "ν": "N",
    "ξ": "X",
    "π": "P",
    "ρ": "R",
    "σ": "S",
    "τ": "T",
    "υ": "U",
    "φ": "F",
    "χ": "C",
    "ψ": "Y",
    "ω": "W",
    "ς": "S",
    "ϵ": "E",
    "ϑ": "Q",
    "ϕ": "F",
    "ß": "B",  # German sharp s: what OCR and authors type for β
}
#: Greek letter -> its name as HGNC aliases spell it (``EIF-2alpha``, ``IKK-beta``).
GREEK_TO_NAME: dict[str, str] = {
    "α": "alpha",
    "β": "beta",
    "γ": "gamma",
    "δ": "delta",
    "ε": "epsilon",
    "ζ": "zeta",
    "η": "eta",
    "θ": "theta",
    "ι": "iota",
    "κ": "kappa",
    "λ": "lambda",
    "μ": "mu",
    "ν": "nu",
    "ξ": "xi",
    "π": "pi",
    "ρ": "rho",
    "σ": "sigma",
    "τ": "tau",
    "υ": "upsilon",
    "φ": "phi",
    "χ": "chi",
    "ψ": "psi",
    "ω": "omega",
    "ς": "sigma",
    "ϵ": "epsilon",
    "ϑ": "theta",
    "ϕ": "phi",
    "ß": "beta",
}
_GREEK_CHARS = "".join(GREEK_TO_LATIN)
_GREEK_CLASS = f"[{_GREEK_CHARS}]"
_HAS_GREEK = re.compile(_GREEK_CLASS)
_GREEK_TO_LATIN_TABLE = str.maketrans(GREEK_TO_LATIN)

#: Lookalikes of the lexicon's characters: Cyrillic and Greek capitals inside Latin
#: words, Unicode dashes, slashes and dotless letters (NFKC folds fullwidth forms).
HOMOGLYPHS: dict[str, str] = {
    # Cyrillic
    "А": "A", "В": "B", "С": "C", "Е": "E", "Н": "H", "І": "I", "Ј": "J", "К": "K",
    "М": "M", "О": "O", "Р": "P", "Ѕ": "S", "Т": "T", "Х": "X", "У": "Y", "Ү": "Y",
    "а": "a", "с": "c", "е": "e", "і": "i", "ј": "j", "о": "o", "р": "p", "ѕ": "s",
    "х": "x", "у": "y", "ԁ": "d", "һ": "h", "ӏ": "l", "Ԛ": "Q", "ԛ": "q", "Ԝ": "W",
    "ԝ": "w", "З": "3", "б": "6",
    # Greek capitals and omicron (the lower-case letters are meaningful: kept)
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "ο": "o",
    # dashes, slashes, dotless and script letters
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-", "⁃": "-",
    "∕": "/", "⁄": "/", "ı": "i", "ℓ": "l", "ǀ": "l", "×": "x", "’": "'", "‘": "'",
    "′": "'",
}  # fmt: skip
_HOMOGLYPH_TABLE = str.maketrans(HOMOGLYPHS)


def nfkc(word: str) -> list[str]:
    """Unicode compatibility form: fullwidth ``ＡＫＴ１`` -> ``AKT1``, ``Ca²⁺`` -> ``Ca2+``."""
    if word.isascii():
        return []  # NFKC leaves ASCII as it is
    out = unicodedata.normalize("NFKC", word)
    return [out] if out != word else []


def ocr_fixes(word: str) -> list[str]:
    """Misreadings no gene term can mean, corrected before any lookup.

    ``elF`` (lower-case L) is the OCR reading of ``eIF``: left alone it matches
    ``ELF2``/``ELF4`` case-insensitively, and no lexicon term is written ``elF``.
    """
    if not word.startswith("elF"):
        return []
    out = re.sub(r"^elF(?=[\d\-])", "eIF", word)
    return [out] if out != word else []


def homoglyphs(word: str) -> list[str]:
    """Cyrillic ``МАРК8`` -> ``MAPK8``; en dash -> hyphen; one deterministic variant."""
    if word.isascii():
        return []  # every homoglyph is outside ASCII
    out = word.translate(_HOMOGLYPH_TABLE)
    return [out] if out != word else []


def deburr(word: str) -> list[str]:
    """Drop combining marks: ``Nrf2̃`` -> ``Nrf2``, ``é`` -> ``e`` (Greek letters stay)."""
    if word.isascii():
        return []  # no combining marks in ASCII
    decomposed = unicodedata.normalize("NFKD", word)
    out = "".join(c for c in decomposed if not unicodedata.combining(c))
    out = unicodedata.normalize("NFC", out)
    return [out] if out != word else []


# --------------------------------------------------------------------------- expand

_SEPARATORS = re.compile(r"\s*(?:[/,&|;+]|\band\b|\bor\b)\s*")
_SUFFIX_DIGITS = re.compile(r"^\d{1,3}[A-Za-z]?$")
_SUFFIX_LETTER = re.compile(r"^[A-Za-z]$")
_SUFFIX_LETTER_DIGITS = re.compile(r"^[A-Za-z]\d{1,3}[A-Za-z]?$")
_SUFFIX_GREEK = re.compile(rf"^{_GREEK_CLASS}{{1,2}}\d{{0,2}}$")
_TRAIL_DIGITS = re.compile(r"\d{1,3}[A-Za-z]?$")
_TRAIL_LETTER_AFTER_DIGIT = re.compile(r"(?<=\d)[A-Za-z]$")
_TRAIL_LOWER_AFTER_UPPER = re.compile(r"(?<=[A-Z])[a-z]$")
_TRAIL_LETTER_DIGITS = re.compile(r"[A-Za-z]\d{1,3}[A-Za-z]?$")
_TRAIL_GREEK = re.compile(rf"{_GREEK_CLASS}\d{{0,2}}$")
_NUM_RANGE = re.compile(r"^(.*[A-Za-z\-" + _GREEK_CHARS + r"])(\d{1,3})-(\d{1,3})$")
_LETTER_RANGE = re.compile(r"^(.*\d)([A-Z])-([A-Z])$")
_PAREN_LIST = re.compile(r"^([^()\s]*[A-Za-z" + _GREEK_CHARS + r"])\(([^()]+)\)$")
_SPACE_LIST = re.compile(
    r"^([A-Za-z][A-Za-z0-9\-" + _GREEK_CHARS + r"]*?)\s+([\d" + _GREEK_CHARS
    + r"A-Za-z][\dA-Za-z" + _GREEK_CHARS + r"\s/,&\-]*)$"
)  # fmt: skip
_GREEK_RUN = re.compile(rf"^(.*[^{_GREEK_CHARS}])({_GREEK_CLASS}{{2,4}})$")
_LIST_CONNECTOR = re.compile(r"\s*(?:\band\b|\bor\b|&)\s*")
_LIST_BODY = re.compile(
    rf"^(?:\d{{1,3}}[A-Za-z]?|[A-Za-z]|{_GREEK_CLASS}{{1,2}}\d{{0,2}}|\d{{1,3}}-\d{{1,3}})"
    rf"(?:\s*[/,&\-]\s*(?:\d{{1,3}}[A-Za-z]?|[A-Za-z]|{_GREEK_CLASS}{{1,2}}\d{{0,2}}))*$"
)
MAX_RANGE_SPAN = 30


def _is_suffix(part: str) -> bool:
    return bool(
        _SUFFIX_DIGITS.match(part)
        or _SUFFIX_LETTER.match(part)
        or _SUFFIX_LETTER_DIGITS.match(part)
        or _SUFFIX_GREEK.match(part)
    )


def _attach(full: str, suffix: str) -> str | None:
    """Re-attach a list suffix to the root of the previous full item, or None."""
    if _SUFFIX_DIGITS.match(suffix):
        trail = _TRAIL_DIGITS.search(full)
    elif _SUFFIX_GREEK.match(suffix):
        trail = _TRAIL_GREEK.search(full)
    elif _SUFFIX_LETTER.match(suffix):
        trail = _TRAIL_LETTER_AFTER_DIGIT.search(full)
        if trail is None and suffix.islower():
            # "IKKa/b": Greek letters read as lower-case Latin ones
            trail = _TRAIL_LOWER_AFTER_UPPER.search(full)
    else:  # letter + digits: only when the letter repeats ("AdipoR1/R2")
        trail = _TRAIL_LETTER_DIGITS.search(full)
        if trail is not None and trail.group(0)[0].upper() != suffix[0].upper():
            trail = None
    if trail is None or trail.start() == 0:
        return None
    return full[: trail.start()] + suffix


def _ranges(part: str) -> list[str]:
    m = _NUM_RANGE.match(part)
    if m:
        root, lo, hi = m.group(1), int(m.group(2)), int(m.group(3))
        if lo < hi and hi - lo < MAX_RANGE_SPAN and re.search(r"[A-Za-z]", root):
            return [f"{root}{i}" for i in range(lo, hi + 1)]
        return [part]
    m = _LETTER_RANGE.match(part)
    if m and m.group(2) < m.group(3) and ord(m.group(3)) - ord(m.group(2)) < 8:
        return [f"{m.group(1)}{chr(c)}" for c in range(ord(m.group(2)), ord(m.group(3)) + 1)]
    return [part]


def _split_list(text: str) -> list[str]:
    pieces = [p for p in _SEPARATORS.split(text) if p]
    if len(pieces) > 1 and len(pieces[0]) == 1 and not _is_suffix(pieces[1]):
        # "C/EBPβ", "G/M": a one-letter head is part of a name, not a list item
        return [text]
    parts: list[str] = []
    full: str | None = None
    for piece in pieces:
        attached = _attach(full, piece) if full is not None and _is_suffix(piece) else None
        if attached is not None:
            parts.append(attached)
        else:
            parts.append(piece)
            full = piece
    return parts


def expand(word: str) -> list[str]:
    """Split lists and ranges, re-attaching the shared root.

    ``WNT9/10`` -> WNT9, WNT10; ``WNT9-11`` -> WNT9..WNT11; ``KDM6A/B``;
    ``CDKN1A/2A``; ``AdipoR1/R2``; ``TLR1,2 and 5``; ``PAK(1-3)``;
    ``TLRs 3/7/9``; ``IKKα/β``; ``IKKαβγ``. Numeric ranges need from < to and
    a span under 30 so identifiers such as ``4000-3295`` stay whole.
    """
    if word.isascii() and word.isalnum():
        # letters and digits only: no separator, bracket, range or Greek letter to split on
        # (a lone "and"/"or" splits into nothing), so the word is not a list
        return []
    text = word.strip().strip(",;/&|")
    m = _PAREN_LIST.match(text)
    if m and _LIST_BODY.match(m.group(2).strip()):
        text = f"{m.group(1)} {m.group(2).strip()}"
    elif m and len(m.group(1)) >= 3 and re.fullmatch(r"[\w\-]{2,}", m.group(2)):
        return [m.group(1), m.group(2)]  # "Pentraxins(PTX3)": a name and its symbol
    m = _SPACE_LIST.match(text)
    if m:
        body = _LIST_CONNECTOR.sub(",", m.group(2)).strip()
        if _LIST_BODY.match(body):
            root = m.group(1)
            if root.endswith("s") and len(root) > 3 and not root[-2].islower():
                root = root[:-1]  # "TLRs 3/7/9"
            items = [p for p in re.split(r"\s*[/,&]\s*", body) if p]
            text = ",".join([root + items[0], *items[1:]])
    parts = _split_list(text) if _SEPARATORS.search(text) else [text]
    out: list[str] = []
    for part in parts:
        g = _GREEK_RUN.match(part)
        if g and len(g.group(1)) >= 2:
            out.extend(g.group(1) + letter for letter in g.group(2))
        else:
            out.extend(_ranges(part))
    out = list(dict.fromkeys(p for p in out if p))
    return [] if out == [word] else out


# ----------------------------------------------------------------------------- root

_PREFIXES = re.compile(
    r"^(?:(?:GST|FLAG|Flag|HA|His|GFP|EGFP|YFP|CFP|RFP|mCherry|Myc|MYC|V5|T7)[-:]"
    r"|(?:v|V|c|C|p|P|pp|PP)-"
    r"|(?:[Pp]hospho|[Uu]biquitin|[Uu]b|[Aa]cetyl|[Ss]umo|SUMO)-?"
    r"|p[STY]\d{1,4}-?"
    r"|p(?=[A-Z][A-Z0-9]))"
)
_SUFFIXES = re.compile(
    r"(?:[-_](?:p|P|PP|GDP|GTP|ATP|ADP|dependent|independent|WT|wt|wildtype|mutant|KO|ko"
    r"|Ub|ub|Ubn|SUMO|mRNA|AS)"
    r"|\((?:p|P|Ub|ub|[STY]\d{1,4}(?:/[STY]?\d{1,4})*)\)"
    r"|[-_ ]?p?[STY]\d{2,4}"
    r"|-?/-|\+/[+-]|\*"
    r"|[-\s]?(?:[Pp]athway|[Ss]ignall?ing|[Aa]xis))$"
)


def _strip_plural(word: str) -> str | None:
    if (
        len(word) >= 4
        and word.endswith("s")
        and not word.endswith("ss")
        and not word[:-1].islower()
        and re.search(r"[A-Z]", word[:-1])
    ):
        return word[:-1]
    return None


def root(word: str) -> list[str]:
    """Strip one tag/modification prefix, one suffix and a plural ``s``, in every combination.

    ``c-Myc`` -> Myc; ``p-ERK``/``pERK``/``phospho-ERK`` -> ERK; ``Ras-GTP`` -> Ras;
    ``SMADs`` -> SMAD; ``AKT(S473)`` -> AKT; ``Tlr4-/-`` -> Tlr4; ``AKTpathway`` -> AKT.
    """
    variants: list[str] = []
    stems = [word]
    no_prefix = _PREFIXES.sub("", word, count=1)
    # the rest must look like a symbol: "P-cadherin" is not phospho-cadherin
    if no_prefix != word and len(no_prefix) >= 2 and re.match(r"[A-Z0-9]|p\d", no_prefix):
        stems.append(no_prefix)
        variants.append(no_prefix)
    for stem in list(stems):
        no_suffix = _SUFFIXES.sub("", stem, count=1)
        if no_suffix != stem and len(no_suffix) >= 2:
            stems.append(no_suffix)
            variants.append(no_suffix)
    for stem in list(stems):
        singular = _strip_plural(stem)
        if singular is not None:
            variants.append(singular)
    return [v for v in dict.fromkeys(variants) if v != word]


def alphanumeric(word: str) -> list[str]:
    """Delete everything but letters (Greek included) and digits: ``Bcl-2`` -> ``Bcl2``."""
    if word.isalnum():
        return []
    out = re.sub(r"[\W_]+", "", word)
    return [out] if out and out != word else []


def greek_names(word: str) -> list[str]:
    """Spell Greek letters out as HGNC aliases do: ``eIF2α`` -> ``eIF2alpha``.

    Tried before the one-letter form because the letter form can collide with a
    different approved symbol (``eIF2A`` is EIF2A, ``eIF2alpha`` is EIF2S1).
    """
    if word.isascii() or not any(c in GREEK_TO_NAME for c in word):
        return []
    return ["".join(GREEK_TO_NAME.get(c, c) for c in word)]


# ---------------------------------------------------------------------------- swaps

_NAME_TO_LETTER = {
    "alpha": "A",
    "beta": "B",
    "gamma": "G",
    "delta": "D",
    "epsilon": "E",
    "zeta": "Z",
    "theta": "Q",
    "kappa": "K",
    "lambda": "L",
    "sigma": "S",
    "omega": "W",
}
# a spelled Greek name as a unit: after a non-letter or a lower->upper boundary,
# written lower/Title/UPPER case, and not followed by more lower-case letters
_SPELLED_GREEK = re.compile(
    r"(?:(?<=[^A-Za-z])|(?<=^)|(?<=[A-Z]))("
    + "|".join(f"{n}|{n.capitalize()}|{n.upper()}" for n in _NAME_TO_LETTER)
    + r")(?![a-z])"
)
_OCR_GREEK: tuple[tuple[re.Pattern[str], str], ...] = (
    # γ read as y: "IFNy", "PLCy1", "IFN-y", "IFN-Y", rodent "Ifny", "IFNyR1"
    (re.compile(r"(?<=[A-Z]{2})y(?=\d{0,2}$)"), "G"),
    (re.compile(r"(?<=[A-Za-z]{2})-[yY](?=\d{0,2}$)"), "-G"),
    (
        re.compile(
            r"^((?i:IFN|IKK|PLC|PPAR|PKC|SEMA\d?|PI3K|FCER1|RXR|RAR|ERR))[yY]"
            r"(?=\d{0,2}(?:R\d?)?$)"
        ),
        r"\1G",
    ),
    # κ read as x: "NF-xB", "IxBα", "IFN-x"
    (re.compile(r"^(NF-?|I)[xX](?=B)"), r"\1K"),
    (re.compile(r"(?<=[A-Z]{2})-[xX]$"), "-K"),
)
_OCR_DIGITS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^P13K"), "PI3K"),
    (re.compile(r"^EB13$"), "EBI3"),
    (re.compile(r"^TRADE$"), "TRADD"),
)
_ROMAN = (
    (re.compile(r"(?<=[A-Za-z]{3})-?III$"), "3"),
    (re.compile(r"(?<=[A-Za-z]{3})-?II$"), "2"),
    (re.compile(r"(?<=[A-Za-z]{3})-?IV$"), "4"),
    (re.compile(r"(?<=[A-Z]{3})-?I$"), "1"),
)
_CDH = {"VE": "5", "E": "1", "N": "2", "K": "6", "R": "4", "T": "13", "M": "15", "KSP": "16",
        "LI": "17", "P": "3"}  # fmt: skip
_YWHA = {"B": "YWHAB", "E": "YWHAE", "G": "YWHAG", "H": "YWHAH", "Q": "YWHAQ", "Z": "YWHAZ",
         "S": "SFN"}  # fmt: skip
_NAME_SWAPS: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"^(VE|KSP|LI|E|N|K|R|T|M|P)-?\s?cadherin$", re.I),
     lambda m: "CDH" + _CDH[m.group(1).upper()]),
    (re.compile(r"^B-?\s?catenin$", re.I), "CTNNB1"),
    (re.compile(r"^A-?\s?catenin$", re.I), "CTNNA1"),
    (re.compile(r"^G-?\s?catenin$", re.I), "JUP"),
    (re.compile(r"^14-3-3-?\s?([BEGHQZS])$", re.I), lambda m: _YWHA[m.group(1).upper()]),
    (re.compile(r"^frizzled-?\s?([1-9]|10)$", re.I), r"FZD\1"),
    (re.compile(r"^beclin-?\s?1$", re.I), "BECN1"),
    (re.compile(r"^cyclin-?\s?([A-EKT]\d?)$", re.I), lambda m: "CCN" + m.group(1).upper()),
    (re.compile(r"^caspase-?\s?([1-9]|10|12|14)$", re.I), r"CASP\1"),
    (re.compile(r"^integrin-?\s?([AB])(\d{1,2})$", re.I),
     lambda m: "ITG" + m.group(1).upper() + m.group(2)),
    (re.compile(r"^calcineurin$", re.I), "Calcineurin"),
    (re.compile(r"^nucleolin$", re.I), "NCL"),
    (re.compile(r"^vitronectin$", re.I), "VTN"),
    (re.compile(r"^plasmin(ogen)?$", re.I), "PLG"),
    (re.compile(r"^mGluR-?(\d)$", re.I), r"GRM\1"),
    (re.compile(r"^NMDAR-?(\d[A-D]?)$", re.I), r"GRIN\1"),
    (re.compile(r"^Grg-?(\d)$", re.I), r"TLE\1"),
    (re.compile(r"^MAPKKK-?(\d{1,2})$", re.I), r"MAP3K\1"),
    (re.compile(r"^MAPKK-?(\d)$", re.I), r"MAP2K\1"),
    (re.compile(r"^AC-?(\d)$"), r"ADCY\1"),
)  # fmt: skip

#: Cheap pre-checks: most words contain nothing the swap tables could rewrite.
_MAY_OCR_GREEK = re.compile(r"[xXyY]|P13K|EB13|TRADE")
_NAME_SWAP_WORDS = (
    "cadherin", "catenin", "14-3-3", "frizzled", "beclin", "cyclin", "caspase", "integrin",
    "calcineurin", "nucleolin", "vitronectin", "plasmin", "mGluR", "NMDAR", "Grg", "MAPKK",
)  # fmt: skip
_MAY_NAME_SWAP = re.compile("(?i:" + "|".join(_NAME_SWAP_WORDS) + r")|^AC-?\d")
#: The same two tests for ASCII words, several times faster: the case-insensitive part on
#: the lower-cased word, and "AC" + digit at the start.
_NAME_SWAP_LOWER = re.compile("|".join(w.lower() for w in _NAME_SWAP_WORDS))
_AC_NUMBER = re.compile(r"AC-?\d")


def greek_to_latin(word: str) -> str:
    """Greek letters (and spelled names as units) to HGNC's Latin letters."""
    out = word.translate(_GREEK_TO_LATIN_TABLE) if _HAS_GREEK.search(word) else word
    return _SPELLED_GREEK.sub(lambda m: _NAME_TO_LETTER[m.group(1).lower()], out)


def swaps(word: str) -> list[str]:
    """Greek letters in every OCR form, OCR digit/letter confusions and name swaps.

    ``IFNγ``/``IFN-gamma``/``IFNy`` -> IFNG forms; ``NF-xB`` -> NF-KB; ``P13K`` -> PI3K;
    ``TGFBRII`` -> TGFBR2 (III before II); ``E-cadherin`` -> CDH1;
    ``β-catenin`` -> CTNNB1; ``Frizzled-7`` -> FZD7; ``Cyclin D1`` -> CCND1.
    Name keys are case-insensitive, so mixed-case words match them.
    """
    letters = greek_to_latin(word)
    if _MAY_OCR_GREEK.search(letters):
        for pattern, repl in _OCR_GREEK + _OCR_DIGITS:
            letters = pattern.sub(repl, letters)
    variants = [letters]
    named = letters
    if named.endswith(("I", "V")):
        for pattern, repl in _ROMAN:
            named, n = pattern.subn(repl, named)
            if n:
                break
    if _MAY_NAME_SWAP.search(named):
        for pattern, swap in _NAME_SWAPS:
            named = pattern.sub(swap, named)  # type: ignore[arg-type]
    variants.append(named)
    return [v for v in dict.fromkeys(variants) if v != word]


_CONFUSABLE: dict[str, str] = {"l": "1I", "I": "1l", "1": "Il", "O": "0", "0": "O", "i": "1"}
_SYMBOL_SHAPED = re.compile(r"(?=.*\d)|(?=(?:.*[A-Z]){2})")


def ocr_confusions(word: str) -> list[str]:
    """One-character readings OCR confuses in symbols: ``STATl`` -> STAT1, ``IL1O`` -> IL10.

    PFOCR kept this idea out of its cascade (``Ivs1vsl``); here it is the last
    step, only for symbol-shaped words (a digit or two capitals), and the matcher
    accepts only an approved symbol from it.
    """
    if len(word) < 3 or not _SYMBOL_SHAPED.match(word):
        return []
    out: list[str] = []
    for i, c in enumerate(word):
        for r in _CONFUSABLE.get(c, ""):
            out.append(word[:i] + r + word[i + 1 :])
    return list(dict.fromkeys(out))[:24]


#: The OCR readings and roman numerals ``swaps`` rewrites, as one pattern each (built from
#: the rules' own patterns, so ``may_rewrite`` cannot drift from them).
_OCR_READINGS = re.compile("|".join(f"(?:{p.pattern})" for p, _ in (*_OCR_GREEK, *_OCR_DIGITS)))
_ROMAN_ANY = re.compile("|".join(f"(?:{p.pattern})" for p, _ in _ROMAN))
_CONFUSABLE_CHAR = re.compile(f"[{''.join(_CONFUSABLE)}]")


_PLAIN_SUFFIX_ENDS = ("athway", "ing", "xis")
_GREEK_NAME_LOWER = re.compile("|".join(_NAME_TO_LETTER))


def may_rewrite(word: str) -> bool:
    """Whether any rule (``UP_FRONT``, ``WORD_STEPS``, ``expand``, ``PART_STEPS``) can derive
    a variant from ``word``.

    False means every rule returns nothing for it, so the cascade has nothing to try
    but the word itself and the matcher skips it. Most OCR words are plain words of
    letters and digits that no rule touches, and running every rule on each costs more
    than the lookup. Each test below is the trigger of one rule, as loose or looser.
    """
    if not (word.isascii() and word.isalnum()):
        # non-ASCII (nfkc, homoglyphs, deburr, greek_names), or punctuation: expand
        # and alphanumeric may apply; only words of ASCII letters and digits are judged
        return True
    low = word.lower()
    return bool(
        word.startswith("elF")  # ocr_fixes
        or _PREFIXES.match(word)  # root
        # of the suffixes, only "pS473"-like sites and "pathway"/"signalling"/"axis" have no
        # punctuation: a word of letters and digits ending otherwise has none to strip
        or ((word[-1].isdigit() or word.endswith(_PLAIN_SUFFIX_ENDS)) and _SUFFIXES.search(word))
        or _strip_plural(word) is not None
        # swaps: its own quick checks first, then the patterns they guard
        # (a spelled Greek name is written in lower, Title or upper case: lower-cased, it is
        # one of the names)
        or (_GREEK_NAME_LOWER.search(low) and _SPELLED_GREEK.search(word))
        or (_MAY_OCR_GREEK.search(word) and _OCR_READINGS.search(word))
        or (word.endswith(("I", "V")) and _ROMAN_ANY.search(word))
        or _NAME_SWAP_LOWER.search(low)  # _MAY_NAME_SWAP, for an ASCII word
        or _AC_NUMBER.match(word)
        or (
            len(word) >= 3
            # a lower-case word, capitalised or not, has neither a digit nor two capitals
            and not (word.isalpha() and word[1:].islower())
            and _SYMBOL_SHAPED.match(word)
            and _CONFUSABLE_CHAR.search(word)
        )
    )


#: What one of ``swaps``' rewrites needs to find in a word, rule by rule, as loose or
#: looser, in two patterns. In the lower-cased word: ``_OCR_DIGITS``, ``_NAME_SWAPS``
#: (``_MAY_NAME_SWAP``; "14-3-3" also without its hyphens) and spelled Greek names
#: (``_SPELLED_GREEK``). In the word as written, and only when it has one of the letters
#: these need: y and x read for Greek letters (``_OCR_GREEK``) and a roman numeral after
#: three letters (``_ROMAN``).
_SWAP_WORDS = re.compile(
    r"p13k|eb13|trade|ac-?\d|cadherin|catenin|14-3-3|1433|frizzled|beclin|cyclin|caspase"
    r"|integrin|calcineurin|nucleolin|vitronectin|plasmin|mglur|nmdar|grg|mapkk"
    + "".join(f"|{name}" for name in _NAME_TO_LETTER)
)
_SWAP_LETTERS = re.compile(
    r"[A-Z]{2}y|[A-Za-z]{2}-[yY]|(?i:IFN|IKK|PLC|PPAR|PKC|SEMA\d?|PI3K|FCER1|RXR|RAR|ERR)[yY]"
    r"|[xX]B|[A-Z]{2}-[xX]"
    r"|[A-Za-z]{3}-?I"
)
_NOT_ALNUM = re.compile(r"[\W_]+")


def may_swap_within(word: str) -> bool:
    """Whether ``swaps`` may rewrite a substring of the ASCII ``word``, or such a substring
    with its punctuation deleted (what ``root`` and ``alphanumeric`` make of a word).

    False means none of ``swaps``' triggers (``_MAY_OCR_GREEK``, the roman numeral
    endings, ``_SPELLED_GREEK``, ``_MAY_NAME_SWAP``) can fire on any of them: what each
    needs is a run of characters of the word itself or of its letters and digits, which
    the two patterns above look for in both at once (the NUL between them is in no run).
    """
    text = f"{word}\0{_NOT_ALNUM.sub('', word)}"
    if _SWAP_WORDS.search(text.lower()):
        return True
    return any(c in text for c in "yYxXI") and _SWAP_LETTERS.search(text) is not None


#: Transforms by stable rule name (the names recorded in ``Mention.transforms``).
RULES: dict[str, Transform] = {
    "nfkc": nfkc,
    "ocr_fixes": ocr_fixes,
    "homoglyphs": homoglyphs,
    "deburr": deburr,
    "expand": expand,
    "root": root,
    "alphanumeric": alphanumeric,
    "greek_names": greek_names,
    "swaps": swaps,
    "ocr_confusions": ocr_confusions,
}
#: Rules that only rewrite non-ASCII characters: they return nothing for an ASCII word,
#: so the matcher skips them for ASCII variants (most OCR words).
ASCII_NOOP: frozenset[str] = frozenset({"nfkc", "homoglyphs", "deburr", "greek_names"})
#: Applied to the whole word before the first lookup.
UP_FRONT: tuple[str, ...] = ("nfkc", "ocr_fixes")
#: Character-level steps on the whole word, each followed by a lookup.
WORD_STEPS: tuple[str, ...] = ("homoglyphs", "deburr")
#: Steps applied to each list item after ``expand``, each followed by a lookup.
PART_STEPS: tuple[str, ...] = ("root", "alphanumeric", "greek_names", "swaps", "ocr_confusions")
