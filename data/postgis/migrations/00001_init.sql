-- Taghtia schema 1: reference layers, uploads and measurements, population
-- grid, coverage, zone snapshots. Geometry is stored in EPSG:4326 (data) and
-- EPSG:3857 (tiles, GiST-indexed). H3 cells are computed in Go and stored as
-- bigint (the 64-bit H3 index, reinterpreted as signed).

-- +goose Up
CREATE EXTENSION IF NOT EXISTS postgis;

-- Key/value facts about the store: the coverage run, the aggregate resolution.
CREATE TABLE meta (
    key   text PRIMARY KEY,
    value jsonb NOT NULL
);

CREATE TABLE areas (
    level      text   NOT NULL,
    code       text   NOT NULL,
    parent     text   NOT NULL DEFAULT '',
    region     text   NOT NULL DEFAULT '',
    name_fr    text   NOT NULL DEFAULT '',
    name_ar    text   NOT NULL DEFAULT '',
    name_en    text   NOT NULL DEFAULT '',
    type       text   NOT NULL DEFAULT '',
    population bigint NOT NULL DEFAULT 0,
    geom       geometry(MultiPolygon, 4326),
    geom_3857  geometry(MultiPolygon, 3857),
    PRIMARY KEY (level, code)
);
CREATE INDEX areas_geom_3857 ON areas USING gist (geom_3857);

CREATE TABLE places (
    layer      text   NOT NULL,
    id         text   NOT NULL,
    name       text   NOT NULL DEFAULT '',
    name_ar    text   NOT NULL DEFAULT '',
    kind       text   NOT NULL DEFAULT '',
    population bigint NOT NULL DEFAULT 0,
    province   text   NOT NULL DEFAULT '',
    region     text   NOT NULL DEFAULT '',
    geom       geometry(Point, 4326) NOT NULL,
    geom_3857  geometry(Point, 3857) NOT NULL,
    PRIMARY KEY (layer, id)
);
CREATE INDEX places_geom_3857 ON places USING gist (geom_3857);

CREATE TABLE layer_infos (
    name      text PRIMARY KEY,
    count     integer     NOT NULL,
    source    text        NOT NULL,
    loaded_at timestamptz NOT NULL
);

CREATE TABLE uploads (
    id          bigserial PRIMARY KEY,
    sha256      text        UNIQUE, -- NULL: never detected as a duplicate
    file        text        NOT NULL,
    format      text        NOT NULL,
    operator    text        NOT NULL DEFAULT '',
    bytes       bigint      NOT NULL,
    rows        bigint      NOT NULL,
    accepted    bigint      NOT NULL,
    rejected    bigint      NOT NULL,
    received_at timestamptz NOT NULL
);

-- Raw measurements, range-partitioned by month of measurement time.
-- Partitions (measurements_yYYYYmMM) are created on demand by the store;
-- an old month can be detached (taghtia db detach) without touching the
-- per-cell aggregates below. Absent optional values are NULL. cell is the
-- H3 cell at the store's aggregate resolution; sig_bin and dl_bin are the
-- histogram bins (data.SignalBin, data.DLBin) computed in Go so both stores
-- bin identically.
CREATE TABLE measurements (
    upload_id bigint      NOT NULL,
    seq       integer     NOT NULL,
    t         timestamptz NOT NULL,
    lon       float8      NOT NULL,
    lat       float8      NOT NULL,
    cell      bigint,
    mcc_mnc   text        COLLATE "C" NOT NULL,
    tech      smallint    NOT NULL,
    signal    real,
    rsrq      real,
    sinr      real,
    dl        real,
    ul        real,
    latency   real,
    accuracy  real,
    env       smallint    NOT NULL,
    source    smallint    NOT NULL,
    device    bigint      NOT NULL,
    sig_bin   integer,
    dl_bin    integer
) PARTITION BY RANGE (t);
-- Rows are appended upload by upload, so a BRIN index finds one upload's
-- rows cheaply (the per-upload aggregation) at almost no ingest cost.
CREATE INDEX measurements_upload ON measurements USING brin (upload_id);

-- Per-cell aggregates, kept incrementally: each upload adds the aggregate
-- of its own rows in the same transaction, one row per cell x operator x
-- technology x upload, so ingest never rewrites earlier rows and a
-- recompute reads these, never the raw rows. (taghtia db reaggregate
-- rebuilds them from the raw rows with one GROUP BY.) The binned
-- signal (dBm) and downlink (0.1 Mbit/s) distributions are parallel arrays
-- of bins and counts, ascending by bin. The key order lets a recompute
-- stream each cell's rows together and merge them.
CREATE TABLE cell_agg (
    cell      bigint      NOT NULL,
    mcc_mnc   text        COLLATE "C" NOT NULL,
    tech      smallint    NOT NULL,
    upload_id bigint      NOT NULL,
    samples   integer     NOT NULL,
    last      timestamptz NOT NULL,
    sig_v     integer[]   NOT NULL DEFAULT '{}',
    sig_n     integer[]   NOT NULL DEFAULT '{}',
    dl_v      integer[]   NOT NULL DEFAULT '{}',
    dl_n      integer[]   NOT NULL DEFAULT '{}',
    PRIMARY KEY (cell, mcc_mnc, tech, upload_id)
);

CREATE TABLE population (
    cell       bigint  PRIMARY KEY,
    population integer NOT NULL,
    commune    text    NOT NULL DEFAULT ''
);

-- Classified stats of the last coverage run (data.CoverageRun in meta).
CREATE TABLE cell_stats (
    mcc_mnc    text        COLLATE "C" NOT NULL,
    tech       smallint    NOT NULL,
    cell       bigint      NOT NULL,
    samples    integer     NOT NULL,
    signal_p10 real,
    signal_p50 real,
    signal_p90 real,
    dl_p10     real,
    dl_p50     real,
    dl_p90     real,
    last       timestamptz NOT NULL,
    level      smallint    NOT NULL,
    PRIMARY KEY (mcc_mnc, tech, cell)
);

CREATE TABLE snapshots (
    id             bigserial PRIMARY KEY,
    computed_at    timestamptz NOT NULL,
    resolution     smallint    NOT NULL,
    config_version text        NOT NULL,
    required_tech  smallint    NOT NULL,
    required_level smallint    NOT NULL,
    programme_size integer     NOT NULL,
    white          integer     NOT NULL,
    grey           integer     NOT NULL,
    white_pop      bigint      NOT NULL,
    grey_pop       bigint      NOT NULL,
    unmeasured_pop bigint      NOT NULL,
    uploads        bigint[]    NOT NULL
);

CREATE TABLE zones (
    snapshot_id   bigint  NOT NULL REFERENCES snapshots (id),
    id            text    NOT NULL,
    fid           bigint  NOT NULL,
    kind          text    NOT NULL,
    rank          integer NOT NULL,
    ord           integer NOT NULL, -- order given to AddSnapshot, ties of rank
    programme     boolean NOT NULL,
    population    bigint  NOT NULL,
    area_km2      float8  NOT NULL,
    region_code   text    NOT NULL,
    region        text    NOT NULL,
    region_ar     text    NOT NULL,
    province_code text    NOT NULL,
    province      text    NOT NULL,
    province_ar   text    NOT NULL,
    communes      text[]  NOT NULL,
    communes_ar   text[]  NOT NULL,
    commune_codes text[]  NOT NULL,
    centroid      geometry(Point, 4326),
    operator      text    NOT NULL DEFAULT '',
    cells         bigint[] NOT NULL,
    geom          geometry(MultiPolygon, 4326),
    geom_3857     geometry(MultiPolygon, 3857),
    PRIMARY KEY (snapshot_id, id)
);
CREATE INDEX zones_rank ON zones (snapshot_id, rank, ord);
CREATE INDEX zones_geom_3857 ON zones USING gist (geom_3857);

-- +goose Down
DROP TABLE zones, snapshots, cell_stats, population, cell_agg,
    measurements, uploads, layer_infos, places, areas, meta;
