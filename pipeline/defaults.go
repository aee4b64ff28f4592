package pipeline

import (
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/buildlake/buildlake/extract"
	"github.com/buildlake/buildlake/transform"
)

// DefaultHorizon is how far back a first run reads when Since is not given.
const DefaultHorizon = 90 * 24 * time.Hour

func (o Options) withDefaults() Options {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Since.IsZero() {
		o.Since = o.Now().Add(-DefaultHorizon)
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 16
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.Trigger == "" {
		o.Trigger = "cli"
	}
	return o
}

// newRunID is sortable by start time and unique across processes.
func newRunID(now time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// projectSlug is vcs_type/username/reponame; /projects may omit vcs_type, which vcs_url then tells.
func projectSlug(p extract.Project) string {
	vcs := p.VCSType.V
	if vcs == "" {
		switch u := p.VCSURL.V; {
		case strings.Contains(u, "bitbucket.org"):
			vcs = "bitbucket"
		default:
			vcs = "github"
		}
	}
	if p.Username.V == "" || p.Reponame.V == "" {
		return ""
	}
	return transform.ProjectSlug(vcs, p.Username.V, p.Reponame.V)
}
