-- Taghtia schema 6: stored planning scenario runs (data.ScenarioRun). The
-- body is the API's JSON document of the run, kept verbatim (json, not
-- jsonb); the run's fibre routes are the features of layer 'routes/<id>'
-- (data.RoutesLayer), written in the same transaction.

-- +goose Up
CREATE TABLE scenario_runs (
    id          bigserial   PRIMARY KEY,
    name        text        NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL,
    snapshot_id bigint      NOT NULL DEFAULT 0, -- the zone snapshot planned over (no foreign key: 0 for none)
    body        json        NOT NULL
);

-- +goose Down
DELETE FROM features WHERE layer LIKE 'routes/%';
DROP TABLE scenario_runs;
