"""Property-based tests: the text transforms, the tokeniser and the parsers of JATS and
metadata must never crash, whatever text they are given; they fail only with the errors
they document."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pfocr.errors import IngestError, JatsParseError
from pfocr.ingest.jats import graphic_stem, parse_article
from pfocr.ingest.metadata import figure_fields, read_manifest, read_sidecar
from pfocr.ingest.postprocess import clean_metadata, clean_title, first_sentence
from pfocr.models import Figure, OcrToken
from pfocr.recognise import tokenise, transforms

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: Text with what OCR and publishers produce: Greek, dashes, brackets, combining marks,
#: control characters, surrogate-free astral characters.
WORDS = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)),
    max_size=60,
) | st.text(alphabet="ABCDEKMNPRSTαβγκ0123456789-/(),.+ &|;_'\u2010\u2013\u0301", max_size=40)

LIST_TRANSFORMS = (
    transforms.nfkc,
    transforms.ocr_fixes,
    transforms.homoglyphs,
    transforms.deburr,
    transforms.expand,
    transforms.root,
    transforms.alphanumeric,
    transforms.greek_names,
    transforms.swaps,
    transforms.ocr_confusions,
)


@pytest.mark.parametrize("transform", LIST_TRANSFORMS, ids=lambda f: f.__name__)
@SETTINGS
@given(word=WORDS)
def test_transforms_return_lists_of_text(transform, word: str) -> None:
    result = transform(word)
    assert isinstance(result, list)
    assert all(isinstance(item, str) for item in result)


@SETTINGS
@given(word=WORDS)
def test_greek_to_latin_leaves_no_greek_letter_it_knows(word: str) -> None:
    latin = transforms.greek_to_latin(word)
    assert not set(latin) & set(transforms.GREEK_TO_LATIN)


@SETTINGS
@given(word=WORDS)
def test_word_rules_never_crash_and_cleaning_is_stable(word: str) -> None:
    cleaned = tokenise.clean_word(word)
    assert len(cleaned) <= len(word.strip())
    assert isinstance(tokenise.is_skippable(cleaned), bool)
    assert isinstance(tokenise.is_list_like(cleaned), bool)


TOKENS = st.lists(
    st.builds(
        lambda text, x, y, w, h, conf, line: OcrToken(text, x, y, x + w, y + h, conf, "line", line),
        WORDS,
        st.floats(0, 2000, allow_nan=False),
        st.floats(0, 2000, allow_nan=False),
        st.floats(0, 400, allow_nan=False),
        st.floats(0, 80, allow_nan=False),
        st.floats(0, 1, allow_nan=False),
        st.integers(0, 20),
    ),
    max_size=12,
)


@SETTINGS
@given(tokens=TOKENS, accept_all=st.booleans())
def test_tokeniser_never_crashes_on_any_layout(tokens: list[OcrToken], accept_all: bool) -> None:
    words = tokenise.words_from_lines(tokens)
    found = tokenise.candidates(words, lambda text, kind: accept_all)
    for candidate in found:
        assert isinstance(candidate.text, str) and candidate.size >= 1


# --------------------------------------------------------------------------- parsers


@SETTINGS
@given(data=st.binary(max_size=400))
def test_any_bytes_are_an_article_or_a_parse_error(data: bytes) -> None:
    try:
        parse_article(data, "random.nxml")
    except JatsParseError as exc:
        assert str(exc).startswith("random.nxml: ")
        assert "\n" not in str(exc)


XML_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="<>&"),
    max_size=40,
)


@SETTINGS
@given(
    title=XML_TEXT,
    figs=st.lists(st.tuples(XML_TEXT, XML_TEXT, XML_TEXT, XML_TEXT), max_size=4),
    markup=st.sampled_from(["", "<italic>x</italic>", "<sup>2+</sup>", "&amp;", "&#955;"]),
)
def test_generated_articles_parse_with_every_figure(
    title: str, figs: list[tuple[str, str, str, str]], markup: str
) -> None:
    def attr(text: str) -> str:
        return text.replace('"', "&quot;")

    body = "".join(
        f'<fig id="{attr(fid)}"><label>{label}</label><caption><title>{ftitle}{markup}</title>'
        f'<p>{markup}{ftitle}</p></caption><graphic xlink:href="{attr(href)}"/></fig>'
        for fid, label, ftitle, href in figs
    )
    xml = (
        '<article xmlns:xlink="http://www.w3.org/1999/xlink"><front><article-meta>'
        f"<title-group><article-title>{title}{markup}</article-title></title-group>"
        f"</article-meta></front><body>{body}</body></article>"
    ).encode()
    article = parse_article(xml, "generated.nxml")
    assert len(article.figures) == len(figs)
    for fig, (_, _, _, href) in zip(article.figures, figs, strict=True):
        assert fig.graphic == graphic_stem(href)
        assert "\n" not in fig.caption


VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | WORDS | st.dates(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(WORDS, inner, max_size=3),
    max_leaves=8,
)


@SETTINGS
@given(mapping=st.dictionaries(WORDS | st.sampled_from(["figid", "year", "pmcid"]), VALUES))
def test_metadata_mappings_become_text_fields(mapping: dict) -> None:
    fields = figure_fields(mapping)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in fields.items())


@SETTINGS
@given(text=st.text(max_size=300))
def test_any_sidecar_or_manifest_text_is_read_or_refused(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for name, reader in (("f.yml", read_sidecar), ("manifest.csv", read_manifest)):
            path = Path(folder) / name
            path.write_text(text, encoding="utf-8", errors="surrogatepass")
            try:
                reader(path)
            except IngestError as exc:
                assert str(path) in str(exc)


FIGURES = st.builds(
    Figure,
    figid=st.just("f"),
    image_path=st.none(),
    source=st.just("s"),
    figtitle=WORDS,
    caption=WORDS,
    papertitle=WORDS,
    reftext=WORDS,
    year=st.sampled_from(["", "2020", " "]),
)


@SETTINGS
@given(figure=FIGURES)
def test_metadata_clean_up_is_idempotent(figure: Figure) -> None:
    once = clean_metadata(figure)
    assert clean_metadata(once) == once


@SETTINGS
@given(text=WORDS)
def test_title_rules_never_crash(text: str) -> None:
    assert isinstance(clean_title(text), str)
    assert len(first_sentence(text)) <= len(text)
