/* pw_mmu_reset (docs/timing.md §10): a reset in the middle of a walk. The model
 * performs a walk's accesses when it accepts the request; a reset stops the walk,
 * so the CASes the memory would have accepted from the reset cycle on must not
 * have happened, nothing may be filled, and the MMU starts again from its reset
 * state. Cycles are worked out by hand as in test_mmu_timing.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mmu_fixture.h"

#define D3 3u
#define ACCESSES_4LVL 4u
#define LA_A FX_LA4(0, 1, 1, 1)
#define LA_B FX_LA4(0, 1, 1, 2)
#define PA_A UINT64_C(0x00123000)
#define PA_B UINT64_C(0x00124000)
/* The leaf CAS of a read through an A=0 PTE, delay 3: presented and accepted in
 * a + 4 * (3 + 1) + 1 (test_timing_walk_with_one_leaf_cas). */
#define LEAF_CAS_CYCLE(a) ((a) + ACCESSES_4LVL * (D3 + 1) + 1)

static void map4k(fx_mmu *fx, uint64_t la, uint64_t pa, uint64_t flags)
{
    assert_int_equal(pw_os_map(fx->env.os, la, pa, PW_SIZE_4K, flags), PW_OK);
}

static void expect_reset_state(const pw_mmu *m, uint64_t reset_cycle)
{
    pw_regs r;
    pw_regs_reset(&r);
    assert_memory_equal(&m->regs, &r, sizeof r);
    assert_int_equal(m->cnt.requests, 0);
    assert_int_equal(m->cnt.mem_cas, 0);
    assert_false(m->fill_pending);
    assert_int_equal(pw_mmu_accept_cycle(m, reset_cycle), reset_cycle + 1);
}

static void test_reset_before_leaf_cas_undoes_it(void **state)
{
    (void)state;
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, NULL, D3);
    map4k(&fx, LA_A, PA_A, PTE_RW);   /* A = 0: the read sets it with a CAS */
    uint64_t pte = fx_entry(&fx, LA_A, PW_LVL_PT);
    uint64_t a = fx.now;
    pw_mmu_response r = fx_read(&fx, LA_A);
    assert_int_equal(r.n_access, ACCESSES_4LVL + 1);
    assert_int_equal(r.trace[ACCESSES_4LVL].accept, LEAF_CAS_CYCLE(a));
    assert_int_equal(fx_entry(&fx, LA_A, PW_LVL_PT), pte | PTE_A);   /* performed ahead */

    uint64_t t = LEAF_CAS_CYCLE(a);   /* the memory would accept the CAS in the reset cycle */
    assert_int_equal(pw_mmu_reset(fx.mmu, t), PW_OK);
    assert_int_equal(fx_entry(&fx, LA_A, PW_LVL_PT), pte);
    expect_reset_state(fx.mmu, t);
    fx_free(&fx);
}

static void test_reset_after_leaf_cas_keeps_it(void **state)
{
    (void)state;
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, NULL, D3);
    map4k(&fx, LA_A, PA_A, PTE_RW);
    uint64_t pte = fx_entry(&fx, LA_A, PW_LVL_PT);
    uint64_t a = fx.now;
    fx_read(&fx, LA_A);
    uint64_t t = LEAF_CAS_CYCLE(a) + 1;   /* accepted, its response still due */
    assert_int_equal(pw_mmu_reset(fx.mmu, t), PW_OK);
    assert_int_equal(fx_entry(&fx, LA_A, PW_LVL_PT), pte | PTE_A);
    expect_reset_state(fx.mmu, t);
    fx_free(&fx);
}

/* Only the CASes from the reset cycle on are undone: with A = 0 on every level
 * (policy NONE: all CASes after the leaf, top level first, timing.md §4.2) a reset
 * between two of them keeps the first. */
static void test_reset_between_cases_undoes_only_later_ones(void **state)
{
    (void)state;
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, NULL, D3);
    map4k(&fx, LA_A, PA_A, PTE_RW);
    uint64_t pml4e = fx_entry(&fx, LA_A, PW_LVL_PML4), pte = fx_entry(&fx, LA_A, PW_LVL_PT);
    /* Clear A on the PML4E as well: two CASes, PML4E first. */
    uint64_t pml4e_pa = fx_entry_pa(&fx, LA_A, PW_LVL_PML4);
    pw_image_write64(fx.env.img, pml4e_pa, pml4e & ~PTE_A);
    pw_mmu_response r = fx_read(&fx, LA_A);
    assert_int_equal(r.n_access, ACCESSES_4LVL + 2);
    assert_int_equal(r.trace[ACCESSES_4LVL].acc.pa, pml4e_pa);
    uint64_t t = r.trace[ACCESSES_4LVL + 1].accept;   /* after the PML4E CAS, at the PTE's */
    assert_int_equal(pw_mmu_reset(fx.mmu, t), PW_OK);
    assert_int_equal(fx_entry(&fx, LA_A, PW_LVL_PML4), (pml4e & ~PTE_A) | PTE_A);
    assert_int_equal(fx_entry(&fx, LA_A, PW_LVL_PT), pte);
    fx_free(&fx);
}

/* Nothing cached survives: after the reset and the same registers again, the
 * address that hit before walks again. */
static void test_reset_empties_tlb_and_pscs(void **state)
{
    (void)state;
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, NULL, D3);
    map4k(&fx, LA_A, PA_A, PTE_RW | PTE_A);
    map4k(&fx, LA_B, PA_B, PTE_RW | PTE_A);
    fx_read(&fx, LA_A);
    pw_mmu_response hit = fx_read(&fx, LA_A);
    assert_true(hit.hit);
    uint64_t t = fx.now + 1;
    assert_int_equal(pw_mmu_reset(fx.mmu, t), PW_OK);
    fx_load_regs(&fx);
    fx.now = t + 1;
    pw_mmu_response again = fx_read(&fx, LA_A);
    assert_false(again.hit);
    assert_int_equal(again.psc_level, 0);
    assert_int_equal(again.n_access, ACCESSES_4LVL);
    fx_expect_ok(&again, PA_A);
    fx_free(&fx);
}

/* A walk overtaken by the reset fills nothing, even when its fill cycle is later. */
static void test_reset_during_walk_drops_fill(void **state)
{
    (void)state;
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, NULL, D3);
    map4k(&fx, LA_A, PA_A, PTE_RW | PTE_A);
    uint64_t a = fx.now;
    pw_mmu_response r = fx_read(&fx, LA_A);
    assert_true(fx.mmu->fill_pending);
    uint64_t t = a + 2;
    assert_true(t < r.rsp_cycle);
    assert_int_equal(pw_mmu_reset(fx.mmu, t), PW_OK);
    assert_false(fx.mmu->fill_pending);
    fx_load_regs(&fx);
    pw_mmu_settle(fx.mmu, r.rsp_cycle + 1);
    fx.now = r.rsp_cycle + 1;
    assert_false(fx_read(&fx, LA_A).hit);
    fx_free(&fx);
}

static void test_reset_null_is_an_error(void **state)
{
    (void)state;
    assert_int_equal(pw_mmu_reset(NULL, 1), PW_ERR_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reset_before_leaf_cas_undoes_it),
        cmocka_unit_test(test_reset_after_leaf_cas_keeps_it),
        cmocka_unit_test(test_reset_between_cases_undoes_only_later_ones),
        cmocka_unit_test(test_reset_empties_tlb_and_pscs),
        cmocka_unit_test(test_reset_during_walk_drops_fill),
        cmocka_unit_test(test_reset_null_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
