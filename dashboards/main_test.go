package dashboards

import (
	"os"
	"sync"
	"testing"
)

var (
	fixtureOnce sync.Once
	fixturePath string
	fixtureDir  string
)

// sharedFixture returns one fixture database for the tests that only read it: building it takes
// seconds, and the package must stay fast.
func sharedFixture(t *testing.T) string {
	t.Helper()
	fixtureOnce.Do(func() { fixturePath = fillFixture(fixtureDirTB{t}) })
	if fixturePath == "" {
		t.Fatal("fixture database could not be built (see the first test that asked for it)")
	}
	return fixturePath
}

// fixtureDirTB gives fillFixture a TempDir that outlives the first test using it.
type fixtureDirTB struct{ *testing.T }

func (f fixtureDirTB) TempDir() string { return fixtureDir }

func TestMain(m *testing.M) {
	if helperHoldLock() {
		return
	}
	dir, err := os.MkdirTemp("", "buildlake-dashboards-")
	if err != nil {
		panic(err)
	}
	fixtureDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
