"""External data for query processing (clickhouse-connect's ExternalData): tables sent along with
one query and readable in its SQL by name, e.g.

    data = ExternalData(file_name='ids', data=b'1\\n2\\n', structure='id UInt32')
    client.query('SELECT * FROM t WHERE id IN (SELECT id FROM ids)', external_data=data)

The request becomes a multipart/form-data POST (the C library's chc_query_add_external); the
server parses each file with its format (default TabSeparated) into the given structure
("name Type, ...") or types ("Type,Type", columns _1, _2, ...).
"""

import os

from ._capi import capi
from .exceptions import ProgrammingError


class ExternalFile:
    """One external table: its name in the SQL, its bytes, format and columns."""

    def __init__(self, file_path=None, file_name=None, data=None, fmt=None, types=None, structure=None,
                 mime_type=None):
        if file_path is not None:
            if data is not None:
                raise ProgrammingError('external data: give file_path or data, not both')
            try:
                with open(file_path, 'rb') as f:
                    data = f.read()
            except OSError as exc:
                raise ProgrammingError(f'external data: cannot read {file_path!r}: {exc}') from exc
            file_name = file_name or os.path.basename(file_path)
        elif data is None:
            raise ProgrammingError('external data needs file_path or data')
        if not file_name:
            raise ProgrammingError('external data needs a file_name (the table name in the query)')
        if isinstance(data, str):
            data = data.encode()
        elif not isinstance(data, (bytes, bytearray, memoryview)):
            raise ProgrammingError(f'external data must be bytes or str, not {type(data).__name__}')
        if (types is None) == (structure is None):
            raise ProgrammingError('external data needs either types or structure (not both)')
        self.file_name = file_name
        # The table name is the file name without its (last) extension ("ids.tsv" -> "ids").
        self.name = file_name.rsplit('.', 1)[0]
        self.data = data
        self.fmt = fmt
        self.types = types if types is None or isinstance(types, str) else ','.join(types)
        self.structure = structure if structure is None or isinstance(structure, str) else ', '.join(structure)
        # Accepted for compatibility; the server ignores a part's content type.
        self.mime_type = mime_type or 'application/octet-stream'

    def add_to(self, query):
        """Attaches this table to a chc_query handle (the data is copied)."""
        capi.chc_query_add_external(query, self.name, self.structure, self.types, self.fmt, self.data)

    def __repr__(self):
        columns = f'structure={self.structure!r}' if self.structure is not None else f'types={self.types!r}'
        return f'<ExternalFile {self.name!r} {len(self.data)} bytes {columns} fmt={self.fmt!r}>'


class ExternalData:
    """A set of external tables for one query: the constructor's arguments describe the first
    (optional), add_file adds more. Pass it as ``external_data=`` to command, query, raw_query and
    the query_* methods."""

    def __init__(self, file_path=None, file_name=None, data=None, fmt=None, types=None, structure=None,
                 mime_type=None):
        self.files = []
        if file_path is not None or data is not None:
            self.add_file(file_path, file_name, data, fmt, types, structure, mime_type)

    def add_file(self, file_path=None, file_name=None, data=None, fmt=None, types=None, structure=None,
                 mime_type=None):
        self.files.append(ExternalFile(file_path, file_name, data, fmt, types, structure, mime_type))

    def add_to(self, query):
        if not self.files:
            raise ProgrammingError('external data without any file')
        for f in self.files:
            f.add_to(query)

    def __repr__(self):
        return f'<ExternalData {self.files!r}>'
