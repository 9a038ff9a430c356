/* R7: the walk algorithm and fault precedence. Per entry: P, then reserved
 * bits, then rights folding, then leaf-or-descend (R7.1); the first bad entry
 * from the top decides and nothing below it is read (R7.2); rights are
 * checked only on a complete translation (R7.3); PS handling (R7.4). The
 * step machine (pw_walk_begin/next/respond) is driven by hand here, and
 * pw_walk through a pw_mem that records every access. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "support/env.h"
#include "support/recmem.h"
#include "support/walkhelp.h"

#define LA_DATA   UINT64_C(0x12345000)      /* valid in every mode */
#define PA_DATA   UINT64_C(0x00abc000)
#define LA_OFFSET UINT64_C(0x6a8)
#define LA_4M     UINT64_C(0x40c00000)
#define PA_4M     UINT64_C(0x01000000)
#define LEAF_AD   (PTE_A | PTE_D)
#define TABLES_NO_A (PTE_RW | PTE_US)
#define M_BITS    46                        /* MAXPHYADDR of these tests */
#define PAE_TOP_RSVD 62
#define LONG_TOP_RSVD 51
#define PDE32_RSVD_BIT 21                   /* R5.7 with M'=40 */
#define PT_32     UINT64_C(0x00400000)      /* a hand-made 32-bit page table */

/* ---- helpers ---- */

/* rec_walk, and every access fitted in the record (at most REC_MAX_ACC). */
static pw_result walk_rec(pw_env *env, rec_mem *r, uint64_t la, pw_access_kind kind, bool user)
{
    pw_result res = rec_walk(env, r, la, kind, user);
    assert_true(r->n <= REC_MAX_ACC);
    return res;
}

static pw_result walk(pw_env *env, uint64_t la, pw_access_kind kind, bool user)
{
    rec_mem r;
    return walk_rec(env, &r, la, kind, user);
}

static void env_up(pw_env *env, pw_mode mode, pw_ad_policy ad, pw_pdpte_policy pdpte)
{
    pw_config cfg;
    pw_config_default(&cfg);
    cfg.maxphyaddr = M_BITS;
    cfg.ad_on_fault = ad;
    cfg.pae_pdpte = pdpte;
    assert_int_equal(pw_env_init(env, mode, &cfg, 0), PW_OK);
}

/* Entry addresses on la's path, all levels (taken before anything is broken). */
static void path_of(pw_env *env, uint64_t la, uint64_t epa[PW_MAX_LEVEL_SLOTS])
{
    memset(epa, 0xff, PW_MAX_LEVEL_SLOTS * sizeof epa[0]);   /* no access can match */
    for (unsigned l = pw_mode_levels(env->mode); l >= PW_LVL_PT; l--)
        assert_int_equal(pw_os_entry_pa(env->os, la, l, &epa[l]), PW_OK);
}

/* Replace the entry at epa by (entry & and_mask) | or_bits; reload the registers (PAE PDPTEs). */
static uint64_t edit(pw_env *env, uint64_t epa, uint64_t and_mask, uint64_t or_bits)
{
    uint64_t v = (env_peek(env, epa) & and_mask) | or_bits;
    env_poke(env, epa, v);
    assert_int_equal(pw_env_load_regs(env), PW_OK);
    return v;
}

/* A reserved bit for a table entry / 4 KiB leaf at `level` of `mode` (R5.1, R5.6). */
static uint64_t rsvd_bit(pw_mode mode, unsigned level)
{
    if (mode == PW_MODE_PAE)
        return level == PW_LVL_PDPT ? PTE_RW : PW_BIT(PAE_TOP_RSVD);
    return PW_BIT(M_BITS);
}

static bool register_pdpte(const pw_env *env, unsigned level)
{
    return env->mode == PW_MODE_PAE && level == PW_LVL_PDPT && env->cfg.pae_pdpte == PW_PDPTE_REGISTERS;
}

/* The reads are exactly the entries from the top down to `stop`, in that
 * order (register PDPTEs excepted), and no access touches an entry below `stop`. */
static void assert_reads_down_to(pw_env *env, const rec_mem *r, const uint64_t epa[], unsigned stop)
{
    uint64_t want[PW_MAX_LEVEL_SLOTS];
    unsigned n_want = 0, n_got = 0;
    for (unsigned l = pw_mode_levels(env->mode); l >= stop; l--)
        if (!register_pdpte(env, l))
            want[n_want++] = epa[l];
    for (unsigned i = 0; i < r->n; i++) {
        for (unsigned l = PW_LVL_PT; l < stop; l++)
            assert_int_not_equal(r->acc[i].pa, epa[l]);
        if (r->acc[i].kind != PW_MEM_READ)
            continue;
        assert_true(n_got < n_want);
        assert_int_equal(r->acc[i].pa, want[n_got]);
        n_got++;
    }
    assert_int_equal(n_got, n_want);
}

typedef struct {
    pw_mode mode;
    pw_pdpte_policy pdpte;
} mode_case;

static const mode_case all_modes[] = {
    {PW_MODE_32, PW_PDPTE_REGISTERS},  {PW_MODE_PAE, PW_PDPTE_REGISTERS},
    {PW_MODE_PAE, PW_PDPTE_ON_DEMAND}, {PW_MODE_4LVL, PW_PDPTE_REGISTERS},
    {PW_MODE_5LVL, PW_PDPTE_REGISTERS},
};
#define N_MODE_CASES (sizeof all_modes / sizeof all_modes[0])

/* ---- R7.1 ---- */

/* At a leaf: P=0 beats a reserved bit and a U/S violation; a reserved bit
 * beats the U/S violation; the U/S violation alone is a protection fault. */
static void test_R7_1_leaf_checks_p_then_reserved_then_rights(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_MODE_CASES; i++) {
        pw_env env;
        env_up(&env, all_modes[i].mode, PW_AD_NONE, all_modes[i].pdpte);
        bool b32 = all_modes[i].mode == PW_MODE_32;
        uint64_t la = b32 ? LA_4M : LA_DATA;
        unsigned leaf = b32 ? PW_LVL_PD : PW_LVL_PT;
        assert_int_equal(pw_os_map(env.os, la, b32 ? PA_4M : PA_DATA, b32 ? PW_SIZE_4M : PW_SIZE_4K,
                                   PTE_RW | LEAF_AD), PW_OK);      /* supervisor leaf */
        uint64_t epa;
        assert_int_equal(pw_os_entry_pa(env.os, la, leaf, &epa), PW_OK);
        uint64_t rsvd = b32 ? PW_BIT(PDE32_RSVD_BIT) : rsvd_bit(all_modes[i].mode, leaf);
        uint64_t good = env_peek(&env, epa);

        edit(&env, epa, ~PTE_P, rsvd);
        pw_result res = walk(&env, la, PW_ACC_READ, true);
        assert_int_equal(res.outcome, PW_OUT_PF);
        assert_int_equal(res.err_code, PF_U);
        assert_int_equal(res.level, leaf);

        edit(&env, epa, 0, good | rsvd);
        res = walk(&env, la, PW_ACC_READ, true);
        assert_int_equal(res.err_code, PF_P | PF_RSVD | PF_U);
        assert_int_equal(res.level, leaf);

        edit(&env, epa, 0, good);
        res = walk(&env, la, PW_ACC_READ, true);
        assert_int_equal(res.err_code, PF_P | PF_U);
        assert_int_equal(res.level, leaf);
        pw_env_free(&env);
    }
}

/* A leaf ends the walk: 4M (32-bit), 2M, 1G leaves read nothing below them. */
static void test_R7_1_large_leaf_ends_walk(void **state)
{
    (void)state;
    static const struct {
        pw_mode mode;
        pw_page_size size;
        unsigned leaf;
    } t[] = {
        {PW_MODE_32, PW_SIZE_4M, PW_LVL_PD},   {PW_MODE_PAE, PW_SIZE_2M, PW_LVL_PD},
        {PW_MODE_4LVL, PW_SIZE_2M, PW_LVL_PD}, {PW_MODE_4LVL, PW_SIZE_1G, PW_LVL_PDPT},
        {PW_MODE_5LVL, PW_SIZE_1G, PW_LVL_PDPT},
    };
    const uint64_t la = UINT64_C(0x80000000), pa = UINT64_C(0x40000000);
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        pw_env env;
        env_up(&env, t[i].mode, PW_AD_NONE, PW_PDPTE_REGISTERS);
        assert_int_equal(pw_os_map(env.os, la, pa, t[i].size, PTE_RW | LEAF_AD), PW_OK);
        assert_int_equal(pw_env_load_regs(&env), PW_OK);
        uint64_t epa[PW_MAX_LEVEL_SLOTS];
        memset(epa, 0xff, sizeof epa);                            /* levels below the leaf */
        for (unsigned l = pw_mode_levels(t[i].mode); l >= t[i].leaf; l--)
            assert_int_equal(pw_os_entry_pa(env.os, la, l, &epa[l]), PW_OK);
        rec_mem r;
        pw_result res = walk_rec(&env, &r, la | LA_OFFSET, PW_ACC_READ, false);
        assert_int_equal(res.outcome, PW_OUT_OK);
        assert_int_equal(res.level, t[i].leaf);
        assert_int_equal(res.pa, pa | LA_OFFSET);
        assert_reads_down_to(&env, &r, epa, t[i].leaf);
        pw_env_free(&env);
    }
}

/* The step machine, by hand: a 4-level read is four reads, top down, each at
 * parent[M-1:12] | index<<3 (R2.4), then done. */
static void test_R7_1_step_machine_4lvl_sequence(void **state)
{
    (void)state;
    pw_env env;
    env_up(&env, PW_MODE_4LVL, PW_AD_NONE, PW_PDPTE_REGISTERS);
    const uint64_t la = (uint64_t)0x0a1 << 39 | (uint64_t)0x0b2 << 30 | (uint64_t)0x0c3 << 21 |
                        (uint64_t)0x0d4 << 12;
    static const unsigned idx_lo[] = {0, 12, 21, 30, 39};
    assert_int_equal(pw_os_map(env.os, la, PA_DATA, PW_SIZE_4K, PTE_RW | LEAF_AD), PW_OK);
    pw_request req = {.la = la | LA_OFFSET, .kind = PW_ACC_READ};
    pw_walk_state w;
    assert_int_equal(pw_walk_begin(&w, &env.cfg, &env.regs, &req, NULL), PW_OK);
    uint64_t table = env.regs.cr3 & PW_BITS(M_BITS - 1, 12);
    for (unsigned l = PW_LVL_PML4; l >= PW_LVL_PT; l--) {
        pw_mem_access acc;
        assert_true(pw_walk_next(&w, &acc));
        uint64_t idx = (la >> idx_lo[l]) & (PW_BIT(PW_LEVEL_BITS) - 1);
        assert_int_equal(acc.kind, PW_MEM_READ);
        assert_int_equal(acc.pa, table | idx << 3);
        assert_int_equal(acc.size, sizeof(uint64_t));
        assert_int_equal(acc.level, l);
        uint64_t v = env_peek(&env, acc.pa);
        assert_int_equal(pw_walk_respond(&w, PW_MEM_OK, v), PW_OK);
        table = v & PW_BITS(M_BITS - 1, 12);
    }
    pw_mem_access acc;
    assert_false(pw_walk_next(&w, &acc));
    assert_int_equal(w.result.outcome, PW_OUT_OK);
    assert_int_equal(w.result.pa, PA_DATA | LA_OFFSET);
    pw_env_free(&env);
}

/* ---- R7.2 ---- */

/* Not present at each level of each mode, both A policies, tables with A=0:
 * the walk stops there, and no entry below is ever read or written. */
static void test_R7_2_not_present_stops_walk_nothing_below_read(void **state)
{
    (void)state;
    static const pw_ad_policy ad[] = {PW_AD_NONE, PW_AD_NONLEAF_AS_WALKED};
    for (size_t i = 0; i < N_MODE_CASES; i++) {
        pw_mode m = all_modes[i].mode;
        for (unsigned a = 0; a < 2; a++) {
            for (unsigned stop = pw_mode_levels(m); stop >= PW_LVL_PT; stop--) {
                pw_env env;
                env_up(&env, m, ad[a], all_modes[i].pdpte);
                pw_os_set_table_flags(env.os, TABLES_NO_A);
                assert_int_equal(pw_os_map(env.os, LA_DATA, PA_DATA, PW_SIZE_4K, PTE_RW | PTE_US), PW_OK);
                uint64_t epa[PW_MAX_LEVEL_SLOTS];
                path_of(&env, LA_DATA, epa);
                uint64_t v = edit(&env, epa[stop], ~PTE_P, 0);
                rec_mem r;
                pw_result res = walk_rec(&env, &r, LA_DATA, PW_ACC_WRITE, true);
                assert_int_equal(res.outcome, PW_OUT_PF);
                assert_int_equal(res.err_code, PF_W | PF_U);
                assert_int_equal(res.level, stop);
                assert_int_equal(res.raw_entry, v);
                assert_int_equal(res.entry_pa, epa[stop]);
                assert_reads_down_to(&env, &r, epa, stop);
                pw_env_free(&env);
            }
        }
    }
}

/* The same with a reserved bit at each level (8-byte modes). */
static void test_R7_2_reserved_stops_walk_nothing_below_read(void **state)
{
    (void)state;
    static const pw_ad_policy ad[] = {PW_AD_NONE, PW_AD_NONLEAF_AS_WALKED};
    for (size_t i = 1; i < N_MODE_CASES; i++) {
        pw_mode m = all_modes[i].mode;
        for (unsigned a = 0; a < 2; a++) {
            for (unsigned stop = pw_mode_levels(m); stop >= PW_LVL_PT; stop--) {
                pw_env env;
                env_up(&env, m, ad[a], all_modes[i].pdpte);
                if (register_pdpte(&env, stop)) {      /* a load would #GP (R6.2) */
                    pw_env_free(&env);
                    continue;
                }
                pw_os_set_table_flags(env.os, TABLES_NO_A);
                assert_int_equal(pw_os_map(env.os, LA_DATA, PA_DATA, PW_SIZE_4K, PTE_RW | PTE_US), PW_OK);
                uint64_t epa[PW_MAX_LEVEL_SLOTS];
                path_of(&env, LA_DATA, epa);
                uint64_t v = edit(&env, epa[stop], ~UINT64_C(0), rsvd_bit(m, stop));
                rec_mem r;
                pw_result res = walk_rec(&env, &r, LA_DATA, PW_ACC_READ, false);
                assert_int_equal(res.outcome, PW_OUT_PF);
                assert_int_equal(res.err_code, PF_P | PF_RSVD);
                assert_int_equal(res.level, stop);
                assert_int_equal(res.raw_entry, v);
                assert_reads_down_to(&env, &r, epa, stop);
                pw_env_free(&env);
            }
        }
    }
}

/* Two bad entries: the upper one decides, whatever the lower one is. */
static void test_R7_2_first_bad_entry_from_top_decides(void **state)
{
    (void)state;
    static const pw_mode modes[] = {PW_MODE_PAE, PW_MODE_4LVL, PW_MODE_5LVL};
    for (unsigned i = 0; i < 3; i++) {
        for (int upper_np = 0; upper_np <= 1; upper_np++) {
            pw_env env;
            env_up(&env, modes[i], PW_AD_NONE, PW_PDPTE_REGISTERS);
            assert_int_equal(pw_os_map(env.os, LA_DATA, PA_DATA, PW_SIZE_4K, PTE_RW | LEAF_AD), PW_OK);
            uint64_t epa[PW_MAX_LEVEL_SLOTS];
            path_of(&env, LA_DATA, epa);
            /* Upper = PD (level 2), lower = PT (level 1): one not present, one reserved. */
            if (upper_np) {
                edit(&env, epa[PW_LVL_PT], ~UINT64_C(0), rsvd_bit(modes[i], PW_LVL_PT));
                edit(&env, epa[PW_LVL_PD], ~PTE_P, 0);
            } else {
                edit(&env, epa[PW_LVL_PT], ~PTE_P, 0);
                edit(&env, epa[PW_LVL_PD], ~UINT64_C(0), rsvd_bit(modes[i], PW_LVL_PD));
            }
            pw_result res = walk(&env, LA_DATA, PW_ACC_READ, false);
            assert_int_equal(res.outcome, PW_OUT_PF);
            assert_int_equal(res.level, PW_LVL_PD);
            assert_int_equal(res.err_code, upper_np ? 0 : PF_P | PF_RSVD);
            pw_env_free(&env);
        }
    }
}

/* The step machine, by hand: a not-present PDE ends the walk after its read. */
static void test_R7_2_step_machine_stops_at_not_present(void **state)
{
    (void)state;
    pw_env env;
    env_up(&env, PW_MODE_4LVL, PW_AD_NONLEAF_AS_WALKED, PW_PDPTE_REGISTERS);
    assert_int_equal(pw_os_map(env.os, LA_DATA, PA_DATA, PW_SIZE_4K, PTE_RW | LEAF_AD), PW_OK);
    uint64_t epa[PW_MAX_LEVEL_SLOTS];
    path_of(&env, LA_DATA, epa);
    edit(&env, epa[PW_LVL_PD], ~PTE_P, 0);
    pw_request req = {.la = LA_DATA, .kind = PW_ACC_READ};
    pw_walk_state w;
    assert_int_equal(pw_walk_begin(&w, &env.cfg, &env.regs, &req, NULL), PW_OK);
    pw_mem_access acc;
    for (unsigned l = PW_LVL_PML4; l >= PW_LVL_PD; l--) {
        assert_true(pw_walk_next(&w, &acc));
        assert_int_equal(acc.kind, PW_MEM_READ);           /* tables have A=1: no CAS */
        assert_int_equal(acc.pa, epa[l]);
        assert_int_equal(pw_walk_respond(&w, PW_MEM_OK, env_peek(&env, acc.pa)), PW_OK);
    }
    assert_false(pw_walk_next(&w, &acc));
    assert_false(pw_walk_next(&w, &acc));
    assert_int_not_equal(pw_walk_respond(&w, PW_MEM_OK, 0), PW_OK);   /* nothing pending */
    assert_int_equal(w.result.outcome, PW_OUT_PF);
    assert_int_equal(w.result.level, PW_LVL_PD);
    assert_int_equal(w.result.err_code, 0);
    pw_env_free(&env);
}

/* ---- R7.3 ---- */

/* Rights are checked on a complete translation only: a U/S=0, R/W=0 upper
 * entry does not turn a not-present or reserved leaf into a protection fault. */
static void test_R7_3_rights_only_after_complete_translation(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_MODE_CASES; i++) {
        pw_mode m = all_modes[i].mode;
        for (int kind = 0; kind < 3; kind++) {
            pw_env env;
            env_up(&env, m, PW_AD_NONE, all_modes[i].pdpte);
            assert_int_equal(pw_os_map(env.os, LA_DATA, PA_DATA, PW_SIZE_4K, PTE_RW | PTE_US | LEAF_AD),
                             PW_OK);
            uint64_t epa[PW_MAX_LEVEL_SLOTS];
            path_of(&env, LA_DATA, epa);
            edit(&env, epa[PW_LVL_PD], ~(PTE_RW | PTE_US), 0);
            if (kind == 0)
                edit(&env, epa[PW_LVL_PT], ~PTE_P, 0);
            else if (kind == 1 && m != PW_MODE_32)
                edit(&env, epa[PW_LVL_PT], ~UINT64_C(0), rsvd_bit(m, PW_LVL_PT));
            pw_result res = walk(&env, LA_DATA, PW_ACC_WRITE, true);
            assert_int_equal(res.outcome, PW_OUT_PF);
            assert_int_equal(res.level, PW_LVL_PT);
            uint32_t want = kind == 0 ? 0 : (kind == 1 && m != PW_MODE_32) ? PF_P | PF_RSVD : PF_P;
            assert_int_equal(res.err_code, want | PF_W | PF_U);
            pw_env_free(&env);
        }
    }
}

/* ---- R7.4 ---- */

/* 32-bit paging: PDE.PS=1 is a 4 MiB leaf only with CR4.PSE=1; with PSE=0
 * the PDE points to a page table. */
static void test_R7_4_32bit_pde_ps_needs_cr4_pse(void **state)
{
    (void)state;
    pw_env env;
    env_up(&env, PW_MODE_32, PW_AD_NONE, PW_PDPTE_REGISTERS);
    uint64_t pde_pa;
    assert_int_equal(pw_os_entry_pa(env.os, LA_4M, PW_LVL_PD, &pde_pa), PW_OK);
    const uint64_t va = LA_4M | UINT64_C(0x2a5123);
    uint64_t pte_pa = PT_32 | ((va >> PW_PAGE_SHIFT) & (PW_BIT(PW_LEVEL_BITS_32) - 1)) << 2;
    env_poke(&env, pte_pa, PA_DATA | PTE_P | PTE_RW | LEAF_AD);
    env_poke(&env, pde_pa, PT_32 | PTE_P | PTE_RW | PTE_PS | LEAF_AD);

    env.regs.cr4 &= ~CR4_PSE;
    rec_mem r;
    pw_result res = walk_rec(&env, &r, va, PW_ACC_READ, false);
    assert_int_equal(res.outcome, PW_OUT_OK);
    assert_int_equal(res.size, PW_SIZE_4K);
    assert_int_equal(res.level, PW_LVL_PT);
    assert_int_equal(res.pa, PA_DATA | (va & PW_BITS(11, 0)));
    assert_int_equal(r.n, 2);
    assert_int_equal(r.acc[1].pa, pte_pa);

    env.regs.cr4 |= CR4_PSE;
    res = walk_rec(&env, &r, va, PW_ACC_READ, false);
    assert_int_equal(res.outcome, PW_OUT_OK);
    assert_int_equal(res.size, PW_SIZE_4M);
    assert_int_equal(res.level, PW_LVL_PD);
    assert_int_equal(res.pa, PT_32 | (va & PW_BITS(21, 0)));
    assert_int_equal(r.n, 1);
    pw_env_free(&env);
}

/* Bit 7 of a PTE is PAT, never PS: still a 4 KiB page, in every mode. */
static void test_R7_4_pte_bit7_is_pat(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_MODE_CASES; i++) {
        pw_env env;
        env_up(&env, all_modes[i].mode, PW_AD_NONE, all_modes[i].pdpte);
        assert_int_equal(pw_os_map(env.os, LA_DATA, PA_DATA, PW_SIZE_4K, PTE_RW | LEAF_AD), PW_OK);
        uint64_t epa[PW_MAX_LEVEL_SLOTS];
        path_of(&env, LA_DATA, epa);
        edit(&env, epa[PW_LVL_PT], ~UINT64_C(0), PTE_PAT);
        pw_result res = walk(&env, LA_DATA | LA_OFFSET, PW_ACC_READ, false);
        assert_int_equal(res.outcome, PW_OUT_OK);
        assert_int_equal(res.size, PW_SIZE_4K);
        assert_int_equal(res.level, PW_LVL_PT);
        assert_int_equal(res.pa, PA_DATA | LA_OFFSET);
        assert_int_equal(res.memtype, PW_MT_PAT);
        pw_env_free(&env);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_R7_1_leaf_checks_p_then_reserved_then_rights),
        cmocka_unit_test(test_R7_1_large_leaf_ends_walk),
        cmocka_unit_test(test_R7_1_step_machine_4lvl_sequence),
        cmocka_unit_test(test_R7_2_not_present_stops_walk_nothing_below_read),
        cmocka_unit_test(test_R7_2_reserved_stops_walk_nothing_below_read),
        cmocka_unit_test(test_R7_2_first_bad_entry_from_top_decides),
        cmocka_unit_test(test_R7_2_step_machine_stops_at_not_present),
        cmocka_unit_test(test_R7_3_rights_only_after_complete_translation),
        cmocka_unit_test(test_R7_4_32bit_pde_ps_needs_cr4_pse),
        cmocka_unit_test(test_R7_4_pte_bit7_is_pat),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
