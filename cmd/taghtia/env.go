package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/taghtia/taghtia/coverage"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/data/embedded"
)

// env is what every subcommand receives.
type env struct {
	cfg Config
	log *slog.Logger
	ctx context.Context
}

func (e *env) open() (*embedded.Store, error) {
	st, err := embedded.Open(e.cfg.Data, embedded.Options{})
	if errors.Is(err, data.ErrLocked) {
		return nil, fmt.Errorf("%w: stop the other taghtia (serve or demo) using %s first", err, e.cfg.Data)
	}
	return st, err
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
