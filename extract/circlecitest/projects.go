package circlecitest

import (
	"fmt"
	"time"
)

// project is one simulated project and its injected behaviour.
type project struct {
	idx           int
	vcsType       string
	username      string
	reponame      string
	slug          string
	oss           bool
	defaultBranch string
	legacy        bool // 1.0 builds only (no workflows)
	testParallel  int
	tests         []testCase
	flaky         []flakyTest
	flakyJob      string // job that fails without a test cause and passes on retry
	flakyJobRate  float64
	language      string
}

type testCase struct {
	classname string
	name      string
	file      string // "" renders as null
	skipped   bool
}

type flakyTest struct {
	test int
	rate float64
}

var repoNames = []string{"api", "web", "legacy", "billing", "search", "mobile", "infra", "docs"}

var featureWords = []string{"login", "cache", "retry", "search", "billing", "deps", "ui", "perf", "auth", "export"}

func newProjects(o Options) []*project {
	ps := make([]*project, o.Projects)
	for i := range ps {
		p := &project{idx: i, vcsType: "github", username: "acme", defaultBranch: "main", language: "Go"}
		name := repoNames[i%len(repoNames)]
		if i >= len(repoNames) {
			name = fmt.Sprintf("%s-%d", name, i)
		}
		p.reponame = name
		switch i {
		case 1:
			p.oss, p.defaultBranch, p.language = true, "master", "JavaScript"
			p.flakyJob, p.flakyJobRate = "lint", 0.15
		case 2:
			p.vcsType, p.legacy, p.defaultBranch, p.language = "bitbucket", true, "master", "Ruby"
		default:
			p.flakyJob, p.flakyJobRate = "build", 0.12
		}
		p.slug = p.vcsType + "/" + p.username + "/" + p.reponame
		p.testParallel = 1 + int(h(o.Seed, tagProject, int64(i))%uint64(o.Parallelism))
		if i == 0 {
			p.testParallel = o.Parallelism
		}
		p.tests = makeTests(o, p)
		nFlaky := 2
		if len(p.tests) < 6 {
			nFlaky = 1
		}
		for k := range nFlaky {
			t := (3 + 7*k + i) % len(p.tests)
			p.tests[t].skipped = false
			rate := 0.10 + 0.12*unit(h(o.Seed, tagFlakyTest, int64(i), int64(k)))
			p.flaky = append(p.flaky, flakyTest{test: t, rate: rate})
		}
		ps[i] = p
	}
	return ps
}

func makeTests(o Options, p *project) []testCase {
	n := o.TestsPerJob
	ts := make([]testCase, n)
	for t := range ts {
		x := h(o.Seed, tagProject, int64(p.idx), int64(t), 7)
		mod := []string{"users", "orders", "auth", "cache", "search", "billing"}[t%6]
		var tc testCase
		switch {
		case p.legacy:
			tc = testCase{classname: "spec." + mod + "_spec", name: fmt.Sprintf("%s handles case %d", mod, t), file: "spec/" + mod + "_spec.rb"}
		case p.language == "JavaScript":
			tc = testCase{classname: "", name: fmt.Sprintf("%s › renders case %d", mod, t), file: "src/" + mod + ".test.js"}
		default:
			tc = testCase{classname: "github.com/acme/" + p.reponame + "/" + mod, name: fmt.Sprintf("Test%s%d", title(mod), t), file: "internal/" + mod + "/" + mod + "_test.go"}
		}
		if x%9 == 0 {
			tc.file = ""
		}
		tc.skipped = t%17 == 16
		ts[t] = tc
	}
	return ts
}

func title(s string) string { return string(s[0]-32) + s[1:] }

// stepTemplate is one step of a job with its nominal duration on one node.
type stepTemplate struct {
	name       string
	typ        string // action type (1.0 only; 2.0 actions are all "test")
	millis     int
	background bool
	parallel   bool // work split across nodes
}

// jobTemplate describes a job: its steps and how many nodes it runs on.
type jobTemplate struct {
	name       string
	steps      []stepTemplate
	hasTests   bool
	artifacts  []string
	failStep   int // index of the step that fails when the job fails without a test cause
	testStep   int // index of the step that runs the tests
	resource   string
	legacy     bool
	parallelOf func(*project) int
}

var (
	spinUp  = stepTemplate{name: "Spin up environment", millis: 9000}
	prepEnv = stepTemplate{name: "Preparing environment variables", millis: 120}
	chk     = stepTemplate{name: "Checkout code", millis: 2500}
)

func jobTemplateFor(p *project, name string) jobTemplate {
	one := func(*project) int { return 1 }
	switch {
	case p.legacy:
		return jobTemplate{name: "build", legacy: true, hasTests: true, failStep: 5, testStep: 6, resource: "",
			parallelOf: func(p *project) int { return min(p.testParallel, 2) },
			artifacts:  []string{"coverage/index.html", "log/test.log"},
			steps: []stepTemplate{
				{name: "Starting the build", typ: "infrastructure", millis: 1800},
				{name: "Start container", typ: "infrastructure", millis: 6000},
				{name: "Enable SSH", typ: "infrastructure", millis: 400},
				{name: "Restore source cache", typ: "checkout", millis: 2000},
				{name: "Checkout using deploy key: 12:34:56:78:9a:bc:de:f0", typ: "checkout", millis: 3000},
				{name: "bundle install", typ: "dependencies", millis: 25000},
				{name: "bundle exec rspec", typ: "test", millis: 90000, parallel: true},
				{name: "Collect test metadata", typ: "teardown", millis: 900},
				{name: "Collect artifacts", typ: "teardown", millis: 1200},
			}}
	case name == "build":
		return jobTemplate{name: name, failStep: 4, testStep: -1, resource: "medium", parallelOf: one,
			artifacts: []string{"dist/app.tar.gz"},
			steps: []stepTemplate{spinUp, prepEnv, chk, {name: "Restore cache", millis: 4000},
				{name: "Install dependencies", millis: 30000}, {name: "Build", millis: 80000},
				{name: "Save cache", millis: 5000}, {name: "Uploading artifacts", millis: 1500}}}
	case name == "test":
		return jobTemplate{name: name, hasTests: true, failStep: 5, testStep: 5, resource: "large",
			parallelOf: func(p *project) int { return p.testParallel },
			artifacts:  []string{"test-results/junit.xml", "coverage/coverage.html"},
			steps: []stepTemplate{spinUp, prepEnv, chk, {name: "Start database", millis: 600000, background: true},
				{name: "Install dependencies", millis: 20000}, {name: "Run tests", millis: 150000, parallel: true},
				{name: "Uploading test results", millis: 900}, {name: "Uploading artifacts", millis: 1100}}}
	case name == "lint":
		return jobTemplate{name: name, failStep: 4, testStep: -1, resource: "small", parallelOf: one,
			steps: []stepTemplate{spinUp, prepEnv, chk, {name: "Install dependencies", millis: 15000}, {name: "Lint", millis: 35000}}}
	case name == "deploy":
		return jobTemplate{name: name, failStep: 3, testStep: -1, resource: "medium", parallelOf: one,
			steps: []stepTemplate{spinUp, prepEnv, chk, {name: "Deploy", millis: 60000}}}
	default: // e2e-N jobs of the extra workflows
		return jobTemplate{name: name, failStep: 3, testStep: -1, resource: "xlarge", parallelOf: one,
			steps: []stepTemplate{spinUp, prepEnv, chk, {name: "End-to-end tests", millis: 110000}}}
	}
}

// resourceClasses maps a class to cpu and ram (MB).
var resourceClasses = map[string][2]int{"small": {1, 2048}, "medium": {2, 4096}, "large": {4, 8192}, "xlarge": {8, 16384}}

// queueCrunch and regression are fixed relative to the start of history.
type scenario struct {
	crunchStart, crunchEnd time.Time
	regProject             int
	regJob, regStep        string
	regDate                time.Time
	regFactor              float64
}
