package extract_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/buildlake/buildlake/extract"
)

// ExampleClient_ListBuilds pages through a project's builds. A loopback server stands in for
// CircleCI here; real use sets Host to https://circleci.com (or a server install) and Token.
func ExampleClient_ListBuilds() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `[{"build_num":3,"status":"running","queued_at":"2026-01-02T03:04:05.678Z"},
			{"build_num":2,"status":"success","failed":null},
			{"build_num":"1","status":"failed","failed":true}]`)
	}))
	defer srv.Close()

	c, err := extract.New(extract.Config{Host: srv.URL, Token: "secret"})
	if err != nil {
		log.Fatal(err)
	}
	for b, err := range c.ListBuilds(context.Background(), "github/acme/api", extract.ListOptions{Shallow: true}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(b.BuildNum.V, b.Status.V, b.Failed.Valid && b.Failed.V, b.QueuedAt.Valid)
	}
	fmt.Println("requests:", c.Stats().Requests)
	// Output:
	// 3 running false true
	// 2 success false false
	// 1 failed true false
	// requests: 1
}
