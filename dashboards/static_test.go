package dashboards

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/buildlake/buildlake/queries"
)

func staticParams() queries.Params {
	return queries.Params{Since: fixtureNow.Add(-30 * 24 * time.Hour), Until: fixtureNow, Period: "day"}
}

// TestStaticReportIsSelfContained checks the file needs nothing but itself: no src or href to
// anything but inline data, and the data and chart library inside.
func TestStaticReportIsSelfContained(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteStatic(context.Background(), &buf, Options{DBPath: sharedFixture(t), Now: func() time.Time { return fixtureNow }}, staticParams()); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, m := range regexp.MustCompile(`(?i)\b(src|href)\s*=\s*"([^"]*)"`).FindAllStringSubmatch(html, -1) {
		if !strings.HasPrefix(m[2], "data:") {
			t.Errorf("static report refers to %s=%q: it must inline everything", m[1], m[2])
		}
	}
	for _, want := range []string{`id="buildlake-data"`, "uPlot", fixtureFlakyTests[0].name, fixtureFlakyTests[1].name, "Content-Security-Policy"} {
		if !strings.Contains(html, want) {
			t.Errorf("static report lacks %q", want)
		}
	}
	if strings.Count(html, "</script>") != 3 {
		t.Errorf("static report has %d </script>, want 3 (data, uPlot, app): inline data must not close its element", strings.Count(html, "</script>"))
	}
}
