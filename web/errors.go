package web

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/taghtia/taghtia/data"
	"github.com/taghtia/taghtia/tiles"
)

// Error is an API error with a stable code.
type Error struct {
	Status  int
	Code    string
	Message string
	Details map[string]any // extra members of the JSON error object (what is missing, …)
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func invalid(msg string) error {
	return &Error{Status: http.StatusBadRequest, Code: "invalid_argument", Message: msg}
}
func notFound(msg string) error {
	return &Error{Status: http.StatusNotFound, Code: "not_found", Message: msg}
}

// classify maps an error to its HTTP status and code, in one place.
func classify(err error) *Error {
	var e *Error
	switch {
	case errors.As(err, &e):
		return e
	case errors.Is(err, tiles.ErrBadTile), errors.Is(err, data.ErrInvalid):
		return &Error{Status: http.StatusBadRequest, Code: "invalid_argument", Message: err.Error()}
	case errors.Is(err, data.ErrNotFound), errors.Is(err, tiles.ErrUnknownLayer):
		return &Error{Status: http.StatusNotFound, Code: "not_found", Message: err.Error()}
	case errors.Is(err, data.ErrConflict):
		return &Error{Status: http.StatusConflict, Code: "conflict", Message: err.Error()}
	case errors.Is(err, context.Canceled):
		return &Error{Status: 499, Code: "canceled", Message: "the client went away"}
	}
	return &Error{Status: http.StatusInternalServerError, Code: "internal", Message: "internal error"}
}

type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// handle adapts a handler that returns an error: it writes the JSON error
// and logs it once.
func (s *Server) handle(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		e := classify(err)
		lvl := slog.LevelInfo
		if e.Status >= 500 {
			lvl = slog.LevelError
		}
		s.log.LogAttrs(r.Context(), lvl, "request failed", slog.String("path", r.URL.Path), slog.Int("status", e.Status),
			slog.String("code", e.Code), slog.String("error", err.Error()))
		body := map[string]any{"code": e.Code, "message": e.Message}
		for k, v := range e.Details {
			if k != "code" && k != "message" {
				body[k] = v
			}
		}
		writeJSON(w, e.Status, map[string]any{"error": body})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.Encode(v)
}
