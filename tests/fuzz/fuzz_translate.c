/* libFuzzer target: the translate API on arbitrary memory. The input
 * (translate_input.h) gives a configuration, registers, a few pages of a
 * sparse image and a list of accesses and control operations. Each access
 * goes through pw_walk (the golden semantics) and through pw_mmu (TLB, PSCs,
 * timing, over a memory port with a fixed delay and back-pressure), and every
 * promise of the headers that could break is checked:
 *
 *  - bad input is refused with a status, never a crash: an illegal
 *    configuration (PW_ERR_CONFIG everywhere), illegal registers (the status
 *    of pw_regs_validate, nothing changed), an illegal or late control
 *    operation (PW_ERR_GP / PW_ERR_RANGE / PW_ERR_ARG, nothing changed); a
 *    legal one leaves registers pw_regs_validate accepts;
 *  - every result is self-consistent (check_result): error-code bits against
 *    the access and the outcome, level and page size, the PA inside
 *    MAXPHYADDR and carrying the LA's page offset, an allowed access for OK;
 *  - a walk writes only A/D bits, nothing on a fault (PW_AD_NONE), and
 *    leaves A (and D for a write) in the leaf it translates with;
 *  - the step API (pw_walk_begin/next/respond) walks exactly as pw_walk;
 *  - pw_mmu answers what pw_walk answers on the same memory, as far as the
 *    contract promises (compare_with_walk): exactly, A/D writes included,
 *    for every walk from the root (the first access after the caches were
 *    emptied is one); and while nothing but the walks' own A/D updates has
 *    changed since the caches were emptied ("coherent"), also for walks that
 *    start below a PSC hit, and for TLB hits up to what a hit cannot know
 *    (raw entry, entry address, a D bit set since through another path);
 *  - a TLB hit always repeats a translation an earlier walk made;
 *  - each invalidation (R11.5: MOV CR0/CR3/CR4, INVLPG, INVPCID, a #PF)
 *    removes what it must: the access right after it cannot hit an entry it
 *    removed nor start below a PSC entry it removed;
 *  - the timing of docs/timing.md: accept cycle, r - a = 1 + K (w + d + 1),
 *    each access's issue/accept/respond cycles; the performance counters;
 *  - docs/tlb.md invariants: no two valid TLB entries overlap, at most one
 *    PSC entry per level and (key, PCID).
 * The reference walk runs before the mmu's, on a copy-on-write view of the
 * same memory, so that both start from the same contents. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagewalk/pagewalk.h"
#include "translate_input.h"

#include "check.h"

#define PF_ALL (PF_P | PF_W | PF_U | PF_RSVD | PF_ID | PF_PK | PF_SS)
#define MT_ALL (PW_MT_PWT | PW_MT_PCD | PW_MT_PAT)
#define LA32_BITS 32
#define PDPT_BYTES 32          /* the four 8-byte PAE PDPTEs at CR3[31:5] */
#define ENTRY_ADDR_LO PW_PAGE_SHIFT
#define ENTRY_ADDR32_HI 31
#define N_CTL_KINDS (PW_CTL_FLUSH_ALL + 1)
#define INVPCID_ADDR 0u           /* INVPCID types (R11.5) */
#define INVPCID_ALL_GLOBAL 2u
#define INVPCID_ALL_NONGLOBAL 3u
/* A walk makes at most one CAS per level per pass, and restarts at most
 * max_restarts (< FT_MISC_RESTART_MASK + 1) times. */
#define MAX_PASSES (FT_MISC_RESTART_MASK + 1)
#define OVERLAY_MAX (MAX_PASSES * PW_MAX_LEVEL)

/* ---- the mmu's memory port: the image, with fixed delays ---- */

typedef struct {
    pw_mem img;
    unsigned delay, wait;
} timed_port;

static pw_mem_status port_read(void *ctx, uint64_t pa, unsigned size, uint64_t cycle, uint64_t *val)
{
    timed_port *t = ctx;
    return t->img.read(t->img.ctx, pa, size, cycle, val);
}

static pw_mem_status port_cas(void *ctx, uint64_t pa, unsigned size, uint64_t expect,
                              uint64_t desired, uint64_t cycle, uint64_t *old)
{
    timed_port *t = ctx;
    return t->img.cas(t->img.ctx, pa, size, expect, desired, cycle, old);
}

static void port_schedule(void *ctx, uint64_t issue, const pw_mem_access *acc, uint64_t *accept,
                          uint64_t *respond)
{
    const timed_port *t = ctx;
    (void)acc;
    *accept = issue + t->wait;
    *respond = *accept + t->delay;
}

/* ---- the reference walk's view: the image, its writes kept aside ---- */

typedef struct {
    pw_mem img;
    unsigned n;
    uint64_t pa[OVERLAY_MAX], val[OVERLAY_MAX];
    unsigned size[OVERLAY_MAX];
} overlay;

static pw_mem_status ov_read(void *ctx, uint64_t pa, unsigned size, uint64_t cycle, uint64_t *val)
{
    overlay *o = ctx;
    for (unsigned i = 0; i < o->n; i++)
        if (o->pa[i] == pa) {
            CHECK(o->size[i] == size); /* one entry size per mode */
            *val = o->val[i];
            return PW_MEM_OK;
        }
    return o->img.read(o->img.ctx, pa, size, cycle, val);
}

static pw_mem_status ov_cas(void *ctx, uint64_t pa, unsigned size, uint64_t expect,
                            uint64_t desired, uint64_t cycle, uint64_t *old)
{
    overlay *o = ctx;
    pw_mem_status st = ov_read(ctx, pa, size, cycle, old);
    if (st != PW_MEM_OK || *old != expect)
        return st;
    for (unsigned i = 0; i < o->n; i++)
        if (o->pa[i] == pa) {
            o->val[i] = desired;
            return PW_MEM_OK;
        }
    CHECK(o->n < OVERLAY_MAX);
    o->pa[o->n] = pa;
    o->size[o->n] = size;
    o->val[o->n++] = desired;
    return PW_MEM_OK;
}

/* ---- the run ---- */

/* R11.5, docs/tlb.md "Invalidation kinds": what the invalidation done by the
 * last operation promises the access that follows it at once. */
typedef struct {
    bool active;
    bool any_la;        /* else only an access to `la` (mode-truncated) */
    uint64_t la;
    bool no_hit;        /* no TLB entry can match */
    bool global_only;   /* only a global TLB entry can match */
    bool no_psc;        /* no PSC entry of the current PCID is left */
} expect_next;

typedef struct {
    uint64_t base;   /* mode-truncated LA of the page */
    uint16_t pcid;
    pw_result res;
} walk_record;

typedef struct {
    pw_config cfg;
    pw_image *img;
    uint64_t mem_size;
    pw_mem img_mem;
    timed_port port;
    pw_mem port_mem;
    pw_mmu mmu;
    bool coherent;      /* caches emptied since the last change other than A/D updates */
    bool fresh;         /* caches empty: the next access must walk from the root */
    uint64_t ready;     /* earliest accept cycle by docs/timing.md §1 */
    uint64_t last_accept;
    pw_counters cnt;    /* what the counters must read */
    unsigned n_walks;
    walk_record walks[FT_MAX_OPS];
    expect_next next;   /* what the invalidation just done promises the next access */
} run;

static uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }

static unsigned level_of_size(pw_page_size s)
{
    switch (s) {
    case PW_SIZE_4K: return PW_LVL_PT;
    case PW_SIZE_2M:
    case PW_SIZE_4M: return PW_LVL_PD;
    case PW_SIZE_1G: return PW_LVL_PDPT;
    }
    return 0;
}

static bool long_mode(pw_mode m) { return m == PW_MODE_4LVL || m == PW_MODE_5LVL; }

/* Where physical addresses end in this mode (paging off: 32 bits of LA). */
static uint64_t pa_limit(const pw_config *cfg, pw_mode m)
{
    return PW_BIT(m == PW_MODE_NONE ? LA32_BITS : cfg->maxphyaddr);
}

/* The error-code bits that describe the access, derived here from the rules
 * (R10) rather than taken from the library. */
static uint32_t access_bits(const pw_rights_ctl *ctl, const pw_request *q)
{
    uint32_t e = 0;
    if (q->kind == PW_ACC_WRITE)
        e |= PF_W;
    if (q->user && !q->implicit)
        e |= PF_U;
    if (q->kind == PW_ACC_FETCH && (ctl->smep || ctl->nxe))
        e |= PF_ID;
    if (q->shadow_stack && ctl->cet && q->kind != PW_ACC_FETCH)
        e |= PF_SS;
    return e;
}

/* `hit`: a TLB hit, which keeps no raw entry (types.h). */
static void check_result(const run *r, const pw_regs *regs, const pw_request *q,
                         const pw_result *res, pw_status st, bool hit)
{
    const pw_config *cfg = &r->cfg;
    pw_mode m = pw_mode_of(regs);
    unsigned levels = pw_mode_levels(m), esize = pw_mode_entry_size(m);
    uint64_t la = pw_la_truncate(m, q->la), limit = pa_limit(cfg, m);
    pw_rights_ctl ctl;
    pw_rights_ctl_of(regs, &ctl);

    CHECK(st == PW_OK || st == PW_ERR_LIVELOCK);
    CHECK((st == PW_ERR_LIVELOCK) == (res->outcome == PW_OUT_ABORTED));
    CHECK(res->restarts <= cfg->max_restarts + (res->outcome == PW_OUT_ABORTED));
    switch (res->outcome) {
    case PW_OUT_OK: {
        CHECK(res->size <= PW_SIZE_1G);
        uint64_t bytes = pw_page_bytes(res->size);
        CHECK(res->err_code == 0);
        CHECK(res->pa < limit);
        CHECK(((res->pa ^ la) & (bytes - 1)) == 0);
        CHECK((res->memtype & ~MT_ALL) == 0);
        if (m == PW_MODE_NONE) {
            /* No paging, no rights: SMAP, WP, keys do not apply (R1.1). */
            CHECK(res->level == 0 && res->size == PW_SIZE_4K && !res->global);
            break;
        }
        CHECK(pw_rights_check(&ctl, q, &res->perm) == 0);
        CHECK(res->level == level_of_size(res->size) && res->level <= levels);
        CHECK(res->size != PW_SIZE_4M || m == PW_MODE_32);
        CHECK(res->size != PW_SIZE_2M || m != PW_MODE_32);
        CHECK(res->size != PW_SIZE_1G || (long_mode(m) && cfg->has_1g));
        CHECK(long_mode(m) || res->perm.pk == 0);
        CHECK(m != PW_MODE_32 || !res->perm.xd);
        CHECK(!res->global || (regs->cr4 & CR4_PGE));
        if (hit)
            break;
        CHECK(res->entry_pa % esize == 0 && res->entry_pa < limit);
        CHECK(esize == sizeof(uint64_t) || res->raw_entry <= UINT32_MAX);
        CHECK(res->raw_entry & PTE_P);
        break;
    }
    case PW_OUT_PF: {
        uint32_t e = res->err_code;
        CHECK(levels && res->level >= PW_LVL_PT && res->level <= levels);
        CHECK((e & ~PF_ALL) == 0);
        CHECK((e & (PF_W | PF_U | PF_ID | PF_SS)) == access_bits(&ctl, q));
        CHECK((e & (PF_W | PF_U | PF_ID | PF_SS)) == pw_access_err_bits(&ctl, q));
        CHECK(res->entry_pa % esize == 0 && res->entry_pa < limit);
        CHECK(esize == sizeof(uint64_t) || res->raw_entry <= UINT32_MAX);
        CHECK(!!(e & PF_P) == !!(res->raw_entry & PTE_P));     /* R10: P = the entry was present */
        CHECK(!(e & PF_RSVD) || !(e & PF_PK));
        CHECK(!(e & PF_PK) || (q->kind != PW_ACC_FETCH && long_mode(m)));
        if ((e & PF_P) && !(e & PF_RSVD)) {
            /* A rights fault is decided at the leaf, which has no reserved bit. */
            CHECK(pw_entry_is_leaf(regs, m, res->level, res->raw_entry));
            CHECK(pw_classify(cfg, regs, m, res->level, res->raw_entry) == PW_ENT_LEAF);
        }
        if (e & PF_RSVD)
            CHECK(pw_classify(cfg, regs, m, res->level, res->raw_entry) == PW_ENT_RESERVED);
        break;
    }
    case PW_OUT_GP:
        CHECK(long_mode(m) && !pw_la_canonical(m, q->la));
        CHECK(!res->level && !res->err_code && !res->raw_entry && !res->entry_pa && !res->pa);
        break;
    case PW_OUT_BUS_ERROR:
        CHECK(levels && res->level >= PW_LVL_PT && res->level <= levels);
        /* Entries are aligned: only an address outside memory fails. */
        CHECK(res->entry_pa % esize == 0);
        CHECK(res->entry_pa > r->mem_size - esize);
        break;
    case PW_OUT_ABORTED:
        CHECK(res->restarts == cfg->max_restarts + 1);
        break;
    default:
        CHECK(!"outcome out of range");
    }
}

static bool same_perm(const pw_perm *a, const pw_perm *b)
{
    return a->rw == b->rw && a->us == b->us && a->xd == b->xd && a->nonleaf_rw == b->nonleaf_rw &&
           a->dirty == b->dirty && a->pk == b->pk;
}

static bool same_result(const pw_result *a, const pw_result *b)
{
    return a->outcome == b->outcome && a->pa == b->pa && a->size == b->size &&
           same_perm(&a->perm, &b->perm) && a->global == b->global && a->memtype == b->memtype &&
           a->level == b->level && a->raw_entry == b->raw_entry && a->entry_pa == b->entry_pa &&
           a->err_code == b->err_code && a->restarts == b->restarts;
}

/* What a hit repeats of a walk of the same page (maybe another address in
 * it): everything but the raw entry and its address, which the TLB does not
 * keep (types.h), and D, which the hit has as it was when the entry was
 * filled. check_result has checked the page offset. */
static bool hit_repeats(const pw_result *hit, const pw_result *w)
{
    pw_perm p = w->perm;
    p.dirty = hit->perm.dirty;
    uint64_t frame = ~(pw_page_bytes(w->size) - 1);
    return hit->outcome == PW_OUT_OK && w->outcome == PW_OUT_OK &&
           (hit->pa & frame) == (w->pa & frame) &&
           hit->size == w->size && same_perm(&hit->perm, &p) && hit->global == w->global &&
           hit->memtype == w->memtype && hit->level == w->level;
}

/* The mmu's successful CASes are exactly the reference walk's writes. */
static void check_same_writes(run *r, const overlay *ov, const pw_mmu_response *rsp)
{
    for (unsigned i = 0; i < ov->n; i++) {
        uint64_t v = 0;
        CHECK(r->img_mem.read(r->img_mem.ctx, ov->pa[i], ov->size[i], 0, &v) == PW_MEM_OK);
        CHECK(v == ov->val[i]);
    }
    for (unsigned k = 0; k < rsp->n_trace; k++) {
        const pw_trace_entry *t = &rsp->trace[k];
        if (t->acc.kind != PW_MEM_CAS || t->status != PW_MEM_OK || t->data != t->acc.expect)
            continue;
        bool found = false;
        for (unsigned i = 0; i < ov->n; i++)
            found |= ov->pa[i] == t->acc.pa;
        CHECK(found);
    }
}

static void compare_with_walk(run *r, const pw_request *q, const pw_result *ref, pw_status ref_st,
                              const overlay *ov, const pw_mmu_response *rsp, pw_status st)
{
    const pw_result *got = &rsp->result;
    if (r->fresh)
        CHECK(!rsp->hit && !rsp->psc_level);
    if (rsp->hit) {
        CHECK(got->outcome == PW_OUT_OK && !got->raw_entry && !got->entry_pa && !got->err_code &&
              !got->restarts);
        /* The hit repeats a walk of this page in this context (or a global one). */
        uint64_t bytes = pw_page_bytes(got->size);
        uint64_t base = pw_la_truncate(r->mmu.mode, q->la) & ~(bytes - 1);
        bool found = false;
        for (unsigned i = 0; i < r->n_walks && !found; i++) {
            const walk_record *w = &r->walks[i];
            found = w->base == base && (w->res.global || w->pcid == r->mmu.pcid) &&
                    hit_repeats(got, &w->res) && got->perm.dirty == w->res.perm.dirty;
        }
        CHECK(found);
        if (r->coherent) {
            /* Nothing but A/D updates changed: memory still says the same, and
             * a D bit is only ever set, never cleared. */
            CHECK(ref_st == PW_OK && hit_repeats(got, ref));
            CHECK(!got->perm.dirty || ref->perm.dirty);
            CHECK(ov->n == 0 && ref->restarts == 0);
        }
        return;
    }
    if (!rsp->psc_level || r->coherent) {
        CHECK(st == ref_st);
        CHECK(same_result(got, ref));
        check_same_writes(r, ov, rsp);
    }
}

/* R9: a walk writes nothing but A and D bits; a fault or bus error under
 * PW_AD_NONE writes nothing at all (R9.4, R9.5); a translation leaves its leaf
 * with A set, and D too for a write (R9.1, R9.2). `ov` holds the walk's
 * writes over the unchanged image. */
static void check_ad_writes(const run *r, const pw_request *q, const pw_result *res,
                            const overlay *ov)
{
    for (unsigned i = 0; i < ov->n; i++) {
        uint64_t old = 0;
        CHECK(r->img_mem.read(r->img_mem.ctx, ov->pa[i], ov->size[i], 0, &old) == PW_MEM_OK);
        CHECK((old & ~ov->val[i]) == 0 && ((ov->val[i] & ~old) & ~(PTE_A | PTE_D)) == 0);
    }
    bool faulted = res->outcome == PW_OUT_PF || res->outcome == PW_OUT_BUS_ERROR;
    if (faulted && r->cfg.ad_on_fault == PW_AD_NONE)
        CHECK(ov->n == 0);
    if (res->outcome == PW_OUT_OK && res->level) {
        CHECK(res->raw_entry & PTE_A);
        if (q->kind == PW_ACC_WRITE)
            CHECK((res->raw_entry & PTE_D) && res->perm.dirty);
    }
}

/* The public step API (pw_walk_begin/next/respond) walks as pw_walk does:
 * same result, same writes; and refuses what needs no walk. */
static void check_step_api(run *r, const pw_regs *regs, const pw_request *q, const pw_result *ref,
                           pw_status ref_st, const overlay *ref_ov)
{
    static pw_walk_state w;   /* large: not on the stack */
    pw_mode m = pw_mode_of(regs);
    pw_status st = pw_walk_begin(&w, &r->cfg, regs, q, NULL);
    if (m == PW_MODE_NONE || !pw_la_canonical(m, q->la)) {
        CHECK(st == PW_ERR_ARG);
        return;
    }
    CHECK(st == PW_OK);
    overlay ov = {.img = r->img_mem, .n = 0};
    pw_mem_access acc;
    unsigned steps = 0;
    while (pw_walk_next(&w, &acc)) {
        CHECK(++steps <= MAX_PASSES * 2 * PW_MAX_LEVEL);   /* a read and a CAS per level and pass */
        uint64_t v = 0;
        pw_mem_status ms = acc.kind == PW_MEM_READ
                               ? ov_read(&ov, acc.pa, acc.size, 0, &v)
                               : ov_cas(&ov, acc.pa, acc.size, acc.expect, acc.desired, 0, &v);
        pw_status rs = pw_walk_respond(&w, ms, v);
        CHECK(rs == PW_OK || rs == PW_ERR_LIVELOCK);
    }
    CHECK(w.status == ref_st && same_result(&w.result, ref));
    CHECK(ov.n == ref_ov->n);
    for (unsigned i = 0; i < ov.n; i++)
        CHECK(ov.pa[i] == ref_ov->pa[i] && ov.val[i] == ref_ov->val[i]);
    CHECK(pw_walk_respond(&w, PW_MEM_OK, 0) == PW_ERR_ARG);  /* nothing pending after the end */
}

static void check_timing(const run *r, const pw_mmu_response *rsp, bool walked)
{
    uint64_t a = rsp->accept_cycle;
    unsigned w = r->port.wait, d = r->port.delay;
    if (!walked) {
        CHECK(rsp->n_access == 0 && rsp->rsp_cycle == a + 1);
        return;
    }
    CHECK(rsp->n_trace == rsp->n_access && rsp->n_access <= PW_TRACE_MAX);
    uint64_t s = a + 1;
    for (unsigned k = 0; k < rsp->n_trace; k++) {
        const pw_trace_entry *t = &rsp->trace[k];
        CHECK(t->issue == s && t->accept == s + w && t->respond == t->accept + d);
        CHECK(t->acc.size == pw_mode_entry_size(r->mmu.mode));
        s = t->respond + 1;
    }
    CHECK(rsp->rsp_cycle == s);
    CHECK(rsp->rsp_cycle - a == 1 + (uint64_t)rsp->n_access * (w + d + 1));
}

static bool counters_equal(const pw_counters *a, const pw_counters *b)
{
    bool eq = a->requests == b->requests && a->hits == b->hits && a->walks == b->walks &&
              a->walk_cycles == b->walk_cycles && a->mem_reads == b->mem_reads &&
              a->mem_cas == b->mem_cas && a->restarts == b->restarts && a->faults == b->faults &&
              a->bus_errors == b->bus_errors;
    for (unsigned l = PW_LVL_PD; l <= PW_LVL_PML5; l++)
        eq &= a->psc_hits[l] == b->psc_hits[l];
    return eq;
}

/* docs/tlb.md: no two valid TLB entries overlap; one PSC entry per (level, key, PCID). */
static void check_caches(const pw_mmu *m)
{
    const pw_tlb *t = &m->tlb;
    for (unsigned i = 0; i < t->n; i++)
        for (unsigned j = i + 1; j < t->n; j++) {
            const pw_tlb_entry *x = &t->e[i], *y = &t->e[j];
            if (!x->valid || !y->valid)
                continue;
            uint64_t big = max_u64(pw_page_bytes(x->size), pw_page_bytes(y->size));
            unsigned k = (unsigned)__builtin_ctzll(big) - PW_PAGE_SHIFT;
            bool same_ctx = x->global || y->global || x->pcid == y->pcid;
            CHECK(!same_ctx || (x->vpn >> k) != (y->vpn >> k));
        }
    for (unsigned l = PW_LVL_PD; l <= PW_LVL_PML5; l++) {
        const pw_psc_level *p = &m->psc.lvl[l];
        for (unsigned i = 0; i < p->n; i++)
            for (unsigned j = i + 1; j < p->n; j++)
                CHECK(!p->e[i].valid || !p->e[j].valid || p->e[i].key != p->e[j].key ||
                      p->e[i].pcid != p->e[j].pcid);
    }
}

static void do_access(run *r, const ft_op *op)
{
    pw_mmu *m = &r->mmu;
    pw_request q = {
        .la = op->a,
        .kind = (pw_access_kind)(op->kind & FT_OP_KIND_MASK),
        .user = op->kind & FT_OP_USER,
        .implicit = op->kind & FT_OP_IMPLICIT,
        .ac = op->kind & FT_OP_AC,
        .shadow_stack = op->kind & FT_OP_SHADOW,
    };
    pw_regs regs = m->regs;
    pw_mode mode = m->mode;

    overlay ov = {.img = r->img_mem, .n = 0};
    pw_mem ref_mem = {.ctx = &ov, .read = ov_read, .cas = ov_cas, .schedule = NULL};
    pw_result ref;
    pw_status ref_st = pw_walk(&r->cfg, &regs, &ref_mem, &q, &ref);
    check_result(r, &regs, &q, &ref, ref_st, false);
    check_step_api(r, &regs, &q, &ref, ref_st, &ov);
    check_ad_writes(r, &q, &ref, &ov);

    uint64_t p = r->last_accept + op->gap;
    uint64_t a = max_u64(p, r->ready);
    CHECK(pw_mmu_accept_cycle(m, p) == a);
    pw_mmu_response rsp;
    pw_status st = pw_mmu_translate(m, &q, p, &rsp);
    CHECK(rsp.accept_cycle == a);
    check_result(r, &regs, &q, &rsp.result, st, rsp.hit);

    bool trivial = mode == PW_MODE_NONE || !pw_la_canonical(mode, q.la);
    bool walked = !trivial && !rsp.hit;
    const expect_next *x = &r->next;
    if (x->active && (x->any_la || x->la == pw_la_truncate(mode, q.la))) {
        CHECK(!x->no_hit || !rsp.hit);
        CHECK(!x->global_only || !rsp.hit || rsp.result.global);
        CHECK(!x->no_psc || !rsp.psc_level);
    }
    r->next.active = false;
    CHECK(!trivial || (!rsp.hit && !rsp.psc_level));
    CHECK(!rsp.hit || rsp.result.outcome == PW_OUT_OK);
    check_timing(r, &rsp, walked);
    if (trivial) {
        CHECK(st == ref_st && same_result(&rsp.result, &ref) && ov.n == 0);
    } else {
        compare_with_walk(r, &q, &ref, ref_st, &ov, &rsp, st);
        r->fresh = false;
    }

    /* The counters, as docs/timing.md and mmu.h define them. */
    pw_counters *c = &r->cnt;
    c->requests++;
    c->hits += rsp.hit;
    if (walked) {
        c->walks++;
        c->walk_cycles += rsp.rsp_cycle - a;
        c->restarts += rsp.result.restarts;
        c->psc_hits[rsp.psc_level] += rsp.psc_level != 0;
        for (unsigned k = 0; k < rsp.n_trace; k++) {
            c->mem_reads += rsp.trace[k].acc.kind == PW_MEM_READ;
            c->mem_cas += rsp.trace[k].acc.kind == PW_MEM_CAS;
        }
        if (st == PW_OK) {
            c->faults += rsp.result.outcome == PW_OUT_PF;
            c->bus_errors += rsp.result.outcome == PW_OUT_BUS_ERROR;
        }
        if (rsp.result.outcome == PW_OUT_OK && r->n_walks < FT_MAX_OPS) {
            uint64_t bytes = pw_page_bytes(rsp.result.size);
            r->walks[r->n_walks++] = (walk_record){
                .base = pw_la_truncate(mode, q.la) & ~(bytes - 1), .pcid = m->pcid,
                .res = rsp.result};
        }
    }
    CHECK(counters_equal(&m->cnt, c));

    /* PAE with PDPTEs read from memory: an A/D write into the PDPT may turn a
     * PDPTE reserved (bits 8:5, R5.6) behind a PDE-cache entry. */
    if (mode == PW_MODE_PAE && r->cfg.pae_pdpte == PW_PDPTE_ON_DEMAND) {
        uint64_t pdpt = regs.cr3 & CR3_PAE_BASE;
        for (unsigned k = 0; k < rsp.n_trace; k++) {
            const pw_trace_entry *t = &rsp.trace[k];
            if (t->acc.kind == PW_MEM_CAS && t->acc.pa - pdpt < PDPT_BYTES)
                r->coherent = false;
        }
    }
    if (walked && st == PW_OK && rsp.result.outcome == PW_OUT_PF)
        /* R11.5 #PF row: la's TLB entries and the PSC entries la would use are gone,
         * and a faulting walk fills nothing. */
        r->next = (expect_next){.active = true, .la = pw_la_truncate(mode, q.la), .no_hit = true,
                                .no_psc = true};
    r->last_accept = a;
    r->ready = rsp.rsp_cycle;
    check_caches(m);
}

static bool same_regs(const pw_regs *a, const pw_regs *b)
{
    return a->cr0 == b->cr0 && a->cr3 == b->cr3 && a->cr4 == b->cr4 && a->efer == b->efer &&
           a->pkru == b->pkru && a->pkrs == b->pkrs && !memcmp(a->pdpte, b->pdpte, sizeof a->pdpte);
}

static unsigned cached(const pw_mmu *m)
{
    unsigned n = pw_tlb_count(&m->tlb);
    for (unsigned l = PW_LVL_PD; l <= PW_LVL_PML5; l++)
        n += pw_psc_count(&m->psc, l);
    return n;
}

/* The invalidation a legal operation implies (R11.5, derived here from the
 * rule, not from regs.c): true for one of everything; otherwise r->next says
 * what the next access may find. `before`: the registers before the operation. */
static bool expect_flush(run *r, const pw_ctl *c, const pw_regs *before)
{
    const pw_regs *now = &r->mmu.regs;
    pw_mode m = pw_mode_of(before);
    uint16_t pcid = pw_regs_pcid(before);
    expect_next *x = &r->next;
    *x = (expect_next){.active = true, .any_la = true};
    uint64_t chg4 = before->cr4 ^ now->cr4;
    switch (c->kind) {
    case PW_CTL_MOV_CR0:
        return (before->cr0 & CR0_PG) && !(now->cr0 & CR0_PG);
    case PW_CTL_MOV_CR3:
        if ((before->efer & EFER_LMA) && (before->cr4 & CR4_PCIDE) && (c->value & CR3_NOFLUSH))
            break;
        x->global_only = x->no_psc = true;          /* the new PCID's own entries are gone */
        return false;
    case PW_CTL_MOV_CR4:
        if ((chg4 & CR4_PGE) || ((before->cr4 & CR4_PCIDE) && !(now->cr4 & CR4_PCIDE)))
            return true;
        if ((chg4 & CR4_PAE) || ((now->cr4 & CR4_SMEP) && !(before->cr4 & CR4_SMEP)))
            x->no_hit = x->no_psc = true;           /* CONTEXT: everything usable now */
        break;
    case PW_CTL_INVLPG:
        if (!pw_la_canonical(m, c->la))
            break;                                  /* a NOP */
        *x = (expect_next){.active = true, .la = pw_la_truncate(m, c->la), .no_hit = true,
                           .no_psc = true};
        break;
    case PW_CTL_INVPCID:
        if (c->type == INVPCID_ALL_GLOBAL)
            return true;
        if (c->type == INVPCID_ALL_NONGLOBAL || c->value == pcid) {
            x->global_only = x->no_psc = true;
            if (c->type == INVPCID_ADDR) {
                x->any_la = false;
                x->la = pw_la_truncate(m, c->la);
            }
        }
        break;
    case PW_CTL_FLUSH_ALL:
        return true;
    default:
        break;                                      /* EFER, PKRU, PKRS: no invalidation */
    }
    return false;
}

static void do_ctl(run *r, const ft_op *op)
{
    pw_mmu *m = &r->mmu;
    unsigned kind = (op->kind >> FT_OP_CTL_SHIFT) & FT_OP_CTL_MASK;
    pw_ctl c = {.kind = (pw_ctl_kind)kind, .value = op->a, .la = op->b, .type = op->type};
    bool late = (op->kind & FT_OP_LATE) && m->next_cycle > 0;
    uint64_t cycle = late ? m->next_cycle - 1 : max_u64(m->next_cycle, r->last_accept + op->gap);
    if (!late)
        pw_mmu_settle(m, cycle);   /* what pw_mmu_ctl does first: then "nothing changed" is exact */
    pw_regs before = m->regs;
    unsigned n_cached = cached(m);
    bool fill_pending = m->fill_pending;
    uint64_t next = m->next_cycle;

    r->next.active = false;   /* it promises the access that follows at once only */
    pw_status st = pw_mmu_ctl(m, cycle, &c);
    if (st != PW_OK) {
        CHECK(st == PW_ERR_GP || st == PW_ERR_ARG || st == PW_ERR_RANGE);
        CHECK(st != PW_ERR_ARG || late || kind >= N_CTL_KINDS);
        CHECK(st != PW_ERR_RANGE || c.kind <= PW_CTL_MOV_CR4);  /* a PDPTE load outside memory */
        CHECK(same_regs(&m->regs, &before) && cached(m) == n_cached &&
              m->fill_pending == fill_pending && m->next_cycle == next);
        return;
    }
    CHECK(!late && kind < N_CTL_KINDS);
    const char *why = NULL;
    CHECK(pw_regs_validate(&r->cfg, &m->regs, &why) == PW_OK);
    CHECK(m->mode == pw_mode_of(&m->regs) && m->pcid == pw_regs_pcid(&m->regs));
    CHECK(m->next_cycle == cycle + 1);
    /* The last walk's fill happened before the operation or was cancelled by it (mmu.h). */
    CHECK(!m->fill_pending);
    r->ready = max_u64(r->ready, cycle + 1);
    /* Only an invalidation of everything brings the caches back in line with
     * memory and registers. */
    bool all = expect_flush(r, &c, &before);
    r->coherent = r->fresh = all;
    if (all)
        CHECK(cached(m) == 0);
    check_caches(m);
}

/* ---- building memory and registers ---- */

static void build_memory(run *r, const ft_input *in, pw_mode mode)
{
    uint64_t frames = r->mem_size >> PW_PAGE_SHIFT, base[FT_MAX_PAGES];
    unsigned esize = pw_mode_entry_size(mode);
    uint64_t addr = mode == PW_MODE_32 ? PW_BITS(ENTRY_ADDR32_HI, ENTRY_ADDR_LO)
                                       : PW_BITS(r->cfg.maxphyaddr - 1, ENTRY_ADDR_LO);
    for (unsigned i = 0; i < in->n_pages; i++)
        base[i] = (in->page[i].frame % frames) << PW_PAGE_SHIFT;
    for (unsigned i = 0; i < in->n_pages; i++) {
        const ft_page *pg = &in->page[i];
        for (unsigned k = 0; k < pg->n; k++) {
            const ft_entry *e = &pg->e[k];
            uint64_t v = e->value;
            if (e->ref & FT_REF_PAGE)
                v = (v & ~addr) | base[(e->ref & ~FT_REF_PAGE) % in->n_pages];
            uint64_t pa = base[i] + (e->slot % (PW_PAGE_SIZE / esize)) * esize;
            pw_status st = esize == sizeof(uint32_t) ? pw_image_write32(r->img, pa, (uint32_t)v)
                                                     : pw_image_write64(r->img, pa, v);
            CHECK(st == PW_OK);
        }
    }
}

/* Registers as the input gives them; the library must refuse the illegal ones. */
static void set_regs(run *r, const ft_input *in)
{
    pw_regs regs = in->regs;
    if (in->reg_flags & FT_REG_NORMALIZE)
        pw_regs_normalize(&regs);
    if (in->reg_flags & FT_REG_LOAD_PDPTES) {
        pw_regs before = regs;
        pw_status st = pw_regs_load_pdptes(&r->cfg, &regs, &r->img_mem);
        CHECK(st == PW_OK || st == PW_ERR_GP || st == PW_ERR_RANGE);
        if (st != PW_OK)
            CHECK(same_regs(&regs, &before));
    }
    const char *why = NULL;
    pw_status valid = pw_regs_validate(&r->cfg, &regs, &why);
    CHECK((valid == PW_OK) == (why == NULL));
    pw_status st = pw_mmu_set_regs(&r->mmu, &regs);
    CHECK(st == valid);
    if (st == PW_OK) {
        CHECK(same_regs(&r->mmu.regs, &regs));
        r->coherent = r->fresh = true;
        return;
    }
    CHECK(st == PW_ERR_GP);
    pw_regs reset;
    pw_regs_reset(&reset);
    CHECK(same_regs(&r->mmu.regs, &reset));   /* refused: the mmu keeps its power-on state */
    /* The untimed walker takes any registers: it must not crash on these. */
    for (unsigned i = 0; i < in->n_ops; i++) {
        const ft_op *op = &in->op[i];
        if ((op->kind & FT_OP_KIND_MASK) == FT_OP_CTL)
            continue;
        pw_request q = {.la = op->a, .kind = (pw_access_kind)(op->kind & FT_OP_KIND_MASK),
                        .user = op->kind & FT_OP_USER};
        pw_result res;
        pw_status ws = pw_walk(&r->cfg, &regs, &r->img_mem, &q, &res);
        CHECK(ws == PW_OK || ws == PW_ERR_LIVELOCK);
    }
    r->coherent = r->fresh = true;   /* paging off, caches empty: ctl ops may turn it on */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ft_input in;   /* large: not on the stack */
    static run r;
    ft_decode(data, size, &in);
    memset(&r, 0, sizeof r);
    ft_config_of(&in, &r.cfg);
    r.mem_size = ft_mem_bytes(&in);
    CHECK(pw_image_sparse_new(r.mem_size, &r.img) == PW_OK);
    pw_image_mem(r.img, &r.img_mem);
    r.port = (timed_port){.img = r.img_mem, .delay = ft_delay(&in), .wait = ft_wait(&in)};
    r.port_mem = (pw_mem){.ctx = &r.port, .read = port_read, .cas = port_cas,
                          .schedule = port_schedule};

    const char *msg = NULL;
    pw_status cfg_st = pw_config_check(&r.cfg, &msg);
    pw_status init_st = pw_mmu_init(&r.mmu, &r.cfg, &r.port_mem);
    CHECK(init_st == cfg_st);
    if (cfg_st != PW_OK) {
        /* An illegal configuration is refused by every entry point. */
        CHECK(cfg_st == PW_ERR_CONFIG && msg != NULL);
        pw_request q = {.la = 0, .kind = PW_ACC_READ};
        pw_result res;
        CHECK(pw_walk(&r.cfg, &in.regs, &r.img_mem, &q, &res) == PW_ERR_CONFIG);
        CHECK(pw_regs_validate(&r.cfg, &in.regs, NULL) == PW_ERR_CONFIG);
        pw_image_free(r.img);
        return 0;
    }
    pw_regs given = in.regs;
    if (in.reg_flags & FT_REG_NORMALIZE)
        pw_regs_normalize(&given);
    build_memory(&r, &in, pw_mode_of(&given));
    set_regs(&r, &in);

    for (unsigned i = 0; i < in.n_ops; i++) {
        const ft_op *op = &in.op[i];
        if ((op->kind & FT_OP_KIND_MASK) == FT_OP_CTL)
            do_ctl(&r, op);
        else
            do_access(&r, op);
    }
    pw_image_free(r.img);
    return 0;
}
