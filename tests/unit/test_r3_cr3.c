/* R3: CR3 formats. Which bits locate the root in each mode (R3.1-R3.3),
 * which MOV-to-CR3 values are #GP (R3.3, R3.4) and the PCID / no-flush
 * hint (R3.4). A #GP leaves every register unchanged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "support/env.h"
#include "support/recmem.h"
#include "support/walkhelp.h"

#define LA_DATA   UINT64_C(0xc0a0b000)
#define PA_DATA   UINT64_C(0x00abc000)
#define LA_OFFSET UINT64_C(0x5a8)
#define LEAF_AD   (PTE_A | PTE_D)
#define CR3_IGNORED_32  (PW_BITS(11, 5) | PW_BITS(2, 0))   /* R3.1 (besides PWT, PCD) */
#define CR3_IGNORED_PAE PW_BITS(4, 0)                      /* R3.2 */
#define CR3_IGNORED_LONG (PW_BITS(11, 5) | PW_BITS(2, 0))  /* R3.3 */
#define PDPT_ALT_OFFSET 0x20                               /* a second 32-byte-aligned PDPT */
#define PAE_PDPTES 4
#define TEST_PCID UINT64_C(0x123)

/* ---- helpers ---- */

static void env_up(pw_env *env, pw_mode mode, unsigned maxphyaddr, pw_pdpte_policy pdpte)
{
    pw_config cfg;
    pw_config_default(&cfg);
    cfg.maxphyaddr = maxphyaddr;
    cfg.pae_pdpte = pdpte;
    env_setup_map(env, mode, &cfg, LA_DATA, PA_DATA, PW_SIZE_4K, PTE_RW | LEAF_AD);
}

static pw_status mov_cr3(pw_env *env, uint64_t val)
{
    pw_flush f;
    return pw_regs_mov_cr3(&env->cfg, &env->regs, &env->mem, val, &f);
}

static void assert_mov_cr3_gp(pw_env *env, uint64_t val)
{
    pw_regs before = env->regs;
    assert_int_equal(mov_cr3(env, val), PW_ERR_GP);
    assert_regs_equal(&env->regs, &before);
}

/* Index bits of the root level of a long mode. */
static uint64_t root_index(pw_mode m, uint64_t la)
{
    return m == PW_MODE_5LVL ? field(la, 56, 48) : field(la, 47, 39);
}

static void enable_pcide(pw_env *env)
{
    assert_int_equal(pw_regs_mov_cr4(&env->cfg, &env->regs, &env->mem, env->regs.cr4 | CR4_PCIDE, NULL),
                     PW_OK);
}

/* ---- R3.1 ---- */

/* 32-bit: CR3[31:12] is the PD; PWT, PCD and the other low bits move nothing. */
static void test_R3_1_32bit_cr3_base_and_ignored_bits(void **state)
{
    (void)state;
    pw_env env;
    env_up(&env, PW_MODE_32, 46, PW_PDPTE_REGISTERS);
    uint64_t root = pw_os_cr3(env.os);
    assert_int_equal(mov_cr3(&env, root | CR3_PWT | CR3_PCD | CR3_IGNORED_32), PW_OK);
    rec_mem r;
    pw_result res = rec_walk(&env, &r, LA_DATA | LA_OFFSET, PW_ACC_READ, false);
    assert_int_equal(res.outcome, PW_OUT_OK);
    assert_int_equal(res.pa, PA_DATA | LA_OFFSET);
    assert_int_equal(r.acc[0].pa, (env.regs.cr3 & PW_BITS(31, 12)) | field(LA_DATA, 31, 22) << 2);
    assert_int_equal(r.acc[0].pa, root | field(LA_DATA, 31, 22) << 2);
    pw_env_free(&env);
}

/* ---- R3.2 ---- */

/* PAE: CR3[31:5] locates a 32-byte PDPT anywhere in a page; CR3[4:0] and
 * [63:32] are ignored. A second PDPT at +0x20 swaps PDPTEs 0 and 1. */
static void check_pae_pdpt_at(pw_pdpte_policy policy)
{
    pw_env env;
    env_up(&env, PW_MODE_PAE, 46, policy);
    const uint64_t la0 = UINT64_C(0x00001000), la1 = UINT64_C(0x40001000);
    const uint64_t pa0 = UINT64_C(0x00100000), pa1 = UINT64_C(0x00200000);
    assert_int_equal(pw_os_map(env.os, la0, pa0, PW_SIZE_4K, PTE_RW | LEAF_AD), PW_OK);
    assert_int_equal(pw_os_map(env.os, la1, pa1, PW_SIZE_4K, PTE_RW | LEAF_AD), PW_OK);
    uint64_t root = pw_os_cr3(env.os), alt = root + PDPT_ALT_OFFSET, e[PAE_PDPTES];
    for (unsigned i = 0; i < PAE_PDPTES; i++)
        assert_int_equal(pw_image_read64(env.img, root + i * sizeof(uint64_t), &e[i]), PW_OK);
    assert_true(e[0] & e[1] & PTE_P);
    assert_int_equal(pw_image_write64(env.img, alt + 0 * sizeof(uint64_t), e[1]), PW_OK);
    assert_int_equal(pw_image_write64(env.img, alt + 1 * sizeof(uint64_t), e[0]), PW_OK);
    assert_int_equal(pw_image_write64(env.img, alt + 2 * sizeof(uint64_t), e[2]), PW_OK);
    assert_int_equal(pw_image_write64(env.img, alt + 3 * sizeof(uint64_t), e[3]), PW_OK);

    assert_int_equal(mov_cr3(&env, PW_BIT(40) | alt | CR3_IGNORED_PAE), PW_OK);
    if (policy == PW_PDPTE_REGISTERS) {
        assert_int_equal(env.regs.pdpte[0], e[1]);            /* R6.1: loaded from CR3[31:5] */
        assert_int_equal(env.regs.pdpte[1], e[0]);
    }
    rec_mem r;
    pw_result res = rec_walk(&env, &r, la0 | LA_OFFSET, PW_ACC_READ, false);
    assert_int_equal(res.outcome, PW_OUT_OK);
    assert_int_equal(res.pa, pa1 | LA_OFFSET);
    if (policy == PW_PDPTE_ON_DEMAND)
        assert_int_equal(r.acc[0].pa, alt + field(la0, 31, 30) * sizeof(uint64_t));
    res = rec_walk(&env, &r, la1 | LA_OFFSET, PW_ACC_READ, false);
    assert_int_equal(res.outcome, PW_OUT_OK);
    assert_int_equal(res.pa, pa0 | LA_OFFSET);
    if (policy == PW_PDPTE_ON_DEMAND)
        assert_int_equal(r.acc[0].pa, alt + field(la1, 31, 30) * sizeof(uint64_t));
    pw_env_free(&env);
}

static void test_R3_2_pae_cr3_32byte_pdpt_registers(void **state)
{
    (void)state;
    check_pae_pdpt_at(PW_PDPTE_REGISTERS);
}

static void test_R3_2_pae_cr3_32byte_pdpt_on_demand(void **state)
{
    (void)state;
    check_pae_pdpt_at(PW_PDPTE_ON_DEMAND);
}

/* ---- R3.3 ---- */

/* 4/5-level, PCIDE=0: root = CR3[M-1:12]; PWT, PCD, [11:5], [2:0] are ignored. */
static void test_R3_3_long_root_and_ignored_bits(void **state)
{
    (void)state;
    static const pw_mode modes[] = {PW_MODE_4LVL, PW_MODE_5LVL};
    for (unsigned i = 0; i < 2; i++) {
        pw_env env;
        env_up(&env, modes[i], 46, PW_PDPTE_REGISTERS);
        uint64_t root = pw_os_cr3(env.os);
        assert_int_equal(mov_cr3(&env, root | CR3_PWT | CR3_PCD | CR3_IGNORED_LONG), PW_OK);
        rec_mem r;
        pw_result res = rec_walk(&env, &r, LA_DATA | LA_OFFSET, PW_ACC_READ, false);
        assert_int_equal(res.outcome, PW_OUT_OK);
        assert_int_equal(res.pa, PA_DATA | LA_OFFSET);
        assert_int_equal(r.acc[0].pa, root | root_index(modes[i], LA_DATA) << 3);
        pw_env_free(&env);
    }
}

/* CR3[M-1] is part of the root: a root beyond memory is a bus error there. */
static void test_R3_3_root_uses_bit_M_minus_1(void **state)
{
    (void)state;
    static const unsigned ms[] = {36, 46, 52};
    for (unsigned i = 0; i < 3; i++) {
        pw_env env;
        env_up(&env, PW_MODE_4LVL, ms[i], PW_PDPTE_REGISTERS);
        uint64_t root = PW_BIT(ms[i] - 1);
        assert_int_equal(mov_cr3(&env, root), PW_OK);
        assert_int_equal(env.regs.cr3, root);
        rec_mem r;
        pw_result res = rec_walk(&env, &r, LA_DATA, PW_ACC_READ, false);
        assert_int_equal(res.outcome, PW_OUT_BUS_ERROR);
        assert_int_equal(res.level, PW_LVL_PML4);
        assert_int_equal(res.entry_pa, root | field(LA_DATA, 47, 39) << 3);
        pw_env_free(&env);
    }
}

/* CR3[63:M] reserved: #GP, nothing changes. Bit 63 too while PCIDE=0. */
static void test_R3_3_mov_cr3_reserved_bits_gp(void **state)
{
    (void)state;
    static const pw_mode modes[] = {PW_MODE_4LVL, PW_MODE_5LVL};
    static const unsigned ms[] = {36, 46, 52};
    for (unsigned i = 0; i < 2; i++) {
        for (unsigned j = 0; j < 3; j++) {
            unsigned m = ms[j];
            pw_env env;
            env_up(&env, modes[i], m, PW_PDPTE_REGISTERS);
            uint64_t root = pw_os_cr3(env.os);
            assert_mov_cr3_gp(&env, root | PW_BIT(m));
            assert_mov_cr3_gp(&env, root | PW_BIT(62));
            assert_mov_cr3_gp(&env, root | PW_BITS(62, m));
            assert_mov_cr3_gp(&env, root | CR3_NOFLUSH);
            assert_int_equal(mov_cr3(&env, root | PW_BIT(m - 1)), PW_OK);   /* highest legal bit */
            pw_env_free(&env);
        }
    }
}

/* ---- R3.4 ---- */

/* PCIDE=1: CR3[11:0] is the PCID, not part of the root. */
static void test_R3_4_pcid_in_low_bits(void **state)
{
    (void)state;
    static const pw_mode modes[] = {PW_MODE_4LVL, PW_MODE_5LVL};
    for (unsigned i = 0; i < 2; i++) {
        pw_env env;
        env_up(&env, modes[i], 46, PW_PDPTE_REGISTERS);
        uint64_t root = pw_os_cr3(env.os);
        enable_pcide(&env);
        assert_int_equal(mov_cr3(&env, root | TEST_PCID), PW_OK);
        assert_int_equal(env.regs.cr3, root | TEST_PCID);
        assert_int_equal(pw_regs_pcid(&env.regs), TEST_PCID);
        rec_mem r;
        pw_result res = rec_walk(&env, &r, LA_DATA | LA_OFFSET, PW_ACC_READ, false);
        assert_int_equal(res.outcome, PW_OUT_OK);
        assert_int_equal(res.pa, PA_DATA | LA_OFFSET);
        assert_int_equal(r.acc[0].pa, root | root_index(modes[i], LA_DATA) << 3);
        pw_env_free(&env);
    }
}

/* Bit 63 of the source is a hint: accepted with PCIDE=1, never stored. */
static void test_R3_4_noflush_bit_not_stored(void **state)
{
    (void)state;
    static const pw_mode modes[] = {PW_MODE_4LVL, PW_MODE_5LVL};
    for (unsigned i = 0; i < 2; i++) {
        pw_env env;
        env_up(&env, modes[i], 46, PW_PDPTE_REGISTERS);
        uint64_t root = pw_os_cr3(env.os);
        enable_pcide(&env);
        assert_int_equal(mov_cr3(&env, CR3_NOFLUSH | root | TEST_PCID), PW_OK);
        assert_int_equal(env.regs.cr3, root | TEST_PCID);
        assert_int_equal(env.regs.cr3 & CR3_NOFLUSH, 0);
        rec_mem r;
        assert_int_equal(rec_walk(&env, &r, LA_DATA, PW_ACC_READ, false).outcome, PW_OUT_OK);
        pw_env_free(&env);
    }
}

/* Bit 63 is reserved while PCIDE=0; bits 62:M stay reserved with PCIDE=1. */
static void test_R3_4_reserved_bits_with_and_without_pcide(void **state)
{
    (void)state;
    static const unsigned ms[] = {36, 46, 52};
    for (unsigned j = 0; j < 3; j++) {
        unsigned m = ms[j];
        pw_env env;
        env_up(&env, PW_MODE_4LVL, m, PW_PDPTE_REGISTERS);
        uint64_t root = pw_os_cr3(env.os);
        assert_mov_cr3_gp(&env, CR3_NOFLUSH | root);           /* PCIDE=0 */
        enable_pcide(&env);
        assert_mov_cr3_gp(&env, CR3_NOFLUSH | root | TEST_PCID | PW_BIT(m));
        assert_mov_cr3_gp(&env, root | PW_BIT(62));
        assert_int_equal(mov_cr3(&env, CR3_NOFLUSH | root | PW_BIT(m - 1)), PW_OK);
        assert_int_equal(env.regs.cr3, root | PW_BIT(m - 1));
        pw_env_free(&env);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_R3_1_32bit_cr3_base_and_ignored_bits),
        cmocka_unit_test(test_R3_2_pae_cr3_32byte_pdpt_registers),
        cmocka_unit_test(test_R3_2_pae_cr3_32byte_pdpt_on_demand),
        cmocka_unit_test(test_R3_3_long_root_and_ignored_bits),
        cmocka_unit_test(test_R3_3_root_uses_bit_M_minus_1),
        cmocka_unit_test(test_R3_3_mov_cr3_reserved_bits_gp),
        cmocka_unit_test(test_R3_4_pcid_in_low_bits),
        cmocka_unit_test(test_R3_4_noflush_bit_not_stored),
        cmocka_unit_test(test_R3_4_reserved_bits_with_and_without_pcide),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
