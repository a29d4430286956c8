-- Fingerprints (data.Measurement.Fingerprint, as signed bigint) of every
-- stored row, so a row already stored from an earlier upload is found
-- (Store.KnownRows). Written in the upload's transaction, by COPY. No
-- foreign key: a per-row trigger would slow every COPY, and uploads are
-- never deleted, only their months detached (the fingerprints stay, so a
-- detached month's rows are still recognised). Uploads stored before this
-- migration have no fingerprints.

-- +goose Up
CREATE TABLE row_fingerprints (
    fp        bigint NOT NULL,
    upload_id bigint NOT NULL
);
CREATE INDEX row_fingerprints_fp ON row_fingerprints USING hash (fp);

-- +goose Down
DROP TABLE row_fingerprints;
