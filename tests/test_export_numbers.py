"""Figure-number normalisation: printed labels, file names and PMC links -> PFOCR short numbers."""

from __future__ import annotations

import pytest

from pfocr.export import figure_type, normalise_figure_number

# Labels as journals print them (JATS <label>, PMC metadata), with the expected short number.
LABELS = [
    ("Figure 1", "F1"),
    ("Fig. 1", "F1"),
    ("Fig 1", "F1"),
    ("FIG 5", "F5"),
    ("FIGURE 10", "F10"),
    ("FIGURE 1A", "F1"),
    ("Fig. 2B", "F2"),
    ("Figs. 1 and 2", "F1"),
    ("Figure 01", "F1"),
    ("1", "F1"),
    ("12", "F12"),
    ("Scheme 2", "S2"),
    ("SCHEME 1", "S1"),
    ("Scheme I", "S1"),
    ("Figure 3\u2014figure supplement 1", "SF3_1"),
    ("Figure 3\u2013figure supplement 12.", "SF3_12"),
    ("Supplementary Figure 2", "SF2"),
    ("Supplemental Fig. S4", "SF4"),
    ("Figure S2", "SF2"),
    ("Fig. S10", "SF10"),
    ("S2 Fig", "SF2"),
    ("Appendix Figure 1", "AF1"),
    ("Figure A1", "AF1"),
    ("Appendix 1\u2014figure 2", "AF1_2"),
    ("Figure EV1", "EV1"),
    ("Extended Data Fig. 3", "EV3"),
    ("Graphical abstract", "GA1"),
    ("Graphical Abstract", "GA1"),
    ("Figure II", "F2"),
    ("Fig. IV", "F4"),
    ("Figure IX", "F9"),
    ("Plate III", "F3"),
    # Upper-case "S" in FIGURES belongs to the word, not a supplement marker.
    ("FIGURES 2", "F2"),
    # Already short numbers pass through, leading zeros stripped.
    ("F1", "F1"),
    ("SF3_1", "SF3_1"),
    ("AF02", "AF2"),
    ("GA1", "GA1"),
]


@pytest.mark.parametrize(("label", "expected"), LABELS)
def test_label_is_normalised(label: str, expected: str) -> None:
    assert normalise_figure_number(label) == expected


@pytest.mark.parametrize(("label", "expected"), LABELS)
def test_normalising_twice_changes_nothing(label: str, expected: str) -> None:
    assert normalise_figure_number(normalise_figure_number(label)) == expected


# Labels without a usable figure number fall back to F0 when nothing else is known
# (panel-only labels and non-figures from the JATS samples, decimals PMC gets wrong).
@pytest.mark.parametrize(
    "label",
    [
        "",
        "   ",
        "A",
        "A,B",
        "a,b,c,d",
        "*",
        "**",
        "Table 1",
        "Box 1",
        "Chart 2",
        "Figure 2.3",
        "Figure C",
        "Figure 0",
    ],
)
def test_label_without_number_gives_f0(label: str) -> None:
    assert normalise_figure_number(label) == "F0"


# File names of images as PMC serves them (several from real PFOCR figures), label unknown.
@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("1-s2.0-S0092867420301234-gr3.jpg", "F3"),
        ("1-s2.0-S0092867420301234-gr3_lrg.jpg", "F3"),
        ("nihms123456_f3_lrg.jpg", "F3"),
        ("fig3.jpg", "F3"),
        ("pone.0062845.g003.jpg", "F3"),
        ("fimmu-08-00259-g001.jpg", "F1"),
        ("fpls-03-00293-g0005.jpg", "F5"),
        ("cs-132-cs20180031-g2.jpg", "F2"),
        ("ijbsv07p0947g03.jpg", "F3"),
        ("srep11494-f8.jpg", "F8"),
        ("cddis2013410f5.jpg", "F5"),
        ("12977_2017_377_Fig2_HTML.jpg", "F2"),
        ("JEM_20160027_Fig7.jpg", "F7"),
        ("ehp-116-1694f1.jpg", "F1"),
        ("1471-2180-11-174-3.jpg", "F3"),
        ("MBI2012-682850.001.jpg", "F1"),
        ("zjw0101037020005.jpg", "F5"),
        ("PMC1884140__1741-7007-5-19-11.jpg", "F11"),
        ("10-1055-s-0031-1298276-i430gf01.jpg", "F1"),
        ("absfig1.jpg", "GA1"),
        ("1-s2.0-S0092867420301234-ga1.jpg", "GA1"),
        ("sc1.jpg", "S1"),
        ("photograph.jpg", "F0"),
        ("", "F0"),
    ],
)
def test_file_name_fallback(filename: str, expected: str) -> None:
    assert normalise_figure_number("", filename) == expected


@pytest.mark.parametrize(
    ("figlink", "expected"),
    [
        ("https://www.ncbi.nlm.nih.gov/pmc/articles/PMC1884140/figure/F11/", "F11"),
        ("/pmc/articles/PMC2398782/figure/ppat-1000088-g007/", "F7"),
        ("/pmc/articles/PMC3967167/figure/viruses-05-03192-f006/", "F6"),
        ("/pmc/articles/PMC5697417/figure/Fig2/", "F2"),
        ("/pmc/articles/PMC2599765/figure/f1-ehp-116-1694/", "F1"),
        ("/pmc/articles/PMC4168338/figure/FI430-1/", "F1"),
        ("https://example.org/somewhere/else", "F0"),
    ],
)
def test_figure_link_fallback(figlink: str, expected: str) -> None:
    assert normalise_figure_number("", "", figlink) == expected


def test_label_wins_over_file_name_and_link() -> None:
    assert normalise_figure_number("Scheme 4", "fig2.jpg", "/pmc/articles/PMC1/figure/F3/") == "S4"


def test_file_name_wins_over_link() -> None:
    assert normalise_figure_number("A", "fig2.jpg", "/pmc/articles/PMC1/figure/F3/") == "F2"


# Real PFOCR figures (bench-real-dev metadata): label, image file and PMC link must agree.
@pytest.mark.parametrize(
    ("label", "filename", "figlink", "expected"),
    [
        (
            "Figure 11",
            "PMC1884140__1741-7007-5-19-11.jpg",
            "/pmc/articles/PMC1884140/figure/F11/",
            "F11",
        ),
        ("Fig. 5", "PMC2984239__zjw0101037020005.jpg", "/pmc/articles/PMC2984239/figure/F5/", "F5"),
        ("FIG 5", "PMC5424241__zcd9990954730005.jpg", "/pmc/articles/PMC5424241/figure/F5/", "F5"),
        (
            "FIGURE 3",
            "PMC5541032__fmicb-08-01469-g003.jpg",
            "/pmc/articles/PMC5541032/figure/F3/",
            "F3",
        ),
        (
            "Fig 6",
            "PMC4838297__pone.0153462.g006.jpg",
            "/pmc/articles/PMC4838297/figure/pone.0153462.g006/",
            "F6",
        ),
        (
            "Fig. 2",
            "PMC5697417__12977_2017_377_Fig2_HTML.jpg",
            "/pmc/articles/PMC5697417/figure/Fig2/",
            "F2",
        ),
        (
            "Figure 1",
            "PMC3395148__MBI2012-682850.001.jpg",
            "/pmc/articles/PMC3395148/figure/fig1/",
            "F1",
        ),
        (
            "Figure 5",
            "PMC3920964__cddis2013410f5.jpg",
            "/pmc/articles/PMC3920964/figure/fig5/",
            "F5",
        ),
        (
            "FIGURE 10",
            "PMC6243134__fmicb-09-02734-g010.jpg",
            "/pmc/articles/PMC6243134/figure/F10/",
            "F10",
        ),
    ],
)
def test_real_figures_agree_on_every_source(
    label: str, filename: str, figlink: str, expected: str
) -> None:
    assert normalise_figure_number(label) == expected
    assert normalise_figure_number("", filename) == expected
    assert normalise_figure_number("", "", figlink) == expected


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("F1", "Figure"),
        ("F0", "Figure"),
        ("S2", "Scheme"),
        ("SF3_1", "Supplemental figure"),
        ("GA1", "Graphical abstract"),
        ("AF1", "Appendix figure"),
        ("EV1", "Extended view"),
        ("X1", ""),
        ("", ""),
        ("12", ""),
    ],
)
def test_figure_type(number: str, expected: str) -> None:
    assert figure_type(number) == expected
