"""PubMed Central JATS articles (NLM 2.3 and JATS 1.x) to ``Figure`` records.

Article XML comes from outside and names DTDs on the network, so it is parsed with DTD
loading, network access and entity expansion all off, and documents that declare their
own entities are refused before parsing. Each ``<fig>`` becomes a ``Figure`` whose
metadata follows the PFOCR figure record (figid ``PMC<id>__<graphic stem>``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from lxml import etree

from pfocr.errors import ArchiveError, IngestError, JatsParseError
from pfocr.ingest.archives import ArchiveMember, list_members, read_member
from pfocr.ingest.images import IMAGE_SUFFIXES
from pfocr.ingest.metadata import nfc
from pfocr.models import Figure, IngestFailure

XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
#: Suffixes of article XML files.
ARTICLE_SUFFIXES: tuple[str, ...] = (".nxml", ".xml")
#: When a package holds the same figure in several formats, the first of these wins.
IMAGE_PREFERENCE: tuple[str, ...] = (
    ".jpg",
    ".jpeg",
    ".png",
    ".gif",
    ".tif",
    ".tiff",
    ".webp",
    ".bmp",
)
MAX_ARTICLE_BYTES = 64 * 1024 * 1024
#: A figure title shorter than this is a stub ("A", "I") and is replaced.
MIN_TITLE_CHARS = 7

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: Elements whose text is markup source rather than prose.
_NON_PROSE = frozenset({"tex-math", "annotation", "annotation-xml"})
#: Elements that start a new paragraph or line: adjacent ones must not run together.
_BLOCKS = frozenset({"p", "title", "label", "list-item", "def-item", "disp-quote", "sec", "break"})
_BOMS = (b"\xff\xfe", b"\xfe\xff")
_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-Z(\[]|\s*$)")
_ABBREVIATIONS = frozenset(
    {"fig", "figs", "e.g", "i.e", "vs", "al", "approx", "ca", "cf", "dr", "no", "sp", "spp", "ref"}
)


@dataclass(frozen=True)
class JatsFigure:
    """One ``<fig>`` as written in the article."""

    fig_id: str
    label: str
    title: str
    caption: str
    graphic: str


@dataclass(frozen=True)
class JatsArticle:
    """Article-level metadata shared by all its figures, and the figures themselves."""

    pmcid: str
    papertitle: str
    reftext: str
    year: str
    doi: str
    journal_title: str
    journal_nlm_ta: str
    publisher_name: str
    keywords: str
    figures: tuple[JatsFigure, ...]


#: ``graphic stem -> (image path or archive, archive member or None, file name)``, or None.
ImageLocator = Callable[[str], tuple[str, str | None, str] | None]


# --------------------------------------------------------------------------- parsing


def make_parser() -> etree.XMLParser:
    """An lxml parser that never fetches a DTD, touches the network or expands entities."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        attribute_defaults=False,
        huge_tree=False,
        recover=False,
    )


def parse_article(data: bytes, source: str) -> JatsArticle:
    """Parse JATS/NLM article XML. Raises JatsParseError (one line, naming ``source``)."""
    _refuse_entity_declarations(data, source)
    try:
        root = etree.fromstring(data, make_parser())
    except etree.XMLSyntaxError as exc:
        message = " ".join(str(exc).split())
        raise JatsParseError(
            f"{source}: malformed XML ({message}); download the article again"
        ) from None
    article = _article_element(_strip_default_namespace(root), source)
    return _read_article(article)


def _refuse_entity_declarations(data: bytes, source: str) -> None:
    """PMC articles never declare entities; a document that does is hostile or broken."""
    head = data[:1_000_000]
    text = (
        head.decode("utf-16", errors="replace")
        if head.startswith(_BOMS)
        else head.decode("latin-1")
    )
    doctype = re.search(r"<!DOCTYPE[^>\[]*\[", text)
    if doctype and "<!ENTITY" in text[doctype.end() :]:
        raise JatsParseError(
            f"{source}: the DOCTYPE declares its own entities, which articles from PMC never do; "
            "refusing to parse it"
        )


def _strip_default_namespace(root: etree._Element) -> etree._Element:
    """Files that put JATS in a default namespace are read like plain ones."""
    if not isinstance(root.tag, str) or not root.tag.startswith("{"):
        return root
    namespace = etree.QName(root).namespace
    for element in root.iter():
        if isinstance(element.tag, str) and etree.QName(element).namespace == namespace:
            element.tag = etree.QName(element).localname
    return root


def _article_element(root: etree._Element, source: str) -> etree._Element:
    if root.tag == "article":
        return root
    if root.tag == "pmc-articleset" and root.find("article") is not None:
        return root.find("article")
    raise JatsParseError(f"{source}: not a JATS article (root element <{root.tag}>)")


def _read_article(article: etree._Element) -> JatsArticle:
    journal = _first(article, "front/journal-meta")
    meta = _first(article, "front/article-meta")
    papertitle = text_of(_first(meta, "title-group/article-title"))
    nlm_ta = _journal_id(journal, "nlm-ta")
    journal_title = _child_text(journal, "journal-title-group/journal-title") or _child_text(
        journal, "journal-title"
    )
    date = choose_pub_date(meta.findall("pub-date") if meta is not None else [])
    return JatsArticle(
        pmcid=_pmcid(meta),
        papertitle=papertitle,
        reftext=format_reftext(
            authors=author_names(meta),
            journal=nlm_ta or journal_title,
            date=format_date(date),
            volume=_child_text(meta, "volume"),
            issue=_child_text(meta, "issue"),
            pages=_pages(meta),
        ),
        year=_child_text(date, "year"),
        doi=_article_id(meta, ("doi",)),
        journal_title=journal_title,
        journal_nlm_ta=nlm_ta,
        publisher_name=text_of(_first(journal, "publisher/publisher-name")),
        keywords=" | ".join(
            kwd for kwd in (text_of(k) for k in _findall(meta, "kwd-group/kwd")) if kwd
        ),
        figures=tuple(read_fig(fig) for fig in article.iter("fig")),
    )


def read_fig(fig: etree._Element) -> JatsFigure:
    """Label, title, caption (without label and title) and graphic stem of one ``<fig>``."""
    caption = fig.find("caption")
    graphic = next(fig.iter("graphic"), None)
    href = "" if graphic is None else graphic.get(XLINK_HREF) or graphic.get("href") or ""
    return JatsFigure(
        fig_id=fig.get("id", ""),
        label=text_of(fig.find("label")),
        title=text_of(_first(caption, "title")),
        caption=text_of(caption, skip=frozenset({"title"})),
        graphic=graphic_stem(href),
    )


def text_of(element: etree._Element | None, skip: frozenset[str] = frozenset()) -> str:
    """Prose text of an element, whitespace collapsed, unexpanded entities dropped.

    Known named entities (``&nbsp;`` from an unloaded DTD) become their character;
    anything else an entity reference stands for is left out, never fetched.
    """
    if element is None:
        return ""
    parts: list[str] = []
    _collect_text(element, skip | _NON_PROSE, parts, is_root=True)
    return " ".join("".join(parts).split())


def _collect_text(
    node: etree._Element, skip: frozenset[str], parts: list[str], is_root: bool
) -> None:
    if isinstance(node, etree._Entity):
        known = html.unescape(node.text or "")
        parts.append("" if known == node.text else known)
    elif isinstance(node.tag, str) and etree.QName(node).localname not in skip:
        block = etree.QName(node).localname in _BLOCKS
        parts.append(" " if block else "")
        parts.append(node.text or "")
        for child in node:
            _collect_text(child, skip, parts, is_root=False)
        parts.append(" " if block else "")
    if not is_root:
        parts.append(node.tail or "")


def graphic_stem(href: str) -> str:
    """``"pone.0046493.g001"`` from an href, with any folder and image suffix removed."""
    name = PurePosixPath(href.strip().replace("\\", "/")).name
    lower = name.lower()
    for suffix in IMAGE_SUFFIXES:
        if lower.endswith(suffix):
            return nfc(name[: -len(suffix)])
    return nfc(name)


# ------------------------------------------------------------------ article metadata


def _first(element: etree._Element | None, path: str) -> etree._Element | None:
    return None if element is None else element.find(path)


def _findall(element: etree._Element | None, path: str) -> list[etree._Element]:
    return [] if element is None else element.findall(path)


def _child_text(element: etree._Element | None, path: str) -> str:
    return text_of(_first(element, path))


def _journal_id(journal: etree._Element | None, kind: str) -> str:
    for element in _findall(journal, "journal-id"):
        if element.get("journal-id-type") == kind:
            return text_of(element)
    return ""


def _article_id(meta: etree._Element | None, kinds: tuple[str, ...]) -> str:
    for element in _findall(meta, "article-id"):
        if element.get("pub-id-type") in kinds:
            return text_of(element)
    return ""


def _pmcid(meta: etree._Element | None) -> str:
    value = _article_id(meta, ("pmc", "pmcid"))
    digits = re.sub(r"(?i)^pmc", "", value)
    return f"PMC{digits}" if digits.isdigit() else ""


def _pages(meta: etree._Element | None) -> str:
    first, last = _child_text(meta, "fpage"), _child_text(meta, "lpage")
    if first and last:
        return f"{first}-{last}"
    return first or _child_text(meta, "elocation-id")


def _pub_date_kind(date: etree._Element) -> str:
    """``collection``, ``ppub`` or ``epub`` for both the NLM 2.3 and the JATS 1.x attributes."""
    kind = date.get("pub-type") or date.get("date-type") or ""
    if kind == "pub":
        return {"print": "ppub", "electronic": "epub"}.get(date.get("publication-format", ""), "")
    return {"epub-ppub": "ppub"}.get(kind, kind)


def choose_pub_date(dates: Iterable[etree._Element]) -> etree._Element | None:
    """The collection date, else print, else electronic, else the first (as PFOCR does)."""
    dates = list(dates)
    for wanted in ("collection", "ppub", "epub"):
        for date in dates:
            if _pub_date_kind(date) == wanted and _child_text(date, "year"):
                return date
    return dates[0] if dates else None


def format_date(date: etree._Element | None) -> str:
    """``"2012 May 3"``-style citation date from a ``<pub-date>`` (missing parts left out)."""
    year = _child_text(date, "year")
    if not year:
        return ""
    month = _month_name(_child_text(date, "month")) or _child_text(date, "season")
    day = _child_text(date, "day").lstrip("0") if month else ""
    return " ".join(part for part in (year, month, day) if part)


def _month_name(month: str) -> str:
    if month.isdigit():
        number = int(month)
        return _MONTHS[number - 1] if 1 <= number <= 12 else ""
    return month[:3].capitalize()


def author_names(meta: etree._Element | None) -> list[str]:
    """Authors as ``"Given Surname"`` (or group name), in order; editors are left out."""
    contribs = _findall(meta, "contrib-group/contrib")
    authors = [c for c in contribs if c.get("contrib-type", "author") == "author"]
    return [name for name in (_contrib_name(c) for c in authors) if name]


def _contrib_name(contrib: etree._Element) -> str:
    name = contrib.find("name")
    if name is None:
        name = contrib.find("name-alternatives/name")
    if name is not None:
        return " ".join(
            p for p in (_child_text(name, "given-names"), _child_text(name, "surname")) if p
        )
    return text_of(contrib.find("string-name")) or text_of(contrib.find("collab"))


def format_reftext(
    authors: list[str], journal: str, date: str, volume: str, issue: str, pages: str
) -> str:
    """PFOCR citation: ``J. T. Ney, et al. Geburtshilfe Frauenheilkd. 2012 May;72(5):385-391.``"""
    who = ""
    if authors:
        who = f"{authors[0]}, et al" if len(authors) > 1 else authors[0]
    where = volume + (f"({issue})" if issue else "")
    if pages:
        where = f"{where}:{pages}" if where else pages
    when = f"{date};{where}" if date and where else date or where
    return " ".join(_sentence(part) for part in (who, journal, when) if part)


def _sentence(text: str) -> str:
    return text if text.endswith(".") else f"{text}."


# ------------------------------------------------------------------- figure records


def figure_title(title: str, label: str, caption: str, papertitle: str) -> str:
    """The caption title without label and final dot; stubs fall back to the first sentence,
    then to the article title (PFOCR's rule)."""
    cleaned = title
    if label and cleaned.lower().startswith(label.lower()):
        cleaned = cleaned[len(label) :].lstrip(" .:-|")
    cleaned = cleaned.rstrip(" .")
    if len(cleaned) >= MIN_TITLE_CHARS:
        return cleaned
    sentence = first_sentence(caption)
    if len(sentence) >= MIN_TITLE_CHARS:
        return sentence
    return cleaned or papertitle.rstrip(" .")


def first_sentence(text: str) -> str:
    """Text up to the first full stop followed by a capital or bracket, without the stop.

    Abbreviations ("Fig. 2", "et al. (2001)") and initials ("M. tuberculosis") do not end it.
    """
    for match in _SENTENCE_END.finditer(text):
        word = text[: match.start()].rsplit(maxsplit=1)[-1] if match.start() else ""
        if word.lower().rstrip(".") in _ABBREVIATIONS or len(word.rstrip(".")) == 1:
            continue
        return text[: match.end()].rstrip(" .")
    return text.rstrip(" .")


def article_figures(
    article: JatsArticle, source: str, locate: ImageLocator, fallback_id: str
) -> Iterator[Figure | IngestFailure]:
    """One ``Figure`` per ``<fig>`` with its image located; an ``IngestFailure`` when the fig
    has no graphic or its image is missing. ``fallback_id`` prefixes figids without a PMCID."""
    prefix = article.pmcid or fallback_id
    for fig in article.figures:
        named = f"figure {fig.fig_id or '?'}" + (f" ({fig.label})" if fig.label else "")
        if not fig.graphic:
            yield IngestFailure(
                source=source,
                message=f"{source}: {named} has no <graphic>; nothing to read",
                figid=f"{prefix}__{fig.fig_id or fig.label or 'fig'}",
            )
            continue
        figid = f"{prefix}__{fig.graphic}"
        found = locate(fig.graphic)
        if found is None:
            yield IngestFailure(
                source=source,
                message=(
                    f"{source}: image {fig.graphic}.* of {named} is not in the package; "
                    "put the image file beside the article XML"
                ),
                figid=figid,
            )
            continue
        image_path, member, filename = found
        yield _figure(article, fig, figid, image_path, member, filename, source)


def _figure(
    article: JatsArticle,
    fig: JatsFigure,
    figid: str,
    image_path: str,
    member: str | None,
    filename: str,
    source: str,
) -> Figure:
    figlink = (
        f"/pmc/articles/{article.pmcid}/figure/{fig.fig_id}/"
        if article.pmcid and fig.fig_id
        else ""
    )
    return Figure(
        figid=figid,
        image_path=image_path,
        source=source,
        archive_member=member,
        pmcid=article.pmcid,
        filename=filename,
        figlink=figlink,
        number=fig.label,
        figtitle=figure_title(fig.title, fig.label, fig.caption, article.papertitle),
        caption=fig.caption,
        papertitle=article.papertitle,
        reftext=article.reftext,
        year=article.year,
        doi=article.doi,
        journal_title=article.journal_title,
        journal_nlm_ta=article.journal_nlm_ta,
        publisher_name=article.publisher_name,
        keywords=article.keywords,
    )


# ----------------------------------------------------------- files, folders, archives


def pick_image(names: Iterable[str]) -> str | None:
    """The preferred image among same-stem candidates (.jpg before .png, .gif, .tif …)."""
    ranked = sorted(
        (IMAGE_PREFERENCE.index(Path(n).suffix.lower()), n)
        for n in names
        if Path(n).suffix.lower() in IMAGE_PREFERENCE
    )
    return ranked[0][1] if ranked else None


def index_images(names: Iterable[str]) -> dict[str, list[str]]:
    """Image names grouped by NFC stem, for lookup by graphic href."""
    index: dict[str, list[str]] = {}
    for name in names:
        path = PurePosixPath(name)
        if path.suffix.lower() in IMAGE_PREFERENCE:
            index.setdefault(nfc(path.stem), []).append(name)
    return index


def folder_locator(folder: Path) -> ImageLocator:
    """Find a figure's image among the (non-hidden) files directly in ``folder``."""
    names = sorted(p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    index = index_images(names)

    def locate(stem: str) -> tuple[str, str | None, str] | None:
        chosen = pick_image(index.get(stem, ()))
        return None if chosen is None else (str(folder / chosen), None, nfc(chosen))

    return locate


def figures_from_article_file(path: Path) -> Iterator[Figure | IngestFailure]:
    """Figures of an article XML file, with images looked up beside it."""
    source = str(path)
    try:
        article = parse_article(_read_article_bytes(path), source)
    except IngestError as exc:
        yield IngestFailure(source=source, message=str(exc))
        return
    yield from article_figures(article, source, folder_locator(path.parent), nfc(path.stem))


def figures_from_package_folder(folder: Path) -> Iterator[Figure | IngestFailure]:
    """Figures of an unpacked PMC Open Access package (its ``.nxml`` files plus images)."""
    articles = sorted(
        p for p in folder.iterdir() if p.suffix.lower() == ".nxml" and not p.name.startswith(".")
    )
    for path in articles:
        yield from figures_from_article_file(path)


def figures_from_archive(archive: Path) -> Iterator[Figure | IngestFailure]:
    """Figures of a PMC package ``.tar.gz``, read in place; unsafe members are reported."""
    source = str(archive)
    try:
        listing = list_members(archive)
    except ArchiveError as exc:
        yield IngestFailure(source=source, message=str(exc))
        return
    for reason in listing.rejected:
        yield IngestFailure(source=source, message=f"{source}: skipped unsafe member: {reason}")
    articles = listing.articles()
    if not articles:
        yield IngestFailure(source=source, message=f"{source}: no .nxml article inside the archive")
        return
    for member in articles:
        yield from _archived_article_figures(archive, member, listing.members)


def _archived_article_figures(
    archive: Path, member: ArchiveMember, members: tuple[ArchiveMember, ...]
) -> Iterator[Figure | IngestFailure]:
    source = f"{archive} [{member.name}]"
    try:
        data = read_member(archive, member.name, MAX_ARTICLE_BYTES)
        article = parse_article(data, source)
    except IngestError as exc:
        yield IngestFailure(source=source, message=str(exc))
        return
    yield from article_figures(
        article,
        source,
        archive_locator(archive, member, members),
        nfc(PurePosixPath(member.name).stem),
    )


def archive_locator(
    archive: Path, article: ArchiveMember, members: tuple[ArchiveMember, ...]
) -> ImageLocator:
    """Find images in the article's own folder of the archive first, then anywhere in it."""
    beside = index_images(m.name for m in members if m.folder == article.folder)
    anywhere = index_images(m.name for m in members)

    def locate(stem: str) -> tuple[str, str | None, str] | None:
        chosen = pick_image(beside.get(stem, ())) or pick_image(anywhere.get(stem, ()))
        if chosen is None:
            return None
        return str(archive), chosen, nfc(PurePosixPath(chosen).name)

    return locate


def _read_article_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_ARTICLE_BYTES:
            raise JatsParseError(
                f"{path}: article XML is {size} bytes, over the {MAX_ARTICLE_BYTES}-byte limit"
            )
        return path.read_bytes()
    except OSError as exc:
        raise JatsParseError(f"{path}: cannot read article ({exc.strerror or exc})") from None
