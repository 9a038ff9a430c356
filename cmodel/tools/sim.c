/* pw_sim: the model-only random regression. For each paging mode and seed it
 * builds random address spaces with the os builder, drives the cycle model
 * (pw_mmu) with address streams, CR writes, page-table edits and the
 * invalidations they require, and checks every answer against the untimed
 * walker (pw_walk) running on a twin copy of memory. The two memories must
 * stay identical (same A/D writes). Prints a summary and the command that
 * reproduces any failure. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagewalk/pagewalk.h"

#define MEM_BYTES      (UINT64_C(1) << 32)        /* 4 GiB sparse */
#define POOL_BASE      (UINT64_C(64) << 20)
#define POOL_BYTES     (UINT64_C(64) << 20)
#define SPACES         4                          /* address spaces (PCIDs 1..4 when PCIDE) */
#define MAPS_PER_SPACE 48
#define HOT_SET        16
#define KERNEL_LA_4    UINT64_C(0xffff800000000000)
#define KERNEL_LA_5    UINT64_C(0xff00000000000000)
#define KERNEL_LA_32   UINT64_C(0xc0000000)
/* Kernel tables are identical in every space, as global pages require. */
#define KERNEL_TABLE_FLAGS (PTE_RW | PTE_US | PTE_A)

typedef struct { uint64_t s; } rng_t;
static uint64_t rnd(rng_t *r)
{
    /* splitmix64 */
    uint64_t z = (r->s += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}
static uint64_t below(rng_t *r, uint64_t n) { return n ? rnd(r) % n : 0; }
static bool chance(rng_t *r, unsigned pct) { return below(r, 100) < pct; }

typedef struct {
    uint64_t la;
    pw_page_size size;
    bool kernel;   /* mapped identically in every space */
} mapping;

/* Memory shared by both sides, with the memory port's timing. */
typedef struct {
    pw_image *img;
    pw_mem base;
    rng_t timing;
    unsigned max_delay;
    unsigned backpressure_pct;
} timed_mem;

static pw_mem_status tm_read(void *c, uint64_t pa, unsigned sz, uint64_t cyc, uint64_t *v)
{
    timed_mem *t = c;
    return t->base.read(t->base.ctx, pa, sz, cyc, v);
}
static pw_mem_status tm_cas(void *c, uint64_t pa, unsigned sz, uint64_t e, uint64_t d, uint64_t cyc,
                            uint64_t *old)
{
    timed_mem *t = c;
    return t->base.cas(t->base.ctx, pa, sz, e, d, cyc, old);
}
static void tm_schedule(void *c, uint64_t issue, const pw_mem_access *acc, uint64_t *accept,
                        uint64_t *respond)
{
    timed_mem *t = c;
    (void)acc;
    uint64_t g = issue;
    while (chance(&t->timing, t->backpressure_pct))
        g++;
    *accept = g;
    *respond = g + 1 + below(&t->timing, t->max_delay);
}

typedef struct {
    const char *name;
    pw_mode mode;
} mode_desc;

static const mode_desc MODES[] = {
    {"32bit", PW_MODE_32}, {"pae", PW_MODE_PAE}, {"4level", PW_MODE_4LVL}, {"5level", PW_MODE_5LVL}};

typedef struct {
    uint64_t translations, hits, walks, faults, gps, restarts, ctl_ops, edits, mismatches;
    uint64_t cycles;
} tally;

typedef struct {
    pw_config cfg;
    pw_mode mode;
    rng_t rng;
    pw_image *img_dut, *img_ref;
    pw_os *os[SPACES];
    pw_os *os_ref[SPACES];
    mapping maps[SPACES][MAPS_PER_SPACE * 2];
    unsigned nmaps[SPACES];
    unsigned cur;          /* current space */
    bool pcide;
    timed_mem tm;
    pw_mmu mmu;
    uint64_t cycle;
    uint64_t hot[HOT_SET];
    uint64_t seq_la, seq_off, seq_len;  /* sequential stream inside one mapping */
    tally t;
    unsigned seed_no;
    uint64_t seed;
    const char *fail;
} sim;

static pw_page_size pick_size(sim *s)
{
    unsigned r = (unsigned)below(&s->rng, 100);
    switch (s->mode) {
    case PW_MODE_32: return r < 80 ? PW_SIZE_4K : PW_SIZE_4M;
    case PW_MODE_PAE: return r < 80 ? PW_SIZE_4K : PW_SIZE_2M;
    default: return r < 75 ? PW_SIZE_4K : r < 95 ? PW_SIZE_2M : PW_SIZE_1G;
    }
}

static uint64_t random_flags(sim *s, bool kernel)
{
    uint64_t f = 0;
    if (chance(&s->rng, 70)) f |= PTE_RW;
    if (!kernel && chance(&s->rng, 85)) f |= PTE_US;
    if (kernel && chance(&s->rng, 10)) f |= PTE_US;
    if (chance(&s->rng, 50)) f |= PTE_A;
    if (chance(&s->rng, 30)) f |= PTE_D;
    if (chance(&s->rng, 10)) f |= PTE_PWT;
    if (chance(&s->rng, 10)) f |= PTE_PCD;
    if (chance(&s->rng, 10)) f |= PW_OS_PAT;
    /* Global only where all spaces agree. Each space has its own copy of the
     * kernel tables (real OSes share them), so a global entry filled from one
     * space would skip A/D writes in another: keep those pages accessed/dirty. */
    if (kernel && chance(&s->rng, 60)) f |= PTE_G | PTE_A | PTE_D;
    if (s->mode != PW_MODE_32 && (s->mmu.regs.efer & EFER_NXE) && chance(&s->rng, 25)) f |= PTE_XD;
    if ((s->mode == PW_MODE_4LVL || s->mode == PW_MODE_5LVL) && chance(&s->rng, 40))
        f |= below(&s->rng, 16) << PTE_PK_SHIFT;
    return f;
}

static uint64_t random_table_flags(sim *s)
{
    uint64_t f = PTE_A;
    if (chance(&s->rng, 90)) f |= PTE_RW;
    if (chance(&s->rng, 92)) f |= PTE_US;
    if (chance(&s->rng, 30)) f &= ~PTE_A;
    if (s->mode != PW_MODE_32 && (s->mmu.regs.efer & EFER_NXE) && chance(&s->rng, 5)) f |= PTE_XD;
    return f;
}

static uint64_t la_space_top(pw_mode m)
{
    return m == PW_MODE_5LVL ? (UINT64_C(1) << 56) : m == PW_MODE_4LVL ? (UINT64_C(1) << 47)
                                                                       : (UINT64_C(1) << 30) * 3;
}

static uint64_t kernel_base(pw_mode m)
{
    return m == PW_MODE_5LVL ? KERNEL_LA_5 : m == PW_MODE_4LVL ? KERNEL_LA_4 : KERNEL_LA_32;
}

/* Clustered LAs so that tables are shared and PSCs hit. */
static uint64_t random_la(sim *s, pw_page_size size, bool kernel)
{
    uint64_t bytes = pw_page_bytes(size);
    uint64_t span = kernel ? (UINT64_C(1) << 30) : la_space_top(s->mode);
    uint64_t base = kernel ? kernel_base(s->mode) : 0;
    uint64_t cluster = below(&s->rng, 4) * (span / 4);
    uint64_t off = below(&s->rng, UINT64_C(1) << (size == PW_SIZE_1G ? 34 : 28));
    if (off + bytes > span / 4)
        off = 0;
    return (base + cluster + off) & ~(bytes - 1);
}

static uint64_t random_pa(sim *s, pw_page_size size)
{
    uint64_t bytes = pw_page_bytes(size);
    uint64_t limit = s->mode == PW_MODE_32 && !s->cfg.has_pse36 ? (UINT64_C(1) << 32)
                                                                 : (UINT64_C(1) << 36);
    if (s->mode == PW_MODE_32 && size == PW_SIZE_4K)
        limit = UINT64_C(1) << 32;
    return below(&s->rng, limit) & ~(bytes - 1);
}

static pw_status map_in(sim *s, unsigned sp, uint64_t la, uint64_t pa, pw_page_size sz, uint64_t fl,
                        uint64_t tf)
{
    pw_os_set_table_flags(s->os[sp], tf);
    pw_os_set_table_flags(s->os_ref[sp], tf);
    pw_status a = pw_os_map(s->os[sp], la, pa, sz, fl);
    pw_status b = pw_os_map(s->os_ref[sp], la, pa, sz, fl);
    if (a != b)
        s->fail = "os builder diverged between the two memories";
    return a;
}

static void add_mapping(sim *s, bool kernel)
{
    pw_page_size sz = pick_size(s);
    uint64_t la = random_la(s, sz, kernel), pa = random_pa(s, sz);
    uint64_t fl = random_flags(s, kernel);
    uint64_t tf = kernel ? KERNEL_TABLE_FLAGS : random_table_flags(s);
    unsigned first = kernel ? 0 : s->cur, last = kernel ? SPACES - 1 : s->cur;
    for (unsigned sp = first; sp <= last; sp++) {
        if (map_in(s, sp, la, pa, sz, fl, tf) != PW_OK)
            return;
        if (s->nmaps[sp] < MAPS_PER_SPACE * 2)
            s->maps[sp][s->nmaps[sp]++] = (mapping){la, sz, kernel};
    }
}

static pw_status ctl(sim *s, pw_ctl_kind k, uint64_t value, uint64_t la, unsigned type)
{
    pw_ctl op = {.kind = k, .value = value, .la = la, .type = type};
    uint64_t c = pw_mmu_accept_cycle(&s->mmu, s->cycle);
    s->cycle = c + 1;
    s->t.ctl_ops++;
    return pw_mmu_ctl(&s->mmu, c, &op);
}

static uint64_t space_cr3(sim *s, unsigned sp)
{
    uint64_t cr3 = pw_os_cr3(s->os[sp]);
    if (s->pcide)
        cr3 |= sp + 1;
    return cr3;
}

/* An edit of a leaf, then the invalidation the architecture requires. */
static void edit(sim *s)
{
    unsigned sp = s->cur;
    if (!s->nmaps[sp])
        return;
    unsigned i = (unsigned)below(&s->rng, s->nmaps[sp]);
    mapping mp = s->maps[sp][i];
    unsigned first = mp.kernel ? 0 : sp, last = mp.kernel ? SPACES - 1 : sp;
    bool unmap = chance(&s->rng, 30);
    uint64_t fl = random_flags(s, mp.kernel);
    for (unsigned x = first; x <= last; x++) {
        pw_status a, b;
        if (unmap) {
            a = pw_os_unmap(s->os[x], mp.la, mp.size);
            b = pw_os_unmap(s->os_ref[x], mp.la, mp.size);
        } else {
            a = pw_os_protect(s->os[x], mp.la, mp.size, fl);
            b = pw_os_protect(s->os_ref[x], mp.la, mp.size, fl);
        }
        if (a != b)
            s->fail = "os edit diverged between the two memories";
    }
    if (unmap) {
        for (unsigned x = first; x <= last; x++) {
            for (unsigned j = 0; j < s->nmaps[x]; j++) {
                if (s->maps[x][j].la == mp.la && s->maps[x][j].size == mp.size) {
                    s->maps[x][j] = s->maps[x][--s->nmaps[x]];
                    break;
                }
            }
        }
    }
    s->t.edits++;
    /* INVLPG covers the current PCID and globals; other PCIDs need INVPCID. */
    uint64_t la = mp.la + below(&s->rng, pw_page_bytes(mp.size));
    ctl(s, PW_CTL_INVLPG, 0, la, 0);
    if (mp.kernel && s->pcide)
        for (unsigned x = 0; x < SPACES; x++)
            ctl(s, PW_CTL_INVPCID, x + 1, la, 0);
}

static void switch_space(sim *s)
{
    s->cur = (unsigned)below(&s->rng, SPACES);
    uint64_t cr3 = space_cr3(s, s->cur);
    if (s->pcide && chance(&s->rng, 50))
        cr3 |= CR3_NOFLUSH;
    if (ctl(s, PW_CTL_MOV_CR3, cr3, 0, 0) != PW_OK)
        s->fail = "MOV CR3 to a valid root raised #GP";
}

static void cr_write(sim *s)
{
    pw_regs *r = &s->mmu.regs;
    switch (below(&s->rng, 7)) {
    case 0: ctl(s, PW_CTL_MOV_CR0, r->cr0 ^ (r->cr4 & CR4_CET ? 0 : CR0_WP), 0, 0); break;
    case 1: ctl(s, PW_CTL_MOV_CR4, r->cr4 ^ CR4_SMEP, 0, 0); break;
    case 2: ctl(s, PW_CTL_MOV_CR4, r->cr4 ^ CR4_SMAP, 0, 0); break;
    case 3: ctl(s, PW_CTL_MOV_CR4, r->cr4 ^ CR4_PGE, 0, 0); break;
    case 4: ctl(s, PW_CTL_WRPKRU, rnd(&s->rng) & rnd(&s->rng) & rnd(&s->rng) & PW_BITS(31, 0), 0, 0); break;
    case 5:
        if (s->pcide)
            ctl(s, PW_CTL_INVPCID, below(&s->rng, 4), 0, (unsigned)below(&s->rng, 4));
        else
            ctl(s, PW_CTL_MOV_CR3, space_cr3(s, s->cur), 0, 0);
        break;
    default:
        if (s->mode == PW_MODE_4LVL || s->mode == PW_MODE_5LVL)
            ctl(s, PW_CTL_MOV_CR4, r->cr4 ^ CR4_PKE, 0, 0);
        break;
    }
}

static uint64_t next_la(sim *s)
{
    unsigned sp = s->cur;
    unsigned r = (unsigned)below(&s->rng, 100);
    if (r < 35 || !s->nmaps[sp]) {
        uint64_t la = s->hot[below(&s->rng, HOT_SET)];
        return la;
    }
    if (r < 60) {
        /* Sequential (by 8 bytes) or strided (by a page) through one mapping. */
        s->seq_off += chance(&s->rng, 50) ? 8 : PW_PAGE_SIZE;
        if (s->seq_off >= s->seq_len || chance(&s->rng, 1)) {
            mapping *mp = &s->maps[sp][below(&s->rng, s->nmaps[sp])];
            s->seq_la = mp->la;
            s->seq_len = pw_page_bytes(mp->size) < (UINT64_C(1) << 24) ? pw_page_bytes(mp->size)
                                                                         : (UINT64_C(1) << 24);
            s->seq_off = 0;
        }
        return s->seq_la + s->seq_off;
    }
    if (r < 90) {
        mapping *mp = &s->maps[sp][below(&s->rng, s->nmaps[sp])];
        uint64_t la = mp->la + below(&s->rng, pw_page_bytes(mp->size));
        if (chance(&s->rng, 20))
            s->hot[below(&s->rng, HOT_SET)] = la;
        return la;
    }
    if (r < 97)
        return random_la(s, PW_SIZE_4K, chance(&s->rng, 30)) + below(&s->rng, PW_PAGE_SIZE);
    return rnd(&s->rng);  /* non-canonical or outside everything */
}

static void random_request(sim *s, pw_request *q)
{
    memset(q, 0, sizeof *q);
    q->la = next_la(s);
    /* Mostly accesses that the region is meant for, so that most translations
     * succeed and the TLB fills; the rest probe every fault. */
    bool kernel_half = pw_la_truncate(s->mode, q->la) >= pw_la_truncate(s->mode, kernel_base(s->mode));
    unsigned k = (unsigned)below(&s->rng, 100);
    q->kind = k < 60 ? PW_ACC_READ : k < 85 ? PW_ACC_WRITE : PW_ACC_FETCH;
    q->user = kernel_half ? chance(&s->rng, 10) : chance(&s->rng, 85);
    q->implicit = chance(&s->rng, 5);
    q->ac = chance(&s->rng, 60);
    q->shadow_stack = q->kind != PW_ACC_FETCH && chance(&s->rng, 1);
}

static bool same_result(const pw_result *a, const pw_result *b, bool hit)
{
    if (a->outcome != b->outcome)
        return false;
    switch (a->outcome) {
    case PW_OUT_OK:
        return a->pa == b->pa && a->size == b->size && a->perm.rw == b->perm.rw &&
               a->perm.us == b->perm.us && a->perm.xd == b->perm.xd &&
               a->perm.nonleaf_rw == b->perm.nonleaf_rw &&
               /* A cached D=0 under a D=1 in memory is conservative (a write re-walks,
                * R11.2): it remains when the walk that set D was overtaken. */
               (a->perm.dirty == b->perm.dirty || (hit && !a->perm.dirty)) &&
               a->perm.pk == b->perm.pk && a->global == b->global && a->memtype == b->memtype &&
               a->level == b->level && (hit || a->raw_entry == b->raw_entry);
    case PW_OUT_PF:
        return a->err_code == b->err_code && a->level == b->level &&
               a->raw_entry == b->raw_entry && a->entry_pa == b->entry_pa;
    case PW_OUT_BUS_ERROR:
        return a->level == b->level && a->entry_pa == b->entry_pa;
    default:
        return true;
    }
}

static void print_result(const char *who, const pw_result *r)
{
    printf("  %-5s outcome=%d pa=0x%016" PRIx64 " size=%s level=%u err=0x%04x raw=0x%016" PRIx64
           " rw=%d us=%d xd=%d nlrw=%d d=%d pk=%u g=%d mt=%u\n",
           who, r->outcome, r->pa, pw_page_size_name(r->size), r->level, r->err_code, r->raw_entry,
           r->perm.rw, r->perm.us, r->perm.xd, r->perm.nonleaf_rw, r->perm.dirty, r->perm.pk,
           r->global, r->memtype);
}

static bool memories_equal(sim *s)
{
    static uint8_t a[PW_PAGE_SIZE], b[PW_PAGE_SIZE];
    for (uint64_t pa = POOL_BASE; pa < POOL_BASE + POOL_BYTES; pa += PW_PAGE_SIZE) {
        if (pw_image_read(s->img_dut, pa, a, sizeof a) != PW_OK ||
            pw_image_read(s->img_ref, pa, b, sizeof b) != PW_OK || memcmp(a, b, sizeof a))
            return false;
    }
    return true;
}

static void regs_for_mode(sim *s, pw_regs *r)
{
    pw_regs_reset(r);
    r->cr0 = CR0_PE | CR0_PG | CR0_WP;
    switch (s->mode) {
    case PW_MODE_32:
        r->cr4 = CR4_PSE | CR4_PGE;
        break;
    case PW_MODE_PAE:
        r->cr4 = CR4_PAE | CR4_PGE;
        r->efer = chance(&s->rng, 80) ? EFER_NXE : 0;
        break;
    default:
        r->cr4 = CR4_PAE | CR4_PGE | CR4_PKE | (s->mode == PW_MODE_5LVL ? CR4_LA57 : 0);
        r->efer = EFER_LME | EFER_LMA | (chance(&s->rng, 80) ? EFER_NXE : 0);
        if (s->pcide)
            r->cr4 |= CR4_PCIDE;
        break;
    }
    if (chance(&s->rng, 50)) r->cr4 |= CR4_SMEP;
    if (chance(&s->rng, 50)) r->cr4 |= CR4_SMAP;
    if (chance(&s->rng, 20)) r->cr4 |= CR4_CET;
    r->pkru = (uint32_t)(rnd(&s->rng) & rnd(&s->rng) & rnd(&s->rng));
    r->cr3 = space_cr3(s, 0);
}

static int run_one(const mode_desc *md, uint64_t seed, uint64_t n, tally *total)
{
    sim *s = calloc(1, sizeof *s);
    if (!s)
        return 1;
    s->mode = md->mode;
    s->seed = seed;
    s->rng.s = seed * UINT64_C(0x100000001b3) + (uint64_t)md->mode;
    pw_config_default(&s->cfg);
    s->cfg.ad_on_fault = chance(&s->rng, 50) ? PW_AD_NONE : PW_AD_NONLEAF_AS_WALKED;
    s->cfg.pae_pdpte = chance(&s->rng, 70) ? PW_PDPTE_REGISTERS : PW_PDPTE_ON_DEMAND;
    s->cfg.tlb_entries = 1u << (2 + below(&s->rng, 5));   /* 4..64 */
    s->pcide = (s->mode == PW_MODE_4LVL || s->mode == PW_MODE_5LVL) && chance(&s->rng, 60);
    int rc = 0;

    if (pw_image_sparse_new(MEM_BYTES, &s->img_dut) != PW_OK ||
        pw_image_sparse_new(MEM_BYTES, &s->img_ref) != PW_OK) {
        fprintf(stderr, "pw_sim: out of memory\n");
        rc = 1;
        goto out;
    }
    for (unsigned sp = 0; sp < SPACES; sp++) {
        uint64_t pb = POOL_BASE + sp * (POOL_BYTES / SPACES);
        if (pw_os_new(s->img_dut, &s->cfg, s->mode, pb, POOL_BYTES / SPACES, NULL, &s->os[sp]) != PW_OK ||
            pw_os_new(s->img_ref, &s->cfg, s->mode, pb, POOL_BYTES / SPACES, NULL, &s->os_ref[sp]) != PW_OK) {
            fprintf(stderr, "pw_sim: cannot create page tables\n");
            rc = 1;
            goto out;
        }
    }
    pw_image_mem(s->img_dut, &s->tm.base);
    s->tm.img = s->img_dut;
    s->tm.timing.s = seed ^ UINT64_C(0x5eed);
    s->tm.max_delay = 1 + (unsigned)below(&s->rng, 6);
    s->tm.backpressure_pct = (unsigned)below(&s->rng, 40);
    pw_mem dut_mem = {.ctx = &s->tm, .read = tm_read, .cas = tm_cas, .schedule = tm_schedule};
    pw_mem ref_mem;
    pw_image_mem(s->img_ref, &ref_mem);

    if (pw_mmu_init(&s->mmu, &s->cfg, &dut_mem) != PW_OK) {
        fprintf(stderr, "pw_sim: bad configuration\n");
        rc = 1;
        goto out;
    }
    pw_regs r;
    regs_for_mode(s, &r);
    s->mmu.regs = r;  /* NXE etc. visible to random_flags while building */
    for (unsigned sp = 0; sp < SPACES; sp++) {
        s->cur = sp;
        for (unsigned i = 0; i < MAPS_PER_SPACE; i++)
            add_mapping(s, chance(&s->rng, 25));
    }
    s->cur = 0;
    if (r.cr4 & CR4_PAE && !(r.efer & EFER_LMA) && s->cfg.pae_pdpte == PW_PDPTE_REGISTERS)
        pw_regs_load_pdptes(&s->cfg, &r, &dut_mem);
    if (pw_mmu_set_regs(&s->mmu, &r) != PW_OK) {
        fprintf(stderr, "pw_sim: generated an invalid register state (bug in pw_sim)\n");
        rc = 1;
        goto out;
    }
    for (unsigned i = 0; i < HOT_SET; i++)
        s->hot[i] = next_la(s);

    for (uint64_t i = 0; i < n && !s->fail; i++) {
        unsigned r100 = (unsigned)below(&s->rng, 1000);
        if (r100 < 8) edit(s);
        else if (r100 < 12) switch_space(s);
        else if (r100 < 20) cr_write(s);
        else if (r100 < 23) add_mapping(s, chance(&s->rng, 20));

        pw_request q;
        random_request(s, &q);
        pw_regs regs_now = s->mmu.regs;
        pw_mmu_response rsp;
        pw_status st = pw_mmu_translate(&s->mmu, &q, s->cycle, &rsp);
        if (st != PW_OK) {
            s->fail = "pw_mmu_translate returned an error";
            break;
        }
        /* Sometimes an invalidation lands while the walk runs: it must not fill. */
        if (!rsp.hit && rsp.rsp_cycle > rsp.accept_cycle + 1 && chance(&s->rng, 5)) {
            uint64_t c = rsp.accept_cycle + below(&s->rng, rsp.rsp_cycle - rsp.accept_cycle);
            pw_ctl op = {.kind = PW_CTL_INVLPG, .la = rnd(&s->rng) & PW_BITS(20, 12)};
            if (c >= s->mmu.next_cycle && pw_mmu_ctl(&s->mmu, c, &op) == PW_OK)
                s->t.ctl_ops++;
        }
        s->cycle = rsp.rsp_cycle - (chance(&s->rng, 70) ? 1 : 0);
        if (s->cycle < rsp.accept_cycle + 1)
            s->cycle = rsp.accept_cycle + 1;
        s->t.translations++;
        s->t.hits += rsp.hit;
        s->t.walks += !rsp.hit && rsp.result.outcome != PW_OUT_GP && pw_mode_of(&regs_now) != PW_MODE_NONE;
        s->t.faults += rsp.result.outcome == PW_OUT_PF;
        s->t.gps += rsp.result.outcome == PW_OUT_GP;
        s->t.restarts += rsp.result.restarts;

        pw_result ref;
        if (pw_walk(&s->cfg, &regs_now, &ref_mem, &q, &ref) != PW_OK) {
            s->fail = "pw_walk returned an error";
            break;
        }
        bool ok = same_result(&rsp.result, &ref, rsp.hit);
        if (ok && rsp.hit && rsp.rsp_cycle != rsp.accept_cycle + 1)
            ok = false;
        if (!ok) {
            s->t.mismatches++;
            printf("MISMATCH mode=%s seed=%" PRIu64 " translation=%" PRIu64 " cycle=%" PRIu64
                   " la=0x%016" PRIx64 " kind=%d user=%d implicit=%d ac=%d ss=%d hit=%d psc=%u\n",
                   md->name, seed, i, rsp.accept_cycle, q.la, q.kind, q.user, q.implicit, q.ac,
                   q.shadow_stack, rsp.hit, rsp.psc_level);
            print_result("mmu", &rsp.result);
            print_result("walk", &ref);
            s->fail = "mmu and walker disagree";
            break;
        }
        if ((i & 4095) == 4095 && !memories_equal(s)) {
            s->fail = "page-table memory differs between mmu and walker (A/D updates)";
            break;
        }
    }
    if (!s->fail && !memories_equal(s))
        s->fail = "page-table memory differs between mmu and walker (A/D updates)";
    s->t.cycles = s->cycle;
    if (s->fail) {
        printf("FAIL: %s\n  reproduce: build/pw_sim --mode %s --seed %" PRIu64 " --seeds 1 -n %" PRIu64 "\n",
               s->fail, md->name, seed, n);
        rc = 1;
    }
    total->translations += s->t.translations;
    total->hits += s->t.hits;
    total->walks += s->t.walks;
    total->faults += s->t.faults;
    total->gps += s->t.gps;
    total->restarts += s->t.restarts;
    total->ctl_ops += s->t.ctl_ops;
    total->edits += s->t.edits;
    total->mismatches += s->t.mismatches + (s->fail && !s->t.mismatches);
    total->cycles += s->t.cycles;
out:
    for (unsigned sp = 0; sp < SPACES; sp++) {
        pw_os_free(s->os[sp]);
        pw_os_free(s->os_ref[sp]);
    }
    pw_image_free(s->img_dut);
    pw_image_free(s->img_ref);
    free(s);
    return rc;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: pw_sim [--mode all|32bit|pae|4level|5level] [--seed S] [--seeds K] [-n N]\n"
               "  runs K seeds starting at S for each mode, N translations each\n");
}

static bool parse_u64(const char *s, uint64_t *v)
{
    char *end;
    if (!s || !*s || *s == '-')
        return false;
    *v = strtoull(s, &end, 0);
    return *end == '\0';
}

int main(int argc, char **argv)
{
    const char *mode = "all";
    uint64_t seed = 1, seeds = 1, n = 100000;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--mode") && v) {
            mode = v; i++;
        } else if (!strcmp(a, "--seed") && parse_u64(v, &seed)) {
            i++;
        } else if (!strcmp(a, "--seeds") && parse_u64(v, &seeds) && seeds > 0) {
            i++;
        } else if (!strcmp(a, "-n") && parse_u64(v, &n)) {
            i++;
        } else {
            fprintf(stderr, "pw_sim: bad argument '%s'\n", a);
            usage(stderr);
            return 2;
        }
    }
    bool any = false;
    int rc = 0;
    printf("%-7s %6s %10s %10s %10s %9s %7s %8s %8s %10s\n", "mode", "seed", "transl", "hits",
           "walks", "faults", "gp", "restarts", "ctl", "mismatches");
    tally grand = {0};
    for (size_t m = 0; m < sizeof MODES / sizeof MODES[0]; m++) {
        if (strcmp(mode, "all") && strcmp(mode, MODES[m].name))
            continue;
        any = true;
        for (uint64_t k = 0; k < seeds; k++) {
            tally t = {0};
            rc |= run_one(&MODES[m], seed + k, n, &t);
            printf("%-7s %6" PRIu64 " %10" PRIu64 " %10" PRIu64 " %10" PRIu64 " %9" PRIu64
                   " %7" PRIu64 " %8" PRIu64 " %8" PRIu64 " %10" PRIu64 "\n",
                   MODES[m].name, seed + k, t.translations, t.hits, t.walks, t.faults, t.gps,
                   t.restarts, t.ctl_ops, t.mismatches);
            fflush(stdout);
            grand.translations += t.translations;
            grand.mismatches += t.mismatches;
        }
    }
    if (!any) {
        fprintf(stderr, "pw_sim: unknown mode '%s'\n", mode);
        return 2;
    }
    printf("total: %" PRIu64 " translations, %" PRIu64 " mismatches: %s\n", grand.translations,
           grand.mismatches, rc ? "FAIL" : "PASS");
    return rc;
}
