"""Client-side parameter binding: literal rendering (pure) and round trips through the server."""

from datetime import date, datetime, timedelta, timezone

import pytest

import chconnect
from chconnect.binding import bind_query, format_bind_value, format_query_value


@pytest.mark.parametrize('value, literal', [
    (None, 'NULL'),
    (True, '1'),
    (12, '12'),
    (-1.5, '-1.5'),
    ('abc', "'abc'"),
    ("a'b\\c\td\ne`", "'a\\'b\\\\c\\td\\ne\\`'"),
    (b'\x00\xff', "'\\x00\\xff'"),
    (date(2020, 2, 29), "'2020-02-29'"),
    (datetime(2020, 2, 29, 1, 2, 3), "'2020-02-29 01:02:03'"),
    (datetime(2020, 2, 29, 1, 2, 3, tzinfo=timezone(timedelta(hours=2))),
     "toDateTime('2020-02-28 23:02:03', 'UTC')"),
    ([1, 'a', None], "[1, 'a', NULL]"),
    ((1, 2), '(1, 2)'),
    ({'k': 1}, '\'{"k": 1}\''),
])
def test_format_query_value(value, literal):
    assert format_query_value(value) == literal


def test_format_bind_value():
    assert format_bind_value("a'b") == "a\\'b"
    assert format_bind_value(None) == '\\N'
    assert format_bind_value(['x', None]) == "['x', NULL]"
    assert format_bind_value(date(2021, 1, 2)) == '2021-01-02'


def test_bind_query_routing():
    assert bind_query('SELECT 1;', None) == ('SELECT 1', {})
    assert bind_query('SELECT %(a)s', {'a': 'x'}) == ("SELECT 'x'", {})
    assert bind_query('SELECT %s, %s', (1, None)) == ('SELECT 1, NULL', {})
    assert bind_query('SELECT {a:String}', {'a': 'x'}) == ('SELECT {a:String}', {'a': 'x'})
    with pytest.raises(chconnect.ProgrammingError):
        bind_query('SELECT %(missing)s', {'a': 1})
    with pytest.raises(chconnect.ProgrammingError):
        bind_query('SELECT %s', 'abc')


def test_query_parameters_round_trip(client):
    params = {
        'i': -12, 'f': 2.5, 's': "quote ' backslash \\ tab \t newline \n unicode ✓", 'n': None,
        'd': date(2019, 12, 31), 'dt': datetime(2019, 12, 31, 23, 59, 58), 'arr': [1, 2, 3],
    }
    result = client.query(
        'SELECT %(i)s, %(f)s, %(s)s, CAST(%(n)s AS Nullable(Int8)), toDate(%(d)s), toDateTime(%(dt)s, \'UTC\'), %(arr)s', parameters=params)
    assert result.first_row == (-12, 2.5, params['s'], None, params['d'], params['dt'], [1, 2, 3])


def test_query_sequence_parameters_and_in(client):
    result = client.query('SELECT number FROM system.numbers WHERE number IN %s LIMIT 3', parameters=[(2, 4, 6)])
    assert result.result_columns == [[2, 4, 6]]


def test_aware_datetime_parameter(client):
    value = datetime(2020, 1, 1, 12, 0, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert client.query('SELECT toUnixTimestamp(%s)', parameters=[value]).first_item is not None
    assert client.command('SELECT toUnixTimestamp(%s)', parameters=[value]) == int(value.timestamp())


def test_percent_without_parameters(client):
    assert client.command("SELECT '100%'") == '100%'
    assert client.command("SELECT '100%%', %(x)s", parameters={'x': 1}) == ['100%', '1']
