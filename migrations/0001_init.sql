-- Accounts, sessions, API keys, memory banks and memories with their text and vector
-- indexes. Every row that belongs to a person carries user_id, and every query filters on it.
-- Times are RFC 3339 UTC strings, which sort in time order as text.

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    plan          TEXT NOT NULL DEFAULT 'free',
    timezone      TEXT NOT NULL DEFAULT 'UTC',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

-- Refresh tokens rotate on every use. All tokens issued from one login share a family, so a
-- token presented twice (a stolen copy) revokes the whole family.
CREATE TABLE refresh_tokens (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL,
    family_id   TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    expires_at  TEXT NOT NULL,
    used_at     TEXT,
    revoked_at  TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);

-- API keys are stored only as a SHA-256 hash; scopes and bank restrictions are JSON arrays.
CREATE TABLE api_keys (
    id              TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL,
    name            TEXT NOT NULL,
    key_hash        TEXT NOT NULL UNIQUE,
    last_four       TEXT NOT NULL,
    scopes          TEXT NOT NULL,
    memory_bank_ids TEXT,
    created_at      TEXT NOT NULL,
    expires_at      TEXT,
    last_used_at    TEXT,
    revoked_at      TEXT
);
-- A name may be reused once the key that held it is revoked.
CREATE UNIQUE INDEX api_keys_active_name ON api_keys (user_id, name) WHERE revoked_at IS NULL;

CREATE TABLE memory_banks (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    is_default  INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    UNIQUE (user_id, name)
);

-- seq is the integer row id that the full-text index points at; an explicit INTEGER PRIMARY
-- KEY keeps it stable across VACUUM, which an implicit rowid does not.
CREATE TABLE memories (
    seq            INTEGER PRIMARY KEY,
    id             TEXT NOT NULL UNIQUE,
    user_id        TEXT NOT NULL,
    memory_bank_id TEXT NOT NULL,
    text           TEXT NOT NULL,
    source_type    TEXT NOT NULL,
    connector_type TEXT NOT NULL,
    account_id     TEXT,
    event_time     TEXT NOT NULL,
    ingest_time    TEXT NOT NULL,
    metadata       TEXT NOT NULL DEFAULT '{}',
    importance     REAL NOT NULL DEFAULT 0.5,
    trust          REAL NOT NULL DEFAULT 1.0,
    pinned         INTEGER NOT NULL DEFAULT 0,
    status         TEXT NOT NULL DEFAULT 'pending',
    error          TEXT
);
CREATE INDEX memories_user_event ON memories (user_id, event_time DESC, seq DESC);
CREATE INDEX memories_user_bank ON memories (user_id, memory_bank_id);
CREATE INDEX memories_user_status ON memories (user_id, status);

-- BM25 text index over memory text. Porter stemming lets "hiking" match "hiked"; diacritics
-- are folded so "cafe" matches "café". Triggers keep it in step with the memories table.
CREATE VIRTUAL TABLE memories_fts USING fts5 (
    text,
    content = 'memories',
    content_rowid = 'seq',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER memories_fts_insert AFTER INSERT ON memories BEGIN
    INSERT INTO memories_fts (rowid, text) VALUES (new.seq, new.text);
END;
CREATE TRIGGER memories_fts_delete AFTER DELETE ON memories BEGIN
    INSERT INTO memories_fts (memories_fts, rowid, text) VALUES ('delete', old.seq, old.text);
END;
CREATE TRIGGER memories_fts_update AFTER UPDATE OF text ON memories BEGIN
    INSERT INTO memories_fts (memories_fts, rowid, text) VALUES ('delete', old.seq, old.text);
    INSERT INTO memories_fts (rowid, text) VALUES (new.seq, new.text);
END;

-- The exact vector index used when no Vectorize binding is configured. Vectors are
-- little-endian f32 encoded as base64 text, because D1 returns BLOB columns as arrays of
-- numbers. seq grows with every write, so a reader can fetch only what is new.
CREATE TABLE memory_vectors (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    memory_id TEXT NOT NULL UNIQUE,
    user_id   TEXT NOT NULL,
    model     TEXT NOT NULL,
    dims      INTEGER NOT NULL,
    vector    TEXT NOT NULL
);
CREATE INDEX memory_vectors_user_model ON memory_vectors (user_id, model, seq);
