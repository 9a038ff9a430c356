/* R1: paging-mode selection (R1.1), which modifiers take effect in which mode
 * (R1.2), and the #GP rules of MOV CR0/CR4 that protect the mode (R1.3, R1.4).
 * Expected values come from x86-paging.md §1, never from the model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "support/env.h"
#include "support/recmem.h"
#include "support/walkhelp.h"

#define LA_DATA   UINT64_C(0x12345000)  /* valid in every mode */
#define PA_DATA   UINT64_C(0x00abc000)
#define LA_OFFSET UINT64_C(0x6a8)
#define PKRU_AD(k) (UINT32_C(1) << (2 * (k)))  /* PKRU: AD_k is bit 2k (R8.7) */
#define CR3_IGNORED_LOW (PW_BITS(11, 5) | PW_BITS(2, 0))  /* R3.3 */

/* ---- helpers ---- */

static void env_up(pw_env *env, pw_mode mode)
{
    assert_int_equal(pw_env_init(env, mode, NULL, 0), PW_OK);
}

/* Map LA_DATA with `flags` (A and D preset) and reload the registers (PAE PDPTEs). */
static void map_data(pw_env *env, uint64_t flags)
{
    env_map(env, LA_DATA, PA_DATA, PW_SIZE_4K, flags | PTE_A | PTE_D);
}

static pw_result walk_regs(pw_env *env, const pw_regs *regs, pw_access_kind kind, bool user,
                           bool ac)
{
    pw_request req = {.la = LA_DATA | LA_OFFSET, .kind = kind, .user = user, .ac = ac};
    pw_result res;
    assert_int_equal(pw_walk(&env->cfg, regs, &env->mem, &req, &res), PW_OK);
    return res;
}

static pw_result walk(pw_env *env, pw_access_kind kind, bool user)
{
    return walk_regs(env, &env->regs, kind, user, false);
}

/* Enter env->mode from reset with the architectural MOV sequence:
 * CR4, EFER, CR3, then CR0.PG (R1.1). */
static void enter_mode(pw_env *env, pw_regs *r)
{
    uint64_t cr4 = 0, efer = 0;
    switch (env->mode) {
    case PW_MODE_32: cr4 = CR4_PSE; break;
    case PW_MODE_PAE: cr4 = CR4_PAE; efer = EFER_NXE; break;
    case PW_MODE_4LVL: cr4 = CR4_PAE; efer = EFER_LME | EFER_NXE; break;
    default: cr4 = CR4_PAE | CR4_LA57; efer = EFER_LME | EFER_NXE; break;
    }
    pw_regs_reset(r);
    assert_int_equal(pw_regs_mov_cr4(&env->cfg, r, &env->mem, cr4, NULL), PW_OK);
    assert_int_equal(pw_regs_wrmsr_efer(&env->cfg, r, efer, NULL), PW_OK);
    assert_int_equal(pw_regs_mov_cr3(&env->cfg, r, &env->mem, pw_os_cr3(env->os), NULL), PW_OK);
    assert_int_equal(pw_mode_of(r), PW_MODE_NONE);
    assert_int_equal(pw_regs_mov_cr0(&env->cfg, r, &env->mem, CR0_PG | CR0_PE | CR0_WP, NULL), PW_OK);
}

/* ---- R1.1 ---- */

static void test_R1_1_mode_of_register_combinations(void **state)
{
    (void)state;
    static const struct {
        uint64_t cr0, cr4, efer;
        pw_mode want;
    } t[] = {
        {0, 0, 0, PW_MODE_NONE},
        {CR0_PE, CR4_PAE | CR4_LA57, EFER_LME, PW_MODE_NONE},         /* PG=0: no paging */
        {CR0_PE | CR0_PG, 0, 0, PW_MODE_32},                          /* PAE=0 */
        {CR0_PE | CR0_PG, CR4_PSE, EFER_NXE, PW_MODE_32},
        {CR0_PE | CR0_PG, CR4_PAE, 0, PW_MODE_PAE},                   /* LMA=0 */
        {CR0_PE | CR0_PG, CR4_PAE | CR4_LA57, EFER_NXE, PW_MODE_PAE}, /* LA57 needs LMA (R1.2) */
        {CR0_PE | CR0_PG, CR4_PAE, EFER_LME | EFER_LMA, PW_MODE_4LVL},
        {CR0_PE | CR0_PG, CR4_PAE | CR4_LA57, EFER_LME | EFER_LMA, PW_MODE_5LVL},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        pw_regs r;
        pw_regs_reset(&r);
        r.cr0 = t[i].cr0;
        r.cr4 = t[i].cr4;
        r.efer = t[i].efer;
        assert_int_equal(pw_mode_of(&r), t[i].want);
    }
}

/* PG=0: LA = PA, and nothing is read. */
static void test_R1_1_paging_off_la_is_pa_without_memory_access(void **state)
{
    (void)state;
    pw_env env;
    env_up(&env, PW_MODE_4LVL);
    pw_regs r;
    pw_regs_reset(&r);
    r.cr0 = CR0_PE;
    rec_mem c;
    pw_mem m = rec_attach(&c, &env.mem);
    static const pw_access_kind kinds[] = {PW_ACC_READ, PW_ACC_WRITE, PW_ACC_FETCH};
    for (unsigned k = 0; k < 3; k++) {
        for (int user = 0; user <= 1; user++) {
            pw_request req = {.la = LA_DATA | LA_OFFSET, .kind = kinds[k], .user = user};
            pw_result res;
            assert_int_equal(pw_walk(&env.cfg, &r, &m, &req, &res), PW_OK);
            assert_int_equal(res.outcome, PW_OUT_OK);
            assert_int_equal(res.pa, LA_DATA | LA_OFFSET);
        }
    }
    assert_int_equal(c.reads + c.cas, 0);
    pw_env_free(&env);
}

/* Each mode entered through MOVs from reset: the mode, LMA, and a translation. */
static void test_R1_1_mov_sequence_enters_each_mode(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_env env;
        env_up(&env, ALL_MODES[i]);
        map_data(&env, PTE_RW);
        pw_regs r;
        enter_mode(&env, &r);
        assert_int_equal(pw_mode_of(&r), ALL_MODES[i]);
        bool long_mode = ALL_MODES[i] == PW_MODE_4LVL || ALL_MODES[i] == PW_MODE_5LVL;
        assert_int_equal((r.efer & EFER_LMA) != 0, long_mode);
        pw_result res = walk_regs(&env, &r, PW_ACC_READ, false, false);
        assert_int_equal(res.outcome, PW_OUT_OK);
        assert_int_equal(res.pa, PA_DATA | LA_OFFSET);
        pw_env_free(&env);
    }
}

/* LMA=1 needs PAE: PG=1 with LME=1 and PAE=0 is #GP, and so is clearing PAE in long mode. */
static void test_R1_1_long_mode_requires_pae_gp(void **state)
{
    (void)state;
    pw_config cfg;
    pw_config_default(&cfg);
    pw_regs r, before;
    pw_regs_reset(&r);
    assert_int_equal(pw_regs_wrmsr_efer(&cfg, &r, EFER_LME, NULL), PW_OK);
    before = r;
    assert_int_equal(pw_regs_mov_cr0(&cfg, &r, NULL, CR0_PG | CR0_PE, NULL), PW_ERR_GP);
    assert_regs_equal(&r, &before);
    assert_int_equal(r.efer & EFER_LMA, 0);

    for (unsigned i = 2; i < N_MODES; i++) {
        pw_env env;
        env_up(&env, ALL_MODES[i]);
        before = env.regs;
        assert_int_equal(pw_regs_mov_cr4(&env.cfg, &env.regs, &env.mem, env.regs.cr4 & ~CR4_PAE, NULL),
                         PW_ERR_GP);
        assert_regs_equal(&env.regs, &before);
        pw_env_free(&env);
    }
}

/* ---- R1.2 ---- */

/* 32-bit entries have no XD; EFER.NXE changes nothing, not even the I/D bit. */
static void test_R1_2_nxe_has_no_effect_in_32bit(void **state)
{
    (void)state;
    pw_env env;
    env_up(&env, PW_MODE_32);
    map_data(&env, PTE_RW);
    env.regs.efer |= EFER_NXE;
    pw_result res = walk(&env, PW_ACC_FETCH, false);
    assert_int_equal(res.outcome, PW_OUT_OK);
    assert_false(res.perm.xd);
    /* A fetch that faults: I/D needs SMEP or PAE with NXE (R10.1), neither holds. */
    assert_int_equal(pw_os_unmap(env.os, LA_DATA, PW_SIZE_4K), PW_OK);
    res = walk(&env, PW_ACC_FETCH, false);
    assert_int_equal(res.outcome, PW_OUT_PF);
    assert_int_equal(res.err_code, 0);
    pw_env_free(&env);
}

/* In PAE/4/5-level paging NXE=1 makes bit 63 the XD bit. */
static void test_R1_2_nxe_enables_xd_in_pae_and_long_modes(void **state)
{
    (void)state;
    for (unsigned i = 1; i < N_MODES; i++) {
        pw_env env;
        env_up(&env, ALL_MODES[i]);
        map_data(&env, PTE_RW | PTE_XD);
        assert_true(env.regs.efer & EFER_NXE);
        pw_result res = walk(&env, PW_ACC_READ, false);
        assert_int_equal(res.outcome, PW_OUT_OK);
        assert_true(res.perm.xd);
        res = walk(&env, PW_ACC_FETCH, false);
        assert_int_equal(res.outcome, PW_OUT_PF);
        assert_int_equal(res.err_code, PF_P | PF_ID);
        pw_env_free(&env);
    }
}

/* CR4.PKE and CR4.PKS take effect only with LMA=1: a read whose key has
 * AD=1 (PKRU for a user page, PKRS for a supervisor page) passes in PAE
 * paging and faults with PK in 4/5-level paging. */
static void test_R1_2_pke_pks_only_with_lma(void **state)
{
    (void)state;
    const uint64_t la_sup = LA_DATA + PW_PAGE_SIZE;
    for (unsigned i = 1; i < N_MODES; i++) {
        pw_env env;
        env_up(&env, ALL_MODES[i]);
        assert_int_equal(pw_os_map(env.os, la_sup, PA_DATA, PW_SIZE_4K, PTE_RW | PTE_A | PTE_D), PW_OK);
        map_data(&env, PTE_RW | PTE_US);       /* key 0 */
        env.regs.cr4 |= CR4_PKE | CR4_PKS;
        env.regs.pkru = PKRU_AD(0);
        env.regs.pkrs = PKRU_AD(0);            /* same layout as PKRU */
        bool lma = ALL_MODES[i] != PW_MODE_PAE;
        pw_result res = walk(&env, PW_ACC_READ, true);
        assert_int_equal(res.outcome, lma ? PW_OUT_PF : PW_OUT_OK);
        if (lma)
            assert_int_equal(res.err_code, PF_P | PF_U | PF_PK);
        pw_request req = {.la = la_sup, .kind = PW_ACC_READ};
        assert_int_equal(pw_walk(&env.cfg, &env.regs, &env.mem, &req, &res), PW_OK);
        assert_int_equal(res.outcome, lma ? PW_OUT_PF : PW_OUT_OK);
        if (lma)
            assert_int_equal(res.err_code, PF_P | PF_PK);
        pw_env_free(&env);
    }
}

/* CR4.LA57 without LMA: still PAE paging, the same translation. */
static void test_R1_2_la57_only_with_lma(void **state)
{
    (void)state;
    pw_env env;
    env_up(&env, PW_MODE_PAE);
    map_data(&env, PTE_RW);
    pw_regs r = env.regs;
    r.cr4 |= CR4_LA57;
    assert_int_equal(pw_mode_of(&r), PW_MODE_PAE);
    pw_result res = walk_regs(&env, &r, PW_ACC_READ, false, false);
    assert_int_equal(res.outcome, PW_OUT_OK);
    assert_int_equal(res.pa, PA_DATA | LA_OFFSET);
    assert_int_equal(res.level, PW_LVL_PT);
    pw_env_free(&env);
}

/* CR4.PSE matters only in 32-bit paging: PAE and 4/5-level honour PS=1 in a
 * PDE whatever PSE says. */
static void test_R1_2_pse_ignored_outside_32bit(void **state)
{
    (void)state;
    const uint64_t la2m = UINT64_C(0x40200000), pa2m = UINT64_C(0x00600000);
    const uint64_t off = UINT64_C(0x1a2b3c);                  /* inside the 2 MiB page */
    for (unsigned i = 1; i < N_MODES; i++) {
        pw_env env;
        env_up(&env, ALL_MODES[i]);
        assert_int_equal(pw_os_map(env.os, la2m, pa2m, PW_SIZE_2M, PTE_RW | PTE_A | PTE_D), PW_OK);
        assert_int_equal(pw_env_load_regs(&env), PW_OK);
        for (int pse = 0; pse <= 1; pse++) {
            pw_regs r = env.regs;
            r.cr4 = pse ? (r.cr4 | CR4_PSE) : (r.cr4 & ~CR4_PSE);
            pw_request req = {.la = la2m | off, .kind = PW_ACC_READ};
            pw_result res;
            assert_int_equal(pw_walk(&env.cfg, &r, &env.mem, &req, &res), PW_OK);
            assert_int_equal(res.outcome, PW_OUT_OK);
            assert_int_equal(res.size, PW_SIZE_2M);
            assert_int_equal(res.pa, pa2m | off);
        }
        pw_env_free(&env);
    }
}

/* CR0.WP applies in every paging mode. */
static void test_R1_2_wp_applies_in_all_modes(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_env env;
        env_up(&env, ALL_MODES[i]);
        map_data(&env, 0);                       /* supervisor, read-only */
        pw_result res = walk(&env, PW_ACC_WRITE, false);
        assert_int_equal(res.outcome, PW_OUT_PF);
        assert_int_equal(res.err_code, PF_P | PF_W);
        env.regs.cr0 &= ~CR0_WP;
        res = walk(&env, PW_ACC_WRITE, false);
        assert_int_equal(res.outcome, PW_OUT_OK);
        pw_env_free(&env);
    }
}

/* CR4.SMEP and CR4.SMAP apply in every paging mode, 32-bit included. */
static void test_R1_2_smep_smap_apply_in_all_modes(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_env env;
        env_up(&env, ALL_MODES[i]);
        map_data(&env, PTE_RW | PTE_US);
        env.regs.cr4 |= CR4_SMEP | CR4_SMAP;
        pw_result res = walk(&env, PW_ACC_FETCH, false);
        assert_int_equal(res.outcome, PW_OUT_PF);
        assert_int_equal(res.err_code, PF_P | PF_ID);   /* SMEP=1 sets I/D (R10.1) */
        res = walk_regs(&env, &env.regs, PW_ACC_READ, false, false);
        assert_int_equal(res.outcome, PW_OUT_PF);
        assert_int_equal(res.err_code, PF_P);
        res = walk_regs(&env, &env.regs, PW_ACC_READ, false, true);   /* AC=1 */
        assert_int_equal(res.outcome, PW_OUT_OK);
        pw_env_free(&env);
    }
}

/* ---- R1.3 ---- */

static void test_R1_3_la57_change_with_lma_gp(void **state)
{
    (void)state;
    for (unsigned i = 2; i < N_MODES; i++) {
        pw_env env;
        env_up(&env, ALL_MODES[i]);
        pw_regs before = env.regs;
        assert_int_equal(pw_regs_mov_cr4(&env.cfg, &env.regs, &env.mem, env.regs.cr4 ^ CR4_LA57, NULL),
                         PW_ERR_GP);
        assert_regs_equal(&env.regs, &before);
        assert_int_equal(pw_mode_of(&env.regs), ALL_MODES[i]);
        pw_env_free(&env);
    }
}

/* With LMA=0 (paging off, or PAE paging) LA57 may change. */
static void test_R1_3_la57_change_without_lma_allowed(void **state)
{
    (void)state;
    pw_env env;
    env_up(&env, PW_MODE_PAE);
    map_data(&env, PTE_RW);
    pw_regs off;
    pw_regs_reset(&off);
    assert_int_equal(pw_regs_mov_cr4(&env.cfg, &off, NULL, CR4_PAE | CR4_LA57, NULL), PW_OK);
    assert_true(off.cr4 & CR4_LA57);
    assert_int_equal(pw_regs_mov_cr4(&env.cfg, &env.regs, &env.mem, env.regs.cr4 | CR4_LA57, NULL),
                     PW_OK);
    assert_true(env.regs.cr4 & CR4_LA57);
    assert_int_equal(pw_mode_of(&env.regs), PW_MODE_PAE);
    pw_env_free(&env);
}

/* ---- R1.4 ---- */

static void test_R1_4_pcide_needs_lma_gp(void **state)
{
    (void)state;
    pw_config cfg;
    pw_config_default(&cfg);
    pw_regs r, before;
    pw_regs_reset(&r);                                       /* paging off */
    before = r;
    assert_int_equal(pw_regs_mov_cr4(&cfg, &r, NULL, CR4_PCIDE, NULL), PW_ERR_GP);
    assert_regs_equal(&r, &before);
    for (unsigned i = 0; i < 2; i++) {                       /* 32-bit and PAE paging */
        pw_env env;
        env_up(&env, ALL_MODES[i]);
        before = env.regs;
        assert_int_equal(pw_regs_mov_cr4(&env.cfg, &env.regs, &env.mem, env.regs.cr4 | CR4_PCIDE, NULL),
                         PW_ERR_GP);
        assert_regs_equal(&env.regs, &before);
        pw_env_free(&env);
    }
}

static void test_R1_4_pcide_needs_cr3_low_bits_zero_gp(void **state)
{
    (void)state;
    for (unsigned i = 2; i < N_MODES; i++) {
        pw_env env;
        env_up(&env, ALL_MODES[i]);
        uint64_t root = pw_os_cr3(env.os);
        static const uint64_t low[] = {CR3_PWT, CR3_PCD, CR3_IGNORED_LOW};
        for (unsigned b = 0; b < sizeof low / sizeof low[0]; b++) {
            assert_int_equal(pw_regs_mov_cr3(&env.cfg, &env.regs, &env.mem, root | low[b], NULL), PW_OK);
            pw_regs before = env.regs;
            assert_int_equal(pw_regs_mov_cr4(&env.cfg, &env.regs, &env.mem, env.regs.cr4 | CR4_PCIDE, NULL),
                             PW_ERR_GP);
            assert_regs_equal(&env.regs, &before);
        }
        assert_int_equal(pw_regs_mov_cr3(&env.cfg, &env.regs, &env.mem, root, NULL), PW_OK);
        assert_int_equal(pw_regs_mov_cr4(&env.cfg, &env.regs, &env.mem, env.regs.cr4 | CR4_PCIDE, NULL),
                         PW_OK);
        assert_true(env.regs.cr4 & CR4_PCIDE);
        pw_env_free(&env);
    }
}

static void test_R1_4_clear_pg_with_pcide_gp(void **state)
{
    (void)state;
    for (unsigned i = 2; i < N_MODES; i++) {
        pw_env env;
        env_up(&env, ALL_MODES[i]);
        assert_int_equal(pw_regs_mov_cr4(&env.cfg, &env.regs, &env.mem, env.regs.cr4 | CR4_PCIDE, NULL),
                         PW_OK);
        pw_regs before = env.regs;
        assert_int_equal(pw_regs_mov_cr0(&env.cfg, &env.regs, &env.mem, env.regs.cr0 & ~CR0_PG, NULL),
                         PW_ERR_GP);
        assert_regs_equal(&env.regs, &before);
        /* Without PCIDE, PG may be cleared. */
        assert_int_equal(pw_regs_mov_cr4(&env.cfg, &env.regs, &env.mem, env.regs.cr4 & ~CR4_PCIDE, NULL),
                         PW_OK);
        assert_int_equal(pw_regs_mov_cr0(&env.cfg, &env.regs, &env.mem, env.regs.cr0 & ~CR0_PG, NULL),
                         PW_OK);
        assert_int_equal(pw_mode_of(&env.regs), PW_MODE_NONE);
        assert_int_equal(env.regs.efer & EFER_LMA, 0);
        pw_env_free(&env);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_R1_1_mode_of_register_combinations),
        cmocka_unit_test(test_R1_1_paging_off_la_is_pa_without_memory_access),
        cmocka_unit_test(test_R1_1_mov_sequence_enters_each_mode),
        cmocka_unit_test(test_R1_1_long_mode_requires_pae_gp),
        cmocka_unit_test(test_R1_2_nxe_has_no_effect_in_32bit),
        cmocka_unit_test(test_R1_2_nxe_enables_xd_in_pae_and_long_modes),
        cmocka_unit_test(test_R1_2_pke_pks_only_with_lma),
        cmocka_unit_test(test_R1_2_la57_only_with_lma),
        cmocka_unit_test(test_R1_2_pse_ignored_outside_32bit),
        cmocka_unit_test(test_R1_2_wp_applies_in_all_modes),
        cmocka_unit_test(test_R1_2_smep_smap_apply_in_all_modes),
        cmocka_unit_test(test_R1_3_la57_change_with_lma_gp),
        cmocka_unit_test(test_R1_3_la57_change_without_lma_allowed),
        cmocka_unit_test(test_R1_4_pcide_needs_lma_gp),
        cmocka_unit_test(test_R1_4_pcide_needs_cr3_low_bits_zero_gp),
        cmocka_unit_test(test_R1_4_clear_pg_with_pcide_gp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
