package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// TestSyncPanicRedactsToken: a panic in the sync command's path, whose value carries the token
// (say, a request or a URL with circle-token=), becomes an error (run exits 1 on any error); neither the
// error nor the stack printed to stderr holds the token.
func TestSyncPanicRedactsToken(t *testing.T) {
	const token = "tok-panic-0123456789abcdef"
	var stderr bytes.Buffer
	err := func() (err error) {
		defer recoverRedacted(&stderr, &err, token)
		panic(errors.New("GET https://circleci.com/api/v1.1/me?circle-token=" + token + " with header Circle-Token: " + token))
	}()
	if err == nil || !strings.Contains(err.Error(), "panic") {
		t.Fatalf("err = %v, want the panic as an error", err)
	}
	out := stderr.String() + err.Error()
	if strings.Contains(out, token) || strings.Contains(out, "tok-panic") {
		t.Errorf("the token leaked: %s", out)
	}
	if !strings.Contains(stderr.String(), "goroutine") {
		t.Errorf("stderr lacks the stack: %q", stderr.String())
	}
}
