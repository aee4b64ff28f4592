package circlecitest

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// benchBuilds is per project: 4 × 25k = 100k builds.
var benchBuilds = 25000

// BenchmarkList100k generates 100k builds (4 projects × 25k) and pages through every list page,
// reporting the process's peak RSS and the Go heap: the simulator must stay under 200 MB.
func BenchmarkList100k(b *testing.B) {
	for range b.N {
		s := NewServer(Options{Seed: 1, Projects: 4, BuildsPerProject: benchBuilds, Days: 90, Now: testNow, Token: "t"})
		client := &http.Client{}
		pages := 0
		for _, slug := range []string{"github/acme/api", "github/acme/web", "bitbucket/acme/legacy", "github/acme/billing"} {
			for off := 0; ; off += 100 {
				req, _ := http.NewRequest("GET", s.URL+"/api/v1.1/project/"+slug+"?limit=100&offset="+strconv.Itoa(off), nil)
				req.Header.Set("Circle-Token", "t")
				req.Header.Set("Accept", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				n, _ := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				pages++
				if n < 10 {
					break
				}
			}
		}
		s.Close()
		if pages < 1000 {
			b.Fatalf("only %d pages for 100k builds", pages)
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	peak := procStatusMB("VmHWM:")
	b.ReportMetric(peak, "peak-rss-MB")
	b.ReportMetric(float64(ms.HeapSys)/(1<<20), "heap-sys-MB")
	b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "heap-alloc-MB")
	if peak > 200 {
		b.Errorf("peak RSS %.0f MB, want < 200 MB", peak)
	}
}

// procStatusMB reads a kB field of /proc/self/status (Linux); 0 elsewhere.
func procStatusMB(field string) float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), field) {
			kb, _ := strconv.ParseFloat(strings.Fields(sc.Text())[1], 64)
			return kb / 1024
		}
	}
	return 0
}
