package extract

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// addSeeds seeds f with every testdata/decode case whose name starts with prefix.
func addSeeds(f *testing.F, prefix string) {
	files, _ := filepath.Glob(filepath.Join("testdata", "decode", prefix+"*.json"))
	if len(files) == 0 {
		f.Fatalf("no seeds for %s in testdata/decode", prefix)
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// checkDecoded asserts what must hold for any input: no panic (implicit), and a successful
// decode re-encodes as valid JSON (the Opt types' MarshalJSON never writes garbage).
func checkDecoded(t *testing.T, v any, err error) {
	if err != nil {
		if !strings.HasPrefix(err.Error(), ErrDecode.Error()) {
			t.Fatalf("error does not wrap ErrDecode: %v", err)
		}
		return
	}
	out, merr := json.Marshal(v)
	if merr != nil || !json.Valid(out) {
		t.Fatalf("decoded value does not re-encode: %v", merr)
	}
}

func FuzzDecodeBuild(f *testing.F) {
	addSeeds(f, "build_")
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := DecodeBuild(b)
		checkDecoded(t, v, err)
	})
}

func FuzzDecodeBuildList(f *testing.F) {
	addSeeds(f, "list_")
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := DecodeBuildList(b)
		checkDecoded(t, v, err)
	})
}

func FuzzDecodeTests(f *testing.F) {
	addSeeds(f, "tests_")
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := DecodeTests(b)
		checkDecoded(t, v, err)
	})
}

func FuzzDecodeArtifacts(f *testing.F) {
	addSeeds(f, "artifacts_")
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := DecodeArtifacts(b)
		checkDecoded(t, v, err)
		for _, a := range v {
			if strings.Contains(strings.ToLower(a.URL.V), "circle-token=") && !strings.Contains(a.URL.V, redacted) {
				t.Fatalf("artifact URL keeps a token: %q", a.URL.V)
			}
		}
	})
}
