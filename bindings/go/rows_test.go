package chconnect_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/chconnect/chconnect-go"
)

func TestMultipleBlocks(t *testing.T) {
	c := openTest(t)
	ctx := ctxT(t)
	const total = 10000
	qid := fmt.Sprintf("go-blocks-%d", time.Now().UnixNano())
	rows, err := c.Query(ctx, fmt.Sprintf("SELECT number, toString(number) AS s FROM system.numbers LIMIT %d", total),
		chconnect.WithSetting("max_block_size", 100), chconnect.WithQueryID(qid))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if rows.QueryID() != qid {
		t.Errorf("QueryID %q", rows.QueryID())
	}
	blocks, n := 0, 0
	var sum uint64
	for rows.Next() {
		b := rows.Block()
		if b.NumColumns() != 2 {
			t.Fatalf("columns %d", b.NumColumns())
		}
		if b.NumRows() == 0 {
			continue
		}
		blocks++
		num, err := b.Column(0)
		if err != nil {
			t.Fatal(err)
		}
		str, err := b.ColumnByName("s")
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < b.NumRows(); i++ {
			v, err := num.Uint64(i)
			if err != nil {
				t.Fatal(err)
			}
			s, err := str.String(i)
			if err != nil {
				t.Fatal(err)
			}
			if v != uint64(n) || s != fmt.Sprint(n) {
				t.Fatalf("row %d: %d %q", n, v, s)
			}
			sum += v
			n++
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != total || sum != total*(total-1)/2 {
		t.Fatalf("%d rows sum %d", n, sum)
	}
	if blocks < 2 {
		t.Fatalf("only %d blocks with max_block_size=100", blocks)
	}
	t.Logf("%d rows in %d blocks", n, blocks)
	// At the end Next stays false and Err nil.
	if rows.Next() || rows.Err() != nil || rows.Block() != nil {
		t.Fatalf("after the end: %v", rows.Err())
	}

	// The row cursor crosses blocks the same way.
	rows2, err := c.Query(ctx, "SELECT number FROM system.numbers LIMIT 1000", chconnect.WithSetting("max_block_size", 7))
	if err != nil {
		t.Fatal(err)
	}
	defer rows2.Close()
	want := uint64(0)
	for rows2.NextRow() {
		var v uint64
		if err := rows2.Scan(&v); err != nil {
			t.Fatal(err)
		}
		if v != want {
			t.Fatalf("row cursor: %d, want %d", v, want)
		}
		want++
	}
	if rows2.Err() != nil || want != 1000 {
		t.Fatalf("row cursor ended at %d: %v", want, rows2.Err())
	}
}

func TestEmptyResultAndEarlyClose(t *testing.T) {
	c := openTest(t)
	ctx := ctxT(t)
	if err := c.QueryRow(ctx, "SELECT 1 WHERE 0").Scan(new(uint8)); !errors.Is(err, chconnect.ErrNoRows) {
		t.Fatalf("empty QueryRow: %v", err)
	}
	// Closing a large result early aborts the transfer and leaves the client usable.
	for i := 0; i < 5; i++ {
		rows, err := c.Query(ctx, "SELECT number FROM system.numbers LIMIT 50000000", chconnect.WithSetting("max_block_size", 1000))
		if err != nil {
			t.Fatal(err)
		}
		if !rows.Next() {
			t.Fatalf("no block: %v", rows.Err())
		}
		rows.Close()
		rows.Close() // idempotent
		if rows.Next() {
			t.Fatalf("Next after Close")
		}
	}
	var one uint8
	if err := c.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("after early closes: %v", err)
	}
}

func TestConcurrentQueries(t *testing.T) {
	c := openTest(t)
	ctx := ctxT(t)
	const workers, iterations = 8, 15
	var wg sync.WaitGroup
	errs := make(chan error, workers*iterations)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < iterations; i++ {
				limit := 1000 + w*100 + i
				switch i % 3 {
				case 0: // a streamed query over several blocks
					rows, err := c.Query(ctx, fmt.Sprintf("SELECT number FROM system.numbers LIMIT %d", limit),
						chconnect.WithSetting("max_block_size", 128))
					if err != nil {
						errs <- err
						return
					}
					var sum uint64
					for rows.NextRow() {
						var v uint64
						if err := rows.Scan(&v); err != nil {
							errs <- err
							break
						}
						sum += v
					}
					rows.Close()
					if rows.Err() != nil || sum != uint64(limit*(limit-1)/2) {
						errs <- fmt.Errorf("worker %d: sum %d, err %v", w, sum, rows.Err())
					}
				case 1: // a command
					r, err := c.Command(ctx, fmt.Sprintf("SELECT %d", limit))
					if err != nil || r.Body != fmt.Sprintf("%d\n", limit) {
						errs <- fmt.Errorf("worker %d: command %v %v", w, r, err)
					}
				case 2: // a server error in between must not disturb the others
					_, err := c.Command(ctx, "SELECT * FROM go_concurrent_missing")
					var e *chconnect.Error
					if !errors.As(err, &e) || e.Code != 60 {
						errs <- fmt.Errorf("worker %d: want code 60, got %v", w, err)
					}
					if err := c.Ping(ctx); err != nil {
						errs <- err
					}
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// Rows and Inserts that are never closed are freed by their finalizers; nothing crashes and the
// client keeps working.
func TestFinalizersFreeForgottenHandles(t *testing.T) {
	c := openTest(t)
	ctx := context.Background()
	for i := 0; i < 20; i++ {
		rows, err := c.Query(ctx, "SELECT number FROM system.numbers LIMIT 10000", chconnect.WithSetting("max_block_size", 100))
		if err != nil {
			t.Fatal(err)
		}
		if !rows.Next() {
			t.Fatal(rows.Err())
		}
		if _, err := rows.Block().Column(0); err != nil {
			t.Fatal(err)
		}
		// dropped without Close
		client, err := chconnect.Open(mustEnv(t, "CLICKHOUSE_URL"))
		if err != nil {
			t.Fatal(err)
		}
		if err := client.Ping(ctx); err != nil {
			t.Fatal(err)
		}
		// dropped without Close
	}
	runtime.GC()
	runtime.GC()
	var n uint64
	if err := c.QueryRow(ctx, "SELECT count() FROM (SELECT number FROM system.numbers LIMIT 100)").Scan(&n); err != nil || n != 100 {
		t.Fatalf("after the finalizers: %d %v", n, err)
	}
}
