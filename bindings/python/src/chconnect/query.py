"""QueryResult and QuerySummary, shaped like clickhouse-connect's."""

from . import blockconv
from ._capi import capi
from .streams import StreamContext

# Numeric fields of X-ClickHouse-Summary the library can report (18.16 sends none).
SUMMARY_FIELDS = ('read_rows', 'read_bytes', 'written_rows', 'written_bytes', 'total_rows_to_read',
                  'result_rows', 'result_bytes', 'elapsed_ns')


class QuerySummary:
    """Outcome of a statement without a result set (DDL, INSERT, command)."""

    def __init__(self, summary=None):
        self.summary = dict(summary or {})

    @property
    def written_rows(self):
        return int(self.summary.get('written_rows', 0))

    def written_bytes(self):
        return int(self.summary.get('written_bytes', 0))

    def query_id(self):
        return self.summary.get('query_id', '')

    def as_query_result(self):
        return QueryResult([], (), (), query_id=self.query_id(), summary=self.summary)

    def __repr__(self):
        return f'QuerySummary({self.summary!r})'


class QueryResult:
    """A fully read query result.

    The Native blocks are kept; result_rows (tuples) and result_columns (one list per column)
    are built from them on first use, in C (blockconv.py). Columns whose values needed Python
    (other types, read formats, time zones) were converted when the result was read. Once one
    of the two is built the other is its transposition (the value objects are shared).
    """

    def __init__(self, result_columns, column_names, column_types, query_id='', summary=None,
                 column_oriented=False, blocks=None, parts=None):
        self._blocks = list(blocks or ())
        # Per block, one item per column: a column handle (converted on first use) or its values.
        self._parts = parts
        self._columns = result_columns if result_columns is not None or parts is not None else []
        self.column_names = tuple(column_names)
        self.column_types = tuple(column_types)
        self.query_id = query_id or ''
        self.summary = dict(summary or {})
        self.column_oriented = column_oriented
        self._rows = None

    @property
    def result_columns(self):
        if self._columns is None:
            if self._rows is not None:
                self._columns = blockconv.columns_from_rows(self._rows, len(self.column_names))
            else:
                self._columns = blockconv.columns(self._parts) if self._parts else []
            self._parts = None
        return self._columns

    @result_columns.setter
    def result_columns(self, value):
        self._columns = value
        self._rows = None
        self._parts = None

    @property
    def result_rows(self):
        if self._rows is None:
            if self._columns is None:
                self._rows = blockconv.rows(self._parts) if self._parts else []
            else:
                self._rows = blockconv.rows_from_columns(self._columns)
            self._parts = None
        return self._rows

    @property
    def result_set(self):
        return self.result_columns if self.column_oriented else self.result_rows

    @property
    def row_count(self):
        if self._rows is not None:
            return len(self._rows)
        if self._columns is not None:
            return len(self._columns[0]) if self._columns else 0
        return sum(blockconv.item_rows(items[0]) for items in self._parts if items)

    @property
    def first_row(self):
        rows = self.result_rows
        return rows[0] if rows else None

    @property
    def first_item(self):
        """The first row as a dict of column name -> value, None when empty."""
        row = self.first_row
        return None if row is None else dict(zip(self.column_names, row))

    def named_results(self):
        names = self.column_names
        for row in self.result_rows:
            yield dict(zip(names, row))

    # clickhouse-connect's per-result streams. The result is already read, so each property
    # gives a new StreamContext (use it in ``with``) over the blocks as they arrived; once
    # result_rows or result_columns was built, over the whole result as one block.
    def _block_parts(self):
        if self._parts is not None:
            return self._parts
        cols = self.result_columns
        return [cols] if cols and len(cols[0]) else []

    @property
    def column_block_stream(self):
        """StreamContext yielding, per block, one list of values per column."""
        return StreamContext(None, (capi.chc_py_columns([part]) for part in self._block_parts()))

    @property
    def row_block_stream(self):
        """StreamContext yielding, per block, a list of row tuples."""
        return StreamContext(None, (capi.chc_py_rows([part]) for part in self._block_parts()))

    @property
    def rows_stream(self):
        """StreamContext yielding the row tuples one by one."""
        return StreamContext(None, (row for part in self._block_parts() for row in capi.chc_py_rows([part])))

    def __arrow_c_stream__(self, requested_schema=None):  # noqa: ARG002
        """The Arrow PyCapsule interface: the result's Native blocks as Arrow record batches
        (String columns as large_string), e.g. ``pyarrow.table(result)``,
        ``polars.DataFrame(result)``. May be called any number of times."""
        from ._capi import capi
        return capi.chc_py_arrow_stream(self._blocks, None, 1)

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f'<QueryResult {self.row_count} rows, columns {self.column_names}>'
