package schedules

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"strings"
	"time"

	_ "time/tzdata" // time zones also in images without /usr/share/zoneinfo

	"github.com/robfig/cron/v3"
)

// cronParser accepts 5 fields, descriptors such as @hourly, and @every 30s (cron.ParseStandard's
// grammar, kept explicit so that the scheduler and the validation agree).
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// maxConcurrency is the most parallel requests a job may ask for, as sync's --concurrency.
const maxConcurrency = 256

// shortestInterval is the shortest gap between the next few firings of sched after from: a
// job's jitter must stay below it, or the delayed run still holds the job when it fires again.
func shortestInterval(sched cron.Schedule, from time.Time) time.Duration {
	prev := sched.Next(from)
	shortest := time.Duration(1<<63 - 1)
	for range 50 {
		next := sched.Next(prev)
		if next.IsZero() {
			break
		}
		shortest = min(shortest, next.Sub(prev))
		prev = next
	}
	return shortest
}

// jobName is what a job's name may contain: it becomes a metric label and part of a trigger.
var jobName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// Validate applies defaults, checks every key and resolves the schedule, durations and token.
// It reports every problem at once, each saying what to change. What works but is probably not
// meant (Warnings) does not fail it.
func (c *Config) Validate() error {
	var problems []string
	c.warnings = nil
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	if c.Host == "" {
		c.Host = DefaultHost
	}
	if u, err := url.Parse(c.Host); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("host %q: not an http(s) URL; use e.g. %s", c.Host, DefaultHost)
	}
	if c.DB == "" {
		c.DB = DefaultDB
	}
	c.token = ""
	switch {
	case c.TokenFile != "" && c.TokenEnv != "":
		bad("token_file and token_env are both set; keep only one")
	case c.TokenFile != "":
		b, err := os.ReadFile(c.TokenFile)
		switch {
		case err != nil:
			bad("token_file %q: could not read it (%v); check the path and that this user may read it", c.TokenFile, err)
		case strings.TrimSpace(string(b)) == "":
			bad("token_file %q is empty; put the CircleCI API token in it", c.TokenFile)
		default:
			c.token = strings.TrimSpace(string(b))
		}
	case c.TokenEnv != "":
		c.token = os.Getenv(c.TokenEnv)
	default:
		c.token = os.Getenv(DefaultTokenEnv)
		if c.token == "" {
			c.token = os.Getenv("CIRCLE_TOKEN")
		}
	}

	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if err := checkListen(c.Listen, c.AllowRemote); err != "" {
		bad("%s", err)
	}
	if c.Timezone == "" {
		c.Timezone = DefaultTimezone
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		bad("timezone %q: unknown time zone; use an IANA name such as UTC or Europe/Berlin", c.Timezone)
	}
	c.location = loc
	c.jitter = 0
	if c.Jitter != "" {
		if c.jitter, err = parseDuration(c.Jitter); err != nil {
			bad("jitter %q: %v", c.Jitter, err)
		}
	}
	c.grace = DefaultGracePeriod
	if c.GracePeriod != "" {
		if c.grace, err = parseDuration(c.GracePeriod); err != nil {
			bad("grace_period %q: %v", c.GracePeriod, err)
		}
	}

	if len(c.Jobs) == 0 {
		bad("jobs: none defined; add at least one job with a name and a cron spec")
	}
	seen := map[string]int{}
	for i := range c.Jobs {
		j := &c.Jobs[i]
		where := fmt.Sprintf("jobs[%d]", i)
		switch {
		case j.Name == "":
			bad("%s: name is missing; give each job a unique name such as incremental", where)
		case !jobName.MatchString(j.Name):
			bad("%s: name %q: use letters, digits, '-', '_' and '.' only", where, j.Name)
		default:
			where = fmt.Sprintf("job %q", j.Name)
			if k, dup := seen[j.Name]; dup {
				bad("job %q is defined twice (jobs[%d] and jobs[%d]); job names must be unique", j.Name, k, i)
			}
			seen[j.Name] = i
		}
		if j.Cron == "" {
			bad("%s: cron is missing; use 5 fields such as \"*/15 * * * *\", a descriptor such as @hourly, or @every 30s", where)
		} else if j.schedule, err = parseCron(j.Cron); err != nil {
			bad("%s: cron %q: %v; use 5 fields (minute hour day-of-month month day-of-week), a descriptor such as @hourly, or @every 30s", where, j.Cron, err)
		}
		j.maxAge = 0
		if j.MaxAge != "" {
			if j.maxAge, err = parseDuration(j.MaxAge); err != nil {
				bad("%s: max_age %q: %v", where, j.MaxAge, err)
			}
		}
		if j.since, err = parseSince(j.Since); err != nil {
			bad("%s: since %q: %v", where, j.Since, err)
		}
		if j.Concurrency < 0 || j.Concurrency > maxConcurrency {
			bad("%s: concurrency %d: must be 0 (the default, 16) up to %d", where, j.Concurrency, maxConcurrency)
		}
		if j.schedule != nil && c.jitter > 0 {
			if gap := shortestInterval(j.schedule, time.Now().In(loc)); c.jitter >= gap {
				c.warnings = append(c.warnings, fmt.Sprintf("%s: jitter %s is not shorter than the job's shortest interval %s, "+
					"so firings that come while a run waits out its jitter are skipped; lower jitter or fire less often", where, c.jitter, gap))
			}
		}
		if j.Rate < 0 {
			bad("%s: rate %g: must be 0 (adaptive) or a positive number of requests per second", where, j.Rate)
		}
		for _, p := range j.Projects {
			if parts := strings.Split(p, "/"); len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
				bad("%s: project %q: use vcs_type/org/repo, e.g. github/acme/api", where, p)
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w:\n  %s", errInvalidConfig, strings.Join(problems, "\n  "))
	}
	c.validated = true
	return nil
}

// Token is the resolved CircleCI token (empty for F/OSS-only access). Callers need it only to
// redact it from what they print.
func (c *Config) Token() string { return c.token }

// Warnings are the settings Validate accepted that are probably not meant; New logs each.
func (c *Config) Warnings() []string { return c.warnings }

// parseCron parses a spec; the parser panics on a "TZ=" prefix without a following field.
func parseCron(spec string) (s cron.Schedule, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("malformed spec")
		}
	}()
	return cronParser.Parse(spec)
}

// checkListen returns why addr may not be listened on, or "".
func checkListen(addr string, allowRemote bool) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return fmt.Sprintf("listen %q: not a host:port address; use e.g. %s", addr, DefaultListen)
	}
	if allowRemote {
		return ""
	}
	if host == "localhost" {
		return ""
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return ""
	}
	return fmt.Sprintf("listen %q is not a loopback address: /metrics and /healthz would be reachable from other hosts; use 127.0.0.1:PORT, or set allow_remote: true to mean it", addr)
}

// yamlKeys lists a struct's YAML keys, for the unknown-key message.
func yamlKeys(v any) string {
	t := reflect.TypeOf(v)
	var keys []string
	for i := range t.NumField() {
		if k, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); k != "" {
			keys = append(keys, k)
		}
	}
	return strings.Join(keys, ", ")
}
