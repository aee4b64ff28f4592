package circlecitest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/buildlake/buildlake/extract/circlecitest"
)

func ExampleNewServer() {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	s := circlecitest.NewServer(circlecitest.Options{Seed: 1, BuildsPerProject: 50, Now: now})
	defer s.Close()

	req, _ := http.NewRequest("GET", s.URL+"/api/v1.1/project/github/acme/api?limit=100", nil)
	req.Header.Set("Circle-Token", s.Token)
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var builds []map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&builds)
	fmt.Println("builds:", len(builds))

	t := s.Truth()
	fmt.Println("regression:", t.Regression.ProjectSlug, t.Regression.JobName, t.Regression.StepName, t.Regression.Date)
	// Output:
	// builds: 50
	// regression: github/acme/api test Run tests 2026-05-17
}
