/* carrier_emoji._speedups: the codecs' common case in C.
 *
 * DecodePlan and EncodePlan (_speedups_decode.c, _speedups_encode.c) hold the tables of
 * one codec for one emoji index, built by carrier_emoji/_accel.py from the index in
 * force, never compiled in: operators replace the emoji table at run time.
 *
 * Codec is what the codecs registry calls (CodecInfo.decode and .encode are its bound
 * methods), so that a call reaches C at once: it reads the switch (the accelerator is
 * on while a namespace holds a value that is not None under a name: _accel.speedups)
 * and the index in force (state._index), keeps the plans of that index, and runs them;
 * when the switch is off, or a plan declines, it calls the pure-Python function.
 * See _speedups.h for what a plan promises.
 */
#include "_speedups.h"

static PyObject *strict; /* "strict", the default error handler (immutable) */

typedef struct {
    PyObject_HEAD
    PyObject *switch_ns, *switch_name; /* on while switch_ns[switch_name] is not None */
    PyObject *index_ns, *index_name;   /* the index in force: index_ns[index_name] */
    PyObject *plans;       /* plans(index or None) -> (index, DecodePlan, EncodePlan) */
    PyObject *pure_decode; /* pure_decode(data, errors) -> str */
    PyObject *pure_encode; /* pure_encode(text, errors) -> bytes */
    /* The plans of the last index seen (NULL until the first call): replaced together
     * while the GIL is held, read by a call that then holds its own reference. */
    PyObject *index, *decode_plan, *encode_plan;
} Codec;

static PyTypeObject CodecType;

/* 1 when the accelerator is switched on, 0 when off, -1 on error. */
static int
codec_on(Codec *self)
{
    PyObject *value = PyDict_GetItemWithError(self->switch_ns, self->switch_name);
    if (value == NULL)
        return PyErr_Occurred() ? -1 : 0;
    return value != Py_None;
}

/* The decode (0) or encode (1) plan of the index in force: a new reference, or NULL. */
static PyObject *
codec_plan(Codec *self, int encode)
{
    PyObject *index = PyDict_GetItemWithError(self->index_ns, self->index_name);
    if (index == NULL && PyErr_Occurred())
        return NULL;
    if (index != NULL && index != Py_None && index == self->index)
        return Py_NewRef(encode ? self->encode_plan : self->decode_plan);
    PyObject *got = PyObject_CallOneArg(self->plans, index != NULL ? index : Py_None);
    if (got == NULL)
        return NULL;
    if (!PyTuple_Check(got) || PyTuple_GET_SIZE(got) != 3 ||
        !PyObject_TypeCheck(PyTuple_GET_ITEM(got, 1), &DecodePlanType) ||
        !PyObject_TypeCheck(PyTuple_GET_ITEM(got, 2), &EncodePlanType)) {
        PyErr_SetString(PyExc_TypeError,
                        "Codec: plans() must return (index, DecodePlan, EncodePlan)");
        Py_DECREF(got);
        return NULL;
    }
    PyObject *result = Py_NewRef(PyTuple_GET_ITEM(got, encode ? 2 : 1));
    PyObject *old_index = self->index, *old_decode = self->decode_plan,
             *old_encode = self->encode_plan;
    self->index = Py_NewRef(PyTuple_GET_ITEM(got, 0));
    self->decode_plan = Py_NewRef(PyTuple_GET_ITEM(got, 1));
    self->encode_plan = Py_NewRef(PyTuple_GET_ITEM(got, 2));
    /* Only now, with the cache whole again: a release may run Python code. */
    Py_XDECREF(old_index);
    Py_XDECREF(old_decode);
    Py_XDECREF(old_encode);
    Py_DECREF(got);
    return result;
}

/* (value, size) as the codecs registry wants it; steals *value*. */
static PyObject *
pair(PyObject *value, Py_ssize_t size)
{
    PyObject *number = PyLong_FromSsize_t(size);
    PyObject *result = number != NULL ? PyTuple_Pack(2, value, number) : NULL;
    Py_XDECREF(number);
    Py_DECREF(value);
    return result;
}

static int
check_args(const char *name, Py_ssize_t nargs)
{
    if (nargs >= 1 && nargs <= 2)
        return 0;
    PyErr_Format(PyExc_TypeError, "%s() takes 1 or 2 positional arguments (%zd given)",
                 name, nargs);
    return -1;
}

static PyObject *
codec_decode(Codec *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (check_args("decode", nargs) < 0)
        return NULL;
    PyObject *data = args[0], *errors = nargs > 1 ? args[1] : strict;
    PyObject *text = NULL;
    int on = codec_on(self);
    if (on < 0)
        return NULL;
    if (on) {
        PyObject *plan = codec_plan(self, 0);
        if (plan == NULL)
            return NULL;
        Py_buffer view;
        if (PyObject_GetBuffer(data, &view, PyBUF_SIMPLE) == 0) {
            text = decode_plan_run((DecodePlan *)plan, view.buf, view.len);
            PyBuffer_Release(&view);
        }
        else if (PyErr_ExceptionMatches(PyExc_TypeError) ||
                 PyErr_ExceptionMatches(PyExc_BufferError)) {
            PyErr_Clear(); /* not bytes-like: the pure path says so, in its words */
            text = Py_NewRef(Py_None);
        }
        Py_DECREF(plan);
        if (text == NULL)
            return NULL;
        if (text == Py_None)
            Py_CLEAR(text);
    }
    if (text == NULL) {
        PyObject *call[2] = {data, errors};
        text = PyObject_Vectorcall(self->pure_decode, call, 2, NULL);
        if (text == NULL)
            return NULL;
    }
    Py_ssize_t size = PyBytes_CheckExact(data) ? PyBytes_GET_SIZE(data) : PyObject_Size(data);
    if (size < 0) {
        Py_DECREF(text);
        return NULL;
    }
    return pair(text, size);
}

static PyObject *
codec_encode(Codec *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (check_args("encode", nargs) < 0)
        return NULL;
    PyObject *text = args[0], *errors = nargs > 1 ? args[1] : strict;
    PyObject *data = NULL;
    int on = codec_on(self);
    if (on < 0)
        return NULL;
    if (on && PyUnicode_Check(text)) {
        PyObject *plan = codec_plan(self, 1);
        if (plan == NULL)
            return NULL;
        data = encode_plan_run((EncodePlan *)plan, text);
        Py_DECREF(plan);
        if (data == NULL)
            return NULL;
        if (data == Py_None)
            Py_CLEAR(data);
    }
    if (data == NULL) {
        PyObject *call[2] = {text, errors};
        data = PyObject_Vectorcall(self->pure_encode, call, 2, NULL);
        if (data == NULL)
            return NULL;
    }
    Py_ssize_t size = PyUnicode_Check(text) ? PyUnicode_GET_LENGTH(text) : PyObject_Size(text);
    if (size < 0) {
        Py_DECREF(data);
        return NULL;
    }
    return pair(data, size);
}

static PyObject *
codec_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *names[] = {"switch_ns", "switch_name", "index_ns",    "index_name",
                            "plans",     "pure_decode", "pure_encode", NULL};
    PyObject *switch_ns, *switch_name, *index_ns, *index_name, *plans, *pure_decode,
        *pure_encode;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O!UO!UOOO:Codec", names, &PyDict_Type,
                                     &switch_ns, &switch_name, &PyDict_Type, &index_ns,
                                     &index_name, &plans, &pure_decode, &pure_encode))
        return NULL;
    if (!PyCallable_Check(plans) || !PyCallable_Check(pure_decode) ||
        !PyCallable_Check(pure_encode)) {
        PyErr_SetString(PyExc_TypeError, "Codec: plans, pure_decode, pure_encode: callables");
        return NULL;
    }
    Codec *self = (Codec *)type->tp_alloc(type, 0);
    if (self == NULL)
        return NULL;
    self->switch_ns = Py_NewRef(switch_ns);
    self->switch_name = Py_NewRef(switch_name);
    self->index_ns = Py_NewRef(index_ns);
    self->index_name = Py_NewRef(index_name);
    self->plans = Py_NewRef(plans);
    self->pure_decode = Py_NewRef(pure_decode);
    self->pure_encode = Py_NewRef(pure_encode);
    return (PyObject *)self;
}

static int
codec_traverse(Codec *self, visitproc visit, void *arg)
{
    Py_VISIT(self->switch_ns);
    Py_VISIT(self->switch_name);
    Py_VISIT(self->index_ns);
    Py_VISIT(self->index_name);
    Py_VISIT(self->plans);
    Py_VISIT(self->pure_decode);
    Py_VISIT(self->pure_encode);
    Py_VISIT(self->index);
    Py_VISIT(self->decode_plan);
    Py_VISIT(self->encode_plan);
    return 0;
}

/* Drop the cached plans only (a later call builds them again); the callables stay, so
 * a Codec is never left unable to run. */
static int
codec_clear(Codec *self)
{
    PyObject *index = self->index, *decode = self->decode_plan, *encode = self->encode_plan;
    self->index = self->decode_plan = self->encode_plan = NULL;
    Py_XDECREF(index);
    Py_XDECREF(decode);
    Py_XDECREF(encode);
    return 0;
}

static void
codec_dealloc(Codec *self)
{
    PyObject_GC_UnTrack(self);
    codec_clear(self);
    Py_CLEAR(self->switch_ns);
    Py_CLEAR(self->switch_name);
    Py_CLEAR(self->index_ns);
    Py_CLEAR(self->index_name);
    Py_CLEAR(self->plans);
    Py_CLEAR(self->pure_decode);
    Py_CLEAR(self->pure_encode);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyMethodDef codec_methods[] = {
    {"decode", (PyCFunction)(void (*)(void))codec_decode, METH_FASTCALL,
     "decode(data, errors='strict') -> (str, size), as CodecInfo.decode."},
    {"encode", (PyCFunction)(void (*)(void))codec_encode, METH_FASTCALL,
     "encode(text, errors='strict') -> (bytes, size), as CodecInfo.encode."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject CodecType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "carrier_emoji._speedups.Codec",
    .tp_doc = "Codec(switch_ns, switch_name, index_ns, index_name, plans, pure_decode,"
              " pure_encode)\n\n"
              "The functions of one codec for the codecs registry (see the module's source).",
    .tp_basicsize = sizeof(Codec),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_new = codec_new,
    .tp_dealloc = (destructor)codec_dealloc,
    .tp_traverse = (traverseproc)codec_traverse,
    .tp_clear = (inquiry)codec_clear,
    .tp_methods = codec_methods,
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    "carrier_emoji._speedups",
    "The carrier codecs' common case in C; None from a plan means: use the pure path.",
    -1,
    NULL,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    if (PyType_Ready(&DecodePlanType) < 0 || PyType_Ready(&EncodePlanType) < 0 ||
        PyType_Ready(&CodecType) < 0)
        return NULL;
    if (strict == NULL && (strict = PyUnicode_InternFromString("strict")) == NULL)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL)
        return NULL;
    if (PyModule_AddObjectRef(m, "DecodePlan", (PyObject *)&DecodePlanType) < 0 ||
        PyModule_AddObjectRef(m, "EncodePlan", (PyObject *)&EncodePlanType) < 0 ||
        PyModule_AddObjectRef(m, "Codec", (PyObject *)&CodecType) < 0 ||
        PyModule_AddIntConstant(m, "OUT_SJIS", OUT_SJIS) < 0 ||
        PyModule_AddIntConstant(m, "OUT_UTF8", OUT_UTF8) < 0 ||
        PyModule_AddIntConstant(m, "OUT_WEBCODE", OUT_WEBCODE) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
