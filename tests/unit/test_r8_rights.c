/* Access rights R8.1-R8.6, R8.9 and R8.10 (x86-paging.md §8): end-to-end walks
 * over page tables built with pw_os in every paging mode, plus truth tables of
 * pw_rights_check. Every expected error code is worked out by hand from §8 and
 * the error-code table of §10. Protection keys: test_r8_pkeys.c; CET:
 * test_r8_cet.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "pagewalk/pagewalk.h"
#include "support/env.h"
#include "support/walkhelp.h"

#define LA_4K UINT64_C(0x00403000) /* PD index 1 (32-bit) / 2 (others), PT index 3: legal in every mode */
#define PA_4K UINT64_C(0x00105000)

/* ---- helpers ---- */

/* A fresh environment in mode `m` with one 4 KiB page at LA_4K. The env's
 * registers: CR0.WP=1, no SMEP/SMAP, EFER.NXE=1 outside 32-bit paging. */
static void setup_page(pw_env *e, pw_mode m, uint64_t leaf_flags)
{
    env_setup_map(e, m, NULL, LA_4K, PA_4K, PW_SIZE_4K, leaf_flags);
}

/* R6.3: a PAE PDPTE has no R/W, U/S or XD, so only other levels can restrict. */
static bool level_has_rights(pw_mode m, unsigned level)
{
    return !(m == PW_MODE_PAE && level == PW_LVL_PDPT);
}

/* I/D of a fetch fault with the env's registers (R10.1): EFER.NXE is set in
 * PAE/4/5-level; 32-bit paging without SMEP gives 0. */
static uint32_t env_id_bit(const pw_env *e)
{
    return e->mode == PW_MODE_32 ? 0 : PF_ID;
}

/* ---- R8.1: who is a user, what is a user-mode address ---- */

static void test_R8_1_implicit_access_at_cpl3_is_supervisor(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_env e;
        setup_page(&e, ALL_MODES[i], PTE_RW); /* supervisor page */
        EXPECT_PF(&e, PF_P | PF_U, .la = LA_4K, .kind = PW_ACC_READ, .user = true);
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_READ, .user = true, .implicit = true);
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_WRITE, .user = true, .implicit = true);
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_READ);
        pw_env_free(&e);
    }
}

static void test_R8_1_user_address_needs_us_at_every_level(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_mode m = ALL_MODES[i];
        pw_env e;
        setup_page(&e, m, PTE_RW | PTE_US);
        pw_result r = walk_line(&e, (pw_request){.la = LA_4K, .user = true}, __LINE__);
        assert_int_equal(r.outcome, PW_OUT_OK);
        assert_true(r.perm.us);
        for (unsigned l = pw_mode_levels(m); l >= PW_LVL_PT; l--) {
            if (!level_has_rights(m, l))
                continue;
            uint64_t orig = env_entry_get(&e, LA_4K, l);
            env_entry_set(&e, LA_4K, l, orig & ~PTE_US);
            EXPECT_PF(&e, PF_P | PF_U, .la = LA_4K, .kind = PW_ACC_READ, .user = true);
            r = walk_line(&e, (pw_request){.la = LA_4K}, __LINE__);
            assert_int_equal(r.outcome, PW_OUT_OK);
            assert_false(r.perm.us); /* a supervisor-mode address */
            env_entry_set(&e, LA_4K, l, orig);
        }
        pw_env_free(&e);
    }
}

/* ---- R8.2: combining over levels ---- */

static void test_R8_2_rw_is_and_of_every_level(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_mode m = ALL_MODES[i];
        pw_env e;
        setup_page(&e, m, PTE_RW | PTE_US);
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_WRITE, .user = true);
        for (unsigned l = pw_mode_levels(m); l >= PW_LVL_PT; l--) {
            if (!level_has_rights(m, l))
                continue;
            uint64_t orig = env_entry_get(&e, LA_4K, l);
            env_entry_set(&e, LA_4K, l, orig & ~PTE_RW);
            EXPECT_PF(&e, PF_P | PF_W | PF_U, .la = LA_4K, .kind = PW_ACC_WRITE, .user = true);
            EXPECT_PF(&e, PF_P | PF_W, .la = LA_4K, .kind = PW_ACC_WRITE); /* WP=1 */
            pw_result r = walk_line(&e, (pw_request){.la = LA_4K, .user = true}, __LINE__);
            assert_int_equal(r.outcome, PW_OUT_OK);
            assert_false(r.perm.rw);
            assert_true(r.perm.us);
            env_entry_set(&e, LA_4K, l, orig);
        }
        pw_env_free(&e);
    }
}

static void test_R8_2_xd_is_or_of_every_level(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_mode m = ALL_MODES[i];
        if (m == PW_MODE_32)
            continue; /* no XD bit in 32-bit entries (R1.2) */
        pw_env e;
        setup_page(&e, m, PTE_RW | PTE_US);
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_FETCH);
        for (unsigned l = pw_mode_levels(m); l >= PW_LVL_PT; l--) {
            if (!level_has_rights(m, l))
                continue;
            uint64_t orig = env_entry_get(&e, LA_4K, l);
            env_entry_set(&e, LA_4K, l, orig | PTE_XD);
            EXPECT_PF(&e, PF_P | PF_ID, .la = LA_4K, .kind = PW_ACC_FETCH);
            EXPECT_PF(&e, PF_P | PF_U | PF_ID, .la = LA_4K, .kind = PW_ACC_FETCH, .user = true);
            EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_READ, .user = true); /* data unaffected */
            pw_result r = walk_line(&e, (pw_request){.la = LA_4K}, __LINE__);
            assert_int_equal(r.outcome, PW_OUT_OK);
            assert_true(r.perm.xd);
            env_entry_set(&e, LA_4K, l, orig);
        }
        pw_env_free(&e);
    }
}

static void test_R8_2_pae_pdpte_contributes_permissive_rights(void **state)
{
    (void)state;
    pw_env e;
    setup_page(&e, PW_MODE_PAE, PTE_RW | PTE_US);
    /* The PDPTE register has bits 2:1 clear (they are reserved, R5.6) ... */
    uint64_t pdpte = env_entry_get(&e, LA_4K, PW_LVL_PDPT);
    assert_int_equal(pdpte & (PTE_RW | PTE_US | PTE_XD), 0);
    /* ... yet counts as R/W=1, U/S=1, XD=0 (R6.3). */
    pw_result r = walk_line(&e, (pw_request){.la = LA_4K, .user = true}, __LINE__);
    assert_int_equal(r.outcome, PW_OUT_OK);
    assert_true(r.perm.rw);
    assert_true(r.perm.us);
    assert_false(r.perm.xd);
    EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_WRITE, .user = true);
    EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_FETCH, .user = true);
    pw_env_free(&e);
}

/* ---- R8.3-R8.6, R8.9 end to end, every mode ---- */

static void test_R8_3_user_accesses(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_env e;
        setup_page(&e, ALL_MODES[i], PTE_US); /* user, read-only */
        uint32_t id = env_id_bit(&e);
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_READ, .user = true);
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_FETCH, .user = true);
        EXPECT_PF(&e, PF_P | PF_W | PF_U, .la = LA_4K, .kind = PW_ACC_WRITE, .user = true);
        e.regs.cr0 &= ~CR0_WP; /* WP is irrelevant for user accesses */
        EXPECT_PF(&e, PF_P | PF_W | PF_U, .la = LA_4K, .kind = PW_ACC_WRITE, .user = true);
        assert_int_equal(pw_os_protect(e.os, LA_4K, PW_SIZE_4K, PTE_US | PTE_RW), PW_OK);
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_WRITE, .user = true);
        assert_int_equal(pw_os_protect(e.os, LA_4K, PW_SIZE_4K, PTE_RW), PW_OK); /* supervisor */
        EXPECT_PF(&e, PF_P | PF_U, .la = LA_4K, .kind = PW_ACC_READ, .user = true);
        EXPECT_PF(&e, PF_P | PF_W | PF_U, .la = LA_4K, .kind = PW_ACC_WRITE, .user = true);
        EXPECT_PF(&e, PF_P | PF_U | id, .la = LA_4K, .kind = PW_ACC_FETCH, .user = true);
        pw_env_free(&e);
    }
}

static void test_R8_3_user_fetch_needs_xd_clear(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        if (ALL_MODES[i] == PW_MODE_32)
            continue; /* no XD (R1.2) */
        pw_env e;
        setup_page(&e, ALL_MODES[i], PTE_US | PTE_RW | PTE_XD);
        EXPECT_PF(&e, PF_P | PF_U | PF_ID, .la = LA_4K, .kind = PW_ACC_FETCH, .user = true);
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_READ, .user = true);
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_WRITE, .user = true);
        pw_env_free(&e);
    }
}

static void test_R8_4_supervisor_reads_any_address(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_env e;
        setup_page(&e, ALL_MODES[i], 0); /* supervisor, read-only */
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_READ);
        assert_int_equal(pw_os_protect(e.os, LA_4K, PW_SIZE_4K, PTE_US), PW_OK);
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_READ); /* user page, SMAP off */
        pw_env_free(&e);
    }
}

static void test_R8_5_supervisor_write_obeys_wp(void **state)
{
    (void)state;
    static const uint64_t ro_pages[] = {0, PTE_US}; /* supervisor and user, both read-only */
    for (unsigned i = 0; i < N_MODES; i++) {
        for (unsigned p = 0; p < 2; p++) {
            pw_env e;
            setup_page(&e, ALL_MODES[i], ro_pages[p]);
            EXPECT_PF(&e, PF_P | PF_W, .la = LA_4K, .kind = PW_ACC_WRITE);
            EXPECT_PF(&e, PF_P | PF_W, .la = LA_4K, .kind = PW_ACC_WRITE, .user = true,
                      .implicit = true);
            e.regs.cr0 &= ~CR0_WP;
            EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_WRITE);
            EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_WRITE, .user = true, .implicit = true);
            pw_env_free(&e);
        }
    }
}

static void test_R8_5_wp0_write_still_subject_to_smap(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_env e;
        setup_page(&e, ALL_MODES[i], PTE_US); /* user, read-only */
        e.regs.cr0 &= ~CR0_WP;
        e.regs.cr4 |= CR4_SMAP;
        EXPECT_PF(&e, PF_P | PF_W, .la = LA_4K, .kind = PW_ACC_WRITE);
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_WRITE, .ac = true);
        pw_env_free(&e);
    }
}

static void test_R8_6_smap_blocks_supervisor_data_unless_ac(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_env e;
        setup_page(&e, ALL_MODES[i], PTE_US | PTE_RW);
        e.regs.cr4 |= CR4_SMAP;
        EXPECT_PF(&e, PF_P, .la = LA_4K, .kind = PW_ACC_READ);
        EXPECT_PF(&e, PF_P | PF_W, .la = LA_4K, .kind = PW_ACC_WRITE);
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_READ, .ac = true);
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_WRITE, .ac = true);
        /* SMAP never restricts user accesses. */
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_READ, .user = true);
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_WRITE, .user = true);
        pw_env_free(&e);
    }
}

static void test_R8_6_smap_implicit_ignores_ac(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_env e;
        setup_page(&e, ALL_MODES[i], PTE_US | PTE_RW);
        e.regs.cr4 |= CR4_SMAP;
        EXPECT_PF(&e, PF_P, .la = LA_4K, .kind = PW_ACC_READ, .implicit = true, .ac = true);
        EXPECT_PF(&e, PF_P | PF_W, .la = LA_4K, .kind = PW_ACC_WRITE, .implicit = true, .ac = true);
        /* Implicit at CPL=3 is a supervisor access: SMAP applies, U stays 0. */
        EXPECT_PF(&e, PF_P, .la = LA_4K, .kind = PW_ACC_READ, .user = true, .implicit = true,
                  .ac = true);
        e.regs.cr4 &= ~CR4_SMAP;
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_READ, .implicit = true);
        pw_env_free(&e);
    }
}

static void test_R8_6_smap_spares_fetches_and_supervisor_addresses(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_mode m = ALL_MODES[i];
        pw_env e;
        setup_page(&e, m, PTE_US | PTE_RW);
        e.regs.cr4 |= CR4_SMAP;
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_FETCH); /* SMEP off */
        /* U/S=0 in a non-leaf entry makes it a supervisor-mode address (R8.1). */
        unsigned l = PW_LVL_PD;
        env_entry_set(&e, LA_4K, l, env_entry_get(&e, LA_4K, l) & ~PTE_US);
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_READ);
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_WRITE);
        pw_env_free(&e);
    }
}

static void test_R8_9_xd_blocks_every_fetch(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        if (ALL_MODES[i] == PW_MODE_32)
            continue; /* no XD (R1.2) */
        static const uint64_t pages[] = {PTE_RW | PTE_XD, PTE_RW | PTE_US | PTE_XD};
        for (unsigned p = 0; p < 2; p++) {
            pw_env e;
            setup_page(&e, ALL_MODES[i], pages[p]);
            e.regs.cr0 &= ~CR0_WP;
            EXPECT_PF(&e, PF_P | PF_ID, .la = LA_4K, .kind = PW_ACC_FETCH);
            EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_READ);
            pw_env_free(&e);
        }
    }
}

static void test_R8_9_smep_blocks_supervisor_fetch_from_user_page(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_env e;
        setup_page(&e, ALL_MODES[i], PTE_US);
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_FETCH); /* SMEP off */
        e.regs.cr4 |= CR4_SMEP;
        /* SMEP also works in 32-bit paging; with SMEP the I/D bit is always set. */
        EXPECT_PF(&e, PF_P | PF_ID, .la = LA_4K, .kind = PW_ACC_FETCH);
        e.regs.cr0 &= ~CR0_WP;
        e.regs.efer &= ~EFER_NXE; /* whatever the NXE or WP setting */
        EXPECT_PF(&e, PF_P | PF_ID, .la = LA_4K, .kind = PW_ACC_FETCH);
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_FETCH, .user = true);
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_READ); /* SMEP is for fetches only */
        assert_int_equal(pw_os_protect(e.os, LA_4K, PW_SIZE_4K, 0), PW_OK);
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_FETCH); /* supervisor page */
        EXPECT_PF(&e, PF_P | PF_U | PF_ID, .la = LA_4K, .kind = PW_ACC_FETCH, .user = true);
        pw_env_free(&e);
    }
}

/* ---- R8.10: the same cached rights, different registers at access time ---- */

/* pw_rights_check under `regs` must give `err`, and a fresh walk under the same
 * registers must agree with it. */
static void check_at_access_time(pw_env *e, const pw_regs *regs, const pw_perm *perm,
                                 pw_request q, uint32_t err, int line)
{
    pw_rights_ctl c;
    pw_rights_ctl_of(regs, &c);
    uint32_t got = pw_rights_check(&c, &q, perm);
    if (got != err)
        fail_msg("line %d mode %s: pw_rights_check %#x, expected %#x", line, pw_mode_name(e->mode),
                 got, err);
    pw_regs saved = e->regs;
    e->regs = *regs;
    if (err)
        check_pf(e, q, err, line);
    else
        check_ok(e, q, line);
    e->regs = saved;
}

static void test_R8_10_rights_evaluated_at_access_time(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_env e;
        setup_page(&e, ALL_MODES[i], PTE_US); /* user, read-only */
        e.regs.cr0 &= ~CR0_WP;
        pw_result r = walk_line(&e, (pw_request){.la = LA_4K}, __LINE__);
        assert_int_equal(r.outcome, PW_OUT_OK);
        const pw_perm perm = r.perm; /* what a TLB would hold */
        pw_request wr = {.la = LA_4K, .kind = PW_ACC_WRITE};
        pw_request rd = {.la = LA_4K, .kind = PW_ACC_READ};
        pw_request fe = {.la = LA_4K, .kind = PW_ACC_FETCH};
        pw_request rd_ac = {.la = LA_4K, .kind = PW_ACC_READ, .ac = true};
        pw_request rd_impl = {.la = LA_4K, .kind = PW_ACC_READ, .ac = true, .implicit = true};

        pw_regs regs = e.regs; /* WP=0, no SMEP/SMAP */
        check_at_access_time(&e, &regs, &perm, wr, 0, __LINE__);
        check_at_access_time(&e, &regs, &perm, rd, 0, __LINE__);
        check_at_access_time(&e, &regs, &perm, fe, 0, __LINE__);
        regs.cr0 |= CR0_WP;
        check_at_access_time(&e, &regs, &perm, wr, PF_P | PF_W, __LINE__);
        regs.cr4 |= CR4_SMAP;
        check_at_access_time(&e, &regs, &perm, rd, PF_P, __LINE__);
        check_at_access_time(&e, &regs, &perm, rd_ac, 0, __LINE__);
        check_at_access_time(&e, &regs, &perm, rd_impl, PF_P, __LINE__);
        regs.cr4 |= CR4_SMEP;
        check_at_access_time(&e, &regs, &perm, fe, PF_P | PF_ID, __LINE__);
        pw_env_free(&e);
    }
}

/* Through the MMU: a TLB entry holds only the combined rights, and WP, SMAP
 * and AC are applied at lookup (R8.10; docs/tlb.md: no flush needed). */
static void test_R8_10_tlb_hit_applies_current_wp_smap_ac(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_env e;
        setup_page(&e, ALL_MODES[i], PTE_US | PTE_A | PTE_D); /* user, read-only, dirty */
        pw_mmu *m = test_calloc(1, sizeof *m);
        assert_non_null(m);
        assert_int_equal(pw_mmu_init(m, &e.cfg, &e.mem), PW_OK);
        pw_regs regs = e.regs;
        regs.cr0 &= ~CR0_WP;
        assert_int_equal(pw_mmu_set_regs(m, &regs), PW_OK);
        uint64_t cyc = 0;
        MMU_EXPECT(m, &cyc, MMU_OK, false, .la = LA_4K, .kind = PW_ACC_READ);   /* fills */
        MMU_EXPECT(m, &cyc, MMU_OK, true, .la = LA_4K, .kind = PW_ACC_WRITE);   /* WP=0 */
        mmu_ctl(m, &cyc, PW_CTL_MOV_CR4, regs.cr4 | CR4_SMAP);
        MMU_EXPECT(m, &cyc, MMU_OK, true, .la = LA_4K, .kind = PW_ACC_READ, .ac = true);
        MMU_EXPECT(m, &cyc, PF_P, false, .la = LA_4K, .kind = PW_ACC_READ, .ac = true,
                   .implicit = true);
        MMU_EXPECT(m, &cyc, PF_P, false, .la = LA_4K, .kind = PW_ACC_READ);
        MMU_EXPECT(m, &cyc, MMU_OK, false, .la = LA_4K, .kind = PW_ACC_READ, .ac = true);
        mmu_ctl(m, &cyc, PW_CTL_MOV_CR0, regs.cr0 | CR0_WP);
        MMU_EXPECT(m, &cyc, MMU_OK, true, .la = LA_4K, .kind = PW_ACC_READ, .ac = true);
        MMU_EXPECT(m, &cyc, PF_P | PF_W, false, .la = LA_4K, .kind = PW_ACC_WRITE, .ac = true);
        test_free(m);
        pw_env_free(&e);
    }
}

/* ---- truth tables of pw_rights_check (4-level, NXE=1: fetch faults carry I/D) ---- */

typedef struct {
    pw_perm perm;
    pw_request req;
    bool wp, smep, smap;
    uint32_t err;
} rights_row;

#define SUP_RO  {.nonleaf_rw = true}
#define SUP_RW  {.rw = true, .nonleaf_rw = true}
#define USER_RO {.us = true, .nonleaf_rw = true}
#define USER_RW {.rw = true, .us = true, .nonleaf_rw = true}
#define SUP_XD  {.rw = true, .xd = true, .nonleaf_rw = true}
#define USER_XD {.rw = true, .us = true, .xd = true, .nonleaf_rw = true}
#define RD  PW_ACC_READ
#define WR  PW_ACC_WRITE
#define FE  PW_ACC_FETCH

static void run_rows(const rights_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const rights_row *t = &rows[i];
        pw_rights_ctl c = {.wp = t->wp, .smep = t->smep, .smap = t->smap, .nxe = true,
                           .id_bit = true};
        uint32_t got = pw_rights_check(&c, &t->req, &t->perm);
        if (got != t->err)
            fail_msg("row %zu: got %#x, expected %#x", i, got, t->err);
    }
}

static void test_R8_3_user_truth_table(void **state)
{
    (void)state;
    static const rights_row rows[] = {
        {USER_RO, {.kind = RD, .user = true}, .err = 0},
        {SUP_RW, {.kind = RD, .user = true}, .err = PF_P | PF_U},
        {USER_RW, {.kind = WR, .user = true}, .wp = true, .err = 0},
        {USER_RO, {.kind = WR, .user = true}, .wp = false, .err = PF_P | PF_W | PF_U},
        {USER_RO, {.kind = WR, .user = true}, .wp = true, .err = PF_P | PF_W | PF_U},
        {SUP_RW, {.kind = WR, .user = true}, .err = PF_P | PF_W | PF_U},
        {USER_RO, {.kind = FE, .user = true}, .err = 0},
        {USER_XD, {.kind = FE, .user = true}, .err = PF_P | PF_U | PF_ID},
        {SUP_RW, {.kind = FE, .user = true}, .err = PF_P | PF_U | PF_ID},
        {USER_RW, {.kind = RD, .user = true}, .smap = true, .err = 0},
        {USER_RW, {.kind = WR, .user = true}, .smap = true, .err = 0},
        {USER_RO, {.kind = FE, .user = true}, .smep = true, .err = 0},
    };
    run_rows(rows, sizeof rows / sizeof rows[0]);
}

static void test_R8_5_supervisor_truth_table(void **state)
{
    (void)state;
    static const rights_row rows[] = {
        {SUP_RO, {.kind = RD}, .wp = true, .err = 0},                       /* R8.4 */
        {USER_RO, {.kind = RD}, .wp = true, .err = 0},                      /* R8.4 */
        {SUP_RO, {.kind = WR}, .wp = false, .err = 0},
        {SUP_RO, {.kind = WR}, .wp = true, .err = PF_P | PF_W},
        {USER_RO, {.kind = WR}, .wp = false, .err = 0},
        {USER_RO, {.kind = WR}, .wp = true, .err = PF_P | PF_W},
        {USER_RW, {.kind = WR}, .wp = true, .err = 0},
        {SUP_RW, {.kind = WR}, .wp = true, .err = 0},
        {SUP_RO, {.kind = WR, .user = true, .implicit = true}, .wp = true, .err = PF_P | PF_W},
        {SUP_RO, {.kind = WR, .user = true, .implicit = true}, .wp = false, .err = 0},
        {SUP_RO, {.kind = RD, .user = true, .implicit = true}, .wp = true, .err = 0},
    };
    run_rows(rows, sizeof rows / sizeof rows[0]);
}

static void test_R8_6_smap_truth_table(void **state)
{
    (void)state;
    static const rights_row rows[] = {
        {USER_RW, {.kind = RD}, .smap = true, .err = PF_P},
        {USER_RW, {.kind = RD, .ac = true}, .smap = true, .err = 0},
        {USER_RW, {.kind = WR}, .smap = true, .wp = true, .err = PF_P | PF_W},
        {USER_RW, {.kind = WR, .ac = true}, .smap = true, .wp = true, .err = 0},
        {USER_RW, {.kind = RD, .implicit = true, .ac = true}, .smap = true, .err = PF_P},
        {USER_RW, {.kind = WR, .implicit = true, .ac = true}, .smap = true, .err = PF_P | PF_W},
        {USER_RW, {.kind = RD, .user = true, .implicit = true, .ac = true}, .smap = true,
         .err = PF_P},
        {USER_RW, {.kind = RD, .implicit = true}, .smap = false, .err = 0},
        {SUP_RW, {.kind = RD}, .smap = true, .err = 0},
        {SUP_RW, {.kind = RD, .implicit = true}, .smap = true, .err = 0},
        {USER_RW, {.kind = FE}, .smap = true, .err = 0},
        {USER_RO, {.kind = WR, .ac = true}, .smap = true, .wp = true, .err = PF_P | PF_W},
        {USER_RO, {.kind = WR}, .smap = true, .wp = false, .err = PF_P | PF_W},
    };
    run_rows(rows, sizeof rows / sizeof rows[0]);
}

static void test_R8_9_fetch_truth_table(void **state)
{
    (void)state;
    static const rights_row rows[] = {
        {SUP_XD, {.kind = FE}, .err = PF_P | PF_ID},
        {USER_XD, {.kind = FE}, .err = PF_P | PF_ID},
        {USER_XD, {.kind = FE, .user = true}, .err = PF_P | PF_U | PF_ID},
        {USER_RW, {.kind = FE}, .smep = true, .wp = true, .err = PF_P | PF_ID},
        {USER_RW, {.kind = FE}, .smep = true, .wp = false, .err = PF_P | PF_ID},
        {USER_RO, {.kind = FE}, .smep = false, .err = 0},
        {SUP_RW, {.kind = FE}, .smep = true, .err = 0},
        {SUP_RO, {.kind = FE}, .wp = true, .err = 0}, /* R/W does not matter to fetches */
        {USER_RW, {.kind = FE, .user = true}, .smep = true, .err = 0},
        {SUP_RW, {.kind = FE, .user = true}, .err = PF_P | PF_U | PF_ID},
        {SUP_XD, {.kind = RD}, .err = 0}, /* XD is for fetches only */
    };
    run_rows(rows, sizeof rows / sizeof rows[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_R8_1_implicit_access_at_cpl3_is_supervisor),
        cmocka_unit_test(test_R8_1_user_address_needs_us_at_every_level),
        cmocka_unit_test(test_R8_2_rw_is_and_of_every_level),
        cmocka_unit_test(test_R8_2_xd_is_or_of_every_level),
        cmocka_unit_test(test_R8_2_pae_pdpte_contributes_permissive_rights),
        cmocka_unit_test(test_R8_3_user_accesses),
        cmocka_unit_test(test_R8_3_user_fetch_needs_xd_clear),
        cmocka_unit_test(test_R8_4_supervisor_reads_any_address),
        cmocka_unit_test(test_R8_5_supervisor_write_obeys_wp),
        cmocka_unit_test(test_R8_5_wp0_write_still_subject_to_smap),
        cmocka_unit_test(test_R8_6_smap_blocks_supervisor_data_unless_ac),
        cmocka_unit_test(test_R8_6_smap_implicit_ignores_ac),
        cmocka_unit_test(test_R8_6_smap_spares_fetches_and_supervisor_addresses),
        cmocka_unit_test(test_R8_9_xd_blocks_every_fetch),
        cmocka_unit_test(test_R8_9_smep_blocks_supervisor_fetch_from_user_page),
        cmocka_unit_test(test_R8_10_rights_evaluated_at_access_time),
        cmocka_unit_test(test_R8_10_tlb_hit_applies_current_wp_smap_ac),
        cmocka_unit_test(test_R8_3_user_truth_table),
        cmocka_unit_test(test_R8_5_supervisor_truth_table),
        cmocka_unit_test(test_R8_6_smap_truth_table),
        cmocka_unit_test(test_R8_9_fetch_truth_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
