package extract

import "encoding/json"

// API structs for CircleCI v1.1 responses. They are plain values decoded with the tolerant Opt*
// types (decode.go); unknown fields are ignored by encoding/json and unknown enum values are kept
// as text. They are not table schemas: package transform maps them to rows.

// Me is the response of GET /me.
type Me struct {
	Login         OptString `json:"login"`
	Name          OptString `json:"name"`
	SelectedEmail OptString `json:"selected_email"`
	AllEmails     []string  `json:"all_emails"`
	AdminEmail    OptString `json:"admin"`
}

// Project is one element of GET /projects.
type Project struct {
	VCSType       OptString                  `json:"vcs_type"`
	Username      OptString                  `json:"username"`
	Reponame      OptString                  `json:"reponame"`
	VCSURL        OptString                  `json:"vcs_url"`
	DefaultBranch OptString                  `json:"default_branch"`
	Followed      OptBool                    `json:"followed"`  // the documented key (docs, 2016 captures)
	Following     OptBool                    `json:"following"` // seen in some later captures; see IsFollowed
	OSS           OptBool                    `json:"oss"`
	FeatureFlags  map[string]any             `json:"feature_flags"`
	Branches      map[string]json.RawMessage `json:"branches"`
}

// User is a build's `user` object; API-triggered builds carry a reduced {"is_user":false,"login":"none"}.
type User struct {
	IsUser  OptBool   `json:"is_user"`
	Login   OptString `json:"login"`
	Name    OptString `json:"name"`
	VCSType OptString `json:"vcs_type"`
	ID      OptInt    `json:"id"`
}

// Previous is a build's `previous` object: the build before it on the same branch.
type Previous struct {
	BuildNum        OptInt    `json:"build_num"`
	Status          OptString `json:"status"`
	BuildTimeMillis OptInt    `json:"build_time_millis"`
}

// Workflows is the `workflows` object of a 2.0 workflow job; absent on 1.0 builds and 2.0 jobs
// outside workflows.
type Workflows struct {
	JobName        OptString `json:"job_name"`
	JobID          OptString `json:"job_id"`
	WorkflowID     OptString `json:"workflow_id"`
	WorkspaceID    OptString `json:"workspace_id"`
	WorkflowName   OptString `json:"workflow_name"`
	UpstreamJobIDs []string  `json:"upstream_job_ids"`
}

// ResourceClass is `picard.resource_class`; cpu and ram may be ints or floats.
type ResourceClass struct {
	Class OptString `json:"class"`
	Name  OptString `json:"name"`
	CPU   OptFloat  `json:"cpu"`
	RAM   OptFloat  `json:"ram"`
}

// Picard describes the 2.0 execution environment; may be null even on 2.0 builds.
type Picard struct {
	Executor      OptString     `json:"executor"`
	ResourceClass ResourceClass `json:"resource_class"`
	BuildAgent    struct {
		Image      OptString      `json:"image"`
		Properties map[string]any `json:"properties"`
	} `json:"build_agent"`
}

// Action is one step's run on one container (node). `index` is the node index.
type Action struct {
	Name               OptString `json:"name"`
	Type               OptString `json:"type"`
	Status             OptString `json:"status"`
	Step               OptInt    `json:"step"`
	Index              OptInt    `json:"index"`
	ExitCode           OptInt    `json:"exit_code"`
	StartTime          OptTime   `json:"start_time"`
	EndTime            OptTime   `json:"end_time"`
	RunTimeMillis      OptInt    `json:"run_time_millis"`
	Failed             OptBool   `json:"failed"`
	Timedout           OptBool   `json:"timedout"`
	Canceled           OptBool   `json:"canceled"`
	InfrastructureFail OptBool   `json:"infrastructure_fail"`
	Background         OptBool   `json:"background"`
	HasOutput          OptBool   `json:"has_output"`
	OutputURL          OptString `json:"output_url"`
	BashCommand        OptString `json:"bash_command"`
	Parallel           OptBool   `json:"parallel"`
	Continue           OptString `json:"continue"`
	Source             OptString `json:"source"`
	Truncated          OptBool   `json:"truncated"`
	AllocationID       OptString `json:"allocation_id"`
}

// Step is one element of a build's `steps[]`: a named step with one action per container.
type Step struct {
	Name    OptString `json:"name"`
	Actions []Action  `json:"actions"`
}

// Build is a build (job) as returned by the list endpoints (summary, or shallow) and by
// GET /project/:vcs/:user/:project/:build_num (full details, with Steps).
type Build struct {
	VCSType            OptString      `json:"vcs_type"`
	Username           OptString      `json:"username"`
	Reponame           OptString      `json:"reponame"`
	BuildNum           OptInt         `json:"build_num"`
	BuildURL           OptString      `json:"build_url"`
	VCSURL             OptString      `json:"vcs_url"`
	VCSRevision        OptString      `json:"vcs_revision"`
	VCSTag             OptString      `json:"vcs_tag"`
	Branch             OptString      `json:"branch"`
	Subject            OptString      `json:"subject"`
	Body               OptString      `json:"body"`
	CommitterName      OptString      `json:"committer_name"`
	CommitterEmail     OptString      `json:"committer_email"`
	AuthorName         OptString      `json:"author_name"`
	AuthorEmail        OptString      `json:"author_email"`
	Why                OptString      `json:"why"`
	Status             OptString      `json:"status"`
	Outcome            OptString      `json:"outcome"`
	Lifecycle          OptString      `json:"lifecycle"`
	Platform           OptString      `json:"platform"`
	Parallel           OptInt         `json:"parallel"`
	JobName            OptString      `json:"job_name"`
	Failed             OptBool        `json:"failed"`
	Canceled           OptBool        `json:"canceled"`
	Timedout           OptBool        `json:"timedout"`
	InfrastructureFail OptBool        `json:"infrastructure_fail"`
	FailReason         OptString      `json:"fail_reason"`
	HasArtifacts       OptBool        `json:"has_artifacts"`
	OSS                OptBool        `json:"oss"`
	DontBuild          OptString      `json:"dont_build"`
	UsageQueuedAt      OptTime        `json:"usage_queued_at"`
	QueuedAt           OptTime        `json:"queued_at"`
	StartTime          OptTime        `json:"start_time"`
	StopTime           OptTime        `json:"stop_time"`
	BuildTimeMillis    OptInt         `json:"build_time_millis"`
	RetryOf            OptInt         `json:"retry_of"`
	Retries            []OptInt       `json:"retries"`
	Previous           *Previous      `json:"previous"`
	User               *User          `json:"user"`
	Workflows          *Workflows     `json:"workflows"`
	Picard             *Picard        `json:"picard"`
	BuildParameters    map[string]any `json:"build_parameters"`
	Steps              []Step         `json:"steps"`
}

// Artifact is one element of GET …/:build_num/artifacts.
type Artifact struct {
	Path       OptString `json:"path"`
	PrettyPath OptString `json:"pretty_path"`
	NodeIndex  OptInt    `json:"node_index"`
	URL        OptString `json:"url"`
}

// TestResult is one element of `tests[]` in GET …/:build_num/tests. RunTime is in seconds.
type TestResult struct {
	Classname  OptString `json:"classname"`
	File       OptString `json:"file"`
	Name       OptString `json:"name"`
	Result     OptString `json:"result"`
	RunTime    OptFloat  `json:"run_time"`
	Message    OptString `json:"message"`
	Source     OptString `json:"source"`
	SourceType OptString `json:"source_type"`
}

// TestsResponse is the body of GET …/:build_num/tests.
type TestsResponse struct {
	Tests      []TestResult      `json:"tests"`
	Exceptions []json.RawMessage `json:"exceptions"`
}
