/* Shared declarations of MemLens's native sampling allocation tracker: the per-thread sampling
 * state (sampling.c), the table of sampled pointers with its filter and the interned stacks
 * (table.c, stacks.c), the PEP 445 hooks that feed them (hooks.c) and numpy's array data
 * handler that feeds them too (numpy_handler.c). module.c is the Python API over these. Everything lives in one process-wide state guarded by one mutex, because the
 * RAW domain's hooks run without the GIL, from any thread. */
#ifndef MEMLENS_SAMPLER_H
#define MEMLENS_SAMPLER_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <pthread.h>
#include <stdint.h>

/* The deepest stack a sample may record: the frames are gathered in an array on the C stack of
 * the allocating thread, which may be a small thread stack, so the bound is kept modest. */
#define ML_MAX_FRAMES 256

/* One frame of a recorded stack: the code object and the offset of its last instruction. The
 * line is worked out only when a view is read: on 3.10+ PyFrame_GetLineNumber scans the code's
 * line table, which took a fifth of the time of a sample-heavy workload. The code object is
 * borrowed until the stack is interned; the stack table then holds a reference to it. */
typedef struct {
    PyObject *code;
    int lasti;
} ml_frame;

/* The line of a recorded frame (GIL held). */
int ml_frame_line(const ml_frame *frame);

/* Per-thread sampling state. `countdown` is the number of bytes left before the next sample
 * point of the Poisson process; an unsampled allocation costs one subtraction and one compare. */
typedef struct {
    int64_t countdown;
    uint64_t rng;
    uint64_t epoch;       /* the tracking session the countdown was drawn for */
    uint64_t unflushed;   /* allocations seen since this thread last added them to the total */
    int in_hook;          /* re-entry guard: set while this thread is inside a hook */
} ml_thread;

/* initial-exec: every hook reads this, and the default model for a dlopen'ed module calls
 * __tls_get_addr on each access. glibc keeps spare static TLS for modules loaded late; if it
 * were exhausted the import would fail and MemLens would use its exact mode. */
extern __thread ml_thread ml_tls __attribute__((tls_model("initial-exec")));

/* sampling.c */
void ml_sampling_configure(double interval, uint64_t seed);
int ml_sampling_decide(ml_thread *t, size_t size);
uint64_t ml_sampling_weight(size_t size, uint32_t *blocks);
uint64_t ml_sampling_take_unflushed(ml_thread *t);

/* The fast path of every tracked allocation: true when the allocation holds a sample point. */
static inline int ml_sampling_take(ml_thread *t, size_t size)
{
    t->unflushed++;
    t->countdown -= (int64_t)size;
    if (t->countdown > 0)
        return 0;
    return ml_sampling_decide(t, size);
}

/* table.c: the state, the table of sampled pointers and its filter. */
typedef struct {
    uintptr_t ptr;        /* 0: the slot is empty */
    uint64_t weight;      /* estimated bytes this sample stands for */
    uint32_t stack;       /* interned stack id */
    uint32_t blocks;      /* estimated allocations it stands for (1/p), in ML_BLOCK_UNITS */
} ml_entry;

/* Estimated block counts are kept in fixed point (sixteenths), so that adding and removing the
 * samples of a long run leaves no rounding drift in the per-stack sums. */
#define ML_BLOCK_UNITS 16

#define ML_FILTER_BITS 16
#define ML_FILTER_SLOTS (1u << ML_FILTER_BITS)

typedef struct {
    pthread_mutex_t lock;
    /* Sampled pointers, open addressing with linear probing; capacity a power of two. */
    ml_entry *entries;
    size_t capacity, used;
    /* A counting filter over pointer hashes, read without the lock by every free: a zero slot
     * means no sampled pointer has that hash, so the free skips the lock and the table. */
    uint16_t filter[ML_FILTER_SLOTS];
    /* Estimated bytes live, the highest they reached, and the live total of the last peak copy. */
    uint64_t live, high, recorded_high;
    uint64_t samples, live_samples, allocations;
    double peak_margin;
    double peak_time;     /* CLOCK_MONOTONIC seconds of the last peak copy, as time.monotonic() */
    uint64_t peak_total;
    uint64_t peak_copies; /* how many times the peak view was copied this session */
} ml_state_t;

extern ml_state_t ml_state;

/* Fibonacci hashing of the address; the low 4 bits are always zero for Python's allocators. */
static inline uint64_t ml_hash_ptr(uintptr_t p)
{
    return (uint64_t)(p >> 4) * 0x9E3779B97F4A7C15ull;
}

static inline uint32_t ml_filter_slot(uintptr_t p)
{
    return (uint32_t)(ml_hash_ptr(p) >> (64 - ML_FILTER_BITS));
}

/* Whether a freed pointer may be in the table: inline, since every free asks. */
static inline int ml_filter_maybe(const void *ptr)
{
    return __atomic_load_n(&ml_state.filter[ml_filter_slot((uintptr_t)ptr)], __ATOMIC_RELAXED) != 0;
}

int ml_table_init(void);
void ml_table_clear(void);                         /* lock held */
void ml_table_insert(const ml_entry *entry, int check_peak); /* lock held */
int ml_table_remove(uintptr_t ptr, ml_entry *out); /* lock held */

/* stacks.c: interned stacks and the per-stack live and peak totals. */
typedef struct {
    uint64_t hash;
    uint32_t first, depth;  /* frames[first .. first + depth) */
    uint64_t live_bytes, live_count, live_blocks;  /* live_blocks in ML_BLOCK_UNITS */
} ml_stack;

typedef struct {
    ml_frame *frames;
    size_t nframes, frames_capacity;
    ml_stack *stacks;
    uint32_t nstacks, stacks_capacity;
    uint32_t *index;        /* open addressing over stack hashes: id + 1, 0 empty */
    uint32_t index_capacity;
    uint64_t *peak_bytes, *peak_count, *peak_blocks;   /* per stack, copied at the peak */
    uint32_t peak_nstacks;
    int max_frames;
} ml_stacks_t;

extern ml_stacks_t ml_stacks;

int ml_stacks_init(void);
int ml_stacks_capture(ml_frame *out, int max);                   /* GIL held */
uint32_t ml_stacks_intern(const ml_frame *frames, int depth);    /* lock held; GIL held if depth > 0 */
void ml_stacks_copy_peak(void);                                  /* lock held */
void ml_stacks_clear_totals(void);                               /* lock held */
void ml_stacks_release(void);                                    /* GIL held, hooks off */

/* hooks.c: the PEP 445 hooks, and the sample bookkeeping they share with numpy's handler. */
/* Records a sampled allocation; `gil_unknown` for callers that may not hold the GIL. */
void ml_record_sample(ml_thread *t, void *ptr, size_t size, int gil_unknown);
/* Takes a possibly sampled pointer out of the table; true if it was there, with its entry. */
int ml_forget_sample(void *ptr, ml_entry *gone);
/* Puts back an entry taken out by a realloc that failed (the old block still exists). */
void ml_restore_sample(const ml_entry *gone);
int ml_hooks_install(void);
void ml_hooks_remove(void);
int ml_hooks_installed(void);
int ml_fork_handlers_install(void);

/* numpy_handler.c: wraps numpy's current array data handler (NEP 49) in the calling context,
 * given numpy's C-API table capsule; None when done, else a str saying why not (GIL held). */
PyObject *ml_numpy_track(PyObject *api_capsule);

#endif
