/* The Python API of the sampler: start, stop, is_tracking, live, peak, totals, track_numpy. memlens_native's
 * __init__.py wraps it with defaults, checks and named results. The views are copied out of the
 * table under the lock into the C library's memory, and turned into Python objects only after
 * the lock is released: building them allocates, and the hooks take the same lock. */
#include "sampler.h"

#include <stdlib.h>
#include <string.h>

/* One stack of a view, copied out of the tables under the lock. */
typedef struct {
    uint32_t first, depth;
    uint64_t bytes, count, blocks;  /* blocks in ML_BLOCK_UNITS */
} view_row;

typedef struct {
    view_row *rows;
    size_t nrows;
    ml_frame *frames;
} view_copy;

static int start_session(double interval, int frames, unsigned long long seed, double margin)
{
    ml_hooks_remove();
    pthread_mutex_lock(&ml_state.lock);
    ml_table_clear();
    pthread_mutex_unlock(&ml_state.lock);
    /* No other thread adds a stack with frames without the GIL, which this thread holds. */
    ml_stacks_release();
    ml_stacks.max_frames = frames;
    ml_state.peak_margin = margin;
    ml_sampling_configure(interval, (uint64_t)seed);
    return ml_hooks_install();
}

static PyObject *sampler_start(PyObject *self, PyObject *args)
{
    (void)self;
    double interval, margin;
    int frames;
    unsigned long long seed;
    if (!PyArg_ParseTuple(args, "diKd", &interval, &frames, &seed, &margin))
        return NULL;
#ifdef Py_GIL_DISABLED
    PyErr_SetString(PyExc_RuntimeError,
                    "the MemLens sampler does not run on a free-threaded Python: its allocator hooks "
                    "assume the GIL");
    return NULL;
#endif
    if (!(interval >= 1.0) || frames < 0 || frames > ML_MAX_FRAMES || !(margin >= 0.0)) {
        PyErr_Format(PyExc_ValueError, "interval must be >= 1, frames 0..%d, peak_margin >= 0", ML_MAX_FRAMES);
        return NULL;
    }
    if (start_session(interval, frames, seed, margin) != 0)
        return PyErr_NoMemory();
    Py_RETURN_NONE;
}

static PyObject *sampler_stop(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    ml_hooks_remove();
    Py_RETURN_NONE;
}

static PyObject *sampler_is_tracking(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    return PyBool_FromLong(ml_hooks_installed());
}

/* Copies the live (peak == 0) or peak (peak == 1) per-stack totals of every stack with bytes.
 * Lock held. Returns -1 if the C library has no memory. */
static int copy_view(int peak, view_copy *out)
{
    uint32_t n = peak ? ml_stacks.peak_nstacks : ml_stacks.nstacks;
    out->rows = malloc((n ? n : 1) * sizeof(view_row));
    out->frames = malloc((ml_stacks.nframes ? ml_stacks.nframes : 1) * sizeof(ml_frame));
    out->nrows = 0;
    if (out->rows == NULL || out->frames == NULL) {
        free(out->rows);
        free(out->frames);
        return -1;
    }
    memcpy(out->frames, ml_stacks.frames, ml_stacks.nframes * sizeof(ml_frame));
    for (uint32_t id = 0; id < n; id++) {
        const ml_stack *s = &ml_stacks.stacks[id];
        uint64_t count = peak ? ml_stacks.peak_count[id] : s->live_count;
        if (count == 0)
            continue;
        uint64_t bytes = peak ? ml_stacks.peak_bytes[id] : s->live_bytes;
        uint64_t blocks = peak ? ml_stacks.peak_blocks[id] : s->live_blocks;
        out->rows[out->nrows++] = (view_row){ s->first, s->depth, bytes, count, blocks };
    }
    return 0;
}

/* [(((filename, lineno), ...innermost first), estimated bytes, samples, estimated blocks), ...]; stacks that differ
 * only in instructions on the same lines are separate rows here, merged by the Python wrapper. */
static PyObject *view_to_list(const view_copy *v)
{
    PyObject *list = PyList_New((Py_ssize_t)v->nrows);
    if (list == NULL)
        return NULL;
    for (size_t r = 0; r < v->nrows; r++) {
        const view_row *row = &v->rows[r];
        PyObject *stack = PyTuple_New(row->depth);
        if (stack == NULL)
            goto fail;
        for (uint32_t i = 0; i < row->depth; i++) {
            const ml_frame *f = &v->frames[row->first + i];
            PyObject *pair = Py_BuildValue("(Oi)", ((PyCodeObject *)f->code)->co_filename, ml_frame_line(f));
            if (pair == NULL) {
                Py_DECREF(stack);
                goto fail;
            }
            PyTuple_SET_ITEM(stack, i, pair);
        }
        /* A fraction: the wrapper sums the rows of one line before it rounds. */
        double blocks = (double)row->blocks / ML_BLOCK_UNITS;
        PyObject *item = Py_BuildValue("(NKKd)", stack, (unsigned long long)row->bytes, (unsigned long long)row->count,
                                       blocks);
        if (item == NULL)
            goto fail;
        PyList_SET_ITEM(list, (Py_ssize_t)r, item);
    }
    return list;
fail:
    Py_DECREF(list);
    return NULL;
}

/* The tracker's own reporting is not the program's memory: its allocations pass untracked. */
static PyObject *view(int peak, uint64_t *total, uint64_t *samples, double *when, uint64_t *copies)
{
    ml_thread *t = &ml_tls;
    int was = t->in_hook;
    t->in_hook = 1;
    view_copy v;
    pthread_mutex_lock(&ml_state.lock);
    int failed = copy_view(peak, &v);
    *total = peak ? ml_state.peak_total : ml_state.live;
    *samples = ml_state.live_samples;
    *when = ml_state.peak_time;
    *copies = ml_state.peak_copies;
    pthread_mutex_unlock(&ml_state.lock);
    PyObject *list = failed ? PyErr_NoMemory() : view_to_list(&v);
    if (!failed) {
        free(v.rows);
        free(v.frames);
    }
    t->in_hook = was;
    return list;
}

/* (view, estimated live bytes, live samples), the totals read under the same lock as the view */
static PyObject *sampler_live(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    uint64_t total, samples, copies;
    double when;
    PyObject *list = view(0, &total, &samples, &when, &copies);
    if (list == NULL)
        return NULL;
    return Py_BuildValue("(NKK)", list, (unsigned long long)total, (unsigned long long)samples);
}

/* (view, estimated total at the peak copy, its time.monotonic() seconds, copies taken) */
static PyObject *sampler_peak(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    uint64_t total, samples, copies;
    double when;
    PyObject *list = view(1, &total, &samples, &when, &copies);
    if (list == NULL)
        return NULL;
    return Py_BuildValue("(NKdK)", list, (unsigned long long)total, when, (unsigned long long)copies);
}

/* (estimated live bytes, their high, samples taken, samples live, allocations seen) */
static PyObject *sampler_totals(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    uint64_t seen = ml_sampling_take_unflushed(&ml_tls);
    pthread_mutex_lock(&ml_state.lock);
    ml_state.allocations += seen;
    unsigned long long live = ml_state.live, high = ml_state.high, samples = ml_state.samples;
    unsigned long long live_samples = ml_state.live_samples, allocations = ml_state.allocations;
    pthread_mutex_unlock(&ml_state.lock);
    return Py_BuildValue("(KKKKK)", live, high, samples, live_samples, allocations);
}

/* Installs the numpy handler in the calling context: None, or a sentence saying why not. */
static PyObject *sampler_track_numpy(PyObject *self, PyObject *api_capsule)
{
    (void)self;
    return ml_numpy_track(api_capsule);
}

static PyMethodDef methods[] = {
    { "start", sampler_start, METH_VARARGS, "start(interval, frames, seed, peak_margin): install the hooks, new session" },
    { "stop", sampler_stop, METH_NOARGS, "stop(): put the replaced allocators back; the views stay readable" },
    { "is_tracking", sampler_is_tracking, METH_NOARGS, "is_tracking() -> bool" },
    { "live", sampler_live, METH_NOARGS, "live() -> ([(stack, bytes, samples, blocks)], live bytes, live samples), stacks innermost first" },
    { "peak", sampler_peak, METH_NOARGS, "peak() -> ([(stack, bytes, samples, blocks)], total, monotonic time, copies)" },
    { "track_numpy", sampler_track_numpy, METH_O,
      "track_numpy(_ARRAY_API capsule) -> None or why not: route numpy's array data through the sampler" },
    { "totals", sampler_totals, METH_NOARGS, "totals() -> (live, high, samples, live samples, allocations)" },
    { NULL, NULL, 0, NULL },
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_sampler", "MemLens's sampling allocation tracker (PEP 445 hooks).", -1, methods,
    NULL, NULL, NULL, NULL,
};

/* Built with -fvisibility=hidden; Python 3.8's PyMODINIT_FUNC does not mark the entry exported. */
__attribute__((visibility("default"))) PyMODINIT_FUNC PyInit__sampler(void)
{
    static int ready;
    if (!ready) {
        if (ml_table_init() != 0 || ml_stacks_init() != 0)
            return PyErr_NoMemory();
        if (ml_fork_handlers_install() != 0) {
            PyErr_SetString(PyExc_OSError, "pthread_atfork failed");
            return NULL;
        }
        ready = 1;
    }
    return PyModule_Create(&module);
}
