/* Python typemaps for chconnect.i (included from there before the header).
 *
 * What the generated module `chconnect_capi` looks like to Python:
 *  - Calls that return chc_status return their outputs (or None) and RAISE on failure: the
 *    trailing `chc_error** err` disappears from the Python signature, and a non-OK status becomes
 *    an exception built by the factory the pure-Python package registers with
 *    chc_py_set_error_factory(callable(status, message, code, name, http_status, query_id)).
 *    Raising in C keeps the hot path at one C call per operation (no status tuples to unpack).
 *  - Owned handles (`TYPE** out`) come back as proxy objects that own the handle: the proxy's
 *    destructor calls the matching *_free exactly once (SWIG's `thisown` flag). Borrowed
 *    pointers (chc_insert_builder, chc_column_type, chc_type_child) come back unowned and follow
 *    the C rules: they are valid only while their owner is (the chconnect package keeps the
 *    owner referenced while it uses them).
 *  - Column buffers come back as read-only memoryviews that keep the column proxy alive
 *    (zero-copy over chc_column_data / chc_column_offsets / chc_column_null_map).
 *  - Strings with a length (SQL, builder values) accept str (UTF-8) or bytes.
 *  - The module is built with -threads, but only calls that may block on the network release the
 *    GIL (%thread list below); accessors and builders keep it, which is much cheaper per call.
 */

%{
#include <string.h>
#include <datetime.h>

/* The callable that turns an error into an exception instance; set by chconnect on import. */
static PyObject *chc_py_error_factory = NULL;

static PyObject *chc_py_str_or_empty(const char *s) {
  if (!s) s = "";
  return PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "replace");
}

/* Sets the Python exception for a failed call and frees err (which may be NULL). */
static void chc_py_raise(chc_status status, chc_error *err) {
  const char *msg = err ? chc_error_message(err) : chc_status_name(status);
  if (chc_py_error_factory) {
    PyObject *pmsg = chc_py_str_or_empty(msg);
    PyObject *pname = chc_py_str_or_empty(err ? chc_error_server_name(err) : "");
    PyObject *pqid = chc_py_str_or_empty(err ? chc_error_query_id(err) : "");
    if (pmsg && pname && pqid) {
      PyObject *exc = PyObject_CallFunction(chc_py_error_factory, "iOiOiO", (int)status, pmsg,
                                            (int)(err ? chc_error_server_code(err) : 0), pname,
                                            (int)(err ? chc_error_http_status(err) : 0), pqid);
      if (exc) {
        PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
        Py_DECREF(exc);
      }
      /* else the factory's own exception is already set */
    }
    Py_XDECREF(pmsg);
    Py_XDECREF(pname);
    Py_XDECREF(pqid);
  } else {
    PyErr_Format(PyExc_RuntimeError, "%s: %s", chc_status_name(status), msg ? msg : "");
  }
  chc_error_free(err);
}

/* A read-only buffer over memory owned by a column handle; holds a reference to the Python
   object that owns the handle so the memory outlives every memoryview taken from it. */
typedef struct {
  PyObject_HEAD
  PyObject *owner;
  void *ptr;
  Py_ssize_t count;    /* number of items */
  Py_ssize_t itemsize;
  const char *format;  /* struct-module format of one item */
} chc_py_buffer;

static char chc_py_empty_bytes[8];

static int chc_py_buffer_get(PyObject *self, Py_buffer *view, int flags) {
  chc_py_buffer *b = (chc_py_buffer *)self;
  if (flags & PyBUF_WRITABLE) {
    PyErr_SetString(PyExc_BufferError, "chconnect column buffers are read-only");
    view->obj = NULL;
    return -1;
  }
  view->buf = b->ptr;
  view->obj = self;
  Py_INCREF(self);
  view->len = b->count * b->itemsize;
  view->readonly = 1;
  view->itemsize = b->itemsize;
  view->format = (flags & PyBUF_FORMAT) ? (char *)b->format : NULL;
  view->ndim = 1;
  view->shape = (flags & PyBUF_ND) ? &b->count : NULL;
  view->strides = ((flags & PyBUF_STRIDES) == PyBUF_STRIDES) ? &b->itemsize : NULL;
  view->suboffsets = NULL;
  view->internal = NULL;
  return 0;
}

static void chc_py_buffer_dealloc(PyObject *self) {
  Py_XDECREF(((chc_py_buffer *)self)->owner);
  PyObject_Free(self);
}

static PyBufferProcs chc_py_buffer_procs = {chc_py_buffer_get, NULL};

static PyTypeObject chc_py_buffer_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "chconnect_capi.ColumnBuffer",
    .tp_basicsize = sizeof(chc_py_buffer),
    .tp_dealloc = chc_py_buffer_dealloc,
    .tp_as_buffer = &chc_py_buffer_procs,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Read-only view of a chconnect column buffer; keeps the column alive.",
};

/* memoryview over (ptr, count items of itemsize bytes), keeping `owner` alive. */
static PyObject *chc_py_memoryview(PyObject *owner, const void *ptr, size_t count, Py_ssize_t itemsize,
                                   const char *format) {
  chc_py_buffer *b;
  PyObject *mv;
  if (!ptr) {
    ptr = chc_py_empty_bytes;
    count = 0;
  }
  b = PyObject_New(chc_py_buffer, &chc_py_buffer_type);
  if (!b) return NULL;
  Py_INCREF(owner);
  b->owner = owner;
  b->ptr = (void *)ptr;
  b->count = (Py_ssize_t)count;
  b->itemsize = itemsize;
  b->format = format;
  mv = PyMemoryView_FromObject((PyObject *)b);
  Py_DECREF(b);
  return mv;
}

static const chc_column *chc_py_column_arg(PyObject *obj);
%}

%init %{
  if (PyType_Ready(&chc_py_buffer_type) < 0) return NULL;
  PyDateTime_IMPORT;
  if (!PyDateTimeAPI) return NULL;
%}

/* ---- GIL: keep it by default, release it only around calls that may block ---------------- */

%nothread;
%thread chc_client_ping;
%thread chc_client_server_version;
%thread chc_client_command;
%thread chc_client_query;
%thread chc_result_next;
%thread chc_client_insert_begin;
%thread chc_insert_finish;
%thread chc_client_insert_raw;
%thread chc_client_query_raw;
%thread chc_raw_result_read;
/* Freeing these may close connections or abort a transfer. */
%thread chc_client::~chc_client;
%thread chc_result::~chc_result;
%thread chc_raw_result::~chc_raw_result;

/* ---- status and errors -------------------------------------------------------------------- */

/* A chc_status return becomes None (outputs are appended to it); failures raise in the
   chc_error** argout below, which runs after every other argout. */
%typemap(out) chc_status "$result = SWIG_Py_Void();";

%typemap(in, numinputs=0) chc_error** err (chc_error *errtmp = NULL) "$1 = &errtmp;";
%typemap(argout) chc_error** err {
  if (result != CHC_OK) {
    Py_XDECREF($result);
    $result = NULL;
    chc_py_raise(result, errtmp$argnum);
    errtmp$argnum = NULL;
    SWIG_fail;
  }
}

/* Errors are consumed inside the typemap (their fields become the exception's attributes);
   Python never holds a chc_error. */
%ignore chc_error_free;
%ignore chc_error_status;
%ignore chc_error_message;
%ignore chc_error_server_code;
%ignore chc_error_server_name;
%ignore chc_error_http_status;
%ignore chc_error_query_id;

/* ---- handles ------------------------------------------------------------------------------ */

/* Declares TYPE to SWIG as a class with no constructor whose destructor is FREE, and makes
   `TYPE** out` an owned output. A NULL output (end of a result) becomes None. */
%define CHC_PY_HANDLE(TYPE, FREE)
%nodefaultctor TYPE;
struct TYPE {};
%extend TYPE {
  ~TYPE() { FREE($self); }
}
%ignore FREE;
%typemap(in, numinputs=0) TYPE** out (TYPE *outtmp = NULL) "$1 = &outtmp;";
%typemap(argout) TYPE** out {
  if (result == CHC_OK) {
    $result = SWIG_Python_AppendOutput($result,
        SWIG_NewPointerObj(SWIG_as_voidptr(outtmp$argnum), $*1_descriptor, outtmp$argnum ? SWIG_POINTER_OWN : 0));
  }
}
%enddef

CHC_PY_HANDLE(chc_config, chc_config_free)
CHC_PY_HANDLE(chc_client, chc_client_free)
CHC_PY_HANDLE(chc_query, chc_query_free)
CHC_PY_HANDLE(chc_response, chc_response_free)
CHC_PY_HANDLE(chc_type, chc_type_free)
CHC_PY_HANDLE(chc_result, chc_result_free)
CHC_PY_HANDLE(chc_raw_result, chc_raw_result_free)
CHC_PY_HANDLE(chc_block, chc_block_free)
CHC_PY_HANDLE(chc_column, chc_column_free)
CHC_PY_HANDLE(chc_insert, chc_insert_free)
CHC_PY_HANDLE(chc_cancel, chc_cancel_free)

/* Constructors returning a pointer directly: the proxy owns the result. */
%newobject chc_config_new;
%newobject chc_query_new;
%newobject chc_cancel_new;

/* ---- scalar outputs ----------------------------------------------------------------------- */

%typemap(in, numinputs=0) int64_t* out (int64_t vtmp = 0) "$1 = &vtmp;";
%typemap(argout) int64_t* out {
  if (result == CHC_OK) $result = SWIG_Python_AppendOutput($result, PyLong_FromLongLong((long long)vtmp$argnum));
}
%typemap(in, numinputs=0) uint64_t* out (uint64_t vtmp = 0) "$1 = &vtmp;";
%typemap(argout) uint64_t* out {
  if (result == CHC_OK) $result = SWIG_Python_AppendOutput($result, PyLong_FromUnsignedLongLong((unsigned long long)vtmp$argnum));
}
%typemap(in, numinputs=0) double* out (double vtmp = 0) "$1 = &vtmp;";
%typemap(argout) double* out {
  if (result == CHC_OK) $result = SWIG_Python_AppendOutput($result, PyFloat_FromDouble(vtmp$argnum));
}
/* chc_client_server_version: borrowed text -> str. */
%typemap(in, numinputs=0) const char** out (const char *stmp = NULL) "$1 = ($1_ltype)&stmp;";
%typemap(argout) const char** out {
  if (result == CHC_OK) $result = SWIG_Python_AppendOutput($result, chc_py_str_or_empty(stmp$argnum));
}
/* chc_column_get_string: borrowed bytes -> bytes (values may be any bytes). */
%typemap(in, numinputs=0) (const char** data, size_t* len) (const char *dtmp = NULL, size_t ltmp = 0) {
  $1 = ($1_ltype)&dtmp;
  $2 = &ltmp;
}
%typemap(argout) (const char** data, size_t* len) {
  if (result == CHC_OK)
    $result = SWIG_Python_AppendOutput($result, PyBytes_FromStringAndSize(dtmp$argnum ? dtmp$argnum : "", (Py_ssize_t)ltmp$argnum));
}

/* ---- inputs with a length: str (UTF-8) or bytes ------------------------------------------- */

%define CHC_PY_TEXT_IN(PTR, LEN)
%typemap(in) (const char* PTR, size_t LEN) (Py_ssize_t ntmp = 0) {
  if (PyUnicode_Check($input)) {
    $1 = (char *)PyUnicode_AsUTF8AndSize($input, &ntmp);
    if (!$1) SWIG_fail;
  } else if (PyBytes_Check($input)) {
    char *p = NULL;
    if (PyBytes_AsStringAndSize($input, &p, &ntmp) < 0) SWIG_fail;
    $1 = p;
  } else {
    PyErr_Format(PyExc_TypeError, "expected str or bytes, got %s", Py_TYPE($input)->tp_name);
    SWIG_fail;
  }
  $2 = (size_t)ntmp;
}
%enddef
CHC_PY_TEXT_IN(sql, sql_len)
CHC_PY_TEXT_IN(data, len)

/* chc_client_insert_raw: any object with the buffer protocol, held for the call. */
%typemap(in) (const void* data, size_t len) (Py_buffer btmp, int bheld = 0) {
  if (PyObject_GetBuffer($input, &btmp, PyBUF_SIMPLE) < 0) SWIG_fail;
  bheld = 1;
  $1 = btmp.buf;
  $2 = (size_t)btmp.len;
}
%typemap(freearg) (const void* data, size_t len) {
  if (bheld$argnum) PyBuffer_Release(&btmp$argnum);
}

/* chc_raw_result_read: reads into any writable contiguous buffer (bytearray, memoryview, numpy
   array), held for the call (the GIL is released meanwhile); returns the byte count (0 = end). */
%typemap(in) (void* buf, size_t cap) (Py_buffer wtmp, int wheld = 0) {
  if (PyObject_GetBuffer($input, &wtmp, PyBUF_WRITABLE) < 0) SWIG_fail;
  wheld = 1;
  $1 = wtmp.buf;
  $2 = (size_t)wtmp.len;
}
%typemap(freearg) (void* buf, size_t cap) {
  if (wheld$argnum) PyBuffer_Release(&wtmp$argnum);
}
%typemap(in, numinputs=0) size_t* n (size_t ntmp = 0) "$1 = &ntmp;";
%typemap(argout) size_t* n {
  if (result == CHC_OK) $result = SWIG_Python_AppendOutput($result, PyLong_FromSize_t(ntmp$argnum));
}

/* chc_client_insert_begin column names: None (all columns) or a sequence of str. The sequence
   is copied into a new list so the strings stay alive while the GIL is released. */
%typemap(in) (const char* const* columns, size_t ncolumns) (PyObject *ltmp = NULL, const char **atmp = NULL) {
  if ($input == Py_None) {
    $1 = NULL;
    $2 = 0;
  } else {
    Py_ssize_t i, n;
    ltmp = PySequence_List($input);
    if (!ltmp) SWIG_fail;
    n = PyList_GET_SIZE(ltmp);
    atmp = (const char **)PyMem_Malloc(sizeof(char *) * (size_t)(n ? n : 1));
    if (!atmp) { PyErr_NoMemory(); SWIG_fail; }
    for (i = 0; i < n; i++) {
      PyObject *item = PyList_GET_ITEM(ltmp, i);
      if (!PyUnicode_Check(item)) {
        PyErr_Format(PyExc_TypeError, "column names must be str, got %s", Py_TYPE(item)->tp_name);
        SWIG_fail;
      }
      atmp[i] = PyUnicode_AsUTF8(item);
      if (!atmp[i]) SWIG_fail;
    }
    $1 = ($1_ltype)atmp;
    $2 = (size_t)n;
  }
}
%typemap(freearg) (const char* const* columns, size_t ncolumns) {
  PyMem_Free((void *)atmp$argnum);
  Py_XDECREF(ltmp$argnum);
}
/* chc_client_insert_begin_typed's type names: a sequence of str, as the column names. */
%apply (const char* const* columns, size_t ncolumns) { (const char* const* types, size_t ntypes) };


/* ---- column values and inserted values in C (CPython API; lives only in this wrapper) ------ */

%include "python_values.i"

/* ---- functions replaced by Python-shaped helpers ------------------------------------------ */

%ignore chc_column_data;
%ignore chc_column_offsets;
%ignore chc_column_null_map;
%ignore chc_response_body;
%ignore chc_response_summary;
%ignore chc_result_summary;

%rename(chc_column_data) chc_py_column_data;
%rename(chc_column_offsets) chc_py_column_offsets;
%rename(chc_column_null_map) chc_py_column_null_map;
%rename(chc_response_body) chc_py_response_body;
%rename(chc_response_summary) chc_py_response_summary;
%rename(chc_result_summary) chc_py_result_summary;
%rename(chc_py_set_error_factory) chc_py_set_error_factory;
%ignore chc_builder_append_fixed;
%rename(chc_builder_append_fixed) chc_py_builder_append_fixed;

%inline %{
/* Registers the callable chconnect uses to build exceptions:
   factory(status, message, server_code, server_name, http_status, query_id) -> exception. */
PyObject *chc_py_set_error_factory(PyObject *factory) {
  if (factory != Py_None && !PyCallable_Check(factory)) {
    PyErr_SetString(PyExc_TypeError, "error factory must be callable or None");
    return NULL;
  }
  Py_XDECREF(chc_py_error_factory);
  chc_py_error_factory = NULL;
  if (factory != Py_None) {
    Py_INCREF(factory);
    chc_py_error_factory = factory;
  }
  Py_RETURN_NONE;
}

/* chc_column_data(column) -> memoryview of bytes (format 'B'), zero-copy. */
PyObject *chc_py_column_data(PyObject *column) {
  size_t len = 0;
  const void *p;
  const chc_column *c = chc_py_column_arg(column);
  if (!c) return NULL;
  p = chc_column_data(c, &len);
  return chc_py_memoryview(column, p, len, 1, "B");
}

/* chc_column_offsets(column) -> memoryview of int64 (format 'q'), zero-copy; empty when the
   kind has no offsets. */
PyObject *chc_py_column_offsets(PyObject *column) {
  size_t count = 0;
  const int64_t *p;
  const chc_column *c = chc_py_column_arg(column);
  if (!c) return NULL;
  p = chc_column_offsets(c, &count);
  return chc_py_memoryview(column, p, count, 8, "q");
}

/* chc_column_null_map(column) -> memoryview of row_count bytes (1 = NULL), zero-copy; empty
   when the column is not Nullable. */
PyObject *chc_py_column_null_map(PyObject *column) {
  const uint8_t *p;
  const chc_column *c = chc_py_column_arg(column);
  if (!c) return NULL;
  p = chc_column_null_map(c);
  return chc_py_memoryview(column, p, p ? chc_column_row_count(c) : 0, 1, "B");
}

/* chc_builder_append_fixed(builder, buffer, item_size): appends len(buffer) / item_size values
   given in the column's fixed-width wire layout (item_size must be chc_type_fixed_size of the
   builder's type; the buffer length must be a multiple of it). */
PyObject *chc_py_builder_append_fixed(chc_builder *builder, PyObject *values, size_t item_size) {
  Py_buffer view;
  chc_error *err = NULL;
  chc_status st;
  if (item_size == 0) {
    PyErr_SetString(PyExc_ValueError, "item_size must be positive");
    return NULL;
  }
  if (PyObject_GetBuffer(values, &view, PyBUF_SIMPLE) < 0) return NULL;
  if ((size_t)view.len % item_size) {
    PyBuffer_Release(&view);
    PyErr_SetString(PyExc_ValueError, "buffer length is not a multiple of item_size");
    return NULL;
  }
  st = chc_builder_append_fixed(builder, view.buf, (size_t)view.len / item_size, &err);
  PyBuffer_Release(&view);
  if (st != CHC_OK) {
    chc_py_raise(st, err);
    return NULL;
  }
  Py_RETURN_NONE;
}

/* chc_response_body(response) -> bytes (a copy). */
PyObject *chc_py_response_body(const chc_response *response) {
  size_t len = 0;
  const char *p = chc_response_body(response, &len);
  return PyBytes_FromStringAndSize(p ? p : "", (Py_ssize_t)(p ? len : 0));
}

/* chc_response_summary(response, field) -> int, or None when the server did not send it. */
PyObject *chc_py_response_summary(const chc_response *response, const char *field) {
  int64_t v = 0;
  chc_error *err = NULL;
  chc_status st = chc_response_summary(response, field, &v, &err);
  if (st == CHC_OK) return PyLong_FromLongLong((long long)v);
  if (st == CHC_E_NOT_FOUND) {
    chc_error_free(err);
    Py_RETURN_NONE;
  }
  chc_py_raise(st, err);
  return NULL;
}

/* chc_result_summary(result, field) -> int, or None when the server did not send it. */
PyObject *chc_py_result_summary(const chc_result *result, const char *field) {
  int64_t v = 0;
  chc_error *err = NULL;
  chc_status st = chc_result_summary(result, field, &v, &err);
  if (st == CHC_OK) return PyLong_FromLongLong((long long)v);
  if (st == CHC_E_NOT_FOUND) {
    chc_error_free(err);
    Py_RETURN_NONE;
  }
  chc_py_raise(st, err);
  return NULL;
}
%}

%{
static const chc_column *chc_py_column_arg(PyObject *obj) {
  void *p = NULL;
  if (!SWIG_IsOK(SWIG_ConvertPtr(obj, &p, SWIGTYPE_p_chc_column, 0)) || !p) {
    PyErr_SetString(PyExc_TypeError, "expected a chc_column handle");
    return NULL;
  }
  return (const chc_column *)p;
}
%}

/* ---- Arrow PyCapsule interface (header section 9) ------------------------------------------ */
/*
 * chc_py_arrow_stream(blocks, result, strings) -> PyCapsule "arrow_array_stream"
 *   An ArrowArrayStream that yields each block of `blocks` (a sequence of chc_block proxies,
 *   exported with chc_block_export_arrow when reached) and then every block of `result` (a
 *   chc_result proxy, moved with chc_result_export_arrow_stream, or None). With strings != 0
 *   String fields (format "Z", large_binary) are declared "U" (large_utf8) and every batch is
 *   checked to be valid UTF-8 (a batch that is not fails with EILSEQ naming the column). The
 *   relabelling replaces the `format` pointer of the exported schema by a static "U": the
 *   library's release callbacks free through private_data only, never through `format`.
 *   The capsule destructor releases the stream if nobody moved it out, then frees the struct.
 *   The data stays alive through the library's reference counts; the block proxies are kept
 *   referenced by the stream (dropped with the GIL held on release).
 * chc_py_insert_append_arrow(insert, capsule): moves the ArrowArrayStream out of an
 *   "arrow_array_stream" capsule (the capsule's struct is marked released) and hands it to
 *   chc_insert_append_arrow with the GIL released (producers that need Python take it).
 */
%{
#include <errno.h>

typedef struct {
  struct ArrowArrayStream inner; /* inner.release == NULL when there is none */
  PyObject *blocks_ref;          /* tuple of chc_block proxies (new reference) or NULL */
  chc_block **blocks;
  size_t nblocks, next_block;
  int strings;
  int have_plan;
  struct ArrowSchema plan;       /* the original schema (not relabelled), for the UTF-8 check */
  char err[512];
  int err_set;
} chc_py_stream_priv;

static void chc_py_empty_schema_release(struct ArrowSchema *s) { s->release = NULL; }

static void chc_py_empty_schema(struct ArrowSchema *out) {
  memset(out, 0, sizeof(*out));
  out->format = "+s";
  out->name = "";
  out->release = chc_py_empty_schema_release;
}

/* The schema as the source gives it (no relabelling). */
static int chc_py_stream_raw_schema(chc_py_stream_priv *p, struct ArrowSchema *out) {
  if (p->nblocks > 0) {
    struct ArrowArray arr;
    chc_error *e = NULL;
    chc_status st = chc_block_export_arrow(p->blocks[0], &arr, out, &e);
    if (st != CHC_OK) {
      snprintf(p->err, sizeof(p->err), "%s", e ? chc_error_message(e) : chc_status_name(st));
      p->err_set = 1;
      chc_error_free(e);
      return st == CHC_E_NOT_SUPPORTED ? ENOTSUP : EIO;
    }
    arr.release(&arr);
    return 0;
  }
  if (p->inner.release) {
    int rc = p->inner.get_schema(&p->inner, out);
    if (rc) p->err_set = 0;
    return rc;
  }
  chc_py_empty_schema(out);
  return 0;
}

static void chc_py_relabel(struct ArrowSchema *s) {
  int64_t i;
  if (!s) return;
  if (s->format && strcmp(s->format, "Z") == 0) s->format = "U";
  for (i = 0; i < s->n_children; i++) chc_py_relabel(s->children[i]);
  chc_py_relabel(s->dictionary);
}

static int chc_py_utf8_valid(const unsigned char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    /* ASCII runs (most text) 32 bytes at a time: the check costs ~10% of query_arrow otherwise. */
    while (i + 32 <= n) {
      uint64_t w[4];
      memcpy(w, s + i, 32);
      if ((w[0] | w[1] | w[2] | w[3]) & 0x8080808080808080ULL) break;
      i += 32;
    }
    if (i >= n) break;
    if (i + 8 <= n) {
      uint64_t w;
      memcpy(&w, s + i, 8);
      if (!(w & 0x8080808080808080ULL)) {
        i += 8;
        continue;
      }
    }
    {
      unsigned c = s[i];
      if (c < 0x80) {
        i++;
      } else if (c >= 0xC2 && c <= 0xDF) {
        if (i + 1 >= n || (s[i + 1] & 0xC0) != 0x80) return 0;
        i += 2;
      } else if (c >= 0xE0 && c <= 0xEF) {
        unsigned c1;
        if (i + 2 >= n) return 0;
        c1 = s[i + 1];
        if ((c1 & 0xC0) != 0x80 || (s[i + 2] & 0xC0) != 0x80) return 0;
        if (c == 0xE0 && c1 < 0xA0) return 0; /* overlong */
        if (c == 0xED && c1 > 0x9F) return 0; /* surrogate */
        i += 3;
      } else if (c >= 0xF0 && c <= 0xF4) {
        unsigned c1;
        if (i + 3 >= n) return 0;
        c1 = s[i + 1];
        if ((c1 & 0xC0) != 0x80 || (s[i + 2] & 0xC0) != 0x80 || (s[i + 3] & 0xC0) != 0x80) return 0;
        if (c == 0xF0 && c1 < 0x90) return 0;
        if (c == 0xF4 && c1 > 0x8F) return 0;
        i += 4;
      } else {
        return 0;
      }
    }
  }
  return 1;
}

/* 0 when every large_binary array under (schema, array) is valid UTF-8, else 1. */
static int chc_py_check_utf8(const struct ArrowSchema *s, const struct ArrowArray *a) {
  int64_t i;
  if (!s || !a) return 0;
  if (s->format && strcmp(s->format, "Z") == 0 && a->length > 0 && a->n_buffers >= 3) {
    const int64_t *off = (const int64_t *)a->buffers[1];
    const unsigned char *data = (const unsigned char *)a->buffers[2];
    if (off) {
      int64_t b = off[a->offset], e = off[a->offset + a->length];
      if (e > b && (!data || !chc_py_utf8_valid(data + b, (size_t)(e - b)))) return 1;
    }
  }
  for (i = 0; i < s->n_children && i < a->n_children; i++)
    if (chc_py_check_utf8(s->children[i], a->children[i])) return 1;
  if (s->dictionary && a->dictionary) return chc_py_check_utf8(s->dictionary, a->dictionary);
  return 0;
}

static int chc_py_stream_get_schema(struct ArrowArrayStream *st, struct ArrowSchema *out) {
  chc_py_stream_priv *p = (chc_py_stream_priv *)st->private_data;
  int rc;
  p->err_set = 0;
  rc = chc_py_stream_raw_schema(p, out);
  if (rc == 0 && p->strings) chc_py_relabel(out);
  return rc;
}

static int chc_py_stream_get_next(struct ArrowArrayStream *st, struct ArrowArray *out) {
  chc_py_stream_priv *p = (chc_py_stream_priv *)st->private_data;
  int rc = 0;
  p->err_set = 0;
  if (p->strings && !p->have_plan) {
    rc = chc_py_stream_raw_schema(p, &p->plan);
    if (rc) return rc;
    p->have_plan = 1;
  }
  if (p->next_block < p->nblocks) {
    struct ArrowSchema sch;
    chc_error *e = NULL;
    chc_status s = chc_block_export_arrow(p->blocks[p->next_block], out, &sch, &e);
    if (s != CHC_OK) {
      snprintf(p->err, sizeof(p->err), "%s", e ? chc_error_message(e) : chc_status_name(s));
      p->err_set = 1;
      chc_error_free(e);
      return s == CHC_E_NOT_SUPPORTED ? ENOTSUP : EIO;
    }
    sch.release(&sch);
    p->next_block++;
  } else if (p->inner.release) {
    rc = p->inner.get_next(&p->inner, out);
    if (rc) return rc;
  } else {
    memset(out, 0, sizeof(*out)); /* end of stream */
    return 0;
  }
  if (p->strings && out->release) {
    int64_t i;
    for (i = 0; i < p->plan.n_children && i < out->n_children; i++) {
      if (chc_py_check_utf8(p->plan.children[i], out->children[i])) {
        snprintf(p->err, sizeof(p->err),
                 "chconnect: column '%s' holds a String value that is not valid UTF-8; read it as binary "
                 "(use_strings=False)", p->plan.children[i]->name ? p->plan.children[i]->name : "");
        p->err_set = 1;
        out->release(out);
        return EILSEQ;
      }
    }
  }
  return 0;
}

static const char *chc_py_stream_last_error(struct ArrowArrayStream *st) {
  chc_py_stream_priv *p = (chc_py_stream_priv *)st->private_data;
  if (p->err_set) return p->err;
  if (p->inner.release) return p->inner.get_last_error(&p->inner);
  return NULL;
}

static void chc_py_stream_release(struct ArrowArrayStream *st) {
  chc_py_stream_priv *p;
  if (!st->release) return;
  p = (chc_py_stream_priv *)st->private_data;
  if (p->inner.release) p->inner.release(&p->inner);
  if (p->have_plan && p->plan.release) p->plan.release(&p->plan);
  if (p->blocks_ref) {
    PyGILState_STATE g = PyGILState_Ensure();
    Py_DECREF(p->blocks_ref);
    PyGILState_Release(g);
  }
  free(p->blocks);
  free(p);
  st->release = NULL;
}

static void chc_py_stream_capsule_free(PyObject *capsule) {
  struct ArrowArrayStream *st = (struct ArrowArrayStream *)PyCapsule_GetPointer(capsule, "arrow_array_stream");
  if (!st) {
    PyErr_Clear();
    return;
  }
  if (st->release) st->release(st);
  free(st);
}
%}

%ignore chc_block_export_arrow;
%ignore chc_result_export_arrow_stream;
%ignore chc_insert_append_arrow;

%inline %{
PyObject *chc_py_arrow_stream(PyObject *blocks, PyObject *result, int strings) {
  chc_py_stream_priv *p;
  struct ArrowArrayStream *st;
  PyObject *tup = NULL, *capsule;
  Py_ssize_t i, n = 0;
  if (blocks != Py_None) {
    tup = PySequence_Tuple(blocks);
    if (!tup) return NULL;
    n = PyTuple_GET_SIZE(tup);
  }
  p = (chc_py_stream_priv *)calloc(1, sizeof(*p));
  st = (struct ArrowArrayStream *)calloc(1, sizeof(*st));
  if (!p || !st) {
    free(p);
    free(st);
    Py_XDECREF(tup);
    return PyErr_NoMemory();
  }
  p->strings = strings;
  if (n > 0) {
    p->blocks = (chc_block **)calloc((size_t)n, sizeof(chc_block *));
    if (!p->blocks) goto nomem;
    for (i = 0; i < n; i++) {
      void *ptr = NULL;
      if (!SWIG_IsOK(SWIG_ConvertPtr(PyTuple_GET_ITEM(tup, i), &ptr, SWIGTYPE_p_chc_block, 0)) || !ptr) {
        PyErr_SetString(PyExc_TypeError, "expected a sequence of chc_block handles");
        goto fail;
      }
      p->blocks[i] = (chc_block *)ptr;
    }
    p->nblocks = (size_t)n;
    p->blocks_ref = tup;
    tup = NULL;
  }
  if (result != Py_None) {
    void *ptr = NULL;
    chc_error *e = NULL;
    chc_status s;
    if (!SWIG_IsOK(SWIG_ConvertPtr(result, &ptr, SWIGTYPE_p_chc_result, 0)) || !ptr) {
      PyErr_SetString(PyExc_TypeError, "expected a chc_result handle or None");
      goto fail;
    }
    s = chc_result_export_arrow_stream((chc_result *)ptr, &p->inner, &e);
    if (s != CHC_OK) {
      chc_py_raise(s, e);
      goto fail;
    }
  }
  Py_XDECREF(tup);
  st->get_schema = chc_py_stream_get_schema;
  st->get_next = chc_py_stream_get_next;
  st->get_last_error = chc_py_stream_last_error;
  st->release = chc_py_stream_release;
  st->private_data = p;
  capsule = PyCapsule_New(st, "arrow_array_stream", chc_py_stream_capsule_free);
  if (!capsule) {
    st->release(st);
    free(st);
  }
  return capsule;
nomem:
  PyErr_NoMemory();
fail:
  Py_XDECREF(tup);
  Py_XDECREF(p->blocks_ref);
  free(p->blocks);
  free(p);
  free(st);
  return NULL;
}

PyObject *chc_py_insert_append_arrow(chc_insert *insert, PyObject *capsule) {
  struct ArrowArrayStream *src, moved;
  chc_error *e = NULL;
  chc_status s;
  src = (struct ArrowArrayStream *)PyCapsule_GetPointer(capsule, "arrow_array_stream");
  if (!src) return NULL;
  if (!src->release) {
    PyErr_SetString(PyExc_ValueError, "the Arrow stream was already consumed");
    return NULL;
  }
  moved = *src;
  src->release = NULL; /* moved: the capsule destructor leaves it alone */
  Py_BEGIN_ALLOW_THREADS
  s = chc_insert_append_arrow(insert, &moved, &e);
  Py_END_ALLOW_THREADS
  if (s != CHC_OK) {
    chc_py_raise(s, e);
    return NULL;
  }
  Py_RETURN_NONE;
}
%}

%inline %{
/* chc_py_arrow_stream_names(capsule) -> list of the top-level field names of an
   "arrow_array_stream" capsule's schema (get_schema is called, the stream is not consumed). */
PyObject *chc_py_arrow_stream_names(PyObject *capsule) {
  struct ArrowArrayStream *st = (struct ArrowArrayStream *)PyCapsule_GetPointer(capsule, "arrow_array_stream");
  struct ArrowSchema sch;
  PyObject *list;
  int64_t i;
  int rc;
  if (!st) return NULL;
  if (!st->release) {
    PyErr_SetString(PyExc_ValueError, "the Arrow stream was already consumed");
    return NULL;
  }
  memset(&sch, 0, sizeof(sch));
  rc = st->get_schema(st, &sch);
  if (rc != 0) {
    const char *m = st->get_last_error ? st->get_last_error(st) : NULL;
    PyErr_Format(PyExc_OSError, "Arrow stream get_schema failed (%d): %s", rc, m ? m : "");
    return NULL;
  }
  if (!sch.format || strcmp(sch.format, "+s") != 0) {
    if (sch.release) sch.release(&sch);
    PyErr_SetString(PyExc_TypeError, "the Arrow stream does not hold struct arrays (record batches)");
    return NULL;
  }
  list = PyList_New((Py_ssize_t)sch.n_children);
  for (i = 0; list && i < sch.n_children; i++) {
    PyObject *s = chc_py_str_or_empty(sch.children[i]->name);
    if (!s) {
      Py_CLEAR(list);
      break;
    }
    PyList_SET_ITEM(list, (Py_ssize_t)i, s);
  }
  if (sch.release) sch.release(&sch);
  return list;
}
%}

%include "python_progress.i"
