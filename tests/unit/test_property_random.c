/* Seeded random properties of pw_mmu (x86-paging.md R11.5, R11.6, R13 last
 * bullet; docs/tlb.md "Invariants"):
 *   (a) whenever every change to the page tables has been followed by an
 *       invalidation that covers it, the mmu answers exactly what a fresh
 *       pw_walk answers on a copy of memory (the walk's A/D writes go to an
 *       overlay, so the mmu then sees the same memory);
 *   (b) after rights upgrades (R/W 0->1, U/S 0->1, XD 1->0) without
 *       invalidation, an answer differs from a fresh walk only as R11.6 allows:
 *       a stale hit that still permits the access, or one spurious protection
 *       #PF, after which the same access gets the fresh answer;
 *   (c) whatever the sequence (page-size changes without invalidation, PCID
 *       switches, global pages, operations during walks, restarts), at most
 *       one TLB entry matches any (LA, PCID), and at most one PSC entry per
 *       level matches any (key, PCID).
 * Deterministic: fixed seeds; a failure names seed and step. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include "mmu_fixture.h"

#define SEED_A   UINT64_C(0x5eed00a1)
#define SEED_B   UINT64_C(0x5eed00b2)
#define SEED_C   UINT64_C(0x5eed00c3)
#define STEPS_A  6000u
#define EPOCHS_B 150u
#define STEPS_C  6000u
#define N_PCIDS  4u         /* PCIDs 0..3 in use */
#define N_SMALL  4u         /* 4 KiB slots per region */
#define MAX_REGIONS 6u
#define MAX_PROBES (MAX_REGIONS * (N_SMALL + 2))
#define OVERLAY_MAX 32u
#define PCT 100u
#define TLB_SMALL 8u        /* (c): a small TLB, so that replacement happens */
#define PAE_PDPTES 4u
#define PAE_ANCHOR_PD 0x100u
#define INVPCID_ADDR 0u
#define INVPCID_SINGLE 1u
#define INVPCID_ALL 2u
#define INVPCID_NONGLOBAL 3u
#define PK_KEYS 16u
#define PA_4K_FRAMES UINT64_C(0xfffff)  /* 4 KiB frames below 4 GiB */
#define PA_BIG_FRAMES 512u
#define PA_1G_FRAMES 64u
#define LA5_UPPER UINT64_C(0xff00000000000000)   /* 5-level: bits 63:56 set */
#define LA4_UPPER UINT64_C(0xffff800000000000)   /* 4-level: PML4 index 256 */
#define LA_NONCANONICAL UINT64_C(0x0080000000000000)

/* ---- random numbers (xorshift64*) ---- */

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * UINT64_C(0x2545f4914f6cdd1d);
}

static unsigned below(uint64_t *s, unsigned n)
{
    return (unsigned)(rnd(s) % n);
}

static bool chance(uint64_t *s, unsigned pct)
{
    return below(s, PCT) < pct;
}

/* ---- a copy-on-write view of memory for the reference walk ---- */

typedef struct {
    pw_image *img;
    unsigned n;
    uint64_t pa[OVERLAY_MAX], val[OVERLAY_MAX];
} overlay;

static pw_mem_status ov_read(void *ctx, uint64_t pa, unsigned size, uint64_t cycle, uint64_t *val)
{
    (void)cycle;
    overlay *o = ctx;
    for (unsigned i = 0; i < o->n; i++)
        if (o->pa[i] == pa) {
            *val = o->val[i];
            return PW_MEM_OK;
        }
    if (size == sizeof(uint32_t)) {
        uint32_t v = 0;
        pw_status st = pw_image_read32(o->img, pa, &v);
        *val = v;
        return st == PW_OK ? PW_MEM_OK : PW_MEM_BUS_ERROR;
    }
    return pw_image_read64(o->img, pa, val) == PW_OK ? PW_MEM_OK : PW_MEM_BUS_ERROR;
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
    assert_true(o->n < OVERLAY_MAX);
    o->pa[o->n] = pa;
    o->val[o->n++] = desired;
    return PW_MEM_OK;
}

/* ---- the world: regions of an address space that change state ---- */

enum { ST_EMPTY, ST_BIG, ST_SMALL, ST_HUGE };

typedef struct {
    uint64_t base;
    bool huge_ok;     /* may hold a 1 GiB page */
    unsigned state;
    bool mapped[N_SMALL];
    bool global;      /* some page of the current state has G=1 */
} region;

typedef struct {
    uint64_t base;
    bool huge_ok;
} region_def;

typedef struct {
    fx_mmu fx;
    uint64_t seed, rng;
    unsigned step;
    pw_mode mode;
    bool pcide;
    pw_page_size big;
    unsigned n_regions;
    region reg[MAX_REGIONS];
    uint64_t probe[MAX_PROBES];
    unsigned n_probes;
    bool stale[N_PCIDS];
    uint64_t last_probe;
    unsigned compared, hits, stale_ok, spurious;
} world;

static const region_def DEFS_4LVL[] = {
    {FX_LA4(0, 1, 1, 0), false}, {FX_LA4(0, 1, 2, 0), false}, {FX_LA4(0, 2, 0, 0), false},
    {FX_LA4(1, 0, 0, 0), false}, {LA4_UPPER | FX_LA4(0, 0, 1, 0), false},
    {FX_LA4(2, 3, 0, 0), true},
};
static const region_def DEFS_5LVL[] = {
    {FX_LA5(0, 0, 1, 1, 0), false}, {FX_LA5(0, 0, 1, 2, 0), false},
    {FX_LA5(0, 1, 0, 0, 0), false}, {FX_LA5(1, 0, 0, 0, 0), false},
    {LA5_UPPER | FX_LA4(0, 0, 1, 0), false}, {FX_LA5(2, 0, 3, 0, 0), true},
};
static const region_def DEFS_PAE[] = {
    {FX_LA4(0, 0, 1, 0), false}, {FX_LA4(0, 0, 2, 0), false},
    {FX_LA4(0, 1, 0, 0), false}, {FX_LA4(0, 3, 0x1ff, 0), false},
};
static const region_def DEFS_32[] = {
    {FX_LA32(1, 0), false}, {FX_LA32(2, 0), false}, {FX_LA32(0x100, 0), false},
    {FX_LA32(0x3ff, 0), false},
};

static bool long_mode(const world *w)
{
    return w->mode == PW_MODE_4LVL || w->mode == PW_MODE_5LVL;
}

static uint16_t cur_pcid(const world *w)
{
    return pw_regs_pcid(&w->fx.mmu->regs);
}

#define WCHECK(w, cond, ...)                                                                       \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            char msg_[1024];                                                                       \
            snprintf(msg_, sizeof msg_, __VA_ARGS__);                                              \
            fail_msg("seed %#llx mode %s step %u: %s", (unsigned long long)(w)->seed,              \
                     pw_mode_name((w)->mode), (w)->step, msg_);                                    \
        }                                                                                          \
    } while (0)

static uint64_t small_la(const world *w, const region *r, unsigned i)
{
    uint64_t pages = pw_page_bytes(w->big) / PW_PAGE_SIZE;
    uint64_t idx = i + 1 < N_SMALL ? i : pages - 1; /* pages 0, 1, 2 and the last */
    return r->base + idx * PW_PAGE_SIZE;
}

static uint64_t rand_leaf_flags(world *w, bool allow_global)
{
    uint64_t *s = &w->rng, f = 0;
    f |= chance(s, 80) ? PTE_RW : 0;
    f |= chance(s, 70) ? PTE_US : 0;
    f |= chance(s, 75) ? PTE_A : 0;
    f |= chance(s, 50) ? PTE_D : 0;
    f |= allow_global && chance(s, 25) ? PTE_G : 0;
    f |= w->mode != PW_MODE_32 && chance(s, 10) ? PTE_XD : 0;
    f |= long_mode(w) ? (uint64_t)below(s, PK_KEYS) << PTE_PK_SHIFT : 0;
    f |= chance(s, 10) ? PTE_PWT : 0;
    f |= chance(s, 10) ? PTE_PCD : 0;
    f |= chance(s, 10) ? PW_OS_PAT : 0;
    return f;
}

static void rand_table_flags(world *w)
{
    uint64_t *s = &w->rng, f = 0;
    f |= chance(s, 95) ? PTE_RW : 0;
    f |= chance(s, 95) ? PTE_US : 0;
    f |= chance(s, 70) ? PTE_A : 0;
    f |= w->mode != PW_MODE_32 && chance(s, 5) ? PTE_XD : 0;
    pw_os_set_table_flags(w->fx.env.os, f);
}

static void unmap_region(world *w, region *r)
{
    pw_os *os = w->fx.env.os;
    if (r->state == ST_BIG)
        assert_int_equal(pw_os_unmap(os, r->base, w->big), PW_OK);
    if (r->state == ST_HUGE)
        assert_int_equal(pw_os_unmap(os, r->base, PW_SIZE_1G), PW_OK);
    if (r->state == ST_SMALL)
        for (unsigned i = 0; i < N_SMALL; i++)
            if (r->mapped[i])
                assert_int_equal(pw_os_unmap(os, small_la(w, r, i), PW_SIZE_4K), PW_OK);
    r->state = ST_EMPTY;
    r->global = false;
    for (unsigned i = 0; i < N_SMALL; i++)
        r->mapped[i] = false;
}

static void map_page(world *w, region *r, uint64_t la, pw_page_size size, uint64_t flags)
{
    uint64_t *s = &w->rng, pa;
    if (size == PW_SIZE_4K)
        pa = (1 + (uint64_t)below(s, PA_4K_FRAMES)) << PW_PAGE_SHIFT;
    else if (size == PW_SIZE_1G)
        pa = (uint64_t)below(s, PA_1G_FRAMES) << 30;
    else
        pa = below(s, PA_BIG_FRAMES) * pw_page_bytes(size);
    pw_status st = pw_os_map(w->fx.env.os, la, pa, size, flags);
    WCHECK(w, st == PW_OK, "map la %#llx size %d: %s", (unsigned long long)la, size,
           pw_status_str(st));
    r->global |= (flags & PTE_G) != 0;
}

/* Give region r a new random state (its old mappings removed first). */
static void remap_region(world *w, region *r, bool allow_global)
{
    unmap_region(w, r);
    rand_table_flags(w);
    /* Mostly mapped: EMPTY 10%, BIG 30%, HUGE 15% where allowed, else SMALL. */
    unsigned k = below(&w->rng, PCT);
    r->state = k < 10 ? ST_EMPTY : k < 40 ? ST_BIG : (k < 55 && r->huge_ok) ? ST_HUGE : ST_SMALL;
    if (r->state == ST_BIG)
        map_page(w, r, r->base, w->big, rand_leaf_flags(w, allow_global));
    if (r->state == ST_HUGE)
        map_page(w, r, r->base, PW_SIZE_1G, rand_leaf_flags(w, allow_global));
    if (r->state == ST_SMALL)
        for (unsigned i = 0; i < N_SMALL; i++)
            if ((r->mapped[i] = chance(&w->rng, 85)))
                map_page(w, r, small_la(w, r, i), PW_SIZE_4K, rand_leaf_flags(w, allow_global));
}

static void world_init(world *w, pw_mode mode, const pw_config *cfg, uint64_t seed, bool pcide,
                       bool allow_global)
{
    memset(w, 0, sizeof *w);
    w->seed = w->rng = seed;
    w->mode = mode;
    w->big = mode == PW_MODE_32 ? PW_SIZE_4M : PW_SIZE_2M;
    fx_init(&w->fx, mode, cfg, FX_DELAY_DEFAULT);
    const region_def *defs = mode == PW_MODE_4LVL ? DEFS_4LVL
                             : mode == PW_MODE_5LVL ? DEFS_5LVL
                             : mode == PW_MODE_PAE  ? DEFS_PAE
                                                    : DEFS_32;
    w->n_regions = mode == PW_MODE_4LVL ? sizeof DEFS_4LVL / sizeof DEFS_4LVL[0]
                   : mode == PW_MODE_5LVL ? sizeof DEFS_5LVL / sizeof DEFS_5LVL[0]
                   : mode == PW_MODE_PAE  ? sizeof DEFS_PAE / sizeof DEFS_PAE[0]
                                          : sizeof DEFS_32 / sizeof DEFS_32[0];
    if (mode == PW_MODE_PAE) {
        /* Keep every PDPTE present, so that the PDPTE registers never go stale (R6.3). */
        for (unsigned q = 0; q < PAE_PDPTES; q++)
            assert_int_equal(pw_os_map(w->fx.env.os, FX_LA4(0, q, PAE_ANCHOR_PD, 0), PW_PAGE_SIZE,
                                       PW_SIZE_4K, PTE_RW | PTE_A | PTE_D), PW_OK);
    }
    for (unsigned i = 0; i < w->n_regions; i++) {
        region *r = &w->reg[i];
        r->base = defs[i].base;
        r->huge_ok = defs[i].huge_ok;
        remap_region(w, r, allow_global);
        for (unsigned k = 0; k < N_SMALL; k++)
            w->probe[w->n_probes++] = small_la(w, r, k);
        w->probe[w->n_probes++] = r->base + pw_page_bytes(w->big) / 2;
        if (r->huge_ok)
            w->probe[w->n_probes++] = r->base + pw_page_bytes(PW_SIZE_1G) - PW_PAGE_SIZE;
    }
    assert_int_equal(pw_env_load_regs(&w->fx.env), PW_OK);
    w->fx.env.regs.cr4 |= allow_global ? CR4_PGE : 0;
    if (pcide)
        fx_enable_pcid(&w->fx, 0, allow_global);
    else
        fx_load_regs(&w->fx);
    w->pcide = pcide;
}

/* Mostly reads, mostly supervisor, often the page of a recent request (so that
 * the TLB gets hits). */
static pw_request rand_request(world *w, bool noncanonical_too)
{
    uint64_t *s = &w->rng;
    if (!w->last_probe || !chance(s, 50))
        w->last_probe = w->probe[below(s, w->n_probes)];
    pw_request q = {.la = w->last_probe + below(s, PW_PAGE_SIZE)};
    unsigned k = below(s, PCT);
    q.kind = k < 60 ? PW_ACC_READ : k < 85 ? PW_ACC_WRITE : PW_ACC_FETCH;
    q.user = chance(s, 25);
    q.implicit = chance(s, 5);
    q.ac = chance(s, 70);
    if (noncanonical_too && long_mode(w) && chance(s, 2))
        q.la |= LA_NONCANONICAL;
    return q;
}

static void reference(world *w, const pw_request *q, pw_result *res)
{
    overlay o = {.img = w->fx.env.img};
    pw_mem m = {.ctx = &o, .read = ov_read, .cas = ov_cas, .schedule = NULL};
    pw_status st = pw_walk(&w->fx.mmu->cfg, &w->fx.mmu->regs, &m, q, res);
    WCHECK(w, st == PW_OK, "reference walk: %s", pw_status_str(st));
}

static bool same_perm(const pw_perm *a, const pw_perm *b)
{
    return a->rw == b->rw && a->us == b->us && a->xd == b->xd && a->nonleaf_rw == b->nonleaf_rw &&
           a->dirty == b->dirty && a->pk == b->pk;
}

/* Does the mmu answer equal the fresh walk's? (timing.md decision 2: a hit has no
 * raw entry or entry address.) */
static bool same_answer(const pw_mmu_response *r, const pw_result *f)
{
    const pw_result *a = &r->result;
    if (a->outcome != f->outcome)
        return false;
    switch (a->outcome) {
    case PW_OUT_OK:
        return a->pa == f->pa && a->size == f->size && same_perm(&a->perm, &f->perm) &&
               a->global == f->global && a->memtype == f->memtype && a->level == f->level &&
               (r->hit || (a->raw_entry == f->raw_entry && a->entry_pa == f->entry_pa));
    case PW_OUT_PF:
        return a->err_code == f->err_code && a->level == f->level &&
               a->raw_entry == f->raw_entry && a->entry_pa == f->entry_pa;
    case PW_OUT_BUS_ERROR:
        return a->level == f->level && a->entry_pa == f->entry_pa;
    default:
        return true;
    }
}

static void describe(char *buf, size_t len, const pw_request *q, const pw_mmu_response *r,
                     const pw_result *f)
{
    snprintf(buf, len,
             "la %#llx kind %d user %d: mmu (hit %d psc %u) outcome %d pa %#llx err %#x level %u "
             "rw%d us%d xd%d d%d; fresh outcome %d pa %#llx err %#x level %u rw%d us%d xd%d d%d",
             (unsigned long long)q->la, q->kind, q->user, r->hit, r->psc_level, r->result.outcome,
             (unsigned long long)r->result.pa, r->result.err_code, r->result.level,
             r->result.perm.rw, r->result.perm.us, r->result.perm.xd, r->result.perm.dirty,
             f->outcome, (unsigned long long)f->pa, f->err_code, f->level, f->perm.rw, f->perm.us,
             f->perm.xd, f->perm.dirty);
}

/* ---- operations ---- */

static void ctl_ok(world *w, pw_ctl_kind kind, uint64_t value, uint64_t la, unsigned type)
{
    pw_status st = fx_ctl(&w->fx, kind, value, la, type);
    WCHECK(w, st == PW_OK, "control op %d value %#llx type %u: %s", kind,
           (unsigned long long)value, type, pw_status_str(st));
}

static void set_stale_all(world *w, bool v)
{
    for (unsigned p = 0; p < N_PCIDS; p++)
        w->stale[p] = v;
}

/* Everything but PCID `keep` may now hold stale entries. */
static void stale_except(world *w, unsigned keep)
{
    for (unsigned p = 0; p < N_PCIDS; p++)
        if (p != keep)
            w->stale[p] = w->pcide;
}

static void toggle_pge(world *w)
{
    uint64_t cr4 = w->fx.mmu->regs.cr4;
    ctl_ok(w, PW_CTL_MOV_CR4, cr4 ^ CR4_PGE, 0, 0);
    ctl_ok(w, PW_CTL_MOV_CR4, cr4, 0, 0);
}

static uint64_t cr3_for(world *w, unsigned pcid, bool keep)
{
    uint64_t cr3 = w->fx.mmu->regs.cr3;
    if (!w->pcide)
        return cr3;
    return (cr3 & ~CR3_PCID) | pcid | (keep ? CR3_NOFLUSH : 0);
}

/* (a) After changing region r: an invalidation that covers it in the current
 * PCID (R11.5); what it leaves uncovered in other PCIDs is marked stale. */
static void invalidate_region(world *w, const region *r, bool old_global)
{
    uint64_t *s = &w->rng;
    unsigned cur = cur_pcid(w);
    for (;;) {
        switch (below(s, 7)) {
        case 0: /* INVLPG every page of the region that could be cached */
            for (unsigned i = 0; i < w->n_probes; i++)
                if (w->probe[i] - r->base < pw_page_bytes(PW_SIZE_1G))
                    ctl_ok(w, PW_CTL_INVLPG, 0, w->probe[i], 0);
            stale_except(w, cur);
            return;
        case 1:
            ctl_ok(w, PW_CTL_INVPCID, 0, 0, INVPCID_ALL);
            set_stale_all(w, false);
            return;
        case 2:
            toggle_pge(w);
            set_stale_all(w, false);
            return;
        case 3:
            ctl_ok(w, PW_CTL_FLUSH_ALL, 0, 0, 0);
            set_stale_all(w, false);
            return;
        case 4: /* non-global only from here on */
            if (old_global)
                continue;
            ctl_ok(w, PW_CTL_INVPCID, 0, 0, INVPCID_NONGLOBAL);
            set_stale_all(w, false);
            return;
        case 5: {
            if (old_global)
                continue;
            unsigned q = w->pcide ? below(s, N_PCIDS) : 0;
            ctl_ok(w, PW_CTL_MOV_CR3, cr3_for(w, q, false), 0, 0);
            stale_except(w, q);
            w->stale[q] = false;
            return;
        }
        default:
            if (old_global)
                continue;
            ctl_ok(w, PW_CTL_INVPCID, cur, 0, INVPCID_SINGLE);
            stale_except(w, cur);
            return;
        }
    }
}

/* A random invalidation with no change to memory. Returns nothing; keeps the
 * stale marks exact. */
static void random_invalidation(world *w, bool track)
{
    uint64_t *s = &w->rng;
    unsigned q = w->pcide ? below(s, N_PCIDS) : 0;
    uint64_t la = w->probe[below(s, w->n_probes)];
    switch (below(s, 8)) {
    case 0: ctl_ok(w, PW_CTL_INVLPG, 0, la, 0); break;
    case 1: ctl_ok(w, PW_CTL_INVPCID, q, la, INVPCID_ADDR); break;
    case 2:
        ctl_ok(w, PW_CTL_INVPCID, q, 0, INVPCID_SINGLE);
        if (track)
            w->stale[q] = false;
        break;
    case 3: ctl_ok(w, PW_CTL_INVPCID, 0, 0, INVPCID_ALL); if (track) set_stale_all(w, false); break;
    case 4: ctl_ok(w, PW_CTL_INVPCID, 0, 0, INVPCID_NONGLOBAL); if (track) set_stale_all(w, false); break;
    case 5:
        ctl_ok(w, PW_CTL_MOV_CR3, cr3_for(w, q, false), 0, 0);
        if (track)
            w->stale[q] = false;
        break;
    case 6: ctl_ok(w, PW_CTL_MOV_CR3, cr3_for(w, q, true), 0, 0); break;
    default: toggle_pge(w); if (track) set_stale_all(w, false); break;
    }
}

/* Controls evaluated at access time (R8.10, R11.7): none of them is a flush
 * of memory state, so none changes the stale marks. */
static void random_rights_control(world *w)
{
    uint64_t *s = &w->rng;
    const pw_regs *r = &w->fx.mmu->regs;
    switch (below(s, 5)) {
    case 0: ctl_ok(w, PW_CTL_MOV_CR0, r->cr0 ^ CR0_WP, 0, 0); break;
    case 1: ctl_ok(w, PW_CTL_MOV_CR4, r->cr4 ^ CR4_SMAP, 0, 0); break;
    case 2: ctl_ok(w, PW_CTL_MOV_CR4, r->cr4 ^ CR4_SMEP, 0, 0); break;
    case 3: ctl_ok(w, PW_CTL_MOV_CR4, r->cr4 ^ CR4_PKE, 0, 0); break;
    default: /* AD or WD of one random key, or none */
        ctl_ok(w, PW_CTL_WRPKRU, chance(s, 50) ? 0 : UINT64_C(1) << below(s, 2 * PK_KEYS), 0, 0);
        break;
    }
}

/* ---- (a) covered answers equal a fresh walk ---- */

static void step_translate_a(world *w)
{
    pw_request q = rand_request(w, true);
    bool compare = !w->stale[cur_pcid(w)];
    pw_result f;
    if (compare)
        reference(w, &q, &f);
    pw_mmu_response r = fx_translate(&w->fx, &q);
    if (compare) {
        char buf[512];
        describe(buf, sizeof buf, &q, &r, &f);
        WCHECK(w, same_answer(&r, &f), "answer differs from a fresh walk: %s", buf);
        w->compared++;
        w->hits += r.hit;
    }
    /* An invalidation during the walk (it covers the page): the answer stands, no fill. */
    if (fx_walked(&r) && r.rsp_cycle - r.accept_cycle > 1 && chance(&w->rng, 15)) {
        uint64_t c = r.accept_cycle + below(&w->rng, (unsigned)(r.rsp_cycle - r.accept_cycle));
        pw_ctl_kind k = chance(&w->rng, 70) ? PW_CTL_INVLPG : PW_CTL_FLUSH_ALL;
        if (!pw_la_canonical(w->fx.mmu->mode, q.la))
            k = PW_CTL_FLUSH_ALL;
        WCHECK(w, fx_ctl_at(&w->fx, c, k, 0, q.la, 0) == PW_OK, "op during a walk");
        if (k == PW_CTL_FLUSH_ALL)
            set_stale_all(w, false);
    }
}

static void run_a(pw_mode mode, uint64_t seed)
{
    world *w = calloc(1, sizeof *w);
    assert_non_null(w);
    bool pcide = mode == PW_MODE_4LVL || mode == PW_MODE_5LVL;
    world_init(w, mode, NULL, seed, pcide, true);
    for (w->step = 0; w->step < STEPS_A; w->step++) {
        unsigned k = below(&w->rng, PCT);
        if (k < 65) {
            step_translate_a(w);
        } else if (k < 75) {
            region *r = &w->reg[below(&w->rng, w->n_regions)];
            bool old_global = r->global && (w->fx.mmu->regs.cr4 & CR4_PGE);
            remap_region(w, r, true);
            invalidate_region(w, r, old_global);
        } else if (k < 83 && pcide) {
            unsigned q = below(&w->rng, N_PCIDS);
            bool keep = chance(&w->rng, 70);
            ctl_ok(w, PW_CTL_MOV_CR3, cr3_for(w, q, keep), 0, 0);
            if (!keep)
                w->stale[q] = false;
        } else if (k < 90) {
            random_rights_control(w);
        } else {
            random_invalidation(w, true);
        }
    }
    /* The property must have been exercised, hits included. */
    assert_true(w->compared > STEPS_A / 4);
    assert_true(w->hits > w->compared / 10);
    assert_true(w->fx.mmu->cnt.walks > w->compared / 10);
    fx_free(&w->fx);
    free(w);
}

static void test_R11_5_property_covered_answer_equals_fresh_walk_4level(void **state)
{
    (void)state;
    run_a(PW_MODE_4LVL, SEED_A);
}

static void test_R11_5_property_covered_answer_equals_fresh_walk_5level(void **state)
{
    (void)state;
    run_a(PW_MODE_5LVL, SEED_A + 1);
}

static void test_R11_5_property_covered_answer_equals_fresh_walk_pae(void **state)
{
    (void)state;
    run_a(PW_MODE_PAE, SEED_A + 2);
}

static void test_R11_5_property_covered_answer_equals_fresh_walk_32bit(void **state)
{
    (void)state;
    run_a(PW_MODE_32, SEED_A + 3);
}

/* ---- (b) rights upgrades without invalidation ---- */

/* The levels on la's path down to its leaf, with the entry's physical address. */
static unsigned path_levels(world *w, uint64_t la, uint64_t pa[PW_MAX_LEVEL_SLOTS])
{
    unsigned n = 0;
    for (unsigned l = PW_LVL_PT; l <= pw_mode_levels(w->mode); l++) {
        uint64_t e;
        if (pw_os_entry_pa(w->fx.env.os, la, l, &pa[l]) != PW_OK ||
            pw_env_entry(&w->fx.env, la, l, &e) != PW_OK || !(e & PTE_P))
            pa[l] = 0;
        else
            n++;
    }
    return n;
}

/* Set and clear rights bits of a random present entry on a random probe's path. */
static void change_rights(world *w, bool upgrade)
{
    uint64_t *s = &w->rng, pa[PW_MAX_LEVEL_SLOTS];
    uint64_t la = w->probe[below(s, w->n_probes)];
    if (!path_levels(w, la, pa))
        return;
    unsigned l;
    do
        l = PW_LVL_PT + below(s, pw_mode_levels(w->mode));
    while (!pa[l]);
    uint64_t e = fx_peek(&w->fx, pa[l]);
    if (upgrade) {
        e |= chance(s, 60) ? PTE_RW : 0;
        e |= chance(s, 60) ? PTE_US : 0;
        e &= chance(s, 60) ? ~PTE_XD : ~UINT64_C(0);
    } else {
        e &= chance(s, 50) ? ~PTE_RW : ~UINT64_C(0);
        e &= chance(s, 50) ? ~PTE_US : ~UINT64_C(0);
        e |= chance(s, 30) ? PTE_XD : 0;
    }
    fx_poke(&w->fx, pa[l], e);
}

/* R11.6: `r` may differ from the fresh answer `f` only as a stale translation
 * that still permits the access, with the fresh frame, size and attributes and
 * rights no wider than the fresh ones. */
static bool allowed_stale_ok(world *w, const pw_request *q, const pw_mmu_response *r,
                             const pw_result *f)
{
    const pw_result *a = &r->result;
    if (a->outcome != PW_OUT_OK || f->outcome != PW_OUT_OK)
        return false;
    bool narrower = (!a->perm.rw || f->perm.rw) && (!a->perm.us || f->perm.us) &&
                    (a->perm.xd || !f->perm.xd) && (!a->perm.nonleaf_rw || f->perm.nonleaf_rw);
    return a->pa == f->pa && a->size == f->size && a->global == f->global &&
           a->memtype == f->memtype && a->level == f->level && a->perm.dirty == f->perm.dirty &&
           a->perm.pk == f->perm.pk && narrower &&
           pw_rights_check(&w->fx.mmu->ctl, q, &a->perm) == 0;
}

static void step_translate_b(world *w, bool after_upgrade)
{
    pw_request q = rand_request(w, false);
    pw_result f;
    reference(w, &q, &f);
    pw_mmu_response r = fx_translate(&w->fx, &q);
    w->compared++;
    if (same_answer(&r, &f))
        return;
    char buf[512];
    describe(buf, sizeof buf, &q, &r, &f);
    WCHECK(w, after_upgrade, "differs from a fresh walk with everything invalidated: %s", buf);
    if (allowed_stale_ok(w, &q, &r, &f)) {
        w->stale_ok++;
        return;
    }
    /* One spurious protection fault, which invalidates what caused it. */
    WCHECK(w, r.result.outcome == PW_OUT_PF && (r.result.err_code & PF_P) &&
                  !(r.result.err_code & PF_RSVD),
           "not a staleness R11.6 allows: %s", buf);
    w->spurious++;
    reference(w, &q, &f);
    r = fx_translate(&w->fx, &q);
    describe(buf, sizeof buf, &q, &r, &f);
    WCHECK(w, same_answer(&r, &f), "the access after a spurious #PF is still stale: %s", buf);
}

static void test_R11_6_property_upgrades_only_allowed_staleness(void **state)
{
    (void)state;
    enum { CHANGES = 6, ACCESSES = 40 };
    world *w = calloc(1, sizeof *w);
    assert_non_null(w);
    /* No globals, SMEP, SMAP or keys: then U/S 0->1 only ever widens rights. */
    world_init(w, PW_MODE_4LVL, NULL, SEED_B, false, false);
    for (unsigned epoch = 0; epoch < EPOCHS_B; epoch++) {
        w->step = epoch;
        for (unsigned i = 0; i < CHANGES; i++)
            change_rights(w, false);
        ctl_ok(w, PW_CTL_MOV_CR3, w->fx.mmu->regs.cr3, 0, 0); /* covers everything */
        for (unsigned i = 0; i < ACCESSES; i++)
            step_translate_b(w, false);
        for (unsigned i = 0; i < CHANGES; i++)
            change_rights(w, true);                          /* no invalidation */
        for (unsigned i = 0; i < ACCESSES; i++)
            step_translate_b(w, true);
    }
    assert_true(w->stale_ok + w->spurious > 0); /* staleness did occur */
    fx_free(&w->fx);
    free(w);
}

/* ---- (c) one matching entry, whatever happens ---- */

static void check_unique(world *w)
{
    fx_settle(&w->fx);
    const pw_mmu *m = w->fx.mmu;
    for (unsigned i = 0; i < w->n_probes; i++)
        for (uint16_t p = 0; p < N_PCIDS; p++) {
            unsigned n = 0;
            uint64_t la = pw_la_truncate(m->mode, w->probe[i]);
            for (unsigned e = 0; e < m->tlb.n; e++)
                n += pw_tlb_entry_matches(&m->tlb.e[e], la, p);
            WCHECK(w, n <= 1, "%u TLB entries match la %#llx pcid %u", n,
                   (unsigned long long)w->probe[i], p);
        }
    for (unsigned l = PW_LVL_PD; l <= PW_LVL_PML5; l++) {
        const pw_psc_level *c = &m->psc.lvl[l];
        for (unsigned i = 0; i < c->n; i++)
            for (unsigned j = i + 1; j < c->n; j++)
                WCHECK(w, !(c->e[i].valid && c->e[j].valid && c->e[i].key == c->e[j].key &&
                            c->e[i].pcid == c->e[j].pcid),
                       "PSC level %u slots %u and %u hold the same key %#llx pcid %u", l, i, j,
                       (unsigned long long)c->e[i].key, c->e[i].pcid);
    }
}

static void test_R11_6_property_at_most_one_matching_entry(void **state)
{
    (void)state;
    pw_config cfg;
    pw_config_default(&cfg);
    cfg.tlb_entries = TLB_SMALL;
    world *w = calloc(1, sizeof *w);
    assert_non_null(w);
    world_init(w, PW_MODE_4LVL, &cfg, SEED_C, true, true);
    unsigned full = 0;
    for (w->step = 0; w->step < STEPS_C; w->step++) {
        uint64_t *s = &w->rng;
        unsigned k = below(s, PCT);
        if (k < 55) {
            if (chance(s, 5))
                w->fx.cas_mismatches = 1; /* an entry changes under the walk: restart */
            pw_request q = rand_request(w, true);
            pw_mmu_response r = fx_translate(&w->fx, &q);
            w->fx.cas_mismatches = 0;
            if (fx_walked(&r) && r.rsp_cycle - r.accept_cycle > 1 && chance(s, 10)) {
                uint64_t c = r.accept_cycle + below(s, (unsigned)(r.rsp_cycle - r.accept_cycle));
                pw_ctl_kind kk = chance(s, 50) ? PW_CTL_WRPKRU : PW_CTL_INVLPG;
                assert_int_equal(fx_ctl_at(&w->fx, c, kk, 0, w->probe[0], 0), PW_OK);
            }
        } else if (k < 72) {
            remap_region(w, &w->reg[below(s, w->n_regions)], true); /* no invalidation */
        } else if (k < 82) {
            ctl_ok(w, PW_CTL_MOV_CR3, cr3_for(w, below(s, N_PCIDS), chance(s, 80)), 0, 0);
        } else if (k < 90) {
            random_invalidation(w, false);
        } else {
            random_rights_control(w);
        }
        check_unique(w);
        full += fx_tlb_count(&w->fx) == TLB_SMALL;
    }
    assert_true(full > 0);                 /* replacement did happen */
    assert_true(w->fx.mmu->cnt.hits > 0);
    assert_true(w->fx.mmu->cnt.restarts > 0);
    fx_free(&w->fx);
    free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_R11_5_property_covered_answer_equals_fresh_walk_4level),
        cmocka_unit_test(test_R11_5_property_covered_answer_equals_fresh_walk_5level),
        cmocka_unit_test(test_R11_5_property_covered_answer_equals_fresh_walk_pae),
        cmocka_unit_test(test_R11_5_property_covered_answer_equals_fresh_walk_32bit),
        cmocka_unit_test(test_R11_6_property_upgrades_only_allowed_staleness),
        cmocka_unit_test(test_R11_6_property_at_most_one_matching_entry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
