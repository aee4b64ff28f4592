package extract

import (
	"context"
	"strconv"
)

// ListArtifacts returns a build's artifacts (GET …/:build_num/artifacts).
func (c *Client) ListArtifacts(ctx context.Context, projectSlug string, buildNum int64) ([]Artifact, error) {
	path, err := projectPath(projectSlug)
	if err != nil {
		return nil, err
	}
	return fetch(ctx, c, "artifacts", path+"/"+strconv.FormatInt(buildNum, 10)+"/artifacts", nil, DecodeArtifacts)
}
