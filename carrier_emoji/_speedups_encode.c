/* EncodePlan: internal text -> carrier bytes, the common case (see _speedups.h).
 *
 * Text is written in stretches up to the next character that starts a run (an emoji,
 * glue, private use; _speedups_text.c); the run is then looked up (direct tables, the
 * encode map, or the resolver in Python) and its output written.
 */
#include "_speedups.h"

/* ------------------------------------------------------ bytes being written */

static int
writer_init(Writer *w, Py_ssize_t cap)
{
    w->bytes = PyBytes_FromStringAndSize(NULL, cap);
    if (w->bytes == NULL)
        return -1;
    w->buf = PyBytes_AS_STRING(w->bytes);
    w->len = 0;
    w->cap = cap;
    return 0;
}

/* Make room for *extra* more bytes. */
int
writer_reserve(Writer *w, Py_ssize_t extra)
{
    if (extra <= w->cap - w->len)
        return 0;
    if (extra > PY_SSIZE_T_MAX / 2 - w->len) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t cap = w->cap * 2;
    if (cap < w->len + extra)
        cap = w->len + extra;
    if (_PyBytes_Resize(&w->bytes, cap) < 0)
        return -1; /* w->bytes is NULL now */
    w->buf = PyBytes_AS_STRING(w->bytes);
    w->cap = cap;
    return 0;
}

static PyObject *
writer_finish(Writer *w)
{
    if (w->len != w->cap && _PyBytes_Resize(&w->bytes, w->len) < 0)
        return NULL;
    PyObject *out = w->bytes;
    w->bytes = NULL;
    return out;
}


/* ------------------------------------------------------------------- runs */

/* The value of a one-character run (or a character and U+FE0F) from the plan's direct
 * tables, without building a string; borrowed, or NULL when the tables do not say. */
static PyObject *
single_value(const EncodePlan *e, Py_UCS4 c, int selector)
{
    for (Py_ssize_t k = 0; k < e->nsingles; k++) {
        if (c < e->single_first[k] || c - e->single_first[k] >= (Py_UCS4)e->single_size[k])
            continue;
        PyObject *entry = PyTuple_GET_ITEM(e->single_table[k], c - e->single_first[k]);
        if (entry == Py_None)
            return NULL;
        PyObject *value = PyTuple_GET_ITEM(entry, selector);
        return value == Py_None ? NULL : value;
    }
    return NULL;
}

/* The value of a keycap (*base* then U+20E3, or then U+FE0F U+20E3 with *selector*)
 * from the plan's table; borrowed, or NULL when the table does not say. */
static PyObject *
keycap_value(const EncodePlan *e, Py_UCS4 base, int selector)
{
    if (base >= (Py_UCS4)PyTuple_GET_SIZE(e->keycaps))
        return NULL;
    PyObject *entry = PyTuple_GET_ITEM(e->keycaps, base);
    if (entry == Py_None)
        return NULL;
    PyObject *value = PyTuple_GET_ITEM(entry, selector);
    return value == Py_None ? NULL : value;
}

static inline int
is_keycap_base(Py_UCS4 c)
{
    return c == '#' || c == '*' || (c >= '0' && c <= '9');
}

/* Return text[start:end] (a new reference; NULL on error) and set *value to what the
 * plan's emoji map holds for it (borrowed; NULL when it holds nothing). */
static PyObject *
lookup_run(const EncodePlan *e, PyObject *text, Py_ssize_t start, Py_ssize_t end,
           PyObject **value)
{
    PyObject *run = PyUnicode_Substring(text, start, end);
    if (run == NULL)
        return NULL;
    *value = PyDict_GetItemWithError(e->emap, run);
    if (*value == NULL && PyErr_Occurred()) {
        Py_DECREF(run);
        return NULL;
    }
    return run;
}

/* Encode the run that starts at *i: 0 with *i and *run_end past it, 1 when the pure
 * path must, -1 on error. */
static int
encode_run(Encoder *st, PyObject *text, Py_ssize_t *i, Py_ssize_t *run_end)
{
    const EncodePlan *e = st->plan;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), at = *i, j = at + 1;
    Py_UCS4 c = PyUnicode_READ(kind, data, at);
    while (j < n) {
        Py_UCS4 d = PyUnicode_READ(kind, data, j);
        if (!(d < 0x10000 ? bit(e->more, d) : e->astral_more))
            break;
        j++;
    }
    PyObject *value = NULL;
    /* A keycap whose base character ("1") was written as text just before: one ASCII
     * byte in every charset, taken back (the run is then base + run). */
    int keycap = (c == 0xFE0F || c == 0x20E3) && at > *run_end && st->out.len > 0 &&
                 is_keycap_base(PyUnicode_READ(kind, data, at - 1));
    if (j == at + 1)
        value = single_value(e, c, 0);
    else if (j == at + 2 && PyUnicode_READ(kind, data, at + 1) == 0xFE0F)
        value = single_value(e, c, 1);
    if (value == NULL && keycap &&
        ((j == at + 1 && c == 0x20E3) ||
         (j == at + 2 && c == 0xFE0F && PyUnicode_READ(kind, data, at + 1) == 0x20E3))) {
        /* The table holds keycaps only where the map lists no lone U+20E3 run. */
        value = keycap_value(e, PyUnicode_READ(kind, data, at - 1), j == at + 2);
        if (value != NULL)
            st->out.len -= 1;
    }
    if (value != NULL)
        Py_INCREF(value);
    else {
        PyObject *run = lookup_run(e, text, at, j, &value);
        if (run == NULL)
            return -1;
        if ((value == NULL || value == Py_None) && keycap) {
            Py_DECREF(run);
            st->out.len -= 1;
            run = lookup_run(e, text, at - 1, j, &value);
            if (run == NULL)
                return -1;
        }
        if (value != NULL && value != Py_None)
            Py_INCREF(value);
        else {
            value = e->resolve == Py_None ? NULL : PyObject_CallOneArg(e->resolve, run);
            if (value == NULL) {
                Py_DECREF(run);
                if (PyErr_Occurred() && !PyErr_ExceptionMatches(PyExc_Exception))
                    return -1; /* KeyboardInterrupt, MemoryError...: not ours to swallow */
                PyErr_Clear();
                return 1; /* the resolver cannot: an error for the pure path */
            }
        }
        Py_DECREF(run);
    }
    int rc = put_value(st, value);
    Py_DECREF(value);
    if (rc == 0)
        *i = *run_end = j;
    return rc;
}

PyObject *
encode_plan_run(EncodePlan *e, PyObject *text)
{
    if (!PyUnicode_Check(text))
        Py_RETURN_NONE;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    /* ASCII is the same bytes in every output, and never starts a run. */
    if (PyUnicode_IS_ASCII(text))
        return PyBytes_FromStringAndSize(data, n);
    if (n > PY_SSIZE_T_MAX / 8)
        Py_RETURN_NONE;
    Encoder st = {e, {NULL, NULL, 0, 0}, -1, 0};
    Py_ssize_t width = e->output != OUT_UTF8                ? 2
                       : kind == PyUnicode_1BYTE_KIND ? 2
                       : kind == PyUnicode_2BYTE_KIND ? 3
                                                      : 4;
    if (writer_init(&st.out, n * width + 16) < 0)
        return NULL;
    Py_ssize_t i = 0, run_end = 0;
    for (;;) {
        i = put_stretch(e, kind, data, i, n, &st.out);
        if (i == -1)
            goto error;
        if (i == -2)
            goto decline;
        if (i >= n)
            break;
        int rc = encode_run(&st, text, &i, &run_end);
        if (rc < 0)
            goto error;
        if (rc > 0)
            goto decline;
    }
    return writer_finish(&st.out);
decline:
    Py_XDECREF(st.out.bytes);
    Py_RETURN_NONE;
error:
    Py_XDECREF(st.out.bytes);
    return NULL;
}

/* ----------------------------------------------------------------- the type */

/* Check a direct table entry: None or (value, value), value str | bytes | None. */
static int
check_entry(PyObject *entry)
{
    if (entry == Py_None)
        return 0;
    if (!PyTuple_Check(entry) || PyTuple_GET_SIZE(entry) != 2)
        return -1;
    for (int s = 0; s < 2; s++) {
        PyObject *v = PyTuple_GET_ITEM(entry, s);
        if (v != Py_None && !PyUnicode_Check(v) && !PyBytes_Check(v))
            return -1;
    }
    return 0;
}

/* Check the direct tables and note their ranges in the plan. */
static int
read_singles(EncodePlan *self, PyObject *singles, PyObject *keycaps)
{
    if (!PyTuple_Check(singles) || PyTuple_GET_SIZE(singles) > SINGLE_RANGES ||
        !PyTuple_Check(keycaps) || PyTuple_GET_SIZE(keycaps) > 0x80)
        return -1;
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(keycaps); k++) {
        if (check_entry(PyTuple_GET_ITEM(keycaps, k)) < 0)
            return -1;
    }
    self->nsingles = PyTuple_GET_SIZE(singles);
    for (Py_ssize_t k = 0; k < self->nsingles; k++) {
        PyObject *range = PyTuple_GET_ITEM(singles, k);
        if (!PyTuple_Check(range) || PyTuple_GET_SIZE(range) != 2 ||
            !PyLong_Check(PyTuple_GET_ITEM(range, 0)) ||
            !PyTuple_Check(PyTuple_GET_ITEM(range, 1)))
            return -1;
        unsigned long first = PyLong_AsUnsignedLong(PyTuple_GET_ITEM(range, 0));
        PyObject *table = PyTuple_GET_ITEM(range, 1);
        if (PyErr_Occurred() || first > 0x10FFFF ||
            PyTuple_GET_SIZE(table) > 0x110000 - (Py_ssize_t)first) {
            PyErr_Clear();
            return -1;
        }
        for (Py_ssize_t m = 0; m < PyTuple_GET_SIZE(table); m++) {
            if (check_entry(PyTuple_GET_ITEM(table, m)) < 0)
                return -1;
        }
        self->single_first[k] = (Py_UCS4)first;
        self->single_size[k] = PyTuple_GET_SIZE(table);
        self->single_table[k] = table;
    }
    return 0;
}

static PyObject *
encode_plan_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *names[] = {"output",  "first", "more",    "astral_first", "astral_more", "emap",
                            "resolve", "cp932", "singles", "keycaps",      NULL};
    int output, astral_more;
    Py_buffer first, more;
    unsigned long astral_first;
    PyObject *emap, *resolve, *cp932, *singles, *keycaps;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "iy*y*kpO!OOOO:EncodePlan", names, &output,
                                     &first, &more, &astral_first, &astral_more, &PyDict_Type,
                                     &emap, &resolve, &cp932, &singles, &keycaps))
        return NULL;
    EncodePlan *self = NULL;
    int sjis = output == OUT_SJIS || output == OUT_WEBCODE;
    if ((!sjis && output != OUT_UTF8) || first.len != 8192 || more.len != 8192 ||
        astral_first < 0x10000 || astral_first > 0x110000 ||
        (resolve != Py_None && !PyCallable_Check(resolve)) ||
        (sjis && (!PyBytes_Check(cp932) || PyBytes_GET_SIZE(cp932) != 65536 * 2))) {
        PyErr_SetString(PyExc_ValueError, "EncodePlan: bad tables");
        goto done;
    }
    for (int c = 0; c < 0x80; c++) {
        if (bit(first.buf, c)) {
            PyErr_SetString(PyExc_ValueError, "EncodePlan: an ASCII character starts a run");
            goto done;
        }
    }
    self = (EncodePlan *)type->tp_alloc(type, 0);
    if (self == NULL)
        goto done;
    if (read_singles(self, singles, keycaps) < 0) {
        PyErr_SetString(PyExc_ValueError, "EncodePlan: bad direct tables");
        Py_CLEAR(self); /* its references are all NULL yet */
        goto done;
    }
    self->output = output;
    self->astral_first = (Py_UCS4)astral_first;
    self->astral_more = astral_more;
    self->emap = Py_NewRef(emap);
    self->resolve = Py_NewRef(resolve);
    self->cp932 = Py_NewRef(cp932);
    self->cp932_table = sjis ? (const uint16_t *)PyBytes_AS_STRING(cp932) : NULL;
    self->singles = Py_NewRef(singles);
    self->keycaps = Py_NewRef(keycaps);
    memcpy(self->first, first.buf, 8192);
    memcpy(self->more, more.buf, 8192);
done:
    PyBuffer_Release(&first);
    PyBuffer_Release(&more);
    return (PyObject *)self;
}

static int
encode_plan_traverse(EncodePlan *self, visitproc visit, void *arg)
{
    Py_VISIT(self->emap);
    Py_VISIT(self->resolve);
    Py_VISIT(self->cp932);
    Py_VISIT(self->singles);
    Py_VISIT(self->keycaps);
    return 0;
}

static int
encode_plan_clear(EncodePlan *self)
{
    /* The resolver closes over the index that caches this plan: the cycle is cut here.
     * A plan without its resolver declines the runs it would have needed. */
    Py_SETREF(self->resolve, Py_NewRef(Py_None));
    return 0;
}

static void
encode_plan_dealloc(EncodePlan *self)
{
    PyObject_GC_UnTrack(self);
    Py_CLEAR(self->emap);
    Py_CLEAR(self->resolve);
    Py_CLEAR(self->cp932);
    Py_CLEAR(self->singles);
    Py_CLEAR(self->keycaps);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *
encode_plan_encode(EncodePlan *self, PyObject *text)
{
    return encode_plan_run(self, text);
}

static PyMethodDef encode_plan_methods[] = {
    {"encode", (PyCFunction)encode_plan_encode, METH_O,
     "encode(text) -> bytes | None: the bytes, or None when the pure path must encode."},
    {NULL, NULL, 0, NULL},
};

PyTypeObject EncodePlanType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "carrier_emoji._speedups.EncodePlan",
    .tp_doc = "EncodePlan(output, first, more, astral_first, astral_more, emap, resolve,"
              " cp932, singles, keycaps)\n\n"
              "The encoding tables of one codec and fallback for one emoji index.",
    .tp_basicsize = sizeof(EncodePlan),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_new = encode_plan_new,
    .tp_dealloc = (destructor)encode_plan_dealloc,
    .tp_traverse = (traverseproc)encode_plan_traverse,
    .tp_clear = (inquiry)encode_plan_clear,
    .tp_methods = encode_plan_methods,
};
