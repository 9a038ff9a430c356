/* The MMU: TLB + PSCs + walker + the timing of docs/timing.md. Event driven
 * and cycle exact: it predicts every page-table access, every result and the
 * cycle each is delivered. This is what rtl/pw_top.sv is compared with. */
#ifndef PAGEWALK_MMU_H
#define PAGEWALK_MMU_H

#include "pagewalk/psc.h"
#include "pagewalk/regs.h"
#include "pagewalk/tlb.h"
#include "pagewalk/types.h"
#include "pagewalk/walk.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Performance counters; same names and order as the RTL's counter file. */
typedef struct {
    uint64_t requests;     /* translations accepted */
    uint64_t hits;         /* answered by the TLB */
    uint64_t misses;       /* TLB lookups that found no entry */
    uint64_t walks;        /* walks started (misses + hits re-walked: rights fault or clean write) */
    uint64_t walk_cycles;  /* sum over walks of (response cycle - accept cycle) */
    uint64_t mem_reads;
    uint64_t mem_cas;
    uint64_t restarts;     /* R9.3 */
    uint64_t psc_hits[PW_MAX_LEVEL_SLOTS]; /* by level of the cached entry, 2..5 */
    uint64_t faults;       /* #PF delivered */
    uint64_t bus_errors;
    uint64_t fills_dropped; /* successful walks not cached: a control operation overtook them */
} pw_counters;

#define PW_TRACE_MAX 64

/* One page-table access as the memory port sees it. */
typedef struct {
    pw_mem_access acc;
    uint64_t issue, accept, respond;
    uint64_t data;          /* read value, or the old value a CAS found */
    pw_mem_status status;
} pw_trace_entry;

typedef struct {
    pw_result result;
    uint64_t accept_cycle;  /* cycle the request port accepted the request */
    uint64_t rsp_cycle;     /* cycle rsp_valid is high with this answer */
    bool hit;               /* answered by the TLB without a walk */
    unsigned psc_level;     /* level of the PSC hit the walk started below (0 none) */
    unsigned n_trace;       /* accesses recorded (<= PW_TRACE_MAX) */
    unsigned n_access;      /* accesses made (may exceed n_trace) */
    pw_trace_entry trace[PW_TRACE_MAX];
} pw_mmu_response;

/* Control-port operations (docs/timing.md "control port"). */
typedef enum {
    PW_CTL_MOV_CR0 = 0,
    PW_CTL_MOV_CR3,
    PW_CTL_MOV_CR4,
    PW_CTL_WRMSR_EFER,
    PW_CTL_WRPKRU,
    PW_CTL_WRPKRS,
    PW_CTL_INVLPG,
    PW_CTL_INVPCID,
    PW_CTL_FLUSH_ALL,       /* a reset of the caches; not an x86 instruction */
} pw_ctl_kind;

typedef struct {
    pw_ctl_kind kind;
    uint64_t value;    /* register value; INVPCID: descriptor PCID field */
    uint64_t la;       /* INVLPG / INVPCID address */
    unsigned type;     /* INVPCID type */
} pw_ctl;

/* A successful CAS: the entry held `old`, the walk wrote `written` in cycle `accept`. */
typedef struct {
    uint64_t pa, old, written, accept;
    unsigned size;
} pw_mmu_cas_record;

typedef struct {
    pw_config cfg;
    pw_mem mem;
    pw_regs regs;
    pw_tlb tlb;
    pw_psc psc;
    pw_counters cnt;
    /* derived from regs after every change */
    pw_mode mode;
    uint16_t pcid;
    pw_rights_ctl ctl;
    uint64_t ready_cycle;    /* first cycle the request port can accept again */
    uint64_t next_cycle;     /* calls must not go back in time: the earliest cycle allowed */
    /* Results of the last walk, written at the edge that ends `fill_cycle`
     * unless a control operation (any that does not #GP) arrives in a cycle in
     * [walk_accept, fill_cycle]. */
    bool fill_pending;
    uint64_t walk_accept, fill_cycle;
    pw_walk_state fill_walk;
    uint16_t fill_pcid;
    /* The successful CASes of the last walk, for pw_mmu_reset: the model performs a
     * walk's accesses when it is accepted, a reset may come before the memory would
     * have accepted some of them. */
    unsigned n_cas_done;
    bool cas_log_full;
    pw_mmu_cas_record cas_done[PW_TRACE_MAX];
} pw_mmu;

pw_status pw_mmu_init(pw_mmu *m, const pw_config *cfg, const pw_mem *mem);
/* Set the registers (from reset or an image); validated, caches flushed. */
pw_status pw_mmu_set_regs(pw_mmu *m, const pw_regs *regs);
/* The first cycle >= `cycle` in which a request would be accepted. */
uint64_t pw_mmu_accept_cycle(const pw_mmu *m, uint64_t cycle);
/* Translate a request presented from `cycle`. Control operations meant for
 * cycles before its accept cycle must be applied first (pw_mmu_accept_cycle);
 * an operation in the accept cycle itself is ordered after the request. */
pw_status pw_mmu_translate(pw_mmu *m, const pw_request *req, uint64_t cycle, pw_mmu_response *rsp);
/* A control operation in `cycle`. PW_ERR_GP: illegal, nothing changed. */
pw_status pw_mmu_ctl(pw_mmu *m, uint64_t cycle, const pw_ctl *op);
/* Reset (rst_ni low) in `cycle`, which is after the accept cycle of every request
 * translated so far (docs/timing.md §10). The walk in flight stops: the accesses
 * the memory would have accepted in `cycle` or later never happen (the model
 * writes back what its CASes found), an answer due in `cycle` or later is never
 * given, nothing is filled. Registers, caches and counters return to their reset
 * values; the first request can be accepted in cycle + 1.
 * PW_ERR_RANGE: a CAS to undo was not recorded (more than PW_TRACE_MAX). */
pw_status pw_mmu_reset(pw_mmu *m, uint64_t cycle);
/* Apply the pending fill if its cycle has passed (called by the two above). */
void pw_mmu_settle(pw_mmu *m, uint64_t cycle);

#ifdef __cplusplus
}
#endif

#endif
