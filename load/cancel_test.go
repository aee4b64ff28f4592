package load

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
)

// cancelAfter is a context that becomes cancelled on its limit-th Err() call, so a test can stop
// a Write at every point where the store or database/sql looks at the context.
type cancelAfter struct {
	context.Context
	calls *atomic.Int32
	limit int32
	done  chan struct{}
	once  *sync.Once
}

func newCancelAfter(limit int32) cancelAfter {
	return cancelAfter{Context: context.Background(), calls: new(atomic.Int32), limit: limit, done: make(chan struct{}), once: new(sync.Once)}
}

func (c cancelAfter) Err() error {
	if c.calls.Add(1) >= c.limit {
		c.once.Do(func() { close(c.done) })
		return context.Canceled
	}
	return nil
}

func (c cancelAfter) Done() <-chan struct{} { return c.done }

// TestWriteCancelledAnywhereIsAllOrNothing cancels a Write at each successive context check and
// verifies that it either committed everything (rows, state, errors) or nothing.
func TestWriteCancelledAnywhereIsAllOrNothing(t *testing.T) {
	s, _ := openTemp(t)
	db := s.DB()
	ctx := context.Background()
	hw := int64(0)
	committed, cancelled := 0, 0
	for limit := int32(1); limit <= 80; limit++ {
		num := int(limit) + 100
		b := Batch{
			Builds: record(t, db, "builds", build("github/a/x", num, "success")),
			Steps:  record(t, db, "steps", step("github/a/x", num, 0, 0, "a"), step("github/a/x", num, 1, 0, "b")),
			Tests:  record(t, db, "tests", map[string]any{"project_slug": "github/a/x", "build_num": num, "test_index": 0}),
			State:  []ProjectState{{ProjectSlug: "github/a/x", HighWater: int64(num)}},
			Errors: []SyncError{{RunID: "r", ProjectSlug: "github/a/x", BuildNum: int64(num), Error: "e"}},
		}
		cx := newCancelAfter(limit)
		_, err := s.Write(cx, b)
		rows := count(t, db, "SELECT count(*) FROM builds WHERE build_num = ?", num) +
			count(t, db, "SELECT count(*) FROM steps WHERE build_num = ?", num) +
			count(t, db, "SELECT count(*) FROM tests WHERE build_num = ?", num) +
			count(t, db, "SELECT count(*) FROM sync_errors WHERE build_num = ?", num)
		st, serr := s.States(ctx)
		if serr != nil {
			t.Fatal(serr)
		}
		if err == nil {
			committed++
			hw = int64(num)
			if rows != 5 {
				t.Errorf("limit %d: committed but %d of 5 rows", limit, rows)
			}
		} else {
			cancelled++
			if rows != 0 {
				t.Errorf("limit %d: failed (%v) but left %d rows", limit, err, rows)
			}
		}
		if got := st["github/a/x"].HighWater; got != hw {
			t.Errorf("limit %d: high water %d, want %d", limit, got, hw)
		}
	}
	if committed == 0 || cancelled == 0 {
		t.Fatalf("committed %d, cancelled %d: the limits did not span the Write", committed, cancelled)
	}
	t.Logf("cancelled at %d points, committed at %d", cancelled, committed)
}
