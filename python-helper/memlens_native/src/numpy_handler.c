/* numpy's array data through the sampler (NEP 49). numpy >= 1.22 lets a program replace the
 * allocator of array data buffers with PyDataMem_SetHandler; numpy's default allocator calls the
 * C library's malloc directly, so without this the PEP 445 hooks never see an array's data. The
 * handler installed here wraps the handler it replaces and feeds the same per-thread countdown,
 * table and stacks as the hooks, so arrays land on the lines that made them.
 *
 * The module is built without numpy's headers (it is built for each Python, where numpy is not
 * installed, and one build serves every numpy): the handler's layout is declared here, and the
 * two functions are taken at run time from numpy's C-API table, the `_ARRAY_API` capsule that
 * numpy's own import_array() reads, after the checks import_array() makes (ABI and feature
 * version). numpy has no Python-level way to set a handler (only get_handler_name/version), and
 * the table's indices are part of numpy's ABI: never moved, only retired.
 *
 * numpy keeps the current handler in a ContextVar: setting it applies to the calling thread's
 * context (and to contexts copied from it later, such as asyncio tasks). Threads start with an
 * empty context, hence numpy's default handler; each array keeps the handler that allocated it
 * and is freed through it, whichever thread frees it. */
#include "sampler.h"

#include <stdio.h>
#include <stdlib.h>

/* numpy/ndarraytypes.h, PyDataMemAllocator and PyDataMem_Handler, version 1 of the handler: the
 * layout of numpy 1.22 through 2.x. numpy adds fields only after `free`, with a new version. */
typedef struct {
    void *ctx;
    void *(*malloc)(void *ctx, size_t size);
    void *(*calloc)(void *ctx, size_t nelem, size_t elsize);
    void *(*realloc)(void *ctx, void *ptr, size_t new_size);
    void (*free)(void *ctx, void *ptr, size_t size);
} np_allocator;

typedef struct {
    char name[127];
    uint8_t version;
    np_allocator allocator;
} np_handler;

#define NP_HANDLER_VERSION 1
/* numpy looks handlers up with PyCapsule_GetPointer under this name; it must outlive the capsule. */
static const char capsule_name[] = "mem_handler";

/* Indices in numpy's C-API table (numpy_api.py in numpy's code generators, 1.22 to 2.x). */
#define NP_API_ABI_VERSION 0        /* unsigned int PyArray_GetNDArrayCVersion(void) */
#define NP_API_FEATURE_VERSION 211  /* unsigned int PyArray_GetNDArrayCFeatureVersion(void) */
#define NP_API_SET_HANDLER 304      /* PyObject *PyDataMem_SetHandler(PyObject *handler) */
#define NP_API_GET_HANDLER 305      /* PyObject *PyDataMem_GetHandler(void) */
/* NPY_1_22_API_VERSION: the feature version that added the two handler functions. */
#define NP_FEATURE_1_22 0x0000000Fu
/* The ABI majors whose tables were checked to hold the four functions above (NPY_ABI_VERSION
 * 0x01000009 for numpy 1.x, 0x02000000 for 2.x). */
#define NP_ABI_MAJOR_MIN 1
#define NP_ABI_MAJOR_MAX 2

/* One per handler replaced. The capsule given to numpy owns it: every array holds a reference to
 * its handler's capsule until its data is freed, so the wrapper outlives the buffers it made. */
typedef struct {
    np_handler handler;       /* what numpy calls; its ctx is this wrapper */
    np_allocator inner;       /* the replaced handler's allocator */
    PyObject *inner_capsule;  /* keeps the replaced handler (and its ctx) alive */
} wrapper;

/* When no session is tracking, each call goes straight to the replaced allocator: buffers
 * allocated while tracking stay valid and are freed correctly after stop(). The re-entry flag is
 * set around the inner call, so an inner handler that uses Python's allocators is not counted a
 * second time by the PEP 445 hooks. numpy may call these without the GIL (record checks it). */
static void *wrapped_malloc(void *ctx, size_t size)
{
    const wrapper *w = ctx;
    ml_thread *t = &ml_tls;
    if (t->in_hook || !ml_hooks_installed())
        return w->inner.malloc(w->inner.ctx, size);
    t->in_hook = 1;
    void *ptr = w->inner.malloc(w->inner.ctx, size);
    if (ptr != NULL && ml_sampling_take(t, size))
        ml_record_sample(t, ptr, size, 1);
    t->in_hook = 0;
    return ptr;
}

static void *wrapped_calloc(void *ctx, size_t nelem, size_t elsize)
{
    const wrapper *w = ctx;
    ml_thread *t = &ml_tls;
    if (t->in_hook || !ml_hooks_installed())
        return w->inner.calloc(w->inner.ctx, nelem, elsize);
    t->in_hook = 1;
    void *ptr = w->inner.calloc(w->inner.ctx, nelem, elsize);
    /* A successful calloc's product did not overflow. */
    if (ptr != NULL && ml_sampling_take(t, nelem * elsize))
        ml_record_sample(t, ptr, nelem * elsize, 1);
    t->in_hook = 0;
    return ptr;
}

/* As the PEP 445 realloc: the old block's sample leaves first, and comes back if the call fails. */
static void *wrapped_realloc(void *ctx, void *ptr, size_t size)
{
    const wrapper *w = ctx;
    ml_thread *t = &ml_tls;
    if (t->in_hook || !ml_hooks_installed())
        return w->inner.realloc(w->inner.ctx, ptr, size);
    t->in_hook = 1;
    ml_entry gone;
    int had = ml_forget_sample(ptr, &gone);
    void *moved = w->inner.realloc(w->inner.ctx, ptr, size);
    if (moved == NULL) {
        if (had)
            ml_restore_sample(&gone);
    } else if (ml_sampling_take(t, size)) {
        ml_record_sample(t, moved, size, 1);
    }
    t->in_hook = 0;
    return moved;
}

/* numpy tells the size, but the table is keyed by pointer as for every domain. After stop() the
 * table is left as it was, as the PEP 445 domains leave it, so the views keep the session. */
static void wrapped_free(void *ctx, void *ptr, size_t size)
{
    const wrapper *w = ctx;
    if (ml_hooks_installed()) {
        ml_entry gone;
        ml_forget_sample(ptr, &gone);
    }
    w->inner.free(w->inner.ctx, ptr, size);
}

static void destroy_wrapper(PyObject *capsule)
{
    wrapper *w = PyCapsule_GetPointer(capsule, capsule_name);
    if (w == NULL) {
        PyErr_Clear();
        return;
    }
    Py_XDECREF(w->inner_capsule);
    free(w);
}

static PyObject *why_not(const char *format, unsigned int value)
{
    return PyUnicode_FromFormat(format, value);
}

typedef unsigned int (*version_fn)(void);
typedef PyObject *(*set_handler_fn)(PyObject *);
typedef PyObject *(*get_handler_fn)(void);

PyObject *ml_numpy_track(PyObject *api_capsule)
{
    if (!PyCapsule_CheckExact(api_capsule))
        return PyUnicode_FromString("numpy's _ARRAY_API is not a capsule");
    /* numpy 1.x names the capsule NULL; ask for whatever name it has. */
    void **api = PyCapsule_GetPointer(api_capsule, PyCapsule_GetName(api_capsule));
    if (api == NULL) {
        PyErr_Clear();
        return PyUnicode_FromString("numpy's _ARRAY_API capsule holds no table");
    }
    /* The feature version is read only once the ABI is known, and the handler functions only once
     * the feature version says the table is long enough to hold them. */
    unsigned int abi = ((version_fn)api[NP_API_ABI_VERSION])();
    if (abi >> 24 < NP_ABI_MAJOR_MIN || abi >> 24 > NP_ABI_MAJOR_MAX)
        return why_not("numpy's C ABI version 0x%x is not one MemLens knows (numpy 1.x and 2.x)", abi);
    unsigned int feature = ((version_fn)api[NP_API_FEATURE_VERSION])();
    if (feature < NP_FEATURE_1_22)
        return why_not("numpy is older than 1.22 (C API version 0x%x): it cannot route array data to another allocator",
                       feature);
    get_handler_fn get_handler = (get_handler_fn)api[NP_API_GET_HANDLER];
    set_handler_fn set_handler = (set_handler_fn)api[NP_API_SET_HANDLER];

    /* Allocated before the current handler is read, so nothing runs between the read and the set. */
    wrapper *w = calloc(1, sizeof(wrapper));
    if (w == NULL)
        return PyErr_NoMemory();
    PyObject *capsule = PyCapsule_New(w, capsule_name, destroy_wrapper);
    if (capsule == NULL) {
        free(w);
        return NULL;
    }
    PyObject *current = get_handler();
    if (current == NULL) {
        Py_DECREF(capsule);
        return NULL;
    }
    np_handler *inner = PyCapsule_GetPointer(current, capsule_name);
    PyObject *reason = NULL;
    if (inner == NULL) {
        PyErr_Clear();
        reason = PyUnicode_FromString("numpy's current allocator handler is not a mem_handler capsule");
    } else if (inner->allocator.malloc == wrapped_malloc) {
        Py_INCREF(Py_None);  /* this context already feeds the sampler */
        reason = Py_None;
    } else if (inner->version != NP_HANDLER_VERSION) {
        reason = why_not("numpy's allocator handler is version %u; MemLens knows version 1", inner->version);
    }
    if (reason != NULL) {
        Py_DECREF(current);
        Py_DECREF(capsule);  /* frees w: its inner_capsule is still NULL */
        return reason;
    }
    snprintf(w->handler.name, sizeof w->handler.name, "memlens(%.100s)", inner->name);
    w->handler.version = NP_HANDLER_VERSION;
    w->handler.allocator = (np_allocator){ w, wrapped_malloc, wrapped_calloc, wrapped_realloc, wrapped_free };
    w->inner = inner->allocator;
    w->inner_capsule = current;
    PyObject *previous = set_handler(capsule);
    Py_DECREF(capsule);  /* numpy's ContextVar holds it now, or nothing does if the set failed */
    if (previous == NULL)
        return NULL;
    Py_DECREF(previous);
    Py_RETURN_NONE;
}
