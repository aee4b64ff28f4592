package circlecitest

import (
	"bytes"
	"net/http"
	"strconv"
	"testing"
)

func TestPaging(t *testing.T) {
	s := smallServer(t, func(o *Options) { o.BuildsPerProject = 250; o.Projects = 1 })
	base := "/project/github/acme/api"
	if got := len(list(t, s, base)); got != 30 {
		t.Errorf("default page: %d builds, want 30", got)
	}
	seen := map[int]int{}
	var sizes []int
	for off := 0; ; off += 100 {
		page := list(t, s, base+"?limit=100&offset="+strconv.Itoa(off))
		sizes = append(sizes, len(page))
		for _, b := range page {
			seen[num(b["build_num"])]++
		}
		if len(page) < 100 {
			break
		}
	}
	if want := []int{100, 100, 50}; !equalInts(sizes, want) {
		t.Errorf("page sizes %v, want %v (short last page ends paging)", sizes, want)
	}
	for n := 1; n <= 250; n++ {
		if seen[n] != 1 {
			t.Fatalf("build %d seen %d times across pages", n, seen[n])
		}
	}
	if page := list(t, s, base+"?limit=100&offset=250"); len(page) != 0 {
		t.Errorf("offset at end: %d builds, want 0", len(page))
	}
	if page := list(t, s, base+"?limit=10&offset=100000"); len(page) != 0 {
		t.Errorf("offset past end: %d builds, want 0", len(page))
	}
	for _, bad := range []string{"?limit=101", "?limit=0", "?limit=x", "?offset=-1", "?filter=bogus"} {
		if code, _, _ := do(t, s, "GET", base+bad, ""); code != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", bad, code)
		}
	}
}

func TestListNotStrictlyOrdered(t *testing.T) {
	s := smallServer(t, func(o *Options) { o.BuildsPerProject = 250; o.Projects = 1 })
	page := list(t, s, "/project/github/acme/api?limit=100")
	swaps := 0
	for i := 1; i < len(page); i++ {
		if num(page[i]["build_num"]) > num(page[i-1]["build_num"]) {
			swaps++
		}
	}
	if swaps == 0 || swaps > 25 {
		t.Errorf("%d out-of-order neighbours in a page of 100, want a few", swaps)
	}
}

func TestFiltersAndShallow(t *testing.T) {
	s := smallServer(t)
	base := "/project/github/acme/api"
	for filter, ok := range map[string]func(map[string]any) bool{
		"completed":  func(b map[string]any) bool { return b["lifecycle"] == "finished" },
		"successful": func(b map[string]any) bool { return b["outcome"] == "success" },
		"failed":     func(b map[string]any) bool { return b["outcome"] == "failed" || b["outcome"] == "infrastructure_fail" },
		"running":    func(b map[string]any) bool { return b["lifecycle"] != "finished" },
	} {
		page := list(t, s, base+"?limit=100&filter="+filter)
		if len(page) == 0 {
			t.Errorf("filter=%s: empty", filter)
		}
		for _, b := range page {
			if !ok(b) {
				t.Errorf("filter=%s returned build %v (%v/%v)", filter, b["build_num"], b["lifecycle"], b["outcome"])
			}
		}
	}
	full := list(t, s, base+"?limit=5")
	shallow := list(t, s, base+"?limit=5&shallow=true")
	if len(shallow[0]) >= len(full[0]) || shallow[0]["previous"] != nil || shallow[0]["build_num"] == nil {
		t.Errorf("shallow keys %d vs full %d", len(shallow[0]), len(full[0]))
	}
}

func TestPrettyVersusCompact(t *testing.T) {
	s := smallServer(t)
	_, _, compact := do(t, s, "GET", "/project/github/acme/api/3", "")
	_, _, pretty := do(t, s, "GET", "/project/github/acme/api/3", "", noAccept)
	if bytes.Contains(compact, []byte("\n")) {
		t.Error("Accept: application/json answered with newlines")
	}
	if !bytes.Contains(pretty, []byte("\n  \"")) {
		t.Error("no Accept header answered compact JSON")
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
