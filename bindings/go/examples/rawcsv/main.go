// Raw CSV: stream a query's CSV answer to stdout as it arrives (memory stays bounded whatever its
// size); Ctrl-C cancels the context, which aborts the transfer.
//
//	CLICKHOUSE_URL=http://default:password@127.0.0.1:8123/default go run ./examples/rawcsv
package main

import (
	"context"
	"io"
	"log"
	"os"
	"os/signal"

	"github.com/chconnect/chconnect-go"
)

func main() {
	url := os.Getenv("CLICKHOUSE_URL")
	if url == "" {
		log.Fatal("set CLICKHOUSE_URL, e.g. http://default:password@127.0.0.1:8123/default")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	client, err := chconnect.Open(url)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	body, err := client.QueryRaw(ctx, "SELECT number, toString(number * 3) FROM numbers(10) FORMAT CSV")
	if err != nil {
		log.Fatal(err) // e.g. *chconnect.Error with Code 60 for an unknown table
	}
	defer body.Close()
	if _, err := io.Copy(os.Stdout, body); err != nil {
		log.Fatal(err) // also a server exception raised mid-stream
	}
}
