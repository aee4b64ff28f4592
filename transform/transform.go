// Package transform maps CircleCI API structs (package extract) to Arrow record batches whose
// schemas are buildlake's tables (load/schema.sql, docs/schema.md). It is pure: no I/O and no
// clock; the extraction time is passed in.
package transform

import (
	"errors"
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/buildlake/buildlake/extract"
)

var (
	errMixed   = errors.New("could not transform: inputs disagree on which child tables were fetched")
	errNoSlug  = errors.New("could not transform: build has no project slug")
	errNoBuild = errors.New("could not transform: build has no build_num")
)

// Input is one build's fetched data. A child table whose Have flag is false was not fetched
// (e.g. --no-tests): its rows in the database are left as they are. With the flag true, the slice
// is the complete set (possibly empty) and replaces what the database holds for the build.
type Input struct {
	ProjectSlug                         string // "" = derived from the build's vcs_type/username/reponame
	Build                               extract.Build
	Artifacts                           []extract.Artifact
	Tests                               []extract.TestResult
	HaveSteps, HaveArtifacts, HaveTests bool
}

// Batch holds one record per table; a nil record means the batch does not touch that table.
type Batch struct {
	Builds, Steps, Artifacts, Tests arrow.RecordBatch
	// Skipped lists the inputs that could not become rows (no build_num, no slug), by index in
	// the Transform argument, so the caller can record them as per-build errors.
	Skipped []Skipped
}

// Skipped is an input Transform left out, and why.
type Skipped struct {
	Index int
	Err   error
}

// Release releases every non-nil record.
func (b Batch) Release() {
	for _, r := range []arrow.RecordBatch{b.Builds, b.Steps, b.Artifacts, b.Tests} {
		if r != nil {
			r.Release()
		}
	}
}

// Transform turns fetched builds into table rows; now is the extracted_at of every row. All
// inputs of one call must agree on HaveSteps/HaveArtifacts/HaveTests, because the loader replaces
// a child table's rows for every build of the batch or for none (split mixed inputs into batches).
// Builds without a build_num or a slug are skipped and reported in Batch.Skipped. A nil mem
// means memory.DefaultAllocator.
func Transform(mem memory.Allocator, now time.Time, in []Input) (Batch, error) {
	if len(in) == 0 {
		return Batch{}, nil
	}
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	for _, x := range in[1:] {
		if x.HaveSteps != in[0].HaveSteps || x.HaveArtifacts != in[0].HaveArtifacts || x.HaveTests != in[0].HaveTests {
			return Batch{}, errMixed
		}
	}
	bb := array.NewRecordBuilder(mem, BuildsSchema)
	defer bb.Release()
	var sb, ab, tb *array.RecordBuilder
	if in[0].HaveSteps {
		sb = array.NewRecordBuilder(mem, StepsSchema)
		defer sb.Release()
	}
	if in[0].HaveArtifacts {
		ab = array.NewRecordBuilder(mem, ArtifactsSchema)
		defer ab.Release()
	}
	if in[0].HaveTests {
		tb = array.NewRecordBuilder(mem, TestsSchema)
		defer tb.Release()
	}
	var out Batch
	for i, x := range in {
		slug := x.ProjectSlug
		if slug == "" && x.Build.VCSType.Valid && x.Build.Username.Valid && x.Build.Reponame.Valid {
			slug = ProjectSlug(x.Build.VCSType.V, x.Build.Username.V, x.Build.Reponame.V)
		}
		switch {
		case slug == "":
			out.Skipped = append(out.Skipped, Skipped{Index: i, Err: errNoSlug})
			continue
		case !x.Build.BuildNum.Valid:
			out.Skipped = append(out.Skipped, Skipped{Index: i, Err: fmt.Errorf("%w (project %s)", errNoBuild, slug)})
			continue
		}
		buildRow(&rowWriter{b: bb}, slug, x.Build, now)
		if sb != nil {
			stepRows(&rowWriter{b: sb}, slug, x.Build)
		}
		if ab != nil {
			artifactRows(&rowWriter{b: ab}, slug, x.Build.BuildNum.V, x.Artifacts)
		}
		if tb != nil {
			testRows(&rowWriter{b: tb}, slug, x.Build.BuildNum.V, x.Tests)
		}
	}
	out.Builds = bb.NewRecordBatch()
	if sb != nil {
		out.Steps = sb.NewRecordBatch()
	}
	if ab != nil {
		out.Artifacts = ab.NewRecordBatch()
	}
	if tb != nil {
		out.Tests = tb.NewRecordBatch()
	}
	return out, nil
}

// Projects turns the /projects list into projects rows; projects without vcs_type, username or
// reponame cannot be keyed and are left out.
func Projects(mem memory.Allocator, now time.Time, ps []extract.Project) (arrow.RecordBatch, error) {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	b := array.NewRecordBuilder(mem, ProjectsSchema)
	defer b.Release()
	w := &rowWriter{b: b}
	for _, p := range ps {
		if !p.VCSType.Valid || !p.Username.Valid || !p.Reponame.Valid || p.Username.V == "" || p.Reponame.V == "" {
			continue
		}
		w.str(ProjectSlug(p.VCSType.V, p.Username.V, p.Reponame.V))
		w.optStr(p.VCSType)
		w.optStr(p.Username)
		w.optStr(p.Reponame)
		w.optStr(p.VCSURL)
		w.optStr(p.DefaultBranch)
		w.optBool(p.OSS)
		w.optBool(p.IsFollowed())
		w.ts(now)
		w.end()
	}
	return b.NewRecordBatch(), nil
}

func buildRow(w *rowWriter, slug string, b extract.Build, now time.Time) {
	var wf extract.Workflows
	if b.Workflows != nil {
		wf = *b.Workflows
	}
	var pc extract.Picard
	if b.Picard != nil {
		pc = *b.Picard
	}
	var login extract.OptString
	if b.User != nil {
		login = b.User.Login
	}
	w.str(slug)
	w.i64(b.BuildNum.V)
	for _, s := range []extract.OptString{b.VCSType, b.Username, b.Reponame, b.BuildURL, b.VCSURL,
		b.VCSRevision, b.Branch, b.VCSTag, b.Subject, b.CommitterName, b.CommitterEmail,
		b.AuthorName, b.AuthorEmail, b.Why, b.Status, b.Outcome, b.Lifecycle, b.Platform} {
		w.optStr(validText(s))
	}
	w.optI32(b.Parallel)
	w.str(JobName(b))
	w.optStr(wf.WorkflowID)
	w.optStr(validText(wf.WorkflowName))
	w.optStr(wf.JobID)
	w.optStr(pc.ResourceClass.Class)
	w.optStr(pc.Executor)
	w.optI64(b.RetryOf)
	w.bool(IsRetry(b))
	w.optStr(validText(login))
	w.nullStr(FailReason(b))
	w.optBool(b.Canceled)
	w.optBool(b.Timedout)
	w.optBool(b.InfrastructureFail)
	w.optBool(b.HasArtifacts)
	w.optTime(b.UsageQueuedAt)
	w.optTime(b.QueuedAt)
	w.optTime(b.StartTime)
	w.optTime(b.StopTime)
	w.optI64(nonNegative(b.BuildTimeMillis))
	w.optI64(span(b.UsageQueuedAt, b.QueuedAt))
	w.optI64(span(b.QueuedAt, b.StartTime))
	w.optI64(span(b.UsageQueuedAt, b.StartTime))
	w.ts(now)
	w.end()
}

// stepRows writes one row per action. node_index is the action's index, else its position among
// the step's actions; a second action claiming a node already seen in the same step is dropped
// (the key would collide, and the API never means two runs of one step on one node).
func stepRows(w *rowWriter, slug string, b extract.Build) {
	for si, s := range b.Steps {
		seen := make(map[int64]bool, len(s.Actions))
		for ai, a := range s.Actions {
			node := int64(ai)
			if a.Index.Valid && a.Index.V >= 0 && a.Index.V < 1<<31 {
				node = a.Index.V
			}
			if seen[node] {
				continue
			}
			seen[node] = true
			name := a.Name
			if !name.Valid {
				name = s.Name
			}
			w.str(slug)
			w.i64(b.BuildNum.V)
			w.i32(int32(si))
			w.i32(int32(node))
			w.optI32(a.Step)
			w.optStr(validText(name))
			w.optStr(a.Type)
			w.optStr(a.Status)
			w.optI32(a.ExitCode)
			w.optTime(a.StartTime)
			w.optTime(a.EndTime)
			w.optI64(nonNegative(a.RunTimeMillis))
			w.optBool(a.Failed)
			w.optBool(a.Timedout)
			w.optBool(a.Canceled)
			w.optBool(a.InfrastructureFail)
			w.optBool(a.Background)
			w.optBool(a.HasOutput)
			w.end()
		}
	}
}

// artifactRows writes one row per artifact. A missing node_index counts as node 0 (single-node
// builds omit nothing in practice, but the key must not be NULL); a missing path falls back to
// pretty_path; an artifact with neither cannot be keyed and is dropped, as is a repeated key.
func artifactRows(w *rowWriter, slug string, buildNum int64, as []extract.Artifact) {
	type k struct {
		node int64
		path string
	}
	seen := make(map[k]bool, len(as))
	for _, a := range as {
		path := a.Path
		if !path.Valid || path.V == "" {
			path = a.PrettyPath
		}
		if !path.Valid || path.V == "" {
			continue
		}
		path = validText(path)
		node := int64(0)
		if a.NodeIndex.Valid && a.NodeIndex.V >= 0 && a.NodeIndex.V < 1<<31 {
			node = a.NodeIndex.V
		}
		if seen[k{node, path.V}] {
			continue
		}
		seen[k{node, path.V}] = true
		u := a.URL
		if u.Valid {
			u.V = StripToken(u.V)
		}
		w.str(slug)
		w.i64(buildNum)
		w.i32(int32(node))
		w.str(path.V)
		w.optStr(validText(a.PrettyPath))
		w.optStr(validText(u))
		w.end()
	}
}

func testRows(w *rowWriter, slug string, buildNum int64, ts []extract.TestResult) {
	for i, t := range ts {
		msg := t.Message
		if msg.Valid {
			msg.V = truncateMessage(msg.V)
		}
		classname, file, name := validText(t.Classname), validText(t.File), validText(t.Name)
		w.str(slug)
		w.i64(buildNum)
		w.i32(int32(i))
		w.str(TestID(classname.V, file.V, name.V))
		w.optStr(classname)
		w.optStr(file)
		w.optStr(name)
		w.optStr(t.Result)
		w.optI64(runTimeMillis(t.RunTime))
		w.optStr(msg)
		w.optStr(t.Source)
		w.optStr(t.SourceType)
		w.end()
	}
}
