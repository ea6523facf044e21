/* DecodePlan's UTF-8 decoding (see _speedups.h).
 *
 * CPython's own decoder turns the bytes into text; the characters a carrier codec must
 * look at are then found (private use U+E000-U+F0FF, planes 15-16, and '&' or ESC where
 * the codec reads references or webcodes), noted as replacements, and the result is
 * built once at its final width. Text without any of them is returned as decoded.
 * Every loop here runs once per character width (UCS1, UCS2, UCS4).
 */
#include "_speedups.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* ------------------------------------------------------------ replacements */

/* Replace text[start:end] by value (a key, borrowed from the plan; NULL: nothing). */
typedef struct {
    Py_ssize_t start, end;
    PyObject *value;
} Record;

typedef struct {
    Record *items;
    Py_ssize_t len, cap;
    Record small[32];
} Records;

static int
records_grow(Records *r)
{
    if (r->cap > PY_SSIZE_T_MAX / (Py_ssize_t)sizeof(Record) / 2) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t cap = r->cap * 2;
    Record *items = r->items == r->small ? PyMem_Malloc(cap * sizeof(Record))
                                         : PyMem_Realloc(r->items, cap * sizeof(Record));
    if (items == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    if (r->items == r->small)
        memcpy(items, r->small, sizeof(r->small));
    r->items = items;
    r->cap = cap;
    return 0;
}

static inline int
records_add(Records *r, Py_ssize_t start, Py_ssize_t end, PyObject *value)
{
    if (r->len == r->cap && records_grow(r) < 0)
        return -1;
    r->items[r->len++] = (Record){start, end, value};
    return 0;
}

/* ---------------------------------------------------------------- scanning */

static inline Py_ALWAYS_INLINE int
is_special(int kind, Py_UCS4 c, Py_UCS4 amp, Py_UCS4 esc)
{
    return (Py_UCS4)(c - 0xE000) < 0x1100 || (kind == PyUnicode_4BYTE_KIND && c >= 0xF0000) ||
           c == amp || c == esc;
}

#if defined(__SSE2__)
/* 16 characters at a time; the first hit is found from the mask. Characters after it
 * in its block are ORed into *seen* too: never private use, so the width stays right. */
static Py_ssize_t
scan_ucs2(const Py_UCS2 *p, Py_ssize_t i, Py_ssize_t n, Py_UCS2 amp, Py_UCS2 esc,
          Py_UCS4 *acc)
{
    const __m128i zero = _mm_setzero_si128(), base = _mm_set1_epi16((short)0xE000),
                  span = _mm_set1_epi16(0x10FF), va = _mm_set1_epi16((short)amp),
                  ve = _mm_set1_epi16((short)esc);
    __m128i seen = zero;
    Py_ssize_t found = -1;
    for (; i + 16 <= n; i += 16) {
        __m128i a = _mm_loadu_si128((const __m128i *)(p + i));
        __m128i b = _mm_loadu_si128((const __m128i *)(p + i + 8));
        /* c - 0xE000 <= 0x10FF, unsigned: the saturated difference is 0 */
        __m128i pa = _mm_cmpeq_epi16(_mm_subs_epu16(_mm_sub_epi16(a, base), span), zero);
        __m128i pb = _mm_cmpeq_epi16(_mm_subs_epu16(_mm_sub_epi16(b, base), span), zero);
        __m128i ha =
            _mm_or_si128(pa, _mm_or_si128(_mm_cmpeq_epi16(a, va), _mm_cmpeq_epi16(a, ve)));
        __m128i hb =
            _mm_or_si128(pb, _mm_or_si128(_mm_cmpeq_epi16(b, va), _mm_cmpeq_epi16(b, ve)));
        seen = _mm_or_si128(seen, _mm_or_si128(_mm_andnot_si128(pa, a), _mm_andnot_si128(pb, b)));
        unsigned mask = (unsigned)_mm_movemask_epi8(ha) | (unsigned)_mm_movemask_epi8(hb) << 16;
        if (mask) {
            found = i + __builtin_ctz(mask) / 2;
            break;
        }
    }
    uint16_t lanes[8];
    _mm_storeu_si128((__m128i *)lanes, seen);
    for (int k = 0; k < 8; k++)
        *acc |= lanes[k];
    if (found >= 0)
        return found;
    for (; i < n; i++) {
        if (is_special(PyUnicode_2BYTE_KIND, p[i], amp, esc))
            break;
        *acc |= p[i];
    }
    return i;
}

/* The same for UCS4; every character is below 0x110000, so signed comparisons hold. */
static Py_ssize_t
scan_ucs4(const Py_UCS4 *p, Py_ssize_t i, Py_ssize_t n, Py_UCS4 amp, Py_UCS4 esc,
          Py_UCS4 *acc)
{
    const __m128i low = _mm_set1_epi32(0xDFFF), high = _mm_set1_epi32(0xF100),
                  planes = _mm_set1_epi32(0xEFFFF), va = _mm_set1_epi32((int)amp),
                  ve = _mm_set1_epi32((int)esc);
    __m128i seen = _mm_setzero_si128();
    Py_ssize_t found = -1;
    for (; i + 8 <= n; i += 8) {
        __m128i a = _mm_loadu_si128((const __m128i *)(p + i));
        __m128i b = _mm_loadu_si128((const __m128i *)(p + i + 4));
        __m128i pa = _mm_or_si128(_mm_and_si128(_mm_cmpgt_epi32(a, low), _mm_cmplt_epi32(a, high)),
                                  _mm_cmpgt_epi32(a, planes));
        __m128i pb = _mm_or_si128(_mm_and_si128(_mm_cmpgt_epi32(b, low), _mm_cmplt_epi32(b, high)),
                                  _mm_cmpgt_epi32(b, planes));
        __m128i ha =
            _mm_or_si128(pa, _mm_or_si128(_mm_cmpeq_epi32(a, va), _mm_cmpeq_epi32(a, ve)));
        __m128i hb =
            _mm_or_si128(pb, _mm_or_si128(_mm_cmpeq_epi32(b, va), _mm_cmpeq_epi32(b, ve)));
        seen = _mm_or_si128(seen, _mm_or_si128(_mm_andnot_si128(pa, a), _mm_andnot_si128(pb, b)));
        unsigned mask = (unsigned)_mm_movemask_epi8(ha) | (unsigned)_mm_movemask_epi8(hb) << 16;
        if (mask) {
            found = i + __builtin_ctz(mask) / 4;
            break;
        }
    }
    uint32_t lanes[4];
    _mm_storeu_si128((__m128i *)lanes, seen);
    *acc |= lanes[0] | lanes[1] | lanes[2] | lanes[3];
    if (found >= 0)
        return found;
    for (; i < n; i++) {
        if (is_special(PyUnicode_4BYTE_KIND, p[i], amp, esc))
            break;
        *acc |= p[i];
    }
    return i;
}
#endif

/* Index of the first special character from *i* on (n when none); the characters
 * passed over are ORed into *acc* (its highest bit gives the result's width). A few
 * characters are tried one by one first: emoji often come close together. */
static inline Py_ALWAYS_INLINE Py_ssize_t
next_special(int kind, const void *data, Py_ssize_t i, Py_ssize_t n, Py_UCS4 amp, Py_UCS4 esc,
             Py_UCS4 *acc)
{
    Py_ssize_t stop = n - i > 8 ? i + 8 : n;
    Py_UCS4 bits = 0;
    for (; i < stop; i++) {
        Py_UCS4 c = char_at(kind, data, i);
        if (is_special(kind, c, amp, esc))
            break;
        bits |= c;
    }
    *acc |= bits;
    if (i < stop || i == n)
        return i;
#if defined(__SSE2__)
    if (kind == PyUnicode_2BYTE_KIND)
        return scan_ucs2(data, i, n, (Py_UCS2)amp, (Py_UCS2)esc, acc);
    if (kind == PyUnicode_4BYTE_KIND)
        return scan_ucs4(data, i, n, amp, esc, acc);
#endif
    if (kind == PyUnicode_1BYTE_KIND && (amp < 0x100) != (esc < 0x100)) {
        const Py_UCS1 *p = data;
        const Py_UCS1 *at = memchr(p + i, (int)(amp < 0x100 ? amp : esc), n - i);
        return at == NULL ? n : at - p; /* *acc* was set from the text's own width */
    }
    for (; i < n; i++) {
        Py_UCS4 c = char_at(kind, data, i);
        if (is_special(kind, c, amp, esc))
            break;
        bits |= c;
    }
    *acc |= bits;
    return i;
}

/* ------------------------------------------------------------ collecting */

/* A special character other than private use of the BMP at *i*: a reference, a webcode
 * run, a plain '&' or ESC, or planes 15-16. Returns the characters used, -1 on error,
 * -2 when the pure path must decode. */
static Py_ssize_t
other_special(const DecodePlan *plan, const Source *source, Py_ssize_t i, Records *r,
              Py_ssize_t *size, Py_UCS4 *acc)
{
    Py_UCS4 c = source_at(source, i);
    PyObject *key = NULL;
    Py_ssize_t used = 1;
    if (c == '&') {
        used = parse_reference(source, i, plan, &key);
        if (used < 0)
            return -1;
        if (used == 0)
            used = 1; /* a plain '&' stays, as does a reference to no emoji */
    }
    else if (c == 0x1B) {
        int group;
        Py_ssize_t codes;
        used = parse_webcode(source, i, plan, &group, &codes);
        if (used == -2)
            return -2;
        if (used == 0)
            return 1; /* a plain ESC stays */
        if (records_add(r, i, i + 3, NULL) < 0)
            return -1;
        for (Py_ssize_t k = i + 3; k < i + 3 + codes; k++) {
            key = webcode_key(plan, group, source_at(source, k));
            if (key == NULL)
                return -2; /* parse_webcode checked: cannot happen */
            if (records_add(r, k, k + 1, key) < 0)
                return -1;
            *size += PyUnicode_GET_LENGTH(key) - 1;
            *acc |= PyUnicode_MAX_CHAR_VALUE(key);
        }
        if (used > 3 + codes && records_add(r, i + 3 + codes, i + used, NULL) < 0)
            return -1;
        *size -= used - codes;
        return used;
    }
    else if (c >= 0xF0000) {
        PyObject *code = PyLong_FromLong((long)c);
        if (code == NULL)
            return -1;
        key = PyDict_GetItemWithError(plan->astral, code);
        Py_DECREF(code);
        if (key == NULL)
            return PyErr_Occurred() ? -1 : -2;
    }
    else
        *acc |= c; /* not special after all */
    if (key != NULL) {
        if (records_add(r, i, i + used, key) < 0)
            return -1;
        *size += PyUnicode_GET_LENGTH(key) - used;
        *acc |= PyUnicode_MAX_CHAR_VALUE(key);
    }
    return used;
}

/* Note every replacement in *text*: 0, 1 when the pure path must decode, -1 on error.
 * *size* becomes the result's length, *acc* ORs its characters' widths. */
static inline Py_ALWAYS_INLINE int
collect(int kind, const DecodePlan *plan, PyObject *text, Records *r, Py_ssize_t *size,
        Py_UCS4 *acc)
{
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    /* Where the codec reads no '&' or ESC, U+E000 stands in: it is found anyway. */
    Py_UCS4 amp = plan->by_pua != Py_None ? '&' : 0xE000;
    Py_UCS4 esc = plan->webcodes != Py_None ? 0x1B : 0xE000;
    PyObject *const *emoji = &PyTuple_GET_ITEM(plan->emoji, 0); /* 0x1100 keys or None */
    Source source = {NULL, kind, data, n};
    Py_ssize_t i = next_special(kind, data, 0, n, amp, esc, acc);
    while (i < n) {
        Py_UCS4 c = char_at(kind, data, i);
        Py_ssize_t used = 1;
        if ((Py_UCS4)(c - 0xE000) < 0x1100) {
            PyObject *key = emoji[c - 0xE000];
            if (key == Py_None)
                return 1;
            if (records_add(r, i, i + 1, key) < 0)
                return -1;
            *size += PyUnicode_GET_LENGTH(key) - 1;
            *acc |= PyUnicode_MAX_CHAR_VALUE(key);
        }
        else {
            used = other_special(plan, &source, i, r, size, acc);
            if (used == -1)
                return -1;
            if (used == -2)
                return 1;
        }
        i = next_special(kind, data, i + used, n, amp, esc, acc);
    }
    return 0;
}

/* ---------------------------------------------------------------- building */

static inline Py_ALWAYS_INLINE void
put_chars(int okind, void *odata, Py_ssize_t at, int kind, const void *data, Py_ssize_t from,
          Py_ssize_t len)
{
    if (okind == kind) {
        memcpy((char *)odata + at * kind, (const char *)data + from * kind, len * kind);
        return;
    }
    for (Py_ssize_t k = 0; k < len; k++) {
        Py_UCS4 c = char_at(kind, data, from + k);
        if (okind == PyUnicode_1BYTE_KIND)
            ((Py_UCS1 *)odata)[at + k] = (Py_UCS1)c;
        else if (okind == PyUnicode_2BYTE_KIND)
            ((Py_UCS2 *)odata)[at + k] = (Py_UCS2)c;
        else
            ((Py_UCS4 *)odata)[at + k] = c;
    }
}

/* Copy one key; its width is at most the output's (collect ORed it into the width). */
static inline Py_ALWAYS_INLINE void
put_key(int okind, void *odata, Py_ssize_t at, PyObject *key)
{
    const void *data = PyUnicode_DATA(key);
    Py_ssize_t len = PyUnicode_GET_LENGTH(key);
    switch (PyUnicode_KIND(key)) {
    case PyUnicode_1BYTE_KIND:
        put_chars(okind, odata, at, PyUnicode_1BYTE_KIND, data, 0, len);
        break;
    case PyUnicode_2BYTE_KIND:
        put_chars(okind, odata, at, PyUnicode_2BYTE_KIND, data, 0, len);
        break;
    default:
        put_chars(okind, odata, at, PyUnicode_4BYTE_KIND, data, 0, len);
    }
}

/* Write *text* with the replacements into *out* (its length is the size collect found).
 * Each copy is checked against the room left first. */
static inline Py_ALWAYS_INLINE int
build(int okind, int kind, PyObject *out, PyObject *text, const Records *r)
{
    void *odata = PyUnicode_DATA(out);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t size = PyUnicode_GET_LENGTH(out), at = 0, pos = 0;
    for (Py_ssize_t k = 0; k <= r->len; k++) {
        Py_ssize_t start = k < r->len ? r->items[k].start : PyUnicode_GET_LENGTH(text);
        if (start < pos || start - pos > size - at)
            goto overrun;
        put_chars(okind, odata, at, kind, data, pos, start - pos);
        at += start - pos;
        if (k == r->len)
            break;
        PyObject *key = r->items[k].value;
        if (key != NULL) {
            if (PyUnicode_GET_LENGTH(key) > size - at || PyUnicode_KIND(key) > okind)
                goto overrun;
            put_key(okind, odata, at, key);
            at += PyUnicode_GET_LENGTH(key);
        }
        pos = r->items[k].end;
    }
    if (at == size)
        return 0;
overrun:
    PyErr_SetString(PyExc_SystemError, "carrier_emoji._speedups: decode size mismatch");
    return -1;
}

static int
build_any(PyObject *out, PyObject *text, const Records *r)
{
    switch (PyUnicode_KIND(out) * 8 + PyUnicode_KIND(text)) {
    case 1 * 8 + 1:
        return build(1, 1, out, text, r);
    case 1 * 8 + 2:
        return build(1, 2, out, text, r);
    case 1 * 8 + 4:
        return build(1, 4, out, text, r);
    case 2 * 8 + 1:
        return build(2, 1, out, text, r);
    case 2 * 8 + 2:
        return build(2, 2, out, text, r);
    case 2 * 8 + 4:
        return build(2, 4, out, text, r);
    case 4 * 8 + 1:
        return build(4, 1, out, text, r);
    case 4 * 8 + 2:
        return build(4, 2, out, text, r);
    default:
        return build(4, 4, out, text, r);
    }
}

PyObject *
decode_utf8(const DecodePlan *plan, const uint8_t *bytes, Py_ssize_t nbytes)
{
    PyObject *text = PyUnicode_DecodeUTF8((const char *)bytes, nbytes, "strict");
    if (text == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_UnicodeDecodeError))
            return NULL;
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    int kind = PyUnicode_KIND(text);
    if (kind == PyUnicode_1BYTE_KIND && plan->by_pua == Py_None && plan->webcodes == Py_None)
        return text; /* one byte holds no private use */
    Records r = {NULL, 0, 32};
    r.items = r.small;
    Py_ssize_t size = PyUnicode_GET_LENGTH(text);
    /* One-byte text is not scanned for its width: it is the text's own. */
    Py_UCS4 acc = kind == PyUnicode_1BYTE_KIND && !PyUnicode_IS_ASCII(text) ? 0x80 : 0;
    int rc = kind == PyUnicode_1BYTE_KIND ? collect(1, plan, text, &r, &size, &acc)
             : kind == PyUnicode_2BYTE_KIND ? collect(2, plan, text, &r, &size, &acc)
                                            : collect(4, plan, text, &r, &size, &acc);
    PyObject *result = NULL;
    if (rc == 0 && r.len == 0)
        result = Py_NewRef(text);
    else if (rc == 0) {
        Py_UCS4 maxchar = acc < 0x80 ? 0x7F : acc < 0x100 ? 0xFF : acc < 0x10000 ? 0xFFFF
                                                                              : 0x10FFFF;
        result = PyUnicode_New(size, maxchar);
        if (result != NULL && build_any(result, text, &r) < 0)
            Py_CLEAR(result);
    }
    else if (rc > 0)
        result = Py_NewRef(Py_None);
    if (r.items != r.small)
        PyMem_Free(r.items);
    Py_DECREF(text);
    return result;
}
