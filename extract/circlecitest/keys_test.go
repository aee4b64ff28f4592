package circlecitest

import (
	"sort"
	"strconv"
	"testing"
)

// Field names of real CircleCI API v1.1 responses (docs samples and captured responses): the
// simulator may omit some, but must not invent any, and must carry the ones clients rely on.
var (
	realBuildKeys = set("compare", "previous_successful_build", "build_parameters", "oss", "all_commit_details_truncated",
		"committer_date", "steps", "body", "usage_queued_at", "context_ids", "fail_reason", "retry_of", "reponame",
		"ssh_users", "build_url", "parallel", "failed", "branch", "username", "author_date", "why", "user",
		"vcs_revision", "workflows", "owners", "vcs_tag", "pull_requests", "build_num", "infrastructure_fail",
		"committer_email", "has_artifacts", "previous", "status", "committer_name", "retries", "subject", "vcs_type",
		"timedout", "dont_build", "lifecycle", "no_dependency_cache", "stop_time", "ssh_disabled", "build_time_millis",
		"picard", "circle_yml", "messages", "is_first_green_build", "job_name", "start_time", "canceled", "platform",
		"outcome", "vcs_url", "author_name", "node", "queued_at", "canceler", "author_email", "all_commit_details", "fleet")
	requiredBuildKeys = set("build_num", "vcs_revision", "branch", "status", "outcome", "lifecycle", "why", "retry_of",
		"start_time", "stop_time", "build_time_millis", "parallel", "vcs_type", "username", "reponame", "user", "previous")
	realActionKeys = set("truncated", "index", "parallel", "failed", "infrastructure_fail", "name", "bash_command",
		"status", "timedout", "continue", "end_time", "type", "allocation_id", "output_url", "start_time",
		"background", "exit_code", "insignificant", "canceled", "step", "run_time_millis", "has_output", "source", "messages")
	realWorkflowKeys  = set("job_name", "job_id", "workflow_id", "workspace_id", "upstream_job_ids", "upstream_concurrency_map", "workflow_name")
	realPicardKeys    = set("build_agent", "resource_class", "executor")
	realArtifactKeys  = set("path", "pretty_path", "node_index", "url")
	realTestKeys      = set("classname", "file", "name", "result", "run_time", "message", "source", "source_type")
	realTestsRespKeys = set("tests", "exceptions")
)

func set(ks ...string) map[string]bool {
	m := map[string]bool{}
	for _, k := range ks {
		m[k] = true
	}
	return m
}

func checkKeys(t *testing.T, what string, m map[string]any, real, required map[string]bool) {
	t.Helper()
	var extra, missing []string
	for k := range m {
		if !real[k] {
			extra = append(extra, k)
		}
	}
	for k := range required {
		if _, ok := m[k]; !ok {
			missing = append(missing, k)
		}
	}
	sort.Strings(extra)
	sort.Strings(missing)
	if len(extra) > 0 || len(missing) > 0 {
		t.Errorf("%s: keys not in v1.1 %v, required keys missing %v", what, extra, missing)
	}
}

func TestKeySetsMatchRealAPI(t *testing.T) {
	s := smallServer(t)
	var sawWorkflow, sawPicard, sawAction, sawArtifact, sawTest, sawNoPlatform, sawOutputURL bool
	for _, p := range s.Stats().Projects {
		base := "/project/" + p.Slug
		for _, b := range list(t, s, base+"?limit=100") {
			checkKeys(t, p.Slug+" list entry", b, realBuildKeys, requiredBuildKeys)
			if _, ok := b["steps"]; ok {
				t.Error("list entry carries steps")
			}
		}
		for _, b := range p.Builds[:min(25, len(p.Builds))] {
			n := strconv.Itoa(b.BuildNum)
			d := getJSON(t, s, base+"/"+n).(map[string]any)
			checkKeys(t, p.Slug+"/"+n, d, realBuildKeys, requiredBuildKeys)
			if _, ok := d["platform"]; !ok {
				sawNoPlatform = true
			}
			if wf, ok := d["workflows"].(map[string]any); ok {
				sawWorkflow = true
				checkKeys(t, "workflows", wf, realWorkflowKeys, realWorkflowKeys)
			}
			if pc, ok := d["picard"].(map[string]any); ok {
				sawPicard = true
				checkKeys(t, "picard", pc, realPicardKeys, realPicardKeys)
			}
			for _, st := range d["steps"].([]any) {
				step := st.(map[string]any)
				checkKeys(t, "step", step, set("name", "actions"), set("name", "actions"))
				for _, a := range step["actions"].([]any) {
					am := a.(map[string]any)
					sawAction = true
					checkKeys(t, "action", am, realActionKeys, set("index", "step", "status", "name", "run_time_millis", "has_output"))
					_, has := am["output_url"]
					if has != (am["has_output"] == true) {
						t.Errorf("action output_url present=%v but has_output=%v", has, am["has_output"])
					}
					sawOutputURL = sawOutputURL || has
				}
			}
			for _, a := range getJSON(t, s, base+"/"+n+"/artifacts").([]any) {
				sawArtifact = true
				checkKeys(t, "artifact", a.(map[string]any), realArtifactKeys, realArtifactKeys)
			}
			tr := getJSON(t, s, base+"/"+n+"/tests").(map[string]any)
			checkKeys(t, "tests response", tr, realTestsRespKeys, set("tests"))
			for _, tc := range tr["tests"].([]any) {
				sawTest = true
				checkKeys(t, "test", tc.(map[string]any), realTestKeys, realTestKeys)
			}
		}
	}
	if !(sawWorkflow && sawPicard && sawAction && sawArtifact && sawTest && sawNoPlatform && sawOutputURL) {
		t.Errorf("shapes not covered: workflow %v picard %v action %v artifact %v test %v no-platform %v output_url %v",
			sawWorkflow, sawPicard, sawAction, sawArtifact, sawTest, sawNoPlatform, sawOutputURL)
	}
}

// TestQuirks checks the documented oddities are present somewhere in a small dataset.
func TestQuirks(t *testing.T) {
	s := smallServer(t, func(o *Options) { o.BuildsPerProject = 150 })
	var notRunNoQueued, floatMillis, failedTrue, failedNull, reducedUser, user101, legacyStep0, bgRunning, fileNull, emptyClass, timesOrdered bool
	timesOrdered = true
	for _, p := range s.Stats().Projects {
		base := "/project/" + p.Slug
		for off := 0; off < len(p.Builds); off += 100 {
			_, _, raw := do(t, s, "GET", base+"?limit=100&offset="+strconv.Itoa(off), "")
			if containsFloatMillis(raw) {
				floatMillis = true
			}
			for _, b := range list(t, s, base+"?limit=100&offset="+strconv.Itoa(off)) {
				_, hasQ := b["queued_at"]
				_, hasU := b["usage_queued_at"]
				if b["lifecycle"] == "not_run" && !hasQ && !hasU {
					notRunNoQueued = true
				}
				failedTrue = failedTrue || b["failed"] == true
				failedNull = failedNull || b["failed"] == nil
				if u, _ := b["user"].(map[string]any); u["login"] == "none" && u["is_user"] == false {
					reducedUser = true
				}
				uq, q, st := str(b["usage_queued_at"]), str(b["queued_at"]), str(b["start_time"])
				if uq != "" && q != "" && st != "" && !(uq <= q && q <= st) {
					timesOrdered = false
				}
			}
		}
		for _, b := range p.Builds[:20] {
			d := getJSON(t, s, base+"/"+strconv.Itoa(b.BuildNum)).(map[string]any)
			for _, st := range d["steps"].([]any) {
				for _, a := range st.(map[string]any)["actions"].([]any) {
					am := a.(map[string]any)
					user101 = user101 || num(am["step"]) == 101
					legacyStep0 = legacyStep0 || (d["workflows"] == nil && num(am["step"]) == 3)
					if am["background"] == true && am["status"] == "running" && d["lifecycle"] == "finished" {
						bgRunning = true
					}
				}
			}
			for _, tc := range getJSON(t, s, base+"/"+strconv.Itoa(b.BuildNum)+"/tests").(map[string]any)["tests"].([]any) {
				m := tc.(map[string]any)
				fileNull = fileNull || m["file"] == nil
				emptyClass = emptyClass || m["classname"] == ""
			}
		}
	}
	for name, ok := range map[string]bool{"not_run without queued_at": notRunNoQueued, "float millis": floatMillis,
		"failed true": failedTrue, "failed null": failedNull, "reduced user": reducedUser, "2.0 step 101": user101,
		"1.0 steps 0..n": legacyStep0, "background running in finished build": bgRunning, "test file null": fileNull,
		"empty classname": emptyClass, "usage_queued_at <= queued_at <= start_time": timesOrdered} {
		if !ok {
			t.Errorf("quirk missing: %s", name)
		}
	}
}

func containsFloatMillis(raw []byte) bool {
	s := string(raw)
	for i := 0; ; {
		j := indexFrom(s, `"build_time_millis":`, i)
		if j < 0 {
			return false
		}
		k := j + len(`"build_time_millis":`)
		for k < len(s) && (s[k] >= '0' && s[k] <= '9') {
			k++
		}
		if k < len(s) && s[k] == '.' {
			return true
		}
		i = k
	}
}

func indexFrom(s, sub string, from int) int {
	for i := from; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func str(v any) string { s, _ := v.(string); return s }
