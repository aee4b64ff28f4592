package queries_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/buildlake/buildlake/queries"
)

var sqlBlockRE = regexp.MustCompile("(?s)```sql\n(.*?)```")

// TestDocsExamplesRun runs every SQL example of docs/queries.md against a small database, so the
// documented views and columns cannot drift from views.sql.
func TestDocsExamplesRun(t *testing.T) {
	text, err := os.ReadFile(filepath.Join("..", "docs", "queries.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := sqlBlockRE.FindAllStringSubmatch(string(text), -1)
	if len(blocks) < 9 {
		t.Fatalf("%d SQL examples, want one per question (9)", len(blocks))
	}
	db := openFixture(t, "slowest-steps")
	for _, b := range blocks {
		if _, err := queries.RunSQL(context.Background(), db, b[1]); err != nil {
			t.Errorf("%v\n%s", err, b[1])
		}
	}
}
