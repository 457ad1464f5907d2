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
