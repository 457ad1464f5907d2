"""chconnect.AsyncClient against a real server: the event loop keeps running while requests are
in flight (timed), concurrent requests of one client overlap, every method gives what the sync
Client gives, streams work with ``async with`` / ``async for``, errors keep their classes, and
closing behaves. Plain asyncio.run (no pytest plugin needed)."""

import asyncio
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

import chconnect

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import polars as pl  # noqa: E402
import pyarrow as pa  # noqa: E402


def run(coro):
    return asyncio.run(coro)


async def open_client(server, **kwargs):
    return await chconnect.get_async_client(**server.client_args(**kwargs))


@pytest.fixture
def async_table(client):
    name = f'chc_py_async_{uuid.uuid4().hex[:12]}'
    client.command(f'CREATE TABLE {name} (k UInt32, s String) ENGINE MergeTree ORDER BY k')
    yield name
    client.command(f'DROP TABLE IF EXISTS {name}')


async def ticker(stop, interval=0.02):
    """Counts how often the event loop got to run it until `stop` is set."""
    ticks = 0
    while not stop.is_set():
        await asyncio.sleep(interval)
        ticks += 1
    return ticks


# -- the loop is not blocked -------------------------------------------------------------------

@pytest.mark.real_server_only(reason='concurrent queries (the stand-in runs one chDB query at a time)')
def test_concurrent_queries_overlap(server):
    async def main():
        async with await open_client(server) as client:
            start = time.monotonic()
            results = await asyncio.gather(*(client.query('SELECT sleep(1), %s', (i,)) for i in range(3)))
            elapsed = time.monotonic() - start
            return [r.result_rows for r in results], elapsed

    rows, elapsed = run(main())
    assert rows == [[(0, 0)], [(0, 1)], [(0, 2)]]
    # One after the other they take >= 3 s; overlapping ~1 s plus whatever a loaded machine adds.
    assert 1.0 <= elapsed < 2.8, f'3 x sleep(1) took {elapsed:.2f} s'


def test_loop_keeps_running_during_a_slow_query(server):
    async def main():
        async with await open_client(server) as client:
            stop = asyncio.Event()
            tick_task = asyncio.create_task(ticker(stop))
            start = time.monotonic()
            result = await client.command('SELECT sleep(1)')
            elapsed = time.monotonic() - start
            stop.set()
            return result, elapsed, await tick_task

    result, elapsed, ticks = run(main())
    assert result == 0
    # 1 s at 20 ms per tick is ~50 ticks when the loop is free (fewer when a loaded machine
    # wakes the loop late); a blocked loop gives 0 or 1.
    assert elapsed >= 1.0
    assert ticks >= 10, f'the event loop ran the ticker only {ticks} times during a 1 s query'


def test_loop_keeps_running_while_iterating_a_stream(server):
    async def main():
        async with await open_client(server) as client:
            stop = asyncio.Event()
            tick_task = asyncio.create_task(ticker(stop))
            rows = []
            stream = await client.query_rows_stream('SELECT number, sleep(0.4) FROM system.numbers LIMIT 3',
                                                    settings={'max_block_size': 1})
            async with stream:
                async for row in stream:
                    rows.append(row)
            stop.set()
            return rows, await tick_task

    rows, ticks = run(main())
    assert rows == [(0, 0), (1, 0), (2, 0)]
    # ~60 ticks when the loop is free (fewer on a loaded machine); a blocked loop gives a few.
    assert ticks >= 10, f'the event loop ran the ticker only {ticks} times during a 1.2 s stream'


def test_executor_threads_bounds_concurrency(server):
    async def main():
        async with await open_client(server, executor_threads=1) as client:
            start = time.monotonic()
            await asyncio.gather(*(client.command('SELECT sleep(0.5)') for _ in range(3)))
            return time.monotonic() - start

    elapsed = run(main())
    assert elapsed >= 1.45, f'one executor thread ran 3 x sleep(0.5) in {elapsed:.2f} s'


def test_caller_executor_is_used_and_kept(server):
    class CountingExecutor(ThreadPoolExecutor):
        def __init__(self):
            super().__init__(max_workers=2)
            self.submitted = 0

        def submit(self, *args, **kwargs):
            self.submitted += 1
            return super().submit(*args, **kwargs)

    executor = CountingExecutor()

    async def main():
        client = await open_client(server, executor=executor)
        before = executor.submitted
        assert await client.command('SELECT 5') == 5
        used = executor.submitted - before
        await client.close()
        return used

    try:
        assert run(main()) == 1
        # close() leaves a caller's executor running.
        assert executor.submit(lambda: 7).result() == 7
    finally:
        executor.shutdown()


def test_cancelled_wait_leaves_client_usable(server):
    async def main():
        async with await open_client(server) as client:
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(client.command('SELECT sleep(1)'), 0.2)
            return await client.command('SELECT 42')

    assert run(main()) == 42


# -- every method ----------------------------------------------------------------------------

SQL = 'SELECT number AS u, toString(number) AS s FROM system.numbers LIMIT 5'


def test_query_methods_match_sync_client(server, client):
    async def main():
        async with await open_client(server) as ac:
            return (await ac.query(SQL), await ac.query_np(SQL), await ac.query_df(SQL), await ac.query_arrow(SQL),
                    await ac.query_df_arrow(SQL), await ac.query_df_arrow(SQL, dataframe_library='polars'),
                    await ac.raw_query(SQL, fmt='CSV'), await ac.command('SELECT 1, 2'),
                    await ac.query('SELECT %(x)s', {'x': 'p'}))

    result, arr, df, table, dfa, pldf, raw, cmd, bound = run(main())
    assert isinstance(result, chconnect.QueryResult)
    assert result.result_rows == client.query(SQL).result_rows
    assert result.column_names == ('u', 's')
    assert np.array_equal(arr, client.query_np(SQL))
    pd.testing.assert_frame_equal(df, client.query_df(SQL))
    assert isinstance(table, pa.Table) and table.equals(client.query_arrow(SQL))
    pd.testing.assert_frame_equal(dfa, client.query_df_arrow(SQL))
    assert isinstance(pldf, pl.DataFrame) and pldf.equals(client.query_df_arrow(SQL, dataframe_library='polars'))
    assert raw == client.raw_query(SQL, fmt='CSV') == b'0,"0"\n1,"1"\n2,"2"\n3,"3"\n4,"4"\n'
    assert cmd == ['1', '2']
    assert bound.result_rows == [('p',)]


def test_insert_methods(server, client, async_table):
    async def main():
        async with await open_client(server) as ac:
            summaries = [
                await ac.insert(async_table, [(1, 'a'), (2, 'b')], column_names=['k', 's']),
                await ac.insert_df(async_table, pd.DataFrame({'k': [3], 's': ['c']})),
                await ac.insert_arrow(async_table, pa.table({'k': pa.array([4], pa.uint32()), 's': ['d']})),
                await ac.insert_df_arrow(async_table, pl.DataFrame({'k': [5], 's': ['e']},
                                                                   schema={'k': pl.UInt32, 's': pl.String})),
                await ac.raw_insert(async_table, ['k', 's'], b'6\tf\n', fmt='TabSeparated'),
            ]
            ddl = await ac.command(f'ALTER TABLE {async_table} DELETE WHERE k = 0')
            return summaries, ddl

    summaries, ddl = run(main())
    assert all(isinstance(s, chconnect.QuerySummary) for s in summaries)
    assert isinstance(ddl, chconnect.QuerySummary)
    assert client.query(f'SELECT k, s FROM {async_table} ORDER BY k').result_rows == [
        (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd'), (5, 'e'), (6, 'f')]


def test_attributes_and_settings(server):
    async def main():
        async with await open_client(server) as ac:
            assert ac.server_version == await ac.command('SELECT version()')
            assert ac.min_version('18.16') and not ac.min_version('99.1')
            assert await ac.ping() is True
            assert ac.get_client_setting('max_block_size') is None
            ac.set_client_setting('max_block_size', 321)
            assert ac.get_client_setting('max_block_size') == '321'
            assert isinstance(ac.client, chconnect.Client)
            return await ac.command("SELECT value FROM system.settings WHERE name = 'max_block_size'")

    assert run(main()) == 321


@pytest.mark.real_server_only(reason='KILL QUERY of an endless count() (the stand-in cannot stop a chDB query)')
def test_contexts_server_tz_and_cancel(server, async_table):
    async def main():
        async with await open_client(server) as ac:
            assert ac.server_tz is not None
            qctx = ac.create_query_context(query='SELECT %(x)s + 1', parameters={'x': 1})
            assert (await ac.query(context=qctx)).result_rows == [(2,)]
            ictx = ac.create_insert_context(async_table, column_names=['k', 's'])
            await ac.insert(context=ictx, data=[(1, 'a')])
            assert await ac.command(f'SELECT count() FROM {async_table}') == 1

            # A query that counts for minutes before answering, stopped by cancel().
            query_id = f'chc_async_cancel_{uuid.uuid4().hex}'
            slow = asyncio.create_task(ac.query('SELECT count() FROM system.numbers', query_id=query_id))
            processes = f"SELECT count() FROM system.processes WHERE query_id = '{query_id}'"
            deadline = time.monotonic() + 10
            while await ac.command(processes) == 0 and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            start = time.monotonic()
            await ac.cancel(query_id)
            with pytest.raises(chconnect.DatabaseError):
                await slow
            return time.monotonic() - start

    assert run(main()) < 10


def test_dsn_and_create_async_client_alias(server):
    async def main():
        assert chconnect.create_async_client is chconnect.get_async_client
        client = await chconnect.create_async_client(dsn=server.url, connector_limit=10, keepalive_timeout=5)
        try:
            return await client.command('SELECT currentDatabase()')
        finally:
            await client.close()

    assert run(main()) == server.database


# -- streams ---------------------------------------------------------------------------------

def test_streams(server, client):
    sql = 'SELECT number AS u, toString(number) AS s FROM system.numbers LIMIT 10'
    settings = {'max_block_size': 4}

    async def collect(stream):
        assert isinstance(stream, chconnect.AsyncStreamContext)
        async with stream:
            return [item async for item in stream]

    async def main():
        async with await open_client(server) as ac:
            return {
                'rows': await collect(await ac.query_rows_stream(sql, settings=settings)),
                'row_blocks': await collect(await ac.query_row_block_stream(sql, settings=settings)),
                'column_blocks': await collect(await ac.query_column_block_stream(sql, settings=settings)),
                'np': await collect(await ac.query_np_stream(sql, settings=settings)),
                'df': await collect(await ac.query_df_stream(sql, settings=settings)),
                'df_arrow': await collect(await ac.query_df_arrow_stream(sql, settings=settings)),
                'arrow': await collect(await ac.query_arrow_stream(sql, settings=settings)),
                'raw': await collect(await ac.raw_stream(sql, fmt='TabSeparated', chunk_size=7)),
            }

    got = run(main())
    expected = [(i, str(i)) for i in range(10)]
    assert got['rows'] == expected
    assert [len(b) for b in got['row_blocks']] == [4, 4, 2]
    assert [row for block in got['row_blocks'] for row in block] == expected
    assert got['column_blocks'][0] == [[0, 1, 2, 3], ['0', '1', '2', '3']]
    assert [len(a) for a in got['np']] == [4, 4, 2]
    assert pd.concat(got['df'], ignore_index=True)['u'].tolist() == list(range(10))
    assert pd.concat(got['df_arrow'], ignore_index=True)['s'].tolist() == [str(i) for i in range(10)]
    assert all(isinstance(b, pa.RecordBatch) for b in got['arrow'])
    assert pa.Table.from_batches(got['arrow']).equals(client.query_arrow(sql))
    assert max(len(c) for c in got['raw']) <= 7 and len(got['raw']) > 1
    assert b''.join(got['raw']) == client.raw_query(sql, fmt='TabSeparated')


def test_stream_needs_context_and_closes(server):
    async def main():
        async with await open_client(server) as ac:
            stream = await ac.query_rows_stream('SELECT number FROM system.numbers LIMIT 1000000')
            with pytest.raises(chconnect.ProgrammingError):
                await stream.__anext__()
            async with stream:
                async for row in stream:
                    if row[0] == 3:
                        break  # leaves the rest unread: the transfer is aborted on exit
            with pytest.raises(chconnect.StreamClosedError):
                await stream.__anext__()
            with pytest.raises(chconnect.StreamClosedError):
                async with stream:
                    pass
            await stream.close()  # twice is fine
            return await ac.command('SELECT 9')

    assert run(main()) == 9


def test_mid_stream_error(server):
    async def main():
        async with await open_client(server) as ac:
            stream = await ac.query_row_block_stream(
                'SELECT number, throwIf(number = 3000000) FROM system.numbers LIMIT 4000000',
                settings={'max_block_size': 65536})
            with pytest.raises(chconnect.StreamFailureError):
                async with stream:
                    async for _ in stream:
                        pass
            with pytest.raises(chconnect.StreamFailureError):
                await ac.query('SELECT number, throwIf(number = 3000000) FROM system.numbers LIMIT 4000000',
                               settings={'max_block_size': 65536})
            return await ac.command('SELECT 8')

    assert run(main()) == 8


# -- errors and closing ------------------------------------------------------------------------

def test_errors_keep_their_classes(server):
    async def main():
        async with await open_client(server) as ac:
            with pytest.raises(chconnect.DatabaseError) as info:
                await ac.query('SELECT * FROM chc_async_no_such_table')
            assert info.value.code == 60
            with pytest.raises(chconnect.DatabaseError) as info:
                await ac.command('SELEC 1')
            assert info.value.code == 62
            with pytest.raises(chconnect.ProgrammingError):
                await ac.query('SELECT %s, %s', (1,))
            with pytest.raises(chconnect.DataError):
                await ac.insert('system.one', [('not a number',)])
            with pytest.raises(chconnect.DatabaseError) as info:
                await ac.query_rows_stream('SELECT * FROM chc_async_no_such_table')
            assert info.value.code == 60
            return await ac.command('SELECT 1')

    assert run(main()) == 1


def test_connect_errors(server):
    async def main():
        with pytest.raises(chconnect.OperationalError) as info:
            await chconnect.get_async_client(**server.client_args(password='not_the_pw_5678'))
        assert info.value.code in (192, 193, 194, 516)
        with pytest.raises(chconnect.OperationalError):
            await chconnect.get_async_client(host='127.0.0.1', port=1, connect_timeout=2)
        with pytest.raises(chconnect.ProgrammingError):
            await chconnect.get_async_client(no_such_option=1)

    threads_before = threading.active_count()
    run(main())
    # The pools created for the failed clients were shut down.
    deadline = time.monotonic() + 5
    while threading.active_count() > threads_before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert threading.active_count() <= threads_before


def test_close(server):
    async def main():
        ac = await open_client(server)
        async with ac:
            stream = await ac.query_rows_stream('SELECT number FROM system.numbers LIMIT 10')
        # Leaving "async with" closed the client.
        assert await ac.ping() is False
        with pytest.raises(chconnect.ProgrammingError):
            await ac.query('SELECT 1')
        with pytest.raises(chconnect.ProgrammingError):
            await ac.insert('t', [(1,)])
        with pytest.raises(chconnect.ProgrammingError):
            await ac.query_rows_stream('SELECT 1')
        await ac.close()  # twice is fine
        # A stream opened before: reading now fails cleanly, closing it still works.
        with pytest.raises(chconnect.ProgrammingError):
            async with stream:
                await stream.__anext__()
        assert 'closed' in repr(ac)

    run(main())
