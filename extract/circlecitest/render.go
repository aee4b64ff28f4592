package circlecitest

import (
	"fmt"
	"sort"
	"time"
)

var people = []struct{ login, name, email string }{
	{"asmith", "Alice Smith", "alice@acme.example"},
	{"bjones", "Bob Jones", "bob@acme.example"},
	{"cwu", "Chen Wu", "chen@acme.example"},
	{"dpatel", "Divya Patel", "divya@acme.example"},
	{"eolsen", "Erik Olsen", "erik@acme.example"},
}

var subjects = []string{"Fix flaky cache eviction", "Add pagination to search", "Bump dependencies",
	"Refactor auth middleware", "Speed up order import", "Handle empty carts", "Update README", "Retry webhooks"}

func (w *world) vcsHost(p *project) string {
	if p.vcsType == "bitbucket" {
		return "https://bitbucket.org/"
	}
	return "https://github.com/"
}

func (w *world) buildURL(b *build) string {
	vcs := "gh"
	if b.p.vcsType == "bitbucket" {
		vcs = "bb"
	}
	return fmt.Sprintf("https://circleci.com/%s/%s/%s/%d", vcs, b.p.username, b.p.reponame, b.num)
}

// commitTime is when the slot's revision was committed (a little before the push).
func (w *world) commitTime(b *build) time.Time {
	if b.s.idx < 0 {
		return b.created.Add(-3 * time.Minute)
	}
	return w.gen.slotTime(b.p.idx, b.s.idx).Add(-7 * time.Minute)
}

func (w *world) author(b *build) (login, name, email string) {
	x := h(w.gen.opts.Seed, tagMisc, strHash(b.s.revision))
	pp := people[x%uint64(len(people))]
	return pp.login, pp.name, pp.email
}

func (w *world) subject(b *build) string {
	if b.r.fail == runNotRun {
		return "[ci skip] Update docs"
	}
	x := h(w.gen.opts.Seed, tagMisc, strHash(b.s.revision), 2)
	s := subjects[x%uint64(len(subjects))]
	if b.s.broken {
		s += " (wip)"
	}
	return s
}

// workflowID is the id of the workflow a run belongs to: reruns get a new one.
func (w *world) workflowID(b *build) string {
	if b.inserted {
		return uuid(w.gen.opts.Seed, tagMisc, int64(b.p.idx), int64(b.num), 11)
	}
	return uuid(w.gen.opts.Seed, tagMisc, int64(b.p.idx), int64(b.s.idx), int64(b.r.wf), int64(b.r.gen))
}

func (w *world) jobID(pi, gi int) string {
	return uuid(w.gen.opts.Seed, tagMisc, int64(pi), int64(gi), 12)
}

func (w *world) stampOrCommitDate(b *build) any {
	t := w.commitTime(b)
	if h(w.gen.opts.Seed, tagMisc, strHash(b.s.revision), 3)%2 == 0 {
		return t.In(time.FixedZone("", -8*3600)).Format("2006-01-02T15:04:05-07:00")
	}
	return stamp(t)
}

// summary renders the build as list endpoints show it; detail adds steps and circle_yml.
func (w *world) summary(b *build, tl timeline, detail bool) obj {
	seed, pi := w.gen.opts.Seed, int64(b.p.idx)
	x := h(seed, tagMisc, pi, int64(b.num), 5)
	login, name, email := w.author(b)
	legacy := b.tmpl.legacy
	inWorkflow := b.r.wf >= 0 && !legacy
	vcsURL := w.vcsHost(b.p) + b.p.username + "/" + b.p.reponame
	prev := w.previous(b)
	var ptl timeline
	if prev != nil {
		ptl = w.timeline(prev, w.now)
	}
	o := make(obj, 0, 64)
	if b.s.feature {
		o.add("compare", vcsURL+"/compare/"+b.s.revision[:12]+"^..."+b.s.revision[:12])
	} else {
		o.add("compare", nil)
	}
	if ps, pstl := w.previousSuccessful(b); ps != nil {
		o.add("previous_successful_build", obj{{"build_num", ps.num}, {"status", pstl.status}, {"build_time_millis", millisOrNil(pstl, false)}})
	} else {
		o.add("previous_successful_build", nil)
	}
	switch {
	case inWorkflow:
		o.add("build_parameters", nil)
	case b.inserted:
		o.add("build_parameters", buildParams(b))
	case x%10 < 3:
		o.add("build_parameters", obj{{"CIRCLE_JOB", "build"}})
	default:
		o.add("build_parameters", obj{})
	}
	o.add("oss", b.p.oss)
	o.add("all_commit_details_truncated", false)
	o.add("committer_date", w.stampOrCommitDate(b))
	if detail {
		o.add("steps", w.steps(b, tl))
	}
	o.add("body", "")
	if b.r.fail != runNotRun && tl.lifecycle != "scheduled" {
		o.add("usage_queued_at", stamp(tl.usageQueued))
	}
	o.add("context_ids", []string{})
	o.add("fail_reason", nil)
	o.add("retry_of", intOrNil(b.retryOf))
	o.add("reponame", b.p.reponame)
	o.add("ssh_users", sshUsers(b.sshUsers))
	o.add("build_url", w.buildURL(b))
	o.add("parallel", tl.nodes)
	switch {
	case tl.outcome == "failed" || tl.outcome == "infrastructure_fail" || tl.outcome == "timedout":
		o.add("failed", true)
	case x%5 == 0 && tl.finished:
		o.add("failed", false)
	default:
		o.add("failed", nil)
	}
	o.add("branch", b.s.branch)
	o.add("username", b.p.username)
	o.add("author_date", w.stampOrCommitDate(b))
	o.add("why", b.why)
	if b.apiUser {
		o.add("user", obj{{"is_user", false}, {"login", "none"}})
	} else {
		u := obj{{"is_user", true}, {"login", login}, {"avatar_url", "https://avatars.example/" + login}, {"name", name}, {"vcs_type", b.p.vcsType}, {"id", int(h(seed, strHash(login)) % 9000000)}}
		if x%7 == 0 {
			u[3].v = nil
		}
		o.add("user", u)
	}
	o.add("vcs_revision", b.s.revision)
	if inWorkflow {
		o.add("workflows", w.workflows(b))
	}
	o.add("owners", []string{b.p.username})
	o.add("vcs_tag", strOrNil(b.tag))
	if b.s.feature && !legacy {
		o.add("pull_requests", []obj{{{"head_sha", b.s.revision}, {"url", fmt.Sprintf("%s/pull/%d", vcsURL, 100+b.s.idx/4)}}})
	} else {
		o.add("pull_requests", []obj{})
	}
	o.add("build_num", b.num)
	o.add("infrastructure_fail", tl.outcome == "infrastructure_fail")
	o.add("committer_email", email)
	o.add("has_artifacts", len(w.artifactPaths(b, tl)) > 0)
	if prev != nil {
		o.add("previous", obj{{"build_num", prev.num}, {"status", ptl.status}, {"build_time_millis", millisOrZero(ptl)}})
	} else {
		o.add("previous", nil)
	}
	o.add("status", tl.status)
	o.add("committer_name", name)
	if len(b.retries) > 0 {
		o.add("retries", b.retries)
	} else {
		o.add("retries", nil)
	}
	o.add("subject", w.subject(b))
	o.add("vcs_type", b.p.vcsType)
	o.add("timedout", tl.outcome == "timedout")
	o.add("dont_build", nil)
	o.add("lifecycle", tl.lifecycle)
	o.add("no_dependency_cache", b.cacheMiss)
	o.add("stop_time", stamp(tl.stop))
	o.add("ssh_disabled", !b.ssh)
	o.add("build_time_millis", millisOrNil(tl, x%6 == 0))
	o.add("picard", w.picard(b, tl, x))
	if detail {
		o.add("circle_yml", obj{{"string", w.circleYML(b)}})
	}
	o.add("messages", []obj{})
	o.add("is_first_green_build", false)
	o.add("job_name", nil)
	o.add("start_time", stamp(tl.start))
	o.add("canceled", tl.outcome == "canceled")
	switch {
	case !legacy:
		o.add("platform", "2.0")
	case x%3 != 0:
		o.add("platform", "1.0")
	}
	if tl.outcome == "" {
		o.add("outcome", nil)
	} else {
		o.add("outcome", tl.outcome)
	}
	o.add("vcs_url", vcsURL)
	o.add("author_name", name)
	if legacy && tl.lifecycle != "not_run" {
		o.add("node", []obj{{{"image_id", "circletar-0030-13e2d-20160823T171556Z"}, {"port", 64700 + int(x%100)}, {"public_ip_addr", fmt.Sprintf("54.%d.%d.%d", x%200, (x>>8)%250, (x>>16)%250)}, {"username", "ubuntu"}}})
	} else {
		o.add("node", nil)
	}
	if b.r.fail != runNotRun && tl.lifecycle != "scheduled" {
		o.add("queued_at", stamp(tl.queued))
	}
	o.add("canceler", nil)
	o.add("author_email", email)
	if detail {
		o.add("all_commit_details", []obj{{
			{"committer_date", w.stampOrCommitDate(b)}, {"body", ""}, {"branch", b.s.branch},
			{"author_date", w.stampOrCommitDate(b)}, {"committer_email", email}, {"commit", b.s.revision},
			{"committer_login", login}, {"committer_name", name}, {"subject", w.subject(b)},
			{"commit_url", vcsURL + "/commit/" + b.s.revision}, {"author_login", login},
			{"author_name", name}, {"author_email", email}}})
	}
	return o
}

// shallow is the reduced summary returned with shallow=true.
func (w *world) shallow(b *build, tl timeline) obj {
	full := w.summary(b, tl, false)
	keep := map[string]bool{"committer_date": true, "body": true, "usage_queued_at": true, "reponame": true,
		"build_url": true, "parallel": true, "branch": true, "username": true, "author_date": true, "why": true,
		"user": true, "vcs_revision": true, "workflows": true, "vcs_tag": true, "build_num": true,
		"committer_email": true, "status": true, "committer_name": true, "subject": true, "dont_build": true,
		"lifecycle": true, "stop_time": true, "build_time_millis": true, "start_time": true, "platform": true,
		"outcome": true, "vcs_url": true, "author_name": true, "queued_at": true, "author_email": true}
	var o obj
	for _, e := range full {
		if keep[e.k] {
			o = append(o, e)
		}
	}
	return o
}

func (w *world) workflows(b *build) obj {
	pi := b.p.idx
	var jobID string
	var up []string
	if b.inserted {
		jobID = uuid(w.gen.opts.Seed, tagMisc, int64(pi), int64(b.num), 13)
	} else {
		jobID = w.jobID(pi, w.genIndexOf(b))
		for _, g := range b.upNums {
			up = append(up, w.jobID(pi, g))
		}
	}
	if up == nil {
		up = []string{}
	}
	name := "build-test-deploy"
	if b.r.wf > 0 {
		name = fmt.Sprintf("nightly-e2e-%d", b.r.wf)
	}
	return obj{{"job_name", b.r.job}, {"job_id", jobID}, {"workflow_id", w.workflowID(b)},
		{"workspace_id", uuid(w.gen.opts.Seed, tagMisc, int64(pi), int64(b.s.idx), int64(b.r.wf), 0)},
		{"upstream_job_ids", up}, {"upstream_concurrency_map", obj{}}, {"workflow_name", name}}
}

// genIndexOf recovers a generated build's index from its slot and run.
func (w *world) genIndexOf(b *build) int {
	st := w.gen.plans[b.p.idx].starts[b.s.idx]
	for k := range b.s.runs {
		if b.s.runs[k].job == b.r.job && b.s.runs[k].attempt == b.r.attempt && b.s.runs[k].wf == b.r.wf {
			return st + k
		}
	}
	return st
}

func (w *world) picard(b *build, tl timeline, x uint64) any {
	if b.tmpl.legacy || tl.lifecycle == "not_running" || tl.lifecycle == "not_run" || tl.lifecycle == "scheduled" || x%13 == 0 {
		return nil
	}
	rc := b.tmpl.resource
	spec := resourceClasses[rc]
	var cpu any = spec[0]
	if x%2 == 0 {
		cpu = float(spec[0])
	}
	return obj{
		{"build_agent", obj{{"image", "circleci/picard:1.0.11727-372ee4e9"}, {"properties", obj{
			{"availability_zone", "us-east-1" + string(rune('a'+x%4))}, {"instance_id", "i-0" + hexID(w.gen.opts.Seed, 16, int64(x))},
			{"instance_ip", fmt.Sprintf("10.0.%d.%d", x%250, (x>>8)%250)}, {"build_agent", "1.0.11727-372ee4e9"}}}}},
		{"resource_class", obj{{"cpu", cpu}, {"ram", spec[1]}, {"class", rc}}},
		{"executor", "docker"},
	}
}

func (w *world) circleYML(b *build) string {
	if b.tmpl.legacy {
		return "test:\n  override:\n    - bundle exec rspec\n"
	}
	return "version: 2.1\njobs:\n  build: {docker: [{image: cimg/go:1.26}]}\n  test: {parallelism: " +
		fmt.Sprint(b.p.testParallel) + "}\nworkflows:\n  build-test-deploy:\n    jobs: [build, test, lint, deploy]\n"
}

// buildParams renders a triggered build's build_parameters; CIRCLE_JOB names its job.
func buildParams(b *build) obj {
	keys := make([]string, 0, len(b.params)+1)
	for k := range b.params {
		keys = append(keys, k)
	}
	if _, ok := b.params["CIRCLE_JOB"]; !ok {
		keys = append(keys, "CIRCLE_JOB")
	}
	sort.Strings(keys)
	o := make(obj, 0, len(keys))
	for _, k := range keys {
		v, ok := b.params[k]
		if !ok {
			v = b.r.job
		}
		o.add(k, v)
	}
	return o
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func intOrNil(n int) any {
	if n == 0 {
		return nil
	}
	return n
}

func boolOrNil(b bool) any {
	if b {
		return true
	}
	return nil
}

func sshUsers(u []string) []obj {
	out := []obj{}
	for _, l := range u {
		out = append(out, obj{{"github_id", int(strHash(l) & 0xffffff)}, {"login", l}})
	}
	return out
}

func millisOrNil(tl timeline, asFloat bool) any {
	if tl.start.IsZero() || tl.stop.IsZero() {
		return nil
	}
	ms := int(tl.stop.Sub(tl.start) / time.Millisecond)
	if asFloat {
		return float(ms)
	}
	return ms
}

func millisOrZero(tl timeline) any {
	if v := millisOrNil(tl, false); v != nil {
		return v
	}
	return 0
}
