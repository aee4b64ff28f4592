package extract_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/buildlake/buildlake/extract"
)

// listServer serves one project's build list from builds (newest first as given), 100 a page.
// A build's queued_at is base + build_num minutes; a build in timeless has no times at all.
func listServer(t *testing.T, builds []int64, timeless map[int64]bool, base time.Time) *extract.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		off, _ := strconv.Atoi(r.URL.Query().Get("offset"))
		end := min(off+100, len(builds))
		var items []string
		for _, n := range builds[min(off, end):end] {
			if timeless[n] {
				items = append(items, fmt.Sprintf(`{"build_num":%d,"lifecycle":"not_run","queued_at":null}`, n))
				continue
			}
			at := base.Add(time.Duration(n) * time.Minute).Format(time.RFC3339)
			items = append(items, fmt.Sprintf(`{"build_num":%d,"lifecycle":"finished","queued_at":%q}`, n, at))
		}
		rw.Header().Set("Content-Type", "application/json")
		fmt.Fprint(rw, "["+strings.Join(items, ",")+"]")
	}))
	t.Cleanup(srv.Close)
	c, err := extract.New(extract.Config{Host: srv.URL, Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestListTargetsDisorderAcrossPages: new builds that the list shows after more than a few old
// ones, on the next page, are still found.
func TestListTargetsDisorderAcrossPages(t *testing.T) {
	var builds []int64
	for n := int64(300); n >= 205; n-- {
		builds = append(builds, n)
	}
	builds = append(builds, 200, 199, 198, 197) // page 1 ends in four old builds…
	builds = append(builds, 204, 203, 202, 201) // …and four new ones open page 2
	for n := int64(196); n >= 1; n-- {
		builds = append(builds, n)
	}
	c := listServer(t, builds, nil, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	tg, err := extract.ListTargets(context.Background(), c, extract.ProjectPlan{ProjectSlug: "github/a/b", HighWater: 200})
	if err != nil {
		t.Fatal(err)
	}
	var want []int64
	for n := int64(201); n <= 300; n++ {
		want = append(want, n)
	}
	if !slices.Equal(tg.New, want) {
		t.Fatalf("New = %v…, %d builds; want 201..300", tg.New[:min(5, len(tg.New))], len(tg.New))
	}
	if tg.Requests > 3 {
		t.Errorf("read %d pages, want at most 3", tg.Requests)
	}
}

// TestListTargetsTimelessBuildsOnFirstRun: on a first run, builds without any time deep in the
// history neither keep paging going nor join the targets.
func TestListTargetsTimelessBuildsOnFirstRun(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var builds []int64
	timeless := map[int64]bool{}
	for n := int64(500); n >= 1; n-- {
		builds = append(builds, n)
		if n%50 == 0 || n == 499 {
			timeless[n] = true
		}
	}
	c := listServer(t, builds, timeless, base)
	since := base.Add(452 * time.Minute) // builds 452..500 are inside the horizon; 451 is not
	tg, err := extract.ListTargets(context.Background(), c, extract.ProjectPlan{ProjectSlug: "github/a/b", Since: since})
	if err != nil {
		t.Fatal(err)
	}
	var want []int64
	for n := int64(452); n <= 500; n++ {
		want = append(want, n)
	}
	if !slices.Equal(tg.New, want) {
		t.Errorf("New = %v, want 452..500 (the timeless 499 and 500 included, older ones not)", tg.New)
	}
	if tg.Requests > 2 {
		t.Errorf("read %d pages, want at most 2", tg.Requests)
	}
}

func TestFinished(t *testing.T) {
	for _, c := range []struct {
		lifecycle, status, outcome string
		want                       bool
	}{
		{"finished", "", "", true}, {"not_run", "", "", true}, {"queued", "", "", false},
		{"running", "", "", false}, {"not_running", "", "", false}, {"scheduled", "", "", false},
		{"", "", "", true}, {"retired", "", "", true}, {"", "running", "", false}, {"", "running", "success", true},
	} {
		b := extract.Build{Lifecycle: extract.String(c.lifecycle), Status: extract.String(c.status), Outcome: extract.String(c.outcome)}
		if c.lifecycle == "" {
			b.Lifecycle = extract.OptString{}
		}
		if got := extract.Finished(b); got != c.want {
			t.Errorf("Finished(lifecycle %q, status %q, outcome %q) = %v, want %v", c.lifecycle, c.status, c.outcome, got, c.want)
		}
	}
}
