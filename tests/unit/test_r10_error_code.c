/* The #PF error code (R10.1-R10.4, table of §10): P, W/R, U/S, RSVD, I/D and
 * PK, in every paging mode, for not-present, reserved-bit and protection
 * faults; the error code does not depend on the faulting level (R10.3) and
 * several violations still make one P=1 code, plus PK (R10.4). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "pagewalk/pagewalk.h"
#include "support/env.h"
#include "support/walkhelp.h"

#define LA_4K UINT64_C(0x00403000) /* legal in every mode */
#define PA_4K UINT64_C(0x00105000)
#define LA_UNMAPPED UINT64_C(0x00800000)
#define LA_4M UINT64_C(0x00c00000)
#define PA_4M UINT64_C(0x00400000)
#define PDE32_4M_RSVD_BIT PW_BIT(21) /* R5.7: reserved in a 4 MiB PDE whatever M and PSE-36 */
#define PKEY_AD(k) (UINT32_C(1) << (2 * (k)))
#define PKEY_WD(k) (UINT32_C(1) << (2 * (k) + 1))
#define LEAF_KEY(k) ((uint64_t)(k) << PTE_PK_SHIFT)
#define KEY 9u
#define LA4_TOP_BIT PW_BIT(47)
#define LA5_TOP_BIT PW_BIT(56)

/* ---- helpers ---- */

/* Mode `m`, one 4 KiB page at LA_4K. Registers: CR0.WP=1, no SMEP/SMAP,
 * EFER.NXE=1 outside 32-bit paging. */
static void setup_page(pw_env *e, pw_mode m, uint64_t flags)
{
    env_setup_map(e, m, NULL, LA_4K, PA_4K, PW_SIZE_4K, flags);
}

/* ---- R10.1, bit by bit ---- */

static void test_R10_1_p_bit_not_present_vs_protection(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_env e;
        setup_page(&e, ALL_MODES[i], PTE_RW); /* supervisor page */
        EXPECT_PF(&e, 0, .la = LA_UNMAPPED, .kind = PW_ACC_READ);
        EXPECT_PF(&e, PF_P | PF_U, .la = LA_4K, .kind = PW_ACC_READ, .user = true);
        /* A not-present leaf whose other bits would deny the access: still P=0. */
        env_entry_set(&e, LA_4K, PW_LVL_PT, env_entry_get(&e, LA_4K, PW_LVL_PT) & ~PTE_P);
        EXPECT_PF(&e, PF_U, .la = LA_4K, .kind = PW_ACC_READ, .user = true);
        pw_env_free(&e);
    }
}

static void test_R10_1_w_bit_only_for_writes(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_env e;
        setup_page(&e, ALL_MODES[i], PTE_RW);
        uint32_t id = ALL_MODES[i] == PW_MODE_32 ? 0 : PF_ID; /* NXE=1 outside 32-bit */
        EXPECT_PF(&e, PF_P | PF_U, .la = LA_4K, .kind = PW_ACC_READ, .user = true);
        EXPECT_PF(&e, PF_P | PF_W | PF_U, .la = LA_4K, .kind = PW_ACC_WRITE, .user = true);
        EXPECT_PF(&e, PF_P | PF_U | id, .la = LA_4K, .kind = PW_ACC_FETCH, .user = true);
        EXPECT_PF(&e, PF_W, .la = LA_UNMAPPED, .kind = PW_ACC_WRITE);
        EXPECT_PF(&e, 0, .la = LA_UNMAPPED, .kind = PW_ACC_READ);
        EXPECT_PF(&e, id, .la = LA_UNMAPPED, .kind = PW_ACC_FETCH);
        pw_env_free(&e);
    }
}

static void test_R10_1_u_bit_describes_the_access(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_env e;
        setup_page(&e, ALL_MODES[i], PTE_US); /* user, read-only */
        EXPECT_PF(&e, PF_U, .la = LA_UNMAPPED, .kind = PW_ACC_READ, .user = true);
        EXPECT_PF(&e, 0, .la = LA_UNMAPPED, .kind = PW_ACC_READ, .user = true, .implicit = true);
        EXPECT_PF(&e, PF_P | PF_W | PF_U, .la = LA_4K, .kind = PW_ACC_WRITE, .user = true);
        EXPECT_PF(&e, PF_P | PF_W, .la = LA_4K, .kind = PW_ACC_WRITE); /* user page, WP */
        EXPECT_PF(&e, PF_P | PF_W, .la = LA_4K, .kind = PW_ACC_WRITE, .user = true,
                  .implicit = true);
        pw_env_free(&e);
    }
}

static void test_R10_1_rsvd_bit_comes_with_p(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_mode m = ALL_MODES[i];
        pw_env e;
        assert_int_equal(pw_env_init(&e, m, NULL, 0), PW_OK);
        uint64_t la = LA_4K;
        if (m == PW_MODE_32) {
            la = LA_4M;
            assert_int_equal(pw_os_map(e.os, la, PA_4M, PW_SIZE_4M, 0), PW_OK);
            env_entry_set(&e, la, PW_LVL_PD, env_entry_get(&e, la, PW_LVL_PD) | PDE32_4M_RSVD_BIT);
        } else {
            assert_int_equal(pw_os_map(e.os, la, PA_4K, PW_SIZE_4K, 0), PW_OK);
            /* R5.1: bit M is reserved. */
            env_entry_set(&e, la, PW_LVL_PT,
                          env_entry_get(&e, la, PW_LVL_PT) | PW_BIT(e.cfg.maxphyaddr));
        }
        assert_int_equal(pw_env_load_regs(&e), PW_OK);
        uint32_t id = m == PW_MODE_32 ? 0 : PF_ID;
        EXPECT_PF(&e, PF_P | PF_RSVD, .la = la, .kind = PW_ACC_READ);
        /* The page is supervisor and read-only: the code is still RSVD's, nothing added. */
        EXPECT_PF(&e, PF_P | PF_RSVD | PF_W | PF_U, .la = la, .kind = PW_ACC_WRITE, .user = true);
        EXPECT_PF(&e, PF_P | PF_RSVD | id, .la = la, .kind = PW_ACC_FETCH);
        e.regs.cr4 |= CR4_SMEP; /* I/D applies to every fault type */
        EXPECT_PF(&e, PF_P | PF_RSVD | PF_ID, .la = la, .kind = PW_ACC_FETCH);
        pw_env_free(&e);
    }
}

static void test_R10_1_id_bit_in_32bit_paging_needs_smep(void **state)
{
    (void)state;
    pw_env e;
    setup_page(&e, PW_MODE_32, PTE_RW); /* supervisor page */
    EXPECT_PF(&e, 0, .la = LA_UNMAPPED, .kind = PW_ACC_FETCH);
    EXPECT_PF(&e, PF_P | PF_U, .la = LA_4K, .kind = PW_ACC_FETCH, .user = true);
    e.regs.efer |= EFER_NXE; /* meaningless in 32-bit paging (R1.2) */
    EXPECT_PF(&e, 0, .la = LA_UNMAPPED, .kind = PW_ACC_FETCH);
    EXPECT_PF(&e, PF_P | PF_U, .la = LA_4K, .kind = PW_ACC_FETCH, .user = true);
    e.regs.cr4 |= CR4_SMEP;
    EXPECT_PF(&e, PF_ID, .la = LA_UNMAPPED, .kind = PW_ACC_FETCH);
    EXPECT_PF(&e, PF_P | PF_U | PF_ID, .la = LA_4K, .kind = PW_ACC_FETCH, .user = true);
    pw_env_free(&e);
}

static void test_R10_1_id_bit_in_pae_and_long_modes(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        if (ALL_MODES[i] == PW_MODE_32)
            continue;
        pw_env e;
        setup_page(&e, ALL_MODES[i], PTE_RW);
        assert_true(e.regs.efer & EFER_NXE);
        EXPECT_PF(&e, PF_ID, .la = LA_UNMAPPED, .kind = PW_ACC_FETCH);
        EXPECT_PF(&e, PF_P | PF_U | PF_ID, .la = LA_4K, .kind = PW_ACC_FETCH, .user = true);
        e.regs.efer &= ~EFER_NXE;
        EXPECT_PF(&e, 0, .la = LA_UNMAPPED, .kind = PW_ACC_FETCH);
        EXPECT_PF(&e, PF_P | PF_U, .la = LA_4K, .kind = PW_ACC_FETCH, .user = true);
        e.regs.cr4 |= CR4_SMEP;
        EXPECT_PF(&e, PF_ID, .la = LA_UNMAPPED, .kind = PW_ACC_FETCH);
        pw_env_free(&e);
    }
}

static void test_R10_1_id_bit_never_for_data_accesses(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_env e;
        setup_page(&e, ALL_MODES[i], 0);
        e.regs.cr4 |= CR4_SMEP;
        EXPECT_PF(&e, 0, .la = LA_UNMAPPED, .kind = PW_ACC_READ);
        EXPECT_PF(&e, PF_P | PF_W, .la = LA_4K, .kind = PW_ACC_WRITE);
        EXPECT_PF(&e, PF_P | PF_U, .la = LA_4K, .kind = PW_ACC_READ, .user = true);
        pw_env_free(&e);
    }
}

static void test_R10_1_rights_ctl_id_bit_and_gating(void **state)
{
    (void)state;
    pw_rights_ctl c;
    pw_regs r32 = {.cr0 = CR0_PG | CR0_PE | CR0_WP, .cr4 = CR4_PSE | CR4_PKE | CR4_PKS,
                   .efer = EFER_NXE};
    pw_rights_ctl_of(&r32, &c);
    assert_false(c.nxe);
    assert_false(c.id_bit);
    assert_false(c.pke);
    assert_false(c.pks);
    r32.cr4 |= CR4_SMEP;
    pw_rights_ctl_of(&r32, &c);
    assert_true(c.id_bit);

    pw_regs pae = {.cr0 = CR0_PG | CR0_PE, .cr4 = CR4_PAE | CR4_PKE | CR4_PKS, .efer = EFER_NXE};
    pw_rights_ctl_of(&pae, &c);
    assert_true(c.nxe);
    assert_true(c.id_bit);
    assert_false(c.pke);
    assert_false(c.pks);
    pae.efer = 0;
    pw_rights_ctl_of(&pae, &c);
    assert_false(c.id_bit);

    pw_regs lm = {.cr0 = CR0_PG | CR0_PE, .cr4 = CR4_PAE | CR4_PKE | CR4_PKS,
                  .efer = EFER_LME | EFER_LMA};
    pw_rights_ctl_of(&lm, &c);
    assert_false(c.id_bit);
    assert_true(c.pke);
    assert_true(c.pks);
    lm.efer |= EFER_NXE;
    pw_rights_ctl_of(&lm, &c);
    assert_true(c.id_bit);
}

static void test_R10_1_pk_bit_only_with_p(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_LONG; i++) {
        pw_env e;
        setup_page(&e, LONG_MODES[i], PTE_US | PTE_RW | LEAF_KEY(KEY));
        uint64_t leaf = env_entry_get(&e, LA_4K, PW_LVL_PT);
        e.regs.cr4 |= CR4_PKE;
        e.regs.pkru = PKEY_AD(KEY);
        EXPECT_PF(&e, PF_P | PF_U | PF_PK, .la = LA_4K, .kind = PW_ACC_READ, .user = true);
        env_entry_set(&e, LA_4K, PW_LVL_PT, leaf & ~PTE_P); /* key bits still there, ignored */
        EXPECT_PF(&e, PF_U, .la = LA_4K, .kind = PW_ACC_READ, .user = true);
        env_entry_set(&e, LA_4K, PW_LVL_PT, leaf | PW_BIT(e.cfg.maxphyaddr)); /* reserved (R5.1) */
        EXPECT_PF(&e, PF_P | PF_RSVD | PF_U, .la = LA_4K, .kind = PW_ACC_READ, .user = true);
        pw_env_free(&e);
    }
}

/* ---- R10.4: several violations, one code ---- */

static void test_R10_4_several_violations_make_one_code(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_mode m = ALL_MODES[i];
        bool xd = m != PW_MODE_32;
        pw_env e;
        setup_page(&e, m, xd ? PTE_XD : 0); /* supervisor, read-only, XD */
        e.regs.cr4 |= CR4_SMEP | CR4_SMAP;
        /* U/S and R/W both violated. */
        EXPECT_PF(&e, PF_P | PF_W | PF_U, .la = LA_4K, .kind = PW_ACC_WRITE, .user = true);
        /* U/S and XD. */
        EXPECT_PF(&e, PF_P | PF_U | PF_ID, .la = LA_4K, .kind = PW_ACC_FETCH, .user = true);
        assert_int_equal(pw_os_protect(e.os, LA_4K, PW_SIZE_4K, PTE_US | (xd ? PTE_XD : 0)), PW_OK);
        /* SMAP and WP. */
        EXPECT_PF(&e, PF_P | PF_W, .la = LA_4K, .kind = PW_ACC_WRITE);
        /* SMEP and XD. */
        EXPECT_PF(&e, PF_P | PF_ID, .la = LA_4K, .kind = PW_ACC_FETCH);
        pw_env_free(&e);
    }
}

static void test_R10_4_pk_added_to_an_ordinary_violation(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_LONG; i++) {
        pw_env e;
        setup_page(&e, LONG_MODES[i], PTE_US | LEAF_KEY(KEY)); /* user, read-only */
        e.regs.cr4 |= CR4_PKE;
        e.regs.pkru = PKEY_AD(KEY);
        EXPECT_PF(&e, PF_P | PF_W | PF_U | PF_PK, .la = LA_4K, .kind = PW_ACC_WRITE, .user = true);
        e.regs.pkru = PKEY_WD(KEY);
        EXPECT_PF(&e, PF_P | PF_W | PF_U | PF_PK, .la = LA_4K, .kind = PW_ACC_WRITE, .user = true);
        EXPECT_PF(&e, PF_P | PF_W | PF_PK, .la = LA_4K, .kind = PW_ACC_WRITE); /* WP and WD */
        e.regs.cr4 |= CR4_SMAP;
        e.regs.pkru = PKEY_AD(KEY);
        EXPECT_PF(&e, PF_P | PF_PK, .la = LA_4K, .kind = PW_ACC_READ); /* SMAP and AD */
        /* PKS: a supervisor page under WP and WD. */
        assert_int_equal(pw_os_protect(e.os, LA_4K, PW_SIZE_4K, LEAF_KEY(KEY)), PW_OK);
        e.regs.cr4 |= CR4_PKS;
        e.regs.pkrs = PKEY_WD(KEY);
        EXPECT_PF(&e, PF_P | PF_W | PF_PK, .la = LA_4K, .kind = PW_ACC_WRITE);
        /* PKRU never applies to a supervisor page: a user access gets U/S only. */
        e.regs.pkrs = 0;
        EXPECT_PF(&e, PF_P | PF_U, .la = LA_4K, .kind = PW_ACC_READ, .user = true);
        pw_env_free(&e);
    }
}

/* ---- R10.3: the level that faulted leaves no trace in the code ---- */

static void test_R10_3_same_code_at_every_level(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_mode m = ALL_MODES[i];
        for (unsigned l = pw_mode_levels(m); l >= PW_LVL_PT; l--) {
            bool pdpte_reg = m == PW_MODE_PAE && l == PW_LVL_PDPT;
            pw_env e;
            setup_page(&e, m, PTE_US | PTE_RW);
            uint64_t orig = env_entry_get(&e, LA_4K, l);
            pw_request wr = {.la = LA_4K, .kind = PW_ACC_WRITE, .user = true};

            /* Not present at level l. */
            if (pdpte_reg)
                e.regs.pdpte[pw_la_index(m, l, LA_4K)] = orig & ~PTE_P; /* R6.3 */
            else
                env_entry_set(&e, LA_4K, l, orig & ~PTE_P);
            pw_result r = check_pf(&e, wr, PF_W | PF_U, __LINE__);
            assert_int_equal(r.level, l);
            assert_int_equal(pw_env_load_regs(&e), PW_OK);
            if (pdpte_reg) {
                pw_env_free(&e);
                continue; /* a PDPTE has no U/S, and a reserved bit is #GP at load (R6.2) */
            }
            /* Reserved bit at level l (PAE/4/5-level: bit M, R5.1). */
            if (m != PW_MODE_32) {
                env_entry_set(&e, LA_4K, l, orig | PW_BIT(e.cfg.maxphyaddr));
                r = check_pf(&e, wr, PF_P | PF_RSVD | PF_W | PF_U, __LINE__);
                assert_int_equal(r.level, l);
            }
            /* U/S=0 at level l: a protection fault. */
            env_entry_set(&e, LA_4K, l, orig & ~PTE_US);
            check_pf(&e, wr, PF_P | PF_W | PF_U, __LINE__);
            pw_env_free(&e);
        }
    }
}

/* ---- R10.2: no #PF (and no CR2) for a non-canonical address ---- */

static void test_R10_2_noncanonical_is_gp_not_pf(void **state)
{
    (void)state;
    /* R2.1: the top LA bit set (47 in 4-level, 56 in 5-level), the bits above it clear. */
    static const uint64_t bad[] = {LA4_TOP_BIT, LA5_TOP_BIT};
    for (unsigned i = 0; i < N_LONG; i++) {
        pw_env e;
        setup_page(&e, LONG_MODES[i], PTE_US | PTE_RW);
        pw_result r = walk_line(&e, (pw_request){.la = bad[i], .user = true}, __LINE__);
        assert_int_equal(r.outcome, PW_OUT_GP);
        assert_int_equal(r.err_code, 0);
        assert_int_equal(r.level, 0);
        pw_env_free(&e);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_R10_1_p_bit_not_present_vs_protection),
        cmocka_unit_test(test_R10_1_w_bit_only_for_writes),
        cmocka_unit_test(test_R10_1_u_bit_describes_the_access),
        cmocka_unit_test(test_R10_1_rsvd_bit_comes_with_p),
        cmocka_unit_test(test_R10_1_id_bit_in_32bit_paging_needs_smep),
        cmocka_unit_test(test_R10_1_id_bit_in_pae_and_long_modes),
        cmocka_unit_test(test_R10_1_id_bit_never_for_data_accesses),
        cmocka_unit_test(test_R10_1_rights_ctl_id_bit_and_gating),
        cmocka_unit_test(test_R10_1_pk_bit_only_with_p),
        cmocka_unit_test(test_R10_4_several_violations_make_one_code),
        cmocka_unit_test(test_R10_4_pk_added_to_an_ordinary_violation),
        cmocka_unit_test(test_R10_3_same_code_at_every_level),
        cmocka_unit_test(test_R10_2_noncanonical_is_gp_not_pf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
