/* The table of sampled pointers: pointer -> (weight, stack id), open addressing with linear
 * probing and backward-shift deletion, so that no tombstones slow the lookups of a long run. In
 * front of it, a counting filter over pointer hashes that every free reads without the lock: most
 * freed pointers were never sampled, and their free then costs a load of one 16-bit counter.
 * The table's memory comes from the C library's allocator directly, never from Python's, so the
 * hooks cannot re-enter themselves while holding the lock. */
#include "sampler.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

ml_state_t ml_state = { .lock = PTHREAD_MUTEX_INITIALIZER, .peak_margin = 0.01 };

/* A counter that reached its maximum stays there (the filter then only says "maybe"), so that
 * it can never wrap to zero while a sampled pointer with that hash is live. */
static void filter_add(uintptr_t p, int delta)
{
    uint16_t *slot = &ml_state.filter[ml_filter_slot(p)];
    uint16_t v = *slot;
    if (v == UINT16_MAX)
        return;
    __atomic_store_n(slot, (uint16_t)(v + delta), __ATOMIC_RELAXED);
}

int ml_table_init(void)
{
    ml_state.capacity = 1024;
    ml_state.entries = calloc(ml_state.capacity, sizeof(ml_entry));
    return ml_state.entries ? 0 : -1;
}

void ml_table_clear(void)
{
    memset(ml_state.entries, 0, ml_state.capacity * sizeof(ml_entry));
    memset(ml_state.filter, 0, sizeof ml_state.filter);
    ml_state.used = 0;
    ml_state.live = ml_state.high = ml_state.recorded_high = ml_state.peak_total = 0;
    ml_state.samples = ml_state.live_samples = ml_state.allocations = ml_state.peak_copies = 0;
    ml_state.peak_time = 0.0;
    ml_stacks_clear_totals();
}

static size_t slot_of(uintptr_t ptr, size_t mask)
{
    size_t i = (size_t)(ml_hash_ptr(ptr) >> 32) & mask;
    while (ml_state.entries[i].ptr != 0 && ml_state.entries[i].ptr != ptr)
        i = (i + 1) & mask;
    return i;
}

/* Doubles the table at half load. If the C library has no memory for it, the table stays as it
 * is and fills further (linear probing still works up to full); a full table drops the sample. */
static void grow(void)
{
    size_t capacity = ml_state.capacity * 2;
    ml_entry *entries = calloc(capacity, sizeof(ml_entry));
    if (entries == NULL)
        return;
    ml_entry *old = ml_state.entries;
    size_t old_capacity = ml_state.capacity;
    ml_state.entries = entries;
    ml_state.capacity = capacity;
    for (size_t i = 0; i < old_capacity; i++)
        if (old[i].ptr != 0)
            ml_state.entries[slot_of(old[i].ptr, capacity - 1)] = old[i];
    free(old);
}

static double monotonic_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void ml_table_insert(const ml_entry *entry, int check_peak)
{
    uintptr_t ptr = entry->ptr;
    if (2 * (ml_state.used + 1) > ml_state.capacity)
        grow();
    if (ml_state.used + 1 >= ml_state.capacity)
        return;
    size_t i = slot_of(ptr, ml_state.capacity - 1);
    if (ml_state.entries[i].ptr == ptr) {
        /* The allocator handed out an address the table still holds: its free did not pass
         * through these hooks (C code that freed with another domain's function than it
         * allocated with). That block is gone, and so is its sample. */
        ml_entry gone;
        ml_table_remove(ptr, &gone);
        i = slot_of(ptr, ml_state.capacity - 1);
    }
    ml_state.entries[i] = *entry;
    ml_state.used++;
    filter_add(ptr, 1);
    ml_state.live += entry->weight;
    ml_state.live_samples++;
    ml_stack *stack = &ml_stacks.stacks[entry->stack];
    stack->live_bytes += entry->weight;
    stack->live_count++;
    stack->live_blocks += entry->blocks;
    if (!check_peak)
        return;
    if (ml_state.live > ml_state.high)
        ml_state.high = ml_state.live;
    /* The peak view: the per-stack totals are copied each time the estimated live total passes
     * the last copy's total by the margin, so the copy is never more than the margin below the
     * highest state reached, even if that state lasted a microsecond. */
    if ((double)ml_state.live > (double)ml_state.recorded_high * (1.0 + ml_state.peak_margin)) {
        ml_stacks_copy_peak();
        ml_state.recorded_high = ml_state.live;
        ml_state.peak_total = ml_state.live;
        ml_state.peak_time = monotonic_seconds();
        ml_state.peak_copies++;
    }
}

int ml_table_remove(uintptr_t ptr, ml_entry *out)
{
    size_t mask = ml_state.capacity - 1;
    size_t i = slot_of(ptr, mask);
    if (ml_state.entries[i].ptr != ptr)
        return 0;
    *out = ml_state.entries[i];
    filter_add(ptr, -1);
    ml_state.used--;
    ml_state.live -= out->weight;
    ml_state.live_samples--;
    ml_stacks.stacks[out->stack].live_bytes -= out->weight;
    ml_stacks.stacks[out->stack].live_count--;
    ml_stacks.stacks[out->stack].live_blocks -= out->blocks;
    /* Backward-shift deletion: pull later entries of the probe run into the hole when their home
     * slot does not lie cyclically between the hole and them. */
    size_t hole = i;
    for (size_t j = (i + 1) & mask; ml_state.entries[j].ptr != 0; j = (j + 1) & mask) {
        size_t home = (size_t)(ml_hash_ptr(ml_state.entries[j].ptr) >> 32) & mask;
        if (((j - home) & mask) >= ((j - hole) & mask)) {
            ml_state.entries[hole] = ml_state.entries[j];
            hole = j;
        }
    }
    ml_state.entries[hole].ptr = 0;
    return 1;
}
