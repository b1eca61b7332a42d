package serve

import (
	"embed"
	"net/http"
)

// The page: index.html, app.js and style.css, embedded, served as they
// are. They load nothing from anywhere else (the Content-Security-Policy
// of guard.go enforces it).

//go:embed page
var pageFS embed.FS

// pageFiles maps each path to its file and content type.
var pageFiles = []struct{ path, file, contentType string }{
	{"/{$}", "page/index.html", "text/html; charset=utf-8"},
	{"/app.js", "page/app.js", "text/javascript; charset=utf-8"},
	{"/style.css", "page/style.css", "text/css; charset=utf-8"},
}

func (s *Server) pageRoutes(mux *http.ServeMux) {
	for _, f := range pageFiles {
		mux.HandleFunc("GET "+f.path, func(w http.ResponseWriter, r *http.Request) {
			body, err := pageFS.ReadFile(f.file)
			if err != nil {
				writeError(w, http.StatusInternalServerError, "%v", err)
				return
			}
			writeBody(w, http.StatusOK, f.contentType, body)
		})
	}
}
