"""Harvesting against a fake Europe PMC on a local HTTP server: paging past the page cap,
retries of slow and failing answers, bogus downloads never written, a ledger that makes a
second harvest fetch nothing twice."""

from __future__ import annotations

import io
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, urlparse

import pytest
from click.testing import CliRunner
from PIL import Image

from pfocr.cli import main
from pfocr.harvest import HttpSettings, Ledger, build_query, harvest
from pfocr.harvest.http import HarvestError, RetryingClient
from pfocr.ingest import discover
from pfocr.models import Figure

PAGE_CAP = 2  # the fake server never returns more than this per page, whatever is asked
ARTICLES = ["PMC100001", "PMC100002", "PMC100003", "PMC100004", "PMC100005"]
FAST = HttpSettings(timeout=0.5, retries=3, backoff=0.01, max_backoff=0.05, pause=0.0)

JATS = """<?xml version="1.0"?>
<article xmlns:xlink="http://www.w3.org/1999/xlink"><front><journal-meta>
<journal-id journal-id-type="nlm-ta">J Test</journal-id>
<journal-title-group><journal-title>Journal of Tests</journal-title></journal-title-group>
</journal-meta><article-meta><article-id pub-id-type="pmc">{digits}</article-id>
<article-id pub-id-type="doi">10.1/{digits}</article-id>
<title-group><article-title>Article {pmcid}</article-title></title-group>
<contrib-group><contrib contrib-type="author"><name><surname>Doe</surname>
<given-names>Jane</given-names></name></contrib></contrib-group>
<pub-date pub-type="epub"><year>2024</year><month>3</month></pub-date></article-meta></front>
<body>
<fig id="F1"><label>Figure 1</label><caption><title>The WNT signaling pathway in cells</title>
<p>Arrows show activation.</p></caption><graphic xlink:href="{pmcid}-g001"/></fig>
<fig id="F2"><label>Figure 2</label><caption><title>Survival curves</title>
<p>Kaplan-Meier plot.</p></caption><graphic xlink:href="{pmcid}-g002"/></fig>
</body></article>
"""


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 90, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


class FakeEuropePmc(BaseHTTPRequestHandler):
    """Search with cursor paging, full-text XML and figure images, with planted faults."""

    hits: ClassVar[Counter] = Counter()
    searches: ClassVar[list[dict[str, list[str]]]] = []
    jpeg = _jpeg()

    def log_message(self, *args: object) -> None:
        return None

    def _send(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        url = urlparse(self.path)
        self.hits[url.path] += 1
        count = self.hits[url.path]
        if url.path == "/rest/search":
            params = parse_qs(url.query)
            self.searches.append(params)
            cursor = params["cursorMark"][0]
            start = 0 if cursor == "*" else int(cursor.removeprefix("c"))
            if start == 2 and count == 2:  # the second page fails once with a 503
                self._send(503, b"busy", "text/plain")
                return
            page = ARTICLES[start : start + PAGE_CAP]
            body = {
                "hitCount": len(ARTICLES),
                "nextCursorMark": f"c{start + len(page)}" if page else cursor,
                "resultList": {"result": [{"id": p[3:], "pmcid": p} for p in page]},
            }
            self._send(200, json.dumps(body).encode(), "application/json")
        elif url.path.endswith("/fullTextXML"):
            pmcid = url.path.split("/")[2]
            if pmcid == "PMC100002" and count == 1:
                time.sleep(1.0)  # slower than the client's timeout: retried
            if pmcid == "PMC100005":
                self._send(404, b'{"error": "not found"}', "application/json")
                return
            body = JATS.format(pmcid=pmcid, digits=pmcid[3:]).encode()
            self._send(200, body, "application/xml")
        elif "/bin/" in url.path:
            name = url.path.rsplit("/", 1)[1]
            if name.startswith("PMC100003"):  # an error page served as 200 JSON
                self._send(200, b'{"error": "Impossible to retrieve file"}', "application/json")
            elif name.startswith("PMC100004"):  # cut short, but labelled as a JPEG
                self._send(200, self.jpeg[: len(self.jpeg) // 2], "image/jpeg")
            elif name.startswith("PMC100001") and count == 1:
                self._send(500, b"", "text/plain")  # fails once, then works
            else:
                self._send(200, self.jpeg, "image/jpeg")
        else:
            self._send(404, b"", "text/plain")


@pytest.fixture()
def server() -> Iterator[str]:
    FakeEuropePmc.hits = Counter()
    FakeEuropePmc.searches = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeEuropePmc)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _harvest(server: str, out: Path):  # type: ignore[no-untyped-def]
    return harvest(
        "signaling pathway, metabolic pathway",
        date(2024, 3, 1),
        date(2024, 3, 31),
        out,
        base_url=f"{server}/rest",
        image_base_url=f"{server}/articles",
        page_size=1000,
        http=FAST,
    )


def test_query_has_caption_terms_and_window() -> None:
    query = build_query("pfocr", date(2024, 1, 1), date(2024, 1, 31))
    assert 'FIG:"signaling pathway"' in query and 'FIG:"cycle pathway"' in query
    assert "FIRST_PDATE:[2024-01-01 TO 2024-01-31]" in query
    with pytest.raises(HarvestError, match="before it starts"):
        build_query("pfocr", date(2024, 2, 1), date(2024, 1, 1))


def test_harvest_pages_retries_and_refuses_bogus_images(server: str, tmp_path: Path) -> None:
    out = tmp_path / "harvest"
    summary = _harvest(server, out)
    # every page was read, past the server's page cap, in a fixed order, despite a 503
    assert summary.hits == 5 and summary.pages == 4
    assert all(s["sort"] == ["P_PDATE_D asc"] for s in FakeEuropePmc.searches)
    assert 'FIG:"metabolic pathway"' in FakeEuropePmc.searches[0]["query"][0]
    assert "FIRST_PDATE:[2024-03-01 TO 2024-03-31]" in FakeEuropePmc.searches[0]["query"][0]
    # the slow article and the failing image were retried and arrived
    written = sorted(p.name for p in out.iterdir() if p.suffix == ".jpg")
    assert written == ["PMC100001__PMC100001-g001.jpg", "PMC100002__PMC100002-g001.jpg"]
    assert FakeEuropePmc.hits["/rest/PMC100002/fullTextXML"] == 2
    # failures are recorded with their reason, and nothing bogus is on disk
    failed = dict(summary.failed)
    assert "application/json, not an image" in failed["PMC100003__PMC100003-g001"]
    assert "corrupt" in failed["PMC100004__PMC100004-g001"]
    assert "HTTP 404" in failed["PMC100005"]
    assert not list(out.glob("PMC100003*")) and not list(out.glob("PMC100004*"))
    assert not list(out.glob(".*.part"))
    ledger = Ledger(out)
    try:
        assert {f for f, _, _ in ledger.failed_figures()} == {
            "PMC100003__PMC100003-g001",
            "PMC100004__PMC100004-g001",
        }
        assert ledger.counts()["figures_ok"] == 2
    finally:
        ledger.close()
    # the harvest folder is an input of `pfocr run`, with the article's metadata
    figures = [item for item in discover([out]) if isinstance(item, Figure)]
    assert [f.figid for f in figures] == [
        "PMC100001__PMC100001-g001",
        "PMC100002__PMC100002-g001",
    ]
    first = figures[0]
    assert first.pmcid == "PMC100001" and first.year == "2024" and first.doi == "10.1/100001"
    assert first.figtitle == "The WNT signaling pathway in cells"
    assert first.figlink == "/pmc/articles/PMC100001/figure/F1/"


def test_second_harvest_fetches_nothing_twice(server: str, tmp_path: Path) -> None:
    out = tmp_path / "harvest"
    _harvest(server, out)
    before = Counter(FakeEuropePmc.hits)
    again = _harvest(server, out)
    assert again.figures_written == 0
    assert again.articles_skipped == 2  # the two complete articles are not read again
    fetched = FakeEuropePmc.hits - before
    assert not any(path.startswith(("/rest/PMC100001", "/rest/PMC100002")) for path in fetched)
    assert not any("PMC100001" in p or "PMC100002" in p for p in fetched if "/bin/" in p)
    assert fetched["/articles/PMC100003/bin/PMC100003-g001.jpg"] == 1  # failures retried
    ledger = Ledger(out)
    try:
        attempts = {f: n for f, _, n in ledger.failed_figures()}
    finally:
        ledger.close()
    assert attempts["PMC100003__PMC100003-g001"] == 2


def test_retry_gives_up_with_the_url_and_the_last_problem(server: str) -> None:
    with (
        RetryingClient(FAST) as client,
        pytest.raises(HarvestError, match=r"/nowhere: HTTP 404"),
    ):
        client.get(f"{server}/nowhere")
    dead = HttpSettings(timeout=0.2, retries=1, backoff=0.01, pause=0.0)
    with RetryingClient(dead) as client, pytest.raises(HarvestError, match="connection failed"):
        client.get("http://127.0.0.1:9/unreachable")


def test_cli_harvest_reports_failures_with_exit_status_1(server: str, tmp_path: Path) -> None:
    out = tmp_path / "cli"
    result = CliRunner().invoke(
        main,
        [
            "harvest",
            "signaling pathway",
            "--from",
            "2024-03-01",
            "--to",
            "2024-03-31",
            "--out",
            str(out),
            "--base-url",
            f"{server}/rest",
            "--image-base-url",
            f"{server}/articles",
            "--retries",
            "3",
            "--timeout",
            "0.5",
            "--backoff",
            "0.01",
        ],
    )
    assert result.exit_code == 1, result.output
    assert "2 figures written" in result.output
    assert "PMC100003__PMC100003-g001" in result.output
