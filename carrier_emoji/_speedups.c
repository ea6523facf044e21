/* carrier_emoji._speedups: the codecs' common case in C.
 *
 * Every table comes from the Python side at each call (a "plan" built by
 * carrier_emoji/_accel.py from the index in force), never compiled in: operators
 * replace the emoji table at run time. The CP932 tables are Python's own cp932 codec,
 * read once by _accel.py.
 *
 * A function here either returns the exact result of the pure-Python codec, or None
 * when the input needs anything else (invalid bytes, a character the charset lacks,
 * an error handler): the caller then runs the pure-Python path, which raises or
 * applies the handler. So errors and their offsets are never computed here.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* ------------------------------------------------------------------ buffers */

typedef struct {
    Py_UCS4 *buf;
    Py_ssize_t len, cap;
} UBuf;

static int
ubuf_init(UBuf *b, Py_ssize_t cap)
{
    b->cap = cap < 16 ? 16 : cap;
    b->len = 0;
    b->buf = PyMem_Malloc(b->cap * sizeof(Py_UCS4));
    if (b->buf == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static int
ubuf_reserve(UBuf *b, Py_ssize_t extra)
{
    if (b->len + extra <= b->cap)
        return 0;
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

static PyObject *
ubuf_finish(UBuf *b)
{
    PyObject *out = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, b->buf, b->len);
    PyMem_Free(b->buf);
    b->buf = NULL;
    return out;
}

typedef struct {
    char *buf;
    Py_ssize_t len, cap;
} BBuf;

static int
bbuf_init(BBuf *b, Py_ssize_t cap)
{
    b->cap = cap < 32 ? 32 : cap;
    b->len = 0;
    b->buf = PyMem_Malloc(b->cap);
    if (b->buf == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static int
bbuf_reserve(BBuf *b, Py_ssize_t extra)
{
    if (b->len + extra <= b->cap)
        return 0;
    Py_ssize_t cap = b->cap * 2;
    if (cap < b->len + extra)
        cap = b->len + extra;
    char *buf = PyMem_Realloc(b->buf, cap);
    if (buf == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    b->buf = buf;
    b->cap = cap;
    return 0;
}

/* --------------------------------------------------------- shared lookups */

/* Look *code* up in dict *map* (int -> str); borrowed reference, NULL when absent
 * (and no exception), or NULL with an exception set. */
static PyObject *
dict_get_int(PyObject *map, long code)
{
    PyObject *key = PyLong_FromLong(code);
    if (key == NULL)
        return NULL;
    PyObject *value = PyDict_GetItemWithError(map, key);
    Py_DECREF(key);
    return value;
}

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

/* A reader over bytes or over a str, so the reference and webcode parsers serve
 * both decoders. */
typedef struct {
    const uint8_t *bytes;
    int kind;
    const void *data;
    Py_ssize_t len;
} Source;

static inline Py_UCS4
source_at(const Source *s, Py_ssize_t i)
{
    return s->bytes ? s->bytes[i] : PyUnicode_READ(s->kind, s->data, i);
}

/* At '&': a DoCoMo reference "&#xHHHH;" (hex: private use) or "&#DDDDD;" (decimal:
 * Shift_JIS). Returns the characters consumed (8) after appending the emoji, or the
 * reference's own text when no emoji has that code; 0 when it is no reference;
 * -1 on error. */
static Py_ssize_t
parse_reference(const Source *s, Py_ssize_t i, PyObject *by_pua, PyObject *by_sjis, UBuf *out)
{
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
        map = by_pua;
    }
    else {
        for (Py_ssize_t k = i + 2; k < i + 7; k++) {
            Py_UCS4 c = source_at(s, k);
            if (c < '0' || c > '9')
                return 0;
            value = value * 10 + (long)(c - '0');
        }
        map = by_sjis;
    }
    PyObject *key = dict_get_int(map, value);
    if (key == NULL && PyErr_Occurred())
        return -1;
    if (key != NULL)
        return ubuf_put_str(out, key) < 0 ? -1 : 8;
    if (ubuf_reserve(out, 8) < 0)
        return -1;
    for (Py_ssize_t k = i; k < i + 8; k++)
        out->buf[out->len++] = source_at(s, k);
    return 8;
}

/* At ESC: a SoftBank webcode run "ESC $ g c... [SI]". Returns the characters
 * consumed after appending the emoji; 0 when it is no webcode (a plain ESC);
 * -2 when the run is invalid (the pure path reports it); -1 on error. */
static Py_ssize_t
parse_webcode(const Source *s, Py_ssize_t i, PyObject *webcodes, UBuf *out)
{
    if (i + 2 >= s->len || source_at(s, i + 1) != '$')
        return 0;
    Py_UCS4 group = source_at(s, i + 2);
    if (group != 'G' && group != 'E' && group != 'F' && group != 'O' && group != 'P' &&
        group != 'Q')
        return 0;
    Py_ssize_t k = i + 3;
    while (k < s->len) {
        Py_UCS4 c = source_at(s, k);
        if (c < 0x21 || c > 0x7A)
            break;
        PyObject *key = dict_get_int(webcodes, (long)(group << 8 | c));
        if (key == NULL)
            return PyErr_Occurred() ? -1 : -2;
        if (ubuf_put_str(out, key) < 0)
            return -1;
        k++;
    }
    if (k == i + 3)
        return -2;
    if (k < s->len && source_at(s, k) == 0x0F)
        k++;
    return k - i;
}

/* ---------------------------------------------------------------- decoding */

static inline int
is_sjis_lead(uint8_t b)
{
    return (b >= 0x81 && b <= 0x9F) || (b >= 0xE0 && b <= 0xFC);
}

/* decode_sjis(data, cp932, emoji, softbank_fb, by_pua, by_sjis, webcodes) -> str | None
 *
 * cp932: 65536 native uint16: index b for a single byte, (lead << 8 | trail) for a
 * pair, 0 for an invalid pair. emoji: tuple of 0xD00 keys or None for codes
 * F000-FCFF. by_pua/by_sjis: DoCoMo references (dicts) or None; webcodes: dict
 * (group << 8 | code byte) -> key, or None. */
static PyObject *
decode_sjis(PyObject *self, PyObject *args)
{
    Py_buffer data, table;
    PyObject *emoji, *by_pua, *by_sjis, *webcodes;
    int softbank_fb;
    if (!PyArg_ParseTuple(args, "y*y*O!pOOO", &data, &table, &PyTuple_Type, &emoji,
                          &softbank_fb, &by_pua, &by_sjis, &webcodes))
        return NULL;
    PyObject *result = NULL;
    UBuf out = {NULL, 0, 0};
    if (table.len != 65536 * 2 || PyTuple_GET_SIZE(emoji) != 0xD00) {
        PyErr_SetString(PyExc_ValueError, "bad decode tables");
        goto done;
    }
    const uint8_t *p = data.buf;
    const uint16_t *cp932 = table.buf;
    Py_ssize_t n = data.len;
    int ncr = by_pua != Py_None && by_sjis != Py_None;
    int webcode = webcodes != Py_None;
    Source source = {p, 0, NULL, n};
    if (ubuf_init(&out, n + 16) < 0)
        goto done;
    Py_ssize_t i = 0;
    while (i < n) {
        uint8_t b = p[i];
        if (b < 0x80) {
            if ((b == '&' && ncr) || (b == 0x1B && webcode)) {
                Py_ssize_t used = b == '&'
                                      ? parse_reference(&source, i, by_pua, by_sjis, &out)
                                      : parse_webcode(&source, i, webcodes, &out);
                if (used == -1)
                    goto done;
                if (used == -2)
                    goto fallback;
                if (used > 0) {
                    i += used;
                    continue;
                }
            }
            if (ubuf_reserve(&out, 1) < 0)
                goto done;
            out.buf[out.len++] = b;
            i++;
            continue;
        }
        if (is_sjis_lead(b)) {
            if (i + 1 >= n)
                goto fallback;
            unsigned code = (unsigned)b << 8 | p[i + 1];
            uint16_t u = cp932[code];
            int fb = softbank_fb && b == 0xFB && p[i + 1] >= 0x41 && p[i + 1] <= 0xDE;
            if (fb || (u >= 0xE000 && u <= 0xF8FF)) {
                if (code < 0xF000 || code >= 0xFD00)
                    goto fallback;
                PyObject *key = PyTuple_GET_ITEM(emoji, code - 0xF000);
                if (key == Py_None)
                    goto fallback;
                if (ubuf_put_str(&out, key) < 0)
                    goto done;
            }
            else {
                if (u == 0)
                    goto fallback;
                if (ubuf_reserve(&out, 1) < 0)
                    goto done;
                out.buf[out.len++] = u;
            }
            i += 2;
            continue;
        }
        uint16_t u = cp932[b];
        if (u >= 0xE000 && u <= 0xF8FF)
            goto fallback; /* A0, FD-FF: private use, never an emoji */
        if (ubuf_reserve(&out, 1) < 0)
            goto done;
        out.buf[out.len++] = u;
        i++;
    }
    result = ubuf_finish(&out);
    goto done;
fallback:
    result = Py_NewRef(Py_None);
done:
    if (out.buf != NULL)
        PyMem_Free(out.buf);
    PyBuffer_Release(&data);
    PyBuffer_Release(&table);
    return result;
}

static inline int
is_utf8_special(Py_UCS4 c, int ncr, int webcode)
{
    return (c >= 0xE000 && c <= 0xF0FF) || c >= 0xF0000 || (c == '&' && ncr) ||
           (c == 0x1B && webcode);
}

/* Tell whether UTF-8 *data* may hold a character the decoder must look at: private use
 * U+E000-U+F0FF (lead EE, or EF 80-83) or planes 15-16 (F3 B0.., F4), '&' or ESC.
 * Blocks of 64 bytes are tested without branches (the compiler vectorises the loop). */
static int
utf8_may_need_work(const uint8_t *p, Py_ssize_t n, int ncr, int webcode)
{
    uint8_t amp = ncr ? '&' : 0xFF, esc = webcode ? 0x1B : 0xFF;
    Py_ssize_t i = 0;
    for (; i + 64 <= n; i += 64) {
        unsigned hit = 0;
        for (int k = 0; k < 64; k++) {
            uint8_t b = p[i + k];
            hit |= (b >= 0xEE) | (b == amp) | (b == esc);
        }
        if (!hit)
            continue;
        for (int k = 0; k < 64; k++) {
            uint8_t b = p[i + k];
            if (b == 0xEF) {
                if (i + k + 1 < n && p[i + k + 1] < 0x84)
                    return 1;
            }
            else if (b >= 0xEE || b == amp || b == esc)
                return 1;
        }
    }
    for (; i < n; i++) {
        uint8_t b = p[i];
        if (b == 0xEF) {
            if (i + 1 < n && p[i + 1] < 0x84)
                return 1;
        }
        else if (b >= 0xEE || b == amp || b == esc)
            return 1;
    }
    return 0;
}

/* decode_utf8(data, emoji, astral, by_pua, by_sjis, webcodes) -> str | None
 *
 * emoji: tuple of 0x1100 keys or None for U+E000-U+F0FF; astral: dict code point -> key
 * for planes 15-16. */
static PyObject *
decode_utf8(PyObject *self, PyObject *args)
{
    Py_buffer data;
    PyObject *emoji, *astral, *by_pua, *by_sjis, *webcodes;
    if (!PyArg_ParseTuple(args, "y*O!O!OOO", &data, &PyTuple_Type, &emoji, &PyDict_Type,
                          &astral, &by_pua, &by_sjis, &webcodes))
        return NULL;
    PyObject *result = NULL;
    UBuf out = {NULL, 0, 0};
    int ncr = by_pua != Py_None && by_sjis != Py_None;
    int webcode = webcodes != Py_None;
    PyObject *text = PyUnicode_DecodeUTF8(data.buf, data.len, "strict");
    if (text == NULL) {
        if (PyErr_ExceptionMatches(PyExc_UnicodeDecodeError))
            goto fallback;
        goto done;
    }
    if (PyTuple_GET_SIZE(emoji) != 0x1100) {
        PyErr_SetString(PyExc_ValueError, "bad decode tables");
        goto done;
    }
    if (!utf8_may_need_work(data.buf, data.len, ncr, webcode)) {
        result = text;
        text = NULL;
        goto done;
    }
    int kind = PyUnicode_KIND(text);
    const void *chars = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    Py_ssize_t first = -1;
    if (kind != PyUnicode_1BYTE_KIND || ncr || webcode) {
        for (Py_ssize_t k = 0; k < n; k++) {
            if (is_utf8_special(PyUnicode_READ(kind, chars, k), ncr, webcode)) {
                first = k;
                break;
            }
        }
    }
    if (first < 0) {
        result = text;
        text = NULL;
        goto done;
    }
    Source source = {NULL, kind, chars, n};
    if (ubuf_init(&out, n + 16) < 0)
        goto done;
    for (Py_ssize_t k = 0; k < first; k++)
        out.buf[out.len++] = PyUnicode_READ(kind, chars, k);
    Py_ssize_t i = first;
    while (i < n) {
        Py_UCS4 c = PyUnicode_READ(kind, chars, i);
        if (!is_utf8_special(c, ncr, webcode)) {
            if (ubuf_reserve(&out, 1) < 0)
                goto done;
            out.buf[out.len++] = c;
            i++;
            continue;
        }
        if (c == '&' || c == 0x1B) {
            Py_ssize_t used = c == '&' ? parse_reference(&source, i, by_pua, by_sjis, &out)
                                       : parse_webcode(&source, i, webcodes, &out);
            if (used == -1)
                goto done;
            if (used == -2)
                goto fallback;
            if (used == 0) {
                if (ubuf_reserve(&out, 1) < 0)
                    goto done;
                out.buf[out.len++] = c;
                used = 1;
            }
            i += used;
            continue;
        }
        PyObject *key;
        if (c <= 0xF0FF) {
            key = PyTuple_GET_ITEM(emoji, c - 0xE000);
            if (key == Py_None)
                goto fallback;
        }
        else {
            key = dict_get_int(astral, (long)c);
            if (key == NULL) {
                if (PyErr_Occurred())
                    goto done;
                goto fallback;
            }
        }
        if (ubuf_put_str(&out, key) < 0)
            goto done;
        i++;
    }
    result = ubuf_finish(&out);
    goto done;
fallback:
    PyErr_Clear();
    result = Py_NewRef(Py_None);
done:
    if (out.buf != NULL)
        PyMem_Free(out.buf);
    Py_XDECREF(text);
    PyBuffer_Release(&data);
    return result;
}

/* ---------------------------------------------------------------- encoding */

enum { OUT_SJIS = 0, OUT_UTF8 = 1, OUT_WEBCODE = 2 };

typedef struct {
    int output;
    const uint8_t *first, *more; /* 8192-byte bitmaps of the BMP */
    Py_UCS4 astral_first;        /* astral characters from here on start a run */
    int astral_more;             /* astral characters continue a run */
    PyObject *emap;              /* dict: spelling -> str | bytes | None */
    PyObject *resolve;           /* callable: run -> str | bytes, raising when it cannot */
    const uint16_t *cp932;       /* 65536 native uint16: 0 = not in CP932 */
    PyObject *singles;           /* tuple of 2 tuples: U+2000-U+33FF, U+1F000-U+1FBFF */
    /* webcode merging: where the last escape's SI was written, and its group */
    Py_ssize_t escape_end;
    Py_UCS4 escape_group;
} Encoder;

static inline int
bit(const uint8_t *map, Py_UCS4 c)
{
    return map[c >> 3] >> (c & 7) & 1;
}

/* Append one character in the output charset; 0 on success, 1 when the charset cannot
 * carry it (the pure path applies the error handler), -1 on error. */
static inline int
put_char(Encoder *e, BBuf *out, Py_UCS4 c)
{
    if (bbuf_reserve(out, 4) < 0)
        return -1;
    if (e->output == OUT_UTF8) {
        if (c < 0x80)
            out->buf[out->len++] = (char)c;
        else if (c < 0x800) {
            out->buf[out->len++] = (char)(0xC0 | c >> 6);
            out->buf[out->len++] = (char)(0x80 | (c & 0x3F));
        }
        else if (c < 0x10000) {
            if (c >= 0xD800 && c <= 0xDFFF)
                return 1;
            out->buf[out->len++] = (char)(0xE0 | c >> 12);
            out->buf[out->len++] = (char)(0x80 | (c >> 6 & 0x3F));
            out->buf[out->len++] = (char)(0x80 | (c & 0x3F));
        }
        else {
            out->buf[out->len++] = (char)(0xF0 | c >> 18);
            out->buf[out->len++] = (char)(0x80 | (c >> 12 & 0x3F));
            out->buf[out->len++] = (char)(0x80 | (c >> 6 & 0x3F));
            out->buf[out->len++] = (char)(0x80 | (c & 0x3F));
        }
        return 0;
    }
    if (c < 0x80) {
        out->buf[out->len++] = (char)c;
        return 0;
    }
    if (c >= 0x10000)
        return 1;
    uint16_t code = e->cp932[c];
    if (code == 0)
        return 1;
    if (code > 0xFF)
        out->buf[out->len++] = (char)(code >> 8);
    out->buf[out->len++] = (char)(code & 0xFF);
    return 0;
}

/* Append the output of one run (str for the base encoder, or bytes). */
static int
put_value(Encoder *e, BBuf *out, PyObject *value)
{
    if (PyBytes_Check(value)) {
        Py_ssize_t n = PyBytes_GET_SIZE(value);
        if (bbuf_reserve(out, n) < 0)
            return -1;
        memcpy(out->buf + out->len, PyBytes_AS_STRING(value), n);
        out->len += n;
        return 0;
    }
    if (!PyUnicode_Check(value))
        return 1;
    int kind = PyUnicode_KIND(value);
    const void *data = PyUnicode_DATA(value);
    Py_ssize_t n = PyUnicode_GET_LENGTH(value);
    Py_ssize_t k = 0;
    if (e->output == OUT_WEBCODE && n >= 3 && PyUnicode_READ(kind, data, 0) == 0x1B &&
        PyUnicode_READ(kind, data, 1) == '$' && out->len == e->escape_end &&
        PyUnicode_READ(kind, data, 2) == e->escape_group) {
        out->len--; /* continue the last escape: drop its SI and this escape's head */
        k = 3;
    }
    for (; k < n; k++) {
        int rc = put_char(e, out, PyUnicode_READ(kind, data, k));
        if (rc != 0)
            return rc;
    }
    if (e->output == OUT_WEBCODE && n >= 4 && PyUnicode_READ(kind, data, n - 1) == 0x0F) {
        for (Py_ssize_t k = n - 1; k >= 0; k--) {
            if (PyUnicode_READ(kind, data, k) == 0x1B) {
                e->escape_end = out->len;
                e->escape_group = PyUnicode_READ(kind, data, k + 2);
                break;
            }
        }
    }
    return 0;
}

static inline Py_ssize_t
utf8_length(Py_UCS4 c)
{
    return c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
}

/* The value of a one-character run (or a character and U+FE0F) from the plan's direct
 * tables, without building a string; borrowed, or NULL when the tables do not say. */
static PyObject *
single_value(Encoder *e, Py_UCS4 c, int selector)
{
    PyObject *table;
    Py_ssize_t index;
    if (c >= 0x2000 && c < 0x3400) {
        table = PyTuple_GET_ITEM(e->singles, 0);
        index = c - 0x2000;
    }
    else if (c >= 0x1F000 && c < 0x1FC00) {
        table = PyTuple_GET_ITEM(e->singles, 1);
        index = c - 0x1F000;
    }
    else
        return NULL;
    PyObject *entry = PyTuple_GET_ITEM(table, index);
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

/* Look a run up; call the resolver for one the map does not list. New reference, or
 * NULL with an exception set. */
static PyObject *
run_value(Encoder *e, PyObject *run)
{
    PyObject *value = PyDict_GetItemWithError(e->emap, run);
    if (value != NULL && value != Py_None)
        return Py_NewRef(value);
    if (PyErr_Occurred())
        return NULL;
    return PyObject_CallOneArg(e->resolve, run);
}

/* encode(text, output, first, more, astral_first, astral_more, emap, resolve, cp932,
 *        singles) -> bytes | None */
static PyObject *
encode(PyObject *self, PyObject *args)
{
    PyObject *text, *emap, *resolve, *singles;
    Py_buffer first, more, table;
    Encoder e;
    unsigned long astral_first;
    int output, astral_more;
    if (!PyArg_ParseTuple(args, "Uiy*y*kpO!Oy*O!", &text, &output, &first, &more,
                          &astral_first, &astral_more, &PyDict_Type, &emap, &resolve, &table,
                          &PyTuple_Type, &singles))
        return NULL;
    PyObject *result = NULL;
    PyObject *utf8 = NULL;
    BBuf out = {NULL, 0, 0};
    if (first.len != 8192 || more.len != 8192 || table.len != 65536 * 2) {
        PyErr_SetString(PyExc_ValueError, "bad encode tables");
        goto done;
    }
    e.output = output;
    e.first = first.buf;
    e.more = more.buf;
    e.astral_first = (Py_UCS4)astral_first;
    e.astral_more = astral_more;
    e.emap = emap;
    e.resolve = resolve;
    e.cp932 = table.buf;
    e.escape_end = -1;
    e.escape_group = 0;
    e.singles = singles;
    if (PyTuple_GET_SIZE(singles) != 2 ||
        PyTuple_GET_SIZE(PyTuple_GET_ITEM(singles, 0)) != 0x1400 ||
        PyTuple_GET_SIZE(PyTuple_GET_ITEM(singles, 1)) != 0xC00) {
        PyErr_SetString(PyExc_ValueError, "bad encode tables");
        goto done;
    }
    int kind = PyUnicode_KIND(text);
    const void *chars = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    /* UTF-8: Python's encoder writes the text once; runs are cut out of its bytes. */
    const char *u8 = NULL;
    Py_ssize_t bpos = 0, segment = 0;
    if (output == OUT_UTF8) {
        utf8 = PyUnicode_AsUTF8String(text);
        if (utf8 == NULL)
            goto fallback; /* a lone surrogate */
        u8 = PyBytes_AS_STRING(utf8);
    }
    if (bbuf_init(&out, output == OUT_UTF8 ? PyBytes_GET_SIZE(utf8) + 16 : n * 2 + 16) < 0)
        goto done;
    Py_ssize_t run_end = 0; /* end of the last run: a keycap base after it is text */
    Py_ssize_t i = 0;
    while (i < n) {
        Py_UCS4 c = PyUnicode_READ(kind, chars, i);
        int starts = c < 0x10000 ? bit(e.first, c) : c >= e.astral_first;
        if (!starts) {
            if (u8 != NULL) {
                bpos += utf8_length(c);
                i++;
                continue;
            }
            int rc = put_char(&e, &out, c);
            if (rc < 0)
                goto done;
            if (rc > 0)
                goto fallback;
            i++;
            continue;
        }
        if (u8 != NULL && bpos > segment) {
            if (bbuf_reserve(&out, bpos - segment) < 0)
                goto done;
            memcpy(out.buf + out.len, u8 + segment, bpos - segment);
            out.len += bpos - segment;
        }
        Py_ssize_t j = i + 1;
        while (j < n) {
            Py_UCS4 d = PyUnicode_READ(kind, chars, j);
            if (!(d < 0x10000 ? bit(e.more, d) : e.astral_more))
                break;
            j++;
        }
        if (u8 != NULL) {
            for (Py_ssize_t k = i; k < j; k++)
                bpos += utf8_length(PyUnicode_READ(kind, chars, k));
            segment = bpos;
        }
        PyObject *direct = NULL;
        if (j == i + 1)
            direct = single_value(&e, c, 0);
        else if (j == i + 2 && PyUnicode_READ(kind, chars, i + 1) == 0xFE0F)
            direct = single_value(&e, c, 1);
        if (direct != NULL) {
            int rc = put_value(&e, &out, direct);
            if (rc < 0)
                goto done;
            if (rc > 0)
                goto fallback;
            i = run_end = j;
            continue;
        }
        Py_ssize_t start = i;
        PyObject *run = PyUnicode_Substring(text, i, j);
        if (run == NULL)
            goto done;
        PyObject *value = PyDict_GetItemWithError(emap, run);
        if (value == NULL && PyErr_Occurred()) {
            Py_DECREF(run);
            goto done;
        }
        if (value == NULL || value == Py_None) {
            /* A keycap whose base character ("1") was written as text just before. */
            if ((c == 0xFE0F || c == 0x20E3) && i > run_end &&
                is_keycap_base(PyUnicode_READ(kind, chars, i - 1))) {
                Py_DECREF(run);
                start = i - 1;
                out.len -= 1; /* the base: one ASCII byte in every charset */
                run = PyUnicode_Substring(text, start, j);
                if (run == NULL)
                    goto done;
            }
            value = run_value(&e, run);
            Py_DECREF(run);
            if (value == NULL)
                goto fallback;
        }
        else {
            Py_INCREF(value);
            Py_DECREF(run);
        }
        int rc = put_value(&e, &out, value);
        Py_DECREF(value);
        if (rc < 0)
            goto done;
        if (rc > 0)
            goto fallback;
        i = run_end = j;
    }
    if (u8 != NULL && bpos > segment) {
        if (bbuf_reserve(&out, bpos - segment) < 0)
            goto done;
        memcpy(out.buf + out.len, u8 + segment, bpos - segment);
        out.len += bpos - segment;
    }
    result = PyBytes_FromStringAndSize(out.buf, out.len);
    goto done;
fallback:
    if (PyErr_Occurred() && !PyErr_ExceptionMatches(PyExc_Exception))
        goto done; /* KeyboardInterrupt, MemoryError...: not ours to swallow */
    PyErr_Clear();
    result = Py_NewRef(Py_None);
done:
    if (out.buf != NULL)
        PyMem_Free(out.buf);
    Py_XDECREF(utf8);
    PyBuffer_Release(&first);
    PyBuffer_Release(&more);
    PyBuffer_Release(&table);
    return result;
}

static PyMethodDef methods[] = {
    {"decode_sjis", decode_sjis, METH_VARARGS,
     "decode_sjis(data, cp932, emoji, softbank_fb, by_pua, by_sjis, webcodes) -> str | None"},
    {"decode_utf8", decode_utf8, METH_VARARGS,
     "decode_utf8(data, emoji, astral, by_pua, by_sjis, webcodes) -> str | None"},
    {"encode", encode, METH_VARARGS,
     "encode(text, output, first, more, astral_first, astral_more, emap, resolve, cp932,"
     " singles)"
     " -> bytes | None"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    "carrier_emoji._speedups",
    "The carrier codecs' common case in C; None means: use the pure-Python path.",
    -1,
    methods,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    return PyModule_Create(&module);
}
