package dashboards

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/buildlake/buildlake/queries"
)

// server answers the page, its assets and the JSON API.
type server struct {
	o       Options
	ro      *readOnlyDB
	cache   answerCache
	canned  map[string]bool
	started time.Time
}

// Handler serves the dashboard page at "/", its embedded assets under "/assets/", and the JSON
// API: /api/query/<name> for every canned query, /api/trend/<name> for the charts'
// server-reduced trends (see loadTrend), /api/kpis, /api/filters,
// /api/flaky-test-builds and /api/flaky-job-builds. Every URL in the page is relative, so the
// handler also works mounted under a prefix with http.StripPrefix.
func Handler(o Options) http.Handler {
	s := &server{o: o, ro: &readOnlyDB{path: o.DBPath}, canned: map[string]bool{}}
	for _, q := range queries.List() {
		s.canned[q.Name] = true
	}
	assets, _ := fs.Sub(assetFiles, "assets")
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.page)
	mux.Handle("GET /assets/", http.StripPrefix("/assets/", assetServer(assets)))
	mux.HandleFunc("GET /api/query/{name}", s.query)
	mux.HandleFunc("GET /api/trend/{name}", s.trend)
	mux.HandleFunc("GET /api/kpis", s.kpis)
	mux.HandleFunc("GET /api/filters", s.filters)
	mux.HandleFunc("GET /api/flaky-test-builds", s.linkTable("flaky_test_builds"))
	mux.HandleFunc("GET /api/flaky-job-builds", s.linkTable("flaky_job_builds"))
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such API endpoint: "+r.URL.Path)
	})
	return securityHeaders(mux)
}

func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
		w.Header().Set("Content-Security-Policy",
			"default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
		h.ServeHTTP(w, r)
	})
}

func assetServer(assets fs.FS) http.Handler {
	files := http.FileServerFS(assets)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") || r.URL.Path == "" {
			http.NotFound(w, r) // no directory listings
			return
		}
		w.Header().Set("Cache-Control", "no-cache")
		files.ServeHTTP(w, r)
	})
}

// freshness says when the data of an answer was read and whether it is a kept answer served
// because the database could not be opened (a sync holds it).
type freshness struct {
	AsOf        string `json:"as_of"`
	Stale       bool   `json:"stale"`
	StaleReason string `json:"stale_reason,omitempty"`
}

// answer computes a value with a read-only database, remembering it per key; when the database
// cannot be opened it returns the last good value for key, marked stale.
func (s *server) answer(ctx context.Context, key string, compute func(context.Context, querier) (any, error)) (any, freshness, error) {
	conn, release, err := s.conn(ctx)
	if err != nil {
		if c, ok := s.cache.get(key); ok {
			return c.value, freshness{AsOf: c.asOf.Format(time.RFC3339), Stale: true, StaleReason: err.Error()}, nil
		}
		return nil, freshness{}, err
	}
	defer release()
	v, err := compute(ctx, conn)
	if err != nil {
		return nil, freshness{}, err
	}
	now := s.o.now()
	s.cache.put(key, v, now)
	return v, freshness{AsOf: now.Format(time.RFC3339)}, nil
}

// connWait bounds the wait for a connection. With Options.OpenDB the pool may be a writer's
// single connection, busy for a whole sync transaction: the page then gets the last good answer
// instead of hanging.
const connWait = 2 * time.Second

// conn opens the database (see openDB) and takes one connection from it within connWait.
func (s *server) conn(ctx context.Context) (*sql.Conn, func(), error) {
	db, release, err := s.openDB(ctx)
	if err != nil {
		return nil, nil, err
	}
	wctx, cancel := context.WithTimeout(ctx, connWait)
	defer cancel()
	c, err := db.Conn(wctx)
	if err != nil {
		release()
		return nil, nil, fmt.Errorf("%w: no free connection within %v: %w", errBusy, connWait, err)
	}
	return c, func() { c.Close(); release() }, nil
}

func (s *server) openDB(ctx context.Context) (*sql.DB, func(), error) {
	if s.o.OpenDB != nil {
		db, err := s.o.OpenDB(ctx)
		if err != nil {
			return nil, nil, errors.Join(errBusy, err)
		}
		return db, func() {}, nil
	}
	return s.ro.acquire(ctx)
}

func (s *server) params(w http.ResponseWriter, r *http.Request) (queries.Params, bool) {
	p, err := parseParams(r.URL.Query(), s.o.now())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return p, false
	}
	return p, true
}

func (s *server) query(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if !s.canned[name] {
		writeError(w, http.StatusNotFound, "unknown query "+quoteForMessage(name))
		return
	}
	p, ok := s.params(w, r)
	if !ok {
		return
	}
	if strings.HasPrefix(name, "flaky-") {
		p = flakyParams(p, sinceGiven(r.URL.Query()))
	}
	s.respond(w, r, "query/"+name, func(ctx context.Context, db querier) (any, error) {
		return cannedTable(ctx, db, name, p)
	})
}

// trend answers /api/trend/<name>: a chart's data, bounded whatever the number of projects.
func (s *server) trend(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if !slices.Contains(trendQueries, name) {
		writeError(w, http.StatusNotFound, "unknown trend "+quoteForMessage(name))
		return
	}
	p, ok := s.params(w, r)
	if !ok {
		return
	}
	s.respond(w, r, "trend/"+name, func(ctx context.Context, db querier) (any, error) {
		return loadTrend(ctx, db, name, p)
	})
}

type namedTable struct {
	Name   string     `json:"name"`
	Params paramsJSON `json:"params"`
	table
	// Truncated says the answer has as many rows as its limit: there may be more.
	Truncated bool `json:"truncated"`
}

// cannedTable runs a canned query for the API, flagging an answer cut at p.Limit.
func cannedTable(ctx context.Context, db querier, name string, p queries.Params) (namedTable, error) {
	t, err := runCanned(ctx, db, name, p)
	if err != nil {
		return namedTable{}, err
	}
	return namedTable{Name: name, Params: toParamsJSON(p), table: t, Truncated: p.Limit > 0 && len(t.Rows) >= p.Limit}, nil
}

func (s *server) kpis(w http.ResponseWriter, r *http.Request) {
	p, ok := s.params(w, r)
	if !ok {
		return
	}
	s.respond(w, r, "kpis", func(ctx context.Context, db querier) (any, error) {
		k, err := loadKPIs(ctx, db, p, flakyParams(p, sinceGiven(r.URL.Query())))
		return struct {
			Params paramsJSON `json:"params"`
			KPIs   kpis       `json:"kpis"`
		}{toParamsJSON(p), k}, err
	})
}

func (s *server) filters(w http.ResponseWriter, r *http.Request) {
	p, ok := s.params(w, r)
	if !ok {
		return
	}
	s.respond(w, r, "filters", func(ctx context.Context, db querier) (any, error) {
		return loadFilters(ctx, db, p.Project)
	})
}

func (s *server) linkTable(name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, ok := s.params(w, r)
		if !ok {
			return
		}
		p = flakyParams(p, sinceGiven(r.URL.Query())) // the links of the flaky panels
		s.respond(w, r, name, func(ctx context.Context, db querier) (any, error) {
			t, err := loadTable(ctx, db, name, p)
			return namedTable{Name: name, Params: toParamsJSON(p), table: t}, err
		})
	}
}

// respond answers with compute's value. The cache key is the endpoint and the request's own
// (already validated) query string, not the resolved parameters: a page without since/until
// resolves "now" differently on every request, and must still find its last answer.
func (s *server) respond(w http.ResponseWriter, r *http.Request, endpoint string, compute func(context.Context, querier) (any, error)) {
	v, fr, err := s.answer(r.Context(), endpoint+"?"+r.URL.Query().Encode(), compute)
	if err != nil {
		status := http.StatusInternalServerError
		if errors.Is(err, errBusy) || errors.Is(err, errNoDatabase) {
			status = http.StatusServiceUnavailable
		}
		s.o.logger().Error("dashboard request failed", "path", r.URL.Path, "err", err)
		writeError(w, status, err.Error())
		return
	}
	body, err := withFreshness(v, fr)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(body)
}

// withFreshness encodes v (a JSON object) with the freshness fields added at its top level.
func withFreshness(v any, fr freshness) ([]byte, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	extra, err := json.Marshal(fr)
	if err != nil {
		return nil, err
	}
	body = body[:len(body)-1] // the closing brace
	if !bytes.HasSuffix(body, []byte("{")) {
		body = append(body, ',')
	}
	return append(append(body, extra[1:]...), '\n'), nil
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// quoteForMessage bounds what a caller-chosen name contributes to an error message.
func quoteForMessage(s string) string {
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	b, _ := json.Marshal(s)
	return string(b)
}
