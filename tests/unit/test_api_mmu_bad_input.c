/* Bad input to the mmu API (SPEC "API rules": every entry point returns an error
 * code for bad input and never aborts; mmu.h, tlb.h, psc.h): NULL pointers,
 * out-of-range arguments, operations in the past, illegal register writes
 * (#GP: nothing changes), a livelocked memory, a memory schedule that breaks
 * its contract, and walks longer than the trace. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mmu_fixture.h"

#define FLAGS_DIRTY (PTE_RW | PTE_A | PTE_D)
#define LA_A FX_LA4(0, 1, 1, 1)
#define PA_A UINT64_C(0x00123000)
#define KIND_OUT_OF_RANGE ((pw_access_kind)(PW_ACC_FETCH + 1))
#define CTL_OUT_OF_RANGE ((pw_ctl_kind)(PW_CTL_FLUSH_ALL + 1))
#define CR0_UNDEFINED_BIT PW_BIT(6)
#define CR4_UNDEFINED_BIT PW_BIT(25)
#define EFER_UNDEFINED_BIT PW_BIT(1)

static void setup(fx_mmu *fx)
{
    fx_init(fx, PW_MODE_4LVL, NULL, FX_DELAY_DEFAULT);
    assert_int_equal(pw_os_map(fx->env.os, LA_A, PA_A, PW_SIZE_4K, FLAGS_DIRTY), PW_OK);
    fx_read(fx, LA_A);
}

static void expect_cached(fx_mmu *fx)
{
    pw_mmu_response r = fx_read(fx, LA_A);
    assert_true(r.hit);
}

static void test_api_mmu_init_rejects_bad_arguments(void **state)
{
    (void)state;
    pw_env env;
    assert_int_equal(pw_env_init(&env, PW_MODE_4LVL, NULL, 0), PW_OK);
    pw_mmu *m = calloc(1, sizeof *m);
    assert_non_null(m);
    assert_int_equal(pw_mmu_init(NULL, &env.cfg, &env.mem), PW_ERR_ARG);
    assert_int_equal(pw_mmu_init(m, NULL, &env.mem), PW_ERR_ARG);
    assert_int_equal(pw_mmu_init(m, &env.cfg, NULL), PW_ERR_ARG);
    pw_mem no_read = env.mem, no_cas = env.mem;
    no_read.read = NULL;
    no_cas.cas = NULL;
    assert_int_equal(pw_mmu_init(m, &env.cfg, &no_read), PW_ERR_ARG);
    assert_int_equal(pw_mmu_init(m, &env.cfg, &no_cas), PW_ERR_ARG);
    pw_config bad = env.cfg;
    bad.tlb_entries = 3;
    assert_int_equal(pw_mmu_init(m, &bad, &env.mem), PW_ERR_CONFIG);

    /* Before any pw_mmu_set_regs paging is off: LA = PA. */
    assert_int_equal(pw_mmu_init(m, &env.cfg, &env.mem), PW_OK);
    pw_request q = fx_req(LA_A, PW_ACC_READ, false);
    pw_mmu_response r;
    assert_int_equal(pw_mmu_translate(m, &q, 0, &r), PW_OK);
    assert_int_equal(r.result.outcome, PW_OUT_OK);
    assert_int_equal(r.result.pa, LA_A);
    free(m);
    pw_env_free(&env);
}

static void test_api_set_regs_rejects_bad_input_and_keeps_state(void **state)
{
    (void)state;
    fx_mmu fx;
    setup(&fx);
    pw_regs before = fx.mmu->regs;
    assert_int_equal(pw_mmu_set_regs(NULL, &before), PW_ERR_ARG);
    assert_int_equal(pw_mmu_set_regs(fx.mmu, NULL), PW_ERR_ARG);
    pw_regs bad[4];
    for (unsigned i = 0; i < 4; i++)
        bad[i] = before;
    bad[0].cr0 |= CR0_UNDEFINED_BIT;
    bad[1].cr4 &= ~CR4_PAE;                /* long mode without PAE */
    bad[2].cr0 &= ~CR0_PE;                 /* PG without PE */
    bad[3].cr3 |= PW_BIT(fx.env.cfg.maxphyaddr);
    for (unsigned i = 0; i < 4; i++) {
        assert_int_equal(pw_mmu_set_regs(fx.mmu, &bad[i]), PW_ERR_GP);
        assert_memory_equal(&fx.mmu->regs, &before, sizeof before);
    }
    expect_cached(&fx);
    fx_free(&fx);
}

static void test_api_translate_rejects_bad_input_and_changes_nothing(void **state)
{
    (void)state;
    fx_mmu fx;
    setup(&fx);
    pw_counters cnt = fx.mmu->cnt;
    uint64_t accept = pw_mmu_accept_cycle(fx.mmu, 0);
    pw_request q = fx_req(LA_A, PW_ACC_READ, false), bad = fx_req(LA_A, KIND_OUT_OF_RANGE, false);
    pw_mmu_response r;
    assert_int_equal(pw_mmu_translate(NULL, &q, fx.now, &r), PW_ERR_ARG);
    assert_int_equal(pw_mmu_translate(fx.mmu, NULL, fx.now, &r), PW_ERR_ARG);
    assert_int_equal(pw_mmu_translate(fx.mmu, &q, fx.now, NULL), PW_ERR_ARG);
    assert_int_equal(pw_mmu_translate(fx.mmu, &bad, fx.now, &r), PW_ERR_ARG);
    assert_memory_equal(&fx.mmu->cnt, &cnt, sizeof cnt);
    assert_int_equal(pw_mmu_accept_cycle(fx.mmu, 0), accept);
    expect_cached(&fx);
    fx_free(&fx);
}

/* A request presented "in the past" is accepted when the mmu can take it. */
static void test_api_translate_in_the_past_is_accepted_later(void **state)
{
    (void)state;
    fx_mmu fx;
    setup(&fx);
    pw_request q = fx_req(LA_A, PW_ACC_READ, false);
    pw_mmu_response r;
    assert_int_equal(pw_mmu_translate(fx.mmu, &q, 0, &r), PW_OK);
    assert_int_equal(r.accept_cycle, fx.now);
    assert_true(r.hit);
    fx_free(&fx);
}

static void test_api_ctl_rejects_bad_input_and_changes_nothing(void **state)
{
    (void)state;
    fx_mmu fx;
    setup(&fx);
    pw_regs before = fx.mmu->regs;
    pw_ctl op = {.kind = PW_CTL_INVLPG, .la = LA_A};
    assert_int_equal(pw_mmu_ctl(NULL, fx.now, &op), PW_ERR_ARG);
    assert_int_equal(pw_mmu_ctl(fx.mmu, fx.now, NULL), PW_ERR_ARG);
    /* before the last request's accept cycle: calls must not go back in time */
    assert_int_equal(pw_mmu_ctl(fx.mmu, FX_START_CYCLE - 1, &op), PW_ERR_ARG);
    pw_ctl unknown = {.kind = CTL_OUT_OF_RANGE, .value = 0};
    assert_int_equal(pw_mmu_ctl(fx.mmu, fx.now, &unknown), PW_ERR_ARG);
    assert_memory_equal(&fx.mmu->regs, &before, sizeof before);
    assert_int_equal(fx.mmu->cnt.fills_dropped, 0);
    expect_cached(&fx);
    fx_free(&fx);
}

/* #GP: the operation is not performed (timing.md §8, decision 4). */
static void test_api_ctl_gp_changes_nothing(void **state)
{
    (void)state;
    enum { INVPCID_BAD_TYPE = 4 };
    fx_mmu fx;
    setup(&fx);
    pw_regs before = fx.mmu->regs;
    const struct {
        pw_ctl_kind kind;
        uint64_t value;
        unsigned type;
    } ops[] = {
        {PW_CTL_MOV_CR0, before.cr0 | CR0_UNDEFINED_BIT, 0},
        {PW_CTL_MOV_CR0, (before.cr0 & ~CR0_PE), 0},                /* PG without PE */
        {PW_CTL_MOV_CR3, before.cr3 | PW_BIT(fx.env.cfg.maxphyaddr), 0},
        {PW_CTL_MOV_CR4, before.cr4 | CR4_UNDEFINED_BIT, 0},
        {PW_CTL_MOV_CR4, before.cr4 & ~CR4_PAE, 0},                 /* long mode needs PAE */
        {PW_CTL_MOV_CR4, before.cr4 ^ CR4_LA57, 0},                 /* R1.3 */
        {PW_CTL_WRMSR_EFER, before.efer | EFER_UNDEFINED_BIT, 0},
        {PW_CTL_WRMSR_EFER, before.efer & ~EFER_LME, 0},            /* LME with PG=1 */
        {PW_CTL_WRPKRU, UINT64_C(1) << 32, 0},
        {PW_CTL_WRPKRS, UINT64_C(1) << 32, 0},
        {PW_CTL_INVPCID, 0, INVPCID_BAD_TYPE},
    };
    for (unsigned i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        pw_status st = fx_ctl(&fx, ops[i].kind, ops[i].value, 0, ops[i].type);
        if (st != PW_ERR_GP)
            fail_msg("op %u (kind %d value %#llx): expected #GP, got %s", i, ops[i].kind,
                     (unsigned long long)ops[i].value, pw_status_str(st));
        assert_memory_equal(&fx.mmu->regs, &before, sizeof before);
    }
    expect_cached(&fx);
    fx_free(&fx);
}

/* More restarts than max_restarts: PW_ERR_LIVELOCK, and the mmu stays usable. */
static void test_api_livelock_is_reported_not_aborted(void **state)
{
    (void)state;
    enum { MAX_RESTARTS = 2 };
    pw_config cfg;
    pw_config_default(&cfg);
    cfg.max_restarts = MAX_RESTARTS;
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, &cfg, FX_DELAY_DEFAULT);
    assert_int_equal(pw_os_map(fx.env.os, LA_A, PA_A, PW_SIZE_4K, PTE_RW), PW_OK); /* A = 0 */
    fx.cas_mismatches = UINT_MAX;
    pw_request q = fx_req(LA_A, PW_ACC_READ, false);
    pw_mmu_response r;
    assert_int_equal(pw_mmu_translate(fx.mmu, &q, fx.now, &r), PW_ERR_LIVELOCK);
    assert_int_equal(fx_tlb_count(&fx), 0);
    fx.cas_mismatches = 0;
    fx.now = pw_mmu_accept_cycle(fx.mmu, fx.now);
    r = fx_read(&fx, LA_A);
    assert_int_equal(r.result.outcome, PW_OUT_OK);
    assert_int_equal(r.result.pa, PA_A);
    assert_true(fx_read(&fx, LA_A).hit);
    fx_free(&fx);
}

/* A walk with more accesses than PW_TRACE_MAX: n_access counts them all. */
static void test_api_trace_holds_the_first_accesses_of_a_long_walk(void **state)
{
    (void)state;
    enum { MISMATCHES = 14, ACCESSES_PER_PASS = 5 };
    const unsigned passes = MISMATCHES + 1, total = passes * ACCESSES_PER_PASS;
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, NULL, FX_DELAY_DEFAULT);
    assert_true(total > PW_TRACE_MAX);
    assert_true(MISMATCHES <= fx.env.cfg.max_restarts);
    assert_int_equal(pw_os_map(fx.env.os, LA_A, PA_A, PW_SIZE_4K, PTE_RW), PW_OK);
    fx.cas_mismatches = MISMATCHES;
    uint64_t a = fx.now;
    pw_mmu_response r = fx_read(&fx, LA_A);
    assert_int_equal(r.result.outcome, PW_OUT_OK);
    assert_int_equal(r.result.restarts, MISMATCHES);
    assert_int_equal(r.n_access, total);
    assert_int_equal(r.n_trace, PW_TRACE_MAX);
    assert_int_equal(r.rsp_cycle, a + total * (FX_DELAY_DEFAULT + 1) + 1);
    assert_int_equal(fx.mmu->cnt.restarts, MISMATCHES);
    fx_free(&fx);
}

/* A memory whose schedule says it accepts before it was asked and answers
 * before it accepted: the model still keeps issue <= accept < respond < rsp. */
static void bad_schedule(void *ctx, uint64_t issue, const pw_mem_access *acc, uint64_t *accept,
                         uint64_t *respond)
{
    (void)ctx;
    (void)acc;
    *accept = issue > 0 ? issue - 1 : 0;
    *respond = *accept;
}

static void test_api_broken_memory_schedule_does_not_break_time(void **state)
{
    (void)state;
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, NULL, FX_DELAY_DEFAULT);
    assert_int_equal(pw_os_map(fx.env.os, LA_A, PA_A, PW_SIZE_4K, PTE_RW), PW_OK);
    pw_mem bad = fx.port;
    bad.schedule = bad_schedule;
    assert_int_equal(pw_mmu_init(fx.mmu, &fx.env.cfg, &bad), PW_OK);
    assert_int_equal(pw_mmu_set_regs(fx.mmu, &fx.env.regs), PW_OK);
    uint64_t a = fx.now;
    pw_mmu_response r = fx_read(&fx, LA_A);
    assert_int_equal(r.result.outcome, PW_OUT_OK);
    uint64_t prev = a;
    for (unsigned k = 0; k < r.n_trace; k++) {
        const pw_trace_entry *t = &r.trace[k];
        assert_true(t->issue > prev);
        assert_true(t->accept >= t->issue);
        assert_true(t->respond > t->accept);
        prev = t->respond;
    }
    assert_true(r.rsp_cycle > prev);
    fx_free(&fx);
}

static void test_api_cache_inits_reject_bad_sizes(void **state)
{
    (void)state;
    pw_tlb t;
    assert_int_equal(pw_tlb_init(NULL, 1), PW_ERR_ARG);
    assert_int_equal(pw_tlb_init(&t, 0), PW_ERR_ARG);
    assert_int_equal(pw_tlb_init(&t, 3), PW_ERR_ARG);
    assert_int_equal(pw_tlb_init(&t, 2 * PW_TLB_MAX_ENTRIES), PW_ERR_ARG);
    assert_int_equal(pw_tlb_init(&t, PW_TLB_MAX_ENTRIES), PW_OK);
    assert_int_equal(pw_tlb_count(&t), 0);
    pw_config cfg;
    pw_config_default(&cfg);
    pw_psc p;
    assert_int_equal(pw_psc_init(NULL, &cfg), PW_ERR_ARG);
    assert_int_equal(pw_psc_init(&p, NULL), PW_ERR_ARG);
    cfg.psc_entries[PW_LVL_PD] = 3;
    assert_int_equal(pw_psc_init(&p, &cfg), PW_ERR_ARG);
    /* a fill at a level that has no cache, or no such level, is ignored */
    pw_config_default(&cfg);
    cfg.psc_entries[PW_LVL_PML5] = 0;
    assert_int_equal(pw_psc_init(&p, &cfg), PW_OK);
    const pw_perm perm = {.rw = true};
    pw_psc_fill(&p, PW_MODE_5LVL, PW_LVL_PML5, LA_A, 0, 0, &perm);
    pw_psc_fill(&p, PW_MODE_4LVL, PW_LVL_PT, LA_A, 0, 0, &perm);
    pw_psc_fill(&p, PW_MODE_4LVL, PW_MAX_LEVEL + 1, LA_A, 0, 0, &perm);
    pw_psc_fill(&p, PW_MODE_4LVL, PW_LVL_PML5, LA_A, 0, 0, &perm); /* 4-level has none */
    for (unsigned l = PW_LVL_PT; l <= PW_LVL_PML5; l++)
        assert_int_equal(pw_psc_count(&p, l), 0);
    assert_int_equal(pw_psc_count(&p, PW_MAX_LEVEL + 1), 0);
}

static void test_api_settle_and_accept_cycle_are_safe(void **state)
{
    (void)state;
    enum { SOME_CYCLE = 42 };
    pw_mmu_settle(NULL, SOME_CYCLE);
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, NULL, FX_DELAY_DEFAULT);
    assert_int_equal(pw_mmu_accept_cycle(fx.mmu, SOME_CYCLE), SOME_CYCLE);
    pw_mmu_settle(fx.mmu, SOME_CYCLE); /* nothing pending: nothing happens */
    assert_int_equal(fx_tlb_count(&fx), 0);
    fx_free(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_api_mmu_init_rejects_bad_arguments),
        cmocka_unit_test(test_api_set_regs_rejects_bad_input_and_keeps_state),
        cmocka_unit_test(test_api_translate_rejects_bad_input_and_changes_nothing),
        cmocka_unit_test(test_api_translate_in_the_past_is_accepted_later),
        cmocka_unit_test(test_api_ctl_rejects_bad_input_and_changes_nothing),
        cmocka_unit_test(test_api_ctl_gp_changes_nothing),
        cmocka_unit_test(test_api_livelock_is_reported_not_aborted),
        cmocka_unit_test(test_api_trace_holds_the_first_accesses_of_a_long_walk),
        cmocka_unit_test(test_api_broken_memory_schedule_does_not_break_time),
        cmocka_unit_test(test_api_cache_inits_reject_bad_sizes),
        cmocka_unit_test(test_api_settle_and_accept_cycle_are_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
