-- Contacts with their identifiers, the links from memories to contacts and entities, and the
-- merge suggestions a user dismissed. Every row carries user_id, and every query filters on it.

CREATE TABLE contacts (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL,
    display_name TEXT NOT NULL,
    -- display_name folded for search and suggestions: lower case, no accents (see name_key).
    name_key     TEXT NOT NULL,
    -- 1 once the display name is a real name (given by a source or the user), 0 while it is
    -- only an address or number standing in for one.
    named        INTEGER NOT NULL DEFAULT 0,
    kind         TEXT NOT NULL DEFAULT 'person',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX contacts_user_name ON contacts (user_id, name_key);

-- value is the identifier in canonical form and raw as first written, so that normalising
-- again under new rules starts from what the source said. context is what the raw value was
-- read in: the phone region for a phone number, the source scope (one conversation or one
-- account) for a name, which identifies a person only inside that scope. match_key is what
-- resolution compares: the email without its plus-tag (and Gmail dots), the E.164 number,
-- "<connector>:<handle>", or "<scope>:<name key>". A match key belongs to at most one contact
-- per user.
CREATE TABLE contact_identifiers (
    id             TEXT PRIMARY KEY,
    user_id        TEXT NOT NULL,
    contact_id     TEXT NOT NULL,
    type           TEXT NOT NULL,
    value          TEXT NOT NULL,
    raw            TEXT NOT NULL,
    context        TEXT,
    match_key      TEXT NOT NULL,
    connector_type TEXT,
    created_at     TEXT NOT NULL
);
CREATE UNIQUE INDEX contact_identifiers_match ON contact_identifiers (user_id, type, match_key);
CREATE INDEX contact_identifiers_contact ON contact_identifiers (contact_id);

-- Which contacts a memory names, and as what: sender, recipient, participant or mentioned.
CREATE TABLE memory_contacts (
    user_id    TEXT NOT NULL,
    memory_id  TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    role       TEXT NOT NULL,
    PRIMARY KEY (memory_id, contact_id, role)
);
CREATE INDEX memory_contacts_contact ON memory_contacts (user_id, contact_id);

-- Entities extracted from a memory's text. value_key is the value folded for counting, so
-- "Acme Corp" and "ACME Corp" count as one entity.
CREATE TABLE memory_entities (
    user_id   TEXT NOT NULL,
    memory_id TEXT NOT NULL,
    type      TEXT NOT NULL,
    value     TEXT NOT NULL,
    value_key TEXT NOT NULL,
    PRIMARY KEY (memory_id, type, value_key)
);
CREATE INDEX memory_entities_user_type ON memory_entities (user_id, type, value_key);

-- Evidence that two contacts are one person, seen when a single participant carried strong
-- identifiers of both. contact_a < contact_b.
CREATE TABLE contact_evidence (
    user_id   TEXT NOT NULL,
    contact_a TEXT NOT NULL,
    contact_b TEXT NOT NULL,
    type      TEXT NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (user_id, contact_a, contact_b)
);

-- Merge suggestions the user dismissed; a dismissed pair is never suggested again.
-- contact_a < contact_b.
CREATE TABLE contact_dismissals (
    user_id    TEXT NOT NULL,
    contact_a  TEXT NOT NULL,
    contact_b  TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, contact_a, contact_b)
);

-- A deleted memory takes its links along; a deleted contact takes its identifiers and links.
CREATE TRIGGER memories_links_delete AFTER DELETE ON memories BEGIN
    DELETE FROM memory_contacts WHERE memory_id = old.id;
    DELETE FROM memory_entities WHERE memory_id = old.id;
END;
CREATE TRIGGER contacts_links_delete AFTER DELETE ON contacts BEGIN
    DELETE FROM contact_identifiers WHERE contact_id = old.id;
    DELETE FROM memory_contacts WHERE contact_id = old.id;
    DELETE FROM contact_evidence WHERE contact_a = old.id OR contact_b = old.id;
    DELETE FROM contact_dismissals WHERE contact_a = old.id OR contact_b = old.id;
END;

-- The region that reads phone numbers written without a country code (ISO 3166-1).
ALTER TABLE users ADD COLUMN phone_region TEXT NOT NULL DEFAULT 'US';
