//go:build !unix

package load

import "os"

// tryLock is a no-op where flock is missing; DuckDB's own file lock still refuses a second
// writer there (mapped to ErrLocked).
func tryLock(*os.File) error { return nil }
