"""Process-wide settings, as clickhouse-connect's ``clickhouse_connect.common`` (set_setting /
get_setting), for the ones that mean something in chconnect:

  autogenerate_session_id  default for get_client's argument of that name: True gives every new
                           client a UUID4 server session. False in chconnect (clickhouse-connect:
                           True), see README "Sessions".
  autogenerate_query_id    accepted for compatibility; has no effect: the C library sends a UUID4
                           query id with every request that has none.

clickhouse-connect's other common settings (dict_parameter_format, invalid_setting_action,
max_connection_age, product_name, send_os_user, use_protocol_version, ...) tune machinery
chconnect does not have: get_setting / set_setting raise NotSupportedError for them.
"""

from .exceptions import NotSupportedError, ProgrammingError

_settings = {
    'autogenerate_session_id': False,
    'autogenerate_query_id': True,
}

# clickhouse-connect's common settings that do not apply to chconnect.
_NOT_APPLICABLE = frozenset((
    'dict_parameter_format', 'invalid_setting_action', 'naive_datetime_binding', 'naive_datetime_insert',
    'max_connection_age', 'product_name', 'readonly', 'send_os_user', 'send_integration_tags',
    'use_protocol_version', 'max_error_size', 'http_buffer_size',
))


def _check(name):
    if name in _settings:
        return
    if name in _NOT_APPLICABLE:
        raise NotSupportedError(f'common setting {name!r} does not apply to chconnect '
                                f'(settings: {", ".join(sorted(_settings))})')
    raise ProgrammingError(f'unknown common setting {name!r}')


def get_setting(name):
    """The current value of a common setting."""
    _check(name)
    return _settings[name]


def set_setting(name, value):
    """Sets a common setting for clients created afterwards."""
    _check(name)
    if not isinstance(value, bool):
        if isinstance(value, str) and value.strip().lower() in ('1', 'true', 'yes', 'on', '0', 'false', 'no', 'off'):
            value = value.strip().lower() in ('1', 'true', 'yes', 'on')
        elif isinstance(value, int):
            value = bool(value)
        else:
            raise ProgrammingError(f'common setting {name!r} takes a bool, not {value!r}')
    _settings[name] = value
