-- pfocr store, schema version 2 (2 added ambiguous_mentions; every statement is idempotent). One SQLite file per output folder.
-- Every figure is written in one transaction, so a killed run leaves whole figures or none.

CREATE TABLE IF NOT EXISTS runs (
    run_id        INTEGER PRIMARY KEY,
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    status        TEXT NOT NULL DEFAULT 'running',   -- running | finished | interrupted
    command       TEXT NOT NULL DEFAULT '',
    pfocr_version TEXT NOT NULL,
    settings_json TEXT NOT NULL,
    n_figures     INTEGER NOT NULL DEFAULT 0,
    n_processed   INTEGER NOT NULL DEFAULT 0,
    n_reused      INTEGER NOT NULL DEFAULT 0,
    n_failed      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS figures (
    figid           TEXT PRIMARY KEY,
    source          TEXT NOT NULL,
    image_path      TEXT,
    archive_member  TEXT,
    pmcid           TEXT NOT NULL DEFAULT '',
    filename        TEXT NOT NULL DEFAULT '',
    figlink         TEXT NOT NULL DEFAULT '',
    number          TEXT NOT NULL DEFAULT '',
    figtitle        TEXT NOT NULL DEFAULT '',
    caption         TEXT NOT NULL DEFAULT '',
    papertitle      TEXT NOT NULL DEFAULT '',
    reftext         TEXT NOT NULL DEFAULT '',
    year            TEXT NOT NULL DEFAULT '',
    doi             TEXT NOT NULL DEFAULT '',
    journal_title   TEXT NOT NULL DEFAULT '',
    journal_nlm_ta  TEXT NOT NULL DEFAULT '',
    publisher_name  TEXT NOT NULL DEFAULT '',
    keywords        TEXT NOT NULL DEFAULT '',
    image_sha256    TEXT NOT NULL,
    width           INTEGER NOT NULL,
    height          INTEGER NOT NULL,
    ocr_key         TEXT NOT NULL,      -- image hash + OCR settings: same key, same tokens
    recognise_key   TEXT NOT NULL,      -- lexicon + recogniser settings
    pathway_score   REAL,
    skipped         INTEGER NOT NULL DEFAULT 0,   -- scored below --min-score: not read
    seconds         REAL NOT NULL DEFAULT 0,
    run_id          INTEGER NOT NULL REFERENCES runs(run_id),
    processed_at    TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS ocr_tokens (
    figid       TEXT NOT NULL REFERENCES figures(figid) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    line        INTEGER NOT NULL,
    text        TEXT NOT NULL,
    x0 REAL NOT NULL, y0 REAL NOT NULL, x1 REAL NOT NULL, y1 REAL NOT NULL,
    confidence  REAL NOT NULL,
    alternatives TEXT NOT NULL DEFAULT '[]',   -- JSON list of other likely readings
    PRIMARY KEY (figid, seq)
);

CREATE TABLE IF NOT EXISTS mentions (
    figid       TEXT NOT NULL REFERENCES figures(figid) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    word        TEXT NOT NULL,
    symbol      TEXT NOT NULL,
    source      TEXT NOT NULL,
    hgnc_symbol TEXT NOT NULL,
    entrez      TEXT NOT NULL,
    x0 REAL NOT NULL, y0 REAL NOT NULL, x1 REAL NOT NULL, y1 REAL NOT NULL,
    confidence  REAL NOT NULL,
    transforms  TEXT NOT NULL DEFAULT '',
    family      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (figid, seq)
);
CREATE INDEX IF NOT EXISTS mentions_by_gene ON mentions (hgnc_symbol);
CREATE INDEX IF NOT EXISTS mentions_by_entrez ON mentions (entrez);

CREATE TABLE IF NOT EXISTS chemicals (
    figid       TEXT NOT NULL REFERENCES figures(figid) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    word        TEXT NOT NULL,
    match       TEXT NOT NULL,
    name        TEXT NOT NULL,
    mesh        TEXT NOT NULL,
    chebi       TEXT NOT NULL,
    x0 REAL NOT NULL, y0 REAL NOT NULL, x1 REAL NOT NULL, y1 REAL NOT NULL,
    confidence  REAL NOT NULL,
    source      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (figid, seq)
);
CREATE INDEX IF NOT EXISTS chemicals_by_mesh ON chemicals (mesh);
CREATE INDEX IF NOT EXISTS chemicals_by_chebi ON chemicals (chebi);

CREATE TABLE IF NOT EXISTS diseases (
    figid       TEXT NOT NULL REFERENCES figures(figid) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    word        TEXT NOT NULL,
    match       TEXT NOT NULL,
    name        TEXT NOT NULL,
    mesh        TEXT NOT NULL,
    doid        TEXT NOT NULL,
    x0 REAL NOT NULL, y0 REAL NOT NULL, x1 REAL NOT NULL, y1 REAL NOT NULL,
    confidence  REAL NOT NULL,
    source      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (figid, seq)
);
CREATE INDEX IF NOT EXISTS diseases_by_mesh ON diseases (mesh);

-- The organisms a figure is about, in call order, and why each was called.
CREATE TABLE IF NOT EXISTS organisms (
    figid       TEXT NOT NULL REFERENCES figures(figid) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    name        TEXT NOT NULL,
    taxon_id    TEXT NOT NULL DEFAULT '',
    grp         TEXT NOT NULL DEFAULT '',
    evidence    TEXT NOT NULL DEFAULT '',
    gene_set    INTEGER NOT NULL DEFAULT 1,   -- genes go to this organism's GMT
    PRIMARY KEY (figid, seq)
);
CREATE INDEX IF NOT EXISTS organisms_by_name ON organisms (name);

-- PFOCR's organisms_ner: genes matched per organism lexicon.
CREATE TABLE IF NOT EXISTS organisms_ner (
    figid          TEXT NOT NULL REFERENCES figures(figid) ON DELETE CASCADE,
    seq            INTEGER NOT NULL,
    organism_id    TEXT NOT NULL,
    organism_name  TEXT NOT NULL,
    organism_group TEXT NOT NULL,
    count_direct   INTEGER NOT NULL,
    count_synonym  INTEGER NOT NULL,
    count_match    INTEGER NOT NULL,
    PRIMARY KEY (figid, seq)
);

-- Gene synonyms the figure could not resolve: reported with every candidate, never expanded.
CREATE TABLE IF NOT EXISTS ambiguous_mentions (
    figid       TEXT NOT NULL REFERENCES figures(figid) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    word        TEXT NOT NULL,
    symbol      TEXT NOT NULL,
    source      TEXT NOT NULL,
    candidates  TEXT NOT NULL,      -- HGNC symbols, ';'-separated
    entrez      TEXT NOT NULL,      -- their Entrez IDs, same order
    x0 REAL NOT NULL, y0 REAL NOT NULL, x1 REAL NOT NULL, y1 REAL NOT NULL,
    confidence  REAL NOT NULL,
    transforms  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (figid, seq)
);

-- Interactions read off the figure's connectors.
CREATE TABLE IF NOT EXISTS edges (
    figid        TEXT NOT NULL REFERENCES figures(figid) ON DELETE CASCADE,
    seq          INTEGER NOT NULL,
    source       TEXT NOT NULL,
    target       TEXT NOT NULL,
    kind         TEXT NOT NULL,
    confidence   REAL NOT NULL,
    directed     INTEGER NOT NULL DEFAULT 1,
    source_word  TEXT NOT NULL DEFAULT '',
    target_word  TEXT NOT NULL DEFAULT '',
    source_type  TEXT NOT NULL DEFAULT 'gene',
    target_type  TEXT NOT NULL DEFAULT 'gene',
    polyline     TEXT NOT NULL DEFAULT '[]',   -- JSON [[x, y], ...], source end first
    PRIMARY KEY (figid, seq)
);

CREATE TABLE IF NOT EXISTS failures (
    failure_id  INTEGER PRIMARY KEY,
    run_id      INTEGER NOT NULL REFERENCES runs(run_id),
    figid       TEXT,
    source      TEXT NOT NULL,
    stage       TEXT NOT NULL,       -- ingest | read | decode | ocr | recognise
    error_class TEXT NOT NULL,
    message     TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS failures_by_run ON failures (run_id);
