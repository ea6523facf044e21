/* DecodePlan: carrier bytes -> internal text, the common case (see _speedups.h): the
 * type, references and webcodes, and Shift_JIS (UTF-8 is in _speedups_utf8.c). */
#include "_speedups.h"

/* ------------------------------------------------------------ UCS4 buffer */

typedef struct {
    Py_UCS4 *buf;
    Py_ssize_t len, cap;
} UBuf;

static int
ubuf_init(UBuf *b, Py_ssize_t cap)
{
    if (cap > PY_SSIZE_T_MAX / (Py_ssize_t)sizeof(Py_UCS4) - 16) {
        PyErr_NoMemory();
        return -1;
    }
    b->cap = cap < 16 ? 16 : cap;
    b->len = 0;
    b->buf = PyMem_Malloc(b->cap * sizeof(Py_UCS4));
    if (b->buf == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

/* Make room for *extra* more characters. */
static int
ubuf_reserve(UBuf *b, Py_ssize_t extra)
{
    if (extra <= b->cap - b->len)
        return 0;
    if (extra > PY_SSIZE_T_MAX / (Py_ssize_t)sizeof(Py_UCS4) / 2 - b->len) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t cap = b->cap * 2;
    if (cap < b->len + extra)
        cap = b->len + extra;
    Py_UCS4 *buf = PyMem_Realloc(b->buf, cap * sizeof(Py_UCS4));
    if (buf == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    b->buf = buf;
    b->cap = cap;
    return 0;
}

static int
ubuf_put(UBuf *b, Py_UCS4 c)
{
    if (ubuf_reserve(b, 1) < 0)
        return -1;
    b->buf[b->len++] = c;
    return 0;
}

/* Append the characters of str *s*. */
static int
ubuf_put_str(UBuf *b, PyObject *s)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    if (ubuf_reserve(b, n) < 0)
        return -1;
    int kind = PyUnicode_KIND(s);
    const void *data = PyUnicode_DATA(s);
    for (Py_ssize_t k = 0; k < n; k++)
        b->buf[b->len++] = PyUnicode_READ(kind, data, k);
    return 0;
}

/* ------------------------------------------------- references and webcodes */

static int
hex_value(Py_UCS4 c)
{
    if (c >= '0' && c <= '9')
        return (int)(c - '0');
    if (c >= 'A' && c <= 'F')
        return (int)(c - 'A' + 10);
    if (c >= 'a' && c <= 'f')
        return (int)(c - 'a' + 10);
    return -1;
}

/* At '&': a DoCoMo reference "&#xHHHH;" (hex: private use) or "&#DDDDD;" (decimal:
 * Shift_JIS). Returns 8 with *key the emoji (borrowed), or NULL when no emoji has that
 * code (the reference stays text); 0 when it is no reference; -1 on error. */
Py_ssize_t
parse_reference(const Source *s, Py_ssize_t i, const DecodePlan *plan, PyObject **key)
{
    *key = NULL;
    if (i + 8 > s->len || source_at(s, i + 1) != '#' || source_at(s, i + 7) != ';')
        return 0;
    Py_UCS4 mark = source_at(s, i + 2);
    long value = 0;
    PyObject *map;
    if (mark == 'x' || mark == 'X') {
        for (Py_ssize_t k = i + 3; k < i + 7; k++) {
            int h = hex_value(source_at(s, k));
            if (h < 0)
                return 0;
            value = value * 16 + h;
        }
        map = plan->by_pua;
    }
    else {
        for (Py_ssize_t k = i + 2; k < i + 7; k++) {
            Py_UCS4 c = source_at(s, k);
            if (c < '0' || c > '9')
                return 0;
            value = value * 10 + (long)(c - '0');
        }
        map = plan->by_sjis;
    }
    PyObject *code = PyLong_FromLong(value);
    if (code == NULL)
        return -1;
    PyObject *found = PyDict_GetItemWithError(map, code);
    Py_DECREF(code);
    if (found == NULL && PyErr_Occurred())
        return -1;
    *key = found; /* the plan checked that every value is a str */
    return 8;
}

/* The key of webcode byte *c* of group *group* (0-5), borrowed; NULL when none. */
PyObject *
webcode_key(const DecodePlan *plan, int group, Py_UCS4 c)
{
    if (c < 0x21 || c > 0x7A)
        return NULL;
    PyObject *key = PyTuple_GET_ITEM(plan->webcodes, group * WEBCODE_CODES + (c - 0x21));
    return key == Py_None ? NULL : key;
}

/* At ESC: a SoftBank webcode run "ESC $ g c... [SI]". Returns its length, with *group
 * (0-5) and *codes, the number of code bytes (each has a key); 0 when it is no webcode
 * (a plain ESC, which stays text); -2 when the run is invalid (the pure path reports). */
Py_ssize_t
parse_webcode(const Source *s, Py_ssize_t i, const DecodePlan *plan, int *group,
              Py_ssize_t *codes)
{
    if (i + 2 >= s->len || source_at(s, i + 1) != '$')
        return 0;
    Py_UCS4 letter = source_at(s, i + 2);
    const char *at = letter < 0x80 && letter ? strchr(WEBCODE_GROUPS, (int)letter) : NULL;
    if (at == NULL)
        return 0;
    *group = (int)(at - WEBCODE_GROUPS);
    Py_ssize_t k = i + 3;
    while (k < s->len) {
        Py_UCS4 c = source_at(s, k);
        if (c < 0x21 || c > 0x7A)
            break;
        if (webcode_key(plan, *group, c) == NULL)
            return -2;
        k++;
    }
    *codes = k - (i + 3);
    if (*codes == 0)
        return -2;
    if (k < s->len && source_at(s, k) == 0x0F)
        k++;
    return k - i;
}

/* ------------------------------------------------------------- Shift_JIS */

static inline int
is_sjis_lead(uint8_t b)
{
    return (b >= 0x81 && b <= 0x9F) || (b >= 0xE0 && b <= 0xFC);
}

static PyObject *
decode_sjis(const DecodePlan *plan, const uint8_t *p, Py_ssize_t n)
{
    const uint16_t *cp932 = plan->cp932_table;
    int ncr = plan->by_pua != Py_None, webcode = plan->webcodes != Py_None;
    Source source = {p, 0, NULL, n};
    UBuf out;
    if (ubuf_init(&out, n + 16) < 0)
        return NULL;
    Py_ssize_t i = 0;
    while (i < n) {
        uint8_t b = p[i];
        if (b < 0x80) {
            if ((b == '&' && ncr) || (b == 0x1B && webcode)) {
                PyObject *key;
                int group;
                Py_ssize_t codes, used;
                if (b == '&') {
                    used = parse_reference(&source, i, plan, &key);
                    if (used == 8 && (key != NULL ? ubuf_put_str(&out, key) < 0
                                                  : ubuf_reserve(&out, 8) < 0))
                        goto error;
                    if (used == 8 && key == NULL) {
                        for (Py_ssize_t k = i; k < i + 8; k++)
                            out.buf[out.len++] = p[k];
                    }
                }
                else {
                    used = parse_webcode(&source, i, plan, &group, &codes);
                    for (Py_ssize_t k = i + 3; used > 0 && k < i + 3 + codes; k++) {
                        if (ubuf_put_str(&out, webcode_key(plan, group, p[k])) < 0)
                            goto error;
                    }
                }
                if (used == -1)
                    goto error;
                if (used == -2)
                    goto decline;
                if (used > 0) {
                    i += used;
                    continue;
                }
            }
            if (ubuf_put(&out, b) < 0)
                goto error;
            i++;
            continue;
        }
        if (is_sjis_lead(b)) {
            if (i + 1 >= n)
                goto decline;
            unsigned code = (unsigned)b << 8 | p[i + 1];
            uint16_t u = cp932[code];
            int fb = plan->softbank_fb && b == 0xFB && p[i + 1] >= 0x41 && p[i + 1] <= 0xDE;
            if (fb || (u >= 0xE000 && u <= 0xF8FF)) {
                if (code < 0xF000 || code >= 0xFD00)
                    goto decline;
                PyObject *key = PyTuple_GET_ITEM(plan->emoji, code - 0xF000);
                if (key == Py_None)
                    goto decline;
                if (ubuf_put_str(&out, key) < 0)
                    goto error;
            }
            else {
                if (u == 0)
                    goto decline;
                if (ubuf_put(&out, u) < 0)
                    goto error;
            }
            i += 2;
            continue;
        }
        uint16_t u = cp932[b];
        if (u >= 0xE000 && u <= 0xF8FF)
            goto decline; /* A0, FD-FF: private use, never an emoji */
        if (ubuf_put(&out, u) < 0)
            goto error;
        i++;
    }
    PyObject *result = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, out.buf, out.len);
    PyMem_Free(out.buf);
    return result;
decline:
    PyMem_Free(out.buf);
    Py_RETURN_NONE;
error:
    PyMem_Free(out.buf);
    return NULL;
}

PyObject *
decode_plan_run(DecodePlan *plan, const uint8_t *data, Py_ssize_t n)
{
    return plan->sjis ? decode_sjis(plan, data, n) : decode_utf8(plan, data, n);
}

/* ----------------------------------------------------------------- the type */

/* Check that every item of tuple *t* (or value of dict *d*) is a str or None. */
static int
all_keys(PyObject *t, PyObject *d, const char *what)
{
    Py_ssize_t pos = 0;
    PyObject *k, *v;
    for (Py_ssize_t i = 0; t != NULL && i < PyTuple_GET_SIZE(t); i++) {
        v = PyTuple_GET_ITEM(t, i);
        if (v != Py_None && !PyUnicode_Check(v))
            goto bad;
    }
    while (d != NULL && PyDict_Next(d, &pos, &k, &v)) {
        if (!PyUnicode_Check(v))
            goto bad;
    }
    return 0;
bad:
    PyErr_Format(PyExc_TypeError, "DecodePlan: %s holds a %.100s, not a str",
                 what, Py_TYPE(v)->tp_name);
    return -1;
}

static PyObject *
decode_plan_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *names[] = {"sjis",   "emoji",   "cp932",    "softbank_fb", "astral",
                            "by_pua", "by_sjis", "webcodes", NULL};
    int sjis, softbank_fb = 0;
    PyObject *emoji, *cp932 = Py_None, *astral = Py_None, *by_pua = Py_None,
                     *by_sjis = Py_None, *webcodes = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "pO!|OpOOOO:DecodePlan", names, &sjis,
                                     &PyTuple_Type, &emoji, &cp932, &softbank_fb, &astral,
                                     &by_pua, &by_sjis, &webcodes))
        return NULL;
    if (PyTuple_GET_SIZE(emoji) != (sjis ? 0xD00 : 0x1100) ||
        (sjis && (!PyBytes_Check(cp932) || PyBytes_GET_SIZE(cp932) != 65536 * 2)) ||
        (!sjis && !PyDict_Check(astral)) || (by_pua == Py_None) != (by_sjis == Py_None) ||
        (by_pua != Py_None && !(PyDict_Check(by_pua) && PyDict_Check(by_sjis))) ||
        (webcodes != Py_None &&
         !(PyTuple_Check(webcodes) && PyTuple_GET_SIZE(webcodes) == 6 * WEBCODE_CODES))) {
        PyErr_SetString(PyExc_ValueError, "DecodePlan: bad tables");
        return NULL;
    }
    if (all_keys(emoji, sjis ? NULL : astral, "emoji") < 0 ||
        all_keys(webcodes == Py_None ? NULL : webcodes, NULL, "webcodes") < 0 ||
        (by_pua != Py_None && (all_keys(NULL, by_pua, "by_pua") < 0 ||
                               all_keys(NULL, by_sjis, "by_sjis") < 0)))
        return NULL;
    DecodePlan *self = (DecodePlan *)type->tp_alloc(type, 0);
    if (self == NULL)
        return NULL;
    self->sjis = sjis;
    self->softbank_fb = softbank_fb;
    self->cp932 = Py_NewRef(cp932);
    self->cp932_table = sjis ? (const uint16_t *)PyBytes_AS_STRING(cp932) : NULL;
    self->emoji = Py_NewRef(emoji);
    self->astral = Py_NewRef(astral);
    self->by_pua = Py_NewRef(by_pua);
    self->by_sjis = Py_NewRef(by_sjis);
    self->webcodes = Py_NewRef(webcodes);
    return (PyObject *)self;
}

static int
decode_plan_traverse(DecodePlan *self, visitproc visit, void *arg)
{
    Py_VISIT(self->cp932);
    Py_VISIT(self->emoji);
    Py_VISIT(self->astral);
    Py_VISIT(self->by_pua);
    Py_VISIT(self->by_sjis);
    Py_VISIT(self->webcodes);
    return 0;
}

static int
decode_plan_clear(DecodePlan *self)
{
    /* The tables stay until dealloc: only a plan's holders can be in a cycle. */
    return 0;
}

static void
decode_plan_dealloc(DecodePlan *self)
{
    PyObject_GC_UnTrack(self);
    Py_CLEAR(self->cp932);
    Py_CLEAR(self->emoji);
    Py_CLEAR(self->astral);
    Py_CLEAR(self->by_pua);
    Py_CLEAR(self->by_sjis);
    Py_CLEAR(self->webcodes);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *
decode_plan_decode(DecodePlan *self, PyObject *data)
{
    Py_buffer view;
    if (PyObject_GetBuffer(data, &view, PyBUF_SIMPLE) < 0) {
        if (!PyErr_ExceptionMatches(PyExc_TypeError) &&
            !PyErr_ExceptionMatches(PyExc_BufferError))
            return NULL;
        PyErr_Clear(); /* not bytes-like: the pure path says so, in its words */
        Py_RETURN_NONE;
    }
    PyObject *result = decode_plan_run(self, view.buf, view.len);
    PyBuffer_Release(&view);
    return result;
}

static PyMethodDef decode_plan_methods[] = {
    {"decode", (PyCFunction)decode_plan_decode, METH_O,
     "decode(data) -> str | None: the text, or None when the pure path must decode."},
    {NULL, NULL, 0, NULL},
};

PyTypeObject DecodePlanType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "carrier_emoji._speedups.DecodePlan",
    .tp_doc = "DecodePlan(sjis, emoji, cp932=None, softbank_fb=False, astral=None,"
              " by_pua=None, by_sjis=None, webcodes=None)\n\n"
              "The decoding tables of one codec for one emoji index (see _accel.py).",
    .tp_basicsize = sizeof(DecodePlan),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_new = decode_plan_new,
    .tp_dealloc = (destructor)decode_plan_dealloc,
    .tp_traverse = (traverseproc)decode_plan_traverse,
    .tp_clear = (inquiry)decode_plan_clear,
    .tp_methods = decode_plan_methods,
};
