package extract

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/decode/*.golden from the decoders' output")

// decoderFor picks the decoder of a testdata case by its name prefix.
func decoderFor(name string) func([]byte) (any, error) {
	switch {
	case strings.HasPrefix(name, "build_"):
		return func(b []byte) (any, error) { return DecodeBuild(b) }
	case strings.HasPrefix(name, "list_"):
		return func(b []byte) (any, error) { return DecodeBuildList(b) }
	case strings.HasPrefix(name, "tests_"):
		return func(b []byte) (any, error) { return DecodeTests(b) }
	case strings.HasPrefix(name, "artifacts_"):
		return func(b []byte) (any, error) { return DecodeArtifacts(b) }
	case strings.HasPrefix(name, "projects_"):
		return func(b []byte) (any, error) { return DecodeProjects(b) }
	}
	return nil
}

// TestDecodeCases decodes every testdata/decode/<case>.json and compares the re-encoded result
// with <case>.golden. Cases named *_broken_* must fail with ErrDecode; their golden is the error
// kind. Run with -update after reviewing a change in the decoders.
func TestDecodeCases(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "decode", "*.json"))
	if err != nil || len(files) < 20 {
		t.Fatalf("want the decode cases in testdata/decode, got %d (%v)", len(files), err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			decode := decoderFor(name)
			if decode == nil {
				t.Fatalf("no decoder for case %s: name it build_, list_, tests_, artifacts_ or projects_", name)
			}
			in, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			v, err := decode(in)
			var got []byte
			switch {
			case strings.Contains(name, "_broken_"):
				if !errors.Is(err, ErrDecode) {
					t.Fatalf("want ErrDecode, got %v", err)
				}
				got = []byte("error: ErrDecode\n")
			case err != nil:
				t.Fatalf("decode: %v", err)
			default:
				got, err = json.MarshalIndent(v, "", "  ")
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, '\n')
			}
			golden := filepath.Join("testdata", "decode", name+".golden")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestDecodeCases -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("decoded %s differs from %s:\n got: %s\nwant: %s", file, golden, got, want)
			}
		})
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "decode", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustBuild(t *testing.T, name string) Build {
	t.Helper()
	b, err := DecodeBuild(mustRead(t, name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return b
}

// TestDecodeQuirks states the real-world quirks one by one, so a golden refreshed carelessly
// cannot hide a regression in the rules that matter.
func TestDecodeQuirks(t *testing.T) {
	ts := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v.UTC()
	}
	v2 := mustBuild(t, "build_v2_workflow.json")
	v1 := mustBuild(t, "build_v1_legacy.json")
	notRun := mustBuild(t, "build_not_run.json")
	odd := mustBuild(t, "build_numbers_odd.json")
	wrong := mustBuild(t, "build_wrong_types.json")
	unknown := mustBuild(t, "build_unknown_values.json")
	times := mustBuild(t, "build_timestamps.json")

	checks := []struct {
		name string
		got  any
		want any
	}{
		{"picard cpu 2.0", v2.Picard.ResourceClass.CPU, OptFloat{V: 2, Valid: true}},
		{"picard ram int", v2.Picard.ResourceClass.RAM, OptFloat{V: 4096, Valid: true}},
		{"workflows job_name", v2.Workflows.JobName, String("test")},
		{"workflow upstream", len(v2.Workflows.UpstreamJobIDs), 1},
		{"retries null", v2.Retries == nil, true},
		{"retry_of null", v2.RetryOf, OptInt{}},
		{"failed true", v2.Failed, Bool(true)},
		{"action failed false", v2.Steps[1].Actions[1].Failed, Bool(false)},
		{"action failed null", v2.Steps[0].Actions[0].Failed, OptBool{}},
		{"output_url absent", v2.Steps[0].Actions[1].OutputURL, OptString{}},
		{"action node index", v2.Steps[1].Actions[1].Index, Int(1)},
		{"2.0 user steps from 101", v2.Steps[1].Actions[0].Step, Int(101)},
		{"build_parameters", v2.BuildParameters["CIRCLE_JOB"], "test"},
		{"vcs_tag null", v2.VCSTag, OptString{}},
		{"queued_at with ms", v2.QueuedAt, Time(ts("2019-11-11T23:53:13.126Z"))},
		{"platform absent", v1.Platform, OptString{}},
		{"picard absent", v1.Picard == nil, true},
		{"workflows absent", v1.Workflows == nil, true},
		{"retries list with string, null, float", v1.Retries, []OptInt{Int(141), Int(142), Int(143), {}, Int(144)}},
		{"retry_of", v1.RetryOf, Int(139)},
		{"failed null", v1.Failed, OptBool{}},
		{"user name null", v1.User.Name, OptString{}},
		{"previous without time", v1.Previous.BuildTimeMillis, OptInt{}},
		{"action source", v1.Steps[1].Actions[0].Source, String("inference")},
		{"running action end null", v1.Steps[2].Actions[0].EndTime, OptTime{}},
		{"time without ms", v1.StartTime, Time(ts("2016-06-15T02:29:37Z"))},
		{"not_run queued_at missing", notRun.QueuedAt, OptTime{}},
		{"not_run usage_queued_at missing", notRun.UsageQueuedAt, OptTime{}},
		{"not_run outcome null", notRun.Outcome, OptString{}},
		{"reduced user login", notRun.User.Login, String("none")},
		{"reduced user is_user", notRun.User.IsUser, Bool(false)},
		{"reduced user name", notRun.User.Name, OptString{}},
		{"picard null on 2.0", notRun.Picard == nil, true},
		{"build_time_millis 0", notRun.BuildTimeMillis, Int(0)},
		{"build_num string", odd.BuildNum, Int(42)},
		{"parallel float", odd.Parallel, Int(2)},
		{"build_time_millis float", odd.BuildTimeMillis, Int(1234)},
		{"retry_of string", odd.RetryOf, Int(41)},
		{"retries empty list", odd.Retries, []OptInt{}},
		{"previous numbers as strings", odd.Previous.BuildTimeMillis, Int(999)},
		{"cpu string", odd.Picard.ResourceClass.CPU, OptFloat{V: 4, Valid: true}},
		{"ram float", odd.Picard.ResourceClass.RAM, OptFloat{V: 8192.5, Valid: true}},
		{"bool as string", odd.User.IsUser, Bool(true)},
		{"failed \"false\"", odd.Failed, Bool(false)},
		{"bool as 0", odd.Canceled, Bool(false)},
		{"bool as 1", odd.Timedout, Bool(true)},
		{"action index string", odd.Steps[0].Actions[0].Index, Int(1)},
		{"action exit_code string", odd.Steps[0].Actions[0].ExitCode, Int(1)},
		{"run_time_millis float", odd.Steps[0].Actions[0].RunTimeMillis, Int(12)},
		{"object where string", wrong.Subject, OptString{}},
		{"array where string", wrong.Branch, OptString{}},
		{"number where string kept as text", wrong.Status, String("7")},
		{"bool where string kept as text", wrong.Outcome, String("true")},
		{"string where steps list", wrong.Steps == nil, true},
		{"string where previous object", wrong.Previous == nil, true},
		{"number where user object", wrong.User == nil, true},
		{"number where retries list", wrong.Retries == nil, true},
		{"list where parameters object", wrong.BuildParameters == nil, true},
		{"number where time", wrong.StartTime, OptTime{}},
		{"bad time text", wrong.StopTime, OptTime{}},
		{"object where time", wrong.QueuedAt, OptTime{}},
		{"odd bool text", wrong.Failed, OptBool{}},
		{"object where int", wrong.Parallel, OptInt{}},
		{"picard with only wrong-typed fields", wrong.Picard == nil, true},
		{"fields after wrong types still decoded", wrong.VCSRevision, String("abc")},
		{"fields after wrong types: lifecycle", wrong.Lifecycle, String("finished")},
		{"unknown status kept", unknown.Status, String("quarantined")},
		{"unknown lifecycle kept", unknown.Lifecycle, String("paused")},
		{"unknown outcome kept", unknown.Outcome, String("exploded")},
		{"unknown vcs kept", unknown.VCSType, String("gitlab")},
		{"unknown action type kept", unknown.Steps[0].Actions[0].Type, String("teleport")},
		{"time without ms", times.UsageQueuedAt, Time(ts("2013-02-12T21:33:30Z"))},
		{"time with offset to UTC", times.StartTime, Time(ts("2019-11-11T23:53:14.5Z"))},
		{"time with a space", times.StopTime, Time(ts("2019-11-11T23:54:02.123Z"))},
		{"time with ns", times.Steps[0].Actions[0].StartTime, Time(ts("2019-11-11T23:53:14.123456789Z"))},
		{"time without zone is UTC", times.Steps[0].Actions[0].EndTime, Time(ts("2019-11-11T23:53:15Z"))},
	}
	for _, c := range checks {
		if !jsonEqual(t, c.got, c.want) {
			t.Errorf("%s: got %#v, want %#v", c.name, c.got, c.want)
		}
	}
	if v2.StartTime.V.Location() != time.UTC || times.StartTime.V.Location() != time.UTC {
		t.Error("times must be in UTC")
	}
}

func jsonEqual(t *testing.T, a, b any) bool {
	t.Helper()
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	return bytes.Equal(ja, jb)
}

func TestDecodeListQuirks(t *testing.T) {
	list, err := DecodeBuildList(mustRead(t, "list_shallow.json"))
	if err != nil {
		t.Fatal(err)
	}
	var nums []int64
	for _, b := range list {
		nums = append(nums, b.BuildNum.V)
	}
	if !jsonEqual(t, nums, []int64{225, 226, 224}) {
		t.Errorf("order must be kept as served (225, 226, 224), got %v", nums)
	}
	if list[1].Outcome.Valid || list[2].QueuedAt.Valid {
		t.Error("null outcome and missing queued_at must be NULL")
	}
	odd, err := DecodeBuildList(mustRead(t, "list_odd_elements.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(odd) != 5 || odd[1].BuildNum != Int(5) || odd[4].BuildNum != Int(4) || odd[0].BuildNum.Valid || odd[2].BuildNum.Valid {
		t.Errorf("odd elements: got %+v", odd)
	}
	empty, err := DecodeBuildList(mustRead(t, "list_empty.json"))
	if err != nil || len(empty) != 0 {
		t.Errorf("empty list: %v %v", empty, err)
	}
}

func TestDecodeTestsQuirks(t *testing.T) {
	tr, err := DecodeTests(mustRead(t, "tests_quirks.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Tests) != 5 {
		t.Fatalf("want 5 tests, got %d", len(tr.Tests))
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"null file", tr.Tests[0].File, OptString{}},
		{"empty classname is a value", tr.Tests[0].Classname, String("")},
		{"run_time float", tr.Tests[0].RunTime, OptFloat{V: 0.011, Valid: true}},
		{"run_time int", tr.Tests[1].RunTime, OptFloat{V: 2, Valid: true}},
		{"run_time string", tr.Tests[2].RunTime, OptFloat{V: 0.5, Valid: true}},
		{"run_time null", tr.Tests[3].RunTime, OptFloat{}},
		{"run_time exponent", tr.Tests[4].RunTime, OptFloat{V: 0.001, Valid: true}},
		{"message null", tr.Tests[0].Message, OptString{}},
		{"message empty", tr.Tests[2].Message, String("")},
		{"source_type", tr.Tests[0].SourceType, String("unknown")},
		{"object name is NULL", tr.Tests[3].Name, OptString{}},
		{"array classname is NULL", tr.Tests[3].Classname, OptString{}},
		{"unknown result kept", tr.Tests[4].Result, String("flaky_new_result")},
		{"exceptions empty", len(tr.Exceptions), 0},
	}
	for _, c := range checks {
		if !jsonEqual(t, c.got, c.want) {
			t.Errorf("%s: got %#v, want %#v", c.name, c.got, c.want)
		}
	}
	ex, err := DecodeTests(mustRead(t, "tests_exceptions.json"))
	if err != nil || ex.Tests != nil || len(ex.Exceptions) != 2 {
		t.Errorf("top-level exceptions: %+v, %v", ex, err)
	}
}

func TestDecodeArtifactsQuirks(t *testing.T) {
	arts, err := DecodeArtifacts(mustRead(t, "artifacts_v1.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(arts) != 2 {
		t.Fatalf("want 2 artifacts, got %d", len(arts))
	}
	if arts[0].Path.V == arts[0].PrettyPath.V || !strings.HasPrefix(arts[0].Path.V, "/home/") {
		t.Errorf("1.0 absolute path and differing pretty_path must be kept: %+v", arts[0])
	}
	if strings.Contains(arts[0].URL.V, "abc123secret") || strings.Contains(arts[0].URL.V, "circle-token") || !strings.Contains(arts[0].URL.V, "x=1") {
		t.Errorf("artifact URL must lose its circle-token parameter and keep the rest: %s", arts[0].URL.V)
	}
	if arts[1].NodeIndex != Int(1) {
		t.Errorf("node_index string: %+v", arts[1].NodeIndex)
	}
	odd, err := DecodeArtifacts(mustRead(t, "artifacts_v2_odd.json"))
	if err != nil || len(odd) != 3 || odd[0].NodeIndex != Int(1) || odd[1].URL.Valid || odd[1].NodeIndex.Valid {
		t.Errorf("odd artifacts: %+v, %v", odd, err)
	}
}

// TestDecodeProjectsFollowed: the real /projects key is `followed` (docs and 2016 captures); some
// later captures say `following`. Either fills IsFollowed; neither leaves it NULL.
func TestDecodeProjectsFollowed(t *testing.T) {
	ps, err := DecodeProjects(mustRead(t, "projects_followed.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]OptBool{"mongofinil": Bool(true), "opus": Bool(false), "email-service": Bool(false), "bare": {}}
	if len(ps) != len(want) {
		t.Fatalf("%d projects, want %d", len(ps), len(want))
	}
	for _, p := range ps {
		if got := p.IsFollowed(); got != want[p.Reponame.V] {
			t.Errorf("%s: IsFollowed = %+v, want %+v", p.Reponame.V, got, want[p.Reponame.V])
		}
	}
}
