package main

import (
	"context"
	"path/filepath"
	"testing"
)

func TestServeRefusesNonLoopbackWithoutAllowRemote(t *testing.T) {
	db := filepath.Join(t.TempDir(), "none.duckdb")
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0", "10.1.2.3:0"} {
		if code := run(context.Background(), []string{"--db", db, "serve", "--listen", addr}); code != exitUsage {
			t.Errorf("serve --listen %s: exit %d, want %d (usage error)", addr, code, exitUsage)
		}
	}
	// Loopback is accepted; a cancelled context shuts the server down cleanly at once.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if code := run(ctx, []string{"--db", db, "serve", "--listen", "127.0.0.1:0"}); code != 0 {
		t.Errorf("serve --listen 127.0.0.1:0: exit %d, want 0 after shutdown", code)
	}
}
