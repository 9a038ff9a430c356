/* Protection keys: PKRU for user-mode addresses (R8.7) and PKS for
 * supervisor-mode addresses (R8.8), evaluated at access time (R8.10). Keys
 * exist only in 4/5-level paging (LMA=1, R1.2); PAE and 32-bit paging are
 * checked to ignore CR4.PKE/PKS. Expected error codes come from §8 and §10;
 * a user access to a supervisor page under PKS follows QEMU (D12): U/S fault,
 * no PK. */
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
#define LA_2M UINT64_C(0x00c00000)
#define PA_2M UINT64_C(0x00400000)
#define LA_1G UINT64_C(0x40000000)
#define PA_1G UINT64_C(0)

/* PKRU/PKRS: AD of key k at bit 2k, WD at bit 2k+1 (SDM 4.6.2). */
#define PKEY_AD(k) (UINT32_C(1) << (2 * (k)))
#define PKEY_WD(k) (UINT32_C(1) << (2 * (k) + 1))
#define PKEY_ALL   UINT32_MAX                       /* AD and WD for every key */
#define LEAF_KEY(k) ((uint64_t)(k) << PTE_PK_SHIFT) /* key field of an entry, bits 62:59 */

#define KEY    5u /* the key of the page under test */
#define OTHER  7u /* a key the page does not carry */

/* ---- helpers ---- */

static void setup_page(pw_env *e, pw_mode m, uint64_t flags)
{
    env_setup_map(e, m, NULL, LA_4K, PA_4K, PW_SIZE_4K, flags);
}

/* ---- R8.7 PKRU ---- */

static void test_R8_7_ad_blocks_data_access_to_user_page(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_LONG; i++) {
        pw_env e;
        setup_page(&e, LONG_MODES[i], PTE_US | PTE_RW | LEAF_KEY(KEY));
        e.regs.cr4 |= CR4_PKE;
        e.regs.pkru = PKEY_AD(KEY);
        EXPECT_PF(&e, PF_P | PF_U | PF_PK, .la = LA_4K, .kind = PW_ACC_READ, .user = true);
        EXPECT_PF(&e, PF_P | PF_W | PF_U | PF_PK, .la = LA_4K, .kind = PW_ACC_WRITE, .user = true);
        /* Supervisor accesses to user pages too (SMAP off). */
        EXPECT_PF(&e, PF_P | PF_PK, .la = LA_4K, .kind = PW_ACC_READ);
        EXPECT_PF(&e, PF_P | PF_W | PF_PK, .la = LA_4K, .kind = PW_ACC_WRITE);
        EXPECT_PF(&e, PF_P | PF_PK, .la = LA_4K, .kind = PW_ACC_READ, .user = true,
                  .implicit = true);
        /* Never fetches. */
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_FETCH, .user = true);
        pw_env_free(&e);
    }
}

static void test_R8_7_only_the_pages_key_counts(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_LONG; i++) {
        pw_env e;
        setup_page(&e, LONG_MODES[i], PTE_US | PTE_RW | LEAF_KEY(KEY));
        e.regs.cr4 |= CR4_PKE;
        e.regs.pkru = PKEY_ALL & ~(PKEY_AD(KEY) | PKEY_WD(KEY));
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_READ, .user = true);
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_WRITE, .user = true);
        pw_env_free(&e);
    }
}

static void test_R8_7_wd_blocks_user_write_whatever_wp(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_LONG; i++) {
        pw_env e;
        setup_page(&e, LONG_MODES[i], PTE_US | PTE_RW | LEAF_KEY(KEY));
        e.regs.cr4 |= CR4_PKE;
        e.regs.pkru = PKEY_WD(KEY);
        EXPECT_PF(&e, PF_P | PF_W | PF_U | PF_PK, .la = LA_4K, .kind = PW_ACC_WRITE, .user = true);
        e.regs.cr0 &= ~CR0_WP;
        EXPECT_PF(&e, PF_P | PF_W | PF_U | PF_PK, .la = LA_4K, .kind = PW_ACC_WRITE, .user = true);
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_READ, .user = true); /* WD is for writes */
        pw_env_free(&e);
    }
}

static void test_R8_7_wd_blocks_supervisor_write_only_with_wp(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_LONG; i++) {
        pw_env e;
        setup_page(&e, LONG_MODES[i], PTE_US | PTE_RW | LEAF_KEY(KEY));
        e.regs.cr4 |= CR4_PKE;
        e.regs.pkru = PKEY_WD(KEY);
        EXPECT_PF(&e, PF_P | PF_W | PF_PK, .la = LA_4K, .kind = PW_ACC_WRITE);
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_READ);
        e.regs.cr0 &= ~CR0_WP;
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_WRITE);
        pw_env_free(&e);
    }
}

static void test_R8_7_key_comes_from_leaf_only(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_LONG; i++) {
        pw_mode m = LONG_MODES[i];
        pw_env e;
        setup_page(&e, m, PTE_US | PTE_RW | LEAF_KEY(KEY));
        /* Key OTHER in every non-leaf entry: ignored there (R5.9, R8.7). */
        for (unsigned l = pw_mode_levels(m); l > PW_LVL_PT; l--)
            env_entry_set(&e, LA_4K, l, env_entry_get(&e, LA_4K, l) | LEAF_KEY(OTHER));
        e.regs.cr4 |= CR4_PKE;
        e.regs.pkru = PKEY_AD(OTHER) | PKEY_WD(OTHER);
        pw_result r = walk_line(&e, (pw_request){.la = LA_4K, .kind = PW_ACC_WRITE, .user = true},
                                __LINE__);
        assert_int_equal(r.outcome, PW_OUT_OK);
        assert_int_equal(r.perm.pk, KEY);
        e.regs.pkru = PKEY_AD(KEY);
        EXPECT_PF(&e, PF_P | PF_U | PF_PK, .la = LA_4K, .kind = PW_ACC_READ, .user = true);
        pw_env_free(&e);
    }
}

static void test_R8_7_large_page_key(void **state)
{
    (void)state;
    static const struct { uint64_t la, pa; pw_page_size size; } pages[] = {
        {LA_2M, PA_2M, PW_SIZE_2M}, {LA_1G, PA_1G, PW_SIZE_1G}};
    for (unsigned i = 0; i < N_LONG; i++) {
        for (unsigned p = 0; p < 2; p++) {
            pw_env e;
            env_setup_map(&e, LONG_MODES[i], NULL, pages[p].la, pages[p].pa, pages[p].size,
                          PTE_US | PTE_RW | LEAF_KEY(KEY));
            e.regs.cr4 |= CR4_PKE;
            pw_result r = walk_line(&e, (pw_request){.la = pages[p].la, .user = true}, __LINE__);
            assert_int_equal(r.outcome, PW_OUT_OK);
            assert_int_equal(r.perm.pk, KEY);
            e.regs.pkru = PKEY_AD(KEY);
            EXPECT_PF(&e, PF_P | PF_U | PF_PK, .la = pages[p].la, .kind = PW_ACC_READ, .user = true);
            pw_env_free(&e);
        }
    }
}

static void test_R8_7_supervisor_address_not_subject_to_pkru(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_LONG; i++) {
        pw_env e;
        setup_page(&e, LONG_MODES[i], PTE_RW | LEAF_KEY(KEY)); /* leaf U/S=0 */
        e.regs.cr4 |= CR4_PKE;
        e.regs.pkru = PKEY_ALL;
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_READ);
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_WRITE);
        /* Leaf U/S=1 but a non-leaf U/S=0: still a supervisor-mode address (R8.1, D8). */
        assert_int_equal(pw_os_protect(e.os, LA_4K, PW_SIZE_4K, PTE_US | PTE_RW | LEAF_KEY(KEY)),
                         PW_OK);
        EXPECT_PF(&e, PF_P | PF_PK, .la = LA_4K, .kind = PW_ACC_READ); /* sanity: now a user page */
        env_entry_set(&e, LA_4K, PW_LVL_PD, env_entry_get(&e, LA_4K, PW_LVL_PD) & ~PTE_US);
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_READ);
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_WRITE);
        pw_env_free(&e);
    }
}

static void test_R8_7_needs_cr4_pke(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_LONG; i++) {
        pw_env e;
        setup_page(&e, LONG_MODES[i], PTE_US | PTE_RW | LEAF_KEY(KEY));
        e.regs.pkru = PKEY_ALL; /* CR4.PKE=0 */
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_READ, .user = true);
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_WRITE, .user = true);
        pw_env_free(&e);
    }
}

static void test_R8_7_ignored_without_long_mode(void **state)
{
    (void)state;
    static const pw_mode legacy[] = {PW_MODE_32, PW_MODE_PAE};
    for (unsigned i = 0; i < 2; i++) {
        pw_env e;
        setup_page(&e, legacy[i], PTE_US | PTE_RW);
        e.regs.cr4 |= CR4_PKE | CR4_PKS; /* R1.2: effective only when LMA=1 */
        e.regs.pkru = PKEY_ALL;
        e.regs.pkrs = PKEY_ALL;
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_READ, .user = true);
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_WRITE, .user = true);
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_WRITE);
        assert_int_equal(pw_os_protect(e.os, LA_4K, PW_SIZE_4K, PTE_RW), PW_OK);
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_WRITE);
        pw_env_free(&e);
    }
}

static void test_R8_7_ac_does_not_override_keys(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_LONG; i++) {
        pw_env e;
        setup_page(&e, LONG_MODES[i], PTE_US | PTE_RW | LEAF_KEY(KEY));
        e.regs.cr4 |= CR4_PKE | CR4_SMAP;
        e.regs.pkru = PKEY_AD(KEY);
        EXPECT_PF(&e, PF_P | PF_PK, .la = LA_4K, .kind = PW_ACC_READ, .ac = true);
        e.regs.pkru = 0;
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_READ, .ac = true);
        pw_env_free(&e);
    }
}

/* ---- R8.8 PKS ---- */

static void test_R8_8_pks_ad_blocks_supervisor_data(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_LONG; i++) {
        pw_env e;
        setup_page(&e, LONG_MODES[i], PTE_RW | LEAF_KEY(KEY)); /* supervisor page */
        assert_true(e.cfg.has_pks);
        e.regs.cr4 |= CR4_PKS;
        e.regs.pkrs = PKEY_AD(KEY);
        EXPECT_PF(&e, PF_P | PF_PK, .la = LA_4K, .kind = PW_ACC_READ);
        EXPECT_PF(&e, PF_P | PF_W | PF_PK, .la = LA_4K, .kind = PW_ACC_WRITE);
        EXPECT_PF(&e, PF_P | PF_PK, .la = LA_4K, .kind = PW_ACC_READ, .user = true,
                  .implicit = true);
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_FETCH); /* data accesses only */
        e.regs.pkrs = PKEY_ALL & ~(PKEY_AD(KEY) | PKEY_WD(KEY));
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_READ);
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_WRITE);
        pw_env_free(&e);
    }
}

static void test_R8_8_pks_wd_needs_wp(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_LONG; i++) {
        pw_env e;
        setup_page(&e, LONG_MODES[i], PTE_RW | LEAF_KEY(KEY));
        e.regs.cr4 |= CR4_PKS;
        e.regs.pkrs = PKEY_WD(KEY);
        EXPECT_PF(&e, PF_P | PF_W | PF_PK, .la = LA_4K, .kind = PW_ACC_WRITE);
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_READ);
        e.regs.cr0 &= ~CR0_WP;
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_WRITE);
        pw_env_free(&e);
    }
}

static void test_R8_8_pks_spares_user_pages_and_pkru_spares_supervisor(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_LONG; i++) {
        pw_env e;
        setup_page(&e, LONG_MODES[i], PTE_US | PTE_RW | LEAF_KEY(KEY));
        e.regs.cr4 |= CR4_PKS | CR4_PKE;
        e.regs.pkrs = PKEY_ALL;
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_READ);
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_WRITE, .user = true);
        e.regs.pkrs = 0;
        e.regs.pkru = PKEY_AD(KEY);
        EXPECT_PF(&e, PF_P | PF_PK, .la = LA_4K, .kind = PW_ACC_READ);
        pw_env_free(&e);
    }
}

static void test_R8_8_user_access_to_supervisor_page_is_us_fault_without_pk(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_LONG; i++) {
        pw_env e;
        setup_page(&e, LONG_MODES[i], PTE_RW | LEAF_KEY(KEY));
        e.regs.cr4 |= CR4_PKS;
        e.regs.pkrs = PKEY_ALL;
        /* D12: the model follows QEMU, U/S violation first, no PK. */
        EXPECT_PF(&e, PF_P | PF_U, .la = LA_4K, .kind = PW_ACC_READ, .user = true);
        EXPECT_PF(&e, PF_P | PF_W | PF_U, .la = LA_4K, .kind = PW_ACC_WRITE, .user = true);
        pw_env_free(&e);
    }
}

static void test_R8_8_supervisor_address_by_nonleaf_us_uses_leaf_key(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_LONG; i++) {
        pw_mode m = LONG_MODES[i];
        pw_env e;
        setup_page(&e, m, PTE_US | PTE_RW | LEAF_KEY(KEY));
        unsigned top = pw_mode_levels(m);
        env_entry_set(&e, LA_4K, top,
                      (env_entry_get(&e, LA_4K, top) & ~PTE_US) | LEAF_KEY(OTHER));
        e.regs.cr4 |= CR4_PKS | CR4_PKE;
        e.regs.pkru = PKEY_ALL;                          /* not a user page: PKRU ignored */
        e.regs.pkrs = PKEY_AD(OTHER) | PKEY_WD(OTHER);   /* non-leaf key: ignored */
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_WRITE);
        e.regs.pkrs = PKEY_AD(KEY);
        EXPECT_PF(&e, PF_P | PF_PK, .la = LA_4K, .kind = PW_ACC_READ);
        pw_env_free(&e);
    }
}

static void test_R8_8_needs_cr4_pks(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_LONG; i++) {
        pw_env e;
        setup_page(&e, LONG_MODES[i], PTE_RW | LEAF_KEY(KEY));
        e.regs.pkrs = PKEY_ALL; /* CR4.PKS=0 */
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_READ);
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_WRITE);
        pw_env_free(&e);
    }
}

static void test_R8_8_has_pks_gates_cr4_pks(void **state)
{
    (void)state;
    pw_config cfg;
    pw_config_default(&cfg);
    cfg.has_pks = false;
    pw_env e;
    assert_int_equal(pw_env_init(&e, PW_MODE_4LVL, &cfg, 0), PW_OK);
    pw_regs before = e.regs;
    pw_flush fl;
    assert_int_equal(pw_regs_mov_cr4(&e.cfg, &e.regs, &e.mem, e.regs.cr4 | CR4_PKS, &fl),
                     PW_ERR_GP);
    assert_memory_equal(&before, &e.regs, sizeof before);
    pw_regs forced = e.regs;
    forced.cr4 |= CR4_PKS;
    assert_int_equal(pw_regs_validate(&e.cfg, &forced, NULL), PW_ERR_GP);
    e.cfg.has_pks = true;
    assert_int_equal(pw_regs_mov_cr4(&e.cfg, &e.regs, &e.mem, e.regs.cr4 | CR4_PKS, &fl), PW_OK);
    assert_true(e.regs.cr4 & CR4_PKS);
    assert_int_equal(pw_regs_validate(&e.cfg, &e.regs, NULL), PW_OK);
    pw_env_free(&e);
}

/* ---- R8.10: the same cached rights, a different PKRU/PKRS ---- */

static void test_R8_10_keys_evaluated_at_access_time(void **state)
{
    (void)state;
    pw_env e;
    setup_page(&e, PW_MODE_4LVL, PTE_US | PTE_RW | LEAF_KEY(KEY));
    e.regs.cr4 |= CR4_PKE | CR4_PKS;
    pw_result r = walk_line(&e, (pw_request){.la = LA_4K, .user = true}, __LINE__);
    assert_int_equal(r.outcome, PW_OUT_OK);
    const pw_perm perm = r.perm;
    pw_request uwr = {.la = LA_4K, .kind = PW_ACC_WRITE, .user = true};
    pw_request swr = {.la = LA_4K, .kind = PW_ACC_WRITE};
    pw_request urd = {.la = LA_4K, .kind = PW_ACC_READ, .user = true};
    pw_rights_ctl c;

    pw_regs regs = e.regs;
    pw_rights_ctl_of(&regs, &c);
    assert_int_equal(pw_rights_check(&c, &uwr, &perm), 0);
    regs.pkru = PKEY_WD(KEY);
    pw_rights_ctl_of(&regs, &c);
    assert_int_equal(pw_rights_check(&c, &uwr, &perm), PF_P | PF_W | PF_U | PF_PK);
    assert_int_equal(pw_rights_check(&c, &urd, &perm), 0);
    assert_int_equal(pw_rights_check(&c, &swr, &perm), PF_P | PF_W | PF_PK);
    regs.cr0 &= ~CR0_WP;
    pw_rights_ctl_of(&regs, &c);
    assert_int_equal(pw_rights_check(&c, &swr, &perm), 0);
    regs.pkru = PKEY_AD(KEY);
    pw_rights_ctl_of(&regs, &c);
    assert_int_equal(pw_rights_check(&c, &urd, &perm), PF_P | PF_U | PF_PK);
    regs.pkru = PKEY_AD(OTHER);
    pw_rights_ctl_of(&regs, &c);
    assert_int_equal(pw_rights_check(&c, &urd, &perm), 0);

    /* A supervisor page under PKRS. */
    pw_perm sup = perm;
    sup.us = false;
    regs = e.regs;
    regs.pkrs = PKEY_AD(KEY);
    pw_rights_ctl_of(&regs, &c);
    assert_int_equal(pw_rights_check(&c, &swr, &sup), PF_P | PF_W | PF_PK);
    regs.pkrs = 0;
    pw_rights_ctl_of(&regs, &c);
    assert_int_equal(pw_rights_check(&c, &swr, &sup), 0);
    pw_env_free(&e);
}

/* WRPKRU through the MMU, MMU_CYCLE_STEP after the previous operation. */
static void mmu_wrpkru(pw_mmu *m, uint64_t *cycle, uint32_t pkru)
{
    mmu_ctl(m, cycle, PW_CTL_WRPKRU, pkru);
}

/* Through the MMU: the TLB entry keeps the leaf key, PKRU is applied at lookup. */
static void test_R8_10_tlb_hit_applies_current_pkru(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_LONG; i++) {
        pw_env e;
        setup_page(&e, LONG_MODES[i], PTE_US | PTE_RW | PTE_A | PTE_D | LEAF_KEY(KEY));
        pw_mmu *m = test_calloc(1, sizeof *m);
        assert_non_null(m);
        assert_int_equal(pw_mmu_init(m, &e.cfg, &e.mem), PW_OK);
        pw_regs regs = e.regs;
        regs.cr4 |= CR4_PKE;
        assert_int_equal(pw_mmu_set_regs(m, &regs), PW_OK);
        uint64_t cyc = 0;
        MMU_EXPECT(m, &cyc, MMU_OK, false, .la = LA_4K, .kind = PW_ACC_READ, .user = true);
        mmu_wrpkru(m, &cyc, PKEY_AD(OTHER) | PKEY_WD(OTHER));
        MMU_EXPECT(m, &cyc, MMU_OK, true, .la = LA_4K, .kind = PW_ACC_WRITE, .user = true);
        mmu_wrpkru(m, &cyc, PKEY_WD(KEY));
        MMU_EXPECT(m, &cyc, MMU_OK, true, .la = LA_4K, .kind = PW_ACC_READ, .user = true);
        MMU_EXPECT(m, &cyc, PF_P | PF_W | PF_U | PF_PK, false, .la = LA_4K, .kind = PW_ACC_WRITE,
                   .user = true);
        mmu_wrpkru(m, &cyc, 0);
        MMU_EXPECT(m, &cyc, MMU_OK, false, .la = LA_4K, .kind = PW_ACC_WRITE, .user = true);
        mmu_wrpkru(m, &cyc, PKEY_AD(KEY));
        MMU_EXPECT(m, &cyc, PF_P | PF_U | PF_PK, false, .la = LA_4K, .kind = PW_ACC_READ,
                   .user = true);
        test_free(m);
        pw_env_free(&e);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_R8_7_ad_blocks_data_access_to_user_page),
        cmocka_unit_test(test_R8_7_only_the_pages_key_counts),
        cmocka_unit_test(test_R8_7_wd_blocks_user_write_whatever_wp),
        cmocka_unit_test(test_R8_7_wd_blocks_supervisor_write_only_with_wp),
        cmocka_unit_test(test_R8_7_key_comes_from_leaf_only),
        cmocka_unit_test(test_R8_7_large_page_key),
        cmocka_unit_test(test_R8_7_supervisor_address_not_subject_to_pkru),
        cmocka_unit_test(test_R8_7_needs_cr4_pke),
        cmocka_unit_test(test_R8_7_ignored_without_long_mode),
        cmocka_unit_test(test_R8_7_ac_does_not_override_keys),
        cmocka_unit_test(test_R8_8_pks_ad_blocks_supervisor_data),
        cmocka_unit_test(test_R8_8_pks_wd_needs_wp),
        cmocka_unit_test(test_R8_8_pks_spares_user_pages_and_pkru_spares_supervisor),
        cmocka_unit_test(test_R8_8_user_access_to_supervisor_page_is_us_fault_without_pk),
        cmocka_unit_test(test_R8_8_supervisor_address_by_nonleaf_us_uses_leaf_key),
        cmocka_unit_test(test_R8_8_needs_cr4_pks),
        cmocka_unit_test(test_R8_8_has_pks_gates_cr4_pks),
        cmocka_unit_test(test_R8_10_keys_evaluated_at_access_time),
        cmocka_unit_test(test_R8_10_tlb_hit_applies_current_pkru),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
