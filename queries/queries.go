// Package queries holds buildlake's canned analytics: one SQL file per question, embedded in the
// binary, run against the DuckDB tables of load/schema.sql with bound parameters.
package queries

import (
	"embed"
	"io/fs"
	"path"
	"sort"
	"strings"
)

//go:embed *.sql
var sqlFiles embed.FS

// Query is one canned query as described by the header comment of its file.
type Query struct {
	Name        string
	Description string
	// Params lists the parameters the SQL binds (as $name); the others are ignored.
	Params []string
	SQL    string
}

// catalog holds every query by name, parsed once at init from the embedded files: a malformed
// header is a build defect that the tests catch, so init panics instead of returning errors.
var catalog = mustLoad()

func mustLoad() map[string]Query {
	entries, err := fs.ReadDir(sqlFiles, ".")
	if err != nil {
		panic(err)
	}
	out := make(map[string]Query)
	for _, e := range entries {
		if e.Name() == viewsFile {
			continue
		}
		text, err := fs.ReadFile(sqlFiles, e.Name())
		if err != nil {
			panic(err)
		}
		q := parseHeader(string(text))
		if q.Name != strings.TrimSuffix(path.Base(e.Name()), ".sql") {
			panic("queries: " + e.Name() + ": header name " + q.Name + " does not match the file name")
		}
		out[q.Name] = q
	}
	return out
}

// parseHeader reads the "-- key: value" lines of the leading comment block.
func parseHeader(text string) Query {
	q := Query{SQL: text}
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, "--") {
			break
		}
		key, value, ok := strings.Cut(strings.TrimSpace(strings.TrimPrefix(line, "--")), ":")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		switch key {
		case "name":
			q.Name = value
		case "description":
			q.Description = value
		case "params":
			for _, p := range strings.Split(value, ",") {
				if p = strings.TrimSpace(p); p != "" {
					q.Params = append(q.Params, p)
				}
			}
		}
	}
	return q
}

// List returns every canned query, sorted by name.
func List() []Query {
	out := make([]Query, 0, len(catalog))
	for _, q := range catalog {
		out = append(out, q)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Get returns the canned query called name.
func Get(name string) (Query, bool) {
	q, ok := catalog[name]
	return q, ok
}
