/* fastsum: a small C extension, compiled in the image with the build packages the Dockerfile installs. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *total(PyObject *self, PyObject *arg) {
    long long sum = 0;
    PyObject *it = PyObject_GetIter(arg), *item;
    if (!it) return NULL;
    while ((item = PyIter_Next(it))) {
        sum += PyLong_AsLongLong(item);
        Py_DECREF(item);
        if (PyErr_Occurred()) break;
    }
    Py_DECREF(it);
    if (PyErr_Occurred()) return NULL;
    return PyLong_FromLongLong(sum);
}

static PyMethodDef methods[] = {
    {"total", total, METH_O, "The sum of an iterable of integers."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "fastsum", "Sums in C.", -1, methods};

PyMODINIT_FUNC PyInit_fastsum(void) {
    return PyModule_Create(&module);
}
