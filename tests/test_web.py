"""The web site and JSON API, served by uvicorn on localhost over a real store."""

from __future__ import annotations

import io
import json
import re
import tarfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from pfocr.cli import main
from pfocr.enrich import TIERS
from pfocr.export.documents import figure_document
from pfocr.export.release import DEFAULT_SITE_URL
from pfocr.store.db import connect, load_record, save_result, start_run, store_path
from pfocr.web.app import create_app
from pfocr.web.queries import fts_query, prepare_store
from pfocr.web.sample import example_results, write_png, write_store
from pfocr.web.testing import serve_in_thread

FIG1 = "PMC1000001__F1"
FIG2 = "PMC1000002__F2"
MOUSE = "PMC1000003__F1"
ARCHIVED = "PMC1000004__F1"


def build_example_store(folder: Path) -> Path:
    """The three example figures plus one whose image lives inside a .tar.gz package."""
    png = write_png(folder / "images" / "figure.png")
    results = example_results(str(png))
    archive = folder / "PMC1000004.tar.gz"
    data = png.read_bytes()
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("PMC1000004/fig1.png")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    packaged = replace(
        results[1],
        figure=replace(
            results[1].figure,
            figid=ARCHIVED,
            image_path=str(archive),
            archive_member="PMC1000004/fig1.png",
            figtitle="Packaged figure",
            pmcid="PMC1000004",
        ),
    )
    # Scored below --min-score: stored, but not read and not published anywhere.
    skipped = replace(
        results[1],
        figure=replace(results[1].figure, figid="PMC1000005__F1", figtitle="Skipped photo"),
        skipped=True,
    )
    out = folder / "out"
    write_store(out, [*results, packaged, skipped])
    return out


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_example_store(tmp_path_factory.mktemp("webstore"))


@pytest.fixture(scope="module")
def base_url(store_dir: Path) -> Iterator[str]:
    app = create_app(store_dir, preload=False)
    with serve_in_thread(app) as url:
        yield url


@pytest.fixture(scope="module")
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=20) as http:
        yield http


def test_home_shows_counts(client: httpx.Client) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert re.search(r'data-count="figures">4<', page.text), page.text  # not the skipped one
    assert 'href="/static/style.css"' in page.text
    assert client.get("/static/figure.js").status_code == 200


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("gene=tp53", {FIG1, FIG2, ARCHIVED}),
        ("gene=7157", {FIG1, FIG2, ARCHIVED}),
        ("gene=MAPK1&tier=synonyms", set()),  # read only through the ERK family
        ("gene=MAPK1", {FIG1}),
        ("chemical=glucose", {FIG2, ARCHIVED}),
        ("chemical=CHEBI:15422", {FIG1}),
        ("disease=DOID:1612", {FIG1}),
        ("disease=Breast+Neoplasms", {FIG1}),
        ("organism=Mus+musculus", {MOUSE}),
        ("year=2022", {MOUSE}),
        ("q=insulin+liver", {MOUSE}),
        ("q=colorectal", {FIG2}),  # the packaged copy has another title
        ("q=apopto*", {FIG1}),
        ("q=wnt&gene=APC", {FIG2, ARCHIVED}),
        ("q=skipped", set()),
    ],
)
def test_browse_filters(client: httpx.Client, query: str, expected: set[str]) -> None:
    page = client.get(f"/figures?{query}")
    assert page.status_code == 200
    found = set(re.findall(r'class="title" href="/figure/([^"?]+)', page.text))
    assert found == expected, page.text


def test_browse_paging_sorting_and_facets(client: httpx.Client) -> None:
    page = client.get("/figures?sort=year")
    years = re.findall(r'<div class="meta">(\d{4})', page.text)
    assert years == sorted(years, reverse=True) and len(years) == 4
    assert 'data-facet="organism"' in page.text and "Mus musculus" in page.text
    titles = client.get("/figures?sort=title").text
    order = re.findall(r'class="title" href="/figure/([^"?]+)', titles)
    assert order[0] == FIG1  # "EGFR ..." sorts before "Insulin", "Packaged", "Wnt"
    bad = client.get("/figures?sort=nonsense")
    assert bad.status_code == 400 and "Unknown sort" in bad.text


def test_search_text_is_never_an_fts_operator() -> None:
    assert fts_query('NEAR(a b) OR "x') == '"NEAR" "a" "b" "OR" "x"'
    assert fts_query("apopto*") == '"apopto"*'


def test_figure_page_escapes_text_and_draws_marks(client: httpx.Client) -> None:
    page = client.get(f"/figure/{FIG1}?highlight=BAX")
    assert page.status_code == 200
    html = page.text
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    rects = re.findall(r'<rect class="mark mark-(\w+)([^"]*)"', html)
    # 6 gene boxes (ERK1/2 is one box holding MAPK3 and MAPK1) + 1 chemical with a box.
    assert [kind for kind, _ in rects].count("gene") == 6
    assert [kind for kind, _ in rects].count("chemical") == 1
    assert sum(1 for _, extra in rects if "hl" in extra) == 1
    assert html.count('class="edge edge-') == 3
    assert 'marker-end="url(#head-inhibition)"' in html
    assert "https://www.ncbi.nlm.nih.gov/gene/7157" in html
    assert "https://meshb.nlm.nih.gov/record/ui?ui=D000255" in html
    assert 'href="https://pmc.ncbi.nlm.nih.gov/articles/PMC1000001/"' in html
    assert 'href="https://doi.org/10.1000/example.1"' in html
    marks = json.loads(re.search(r'id="marks-data">(.*?)</script>', html, re.S).group(1))
    erk = next(m for m in marks if m["word"] == "ERK1/2")
    assert {i["label"] for i in erk["items"]} == {"MAPK3", "MAPK1"} and erk["tier"] == "all"


def test_figure_page_lists_ambiguous_words_apart_from_genes(client: httpx.Client) -> None:
    html = client.get(f"/figure/{FIG1}").text
    table = re.search(r'id="ambiguous-table">(.*?)</table>', html, re.S)
    assert table is not None
    assert re.findall(r'<a href="/gene/(\d+)">(\w+)</a>', table.group(1)) == [
        ("958", "CD40"),
        ("4790", "NFKB1"),
    ]
    genes = re.search(r'id="gene-table">(.*?)</table>', html, re.S).group(1)
    assert "NFKB1" not in genes and "CD40" not in genes
    # a candidate is no gene of the figure: a search for it does not find the figure
    found = client.get("/figures?gene=NFKB1").text
    assert f'href="/figure/{FIG1}"' not in found
    assert "ambiguous-table" not in client.get(f"/figure/{FIG2}").text
    document = client.get(f"/api/figures/{FIG1}").json()
    assert document["ambiguous"] == [
        {"word": "p50", "symbol": ["CD40", "NFKB1"], "ncbigene": ["958", "4790"]}
    ]


def test_figure_downloads(client: httpx.Client, store_dir: Path) -> None:
    tsv = client.get(f"/figure/{FIG1}/genes.tsv")
    assert tsv.status_code == 200 and tsv.text.splitlines()[0].startswith("word\t")
    record = client.get(f"/figure/{FIG1}/record.md")
    assert record.text.startswith("---\nfigid: PMC1000001__F1\n")
    gpml = client.get(f"/figure/{FIG1}/pathway.gpml")
    assert 'xmlns="http://pathvisio.org/GPML/2013a"' in gpml.text
    cx2 = client.get(f"/figure/{FIG1}/network.cx2").json()
    assert cx2[0] == {"CXVersion": "2.0", "hasFragments": False}
    assert "attachment" in gpml.headers["content-disposition"]
    sif = client.get(f"/figure/{FIG1}/network.sif")
    assert sif.status_code == 200 and "MAPK1\tinhibition\tTP53" in sif.text.splitlines()


def test_images_from_files_and_archives(client: httpx.Client, store_dir: Path) -> None:
    png = (store_dir.parent / "images" / "figure.png").read_bytes()
    direct = client.get(f"/figure/{FIG1}/image")
    assert direct.status_code == 200 and direct.headers["content-type"] == "image/png"
    assert direct.content == png
    packaged = client.get(f"/figure/{ARCHIVED}/image")
    assert packaged.status_code == 200 and packaged.content == png


def test_gene_page(client: httpx.Client) -> None:
    page = client.get("/gene/tp53")
    assert page.status_code == 200
    assert '<h1 id="gene-symbol">TP53</h1>' in page.text
    assert 'id="gene-figures">3<' in page.text
    co = re.findall(r'<td><a href="/gene/\d+">(\w+)</a></td><td>(\d+)</td>', page.text)
    assert ("CTNNB1", "2") in co and ("EGFR", "1") in co
    assert client.get("/gene/NOTAGENE").status_code == 404


def test_enrichment_page(client: httpx.Client) -> None:
    form = {"genes": "ctnnb1, APC;myc\n7157 nonsense", "min_size": "1", "background": "library"}
    page = client.post("/enrich", data=form)
    assert page.status_code == 200
    rows = re.findall(r'<a href="/figure/([^"?]+)\?highlight=([^"]+)"', page.text)
    assert rows[0][0] in {FIG2, ARCHIVED}
    assert "CTNNB1" in rows[0][1] and "MYC" in rows[0][1]
    assert 'id="unmapped">nonsense<' in page.text


def test_api_figure_document_matches_export(client: httpx.Client, store_dir: Path) -> None:
    doc = client.get(f"/api/figures/{FIG1}").json()
    conn = connect(store_path(store_dir))
    try:
        expected = figure_document(load_record(conn, FIG1), DEFAULT_SITE_URL)
    finally:
        conn.close()
    assert doc == json.loads(json.dumps(expected))


@pytest.mark.parametrize(
    ("params", "total"),
    [
        ({"gene": "TP53"}, 3),
        ({"gene": "7157", "size": 1}, 3),
        ({"q": "associatedWith.mentions.genes.ncbigene:1956"}, 1),
        ({"q": "associatedWith.mentions.chemicals.chebi:CHEBI:17234"}, 2),
        ({"q": "_id:PMC1000003__F1"}, 1),
        ({"q": "associatedWith.pmc:PMC1000004"}, 1),
        ({"disease": "D001943"}, 1),
        ({"q": "wnt"}, 2),
    ],
)
def test_api_query(client: httpx.Client, params: dict[str, object], total: int) -> None:
    answer = client.get("/api/query", params=params).json()
    assert answer["ok"] is True and answer["total"] == total
    assert len(answer["hits"]) == min(total, int(params.get("size", 10)))
    assert all("associatedWith" in hit for hit in answer["hits"])


def test_api_paging(client: httpx.Client) -> None:
    first = client.get("/api/query", params={"gene": "TP53", "size": 2}).json()["hits"]
    rest = client.get("/api/query", params={"gene": "TP53", "size": 2, "from": 2}).json()["hits"]
    assert [d["_id"] for d in first + rest] == sorted([FIG1, FIG2, ARCHIVED])


def test_api_batches(client: httpx.Client) -> None:
    batch = client.post("/api/query", json={"q": ["MYC", "nope"], "scopes": "gene"}).json()
    assert [r["total"] for r in batch["results"]] == [2, 0]
    figures = client.post("/api/figures", json={"ids": [MOUSE, "missing"]}).json()
    assert figures["hits"][0]["_id"] == MOUSE
    assert figures["hits"][1] == {"query": "missing", "notfound": True}


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "fragment"),
    [
        ("GET", "/api/figures/nope", None, 404, "No figure 'nope'"),
        ("GET", "/api/query?gene=TP53&size=5000", None, 400, "size"),
        ("GET", "/api/query", None, 400, "Give q, gene"),
        ("GET", "/api/query?gene=TP53&tier=loose", None, 400, "Unknown tier"),
        ("GET", "/api/query?q=associatedWith.nothing:1", None, 400, "Unknown field"),
        ("POST", "/api/enrich", {"genes": ""}, 400, "empty"),
        ("POST", "/api/enrich", {"genes": "TP53", "background": "moon"}, 400, "background"),
        ("POST", "/api/enrich", {"genes": "TP53", "organism": "Danio rerio"}, 400, "organism"),
        ("POST", "/api/enrich", {"wrong": 1}, 400, "genes"),
        ("POST", "/api/query", {"q": "not a list"}, 400, "q"),
        ("GET", "/api/gmt/Danio_rerio", None, 404, "Danio rerio"),
        ("GET", "/api/nothing-here", None, 404, "Nothing at"),
    ],
)
def test_api_error_envelope(
    client: httpx.Client,
    method: str,
    path: str,
    body: object,
    status: int,
    fragment: str,
) -> None:
    response = client.request(method, path, json=body)
    assert response.status_code == status
    envelope = response.json()
    assert set(envelope) == {"ok", "error", "errors", "status"}
    assert envelope["ok"] is False and envelope["status"] == status
    assert fragment in envelope["error"], envelope


def test_api_enrich(client: httpx.Client) -> None:
    answer = client.post(
        "/api/enrich", json={"genes": ["egfr", "BAX", "2064"], "min_size": 1, "tier": "strict"}
    ).json()
    top = answer["hits"][0]
    assert top["figid"] == FIG1 and top["overlap_genes"] == ["BAX", "EGFR"]
    assert 0 < top["p_value"] <= top["fdr"] <= 1
    # ERBB2 (2064) was read only through an alias: absent from the strict tier.
    assert "ERBB2" not in top["overlap_genes"]


def test_api_gmt_streams_the_library(client: httpx.Client) -> None:
    with client.stream("GET", "/api/gmt/Homo_sapiens", params={"release": "20260101"}) as r:
        assert r.status_code == 200
        lines = [line for line in r.iter_lines() if line]
    names = [line.split("\t")[0] for line in lines]
    assert any(name.endswith(f"%PFOCR_20260101%{FIG1}%Homo sapiens") for name in names)
    assert not any(MOUSE in name for name in names)
    assert "7157" in lines[0].split("\t")[2:]


def test_api_gmt_of_one_tier(client: httpx.Client) -> None:
    params = {"release": "20260101", "tier": "strict", "min_genes": "1"}
    response = client.get("/api/gmt/Homo_sapiens", params=params)
    assert response.status_code == 200
    assert "pfocr-20260101-gmt-strict-Homo_sapiens.gmt" in response.headers["content-disposition"]
    first = next(line for line in response.text.splitlines() if f"%{FIG1}%" in line)
    genes = first.split("\t")[2:]
    # FIG1: EGFR, TP53, BAX by their symbols; HER2 (an alias of ERBB2) and ERK1/2 (a family) not
    assert sorted(genes) == ["1956", "581", "7157"]
    assert client.get("/api/gmt/Homo_sapiens", params={"tier": "loose"}).status_code == 400


def test_openapi_lists_the_api(client: httpx.Client) -> None:
    spec = client.get("/api/openapi.json").json()
    for path in ("/api/query", "/api/enrich", "/api/figures/{figid}", "/api/gmt/{organism}"):
        assert path in spec["paths"]
    assert "post" in spec["paths"]["/api/query"]


def test_full_text_index_follows_the_store(tmp_path: Path) -> None:
    out = build_example_store(tmp_path)
    conn = connect(store_path(out))
    try:
        assert prepare_store(conn) is True
        assert prepare_store(conn) is False  # unchanged store: no rebuild
        extra = replace(
            example_results(None)[2],
            figure=replace(example_results(None)[2].figure, figid="NEW1", figtitle="Zebrafish"),
        )
        save_result(conn, extra, ocr_key="k", recognise_key="k", run_id=start_run(conn, {}, "t"))
        assert prepare_store(conn) is True
        hits = conn.execute(
            "SELECT f.figid FROM figures_fts JOIN figures f ON f.rowid = figures_fts.rowid "
            "WHERE figures_fts MATCH ?",
            ('"zebrafish"',),
        ).fetchall()
        assert [row[0] for row in hits] == ["NEW1"]
    finally:
        conn.close()


def test_cli_serve_get(store_dir: Path) -> None:
    result = CliRunner().invoke(main, ["serve", str(store_dir), "--get", "/api/query?gene=BAX"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["total"] == 1
    missing = CliRunner().invoke(main, ["serve", str(store_dir), "--get", "/api/figures/x"])
    assert missing.exit_code == 1 and '"status":404' in missing.output


def test_gene_cooccurrence_same_from_library_and_sql(store_dir: Path) -> None:
    from pfocr.enrich import GeneSetLibrary
    from pfocr.web.queries import gene_summary

    conn = connect(store_path(store_dir))
    try:
        library = GeneSetLibrary.from_store(conn)
        by_sql = gene_summary(conn, "TP53")
        by_library = gene_summary(conn, "TP53", library=library)
    finally:
        conn.close()
    assert by_sql is not None and by_library is not None
    assert [tuple(row) for row in by_sql.cooccurring] == by_library.cooccurring
    assert by_library.cooccurring[0][2] == 2  # drawn with TP53 on two figures


def test_pfocr_serve_subprocess(store_dir: Path) -> None:
    """`pfocr serve` as users start it: a child process on a free port, polled until ready."""
    import subprocess
    import sys
    import time

    from pfocr.web.testing import free_port

    port = free_port()
    child = subprocess.Popen(
        [sys.executable, "-m", "pfocr", "serve", str(store_dir), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/api/genes/MYC", timeout=2)
                break
            except httpx.HTTPError:
                if child.poll() is not None or time.monotonic() > deadline:
                    output = child.stdout.read().decode() if child.stdout else ""
                    pytest.fail(f"pfocr serve did not start:\n{output}")
                time.sleep(0.2)
        assert answer.status_code == 200
        assert answer.json()["total"] == 2
        assert (store_dir / "pfocr.sqlite.genesets.npz").exists()  # cached for the workers
    finally:
        child.terminate()
        child.wait(timeout=10)


def test_stored_documents_follow_the_figures(tmp_path: Path) -> None:
    import sqlite3

    from pfocr.store.db import update_metadata
    from pfocr.web.queries import fill_documents, stored_documents

    out = build_example_store(tmp_path)
    conn = connect(store_path(out))
    bare = sqlite3.connect(store_path(out))  # plain tuples, as a background filler has
    try:
        assert stored_documents(bare, [FIG1], DEFAULT_SITE_URL) == {}  # no table yet
        assert fill_documents(bare, DEFAULT_SITE_URL) == 5
        assert fill_documents(bare, DEFAULT_SITE_URL) == 0  # all current
        stored = stored_documents(bare, [FIG1, MOUSE], DEFAULT_SITE_URL)
        expected = figure_document(load_record(conn, FIG1), DEFAULT_SITE_URL)
        assert json.loads(stored[FIG1]) == json.loads(json.dumps(expected))
        assert stored_documents(bare, [FIG1], "https://elsewhere.example") == {}
        figure = load_record(conn, FIG1).figure
        update_metadata(conn, replace(figure, figtitle="Renamed"))
        assert set(stored_documents(bare, [FIG1, MOUSE], DEFAULT_SITE_URL)) == {MOUSE}
        assert fill_documents(bare, DEFAULT_SITE_URL) == 1
        renewed = stored_documents(bare, [FIG1], DEFAULT_SITE_URL)[FIG1]
        assert json.loads(renewed)["associatedWith"]["title"] == "Renamed"
    finally:
        bare.close()
        conn.close()
    app = create_app(out, preload=False)
    with serve_in_thread(app) as url:
        answer = httpx.get(f"{url}/api/figures/{FIG1}").json()
    assert answer["associatedWith"]["title"] == "Renamed"


@pytest.mark.parametrize("tier", TIERS)
def test_gene_posting_lists_agree_with_sql(store_dir: Path, tier: str) -> None:
    from pfocr.enrich import GeneSetLibrary
    from pfocr.web.queries import SearchParams, search

    conn = connect(store_path(store_dir))
    try:
        library = GeneSetLibrary.from_store(conn)
        for entrez in library.genes:
            rows = library.figures_with(entrez, tier)
            fast = [library.figids[r] for r in rows] if rows is not None else []
            found = search(conn, SearchParams(gene=entrez, tier=tier, sort="figid", per_page=50))
            assert fast == [row["figid"] for row in found.rows], (entrez, tier)
    finally:
        conn.close()


def test_outline_hover_text_names_match_and_tier(client: httpx.Client) -> None:
    html = client.get(f"/figure/{FIG1}").text
    titles = re.findall(r"<rect [^>]*><title>([^<]*)</title>", html)
    assert "“ERK1/2” → MAPK3 (matched ERK1/2, all); MAPK1 (matched ERK1/2, all)" in titles
    assert "“p53” → TP53 (matched P53, synonyms)" in titles
