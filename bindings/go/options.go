package chconnect

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// An Option sets one or more string options, either of a client (Open, OpenConfig) or of one
// request (Command, Query, QueryRow, Insert, InsertRaw). Both use the key names of chconnect.h
// (section 3 for clients, section 5 for requests); an option that does not apply where it is
// passed fails with ErrNotFound (e.g. WithQueryID given to Open).
type Option func(*optionList)

// QueryOption is an Option passed to a request.
type QueryOption = Option

type keyValue struct{ key, value string }

// check rejects NUL bytes, which C strings would silently cut. The value is not quoted in the
// message: it may be a password.
func (kv keyValue) check() error {
	if strings.IndexByte(kv.key, 0) >= 0 || strings.IndexByte(kv.value, 0) >= 0 {
		return errorf(StatusInvalidArgument, "option %q: key or value contains a NUL byte", strings.ReplaceAll(kv.key, "\x00", ""))
	}
	return nil
}

type optionList struct{ kv []keyValue }

func (o *optionList) set(key, value string) { o.kv = append(o.kv, keyValue{key, value}) }

func collect(opts []Option) []keyValue {
	var l optionList
	for _, opt := range opts {
		if opt != nil {
			opt(&l)
		}
	}
	return l.kv
}

// WithConfig sets any option by its chconnect.h key, e.g. WithConfig("max_connections", "16").
func WithConfig(key, value string) Option {
	return func(o *optionList) { o.set(key, value) }
}

// WithSetting sends a ClickHouse setting (key "setting.<name>"): with every request when given
// to Open, with one request otherwise. The value is formatted with fmt.Sprint.
func WithSetting(name string, value any) Option {
	return func(o *optionList) { o.set("setting."+name, formatValue(value)) }
}

// WithDatabase sets the default database (of the client, or of one request).
func WithDatabase(db string) Option { return WithConfig("database", db) }

// WithSessionID runs requests in a server session (of the client, or of one request).
func WithSessionID(id string) Option { return WithConfig("session_id", id) }

// WithQueryID sets the query id of one request.
func WithQueryID(id string) Option { return WithConfig("query_id", id) }

// WithParam binds a server-side parameter {name:Type} of one request (servers >= 19.11).
func WithParam(name string, value any) Option {
	return func(o *optionList) { o.set("param."+name, formatValue(value)) }
}

// WithAuth sets the user name and password of a client.
func WithAuth(user, password string) Option {
	return func(o *optionList) {
		o.set("username", user)
		o.set("password", password)
	}
}

// WithCompression sets the client's compression: "auto" (default), "lz4", "zstd", "gzip",
// "deflate" or "none".
func WithCompression(method string) Option { return WithConfig("compress", method) }

// WithCACert makes a client trust the CA certificates of a PEM file instead of the system store.
func WithCACert(path string) Option { return WithConfig("ca_cert", path) }

// WithClientCert sets a PEM client certificate and its key for mutual TLS.
func WithClientCert(certPath, keyPath string) Option {
	return func(o *optionList) {
		o.set("client_cert", certPath)
		o.set("client_cert_key", keyPath)
	}
}

// WithInsecureSkipVerify turns off TLS certificate and host name verification.
func WithInsecureSkipVerify() Option { return WithConfig("verify", "0") }

// WithServerHostName sets the name used for SNI and certificate verification.
func WithServerHostName(name string) Option { return WithConfig("server_host_name", name) }

// WithConnectTimeout sets the connect timeout of a client.
func WithConnectTimeout(d time.Duration) Option { return WithConfig("connect_timeout", seconds(d)) }

// WithSendReceiveTimeout sets how long a client waits without any byte moving.
func WithSendReceiveTimeout(d time.Duration) Option {
	return WithConfig("send_receive_timeout", seconds(d))
}

// WithProxy sends every request of a client through a proxy URL.
func WithProxy(url string) Option { return WithConfig("proxy", url) }

// WithMaxConnections sets how many idle keep-alive connections a client keeps.
func WithMaxConnections(n int) Option { return WithConfig("max_connections", strconv.Itoa(n)) }

func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
}

func formatValue(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		if x {
			return "1"
		}
		return "0"
	case time.Duration:
		return seconds(x)
	default:
		return fmt.Sprint(v)
	}
}
