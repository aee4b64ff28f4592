package export_test

import (
	"fmt"

	"github.com/buildlake/buildlake/export"
)

func ExampleParseShard() {
	s, err := export.ParseShard("2/4")
	if err != nil {
		panic(err)
	}
	fmt.Println(s.Dir())
	fmt.Println(export.Shard{}.Dir() == "", export.Shard{}.Contains("github/acme/api"))
	// Output:
	// shard=2-of-4
	// true true
}
