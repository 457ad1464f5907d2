"""Fixtures for the chconnect suite. The server comes from the environment set by
tests/server/start.sh; the suite FAILS (never skips) when it is missing.

CHC_TEST_TARGET=standin runs the same suite against the chDB HTTP stand-in for a current server
(tests/server/chdb_start.sh, CHC_CHDB_URL) instead of 18.16. Tests marked `real_server_only`
need something the stand-in does not emulate (TLS, results streamed while the query runs,
concurrent queries, KILL QUERY / system.processes, users and grants); they are deselected in that
run, and pytest reports how many.
"""

import os
import uuid
from urllib.parse import unquote, urlparse

import pytest

REQUIRED_ENV = ('CLICKHOUSE_URL', 'CLICKHOUSE_HTTPS_URL', 'CHC_TEST_CA', 'CHC_TEST_OTHER_CA', 'CHC_TEST_HOST',
                'CHC_TEST_HTTP_PORT', 'CHC_TEST_HTTPS_PORT', 'CHC_TEST_USER', 'CHC_TEST_PASSWORD')


TARGET = os.environ.get('CHC_TEST_TARGET', 'clickhouse')
STANDIN = TARGET == 'standin'


def pytest_configure(config):
    config.addinivalue_line('markers', 'real_server_only(reason): needs a behaviour of a real ClickHouse server '
                                       'that the chDB stand-in does not emulate')


def pytest_collection_modifyitems(config, items):
    if not STANDIN:
        return
    keep, drop = [], []
    for item in items:
        (drop if item.get_closest_marker('real_server_only') else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


class ServerEnv:
    def __init__(self):
        if STANDIN:
            self._init_standin()
            return
        missing = [name for name in REQUIRED_ENV if not os.environ.get(name)]
        if missing:
            pytest.fail('chconnect tests need a ClickHouse server: missing environment variables '
                        f'{", ".join(missing)}. Start one with: eval "$(tests/server/start.sh)"',
                        pytrace=False)
        self.url = os.environ['CLICKHOUSE_URL']
        self.https_url = os.environ['CLICKHOUSE_HTTPS_URL']
        self.ca = os.environ['CHC_TEST_CA']
        self.other_ca = os.environ['CHC_TEST_OTHER_CA']
        self.host = os.environ['CHC_TEST_HOST']
        self.http_port = int(os.environ['CHC_TEST_HTTP_PORT'])
        self.https_port = int(os.environ['CHC_TEST_HTTPS_PORT'])
        self.user = os.environ['CHC_TEST_USER']
        self.password = os.environ['CHC_TEST_PASSWORD']
        https = urlparse(self.https_url)
        self.https_host = https.hostname  # "localhost": the name in the server certificate
        self.database = unquote(urlparse(self.url).path.strip('/')) or 'default'

    def _init_standin(self):
        url = os.environ.get('CHC_CHDB_URL')
        if not url:
            pytest.fail('CHC_TEST_TARGET=standin needs CHC_CHDB_URL: start the stand-in with '
                        'tests/server/chdb_start.sh', pytrace=False)
        parsed = urlparse(url)
        self.url = url
        self.host = parsed.hostname
        self.http_port = parsed.port
        self.user = unquote(parsed.username or 'default')
        self.password = unquote(parsed.password or '')
        self.database = unquote(parsed.path.strip('/')) or 'default'
        # No TLS on the stand-in: the TLS tests are real_server_only.
        self.https_url = self.ca = self.other_ca = self.https_host = None
        self.https_port = None

    def client_args(self, **overrides):
        args = dict(host=self.host, port=self.http_port, username=self.user, password=self.password)
        args.update(overrides)
        return args

    def https_args(self, **overrides):
        args = dict(host=self.https_host, port=self.https_port, username=self.user, password=self.password,
                    secure=True)
        args.update(overrides)
        return args


@pytest.fixture(scope='session', autouse=True)
def server():
    # autouse: without a server every test fails, including the ones that need none.
    return ServerEnv()


@pytest.fixture(scope='session')
def client(server):
    import chconnect
    c = chconnect.get_client(**server.client_args())
    yield c
    c.close()


@pytest.fixture
def table_name(client):
    """A unique table name (suites may run concurrently on one server); dropped afterwards."""
    name = f'chc_py_{uuid.uuid4().hex[:12]}'
    yield name
    client.command(f'DROP TABLE IF EXISTS {name}')


@pytest.fixture(scope='session')
def standin_client():
    """A client of the chDB HTTP stand-in for a current server (tests/server/chdb_start.sh exports
    CHC_CHDB_URL); fails, never skips, when it is not running."""
    import chconnect
    url = os.environ.get('CHC_CHDB_URL')
    if not url:
        pytest.fail('CHC_CHDB_URL missing: start the stand-in with tests/server/chdb_start.sh', pytrace=False)
    c = chconnect.get_client(dsn=url, compress=False)
    yield c
    c.close()
