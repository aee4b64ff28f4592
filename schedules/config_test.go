package schedules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSampleConfigValidates(t *testing.T) {
	t.Setenv("CIRCLECI_TOKEN", "sample-token")
	c, err := DecodeConfig(strings.NewReader(string(SampleConfig())))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(c.Jobs) != 2 || c.Jobs[0].Name != "incremental" || c.Jobs[1].since.ago != 14*24*time.Hour {
		t.Fatalf("sample jobs = %+v", c.Jobs)
	}
	if c.Token() != "sample-token" || c.location != time.UTC || c.grace != 30*time.Second || c.jitter != 30*time.Second {
		t.Fatalf("resolved: token %q location %v grace %v jitter %v", c.Token(), c.location, c.grace, c.jitter)
	}
}

func TestConfigDefaults(t *testing.T) {
	t.Setenv("CIRCLECI_TOKEN", "")
	t.Setenv("CIRCLE_TOKEN", "from-circle-token")
	c := mustValidate(t, "jobs:\n  - name: a\n    cron: '@every 30s'\n")
	if c.Host != DefaultHost || c.DB != DefaultDB || c.Listen != DefaultListen || c.Timezone != "UTC" ||
		c.grace != DefaultGracePeriod || c.jitter != 0 || c.Token() != "from-circle-token" {
		t.Fatalf("defaults not applied: %+v", c)
	}
	if next := c.Jobs[0].schedule.Next(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); next != time.Date(2026, 1, 1, 0, 0, 30, 0, time.UTC) {
		t.Fatalf("@every 30s next = %v", next)
	}
}

func TestConfigTokenFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(path, []byte("  file-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := mustValidate(t, "token_file: "+path+"\njobs:\n  - {name: a, cron: '@hourly'}\n")
	if c.Token() != "file-token" {
		t.Fatalf("token = %q", c.Token())
	}
}

func TestConfigTimezoneAndRemote(t *testing.T) {
	c := mustValidate(t, "timezone: Europe/Berlin\nlisten: 0.0.0.0:9090\nallow_remote: true\njobs:\n  - {name: a, cron: '0 3 * * *', since: 2026-01-02, max_age: 26h}\n")
	if c.location.String() != "Europe/Berlin" {
		t.Fatalf("location = %v", c.location)
	}
	// 03:00 in Berlin in winter is 02:00 UTC.
	next := c.Jobs[0].schedule.Next(time.Date(2026, 1, 1, 12, 0, 0, 0, c.location))
	if want := time.Date(2026, 1, 2, 2, 0, 0, 0, time.UTC); !next.Equal(want) {
		t.Fatalf("next = %v, want %v", next, want)
	}
	if j := c.Jobs[0]; !j.since.at(time.Now()).Equal(time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)) || j.maxAge != 26*time.Hour {
		t.Fatalf("job = %+v", j)
	}
}

func TestConfigErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such-token")
	empty := filepath.Join(t.TempDir(), "empty-token")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const job = "jobs:\n  - name: a\n    cron: '@hourly'\n"
	cases := []struct {
		name, yaml string
		want       []string
	}{
		{"unknown top-level key", "hots: x\n" + job, []string{`line 1: unknown key "hots" at the top level`, "known keys: host, token_file"}},
		{"unknown job key", "jobs:\n  - name: a\n    cron: '@hourly'\n    max-age: 1h\n", []string{`line 4: unknown key "max-age" in a job`, "max_age"}},
		{"wrong type", "jobs:\n  - name: a\n    cron: '@hourly'\n    concurrency: many\n", []string{"line 4", "many"}},
		{"empty file", "", []string{"the file is empty", "--print-sample-config"}},
		{"bad cron", "jobs:\n  - name: inc\n    cron: '*/15 * * *'\n", []string{`job "inc": cron "*/15 * * *"`, "use 5 fields"}},
		{"bad cron field", "jobs:\n  - name: inc\n    cron: '61 * * * *'\n", []string{`job "inc": cron "61 * * * *"`, "above maximum"}},
		{"bad every", "jobs:\n  - name: inc\n    cron: '@every soon'\n", []string{`job "inc": cron "@every soon"`}},
		{"malformed TZ prefix", "jobs:\n  - name: inc\n    cron: 'TZ=UTC'\n", []string{`job "inc": cron "TZ=UTC": malformed spec`}},
		{"missing cron", "jobs:\n  - name: inc\n", []string{`job "inc": cron is missing`}},
		{"duplicate names", "jobs:\n  - {name: a, cron: '@hourly'}\n  - {name: b, cron: '@daily'}\n  - {name: a, cron: '@daily'}\n", []string{`job "a" is defined twice (jobs[0] and jobs[2])`, "must be unique"}},
		{"missing name", "jobs:\n  - cron: '@hourly'\n", []string{"jobs[0]: name is missing"}},
		{"bad name", "jobs:\n  - {name: 'my job', cron: '@hourly'}\n", []string{`jobs[0]: name "my job": use letters, digits`}},
		{"no jobs", "host: https://circleci.com\n", []string{"jobs: none defined"}},
		{"unreadable token file", "token_file: " + missing + "\n" + job, []string{`token_file "` + missing + `": could not read it`, "no such file", "check the path"}},
		{"empty token file", "token_file: " + empty + "\n" + job, []string{"is empty; put the CircleCI API token in it"}},
		{"token file and env", "token_file: /x\ntoken_env: T\n" + job, []string{"token_file and token_env are both set"}},
		{"bad timezone", "timezone: Mars/Olympus\n" + job, []string{`timezone "Mars/Olympus": unknown time zone`, "IANA"}},
		{"bad jitter", "jitter: 5x\n" + job, []string{`jitter "5x": not a duration`}},
		{"bad grace", "grace_period: -3s\n" + job, []string{`grace_period "-3s": must not be negative`}},
		{"bad max_age", "jobs:\n  - {name: a, cron: '@hourly', max_age: 1 hour}\n", []string{`job "a": max_age "1 hour": not a duration; use e.g. 30s, 15m, 1h30m or 14d`}},
		{"bad since", "jobs:\n  - {name: a, cron: '@hourly', since: yesterday}\n", []string{`job "a": since "yesterday": not a date or duration`}},
		{"remote listen", "listen: 0.0.0.0:9090\n" + job, []string{`listen "0.0.0.0:9090" is not a loopback address`, "allow_remote: true"}},
		{"all interfaces", "listen: ':9090'\n" + job, []string{`listen ":9090" is not a loopback address`}},
		{"bad listen", "listen: localhost\n" + job, []string{`listen "localhost": not a host:port address`}},
		{"bad host", "host: circleci.com\n" + job, []string{`host "circleci.com": not an http(s) URL`}},
		{"negative concurrency", "jobs:\n  - {name: a, cron: '@hourly', concurrency: -1}\n", []string{`job "a": concurrency -1`}},
		{"too much concurrency", "jobs:\n  - {name: a, cron: '@hourly', concurrency: 1000}\n", []string{`job "a": concurrency 1000: must be 0 (the default, 16) up to 256`}},
		{"negative rate", "jobs:\n  - {name: a, cron: '@hourly', rate: -2}\n", []string{`job "a": rate -2`}},
		{"bad project", "jobs:\n  - {name: a, cron: '@hourly', projects: [acme/api]}\n", []string{`job "a": project "acme/api": use vcs_type/org/repo`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := DecodeConfig(strings.NewReader(tc.yaml))
			if err == nil {
				err = c.Validate()
			}
			if err == nil {
				t.Fatalf("no error for:\n%s", tc.yaml)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
		})
	}
}

func TestConfigReportsEveryProblem(t *testing.T) {
	c, err := DecodeConfig(strings.NewReader("timezone: Nowhere\njobs:\n  - {name: a, cron: bad}\n  - {name: a, cron: '@hourly', max_age: x}\n"))
	if err != nil {
		t.Fatal(err)
	}
	err = c.Validate()
	if err == nil {
		t.Fatal("no error")
	}
	for _, w := range []string{"timezone", `job "a": cron "bad"`, "defined twice", "max_age"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not mention %q", err, w)
		}
	}
}

func TestLoadConfigNamesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "schedule.yaml")
	if err := os.WriteFile(path, []byte("jobs: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadConfig(path); err == nil || !strings.HasPrefix(err.Error(), path+": invalid config") {
		t.Fatalf("err = %v", err)
	}
	if _, err := LoadConfig(path + ".missing"); err == nil || !strings.Contains(err.Error(), "could not read config") {
		t.Fatalf("err = %v", err)
	}
}

func mustValidate(t *testing.T, y string) *Config {
	t.Helper()
	c, err := DecodeConfig(strings.NewReader(y))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	return c
}

// A jitter as long as a job's interval works but skips firings: a warning, not an error.
func TestConfigWarnsOfJitterAsLongAsTheInterval(t *testing.T) {
	cases := []struct{ yaml, want string }{
		{"jitter: 1m\njobs:\n  - {name: a, cron: '@every 1m'}\n", `job "a": jitter 1m0s is not shorter than the job's shortest interval 1m0s`},
		{"jitter: 20m\njobs:\n  - {name: a, cron: '0,15 * * * *'}\n", `job "a": jitter 20m0s is not shorter than the job's shortest interval 15m0s`},
		{"jitter: 30s\njobs:\n  - {name: a, cron: '*/15 * * * *'}\n", ""},
	}
	for _, tc := range cases {
		c := mustValidate(t, tc.yaml)
		got := strings.Join(c.Warnings(), "\n")
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("%q: warnings %q, want %q", tc.yaml, got, tc.want)
		}
	}
}
