package extract

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"
)

// buildListHandler serves total builds, newest first, honouring limit and offset, and records
// the queries it saw.
type buildListHandler struct {
	t     *testing.T
	total int
	mu    sync.Mutex
	seen  []string
	path  string // the escaped path it saw last
}

func (h *buildListHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.seen = append(h.seen, r.URL.RawQuery)
	h.path = r.URL.EscapedPath()
	h.mu.Unlock()
	q := r.URL.Query()
	limit, err1 := strconv.Atoi(q.Get("limit"))
	offset, err2 := strconv.Atoi(q.Get("offset"))
	if err1 != nil || err2 != nil || limit != 100 {
		h.t.Errorf("bad paging query %q", r.URL.RawQuery)
	}
	page := []map[string]any{}
	for i := offset; i < min(offset+limit, h.total); i++ {
		page = append(page, map[string]any{"build_num": h.total - i, "status": "success"})
	}
	json.NewEncoder(w).Encode(page)
}

func TestListBuildsPaging(t *testing.T) {
	for _, tc := range []struct {
		total, offset int
		wantQueries   []string
	}{
		{250, 0, []string{"limit=100&offset=0", "limit=100&offset=100", "limit=100&offset=200"}},
		{200, 0, []string{"limit=100&offset=0", "limit=100&offset=100", "limit=100&offset=200"}},
		{0, 0, []string{"limit=100&offset=0"}},
		{150, 30, []string{"limit=100&offset=30", "limit=100&offset=130"}},
	} {
		t.Run(fmt.Sprint(tc.total, "/", tc.offset), func(t *testing.T) {
			h := &buildListHandler{t: t, total: tc.total}
			c, _ := newTestClient(t, h.ServeHTTP)
			var nums []int64
			for b, err := range c.ListBuilds(context.Background(), "github/acme/api", ListOptions{Offset: tc.offset}) {
				if err != nil {
					t.Fatal(err)
				}
				nums = append(nums, b.BuildNum.V)
			}
			if len(nums) != tc.total-tc.offset {
				t.Fatalf("got %d builds, want %d", len(nums), tc.total-tc.offset)
			}
			for i, n := range nums {
				if n != int64(tc.total-tc.offset-i) {
					t.Fatalf("build %d is #%d, want #%d", i, n, tc.total-tc.offset-i)
				}
			}
			if fmt.Sprint(h.seen) != fmt.Sprint(tc.wantQueries) {
				t.Errorf("queries %v, want %v", h.seen, tc.wantQueries)
			}
			if h.path != "/api/v1.1/project/github/acme/api" {
				t.Errorf("path %s", h.path)
			}
		})
	}
}

func TestListBuildPagesStopsWhenCallerStops(t *testing.T) {
	h := &buildListHandler{t: t, total: 1000}
	c, _ := newTestClient(t, h.ServeHTTP)
	pages := 0
	for page, err := range c.ListBuildPages(context.Background(), "github/acme/api", ListOptions{}) {
		if err != nil || len(page) != 100 {
			t.Fatal(len(page), err)
		}
		if pages++; pages == 2 {
			break
		}
	}
	if len(h.seen) != 2 {
		t.Errorf("breaking after 2 pages sent %d requests", len(h.seen))
	}
}

func TestListBuildsOptionsAndEscaping(t *testing.T) {
	h := &buildListHandler{t: t, total: 3}
	c, _ := newTestClient(t, h.ServeHTTP)
	o := ListOptions{Branch: "feature/a b#1", Filter: "completed", Shallow: true}
	for _, err := range c.ListBuilds(context.Background(), "bitbucket/my org/re?po", o) {
		if err != nil {
			t.Fatal(err)
		}
	}
	if want := "/api/v1.1/project/bitbucket/my%20org/re%3Fpo/tree/feature%2Fa%20b%231"; h.path != want {
		t.Errorf("path %s, want %s", h.path, want)
	}
	if want := "filter=completed&limit=100&offset=0&shallow=true"; h.seen[0] != want {
		t.Errorf("query %s, want %s", h.seen[0], want)
	}
}

func TestBadSlug(t *testing.T) {
	c, err := New(Config{Host: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, slug := range []string{"", "acme/api", "github//api", "github/acme/api/x"} {
		for _, err := range c.ListBuilds(context.Background(), slug, ListOptions{}) {
			if !errors.Is(err, errSlug) {
				t.Errorf("slug %q: %v", slug, err)
			}
		}
		if _, err := c.GetBuild(context.Background(), slug, 1); !errors.Is(err, errSlug) {
			t.Errorf("slug %q: %v", slug, err)
		}
		if _, err := c.ListTests(context.Background(), slug, 1); !errors.Is(err, errSlug) {
			t.Errorf("slug %q: %v", slug, err)
		}
		if _, err := c.ListArtifacts(context.Background(), slug, 1); !errors.Is(err, errSlug) {
			t.Errorf("slug %q: %v", slug, err)
		}
	}
	if c.Stats().Requests != 0 {
		t.Error("a bad slug must not cost a request")
	}
}

func TestRecentBuilds(t *testing.T) {
	var queries []string
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1.1/recent-builds" {
			t.Errorf("path %s", r.URL.Path)
		}
		queries = append(queries, r.URL.RawQuery)
		fmt.Fprint(w, `[{"build_num":225},{"build_num":226},{"build_num":224}]`)
	})
	var nums []int64
	for b, err := range c.RecentBuilds(context.Background(), ListOptions{Shallow: true}) {
		if err != nil {
			t.Fatal(err)
		}
		nums = append(nums, b.BuildNum.V)
	}
	if fmt.Sprint(nums) != "[225 226 224]" || fmt.Sprint(queries) != "[limit=100&offset=0&shallow=true]" {
		t.Errorf("nums %v queries %v", nums, queries)
	}
}

func TestListBuildsYieldsErrorOnce(t *testing.T) {
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"message":"Project not found"}`, http.StatusNotFound)
	})
	n := 0
	for _, err := range c.ListBuilds(context.Background(), "github/acme/gone", ListOptions{}) {
		n++
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("want ErrNotFound, got %v", err)
		}
	}
	if n != 1 {
		t.Errorf("error yielded %d times", n)
	}
}

func TestGetBuildArtifactsTests(t *testing.T) {
	bodies := map[string]string{
		"/api/v1.1/project/github/acme/api/42":           `{"build_num":42,"steps":[{"name":"s","actions":[{"index":0},{"index":1}]}]}`,
		"/api/v1.1/project/github/acme/api/42/artifacts": `[{"path":"a.txt","node_index":1,"url":"https://x/a.txt"}]`,
		"/api/v1.1/project/github/acme/api/42/tests":     `{"tests":[{"name":"t","result":"success","run_time":0.5}]}`,
	}
	var sinkMu sync.Mutex
	sink := map[string]int{}
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		b, ok := bodies[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, b)
	}, func(c *Config) {
		c.RawSink = func(kind string, body []byte) {
			sinkMu.Lock()
			sink[kind] += len(body)
			sinkMu.Unlock()
		}
	})
	ctx := context.Background()
	b, err := c.GetBuild(ctx, "github/acme/api", 42)
	if err != nil || b.BuildNum != Int(42) || len(b.Steps[0].Actions) != 2 {
		t.Errorf("build %+v %v", b, err)
	}
	arts, err := c.ListArtifacts(ctx, "github/acme/api", 42)
	if err != nil || len(arts) != 1 || arts[0].NodeIndex != Int(1) {
		t.Errorf("artifacts %+v %v", arts, err)
	}
	tr, err := c.ListTests(ctx, "github/acme/api", 42)
	if err != nil || len(tr.Tests) != 1 || tr.Tests[0].RunTime.V != 0.5 {
		t.Errorf("tests %+v %v", tr, err)
	}
	if _, err := c.GetBuild(ctx, "github/acme/api", 43); !errors.Is(err, ErrNotFound) {
		t.Errorf("want ErrNotFound, got %v", err)
	}
	for _, kind := range []string{"details", "artifacts", "tests"} {
		if sink[kind] == 0 {
			t.Errorf("RawSink did not receive %s", kind)
		}
	}
}

func TestListProjects(t *testing.T) {
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1.1/projects" {
			t.Errorf("path %s", r.URL.Path)
		}
		fmt.Fprint(w, `[{"vcs_type":"github","username":"acme","reponame":"api","following":true,"oss":null,
			"default_branch":"main","branches":{"main":{"recent_builds":[]}},"feature_flags":{"x":true}},
			{"vcs_url":"https://bitbucket.org/acme/web","username":"acme","reponame":"web"}]`)
	})
	ps, err := c.ListProjects(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0].Slug() != "github/acme/api" || ps[1].Slug() != "" || !ps[0].Following.V || ps[0].OSS.Valid {
		t.Errorf("projects %+v", ps)
	}
}
