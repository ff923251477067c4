/* Stacks: reading the Python stack of a sampled allocation through the public frame API, and
 * interning it, so that each distinct stack of (code, instruction) pairs is stored once and carries
 * the estimated live bytes and sample count of the samples that have it, and their copy at the
 * peak. Stack 0 is the empty stack: RAW allocations made without the GIL have no Python stack. */
#include "sampler.h"

#include <stdlib.h>
#include <string.h>

/* PyFrame_GetBack (3.9, 3.10) and the frame's fields (3.8) are declared here. */
#include <frameobject.h>

ml_stacks_t ml_stacks;

int ml_stacks_init(void)
{
    ml_stacks.max_frames = 64;
    ml_stacks.frames_capacity = 1024;
    ml_stacks.frames = malloc(ml_stacks.frames_capacity * sizeof(ml_frame));
    ml_stacks.stacks_capacity = 256;
    ml_stacks.stacks = calloc(ml_stacks.stacks_capacity, sizeof(ml_stack));
    ml_stacks.peak_bytes = calloc(ml_stacks.stacks_capacity, sizeof(uint64_t));
    ml_stacks.peak_count = calloc(ml_stacks.stacks_capacity, sizeof(uint64_t));
    ml_stacks.peak_blocks = calloc(ml_stacks.stacks_capacity, sizeof(uint64_t));
    ml_stacks.index_capacity = 512;
    ml_stacks.index = calloc(ml_stacks.index_capacity, sizeof(uint32_t));
    if (!ml_stacks.frames || !ml_stacks.stacks || !ml_stacks.peak_bytes || !ml_stacks.peak_count || !ml_stacks.peak_blocks
        || !ml_stacks.index)
        return -1;
    ml_stacks.nstacks = 1;  /* the empty stack */
    return 0;
}

/* Reads up to `max` frames, innermost first. On 3.11+ asking for a frame object may create it,
 * which allocates: the caller has set the thread's re-entry flag, so those allocations pass
 * through the hooks untracked. Such an allocation may also start a garbage collection, and the
 * sampled allocation can be halfway through changing a container (list_resize has its new item
 * array but not yet its new size, and the collector would read past the items): the collector is
 * kept off while the frames are read. */
int ml_stacks_capture(ml_frame *out, int max)
{
    int n = 0;
#if PY_VERSION_HEX >= 0x030B0000
    int gc_was_enabled = PyGC_Disable();
#endif
#if PY_VERSION_HEX >= 0x03090000
    PyFrameObject *frame = PyEval_GetFrame();  /* borrowed */
    Py_XINCREF(frame);
    while (frame != NULL && n < max) {
        PyCodeObject *code = PyFrame_GetCode(frame);
        /* The code object of an executing frame outlives this call. */
        out[n].code = (PyObject *)code;
#if PY_VERSION_HEX >= 0x030B0000
        out[n].lasti = PyFrame_GetLasti(frame);
#else
        out[n].lasti = frame->f_lasti;
#endif
        Py_DECREF(code);
        n++;
        PyFrameObject *back = PyFrame_GetBack(frame);
        Py_DECREF(frame);
        frame = back;
    }
    Py_XDECREF(frame);
#else
    for (PyFrameObject *frame = PyEval_GetFrame(); frame != NULL && n < max; frame = frame->f_back) {
        out[n].code = (PyObject *)frame->f_code;
        out[n].lasti = frame->f_lasti;
        n++;
    }
#endif
#if PY_VERSION_HEX >= 0x030B0000
    if (gc_was_enabled)
        PyGC_Enable();
#endif
    return n;
}

/* As PyFrame_GetLineNumber computes it for a frame that is not traced: 3.10 counts f_lasti in
 * 2-byte code units, the other versions in bytes; a negative offset gives the first line. */
int ml_frame_line(const ml_frame *frame)
{
#if PY_VERSION_HEX >= 0x030A0000 && PY_VERSION_HEX < 0x030B0000
    int addr = frame->lasti < 0 ? -1 : frame->lasti * 2;
#else
    int addr = frame->lasti;
#endif
    return PyCode_Addr2Line((PyCodeObject *)frame->code, addr);
}

static uint64_t hash_frames(const ml_frame *frames, int depth)
{
    uint64_t h = 0xCBF29CE484222325ull ^ (uint64_t)depth;
    for (int i = 0; i < depth; i++) {
        h = (h ^ (uint64_t)(uintptr_t)frames[i].code) * 0x100000001B3ull;
        h = (h ^ (uint64_t)(uint32_t)frames[i].lasti) * 0x100000001B3ull;
    }
    return h ^ (h >> 29);
}

static int same_frames(const ml_stack *s, const ml_frame *frames, int depth)
{
    if (s->depth != (uint32_t)depth)
        return 0;
    const ml_frame *mine = ml_stacks.frames + s->first;
    for (int i = 0; i < depth; i++)
        if (mine[i].code != frames[i].code || mine[i].lasti != frames[i].lasti)
            return 0;
    return 1;
}

static void index_put(uint32_t id)
{
    uint32_t mask = ml_stacks.index_capacity - 1;
    uint32_t i = (uint32_t)ml_stacks.stacks[id].hash & mask;
    while (ml_stacks.index[i] != 0)
        i = (i + 1) & mask;
    ml_stacks.index[i] = id + 1;
}

/* Resizes one per-stack array to `capacity` items; false (the array unchanged) without memory. */
static int grow_u64(uint64_t **array, uint32_t capacity)
{
    uint64_t *grown = realloc(*array, capacity * sizeof(uint64_t));
    if (grown == NULL)
        return 0;
    *array = grown;
    return 1;
}

/* Makes room for one more stack of `depth` frames; false if the C library has no memory. */
static int reserve(int depth)
{
    if (ml_stacks.nframes + (size_t)depth > ml_stacks.frames_capacity) {
        size_t capacity = ml_stacks.frames_capacity * 2 + (size_t)depth;
        ml_frame *frames = realloc(ml_stacks.frames, capacity * sizeof(ml_frame));
        if (frames == NULL)
            return 0;
        ml_stacks.frames = frames;
        ml_stacks.frames_capacity = capacity;
    }
    if (ml_stacks.nstacks + 1 > ml_stacks.stacks_capacity) {
        uint32_t capacity = ml_stacks.stacks_capacity * 2;
        ml_stack *stacks = realloc(ml_stacks.stacks, capacity * sizeof(ml_stack));
        if (stacks == NULL)
            return 0;
        ml_stacks.stacks = stacks;
        if (!grow_u64(&ml_stacks.peak_bytes, capacity) || !grow_u64(&ml_stacks.peak_count, capacity)
            || !grow_u64(&ml_stacks.peak_blocks, capacity))
            return 0;
        ml_stacks.stacks_capacity = capacity;
    }
    if (2 * (ml_stacks.nstacks + 1) > ml_stacks.index_capacity) {
        uint32_t capacity = ml_stacks.index_capacity * 2;
        uint32_t *index = calloc(capacity, sizeof(uint32_t));
        if (index == NULL)
            return 0;
        free(ml_stacks.index);
        ml_stacks.index = index;
        ml_stacks.index_capacity = capacity;
        for (uint32_t id = 1; id < ml_stacks.nstacks; id++)
            index_put(id);
    }
    return 1;
}

/* The id of the stack, interned on first sight. A new stack keeps a reference to each code object
 * (the GIL is held whenever there are frames), released only when a new session starts. When
 * memory runs out the sample goes to the empty stack rather than being lost. */
uint32_t ml_stacks_intern(const ml_frame *frames, int depth)
{
    if (depth == 0)
        return 0;
    uint64_t hash = hash_frames(frames, depth);
    uint32_t mask = ml_stacks.index_capacity - 1;
    for (uint32_t i = (uint32_t)hash & mask; ml_stacks.index[i] != 0; i = (i + 1) & mask) {
        uint32_t id = ml_stacks.index[i] - 1;
        if (ml_stacks.stacks[id].hash == hash && same_frames(&ml_stacks.stacks[id], frames, depth))
            return id;
    }
    if (!reserve(depth))
        return 0;
    uint32_t id = ml_stacks.nstacks++;
    ml_stacks.stacks[id] = (ml_stack){ .hash = hash, .first = (uint32_t)ml_stacks.nframes, .depth = (uint32_t)depth };
    ml_stacks.peak_bytes[id] = ml_stacks.peak_count[id] = ml_stacks.peak_blocks[id] = 0;
    for (int i = 0; i < depth; i++) {
        Py_INCREF(frames[i].code);
        ml_stacks.frames[ml_stacks.nframes++] = frames[i];
    }
    index_put(id);
    return id;
}

void ml_stacks_copy_peak(void)
{
    for (uint32_t id = 0; id < ml_stacks.nstacks; id++) {
        ml_stacks.peak_bytes[id] = ml_stacks.stacks[id].live_bytes;
        ml_stacks.peak_count[id] = ml_stacks.stacks[id].live_count;
        ml_stacks.peak_blocks[id] = ml_stacks.stacks[id].live_blocks;
    }
    ml_stacks.peak_nstacks = ml_stacks.nstacks;
}

void ml_stacks_clear_totals(void)
{
    for (uint32_t id = 0; id < ml_stacks.nstacks; id++) {
        ml_stacks.stacks[id].live_bytes = ml_stacks.stacks[id].live_count = ml_stacks.stacks[id].live_blocks = 0;
        ml_stacks.peak_bytes[id] = ml_stacks.peak_count[id] = ml_stacks.peak_blocks[id] = 0;
    }
    ml_stacks.peak_nstacks = 0;
}

/* Forgets every stack and drops the references to their code objects. Called by start() with
 * the hooks off, so freeing a code object cannot re-enter the table. */
void ml_stacks_release(void)
{
    for (size_t i = 0; i < ml_stacks.nframes; i++)
        Py_DECREF(ml_stacks.frames[i].code);
    ml_stacks.nframes = 0;
    ml_stacks.nstacks = 1;
    ml_stacks.stacks[0] = (ml_stack){ 0 };
    memset(ml_stacks.index, 0, ml_stacks.index_capacity * sizeof(uint32_t));
    ml_stacks.peak_nstacks = 0;
}
