-- 1: applications, their audit trail, campaigns and questionnaires, staff accounts and sessions.
-- Portable SQL: the same text runs on SQLite and PostgreSQL.
CREATE TABLE counters (
    unit TEXT NOT NULL,
    year BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (unit, year)
);
CREATE TABLE cases (
    unit TEXT NOT NULL,
    year BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    received TEXT NOT NULL,
    received_at TEXT NOT NULL,
    due TEXT NOT NULL,
    lookup_hash TEXT NOT NULL,
    applicant TEXT NOT NULL,
    id_doc TEXT NOT NULL,
    phone TEXT NOT NULL,
    email TEXT NOT NULL,
    address TEXT NOT NULL,
    info TEXT NOT NULL,
    doc_number TEXT NOT NULL,
    medium TEXT NOT NULL,
    delivery TEXT NOT NULL,
    state TEXT NOT NULL,
    outcome TEXT,
    outcome_reason TEXT,
    replied TEXT,
    extended_due TEXT,
    extension_reason TEXT,
    purged BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (unit, year, seq)
);
CREATE TABLE audit (
    unit TEXT NOT NULL,
    year BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    n BIGINT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL,
    PRIMARY KEY (unit, year, seq, n)
);
CREATE TABLE campaigns (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    unit TEXT NOT NULL,
    opens TEXT NOT NULL,
    closes TEXT NOT NULL
);
CREATE TABLE responses (
    id TEXT PRIMARY KEY,
    campaign TEXT NOT NULL,
    unit TEXT NOT NULL,
    at TEXT NOT NULL,
    content TEXT NOT NULL,
    timeliness TEXT NOT NULL,
    channels TEXT NOT NULL,
    rules TEXT NOT NULL,
    requests TEXT NOT NULL,
    service TEXT NOT NULL,
    remark TEXT NOT NULL,
    reviewed BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE rectifications (
    campaign TEXT NOT NULL,
    unit TEXT NOT NULL,
    n BIGINT NOT NULL,
    problem TEXT NOT NULL,
    measure TEXT NOT NULL,
    due TEXT,
    state TEXT NOT NULL,
    done TEXT,
    PRIMARY KEY (campaign, unit, n)
);
CREATE TABLE users (
    name TEXT PRIMARY KEY,
    hash TEXT NOT NULL,
    admin BIGINT NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE user_units (
    name TEXT NOT NULL,
    unit TEXT NOT NULL,
    PRIMARY KEY (name, unit)
);
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    csrf TEXT NOT NULL,
    expires TEXT NOT NULL
)
