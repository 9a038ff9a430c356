/* The environment's memory: what the RTL and the model share without sharing
 * state. Each side owns one env_mem over its own image; both are given the
 * same timing (a pure function of the seed, the index of the page-table
 * access in the run and its issue cycle) and the same pokes (writes by
 * "another CPU" at a given cycle), so identical walkers see identical
 * memories at identical cycles.
 *
 * The model uses env_mem_pw_mem (its pw_mem.schedule/read/cas); the RTL's
 * pin-level adapter (tb/rtl_mem.cpp) calls env_mem_schedule and
 * env_mem_access itself. C11, usable from C++. */
#ifndef TB_ENV_MEM_H
#define TB_ENV_MEM_H

#include "pagewalk/image.h"
#include "pagewalk/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Response delay d >= 1 of each access (docs/timing.md "one access"). */
typedef enum {
    MEM_DELAY_FIXED = 0,  /* d = lo */
    MEM_DELAY_RANGE,      /* d uniform in [lo, hi] */
    MEM_DELAY_BURSTY,     /* 64-cycle windows: a quarter are busy (d in [hi/2, hi], more
                             back-pressure), the rest answer in lo */
} mem_delay_kind;

typedef struct {
    mem_delay_kind kind;
    unsigned lo, hi;
    unsigned backpressure_pct; /* per cycle: chance that mem_req_ready stays low once more */
    unsigned max_wait;         /* cap on the back-pressure wait w */
    /* Injected bus errors (docs/timing.md §6), per mille of page-table reads and of CASes:
     * the memory answers err = 1 and does not perform the access. */
    unsigned bus_error_read_pm, bus_error_cas_pm;
    uint64_t seed;
} mem_timing;

/* Defaults: d in [1, 6], 20 % back-pressure, waits capped at 16, no injected bus errors. */
void mem_timing_default(mem_timing *t, uint64_t seed);
/* "fixed:D", "range:LO:HI", "bursty" or "bursty:LO:HI". false on a bad spec. */
bool mem_timing_parse_delay(mem_timing *t, const char *spec);
/* The spec back as text (for the command that reproduces a run). */
void mem_timing_format(const mem_timing *t, char *buf, size_t len);
/* Access number `index` of the run, presented from `issue`: the cycle the memory
 * accepts it (>= issue) and the cycle it responds (> accept). Pure. */
void mem_timing_at(const mem_timing *t, uint64_t index, uint64_t issue, uint64_t *accept,
                   uint64_t *respond);

/* Whether access number `index` of the run, of this kind, gets an injected bus error. Pure. */
bool mem_timing_bus_error(const mem_timing *t, uint64_t index, pw_mem_kind kind);

/* A write by another agent: OR `bits` into the `size`-byte entry at `pa`
 * (atomically, like LOCK OR) at the start of `cycle`, before any access the
 * memory accepts in that cycle. */
typedef struct {
    uint64_t cycle;
    uint64_t pa;
    uint64_t bits;
    unsigned size;
} env_poke;

#define ENV_POKES_MAX 16

typedef struct {
    pw_image *img;
    pw_mem raw;             /* untimed accessor of img */
    mem_timing timing;
    uint64_t index;         /* page-table accesses scheduled so far */
    bool scheduled;         /* the next read / CAS is access number index - 1 (not a PDPTE load) */
    env_poke poke[ENV_POKES_MAX];  /* pending, in cycle order */
    unsigned n_pokes;
    uint64_t pokes_done;
    uint64_t last_poke_cycle;      /* cycle of the latest poke ever queued */
} env_mem;

void env_mem_init(env_mem *m, pw_image *img, const mem_timing *t);
/* The accessor the model (pw_mmu) uses: schedule = mem_timing_at(index++),
 * read/cas apply the pokes due by their cycle first. */
void env_mem_pw_mem(env_mem *m, pw_mem *out);
/* Timing of the next access (index++). */
void env_mem_schedule(env_mem *m, uint64_t issue, uint64_t *accept, uint64_t *respond);
/* After a reset of both sides mid-walk (the model scheduled accesses the RTL never made):
 * both continue from the same access number. */
void env_mem_resync(env_mem *a, env_mem *b);
/* Perform a READ or CAS accepted in `cycle`. *data: the value read, or the
 * old value a CAS found. */
pw_mem_status env_mem_access(env_mem *m, const pw_mem_access *acc, uint64_t cycle, uint64_t *data);
/* Queue a poke. false when the queue is full (the poke is dropped). */
bool env_mem_poke(env_mem *m, const env_poke *p);
/* Apply the pokes due at or before `cycle`; env_mem_settle_all applies every one. */
void env_mem_settle(env_mem *m, uint64_t cycle);
void env_mem_settle_all(env_mem *m);

#ifdef __cplusplus
}
#endif

#endif
