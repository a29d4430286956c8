package web

import (
	"embed"
	"io/fs"
	"net/http"
)

//go:embed all:static
var static embed.FS

// ui serves the embedded map UI. MapLibre GL JS is bundled into
// static/vendor by `npm ci --prefix web` (from the npm registry, never a
// CDN); without it the page says how to install it.
func (s *Server) ui() http.Handler {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err)
	}
	files := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/vendor/maplibre-gl.js" {
			if _, err := fs.Stat(sub, "vendor/maplibre-gl.js"); err != nil {
				w.Header().Set("Content-Type", "application/javascript")
				w.WriteHeader(http.StatusOK)
				w.Write([]byte(`document.body.insertAdjacentHTML('afterbegin','<p style="padding:1em;background:#fee">MapLibre GL JS is not bundled in this build: run <code>npm ci --prefix web</code> and rebuild.</p>');`))
				return
			}
		}
		w.Header().Set("Cache-Control", "no-cache")
		files.ServeHTTP(w, r)
	})
}
