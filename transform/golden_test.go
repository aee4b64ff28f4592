package transform_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildlake/buildlake/transform"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// TestGolden transforms every testdata/*.json build (with its steps) and compares the builds and
// steps rows, as JSON, with testdata/<case>.golden. Run with -update after an intended change and
// review the diff.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			b, err := transform.Transform(nil, now, []transform.Input{{Build: readBuild(t, filepath.Base(f)), ProjectSlug: "github/acme/" + name, HaveSteps: true}})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Release()
			var got bytes.Buffer
			for _, rec := range []json.Marshaler{b.Builds, b.Steps} {
				raw, err := rec.MarshalJSON()
				if err != nil {
					t.Fatal(err)
				}
				if err := json.Indent(&got, raw, "", " "); err != nil {
					t.Fatal(err)
				}
				got.WriteByte('\n')
			}
			golden := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("rows differ from %s (run go test -update and review the diff):\n%s", golden, got.String())
			}
		})
	}
}
