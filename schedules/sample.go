package schedules

import _ "embed"

//go:embed sample.yaml
var sampleConfig []byte

// SampleConfig returns the fully commented sample config that
// `buildlake schedule --print-sample-config` prints. It validates as it is.
func SampleConfig() []byte { return append([]byte(nil), sampleConfig...) }
