package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/data/postgis"
	"github.com/taghtia/taghtia/ingest"
	"github.com/taghtia/taghtia/tiles"
	"github.com/taghtia/taghtia/web"
)

type serveCmd struct {
	Addr    string        `help:"Address to listen on." default:"127.0.0.1:8080" env:"TAGHTIA_ADDR"`
	Refresh time.Duration `help:"PostGIS store: how often to check for a new snapshot or coverage run written by another process, and serve it." default:"10s"`
	uploadFlags
}

// uploadFlags enable POST /api/v1/uploads.
type uploadFlags struct {
	Tokens    string `help:"Token file (YAML: tokens: [{token, name, role: engineer|operator|region, operator, region}]); enables POST /api/v1/uploads and zone transitions." env:"TAGHTIA_TOKENS" type:"existingfile"`
	MaxUpload int64  `help:"Largest upload accepted, in bytes." default:"4294967296"`
}

func (c *serveCmd) Run(e *env) error {
	st, err := e.store()
	if err != nil {
		return err
	}
	defer st.Close()
	return serve(e, st, c.Addr, c.Refresh, c.uploadFlags)
}

func serve(e *env, st data.Store, addr string, refresh time.Duration, up uploadFlags) error {
	set, err := renderer(e, st, refresh)
	if err != nil {
		return err
	}
	ops, err := operators(e, st)
	if err != nil {
		return err
	}
	ups, err := st.Uploads(e.ctx)
	if err != nil {
		return err
	}
	simulated := len(ups) > 0
	for _, u := range ups {
		if u.Format != "canonical-csv" || len(u.File) < 9 || u.File[:9] != "simulated" {
			simulated = false
		}
	}
	th, err := e.thresholds()
	if err != nil {
		return err
	}
	var toks []web.Token
	if up.Tokens != "" {
		if toks, err = web.LoadTokens(up.Tokens); err != nil {
			return err
		}
	}
	srv := web.New(web.Options{Store: st, Tiles: set, Log: e.log, Operators: ops, Simulated: simulated,
		Tracker: st, Tokens: toks, Thresholds: th, Scenarios: st})
	if up.Tokens != "" {
		err = srv.EnableUploads(e.ctx, web.UploadOptions{Ingester: &ingester{e: e, st: st}, Tokens: toks,
			Dir: filepath.Join(e.cfg.Data, "spool"), MaxBytes: up.MaxUpload})
		if err != nil {
			return err
		}
		e.log.Info("uploads enabled", "tokens", len(toks), "spool", filepath.Join(e.cfg.Data, "spool"))
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, BaseContext: func(net.Listener) context.Context { return e.ctx }}
	fmt.Printf("Taghtia is serving the map on http://%s/ (data in %s; Ctrl-C to stop)\n", ln.Addr(), e.where())
	e.log.Info("serving", "addr", ln.Addr().String(), "store", e.where())
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-e.ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shut); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	e.log.Info("stopped")
	return nil
}

// ingester stores the files sent to POST /api/v1/uploads, validated as
// taghtia ingest validates them.
type ingester struct {
	e  *env
	st data.Store
}

func (i *ingester) Ingest(ctx context.Context, path string, fs web.FileSpec, progress func(int64)) (ingest.Outcome, *ingest.Report, error) {
	sp, err := ingestSpec(i.e, i.st, fileSpec{Format: fs.Format, Operator: fs.Operator, Layer: fs.Layer, Tech: fs.Tech, Table: fs.Table})
	if err != nil {
		return ingest.Outcome{}, nil, err
	}
	if err := os.MkdirAll(sp.Vector.Vector.TempDir, 0o750); err != nil {
		return ingest.Outcome{}, nil, err
	}
	sp.CSV.Progress, sp.CSV.Context, sp.CSV.Name = progress, ctx, fs.Name
	return ingest.Any(ctx, i.st, path, sp)
}

// renderer is the tile renderer of the store: in SQL (ST_AsMVT) on
// PostGIS, kept current as other processes recompute; in process on the
// embedded store, which no other process can change while serving.
func renderer(e *env, st data.Store, refresh time.Duration) (tiles.Renderer, error) {
	pg, ok := st.(*postgis.Store)
	if !ok {
		return tiles.Load(e.ctx, st, tiles.Options{})
	}
	r, err := postgis.NewTileRenderer(e.ctx, pg, tiles.Options{})
	if err != nil {
		return nil, err
	}
	live := &liveTiles{}
	live.cur.Store(r)
	if refresh > 0 {
		go live.follow(e, pg, refresh)
	}
	return live, nil
}

// liveTiles serves from the newest PostGIS renderer: every interval it
// checks whether the store moved on (a new snapshot, coverage run or
// layer) and swaps in a renderer of the new state.
type liveTiles struct {
	cur atomic.Pointer[postgis.TileRenderer]
}

func (l *liveTiles) follow(e *env, st *postgis.Store, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-e.ctx.Done():
			return
		case <-t.C:
		}
		ok, err := l.cur.Load().Current(e.ctx)
		if err != nil || ok {
			if err != nil && e.ctx.Err() == nil {
				e.log.Warn("tile state check failed", "err", err)
			}
			continue
		}
		r, err := postgis.NewTileRenderer(e.ctx, st, tiles.Options{})
		if err != nil {
			e.log.Warn("tile renderer refresh failed", "err", err)
			continue
		}
		l.cur.Store(r)
		e.log.Info("tiles follow a new store state", "version", r.Version())
	}
}

func (l *liveTiles) Render(ctx context.Context, layer string, t maptile.Tile, q tiles.Query) (tiles.Tile, error) {
	return l.cur.Load().Render(ctx, layer, t, q)
}
func (l *liveTiles) TileJSON(layer, base string, q tiles.Query) (tiles.TileJSON, error) {
	return l.cur.Load().TileJSON(layer, base, q)
}
func (l *liveTiles) Version() string   { return l.cur.Load().Version() }
func (l *liveTiles) Bounds() orb.Bound { return l.cur.Load().Bounds() }
func (l *liveTiles) Resolution() int   { return l.cur.Load().Resolution() }

// operators lists the networks that have coverage stats, named from the
// pack's operator table.
func operators(e *env, st data.Store) ([]web.Operator, error) {
	names := map[string]string{"604-00": "Orange Maroc", "604-01": "Maroc Telecom", "604-02": "inwi"}
	if ops, err := ingest.LoadOperators(filepath.Join(e.cfg.Layers, "ma_mcc_mnc_operators.csv")); err == nil {
		for _, o := range ops {
			if _, ok := names[o.MCCMNC]; !ok && o.Brand != "" {
				names[o.MCCMNC] = o.Brand
			}
		}
	}
	stats, err := st.CellStats(e.ctx, data.CellStatFilter{})
	if err != nil {
		return nil, err
	}
	var out []web.Operator
	for _, s := range stats {
		if n := len(out); n > 0 && out[n-1].MCCMNC == s.MCCMNC {
			continue
		}
		name := names[s.MCCMNC]
		if name == "" {
			name = s.MCCMNC
		}
		out = append(out, web.Operator{MCCMNC: s.MCCMNC, Name: name})
	}
	return out, nil
}
