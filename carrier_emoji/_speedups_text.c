/* EncodePlan's output (see _speedups.h): the text up to the next character that starts
 * a run, written in UTF-8 or Shift_JIS as it is read, and the values of runs.
 *
 * One loop per output charset and character width (UCS1, UCS2, UCS4): a character that
 * is no ASCII is checked against the plan's bitmap of run starters, then written; runs
 * of ASCII, frequent in Japanese mixed text, are copied 16, 8 or 4 at a time (SSE2).
 */
#include "_speedups.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#if defined(__SSE2__)
/* Copy the ASCII characters from p[*i] on to *o* (8 or 4 at a time, while every one of
 * them is ASCII and at least that many remain); returns the new output position. The
 * caller's room for one byte a character covers these writes. */
static inline Py_ALWAYS_INLINE unsigned char *
ascii_run(int kind, const void *data, Py_ssize_t *i, Py_ssize_t n, unsigned char *o)
{
    const __m128i zero = _mm_setzero_si128();
    if (kind == PyUnicode_1BYTE_KIND) {
        const Py_UCS1 *p = data;
        while (*i + 16 <= n) {
            __m128i v = _mm_loadu_si128((const __m128i *)(p + *i));
            if (_mm_movemask_epi8(v) != 0)
                break;
            _mm_storeu_si128((__m128i *)o, v);
            o += 16;
            *i += 16;
        }
    }
    else if (kind == PyUnicode_2BYTE_KIND) {
        const Py_UCS2 *p = data;
        const __m128i high = _mm_set1_epi16((short)0xFF80);
        while (*i + 8 <= n) {
            __m128i v = _mm_loadu_si128((const __m128i *)(p + *i));
            if (_mm_movemask_epi8(_mm_cmpeq_epi16(_mm_and_si128(v, high), zero)) != 0xFFFF)
                break;
            _mm_storel_epi64((__m128i *)o, _mm_packus_epi16(v, v));
            o += 8;
            *i += 8;
        }
    }
    else {
        const Py_UCS4 *p = data;
        const __m128i high = _mm_set1_epi32((int)0xFFFFFF80);
        while (*i + 4 <= n) {
            __m128i v = _mm_loadu_si128((const __m128i *)(p + *i));
            if (_mm_movemask_epi8(_mm_cmpeq_epi32(_mm_and_si128(v, high), zero)) != 0xFFFF)
                break;
            __m128i bytes = _mm_packus_epi16(_mm_packs_epi32(v, v), zero);
            int32_t four = _mm_cvtsi128_si32(bytes);
            memcpy(o, &four, 4);
            o += 4;
            *i += 4;
        }
    }
    return o;
}
#endif

/* Write text[i:n] in UTF-8 up to the first character that starts a run, and return its
 * index (n at the end), -2 when a character cannot be written (a lone surrogate: the
 * pure path reports it), -1 on error. Room for every remaining character at the
 * widest of its kind (2, 3 or 4 bytes) is reserved before the loop, so no write in it
 * can pass the end of the buffer. */
static inline Py_ALWAYS_INLINE Py_ssize_t
utf8_stretch(int kind, const EncodePlan *e, const void *data, Py_ssize_t i, Py_ssize_t n,
             Writer *w)
{
    Py_ssize_t width = kind == PyUnicode_1BYTE_KIND ? 2 : kind == PyUnicode_2BYTE_KIND ? 3 : 4;
    if (writer_reserve(w, (n - i) * width) < 0)
        return -1;
    unsigned char *o = (unsigned char *)w->buf + w->len;
    Py_ssize_t result = n;
    while (i < n) {
        Py_UCS4 c = char_at(kind, data, i);
        if (c < 0x80) {
            *o++ = (unsigned char)c;
            i++;
#if defined(__SSE2__)
            o = ascii_run(kind, data, &i, n, o);
#endif
            continue;
        }
        if (starts_run(e, c)) {
            result = i;
            break;
        }
        if (c < 0x800) {
            o[0] = (unsigned char)(0xC0 | c >> 6);
            o[1] = (unsigned char)(0x80 | (c & 0x3F));
            o += 2;
        }
        else if (c < 0x10000) {
            if (c >= 0xD800 && c <= 0xDFFF) {
                result = -2;
                break;
            }
            o[0] = (unsigned char)(0xE0 | c >> 12);
            o[1] = (unsigned char)(0x80 | (c >> 6 & 0x3F));
            o[2] = (unsigned char)(0x80 | (c & 0x3F));
            o += 3;
        }
        else {
            o[0] = (unsigned char)(0xF0 | c >> 18);
            o[1] = (unsigned char)(0x80 | (c >> 12 & 0x3F));
            o[2] = (unsigned char)(0x80 | (c >> 6 & 0x3F));
            o[3] = (unsigned char)(0x80 | (c & 0x3F));
            o += 4;
        }
        i++;
    }
    w->len = (char *)o - w->buf;
    return result;
}

/* The same for Shift_JIS (CP932): at most 2 bytes a character; -2 for a character
 * CP932 lacks (the pure path applies the error handler). */
static inline Py_ALWAYS_INLINE Py_ssize_t
sjis_stretch(int kind, const EncodePlan *e, const void *data, Py_ssize_t i, Py_ssize_t n,
             Writer *w)
{
    if (writer_reserve(w, (n - i) * 2) < 0)
        return -1;
    unsigned char *o = (unsigned char *)w->buf + w->len;
    const uint16_t *cp932 = e->cp932_table;
    Py_ssize_t result = n;
    while (i < n) {
        Py_UCS4 c = char_at(kind, data, i);
        if (c < 0x80) {
            *o++ = (unsigned char)c;
            i++;
#if defined(__SSE2__)
            o = ascii_run(kind, data, &i, n, o);
#endif
            continue;
        }
        if (starts_run(e, c)) {
            result = i;
            break;
        }
        uint16_t code = c < 0x10000 ? cp932[c] : 0;
        if (code == 0) {
            result = -2;
            break;
        }
        if (code > 0xFF)
            *o++ = (unsigned char)(code >> 8);
        *o++ = (unsigned char)(code & 0xFF);
        i++;
    }
    w->len = (char *)o - w->buf;
    return result;
}

Py_ssize_t
put_stretch(const EncodePlan *e, int kind, const void *data, Py_ssize_t i, Py_ssize_t n,
            Writer *w)
{
    if (e->output == OUT_UTF8) {
        if (kind == PyUnicode_1BYTE_KIND)
            return utf8_stretch(PyUnicode_1BYTE_KIND, e, data, i, n, w);
        if (kind == PyUnicode_2BYTE_KIND)
            return utf8_stretch(PyUnicode_2BYTE_KIND, e, data, i, n, w);
        return utf8_stretch(PyUnicode_4BYTE_KIND, e, data, i, n, w);
    }
    if (kind == PyUnicode_1BYTE_KIND)
        return sjis_stretch(PyUnicode_1BYTE_KIND, e, data, i, n, w);
    if (kind == PyUnicode_2BYTE_KIND)
        return sjis_stretch(PyUnicode_2BYTE_KIND, e, data, i, n, w);
    return sjis_stretch(PyUnicode_4BYTE_KIND, e, data, i, n, w);
}

/* ------------------------------------------------------- values of runs */

/* Write one character in the output charset at *o* (room for 4 bytes): the bytes
 * written, or 0 when the charset cannot carry it (the pure path applies the handler). */
static inline int
encode_char(const EncodePlan *e, Py_UCS4 c, unsigned char *o)
{
    if (c < 0x80) {
        o[0] = (unsigned char)c;
        return 1;
    }
    if (e->output == OUT_UTF8) {
        if (c < 0x800) {
            o[0] = (unsigned char)(0xC0 | c >> 6);
            o[1] = (unsigned char)(0x80 | (c & 0x3F));
            return 2;
        }
        if (c < 0x10000) {
            if (c >= 0xD800 && c <= 0xDFFF)
                return 0;
            o[0] = (unsigned char)(0xE0 | c >> 12);
            o[1] = (unsigned char)(0x80 | (c >> 6 & 0x3F));
            o[2] = (unsigned char)(0x80 | (c & 0x3F));
            return 3;
        }
        o[0] = (unsigned char)(0xF0 | c >> 18);
        o[1] = (unsigned char)(0x80 | (c >> 12 & 0x3F));
        o[2] = (unsigned char)(0x80 | (c >> 6 & 0x3F));
        o[3] = (unsigned char)(0x80 | (c & 0x3F));
        return 4;
    }
    uint16_t code = c < 0x10000 ? e->cp932_table[c] : 0;
    if (code == 0)
        return 0;
    if (code <= 0xFF) {
        o[0] = (unsigned char)code;
        return 1;
    }
    o[0] = (unsigned char)(code >> 8);
    o[1] = (unsigned char)(code & 0xFF);
    return 2;
}

/* Append the output of one run (str for the base encoder, or bytes); 0, 1 (the pure
 * path must: a character the charset lacks) or -1 on error. Webcode escapes of one
 * group side by side share one. */
int
put_value(Encoder *st, PyObject *value)
{
    Writer *w = &st->out;
    if (PyBytes_Check(value)) {
        Py_ssize_t n = PyBytes_GET_SIZE(value);
        if (writer_reserve(w, n) < 0)
            return -1;
        memcpy(w->buf + w->len, PyBytes_AS_STRING(value), n);
        w->len += n;
        return 0;
    }
    if (!PyUnicode_Check(value))
        return 1;
    int kind = PyUnicode_KIND(value);
    const void *data = PyUnicode_DATA(value);
    Py_ssize_t n = PyUnicode_GET_LENGTH(value);
    Py_ssize_t k = 0;
    int webcode = st->plan->output == OUT_WEBCODE;
    if (webcode && n >= 3 && PyUnicode_READ(kind, data, 0) == 0x1B &&
        PyUnicode_READ(kind, data, 1) == '$' && w->len == st->escape_end && w->len > 0 &&
        PyUnicode_READ(kind, data, 2) == st->escape_group) {
        w->len--; /* continue the last escape: drop its SI and this escape's head */
        k = 3;
    }
    if (n - k > (PY_SSIZE_T_MAX - w->len) / 4 || writer_reserve(w, (n - k) * 4) < 0)
        return -1; /* room for every character at 4 bytes: no write below passes it */
    for (; k < n; k++) {
        unsigned char *o = (unsigned char *)w->buf + w->len;
        int used = encode_char(st->plan, PyUnicode_READ(kind, data, k), o);
        if (used == 0)
            return 1;
        w->len += used;
    }
    if (webcode && n >= 4 && PyUnicode_READ(kind, data, n - 1) == 0x0F) {
        for (Py_ssize_t j = n - 3; j >= 0; j--) { /* ESC $ group: 3 characters */
            if (PyUnicode_READ(kind, data, j) == 0x1B) {
                st->escape_end = w->len;
                st->escape_group = PyUnicode_READ(kind, data, j + 2);
                break;
            }
        }
    }
    return 0;
}
