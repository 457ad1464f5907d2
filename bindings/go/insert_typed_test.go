package chconnect_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/chconnect/chconnect-go"
)

// describes counts the DESCRIBE TABLE requests for table in the server's query log (requests
// sent with log_queries=1; 18.16 keeps the log off by default).
func describes(t *testing.T, c *chconnect.Client, table string) uint64 {
	t.Helper()
	mustCommand(t, c, "SYSTEM FLUSH LOGS")
	var n uint64
	if err := c.QueryRow(ctxT(t), "SELECT count() FROM system.query_log WHERE type = 1 AND query LIKE 'DESCRIBE TABLE `"+
		table+"`%'").Scan(&n); err != nil {
		t.Fatalf("reading the query log: %v", err)
	}
	return n
}

// InsertTyped takes the column types as given (in any column order) and does not ask the server.
func TestInsertTypedRoundTrip(t *testing.T) {
	c := openTest(t)
	ctx := ctxT(t)
	table := tableName(t, c)
	mustCommand(t, c, "CREATE TABLE "+table+" (id UInt32, s String, f Nullable(Float64)) ENGINE MergeTree ORDER BY id")

	columns := []string{"f", "s", "id"} // not the table's order
	types := []string{"Nullable(Float64)", "String", "UInt32"}
	logged := chconnect.WithSetting("log_queries", 1)
	ins, err := c.InsertTyped(ctx, table, columns, types, logged, chconnect.WithQueryID("go-typed-qid-"+table))
	if err != nil {
		t.Fatalf("InsertTyped: %v", err)
	}
	defer ins.Close()
	if got := ins.Columns(); strings.Join(got, ",") != "f,s,id" {
		t.Fatalf("Columns = %v, want [f s id]", got)
	}
	tps := ins.Types()
	if len(tps) != 3 {
		t.Fatalf("Types = %v, want 3", tps)
	}
	for i, want := range types {
		if tps[i].Name != want {
			t.Errorf("type %d = %q, want %q", i, tps[i].Name, want)
		}
	}
	if tps[0].Kind != chconnect.KindNullable || tps[2].Kind != chconnect.KindUInt32 {
		t.Errorf("kinds %v, %v", tps[0].Kind, tps[2].Kind)
	}
	if err := ins.Append(2.5, "two\tparts", 2); err != nil {
		t.Fatalf("Append: %v", err)
	}
	if err := ins.Append(nil, "", uint32(1)); err != nil {
		t.Fatalf("Append: %v", err)
	}
	if err := ins.Append("x", "s", 3); err == nil { // the given types still check the values
		t.Errorf("a string into Nullable(Float64) was accepted")
	}
	resp, err := ins.Finish()
	if err != nil {
		t.Fatalf("Finish: %v", err)
	}
	if resp.QueryID != "go-typed-qid-"+table {
		t.Errorf("insert query id %q, want the option's", resp.QueryID)
	}

	rows, err := c.Query(ctx, "SELECT id, s, f FROM "+table+" ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	type row struct {
		id uint32
		s  string
		f  *float64
	}
	var got []row
	for rows.NextRow() {
		var r row
		if err := rows.Scan(&r.id, &r.s, &r.f); err != nil {
			t.Fatalf("Scan: %v", err)
		}
		got = append(got, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].id != 1 || got[0].s != "" || got[0].f != nil ||
		got[1].id != 2 || got[1].s != "two\tparts" || got[1].f == nil || *got[1].f != 2.5 {
		t.Fatalf("read back %+v, want [{1 \"\" nil} {2 \"two\\tparts\" 2.5}]", got)
	}

	// The query log shows that no DESCRIBE TABLE went out; the control, Insert, sends one.
	// chDB (the stand-in) keeps no query log.
	if !onStandin(t) {
		if n := describes(t, c, table); n != 0 {
			t.Errorf("InsertTyped sent %d DESCRIBE TABLE requests, want none", n)
		}
		ctl, err := c.Insert(ctx, table, columns, logged)
		if err != nil {
			t.Fatal(err)
		}
		ctl.Close()
		if n := describes(t, c, table); n < 1 {
			t.Errorf("the control Insert logged %d DESCRIBE TABLE requests, want at least one", n)
		}
	}
}

// Argument errors come from the library before any request; the client stays usable.
func TestInsertTypedInvalidArguments(t *testing.T) {
	c := openTest(t)
	ctx := ctxT(t)
	table := tableName(t, c)
	mustCommand(t, c, "CREATE TABLE "+table+" (id UInt32, s String) ENGINE Memory")

	for _, tc := range []struct {
		name           string
		columns, types []string
		needle         string // in the message, lower case; "" to not check
	}{
		{"more columns than types", []string{"id", "s"}, []string{"UInt32"}, "types"},
		{"more types than columns", []string{"id"}, []string{"UInt32", "String"}, "types"},
		{"no columns", nil, nil, ""},
		{"no columns, a type", nil, []string{"UInt32"}, ""},
		{"no types", []string{"id"}, nil, ""},
		{"malformed type", []string{"id", "s"}, []string{"UInt32", "Strin g"}, "strin g"},
		{"unbalanced type", []string{"s"}, []string{"Nullable(String"}, ""},
		{"repeated name", []string{"id", "id"}, []string{"UInt32", "UInt32"}, "id"},
		{"NUL in a type", []string{"s"}, []string{"Str\x00ing"}, "nul"},
		{"NUL in a name", []string{"s\x00"}, []string{"String"}, "nul"},
	} {
		ins, err := c.InsertTyped(ctx, table, tc.columns, tc.types)
		if ins != nil {
			ins.Close()
			t.Errorf("%s: got an Insert", tc.name)
		}
		e := asError(t, err)
		if e.Status != chconnect.StatusInvalidArgument || !errors.Is(err, chconnect.ErrInvalidArgument) {
			t.Errorf("%s: status %v, want invalid argument: %v", tc.name, e.Status, err)
		}
		if e.HTTPStatus != 0 || e.Code != 0 {
			t.Errorf("%s: looks like a server answer (HTTP %d, code %d): %v", tc.name, e.HTTPStatus, e.Code, err)
		}
		if tc.needle != "" && !strings.Contains(strings.ToLower(e.Message), tc.needle) {
			t.Errorf("%s: message %q lacks %q", tc.name, e.Message, tc.needle)
		}
		t.Logf("%s: %v", tc.name, err)
	}

	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.InsertTyped(cancelled, table, []string{"id"}, []string{"UInt32"}); !errors.Is(err, context.Canceled) ||
		!errors.Is(err, chconnect.ErrCancelled) {
		t.Errorf("InsertTyped with a cancelled context: %v", err)
	}

	// The client is unaffected, and the table took nothing.
	if r := mustCommand(t, c, "SELECT count() FROM "+table); r.Body != "0\n" {
		t.Fatalf("table holds %q rows", r.Body)
	}
}

// What the table lacks is the server's error, from Finish; InsertTyped itself does not ask.
func TestInsertTypedServerChecksAtFinish(t *testing.T) {
	c := openTest(t)
	ctx := ctxT(t)
	table := tableName(t, c)
	mustCommand(t, c, "CREATE TABLE "+table+" (id UInt32, s String) ENGINE Memory")

	// A column the table lacks.
	ins, err := c.InsertTyped(ctx, table, []string{"id", "nope"}, []string{"UInt32", "String"})
	if err != nil {
		t.Fatalf("InsertTyped with a column the table lacks failed before Finish: %v", err)
	}
	defer ins.Close()
	if err := ins.Append(1, "a"); err != nil {
		t.Fatalf("Append: %v", err)
	}
	_, err = ins.Finish()
	e := asError(t, err)
	if e.Status != chconnect.StatusServer || !errors.Is(err, chconnect.ErrServer) || e.Code == 0 || e.HTTPStatus == 0 {
		t.Errorf("Finish with a column the table lacks: status %v code %d HTTP %d, want a server error: %v",
			e.Status, e.Code, e.HTTPStatus, err)
	}
	if !strings.Contains(e.Message, "nope") {
		t.Errorf("the server's message does not name the column: %q", e.Message)
	}
	t.Logf("column the table lacks: %v", err)

	// A table that does not exist: Insert fails at once (its DESCRIBE TABLE), InsertTyped at Finish.
	missing := table + "_missing"
	if _, err := c.Insert(ctx, missing, []string{"id"}); !errors.Is(err, chconnect.ErrServer) {
		t.Errorf("Insert into a missing table: %v", err)
	}
	ins2, err := c.InsertTyped(ctx, missing, []string{"id"}, []string{"UInt32"})
	if err != nil {
		t.Fatalf("InsertTyped into a missing table failed before Finish (was the server asked?): %v", err)
	}
	defer ins2.Close()
	if err := ins2.Append(1); err != nil {
		t.Fatal(err)
	}
	_, err = ins2.Finish()
	if e := asError(t, err); e.Status != chconnect.StatusServer || e.Code != 60 {
		t.Errorf("Finish into a missing table: status %v code %d, want a server error 60 (UNKNOWN_TABLE): %v",
			e.Status, e.Code, err)
	}

	// Nothing reached the table, and the client still works.
	if r := mustCommand(t, c, "SELECT count() FROM "+table); r.Body != "0\n" {
		t.Fatalf("table holds %q rows", r.Body)
	}
	ins3, err := c.InsertTyped(ctx, table, []string{"s", "id"}, []string{"String", "UInt32"})
	if err != nil {
		t.Fatal(err)
	}
	defer ins3.Close()
	if err := ins3.Append("ok", 7); err != nil {
		t.Fatal(err)
	}
	if _, err := ins3.Finish(); err != nil {
		t.Fatalf("Finish after the failed inserts: %v", err)
	}
	if r := mustCommand(t, c, "SELECT id, s FROM "+table); r.Body != "7\tok\n" {
		t.Fatalf("stored %q", r.Body)
	}
}
