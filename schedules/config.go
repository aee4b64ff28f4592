package schedules

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"go.yaml.in/yaml/v3"
)

// Defaults of the config keys that have one.
const (
	DefaultHost        = "https://circleci.com"
	DefaultDB          = "buildlake.duckdb"
	DefaultListen      = "127.0.0.1:9090"
	DefaultTimezone    = "UTC"
	DefaultTokenEnv    = "CIRCLECI_TOKEN"
	DefaultGracePeriod = 30 * time.Second
)

var (
	errReadConfig    = errors.New("could not read config")
	errInvalidConfig = errors.New("invalid config")
)

// Config is the scheduler's YAML file (SPEC section 7). Durations are text ("30s", "1h", "14d")
// so that a mistake is reported with the job and key it is in; Validate resolves them.
type Config struct {
	Host        string `yaml:"host"`
	TokenFile   string `yaml:"token_file"`
	TokenEnv    string `yaml:"token_env"`
	DB          string `yaml:"db"`
	ParquetDir  string `yaml:"parquet_dir"`
	Listen      string `yaml:"listen"`
	AllowRemote bool   `yaml:"allow_remote"`
	Timezone    string `yaml:"timezone"`
	Jitter      string `yaml:"jitter"`
	GracePeriod string `yaml:"grace_period"`
	Jobs        []Job  `yaml:"jobs"`

	// Resolved by Validate.
	validated bool
	warnings  []string // see Warnings
	token     string
	location  *time.Location
	jitter    time.Duration
	grace     time.Duration
}

// Job is one scheduled sync: when it runs and with which sync options.
type Job struct {
	Name        string   `yaml:"name"`
	Cron        string   `yaml:"cron"`
	Projects    []string `yaml:"projects"`
	Full        bool     `yaml:"full"`
	Since       string   `yaml:"since"`
	MaxAge      string   `yaml:"max_age"`
	Concurrency int      `yaml:"concurrency"`
	Rate        float64  `yaml:"rate"`
	NoTests     bool     `yaml:"no_tests"`
	NoArtifacts bool     `yaml:"no_artifacts"`
	NoSteps     bool     `yaml:"no_steps"`

	// Resolved by Validate.
	schedule cron.Schedule
	maxAge   time.Duration
	since    since
}

// LoadConfig reads, decodes and validates the config file at path.
func LoadConfig(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errReadConfig, err)
	}
	defer f.Close()
	c, err := DecodeConfig(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// DecodeConfig decodes YAML strictly: an unknown key is an error naming the key and its line.
// It does not validate, so that command-line overrides can be applied before Validate.
func DecodeConfig(r io.Reader) (*Config, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errReadConfig, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var c Config
	if err := dec.Decode(&c); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: the file is empty; start from `buildlake schedule --print-sample-config`", errInvalidConfig)
		}
		return nil, fmt.Errorf("%w:\n  %s", errInvalidConfig, explainYAMLError(err))
	}
	return &c, nil
}

var unknownField = regexp.MustCompile(`^line (\d+): field (.+) not found in type (\S+)$`)

// explainYAMLError rewrites the decoder's messages in the config's own terms (keys, not Go types).
func explainYAMLError(err error) string {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return strings.TrimPrefix(err.Error(), "yaml: ")
	}
	msgs := make([]string, 0, len(te.Errors))
	for _, m := range te.Errors {
		if g := unknownField.FindStringSubmatch(m); g != nil {
			where, keys := "at the top level", yamlKeys(Config{})
			if strings.HasSuffix(g[3], ".Job") {
				where, keys = "in a job", yamlKeys(Job{})
			}
			m = fmt.Sprintf("line %s: unknown key %q %s (known keys: %s)", g[1], g[2], where, keys)
		}
		msgs = append(msgs, m)
	}
	return strings.Join(msgs, "\n  ")
}
