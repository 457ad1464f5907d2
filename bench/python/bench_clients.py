#!/usr/bin/env python3
"""chconnect vs clickhouse-connect, same process, same server, same data, one run.

    python bench/python/bench_clients.py --url URL [--rows N] [--replay] [--peer-path DIR] ...

Creates (once) table chc_bench_<N> with N rows (UInt64, String, Float64, DateTime,
Nullable(Int32), LowCardinality(String)) plus a Null-engine sink for inserts, then runs each
operation for chconnect ("ours") and clickhouse-connect ("peer") alternately and prints, per
operation: client CPU seconds (user+sys of this process, getrusage, all threads), wall seconds,
and peer/ours ratios; streamed reads run in a fresh subprocess each so peak-RSS growth
(VmHWM, reset before the stream, minus VmRSS before it) is meaningful. The floor is
`curl -o /dev/null` fetching the same query as Native (CPU from getrusage(RUSAGE_CHILDREN)).

--replay starts bench/replay_server.py (captures the bench query's Native/Arrow bytes once
from --url, proxies everything else to --proxy-url) and points both clients at it, so the
client, not the server, is the bottleneck. Both clients use compress=False everywhere.
Methods a client lacks (hasattr) are skipped with a note. Env: CHC_BENCH_ROWS (default rows).
"""
import argparse
import gc
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

# numpy's OpenBLAS starts one spinning thread per core; its CPU lands in getrusage(RUSAGE_SELF)
# of whichever client is measured (3-6 % of query_np in perf). Neither client calls BLAS.
os.environ.setdefault('OPENBLAS_NUM_THREADS', '1')

HERE = os.path.dirname(os.path.abspath(__file__))
REPLAY = os.path.join(os.path.dirname(HERE), 'replay_server.py')

COLUMNS = [
    ('id', 'UInt64', 'number'),
    ('s', 'String', "concat('s', toString(intHash64(number) % 1000000), '_', toString(number % 7919))"),
    ('f', 'Float64', 'toFloat64(intHash64(number + 1) % 100000000) / 1000'),
    ('dt', 'DateTime', 'toDateTime(1500000000 + number)'),
    ('n', 'Nullable(Int32)', "CAST(if(number % 10 = 0, NULL, toInt32(number % 1000003) - 500000), 'Nullable(Int32)')"),
    ('lc', 'LowCardinality(String)', "concat('cat_', toString(number % 97))"),
]
# The numbers-only query of the *_num operations: no Python objects per value, so the result's
# cost can be compared with the curl floor of the same bytes.
NUMERIC_COLUMNS = ['id', 'f', 'dt']


def rusage_cpu(who=resource.RUSAGE_SELF):
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def rusage_split():
    """(user s, system s, minor page faults) of this process so far."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime, r.ru_stime, r.ru_minflt


def fmt_s(x):
    return '-' if x is None else f'{x:.3f}'


def ratio(a, b):
    if a is None or b is None or b <= 0:
        return None
    return a / b


def status_kb(field):
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith(field + ':'):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def current_rss_kb():
    rss = status_kb('VmRSS')
    return rss if rss is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def reset_peak_rss():
    """Resets VmHWM (Linux: "5" into /proc/self/clear_refs); False when that is not possible."""
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
        return True
    except OSError:
        return False


def peak_rss_kb(reset_done):
    """The peak RSS since reset_peak_rss(). ru_maxrss is only a fallback: Linux carries the
    parent's peak over fork + exec, so a child of a big parent would report the parent's."""
    hwm = status_kb('VmHWM') if reset_done else None
    return hwm if hwm is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def rss_text(r):
    return '-' if r.get('rss') is None else f"{r['rss']:.0f}"


def user_ratio(o, p):
    r = ratio(p.get('user'), o.get('user'))
    return '-' if r is None else f'{r:.2f}x'


def faults_text(o, p):
    if o.get('faults') is None:
        return '-'
    return f'{o["faults"] / 1e3:.0f}/' + ('-' if p.get('faults') is None else f'{p["faults"] / 1e3:.0f}')


def redact(url):
    u = urllib.parse.urlsplit(url)
    return f'{u.scheme}://{u.hostname}:{u.port}{u.path}'


# ------------------------------------------------------------------------------------------
# clients
# ------------------------------------------------------------------------------------------

def import_peer(peer_path):
    if peer_path:
        sys.path.insert(0, peer_path)
    import clickhouse_connect  # noqa: F401
    return clickhouse_connect


def make_client(which, url, peer_path=None):
    if which == 'ours':
        import chconnect
        return chconnect.get_client(dsn=url, compress=False)
    cc = import_peer(peer_path)
    u = urllib.parse.urlsplit(url)
    return cc.get_client(host=u.hostname, port=u.port, username=urllib.parse.unquote(u.username or 'default'),
                         password=urllib.parse.unquote(u.password or ''), database=u.path.strip('/') or 'default',
                         compress=False, query_limit=0)


def client_version(which, peer_path=None):
    if which == 'ours':
        import chconnect
        return getattr(chconnect, '__version__', '?')
    cc = import_peer(peer_path)
    ver = getattr(cc, '__version__', None)
    if ver is None:
        try:
            from importlib.metadata import version
            ver = version('clickhouse-connect')
        except Exception:  # noqa: BLE001
            ver = '?'
    try:
        from clickhouse_connect.driver import ctypes as ct
        cext = 'C ext' if 'driverc' in getattr(ct.RespBuffCls, '__module__', '') else 'pure Python'
    except Exception:  # noqa: BLE001
        cext = '?'
    return f'{ver} ({cext}) from {os.path.dirname(os.path.dirname(cc.__file__))}'


# ------------------------------------------------------------------------------------------
# operations: each returns a callable(client) or None (with a note) when unsupported
# ------------------------------------------------------------------------------------------

def count_rows(res):
    """Rows of an operation's result (None for an insert's summary)."""
    import numpy as np
    if isinstance(res, np.ndarray):
        return res.shape[0]
    if hasattr(res, 'num_rows'):
        return res.num_rows
    if hasattr(res, 'written_rows'):
        return None
    return len(res)


def op_callable(op, client, ctx):
    q = ctx['num_query'] if op.endswith('_num') else ctx['query']
    op = op.removesuffix('_num')
    # Each callable returns its result, so freeing it happens after the measurement.
    if op == 'result_rows':
        return lambda: client.query(q).result_rows
    if op == 'query_np':
        if not hasattr(client, 'query_np'):
            return None
        return lambda: client.query_np(q)
    if op == 'query_df':
        if not hasattr(client, 'query_df'):
            return None
        return lambda: client.query_df(q)
    if op == 'query_arrow':
        if not hasattr(client, 'query_arrow'):
            return None
        kw = {}
        if ctx.get('peer_arrow_settings') and client is not ctx.get('ours'):
            kw['settings'] = ctx['peer_arrow_settings']
        return lambda: client.query_arrow(q, **kw)
    if op == 'insert_rows':
        if ctx.get('insert_rows_data') is None:
            return None
        return lambda: client.insert(ctx['sink'], ctx['insert_rows_data'], column_names=[c[0] for c in COLUMNS])
    if op == 'insert_df':
        if not hasattr(client, 'insert_df') or ctx.get('insert_df_data') is None:
            return None
        return lambda: client.insert_df(ctx['sink'], ctx['insert_df_data'])
    raise ValueError(op)


STREAM_METHODS = ['query_rows_stream', 'query_row_block_stream']


def stream_consume(client, method, q):
    n = 0
    stream = getattr(client, method)(q)
    with stream:
        if method == 'query_rows_stream':
            for _row in stream:
                n += 1
        else:
            for block in stream:
                n += len(block)
    return n


def child_stream(args):
    """Subprocess: one streamed read; prints JSON with cpu, wall, rss growth."""
    for mod in ('numpy', 'pandas', 'pyarrow'):
        try:
            __import__(mod)
        except ImportError:
            pass
    client = make_client(args.child_client, args.url, args.peer_path)
    if not hasattr(client, args.child_method):
        print(json.dumps({'skip': f'no {args.child_method}'}))
        return
    # warm up on a small query so lazy imports / first-connection cost are out of the measurement
    stream_consume(client, args.child_method, args.query + ' LIMIT 1000')
    gc.collect()
    rss0 = current_rss_kb()
    reset = reset_peak_rss()
    c0, w0 = rusage_cpu(), time.perf_counter()
    n = stream_consume(client, args.child_method, args.query)
    w1, c1 = time.perf_counter(), rusage_cpu()
    rss1 = peak_rss_kb(reset)
    print(json.dumps({'rows': n, 'cpu': c1 - c0, 'wall': w1 - w0, 'rss_base_mb': rss0 / 1024,
                      'rss_growth_mb': (rss1 - rss0) / 1024}))


def run_stream(which, method, url, args, query):
    cmd = [sys.executable, os.path.abspath(__file__), '--child-stream', '--child-client', which,
           '--child-method', method, '--url', url, '--rows', str(args.rows), '--query-override', query]
    if args.peer_path:
        cmd += ['--peer-path', args.peer_path]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
    line = (p.stdout.strip().splitlines() or [''])[-1]
    try:
        return json.loads(line)
    except ValueError:
        return {'error': (p.stderr.strip().splitlines() or ['?'])[-1][:200]}


# ------------------------------------------------------------------------------------------
# setup
# ------------------------------------------------------------------------------------------

def ensure_table(client, table, sink, rows):
    exists = client.command(f"SELECT count() FROM system.tables WHERE database = currentDatabase() AND name = '{table}'")
    if int(exists) == 1:
        have = int(client.command(f'SELECT count() FROM {table}'))
        if have == rows:
            print(f'# table {table}: {rows} rows (exists)')
        else:
            print(f'# table {table} has {have} rows, expected {rows}: recreating')
            client.command(f'DROP TABLE {table}')
            exists = 0
    if int(exists) != 1:
        cols = ', '.join(f'{n} {t}' for n, t, _ in COLUMNS)
        client.command(f'CREATE TABLE {table} ({cols}) ENGINE = MergeTree ORDER BY id')
        exprs = ', '.join(f'{e} AS {n}' for n, _, e in COLUMNS)
        t0 = time.perf_counter()
        step = 5_000_000
        for start in range(0, rows, step):
            cnt = min(step, rows - start)
            client.command(f'INSERT INTO {table} SELECT {exprs} FROM (SELECT number + {start} AS number '
                           f'FROM system.numbers LIMIT {cnt})')
        print(f'# table {table}: created with {rows} rows in {time.perf_counter() - t0:.1f}s')
    cols = ', '.join(f'{n} {t}' for n, t, _ in COLUMNS)
    client.command(f'CREATE TABLE IF NOT EXISTS {sink} ({cols}) ENGINE = Null')


def is_standin(url):
    import urllib.request
    u = urllib.parse.urlsplit(url)
    try:
        with urllib.request.urlopen(f'http://{u.hostname}:{u.port}/ping', timeout=10) as r:
            return 'standin' in (r.headers.get('X-ClickHouse-Server-Display-Name') or '')
    except Exception:  # noqa: BLE001
        return False


def curl_floor(url, query, fmt='Native', runs=3):
    """The cheapest of `runs` curl fetches (CPU and wall taken separately)."""
    best = None
    for _ in range(runs):
        r = curl_once(url, query, fmt)
        if r is None:
            return None
        best = r if best is None else {'bytes': r['bytes'], 'cpu': min(best['cpu'], r['cpu']),
                                       'wall': min(best['wall'], r['wall'])}
    return best


def curl_once(url, query, fmt):
    curl = shutil.which('curl')
    if not curl:
        return None
    host, port = urllib.parse.urlsplit(url).hostname, urllib.parse.urlsplit(url).port
    u = urllib.parse.urlsplit(url)
    target = f'http://{host}:{port}/?database={u.path.strip("/") or "default"}'
    cmd = [curl, '-sS', '-o', '/dev/null', '-w', '%{size_download} %{http_code}', '-u',
           f'{urllib.parse.unquote(u.username or "default")}:{urllib.parse.unquote(u.password or "")}',
           '--data-binary', f'{query} FORMAT {fmt}', target]
    c0, w0 = rusage_cpu(resource.RUSAGE_CHILDREN), time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True).stdout.split()
    w1, c1 = time.perf_counter(), rusage_cpu(resource.RUSAGE_CHILDREN)
    if len(out) != 2 or out[1] != '200':
        return None
    return {'bytes': int(out[0]), 'cpu': c1 - c0, 'wall': w1 - w0}


def start_replay(args, queries):
    tmpdir = tempfile.mkdtemp(prefix='chc-replay.')
    port_file = os.path.join(tmpdir, 'port.json')
    log = open(os.path.join(tmpdir, 'replay.log'), 'w')
    cmd = [sys.executable, REPLAY, '--capture-url', args.url, '--proxy-url', args.proxy_url or args.url,
           '--port-file', port_file, '--formats', 'Native,Arrow']
    for query in queries:
        cmd += ['--query', query]
    proc = subprocess.Popen(cmd, stdout=log, stderr=log)
    t0 = time.time()
    while not os.path.exists(port_file):
        if proc.poll() is not None or time.time() - t0 > 900:
            log.flush()
            raise SystemExit('replay server failed: ' + open(os.path.join(tmpdir, 'replay.log')).read()[-2000:])
        time.sleep(0.2)
    info = json.load(open(port_file))
    u = urllib.parse.urlsplit(args.url)
    url = f'http://{u.username}:{u.password}@127.0.0.1:{info["port"]}{u.path}'
    print(f'# replay server pid {proc.pid} on 127.0.0.1:{info["port"]}: captures {info["captures"]} '
          f'from {info["sources"]}; log {tmpdir}/replay.log')
    return proc, url


# ------------------------------------------------------------------------------------------
# main
# ------------------------------------------------------------------------------------------

ALL_OPS = ['result_rows', 'query_np', 'query_df', 'query_arrow', 'query_np_num', 'query_arrow_num', 'stream',
           'insert_rows', 'insert_df']


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--url', default=os.environ.get('CHC_CHDB_URL') or os.environ.get('CLICKHOUSE_URL'),
                    help='server URL with credentials (default $CHC_CHDB_URL, then $CLICKHOUSE_URL)')
    ap.add_argument('--rows', type=int, default=int(os.environ.get('CHC_BENCH_ROWS', 10_000_000)))
    ap.add_argument('--insert-rows', type=int, default=None,
                    help='rows per insert op (default min(rows, 2M))')
    ap.add_argument('--ops', default=','.join(ALL_OPS))
    ap.add_argument('--rounds', type=int, default=2,
                    help='timings per client and operation, the order alternating (ours first in even '
                         'rounds, the peer first in odd ones); the table shows the cheapest (default 2)')
    ap.add_argument('--warmup-rounds', type=int, default=1,
                    help='untimed full-size runs of each client before the timed rounds (default 1): the '
                         "first client to touch memory the VM's host has taken back pays for it")
    ap.add_argument('--peer-path', default=os.environ.get('CHC_BENCH_PEER_PATH'),
                    help='directory prepended to sys.path to pick a clickhouse-connect version')
    ap.add_argument('--no-peer', action='store_true')
    ap.add_argument('--replay', action='store_true', help='run the clients against bench/replay_server.py')
    ap.add_argument('--proxy-url', default=None, help='replay: server for non-bench requests (default --url)')
    ap.add_argument('--label', default='')
    ap.add_argument('--json-out', default=None)
    # child mode
    ap.add_argument('--child-stream', action='store_true', help=argparse.SUPPRESS)
    ap.add_argument('--child-client', help=argparse.SUPPRESS)
    ap.add_argument('--child-method', help=argparse.SUPPRESS)
    ap.add_argument('--query-override', help=argparse.SUPPRESS)
    args = ap.parse_args()
    if not args.url:
        raise SystemExit('no --url and neither CHC_CHDB_URL nor CLICKHOUSE_URL set')
    table = f'chc_bench_{args.rows}'
    sink = f'chc_bench_sink'
    query = f'SELECT {", ".join(c[0] for c in COLUMNS)} FROM {table}'
    num_query = f'SELECT {", ".join(NUMERIC_COLUMNS)} FROM {table}'
    if args.child_stream:
        args.query = args.query_override or query
        return child_stream(args)

    for mod in ('numpy', 'pandas', 'pyarrow'):
        __import__(mod)
    ops = [o.strip() for o in args.ops.split(',') if o.strip()]
    nins = args.insert_rows or min(args.rows, 2_000_000)

    print(f'# chconnect bench: {args.label} server {redact(args.url)}, {args.rows} rows, '
          f'{os.cpu_count()} CPUs, python {sys.version.split()[0]}')
    ours = make_client('ours', args.url)
    print(f'# server version {ours.server_version}; chconnect {client_version("ours")}')
    ensure_table(ours, table, sink, args.rows)
    if args.replay and args.proxy_url and args.proxy_url != args.url:
        ensure_table(make_client('ours', args.proxy_url), table, sink, args.rows)

    peer = None
    peer_note = ''
    if not args.no_peer:
        try:
            peer_note = 'clickhouse-connect ' + client_version('peer', args.peer_path)
            peer = make_client('peer', args.url, args.peer_path)
            print(f'# peer: {peer_note}')
        except Exception as exc:  # noqa: BLE001
            peer_note = f'clickhouse-connect cannot connect to this server: {str(exc)[:160]}'
            print(f'# NOTE: {peer_note} -> peer columns are empty')
            peer = None

    replay_proc = None
    bench_url = args.url
    if args.replay:
        replay_proc, bench_url = start_replay(args, [query, num_query])
        ours = make_client('ours', bench_url)
        if peer is not None or args.no_peer is False:
            try:
                peer = make_client('peer', bench_url, args.peer_path)
                peer_note = 'clickhouse-connect ' + client_version('peer', args.peer_path) + ' (via replay server)'
            except Exception as exc:  # noqa: BLE001
                print(f'# NOTE: peer cannot connect through the replay server: {str(exc)[:160]}')
                peer = None
    floor = curl_floor(bench_url, query)
    num_floor = curl_floor(bench_url, num_query)
    if floor:
        print(f'# floor: curl -o /dev/null, {query} FORMAT Native: {floor["bytes"]} bytes, '
              f'cpu {floor["cpu"]:.3f}s wall {floor["wall"]:.3f}s '
              f'({floor["cpu"] / (floor["bytes"] / 1e9):.2f} CPU-s/GB)')
    if num_floor:
        print(f'# floor: curl -o /dev/null, {num_query} FORMAT Native: {num_floor["bytes"]} bytes, '
              f'cpu {num_floor["cpu"]:.3f}s wall {num_floor["wall"]:.3f}s')
    native_gb = floor['bytes'] / 1e9 if floor else None

    ctx = {'query': query, 'num_query': num_query, 'sink': sink, 'ours': ours}
    small = {'query': query + ' LIMIT 1000', 'num_query': num_query + ' LIMIT 1000', 'sink': sink, 'ours': ours}
    if 'insert_rows' in ops or 'insert_df' in ops:
        src = peer if peer is not None else ours
        lim = f'{query} ORDER BY id LIMIT {nins}'
        if 'insert_rows' in ops:
            ctx['insert_rows_data'] = ours.query(lim).result_rows
            small['insert_rows_data'] = ctx['insert_rows_data'][:1000]
        if 'insert_df' in ops and hasattr(src, 'query_df'):
            ctx['insert_df_data'] = src.query_df(lim)
            small['insert_df_data'] = ctx['insert_df_data'].head(1000)

    results = []   # dicts: op, client, cpu, wall, rss, rows, note

    def record(op, who, **kw):
        results.append(dict(op=op, client=who, **kw))
        r = results[-1]
        extra = f' rss+{r["rss"]:.0f}MB' if r.get('rss') is not None else ''
        print(f'{op:<22} {who:<5} cpu {fmt_s(r.get("cpu"))}s wall {fmt_s(r.get("wall"))}s{extra}'
              f'{"  " + r["note"] if r.get("note") else ""}', flush=True)

    clients = [('ours', ours), ('peer', peer)]
    for op in ops:
        if op == 'stream':
            for method in STREAM_METHODS:
                for who, cl in clients:
                    if cl is None:
                        record(f'stream:{method}', who, note='(no client)')
                        continue
                    if not hasattr(cl, method):
                        record(f'stream:{method}', who, note=f'skipped: {who} has no {method}')
                        continue
                    r = run_stream(who, method, bench_url, args, query)
                    if 'cpu' in r:
                        record(f'stream:{method}', who, cpu=r['cpu'], wall=r['wall'], rss=r['rss_growth_mb'],
                               rows=r['rows'])
                    else:
                        record(f'stream:{method}', who, note=r.get('skip') or 'error: ' + r.get('error', '?'))
            continue
        rows_expected = nins if op.startswith('insert') else args.rows
        runnable = {}
        for who, cl in clients:
            if cl is None:
                record(op, who, note='(no client)')
                continue
            fn = op_callable(op, cl, ctx)
            if fn is None:
                record(op, who, note=f'skipped: {who} has no {op.replace("insert_rows", "insert")}')
                continue
            try:
                op_callable(op, cl, small)()   # warm-up: lazy imports, connection
            except Exception as exc:  # noqa: BLE001
                record(op, who, note=f'error (warm-up): {type(exc).__name__}: {str(exc)[:160]}')
                continue
            runnable[who] = fn
        # Alternate who goes first: memory the first client frees is cheaper for the second to
        # touch (on a VM the first touch of memory returned to the host costs several times more).
        samples = {who: [] for who in runnable}
        for _ in range(max(0, args.warmup_rounds)):
            for who in list(samples):
                try:
                    runnable[who]()
                except Exception as exc:  # noqa: BLE001
                    record(op, who, note=f'error (warm-up round): {type(exc).__name__}: {str(exc)[:160]}')
                    del samples[who]
                gc.collect()
        for rnd in range(max(1, args.rounds)):
            order = list(runnable) if rnd % 2 == 0 else list(reversed(runnable))
            for who in order:
                if who not in samples:
                    continue
                gc.collect()
                u0, s0, f0 = rusage_split()
                w0 = time.perf_counter()
                try:
                    n = runnable[who]()
                except Exception as exc:  # noqa: BLE001
                    record(op, who, note=f'error: {type(exc).__name__}: {str(exc)[:160]}')
                    del samples[who]
                    continue
                w1 = time.perf_counter()
                u1, s1, f1 = rusage_split()
                n = count_rows(n)
                gc.collect()
                samples[who].append((u1 - u0 + s1 - s0, w1 - w0, u1 - u0, s1 - s0, f1 - f0))
                print(f'  {op} {who} round {rnd + 1}: cpu {u1 - u0 + s1 - s0:.3f}s (user {u1 - u0:.3f} '
                      f'sys {s1 - s0:.3f}, {f1 - f0} page faults) wall {w1 - w0:.3f}s', flush=True)
                if isinstance(n, int) and not op.startswith('insert') and n != rows_expected:
                    record(op, who, note=f'rows {n} != {rows_expected}')
                    del samples[who]
        for who, got in samples.items():
            best = min(got)   # the cheapest round's CPU split and faults
            record(op, who, cpu=best[0], wall=min(g[1] for g in got), rows=rows_expected, user=best[2],
                   sys=best[3], faults=best[4], samples=got)

    if replay_proc is not None:
        replay_proc.terminate()
        replay_proc.wait(timeout=10)

    # ----- final table
    print()
    print(f'## {args.label or "results"}: {args.rows} rows, server {ours.server_version}'
          f'{" (version answered by the proxy)" if args.replay else ""}'
          f'{" via replay server" if args.replay else ""}; peer: {peer_note or "none"}')
    if floor:
        print(f'## floor (curl, Native {floor["bytes"] / 1e6:.1f} MB): cpu {floor["cpu"]:.3f}s wall {floor["wall"]:.3f}s')
    hdr = (f'| {"operation":<30} | ours CPU s | peer CPU s | CPU peer/ours | ours wall s | peer wall s '
           f'| wall peer/ours | ours CPU-s/GB | ours RSS+MB | peer RSS+MB | user peer/ours | faults K ours/peer |')
    print(hdr)
    print('|' + '|'.join('-' * (len(c)) for c in hdr.split('|')[1:-1]) + '|')
    by = {}
    for r in results:
        by.setdefault(r['op'], {})[r['client']] = r
    for op, d in by.items():
        o, p = d.get('ours', {}), d.get('peer', {})
        cr, wr = ratio(p.get('cpu'), o.get('cpu')), ratio(p.get('wall'), o.get('wall'))
        gb = (num_floor['bytes'] / 1e9 if num_floor else None) if op.endswith('_num') else native_gb
        per_gb = (o['cpu'] / gb) if (gb and o.get('cpu') is not None and not op.startswith('insert')) else None
        notes = '; '.join(f'{k}: {v["note"]}' for k, v in d.items() if v.get('note'))
        print(f'| {op:<30} | {fmt_s(o.get("cpu")):>10} | {fmt_s(p.get("cpu")):>10} | '
              f'{"-" if cr is None else f"{cr:.2f}x":>13} | {fmt_s(o.get("wall")):>11} | '
              f'{fmt_s(p.get("wall")):>11} | {"-" if wr is None else f"{wr:.2f}x":>14} | '
              f'{"-" if per_gb is None else f"{per_gb:.2f}":>13} | '
              f'{rss_text(o):>11} | {rss_text(p):>11} | {user_ratio(o, p):>14} | '
              f'{faults_text(o, p):>18} |' + (f' {notes}' if notes else ''))
    for op in ('query_arrow', 'query_np', 'result_rows', 'query_df', 'query_arrow_num', 'query_np_num'):
        o = by.get(op, {}).get('ours', {})
        fl = num_floor if op.endswith('_num') else floor
        if fl and o.get('cpu') is not None:
            print(f'## ours {op} vs curl floor: CPU {o["cpu"] / fl["cpu"]:.2f}x, '
                  f'wall {o["wall"] / fl["wall"]:.2f}x')
    if args.json_out:
        with open(args.json_out, 'w') as f:
            json.dump({'label': args.label, 'rows': args.rows, 'floor': floor, 'num_floor': num_floor,
                       'rounds': args.rounds, 'warmup_rounds': args.warmup_rounds, 'peer': peer_note,
                       'server': ours.server_version, 'replay': args.replay, 'results': results}, f, indent=1)


if __name__ == '__main__':
    main()
