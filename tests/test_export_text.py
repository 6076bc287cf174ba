"""Any text a figure may carry must come back intact from every export format."""

from __future__ import annotations

import json

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from pfocr.export import figure_document, front_matter, gmt_title, render_record
from pfocr.export._common import clean_text
from pfocr.models import Figure, FigureRecord, Mention

SITE = "https://pfocr.example.org"
any_text = st.text(max_size=120)


def record_with(caption: str, title: str, word: str) -> FigureRecord:
    return FigureRecord(
        figure=Figure(
            figid="PMC1__f1", image_path=None, source="test", caption=caption, figtitle=title
        ),
        mentions=(
            Mention(
                word=word, symbol="TP53", source="hgnc_symbol", hgnc_symbol="TP53", entrez="7157"
            ),
        ),
    )


def parse(page: str) -> dict:
    assert page.startswith("---\n") and page.endswith("\n---\n")
    return yaml.safe_load(page[4:-4])


@settings(max_examples=300, deadline=None)
@given(caption=any_text, title=any_text, word=any_text)
def test_record_front_matter_round_trips_any_text(caption: str, title: str, word: str) -> None:
    page = render_record(record_with(caption, title, word), SITE)
    data = parse(page)
    assert data["caption"] == clean_text(caption)
    assert data["figtitle"] == clean_text(title)
    assert data["genes"][0]["word"] == clean_text(word)
    # Only the two delimiters may look like the end of a front-matter block.
    assert [ln for ln in page.splitlines() if ln.rstrip() in ("---", "...")] == ["---", "---"]


@settings(max_examples=200, deadline=None)
@given(caption=any_text, title=any_text, word=any_text)
def test_rendering_matches_pyyaml_safe_dump(caption: str, title: str, word: str) -> None:
    record = record_with(caption, title, word)
    expected = yaml.safe_dump(front_matter(record, SITE), sort_keys=False, allow_unicode=True)
    assert render_record(record, SITE) == f"---\n{expected}---\n"


@settings(max_examples=300, deadline=None)
@given(title=any_text)
def test_gmt_title_never_breaks_a_gmt_line(title: str) -> None:
    safe = gmt_title(title, "PMC1__f1")
    assert safe
    assert not any(ch in safe for ch in "%\"'\t\n\r")
    assert safe == " ".join(safe.split())


@settings(max_examples=200, deadline=None)
@given(title=any_text)
def test_document_is_one_ascii_line(title: str) -> None:
    line = json.dumps(figure_document(record_with("", title, "p53"), SITE))
    assert line.isascii() and "\n" not in line
    assert json.loads(line)["associatedWith"]["title"] == clean_text(title)


def test_clean_text_examples() -> None:
    assert clean_text("  a\tb\r\nc\u2028d\x00e\x85f  ") == "a b c de f"
    assert clean_text(None) == ""
    assert clean_text(12) == "12"
    assert clean_text("IL-1\u03b2") == "IL-1\u03b2"
