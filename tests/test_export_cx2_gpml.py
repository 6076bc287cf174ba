"""GPML 2013a, CX2 (with an NDEx upload to a local server), the Enrichr library, the static
site, and their wiring into ``export_all``."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from lxml import etree

from pfocr.errors import ExportError
from pfocr.export.cx2 import figure_cx2, upload_cx2
from pfocr.export.enrichr import enrichr_line
from pfocr.export.gpml import ARROWHEADS, GPML_NAMESPACE, render_gpml
from pfocr.export.release import DEFAULT_SITE_URL, export_all
from pfocr.models import Edge, FigureRecord
from pfocr.store.db import connect, iter_records, load_record
from pfocr.web.sample import example_results, write_png, write_store

NS = {"g": GPML_NAMESPACE}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("exports")
    png = write_png(folder / "figure.png")
    return write_store(folder / "out", example_results(str(png)))


@pytest.fixture(scope="module")
def record(store: Path) -> FigureRecord:
    conn = connect(store)
    try:
        found = load_record(conn, "PMC1000001__F1")
    finally:
        conn.close()
    assert found is not None
    return found


def test_gpml_nodes_sit_where_genes_were_read(record: FigureRecord) -> None:
    root = etree.fromstring(render_gpml(record).encode("utf-8"))
    assert root.tag == f"{{{GPML_NAMESPACE}}}Pathway"
    assert root.get("Name") == "EGFR signalling to ERK and apoptosis"
    assert root.get("Organism") == "Homo sapiens"
    nodes = {n.get("TextLabel"): n for n in root.findall("g:DataNode", NS)}
    egfr = nodes["EGFR"]
    assert egfr.get("Type") == "GeneProduct"
    graphics = egfr.find("g:Graphics", NS)
    assert (float(graphics.get("CenterX")), float(graphics.get("CenterY"))) == (55.0, 32.5)
    xref = egfr.find("g:Xref", NS)
    assert (xref.get("Database"), xref.get("ID")) == ("Entrez Gene", "1956")
    # MAPK3 and MAPK1 were read from one word: stacked, not on top of each other.
    y3 = float(nodes["MAPK3"].find("g:Graphics", NS).get("CenterY"))
    y1 = float(nodes["MAPK1"].find("g:Graphics", NS).get("CenterY"))
    assert y1 - y3 == pytest.approx(25.0)
    atp = nodes["Adenosine Triphosphate"]
    assert atp.get("Type") == "Metabolite"
    assert atp.find("g:Xref", NS).get("ID") == "CHEBI:15422"
    assert len(nodes) == 7  # TP53 once, though read twice
    assert root.find("g:Comment", NS).text.startswith("EGF binds EGFR <script>")


@pytest.mark.parametrize("kind", ["activation", "inhibition", "conversion", "binding", "other"])
def test_gpml_arrowheads(record: FigureRecord, kind: str) -> None:
    edge = Edge("EGFR", "TP53", kind, 0.9, ((55, 45), (185, 20)), True, "EGFR", "TP53")
    single = FigureRecord(
        figure=record.figure, mentions=record.mentions, edges=(edge,), width=400, height=300
    )
    root = etree.fromstring(render_gpml(single).encode("utf-8"))
    (interaction,) = root.findall("g:Interaction", NS)
    start, end = interaction.findall("g:Graphics/g:Point", NS)
    ids = {n.get("TextLabel"): n.get("GraphId") for n in root.findall("g:DataNode", NS)}
    assert (start.get("GraphRef"), end.get("GraphRef")) == (ids["EGFR"], ids["TP53"])
    assert end.get("ArrowHead") == ARROWHEADS.get(kind)
    assert start.get("ArrowHead") is None
    assert ARROWHEADS["inhibition"] == "TBar" and ARROWHEADS["binding"] == "mim-binding"


def test_gpml_edge_to_an_unknown_label_gets_a_node(record: FigureRecord) -> None:
    edge = Edge(
        "EGFR",
        "nucleus",
        "activation",
        0.5,
        ((55, 45), (300, 290)),
        True,
        "EGFR",
        "Nucleus",
        "gene",
        "label",
    )
    single = FigureRecord(figure=record.figure, mentions=record.mentions, edges=(edge,))
    root = etree.fromstring(render_gpml(single).encode("utf-8"))
    unknown = [n for n in root.findall("g:DataNode", NS) if n.get("Type") == "Unknown"]
    assert [n.get("TextLabel") for n in unknown] == ["Nucleus"]


def test_cx2_structure(record: FigureRecord) -> None:
    cx2 = figure_cx2(record, DEFAULT_SITE_URL)
    assert cx2[0] == {"CXVersion": "2.0", "hasFragments": False}
    assert cx2[-1] == {"status": [{"error": "", "success": True}]}
    aspects = {next(iter(a)): next(iter(a.values())) for a in cx2[1:-1]}
    counts = {m["name"]: m["elementCount"] for m in aspects["metaData"]}
    assert counts["nodes"] == len(aspects["nodes"]) == 7
    assert counts["edges"] == len(aspects["edges"]) == 3
    declared = aspects["attributeDeclarations"][0]
    python_types = {"string": str, "boolean": bool, "double": float}
    for aspect, items in (("nodes", aspects["nodes"]), ("edges", aspects["edges"])):
        for item in items:
            for key, value in item["v"].items():
                assert isinstance(value, python_types[declared[aspect][key]["d"]]), (key, value)
    by_name = {n["v"]["name"]: n for n in aspects["nodes"]}
    assert by_name["TP53"]["v"]["represents"] == "ncbigene:7157"
    assert (by_name["EGFR"]["x"], by_name["EGFR"]["y"]) == (55.0, 32.5)
    edge = aspects["edges"][2]
    assert edge["v"]["interaction"] == "inhibition"
    assert aspects["nodes"][edge["s"]]["v"]["name"] == "MAPK1"
    assert aspects["networkAttributes"][0]["pfocr_id"] == "PMC1000001__F1"
    json.dumps(cx2)  # serialisable as is


class _FakeNdex(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, Any]]] = []
    status = 201

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(
            {"path": self.path, "auth": self.headers.get("Authorization"), "body": body}
        )
        self.send_response(type(self).status)
        answer = b'"http://127.0.0.1/v3/networks/1234-abcd"'
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture()
def ndex_server() -> Iterator[str]:
    _FakeNdex.received = []
    _FakeNdex.status = 201
    server = HTTPServer(("127.0.0.1", 0), _FakeNdex)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_ndex_upload_to_a_local_server(record: FigureRecord, ndex_server: str) -> None:
    cx2 = figure_cx2(record, DEFAULT_SITE_URL)
    url = upload_cx2(cx2, username="me", password="secret", server=ndex_server)
    assert url == "http://127.0.0.1/v3/networks/1234-abcd"
    (request,) = _FakeNdex.received
    assert request["path"] == "/v3/networks"
    assert request["auth"] == "Basic " + base64.b64encode(b"me:secret").decode()
    assert json.loads(request["body"]) == cx2
    _FakeNdex.status = 401
    with pytest.raises(ExportError, match="refused the network \\(401\\)"):
        upload_cx2(cx2, username="me", password="wrong", server=ndex_server)


def test_ndex_upload_unreachable_server(record: FigureRecord) -> None:
    from pfocr.web.testing import free_port

    with pytest.raises(ExportError, match="Cannot reach NDEx"):
        upload_cx2(
            [], username="u", password="p", server=f"http://127.0.0.1:{free_port()}", timeout=2
        )


def test_enrichr_line(record: FigureRecord) -> None:
    line = enrichr_line(record)
    assert line is not None
    term, description, *genes = line.rstrip("\n").split("\t")
    assert term == "EGFR signalling to ERK and apoptosis PMC1000001__F1"
    assert description == ""
    assert genes == ["EGFR", "TP53", "MAPK3", "MAPK1", "BAX", "ERBB2"]
    assert enrichr_line(record, min_genes=7) is None


def test_export_all_extra_formats(store: Path, tmp_path: Path) -> None:
    conn = connect(store)
    try:
        summary = export_all(
            iter_records(conn),
            tmp_path,
            date="20260101",
            formats=("enrichr", "gpml", "cx2", "sif", "site"),
        )
    finally:
        conn.close()
    library = (tmp_path / "pfocr-20260101-enrichr-Homo_sapiens.txt").read_text("utf-8")
    assert len(library.splitlines()) == 2  # the two human figures
    assert summary.extra_files["enrichr"].name == "pfocr-20260101-enrichr-Homo_sapiens.txt"
    assert (tmp_path / "figures" / "PMC1000001__F1.gpml").exists()
    assert json.loads((tmp_path / "figures" / "PMC1000002__F2.cx2").read_text())[0]["CXVersion"]
    assert (tmp_path / "figures" / "PMC1000001__F1.sif").read_text("utf-8").splitlines() == [
        "EGFR\tactivation\tMAPK3",
        "TP53\tactivation\tBAX",
        "MAPK1\tinhibition\tTP53",
    ]
    assert summary.extra_files["sif"] == tmp_path / "figures"
    site = tmp_path / "site"
    index = (site / "index.html").read_text("utf-8")
    assert 'href="figures/PMC1000003__F1.html"' in index
    page = (site / "figures" / "PMC1000001__F1.html").read_text("utf-8")
    assert "&lt;script&gt;alert" in page and "<script>alert" not in page
    assert 'src="../images/PMC1000001__F1.png"' in page
    assert 'href="../static/style.css"' in page
    assert (site / "images" / "PMC1000001__F1.png").read_bytes()[:4] == b"\x89PNG"
    assert (site / "figures" / "PMC1000001__F1.md").read_text("utf-8").startswith("---\n")
    assert (site / "static" / "figure.js").exists()
    with pytest.raises(ExportError, match="Unknown export format 'pdf'"):
        export_all([], tmp_path / "x", formats=("pdf",))


def test_cli_ndex_upload(store: Path, ndex_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from pfocr.cli import main

    monkeypatch.setenv("NDEX_PASSWORD", "pw")
    args = ["ndex-upload", str(store.parent), "PMC1000002__F2", "--user", "me"]
    result = CliRunner().invoke(main, [*args, "--server", ndex_server])
    assert result.exit_code == 0, result.output
    assert result.output == "PMC1000002__F2\thttp://127.0.0.1/v3/networks/1234-abcd\n"
    (request,) = _FakeNdex.received
    nodes = next(a["nodes"] for a in json.loads(request["body"]) if "nodes" in a)
    assert {n["v"]["name"] for n in nodes} >= {"CTNNB1", "APC", "MYC", "Glucose"}
    missing = CliRunner().invoke(
        main, ["ndex-upload", str(store.parent), "nope", "--user", "me", "--server", ndex_server]
    )
    assert missing.exit_code == 1 and "No figure 'nope'" in missing.output
