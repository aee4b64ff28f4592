package circlecitest

import (
	"fmt"
	"strings"
)

// artifactPaths lists (node, path) for a finished build that uploaded artifacts.
func (w *world) artifactPaths(b *build, tl timeline) [][2]any {
	if !tl.finished || tl.outcome == "canceled" || tl.outcome == "infrastructure_fail" || tl.lifecycle == "not_run" {
		return nil
	}
	var out [][2]any
	for n := 0; n < tl.nodes; n++ {
		for k, p := range b.tmpl.artifacts {
			if k > 0 && n > 0 {
				continue // coverage only on node 0
			}
			out = append(out, [2]any{n, p})
		}
	}
	return out
}

func (w *world) artifacts(b *build, tl timeline) []obj {
	paths := w.artifactPaths(b, tl)
	out := make([]obj, 0, len(paths))
	ph := hexID(w.gen.opts.Seed, 8, int64(b.p.idx), 21)
	for _, np := range paths {
		n, p := np[0].(int), np[1].(string)
		if b.tmpl.legacy {
			pretty := "$CIRCLE_ARTIFACTS/" + p
			abs := "/home/ubuntu/" + b.p.reponame + "/" + pretty
			out = append(out, obj{{"path", abs}, {"pretty_path", pretty}, {"node_index", n},
				{"url", fmt.Sprintf("https://%d-%s-bb.circle-artifacts.com/%d/home/ubuntu/%s/%s", b.num, ph, n, b.p.reponame, strings.TrimPrefix(pretty, "$"))}})
			continue
		}
		if n > 0 {
			p = strings.Replace(p, "junit.xml", fmt.Sprintf("junit-%d.xml", n), 1)
		}
		out = append(out, obj{{"path", p}, {"pretty_path", p}, {"node_index", n},
			{"url", fmt.Sprintf("https://%d-%s-gh.circle-artifacts.com/%d/%s", b.num, ph, n, p)}})
	}
	return out
}

// testResult is a test's result in one run: what both the tests endpoint and Truth use.
func (w *world) testResult(b *build, tl timeline, t int) string {
	tc := b.p.tests[t]
	for _, f := range tl.failedTests {
		if f == t {
			if b.p.isFlaky(t) && h(w.gen.opts.Seed, tagTestTime, int64(b.p.idx), int64(b.num), int64(t))%10 == 0 {
				return "error"
			}
			return "failure"
		}
	}
	if tc.skipped {
		return "skipped"
	}
	return "success"
}

func (w *world) testsRan(b *build, tl timeline) bool {
	return b.tmpl.hasTests && tl.finished && (tl.outcome == "success" || tl.outcome == "failed")
}

func (w *world) tests(b *build, tl timeline) obj {
	var ts []obj
	if w.testsRan(b, tl) {
		seed, pi := w.gen.opts.Seed, int64(b.p.idx)
		src := "unknown"
		if b.tmpl.legacy {
			src = "rspec"
		}
		for t, tc := range b.p.tests {
			res := w.testResult(b, tl, t)
			var msg any
			if res == "failure" || res == "error" {
				msg = fmt.Sprintf("assertion failed: expected 200, got 500\n    at %s:%d", orDefault(tc.file, "unknown"), 10+t)
			} else if res == "skipped" {
				msg = "skipped: needs network"
			}
			var file any = tc.file
			if tc.file == "" {
				file = nil
			}
			rt := 0.001 + 2.5*unit(h(seed, tagTestTime, pi, int64(b.num), int64(t), 1))
			ts = append(ts, obj{{"classname", tc.classname}, {"file", file}, {"name", tc.name}, {"result", res},
				{"run_time", float64(int(rt*1e6)) / 1e6}, {"message", msg}, {"source", src}, {"source_type", src}})
		}
	}
	if ts == nil {
		ts = []obj{}
	}
	o := obj{{"tests", ts}}
	if !b.tmpl.legacy {
		o.add("exceptions", []obj{})
	}
	return o
}
