"""The clickhouse-connect quickstart, run on chconnect.

    CLICKHOUSE_URL=http://default:password@127.0.0.1:8123/default python quickstart.py
"""
import os
from urllib.parse import unquote, urlparse

import chconnect as clickhouse_connect

url = urlparse(os.environ['CLICKHOUSE_URL'])
client = clickhouse_connect.get_client(host=url.hostname, port=url.port,
                                       username=unquote(url.username or 'default'),
                                       password=unquote(url.password or ''))

client.command('DROP TABLE IF EXISTS new_table')
client.command('CREATE TABLE new_table (key UInt32, value String, metric Float64) ENGINE MergeTree ORDER BY key')

row1 = [1000, 'String Value 1000', 5.233]
row2 = [2000, 'String Value 2000', -107.04]
data = [row1, row2]
client.insert('new_table', data, column_names=['key', 'value', 'metric'])

result = client.query('SELECT max(key), avg(metric) FROM new_table')
print(result.result_rows)
# Output: [(2000, -50.9035)]

client.command('DROP TABLE new_table')
