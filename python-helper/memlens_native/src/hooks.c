/* The PEP 445 hooks: wrappers around the RAW, MEM and OBJ allocators that pass every call to the
 * allocator they replaced, let the per-thread countdown decide whether the allocation holds a
 * sample point, and record the samples. An unsampled allocation costs the wrapper's call, the
 * countdown's subtraction and compare, and the re-entry flag; a free costs a load of the filter.
 * Memory allocated before the hooks were installed, or by anything untracked, is unknown to the
 * table and goes straight through. */
#include "sampler.h"

typedef struct {
    PyMemAllocatorDomain domain;
    PyMemAllocatorEx old;
    int raw;
} ml_domain;

static ml_domain domains[3] = {
    { PYMEM_DOMAIN_RAW, { 0 }, 1 },
    { PYMEM_DOMAIN_MEM, { 0 }, 0 },
    { PYMEM_DOMAIN_OBJ, { 0 }, 0 },
};
/* Whether a session is tracking. Read by numpy's handler (numpy_handler.c), which numpy may call
 * from a thread that released the GIL, hence the atomic accesses. */
static int installed;

/* Whether this call may read the Python stack. RAW (and numpy's handler) may be called without
 * the GIL from any thread (and before a thread has a thread state); the stack is read only when
 * this thread holds the GIL, which is when a C extension or CPython itself calls PyMem_RawMalloc
 * from Python code. */
static int may_read_stack(void)
{
#if PY_VERSION_HEX >= 0x030D0000
    if (PyThreadState_GetUnchecked() == NULL)
        return 0;
#else
    if (_PyThreadState_UncheckedGet() == NULL)
        return 0;
#endif
    return PyGILState_Check();
}

/* The stack is read before the lock is taken: reading it may allocate and free (frame objects
 * on 3.11+), and those frees may need the lock. */
void ml_record_sample(ml_thread *t, void *ptr, size_t size, int gil_unknown)
{
    ml_frame frames[ML_MAX_FRAMES];
    int depth = 0;
    if (!gil_unknown || may_read_stack())
        depth = ml_stacks_capture(frames, ml_stacks.max_frames);
    ml_entry entry = { .ptr = (uintptr_t)ptr };
    entry.weight = ml_sampling_weight(size, &entry.blocks);
    uint64_t seen = ml_sampling_take_unflushed(t);
    pthread_mutex_lock(&ml_state.lock);
    ml_state.allocations += seen;
    ml_state.samples++;
    entry.stack = ml_stacks_intern(frames, depth);
    ml_table_insert(&entry, 1);
    pthread_mutex_unlock(&ml_state.lock);
}

int ml_forget_sample(void *ptr, ml_entry *gone)
{
    if (ptr == NULL || !ml_filter_maybe(ptr))
        return 0;
    pthread_mutex_lock(&ml_state.lock);
    int found = ml_table_remove((uintptr_t)ptr, gone);
    pthread_mutex_unlock(&ml_state.lock);
    return found;
}

void ml_restore_sample(const ml_entry *gone)
{
    pthread_mutex_lock(&ml_state.lock);
    ml_table_insert(gone, 0);
    pthread_mutex_unlock(&ml_state.lock);
}

/* The re-entry flag is set around the inner call too: pymalloc hands blocks over 512 bytes to
 * PyMem_RawMalloc, whose RAW hook must not count the same allocation a second time. */
static void *hook_malloc(void *ctx, size_t size)
{
    const ml_domain *d = ctx;
    ml_thread *t = &ml_tls;
    if (t->in_hook)
        return d->old.malloc(d->old.ctx, size);
    t->in_hook = 1;
    void *ptr = d->old.malloc(d->old.ctx, size);
    if (ptr != NULL && ml_sampling_take(t, size))
        ml_record_sample(t, ptr, size, d->raw);
    t->in_hook = 0;
    return ptr;
}

static void *hook_calloc(void *ctx, size_t nelem, size_t elsize)
{
    const ml_domain *d = ctx;
    ml_thread *t = &ml_tls;
    if (t->in_hook)
        return d->old.calloc(d->old.ctx, nelem, elsize);
    t->in_hook = 1;
    void *ptr = d->old.calloc(d->old.ctx, nelem, elsize);
    /* A successful calloc's product did not overflow. */
    if (ptr != NULL && ml_sampling_take(t, nelem * elsize))
        ml_record_sample(t, ptr, nelem * elsize, d->raw);
    t->in_hook = 0;
    return ptr;
}

/* A realloc is the free of the old block and the allocation of the new one. The old block's
 * sample is taken out before the call, while no other thread can be handed its address, and put
 * back if the call fails (the old block then still exists). */
static void *hook_realloc(void *ctx, void *ptr, size_t size)
{
    const ml_domain *d = ctx;
    ml_thread *t = &ml_tls;
    if (t->in_hook)
        return d->old.realloc(d->old.ctx, ptr, size);
    t->in_hook = 1;
    ml_entry gone;
    int had = ml_forget_sample(ptr, &gone);
    void *moved = d->old.realloc(d->old.ctx, ptr, size);
    if (moved == NULL) {
        if (had)
            ml_restore_sample(&gone);
    } else if (ml_sampling_take(t, size)) {
        ml_record_sample(t, moved, size, d->raw);
    }
    t->in_hook = 0;
    return moved;
}

/* Frees are never skipped, even on re-entry: a sampled pointer must leave the table before its
 * address can be handed out again. */
static void hook_free(void *ctx, void *ptr)
{
    const ml_domain *d = ctx;
    ml_entry gone;
    ml_forget_sample(ptr, &gone);
    d->old.free(d->old.ctx, ptr);
}

int ml_hooks_installed(void)
{
    return __atomic_load_n(&installed, __ATOMIC_ACQUIRE);
}

int ml_hooks_install(void)
{
    if (installed)
        return 0;
    for (int i = 0; i < 3; i++)
        PyMem_GetAllocator(domains[i].domain, &domains[i].old);
    for (int i = 0; i < 3; i++) {
        PyMemAllocatorEx hook = { &domains[i], hook_malloc, hook_calloc, hook_realloc, hook_free };
        PyMem_SetAllocator(domains[i].domain, &hook);
    }
    __atomic_store_n(&installed, 1, __ATOMIC_RELEASE);
    return 0;
}

/* Puts the replaced allocators back. Blocks allocated while tracking are freed by those
 * allocators directly from now on, which is right: the hooks only ever passed them through. */
void ml_hooks_remove(void)
{
    if (!installed)
        return;
    for (int i = 0; i < 3; i++)
        PyMem_SetAllocator(domains[i].domain, &domains[i].old);
    __atomic_store_n(&installed, 0, __ATOMIC_RELEASE);
}

/* A forked child starts with an empty table: the parent's samples describe the parent's
 * memory. The lock is held across fork() so the child never inherits it locked by a thread that
 * does not exist there. */
static void before_fork(void)
{
    pthread_mutex_lock(&ml_state.lock);
}

static void after_fork_parent(void)
{
    pthread_mutex_unlock(&ml_state.lock);
}

static void after_fork_child(void)
{
    ml_table_clear();
    pthread_mutex_unlock(&ml_state.lock);
}

int ml_fork_handlers_install(void)
{
    return pthread_atfork(before_fork, after_fork_parent, after_fork_child);
}
