/* pw_sim: the model-only random regression. For each paging mode and seed it
 * runs the stimulus of tb/stim.c (random address spaces, address streams, CR
 * writes, page-table edits with the invalidations they require, pokes by
 * another CPU) through the cycle model (pw_mmu) and checks every answer
 * against the untimed walker (pw_walk) running on a twin copy of memory. The
 * two memories must stay identical (same A/D writes). Prints a summary and the
 * command that reproduces any failure. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagewalk/pagewalk.h"
#include "env_mem.h"
#include "stim.h"

#define MEM_BYTES  (UINT64_C(3) << 30)   /* 3 GiB sparse: tables beyond it are bus errors */
#define MEM_CHECK_EVERY 4096

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
    const char *name;
    pw_mode mode;
} mode_desc;

static const mode_desc MODES[] = {
    {"32bit", PW_MODE_32}, {"pae", PW_MODE_PAE}, {"4level", PW_MODE_4LVL}, {"5level", PW_MODE_5LVL}};

typedef struct {
    uint64_t translations, hits, walks, faults, gps, restarts, ctl_ops, edits, mismatches;
    uint64_t cycles;
} tally;

/* Pokes the reference memory took for the current request: whether the mmu's
 * walk saw them depends on when it read the entry, so the entry's raw value
 * (and a leaf's D) may differ by the poked bits. */
typedef struct {
    uint64_t pa[ENV_POKES_MAX], bits[ENV_POKES_MAX];
    unsigned n;
} poke_log;

typedef struct {
    pw_config cfg;
    pw_mode mode;
    pw_image *img_dut, *img_ref;
    env_mem dut, ref;
    pw_mem dut_mem, ref_mem;
    stim st;
    pw_mmu mmu;
    stim_timeline tl;
    tally t;
    const char *fail;
} sim;

static bool same_result(const pw_result *a, const pw_result *b, bool hit, const poke_log *pk)
{
    if (a->outcome != b->outcome)
        return false;
    uint64_t raw_mask = ~UINT64_C(0);
    for (unsigned i = 0; i < pk->n; i++)
        if (pk->pa[i] == b->entry_pa)
            raw_mask &= ~pk->bits[i];
    switch (a->outcome) {
    case PW_OUT_OK:
        return a->pa == b->pa && a->size == b->size && a->perm.rw == b->perm.rw &&
               a->perm.us == b->perm.us && a->perm.xd == b->perm.xd &&
               a->perm.nonleaf_rw == b->perm.nonleaf_rw &&
               /* A cached D=0 under a D=1 in memory is conservative (a write re-walks,
                * R11.2): it remains when the walk that set D was overtaken. */
               (a->perm.dirty == b->perm.dirty || (hit && !a->perm.dirty) || !(raw_mask & PTE_D)) &&
               a->perm.pk == b->perm.pk && a->global == b->global && a->memtype == b->memtype &&
               a->level == b->level && (hit || (a->raw_entry & raw_mask) == (b->raw_entry & raw_mask));
    case PW_OUT_PF:
        return a->err_code == b->err_code && a->level == b->level &&
               (a->raw_entry & raw_mask) == (b->raw_entry & raw_mask) && a->entry_pa == b->entry_pa;
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
    uint64_t base = stim_pool_base(), end = base + stim_pool_bytes();
    for (uint64_t pa = base; pa < end; pa += PW_PAGE_SIZE) {
        if (pw_image_read(s->img_dut, pa, a, sizeof a) != PW_OK ||
            pw_image_read(s->img_ref, pa, b, sizeof b) != PW_OK || memcmp(a, b, sizeof a))
            return false;
    }
    return true;
}

/* A control operation: dry-run on a copy, as the core would; only legal ones reach the MMU. */
static void do_ctl(sim *s, const stim_event *ev)
{
    uint64_t c = stim_tl_ctl(&s->tl, ev->delay);
    if (c < s->mmu.next_cycle)
        c = s->mmu.next_cycle;
    pw_regs copy = s->mmu.regs;
    pw_mem raw;
    pw_image_mem(s->img_dut, &raw);
    pw_status st = stim_ctl_apply(&s->cfg, &copy, &raw, &ev->ctl);
    if (st == PW_OK) {
        if (pw_mmu_ctl(&s->mmu, c, &ev->ctl) != PW_OK)
            s->fail = "pw_mmu_ctl refused an operation its dry run accepted";
        else if (memcmp(&copy, &s->mmu.regs, sizeof copy))
            s->fail = "pw_mmu_ctl and the dry run left different registers";
        s->t.ctl_ops++;
    } else if (ev->must_pass) {
        printf("  %s: #GP\n", ev->what);
        s->fail = "a control operation the stimulus needs raised #GP (bug in stim.c)";
    }
    stim_tl_ctl_done(&s->tl, c);
}

static void do_edit(sim *s)
{
    uint64_t e = stim_tl_edit(&s->tl, s->dut.last_poke_cycle);
    if (e < s->mmu.ready_cycle)
        e = s->mmu.ready_cycle;
    env_mem_settle_all(&s->dut);
    env_mem_settle_all(&s->ref);
    if (!stim_apply_edit(&s->st))
        s->fail = s->st.fail;
    stim_tl_edit_done(&s->tl, e);
    s->t.edits++;
}

static void queue_poke(sim *s, const stim_event *ev, uint64_t a)
{
    env_poke p = {.cycle = a + ev->poke_delay, .pa = ev->poke_pa, .bits = ev->poke_bits,
                  .size = ev->poke_size};
    env_mem_poke(&s->dut, &p);
    env_mem_poke(&s->ref, &p);
}

/* Settle the reference memory up to the response and note which pokes it took. */
static void ref_settle(sim *s, uint64_t r, poke_log *pk)
{
    pk->n = 0;
    for (unsigned i = 0; i < s->ref.n_pokes && s->ref.poke[i].cycle <= r; i++) {
        pk->pa[pk->n] = s->ref.poke[i].pa;
        pk->bits[pk->n++] = s->ref.poke[i].bits;
    }
    env_mem_settle(&s->ref, r);
}

static int run_one(const mode_desc *md, uint64_t seed, uint64_t n, tally *total)
{
    sim *s = calloc(1, sizeof *s);
    if (!s)
        return 1;
    rng_t rng = {seed * UINT64_C(0x100000001b3) + (uint64_t)md->mode};
    s->mode = md->mode;
    pw_config_default(&s->cfg);
    s->cfg.ad_on_fault = chance(&rng, 50) ? PW_AD_NONE : PW_AD_NONLEAF_AS_WALKED;
    s->cfg.pae_pdpte = chance(&rng, 70) ? PW_PDPTE_REGISTERS : PW_PDPTE_ON_DEMAND;
    s->cfg.tlb_entries = 1u << (2 + below(&rng, 5));   /* 4..64 */
    mem_timing timing;
    mem_timing_default(&timing, seed ^ UINT64_C(0x5eed));
    timing.hi = 1 + (unsigned)below(&rng, 6);
    timing.backpressure_pct = (unsigned)below(&rng, 40);
    int rc = 0;
    bool stim_up = false;
    pw_regs initial;

    if (pw_image_sparse_new(MEM_BYTES, &s->img_dut) != PW_OK ||
        pw_image_sparse_new(MEM_BYTES, &s->img_ref) != PW_OK) {
        fprintf(stderr, "pw_sim: out of memory\n");
        rc = 1;
        goto out;
    }
    if (stim_init(&s->st, NULL, s->mode, seed, &s->cfg, s->img_dut, s->img_ref, &initial) != PW_OK) {
        fprintf(stderr, "pw_sim: cannot build the address spaces: %s\n", s->st.fail ? s->st.fail : "");
        rc = 1;
        goto out;
    }
    stim_up = true;
    env_mem_init(&s->dut, s->img_dut, &timing);
    env_mem_init(&s->ref, s->img_ref, &timing);
    env_mem_pw_mem(&s->dut, &s->dut_mem);
    env_mem_pw_mem(&s->ref, &s->ref_mem);
    if (pw_mmu_init(&s->mmu, &s->cfg, &s->dut_mem) != PW_OK) {
        fprintf(stderr, "pw_sim: bad configuration\n");
        rc = 1;
        goto out;
    }

    bool booted = false;
    uint64_t i = 0, last_check = 0;
    while (i < n && !s->fail) {
        stim_event ev;
        stim_next(&s->st, &s->mmu.regs, &ev);
        if (s->st.fail) {
            s->fail = s->st.fail;
            break;
        }
        if (!ev.boot && !booted) {
            booted = true;
            if (memcmp(&s->mmu.regs, &initial, sizeof initial)) {
                s->fail = "the boot operations did not reach the initial registers";
                break;
            }
        }
        if (ev.kind == STIM_CTL) {
            do_ctl(s, &ev);
            continue;
        }
        if (ev.kind == STIM_EDIT) {
            do_edit(s);
            continue;
        }
        const pw_request *q = &ev.req;
        uint64_t p = stim_tl_request(&s->tl, ev.gap);
        uint64_t a = pw_mmu_accept_cycle(&s->mmu, p);
        if (ev.has_poke)
            queue_poke(s, &ev, a);
        pw_regs regs_now = s->mmu.regs;
        pw_mmu_response rsp;
        if (pw_mmu_translate(&s->mmu, q, p, &rsp) != PW_OK) {
            s->fail = "pw_mmu_translate returned an error";
            break;
        }
        if (rsp.accept_cycle != a) {
            s->fail = "pw_mmu_translate accepted in another cycle than pw_mmu_accept_cycle said";
            break;
        }
        stim_tl_accepted(&s->tl, a);
        stim_tl_responded(&s->tl, rsp.rsp_cycle);
        s->t.translations++;
        s->t.hits += rsp.hit;
        s->t.walks += !rsp.hit && rsp.result.outcome != PW_OUT_GP && pw_mode_of(&regs_now) != PW_MODE_NONE;
        s->t.faults += rsp.result.outcome == PW_OUT_PF;
        s->t.gps += rsp.result.outcome == PW_OUT_GP;
        s->t.restarts += rsp.result.restarts;

        poke_log pk;
        ref_settle(s, rsp.rsp_cycle, &pk);
        pw_result ref;
        if (pw_walk(&s->cfg, &regs_now, &s->ref_mem, q, &ref) != PW_OK) {
            s->fail = "pw_walk returned an error";
            break;
        }
        bool ok = same_result(&rsp.result, &ref, rsp.hit, &pk);
        if (ok && rsp.hit && rsp.rsp_cycle != rsp.accept_cycle + 1)
            ok = false;
        if (!ok) {
            s->t.mismatches++;
            printf("MISMATCH mode=%s seed=%" PRIu64 " translation=%" PRIu64 " cycle=%" PRIu64
                   " la=0x%016" PRIx64 " kind=%d user=%d implicit=%d ac=%d ss=%d hit=%d psc=%u\n",
                   md->name, seed, i, rsp.accept_cycle, q->la, q->kind, q->user, q->implicit, q->ac,
                   q->shadow_stack, rsp.hit, rsp.psc_level);
            print_result("mmu", &rsp.result);
            print_result("walk", &ref);
            s->fail = "mmu and walker disagree";
            break;
        }
        i++;
        /* Compare when no poke is pending (settling one early would move it in time). */
        if (i - last_check >= MEM_CHECK_EVERY && !s->dut.n_pokes && !s->ref.n_pokes) {
            last_check = i;
            if (!memories_equal(s)) {
                s->fail = "page-table memory differs between mmu and walker (A/D updates)";
                break;
            }
        }
    }
    env_mem_settle_all(&s->dut);
    env_mem_settle_all(&s->ref);
    if (!s->fail && !memories_equal(s))
        s->fail = "page-table memory differs between mmu and walker (A/D updates)";
    s->t.cycles = s->tl.r;
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
    if (stim_up)
        stim_fini(&s->st);
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
