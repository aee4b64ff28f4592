package circlecitest

import (
	"net/http"
	"strconv"
	"time"
)

// paging reads limit (≤ 100, default 30), offset and filter.
func paging(rw http.ResponseWriter, r *http.Request) (limit, offset int, filter string, ok bool) {
	q := r.URL.Query()
	limit, offset = 30, 0
	var err error
	if s := q.Get("limit"); s != "" {
		if limit, err = strconv.Atoi(s); err != nil || limit < 1 || limit > 100 {
			badRequest(rw, r, "limit must be an integer between 1 and 100")
			return 0, 0, "", false
		}
	}
	if s := q.Get("offset"); s != "" {
		if offset, err = strconv.Atoi(s); err != nil || offset < 0 {
			badRequest(rw, r, "offset must be a non-negative integer")
			return 0, 0, "", false
		}
	}
	filter = q.Get("filter")
	switch filter {
	case "", "completed", "successful", "failed", "running":
	default:
		badRequest(rw, r, "filter must be one of completed, successful, failed, running")
		return 0, 0, "", false
	}
	return limit, offset, filter, true
}

func matches(filter string, tl timeline) bool {
	switch filter {
	case "completed":
		return tl.finished
	case "successful":
		return tl.outcome == "success"
	case "failed":
		return tl.outcome == "failed" || tl.outcome == "timedout" || tl.outcome == "infrastructure_fail"
	case "running":
		return tl.lifecycle == "running" || tl.lifecycle == "queued" || tl.lifecycle == "not_running" || tl.lifecycle == "scheduled"
	}
	return true
}

type listed struct {
	b  *build
	tl timeline
}

// page walks a project's builds newest first and returns one page.
func (w *world) page(pi int, branch, filter string, limit, offset int) []listed {
	var out []listed
	total := w.total(pi)
	if branch == "" && filter == "" {
		for n := total - offset; n >= 1 && len(out) < limit; n-- {
			b, _ := w.resolve(pi, n)
			out = append(out, listed{b, w.timeline(b, w.now)})
		}
		return out
	}
	skip := offset
	for n := total; n >= 1 && len(out) < limit; n-- {
		b, _ := w.resolve(pi, n)
		if branch != "" && b.s.branch != branch {
			continue
		}
		tl := w.timeline(b, w.now)
		if !matches(filter, tl) {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		out = append(out, listed{b, tl})
	}
	return out
}

// unorder swaps some neighbours, as real pages come back 225, 226, 224.
func (w *world) unorder(page []listed) {
	for k := 0; k+1 < len(page); k++ {
		if h(w.gen.opts.Seed, tagSwap, int64(page[k].b.p.idx), int64(page[k].b.num))%9 == 0 {
			page[k], page[k+1] = page[k+1], page[k]
			k++
		}
	}
}

func (w *world) renderPage(page []listed, shallow bool) []obj {
	w.unorder(page)
	out := make([]obj, 0, len(page))
	for _, l := range page {
		if shallow {
			out = append(out, w.shallow(l.b, l.tl))
		} else {
			out = append(out, w.summary(l.b, l.tl, false))
		}
	}
	return out
}

func (hd *Handler) list(rw http.ResponseWriter, r *http.Request, pi int) {
	limit, offset, filter, ok := paging(rw, r)
	if !ok {
		return
	}
	page := hd.w.page(pi, r.PathValue("branch"), filter, limit, offset)
	writeJSON(rw, r, http.StatusOK, hd.w.renderPage(page, r.URL.Query().Get("shallow") == "true"))
}

// recent merges every followed project's builds, newest created first.
func (hd *Handler) recent(rw http.ResponseWriter, r *http.Request, _ int) {
	limit, offset, filter, ok := paging(rw, r)
	if !ok {
		return
	}
	w := hd.w
	next := make([]int, len(w.gen.projects))
	for i := range next {
		next[i] = w.total(i)
		if !w.following[i] {
			next[i] = 0
		}
	}
	var page []listed
	skip := offset
	for len(page) < limit {
		best, bestT := -1, time.Time{}
		var bestB *build
		for i := range next {
			if next[i] < 1 {
				continue
			}
			b, _ := w.resolve(i, next[i])
			if best < 0 || b.created.After(bestT) {
				best, bestT, bestB = i, b.created, b
			}
		}
		if best < 0 {
			break
		}
		next[best]--
		tl := w.timeline(bestB, w.now)
		if !matches(filter, tl) {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		page = append(page, listed{bestB, tl})
	}
	writeJSON(rw, r, http.StatusOK, w.renderPage(page, r.URL.Query().Get("shallow") == "true"))
}

func (hd *Handler) me(rw http.ResponseWriter, r *http.Request, _ int) {
	w := hd.w
	var heroku any // masked as a 2016 capture shows: every character but dashes and the last 4 is x
	if k := w.herokuKey; k != "" {
		m := []byte(k)
		for i := range m[:max(0, len(m)-4)] {
			if m[i] != '-' {
				m[i] = 'x'
			}
		}
		heroku = string(m)
	}
	projects := obj{}
	for i, p := range w.gen.projects {
		if w.following[i] {
			projects.add(w.vcsHost(p)+p.username+"/"+p.reponame, obj{{"on_dashboard", true}, {"emails", "default"}})
		}
	}
	writeJSON(rw, r, http.StatusOK, obj{
		{"enrolled_betas", []string{}}, {"in_beta_program", false}, {"selected_email", "alice@acme.example"},
		{"avatar_url", "https://avatars.example/asmith"}, {"trial_end", stamp(time.Date(2020, 3, 1, 0, 0, 0, 0, time.UTC))},
		{"basic_email_prefs", "smart"}, {"sign_in_count", 42}, {"github_oauth_scopes", []string{"user:email", "repo"}},
		{"analytics_id", uuid(w.gen.opts.Seed, tagMisc, 41)}, {"name", "Alice Smith"}, {"gravatar_id", nil},
		{"first_vcs_authorized_client_id", nil}, {"days_left_in_trial", -1000}, {"parallelism", 1}, {"student", false},
		{"bitbucket_authorized", true}, {"github_id", 1234567}, {"bitbucket", nil}, {"dev_admin", false},
		{"all_emails", []string{"alice@acme.example"}}, {"created_at", stamp(time.Date(2016, 5, 4, 10, 0, 0, 0, time.UTC))},
		{"plan", nil}, {"heroku_api_key", heroku}, {"user_key_fingerprint", strOrNil(w.userKeyFP)}, {"identities", obj{{"github", obj{{"avatar_url", "https://avatars.example/asmith"}, {"external_id", 1234567}, {"id", 1234567}, {"name", "Alice Smith"}, {"user?", true}, {"domain", "github.com"}, {"type", "github"}, {"authorized?", true}, {"provider_id", "1234567"}, {"login", "asmith"}}}}},
		{"projects", projects}, {"login", "asmith"}, {"organization_prefs", obj{}}, {"containers", 1},
		{"pusher_id", hexID(w.gen.opts.Seed, 40, 42)}, {"num_projects_followed", len(projects)}, {"admin", false},
	})
}

// listProjects is GET /projects: the followed projects with per-branch build summaries.
func (hd *Handler) listProjects(rw http.ResponseWriter, r *http.Request, _ int) {
	w := hd.w
	out := []obj{}
	for i, p := range w.gen.projects {
		if !w.following[i] {
			continue // the real endpoint lists only the projects the user follows
		}
		branches := obj{}
		seen := map[string][]listed{}
		var order []string
		for n := w.total(i); n >= 1 && n > w.total(i)-60; n-- {
			b, _ := w.resolve(i, n)
			if _, ok := seen[b.s.branch]; !ok {
				order = append(order, b.s.branch)
			}
			if len(seen[b.s.branch]) < 5 {
				seen[b.s.branch] = append(seen[b.s.branch], listed{b, w.timeline(b, w.now)})
			}
		}
		for _, br := range order {
			var recent, running []obj
			var lastSuccess, lastNonSuccess any
			for _, l := range seen[br] {
				e := obj{{"outcome", strOrNil(l.tl.outcome)}, {"status", l.tl.status}, {"build_num", l.b.num},
					{"vcs_revision", l.b.s.revision}, {"pushed_at", stamp(w.commitTime(l.b))},
					{"is_workflow_job", l.b.r.wf >= 0 && !l.b.tmpl.legacy}, {"is_2_0_job", !l.b.tmpl.legacy}, {"added_at", stamp(l.b.created)}}
				recent = append(recent, e)
				if !l.tl.finished {
					running = append(running, e)
				} else if l.tl.outcome == "success" && lastSuccess == nil {
					lastSuccess = e
				} else if l.tl.outcome != "success" && lastNonSuccess == nil {
					lastNonSuccess = e
				}
			}
			if running == nil {
				running = []obj{}
			}
			bo := obj{{"pusher_logins", []string{people[len(br)%len(people)].login}}, {"running_builds", running}, {"recent_builds", recent}}
			if lastSuccess != nil {
				bo.add("last_success", lastSuccess)
			}
			if lastNonSuccess != nil {
				bo.add("last_non_success", lastNonSuccess)
			}
			branches.add(br, bo)
		}
		sshKeys := make([]obj, 0, len(w.sshKeys[i]))
		for _, k := range w.sshKeys[i] {
			sshKeys = append(sshKeys, k.json())
		}
		out = append(out, obj{
			{"irc_server", nil}, {"ssh_keys", sshKeys}, {"scopes", []string{"write-settings", "view-builds", "read-settings", "trigger-builds", "all", "status", "none"}},
			{"irc_keyword", nil}, {"slack_integration_channel", nil}, {"branches", branches}, {"oss", p.oss},
			{"reponame", p.reponame}, {"dependencies", ""}, {"aws", obj{{"keypair", nil}}}, {"slack_webhook_url", nil},
			{"irc_channel", nil}, {"parallel", p.testParallel}, {"campfire_subdomain", nil}, {"username", p.username},
			{"slack_integration_access_token", nil}, {"followed", true}, {"vcs_type", p.vcsType},
			{"default_branch", p.defaultBranch}, {"vcs_url", w.vcsHost(p) + p.username + "/" + p.reponame},
			{"language", p.language}, {"has_usable_key", true},
			{"feature_flags", obj{{"builds-service", true}, {"oss", p.oss}, {"osx", false}, {"set-github-status", true}, {"build-prs-only", false}, {"fleet", nil}}},
		})
	}
	writeJSON(rw, r, http.StatusOK, out)
}

func strOrNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}
