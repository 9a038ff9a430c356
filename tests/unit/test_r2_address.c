/* R2: linear-address handling. The canonical check (R2.1), the entry
 * addresses and page addresses of each mode (R2.2-R2.5), and physical table
 * reads (R2.6). Each address is computed here from the rule's formula and the
 * entries read back from memory; the walker's accesses are recorded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "support/env.h"
#include "support/recmem.h"
#include "support/walkhelp.h"

#define LEAF_AD (PTE_A | PTE_D)   /* preset, so that a read walk makes no CAS */
#define PA32_TOP 31
#define PSE36_MAX 40              /* R2.2: M' = min(M, 40) */

/* ---- helpers ---- */

static void env_up(pw_env *env, pw_mode mode, unsigned maxphyaddr, bool pse36)
{
    pw_config cfg;
    pw_config_default(&cfg);
    cfg.maxphyaddr = maxphyaddr;
    cfg.has_pse36 = pse36;
    assert_int_equal(pw_env_init(env, mode, &cfg, 0), PW_OK);
}

static void assert_read(const rec_mem *r, unsigned i, uint64_t pa, unsigned size)
{
    assert_true(i < r->n);
    assert_int_equal(r->acc[i].kind, PW_MEM_READ);
    assert_int_equal(r->acc[i].pa, pa);
    assert_int_equal(r->acc[i].size, size);
}

/* ---- R2.1 ---- */

static void test_R2_1_noncanonical_gp_without_walk(void **state)
{
    (void)state;
    static const struct {
        pw_mode mode;
        uint64_t la;
    } t[] = {
        {PW_MODE_4LVL, PW_BIT(47)},                            /* 63:48 differ from 47 */
        {PW_MODE_4LVL, PW_BIT(48)},
        {PW_MODE_4LVL, PW_BIT(63)},
        {PW_MODE_4LVL, PW_BITS(63, 48) | UINT64_C(0x1000)},    /* bit 47 = 0 */
        {PW_MODE_5LVL, PW_BIT(56)},
        {PW_MODE_5LVL, PW_BIT(57)},
        {PW_MODE_5LVL, PW_BITS(63, 57) | UINT64_C(0x1000)},    /* bit 56 = 0 */
    };
    static const pw_access_kind kinds[] = {PW_ACC_READ, PW_ACC_WRITE, PW_ACC_FETCH};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        pw_env env;
        env_up(&env, t[i].mode, 46, true);
        for (unsigned k = 0; k < 3; k++) {
            for (int user = 0; user <= 1; user++) {
                rec_mem r;
                pw_result res = rec_walk(&env, &r, t[i].la, kinds[k], user);
                assert_int_equal(res.outcome, PW_OUT_GP);
                assert_int_equal(r.n, 0);                /* no walk */
                assert_int_equal(res.err_code, 0);
                assert_int_equal(res.level, 0);
            }
        }
        pw_env_free(&env);
    }
}

/* Upper-half canonical addresses walk normally; in 5-level paging LA[56:48]
 * is an index, not a sign extension of bit 47. */
static void test_R2_1_canonical_upper_half_translates(void **state)
{
    (void)state;
    static const struct {
        pw_mode mode;
        uint64_t la;
    } t[] = {
        {PW_MODE_4LVL, PW_BITS(63, 47) | UINT64_C(0x5000)},
        {PW_MODE_5LVL, PW_BITS(63, 56) | UINT64_C(0x5000)},
        {PW_MODE_5LVL, PW_BIT(47) | UINT64_C(0x5000)},           /* canonical only with LA57 */
    };
    const uint64_t pa = UINT64_C(0x00777000);
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        pw_env env;
        env_up(&env, t[i].mode, 46, true);
        env_map(&env, t[i].la, pa, PW_SIZE_4K, PTE_RW | LEAF_AD);
        rec_mem r;
        pw_result res = rec_walk(&env, &r, t[i].la | 0x123, PW_ACC_READ, false);
        assert_int_equal(res.outcome, PW_OUT_OK);
        assert_int_equal(res.pa, pa | 0x123);
        assert_int_equal(r.n, pw_mode_levels(t[i].mode));
        pw_env_free(&env);
    }
}

/* 32-bit and PAE paging: the LA is 32 bits; higher bits neither fault nor index. */
static void test_R2_1_la_is_32_bits_in_32bit_and_pae(void **state)
{
    (void)state;
    static const pw_mode modes[] = {PW_MODE_32, PW_MODE_PAE};
    const uint64_t la = UINT64_C(0xc0a0b000), pa = UINT64_C(0x00345000);
    for (unsigned i = 0; i < 2; i++) {
        pw_env env;
        env_up(&env, modes[i], 46, true);
        env_map(&env, la, pa, PW_SIZE_4K, PTE_RW | LEAF_AD);
        rec_mem r;
        pw_result res = rec_walk(&env, &r, PW_BITS(63, 32) | la | 0x9ab, PW_ACC_READ, false);
        assert_int_equal(res.outcome, PW_OUT_OK);
        assert_int_equal(res.pa, pa | 0x9ab);
        res = rec_walk(&env, &r, PW_BIT(47) | la, PW_ACC_WRITE, true);
        assert_int_equal(res.outcome, PW_OUT_PF);              /* supervisor page: not a #GP */
        assert_int_equal(res.err_code, PF_P | PF_W | PF_U);
        pw_env_free(&env);
    }
}

/* ---- R2.2 ---- */

static void test_R2_2_32bit_entry_addresses_and_4k_pa(void **state)
{
    (void)state;
    pw_env env;
    env_up(&env, PW_MODE_32, 46, true);
    const uint64_t la = UINT64_C(0xc0a0b000), pa = UINT64_C(0xfedc3000);
    env_map(&env, la, pa, PW_SIZE_4K, PTE_RW | LEAF_AD);
    const uint64_t va = la | 0x5a7;
    rec_mem r;
    pw_result res = rec_walk(&env, &r, va, PW_ACC_READ, false);
    uint64_t pde = env_entry_get(&env, la, PW_LVL_PD);
    uint64_t pte = env_entry_get(&env, la, PW_LVL_PT);
    uint64_t pde_pa = (env.regs.cr3 & PW_BITS(31, 12)) | field(va, 31, 22) << 2;
    uint64_t pte_pa = (pde & PW_BITS(31, 12)) | field(va, 21, 12) << 2;
    assert_int_equal(r.n, 2);
    assert_read(&r, 0, pde_pa, sizeof(uint32_t));
    assert_read(&r, 1, pte_pa, sizeof(uint32_t));
    assert_int_equal(res.outcome, PW_OUT_OK);
    assert_int_equal(res.pa, (pte & PW_BITS(31, 12)) | field(va, 11, 0));
    assert_int_equal(res.pa, pa | 0x5a7);
    assert_int_equal(res.size, PW_SIZE_4K);
    assert_int_equal(res.level, PW_LVL_PT);
    assert_int_equal(res.entry_pa, pte_pa);
    assert_int_equal(res.raw_entry, pte);
    pw_env_free(&env);
}

/* 4 MiB: PA = PDE[31:22]<<22 | PDE[20:13]<<32 (truncated to M'=min(M,40)) | LA[21:0].
 * The PDE is written raw, with only the PA[39:32] bits that are not reserved. */
static void test_R2_2_32bit_4m_pa_with_pse36(void **state)
{
    (void)state;
    static const struct {
        unsigned m;
        bool pse36;
        uint64_t hi;     /* PDE[20:13] */
    } t[] = {
        {46, true, 0xa5}, {40, true, 0xff}, {36, true, 0x9}, {38, true, 0x3a},
        {32, true, 0}, {46, false, 0},
    };
    const uint64_t la = UINT64_C(0x87c00000), off = UINT64_C(0x2b1c0d);
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        pw_env env;
        env_up(&env, PW_MODE_32, t[i].m, t[i].pse36);
        uint64_t pde_pa;
        assert_int_equal(pw_os_entry_pa(env.os, la, PW_LVL_PD, &pde_pa), PW_OK);
        uint64_t pde = UINT64_C(0x5ac00000) | t[i].hi << PDE32_PSE36_SHIFT | PTE_PS | PTE_P |
                       PTE_RW | LEAF_AD;
        assert_int_equal(pw_image_write32(env.img, pde_pa, (uint32_t)pde), PW_OK);
        rec_mem r;
        pw_result res = rec_walk(&env, &r, la | off, PW_ACC_READ, false);
        unsigned mp = t[i].m < PSE36_MAX ? t[i].m : PSE36_MAX;
        uint64_t want = (pde & PW_BITS(31, 22)) | ((la | off) & PW_BITS(21, 0));
        if (t[i].pse36)
            want |= (field(pde, 20, 13) << 32) & PW_BITS(mp - 1, 0);
        assert_int_equal(res.outcome, PW_OUT_OK);
        assert_int_equal(res.size, PW_SIZE_4M);
        assert_int_equal(res.level, PW_LVL_PD);
        assert_int_equal(res.pa, want);
        assert_int_equal(r.n, 1);
        pw_env_free(&env);
    }
}

/* ---- R2.3 ---- */

static void test_R2_3_pae_entry_addresses_and_pa(void **state)
{
    (void)state;
    static const unsigned ms[] = {36, 46, 52};
    for (unsigned i = 0; i < 3; i++) {
        unsigned m = ms[i];
        pw_env env;
        env_up(&env, PW_MODE_PAE, m, true);
        const uint64_t la = UINT64_C(0xc0a0b000), pa = PW_BIT(m - 1) | UINT64_C(0x3000);
        const uint64_t la2 = UINT64_C(0x80400000), pa2 = PW_BIT(m - 1) | UINT64_C(0x00e00000);
        env_map(&env, la, pa, PW_SIZE_4K, PTE_RW | LEAF_AD);
        env_map(&env, la2, pa2, PW_SIZE_2M, PTE_RW | LEAF_AD);

        uint64_t va = la | 0x1f8;
        rec_mem r;
        pw_result res = rec_walk(&env, &r, va, PW_ACC_READ, false);
        uint64_t pdpte = env.regs.pdpte[field(va, 31, 30)];     /* a register, not memory */
        uint64_t pde = env_entry_get(&env, la, PW_LVL_PD);
    uint64_t pte = env_entry_get(&env, la, PW_LVL_PT);
        uint64_t pde_pa = (pdpte & PW_BITS(m - 1, 12)) | field(va, 29, 21) << 3;
        uint64_t pte_pa = (pde & PW_BITS(m - 1, 12)) | field(va, 20, 12) << 3;
        assert_int_equal(r.n, 2);
        assert_read(&r, 0, pde_pa, sizeof(uint64_t));
        assert_read(&r, 1, pte_pa, sizeof(uint64_t));
        assert_int_equal(res.outcome, PW_OUT_OK);
        assert_int_equal(res.pa, (pte & PW_BITS(m - 1, 12)) | field(va, 11, 0));
        assert_int_equal(res.pa, pa | 0x1f8);

        va = la2 | UINT64_C(0x1abcde);
        res = rec_walk(&env, &r, va, PW_ACC_READ, false);
        pde = env_entry_get(&env, la2, PW_LVL_PD);
        assert_int_equal(r.n, 1);
        assert_int_equal(res.outcome, PW_OUT_OK);
        assert_int_equal(res.size, PW_SIZE_2M);
        assert_int_equal(res.pa, (pde & PW_BITS(m - 1, 21)) | field(va, 20, 0));
        assert_int_equal(res.pa, pa2 | UINT64_C(0x1abcde));
        pw_env_free(&env);
    }
}

/* ---- R2.4 ---- */

static uint64_t la4(unsigned i4, unsigned i3, unsigned i2, unsigned i1, unsigned off)
{
    return (uint64_t)i4 << 39 | (uint64_t)i3 << 30 | (uint64_t)i2 << 21 | (uint64_t)i1 << 12 | off;
}

static void test_R2_4_4lvl_entry_addresses_and_4k_pa(void **state)
{
    (void)state;
    static const unsigned ms[] = {36, 46, 52};
    for (unsigned i = 0; i < 3; i++) {
        unsigned m = ms[i];
        pw_env env;
        env_up(&env, PW_MODE_4LVL, m, true);
        const uint64_t va = la4(0x5, 0x6, 0x7, 0x8, 0x123), pa = PW_BIT(m - 1) | UINT64_C(0x9000);
        env_map(&env, va & ~PW_BITS(11, 0), pa, PW_SIZE_4K, PTE_RW | LEAF_AD);
        rec_mem r;
        pw_result res = rec_walk(&env, &r, va, PW_ACC_READ, false);
        assert_int_equal(r.n, 4);
        uint64_t table = env.regs.cr3 & PW_BITS(m - 1, 12);       /* root */
        static const unsigned lo[] = {0, 12, 21, 30, 39};
        uint64_t e = 0;
        for (unsigned l = PW_LVL_PML4, k = 0; l >= PW_LVL_PT; l--, k++) {
            uint64_t epa = table | field(va, lo[l] + 8, lo[l]) << 3;
            assert_read(&r, k, epa, sizeof(uint64_t));
            e = env_entry_get(&env, va, l);
            table = e & PW_BITS(m - 1, 12);
        }
        assert_int_equal(res.outcome, PW_OUT_OK);
        assert_int_equal(res.pa, (e & PW_BITS(m - 1, 12)) | field(va, 11, 0));
        assert_int_equal(res.pa, pa | 0x123);
        pw_env_free(&env);
    }
}

static void test_R2_4_4lvl_1g_and_2m_pa(void **state)
{
    (void)state;
    static const unsigned ms[] = {36, 46, 52};
    for (unsigned i = 0; i < 3; i++) {
        unsigned m = ms[i];
        pw_env env;
        env_up(&env, PW_MODE_4LVL, m, true);
        const uint64_t la1g = la4(0x11, 0x3, 0, 0, 0), pa1g = PW_BIT(m - 1) | PW_BIT(30);
        const uint64_t la2m = la4(0x12, 0x4, 0x5, 0, 0), pa2m = PW_BIT(m - 1) | PW_BIT(21);
        env_map(&env, la1g, pa1g, PW_SIZE_1G, PTE_RW | LEAF_AD);
        env_map(&env, la2m, pa2m, PW_SIZE_2M, PTE_RW | LEAF_AD);
        rec_mem r;
        uint64_t va = la1g | UINT64_C(0x2bcdef12);
        pw_result res = rec_walk(&env, &r, va, PW_ACC_READ, false);
        uint64_t pdpte = env_entry_get(&env, la1g, PW_LVL_PDPT);
        assert_int_equal(res.outcome, PW_OUT_OK);
        assert_int_equal(res.size, PW_SIZE_1G);
        assert_int_equal(res.level, PW_LVL_PDPT);
        assert_int_equal(res.pa, (pdpte & PW_BITS(m - 1, 30)) | field(va, 29, 0));
        assert_int_equal(r.n, 2);

        va = la2m | UINT64_C(0x1f0f0f);
        res = rec_walk(&env, &r, va, PW_ACC_READ, false);
        uint64_t pde = env_entry_get(&env, la2m, PW_LVL_PD);
        assert_int_equal(res.outcome, PW_OUT_OK);
        assert_int_equal(res.size, PW_SIZE_2M);
        assert_int_equal(res.pa, (pde & PW_BITS(m - 1, 21)) | field(va, 20, 0));
        assert_int_equal(r.n, 3);
        pw_env_free(&env);
    }
}

/* ---- R2.5 ---- */

static void test_R2_5_5lvl_pml5_index_and_addresses(void **state)
{
    (void)state;
    pw_env env;
    env_up(&env, PW_MODE_5LVL, 46, true);
    const uint64_t va = (uint64_t)0xa3 << 48 | la4(0x1c2, 0x3, 0x4, 0x5, 0x678);
    const uint64_t va_other = (uint64_t)0xa4 << 48 | (va & PW_BITS(47, 0));  /* only LA[56:48] differs */
    const uint64_t pa = UINT64_C(0x00111000), pa_other = UINT64_C(0x00222000);
    env_map(&env, va & ~PW_BITS(11, 0), pa, PW_SIZE_4K, PTE_RW | LEAF_AD);
    env_map(&env, va_other & ~PW_BITS(11, 0), pa_other, PW_SIZE_4K, PTE_RW | LEAF_AD);
    rec_mem r;
    pw_result res = rec_walk(&env, &r, va, PW_ACC_READ, false);
    assert_int_equal(r.n, 5);
    uint64_t table = env.regs.cr3 & PW_BITS(45, 12);
    static const unsigned lo[] = {0, 12, 21, 30, 39, 48};
    for (unsigned l = PW_LVL_PML5, k = 0; l >= PW_LVL_PT; l--, k++) {
        assert_read(&r, k, table | field(va, lo[l] + 8, lo[l]) << 3, sizeof(uint64_t));
        table = env_entry_get(&env, va, l) & PW_BITS(45, 12);
    }
    assert_int_equal(res.pa, pa | 0x678);
    res = rec_walk(&env, &r, va_other, PW_ACC_READ, false);
    assert_int_equal(res.outcome, PW_OUT_OK);
    assert_int_equal(res.pa, pa_other | 0x678);
    assert_read(&r, 0, (env.regs.cr3 & PW_BITS(45, 12)) | 0xa4 << 3, sizeof(uint64_t));
    pw_env_free(&env);
}

/* ---- R2.6 ---- */

/* The walker reads and writes tables at physical addresses whatever rights
 * (if any) map them: here the root table is also mapped supervisor read-only
 * no-execute, and a user write still walks it and sets A/D in the leaf. */
static void test_R2_6_table_accesses_are_physical_without_rights(void **state)
{
    (void)state;
    pw_env env;
    env_up(&env, PW_MODE_4LVL, 46, true);
    const uint64_t la = la4(0x9, 0x8, 0x7, 0x6, 0), pa = UINT64_C(0x00400000);
    const uint64_t la_root = la4(0x1, 0x1, 0x1, 0x1, 0);
    uint64_t root = pw_os_cr3(env.os);
    env_map(&env, la, pa, PW_SIZE_4K, PTE_RW | PTE_US);
    env_map(&env, la_root, root, PW_SIZE_4K, PTE_XD);
    rec_mem r;
    pw_result res = rec_walk(&env, &r, la | 0x10, PW_ACC_WRITE, true);
    assert_int_equal(res.outcome, PW_OUT_OK);
    assert_int_equal(res.pa, pa | 0x10);
    assert_read(&r, 0, root | field(la, 47, 39) << 3, sizeof(uint64_t));
    uint64_t pte = env_entry_get(&env, la, PW_LVL_PT);
    assert_int_equal(pte & (PTE_A | PTE_D), PTE_A | PTE_D);
    pw_env_free(&env);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_R2_1_noncanonical_gp_without_walk),
        cmocka_unit_test(test_R2_1_canonical_upper_half_translates),
        cmocka_unit_test(test_R2_1_la_is_32_bits_in_32bit_and_pae),
        cmocka_unit_test(test_R2_2_32bit_entry_addresses_and_4k_pa),
        cmocka_unit_test(test_R2_2_32bit_4m_pa_with_pse36),
        cmocka_unit_test(test_R2_3_pae_entry_addresses_and_pa),
        cmocka_unit_test(test_R2_4_4lvl_entry_addresses_and_4k_pa),
        cmocka_unit_test(test_R2_4_4lvl_1g_and_2m_pa),
        cmocka_unit_test(test_R2_5_5lvl_pml5_index_and_addresses),
        cmocka_unit_test(test_R2_6_table_accesses_are_physical_without_rights),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
