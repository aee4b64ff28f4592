package extract

import (
	"context"
	"strconv"
)

// ListTests returns a build's test metadata (GET …/:build_num/tests).
func (c *Client) ListTests(ctx context.Context, projectSlug string, buildNum int64) (TestsResponse, error) {
	path, err := projectPath(projectSlug)
	if err != nil {
		return TestsResponse{}, err
	}
	return fetch(ctx, c, "tests", path+"/"+strconv.FormatInt(buildNum, 10)+"/tests", nil, DecodeTests)
}
