"""Which sources go with which targets on joined lines, and heads against complex borders."""

from __future__ import annotations

from pfocr.network.connectors import _bands
from pfocr.network.nodes import Group
from test_network import Scene, arrow, pairs


def _anchored(colour: str) -> Scene:
    """SYK -> BTK drawn in black, and a line from LYN ending on its middle in ``colour``."""
    scene = Scene()
    scene.gene("SYK", 110, 200)
    scene.gene("BTK", 530, 200)
    scene.gene("LYN", 320, 60)
    arrow(scene, [(155, 200), (485, 200)])
    scene.line([(320, 76), (320, 199)], colour=colour)
    return scene


def test_a_line_ending_on_a_line_of_its_colour_reaches_that_line_s_target() -> None:
    found = pairs(_anchored("black").edges())
    assert ("SYK", "BTK") in found
    assert ("LYN", "BTK") in found


def test_lines_of_different_colours_that_touch_stay_two_connectors() -> None:
    found = pairs(_anchored("green").edges())
    assert ("SYK", "BTK") in found
    assert ("LYN", "BTK") not in found


def test_t_bar_against_a_complex_border_is_inhibition() -> None:
    """The bar lies along the border and is cut out with the band around it."""
    scene = Scene()
    scene.gene("DVL1", 320, 60)
    members = [scene.gene(s, 320, 260 + 32 * i) for i, s in enumerate(("AXIN1", "AXIN2"))]
    border = scene.group(members, gap=9)
    scene.line([(320, 76), (320, border[1] - 2)])
    scene.line([(310, border[1] - 2), (330, border[1] - 2)], width=3)
    found = pairs(scene.edges())
    assert found[("DVL1", "AXIN1")].kind == "inhibition"
    assert found[("DVL1", "AXIN2")].directed


def test_a_short_plain_stroke_between_touching_shapes_is_no_edge() -> None:
    scene = Scene()
    scene.gene("CDK4", 320, 150)
    scene.gene("CCND1", 320, 192)
    scene.line([(320, 166), (320, 176)])
    assert scene.edges() == []


def test_busy_tangle_of_lines_gives_no_all_to_all_edges() -> None:
    """Five plain ends and one head on one net: not read as every source to the target."""
    scene = Scene(width=700, height=460)
    sources = {"GRB2": (90, 60), "SOS1": (330, 60), "SHC1": (570, 60), "PTPN11": (90, 380)}
    for symbol, (x, y) in sources.items():
        scene.gene(symbol, x, y)
    scene.gene("HRAS", 570, 380)
    scene.line([(90, 76), (90, 220), (570, 220)])
    scene.line([(330, 76), (330, 220)])
    scene.line([(570, 76), (570, 220)])
    scene.line([(90, 364), (90, 220)])
    arrow(scene, [(570, 220), (570, 364)])
    assert scene.edges() == []


def test_a_border_shared_by_nested_groups_belongs_to_the_outer_group() -> None:
    inner = Group((60, 40, 120, 200), [0])
    outer = Group((20, 40, 120, 200), [0, 1])
    bands = _bands((240, 240), [inner, outer], 2, 4)
    # On the shared right border the outer group wins; on the inner's own left border the
    # inner one.
    assert bands[120, 121] == 2
    assert bands[120, 59] == 1
