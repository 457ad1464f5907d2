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
/* Freeing these may close connections or abort a transfer. */
%thread chc_client::~chc_client;
%thread chc_result::~chc_result;

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
CHC_PY_HANDLE(chc_block, chc_block_free)
CHC_PY_HANDLE(chc_column, chc_column_free)
CHC_PY_HANDLE(chc_insert, chc_insert_free)

/* Constructors returning a pointer directly: the proxy owns the result. */
%newobject chc_config_new;
%newobject chc_query_new;

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
