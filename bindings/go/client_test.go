package chconnect_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"net"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chconnect/chconnect-go"
)

// The seed example of every binding: create, insert two rows, aggregate, drop.
func TestSeedQuickstart(t *testing.T) {
	c := openTest(t)
	ctx := ctxT(t)
	table := tableName(t, c)
	mustCommand(t, c, "CREATE TABLE "+table+" (key UInt32, value String, metric Float64) ENGINE MergeTree ORDER BY key")

	ins, err := c.Insert(ctx, table, []string{"key", "value", "metric"})
	if err != nil {
		t.Fatalf("Insert: %v", err)
	}
	defer ins.Close()
	if err := ins.Append(1000, "String Value 1000", 5.233); err != nil {
		t.Fatalf("Append: %v", err)
	}
	if err := ins.Append(2000, "String Value 2000", -107.04); err != nil {
		t.Fatalf("Append: %v", err)
	}
	if ins.Len() != 2 {
		t.Fatalf("Len = %d, want 2", ins.Len())
	}
	if _, err := ins.Finish(); err != nil {
		t.Fatalf("Finish: %v", err)
	}

	var maxKey uint32
	var avg float64
	if err := c.QueryRow(ctx, "SELECT max(key), avg(metric) FROM "+table).Scan(&maxKey, &avg); err != nil {
		t.Fatalf("QueryRow: %v", err)
	}
	if maxKey != 2000 || math.Abs(avg-(-50.9035)) > 1e-9 {
		t.Fatalf("got max %d avg %v, want 2000 -50.9035", maxKey, avg)
	}

	// The same through Command: the server's own text rendering.
	r := mustCommand(t, c, "SELECT max(key), round(avg(metric), 4) FROM "+table)
	if r.Body != "2000\t-50.9035\n" {
		t.Fatalf("Command body %q", r.Body)
	}
}

func TestPingAndServerVersion(t *testing.T) {
	c := openTest(t)
	ctx := ctxT(t)
	if err := c.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if lv := chconnect.LibraryVersion(); lv == "" || strings.Count(lv, ".") != 2 {
		t.Errorf("LibraryVersion %q", lv)
	}
	v, err := c.ServerVersion(ctx)
	if err != nil {
		t.Fatalf("ServerVersion: %v", err)
	}
	want := mustCommand(t, c, "SELECT version()").Body
	if v != strings.TrimSpace(want) {
		t.Fatalf("ServerVersion %q, server says %q", v, want)
	}
	// Which server it is: 18.16.x, or the stand-in's current engine (26.x when written).
	var major, minor int
	if _, err := fmt.Sscanf(v, "%d.%d.", &major, &minor); err != nil {
		t.Fatalf("ServerVersion %q is not MAJOR.MINOR....: %v", v, err)
	}
	switch serverKind(t) {
	case kindClickHouse1816:
		if major != 18 || minor != 16 {
			t.Fatalf("ServerVersion %q on %s", v, kindClickHouse1816)
		}
		if sv := os.Getenv("CHC_TEST_SERVER_VERSION"); sv != "" && v != sv {
			t.Fatalf("ServerVersion %q, tests/server/start.sh says %q", v, sv)
		}
	case kindChdbStandin:
		if major < 24 {
			t.Fatalf("ServerVersion %q: the stand-in should run a current engine (24.x or later)", v)
		}
	}
}

func TestCommandResponse(t *testing.T) {
	c := openTest(t)
	qid := fmt.Sprintf("go-cmd-%d", time.Now().UnixNano())
	r := mustCommand(t, c, "SELECT 1, 'a\\tb'", chconnect.WithQueryID(qid))
	if r.Body != "1\ta\\tb\n" {
		t.Fatalf("Body %q", r.Body)
	}
	if r.QueryID != qid {
		t.Fatalf("QueryID %q", r.QueryID)
	}
	// 18.16 sends no X-ClickHouse-Summary; current servers (the stand-in) send every field.
	for _, f := range chconnect.SummaryFields {
		v, ok := r.Summary(f)
		switch {
		case onStandin(t) && (!ok || v < 0):
			t.Errorf("Summary(%q) = %d, %v: the stand-in sends X-ClickHouse-Summary", f, v, ok)
		case !onStandin(t) && ok:
			t.Errorf("Summary(%q) = %d present, but 18.16 sends no X-ClickHouse-Summary", f, v)
		}
	}
	if onStandin(t) {
		if v, _ := r.Summary("result_rows"); v != 1 {
			t.Errorf("Summary(result_rows) = %d, want 1", v)
		}
		if v, _ := r.Summary("written_rows"); v != 0 {
			t.Errorf("Summary(written_rows) = %d, want 0 for a SELECT", v)
		}
	}
	if _, ok := r.Summary("no_such_field"); ok {
		t.Fatalf("unknown summary field reported as present")
	}
	// A body with a NUL byte comes back whole.
	r = mustCommand(t, c, "SELECT unhex('0041') FORMAT TabSeparatedRaw")
	if r.Body != "\x00A\n" {
		t.Fatalf("body with a NUL byte: %q", r.Body)
	}
}

func TestSettingsAndSession(t *testing.T) {
	c := openTest(t, chconnect.WithSetting("max_threads", 3))
	var v string
	if err := c.QueryRow(ctxT(t), "SELECT value FROM system.settings WHERE name = 'max_threads'").Scan(&v); err != nil {
		t.Fatal(err)
	}
	if v != "3" {
		t.Fatalf("client setting max_threads = %q, want 3", v)
	}
	if err := c.QueryRow(ctxT(t), "SELECT value FROM system.settings WHERE name = 'max_threads'",
		chconnect.WithSetting("max_threads", 2)).Scan(&v); err != nil {
		t.Fatal(err)
	}
	if v != "2" {
		t.Fatalf("request setting max_threads = %q, want 2", v)
	}

	// A session keeps temporary tables between requests.
	sess := fmt.Sprintf("go-session-%d-%d", time.Now().UnixNano(), rand.Int63())
	mustCommand(t, c, "CREATE TEMPORARY TABLE tmp_go (x UInt8)", chconnect.WithSessionID(sess))
	mustCommand(t, c, "INSERT INTO tmp_go VALUES (7)", chconnect.WithSessionID(sess))
	r := mustCommand(t, c, "SELECT x FROM tmp_go", chconnect.WithSessionID(sess))
	if r.Body != "7\n" {
		t.Fatalf("session body %q", r.Body)
	}
}

func TestServerErrorKeepsClientUsable(t *testing.T) {
	c := openTest(t)
	ctx := ctxT(t)
	for _, run := range []struct {
		name string
		call func() error
	}{
		{"Command", func() error { _, err := c.Command(ctx, "SELECT * FROM go_no_such_table_x"); return err }},
		{"Query", func() error {
			rows, err := c.Query(ctx, "SELECT * FROM go_no_such_table_x")
			if err == nil {
				for rows.Next() {
				}
				err = rows.Err()
				rows.Close()
			}
			return err
		}},
		{"Insert", func() error { _, err := c.Insert(ctx, "go_no_such_table_x", nil); return err }},
	} {
		err := run.call()
		e := asError(t, err)
		if e.Status != chconnect.StatusServer || !errors.Is(err, chconnect.ErrServer) {
			t.Errorf("%s: status %v, want server error: %v", run.name, e.Status, err)
		}
		if e.Code != 60 {
			t.Errorf("%s: code %d, want 60 (UNKNOWN_TABLE): %v", run.name, e.Code, err)
		}
		if e.HTTPStatus != 404 {
			t.Errorf("%s: HTTP status %d, want 404: %v", run.name, e.HTTPStatus, err)
		}
		// Exception names ("(UNKNOWN_TABLE)") are in current servers' texts, not in 18.16's.
		if wantName := map[bool]string{true: "UNKNOWN_TABLE", false: ""}[onStandin(t)]; e.Name != wantName {
			t.Errorf("%s: name %q, want %q on %s: %v", run.name, e.Name, wantName, serverKind(t), err)
		}
		if !strings.Contains(e.Message, "go_no_such_table_x") {
			t.Errorf("%s: message does not name the table: %q", run.name, e.Message)
		}
		t.Logf("%s: %v", run.name, err)
		// The client is still usable.
		var one uint8
		if err := c.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
			t.Fatalf("%s: client unusable after a server error: %v", run.name, err)
		}
	}
	// A syntax error has another code and the same treatment.
	_, err := c.Command(ctx, "SELEC 1")
	if e := asError(t, err); e.Code != 62 || e.HTTPStatus != 400 {
		t.Errorf("syntax error code %d HTTP %d, want 62 and 400: %v", e.Code, e.HTTPStatus, err)
	} else if wantName := map[bool]string{true: "SYNTAX_ERROR", false: ""}[onStandin(t)]; e.Name != wantName {
		t.Errorf("syntax error name %q, want %q on %s: %v", e.Name, wantName, serverKind(t), err)
	}
}

func TestWrongPassword(t *testing.T) {
	const secret = "go_wrong_pw_Zq81"
	u, err := url.Parse(mustEnv(t, "CLICKHOUSE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(mustEnv(t, "CHC_TEST_USER"), secret)
	c, err := chconnect.Open(u.String())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer c.Close()
	_, err = c.Command(ctxT(t), "SELECT 1")
	e := asError(t, err)
	if e.Status != chconnect.StatusAuth || !errors.Is(err, chconnect.ErrAuth) {
		t.Fatalf("status %v, want auth: %v", e.Status, err)
	}
	// 18.16: 401 with code 193 (WRONG_PASSWORD, no name in its text); current servers: 403 with
	// 516 AUTHENTICATION_FAILED.
	wantHTTP, wantCode, wantName := 401, int32(193), ""
	if onStandin(t) {
		wantHTTP, wantCode, wantName = 403, 516, "AUTHENTICATION_FAILED"
	}
	if e.HTTPStatus != wantHTTP || e.Code != wantCode || e.Name != wantName {
		t.Errorf("HTTP %d code %d name %q, want %d %d %q on %s: %v",
			e.HTTPStatus, e.Code, e.Name, wantHTTP, wantCode, wantName, serverKind(t), err)
	}
	if strings.Contains(err.Error(), secret) || strings.Contains(fmt.Sprintf("%+v", e), secret) {
		t.Fatalf("the password leaked into the error: %v", err)
	}
	t.Logf("%v", err)

	// The same password through WithAuth, and a query instead of a command.
	c2, err := chconnect.Open("http://"+u.Host+"/", chconnect.WithAuth(mustEnv(t, "CHC_TEST_USER"), secret))
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	_, err = c2.Query(ctxT(t), "SELECT 1")
	if !errors.Is(err, chconnect.ErrAuth) || strings.Contains(err.Error(), secret) {
		t.Fatalf("Query with a wrong password: %v", err)
	}
	if e := asError(t, err); e.HTTPStatus != wantHTTP || e.Code != wantCode {
		t.Errorf("Query: HTTP %d code %d, want %d %d: %v", e.HTTPStatus, e.Code, wantHTTP, wantCode, err)
	}
}

// Query parameters go out as param_<name>: current servers (the stand-in) substitute {name:Type};
// 18.16 has no query parameters and rejects param_x as an unknown setting (115, HTTP 404). The
// value is sent as given, in the TSV escaping the server expects: \t is a TAB in the value.
func TestQueryParams(t *testing.T) {
	c := openTest(t)
	ctx := ctxT(t)
	const sql = "SELECT {n:UInt32} + 1, {s:String}"
	opts := []chconnect.QueryOption{chconnect.WithParam("n", 41), chconnect.WithParam("s", `it's\tok`)}
	r, err := c.Command(ctx, sql, opts...)
	rows, qerr := c.Query(ctx, sql, opts...)
	if qerr == nil {
		defer rows.Close()
	}
	switch serverKind(t) {
	case kindChdbStandin:
		if err != nil {
			t.Fatalf("Command with param_*: %v", err)
		}
		if r.Body != "42\tit\\'s\\tok\n" { // TabSeparated escapes ' too
			t.Fatalf("Command with param_*: body %q", r.Body)
		}
		if qerr != nil {
			t.Fatalf("Query with param_*: %v", qerr)
		}
		var n uint64 // UInt32 + 1 is UInt64
		var s string
		if !rows.NextRow() {
			t.Fatalf("Query with param_*: no row: %v", rows.Err())
		}
		if err := rows.Scan(&n, &s); err != nil || n != 42 || s != "it's\tok" {
			t.Fatalf("Query with param_*: %d %q %v", n, s, err)
		}
	case kindClickHouse1816:
		for name, err := range map[string]error{"Command": err, "Query": qerr} {
			e := asError(t, err)
			if e.Status != chconnect.StatusServer || e.Code != 115 || e.HTTPStatus != 404 ||
				!strings.Contains(e.Message, "param_") {
				t.Errorf("%s with param_* on 18.16: want code 115 (unknown setting param_...), HTTP 404: %v", name, err)
			}
		}
	}
	// Either way the client stays usable.
	if r := mustCommand(t, c, "SELECT 1"); r.Body != "1\n" {
		t.Fatalf("after param_*: %q", r.Body)
	}
}

func TestConnectionRefused(t *testing.T) {
	const secret = "go_refused_pw_4Xy"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	c, err := chconnect.Open("http://default:"+secret+"@"+addr+"/default", chconnect.WithConnectTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	err = c.Ping(ctxT(t))
	e := asError(t, err)
	if !errors.Is(err, chconnect.ErrIO) || e.HTTPStatus != 0 {
		t.Fatalf("want an I/O error without HTTP status, got %v", err)
	}
	if strings.Contains(err.Error(), secret) {
		t.Fatalf("password leaked: %v", err)
	}
}

func TestHTTPS(t *testing.T) {
	httpsURL := mustEnv(t, "CLICKHOUSE_HTTPS_URL")
	ca := mustEnv(t, "CHC_TEST_CA")
	otherCA := mustEnv(t, "CHC_TEST_OTHER_CA")
	ctx := ctxT(t)

	query := func(c *chconnect.Client) error {
		var n uint64
		if err := c.QueryRow(ctx, "SELECT count() FROM (SELECT number FROM system.numbers LIMIT 10)").Scan(&n); err != nil {
			return err
		}
		if n != 10 {
			return fmt.Errorf("count %d, want 10", n)
		}
		return nil
	}

	t.Run("VerifiedWithCA", func(t *testing.T) {
		c, err := chconnect.Open(httpsURL, chconnect.WithCACert(ca))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if err := c.Ping(ctx); err != nil {
			t.Fatalf("Ping over HTTPS: %v", err)
		}
		if err := query(c); err != nil {
			t.Fatalf("query over HTTPS: %v", err)
		}
	})
	t.Run("OtherCARefused", func(t *testing.T) {
		c, err := chconnect.Open(httpsURL, chconnect.WithCACert(otherCA))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		err = c.Ping(ctx)
		if e := asError(t, err); e.Status != chconnect.StatusTLS || !errors.Is(err, chconnect.ErrTLS) {
			t.Fatalf("want a TLS error, got %v", err)
		}
		if _, err := c.Command(ctx, "SELECT 1"); !errors.Is(err, chconnect.ErrTLS) {
			t.Fatalf("Command: want a TLS error, got %v", err)
		}
	})
	t.Run("SystemStoreRefused", func(t *testing.T) {
		c, err := chconnect.Open(httpsURL) // the test CA is in no system store
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if err := c.Ping(ctx); !errors.Is(err, chconnect.ErrTLS) {
			t.Fatalf("want a TLS error, got %v", err)
		}
	})
	t.Run("VerifyOff", func(t *testing.T) {
		c, err := chconnect.Open(httpsURL, chconnect.WithInsecureSkipVerify())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if err := query(c); err != nil {
			t.Fatalf("query with verify=0: %v", err)
		}
	})
	t.Run("OpenConfig", func(t *testing.T) {
		c, err := chconnect.OpenConfig(map[string]string{
			"host":     "localhost",
			"port":     mustEnv(t, "CHC_TEST_HTTPS_PORT"),
			"secure":   "1",
			"ca_cert":  ca,
			"username": mustEnv(t, "CHC_TEST_USER"),
			"password": mustEnv(t, "CHC_TEST_PASSWORD"),
		})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if err := query(c); err != nil {
			t.Fatalf("query via OpenConfig: %v", err)
		}
	})
}

func TestConfigErrors(t *testing.T) {
	if _, err := chconnect.OpenConfig(map[string]string{"no_such_option": "1"}); !errors.Is(err, chconnect.ErrNotFound) {
		t.Errorf("unknown key: %v", err)
	}
	if _, err := chconnect.Open("ftp://nowhere"); !errors.Is(err, chconnect.ErrInvalidArgument) {
		t.Errorf("bad URL scheme: %v", err)
	}
	if _, err := chconnect.Open("http://localhost/", chconnect.WithQueryID("x")); !errors.Is(err, chconnect.ErrNotFound) {
		t.Errorf("request option given to Open: %v", err)
	}
	if _, err := chconnect.Open("http://localhost/", chconnect.WithConfig("connect_timeout", "soon")); !errors.Is(err, chconnect.ErrInvalidArgument) {
		t.Errorf("malformed timeout: %v", err)
	}
	const secret = "go_bad_url_pw_9Kd"
	_, err := chconnect.Open("http://default:" + secret + "@localhost:notaport/")
	if !errors.Is(err, chconnect.ErrInvalidArgument) || strings.Contains(err.Error(), secret) {
		t.Errorf("bad port: %v", err)
	}
	_, err = chconnect.Open("http://localhost/", chconnect.WithAuth("default", "pw\x00"+secret))
	if !errors.Is(err, chconnect.ErrInvalidArgument) || strings.Contains(err.Error(), secret) {
		t.Errorf("NUL in a password: %v", err)
	}
	c := openTest(t)
	if _, err := c.Command(ctxT(t), "SELECT 1", chconnect.WithConfig("compress", "lz4")); !errors.Is(err, chconnect.ErrNotFound) {
		t.Errorf("client option given to a request: %v", err)
	}
	if _, err := c.Command(ctxT(t), "SELECT 1", chconnect.WithSetting("max_threads\x00", 1)); !errors.Is(err, chconnect.ErrInvalidArgument) {
		t.Errorf("NUL in a setting name: %v", err)
	}
	if _, err := c.Insert(ctxT(t), "t\x00x", nil); !errors.Is(err, chconnect.ErrInvalidArgument) {
		t.Errorf("NUL in a table name: %v", err)
	}
	// The client is unaffected by all of that.
	if err := c.Ping(ctxT(t)); err != nil {
		t.Fatal(err)
	}
}

func TestContextCheckedBeforeCalls(t *testing.T) {
	c := openTest(t)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	check := func(name string, err error) {
		t.Helper()
		if !errors.Is(err, context.Canceled) || !errors.Is(err, chconnect.ErrCancelled) {
			t.Errorf("%s with a cancelled context: %v", name, err)
		}
	}
	check("Ping", c.Ping(cancelled))
	_, err := c.Command(cancelled, "SELECT 1")
	check("Command", err)
	_, err = c.Query(cancelled, "SELECT 1")
	check("Query", err)
	_, err = c.Insert(cancelled, "t", nil)
	check("Insert", err)
	check("QueryRow", c.QueryRow(cancelled, "SELECT 1").Err())

	expired, cancel2 := context.WithTimeout(context.Background(), 0)
	defer cancel2()
	if err := c.Ping(expired); !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, chconnect.ErrTimeout) {
		t.Errorf("expired deadline: %v", err)
	}

	// Cancelling between blocks stops a Rows.
	ctx, cancel3 := context.WithCancel(context.Background())
	defer cancel3()
	rows, err := c.Query(ctx, "SELECT number FROM system.numbers LIMIT 100000", chconnect.WithSetting("max_block_size", 1000))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if !rows.Next() {
		t.Fatalf("no first block: %v", rows.Err())
	}
	cancel3()
	if rows.Next() {
		t.Fatalf("Next went on after cancel")
	}
	if !errors.Is(rows.Err(), context.Canceled) {
		t.Fatalf("Err after cancel: %v", rows.Err())
	}
	// The client is fine afterwards.
	if err := c.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestCloseSemantics(t *testing.T) {
	c, err := chconnect.Open(mustEnv(t, "CLICKHOUSE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	rows, err := c.Query(ctx, "SELECT number FROM system.numbers LIMIT 5000", chconnect.WithSetting("max_block_size", 500))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	// Closing the client does not invalidate the rows it made (the library refcounts it).
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	var sum uint64
	for rows.NextRow() {
		var n uint64
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		sum += n
	}
	if rows.Err() != nil || sum != 4999*5000/2 {
		t.Fatalf("rows after client Close: sum %d err %v", sum, rows.Err())
	}
	if err := c.Ping(ctx); !errors.Is(err, chconnect.ErrInvalidState) {
		t.Fatalf("Ping on a closed client: %v", err)
	}
	if _, err := c.Command(ctx, "SELECT 1"); !errors.Is(err, chconnect.ErrInvalidState) {
		t.Fatalf("Command on a closed client: %v", err)
	}
	var nilClient *chconnect.Client
	if err := nilClient.Ping(ctx); !errors.Is(err, chconnect.ErrInvalidState) {
		t.Fatalf("Ping on a nil client: %v", err)
	}
}

func TestParseType(t *testing.T) {
	typ, err := chconnect.ParseType("Array(Nullable(String))")
	if err != nil {
		t.Fatal(err)
	}
	if typ.Kind != chconnect.KindArray || typ.Elem.Kind != chconnect.KindNullable ||
		typ.Elem.Elem.Kind != chconnect.KindString || typ.Name != "Array(Nullable(String))" {
		t.Fatalf("parsed %+v", typ)
	}
	if typ.GoType().String() != "[]*string" {
		t.Fatalf("GoType %v", typ.GoType())
	}
	fs, err := chconnect.ParseType("FixedString(16)")
	if err != nil || fs.Size != 16 || fs.Kind != chconnect.KindFixedString {
		t.Fatalf("FixedString(16): %+v %v", fs, err)
	}
	dt, err := chconnect.ParseType("DateTime('UTC')")
	if err != nil || dt.Timezone != "UTC" || dt.Kind != chconnect.KindDateTime {
		t.Fatalf("DateTime('UTC'): %+v %v", dt, err)
	}
	if _, err := chconnect.ParseType("Array(Int32"); !errors.Is(err, chconnect.ErrInvalidArgument) {
		t.Fatalf("malformed name: %v", err)
	}
}
