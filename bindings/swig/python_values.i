/* Python values of result columns and inserted values, converted in C (included from python.i).
 *
 * Reading: chc_py_fill writes the Python values of one column straight into an array of object
 * pointers (a list's items, a block's row matrix, a numpy object column), one C loop per column.
 * The Python functions below build whole results with one call per block (rows) or per result
 * (columns); columns of types the C code does not convert arrive as lists the chconnect package
 * decoded, so every type goes through the same builders.
 * Writing: chc_py_append_values appends a column of Python values to a builder, stopping at the
 * first value it does not take natively so the package's per-value code decides about it (same
 * conversions, same errors).
 *
 * Module-level caches: chc_py_uuid_cls / chc_py_ipv4_cls (classes imported once).
 */

/* The bodies behind the GC-pausing wrappers are not part of the module. */
%ignore chc_py_rows_impl;
%ignore chc_py_columns_impl;
%ignore chc_py_fill_objects_impl;

%{
static PyObject *chc_py_uuid_cls = NULL;
static PyObject *chc_py_ipv4_cls = NULL;

static PyObject *chc_py_class(PyObject **slot, const char *module, const char *name) {
  if (!*slot) {
    PyObject *m = PyImport_ImportModule(module);
    if (!m) return NULL;
    *slot = PyObject_GetAttrString(m, name);
    Py_DECREF(m);
  }
  return *slot;
}

/* Proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's civil_from_days). */
static void chc_py_civil(int64_t z, int *y, int *m, int *d) {
  int64_t era, yy;
  unsigned doe, yoe, doy, mp;
  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = (unsigned)(z - era * 146097);
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  yy = (int64_t)yoe + era * 400;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = (int)(yy + (*m <= 2));
}

/* Day count since 1970-01-01 of a proleptic Gregorian date (days_from_civil). */
static int64_t chc_py_days(int y, int m, int d) {
  int64_t yy = (int64_t)y - (m <= 2);
  int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
  unsigned yoe = (unsigned)(yy - era * 400);
  unsigned doy = (unsigned)((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1);
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

/* Days in [0001-01-01, 9999-12-31] (datetime.date's range). */
#define CHC_PY_MIN_DAYS (-719162)
#define CHC_PY_MAX_DAYS 2932896

static PyObject *chc_py_date(int64_t days) {
  int y, m, d;
  if (days < CHC_PY_MIN_DAYS || days > CHC_PY_MAX_DAYS) {
    PyErr_SetString(PyExc_OverflowError, "date out of range");
    return NULL;
  }
  chc_py_civil(days, &y, &m, &d);
  return PyDate_FromDate(y, m, d);
}

static int64_t chc_py_floor_div(int64_t a, int64_t b) { return a / b - (a % b < 0); }

/* Naive UTC datetime of epoch microseconds (floored). */
static PyObject *chc_py_datetime_us(int64_t us) {
  int64_t secs = chc_py_floor_div(us, 1000000);
  int64_t frac = us - secs * 1000000;
  int64_t days = chc_py_floor_div(secs, 86400);
  int64_t sod = secs - days * 86400;
  int y, m, d;
  if (days < CHC_PY_MIN_DAYS || days > CHC_PY_MAX_DAYS) {
    PyErr_SetString(PyExc_OverflowError, "datetime out of range");
    return NULL;
  }
  chc_py_civil(days, &y, &m, &d);
  return PyDateTime_FromDateAndTime(y, m, d, (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60), (int)frac);
}

static int chc_py_utc_zone(const chc_type *t) {
  const char *tz = chc_type_timezone(t);
  return !tz || !*tz || strcmp(tz, "UTC") == 0;
}

static int chc_py_ascii(const unsigned char *s, size_t n) {
  size_t i = 0;
  uint64_t acc = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, s + i, 8);
    acc |= w;
  }
  for (; i < n; i++) acc |= s[i];
  return !(acc & 0x8080808080808080ULL);
}

/* 1 when chc_py_fill converts values of type t: numbers, Bool, Date/Date32, DateTime/DateTime64
   without a zone or in UTC (naive values), UUID, IPv4, String, FixedString, and Nullable /
   LowCardinality / LowCardinality(Nullable) of those. */
static int chc_py_leaf_type(const chc_type *t) {
  if (!t) return 0;
  switch (chc_type_get_kind(t)) {
    case CHC_TYPE_DATETIME: return chc_py_utc_zone(t);
    case CHC_TYPE_DATETIME64: return chc_py_utc_zone(t) && chc_type_precision(t) <= 18;
    case CHC_TYPE_INT8: case CHC_TYPE_INT16: case CHC_TYPE_INT32: case CHC_TYPE_INT64:
    case CHC_TYPE_UINT8: case CHC_TYPE_UINT16: case CHC_TYPE_UINT32: case CHC_TYPE_UINT64:
    case CHC_TYPE_FLOAT32: case CHC_TYPE_FLOAT64: case CHC_TYPE_BOOL: case CHC_TYPE_DATE:
    case CHC_TYPE_DATE32: case CHC_TYPE_UUID: case CHC_TYPE_IPV4: case CHC_TYPE_STRING:
    case CHC_TYPE_FIXED_STRING:
      return 1;
    default:
      return 0;
  }
}

static int chc_py_fast_type(const chc_type *t) {
  const chc_type *in;
  if (!t) return 0;
  switch (chc_type_get_kind(t)) {
    case CHC_TYPE_NULLABLE:
      return chc_py_leaf_type(chc_type_child(t, 0));
    case CHC_TYPE_LOW_CARDINALITY:
      in = chc_type_child(t, 0);
      if (in && chc_type_get_kind(in) == CHC_TYPE_NULLABLE) in = chc_type_child(in, 0);
      return chc_py_leaf_type(in);
    default:
      return chc_py_leaf_type(t);
  }
}

static void chc_py_clear(PyObject **dst, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) Py_CLEAR(dst[i]);
}

#define CHC_PY_NONE_AT(i) (nulls && nulls[i])

/* Fixed-width loop: MAKE builds the object of value v (type CTYPE). */
#define CHC_PY_LOOP(CTYPE, MAKE)                          \
  for (i = 0; i < n; i++) {                               \
    CTYPE v;                                              \
    PyObject *o;                                          \
    if (CHC_PY_NONE_AT(i)) {                              \
      Py_INCREF(Py_None);                                 \
      dst[i] = Py_None;                                   \
      continue;                                           \
    }                                                     \
    memcpy(&v, data + i * sizeof(CTYPE), sizeof(CTYPE));  \
    o = (MAKE);                                           \
    if (!o) goto fail;                                    \
    dst[i] = o;                                           \
  }

/* Same, reusing the previous row's object when the value repeats (dates and times often do). */
#define CHC_PY_LOOP_CACHED(CTYPE, MAKE)                   \
  {                                                       \
    CTYPE last = 0;                                       \
    PyObject *prev = NULL; /* borrowed from dst */        \
    for (i = 0; i < n; i++) {                             \
      CTYPE v;                                            \
      PyObject *o;                                        \
      if (CHC_PY_NONE_AT(i)) {                            \
        Py_INCREF(Py_None);                               \
        dst[i] = Py_None;                                 \
        continue;                                         \
      }                                                   \
      memcpy(&v, data + i * sizeof(CTYPE), sizeof(CTYPE)); \
      if (prev && v == last) {                            \
        Py_INCREF(prev);                                  \
        o = prev;                                         \
      } else {                                            \
        o = (MAKE);                                       \
        if (!o) goto fail;                                \
        prev = o;                                         \
        last = v;                                         \
      }                                                   \
      dst[i] = o;                                         \
    }                                                     \
  }

static int chc_py_fill(const chc_column *c, PyObject **dst, const uint8_t *nulls);

/* Child i of c filled into dst (n values expected); nulls as chc_py_fill. */
static int chc_py_fill_child(const chc_column *c, size_t i, PyObject **dst, size_t n, const uint8_t *nulls) {
  chc_column *child = NULL;
  chc_error *err = NULL;
  int rc;
  chc_status st = chc_column_child(c, i, &child, &err);
  if (st != CHC_OK) {
    chc_py_raise(st, err);
    return -1;
  }
  if (chc_column_row_count(child) != n) {
    chc_column_free(child);
    PyErr_SetString(PyExc_RuntimeError, "chconnect: child column has another row count");
    return -1;
  }
  rc = chc_py_fill(child, dst, nulls);
  chc_column_free(child);
  return rc;
}

static PyObject *chc_py_uuid(PyObject *cls, PyObject *noargs, PyObject *sixty_four, uint64_t hi, uint64_t lo) {
  PyObject *phi, *plo, *shifted = NULL, *whole = NULL, *kw = NULL, *o = NULL;
  phi = PyLong_FromUnsignedLongLong(hi);
  plo = PyLong_FromUnsignedLongLong(lo);
  if (phi && plo) shifted = PyNumber_Lshift(phi, sixty_four);
  if (shifted) whole = PyNumber_Or(shifted, plo);
  if (whole) kw = Py_BuildValue("{sO}", "int", whole);
  if (kw) o = PyObject_Call(cls, noargs, kw);
  Py_XDECREF(phi);
  Py_XDECREF(plo);
  Py_XDECREF(shifted);
  Py_XDECREF(whole);
  Py_XDECREF(kw);
  return o;
}

/* Writes the Python values of every row of c (new references) to dst[0 .. row_count). Rows
   flagged in `nulls` (may be NULL; a Nullable column passes its null map to its inner column)
   get None. The type must pass chc_py_fast_type. Returns 0, or -1 with an exception set and
   dst left all NULL. */
static int chc_py_fill(const chc_column *c, PyObject **dst, const uint8_t *nulls) {
  const chc_type *t = chc_column_type(c);
  chc_type_kind kind = chc_type_get_kind(t);
  size_t n = chc_column_row_count(c), len = 0, i = 0;
  const unsigned char *data;

  if (kind == CHC_TYPE_NULLABLE) return chc_py_fill_child(c, 0, dst, n, chc_column_null_map(c));
  if (kind == CHC_TYPE_LOW_CARDINALITY) {
    /* Each dictionary value becomes one object, shared by every row that indexes it. */
    const uint8_t *lc_nulls = chc_column_null_map(c);
    size_t width = chc_column_index_width(c), dict_n;
    chc_column *dict = NULL;
    chc_error *err = NULL;
    PyObject **values;
    chc_status st;
    data = (const unsigned char *)chc_column_data(c, &len);
    if (width == 0 || width > 8 || len < n * width) {
      PyErr_SetString(PyExc_RuntimeError, "chconnect: LowCardinality index buffer too short");
      return -1;
    }
    st = chc_column_child(c, 0, &dict, &err);
    if (st != CHC_OK) {
      chc_py_raise(st, err);
      return -1;
    }
    dict_n = chc_column_row_count(dict);
    values = (PyObject **)PyMem_Calloc(dict_n ? dict_n : 1, sizeof(PyObject *));
    if (!values) {
      chc_column_free(dict);
      PyErr_NoMemory();
      return -1;
    }
    if (chc_py_fill(dict, values, NULL) < 0) {
      PyMem_Free(values);
      chc_column_free(dict);
      return -1;
    }
    chc_column_free(dict);
    for (i = 0; i < n; i++) {
      uint64_t idx = 0;
      PyObject *o;
      memcpy(&idx, data + i * width, width); /* little-endian host */
      if (lc_nulls && lc_nulls[i]) {
        o = Py_None;
      } else if (idx < dict_n) {
        o = values[idx];
      } else {
        PyErr_SetString(PyExc_RuntimeError, "chconnect: LowCardinality index out of range");
        chc_py_clear(dst, i);
        chc_py_clear(values, dict_n);
        PyMem_Free(values);
        return -1;
      }
      Py_INCREF(o);
      dst[i] = o;
    }
    chc_py_clear(values, dict_n);
    PyMem_Free(values);
    return 0;
  }

  data = (const unsigned char *)chc_column_data(c, &len);
  if (kind != CHC_TYPE_STRING) {
    size_t width = chc_type_fixed_size(t);
    if (width == 0 ? n != 0 && kind != CHC_TYPE_FIXED_STRING : len < n * width) {
      PyErr_SetString(PyExc_RuntimeError, "chconnect: column buffer shorter than its rows");
      return -1;
    }
  }
  switch (kind) {
    case CHC_TYPE_INT8: CHC_PY_LOOP(int8_t, PyLong_FromLong(v)) break;
    case CHC_TYPE_INT16: CHC_PY_LOOP(int16_t, PyLong_FromLong(v)) break;
    case CHC_TYPE_INT32: CHC_PY_LOOP(int32_t, PyLong_FromLong(v)) break;
    case CHC_TYPE_INT64: CHC_PY_LOOP(int64_t, PyLong_FromLongLong(v)) break;
    case CHC_TYPE_UINT8: CHC_PY_LOOP(uint8_t, PyLong_FromLong(v)) break;
    case CHC_TYPE_UINT16: CHC_PY_LOOP(uint16_t, PyLong_FromLong(v)) break;
    case CHC_TYPE_UINT32: CHC_PY_LOOP(uint32_t, PyLong_FromUnsignedLong(v)) break;
    case CHC_TYPE_UINT64: CHC_PY_LOOP(uint64_t, PyLong_FromUnsignedLongLong(v)) break;
    case CHC_TYPE_FLOAT32: CHC_PY_LOOP(float, PyFloat_FromDouble(v)) break;
    case CHC_TYPE_FLOAT64: CHC_PY_LOOP(double, PyFloat_FromDouble(v)) break;
    case CHC_TYPE_BOOL: CHC_PY_LOOP(uint8_t, PyBool_FromLong(v)) break;
    case CHC_TYPE_DATE: CHC_PY_LOOP_CACHED(uint16_t, chc_py_date(v)) break;
    case CHC_TYPE_DATE32: CHC_PY_LOOP_CACHED(int32_t, chc_py_date(v)) break;
    case CHC_TYPE_DATETIME: {
      /* The calendar date is recomputed only when the day changes. */
      int64_t last_day = INT64_MIN;
      int y = 1970, m = 1, d = 1;
      uint32_t last = 0;
      PyObject *prev = NULL; /* borrowed from dst */
      for (i = 0; i < n; i++) {
        uint32_t v;
        PyObject *o;
        if (CHC_PY_NONE_AT(i)) {
          Py_INCREF(Py_None);
          dst[i] = Py_None;
          continue;
        }
        memcpy(&v, data + i * 4, 4);
        if (prev && v == last) {
          Py_INCREF(prev);
          o = prev;
        } else {
          int64_t day = v / 86400, sod = v % 86400;
          if (day != last_day) {
            chc_py_civil(day, &y, &m, &d);
            last_day = day;
          }
          o = PyDateTime_FromDateAndTime(y, m, d, (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60), 0);
          if (!o) goto fail;
          prev = o;
          last = v;
        }
        dst[i] = o;
      }
      break;
    }
    case CHC_TYPE_DATETIME64: {
      uint32_t p = chc_type_precision(t), j;
      int64_t mul = 1, div = 1, last = 0;
      PyObject *prev = NULL; /* borrowed from dst */
      if (p > 18) {
        PyErr_SetString(PyExc_TypeError, "chconnect: DateTime64 precision above 18");
        return -1;
      }
      for (j = p; j < 6; j++) mul *= 10;
      for (j = 6; j < p; j++) div *= 10;
      for (i = 0; i < n; i++) {
        int64_t v, us;
        PyObject *o;
        if (CHC_PY_NONE_AT(i)) {
          Py_INCREF(Py_None);
          dst[i] = Py_None;
          continue;
        }
        memcpy(&v, data + i * 8, 8);
        if (prev && v == last) {
          Py_INCREF(prev);
          dst[i] = prev;
          continue;
        }
        if (div > 1) {
          us = chc_py_floor_div(v, div);
        } else {
          if (v > INT64_MAX / mul || v < INT64_MIN / mul) {
            PyErr_SetString(PyExc_OverflowError, "datetime out of range");
            goto fail;
          }
          us = v * mul;
        }
        o = chc_py_datetime_us(us);
        if (!o) goto fail;
        dst[i] = prev = o;
        last = v;
      }
      break;
    }
    case CHC_TYPE_UUID: {
      PyObject *cls = chc_py_class(&chc_py_uuid_cls, "uuid", "UUID");
      PyObject *noargs, *sixty_four;
      if (!cls) return -1;
      noargs = PyTuple_New(0);
      sixty_four = PyLong_FromLong(64);
      if (noargs && sixty_four) {
        for (i = 0; i < n; i++) {
          uint64_t hi, lo;
          PyObject *o;
          if (CHC_PY_NONE_AT(i)) {
            Py_INCREF(Py_None);
            dst[i] = Py_None;
            continue;
          }
          /* ClickHouse order: high 64 bits first, each half little-endian. */
          memcpy(&hi, data + i * 16, 8);
          memcpy(&lo, data + i * 16 + 8, 8);
          o = chc_py_uuid(cls, noargs, sixty_four, hi, lo);
          if (!o) break;
          dst[i] = o;
        }
      }
      Py_XDECREF(noargs);
      Py_XDECREF(sixty_four);
      if (i < n) goto fail;
      break;
    }
    case CHC_TYPE_IPV4: {
      PyObject *cls = chc_py_class(&chc_py_ipv4_cls, "ipaddress", "IPv4Address");
      if (!cls) return -1;
      CHC_PY_LOOP(uint32_t, PyObject_CallFunction(cls, "k", (unsigned long)v))
      break;
    }
    case CHC_TYPE_FIXED_STRING: {
      size_t w = chc_type_fixed_size(t);
      for (i = 0; i < n; i++) {
        PyObject *o;
        if (CHC_PY_NONE_AT(i)) {
          Py_INCREF(Py_None);
          dst[i] = Py_None;
          continue;
        }
        o = PyBytes_FromStringAndSize(w ? (const char *)data + i * w : "", (Py_ssize_t)w);
        if (!o) goto fail;
        dst[i] = o;
      }
      break;
    }
    case CHC_TYPE_STRING: {
      size_t count = 0;
      const int64_t *off = chc_column_offsets(c, &count);
      int all_ascii;
      if (n && (!off || count != n + 1 || off[0] < 0 || off[n] < off[0] || (size_t)off[n] > len)) {
        PyErr_SetString(PyExc_RuntimeError, "chconnect: malformed String column buffers");
        return -1;
      }
      /* ASCII text (the common case) is copied into str objects without a UTF-8 decoder. */
      all_ascii = n == 0 || chc_py_ascii(data + off[0], (size_t)(off[n] - off[0]));
      for (i = 0; i < n; i++) {
        const char *p = (const char *)data + off[i];
        Py_ssize_t sz = (Py_ssize_t)(off[i + 1] - off[i]);
        PyObject *o;
        if (CHC_PY_NONE_AT(i)) {
          Py_INCREF(Py_None);
          dst[i] = Py_None;
          continue;
        }
        if (sz < 0 || off[i + 1] > off[n]) {
          PyErr_SetString(PyExc_RuntimeError, "chconnect: malformed String column offsets");
          goto fail;
        }
        if (all_ascii || chc_py_ascii((const unsigned char *)p, (size_t)sz)) {
          o = PyUnicode_New(sz, 127);
          if (!o) goto fail;
          if (sz) memcpy(PyUnicode_DATA(o), p, (size_t)sz);
        } else {
          /* Invalid UTF-8: that value stays bytes (see README). */
          o = PyUnicode_DecodeUTF8(p, sz, NULL);
          if (!o) {
            if (!PyErr_ExceptionMatches(PyExc_UnicodeDecodeError)) goto fail;
            PyErr_Clear();
            o = PyBytes_FromStringAndSize(p, sz);
            if (!o) goto fail;
          }
        }
        dst[i] = o;
      }
      break;
    }
    default:
      PyErr_Format(PyExc_TypeError, "chconnect: no C conversion for %s", chc_type_name(t));
      return -1;
  }
  return 0;
fail:
  chc_py_clear(dst, i);
  return -1;
}

/* The garbage collector is paused while one call creates millions of objects: each
   allocation would otherwise count towards a collection that walks the young objects (and
   now and then every tracked object of the process) although none of the new values can be
   part of a cycle yet. The GIL is held throughout, so no other thread sees the pause. */
static int chc_py_gc_pause(void) {
#if PY_VERSION_HEX >= 0x030A0000
  return PyGC_Disable();
#else
  return 0;
#endif
}
static void chc_py_gc_resume(int was_enabled) {
#if PY_VERSION_HEX >= 0x030A0000
  if (was_enabled) PyGC_Enable();
#else
  (void)was_enabled;
#endif
}

/* A tuple whose items are all untracked by the garbage collector (numbers, str, bytes, dates,
   None, ...) can never be part of a reference cycle: untracking it at once spares the collector
   from walking millions of result rows (CPython does the same lazily for such tuples). */
static int chc_py_may_track(PyObject *o) {
  PyTypeObject *tp = Py_TYPE(o);
  return PyType_IS_GC(tp) && (!tp->tp_is_gc || tp->tp_is_gc(o)) && PyObject_GC_IsTracked(o);
}

/* 1 when no value chc_py_fill makes for type t is a GC container (UUID and IPv4Address
   objects are instances of Python classes). */
static int chc_py_atomic_type(const chc_type *t) {
  switch (chc_type_get_kind(t)) {
    case CHC_TYPE_UUID: case CHC_TYPE_IPV4: return 0;
    case CHC_TYPE_NULLABLE: case CHC_TYPE_LOW_CARDINALITY: return chc_py_atomic_type(chc_type_child(t, 0));
    default: return 1;
  }
}

/* One column item of a block (see chc_py_rows): a chc_column handle, or a list/tuple of values. */
typedef struct {
  const chc_column *column; /* or NULL */
  PyObject *values;         /* the list/tuple when column is NULL (borrowed) */
  size_t rows;
  int atomic;               /* no value can be a GC container (known for converted columns) */
} chc_py_item;

/* Untracks a new row tuple unless a column whose values may be containers holds a tracked one
   in this row. */
static void chc_py_maybe_untrack(PyObject *tuple, Py_ssize_t size, const chc_py_item *items) {
  Py_ssize_t j;
  for (j = 0; j < size; j++)
    if (!items[j].atomic && chc_py_may_track(PyTuple_GET_ITEM(tuple, j))) return;
  PyObject_GC_UnTrack(tuple);
}

static int chc_py_item_get(PyObject *obj, chc_py_item *out) {
  void *p = NULL;
  out->column = NULL;
  out->values = NULL;
  out->atomic = 0;
  if (PyList_Check(obj) || PyTuple_Check(obj)) {
    out->values = obj;
    out->rows = (size_t)PySequence_Fast_GET_SIZE(obj);
    return 0;
  }
  if (!SWIG_IsOK(SWIG_ConvertPtr(obj, &p, SWIGTYPE_p_chc_column, 0)) || !p) {
    PyErr_Format(PyExc_TypeError, "expected a chc_column handle or a list of values, got %s", Py_TYPE(obj)->tp_name);
    return -1;
  }
  out->column = (const chc_column *)p;
  if (!chc_py_fast_type(chc_column_type(out->column))) {
    PyErr_Format(PyExc_TypeError, "chconnect: no C conversion for %s", chc_type_name(chc_column_type(out->column)));
    return -1;
  }
  out->rows = chc_column_row_count(out->column);
  out->atomic = chc_py_atomic_type(chc_column_type(out->column));
  return 0;
}

/* Values of an item into dst (new references). */
static int chc_py_item_fill(const chc_py_item *item, PyObject **dst) {
  size_t i;
  PyObject **src;
  if (item->column) return chc_py_fill(item->column, dst, NULL);
  src = PySequence_Fast_ITEMS(item->values);
  for (i = 0; i < item->rows; i++) {
    Py_INCREF(src[i]);
    dst[i] = src[i];
  }
  return 0;
}

/* The items of one block: a new list (items must stay referenced by the caller) of ncols entries
   checked to have the same row count. */
static PyObject *chc_py_block_items(PyObject *block, chc_py_item **items, size_t *ncols, size_t *rows) {
  PyObject *seq = PySequence_Fast(block, "each block must be a sequence of columns");
  Py_ssize_t j, k;
  if (!seq) return NULL;
  k = PySequence_Fast_GET_SIZE(seq);
  *items = (chc_py_item *)PyMem_Calloc(k ? (size_t)k : 1, sizeof(chc_py_item));
  if (!*items) {
    Py_DECREF(seq);
    PyErr_NoMemory();
    return NULL;
  }
  for (j = 0; j < k; j++) {
    if (chc_py_item_get(PySequence_Fast_GET_ITEM(seq, j), &(*items)[j]) < 0) goto fail;
    if ((*items)[j].rows != (*items)[0].rows) {
      PyErr_SetString(PyExc_ValueError, "chconnect: the columns of a block have different row counts");
      goto fail;
    }
  }
  *ncols = (size_t)k;
  *rows = k ? (*items)[0].rows : 0;
  return seq;
fail:
  PyMem_Free(*items);
  *items = NULL;
  Py_DECREF(seq);
  return NULL;
}
%}

%inline %{
/* chc_py_column_values(column) -> list of the Python values of a column for the kinds
   chc_py_column_fast accepts, or None for any other kind (the chconnect package then converts
   in Python). */
PyObject *chc_py_column_values(PyObject *column) {
  const chc_column *c = chc_py_column_arg(column);
  PyObject *list;
  if (!c) return NULL;
  if (!chc_py_fast_type(chc_column_type(c))) Py_RETURN_NONE;
  list = PyList_New((Py_ssize_t)chc_column_row_count(c));
  if (!list) return NULL;
  if (chc_py_fill(c, PySequence_Fast_ITEMS(list), NULL) < 0) {
    Py_DECREF(list);
    return NULL;
  }
  return list;
}

/* chc_py_column_fast(column) -> True when the C code converts this column's values (numbers,
   Bool, Date/Date32, DateTime/DateTime64 without a zone or in UTC, UUID, IPv4, String,
   FixedString, and Nullable / LowCardinality of those). */
PyObject *chc_py_column_fast(PyObject *column) {
  const chc_column *c = chc_py_column_arg(column);
  if (!c) return NULL;
  return PyBool_FromLong(chc_py_fast_type(chc_column_type(c)));
}

/* chc_py_rows(blocks) -> list of row tuples. `blocks` is a sequence of blocks; a block is a
   sequence with one item per column, each a chc_column handle (converted here; its type must be
   one chc_py_column_fast accepts) or a list/tuple of that column's values in this block. */
static PyObject *chc_py_rows_impl(PyObject *blocks) {
  PyObject *bseq = PySequence_Fast(blocks, "blocks must be a sequence");
  PyObject *out = NULL, **matrix = NULL;
  Py_ssize_t b, nb;
  size_t total = 0, pos = 0, cap = 0, width = 0;
  if (!bseq) return NULL;
  nb = PySequence_Fast_GET_SIZE(bseq);
  /* Row count first: the list is allocated once. */
  for (b = 0; b < nb; b++) {
    chc_py_item *items = NULL;
    size_t ncols = 0, rows = 0;
    PyObject *seq = chc_py_block_items(PySequence_Fast_GET_ITEM(bseq, b), &items, &ncols, &rows);
    if (!seq) goto fail;
    PyMem_Free(items);
    Py_DECREF(seq);
    if (b > 0 && ncols != width) {
      PyErr_SetString(PyExc_ValueError, "chconnect: blocks have different column counts");
      goto fail;
    }
    width = ncols;
    total += ncols ? rows : 0;
  }
  out = PyList_New((Py_ssize_t)total);
  if (!out) goto fail;
  for (b = 0; b < nb; b++) {
    chc_py_item *items = NULL;
    size_t ncols = 0, rows = 0, i, j;
    PyObject *seq = chc_py_block_items(PySequence_Fast_GET_ITEM(bseq, b), &items, &ncols, &rows);
    if (!seq) goto fail;
    if (ncols == 0 || rows == 0) {
      PyMem_Free(items);
      Py_DECREF(seq);
      continue;
    }
    /* Column-major matrix of the block's values, then one tuple per row. */
    if (ncols * rows > cap) {
      PyMem_Free(matrix);
      cap = ncols * rows;
      matrix = (PyObject **)PyMem_Calloc(cap, sizeof(PyObject *));
      if (!matrix) {
        PyMem_Free(items);
        Py_DECREF(seq);
        PyErr_NoMemory();
        goto fail;
      }
    }
    for (j = 0; j < ncols; j++) {
      if (chc_py_item_fill(&items[j], matrix + j * rows) < 0) {
        chc_py_clear(matrix, j * rows);
        PyMem_Free(items);
        Py_DECREF(seq);
        goto fail;
      }
    }
    for (i = 0; i < rows; i++) {
      PyObject *row = PyTuple_New((Py_ssize_t)ncols);
      if (!row) {
        for (j = 0; j < ncols; j++) chc_py_clear(matrix + j * rows + i, rows - i);
        PyMem_Free(items);
        Py_DECREF(seq);
        goto fail;
      }
      for (j = 0; j < ncols; j++) PyTuple_SET_ITEM(row, (Py_ssize_t)j, matrix[j * rows + i]);
      chc_py_maybe_untrack(row, (Py_ssize_t)ncols, items);
      PyList_SET_ITEM(out, (Py_ssize_t)(pos + i), row);
    }
    PyMem_Free(items);
    Py_DECREF(seq);
    pos += rows;
  }
  PyMem_Free(matrix);
  Py_DECREF(bseq);
  return out;
fail:
  PyMem_Free(matrix);
  Py_XDECREF(out); /* unfilled slots are NULL, which list deallocation skips */
  Py_DECREF(bseq);
  return NULL;
}
PyObject *chc_py_rows(PyObject *blocks) {
  int gc = chc_py_gc_pause();
  PyObject *out = chc_py_rows_impl(blocks);
  chc_py_gc_resume(gc);
  return out;
}

/* chc_py_columns(blocks) -> list with one list of values per column, blocks as for chc_py_rows. */
static PyObject *chc_py_columns_impl(PyObject *blocks) {
  PyObject *bseq = PySequence_Fast(blocks, "blocks must be a sequence");
  PyObject *out = NULL;
  Py_ssize_t b, nb;
  size_t total = 0, ncols = 0, j;
  size_t *pos = NULL;
  if (!bseq) return NULL;
  nb = PySequence_Fast_GET_SIZE(bseq);
  for (b = 0; b < nb; b++) {
    chc_py_item *items = NULL;
    size_t k = 0, rows = 0;
    PyObject *seq = chc_py_block_items(PySequence_Fast_GET_ITEM(bseq, b), &items, &k, &rows);
    if (!seq) goto fail;
    PyMem_Free(items);
    Py_DECREF(seq);
    if (b > 0 && k != ncols) {
      PyErr_SetString(PyExc_ValueError, "chconnect: blocks have different column counts");
      goto fail;
    }
    ncols = k;
    total += rows;
  }
  out = PyList_New((Py_ssize_t)ncols);
  if (!out) goto fail;
  for (j = 0; j < ncols; j++) {
    PyObject *col = PyList_New((Py_ssize_t)total);
    if (!col) goto fail;
    PyList_SET_ITEM(out, (Py_ssize_t)j, col);
  }
  for (b = 0; b < nb; b++) {
    chc_py_item *items = NULL;
    size_t k = 0, rows = 0;
    PyObject *seq = chc_py_block_items(PySequence_Fast_GET_ITEM(bseq, b), &items, &k, &rows);
    if (!seq) goto fail;
    if (!pos) pos = (size_t *)PyMem_Calloc(ncols ? ncols : 1, sizeof(size_t));
    if (!pos) {
      PyMem_Free(items);
      Py_DECREF(seq);
      PyErr_NoMemory();
      goto fail;
    }
    for (j = 0; j < ncols; j++) {
      PyObject **dst = PySequence_Fast_ITEMS(PyList_GET_ITEM(out, (Py_ssize_t)j)) + pos[j];
      if (chc_py_item_fill(&items[j], dst) < 0) {
        PyMem_Free(items);
        Py_DECREF(seq);
        goto fail;
      }
      pos[j] += rows;
    }
    PyMem_Free(items);
    Py_DECREF(seq);
  }
  PyMem_Free(pos);
  Py_DECREF(bseq);
  return out;
fail:
  PyMem_Free(pos);
  Py_XDECREF(out);
  Py_DECREF(bseq);
  return NULL;
}
PyObject *chc_py_columns(PyObject *blocks) {
  int gc = chc_py_gc_pause();
  PyObject *out = chc_py_columns_impl(blocks);
  chc_py_gc_resume(gc);
  return out;
}

/* chc_py_transpose(rows, ncols) -> list of ncols lists (the columns of a list of row tuples;
   the value objects are shared, not copied). */
PyObject *chc_py_transpose(PyObject *rows, size_t ncols) {
  PyObject *seq = PySequence_Fast(rows, "rows must be a sequence");
  PyObject *out;
  Py_ssize_t i, n;
  size_t j;
  if (!seq) return NULL;
  n = PySequence_Fast_GET_SIZE(seq);
  out = PyList_New((Py_ssize_t)ncols);
  if (!out) goto fail;
  for (j = 0; j < ncols; j++) {
    PyObject *col = PyList_New(n);
    if (!col) goto fail;
    PyList_SET_ITEM(out, (Py_ssize_t)j, col);
  }
  for (i = 0; i < n; i++) {
    PyObject *row = PySequence_Fast_GET_ITEM(seq, i);
    if (!PyTuple_Check(row) || (size_t)PyTuple_GET_SIZE(row) != ncols) {
      PyErr_Format(PyExc_ValueError, "row %zd is not a tuple of %zu values", i, ncols);
      goto fail;
    }
    for (j = 0; j < ncols; j++) {
      PyObject *v = PyTuple_GET_ITEM(row, (Py_ssize_t)j);
      Py_INCREF(v);
      PyList_SET_ITEM(PyList_GET_ITEM(out, (Py_ssize_t)j), i, v);
    }
  }
  Py_DECREF(seq);
  return out;
fail:
  Py_XDECREF(out);
  Py_DECREF(seq);
  return NULL;
}

/* chc_py_fill_objects(target, item): writes the values of `item` (a chc_column handle or a
   list/tuple, as for chc_py_rows) into `target`, a writable one-dimensional buffer of object
   references (format "O", any stride: a numpy object array or a structured array's object
   field) of the same length; the references it held are released. */
static PyObject *chc_py_fill_objects_impl(PyObject *target, PyObject *item) {
  Py_buffer view;
  chc_py_item it;
  PyObject **tmp;
  Py_ssize_t i, stride;
  if (chc_py_item_get(item, &it) < 0) return NULL;
  if (PyObject_GetBuffer(target, &view, PyBUF_STRIDES | PyBUF_WRITABLE | PyBUF_FORMAT) < 0) return NULL;
  if (view.ndim != 1 || !view.format || strcmp(view.format, "O") != 0 || view.itemsize != sizeof(PyObject *) ||
      (size_t)view.shape[0] != it.rows) {
    PyBuffer_Release(&view);
    PyErr_SetString(PyExc_ValueError, "target must be a 1-D object buffer with one slot per value");
    return NULL;
  }
  stride = view.strides ? view.strides[0] : view.itemsize;
  tmp = (PyObject **)PyMem_Calloc(it.rows ? it.rows : 1, sizeof(PyObject *));
  if (!tmp) {
    PyBuffer_Release(&view);
    return PyErr_NoMemory();
  }
  if (chc_py_item_fill(&it, tmp) < 0) {
    PyMem_Free(tmp);
    PyBuffer_Release(&view);
    return NULL;
  }
  for (i = 0; i < (Py_ssize_t)it.rows; i++) {
    PyObject **slot = (PyObject **)((char *)view.buf + i * stride);
    PyObject *old = *slot;
    *slot = tmp[i];
    Py_XDECREF(old);
  }
  PyMem_Free(tmp);
  PyBuffer_Release(&view);
  Py_RETURN_NONE;
}
PyObject *chc_py_fill_objects(PyObject *target, PyObject *item) {
  int gc = chc_py_gc_pause();
  PyObject *out = chc_py_fill_objects_impl(target, item);
  chc_py_gc_resume(gc);
  return out;
}
%}

/* ---- inserted values -------------------------------------------------------------------------- */
/*
 * chc_py_append_values(builder, values, column, start, code, nullable, precision) -> int
 *   Appends values[start], values[start + 1], ... (with column >= 0: values[i][column], each
 *   values[i] a tuple or list) to the builder and returns the index of the first value it did
 *   not append (len(values) when all went in). It appends only values it takes natively for
 *   `code` (below) and stops at anything else, including a value the library refuses: the
 *   chconnect package converts that one value itself (same conversions, same errors) and calls
 *   again from the next. nullable != 0: None appends NULL. precision: DateTime64's.
 *   Codes and the values taken: 1 IntN and Interval: int; 2 UIntN: int >= 0; 3 FloatN and
 *   BFloat16: float, int; 4 Bool: bool, int 0/1; 5 String/FixedString: str, bytes; 6 Date/Date32: date,
 *   datetime (its date), int days; 7 DateTime: naive or UTC datetime, date, int seconds;
 *   8 DateTime64: naive or UTC datetime, date, int ticks. Only the exact built-in types (no
 *   subclasses), so values of other types keep their Python conversions.
 */
%{
#define CHC_PY_APP_INT 1
#define CHC_PY_APP_UINT 2
#define CHC_PY_APP_FLOAT 3
#define CHC_PY_APP_BOOL 4
#define CHC_PY_APP_STRING 5
#define CHC_PY_APP_DATE 6
#define CHC_PY_APP_DATETIME 7
#define CHC_PY_APP_DATETIME64 8

/* Epoch microseconds of a naive or UTC datetime (0 for any other zone: not taken here). */
static int chc_py_dt_micros(PyObject *v, int64_t *out) {
  PyObject *tz = PyDateTime_DATE_GET_TZINFO(v);
  int64_t days;
  if (tz != Py_None && tz != PyDateTime_TimeZone_UTC) return 0;
  days = chc_py_days(PyDateTime_GET_YEAR(v), PyDateTime_GET_MONTH(v), PyDateTime_GET_DAY(v));
  *out = ((days * 86400 + PyDateTime_DATE_GET_HOUR(v) * 3600 + PyDateTime_DATE_GET_MINUTE(v) * 60 +
           PyDateTime_DATE_GET_SECOND(v)) *
              1000000 +
          PyDateTime_DATE_GET_MICROSECOND(v));
  return 1;
}

static int chc_py_date_days(PyObject *v, int64_t *out) {
  *out = chc_py_days(PyDateTime_GET_YEAR(v), PyDateTime_GET_MONTH(v), PyDateTime_GET_DAY(v));
  return 1;
}

/* 1 when v went into the builder, 0 when it is left to the caller (no exception set). */
static int chc_py_append_one(chc_builder *b, PyObject *v, int code, int nullable, int precision) {
  chc_error *err = NULL;
  chc_status st;
  if (v == Py_None) {
    if (!nullable) return 0;
    st = chc_builder_append_null(b, &err);
  } else {
    switch (code) {
      case CHC_PY_APP_INT: {
        int ovf = 0;
        long long x;
        if (!PyLong_CheckExact(v)) return 0;
        x = PyLong_AsLongLongAndOverflow(v, &ovf);
        if (ovf) return 0;
        st = chc_builder_append_int64(b, (int64_t)x, &err);
        break;
      }
      case CHC_PY_APP_UINT: {
        unsigned long long x;
        if (!PyLong_CheckExact(v)) return 0;
        x = PyLong_AsUnsignedLongLong(v); /* negative or too large: OverflowError */
        if (x == (unsigned long long)-1 && PyErr_Occurred()) {
          PyErr_Clear();
          return 0;
        }
        st = chc_builder_append_uint64(b, (uint64_t)x, &err);
        break;
      }
      case CHC_PY_APP_FLOAT: {
        double x;
        if (PyFloat_CheckExact(v)) {
          x = PyFloat_AS_DOUBLE(v);
        } else if (PyLong_CheckExact(v)) {
          x = PyLong_AsDouble(v);
          if (x == -1.0 && PyErr_Occurred()) {
            PyErr_Clear();
            return 0;
          }
        } else {
          return 0;
        }
        st = chc_builder_append_double(b, x, &err);
        break;
      }
      case CHC_PY_APP_BOOL: {
        int64_t x;
        if (v == Py_True) {
          x = 1;
        } else if (v == Py_False) {
          x = 0;
        } else if (PyLong_CheckExact(v)) {
          int ovf = 0;
          long long y = PyLong_AsLongLongAndOverflow(v, &ovf);
          if (ovf || (y != 0 && y != 1)) return 0;
          x = (int64_t)y;
        } else {
          return 0;
        }
        st = chc_builder_append_int64(b, x, &err);
        break;
      }
      case CHC_PY_APP_STRING: {
        const char *p;
        Py_ssize_t n;
        if (PyUnicode_CheckExact(v)) {
          p = PyUnicode_AsUTF8AndSize(v, &n);
          if (!p) {
            PyErr_Clear();
            return 0;
          }
        } else if (PyBytes_CheckExact(v)) {
          p = PyBytes_AS_STRING(v);
          n = PyBytes_GET_SIZE(v);
        } else {
          return 0;
        }
        st = chc_builder_append_string(b, p, (size_t)n, &err);
        break;
      }
      case CHC_PY_APP_DATE:
      case CHC_PY_APP_DATETIME:
      case CHC_PY_APP_DATETIME64: {
        int64_t x;
        if (PyLong_CheckExact(v)) {
          int ovf = 0;
          long long y = PyLong_AsLongLongAndOverflow(v, &ovf);
          if (ovf) return 0;
          x = (int64_t)y;
        } else if (PyDateTime_CheckExact(v)) {
          int64_t us;
          if (code == CHC_PY_APP_DATE) {
            chc_py_date_days(v, &x);
          } else {
            if (!chc_py_dt_micros(v, &us)) return 0;
            if (code == CHC_PY_APP_DATETIME) {
              x = chc_py_floor_div(us, 1000000);
            } else if (precision >= 6) {
              int64_t mul = 1;
              int j;
              for (j = 6; j < precision; j++) mul *= 10;
              if (us > INT64_MAX / mul || us < INT64_MIN / mul) return 0;
              x = us * mul;
            } else {
              int64_t div = 1;
              int j;
              for (j = precision; j < 6; j++) div *= 10;
              x = chc_py_floor_div(us, div);
            }
          }
        } else if (PyDate_CheckExact(v)) {
          chc_py_date_days(v, &x);
          if (code == CHC_PY_APP_DATETIME) {
            x *= 86400;
          } else if (code == CHC_PY_APP_DATETIME64) {
            /* days * 86400 * 10^precision, as the Python conversion (which may overflow int64). */
            int64_t mul = 86400;
            int j;
            for (j = 0; j < precision; j++) {
              if (mul > INT64_MAX / 10) return 0;
              mul *= 10;
            }
            if (x > INT64_MAX / mul || x < INT64_MIN / mul) return 0;
            x *= mul;
          }
        } else {
          return 0;
        }
        st = chc_builder_append_int64(b, x, &err);
        break;
      }
      default:
        return 0;
    }
  }
  if (st != CHC_OK) {
    chc_error_free(err); /* the caller's conversion meets the same refusal and reports it */
    return 0;
  }
  return 1;
}
%}

%inline %{
PyObject *chc_py_append_values(chc_builder *builder, PyObject *values, long column, size_t start, int code,
                               int nullable, int precision) {
  PyObject *seq;
  Py_ssize_t i, n;
  if (!builder) {
    PyErr_SetString(PyExc_ValueError, "builder is NULL");
    return NULL;
  }
  if (precision < 0 || precision > 18) {
    PyErr_SetString(PyExc_ValueError, "precision must be in 0..18");
    return NULL;
  }
  seq = PySequence_Fast(values, "values must be a sequence");
  if (!seq) return NULL;
  n = PySequence_Fast_GET_SIZE(seq);
  for (i = (Py_ssize_t)start; i < n; i++) {
    PyObject *v = PySequence_Fast_GET_ITEM(seq, i);
    if (column >= 0) {
      if (!(PyTuple_Check(v) || PyList_Check(v)) || PySequence_Fast_GET_SIZE(v) <= column) break;
      v = PySequence_Fast_GET_ITEM(v, column);
    }
    if (!chc_py_append_one(builder, v, code, nullable, precision)) break;
  }
  Py_DECREF(seq);
  return PyLong_FromSsize_t(i < n ? i : n);
}

/* chc_py_rows_check(rows, ncols) -> -1 when every row is a tuple or list of ncols values, else
   the index of the first row that is not. */
PyObject *chc_py_rows_check(PyObject *rows, size_t ncols) {
  PyObject *seq = PySequence_Fast(rows, "rows must be a sequence");
  Py_ssize_t i, n;
  if (!seq) return NULL;
  n = PySequence_Fast_GET_SIZE(seq);
  for (i = 0; i < n; i++) {
    PyObject *r = PySequence_Fast_GET_ITEM(seq, i);
    if (!(PyTuple_Check(r) || PyList_Check(r)) || (size_t)PySequence_Fast_GET_SIZE(r) != ncols) break;
  }
  Py_DECREF(seq);
  return PyLong_FromSsize_t(i < n ? i : -1);
}
%}
