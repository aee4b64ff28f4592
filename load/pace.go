package load

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

var errPace = errors.New("could not use sync_pace")

// Pace is one sync_pace row: the request rate a run's adaptive pacer ended at against Host, and
// whether the server throttled it (then the rate sits just under the server's limit).
type Pace struct {
	Host      string
	Rate      float64
	Throttled bool
	RunID     string
	UpdatedAt time.Time
}

// Pace returns the pace last saved for host; ok is false when none was.
func (s *Store) Pace(ctx context.Context, host string) (p Pace, ok bool, err error) {
	var runID sql.NullString
	err = s.db.QueryRowContext(ctx, `SELECT host, rate_per_second, throttled, run_id, updated_at FROM sync_pace WHERE host = ?`, host).
		Scan(&p.Host, &p.Rate, &p.Throttled, &runID, &p.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Pace{}, false, nil
	}
	if err != nil {
		return Pace{}, false, fmt.Errorf("%w: %w", errPace, err)
	}
	p.RunID, p.UpdatedAt = runID.String, p.UpdatedAt.UTC()
	return p, true, nil
}

// SavePace replaces host's pace.
func (s *Store) SavePace(ctx context.Context, p Pace) error {
	if p.UpdatedAt.IsZero() {
		p.UpdatedAt = time.Now()
	}
	_, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO sync_pace VALUES (?, ?, ?, ?, ?)`,
		p.Host, p.Rate, p.Throttled, nullString(p.RunID), p.UpdatedAt.UTC())
	if err != nil {
		return fmt.Errorf("%w: %w", errPace, err)
	}
	return nil
}
