-- Taghtia schema 5: the evidence behind each cell stat (declared level,
-- fresh evidence per source, resulting level, confidence, dispute), what a
-- snapshot was computed with (layers version, the snapshot its zone ids
-- were matched to, disputes found), and the lifecycle events of zones and
-- sites with their evidence files. Every new column has a default, so the
-- rows written before this migration stay valid and read as "no
-- evidence".

-- +goose Up
-- Sources are data.Source: crowd, drive, regulator. Levels are data.Level;
-- devices and days are counted up to 255.
ALTER TABLE cell_stats
    ADD COLUMN declared          smallint NOT NULL DEFAULT 0,
    ADD COLUMN crowd_samples     integer  NOT NULL DEFAULT 0,
    ADD COLUMN crowd_devices     smallint NOT NULL DEFAULT 0,
    ADD COLUMN crowd_days        smallint NOT NULL DEFAULT 0,
    ADD COLUMN crowd_level       smallint NOT NULL DEFAULT 0,
    ADD COLUMN drive_samples     integer  NOT NULL DEFAULT 0,
    ADD COLUMN drive_devices     smallint NOT NULL DEFAULT 0,
    ADD COLUMN drive_days        smallint NOT NULL DEFAULT 0,
    ADD COLUMN drive_level       smallint NOT NULL DEFAULT 0,
    ADD COLUMN regulator_samples integer  NOT NULL DEFAULT 0,
    ADD COLUMN regulator_devices smallint NOT NULL DEFAULT 0,
    ADD COLUMN regulator_days    smallint NOT NULL DEFAULT 0,
    ADD COLUMN regulator_level   smallint NOT NULL DEFAULT 0,
    ADD COLUMN result            smallint NOT NULL DEFAULT 0,
    ADD COLUMN confidence        real     NOT NULL DEFAULT 0,
    ADD COLUMN disputed          boolean  NOT NULL DEFAULT false;

-- matched_to is 0 for a snapshot matched to none (no foreign key).
ALTER TABLE snapshots
    ADD COLUMN layers_version text    NOT NULL DEFAULT '',
    ADD COLUMN matched_to     bigint  NOT NULL DEFAULT 0,
    ADD COLUMN disputes       integer NOT NULL DEFAULT 0;

-- Append-only history of each (kind, subject): seq is 1, 2, … with no
-- gaps; the primary key makes two appends of the same seq conflict
-- (Store.AppendEvent). Keys sort as Go strings (COLLATE "C"). The evidence
-- columns are all NULL for an event without evidence; its content is in
-- event_evidence, so listing events never reads it.
CREATE TABLE events (
    kind            text        COLLATE "C" NOT NULL,
    subject         text        COLLATE "C" NOT NULL,
    seq             bigint      NOT NULL CHECK (seq >= 1),
    at              timestamptz NOT NULL,
    actor           text        NOT NULL DEFAULT '',
    role            text        NOT NULL DEFAULT '',
    from_state      text        NOT NULL DEFAULT '',
    to_state        text        NOT NULL,
    comment         text        NOT NULL DEFAULT '',
    operator        text        NOT NULL DEFAULT '',
    deadline        timestamptz,
    reason          text        NOT NULL DEFAULT '',
    snapshot_id     bigint      NOT NULL DEFAULT 0,
    region          text        NOT NULL DEFAULT '',
    check_result    text        NOT NULL DEFAULT '',
    evidence_name   text,
    evidence_type   text,
    evidence_size   bigint,
    evidence_sha256 text,
    PRIMARY KEY (kind, subject, seq),
    CHECK ((evidence_name IS NULL) = (evidence_type IS NULL)
       AND (evidence_name IS NULL) = (evidence_size IS NULL)
       AND (evidence_name IS NULL) = (evidence_sha256 IS NULL))
);

CREATE TABLE event_evidence (
    kind    text   COLLATE "C" NOT NULL,
    subject text   COLLATE "C" NOT NULL,
    seq     bigint NOT NULL,
    content bytea  NOT NULL,
    PRIMARY KEY (kind, subject, seq),
    FOREIGN KEY (kind, subject, seq) REFERENCES events (kind, subject, seq)
);

-- +goose Down
DROP TABLE event_evidence, events;
ALTER TABLE snapshots
    DROP COLUMN layers_version,
    DROP COLUMN matched_to,
    DROP COLUMN disputes;
ALTER TABLE cell_stats
    DROP COLUMN declared,
    DROP COLUMN crowd_samples, DROP COLUMN crowd_devices, DROP COLUMN crowd_days, DROP COLUMN crowd_level,
    DROP COLUMN drive_samples, DROP COLUMN drive_devices, DROP COLUMN drive_days, DROP COLUMN drive_level,
    DROP COLUMN regulator_samples, DROP COLUMN regulator_devices, DROP COLUMN regulator_days, DROP COLUMN regulator_level,
    DROP COLUMN result,
    DROP COLUMN confidence,
    DROP COLUMN disputed;
