package export

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// afterPublish, when set (by tests), runs after each file is renamed into place: the crash test
// kills the process there.
var afterPublish func(path string)

// tablePaths names one table's files for one shard.
type tablePaths struct {
	root    string // Dir/<table>
	shard   Shard
	staging string // hidden: readers and globs over *.parquet skip it
}

func (e *exporter) paths(table string) tablePaths {
	tag := "all"
	if e.o.Shard.Sharded() {
		tag = e.o.Shard.Dir()
	}
	root := filepath.Join(e.o.Dir, table)
	return tablePaths{root: root, shard: e.o.Shard, staging: filepath.Join(root, ".staging-"+tag)}
}

// leaf is the directory holding partition date's file (the whole root for "").
func (p tablePaths) leaf(date string) string {
	d := p.root
	if date != "" {
		d = filepath.Join(d, "date="+date)
	}
	return filepath.Join(d, p.shard.Dir())
}

func (p tablePaths) partitionFile(date string) string {
	return filepath.Join(p.leaf(date), "part-0.parquet")
}

func (p tablePaths) projectsFile() string { return filepath.Join(p.leaf(""), "projects.parquet") }

// resetStaging removes what a crashed run of the same table and shard left, then creates the
// staging directory afresh. Other shards' staging directories are theirs: they may be running.
func (p tablePaths) resetStaging() error {
	if err := os.RemoveAll(p.staging); err != nil {
		return fmt.Errorf("%w: clean %s: %w", errExport, p.staging, err)
	}
	if err := os.MkdirAll(p.staging, 0o755); err != nil {
		return fmt.Errorf("%w: %w", errExport, err)
	}
	return nil
}

func (p tablePaths) removeStaging() error {
	if err := os.RemoveAll(p.staging); err != nil {
		return fmt.Errorf("%w: clean %s: %w", errExport, p.staging, err)
	}
	return nil
}

// removeStagingOnError removes the staging directory after a failed export (a crash leaves it to
// the next run's resetStaging instead).
func (p tablePaths) removeStagingOnError(err *error) {
	if *err != nil {
		_ = os.RemoveAll(p.staging)
	}
}

// publish makes staged durable and renames it to dst, atomically replacing any previous file,
// then syncs the directory so the rename itself survives a power loss. It returns the size.
func (p tablePaths) publish(staged, dst string) (int64, error) {
	if err := syncFile(staged); err != nil {
		return 0, err
	}
	dir := filepath.Dir(dst)
	if err := mkdirAllSynced(dir); err != nil {
		return 0, err
	}
	if err := os.Rename(staged, dst); err != nil {
		return 0, fmt.Errorf("%w: publish %s: %w", errExport, dst, err)
	}
	if err := syncFile(dir); err != nil {
		return 0, err
	}
	st, err := os.Stat(dst)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", errExport, err)
	}
	if afterPublish != nil {
		afterPublish(dst)
	}
	return st.Size(), nil
}

// remove deletes the partition file of date (and its directories once empty).
func (p tablePaths) remove(date string) error {
	f := p.partitionFile(date)
	if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: remove %s: %w", errExport, f, err)
	}
	// Non-empty directories (other shards' files) stay: os.Remove fails on them, as wanted.
	_ = os.Remove(p.leaf(date))
	_ = os.Remove(filepath.Join(p.root, "date="+date))
	return syncFile(p.root)
}

// publishedDates lists the dates that have a visible partition file of this shard.
func (p tablePaths) publishedDates() ([]string, error) {
	ents, err := os.ReadDir(p.root)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errExport, err)
	}
	var dates []string
	for _, ent := range ents {
		d, ok := strings.CutPrefix(ent.Name(), "date=")
		if !ok || !ent.IsDir() {
			continue
		}
		if _, err := os.Stat(p.partitionFile(d)); err == nil {
			dates = append(dates, d)
		}
	}
	return dates, nil
}

// stagedPartition is one file DuckDB wrote under a staging directory.
type stagedPartition struct{ date, file string }

// stagedPartitions lists stage/date=D/part_0.tmp. One file per partition is what makes the
// rename atomic; more would mean DuckDB split a partition, which datesPerCopy rules out.
func stagedPartitions(stage string) ([]stagedPartition, error) {
	ents, err := os.ReadDir(stage)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil // no rows at all: DuckDB wrote nothing
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errExport, err)
	}
	var out []stagedPartition
	for _, ent := range ents {
		d, ok := strings.CutPrefix(ent.Name(), "date=")
		if !ok {
			continue
		}
		files, err := filepath.Glob(filepath.Join(stage, ent.Name(), "*.tmp"))
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errExport, err)
		}
		if len(files) != 1 {
			return nil, fmt.Errorf("%w: partition %s was written as %d files, want 1", errExport, d, len(files))
		}
		out = append(out, stagedPartition{date: d, file: files[0]})
	}
	return out, nil
}

// syncFile fsyncs a file or directory.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("%w: %w", errExport, err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("%w: fsync %s: %w", errExport, path, err)
	}
	return nil
}

// mkdirAllSynced creates dir and its missing parents, syncing each parent so the new entries are
// durable before a file is renamed into them.
func mkdirAllSynced(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	if err := mkdirAllSynced(filepath.Dir(dir)); err != nil {
		return err
	}
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%w: %w", errExport, err)
	}
	return syncFile(filepath.Dir(dir))
}
