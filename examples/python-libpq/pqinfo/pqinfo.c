/* pqinfo: a C extension that links libpq (libpq.so.5), the way psycopg2 built from source does. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <libpq-fe.h>

static PyObject *version(PyObject *self, PyObject *unused) {
    return PyLong_FromLong(PQlibVersion());
}

static PyMethodDef methods[] = {
    {"version", version, METH_NOARGS, "The version of the libpq this module is linked with (PQlibVersion)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "pqinfo", "libpq's version, from libpq itself.", -1, methods};

PyMODINIT_FUNC PyInit_pqinfo(void) {
    return PyModule_Create(&module);
}
