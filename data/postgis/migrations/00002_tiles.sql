-- Taghtia schema 2: the hexagon pyramids the tile renderer (mvt.go) draws
-- with ST_AsMVT. They are written in Go (pyramid.go), inside the
-- transaction of the coverage run or zone snapshot they belong to, with the
-- same builders as the in-process renderer (tiles.CoverageHexes,
-- tiles.ZoneHexes), so both serve the same hexagons.

-- +goose Up
-- btree_gist lets one GiST index filter on resolution and geometry at once
-- (a z5 tile must not walk the resolution-8 hexagons under it). It is a
-- trusted extension: the database owner can create it.
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- The hexagon of every H3 cell any pyramid uses, at any resolution: its
-- boundary (from h3, CCW, transformed to 3857 here) and its centre, which
-- decides which tiles draw it (tiles.HexSearchBound). A cell's geometry
-- never changes, so rows are only added.
CREATE TABLE hex_cells (
    cell      bigint   PRIMARY KEY,
    res       smallint NOT NULL,
    lon       float8   NOT NULL,
    lat       float8   NOT NULL,
    geom_3857 geometry(Polygon, 3857) NOT NULL
);
CREATE INDEX hex_cells_res_geom_3857 ON hex_cells USING gist (res, geom_3857);

-- The coverage pyramid of the last coverage runs, per operator and
-- technology (tiles.Query). res is the run's grid resolution (cell stats:
-- signal_p50, dl_p10) or a coarser parent (cells = measured children).
-- Each run writes a new generation (meta coverage_gen) and drops those
-- before the previous one: a renderer made before the run keeps serving
-- its own generation, and nothing blocks readers or meets dead keys.
CREATE TABLE coverage_hex (
    gen        bigint   NOT NULL,
    mcc_mnc    text     COLLATE "C" NOT NULL,
    tech       smallint NOT NULL,
    res        smallint NOT NULL,
    cell       bigint   NOT NULL,
    level      text     NOT NULL,
    samples    bigint   NOT NULL,
    cells      integer,
    signal_p50 real,
    dl_p10     real,
    PRIMARY KEY (gen, mcc_mnc, tech, res, cell)
);

-- The low-zoom zone hexagons of each snapshot (agg=1 features).
CREATE TABLE zone_hex (
    snapshot_id bigint   NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
    res         smallint NOT NULL,
    cell        bigint   NOT NULL,
    kind        text     NOT NULL,
    population  bigint   NOT NULL,
    zones       integer  NOT NULL,
    PRIMARY KEY (snapshot_id, res, cell)
);

-- +goose Down
DROP TABLE zone_hex, coverage_hex, hex_cells;
