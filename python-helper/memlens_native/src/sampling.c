/* Sampling by bytes: a Poisson process over the bytes each thread allocates, with a mean interval
 * of S bytes, as tcmalloc samples. Each thread keeps a countdown to its next sample point, drawn
 * from an exponential distribution of mean S; an allocation that reaches the point is sampled,
 * which happens with probability 1 - exp(-size/S), and weighs size / that probability, so that the
 * sum of the weights of the samples on a line is an unbiased estimate of the line's bytes. */
#include "sampler.h"

#include <math.h>

__thread ml_thread ml_tls __attribute__((tls_model("initial-exec")));

/* The session's parameters, written by start() before the hooks are installed and read after. */
static double interval = 65536.0;
static uint64_t base_seed;
static uint64_t epoch = 0;
/* Threads take their stream of random numbers in the order they first sample in a session. */
static uint64_t thread_counter;

/* splitmix64: seeds each thread's stream from the session seed and the thread's rank. */
static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* xorshift64*: fast and good enough for drawing sample points. */
static uint64_t next_random(ml_thread *t)
{
    uint64_t x = t->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    t->rng = x;
    return x * 0x2545F4914F6CDD1Dull;
}

/* The distance to the next sample point: -S * ln(U) with U uniform in (0, 1]. log1p is used
 * rather than log because glibc 2.29 gave log a new symbol version, and the module must load
 * on systems with glibc 2.17. */
static int64_t draw_countdown(ml_thread *t)
{
    double u = ((double)(next_random(t) >> 11) + 1.0) * (1.0 / 9007199254740992.0);
    double d = -interval * log1p(u - 1.0);
    return d < 1.0 ? 1 : (int64_t)d;
}

static void reseed(ml_thread *t)
{
    uint64_t x = base_seed ^ (__atomic_fetch_add(&thread_counter, 1, __ATOMIC_RELAXED) * 0xD1B54A32D192ED03ull);
    t->rng = splitmix64(&x) | 1;  /* xorshift's state must not be zero */
    t->epoch = __atomic_load_n(&epoch, __ATOMIC_ACQUIRE);
    t->countdown = draw_countdown(t);
}

void ml_sampling_configure(double mean_interval, uint64_t seed)
{
    interval = mean_interval;
    base_seed = seed;
    __atomic_store_n(&thread_counter, 0, __ATOMIC_RELAXED);
    __atomic_add_fetch(&epoch, 1, __ATOMIC_RELEASE);
    /* The caller's thread starts now, so with a fixed seed its samples repeat run after run. */
    reseed(&ml_tls);
}

/* The slow path of ml_sampling_take, when the countdown ran out. A thread whose countdown was
 * drawn in an earlier session (or never) is reseeded first and its allocation counted again. */
int ml_sampling_decide(ml_thread *t, size_t size)
{
    if (t->epoch != __atomic_load_n(&epoch, __ATOMIC_ACQUIRE)) {
        reseed(t);
        t->countdown -= (int64_t)size;
        if (t->countdown > 0)
            return 0;
    }
    /* The process is memoryless: the next point lies an exponential draw past this allocation. */
    t->countdown = draw_countdown(t);
    return 1;
}

/* size / P(sampled), rounded: close to S + size/2 for small allocations, size for large ones;
 * and in `blocks`, 1 / P(sampled) in ML_BLOCK_UNITS, the allocations the sample stands for. */
uint64_t ml_sampling_weight(size_t size, uint32_t *blocks)
{
    double p = -expm1(-(double)size / interval);
    if (!(p > 0.0) || size == 0) {
        *blocks = (uint32_t)fmin(interval * ML_BLOCK_UNITS, 4e9);
        return (uint64_t)interval;
    }
    *blocks = (uint32_t)fmin((double)ML_BLOCK_UNITS / p + 0.5, 4e9);
    return (uint64_t)((double)size / p + 0.5);
}

/* Counting every allocation into a shared total would put an atomic operation on the fast
 * path, so each thread counts its own and adds them up when it samples (or reports). */
uint64_t ml_sampling_take_unflushed(ml_thread *t)
{
    uint64_t n = t->unflushed;
    t->unflushed = 0;
    return n;
}
