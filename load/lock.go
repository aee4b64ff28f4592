package load

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"
)

// ErrLocked reports that another process holds the database: either buildlake's writer lock
// (<db>.lock) or DuckDB's own file lock. The wrapping error names the holder when it is known.
var ErrLocked = errors.New("database is in use by another process")

// writerLock is an exclusive advisory lock on <db>.lock. It is taken before DuckDB opens the file,
// so a second writer fails at once and touches nothing; the file holds a line naming its holder
// (pid, start time, command line) for the message the second writer prints. The OS drops the lock
// when the process dies, even on kill -9, so a stale file never blocks anyone.
type writerLock struct {
	f *os.File
}

func lockPath(dbPath string) string { return dbPath + ".lock" }

// acquireLock takes the writer lock for dbPath or fails with ErrLocked naming the holder.
func acquireLock(dbPath string) (*writerLock, error) {
	if dbPath == "" || strings.HasPrefix(dbPath, ":memory:") {
		return &writerLock{}, nil // in-memory databases are private to the process
	}
	p := lockPath(dbPath)
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", errOpen, dbPath, err)
	}
	if err := tryLock(f); err != nil {
		holder := readHolder(p)
		f.Close()
		return nil, fmt.Errorf("%w: %s is locked by %s", ErrLocked, dbPath, describeHolder(holder))
	}
	// Only the holder writes the file, so readers see either the old or the new holder line.
	line := fmt.Sprintf("pid %d since %s: %s\n", os.Getpid(), time.Now().UTC().Format(time.RFC3339), strings.Join(os.Args, " "))
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(line), 0)
	}
	return &writerLock{f: f}, nil
}

// readHolder reads the holder line, waiting up to holderWait for it: the holder writes it just
// after taking the lock, so a second writer racing it finds the file empty for a moment.
func readHolder(p string) []byte {
	deadline := time.Now().Add(holderWait)
	for {
		b, _ := os.ReadFile(p)
		if len(strings.TrimSpace(string(b))) > 0 || time.Now().After(deadline) {
			return b
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// holderWait bounds readHolder; the holder writes its line microseconds after its flock.
const holderWait = 250 * time.Millisecond

func describeHolder(b []byte) string {
	s := strings.TrimSpace(string(b))
	if s == "" {
		return "another process (unknown pid)"
	}
	return s
}

// release drops the lock. The file stays: removing it would let a third process lock a new inode
// while a second still waits on the old one.
func (l *writerLock) release() error {
	if l == nil || l.f == nil {
		return nil
	}
	l.f.Truncate(0)
	err := l.f.Close() // closing the descriptor releases the flock
	l.f = nil
	return err
}

var duckPID = regexp.MustCompile(`(?s)Conflicting lock is held in (.*?) \(PID (\d+)\)`)

// mapDuckLock turns DuckDB's "Could not set lock on file" error into ErrLocked, naming the holder
// (a read-only reader such as `buildlake serve`, or a process that is not buildlake).
func mapDuckLock(path string, err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if !strings.Contains(msg, "Could not set lock") && !strings.Contains(msg, "Conflicting lock") {
		return err
	}
	if m := duckPID.FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("%w: %s is open in %s (pid %s)", ErrLocked, path, m[1], m[2])
	}
	return fmt.Errorf("%w: %s: %w", ErrLocked, path, err)
}
