package transform_test

import (
	"fmt"

	"github.com/buildlake/buildlake/extract"
	"github.com/buildlake/buildlake/transform"
)

func ExampleTestID() {
	fmt.Println(transform.TestID("a", "b", "c"))
	// Output: 8badde10c760e9b702defb4b5e225de7
}

func ExampleJobName() {
	b := extract.Build{BuildParameters: map[string]any{"CIRCLE_JOB": "deploy"}}
	fmt.Println(transform.JobName(b), transform.JobName(extract.Build{}))
	// Output: deploy build
}

func ExampleStripToken() {
	fmt.Println(transform.StripToken("https://output.circle-artifacts.com/a/b.txt?circle-token=s3cr3t&x=1"))
	// Output: https://output.circle-artifacts.com/a/b.txt?x=1
}
