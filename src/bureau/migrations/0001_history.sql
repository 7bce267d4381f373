-- gongkai assess --save: the history of a bureau's gatherings (issue 17, part 3).
-- Plain SQL that SQLite and PostgreSQL both run: ids are given by gongkai (no AUTOINCREMENT,
-- no SERIAL), days are ISO text, counts are integers.

CREATE TABLE schema_migration (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL
);

-- one row per stored gathering
CREATE TABLE gathering (
    id BIGINT PRIMARY KEY,
    year INTEGER NOT NULL,
    day TEXT NOT NULL,
    tool_version TEXT NOT NULL,
    snapshot_version INTEGER NOT NULL,
    summary TEXT NOT NULL
);

-- the roster's units, by name
CREATE TABLE unit (
    id BIGINT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    code TEXT
);

-- a unit's status and counts, stored only when they differ from its previous row
CREATE TABLE unit_change (
    unit_id BIGINT NOT NULL REFERENCES unit (id),
    gathering_id BIGINT NOT NULL REFERENCES gathering (id),
    status TEXT NOT NULL,
    required INTEGER,
    published INTEGER,
    score INTEGER,
    grade TEXT,
    PRIMARY KEY (unit_id, gathering_id)
);

-- one rule's outcome for one unit, stored only when it differs from its previous row:
-- passed | failed | unchecked, or absent (the rule no longer applies to the unit)
CREATE TABLE rule_change (
    unit_id BIGINT NOT NULL REFERENCES unit (id),
    rule TEXT NOT NULL,
    gathering_id BIGINT NOT NULL REFERENCES gathering (id),
    status TEXT NOT NULL,
    title TEXT NOT NULL,
    PRIMARY KEY (unit_id, rule, gathering_id)
);

-- the bureau's findings of each gathering (few: only problems)
CREATE TABLE finding (
    gathering_id BIGINT NOT NULL REFERENCES gathering (id),
    unit_id BIGINT REFERENCES unit (id),
    kind TEXT NOT NULL,
    severity TEXT NOT NULL,
    message TEXT NOT NULL
);

CREATE INDEX finding_by_unit ON finding (unit_id, gathering_id);
