package circlecitest

import (
	"fmt"
	"strings"
	"time"
)

// steps renders steps[].actions[]: one action per node, 1.0 and 2.0 shapes differing.
func (w *world) steps(b *build, tl timeline) []obj {
	seed, pi := w.gen.opts.Seed, int64(b.p.idx)
	out := make([]obj, 0, len(tl.steps))
	for si, acts := range tl.steps {
		name := tl.stepNames[si]
		as := make([]obj, 0, len(acts))
		for _, a := range acts {
			x := h(seed, tagNode, pi, int64(b.num), int64(a.step), int64(a.index))
			hasOutput := name != "Preparing environment variables" && x%11 != 0
			var o obj
			o.add("truncated", false)
			o.add("index", a.index)
			o.add("parallel", tl.nodes > 1)
			o.add("failed", boolOrNil(a.failed))
			o.add("infrastructure_fail", boolOrNil(a.infra))
			o.add("name", name)
			if si < 2 && !b.tmpl.legacy {
				o.add("bash_command", nil)
			} else {
				o.add("bash_command", "#!/bin/bash -eo pipefail\n"+strings.ToLower(name))
			}
			status := a.status
			if a.running {
				status = "running"
			}
			o.add("status", status)
			o.add("timedout", boolOrNil(a.timedout))
			o.add("continue", nil)
			if a.running {
				o.add("end_time", nil)
			} else {
				o.add("end_time", stamp(a.end))
			}
			o.add("type", tl.stepTypes[si])
			if b.tmpl.legacy {
				if x%4 != 0 {
					o.add("source", []string{"config", "cache", "db", "inference"}[x%4])
				}
				o.add("messages", []string{})
			} else {
				o.add("allocation_id", hexID(seed, 24, pi, int64(b.num), int64(a.index)))
			}
			if hasOutput {
				o.add("output_url", fmt.Sprintf("https://circle-production-action-output.s3.amazonaws.com/%s?X-Amz-Expires=600", hexID(seed, 32, int64(x))))
			}
			o.add("start_time", stamp(a.start))
			o.add("background", a.background)
			if a.running || a.exitCode < 0 {
				o.add("exit_code", nil)
			} else {
				o.add("exit_code", a.exitCode)
			}
			o.add("insignificant", false)
			o.add("canceled", boolOrNil(a.canceled))
			o.add("step", a.step)
			if a.running {
				o.add("run_time_millis", nil)
			} else {
				o.add("run_time_millis", int(a.end.Sub(a.start)/time.Millisecond))
			}
			o.add("has_output", hasOutput)
			as = append(as, o)
		}
		out = append(out, obj{{"name", name}, {"actions", as}})
	}
	return out
}
