package extract

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"strconv"
	"strings"
)

var errSlug = errors.New("could not parse the project slug")

// projectPath returns the escaped /project/:vcs/:user/:repo path for a slug vcs/user/repo.
func projectPath(slug string) (string, error) {
	parts := strings.Split(slug, "/")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return "", fmt.Errorf("%w %q: want vcs/user/repo, e.g. github/acme/api", errSlug, slug)
	}
	return "/project/" + url.PathEscape(parts[0]) + "/" + url.PathEscape(parts[1]) + "/" + url.PathEscape(parts[2]), nil
}

// ListBuildPages iterates over the project's builds, newest first, one page of PageSize at a
// time, until a short page. An error is yielded once and ends the iteration.
func (c *Client) ListBuildPages(ctx context.Context, projectSlug string, o ListOptions) iter.Seq2[[]Build, error] {
	path, err := projectPath(projectSlug)
	if err != nil {
		return func(yield func([]Build, error) bool) { yield(nil, err) }
	}
	if o.Branch != "" {
		path += "/tree/" + url.PathEscape(o.Branch)
	}
	return pages(ctx, o.Offset, func(ctx context.Context, offset int) ([]Build, error) {
		return fetch(ctx, c, "builds", path, o.query(offset), DecodeBuildList)
	})
}

// ListBuilds iterates over the project's builds one at a time; see ListBuildPages.
func (c *Client) ListBuilds(ctx context.Context, projectSlug string, o ListOptions) iter.Seq2[Build, error] {
	return items(c.ListBuildPages(ctx, projectSlug, o))
}

// RecentBuilds iterates over the recent builds of every followed project (GET /recent-builds).
// o.Branch does not apply to this endpoint and is ignored.
func (c *Client) RecentBuilds(ctx context.Context, o ListOptions) iter.Seq2[Build, error] {
	return items(pages(ctx, o.Offset, func(ctx context.Context, offset int) ([]Build, error) {
		return fetch(ctx, c, "recent-builds", "/recent-builds", o.query(offset), DecodeBuildList)
	}))
}

// GetBuild returns one build's full details, with steps and actions.
func (c *Client) GetBuild(ctx context.Context, projectSlug string, buildNum int64) (Build, error) {
	path, err := projectPath(projectSlug)
	if err != nil {
		return Build{}, err
	}
	return fetch(ctx, c, "details", path+"/"+strconv.FormatInt(buildNum, 10), nil, DecodeBuild)
}
