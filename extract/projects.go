package extract

import "context"

// Me returns the signed-in user (GET /me); it needs a user token.
func (c *Client) Me(ctx context.Context) (Me, error) {
	return fetch(ctx, c, "me", "/me", nil, DecodeMe)
}

// ListProjects returns the followed projects (GET /projects); the endpoint has no paging.
func (c *Client) ListProjects(ctx context.Context) ([]Project, error) {
	return fetch(ctx, c, "projects", "/projects", nil, DecodeProjects)
}

// Slug returns the project's vcs_type/username/reponame, or "" when a part is missing.
func (p Project) Slug() string {
	if p.VCSType.V == "" || p.Username.V == "" || p.Reponame.V == "" {
		return ""
	}
	return p.VCSType.V + "/" + p.Username.V + "/" + p.Reponame.V
}

// IsFollowed says whether the token's user follows the project: the documented `followed` key,
// or `following` when only that one is present (some captured responses carry it instead).
func (p Project) IsFollowed() OptBool {
	if p.Followed.Valid {
		return p.Followed
	}
	return p.Following
}
