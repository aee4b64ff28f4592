package circlecitest

import (
	"net/http"
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

// Field names of the account-level responses. Sources: circleci-docs src-api _projects.md,
// _keys.md, _environment_vars.md, _overview.md (/me sample: user_key_fingerprint); captured
// responses in mtchavez/circleci's VCR cassettes (2016-17: /me, /projects, follow, envvar) and a
// 2020 /me capture; go-circleci's Project (ssh_keys{hostname,public_key,fingerprint}) and
// CheckoutKey (login).
var (
	realMeKeys = set("enrolled_betas", "in_beta_program", "selected_email", "avatar_url", "trial_end", "admin",
		"basic_email_prefs", "sign_in_count", "github_oauth_scopes", "analytics_id", "name", "gravatar_id",
		"first_vcs_authorized_client_id", "days_left_in_trial", "privacy_optout", "parallelism", "student",
		"bitbucket_authorized", "github_id", "web_ui_pipelines_optout", "bitbucket", "dev_admin", "all_emails",
		"created_at", "plan", "heroku_api_key", "identities", "projects", "login", "organization_prefs", "containers",
		"pusher_id", "web_ui_pipelines_first_opt_in", "num_projects_followed", "user_key_fingerprint")
	realIdentityKeys = set("avatar_url", "external_id", "id", "name", "user?", "domain", "type", "authorized?",
		"provider_id", "login", "handle", "is_authorized", "is_user")
	realMeProjectKeys = set("on_dashboard", "emails")
	realProjectKeys   = set("irc_server", "ssh_keys", "branches", "irc_keyword", "oss", "slack_channel",
		"hipchat_notify_prefs", "reponame", "dependencies", "aws", "slack_webhook_url", "irc_channel", "parallel",
		"campfire_subdomain", "followed", "username", "campfire_notify_prefs", "hipchat_notify", "heroku_deploy_user",
		"irc_username", "slack_notify_prefs", "scopes", "campfire_room", "hipchat_api_token", "campfire_token",
		"slack_subdomain", "has_usable_key", "setup", "vcs_type", "feature_flags", "irc_password", "compile",
		"irc_notify_prefs", "extra", "language", "hipchat_room", "flowdock_api_token", "slack_channel_override",
		"vcs_url", "default_branch", "slack_api_token", "test", "hall_notify_prefs", "hall_room_api_token",
		"slack_integration_channel", "slack_integration_team_id", "slack_integration_team",
		"slack_integration_notify_prefs", "slack_integration_webhook_url", "slack_integration_channel_id",
		"slack_integration_access_token", "jira")
	requiredProjectKeys = set("vcs_type", "username", "reponame", "vcs_url", "default_branch", "followed", "oss", "branches")
	realBranchKeys      = set("pusher_logins", "running_builds", "recent_builds", "last_success", "last_non_success",
		"is_using_workflows", "latest_workflows", "latest_completed_workflows")
	realBranchBuildKeys = set("outcome", "status", "build_num", "vcs_revision", "pushed_at", "is_workflow_job", "is_2_0_job", "added_at")
	realFeatureFlags    = set("trusty-beta", "builds-service", "osx", "set-github-status", "build-prs-only",
		"forks-receive-secret-env-vars", "fleet", "build-fork-prs", "autocancel-builds", "junit", "oss", "memory-limit")
	realHostKeyKeys     = set("hostname", "public_key", "fingerprint")
	realCheckoutKeyKeys = set("public_key", "type", "fingerprint", "login", "preferred", "time")
	realEnvvarKeys      = set("name", "value")
)

func TestAccountKeySetsMatchRealAPI(t *testing.T) {
	s := smallServer(t)
	base := "/project/github/acme/api"
	// writes first, so the optional fields they fill are checked too
	post(t, s, "/user/heroku-key", `{"apikey":"abcdef123456"}`, http.StatusOK)
	post(t, s, "/user/ssh-key", "", http.StatusOK)
	post(t, s, base+"/ssh-key", `{"hostname":"h.example","private_key":"k"}`, http.StatusOK)
	post(t, s, base+"/envvar", `{"name":"A","value":"abcdef"}`, http.StatusCreated)
	post(t, s, base+"/checkout-key", `{"type":"github-user-key"}`, http.StatusCreated)

	me := getJSON(t, s, "/me").(map[string]any)
	checkKeys(t, "/me", me, realMeKeys, set("login", "basic_email_prefs", "projects", "user_key_fingerprint"))
	for name, id := range me["identities"].(map[string]any) {
		checkKeys(t, "/me identities."+name, id.(map[string]any), realIdentityKeys, set("login"))
	}
	for url, p := range me["projects"].(map[string]any) {
		checkKeys(t, "/me projects."+url, p.(map[string]any), realMeProjectKeys, realMeProjectKeys)
	}
	var sawRunning, sawLastSuccess, sawHostKey bool
	for _, p := range list(t, s, "/projects") {
		what := "/projects " + str(p["reponame"])
		checkKeys(t, what, p, realProjectKeys, requiredProjectKeys)
		checkKeys(t, what+" feature_flags", p["feature_flags"].(map[string]any), realFeatureFlags, nil)
		for _, k := range p["ssh_keys"].([]any) {
			sawHostKey = true
			checkKeys(t, what+" ssh_keys", k.(map[string]any), realHostKeyKeys, realHostKeyKeys)
		}
		for br, bo := range p["branches"].(map[string]any) {
			b := bo.(map[string]any)
			checkKeys(t, what+" branch "+br, b, realBranchKeys, set("recent_builds", "running_builds", "pusher_logins"))
			var entries []any
			for _, k := range []string{"recent_builds", "running_builds"} {
				entries = append(entries, b[k].([]any)...)
			}
			for _, k := range []string{"last_success", "last_non_success"} {
				if e, ok := b[k]; ok {
					sawLastSuccess = sawLastSuccess || k == "last_success"
					entries = append(entries, e)
				}
			}
			sawRunning = sawRunning || len(b["running_builds"].([]any)) > 0
			for _, e := range entries {
				checkKeys(t, what+" branch "+br+" build", e.(map[string]any), realBranchBuildKeys, set("build_num", "status", "outcome", "vcs_revision"))
			}
		}
	}
	for _, path := range []string{"/recent-builds?limit=100", "/recent-builds?limit=20&shallow=true"} {
		for _, b := range list(t, s, path) {
			checkKeys(t, path, b, realBuildKeys, set("build_num", "status", "lifecycle", "reponame", "username", "branch"))
		}
	}
	for _, k := range list(t, s, base+"/checkout-key") {
		checkKeys(t, "checkout key", k, realCheckoutKeyKeys, realCheckoutKeyKeys)
	}
	for _, v := range list(t, s, base+"/envvar") {
		checkKeys(t, "envvar", v, realEnvvarKeys, realEnvvarKeys)
	}
	unf := post(t, s, base+"/unfollow", "", http.StatusOK)
	checkKeys(t, "unfollow", unf, set("followed"), set("followed"))
	fol := post(t, s, base+"/follow", "", http.StatusOK)
	checkKeys(t, "follow", fol, set("followed", "first_build"), set("followed", "first_build"))
	if fb, ok := fol["first_build"].(map[string]any); ok {
		checkKeys(t, "follow first_build", fb, realBuildKeys, requiredBuildKeys)
	} else {
		t.Error("follow after unfollow: no first_build to check")
	}
	if !(sawRunning && sawLastSuccess && sawHostKey) {
		t.Errorf("shapes not covered: running_builds %v last_success %v ssh_keys %v", sawRunning, sawLastSuccess, sawHostKey)
	}
}
