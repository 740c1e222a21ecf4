/* dockmod e2e sample: the smallest useful C extension (needs gcc and Python.h). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *sum_squares(PyObject *self, PyObject *args) {
    long n, i, total = 0;
    if (!PyArg_ParseTuple(args, "l", &n))
        return NULL;
    for (i = 1; i <= n; i++)
        total += i * i;
    return PyLong_FromLong(total);
}

static PyMethodDef methods[] = {
    {"sum_squares", sum_squares, METH_VARARGS, "Sum of i*i for i in 1..n."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "fastsum", NULL, -1, methods};

PyMODINIT_FUNC PyInit_fastsum(void) { return PyModule_Create(&module); }
