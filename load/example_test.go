package load_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/buildlake/buildlake/load"
)

func ExampleOpen() {
	dir, _ := os.MkdirTemp("", "buildlake-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	s, err := load.Open(ctx, filepath.Join(dir, "buildlake.duckdb"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	_, err = s.Write(ctx, load.Batch{State: []load.ProjectState{{ProjectSlug: "github/acme/api", HighWater: 1205, Pending: []int64{1204}}}})
	if err != nil {
		fmt.Println(err)
		return
	}
	st, _ := s.States(ctx)
	fmt.Println(st["github/acme/api"].HighWater, st["github/acme/api"].Pending)
	// Output: 1205 [1204]
}

func ExampleTableKeys() {
	fmt.Println(load.TableKeys()["steps"])
	// Output: [project_slug build_num step_index node_index]
}
