package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"sync"
)

// detailsPath matches GET …/project/:vcs/:user/:repo/:build_num (build details, no suffix).
var detailsPath = regexp.MustCompile(`^/api/v1\.1/project/[^/]+/[^/]+/[^/]+/[0-9]+$`)

// teeDetails wraps the simulator so every 200 build-details body it sends is also appended, as
// one line, to a newline-delimited JSON file: the raw input of the read_json reference. The
// copy happens on the server side, so the sync under test runs unchanged in its own process.
type teeDetails struct {
	next http.Handler
	mu   sync.Mutex
	f    *os.File
	w    *bufio.Writer
	n    int64
}

func newTeeDetails(next http.Handler, path string) (*teeDetails, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	return &teeDetails{next: next, f: f, w: bufio.NewWriterSize(f, 1<<20)}, nil
}

func (t *teeDetails) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet || !detailsPath.MatchString(r.URL.Path) {
		t.next.ServeHTTP(rw, r)
		return
	}
	rec := &recordingWriter{ResponseWriter: rw, status: http.StatusOK}
	t.next.ServeHTTP(rec, r)
	if rec.status != http.StatusOK {
		return
	}
	var line bytes.Buffer
	if json.Compact(&line, rec.body.Bytes()) != nil {
		return // a truncated or faulty body: the client retries it
	}
	line.WriteByte('\n')
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, err := t.w.Write(line.Bytes()); err == nil {
		t.n++
	}
}

// Close flushes the file; Bodies is how many bodies it holds.
func (t *teeDetails) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.w.Flush(); err != nil {
		t.f.Close()
		return err
	}
	return t.f.Close()
}

func (t *teeDetails) Bodies() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.n
}

// recordingWriter passes a response through and keeps a copy of its status and body.
type recordingWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (w *recordingWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *recordingWriter) Write(p []byte) (int, error) {
	w.body.Write(p)
	return w.ResponseWriter.Write(p)
}
