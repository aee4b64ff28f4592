package circlecitest

import (
	"bytes"
	"testing"
	"time"
)

func TestSameSeedSameBytes(t *testing.T) {
	a, b := smallServer(t), smallServer(t)
	c := smallServer(t, func(o *Options) { o.Seed = 8 })
	paths := []string{"/projects", "/recent-builds?limit=100", "/project/github/acme/api?limit=100",
		"/project/github/acme/api/40", "/project/github/acme/api/40/tests", "/project/github/acme/api/40/artifacts",
		"/project/bitbucket/acme/legacy?limit=100&offset=20", "/project/bitbucket/acme/legacy/7"}
	differs := false
	for _, p := range paths {
		_, _, x := do(t, a, "GET", p, "")
		_, _, y := do(t, b, "GET", p, "")
		if !bytes.Equal(x, y) {
			t.Errorf("%s: same seed, different bytes", p)
		}
		_, _, z := do(t, c, "GET", p, "")
		differs = differs || !bytes.Equal(x, z)
	}
	if !differs {
		t.Error("another seed gave identical responses")
	}
}

func TestAdvance(t *testing.T) {
	s := smallServer(t)
	unfinished := map[string][]int{}
	for _, p := range s.Stats().Projects {
		if len(p.Builds) != 60 {
			t.Errorf("%s: %d builds at Now, want 60", p.Slug, len(p.Builds))
		}
		for _, b := range p.Builds {
			if b.Lifecycle != "finished" && b.Lifecycle != "not_run" {
				unfinished[p.Slug] = append(unfinished[p.Slug], b.BuildNum)
			}
		}
	}
	if len(unfinished) == 0 {
		t.Fatal("no build is queued or running at Now")
	}
	s.Advance(24 * time.Hour)
	if !s.Now().Equal(testNow.Add(24 * time.Hour)) {
		t.Errorf("Now after Advance = %v", s.Now())
	}
	for _, p := range s.Stats().Projects {
		// 60 builds over 20 days: a day brings about 3, give or take a workflow.
		if got := len(p.Builds) - 60; got < 1 || got > 12 {
			t.Errorf("%s: %d new builds after a day", p.Slug, got)
		}
		for _, n := range unfinished[p.Slug] {
			b := p.Builds[len(p.Builds)-n]
			if b.BuildNum != n || b.Lifecycle != "finished" || b.Outcome == "" {
				t.Errorf("%s/%d after a day: %s %s", p.Slug, n, b.Lifecycle, b.Outcome)
			}
		}
	}
}

func TestTinyAndOddSizes(t *testing.T) {
	for _, o := range []Options{
		{Projects: 1, BuildsPerProject: 1, Days: 1, TestsPerJob: 1, Parallelism: 1},
		{Projects: 9, BuildsPerProject: 5, Days: 90, TestsPerJob: 2, WorkflowsPerCommit: 3},
	} {
		o.Now, o.Token = testNow, "t"
		s := NewServer(o)
		st := s.Stats()
		if len(st.Projects) != o.Projects {
			t.Errorf("%d projects, want %d", len(st.Projects), o.Projects)
		}
		for _, p := range st.Projects {
			if len(p.Builds) != o.BuildsPerProject {
				t.Errorf("%s: %d builds, want %d", p.Slug, len(p.Builds), o.BuildsPerProject)
			}
			getJSON(t, s, "/project/"+p.Slug+"/1")
		}
		_ = s.Truth()
		s.Close()
	}
}
