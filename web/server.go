package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/taghtia/taghtia/coverage"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/tiles"
)

// Reader is what the API reads from a store.
type Reader interface {
	tiles.Reader
	Snapshots(ctx context.Context) ([]data.Snapshot, error)
	Zone(ctx context.Context, snapshot int64, id string) (data.Zone, error)
	Uploads(ctx context.Context) ([]data.Upload, error)
	LayerInfos(ctx context.Context) ([]data.LayerInfo, error)
	Population(ctx context.Context) ([]data.CellPop, error)
}

// Operator is one mobile network shown in the UI.
type Operator struct {
	MCCMNC string `json:"mcc_mnc"`
	Name   string `json:"name"`
}

// Options configure a Server.
type Options struct {
	Store     Reader
	Tiles     tiles.Renderer
	Log       *slog.Logger
	Operators []Operator
	Simulated bool // measurements come from the simulator
	// Tracking (zone and site lifecycle, verification, progress; see
	// lifecycle.go and sites.go; sites also need Scenarios):
	// Tracker holds the events, Tokens say who may change them (nil: no
	// one), Thresholds verify (zero: the built-in ones). MaxEvidence caps
	// an evidence file (default 20 MB); Now is the clock (default
	// time.Now).
	Tracker     Tracker
	Tokens      []Token
	Thresholds  coverage.Thresholds
	MaxEvidence int64
	Now         func() time.Time
	// Scenarios plans and stores scenarios (/api/v1/scenarios, see
	// scenarios.go) with Thresholds; nil: that API answers 404.
	Scenarios ScenarioStore
}

// Server serves the API, tiles and UI.
type Server struct {
	store     Reader
	tiles     tiles.Renderer
	log       *slog.Logger
	operators []Operator
	simulated bool
	up        *uploads
	track     *tracking
	tokens    []Token
	th        coverage.Thresholds
	scen      *scenarios
}

// EnableUploads starts the upload service: POST /api/v1/uploads queues
// files for opt.Ingester, one at a time, until ctx ends.
func (s *Server) EnableUploads(ctx context.Context, opt UploadOptions) error {
	u, err := newUploads(ctx, opt, s.log)
	if err != nil {
		return err
	}
	s.up = u
	return nil
}

func (s *Server) uploadsOff(w http.ResponseWriter, r *http.Request) error {
	return notFound("uploads are not enabled on this server; start it with serve --tokens FILE")
}

// uploadHandler routes to the upload service, or says it is off.
func (s *Server) uploadHandler(h func(u *uploads) handlerFunc) http.HandlerFunc {
	return s.handle(func(w http.ResponseWriter, r *http.Request) error {
		if s.up == nil {
			return s.uploadsOff(w, r)
		}
		return h(s.up)(w, r)
	})
}

// New returns a server.
func New(opt Options) *Server {
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	if opt.Thresholds.Version == "" {
		opt.Thresholds = coverage.DefaultThresholds()
	}
	return &Server{store: opt.Store, tiles: opt.Tiles, log: opt.Log, operators: opt.Operators, simulated: opt.Simulated,
		track: newTracking(opt), tokens: opt.Tokens, th: opt.Thresholds, scen: newScenarios(opt)}
}

// Handler returns the router.
func (s *Server) Handler() http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.RequestID, middleware.RealIP, s.logRequests, middleware.Recoverer)
	r.Get("/healthz", s.handle(s.healthz))
	r.Route("/api/v1", func(r chi.Router) {
		r.Get("/meta", s.handle(s.meta))
		r.Get("/stats", s.handle(s.stats))
		r.Get("/zones", s.handle(s.listZones))
		r.Get("/zones/{id}", s.handle(s.getZone))
		r.Get("/disputes", s.handle(s.listDisputes))
		r.Get("/disputes.csv", s.handle(s.disputesCSV))
		r.Get("/disputes.geojson", s.handle(s.disputesGeoJSON))
		r.Get("/snapshots", s.handle(s.listSnapshots))
		r.Get("/snapshots/{id}", s.handle(s.getSnapshot))
		r.Get("/snapshots/{a}/diff/{b}", s.handle(s.diffSnapshots))
		r.Get("/roaming", s.handle(s.roaming))
		r.Get("/cells/{cell}/evidence", s.handle(s.cellEvidence))
		r.Get("/evidence", s.handle(s.evidenceAt))
		zone, site := s.zoneKind(), s.siteKind()
		r.Get("/zones/{id}/history", s.handle(s.history(zone)))
		r.Post("/zones/{id}/transitions", s.handle(s.transitions(zone)))
		r.Get("/zones/{id}/events/{seq}/evidence", s.handle(s.eventEvidence(zone)))
		r.Get("/sites", s.handle(s.listSites))
		r.Get("/sites/{id}", s.handle(s.getSite))
		r.Get("/sites/{id}/history", s.handle(s.history(site)))
		r.Post("/sites/{id}/transitions", s.handle(s.transitions(site)))
		r.Get("/sites/{id}/events/{seq}/evidence", s.handle(s.eventEvidence(site)))
		r.Get("/progress", s.handle(s.progress))
		r.Post("/uploads", s.uploadHandler(func(u *uploads) handlerFunc { return u.post }))
		r.Get("/uploads/{id}", s.uploadHandler(func(u *uploads) handlerFunc { return u.get }))
		r.Get("/uploads/{id}/errors.csv", s.uploadHandler(func(u *uploads) handlerFunc { return u.errorsCSV }))
		r.Post("/scenarios", s.handle(s.postScenario))
		r.Get("/scenarios", s.handle(s.listScenarios))
		r.Get("/scenarios/{id}", s.handle(s.getScenario))
		r.Get("/scenarios/{a}/compare/{b}", s.handle(s.compareScenarios))
		r.Get("/scenarios/{id}/routes.geojson", s.handle(s.scenarioRoutes))
		r.Get("/scenarios/{id}/sites.csv", s.handle(s.scenarioSitesCSV))
		r.Get("/scenarios/{id}/zones.csv", s.handle(s.scenarioZonesCSV))
		r.Get("/scenarios/{id}/assignments.geojson", s.handle(s.scenarioAssignments))
		r.NotFound(s.handle(func(w http.ResponseWriter, r *http.Request) error {
			return notFound("no API endpoint " + r.Method + " " + r.URL.Path)
		}))
	})
	r.Get("/tiles/{layer}.json", s.handle(s.tileJSON))
	r.Get("/tiles/{layer}/{z}/{x}/{y}.mvt", s.handle(s.tile))
	r.Get("/tiles/{layer}/{z}/{x}/{y}.pbf", s.handle(s.tile))
	r.Handle("/*", s.ui())
	return r
}

func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		start := time.Now()
		next.ServeHTTP(ww, r)
		s.log.LogAttrs(r.Context(), slog.LevelDebug, "request", slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", ww.Status()), slog.Duration("took", time.Since(start)), slog.String("request_id", middleware.GetReqID(r.Context())))
	})
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "data_version": s.tiles.Version()})
	return nil
}
