"""Reusable query and insert contexts (clickhouse-connect's create_query_context /
create_insert_context): every option of a query or an insert in one object, so a statement run
many times is described once. A method given ``context=`` takes its options from the context;
arguments passed to the method as well override the context's for that call only."""

import copy

from .exceptions import ProgrammingError

# Options a query context carries, with their defaults.
QUERY_OPTIONS = {
    'query': None,
    'parameters': None,
    'settings': None,
    'query_formats': None,
    'column_formats': None,
    'encoding': None,
    'use_none': None,
    'column_oriented': None,
    'use_numpy': None,
    'max_str_len': None,
    'query_tz': None,
    'column_tzs': None,
    'use_extended_dtypes': None,
    'external_data': None,
    'transport_settings': None,
    'tz_mode': None,
    'query_id': None,
    'progress_callback': None,
}

INSERT_OPTIONS = {
    'table': None,
    'column_names': None,
    'database': None,
    'column_types': None,
    'column_type_names': None,
    'column_oriented': None,
    'settings': None,
    'data': None,
    'transport_settings': None,
    'progress_callback': None,
}


class _Context:
    _OPTIONS = {}

    def __init__(self, **options):
        unknown = sorted(set(options) - set(self._OPTIONS))
        if unknown:
            raise ProgrammingError(f'{type(self).__name__}: unknown option(s) {", ".join(unknown)}')
        for name, default in self._OPTIONS.items():
            setattr(self, name, options.get(name, default))

    def updated_copy(self, **overrides):
        """A copy with every override that is not None applied (the context is unchanged)."""
        unknown = sorted(set(overrides) - set(self._OPTIONS))
        if unknown:
            raise ProgrammingError(f'{type(self).__name__}: unknown option(s) {", ".join(unknown)}')
        result = copy.copy(self)
        for name, value in overrides.items():
            if value is not None:
                setattr(result, name, value)
        return result

    def options(self):
        return {name: getattr(self, name) for name in self._OPTIONS}

    def __repr__(self):
        shown = ', '.join(f'{n}={v!r}' for n, v in self.options().items() if v is not None)
        return f'{type(self).__name__}({shown})'


class QueryContext(_Context):
    """The options of a query: see Client.query for their meaning. Create with
    Client.create_query_context(...); pass as ``context=`` to any query method."""
    _OPTIONS = QUERY_OPTIONS


class InsertContext(_Context):
    """The options of an insert: see Client.insert. Create with
    Client.create_insert_context(...); pass as ``context=`` to insert / insert_df."""
    _OPTIONS = INSERT_OPTIONS


def resolve(context, cls, **call_options):
    """The options for one call: the context's (if any) overridden by the call's non-None ones."""
    if context is None:
        return cls(**{n: v for n, v in call_options.items() if v is not None})
    if not isinstance(context, cls):
        raise ProgrammingError(f'context must be a {cls.__name__}, not {type(context).__name__}')
    return context.updated_copy(**call_options)
