"""The SQLite store on a real file: round trips, replacement, failures, versions."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

import pytest

from pfocr.errors import SchemaVersionError, StoreError
from pfocr.models import AmbiguousMention, Figure, FigureResult, Mention, OcrToken
from pfocr.store import db


def _result(figid: str = "F1", genes: tuple[str, ...] = ("AKT1",)) -> FigureResult:
    figure = Figure(figid=figid, image_path=f"/x/{figid}.png", source="/x", figtitle="A title")
    mentions = tuple(
        Mention(word=g, symbol=g, source="hgnc_symbol", hgnc_symbol=g, entrez=str(100 + i))
        for i, g in enumerate(genes)
    )
    tokens = (OcrToken("AKT1 MTOR", 1, 2, 30, 12, 0.97),)
    return FigureResult(figure, "abc", 100, 50, tokens, mentions, seconds=0.5)


def test_round_trip_and_replace(tmp_path):
    conn = db.connect(tmp_path / "s.sqlite")
    run = db.start_run(conn, {"k": 1}, "test")
    db.save_result(
        conn, _result(genes=("AKT1", "MTOR")), ocr_key="o", recognise_key="r", run_id=run
    )
    db.save_result(conn, _result(genes=("TP53",)), ocr_key="o2", recognise_key="r2", run_id=run)
    records = list(db.iter_records(conn))
    assert [r.figure.figid for r in records] == ["F1"]
    assert [m.hgnc_symbol for m in records[0].mentions] == ["TP53"]
    assert records[0].figure.figtitle == "A title"
    state = db.stored_state(conn, "F1")
    assert state is not None and (state.ocr_key, state.recognise_key) == ("o2", "r2")
    assert [t.text for t in db.load_tokens(conn, "F1")] == ["AKT1 MTOR"]
    assert db.counts(conn)["mentions"] == 1


def test_killed_run_is_marked_interrupted(tmp_path):
    path = tmp_path / "s.sqlite"
    conn = db.connect(path)
    first = db.start_run(conn, {}, "first")
    conn.close()  # never finished: as if killed
    conn = db.connect(path)
    second = db.start_run(conn, {}, "second")
    statuses = dict(conn.execute("SELECT run_id, status FROM runs").fetchall())
    assert statuses == {first: "interrupted", second: "running"}


def test_failures_are_recorded_per_run(tmp_path):
    conn = db.connect(tmp_path / "s.sqlite")
    run = db.start_run(conn, {}, "")
    db.record_failure(conn, run, source="bad.png", stage="decode", error_class="X", message="m")
    rows = db.run_failures(conn, run)
    assert [(r["source"], r["stage"]) for r in rows] == [("bad.png", "decode")]


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "s.sqlite"
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {db.SCHEMA_VERSION + 1}")
    raw.close()
    with pytest.raises(SchemaVersionError, match="Upgrade pfocr"):
        db.connect(path)


def test_damaged_store_names_the_file(tmp_path):
    path = tmp_path / "s.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match=r"s\.sqlite"):
        db.connect(path)


def test_metadata_update_keeps_results(tmp_path):
    conn = db.connect(tmp_path / "s.sqlite")
    run = db.start_run(conn, {}, "")
    db.save_result(conn, _result(), ocr_key="o", recognise_key="r", run_id=run)
    db.update_metadata(conn, Figure(figid="F1", image_path=None, source="y", figtitle="New"))
    record = next(db.iter_records(conn))
    assert record.figure.figtitle == "New"
    assert [m.hgnc_symbol for m in record.mentions] == ["AKT1"]


def test_ambiguous_words_round_trip_and_are_replaced(tmp_path):
    conn = db.connect(tmp_path / "s.sqlite")
    run = db.start_run(conn, {}, "")
    word = AmbiguousMention(
        "p50", "p50", "hgnc_alias_symbol", ("CD40", "NFKB1"), ("958", "4790"),
        1.0, 2.0, 30.0, 12.0, 0.33, ("casefold",),
    )  # fmt: skip
    db.save_result(
        conn, replace(_result(), ambiguous=(word,)), ocr_key="o", recognise_key="r", run_id=run
    )
    assert db.load_record(conn, "F1").ambiguous == (word,)
    assert db.counts(conn)["ambiguous"] == 1
    db.save_result(conn, _result(), ocr_key="o", recognise_key="r2", run_id=run)
    assert db.load_record(conn, "F1").ambiguous == ()
    assert db.counts(conn)["ambiguous"] == 0


def test_store_of_the_previous_schema_is_upgraded_in_place(tmp_path):
    path = tmp_path / "s.sqlite"
    conn = db.connect(path)
    run = db.start_run(conn, {}, "")
    db.save_result(conn, _result(genes=("TP53",)), ocr_key="o", recognise_key="r", run_id=run)
    conn.execute("DROP TABLE ambiguous_mentions")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    conn = db.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == db.SCHEMA_VERSION == 2
    record = db.load_record(conn, "F1")
    assert [m.hgnc_symbol for m in record.mentions] == ["TP53"] and record.ambiguous == ()
