/* Python: progress callbacks and cancellation (included from python.i).
 *
 * chc_query_set_progress takes a C function pointer, which Python cannot make; it is replaced by
 *   chc_py_query_set_progress(query, callable or None)
 * which registers a C trampoline calling `callable(progress_dict)` with the GIL held. The dict
 * holds every field chc_progress_value knows at that moment (server fields plus received_bytes,
 * sent_bytes, progress_headers). A truthy return value cancels the request (CHC_E_CANCELLED).
 * If the callable raises, the exception is printed as unraisable and the request is cancelled:
 * the Python layer wraps user callbacks so that their exceptions are kept and re-raised instead.
 *
 * Ownership: the query borrows `callable`. The caller keeps it alive for as long as the query
 * and every request started with it (results, inserts) exist; chconnect's Client does that by
 * keeping it on the reader/insert objects.
 */

%ignore chc_query_set_progress;
/* KILL QUERY is a request of its own: release the GIL while it runs. */
%thread chc_client_kill_query;
%nothread chc_py_query_set_progress;

%{
static const char *const chc_py_progress_fields[] = {
    "read_rows",   "read_bytes",     "written_rows", "written_bytes",    "total_rows_to_read",
    "total_rows",  "elapsed_ns",     "result_rows",  "result_bytes",     "received_bytes",
    "sent_bytes",  "progress_headers"};

static int chc_py_progress_trampoline(void *ctx, const chc_progress *progress) {
  PyGILState_STATE gil = PyGILState_Ensure();
  int cancel = 1; /* any failure below cancels rather than running on silently */
  PyObject *fields = PyDict_New();
  if (fields) {
    size_t i;
    for (i = 0; i < sizeof(chc_py_progress_fields) / sizeof(chc_py_progress_fields[0]); i++) {
      int64_t v = 0;
      if (chc_progress_value(progress, chc_py_progress_fields[i], &v, NULL) != CHC_OK) continue;
      PyObject *n = PyLong_FromLongLong((long long)v);
      if (!n || PyDict_SetItemString(fields, chc_py_progress_fields[i], n) < 0) {
        Py_XDECREF(n);
        Py_CLEAR(fields);
        break;
      }
      Py_DECREF(n);
    }
  }
  if (fields) {
    PyObject *r = PyObject_CallFunctionObjArgs((PyObject *)ctx, fields, NULL);
    if (r) {
      cancel = PyObject_IsTrue(r) ? 1 : 0;
      Py_DECREF(r);
    }
    Py_DECREF(fields);
  }
  if (PyErr_Occurred()) PyErr_WriteUnraisable((PyObject *)ctx);
  PyGILState_Release(gil);
  return cancel;
}

static PyObject *chc_py_query_set_progress(chc_query *query, PyObject *callable) {
  chc_error *err = NULL;
  chc_status st;
  if (callable == Py_None) {
    st = chc_query_set_progress(query, NULL, NULL, &err);
  } else {
    if (!PyCallable_Check(callable)) {
      PyErr_SetString(PyExc_TypeError, "the progress callback must be callable or None");
      return NULL;
    }
    st = chc_query_set_progress(query, chc_py_progress_trampoline, callable, &err);
  }
  if (st != CHC_OK) {
    chc_py_raise(st, err);
    return NULL;
  }
  Py_RETURN_NONE;
}
%}

PyObject *chc_py_query_set_progress(chc_query *query, PyObject *callable);
