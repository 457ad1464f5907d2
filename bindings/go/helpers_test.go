package chconnect_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chconnect/chconnect-go"
)

// The suite runs against the real server started by tests/server/start.sh; it reads the server
// from the environment and fails (never skips) when it is missing.
func mustEnv(t *testing.T, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		t.Fatalf("%s is not set: start the test server with eval \"$(tests/server/start.sh)\" from the repository root", name)
	}
	return v
}

// The server the suite runs against, from CHC_TEST_SERVER_KIND: the real ClickHouse 18.16 of
// tests/server/start.sh (the default when unset) or the chDB HTTP stand-in for a current server
// (tests/server/chdb_start.sh; .ci/binding_suites_standin.sh sets the kind). Tests whose
// expectations differ between the two branch on it; an unknown kind fails every test using it.
const (
	kindClickHouse1816 = "clickhouse-18.16"
	kindChdbStandin    = "chdb-standin"
)

func serverKind(t *testing.T) string {
	t.Helper()
	switch k := os.Getenv("CHC_TEST_SERVER_KIND"); k {
	case "", kindClickHouse1816:
		return kindClickHouse1816
	case kindChdbStandin:
		return kindChdbStandin
	default:
		t.Fatalf("CHC_TEST_SERVER_KIND=%q: want %q (default) or %q", k, kindClickHouse1816, kindChdbStandin)
		return ""
	}
}

// onStandin tells whether the server is the chDB stand-in for a current ClickHouse.
func onStandin(t *testing.T) bool { t.Helper(); return serverKind(t) == kindChdbStandin }

// serverDecimalText is how the server's toString renders a Decimal whose full-scale text is s:
// 18.16 keeps the trailing zeros of the scale ("0.50"); current servers drop them ("0.5", "42",
// "0"), and toString ignores output_format_decimal_trailing_zeros.
func serverDecimalText(t *testing.T, s string) string {
	t.Helper()
	if !onStandin(t) || !strings.Contains(s, ".") {
		return s
	}
	s = strings.TrimRight(s, "0")
	s = strings.TrimSuffix(s, ".")
	if s == "-0" {
		s = "0"
	}
	return s
}

func openTest(t *testing.T, opts ...chconnect.Option) *chconnect.Client {
	t.Helper()
	c, err := chconnect.Open(mustEnv(t, "CLICKHOUSE_URL"), opts...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

var nonWord = regexp.MustCompile(`[^A-Za-z0-9_]`)

// tableName gives a table name unique to this test run, dropped when the test ends.
func tableName(t *testing.T, c *chconnect.Client) string {
	t.Helper()
	name := fmt.Sprintf("go_%s_%d_%d", strings.ToLower(nonWord.ReplaceAllString(t.Name(), "_")),
		time.Now().UnixNano()%1e9, rand.Intn(1e6))
	t.Cleanup(func() {
		if _, err := c.Command(context.Background(), "DROP TABLE IF EXISTS "+name); err != nil {
			t.Errorf("dropping %s: %v", name, err)
		}
	})
	return name
}

func mustCommand(t *testing.T, c *chconnect.Client, sql string, opts ...chconnect.QueryOption) *chconnect.Response {
	t.Helper()
	r, err := c.Command(ctxT(t), sql, opts...)
	if err != nil {
		t.Fatalf("Command(%q): %v", sql, err)
	}
	return r
}

// asError asserts that err is a *chconnect.Error and returns it.
func asError(t *testing.T, err error) *chconnect.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("expected an error, got nil")
	}
	var e *chconnect.Error
	if !errors.As(err, &e) {
		t.Fatalf("expected *chconnect.Error, got %T: %v", err, err)
	}
	return e
}
