-- Generic vector layers: administrative sites, roads, fibre points of
-- presence, declared coverage (data.Feature).

-- +goose Up
CREATE TABLE features (
    layer     text  NOT NULL,
    id        text  NOT NULL,
    props     jsonb NOT NULL DEFAULT '{}',
    geom      geometry(Geometry, 4326) NOT NULL,
    geom_3857 geometry(Geometry, 3857) NOT NULL,
    PRIMARY KEY (layer, id)
);
CREATE INDEX features_geom_3857 ON features USING gist (geom_3857);

-- +goose Down
DROP TABLE features;
