package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/taghtia/taghtia/coverage"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/data/embedded"
	"github.com/taghtia/taghtia/data/postgis"
)

// env is what every subcommand receives.
type env struct {
	cfg Config
	log *slog.Logger
	ctx context.Context
}

// store opens the store the configuration selects: PostGIS when a
// database URL is given, else the embedded store in the data directory.
func (e *env) store() (data.Store, error) {
	if e.cfg.DB != "" {
		st, err := postgis.Open(e.ctx, e.cfg.DB, postgis.Options{ReadURL: e.cfg.DBRead, Log: e.log})
		if err != nil {
			return nil, err
		}
		return st, nil
	}
	st, err := embedded.Open(e.cfg.Data, embedded.Options{})
	if errors.Is(err, data.ErrLocked) {
		return nil, fmt.Errorf("%w: stop the other taghtia (serve or demo) using %s first", err, e.cfg.Data)
	}
	return st, err
}

// where names the store for messages: the data directory or the database.
func (e *env) where() string {
	if e.cfg.DB != "" {
		return "database " + redact(e.cfg.DB)
	}
	return e.cfg.Data
}

// redact drops the password of a database URL.
func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(unparsable URL)"
	}
	return p.Redacted()
}

func (e *env) thresholds() (coverage.Thresholds, error) {
	if e.cfg.Thresholds == "" {
		return coverage.DefaultThresholds(), nil
	}
	return coverage.LoadThresholds(e.cfg.Thresholds)
}

// bar returns a progress bar on stderr for a job of max units (-1: unknown).
func bar(max int64, desc string) *progressbar.ProgressBar {
	return progressbar.NewOptions64(max,
		progressbar.OptionSetWriter(os.Stderr),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(os.Stderr) }),
	)
}

func bytesBar(max int64, desc string) *progressbar.ProgressBar {
	return progressbar.NewOptions64(max,
		progressbar.OptionSetWriter(os.Stderr),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
}

var _ io.Writer = (*progressbar.ProgressBar)(nil)
