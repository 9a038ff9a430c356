/* x86-paging.md §4: entry formats, bit by bit, in each mode. P=0 makes every
 * other bit ignored (§4 heading); the flag bits reach pw_result (memtype,
 * global, perm); ignored bits change nothing. Test names use S4a/S4b/S4c
 * for the three tables of §4 (32-bit, PAE, 4/5-level). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "support/env.h"
#include "support/walkhelp.h"

#define LA_DATA   UINT64_C(0x12345000)      /* valid in every mode */
#define PA_DATA   UINT64_C(0x00abc000)
#define LA_OFFSET UINT64_C(0x6a8)
#define LA_2M     UINT64_C(0x40600000)
#define PA_2M     UINT64_C(0x00800000)
#define LA_4M     UINT64_C(0x40c00000)
#define PA_4M     UINT64_C(0x01000000)
#define LA_1G     UINT64_C(0x80000000)
#define PA_1G     UINT64_C(0x40000000)
#define OFF_LARGE UINT64_C(0x1a2b3c)         /* inside a 2 MiB (and larger) page */
#define IGN_11_9  PW_BITS(11, 9)             /* ignored in every entry */
#define IGN_58_52 PW_BITS(58, 52)            /* §4c: ignored in every 4/5-level entry */
#define PK(k)     ((uint64_t)(k) << PTE_PK_SHIFT)
#define LEAF_KEY  0xa
#define NONLEAF_KEY 0x5

/* ---- helpers ---- */

static void env_up(pw_env *env, pw_mode mode)
{
    assert_int_equal(pw_env_init(env, mode, NULL, 0), PW_OK);
}

/* OR `bits` into the entry at `level` on la's path (then reload the registers:
 * PAE PDPTEs live in registers). */
static void or_entry(pw_env *env, uint64_t la, unsigned level, uint64_t bits)
{
    uint64_t pa = env_entry_pa(env, la, level);
    env_poke(env, pa, env_peek(env, pa) | bits);
    assert_int_equal(pw_env_load_regs(env), PW_OK);
}

static pw_result walk(pw_env *env, uint64_t la, pw_access_kind kind, bool user)
{
    pw_request req = {.la = la, .kind = kind, .user = user};
    pw_result res;
    assert_int_equal(pw_walk(&env->cfg, &env->regs, &env->mem, &req, &res), PW_OK);
    return res;
}

/* ---- §4: P=0 ---- */

/* At every level of every mode, an entry with P=0 and every other bit set is
 * just "not present": #PF with P=0, the entry (OS bits) reported as read. */
static void test_S4_not_present_ignores_every_other_bit(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_mode m = ALL_MODES[i];
        for (unsigned level = pw_mode_levels(m); level >= PW_LVL_PT; level--) {
            pw_env env;
            env_up(&env, m);
            env_map(&env, LA_DATA, PA_DATA, PW_SIZE_4K, PTE_RW | PTE_US);
            uint64_t pa = env_entry_pa(&env, LA_DATA, level);
            uint64_t val = m == PW_MODE_32 ? PW_BITS(31, 1) : ~PTE_P;
            env_poke(&env, pa, val);
            assert_int_equal(pw_env_load_regs(&env), PW_OK);
            pw_result res = walk(&env, LA_DATA | LA_OFFSET, PW_ACC_READ, false);
            assert_int_equal(res.outcome, PW_OUT_PF);
            assert_int_equal(res.err_code, 0);
            assert_int_equal(res.level, level);
            assert_int_equal(res.raw_entry, val);
            assert_int_equal(res.entry_pa, pa);
            res = walk(&env, LA_DATA | LA_OFFSET, PW_ACC_WRITE, true);
            assert_int_equal(res.err_code, PF_W | PF_U);
            assert_int_equal(env_peek(&env, pa), val);  /* never written */
            pw_env_free(&env);
        }
    }
}

/* ---- §4a: 32-bit paging ---- */

/* PTE: R/W, U/S, PWT, PCD, A, D, PAT (bit 7), G (with CR4.PGE); 11:9 ignored. */
static void test_S4a_32bit_pte_flags(void **state)
{
    (void)state;
    pw_env env;
    env_up(&env, PW_MODE_32);
    env_map(&env, LA_DATA, PA_DATA, PW_SIZE_4K,
            PTE_RW | PTE_US | PTE_PWT | PTE_PCD | PW_OS_PAT | PTE_G | PTE_A | PTE_D);
    or_entry(&env, LA_DATA, PW_LVL_PT, IGN_11_9);
    uint64_t pte = env_peek(&env, env_entry_pa(&env, LA_DATA, PW_LVL_PT));
    assert_true(pte & PTE_PAT);                         /* bit 7 of a PTE */
    env.regs.cr4 |= CR4_PGE;
    pw_result res = walk(&env, LA_DATA | LA_OFFSET, PW_ACC_WRITE, true);
    assert_int_equal(res.outcome, PW_OUT_OK);
    assert_int_equal(res.size, PW_SIZE_4K);
    assert_int_equal(res.pa, PA_DATA | LA_OFFSET);
    assert_int_equal(res.memtype, PW_MT_PWT | PW_MT_PCD | PW_MT_PAT);
    assert_true(res.global);
    assert_true(res.perm.rw && res.perm.us && res.perm.dirty);
    env.regs.cr4 &= ~CR4_PGE;
    res = walk(&env, LA_DATA | LA_OFFSET, PW_ACC_READ, false);
    assert_false(res.global);                            /* G needs CR4.PGE */
    pw_env_free(&env);
}

/* PDE -> PT: bits 6, 8 and 11:9 ignored (a G-looking bit 8 makes nothing global). */
static void test_S4a_32bit_pde_table_ignored_bits(void **state)
{
    (void)state;
    pw_env env;
    env_up(&env, PW_MODE_32);
    env_map(&env, LA_DATA, PA_DATA, PW_SIZE_4K, PTE_RW);
    or_entry(&env, LA_DATA, PW_LVL_PD, PTE_D | PTE_G | IGN_11_9);
    env.regs.cr4 |= CR4_PGE;
    pw_result res = walk(&env, LA_DATA | LA_OFFSET, PW_ACC_WRITE, false);
    assert_int_equal(res.outcome, PW_OUT_OK);
    assert_int_equal(res.size, PW_SIZE_4K);
    assert_int_equal(res.pa, PA_DATA | LA_OFFSET);
    assert_false(res.global);
    pw_env_free(&env);
}

/* 4 MiB PDE: PAT in bit 12 (not an address bit), D, G; 11:9 ignored. */
static void test_S4a_32bit_4m_pde_flags(void **state)
{
    (void)state;
    pw_env env;
    env_up(&env, PW_MODE_32);
    env_map(&env, LA_4M, PA_4M, PW_SIZE_4M, PTE_RW | PTE_PWT | PW_OS_PAT | PTE_G | PTE_A | PTE_D);
    or_entry(&env, LA_4M, PW_LVL_PD, IGN_11_9);
    uint64_t pde = env_peek(&env, env_entry_pa(&env, LA_4M, PW_LVL_PD));
    assert_true(pde & PTE_PAT_LARGE);
    env.regs.cr4 |= CR4_PGE;
    pw_result res = walk(&env, LA_4M | OFF_LARGE, PW_ACC_READ, false);
    assert_int_equal(res.outcome, PW_OUT_OK);
    assert_int_equal(res.size, PW_SIZE_4M);
    assert_int_equal(res.pa, PA_4M | OFF_LARGE);
    assert_int_equal(res.memtype, PW_MT_PWT | PW_MT_PAT);
    assert_true(res.global && res.perm.dirty);
    pw_env_free(&env);
}

/* ---- §4b: PAE paging ---- */

/* 2 MiB PDE: PAT bit 12, G, D, XD (NXE=1); PDE->PT and PTE: 6/8 and 11:9
 * ignored where §4b says so; PDPTE: 11:9 ignored, PWT/PCD allowed. */
static void test_S4b_pae_entry_flags(void **state)
{
    (void)state;
    pw_env env;
    env_up(&env, PW_MODE_PAE);
    env_map(&env, LA_2M, PA_2M, PW_SIZE_2M, PTE_RW | PTE_PCD | PW_OS_PAT | PTE_G | PTE_D | PTE_A | PTE_XD);
    env_map(&env, LA_DATA, PA_DATA, PW_SIZE_4K, PTE_RW | PTE_US | PTE_A);
    or_entry(&env, LA_DATA, PW_LVL_PDPT, IGN_11_9 | PTE_PWT | PTE_PCD);
    or_entry(&env, LA_DATA, PW_LVL_PD, PTE_D | PTE_G | IGN_11_9);
    or_entry(&env, LA_DATA, PW_LVL_PT, IGN_11_9);
    or_entry(&env, LA_2M, PW_LVL_PD, IGN_11_9);
    env.regs.cr4 |= CR4_PGE;

    pw_result res = walk(&env, LA_2M | OFF_LARGE, PW_ACC_READ, false);
    assert_int_equal(res.outcome, PW_OUT_OK);
    assert_int_equal(res.size, PW_SIZE_2M);
    assert_int_equal(res.pa, PA_2M | OFF_LARGE);
    assert_int_equal(res.memtype, PW_MT_PCD | PW_MT_PAT);
    assert_true(res.global && res.perm.dirty && res.perm.xd);

    res = walk(&env, LA_DATA | LA_OFFSET, PW_ACC_READ, true);
    assert_int_equal(res.outcome, PW_OUT_OK);
    assert_int_equal(res.pa, PA_DATA | LA_OFFSET);
    assert_false(res.global);            /* PDE bit 8 is ignored, the PTE has no G */
    assert_false(res.perm.dirty);        /* PDE bit 6 is ignored, the PTE has no D */
    assert_int_equal(res.memtype, 0);    /* PDPTE/PDE PWT, PCD: not the leaf's */
    pw_env_free(&env);
}

/* ---- §4c: 4-level and 5-level paging ---- */

/* Non-leaf entries: bit 6, bit 8, 11:9, 58:52 and the PK field are ignored;
 * the leaf's key is bits 62:59 of the leaf; 58:52 and 11:9 of the leaf are
 * ignored. */
static void test_S4c_long_ignored_bits_and_leaf_key(void **state)
{
    (void)state;
    for (unsigned i = 2; i < N_MODES; i++) {
        pw_mode m = ALL_MODES[i];
        pw_env env;
        env_up(&env, m);
        env_map(&env, LA_DATA, PA_DATA, PW_SIZE_4K, PTE_RW | PTE_US | PTE_A | PTE_D | PK(LEAF_KEY));
        for (unsigned l = pw_mode_levels(m); l > PW_LVL_PT; l--)
            or_entry(&env, LA_DATA, l, PTE_D | PTE_G | IGN_11_9 | IGN_58_52 | PK(NONLEAF_KEY));
        or_entry(&env, LA_DATA, PW_LVL_PT, IGN_11_9 | IGN_58_52);
        env.regs.cr4 |= CR4_PKE;
        pw_result res = walk(&env, LA_DATA | LA_OFFSET, PW_ACC_WRITE, true);
        assert_int_equal(res.outcome, PW_OUT_OK);
        assert_int_equal(res.pa, PA_DATA | LA_OFFSET);
        assert_int_equal(res.perm.pk, LEAF_KEY);
        assert_false(res.global);
        /* Without PKE the key bits are still not reserved. */
        env.regs.cr4 &= ~CR4_PKE;
        assert_int_equal(walk(&env, LA_DATA, PW_ACC_READ, false).outcome, PW_OUT_OK);
        pw_env_free(&env);
    }
}

/* Large leaves: 1 GiB PDPTE and 2 MiB PDE carry PAT in bit 12, G, D and a key. */
static void test_S4c_large_leaf_flags(void **state)
{
    (void)state;
    for (unsigned i = 2; i < N_MODES; i++) {
        pw_env env;
        env_up(&env, ALL_MODES[i]);
        env_map(&env, LA_1G, PA_1G, PW_SIZE_1G, PTE_RW | PW_OS_PAT | PTE_G | PTE_A | PTE_D | PK(3));
        env_map(&env, LA_2M, PA_2M, PW_SIZE_2M, PTE_RW | PTE_PWT | PTE_A | PK(7));
        env.regs.cr4 |= CR4_PGE | CR4_PKE;
        pw_result res = walk(&env, LA_1G | OFF_LARGE, PW_ACC_READ, false);
        assert_int_equal(res.outcome, PW_OUT_OK);
        assert_int_equal(res.size, PW_SIZE_1G);
        assert_int_equal(res.level, PW_LVL_PDPT);
        assert_int_equal(res.pa, PA_1G | OFF_LARGE);
        assert_int_equal(res.memtype, PW_MT_PAT);
        assert_true(res.global && res.perm.dirty);
        assert_int_equal(res.perm.pk, 3);
        res = walk(&env, LA_2M | OFF_LARGE, PW_ACC_READ, false);
        assert_int_equal(res.outcome, PW_OUT_OK);
        assert_int_equal(res.size, PW_SIZE_2M);
        assert_int_equal(res.pa, PA_2M | OFF_LARGE);
        assert_int_equal(res.memtype, PW_MT_PWT);
        assert_false(res.global || res.perm.dirty);
        assert_int_equal(res.perm.pk, 7);
        pw_env_free(&env);
    }
}

/* Every mode: the memory type comes from the leaf alone, G needs CR4.PGE. */
static void test_S4_memtype_and_global_from_leaf_only(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_mode m = ALL_MODES[i];
        pw_env env;
        env_up(&env, m);
        env_map(&env, LA_DATA, PA_DATA, PW_SIZE_4K, PTE_RW | PTE_G);
        for (unsigned l = pw_mode_levels(m); l > PW_LVL_PT; l--)
            or_entry(&env, LA_DATA, l, PTE_PWT | PTE_PCD);
        pw_result res = walk(&env, LA_DATA, PW_ACC_READ, false);
        assert_int_equal(res.outcome, PW_OUT_OK);
        assert_int_equal(res.memtype, 0);
        assert_false(res.global);
        env.regs.cr4 |= CR4_PGE;
        assert_true(walk(&env, LA_DATA, PW_ACC_READ, false).global);
        pw_env_free(&env);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_S4_not_present_ignores_every_other_bit),
        cmocka_unit_test(test_S4a_32bit_pte_flags),
        cmocka_unit_test(test_S4a_32bit_pde_table_ignored_bits),
        cmocka_unit_test(test_S4a_32bit_4m_pde_flags),
        cmocka_unit_test(test_S4b_pae_entry_flags),
        cmocka_unit_test(test_S4c_long_ignored_bits_and_leaf_key),
        cmocka_unit_test(test_S4c_large_leaf_flags),
        cmocka_unit_test(test_S4_memtype_and_global_from_leaf_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
