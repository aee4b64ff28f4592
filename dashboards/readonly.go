package dashboards

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/buildlake/buildlake/load"
)

var (
	errNoDatabase = errors.New("could not find the database file (run buildlake sync first)")
	errBusy       = errors.New("could not open the database read-only (a sync probably holds it)")
)

// openRetryDelays are the pauses between read-only open attempts: a sync holds the file for
// seconds to minutes, so a short retry rides out its commit and then the cache answers.
var openRetryDelays = []time.Duration{50 * time.Millisecond, 150 * time.Millisecond, 300 * time.Millisecond}

// readOnlyDB shares one read-only handle between concurrent requests and closes it as soon as
// the last one is done: DuckDB lets no writer in while any process holds the file open, so an
// idle dashboard must not hold it.
type readOnlyDB struct {
	path  string
	mu    sync.Mutex
	db    *sql.DB
	users int
	// busyAt is when a full retry sequence last ended locked. Requests right after it (a page
	// asks for ten answers at once) try once instead of each waiting through the retries.
	busyAt time.Time
}

// busyMemory is how long a locked file is assumed to stay locked without retrying.
const busyMemory = 2 * time.Second

// acquire returns the shared handle, opening it (with retries) if no request holds it, and a
// release function to call when done.
func (r *readOnlyDB) acquire(ctx context.Context) (*sql.DB, func(), error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.db == nil {
		retries := openRetryDelays
		if time.Since(r.busyAt) < busyMemory {
			retries = nil
		}
		db, err := openReadOnly(ctx, r.path, retries)
		if errors.Is(err, errBusy) && retries != nil {
			r.busyAt = time.Now()
		}
		if err != nil {
			return nil, nil, err
		}
		r.db = db
	}
	r.users++
	var once sync.Once
	return r.db, func() { once.Do(r.release) }, nil
}

func (r *readOnlyDB) release() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.users--
	if r.users == 0 && r.db != nil {
		r.db.Close()
		r.db = nil
	}
}

// openReadOnly opens path read-only (load.OpenReadOnly), retrying briefly while another process
// holds the file; other failures are returned at once.
func openReadOnly(ctx context.Context, path string, retries []time.Duration) (*sql.DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("%w: %s", errNoDatabase, path)
	}
	for attempt := 0; ; attempt++ {
		db, err := load.OpenReadOnly(ctx, path)
		if err == nil {
			return db, nil
		}
		if !errors.Is(err, load.ErrLocked) {
			return nil, err
		}
		if attempt >= len(retries) {
			return nil, fmt.Errorf("%w: %w", errBusy, err)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%w: %w", errBusy, ctx.Err())
		case <-time.After(retries[attempt]):
		}
	}
}
