"""JATS/NLM article parsing: metadata as PFOCR records it, and no trust in the XML."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from PIL import Image

from pfocr.errors import JatsParseError
from pfocr.ingest import discover, parse_article
from pfocr.ingest.jats import figure_title, first_sentence, format_reftext, graphic_stem, text_of
from pfocr.models import Figure, IngestFailure

FIXTURES = Path(__file__).parent / "fixtures" / "jats"
EHP = FIXTURES / "ehp-116-1694.nxml"  # JATS 1.0, figures in floats-group, print date
PONE = FIXTURES / "pone.0000217.nxml"  # NLM 2.3, captions with titles
BMC = FIXTURES / "1471-2180-11-174.nxml"  # JATS 1.0, captions without titles

MODERN_ARTICLE = """\
<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Publishing DTD v1.3 20210610//EN"
  "https://jats.nlm.nih.gov/publishing/1.3/JATS-journalpublishing1-3.dtd">
<article xmlns="http://jats.nlm.nih.gov" xmlns:xlink="http://www.w3.org/1999/xlink">
 <front>
  <journal-meta>
   <journal-title-group><journal-title>Journal of Pathways</journal-title></journal-title-group>
   <publisher><publisher-name>Open Press</publisher-name></publisher>
  </journal-meta>
  <article-meta>
   <article-id pub-id-type="pmcid">PMC9000001</article-id>
   <title-group><article-title>A &nbsp;pathway &unknown; paper</article-title></title-group>
   <contrib-group>
    <contrib contrib-type="author"><string-name>Ada Lovelace</string-name></contrib>
    <contrib contrib-type="editor">
     <name><surname>Ed</surname><given-names>Itor</given-names></name>
    </contrib>
   </contrib-group>
   <pub-date date-type="pub" publication-format="electronic">
    <day>05</day><month>03</month><year>2024</year>
   </pub-date>
   <pub-date date-type="pub" publication-format="print"><month>6</month><year>2024</year></pub-date>
   <volume>12</volume>
   <elocation-id>e42</elocation-id>
  </article-meta>
 </front>
 <body>
  <fig id="F1"><label>Figure 1</label>
   <caption><title>Figure 1. Wnt signalling.</title><p>Wnt binds   FZD.
   <inline-formula><tex-math>\\alpha</tex-math></inline-formula>Done.</p></caption>
   <graphic xlink:href="jp-12-e42-g001.tif"/>
  </fig>
  <fig id="F2"><label>Figure 2</label><caption><p>No image here.</p></caption></fig>
  <table-wrap id="T1"><graphic xlink:href="jp-12-e42-t001"/></table-wrap>
 </body>
</article>
"""


def render(path: Path, colour: tuple[int, int, int] = (200, 0, 0)) -> Path:
    Image.new("RGB", (8, 8), colour).save(path)
    return path


def package_folder(tmp_path: Path, nxml: Path, stems: list[str]) -> Path:
    folder = tmp_path / "package"
    folder.mkdir()
    shutil.copy(nxml, folder / nxml.name)
    for stem in stems:
        render(folder / f"{stem}.jpg")
    return folder


# --------------------------------------------------------------- article metadata


def test_jats_1_article_metadata() -> None:
    article = parse_article(EHP.read_bytes(), str(EHP))
    assert article.pmcid == "PMC2599765"
    assert article.papertitle.startswith("Dietary Exposure to 2,2′,4,4′-Tetrabromodiphenyl Ether")
    assert article.reftext == (
        "Sean C. Lema, et al. Environ Health Perspect. 2008 Dec;116(12):1694-1699."
    )
    assert article.year == "2008"
    assert article.doi == "10.1289/ehp.11570"
    assert article.journal_title == "Environmental Health Perspectives"
    assert article.journal_nlm_ta == "Environ Health Perspect"
    assert article.publisher_name == "National Institute of Environmental Health Sciences"
    assert article.keywords.split(" | ")[:2] == [
        "basic transcription element-binding protein",
        "brain",
    ]
    assert article.figures[0].caption.endswith("in males (B). *p < 0.05 compared with control.")
    assert [f.fig_id for f in article.figures] == [
        "f1-ehp-116-1694",
        "f2-ehp-116-1694",
        "f3-ehp-116-1694",
    ]


def test_nlm_2_3_article_with_caption_titles() -> None:
    article = parse_article(PONE.read_bytes(), str(PONE))
    assert article.pmcid == "PMC1790863"
    assert article.reftext == "Olivier Tenaillon, et al. PLoS ONE. 2007;2(2):e217."
    assert article.year == "2007"  # the collection date wins over the epub date
    first = article.figures[0]
    assert first.label == "Figure 1"
    assert first.title == "Fisher's geometric model in two-dimensional phenotypic space."
    assert first.caption.startswith("Fitness varies along two phenotypic axes")
    assert "Fisher's geometric model" not in first.caption
    assert first.graphic == "pone.0000217.g001"


def test_bmc_article_without_caption_titles_uses_first_sentence(tmp_path: Path) -> None:
    folder = package_folder(tmp_path, BMC, [f"1471-2180-11-174-{n}" for n in range(1, 5)])
    items = list(discover([folder]))
    assert all(isinstance(item, Figure) for item in items), items
    first = items[0]
    assert isinstance(first, Figure)
    assert first.figtitle == "Schematic presentation of two models of holin hole formation"
    assert first.reftext == "John J Dennehy, et al. BMC Microbiol. 2011;11:174-174."


def test_package_folder_gives_pfocr_figure_records(tmp_path: Path) -> None:
    folder = package_folder(tmp_path, PONE, ["pone.0000217.g001", "pone.0000217.g003"])
    render(folder / "pone.0000217.g001.gif", (0, 0, 200))  # .jpg is preferred over .gif
    items = list(discover([folder]))
    first, missing, third = items
    assert isinstance(first, Figure)
    assert first.figid == "PMC1790863__pone.0000217.g001"
    assert first.filename == "pone.0000217.g001.jpg"
    assert first.image_path == str(folder / "pone.0000217.g001.jpg")
    assert first.archive_member is None
    assert first.figlink == "/pmc/articles/PMC1790863/figure/pone-0000217-g001/"
    assert first.number == "Figure 1"
    assert first.figtitle == "Fisher's geometric model in two-dimensional phenotypic space"
    assert (
        first.papertitle == "Quantifying Organismal Complexity using a Population Genetic Approach"
    )
    assert first.journal_nlm_ta == "PLoS ONE"
    assert first.source == str(folder / "pone.0000217.nxml")
    assert isinstance(missing, IngestFailure)
    assert missing.figid == "PMC1790863__pone.0000217.g002"
    assert "pone.0000217.nxml" in missing.message and "pone-0000217-g002" in missing.message
    assert isinstance(third, Figure)


def test_loose_nxml_file_looks_for_images_beside_it(tmp_path: Path) -> None:
    shutil.copy(EHP, tmp_path / EHP.name)
    render(tmp_path / "ehp-116-1694f2.png")
    items = list(discover([tmp_path / EHP.name]))
    assert [type(item).__name__ for item in items] == ["IngestFailure", "Figure", "IngestFailure"]
    figure = items[1]
    assert isinstance(figure, Figure)
    assert figure.filename == "ehp-116-1694f2.png"
    assert figure.number == "Figure 2"
    assert figure.caption.startswith("Dietary exposure to PBDE-47 altered relative transcripts")


def test_modern_jats_in_a_default_namespace(tmp_path: Path) -> None:
    path = tmp_path / "modern.nxml"
    path.write_text(MODERN_ARTICLE, "utf-8")
    render(tmp_path / "jp-12-e42-g001.png")
    render(tmp_path / "jp-12-e42-t001.png")
    first, second = list(discover([path]))
    assert isinstance(first, Figure)
    assert first.figid == "PMC9000001__jp-12-e42-g001"
    assert first.papertitle == "A pathway paper"  # &nbsp; is a space, &unknown; is dropped
    assert first.reftext == "Ada Lovelace. Journal of Pathways. 2024 Jun;12:e42."
    assert first.year == "2024"
    assert first.figtitle == "Wnt signalling"
    assert first.caption == "Wnt binds FZD. Done."
    assert first.journal_nlm_ta == "" and first.publisher_name == "Open Press"
    assert isinstance(second, IngestFailure)
    assert second.figid == "PMC9000001__F2"
    assert "figure F2 (Figure 2) has no <graphic>" in second.message


# ------------------------------------------------------------------- small helpers


def test_reftext_formats() -> None:
    assert format_reftext(["Jo Bloggs"], "J Biol", "2001 Dec 3", "5", "", "7-9") == (
        "Jo Bloggs. J Biol. 2001 Dec 3;5:7-9."
    )
    assert format_reftext(
        ["J. T. Ney", "X"], "Geburtshilfe Frauenheilkd", "2012 May", "72", "5", "385-391"
    ) == ("J. T. Ney, et al. Geburtshilfe Frauenheilkd. 2012 May;72(5):385-391.")
    assert format_reftext([], "J", "2020", "", "", "") == "J. 2020."


def test_figure_title_rules() -> None:
    assert figure_title("Fig. 2. Akt pathway.", "Fig. 2", "", "Paper") == "Akt pathway"
    assert figure_title("A", "", "Short caption here. More text.", "Paper") == "Short caption here"
    assert figure_title("", "", "", "The paper title.") == "The paper title"
    assert first_sentence("See Fig. 2 for the map. Then more.") == "See Fig. 2 for the map"
    assert first_sentence("M. tuberculosis lipases (Smith et al. (2001)). B.") == (
        "M. tuberculosis lipases (Smith et al. (2001))"
    )
    assert first_sentence("Why? Because.") == "Why?"


def test_graphic_stem_drops_folder_and_image_suffix() -> None:
    assert graphic_stem("images/pone.0046493.g001.JPG") == "pone.0046493.g001"
    assert graphic_stem("pone.0046493.g001") == "pone.0046493.g001"
    assert text_of(None) == ""


# -------------------------------------------------------------------- hostile XML

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE article [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
 <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
]>
<article><front><article-meta><article-id pub-id-type="pmc">1</article-id>
<title-group><article-title>&g;</article-title></title-group></article-meta></front>
<body><fig id="F1"><caption><p>&g;</p></caption><graphic xlink:href="g1"
 xmlns:xlink="http://www.w3.org/1999/xlink"/></fig></body></article>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE article [ <!ENTITY secret SYSTEM "file://{target}"> ]>
<article><front><article-meta><article-id pub-id-type="pmc">2</article-id>
<title-group><article-title>Title &secret;</article-title></title-group></article-meta></front>
</article>
"""


def test_entity_expansion_bomb_is_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "bomb.nxml"
    path.write_text(BILLION_LAUGHS, "utf-8")
    started = time.perf_counter()
    [failure] = list(discover([path]))
    assert time.perf_counter() - started < 2.0
    assert isinstance(failure, IngestFailure)
    assert "bomb.nxml" in failure.message and "entities" in failure.message


def test_external_entity_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", "utf-8")
    path = tmp_path / "xxe.nxml"
    path.write_text(EXTERNAL_ENTITY.format(target=secret), "utf-8")
    with pytest.raises(JatsParseError, match="declares its own entities"):
        parse_article(path.read_bytes(), str(path))
    items = list(discover([path]))
    assert all("TOP-SECRET" not in repr(item) for item in items)


def test_external_dtd_is_not_fetched_and_unknown_entities_are_dropped() -> None:
    data = b"""<!DOCTYPE article PUBLIC "-//X//EN" "http://example.invalid/evil.dtd">
<article><front><article-meta><title-group><article-title>A &evil; B</article-title>
</title-group></article-meta></front></article>"""
    article = parse_article(data, "dtd.nxml")
    assert article.papertitle == "A B"
    assert article.figures == ()


def test_malformed_xml_is_a_one_line_failure_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.nxml"
    path.write_text("<article><front>\n<article-meta>\n</front></article>", "utf-8")
    [failure] = list(discover([path]))
    assert isinstance(failure, IngestFailure)
    assert failure.message.startswith(f"{path}: malformed XML")
    assert "\n" not in failure.message


def test_xml_that_is_not_an_article_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.xml"
    path.write_text("<gpml><Pathway/></gpml>", "utf-8")
    [failure] = list(discover([path]))
    assert isinstance(failure, IngestFailure)
    assert "not a JATS article (root element <gpml>)" in failure.message
