"""Result rows and columns built by the SWIG module, one C call per block or per result.

chc_py_rows / chc_py_columns take, per Native block, one *item* per column: the column handle
itself when the C code converts that type and the query wants the default values
(chc_py_column_fast), else the list of values that the Python decoders (datatypes.py) and the
query's read-option converters (formats.py) produced. Every type and option therefore gives the
values it gave before; the common ones just skip Python per value, and row tuples are made in C
(no intermediate column lists when only rows are asked for).
"""

from ._capi import capi
from . import datatypes
from .datatypes import decode_column

# Type name -> whether the C code converts its values (module-level cache, bounded; a type's
# answer never changes).
_fast_types = {}


def is_fast(handle, ch_type):
    """True when chc_py_rows / chc_py_columns convert this column's values themselves."""
    if not datatypes.USE_FAST_PATH:
        return False
    ok = _fast_types.get(ch_type.name)
    if ok is None:
        ok = bool(capi.chc_py_column_fast(handle))
        if len(_fast_types) < 10000:
            _fast_types[ch_type.name] = ok
    return ok


def column_item(handle, ch_type, conv=None):
    """The item for one column of one block: the handle (converted later, in C) when the values
    are the defaults of a type the C code handles, else the list of final values (decoded and
    converted now, so their errors surface in query() as before)."""
    if conv is None and is_fast(handle, ch_type):
        return handle
    values = decode_column(handle, ch_type)
    return values if conv is None else conv(values)


def item_rows(item):
    return len(item) if isinstance(item, (list, tuple)) else capi.chc_column_row_count(item)


def rows(parts):
    """List of row tuples of every block (parts: one list of column items per block)."""
    return capi.chc_py_rows(parts)


def columns(parts):
    """One list of values per column over every block."""
    return capi.chc_py_columns(parts)


def rows_from_columns(cols):
    """Row tuples of equally long column sequences (values shared, not copied)."""
    if not cols:
        return []
    if all(isinstance(c, (list, tuple)) for c in cols):
        return capi.chc_py_rows([cols])
    return list(zip(*cols))


def columns_from_rows(row_list, ncols):
    """Column lists of a list of row tuples (values shared, not copied)."""
    return capi.chc_py_transpose(row_list, ncols)
