"""get_client / create_client: arguments, DSN parsing, port inference (as clickhouse-connect)."""

import uuid
from urllib.parse import parse_qs, unquote, urlparse

from . import common
from ._capi import capi
from .client import Client
from .exceptions import ProgrammingError

# Client options that map onto the C library's configuration keys.
_CONFIG_KEYS = ('verify', 'ca_cert', 'client_cert', 'client_cert_key', 'server_host_name', 'compress',
                'connect_timeout', 'send_receive_timeout', 'session_id', 'max_connections', 'proxy',
                'query_retries', 'protocol_revision')
# clickhouse-connect options that chconnect accepts and ignores (they tune behaviour chconnect
# does not have or does differently). autogenerate_query_id: the C library sends a UUID4 query
# id with every request that has none, and has no way to send none (see README).
_IGNORED = frozenset(('autogenerate_query_id', 'pool_mgr', 'apply_server_timezone'))
# Options the Python Client itself handles (not the C library).
_CLIENT_OPTIONS = ('query_limit', 'tz_source', 'tz_mode', 'utc_tz_aware', 'show_clickhouse_errors',
                   'autogenerate_session_id')
_TRUE = ('1', 'true', 'yes', 'on')


def _truthy(value):
    if isinstance(value, str):
        return value.strip().lower() in _TRUE
    return bool(value)


def _config_text(key, value):
    if key in ('verify', 'secure'):
        return '1' if _truthy(value) else '0'
    if key == 'compress':
        if value is True:
            return 'auto'
        if value is False or value is None:
            return 'none'
        return str(value)
    return str(value)


def resolve_endpoint(interface, port, secure):
    """(interface, port): https when secure, interface='https' or (no interface and) port 443 or
    8443; default port 8123 for http, 8443 for https."""
    try:
        port = int(port or 0)
    except (TypeError, ValueError):
        raise ProgrammingError(f'invalid port {port!r}') from None
    if interface is None:
        interface = 'https' if _truthy(secure) or port in (443, 8443) else 'http'
    interface = str(interface).lower()
    if interface not in ('http', 'https'):
        raise ProgrammingError(f'unsupported interface {interface!r} (http or https)')
    if not port:
        port = 8443 if interface == 'https' else 8123
    return interface, port


def _parse_dsn(dsn):
    """(args, extra) from scheme://user:pass@host:port/database?k=v; never echoes the DSN in
    errors (it may hold a password)."""
    try:
        parsed = urlparse(dsn)
        port = parsed.port
    except ValueError:
        raise ProgrammingError('invalid dsn (could not parse host/port)') from None
    if not parsed.hostname:
        raise ProgrammingError('invalid dsn (no host)')
    args = {'host': parsed.hostname}
    if port:
        args['port'] = port
    if parsed.username:
        args['username'] = unquote(parsed.username)
    if parsed.password is not None:
        args['password'] = unquote(parsed.password)
    database = unquote(parsed.path.strip('/'))
    if database:
        args['database'] = database
    if parsed.scheme.lower() == 'https':
        # clickhouse-connect ignores the scheme; an https:// DSN that silently talked plain HTTP
        # would be a trap, so chconnect takes it as interface='https'.
        args['interface'] = 'https'
    extra = {key: values[-1] for key, values in parse_qs(parsed.query, keep_blank_values=True).items()}
    return args, extra


def create_client(*, host=None, username=None, password=None, database=None, interface=None, port=None,
                  secure=None, dsn=None, settings=None, generic_args=None, verify=None, ca_cert=None,
                  client_cert=None, client_cert_key=None, server_host_name=None, compress=None,
                  connect_timeout=None, send_receive_timeout=None, session_id=None, **kwargs):
    """Opens a Client (clickhouse_connect.get_client's arguments). Contacts the server once
    (SELECT version()), so connection, TLS and authentication problems raise here."""
    explicit = {
        'host': host, 'username': username, 'password': password, 'database': database,
        'interface': interface, 'port': port, 'secure': secure, 'verify': verify, 'ca_cert': ca_cert,
        'client_cert': client_cert, 'client_cert_key': client_cert_key, 'server_host_name': server_host_name,
        'compress': compress, 'connect_timeout': connect_timeout, 'send_receive_timeout': send_receive_timeout,
        'session_id': session_id,
    }
    # Aliases.
    for alias in ('user', 'user_name'):
        if alias in kwargs:
            value = kwargs.pop(alias)
            if explicit['username'] is None:
                explicit['username'] = value
    if 'compression' in kwargs:
        value = kwargs.pop('compression')
        if explicit['compress'] is None:
            explicit['compress'] = value
    # http_proxy / https_proxy: the one for the client's scheme (chosen below), else the other.
    proxies = {name: value for name in ('http_proxy', 'https_proxy') if (value := kwargs.pop(name, None))}
    # Extra HTTP headers for every request, and roles (str or list; one role= URL parameter each).
    headers = dict(kwargs.pop('headers', None) or {})
    client_name = kwargs.pop('client_name', None)
    roles = [value for name in ('roles', 'role') if (value := kwargs.pop(name, None)) is not None]
    if 'proxy_path' in kwargs:
        kwargs['path'] = kwargs.pop('proxy_path')

    settings = dict(settings or {})
    args = {key: value for key, value in explicit.items() if value is not None}

    # Generic arguments (DSN query string, generic_args): client options when the name is one,
    # a ClickHouse setting otherwise (a ch_ prefix forces a setting).
    generic = {}
    client_options = {}
    if dsn:
        dsn_args, dsn_extra = _parse_dsn(dsn)
        for key, value in dsn_args.items():
            args.setdefault(key, value)
        generic.update(dsn_extra)
    if generic_args:
        generic.update(generic_args)
    for key, value in generic.items():
        if key.startswith('ch_'):
            settings.setdefault(key[3:], value)
        elif key in ('user', 'user_name', 'username'):
            args.setdefault('username', value)
        elif key == 'compression':
            args.setdefault('compress', value)
        elif key in ('role', 'roles'):
            roles.append(value)
        elif key == 'client_name':
            client_name = client_name or value
        elif key in explicit or key in _CONFIG_KEYS or key == 'path':
            args.setdefault(key, value)
        elif key in _IGNORED:
            pass
        elif key in _CLIENT_OPTIONS:
            client_options.setdefault(key, value)
        else:
            settings.setdefault(key, value)

    # Remaining keyword arguments: library options, or ones chconnect ignores.
    for key, value in kwargs.items():
        if key in _CONFIG_KEYS or key == 'path':
            args.setdefault(key, value)
        elif key in _CLIENT_OPTIONS:
            client_options[key] = value
        elif key in _IGNORED:
            pass
        else:
            raise ProgrammingError(f'get_client() got an unsupported argument {key!r}')

    # Scheme and port (clickhouse-connect's rules).
    interface, port = resolve_endpoint(args.pop('interface', None), args.pop('port', None),
                                       args.pop('secure', None))
    secure = interface == 'https'
    if proxies and 'proxy' not in args:
        args['proxy'] = proxies.get('https_proxy' if secure else 'http_proxy') or next(iter(proxies.values()))
    password = args.pop('password', None) or ''
    username = args.pop('username', None)
    if not username:
        username = 'default'
    host = args.pop('host', None) or 'localhost'
    database = args.pop('database', None)
    if database == '__default__':
        database = None

    # A server session: the one given, else (autogenerate_session_id, default: the common
    # setting, False in chconnect) a new UUID4 for this client.
    autogenerate = client_options.pop('autogenerate_session_id', None)
    if autogenerate is None:
        autogenerate = common.get_setting('autogenerate_session_id')
    session_id = args.get('session_id')
    if not session_id and _truthy(autogenerate):
        session_id = args['session_id'] = str(uuid.uuid4())

    config = capi.chc_config_new()
    capi.chc_config_set(config, 'host', str(host))
    capi.chc_config_set(config, 'port', str(port))
    capi.chc_config_set(config, 'secure', '1' if secure else '0')
    capi.chc_config_set(config, 'username', str(username))
    capi.chc_config_set(config, 'password', str(password))
    if database:
        capi.chc_config_set(config, 'database', str(database))
    for key, value in args.items():
        if value is None:
            continue
        capi.chc_config_set(config, key, _config_text(key, value))
    if client_name and not any(str(k).lower() == 'user-agent' for k in headers):
        # As clickhouse-connect: the name prefixes the User-Agent (system.query_log.http_user_agent).
        headers['User-Agent'] = f'{client_name} chconnect/{capi.chc_version()}'
    for name, value in headers.items():
        capi.chc_config_set(config, 'header.' + str(name), '' if value is None else str(value))
    if roles:
        capi.chc_config_set(config, 'role', ','.join(r for v in roles for r in ([v] if isinstance(v, str) else v)))
    client_settings = {}
    for key, value in settings.items():
        if value is None:
            continue
        client_settings[key] = value
    utc_tz_aware = client_options.pop('utc_tz_aware', None)
    if utc_tz_aware is not None and 'tz_mode' not in client_options:
        client_options['tz_mode'] = 'aware' if _truthy(utc_tz_aware) else 'naive_utc'
    handle = capi.chc_client_open(config)
    del config
    client = Client(handle, database=database, settings=client_settings, session_id=session_id or None,
                    **client_options)
    if args.get('query_retries') is not None:
        client.query_retries = int(args['query_retries'])
    return client


get_client = create_client
