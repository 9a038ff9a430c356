/* The timing contract of pw_mmu (docs/timing.md): accept and response cycles
 * of hits and walks, memory delay and back-pressure, A/D CASes and restarts,
 * the epoch rule for fills, the ordering of control operations, bus errors and
 * the performance counters. Every expected cycle is worked out by hand from the
 * contract: s_1 = a+1, s_{k+1} = g_k + d_k + 1, r = last response + 1, so that
 * r - a = K*(d+1) + 1 for K accesses without back-pressure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mmu_fixture.h"

#define D1 1u
#define D2 2u
#define D3 3u
#define ENTRY8 8u   /* bytes per entry outside 32-bit paging */

/* Pages of a 4-level address space. A, A2, A3 share one 2 MiB region (one PT). */
#define LA_A   FX_LA4(0, 1, 1, 1)
#define LA_A2  FX_LA4(0, 1, 1, 2)
#define LA_A3  FX_LA4(0, 1, 1, 3)
#define LA_A4  FX_LA4(0, 1, 1, 4)
#define LA_B   FX_LA4(0, 1, 2, 1)   /* same 1 GiB as A, other 2 MiB */
#define LA_C   FX_LA4(0, 1, 3, 1)   /* same 1 GiB as A, a third 2 MiB */
#define PA_A   UINT64_C(0x00123000)
#define PA_A2  UINT64_C(0x00124000)
#define PA_A3  UINT64_C(0x00125000)
#define PA_A4  UINT64_C(0x00126000)
#define PA_B   UINT64_C(0x00127000)
#define PA_C   UINT64_C(0x00128000)
#define LA_NONCANONICAL UINT64_C(0x0000800000000000) /* bit 47 set, 63:48 clear */
#define OS_BITS_11_9 UINT64_C(0x0e00)               /* ignored bits of a non-present entry */

#define ACCESSES_4LVL 4u
/* r - a of a walk with k accesses, delay d, no back-pressure (timing.md §2). */
#define WALK_CYCLES(k, d) ((uint64_t)(k) * ((d) + 1) + 1)
#define FLAGS_CLEAN (PTE_RW | PTE_A)          /* A=1, D=0 */
#define FLAGS_DIRTY (PTE_RW | PTE_A | PTE_D)  /* no A/D update ever needed */

/* ---- helpers ---- */

static void map4k(fx_mmu *fx, uint64_t la, uint64_t pa, uint64_t flags)
{
    assert_int_equal(pw_os_map(fx->env.os, la, pa, PW_SIZE_4K, flags), PW_OK);
}

/* Trace entry k: an access of `kind` to `pa` presented in s, accepted in g, answered in g+d. */
static void check_access(const pw_mmu_response *r, unsigned k, pw_mem_kind kind, uint64_t pa,
                         uint64_t s, uint64_t g, unsigned d)
{
    assert_true(k < r->n_trace);
    const pw_trace_entry *t = &r->trace[k];
    if (t->acc.kind != kind || t->acc.pa != pa || t->issue != s || t->accept != g ||
        t->respond != g + d)
        fail_msg("access %u: expected kind %d pa %#llx s %llu g %llu rsp %llu, got kind %d pa "
                 "%#llx s %llu g %llu rsp %llu",
                 k, kind, (unsigned long long)pa, (unsigned long long)s, (unsigned long long)g,
                 (unsigned long long)(g + d), t->acc.kind, (unsigned long long)t->acc.pa,
                 (unsigned long long)t->issue, (unsigned long long)t->accept,
                 (unsigned long long)t->respond);
}

/* Presented in s, no back-pressure. */
static void check_at(const pw_mmu_response *r, unsigned k, pw_mem_kind kind, uint64_t pa,
                     uint64_t s, unsigned d)
{
    check_access(r, k, kind, pa, s, s, d);
}

/* ---- §1: hits ---- */

static void test_timing_hit_answers_in_accept_plus_1(void **state)
{
    (void)state;
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, NULL, D3);
    map4k(&fx, LA_A, PA_A, FLAGS_DIRTY);
    pw_mmu_response r = fx_read(&fx, LA_A);
    assert_false(r.hit);

    uint64_t c = fx.now + 5; /* an idle gap: accepted when presented */
    pw_request q = fx_req(LA_A | 0x123, PW_ACC_READ, false);
    assert_int_equal(pw_mmu_translate(fx.mmu, &q, c, &r), PW_OK);
    assert_true(r.hit);
    assert_int_equal(r.accept_cycle, c);
    assert_int_equal(r.rsp_cycle, c + 1);
    assert_int_equal(r.n_access, 0);
    assert_int_equal(r.result.outcome, PW_OUT_OK);
    assert_int_equal(r.result.pa, PA_A | 0x123);
    fx_free(&fx);
}

static void test_timing_back_to_back_hits_one_per_cycle(void **state)
{
    (void)state;
    static const uint64_t las[] = {LA_A, LA_A2, LA_A3, LA_A, LA_A2};
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, NULL, D2);
    map4k(&fx, LA_A, PA_A, FLAGS_DIRTY);
    map4k(&fx, LA_A2, PA_A2, FLAGS_DIRTY);
    map4k(&fx, LA_A3, PA_A3, FLAGS_DIRTY);
    fx_read(&fx, LA_A);
    fx_read(&fx, LA_A2);
    fx_read(&fx, LA_A3);

    /* Diagram 1: presented in c, c+1, c+2, ...: accepted then, answered a cycle later. */
    uint64_t c = fx.now;
    for (unsigned i = 0; i < sizeof las / sizeof las[0]; i++) {
        assert_int_equal(pw_mmu_accept_cycle(fx.mmu, c + i), c + i);
        pw_mmu_response r = fx_read(&fx, las[i]);
        assert_true(r.hit);
        assert_int_equal(r.accept_cycle, c + i);
        assert_int_equal(r.rsp_cycle, c + i + 1);
    }
    assert_int_equal(fx.mmu->cnt.hits, sizeof las / sizeof las[0]);
    fx_free(&fx);
}

/* ---- §2: walks ---- */

static void test_timing_4level_walk_without_ad_update(void **state)
{
    (void)state;
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, NULL, D3);
    map4k(&fx, LA_A, PA_A, FLAGS_DIRTY);
    uint64_t a = fx.now;
    pw_mmu_response r = fx_read(&fx, LA_A);
    assert_int_equal(r.accept_cycle, a);
    /* K = 4 reads: s = a+1, a+5, a+9, a+13; responses 3 later; r = a + 4*(3+1) + 1. */
    assert_int_equal(r.n_access, ACCESSES_4LVL);
    for (unsigned k = 0; k < ACCESSES_4LVL; k++) {
        unsigned level = PW_LVL_PML4 - k;
        check_at(&r, k, PW_MEM_READ, fx_entry_pa(&fx, LA_A, level), a + 1 + k * (D3 + 1), D3);
        assert_int_equal(r.trace[k].acc.size, ENTRY8);
        assert_int_equal(r.trace[k].acc.level, level);
    }
    assert_int_equal(r.rsp_cycle, a + WALK_CYCLES(ACCESSES_4LVL, D3));
    assert_int_equal(r.result.outcome, PW_OUT_OK);
    assert_int_equal(r.result.pa, PA_A);
    assert_int_equal(fx.mmu->cnt.walk_cycles, WALK_CYCLES(ACCESSES_4LVL, D3));
    fx_free(&fx);
}

static void test_timing_walk_with_one_leaf_cas(void **state)
{
    (void)state;
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, NULL, D3);
    map4k(&fx, LA_A, PA_A, PTE_RW); /* A = 0: a read needs one CAS */
    uint64_t pte = fx_entry(&fx, LA_A, PW_LVL_PT);
    uint64_t a = fx.now;
    pw_mmu_response r = fx_read(&fx, LA_A);
    /* K = 5: the CAS is presented the cycle after the PTE response (a + 4*(3+1)). */
    assert_int_equal(r.n_access, ACCESSES_4LVL + 1);
    check_at(&r, 4, PW_MEM_CAS, fx_entry_pa(&fx, LA_A, PW_LVL_PT),
             a + ACCESSES_4LVL * (D3 + 1) + 1, D3);
    assert_int_equal(r.trace[4].acc.expect, pte);
    assert_int_equal(r.trace[4].acc.desired, pte | PTE_A);
    assert_int_equal(r.rsp_cycle, a + WALK_CYCLES(ACCESSES_4LVL + 1, D3));
    assert_int_equal(fx_entry(&fx, LA_A, PW_LVL_PT), pte | PTE_A);
    fx_free(&fx);
}

/* Diagram 2: A (write, PTE A=D=0) accepted in 1, B (read, same page) presented in 2. */
static void test_timing_docs_diagram2_write_walk_then_hit(void **state)
{
    (void)state;
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, NULL, D2);
    map4k(&fx, LA_A, PA_A, PTE_RW);
    uint64_t pte = fx_entry(&fx, LA_A, PW_LVL_PT);
    pw_request qa = fx_req(LA_A, PW_ACC_WRITE, false), qb = fx_req(LA_A, PW_ACC_READ, false);
    pw_mmu_response ra, rb;
    assert_int_equal(pw_mmu_translate(fx.mmu, &qa, 1, &ra), PW_OK);
    assert_int_equal(ra.accept_cycle, 1);
    check_at(&ra, 0, PW_MEM_READ, fx_entry_pa(&fx, LA_A, PW_LVL_PML4), 2, D2);
    check_at(&ra, 1, PW_MEM_READ, fx_entry_pa(&fx, LA_A, PW_LVL_PDPT), 5, D2);
    check_at(&ra, 2, PW_MEM_READ, fx_entry_pa(&fx, LA_A, PW_LVL_PD), 8, D2);
    check_at(&ra, 3, PW_MEM_READ, fx_entry_pa(&fx, LA_A, PW_LVL_PT), 11, D2);
    check_at(&ra, 4, PW_MEM_CAS, fx_entry_pa(&fx, LA_A, PW_LVL_PT), 14, D2);
    assert_int_equal(ra.trace[4].acc.expect, pte);
    assert_int_equal(ra.trace[4].acc.desired, pte | PTE_A | PTE_D);
    assert_int_equal(ra.rsp_cycle, 17);

    assert_int_equal(pw_mmu_accept_cycle(fx.mmu, 2), 17);
    assert_int_equal(pw_mmu_translate(fx.mmu, &qb, 2, &rb), PW_OK);
    assert_int_equal(rb.accept_cycle, 17);
    assert_true(rb.hit);
    assert_int_equal(rb.rsp_cycle, 18);
    fx_free(&fx);
}

/* Diagram 3 (relative to a): a PDE-cache hit leaves one access. */
static void test_timing_pde_cache_hit_one_access(void **state)
{
    (void)state;
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, NULL, D2);
    map4k(&fx, LA_A, PA_A, FLAGS_DIRTY);
    map4k(&fx, LA_A2, PA_A2, FLAGS_DIRTY);
    fx_read(&fx, LA_A);
    uint64_t a = fx.now;
    pw_mmu_response r = fx_read(&fx, LA_A2);
    assert_int_equal(r.psc_level, PW_LVL_PD);
    assert_int_equal(r.n_access, 1);
    check_at(&r, 0, PW_MEM_READ, fx_entry_pa(&fx, LA_A2, PW_LVL_PT), a + 1, D2);
    assert_int_equal(r.rsp_cycle, a + WALK_CYCLES(1, D2));
    assert_int_equal(r.result.pa, PA_A2);
    fx_free(&fx);
}

/* The latency table of §2, d = 1 and d = 2. */
static void test_timing_latency_table(void **state)
{
    (void)state;
    static const struct {
        pw_mode mode;
        uint64_t la;
        pw_page_size size;
        pw_access_kind kind;
        uint64_t flags;
        uint64_t cycles_d1, cycles_d2;
    } rows[] = {
        {PW_MODE_4LVL, FX_LA4(0, 1, 1, 1), PW_SIZE_4K, PW_ACC_READ, FLAGS_DIRTY, 9, 13},
        {PW_MODE_4LVL, FX_LA4(0, 1, 1, 1), PW_SIZE_4K, PW_ACC_WRITE, FLAGS_CLEAN, 11, 16},
        {PW_MODE_5LVL, FX_LA5(1, 0, 1, 1, 1), PW_SIZE_4K, PW_ACC_READ, FLAGS_DIRTY, 11, 16},
        {PW_MODE_4LVL, FX_LA4(0, 1, 1, 0), PW_SIZE_2M, PW_ACC_READ, FLAGS_DIRTY, 7, 10},
        {PW_MODE_PAE, FX_LA4(0, 1, 1, 1), PW_SIZE_4K, PW_ACC_READ, FLAGS_DIRTY, 5, 7},
        {PW_MODE_32, FX_LA32(1, 0), PW_SIZE_4M, PW_ACC_READ, FLAGS_DIRTY, 3, 4},
    };
    static const unsigned delays[] = {D1, D2};
    for (unsigned i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        for (unsigned j = 0; j < sizeof delays / sizeof delays[0]; j++) {
            fx_mmu fx;
            fx_init(&fx, rows[i].mode, NULL, delays[j]);
            uint64_t pa = pw_page_bytes(rows[i].size); /* any aligned frame */
            assert_int_equal(pw_os_map(fx.env.os, rows[i].la, pa, rows[i].size, rows[i].flags),
                             PW_OK);
            assert_int_equal(pw_env_load_regs(&fx.env), PW_OK); /* PAE: PDPTE registers */
            fx_load_regs(&fx);
            uint64_t a = fx.now;
            pw_mmu_response r = fx_access(&fx, rows[i].la, rows[i].kind, false);
            uint64_t want = j == 0 ? rows[i].cycles_d1 : rows[i].cycles_d2;
            if (r.result.outcome != PW_OUT_OK || r.rsp_cycle - a != want)
                fail_msg("row %u d=%u: expected OK in r-a=%llu, got outcome %d in %llu", i,
                         delays[j], (unsigned long long)want, r.result.outcome,
                         (unsigned long long)(r.rsp_cycle - a));
            fx_free(&fx);
        }
    }
}

/* §2: a PAE PDPTE register with P=0 answers #PF at level 3 in a+1, no access. */
static void test_timing_pae_pdpte_register_not_present_answers_next_cycle(void **state)
{
    (void)state;
    enum { QUARTER_UNUSED = 3 };
    fx_mmu fx;
    fx_init(&fx, PW_MODE_PAE, NULL, D3);
    map4k(&fx, FX_LA4(0, 0, 1, 1), PA_A, FLAGS_DIRTY);
    assert_int_equal(pw_env_load_regs(&fx.env), PW_OK);
    fx.env.regs.pdpte[QUARTER_UNUSED] = OS_BITS_11_9; /* P=0, other bits ignored */
    fx_load_regs(&fx);
    uint64_t a = fx.now;
    pw_mmu_response r = fx_read(&fx, FX_LA4(0, QUARTER_UNUSED, 1, 1));
    assert_int_equal(r.rsp_cycle, a + 1);
    assert_int_equal(r.n_access, 0);
    assert_int_equal(r.result.outcome, PW_OUT_PF);
    assert_int_equal(r.result.err_code, 0); /* P=0, read, supervisor */
    assert_int_equal(r.result.level, PW_LVL_PDPT);
    assert_int_equal(r.result.raw_entry, OS_BITS_11_9);
    assert_int_equal(fx.mmu->cnt.walk_cycles, 1);
    assert_int_equal(fx.mmu->cnt.faults, 1);
    fx_free(&fx);
}

/* Diagram 4 (relative to a): PDPTE-cache hit; memory not ready in a+1 and a+2. */
static void test_timing_backpressure_window(void **state)
{
    (void)state;
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, NULL, D2);
    map4k(&fx, LA_A, PA_A, FLAGS_DIRTY);
    map4k(&fx, LA_B, PA_B, FLAGS_DIRTY);
    fx_read(&fx, LA_A); /* fills the PDPTE cache for LA_B's 1 GiB */
    uint64_t a = fx.now;
    fx.busy_from = a + 1;
    fx.busy_to = a + 2;
    pw_mmu_response r = fx_read(&fx, LA_B);
    assert_int_equal(r.psc_level, PW_LVL_PDPT);
    /* PDE read presented a+1, accepted a+3 (w=2), answered a+5; PTE read a+6, a+8. */
    check_access(&r, 0, PW_MEM_READ, fx_entry_pa(&fx, LA_B, PW_LVL_PD), a + 1, a + 3, D2);
    check_access(&r, 1, PW_MEM_READ, fx_entry_pa(&fx, LA_B, PW_LVL_PT), a + 6, a + 6, D2);
    assert_int_equal(r.rsp_cycle, a + 9); /* 1 + (2+2+1) + (0+2+1) */
    fx_free(&fx);
}

static void test_timing_backpressure_on_every_access(void **state)
{
    (void)state;
    enum { WAIT = 1 };
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, NULL, D2);
    fx.wait = WAIT;
    map4k(&fx, LA_A, PA_A, FLAGS_DIRTY);
    uint64_t a = fx.now;
    pw_mmu_response r = fx_read(&fx, LA_A);
    /* Each access costs w + d + 1 = 4: s = a+1, a+5, a+9, a+13, each accepted 1 later. */
    for (unsigned k = 0; k < ACCESSES_4LVL; k++) {
        uint64_t s = a + 1 + 4 * k;
        check_access(&r, k, PW_MEM_READ, fx_entry_pa(&fx, LA_A, PW_LVL_PML4 - k), s, s + WAIT, D2);
    }
    assert_int_equal(r.rsp_cycle, a + 1 + ACCESSES_4LVL * (WAIT + D2 + 1));
    fx_free(&fx);
}

/* No schedule callback: g = s and d = 1 (pw_mem, types.h). */
static void test_timing_null_schedule_means_delay_1(void **state)
{
    (void)state;
    pw_env env;
    assert_int_equal(pw_env_init(&env, PW_MODE_4LVL, NULL, 0), PW_OK);
    assert_int_equal(pw_os_map(env.os, LA_A, PA_A, PW_SIZE_4K, FLAGS_DIRTY), PW_OK);
    assert_null(env.mem.schedule);
    pw_mmu *m = calloc(1, sizeof *m);
    assert_non_null(m);
    assert_int_equal(pw_mmu_init(m, &env.cfg, &env.mem), PW_OK);
    assert_int_equal(pw_mmu_set_regs(m, &env.regs), PW_OK);
    pw_request q = fx_req(LA_A, PW_ACC_READ, false);
    pw_mmu_response r;
    assert_int_equal(pw_mmu_translate(m, &q, FX_START_CYCLE, &r), PW_OK);
    assert_int_equal(r.rsp_cycle, FX_START_CYCLE + WALK_CYCLES(ACCESSES_4LVL, D1));
    check_at(&r, 3, PW_MEM_READ, r.trace[3].acc.pa, FX_START_CYCLE + 1 + 3 * (D1 + 1), D1);
    free(m);
    pw_env_free(&env);
}

/* §1: a request presented during a walk is accepted in the walk's response cycle. */
static void test_timing_next_request_accepted_at_previous_response(void **state)
{
    (void)state;
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, NULL, D2);
    map4k(&fx, LA_A, PA_A, FLAGS_DIRTY);
    map4k(&fx, LA_B, PA_B, FLAGS_DIRTY);
    uint64_t a = fx.now;
    pw_mmu_response r1 = fx_read(&fx, LA_A);
    assert_int_equal(r1.rsp_cycle, a + WALK_CYCLES(ACCESSES_4LVL, D2));
    assert_int_equal(pw_mmu_accept_cycle(fx.mmu, a + 1), r1.rsp_cycle);
    assert_int_equal(pw_mmu_accept_cycle(fx.mmu, r1.rsp_cycle + 3), r1.rsp_cycle + 3);
    pw_request q = fx_req(LA_B, PW_ACC_READ, false);
    pw_mmu_response r2;
    assert_int_equal(pw_mmu_translate(fx.mmu, &q, a + 1, &r2), PW_OK);
    assert_int_equal(r2.accept_cycle, r1.rsp_cycle);
    assert_int_equal(r2.trace[0].issue, r1.rsp_cycle + 1);
    fx_free(&fx);
}

/* ---- §4, §5: A/D updates and restarts ---- */

/* The example table of §4: d=1, a=0; L4E and L3E have A=0, L2E A=1, L1E A=0. */
static void run_ad_example(pw_ad_policy policy, bool leaf_present)
{
    pw_config cfg;
    pw_config_default(&cfg);
    cfg.ad_on_fault = policy;
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, &cfg, D1);
    map4k(&fx, LA_A2, PA_A2, FLAGS_DIRTY); /* builds the path */
    if (leaf_present)
        map4k(&fx, LA_A, PA_A, PTE_RW);     /* A = 0 */
    uint64_t l4 = fx_entry_pa(&fx, LA_A, PW_LVL_PML4), l3 = fx_entry_pa(&fx, LA_A, PW_LVL_PDPT);
    uint64_t l2 = fx_entry_pa(&fx, LA_A, PW_LVL_PD), l1 = fx_entry_pa(&fx, LA_A, PW_LVL_PT);
    fx_poke(&fx, l4, fx_peek(&fx, l4) & ~PTE_A);
    fx_poke(&fx, l3, fx_peek(&fx, l3) & ~PTE_A);
    fx.now = 0;
    pw_mmu_response r = fx_read(&fx, LA_A);
    assert_int_equal(r.accept_cycle, 0);

    if (policy == PW_AD_NONE) {
        check_at(&r, 0, PW_MEM_READ, l4, 1, D1);
        check_at(&r, 1, PW_MEM_READ, l3, 3, D1);
        check_at(&r, 2, PW_MEM_READ, l2, 5, D1);
        check_at(&r, 3, PW_MEM_READ, l1, 7, D1);
        if (leaf_present) {
            check_at(&r, 4, PW_MEM_CAS, l4, 9, D1);
            check_at(&r, 5, PW_MEM_CAS, l3, 11, D1);
            check_at(&r, 6, PW_MEM_CAS, l1, 13, D1);
            assert_int_equal(r.n_access, 7);
            assert_int_equal(r.rsp_cycle, 15);
        } else {
            assert_int_equal(r.n_access, 4);
            assert_int_equal(r.rsp_cycle, 9);
        }
    } else {
        check_at(&r, 0, PW_MEM_READ, l4, 1, D1);
        check_at(&r, 1, PW_MEM_CAS, l4, 3, D1);
        check_at(&r, 2, PW_MEM_READ, l3, 5, D1);
        check_at(&r, 3, PW_MEM_CAS, l3, 7, D1);
        check_at(&r, 4, PW_MEM_READ, l2, 9, D1);
        check_at(&r, 5, PW_MEM_READ, l1, 11, D1);
        if (leaf_present) {
            check_at(&r, 6, PW_MEM_CAS, l1, 13, D1);
            assert_int_equal(r.n_access, 7);
            assert_int_equal(r.rsp_cycle, 15);
        } else {
            assert_int_equal(r.n_access, 6);
            assert_int_equal(r.rsp_cycle, 13);
        }
    }
    assert_int_equal(r.result.outcome, leaf_present ? PW_OUT_OK : PW_OUT_PF);
    /* A walk that faults writes nothing under NONE; NONLEAF_AS_WALKED keeps its A bits. */
    bool upper_a = leaf_present || policy == PW_AD_NONLEAF_AS_WALKED;
    assert_int_equal((fx_peek(&fx, l4) & PTE_A) != 0, upper_a);
    assert_int_equal((fx_peek(&fx, l3) & PTE_A) != 0, upper_a);
    fx_free(&fx);
}

static void test_timing_ad_cas_top_level_first_policy_none(void **state)
{
    (void)state;
    run_ad_example(PW_AD_NONE, true);
    run_ad_example(PW_AD_NONE, false);
}

static void test_timing_ad_cas_as_walked_policy_nonleaf(void **state)
{
    (void)state;
    run_ad_example(PW_AD_NONLEAF_AS_WALKED, true);
    run_ad_example(PW_AD_NONLEAF_AS_WALKED, false);
}

/* §5 example: d=1, a=0, a write; the PTE (D=0) gets D=1 from elsewhere before the CAS. */
static void test_timing_restart_after_failed_cas(void **state)
{
    (void)state;
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, NULL, D1);
    map4k(&fx, LA_A, PA_A, FLAGS_CLEAN);
    uint64_t l1 = fx_entry_pa(&fx, LA_A, PW_LVL_PT), pte = fx_peek(&fx, l1);
    fx_write_at(&fx, 8, l1, pte | PTE_D); /* between the PTE read (7) and the CAS (9) */
    fx.now = 0;
    pw_mmu_response r = fx_access(&fx, LA_A, PW_ACC_WRITE, false);
    static const unsigned levels[] = {PW_LVL_PML4, PW_LVL_PDPT, PW_LVL_PD, PW_LVL_PT};
    for (unsigned k = 0; k < ACCESSES_4LVL; k++) {
        check_at(&r, k, PW_MEM_READ, fx_entry_pa(&fx, LA_A, levels[k]), 1 + 2 * k, D1);
        check_at(&r, 5 + k, PW_MEM_READ, fx_entry_pa(&fx, LA_A, levels[k]), 11 + 2 * k, D1);
    }
    check_at(&r, 4, PW_MEM_CAS, l1, 9, D1);
    assert_int_equal(r.trace[4].data, pte | PTE_D); /* old != cmp */
    assert_int_equal(r.n_access, 9);
    assert_int_equal(r.rsp_cycle, 19);
    assert_int_equal(r.result.outcome, PW_OUT_OK);
    assert_true(r.result.perm.dirty);
    assert_int_equal(fx.mmu->cnt.restarts, 1);
    assert_int_equal(fx.mmu->cnt.mem_reads, 8);
    assert_int_equal(fx.mmu->cnt.mem_cas, 1);
    fx_free(&fx);
}

/* §5: the new pass starts from the root even when the walk began below a PSC hit. */
static void test_timing_restart_ignores_psc(void **state)
{
    (void)state;
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, NULL, D1);
    map4k(&fx, LA_A, PA_A, FLAGS_CLEAN);
    map4k(&fx, LA_A2, PA_A2, FLAGS_DIRTY);
    fx_read(&fx, LA_A2); /* PDE cache for the region */
    uint64_t l1 = fx_entry_pa(&fx, LA_A, PW_LVL_PT), pte = fx_peek(&fx, l1);
    uint64_t a = fx.now;
    fx_write_at(&fx, a + 2, l1, pte | PTE_D);
    pw_mmu_response r = fx_access(&fx, LA_A, PW_ACC_WRITE, false);
    assert_int_equal(r.psc_level, PW_LVL_PD);
    check_at(&r, 0, PW_MEM_READ, l1, a + 1, D1);
    check_at(&r, 1, PW_MEM_CAS, l1, a + 3, D1);
    check_at(&r, 2, PW_MEM_READ, fx_entry_pa(&fx, LA_A, PW_LVL_PML4), a + 5, D1);
    check_at(&r, 5, PW_MEM_READ, l1, a + 11, D1);
    assert_int_equal(r.n_access, 6);
    assert_int_equal(r.rsp_cycle, a + 13);
    assert_int_equal(fx.mmu->cnt.restarts, 1);
    fx_free(&fx);
}

/* ---- §8: the epoch rule and the ordering of control operations ---- */

/* Diagram 6: INVLPG A in cycle 5 of a walk accepted in 1 (d=1). */
static void test_timing_invlpg_during_walk_drops_fill(void **state)
{
    (void)state;
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, NULL, D1);
    map4k(&fx, LA_A, PA_A, FLAGS_DIRTY);
    fx.now = 1;
    pw_mmu_response r = fx_read(&fx, LA_A);
    assert_int_equal(r.rsp_cycle, 10);
    assert_int_equal(fx_ctl_at(&fx, 5, PW_CTL_INVLPG, 0, LA_A, 0), PW_OK);
    fx.now = 10;
    r = fx_read(&fx, LA_A); /* the same request again, accepted in 10 */
    assert_int_equal(r.result.outcome, PW_OUT_OK); /* the first walk still answered */
    assert_int_equal(r.accept_cycle, 10);
    assert_false(r.hit);
    assert_int_equal(r.psc_level, 0);
    check_at(&r, 0, PW_MEM_READ, fx_entry_pa(&fx, LA_A, PW_LVL_PML4), 11, D1);
    assert_int_equal(fx.mmu->cnt.fills_dropped, 1);
    assert_int_equal(fx.mmu->cnt.misses, 2);
    fx_free(&fx);
}

/* §8: "had the INVLPG come in cycle 10": the fill happens, the request of 10 hits,
 * the INVLPG then removes the entry. */
static void test_timing_invlpg_in_response_cycle_after_fill(void **state)
{
    (void)state;
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, NULL, D1);
    map4k(&fx, LA_A, PA_A, FLAGS_DIRTY);
    fx.now = 1;
    fx_read(&fx, LA_A);
    pw_mmu_response r = fx_read(&fx, LA_A); /* accepted in 10 */
    assert_int_equal(r.accept_cycle, 10);
    assert_true(r.hit);
    assert_int_equal(fx_ctl_at(&fx, 10, PW_CTL_INVLPG, 0, LA_A, 0), PW_OK);
    assert_int_equal(fx.mmu->cnt.fills_dropped, 0);
    fx.now = 11;
    r = fx_read(&fx, LA_A);
    assert_true(fx_walked(&r));
    fx_free(&fx);
}

/* §8: an op that invalidates nothing still breaks the epoch, also in the fill cycle f. */
static void test_timing_op_in_fill_cycle_drops_fill(void **state)
{
    (void)state;
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, NULL, D2);
    map4k(&fx, LA_A, PA_A, FLAGS_DIRTY);
    pw_mmu_response r = fx_read(&fx, LA_A);
    assert_int_equal(fx_ctl_at(&fx, r.rsp_cycle - 1, PW_CTL_WRPKRU, 0, 0, 0), PW_OK);
    assert_int_equal(fx.mmu->cnt.fills_dropped, 1);
    r = fx_read(&fx, LA_A);
    assert_true(fx_walked(&r));
    assert_int_equal(r.psc_level, 0); /* no PSC fill either */
    assert_int_equal(r.n_access, ACCESSES_4LVL);
    fx_free(&fx);
}

static void test_timing_op_after_fill_keeps_fill(void **state)
{
    (void)state;
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, NULL, D2);
    map4k(&fx, LA_A, PA_A, FLAGS_DIRTY);
    pw_mmu_response r = fx_read(&fx, LA_A);
    assert_int_equal(fx_ctl_at(&fx, r.rsp_cycle, PW_CTL_WRPKRU, 0, 0, 0), PW_OK);
    assert_int_equal(fx.mmu->cnt.fills_dropped, 0);
    r = fx_read(&fx, LA_A);
    assert_true(r.hit);
    fx_free(&fx);
}

static void test_timing_op_in_accept_cycle_drops_fill_of_walk(void **state)
{
    (void)state;
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, NULL, D2);
    map4k(&fx, LA_A, PA_A, FLAGS_DIRTY);
    pw_mmu_response r = fx_read(&fx, LA_A);
    assert_int_equal(fx_ctl_at(&fx, r.accept_cycle, PW_CTL_WRPKRU, 0, 0, 0), PW_OK);
    assert_int_equal(fx.mmu->cnt.fills_dropped, 1);
    fx_free(&fx);
}

/* §8 ordering: the request accepted in c uses the state before an op in c. A walk
 * keeps the registers latched at a (here PKRU) for its answer. */
static void test_timing_op_in_accept_cycle_ordered_after_request(void **state)
{
    (void)state;
    enum { KEY = 3 };
    const uint64_t pkru_ad_key = UINT64_C(1) << (2 * KEY); /* AD of key 3 */
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, NULL, D2);
    fx.env.regs.cr4 |= CR4_PKE;
    fx_load_regs(&fx);
    map4k(&fx, LA_A, PA_A, FLAGS_DIRTY | PTE_US | ((uint64_t)KEY << PTE_PK_SHIFT));
    map4k(&fx, LA_A2, PA_A2, FLAGS_DIRTY);

    /* A walk accepted in a, WRPKRU in a: answered with the old PKRU, no fill. */
    pw_mmu_response r = fx_access(&fx, LA_A, PW_ACC_READ, true);
    assert_int_equal(fx_ctl_at(&fx, r.accept_cycle, PW_CTL_WRPKRU, pkru_ad_key, 0, 0), PW_OK);
    assert_int_equal(r.result.outcome, PW_OUT_OK);
    assert_int_equal(fx.mmu->cnt.fills_dropped, 1);
    r = fx_access(&fx, LA_A, PW_ACC_READ, true);
    assert_int_equal(r.result.outcome, PW_OUT_PF);
    assert_int_equal(r.result.err_code, PF_P | PF_U | PF_PK);

    /* A hit in c with INVLPG in c: still a hit; the request in c+1 walks. */
    fx_read(&fx, LA_A2);
    r = fx_read(&fx, LA_A2);
    assert_true(r.hit);
    assert_int_equal(fx_ctl_at(&fx, r.accept_cycle, PW_CTL_INVLPG, 0, LA_A2, 0), PW_OK);
    assert_int_equal(fx.now, r.accept_cycle + 1);
    r = fx_read(&fx, LA_A2);
    assert_true(fx_walked(&r));

    /* An op in c-1 is seen by the request accepted in c. */
    fx_read(&fx, LA_A2);
    uint64_t c = fx.now + 1;
    assert_int_equal(fx_ctl_at(&fx, c - 1, PW_CTL_INVLPG, 0, LA_A2, 0), PW_OK);
    fx.now = c;
    r = fx_read(&fx, LA_A2);
    assert_int_equal(r.accept_cycle, c);
    assert_true(fx_walked(&r));
    fx_free(&fx);
}

/* Decision 4: an operation that #GPs is not performed and does not break the epoch. */
static void test_timing_gp_op_during_walk_keeps_fill(void **state)
{
    (void)state;
    const uint64_t pkru_too_wide = UINT64_C(1) << 32;
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, NULL, D2);
    map4k(&fx, LA_A, PA_A, FLAGS_DIRTY);
    pw_mmu_response r = fx_read(&fx, LA_A);
    assert_int_equal(fx_ctl_at(&fx, r.accept_cycle + 2, PW_CTL_WRPKRU, pkru_too_wide, 0, 0),
                     PW_ERR_GP);
    assert_int_equal(fx.mmu->cnt.fills_dropped, 0);
    r = fx_read(&fx, LA_A);
    assert_true(r.hit);
    fx_free(&fx);
}

/* §3: the fault of diagram 5 (relative to a): PDE P=0 with OS bits, d=2. */
static void test_timing_not_present_pde_fault(void **state)
{
    (void)state;
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, NULL, D2);
    map4k(&fx, LA_B, PA_B, FLAGS_DIRTY); /* builds the PD; LA_A's PDE stays empty */
    uint64_t pde_pa = (fx_entry_pa(&fx, LA_B, PW_LVL_PD) & ~(PW_PAGE_SIZE - 1)) +
                      pw_la_index(PW_MODE_4LVL, PW_LVL_PD, LA_A) * ENTRY8;
    fx_poke(&fx, pde_pa, OS_BITS_11_9);
    uint64_t a = fx.now;
    pw_mmu_response r = fx_read(&fx, LA_A);
    assert_int_equal(r.n_access, 3);
    check_at(&r, 2, PW_MEM_READ, pde_pa, a + 7, D2);
    assert_int_equal(r.rsp_cycle, a + WALK_CYCLES(3, D2));
    assert_int_equal(r.result.outcome, PW_OUT_PF);
    assert_int_equal(r.result.level, PW_LVL_PD);
    assert_int_equal(r.result.raw_entry, OS_BITS_11_9);
    assert_int_equal(r.result.entry_pa, pde_pa);
    assert_int_equal(fx.mmu->cnt.mem_cas, 0);
    fx_free(&fx);
}

/* ---- §6: bus errors ---- */

static void test_timing_bus_error_on_root_outside_memory(void **state)
{
    (void)state;
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, NULL, D2);
    fx.env.regs.cr3 = PW_ENV_MEM_DEFAULT; /* the first byte past memory */
    fx_load_regs(&fx);
    uint64_t a = fx.now;
    pw_mmu_response r = fx_read(&fx, LA_A);
    assert_int_equal(r.result.outcome, PW_OUT_BUS_ERROR);
    assert_int_equal(r.result.level, PW_LVL_PML4);
    assert_int_equal(r.result.entry_pa, PW_ENV_MEM_DEFAULT); /* PML4 index 0 */
    assert_int_equal(r.n_access, 1);
    assert_int_equal(r.trace[0].status, PW_MEM_BUS_ERROR);
    assert_int_equal(r.rsp_cycle, a + WALK_CYCLES(1, D2));
    assert_int_equal(fx.mmu->cnt.bus_errors, 1);
    assert_int_equal(fx.mmu->cnt.faults, 0);
    fx_free(&fx);
}

/* §6: nothing cached, nothing invalidated (not even FAULT), counted. */
static void test_timing_bus_error_fills_and_invalidates_nothing(void **state)
{
    (void)state;
    const uint64_t table_outside = PW_ENV_MEM_DEFAULT + PW_PAGE_SIZE;
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, NULL, D2);
    map4k(&fx, LA_A, PA_A, FLAGS_DIRTY);
    map4k(&fx, LA_B, PA_B, FLAGS_DIRTY);
    map4k(&fx, LA_C, PA_C, FLAGS_DIRTY);
    fx_read(&fx, LA_B);                    /* PSC: L4, L3 (shared with A) and B's PDE */
    fx_set_entry(&fx, LA_A, PW_LVL_PD, table_outside | PTE_P | PTE_RW | PTE_A);
    unsigned tlb_before = fx_tlb_count(&fx);
    uint64_t a = fx.now;
    pw_mmu_response r = fx_read(&fx, LA_A);
    assert_int_equal(r.psc_level, PW_LVL_PDPT);
    assert_int_equal(r.result.outcome, PW_OUT_BUS_ERROR);
    assert_int_equal(r.result.level, PW_LVL_PT);
    assert_int_equal(r.result.entry_pa,
                     table_outside + pw_la_index(PW_MODE_4LVL, PW_LVL_PT, LA_A) * ENTRY8);
    assert_int_equal(r.rsp_cycle, a + WALK_CYCLES(2, D2)); /* PDE, then the PTE read fails */
    assert_int_equal(fx_tlb_count(&fx), tlb_before);
    assert_int_equal(tlb_before, 1);
    assert_int_equal(fx_psc_matches(&fx, PW_LVL_PD, LA_A, 0), 0);
    /* FAULT(LA_A) would have removed the PDPTE-cache entry shared with C. */
    r = fx_read(&fx, LA_C);
    assert_int_equal(r.psc_level, PW_LVL_PDPT);
    r = fx_read(&fx, LA_A); /* walks again */
    assert_int_equal(r.result.outcome, PW_OUT_BUS_ERROR);
    assert_int_equal(fx.mmu->cnt.bus_errors, 2);
    assert_int_equal(fx.mmu->cnt.fills_dropped, 0);
    fx_free(&fx);
}

/* ---- §9: counters ---- */

static void test_counters_small_scenario_exact(void **state)
{
    (void)state;
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, NULL, D1);
    map4k(&fx, LA_A, PA_A, PTE_RW);        /* A=0 */
    map4k(&fx, LA_A2, PA_A2, FLAGS_DIRTY);
    map4k(&fx, LA_A4, PA_A4, FLAGS_CLEAN); /* LA_A3 stays unmapped */
    pw_mmu_response r;
    r = fx_read(&fx, LA_A);                         /* 1 miss: 4 reads + CAS A */
    assert_int_equal(r.n_access, 5);
    r = fx_read(&fx, LA_A);                         /* 2 hit */
    assert_true(r.hit);
    r = fx_read(&fx, LA_A2);                        /* 3 miss, PDE hit: 1 read */
    assert_int_equal(r.psc_level, PW_LVL_PD);
    r = fx_read(&fx, LA_A3);                        /* 4 miss, PDE hit: 1 read, #PF; FAULT */
    assert_int_equal(r.result.outcome, PW_OUT_PF);
    r = fx_read(&fx, LA_A2);                        /* 5 hit: FAULT(A3) kept A2's page */
    assert_true(r.hit);
    r = fx_access(&fx, LA_A4, PW_ACC_WRITE, false); /* 6 miss, PSCs gone: 4 reads + CAS D */
    assert_int_equal(r.psc_level, 0);
    assert_int_equal(r.n_access, 5);
    r = fx_access(&fx, LA_A4, PW_ACC_WRITE, false); /* 7 hit, cached D=1 */
    assert_true(r.hit);
    r = fx_access(&fx, LA_A, PW_ACC_WRITE, false);  /* 8 clean entry: re-walk, PTE + CAS D */
    assert_int_equal(r.n_access, 2);
    r = fx_read(&fx, LA_NONCANONICAL);              /* 9 #GP: no lookup, no walk */
    assert_int_equal(r.result.outcome, PW_OUT_GP);
    assert_int_equal(r.rsp_cycle, r.accept_cycle + 1);

    const pw_counters *c = &fx.mmu->cnt;
    assert_int_equal(c->requests, 9);
    assert_int_equal(c->hits, 3);
    assert_int_equal(c->misses, 4);
    assert_int_equal(c->walks, 5);
    assert_int_equal(c->walk_cycles, WALK_CYCLES(5, D1) + WALK_CYCLES(1, D1) + WALK_CYCLES(1, D1) +
                                         WALK_CYCLES(5, D1) + WALK_CYCLES(2, D1));
    assert_int_equal(c->mem_reads, 4 + 1 + 1 + 4 + 1);
    assert_int_equal(c->mem_cas, 1 + 1 + 1);
    assert_int_equal(c->restarts, 0);
    assert_int_equal(c->psc_hits[PW_LVL_PD], 3);
    assert_int_equal(c->psc_hits[PW_LVL_PDPT], 0);
    assert_int_equal(c->psc_hits[PW_LVL_PML4], 0);
    assert_int_equal(c->faults, 1);
    assert_int_equal(c->bus_errors, 0);
    assert_int_equal(c->fills_dropped, 0);
    fx_free(&fx);
}

/* §9: requests = hits + walks + no-paging answers + GP answers. */
static void test_counters_no_paging_answer(void **state)
{
    (void)state;
    const uint64_t la_high = UINT64_C(0x123456789abc);
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, NULL, D2);
    pw_regs off = {.cr0 = CR0_PE};
    assert_int_equal(pw_mmu_set_regs(fx.mmu, &off), PW_OK);
    uint64_t a = fx.now;
    pw_mmu_response r = fx_read(&fx, la_high);
    assert_int_equal(r.rsp_cycle, a + 1);
    assert_int_equal(r.result.outcome, PW_OUT_OK);
    assert_int_equal(r.result.pa, la_high & PW_BITS(31, 0));
    assert_int_equal(fx.mmu->cnt.requests, 1);
    assert_int_equal(fx.mmu->cnt.hits + fx.mmu->cnt.walks + fx.mmu->cnt.misses, 0);
    fx_free(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timing_hit_answers_in_accept_plus_1),
        cmocka_unit_test(test_timing_back_to_back_hits_one_per_cycle),
        cmocka_unit_test(test_timing_4level_walk_without_ad_update),
        cmocka_unit_test(test_timing_walk_with_one_leaf_cas),
        cmocka_unit_test(test_timing_docs_diagram2_write_walk_then_hit),
        cmocka_unit_test(test_timing_pde_cache_hit_one_access),
        cmocka_unit_test(test_timing_latency_table),
        cmocka_unit_test(test_timing_pae_pdpte_register_not_present_answers_next_cycle),
        cmocka_unit_test(test_timing_backpressure_window),
        cmocka_unit_test(test_timing_backpressure_on_every_access),
        cmocka_unit_test(test_timing_null_schedule_means_delay_1),
        cmocka_unit_test(test_timing_next_request_accepted_at_previous_response),
        cmocka_unit_test(test_timing_ad_cas_top_level_first_policy_none),
        cmocka_unit_test(test_timing_ad_cas_as_walked_policy_nonleaf),
        cmocka_unit_test(test_timing_restart_after_failed_cas),
        cmocka_unit_test(test_timing_restart_ignores_psc),
        cmocka_unit_test(test_timing_invlpg_during_walk_drops_fill),
        cmocka_unit_test(test_timing_invlpg_in_response_cycle_after_fill),
        cmocka_unit_test(test_timing_op_in_fill_cycle_drops_fill),
        cmocka_unit_test(test_timing_op_after_fill_keeps_fill),
        cmocka_unit_test(test_timing_op_in_accept_cycle_drops_fill_of_walk),
        cmocka_unit_test(test_timing_op_in_accept_cycle_ordered_after_request),
        cmocka_unit_test(test_timing_gp_op_during_walk_keeps_fill),
        cmocka_unit_test(test_timing_not_present_pde_fault),
        cmocka_unit_test(test_timing_bus_error_on_root_outside_memory),
        cmocka_unit_test(test_timing_bus_error_fills_and_invalidates_nothing),
        cmocka_unit_test(test_counters_small_scenario_exact),
        cmocka_unit_test(test_counters_no_paging_answer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
