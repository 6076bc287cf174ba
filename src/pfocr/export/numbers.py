"""Figure numbers in PFOCR's short form (F3, S2, SF3_1, AF1, EV1, GA1) and the figure type.

PFOCR names a figure ``<pmcid>__<number>`` (its ``figid_alias``) and groups figures by type,
so labels as journals print them ("Fig. 3", "FIGURE 3A", "Figure 3—figure supplement 1",
"S2 Fig") must collapse to one short, stable code. The label is read first; when it says
nothing usable, the image file name and then the PMC figure link are tried, as PFOCR does.
Unknown numbers become ``F0``.

Differences from PFOCR's original rules, on purpose: panel letters are dropped ("1A" -> F1,
so panels of one figure share an alias), any Roman numeral up to 39 is read (not only I and
II), Nature's "Extended Data Fig. N" maps to EV like EMBO's "Expanded View", and eLife's
"Appendix 1—figure 2" becomes AF1_2, mirroring SF3_1.
"""

from __future__ import annotations

import re
import unicodedata

#: Figure type by number prefix, as on pfocr.wikipathways.org.
FIGURE_TYPES: dict[str, str] = {
    "F": "Figure",
    "S": "Scheme",
    "SF": "Supplemental figure",
    "GA": "Graphical abstract",
    "AF": "Appendix figure",
    "EV": "Extended view",
}

_DASHES = re.compile(r"[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]")
_ROMAN = r"(?:(?=[IVX])X{0,3}(?:IX|IV|V?I{0,3}))"
#: A figure number in a label: Arabic digits, or an upper-case Roman numeral on its own.
_NUM = rf"(\d+|\b{_ROMAN}\b(?![A-Za-z]))"
_FIG = r"(?:\b[Ff][Ii][Gg](?:[Uu][Rr][Ee])?[Ss]?\.?)"
_ALREADY_SHORT = re.compile(r"(SF|AF|GA|EV|F|S)0*(\d+)(?:_0*(\d+))?")
_DECIMAL = re.compile(r"\d+\.\d+")

#: Label rules, most specific first: (pattern, prefix). Groups are numbers, joined with "_".
_LABEL_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), prefix)
    for pattern, prefix in (
        (rf"(?i:graphical|visual)\s+(?i:abstract)(?:\s*{_NUM})?", "GA"),
        (rf"{_FIG}\s*{_NUM}\s*[-:,.]?\s*(?i:figure\s+supplement)\s*{_NUM}", "SF"),
        (rf"(?i:appendix)\s*{_NUM}\s*[-:,.]?\s*{_FIG}\s*{_NUM}", "AF"),
        (rf"(?i:appendix)\s+{_FIG}\s*{_NUM}", "AF"),
        (rf"{_FIG}\s*(?<![A-Za-z])A\s*{_NUM}", "AF"),
        (rf"(?i:scheme)\s*{_NUM}", "S"),
        (rf"(?i:expanded\s+view|extended\s+data)\s+{_FIG}\s*{_NUM}", "EV"),
        (rf"\bEV\s*{_NUM}", "EV"),
        (rf"(?i:supp)[A-Za-z]*\.?\s*(?:{_FIG}\s*)?S?\s*{_NUM}", "SF"),
        (rf"{_FIG}\s*(?<![A-Za-z])S\s*{_NUM}", "SF"),
        (rf"^S\s*{_NUM}\s*{_FIG}", "SF"),
    )
)
#: Labels that are not figures at all; their number means nothing as a figure number.
_NOT_A_FIGURE = re.compile(r"(?i)\b(?:box|chart|table)\b")
_PLAIN_ROMAN = re.compile(rf"(?:^|{_FIG}|(?i:plate))\s*\b({_ROMAN})\b(?![A-Za-z])")
_PLAIN_DIGITS = re.compile(r"(\d+)")

#: File-name (or figure-link segment) rules, tried in order on the name without extension.
_NAME_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), prefix)
    for pattern, prefix in (
        (r"(?i)abs(?:fig|f)?0*(\d+)$", "GA"),
        (r"(?i)(?:^|[^a-z])(?:ga|undfig)0*(\d+)$", "GA"),
        (r"(?i)(?:^|[^a-z])(?:sc|sch|scheme)0*(\d+)$", "S"),
        (r"(?i)(?:^|[^a-z])gr0*(\d+)(?:[^0-9]|$)", "F"),
        (r"(?i)(?:fig(?:ure)?|f)0*(\d+)[a-z]?(?:[_.-]html?)?$", "F"),
        (r"(?i)(?:^|[_.-])(?:fig(?:ure)?|f)0*(\d+)[a-z]?[_.-]", "F"),
        (r"(?i)g0*(\d+)[a-z]?$", "F"),
        (r"(?:^|[_.-])0*([1-9]\d?)$", "F"),
        (r"0{2,}([1-9]\d?)$", "F"),
    )
)
_IMAGE_EXTENSION = re.compile(r"(?i)\.(?:jpe?g|png|gif|tiff?|bmp|webp)$")


def _roman_to_int(numeral: str) -> int:
    values = {"I": 1, "V": 5, "X": 10}
    total = 0
    for current, following in zip(numeral, [*numeral[1:], ""], strict=True):
        value = values[current]
        total += -value if following and values[following] > value else value
    return total


def _as_int(token: str) -> int:
    return int(token) if token.isdigit() else _roman_to_int(token)


def _short(prefix: str, numbers: list[str]) -> str:
    return prefix + "_".join(str(_as_int(token)) for token in numbers)


def _tidy_label(label: str) -> str:
    text = unicodedata.normalize("NFKC", label or "")
    text = _DASHES.sub("-", text)
    return " ".join(text.split())


def _from_label(label: str) -> str | None:
    text = _tidy_label(label)
    if not text:
        return None
    short = _ALREADY_SHORT.fullmatch(text)
    if short:
        return _short(short.group(1), [g for g in short.groups()[1:] if g])
    # Decimal numbers ("Figure 2.3") are unreliable in PMC labels; let the file name decide.
    if _DECIMAL.search(text):
        return None
    for pattern, prefix in _LABEL_RULES:
        match = pattern.search(text)
        if match:
            numbers = [g for g in match.groups() if g]
            return _short(prefix, numbers or ["1"])
    if _NOT_A_FIGURE.search(text):
        return None
    digits = _PLAIN_DIGITS.search(text)
    if digits:
        return _short("F", [digits.group(1)])
    roman = _PLAIN_ROMAN.search(text)
    if roman and roman.group(1):
        return _short("F", [roman.group(1)])
    return None


def _from_name(name: str) -> str | None:
    stem = _IMAGE_EXTENSION.sub("", name.strip())
    if not stem:
        return None
    for pattern, prefix in _NAME_RULES:
        match = pattern.search(stem)
        if match:
            return _short(prefix, [match.group(1)])
    return None


def _figlink_segment(figlink: str) -> str:
    """The last path segment of a PMC figure link (``.../figure/F3/`` -> ``F3``)."""
    path = figlink.strip().split("?", 1)[0].split("#", 1)[0].rstrip("/")
    return path.rsplit("/", 1)[-1] if "/figure/" in path or "/" not in path else ""


def normalise_figure_number(label: str, filename: str = "", figlink: str = "") -> str:
    """PFOCR's short figure number for a printed label, e.g. "Fig. 3A" -> "F3".

    Falls back to the image file name (``gr3``, ``_f3_``, ``fig3``, ``g003`` -> F3), then the
    last segment of the PMC figure link, then ``F0``. Already short numbers pass through
    (with leading zeros stripped), so the function is idempotent.
    """
    return (
        _from_label(label)
        or _from_name(filename or "")
        or _from_name(_figlink_segment(figlink or ""))
        or "F0"
    )


def figure_type(number: str) -> str:
    """The figure type named by a short number's prefix ("SF2" -> "Supplemental figure").

    Returns "" for a number without a known prefix.
    """
    match = re.match(r"[A-Za-z]+", number or "")
    return FIGURE_TYPES.get(match.group(0), "") if match else ""
