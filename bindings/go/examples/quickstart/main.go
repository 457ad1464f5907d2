// Quickstart: create a table, insert two rows, read an aggregate back, drop the table.
//
//	CLICKHOUSE_URL=http://default:password@127.0.0.1:8123/default go run ./examples/quickstart
package main

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/chconnect/chconnect-go"
)

func main() {
	url := os.Getenv("CLICKHOUSE_URL")
	if url == "" {
		log.Fatal("set CLICKHOUSE_URL, e.g. http://default:password@127.0.0.1:8123/default")
	}
	ctx := context.Background()

	client, err := chconnect.Open(url)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	if _, err := client.Command(ctx, "DROP TABLE IF EXISTS new_table"); err != nil {
		log.Fatal(err)
	}
	if _, err := client.Command(ctx, "CREATE TABLE new_table (key UInt32, value String, metric Float64) "+
		"ENGINE MergeTree ORDER BY key"); err != nil {
		log.Fatal(err)
	}

	ins, err := client.Insert(ctx, "new_table", []string{"key", "value", "metric"})
	if err != nil {
		log.Fatal(err)
	}
	defer ins.Close()
	rows := [][]any{
		{1000, "String Value 1000", 5.233},
		{2000, "String Value 2000", -107.04},
	}
	for _, row := range rows {
		if err := ins.Append(row...); err != nil {
			log.Fatal(err)
		}
	}
	if _, err := ins.Finish(); err != nil {
		log.Fatal(err)
	}

	var maxKey uint32
	var avgMetric float64
	if err := client.QueryRow(ctx, "SELECT max(key), avg(metric) FROM new_table").Scan(&maxKey, &avgMetric); err != nil {
		log.Fatal(err)
	}
	fmt.Println(maxKey, avgMetric)

	if _, err := client.Command(ctx, "DROP TABLE new_table"); err != nil {
		log.Fatal(err)
	}
}
