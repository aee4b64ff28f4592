package pipeline

import (
	"slices"
	"testing"
)

func TestTrackerMarkWaitsForGaps(t *testing.T) {
	tr := newTracker("github/a/b", 10, []int64{11, 12, 13}, []int64{5, 7})
	tr.arrive(13, true)
	if hw, p := tr.state(); hw != 10 || !slices.Equal(p, []int64{5, 7}) {
		t.Fatalf("after 13 only: hw=%d pending=%v, want 10 [5 7]", hw, p)
	}
	tr.arrive(11, false) // unfinished: stays pending
	tr.arrive(5, true)   // old pending build finished
	if hw, p := tr.state(); hw != 11 || !slices.Equal(p, []int64{7, 11}) {
		t.Fatalf("hw=%d pending=%v, want 11 [7 11]", hw, p)
	}
	tr.arrive(12, true)
	if hw, p := tr.state(); hw != 13 || !slices.Equal(p, []int64{7, 11}) {
		t.Fatalf("hw=%d pending=%v, want 13 [7 11]", hw, p)
	}
}

func TestTrackerFullRunKeepsHigherMark(t *testing.T) {
	tr := newTracker("github/a/b", 50, []int64{10, 20}, nil)
	tr.arrive(10, true)
	tr.arrive(20, true)
	if hw, p := tr.state(); hw != 50 || len(p) != 0 {
		t.Fatalf("hw=%d pending=%v, want 50 []", hw, p)
	}
}
