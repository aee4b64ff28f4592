package pipeline

import (
	"context"
	"strings"
	"time"

	"github.com/buildlake/buildlake/extract"
	"github.com/buildlake/buildlake/load"
)

// paceMaxAge is how long a saved pace is trusted: a limit learned a week ago (other consumers of
// the token come and go) is a worse start than slow start.
const paceMaxAge = 7 * 24 * time.Hour

// paceHost is the sync_pace key of a host: what extract.New would talk to.
func paceHost(host string) string {
	h := strings.TrimRight(strings.TrimSpace(host), "/")
	if h == "" {
		return extract.DefaultHost
	}
	return h
}

// startPace returns where the adaptive pacer starts: the pace the last adaptive run against the
// same host ended at, when it is fresh; else the zero Pace (slow start). A fixed Rate learns and
// uses nothing. A pace that cannot be read costs only the faster start.
func (s *syncer) startPace(ctx context.Context) extract.Pace {
	if s.o.Rate > 0 {
		return extract.Pace{}
	}
	p, ok, err := s.store.Pace(ctx, paceHost(s.o.Host))
	if err != nil {
		s.log.Warn("cannot read the last run's request rate; starting slowly", "err", err)
		return extract.Pace{}
	}
	if !ok || s.o.Now().Sub(p.UpdatedAt) > paceMaxAge {
		return extract.Pace{}
	}
	return extract.Pace{Rate: p.Rate, Throttled: p.Throttled}
}

// savePace keeps the adaptive pacer's final pace for the next run against the same host.
func (s *syncer) savePace(ctx context.Context) {
	if s.client == nil || s.o.Rate > 0 || s.res.Requests == 0 {
		return
	}
	p := s.client.Pace()
	s.res.EndPace = p
	err := s.store.SavePace(ctx, load.Pace{
		Host: paceHost(s.o.Host), Rate: p.Rate, Throttled: p.Throttled, RunID: s.res.RunID, UpdatedAt: s.o.Now(),
	})
	if err != nil {
		s.log.Warn("cannot save the request rate for the next run", "err", err)
	}
}
