package export

import (
	"bufio"
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
)

// exportedTables are the tables Export writes, in docs/warehouses.md order.
var exportedTables = []string{"projects", "builds", "steps", "artifacts", "tests"}

// docColumn is one column as docs/warehouses.md states it.
type docColumn struct{ name, typ string }

// ddlStart matches the first line of a CREATE TABLE statement that lists its columns, and
// captures the table name (the last part of a dotted, possibly quoted, name).
var ddlStart = regexp.MustCompile("(?i)^CREATE (?:OR REPLACE )?(?:EXTERNAL )?TABLE [`\"]?(?:[\\w.]+\\.)?(\\w+)[`\"]? \\($")

// TestWarehouseDocsMatchSchema keeps docs/warehouses.md true to the tables Export writes: the
// schema section lists every column with its DuckDB type, and every engine's CREATE TABLE names
// the same columns in the same order, with the type the schema section gives for that engine.
func TestWarehouseDocsMatchSchema(t *testing.T) {
	_, store := newFixtureDB(t)
	want := map[string][]docColumn{}
	for _, table := range exportedTables {
		rows, err := store.DB().QueryContext(context.Background(),
			`SELECT column_name, data_type FROM information_schema.columns
			 WHERE table_name = ? ORDER BY ordinal_position`, table)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var c docColumn
			if err := rows.Scan(&c.name, &c.typ); err != nil {
				t.Fatal(err)
			}
			want[table] = append(want[table], c)
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}

	schema, ddls := parseWarehouseDoc(t, "../docs/warehouses.md")

	// engine → table → column → type, from the schema section's per-engine columns.
	engineTypes := map[string]map[string]map[string]string{"spark": {}, "athena": {}, "trino": {}}
	for _, table := range exportedTables {
		got := schema[table]
		if len(got) != len(want[table]) {
			t.Errorf("schema section, %s: %d columns, the table has %d", table, len(got), len(want[table]))
			continue
		}
		for _, e := range []string{"spark", "athena", "trino"} {
			engineTypes[e][table] = map[string]string{}
		}
		for i, c := range got {
			w := want[table][i]
			if c[0] != w.name || c[1] != w.typ {
				t.Errorf("schema section, %s column %d: %s %s, the table has %s %s", table, i+1, c[0], c[1], w.name, w.typ)
			}
			engineTypes["spark"][table][c[0]] = c[4]
			engineTypes["athena"][table][c[0]] = c[4]
			engineTypes["trino"][table][c[0]] = c[5]
		}
	}

	seen := map[string]int{}
	for _, d := range ddls {
		seen[d.engine]++
		var names []string
		for _, c := range d.columns {
			if c.name == "date" || c.name == "shard" { // partition columns, from the path
				continue
			}
			names = append(names, c.name)
			if types, ok := engineTypes[d.engine][d.table]; ok && !strings.EqualFold(c.typ, types[c.name]) {
				t.Errorf("%s CREATE TABLE %s: column %s is %s, the schema section says %s", d.engine, d.table, c.name, c.typ, types[c.name])
			}
		}
		var wantNames []string
		for _, c := range want[d.table] {
			wantNames = append(wantNames, c.name)
		}
		if strings.Join(names, ",") != strings.Join(wantNames, ",") {
			t.Errorf("%s CREATE TABLE %s columns:\n got %v\nwant %v", d.engine, d.table, names, wantNames)
		}
	}
	// Snowflake documents builds as the model for the others; the rest list every table.
	for engine, n := range map[string]int{"spark": 5, "trino": 5, "athena": 5, "snowflake": 1} {
		if seen[engine] < n {
			t.Errorf("%s: %d CREATE TABLE statements with columns, want at least %d", engine, seen[engine], n)
		}
	}
}

type docDDL struct {
	engine, table string
	columns       []docColumn
}

// parseWarehouseDoc reads the schema section's tables (table → rows of cells) and every CREATE
// TABLE statement with a column list, tagged with the engine whose section it is in.
func parseWarehouseDoc(t *testing.T, path string) (map[string][][]string, []docDDL) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	schema := map[string][][]string{}
	var ddls []docDDL
	var engine, schemaTable string
	var cur *docDDL
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "## "):
			h := strings.ToLower(line)
			engine, schemaTable = "", ""
			for _, e := range []string{"snowflake", "spark", "trino", "athena", "schema"} {
				if strings.Contains(h, e) {
					engine = e
					break
				}
			}
		case engine == "schema" && strings.HasPrefix(line, "### "):
			schemaTable = strings.TrimSpace(strings.TrimPrefix(line, "### "))
		case engine == "schema" && schemaTable != "" && strings.HasPrefix(line, "| "):
			cells := strings.Split(strings.Trim(line, "|"), "|")
			for i := range cells {
				cells[i] = strings.TrimSpace(cells[i])
			}
			if len(cells) == 6 && cells[0] != "column" && !strings.HasPrefix(cells[0], "---") {
				schema[schemaTable] = append(schema[schemaTable], cells)
			}
		case cur == nil && engine != "" && ddlStart.MatchString(line):
			cur = &docDDL{engine: engine, table: ddlStart.FindStringSubmatch(line)[1]}
		case cur != nil:
			last := !strings.HasSuffix(line, ",") // the column list's closing line: "name TYPE)"
			if last {
				line = strings.TrimSuffix(line, ")")
			}
			if fields := strings.Fields(strings.TrimSuffix(line, ",")); len(fields) >= 2 {
				cur.columns = append(cur.columns, docColumn{name: strings.Trim(fields[0], "`\""), typ: fields[1]})
			}
			if last {
				ddls = append(ddls, *cur)
				cur = nil
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return schema, ddls
}
