package transform

import "github.com/apache/arrow-go/v18/arrow"

// The Arrow schemas below are the table contract of load/schema.sql: same column names, same order,
// and types that map one to one (VARCHAR→String, BIGINT→Int64, INTEGER→Int32, BOOLEAN→Boolean,
// TIMESTAMP→Timestamp(µs, UTC)). Key columns are not nullable. A test compares them with the DDL.

var (
	tsType = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	str    = arrow.BinaryTypes.String
	i64    = arrow.PrimitiveTypes.Int64
	i32    = arrow.PrimitiveTypes.Int32
	boolT  = arrow.FixedWidthTypes.Boolean
)

func key(name string, t arrow.DataType) arrow.Field { return arrow.Field{Name: name, Type: t} }
func col(name string, t arrow.DataType) arrow.Field {
	return arrow.Field{Name: name, Type: t, Nullable: true}
}

// ProjectsSchema is the schema of the projects table.
var ProjectsSchema = arrow.NewSchema([]arrow.Field{
	key("project_slug", str),
	col("vcs_type", str),
	col("username", str),
	col("reponame", str),
	col("vcs_url", str),
	col("default_branch", str),
	col("oss", boolT),
	col("following", boolT),
	col("extracted_at", tsType),
}, nil)

// BuildsSchema is the schema of the builds table.
var BuildsSchema = arrow.NewSchema([]arrow.Field{
	key("project_slug", str),
	key("build_num", i64),
	col("vcs_type", str),
	col("username", str),
	col("reponame", str),
	col("build_url", str),
	col("vcs_url", str),
	col("vcs_revision", str),
	col("branch", str),
	col("vcs_tag", str),
	col("subject", str),
	col("committer_name", str),
	col("committer_email", str),
	col("author_name", str),
	col("author_email", str),
	col("why", str),
	col("status", str),
	col("outcome", str),
	col("lifecycle", str),
	col("platform", str),
	col("parallel", i32),
	col("job_name", str),
	col("workflow_id", str),
	col("workflow_name", str),
	col("workflow_job_id", str),
	col("resource_class", str),
	col("executor", str),
	col("retry_of", i64),
	col("is_retry", boolT),
	col("user_login", str),
	col("fail_reason", str),
	col("canceled", boolT),
	col("timedout", boolT),
	col("infrastructure_fail", boolT),
	col("has_artifacts", boolT),
	col("usage_queued_at", tsType),
	col("queued_at", tsType),
	col("start_time", tsType),
	col("stop_time", tsType),
	col("build_time_millis", i64),
	col("usage_queue_millis", i64),
	col("run_queue_millis", i64),
	col("queue_millis", i64),
	col("extracted_at", tsType),
}, nil)

// StepsSchema is the schema of the steps table: one row per action (step × node).
var StepsSchema = arrow.NewSchema([]arrow.Field{
	key("project_slug", str),
	key("build_num", i64),
	key("step_index", i32),
	key("node_index", i32),
	col("step_number", i32),
	col("name", str),
	col("type", str),
	col("status", str),
	col("exit_code", i32),
	col("start_time", tsType),
	col("end_time", tsType),
	col("run_time_millis", i64),
	col("failed", boolT),
	col("timedout", boolT),
	col("canceled", boolT),
	col("infrastructure_fail", boolT),
	col("background", boolT),
	col("has_output", boolT),
}, nil)

// ArtifactsSchema is the schema of the artifacts table.
var ArtifactsSchema = arrow.NewSchema([]arrow.Field{
	key("project_slug", str),
	key("build_num", i64),
	key("node_index", i32),
	key("path", str),
	col("pretty_path", str),
	col("url", str),
}, nil)

// TestsSchema is the schema of the tests table.
var TestsSchema = arrow.NewSchema([]arrow.Field{
	key("project_slug", str),
	key("build_num", i64),
	key("test_index", i32),
	col("test_id", str),
	col("classname", str),
	col("file", str),
	col("name", str),
	col("result", str),
	col("run_time_millis", i64),
	col("message", str),
	col("source", str),
	col("source_type", str),
}, nil)
