/* Random stimulus for the regressions (model-only tb/model_sim.c and the
 * co-simulation tb/cosim.cpp): address spaces built with the os builder in
 * two images at once (one per side), page-table edits applied to both,
 * requests with locality, CR writes, address-space switches, edits followed
 * by the invalidations they require, invalidations at random points of a
 * walk, and writes by "another CPU" during a walk (A/D bits: CAS restarts).
 *
 * The stimulus is a stream of events. A driver maps them to cycles by the
 * rules below and applies each to both sides; the stimulus never sees the
 * RTL and never calls the model.
 *
 *   event     happens in cycle
 *   REQUEST   presented from max(a' + 1, r' - 1 + gap, c' + 1, e'), where a'/r' are the
 *             accept/response cycles of the previous request, c' the cycle of the
 *             previous control operation and e' that of the previous edit; held until
 *             accepted (cycle a). gap <= 1 never delays a request behind r'.
 *   CTL       B + delay, where B is a (previous event a REQUEST: the operation may share
 *             its accept cycle and then comes after it), c + 1 (a CTL) or e (an EDIT).
 *             Only operations that do not #GP are performed: the driver dry-runs each on
 *             a copy of the registers and skips those that would #GP (must_pass: that
 *             would be a stimulus bug).
 *   EDIT      the first cycle e in which no request is outstanding (e >= r'), no control
 *             operation is scheduled and every poke has happened. The driver calls
 *             stim_apply_edit, which changes both images.
 *   RESET     a + delay (delay >= 1; it always follows a REQUEST without a poke): rst_ni is
 *             low in that cycle. What it does to both sides is docs/timing.md §10; the
 *             next events are the control operations that boot back into the registers
 *             held before the reset.
 *
 * A REQUEST may carry a poke: OR `bits` into the entry at `pa` in cycle a + delay
 * (env_mem.h), on both sides. Pokes only set A (and D of a writable leaf, for a write):
 * they need no invalidation, change no access right, and race the walk's own A/D CAS. */
#ifndef TB_STIM_H
#define TB_STIM_H

#include "pagewalk/pagewalk.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { STIM_REQUEST = 1, STIM_CTL, STIM_EDIT, STIM_RESET } stim_kind;

typedef struct {
    stim_kind kind;
    /* REQUEST */
    pw_request req;
    unsigned gap;
    bool has_poke;
    uint64_t poke_pa, poke_bits;
    unsigned poke_size, poke_delay;
    /* CTL */
    pw_ctl ctl;
    unsigned delay;          /* CTL, RESET */
    bool must_pass;
    /* EDIT and CTL: what it is, for logs */
    const char *what;
    /* One of the operations that boot into the initial registers: the registers
     * equal *initial (stim_init) before the first event without it. */
    bool boot;
} stim_event;

/* Event rates. Per mille of generator steps unless noted. */
typedef struct {
    unsigned edit, space_switch, cr_write, map, age, bad_table, paging_off;
    unsigned poke_pct;      /* requests that carry a poke */
    unsigned midwalk_pct;   /* requests followed by a control operation during their walk */
    unsigned midwalk_window;/* its delay is below this many cycles after the accept */
    bool midwalk_sweep;     /* delays 0, 1, .. window - 1 in turn instead of at random */
    unsigned reset_pm;      /* per mille of requests followed by a reset 1..window cycles later */
    unsigned idle_pct;      /* requests presented after an idle gap of 2..33 cycles */
} stim_opts;

void stim_opts_default(stim_opts *o);

#define STIM_SPACES 4              /* address spaces (PCIDs 1..4 when PCIDE) */
#define STIM_MAPS_PER_SPACE 48
#define STIM_HOT_SET 16
#define STIM_QUEUE 16
#define STIM_POOL_BASE (UINT64_C(64) << 20)
#define STIM_POOL_BYTES (UINT64_C(64) << 20)
/* Images must be at least this big; anything beyond the image is a bus error. */
#define STIM_MEM_MIN (STIM_POOL_BASE + STIM_POOL_BYTES)

typedef struct {
    uint64_t la;
    pw_page_size size;
    bool kernel;     /* mapped identically in every space */
} stim_mapping;

typedef enum {
    EDIT_NONE = 0, EDIT_MAP, EDIT_PROTECT, EDIT_UNMAP, EDIT_SWAP_OUT, EDIT_AGE_LEAF,
    EDIT_AGE_TABLE, EDIT_BAD_TABLE, EDIT_REPAIR, EDIT_RESERVED
} stim_edit_kind;

/* The edit stim_next last returned, applied by stim_apply_edit. */
typedef struct {
    stim_edit_kind kind;
    unsigned first, last;        /* spaces it applies to */
    stim_mapping mp;
    uint64_t pa, flags, table_flags;
    unsigned level;
    uint64_t value;              /* raw entry written (SWAP_OUT, BAD_TABLE, REPAIR); bits cleared
                                    (AGE_*) or set (RESERVED) */
} stim_edit;

typedef struct {
    uint64_t s;
} stim_rng;

typedef struct {
    stim_opts opt;
    pw_config cfg;
    pw_mode mode;
    stim_rng rng;
    pw_image *img[2];                  /* [1] may be NULL: one side only */
    pw_os *os[2][STIM_SPACES];
    stim_mapping maps[STIM_SPACES][STIM_MAPS_PER_SPACE * 2];
    unsigned nmaps[STIM_SPACES];
    unsigned cur;                      /* current space */
    bool pcide;
    pw_regs regs;                      /* the driver's registers as of the last stim_next */
    uint64_t hot[STIM_HOT_SET];
    uint64_t seq_la, seq_off, seq_len; /* sequential stream inside one mapping */
    unsigned paging_off_left;          /* requests until paging is turned back on */
    bool bad_table;                    /* a table pointer is broken until the next edit */
    uint64_t bad_pa, bad_old;
    unsigned bad_level;
    stim_edit edit;                    /* pending edit */
    bool edit_pending;
    stim_event q[STIM_QUEUE];
    unsigned q_head, q_n;
    uint64_t requests, edits, ctl_ops, pokes, resets;
    uint64_t midwalk_n;                /* midwalk operations so far (the sweep's position) */
    bool reboot;                       /* the last event was a RESET: boot back into pre_reset */
    pw_regs pre_reset;
    const char *fail;                  /* set when the two images diverged under an edit */
} stim;

/* Build the address spaces in img_a and img_b (identically; img_b may be NULL)
 * for `mode`, and the register state the run boots into (*initial). The first
 * events are the control operations that boot from reset (paging off, every
 * register 0) into *initial. `opts` NULL: defaults. */
pw_status stim_init(stim *s, const stim_opts *opts, pw_mode mode, uint64_t seed,
                    const pw_config *cfg, pw_image *img_a, pw_image *img_b, pw_regs *initial);
void stim_fini(stim *s);
/* The next event. `current`: the registers after every operation performed so far. */
void stim_next(stim *s, const pw_regs *current, stim_event *ev);
/* Apply the pending EDIT to both images. false if they diverged (s->fail says how). */
bool stim_apply_edit(stim *s);

/* What the core does before it sends an operation to the MMU: the #GP check and
 * the new registers (PDPTE loads through `mem`), as pw_mmu_ctl would. On
 * PW_ERR_GP *regs is unchanged. Drivers dry-run every CTL with it on a copy. */
pw_status stim_ctl_apply(const pw_config *cfg, pw_regs *regs, const pw_mem *mem, const pw_ctl *op);

/* The cycle rules at the top of this file, for a driver that keeps the cycles
 * of the events so far. */
typedef struct {
    bool any_request;   /* a request has been accepted */
    uint64_t a, r;      /* accept and response cycles of the last request */
    bool r_known;       /* its response has been seen */
    uint64_t c_next;    /* 1 + cycle of the last control operation (0: none yet) */
    uint64_t e;         /* cycle of the last edit */
    uint64_t base;      /* B of the next CTL */
} stim_timeline;

#define STIM_WAIT UINT64_MAX   /* not before the previous response is seen */

/* Cycle a REQUEST with this gap is presented from. */
uint64_t stim_tl_request(const stim_timeline *tl, unsigned gap);
/* Cycle of a CTL with this delay. */
uint64_t stim_tl_ctl(const stim_timeline *tl, unsigned delay);
/* First cycle an EDIT may happen in, given the cycle of the last poke queued. */
uint64_t stim_tl_edit(const stim_timeline *tl, uint64_t last_poke_cycle);
void stim_tl_accepted(stim_timeline *tl, uint64_t a);
void stim_tl_responded(stim_timeline *tl, uint64_t r);
/* A CTL's cycle is used whether or not the operation was performed (#GP). */
void stim_tl_ctl_done(stim_timeline *tl, uint64_t c);
void stim_tl_edit_done(stim_timeline *tl, uint64_t e);
/* A reset in cycle t: the request in flight is never answered; the next event may
 * come from t + 1 (docs/timing.md §10). */
void stim_tl_reset(stim_timeline *tl, uint64_t t);

/* Physical range of the page-table pool (compare the two images over it). */
static inline uint64_t stim_pool_base(void) { return STIM_POOL_BASE; }
static inline uint64_t stim_pool_bytes(void) { return STIM_POOL_BYTES; }

#ifdef __cplusplus
}
#endif

#endif
