/* carrier_emoji._speedups: what the module's three source files share.
 *
 * _speedups.c         the module and the Codec type (what the codecs registry calls)
 * _speedups_decode.c  DecodePlan: bytes -> internal text (Shift_JIS, references, webcodes)
 * _speedups_utf8.c    DecodePlan's UTF-8 decoding
 * _speedups_encode.c  EncodePlan: internal text -> bytes (the type, runs of emoji)
 * _speedups_text.c    EncodePlan's output: text between runs, values of runs
 *
 * A plan holds the tables of one codec for one emoji index (built by
 * carrier_emoji/_accel.py, once per index, codec and fallback) and does the common
 * case: it returns the exact result of the pure-Python codec, or None when the input
 * needs anything else (invalid bytes, a character the charset lacks, an error handler);
 * the pure-Python path then does the work. Errors and their offsets are never made here.
 *
 * Memory: every write into an output buffer is preceded by a check of its room
 * (buffers grow, or the call fails with MemoryError); a plan and its tables are
 * immutable once built, so threads share them freely; a call holds a reference to
 * the plan it runs, so an index installed meanwhile cannot free it.
 */
#ifndef CARRIER_EMOJI_SPEEDUPS_H
#define CARRIER_EMOJI_SPEEDUPS_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#ifndef Py_ALWAYS_INLINE
#define Py_ALWAYS_INLINE
#endif

/* Characters of str data of a kind known where the function is inlined: with a
 * constant kind, the compiler makes one loop per width (UCS1, UCS2, UCS4). */
static inline Py_ALWAYS_INLINE Py_UCS4
char_at(int kind, const void *data, Py_ssize_t i)
{
    if (kind == PyUnicode_1BYTE_KIND)
        return ((const Py_UCS1 *)data)[i];
    if (kind == PyUnicode_2BYTE_KIND)
        return ((const Py_UCS2 *)data)[i];
    return ((const Py_UCS4 *)data)[i];
}

/* A reader over bytes or over a str, so the reference and webcode parsers serve
 * both decoders. */
typedef struct {
    const uint8_t *bytes; /* the bytes, or NULL for str data */
    int kind;
    const void *data;
    Py_ssize_t len;
} Source;

static inline Py_UCS4
source_at(const Source *s, Py_ssize_t i)
{
    return s->bytes ? s->bytes[i] : PyUnicode_READ(s->kind, s->data, i);
}

/* ------------------------------------------------------------------ decoding */

/* Webcode groups, in the order of DecodePlan.webcodes: "GEFOPQ", 90 codes each
 * (bytes 0x21-0x7A). */
#define WEBCODE_GROUPS "GEFOPQ"
#define WEBCODE_CODES 0x5A

typedef struct {
    PyObject_HEAD
    int sjis;            /* 1: Shift_JIS bytes; 0: UTF-8 */
    int softbank_fb;     /* Shift_JIS: SoftBank's FB41-FBDE are emoji */
    PyObject *cp932;     /* Shift_JIS: bytes of 65536 native uint16; else None */
    const uint16_t *cp932_table;
    PyObject *emoji;     /* tuple: key (str) or None per code from emoji_first */
    Py_ssize_t emoji_first;
    PyObject *astral;    /* UTF-8: dict code point -> key for planes 15-16 */
    PyObject *by_pua;    /* DoCoMo references: dicts int -> key, or None */
    PyObject *by_sjis;
    PyObject *webcodes;  /* SoftBank: tuple of 6 * 90 keys or None, or None */
} DecodePlan;

extern PyTypeObject DecodePlanType;

/* Decode *n* bytes: a new str, a new reference to None (the pure path must), or NULL
 * with an exception set. */
PyObject *decode_plan_run(DecodePlan *plan, const uint8_t *data, Py_ssize_t n);
PyObject *decode_utf8(const DecodePlan *plan, const uint8_t *data, Py_ssize_t n);

/* At '&': a DoCoMo reference "&#xHHHH;" (hex: private use) or "&#DDDDD;" (decimal:
 * Shift_JIS). Returns 8 with *key the emoji (borrowed), or NULL when no emoji has that
 * code (the reference stays text); 0 when it is no reference; -1 on error. */
Py_ssize_t parse_reference(const Source *s, Py_ssize_t i, const DecodePlan *plan,
                           PyObject **key);
/* At ESC: a SoftBank webcode run "ESC $ g c... [SI]". Returns its length, with *group
 * (0-5) and *codes, the number of code bytes (each has a key); 0 when it is no webcode
 * (a plain ESC, which stays text); -2 when the run is invalid (the pure path reports). */
Py_ssize_t parse_webcode(const Source *s, Py_ssize_t i, const DecodePlan *plan, int *group,
                         Py_ssize_t *codes);
/* The key of webcode byte *c* of group *group* (0-5), borrowed; NULL when none. */
PyObject *webcode_key(const DecodePlan *plan, int group, Py_UCS4 c);

/* ------------------------------------------------------------------ encoding */

enum { OUT_SJIS = 0, OUT_UTF8 = 1, OUT_WEBCODE = 2 };
#define SINGLE_RANGES 8

typedef struct {
    PyObject_HEAD
    int output;              /* OUT_SJIS, OUT_UTF8 or OUT_WEBCODE */
    Py_UCS4 astral_first;    /* astral characters from here on start a run */
    int astral_more;         /* astral characters continue a run */
    PyObject *emap;          /* dict: spelling -> str | bytes | None */
    PyObject *resolve;       /* callable: run -> str | bytes, raising when it cannot */
    PyObject *cp932;         /* bytes of 65536 native uint16 (0: not in CP932), or None */
    const uint16_t *cp932_table;
    /* Direct tables of one-emoji runs: ranges of characters, each an entry None or
     * (value alone, value with U+FE0F); keycaps: per ASCII base character, None or
     * (value of base U+20E3, value of base U+FE0F U+20E3). Values: str | bytes | None. */
    PyObject *singles;       /* tuple of (first character, tuple of entries) */
    Py_ssize_t nsingles;
    Py_UCS4 single_first[SINGLE_RANGES];
    Py_ssize_t single_size[SINGLE_RANGES];
    PyObject *single_table[SINGLE_RANGES]; /* borrowed from singles */
    PyObject *keycaps;       /* tuple of 128 entries */
    uint8_t first[8192];     /* bitmaps of the BMP: starts a run, continues one */
    uint8_t more[8192];
} EncodePlan;

extern PyTypeObject EncodePlanType;

/* Encode str *text*: new bytes, a new reference to None (the pure path must), or NULL
 * with an exception set. */
PyObject *encode_plan_run(EncodePlan *plan, PyObject *text);

static inline int
bit(const uint8_t *map, Py_UCS4 c)
{
    return map[c >> 3] >> (c & 7) & 1;
}

static inline int
starts_run(const EncodePlan *e, Py_UCS4 c)
{
    return c < 0x10000 ? bit(e->first, c) : c >= e->astral_first;
}

/* Bytes being written: a bytes object owned by the writer until finished. Every write
 * is preceded by writer_reserve() of its size, or of more. */
typedef struct {
    PyObject *bytes;
    char *buf;
    Py_ssize_t len, cap;
} Writer;

int writer_reserve(Writer *w, Py_ssize_t extra);

/* One call: the plan, the bytes written, and webcode merging (where the last escape's
 * SI was written, and its group). */
typedef struct {
    const EncodePlan *plan;
    Writer out;
    Py_ssize_t escape_end;
    Py_UCS4 escape_group;
} Encoder;

/* _speedups_text.c: write text[i:n] up to the first character that starts a run, and
 * return its index (n at the end); -2 when a character cannot be written (a lone
 * surrogate, a character CP932 lacks: the pure path reports it), -1 on error. */
Py_ssize_t put_stretch(const EncodePlan *e, int kind, const void *data, Py_ssize_t i,
                       Py_ssize_t n, Writer *w);
/* Append the output of one run (str for the base encoder, or bytes); 0, 1 (the pure
 * path must: a character the charset lacks) or -1 on error. */
int put_value(Encoder *st, PyObject *value);

#endif
