package pipeline

import (
	"slices"
	"testing"
	"time"
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

// TestTrackerKeepsPendingTargets: a --full run lists pending builds among its targets; until they
// arrive finished they stay pending, even when the mark passes them.
func TestTrackerKeepsPendingTargets(t *testing.T) {
	tr := newTracker("github/a/b", 50, []int64{10, 20, 49}, []int64{20, 49})
	tr.arrive(10, true)
	if hw, p := tr.state(); hw != 50 || !slices.Equal(p, []int64{20, 49}) {
		t.Fatalf("hw=%d pending=%v, want 50 [20 49]", hw, p)
	}
	tr.arrive(20, true)
	tr.arrive(49, false)
	if hw, p := tr.state(); hw != 50 || !slices.Equal(p, []int64{49}) {
		t.Fatalf("hw=%d pending=%v, want 50 [49]", hw, p)
	}
}

// TestTrackerFirstRunCoversItsHorizon: a first run's committed mark is covered back to its horizon
// even before every target arrived.
func TestTrackerFirstRunCoversItsHorizon(t *testing.T) {
	since := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tr := newTracker("github/a/b", 0, []int64{1, 2, 3}, nil)
	tr.reaching = since
	tr.arrive(1, true)
	if got := tr.covered(); !got.Equal(since) {
		t.Fatalf("covered() = %v, want %v", got, since)
	}
}
