package circlecitest

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

func TestEncodeRoundTrips(t *testing.T) {
	tricky := "quote \" backslash \\ newline \n tab \t bell \x07 unicode › é"
	v := obj{{"s", tricky}, {"n", nil}, {"f", float(2)}, {"i", 3}, {"t", stamp(time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC))},
		{"z", stamp(time.Time{})}, {"a", []obj{{{"k", true}}}}, {"e", obj{}}}
	var buf bytes.Buffer
	encode(&buf, v)
	want := `{"s":` + mustJSON(tricky) + `,"n":null,"f":2.0,"i":3,"t":"2026-01-02T03:04:05.006Z","z":null,"a":[{"k":true}],"e":{}}`
	if buf.String() != want {
		t.Fatalf("got  %s\nwant %s", buf.String(), want)
	}
	var back map[string]any
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil || back["s"] != tricky {
		t.Fatalf("round trip: %v %q", err, back["s"])
	}
}

func mustJSON(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return string(bytes.TrimSpace(buf.Bytes()))
}
