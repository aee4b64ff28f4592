package export

import "testing"

// TestPartitionDateMatchesDoc keeps the documented expression and the one the queries use equal.
func TestPartitionDateMatchesDoc(t *testing.T) {
	if got := partitionDate(""); got != PartitionDateSQL {
		t.Errorf("partitionDate(\"\") = %s\nwant %s", got, PartitionDateSQL)
	}
	if got, want := partitionDate("b"), "CAST(coalesce(b.usage_queued_at, b.queued_at, b.start_time, b.stop_time, b.extracted_at, TIMESTAMP '1970-01-01') AS DATE)"; got != want {
		t.Errorf("partitionDate(b) = %s", got)
	}
}
