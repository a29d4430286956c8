package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/ingest"
	"github.com/taghtia/taghtia/tiles"
	"github.com/taghtia/taghtia/web"
)

type serveCmd struct {
	Addr string `help:"Address to listen on." default:"127.0.0.1:8080" env:"TAGHTIA_ADDR"`
}

func (c *serveCmd) Run(e *env) error {
	st, err := e.store()
	if err != nil {
		return err
	}
	defer st.Close()
	return serve(e, st, c.Addr)
}

func serve(e *env, st data.Store, addr string) error {
	set, err := tiles.Load(e.ctx, st, tiles.Options{})
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
	srv := web.New(web.Options{Store: st, Tiles: set, Log: e.log, Operators: ops, Simulated: simulated})
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
