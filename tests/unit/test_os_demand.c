/* Unit tests of demand paging (os.h "Demand paging"). The test plays the
 * CPUs: every access is translated by pw_walk (or pw_mmu) over the tables the
 * pager builds, and every #PF it takes is handed to pw_os_handle_fault. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "support/env.h"
#include "support/walkhelp.h"

#define PAGE        PW_PAGE_SIZE
#define WORDS       (PAGE / sizeof(uint64_t))
#define MIB         (UINT64_C(1) << 20)
#define DEMAND_SIZE (16 * MIB)
#define DATA_BASE   (16 * MIB)        /* the env's lower half; tables are in the upper */
#define DATA_SIZE   (64 * PAGE)
#define TAG         9u
#define SEED        UINT64_C(0x5eed)
#define CPU_A       1u
#define CPU_B       2u
#define STORE_MAX   8u
#define MAX_FAULTS  4u                /* per access: fill, upgrade, and margin */
#define MMU_STEP    1000u             /* cycles between pw_mmu requests: every walk is done */
#define STORE_BYTE  0xa5

/* ---- The backing store: the pages written back, in order ---- */

typedef struct {
    unsigned n;
    uint64_t la[STORE_MAX];
    uint8_t *pages; /* STORE_MAX pages */
    pw_status fail; /* PW_OK, or the error every write-back returns */
} store;

static pw_status store_page(void *ctx, uint64_t la, const uint8_t *page)
{
    store *s = ctx;
    if (s->fail != PW_OK)
        return s->fail;
    if (s->n == STORE_MAX)
        return PW_ERR_RANGE;
    s->la[s->n] = la;
    memcpy(s->pages + s->n * PAGE, page, PAGE);
    s->n++;
    return PW_OK;
}

/* ---- Set-up ---- */

static uint64_t demand_base(pw_mode m)
{
    return m == PW_MODE_32 || m == PW_MODE_PAE ? UINT64_C(0x40000000) : UINT64_C(0x7f0000000000);
}

static pw_os_demand_opts opts_for(pw_mode m, store *s)
{
    return (pw_os_demand_opts){.la = demand_base(m), .size = DEMAND_SIZE, .tag = TAG,
                               .data_base = DATA_BASE, .data_size = DATA_SIZE,
                               .leaf_flags = PTE_US, .seed = SEED,
                               .writeback = s ? store_page : NULL, .writeback_ctx = s};
}

static pw_os_demand *pager_up(pw_env *e, pw_mode m, store *s)
{
    assert_int_equal(pw_env_init(e, m, NULL, 0), PW_OK);
    pw_os_demand_opts o = opts_for(m, s);
    pw_os_demand *d;
    assert_int_equal(pw_os_demand_new(e->os, &o, &d), PW_OK);
    assert_int_equal(pw_env_load_regs(e), PW_OK); /* PAE: the PDPTE may hold the reservation */
    return d;
}

static pw_os_demand_stats dstats(const pw_os_demand *d)
{
    pw_os_demand_stats st;
    pw_os_demand_stats_get(d, &st);
    return st;
}

/* ---- The CPU side ---- */

static pw_result user_access(pw_env *e, uint64_t la, pw_access_kind k, int line)
{
    return walk_line(e, (pw_request){.la = la, .kind = k, .user = true}, line);
}

static pw_os_fault_out handle(pw_env *e, unsigned who, uint64_t la, const pw_result *r)
{
    pw_os_fault_out out;
    assert_int_equal(pw_os_handle_fault(e->os, who, la, r, &out), PW_OK);
    if (out.reload_pdptes)
        assert_int_equal(pw_env_load_regs(e), PW_OK); /* R6: MOV CR3 reloads them */
    return out;
}

/* One access by `who`, retried as the handler says until it succeeds; the
 * faults taken on the way in *faults. */
static pw_result access_retry(pw_env *e, unsigned who, uint64_t la, pw_access_kind k,
                              unsigned *faults, int line)
{
    *faults = 0;
    for (;;) {
        pw_result r = user_access(e, la, k, line);
        if (r.outcome == PW_OUT_OK)
            return r;
        if (r.outcome != PW_OUT_PF || ++*faults > MAX_FAULTS)
            fail_msg("line %d: la 0x%llx: outcome %d after %u faults", line,
                     (unsigned long long)la, r.outcome, *faults);
        pw_os_fault_out out = handle(e, who, la, &r);
        if (out.action == PW_OS_FAULT_FILL)
            assert_int_equal(pw_os_fill_finish(e->os, who, la), PW_OK);
        else if (out.action == PW_OS_FAULT_SEGV || out.action == PW_OS_FAULT_WAIT)
            fail_msg("line %d: la 0x%llx: action %d", line, (unsigned long long)la, out.action);
    }
}
#define ACCESS(e, who, la, k, faults) access_retry((e), (who), (la), (k), (faults), __LINE__)

/* The whole page at pa holds the content generated for the page at la. */
static void expect_content(pw_env *e, uint64_t la, uint64_t pa)
{
    la &= ~(PAGE - 1);
    pa &= ~(PAGE - 1);
    for (unsigned i = 0; i < WORDS; i++) {
        uint64_t w;
        assert_int_equal(pw_image_read64(e->img, pa + i * 8, &w), PW_OK);
        assert_int_equal(w, pw_os_fill_word(SEED, la + i * 8));
        assert_true(w != 0);
    }
}

static uint64_t np_filling(unsigned owner)
{
    return pw_os_np_encode(PW_OS_NP_FILLING, TAG, owner);
}

/* ---- (a) first touch ---- */

static void test_read_fault_fills_read_only_every_mode(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_env e;
        pw_os_demand *d = pager_up(&e, ALL_MODES[i], NULL);
        uint64_t la = demand_base(e.mode) + 3 * PAGE + 0x18;
        pw_os_stats t0;
        pw_os_stats_get(e.os, &t0);

        pw_result r = user_access(&e, la, PW_ACC_READ, __LINE__);
        assert_int_equal(r.outcome, PW_OUT_PF);
        assert_int_equal(r.err_code, PF_U); /* R10: P=0, a user read */
        pw_os_np np;
        assert_true(pw_os_np_decode(r.raw_entry, &np) || r.raw_entry == 0);
        pw_os_fault_out out = handle(&e, CPU_A, la, &r);
        assert_int_equal(out.action, PW_OS_FAULT_FILL);
        assert_int_equal(out.owner, CPU_A);
        assert_int_equal(env_entry_get(&e, la, PW_LVL_PT), np_filling(CPU_A));
        assert_int_equal(pw_os_fill_finish(e.os, CPU_A, la), PW_OK);

        r = EXPECT_OK(&e, .la = la, .kind = PW_ACC_READ, .user = true);
        assert_false(r.perm.rw); /* mapped read-only */
        assert_true(r.pa >= DATA_BASE && r.pa < DATA_BASE + DATA_SIZE);
        expect_content(&e, la, r.pa);
        uint64_t pte = env_entry_get(&e, la, PW_LVL_PT);
        assert_int_equal(pte & (PTE_P | PTE_RW | PTE_US | PTE_D), PTE_P | PTE_US);
        /* The path's tables and no other: one per level below the root. */
        pw_os_stats t1;
        pw_os_stats_get(e.os, &t1);
        assert_int_equal(t1.total_tables - t0.total_tables, pw_mode_levels(e.mode) - 1);
        pw_os_demand_stats st = dstats(d);
        assert_int_equal(st.fills, 1);
        assert_int_equal(st.pages, 1);
        assert_int_equal(st.dirty, 0);
        /* More reads: no more faults, no more fills. */
        unsigned faults;
        ACCESS(&e, CPU_A, la + 0x800, PW_ACC_READ, &faults);
        assert_int_equal(faults, 0);
        assert_int_equal(dstats(d).fills, 1);
        pw_env_free(&e);
    }
}

/* ---- (b) the first write ---- */

static void test_write_fault_makes_the_page_dirty_and_writable_every_mode(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_env e;
        pw_os_demand *d = pager_up(&e, ALL_MODES[i], NULL);
        uint64_t la = demand_base(e.mode) + 5 * PAGE;
        unsigned faults;
        ACCESS(&e, CPU_A, la, PW_ACC_READ, &faults);
        assert_int_equal(faults, 1);

        /* R8.3: a user write needs R/W=1: a protection fault (P=1, W=1). */
        pw_result r = EXPECT_PF(&e, PF_P | PF_W | PF_U, .la = la, .kind = PW_ACC_WRITE,
                                .user = true);
        assert_int_equal(r.level, PW_LVL_PT);
        uint64_t before = env_entry_get(&e, la, PW_LVL_PT);
        assert_int_equal(handle(&e, CPU_A, la, &r).action, PW_OS_FAULT_UPGRADED);
        assert_int_equal(env_entry_get(&e, la, PW_LVL_PT), before | PTE_RW);
        /* The access is retried and succeeds; R9.2: the write sets D. */
        r = EXPECT_OK(&e, .la = la, .kind = PW_ACC_WRITE, .user = true);
        assert_true(r.perm.rw);
        assert_true(env_entry_get(&e, la, PW_LVL_PT) & PTE_D);
        pw_os_demand_stats st = dstats(d);
        assert_int_equal(st.fills, 1);
        assert_int_equal(st.upgrades, 1);
        assert_int_equal(st.dirty, 1);
        pw_env_free(&e);
    }
}

/* A write as the first touch: filled read-only first, then upgraded. */
static void test_write_first_touch_fills_then_upgrades(void **state)
{
    (void)state;
    pw_env e;
    pw_os_demand *d = pager_up(&e, PW_MODE_4LVL, NULL);
    uint64_t la = demand_base(e.mode) + 7 * PAGE;
    pw_result r = EXPECT_PF(&e, PF_W | PF_U, .la = la, .kind = PW_ACC_WRITE, .user = true);
    assert_int_equal(handle(&e, CPU_A, la, &r).action, PW_OS_FAULT_FILL);
    assert_int_equal(pw_os_fill_finish(e.os, CPU_A, la), PW_OK);
    assert_false(env_entry_get(&e, la, PW_LVL_PT) & PTE_RW);
    r = EXPECT_PF(&e, PF_P | PF_W | PF_U, .la = la, .kind = PW_ACC_WRITE, .user = true);
    assert_int_equal(handle(&e, CPU_A, la, &r).action, PW_OS_FAULT_UPGRADED);
    r = EXPECT_OK(&e, .la = la, .kind = PW_ACC_WRITE, .user = true);
    expect_content(&e, la, r.pa);
    pw_os_demand_stats st = dstats(d);
    assert_int_equal(st.fills, 1);
    assert_int_equal(st.upgrades, 1);
    pw_env_free(&e);
}

/* R11.6: after the R/W 0->1 upgrade a stale TLB entry elsewhere may cause one
 * spurious #PF: handled again, it changes nothing and says retry. So does a
 * fault taken before another requester's fill. A fault the entry it was
 * taken on still explains (here SMAP, R8.6) is not the pager's to fix. */
static void test_R11_6_stale_faults_are_spurious_and_change_nothing(void **state)
{
    (void)state;
    pw_env e;
    pw_os_demand *d = pager_up(&e, PW_MODE_4LVL, NULL);
    uint64_t la = demand_base(e.mode) + 2 * PAGE;
    pw_result early = EXPECT_PF(&e, PF_U, .la = la, .kind = PW_ACC_READ, .user = true);
    unsigned faults;
    ACCESS(&e, CPU_A, la, PW_ACC_READ, &faults);
    pw_result wr = EXPECT_PF(&e, PF_P | PF_W | PF_U, .la = la, .kind = PW_ACC_WRITE, .user = true);
    assert_int_equal(handle(&e, CPU_A, la, &wr).action, PW_OS_FAULT_UPGRADED);
    uint64_t pte = env_entry_get(&e, la, PW_LVL_PT);
    pw_os_demand_stats st0 = dstats(d);

    assert_int_equal(handle(&e, CPU_B, la, &wr).action, PW_OS_FAULT_SPURIOUS);
    assert_int_equal(handle(&e, CPU_B, la, &wr).action, PW_OS_FAULT_SPURIOUS);
    assert_int_equal(handle(&e, CPU_B, la, &early).action, PW_OS_FAULT_SPURIOUS);
    assert_int_equal(env_entry_get(&e, la, PW_LVL_PT), pte);
    pw_os_demand_stats st1 = dstats(d);
    assert_int_equal(st1.spurious, st0.spurious + 3);
    assert_int_equal(st1.fills, st0.fills);
    assert_int_equal(st1.upgrades, st0.upgrades);
    assert_int_equal(st1.dirty, st0.dirty);
    ACCESS(&e, CPU_B, la, PW_ACC_WRITE, &faults);
    assert_int_equal(faults, 0);

    e.regs.cr4 |= CR4_SMAP;
    pw_result smap = EXPECT_PF(&e, PF_P, .la = la, .kind = PW_ACC_READ);
    assert_int_equal(handle(&e, CPU_A, la, &smap).action, PW_OS_FAULT_SEGV);
    assert_int_equal(dstats(d).refused, 1);
    assert_int_equal(env_entry_get(&e, la, PW_LVL_PT), pte | PTE_D);
    pw_env_free(&e);
}

/* R11.5, R11.6 through the TLB: the #PF invalidates the page's entry, so the
 * retried write after the upgrade succeeds without an INVLPG. */
static void test_R11_6_upgrade_needs_no_invlpg_through_the_mmu(void **state)
{
    (void)state;
    pw_env e;
    pager_up(&e, PW_MODE_4LVL, NULL);
    pw_mmu m;
    assert_int_equal(pw_mmu_init(&m, &e.cfg, &e.mem), PW_OK);
    assert_int_equal(pw_mmu_set_regs(&m, &e.regs), PW_OK);
    uint64_t la = demand_base(e.mode) + 4 * PAGE, cycle = 0;
    pw_request rd = {.la = la, .kind = PW_ACC_READ, .user = true};
    pw_request wr = {.la = la, .kind = PW_ACC_WRITE, .user = true};
    pw_mmu_response rsp;

    assert_int_equal(pw_mmu_translate(&m, &rd, cycle += MMU_STEP, &rsp), PW_OK);
    assert_int_equal(rsp.result.outcome, PW_OUT_PF);
    assert_int_equal(handle(&e, CPU_A, la, &rsp.result).action, PW_OS_FAULT_FILL);
    assert_int_equal(pw_os_fill_finish(e.os, CPU_A, la), PW_OK);
    /* R11.1: the not-present translation was never cached: no INVLPG here either. */
    assert_int_equal(pw_mmu_translate(&m, &rd, cycle += MMU_STEP, &rsp), PW_OK);
    assert_int_equal(rsp.result.outcome, PW_OUT_OK);
    assert_int_equal(pw_mmu_translate(&m, &rd, cycle += MMU_STEP, &rsp), PW_OK);
    assert_true(rsp.hit); /* cached read-only */
    assert_int_equal(pw_mmu_translate(&m, &wr, cycle += MMU_STEP, &rsp), PW_OK);
    assert_int_equal(rsp.result.outcome, PW_OUT_PF);
    assert_int_equal(rsp.result.err_code, PF_P | PF_W | PF_U);
    assert_int_equal(handle(&e, CPU_A, la, &rsp.result).action, PW_OS_FAULT_UPGRADED);
    assert_int_equal(pw_mmu_translate(&m, &wr, cycle += MMU_STEP, &rsp), PW_OK);
    assert_int_equal(rsp.result.outcome, PW_OUT_OK);
    assert_true(rsp.result.perm.rw);
    pw_env_free(&e);
}

/* ---- (d) two requesters ---- */

static void test_two_requesters_one_fill_every_mode(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_env e;
        pw_os_demand *d = pager_up(&e, ALL_MODES[i], NULL);
        uint64_t la = demand_base(e.mode) + 9 * PAGE + 0x40;
        /* Both fault before either handler runs. */
        pw_result ra = EXPECT_PF(&e, PF_U, .la = la, .kind = PW_ACC_READ, .user = true);
        pw_result rb = EXPECT_PF(&e, PF_U, .la = la, .kind = PW_ACC_READ, .user = true);
        pw_os_fault_out oa = handle(&e, CPU_A, la, &ra);
        assert_int_equal(oa.action, PW_OS_FAULT_FILL);
        pw_os_fault_out ob = handle(&e, CPU_B, la, &rb); /* its fault saw RESERVED */
        assert_int_equal(ob.action, PW_OS_FAULT_WAIT);
        assert_int_equal(ob.owner, CPU_A);
        /* The owner may fault again meanwhile: it still owns the fill. */
        assert_int_equal(handle(&e, CPU_A, la, &ra).action, PW_OS_FAULT_FILL);
        /* Only the owner fills. */
        bool done = false;
        assert_int_equal(pw_os_fill_step(e.os, CPU_B, la, &done), PW_ERR_ARG);
        unsigned steps = 0, waits = 1;
        while (!done) {
            /* Until the last step the entry is FILLING, not present: B's
             * retry faults (R7.1 a) and never reads a half-filled page. */
            rb = EXPECT_PF(&e, PF_U, .la = la, .kind = PW_ACC_READ, .user = true);
            assert_int_equal(rb.level, PW_LVL_PT);
            assert_int_equal(rb.raw_entry, np_filling(CPU_A));
            ob = handle(&e, CPU_B, la, &rb);
            assert_int_equal(ob.action, PW_OS_FAULT_WAIT);
            waits++;
            assert_int_equal(pw_os_fill_step(e.os, CPU_A, la, &done), PW_OK);
            steps++;
        }
        assert_int_equal(steps, PW_OS_FILL_CHUNKS + 1); /* content, then the entry */
        pw_result ok = EXPECT_OK(&e, .la = la, .kind = PW_ACC_READ, .user = true);
        expect_content(&e, la, ok.pa);
        /* A's old fault, handled late: the page is there, nothing to do. */
        assert_int_equal(handle(&e, CPU_A, la, &ra).action, PW_OS_FAULT_SPURIOUS);
        pw_os_demand_stats st = dstats(d);
        assert_int_equal(st.fills, 1);
        assert_int_equal(st.waits, waits);
        assert_int_equal(st.pages, 1);
        assert_int_equal(pw_os_fill_step(e.os, CPU_A, la, &done), PW_ERR_ARG); /* over */
        pw_env_free(&e);
    }
}

/* ---- (c) close ---- */

static void test_close_writes_back_exactly_the_dirty_pages_every_mode(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        store s = {.pages = calloc(STORE_MAX, PAGE)};
        assert_non_null(s.pages);
        pw_env e;
        pw_os_demand *d = pager_up(&e, ALL_MODES[i], &s);
        uint64_t base = demand_base(e.mode);
        pw_os_stats t0;
        pw_os_stats_get(e.os, &t0);
        unsigned faults;
        /* Pages 0-2 read; 1 written; 3 written first; 0 read by two requesters. */
        for (unsigned p = 0; p < 3; p++)
            ACCESS(&e, CPU_A, base + p * PAGE, PW_ACC_READ, &faults);
        ACCESS(&e, CPU_B, base, PW_ACC_READ, &faults);
        assert_int_equal(faults, 0);
        uint64_t written[2] = {base + PAGE, base + 3 * PAGE};
        for (unsigned w = 0; w < 2; w++) {
            pw_result r = ACCESS(&e, CPU_A, written[w] + 0x10, PW_ACC_WRITE, &faults);
            uint8_t v = STORE_BYTE;
            assert_int_equal(pw_image_write(e.img, r.pa, &v, 1), PW_OK); /* the store */
        }
        pw_os_demand_stats st = dstats(d);
        assert_int_equal(st.fills, 4);
        assert_int_equal(st.pages, 4);
        assert_int_equal(st.dirty, 2);

        pw_os_demand_stats fin;
        assert_int_equal(pw_os_demand_close(d, &fin), PW_OK);
        assert_int_equal(fin.written_back, 2);
        assert_int_equal(s.n, 2);
        for (unsigned w = 0; w < 2; w++) {
            assert_int_equal(s.la[w], written[w]);
            const uint8_t *pg = s.pages + w * PAGE;
            assert_int_equal(pg[0x10], STORE_BYTE);
            uint64_t w0;
            memcpy(&w0, pg, sizeof w0);
            assert_int_equal(w0, pw_os_fill_word(SEED, written[w]));
        }
        /* Unmapped and released: the tables are gone, the range not present. */
        pw_os_stats t1;
        pw_os_stats_get(e.os, &t1);
        assert_int_equal(t1.total_tables, t0.total_tables);
        assert_int_equal(t1.leaves[PW_SIZE_4K], 0);
        assert_int_equal(t1.listed_ranges, 0);
        assert_int_equal(pw_env_load_regs(&e), PW_OK);
        pw_result r = EXPECT_PF(&e, PF_U, .la = base, .kind = PW_ACC_READ, .user = true);
        assert_int_equal(r.raw_entry, 0);
        pw_os_np np;
        assert_int_equal(pw_os_reservation(e.os, base, &np), PW_ERR_RANGE);
        pw_env_free(&e);
        free(s.pages);
    }
}

static void test_close_waits_for_fills_and_write_back_errors(void **state)
{
    (void)state;
    store s = {.pages = calloc(STORE_MAX, PAGE), .fail = PW_ERR_IO};
    assert_non_null(s.pages);
    pw_env e;
    pw_os_demand *d = pager_up(&e, PW_MODE_PAE, &s);
    uint64_t la = demand_base(e.mode);
    unsigned faults;
    ACCESS(&e, CPU_A, la, PW_ACC_WRITE, &faults);
    assert_int_equal(faults, 2);
    pw_result r = EXPECT_PF(&e, PF_U, .la = la + PAGE, .kind = PW_ACC_READ, .user = true);
    assert_int_equal(handle(&e, CPU_B, la + PAGE, &r).action, PW_OS_FAULT_FILL);
    assert_int_equal(pw_os_demand_close(d, NULL), PW_ERR_EXISTS); /* B is filling */
    assert_int_equal(pw_os_fill_finish(e.os, CPU_B, la + PAGE), PW_OK);
    assert_int_equal(pw_os_demand_close(d, NULL), PW_ERR_IO);     /* nothing unmapped */
    EXPECT_OK(&e, .la = la, .kind = PW_ACC_WRITE, .user = true);
    s.fail = PW_OK;
    assert_int_equal(pw_os_demand_close(d, NULL), PW_OK);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.la[0], la);
    pw_env_free(&e);
    free(s.pages);
}

/* ---- Faults the pager does not fix ---- */

static void test_faults_the_pager_refuses(void **state)
{
    (void)state;
    pw_env e;
    assert_int_equal(pw_env_init(&e, PW_MODE_4LVL, NULL, 0), PW_OK);
    pw_os_demand_opts o = opts_for(e.mode, NULL);
    o.leaf_flags = PTE_XD; /* supervisor data pages */
    pw_os_demand *d;
    assert_int_equal(pw_os_demand_new(e.os, &o, &d), PW_OK);
    uint64_t la = o.la;
    /* Outside any pager. */
    pw_result r = EXPECT_PF(&e, 0, .la = la - PAGE, .kind = PW_ACC_READ);
    assert_int_equal(handle(&e, CPU_A, la - PAGE, &r).action, PW_OS_FAULT_SEGV);
    /* R8.3: a user access to a supervisor page; R8.9: a fetch from an XD
     * page. Neither is filled: it would fault again. */
    r = EXPECT_PF(&e, PF_U, .la = la, .kind = PW_ACC_READ, .user = true);
    assert_int_equal(handle(&e, CPU_A, la, &r).action, PW_OS_FAULT_SEGV);
    r = EXPECT_PF(&e, PF_ID, .la = la, .kind = PW_ACC_FETCH);
    assert_int_equal(handle(&e, CPU_A, la, &r).action, PW_OS_FAULT_SEGV);
    pw_os_demand_stats st = dstats(d);
    assert_int_equal(st.fills, 0);
    assert_int_equal(st.refused, 2);
    pw_os_np np;
    assert_int_equal(pw_os_reservation(e.os, la, &np), PW_OK);
    assert_int_equal(np.state, PW_OS_NP_RESERVED);
    /* Supervisor accesses are served; the user one still refused once there. */
    r = EXPECT_PF(&e, 0, .la = la, .kind = PW_ACC_READ);
    assert_int_equal(handle(&e, CPU_A, la, &r).action, PW_OS_FAULT_FILL);
    assert_int_equal(pw_os_fill_finish(e.os, CPU_A, la), PW_OK);
    r = EXPECT_PF(&e, PF_P | PF_U, .la = la, .kind = PW_ACC_READ, .user = true);
    assert_int_equal(handle(&e, CPU_A, la, &r).action, PW_OS_FAULT_SEGV);
    /* R10: a reserved-bit fault is never the pager's. */
    r.err_code = PF_P | PF_RSVD;
    assert_int_equal(handle(&e, CPU_A, la, &r).action, PW_OS_FAULT_SEGV);
    pw_env_free(&e);
}

static void test_data_pool_exhausted_leaves_the_page_reserved(void **state)
{
    (void)state;
    pw_env e;
    assert_int_equal(pw_env_init(&e, PW_MODE_5LVL, NULL, 0), PW_OK);
    pw_os_demand_opts o = opts_for(e.mode, NULL);
    o.data_size = PAGE;
    pw_os_demand *d;
    assert_int_equal(pw_os_demand_new(e.os, &o, &d), PW_OK);
    unsigned faults;
    ACCESS(&e, CPU_A, o.la, PW_ACC_READ, &faults);
    pw_os_stats t0;
    pw_os_stats_get(e.os, &t0);
    pw_result r = EXPECT_PF(&e, PF_U, .la = o.la + 2 * MIB, .kind = PW_ACC_READ, .user = true);
    pw_os_fault_out out;
    assert_int_equal(pw_os_handle_fault(e.os, CPU_A, o.la + 2 * MIB, &r, &out), PW_ERR_RANGE);
    pw_os_stats t1;
    pw_os_stats_get(e.os, &t1);
    assert_int_equal(t1.total_tables, t0.total_tables);
    pw_os_np np;
    assert_int_equal(pw_os_reservation(e.os, o.la + 2 * MIB, &np), PW_OK);
    assert_int_equal(np.state, PW_OS_NP_RESERVED);
    assert_int_equal(dstats(d).fills, 1);
    pw_env_free(&e); /* frees the pager too */
}

/* ---- Bad input ---- */

static void test_demand_new_and_handler_check_arguments(void **state)
{
    (void)state;
    pw_env e;
    assert_int_equal(pw_env_init(&e, PW_MODE_4LVL, NULL, 0), PW_OK);
    pw_os_demand *d;
    pw_os_demand_opts o = opts_for(e.mode, NULL);
    assert_int_equal(pw_os_demand_new(NULL, &o, &d), PW_ERR_ARG);
    assert_int_equal(pw_os_demand_new(e.os, NULL, &d), PW_ERR_ARG);
    assert_int_equal(pw_os_demand_new(e.os, &o, NULL), PW_ERR_ARG);
    pw_os_demand_opts bad = o;
    bad.leaf_flags = PTE_RW; /* R/W is the pager's */
    assert_int_equal(pw_os_demand_new(e.os, &bad, &d), PW_ERR_ARG);
    bad = o;
    bad.data_base = e.pool_base; /* the tables' pool */
    assert_int_equal(pw_os_demand_new(e.os, &bad, &d), PW_ERR_ARG);
    bad = o;
    bad.data_base += 8;
    assert_int_equal(pw_os_demand_new(e.os, &bad, &d), PW_ERR_ARG);
    bad = o;
    bad.data_base = pw_image_size(e.img);
    assert_int_equal(pw_os_demand_new(e.os, &bad, &d), PW_ERR_RANGE);
    bad = o;
    bad.tag = PW_OS_TAG_MAX + 1;
    assert_int_equal(pw_os_demand_new(e.os, &bad, &d), PW_ERR_ARG);
    pw_os_set_table_flags(e.os, PTE_US | PTE_A); /* R8.2: no upgrade could allow a write */
    assert_int_equal(pw_os_demand_new(e.os, &o, &d), PW_ERR_ARG);
    pw_os_set_table_flags(e.os, PTE_RW | PTE_US | PTE_A);

    assert_int_equal(pw_os_demand_new(e.os, &o, &d), PW_OK);
    assert_int_equal(pw_os_demand_new(e.os, &o, &d), PW_ERR_EXISTS);      /* tag taken */
    bad = o;
    bad.tag = TAG + 1;
    assert_int_equal(pw_os_demand_new(e.os, &bad, &d), PW_ERR_EXISTS);    /* range taken */

    pw_result r = EXPECT_PF(&e, PF_U, .la = o.la, .kind = PW_ACC_READ, .user = true);
    pw_os_fault_out out;
    assert_int_equal(pw_os_handle_fault(NULL, CPU_A, o.la, &r, &out), PW_ERR_ARG);
    assert_int_equal(pw_os_handle_fault(e.os, CPU_A, o.la, NULL, &out), PW_ERR_ARG);
    assert_int_equal(pw_os_handle_fault(e.os, CPU_A, o.la, &r, NULL), PW_ERR_ARG);
    assert_int_equal(pw_os_handle_fault(e.os, PW_OS_OWNER_MAX + 1, o.la, &r, &out), PW_ERR_ARG);
    assert_int_equal(pw_os_handle_fault(e.os, CPU_A, UINT64_C(0x0000800000000000), &r, &out),
                     PW_ERR_RANGE);
    pw_result ok = r;
    ok.outcome = PW_OUT_OK;
    assert_int_equal(pw_os_handle_fault(e.os, CPU_A, o.la, &ok, &out), PW_ERR_ARG);
    bool done;
    assert_int_equal(pw_os_fill_step(NULL, CPU_A, o.la, &done), PW_ERR_ARG);
    assert_int_equal(pw_os_fill_step(e.os, CPU_A, o.la, &done), PW_ERR_ARG); /* no fill */
    assert_int_equal(pw_os_fill_finish(e.os, CPU_A, o.la), PW_ERR_ARG);
    assert_int_equal(pw_os_demand_close(NULL, NULL), PW_ERR_ARG);
    pw_os_demand_stats st;
    pw_os_demand_stats_get(NULL, &st);
    assert_int_equal(st.fills, 0);
    pw_env_free(&e);
}

static void test_content_is_deterministic_and_never_zero(void **state)
{
    (void)state;
    for (uint64_t la = 0; la < 64 * PAGE; la += 8) {
        assert_true(pw_os_fill_word(SEED, la) != 0);
        assert_int_equal(pw_os_fill_word(SEED, la), pw_os_fill_word(SEED, la));
        assert_true(pw_os_fill_word(SEED, la) != pw_os_fill_word(SEED, la + 8));
        assert_true(pw_os_fill_word(SEED, la) != pw_os_fill_word(SEED + 1, la));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_fault_fills_read_only_every_mode),
        cmocka_unit_test(test_write_fault_makes_the_page_dirty_and_writable_every_mode),
        cmocka_unit_test(test_write_first_touch_fills_then_upgrades),
        cmocka_unit_test(test_R11_6_stale_faults_are_spurious_and_change_nothing),
        cmocka_unit_test(test_R11_6_upgrade_needs_no_invlpg_through_the_mmu),
        cmocka_unit_test(test_two_requesters_one_fill_every_mode),
        cmocka_unit_test(test_close_writes_back_exactly_the_dirty_pages_every_mode),
        cmocka_unit_test(test_close_waits_for_fills_and_write_back_errors),
        cmocka_unit_test(test_faults_the_pager_refuses),
        cmocka_unit_test(test_data_pool_exhausted_leaves_the_page_reserved),
        cmocka_unit_test(test_demand_new_and_handler_check_arguments),
        cmocka_unit_test(test_content_is_deterministic_and_never_zero),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
