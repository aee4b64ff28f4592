//go:build unix

package load

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLockNamesHolderWrittenLate: a second writer that meets the lock between the holder's
// flock and its holder line still names the holder, instead of "unknown pid".
func TestLockNamesHolderWrittenLate(t *testing.T) {
	db := filepath.Join(t.TempDir(), "b.duckdb")
	f, err := os.OpenFile(lockPath(db), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := tryLock(f); err != nil {
		t.Fatal(err)
	}
	const line = "pid 4242 since 2026-01-01T00:00:00Z: buildlake sync\n"
	go func() {
		time.Sleep(50 * time.Millisecond)
		_, _ = f.WriteAt([]byte(line), 0)
	}()
	_, err = acquireLock(db)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "pid 4242") {
		t.Fatalf("second writer: %v, want ErrLocked naming pid 4242", err)
	}
}
