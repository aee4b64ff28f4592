package schedules

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// health tracks each job's last success for /healthz.
type health struct {
	mu      sync.Mutex
	started time.Time // process start: the grace before a job's first success
	maxAge  map[string]time.Duration
	last    map[string]time.Time // last successful run's end
	status  map[string]string    // last run's status, for the reason text
	now     func() time.Time
}

func newHealth(jobs []Job, started time.Time, now func() time.Time) *health {
	h := &health{started: started, maxAge: map[string]time.Duration{}, last: map[string]time.Time{},
		status: map[string]string{}, now: now}
	for _, j := range jobs {
		if j.maxAge > 0 {
			h.maxAge[j.Name] = j.maxAge
		}
	}
	return h
}

// seed sets a job's last success as recorded in sync_runs by an earlier process.
func (h *health) seed(job string, at time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.last[job] = at
}

// finished records the end of a run of job.
func (h *health) finished(job, status string, at time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.status[job] = status
	if status == "success" && at.After(h.last[job]) {
		h.last[job] = at
	}
}

// jobHealth is one job's entry in the /healthz body.
type jobHealth struct {
	Job         string     `json:"job"`
	Healthy     bool       `json:"healthy"`
	MaxAge      string     `json:"max_age"`
	LastSuccess *time.Time `json:"last_success,omitempty"`
	LastStatus  string     `json:"last_status,omitempty"`
	Reason      string     `json:"reason,omitempty"`
}

// healthReport is the /healthz body.
type healthReport struct {
	Status string      `json:"status"` // ok | unhealthy
	Jobs   []jobHealth `json:"jobs"`
}

// report judges every job that has a max_age: healthy while its last success or the process
// start, whichever is later, is younger than max_age (so a restart gets max_age to succeed).
func (h *health) report(jobs []Job) healthReport {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := h.now()
	r := healthReport{Status: "ok", Jobs: []jobHealth{}}
	for _, j := range jobs {
		maxAge, ok := h.maxAge[j.Name]
		if !ok {
			continue
		}
		jh := jobHealth{Job: j.Name, Healthy: true, MaxAge: maxAge.String(), LastStatus: h.status[j.Name]}
		last, ok := h.last[j.Name]
		if ok {
			t := last.UTC()
			jh.LastSuccess = &t
		}
		switch {
		case now.Sub(h.started) <= maxAge:
			// Start-up grace: the jobs have had less than max_age to succeed in this process.
		case ok && now.Sub(last) > maxAge:
			jh.Healthy = false
			jh.Reason = fmt.Sprintf("last success %s ago (at %s) is older than max_age %s", now.Sub(last).Round(time.Second), rfc3339(last), maxAge)
		case !ok:
			jh.Healthy = false
			jh.Reason = fmt.Sprintf("no successful run yet, and start-up was %s ago, longer than max_age %s", now.Sub(h.started).Round(time.Second), maxAge)
		}
		if !jh.Healthy {
			r.Status = "unhealthy"
			if s := h.status[j.Name]; s != "" {
				jh.Reason += "; last run: " + s
			}
		}
		r.Jobs = append(r.Jobs, jh)
	}
	return r
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// serveHealth answers 200 when every job with a max_age is fresh, else 503; the JSON body says
// which job and why either way.
func (s *Scheduler) serveHealth(w http.ResponseWriter, _ *http.Request) {
	r := s.health.report(s.cfg.Jobs)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if r.Status != "ok" {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(r)
}
