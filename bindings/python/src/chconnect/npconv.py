"""numpy columns over the decoded Native buffers (query_np / query_np_stream).

Fixed-width columns are ``np.frombuffer`` views of the column's own memory (the array keeps the
column handle alive through the memoryview); types whose numpy layout differs (DateTime's UInt32
seconds, Date's UInt16 days) are one vectorised conversion; everything else is an object array
of the Python values ``query()`` returns.
"""

from . import _capi as k
from ._capi import capi
from .blockconv import column_item
from .datatypes import type_from_capi
from .formats import to_tzinfo, zone_name
from .streams import require

_NUMERIC = {k.INT8: 'i1', k.INT16: '<i2', k.INT32: '<i4', k.INT64: '<i8', k.UINT8: 'u1', k.UINT16: '<u2',
            k.UINT32: '<u4', k.UINT64: '<u8', k.FLOAT32: '<f4', k.FLOAT64: '<f8', k.BOOL: '?'}
_DT64_UNITS = {0: 's', 3: 'ms', 6: 'us', 9: 'ns'}


def np_dtype(ch_type):
    """The numpy dtype query_np gives a ClickHouse type."""
    np = require('numpy', 'query_np')
    kind = ch_type.kind
    if kind in _NUMERIC:
        return np.dtype(_NUMERIC[kind])
    if kind in (k.DATE, k.DATE32):
        return np.dtype('datetime64[D]')
    if kind == k.DATETIME:
        return np.dtype('datetime64[s]')
    if kind == k.DATETIME64:
        p = ch_type.precision
        return np.dtype(f'datetime64[{_DT64_UNITS.get(p, "ns" if p > 6 else ("us" if p > 3 else "ms"))}]')
    if kind == k.NULLABLE and ch_type.element.kind in (k.FLOAT32, k.FLOAT64):
        return np.dtype(_NUMERIC[ch_type.element.kind])  # NULL -> NaN
    if kind == k.LOW_CARDINALITY and ch_type.element.kind != k.NULLABLE:
        inner = np_dtype(ch_type.element)
        return inner
    return np.dtype(object)


def np_column(handle, ch_type=None):
    """numpy array of one chc_column (zero-copy for numbers and DateTime64 with p in 0/3/6/9)."""
    np = require('numpy', 'query_np')
    if ch_type is None:
        ch_type = type_from_capi(capi.chc_column_type(handle))
    kind = ch_type.kind
    n = capi.chc_column_row_count(handle)
    if kind in _NUMERIC:
        return np.frombuffer(capi.chc_column_data(handle), dtype=_NUMERIC[kind], count=n)
    if kind == k.DATE:
        return np.frombuffer(capi.chc_column_data(handle), dtype='<u2', count=n).astype('datetime64[D]')
    if kind == k.DATE32:
        return np.frombuffer(capi.chc_column_data(handle), dtype='<i4', count=n).astype('datetime64[D]')
    if kind == k.DATETIME:
        return np.frombuffer(capi.chc_column_data(handle), dtype='<u4', count=n).astype('datetime64[s]')
    if kind == k.DATETIME64:
        ticks = np.frombuffer(capi.chc_column_data(handle), dtype='<i8', count=n)
        p = ch_type.precision
        dt = np_dtype(ch_type)
        if p in _DT64_UNITS:
            return ticks.view(dt)
        target = {'ms': 3, 'us': 6, 'ns': 9}[np.datetime_data(dt)[0]]
        return (ticks * (10 ** (target - p))).view(dt)
    if kind == k.NULLABLE and ch_type.element.kind in (k.FLOAT32, k.FLOAT64):
        inner = np_column(capi.chc_column_child(handle, 0), ch_type.element)
        nulls = np.frombuffer(capi.chc_column_null_map(handle), dtype='?', count=n)
        if nulls.any():
            inner = inner.copy()
            inner[nulls] = np.nan
        return inner
    if kind == k.LOW_CARDINALITY and ch_type.element.kind != k.NULLABLE:
        dictionary = np_column(capi.chc_column_child(handle, 0), ch_type.element)
        width = capi.chc_column_index_width(handle)
        indexes = np.frombuffer(capi.chc_column_data(handle), dtype={1: 'u1', 2: '<u2', 4: '<u4', 8: '<u8'}[width],
                                count=n)
        return dictionary.take(indexes)
    # Objects are written by the C code (no numpy sequence discovery on tuples or lists).
    out = np.empty(n, dtype=object)
    capi.chc_py_fill_objects(out, column_item(handle, ch_type))
    return out


def np_result(blocks):
    """query_np's array for an iterable of chc_blocks, assembled in place: 2-D when every column
    has the same dtype, else structured (as ``combine``). Each block's columns are copied into
    their slice (object columns written by the C code) and the block is dropped before the next
    one is read, so a result never holds its Native blocks and the decoded memory is reused. The
    row count is not known in advance: the array grows by a quarter (``resize`` reallocates in
    place where it can) and is cut to size at the end."""
    np = require('numpy', 'query_np')
    out = None
    pos = cap = 0
    for block in blocks:
        n = capi.chc_block_row_count(block)
        handles = [capi.chc_block_column(block, i) for i in range(capi.chc_block_column_count(block))]
        del block
        if out is None:
            if not handles:
                return np.empty((0, 0))
            names = tuple(capi.chc_column_name(h) for h in handles)
            types = tuple(type_from_capi(capi.chc_column_type(h)) for h in handles)
            dtypes = [np_dtype(t) for t in types]
            two_d = len(set(dtypes)) == 1
            cap = max(n, 1)
            # zeros, not empty: numpy sets the object fields of an empty structured array to None
            # one element at a time (several times slower than the whole assembly).
            out = (np.zeros((cap, len(handles)), dtype=dtypes[0]) if two_d
                   else np.zeros(cap, dtype=list(zip(names, dtypes))))
        if pos + n > cap:
            cap = max(pos + n, cap + cap // 4)
            out.resize((cap, len(names)) if two_d else (cap,), refcheck=False)
        for j, (h, t) in enumerate(zip(handles, types)):
            part = (out[pos:pos + n, j]) if two_d else out[names[j]][pos:pos + n]
            if part.dtype == object:
                capi.chc_py_fill_objects(part, column_item(h, t))
            else:
                part[...] = np_column(h, t)
            del part
        del handles
        pos += n
    if out is None:
        return np.empty((0, 0))
    if pos != cap:
        out.resize((pos, len(names)) if two_d else (pos,), refcheck=False)
    return out


def block_columns(block):
    """(names, types, numpy arrays) of one chc_block."""
    ncols = capi.chc_block_column_count(block)
    handles = [capi.chc_block_column(block, i) for i in range(ncols)]
    names = tuple(capi.chc_column_name(h) for h in handles)
    types = tuple(type_from_capi(capi.chc_column_type(h)) for h in handles)
    return names, types, [np_column(h, t) for h, t in zip(handles, types)]


def combine(names, types, columns):
    """clickhouse-connect's query_np shape: a 2-D array (rows x columns) when every column has
    the same dtype, else a structured array with one field per column."""
    np = require('numpy', 'query_np')
    dtypes = [np_dtype(t) for t in types]
    if not columns:
        return np.empty((0, 0))
    if len(set(dtypes)) == 1:
        if len(columns) == 1:
            return columns[0].reshape(-1, 1)
        return np.stack(columns, axis=1)
    out = np.empty(len(columns[0]), dtype=list(zip(names, dtypes)))
    for name, col in zip(names, columns):
        out[name] = col
    return out


def arrow_zones(data, options):
    """`data` (a pyarrow Table or RecordBatch) with each top-level timestamp column in the zone
    the time-zone rules give it (ReadOptions.zone_for: column_tzs, the type's zone, query_tz,
    the server's or local zone; naive when that is UTC in tz_mode naive_utc), as query() shows
    DateTime values. Only the type's zone changes: the values are UTC instants either way."""
    pa = require('pyarrow', 'query_df')
    changed = False
    fields, columns = [], []
    for field, col in zip(data.schema, data.columns):
        t = field.type
        if pa.types.is_timestamp(t):
            zone = options.zone_for(to_tzinfo(t.tz) if t.tz else None, options.column_tzs.get(field.name))
            name = None if zone is None else zone_name(zone)
            if name != t.tz:
                field = field.with_type(pa.timestamp(t.unit, name))
                col = col.cast(field.type)
                changed = True
        fields.append(field)
        columns.append(col)
    if not changed:
        return data
    schema = pa.schema(fields, metadata=data.schema.metadata)
    if isinstance(data, pa.RecordBatch):
        return pa.RecordBatch.from_arrays(columns, schema=schema)
    return pa.Table.from_arrays(columns, schema=schema)


def arrow_to_pandas(data, use_extended_dtypes=True):
    """pandas DataFrame of a pyarrow Table or RecordBatch, with clickhouse-connect's default
    dtypes where sensible: numbers as numpy dtypes (zero-copy when a column has no NULLs and
    one chunk), Nullable integers as pandas' nullable Int*/UInt* dtypes (use_extended_dtypes;
    else float64 with NaN), LowCardinality decoded to its values (not Categorical), strings as
    pandas' default for Arrow strings, DateTime as datetime64[s] (aware with the column's zone)."""
    pd = require('pandas', 'query_df')
    pa = require('pyarrow', 'query_df')
    int_dtypes = {pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(),
                  pa.int64(): pd.Int64Dtype(), pa.uint8(): pd.UInt8Dtype(), pa.uint16(): pd.UInt16Dtype(),
                  pa.uint32(): pd.UInt32Dtype(), pa.uint64(): pd.UInt64Dtype()}
    columns = {}
    for field, col in zip(data.schema, data.columns):
        if pa.types.is_dictionary(field.type):
            col = col.cast(field.type.value_type)
        if use_extended_dtypes and field.nullable and col.type in int_dtypes:
            series = col.to_pandas(types_mapper=int_dtypes.get)
        else:
            series = col.to_pandas()
        columns[field.name] = series
    if not columns:
        return pd.DataFrame()
    return pd.DataFrame(columns, copy=False)
