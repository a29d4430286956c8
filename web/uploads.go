package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/ingest"
	"github.com/taghtia/taghtia/planner"
	"go.yaml.in/yaml/v3"
)

// Ingester validates and stores one file that reached the server.
type Ingester interface {
	Ingest(ctx context.Context, path string, spec FileSpec, progress func(bytes int64)) (ingest.Outcome, *ingest.Report, error)
}

// FileSpec is what the caller said about an uploaded file, from the
// request's query and its token.
type FileSpec struct {
	Name     string `json:"-"`
	Format   string `json:"-"`
	Operator string `json:"-"`
	Layer    string `json:"layer,omitempty"` // vector files: declared, communes… (see ingest.VectorLayers)
	Tech     string `json:"tech,omitempty"`  // declared coverage of one technology
	Table    string `json:"table,omitempty"` // GeoPackage feature table
}

// Token is one caller: its role (see Role) says what it may do. An
// operator's uploads are checked to hold only its own network's rows; an
// engineer's (the regulator's) may send any operator's file; a region's
// token does not upload.
type Token struct {
	Token    string `yaml:"token"`
	Operator string `yaml:"operator"`
	Name     string `yaml:"name"`
	// Role is engineer, operator or region; empty means operator when
	// Operator is set, else engineer.
	Role   string `yaml:"role"`
	Region string `yaml:"region"` // a region token's region code
}

// LoadTokens reads a token file:
//
//	tokens:
//	  - {token: "…", operator: "604-01", name: "Maroc Telecom"}       # role operator
//	  - {token: "…", name: "ANRT"}                                    # role engineer
//	  - {token: "…", role: region, region: "09", name: "Souss-Massa"}
func LoadTokens(path string) ([]Token, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f struct {
		Tokens []Token `yaml:"tokens"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	seen := map[string]bool{}
	for i, t := range f.Tokens {
		switch {
		case len(t.Token) < 16:
			return nil, fmt.Errorf("%s: token %d (%s) is shorter than 16 characters", path, i+1, t.Name)
		case seen[t.Token]:
			return nil, fmt.Errorf("%s: token %d (%s) is given twice", path, i+1, t.Name)
		case t.Operator != "" && !strings.HasPrefix(t.Operator, "604-"):
			return nil, fmt.Errorf("%s: token %d (%s): operator %q is not an MCC-MNC of Morocco such as 604-01", path, i+1, t.Name, t.Operator)
		}
		if err := t.checkRole(); err != nil {
			return nil, fmt.Errorf("%s: token %d (%s): %w", path, i+1, t.Name, err)
		}
		seen[t.Token] = true
	}
	if len(f.Tokens) == 0 {
		return nil, fmt.Errorf("%s: no tokens", path)
	}
	return f.Tokens, nil
}

// UploadOptions enable POST /api/v1/uploads.
type UploadOptions struct {
	Ingester Ingester
	Tokens   []Token
	Dir      string // spool: received files, job records, error reports
	MaxBytes int64  // largest accepted body; default 4 GiB
}

// Job states.
const (
	JobQueued     = "queued"
	JobProcessing = "processing"
	JobStored     = "stored"
	JobDuplicate  = "duplicate"
	JobFailed     = "failed"
)

// job is one file sent to the server, from receipt to its stored upload.
type job struct {
	ID         string     `json:"id"`
	State      string     `json:"state"`
	File       string     `json:"file"`
	Format     string     `json:"format"`
	Operator   string     `json:"operator,omitempty"`
	Spec       FileSpec   `json:"spec"`
	Caller     string     `json:"caller"`
	Bytes      int64      `json:"bytes"`
	Read       int64      `json:"bytes_read"`
	Rows       int64      `json:"rows"`
	Accepted   int64      `json:"accepted"`
	Rejected   int64      `json:"rejected"`
	Warnings   int64      `json:"warnings"`
	Problems   int        `json:"problems"`
	UploadID   int64      `json:"upload_id,omitempty"`
	Layers     []string   `json:"layers,omitempty"` // layer files: the layers replaced
	Features   int        `json:"features,omitempty"`
	Error      string     `json:"error,omitempty"`
	ReceivedAt time.Time  `json:"received_at"`
	StartedAt  *time.Time `json:"started_at,omitempty"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	Seconds    float64    `json:"seconds,omitempty"`
}

// uploads receives files, queues them and ingests them one at a time.
type uploads struct {
	opt   UploadOptions
	log   *slog.Logger
	mu    sync.Mutex
	jobs  map[string]*job
	queue chan string
}

func newUploads(ctx context.Context, opt UploadOptions, log *slog.Logger) (*uploads, error) {
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = 4 << 30
	}
	if err := os.MkdirAll(opt.Dir, 0o750); err != nil {
		return nil, fmt.Errorf("upload spool %s: %w", opt.Dir, err)
	}
	u := &uploads{opt: opt, log: log, jobs: map[string]*job{}, queue: make(chan string, 1024)}
	if err := u.recover(); err != nil {
		return nil, err
	}
	go u.work(ctx)
	return u, nil
}

// recover reloads the job records; a job cut short by a stop is failed
// (its upload was rolled back) and queued ones are queued again.
func (u *uploads) recover() error {
	recs, err := filepath.Glob(filepath.Join(u.opt.Dir, "job-*.json"))
	if err != nil {
		return err
	}
	sort.Strings(recs)
	for _, p := range recs {
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var j job
		if err := json.Unmarshal(b, &j); err != nil {
			return fmt.Errorf("upload record %s: %w", p, err)
		}
		switch j.State {
		case JobProcessing:
			j.State, j.Error = JobFailed, "the server stopped while this file was being ingested; nothing of it was stored; send it again"
			u.save(&j)
		case JobQueued:
			u.queue <- j.ID
		}
		u.jobs[j.ID] = &j
	}
	return nil
}

func (u *uploads) dataPath(id string) string   { return filepath.Join(u.opt.Dir, "job-"+id+".data") }
func (u *uploads) recordPath(id string) string { return filepath.Join(u.opt.Dir, "job-"+id+".json") }
func (u *uploads) errorsPath(id string) string {
	return filepath.Join(u.opt.Dir, "job-"+id+".errors.csv")
}

// save writes a job record atomically (temp file, rename).
func (u *uploads) save(j *job) {
	b, _ := json.MarshalIndent(j, "", "  ")
	tmp := u.recordPath(j.ID) + ".tmp"
	if err := os.WriteFile(tmp, b, 0o640); err == nil {
		err = os.Rename(tmp, u.recordPath(j.ID))
		if err != nil {
			u.log.Error("save upload record", "job", j.ID, "err", err)
		}
	}
}

// update changes a job under the lock and saves it.
func (u *uploads) update(id string, fn func(j *job)) job {
	u.mu.Lock()
	defer u.mu.Unlock()
	j := u.jobs[id]
	fn(j)
	u.save(j)
	return *j
}

func (u *uploads) work(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case id := <-u.queue:
			u.run(ctx, id)
		}
	}
}

func (u *uploads) run(ctx context.Context, id string) {
	now := time.Now().UTC()
	j := u.update(id, func(j *job) { j.State, j.StartedAt = JobProcessing, &now })
	var lastSave time.Time
	spec := j.Spec
	spec.Name, spec.Format, spec.Operator = j.File, j.Format, j.Operator
	if spec.Format == "vector" {
		spec.Format = ""
	}
	out, rep, err := u.opt.Ingester.Ingest(ctx, u.dataPath(id), spec, func(n int64) {
		u.mu.Lock()
		u.jobs[id].Read = n
		if time.Since(lastSave) > time.Second {
			u.save(u.jobs[id])
			lastSave = time.Now()
		}
		u.mu.Unlock()
	})
	if ctx.Err() != nil {
		return // stopping: the record stays "processing" and is failed on restart
	}
	if rep != nil && len(rep.Problems) > 0 {
		if f, ferr := os.Create(u.errorsPath(id)); ferr == nil {
			rep.WriteCSV(f)
			f.Close()
		}
	}
	done := time.Now().UTC()
	var dup *data.DuplicateError
	final := u.update(id, func(j *job) {
		j.FinishedAt, j.Seconds = &done, done.Sub(*j.StartedAt).Seconds()
		if rep != nil {
			j.Rows, j.Accepted, j.Rejected, j.Warnings, j.Problems = rep.Rows, rep.Accepted, rep.Rejected, rep.Warnings, len(rep.Problems)
		}
		if out.Upload.Format != "" {
			j.Format = out.Upload.Format
		}
		if out.Layer != nil && out.Layer.Format != "" {
			j.Format = out.Layer.Format
		}
		switch {
		case errors.As(err, &dup):
			j.State, j.UploadID = JobDuplicate, dup.Existing.ID
			j.Error = fmt.Sprintf("the same bytes were already ingested as upload %d (%s); nothing added", dup.Existing.ID, dup.Existing.File)
		case err != nil:
			j.State, j.Error = JobFailed, err.Error()
		case out.Layer != nil:
			j.State, j.Features = JobStored, out.Layer.Features()
			for _, l := range out.Layer.Layers {
				j.Layers = append(j.Layers, l.Name)
			}
		default:
			j.State, j.UploadID = JobStored, out.Upload.ID
		}
		j.Read = j.Bytes
	})
	os.Remove(u.dataPath(id))
	u.log.Info("upload processed", "job", id, "state", final.State, "upload", final.UploadID, "accepted", final.Accepted, "rejected", final.Rejected)
}

// caller finds the token of a request; a region's token does not
// upload nor read uploads.
func (u *uploads) caller(r *http.Request) (Token, error) {
	tok, err := authenticate(u.opt.Tokens, r)
	if err != nil {
		return Token{}, err
	}
	if tok.role() == planner.RoleRegion {
		return Token{}, &Error{Status: http.StatusForbidden, Code: "forbidden", Message: "a region's token reads and comments on zones; it does not upload"}
	}
	return tok, nil
}

func newJobID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// post receives a file (raw body, or the first file of a multipart form),
// checks its format and queues it: 202 with the job.
func (u *uploads) post(w http.ResponseWriter, r *http.Request) error {
	tok, err := u.caller(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	operator := tok.Operator
	if o := q.Get("operator"); o != "" {
		if tok.Operator != "" && o != tok.Operator {
			return &Error{Status: http.StatusForbidden, Code: "forbidden", Message: fmt.Sprintf("this token uploads for %s, not %s", tok.Operator, o)}
		}
		operator = o
	}
	format := q.Get("format")
	if format != "" {
		if _, ok := ingest.LookupLayerFormat(format); !ok {
			if _, err := ingest.LookupFormat(format); err != nil {
				return invalid(err.Error())
			}
		}
	}
	spec := FileSpec{Layer: q.Get("layer"), Tech: q.Get("tech"), Table: q.Get("table")}
	if spec.Layer != "" && !slices.Contains(ingest.VectorLayers, spec.Layer) {
		return invalid(fmt.Sprintf("layer %q is not one of %s", spec.Layer, strings.Join(ingest.VectorLayers, ", ")))
	}
	if spec.Layer != "" && spec.Layer != "declared" && tok.Operator != "" {
		return &Error{Status: http.StatusForbidden, Code: "forbidden", Message: "an operator's token sends measurements and its own declared coverage, not reference layers"}
	}
	body := http.MaxBytesReader(w, r.Body, u.opt.MaxBytes)
	name := q.Get("name")
	var src io.Reader = body
	if mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextPart()
			if err != nil {
				return tooLargeOr(err, u.opt.MaxBytes, invalid("the multipart form holds no file part"))
			}
			if part.FileName() != "" {
				src = part
				if name == "" {
					name = part.FileName()
				}
				break
			}
		}
	}
	name = filepath.Base(name)
	if name == "." || name == "/" || name == "" {
		name = "upload"
	}
	id := newJobID()
	path := u.dataPath(id)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
	if err != nil {
		return err
	}
	n, err := io.Copy(f, src)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return tooLargeOr(err, u.opt.MaxBytes, err)
	}
	if n == 0 {
		os.Remove(path)
		return invalid("the upload is empty: send the file as the request body or as a multipart file part")
	}
	if format == "" {
		kind, err := ingest.Kind(path, "", spec.Layer)
		if err != nil {
			os.Remove(path)
			return &Error{Status: http.StatusUnsupportedMediaType, Code: "unsupported_format", Message: err.Error()}
		}
		format = kind
	}
	j := &job{ID: id, State: JobQueued, File: name, Format: format, Operator: operator, Spec: spec, Caller: tok.Name, Bytes: n, ReceivedAt: time.Now().UTC()}
	u.mu.Lock()
	u.jobs[id] = j
	u.save(j)
	queued := *j // the worker owns j once it is queued
	u.mu.Unlock()
	select {
	case u.queue <- id:
	default:
		u.update(id, func(j *job) { j.State, j.Error = JobFailed, "the server's upload queue is full; send it again later" })
		os.Remove(path)
		return &Error{Status: http.StatusServiceUnavailable, Code: "unavailable", Message: "the upload queue is full; try again later"}
	}
	w.Header().Set("Location", "/api/v1/uploads/"+id)
	writeJSON(w, http.StatusAccepted, u.view(queued))
	return nil
}

func tooLargeOr(err error, limit int64, other error) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return &Error{Status: http.StatusRequestEntityTooLarge, Code: "too_large", Message: fmt.Sprintf("the upload is larger than the %d bytes this server accepts", limit)}
	}
	return other
}

type jobView struct {
	job
	Links map[string]string `json:"links"`
}

func (u *uploads) view(j job) jobView {
	links := map[string]string{"self": "/api/v1/uploads/" + j.ID}
	if j.Problems > 0 {
		links["errors"] = "/api/v1/uploads/" + j.ID + "/errors.csv"
	}
	return jobView{job: j, Links: links}
}

// visible returns a job the caller may see: its own operator's, or any
// for a regulator token.
func (u *uploads) visible(r *http.Request) (job, error) {
	tok, err := u.caller(r)
	if err != nil {
		return job{}, err
	}
	id := chi.URLParam(r, "id")
	u.mu.Lock()
	j, ok := u.jobs[id]
	var cp job
	if ok {
		cp = *j
	}
	u.mu.Unlock()
	if !ok || tok.Operator != "" && cp.Operator != tok.Operator {
		return job{}, notFound("no upload " + id)
	}
	return cp, nil
}

func (u *uploads) get(w http.ResponseWriter, r *http.Request) error {
	j, err := u.visible(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u.view(j))
	return nil
}

func (u *uploads) errorsCSV(w http.ResponseWriter, r *http.Request) error {
	j, err := u.visible(r)
	if err != nil {
		return err
	}
	f, err := os.Open(u.errorsPath(j.ID))
	if errors.Is(err, os.ErrNotExist) {
		if j.State == JobQueued || j.State == JobProcessing {
			return &Error{Status: http.StatusConflict, Code: "conflict", Message: "upload " + j.ID + " is " + j.State + "; its problems are listed when it is done"}
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		return (&ingest.Report{}).WriteCSV(w)
	}
	if err != nil {
		return err
	}
	defer f.Close()
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", j.File+".errors.csv"))
	_, err = io.Copy(w, f)
	return err
}
