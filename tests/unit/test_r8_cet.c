/* CET shadow-stack accesses (R8.11): with CR4.CET=1, a shadow-stack access
 * needs a shadow-stack page — leaf R/W=0 and D=1, every non-leaf R/W=1 — of
 * the access's own privilege (user access: user page; supervisor access:
 * supervisor page); anything else faults with SS=1 in the error code (§10).
 * Without CR4.CET the request's shadow_stack flag is ignored. Every mode. */
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
#define LA_BIG UINT64_C(0x00c00000) /* 4 MiB aligned: a 2 MiB or 4 MiB page */
#define PA_BIG UINT64_C(0x00400000)

#define SS_PAGE   PTE_D             /* supervisor shadow-stack page: R/W=0, D=1 */
#define SS_USER   (PTE_US | PTE_D)  /* user shadow-stack page */

/* ---- helpers ---- */

/* Mode `m`, one 4 KiB page at LA_4K, CR4.CET=1 (CR0.WP=1 as CET requires). */
static void setup_page(pw_env *e, pw_mode m, uint64_t flags)
{
    env_setup_map(e, m, NULL, LA_4K, PA_4K, PW_SIZE_4K, flags);
    e->regs.cr4 |= CR4_CET;
    assert_int_equal(pw_regs_validate(&e->cfg, &e->regs, NULL), PW_OK);
}

/* ---- tests ---- */

static void test_R8_11_supervisor_ss_access_to_ss_page(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_env e;
        setup_page(&e, ALL_MODES[i], SS_PAGE);
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_READ, .shadow_stack = true);
        /* A shadow-stack write to the R/W=0 page is allowed although CR0.WP=1. */
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_WRITE, .shadow_stack = true);
        /* An ordinary write to it is not. */
        EXPECT_PF(&e, PF_P | PF_W, .la = LA_4K, .kind = PW_ACC_WRITE);
        pw_env_free(&e);
    }
}

static void test_R8_11_user_ss_access_needs_user_page(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_env e;
        setup_page(&e, ALL_MODES[i], SS_USER);
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_READ, .user = true, .shadow_stack = true);
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_WRITE, .user = true, .shadow_stack = true);
        assert_int_equal(pw_os_protect(e.os, LA_4K, PW_SIZE_4K, SS_PAGE), PW_OK);
        EXPECT_PF(&e, PF_P | PF_U | PF_SS, .la = LA_4K, .kind = PW_ACC_READ, .user = true,
                  .shadow_stack = true);
        EXPECT_PF(&e, PF_P | PF_W | PF_U | PF_SS, .la = LA_4K, .kind = PW_ACC_WRITE, .user = true,
                  .shadow_stack = true);
        pw_env_free(&e);
    }
}

static void test_R8_11_supervisor_ss_access_needs_supervisor_page(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_env e;
        setup_page(&e, ALL_MODES[i], SS_USER); /* SMAP off, and AC=1 below: still a fault */
        EXPECT_PF(&e, PF_P | PF_SS, .la = LA_4K, .kind = PW_ACC_READ, .shadow_stack = true);
        EXPECT_PF(&e, PF_P | PF_W | PF_SS, .la = LA_4K, .kind = PW_ACC_WRITE, .ac = true,
                  .shadow_stack = true);
        /* Leaf U/S=1 with a non-leaf U/S=0 is a supervisor page (R8.1). */
        env_entry_set(&e, LA_4K, PW_LVL_PD, env_entry_get(&e, LA_4K, PW_LVL_PD) & ~PTE_US);
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_WRITE, .shadow_stack = true);
        pw_env_free(&e);
    }
}

static void test_R8_11_ss_access_to_writable_page_faults(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_env e;
        setup_page(&e, ALL_MODES[i], PTE_RW | PTE_D);
        EXPECT_PF(&e, PF_P | PF_SS, .la = LA_4K, .kind = PW_ACC_READ, .shadow_stack = true);
        EXPECT_PF(&e, PF_P | PF_W | PF_SS, .la = LA_4K, .kind = PW_ACC_WRITE, .shadow_stack = true);
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_WRITE); /* an ordinary write is fine */
        pw_env_free(&e);
    }
}

static void test_R8_11_ss_access_to_clean_readonly_page_faults(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_env e;
        setup_page(&e, ALL_MODES[i], PTE_A); /* R/W=0 but D=0 */
        EXPECT_PF(&e, PF_P | PF_SS, .la = LA_4K, .kind = PW_ACC_READ, .shadow_stack = true);
        EXPECT_PF(&e, PF_P | PF_W | PF_SS, .la = LA_4K, .kind = PW_ACC_WRITE, .shadow_stack = true);
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_READ); /* an ordinary read is fine */
        pw_env_free(&e);
    }
}

static void test_R8_11_ss_page_needs_writable_nonleaf_entries(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_mode m = ALL_MODES[i];
        pw_env e;
        setup_page(&e, m, SS_PAGE);
        for (unsigned l = pw_mode_levels(m); l > PW_LVL_PT; l--) {
            if (m == PW_MODE_PAE && l == PW_LVL_PDPT)
                continue; /* a PAE PDPTE counts as R/W=1 (R6.3) */
            uint64_t orig = env_entry_get(&e, LA_4K, l);
            env_entry_set(&e, LA_4K, l, orig & ~PTE_RW);
            EXPECT_PF(&e, PF_P | PF_SS, .la = LA_4K, .kind = PW_ACC_READ, .shadow_stack = true);
            EXPECT_PF(&e, PF_P | PF_W | PF_SS, .la = LA_4K, .kind = PW_ACC_WRITE,
                      .shadow_stack = true);
            EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_READ);
            env_entry_set(&e, LA_4K, l, orig);
            EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_READ, .shadow_stack = true);
        }
        pw_env_free(&e);
    }
}

static void test_R8_11_large_ss_page(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_mode m = ALL_MODES[i];
        pw_page_size s = m == PW_MODE_32 ? PW_SIZE_4M : PW_SIZE_2M;
        pw_env e;
        assert_int_equal(pw_env_init(&e, m, NULL, 0), PW_OK);
        assert_int_equal(pw_os_map(e.os, LA_BIG, PA_BIG, s, SS_USER), PW_OK);
        assert_int_equal(pw_env_load_regs(&e), PW_OK);
        e.regs.cr4 |= CR4_CET;
        EXPECT_OK(&e, .la = LA_BIG, .kind = PW_ACC_WRITE, .user = true, .shadow_stack = true);
        assert_int_equal(pw_os_protect(e.os, LA_BIG, s, SS_USER | PTE_RW), PW_OK);
        EXPECT_PF(&e, PF_P | PF_W | PF_U | PF_SS, .la = LA_BIG, .kind = PW_ACC_WRITE, .user = true,
                  .shadow_stack = true);
        pw_env_free(&e);
    }
}

static void test_R8_11_ss_bit_on_not_present_fault(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_env e;
        setup_page(&e, ALL_MODES[i], SS_PAGE);
        EXPECT_PF(&e, PF_SS, .la = LA_UNMAPPED, .kind = PW_ACC_READ, .shadow_stack = true);
        EXPECT_PF(&e, PF_W | PF_U | PF_SS, .la = LA_UNMAPPED, .kind = PW_ACC_WRITE, .user = true,
                  .shadow_stack = true);
        pw_env_free(&e);
    }
}

static void test_R8_11_flag_ignored_without_cr4_cet(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_env e;
        setup_page(&e, ALL_MODES[i], PTE_RW);
        e.regs.cr4 &= ~CR4_CET;
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_WRITE, .shadow_stack = true);
        EXPECT_OK(&e, .la = LA_4K, .kind = PW_ACC_READ, .shadow_stack = true);
        EXPECT_PF(&e, PF_W, .la = LA_UNMAPPED, .kind = PW_ACC_WRITE, .shadow_stack = true);
        assert_int_equal(pw_os_protect(e.os, LA_4K, PW_SIZE_4K, SS_PAGE), PW_OK);
        /* The shadow-stack page is an ordinary read-only page now. */
        EXPECT_PF(&e, PF_P | PF_W, .la = LA_4K, .kind = PW_ACC_WRITE, .shadow_stack = true);
        EXPECT_PF(&e, PF_P | PF_U, .la = LA_4K, .kind = PW_ACC_READ, .user = true,
                  .shadow_stack = true);
        pw_env_free(&e);
    }
}

static void test_R8_11_rights_check_truth_table(void **state)
{
    (void)state;
    static const struct {
        pw_perm perm;
        pw_request req;
        bool cet;
        uint32_t err;
    } rows[] = {
        /* supervisor shadow-stack page */
        {{.dirty = true, .nonleaf_rw = true}, {.kind = PW_ACC_WRITE, .shadow_stack = true}, true, 0},
        {{.dirty = true, .nonleaf_rw = false}, {.kind = PW_ACC_WRITE, .shadow_stack = true}, true,
         PF_P | PF_W | PF_SS},
        {{.dirty = false, .nonleaf_rw = true}, {.kind = PW_ACC_READ, .shadow_stack = true}, true,
         PF_P | PF_SS},
        {{.rw = true, .dirty = true, .nonleaf_rw = true}, {.kind = PW_ACC_READ, .shadow_stack = true},
         true, PF_P | PF_SS},
        {{.us = true, .dirty = true, .nonleaf_rw = true}, {.kind = PW_ACC_READ, .shadow_stack = true},
         true, PF_P | PF_SS},
        {{.us = true, .dirty = true, .nonleaf_rw = true},
         {.kind = PW_ACC_READ, .user = true, .shadow_stack = true}, true, 0},
        {{.dirty = true, .nonleaf_rw = true},
         {.kind = PW_ACC_READ, .user = true, .shadow_stack = true}, true, PF_P | PF_U | PF_SS},
        /* CET off: an ordinary access */
        {{.rw = true, .nonleaf_rw = true}, {.kind = PW_ACC_WRITE, .shadow_stack = true}, false, 0},
        {{.dirty = true, .nonleaf_rw = true}, {.kind = PW_ACC_WRITE, .shadow_stack = true}, false,
         PF_P | PF_W},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        pw_rights_ctl c = {.wp = true, .cet = rows[i].cet, .nxe = true, .id_bit = true};
        uint32_t got = pw_rights_check(&c, &rows[i].req, &rows[i].perm);
        if (got != rows[i].err)
            fail_msg("row %zu: got %#x, expected %#x", i, got, rows[i].err);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_R8_11_supervisor_ss_access_to_ss_page),
        cmocka_unit_test(test_R8_11_user_ss_access_needs_user_page),
        cmocka_unit_test(test_R8_11_supervisor_ss_access_needs_supervisor_page),
        cmocka_unit_test(test_R8_11_ss_access_to_writable_page_faults),
        cmocka_unit_test(test_R8_11_ss_access_to_clean_readonly_page_faults),
        cmocka_unit_test(test_R8_11_ss_page_needs_writable_nonleaf_entries),
        cmocka_unit_test(test_R8_11_large_ss_page),
        cmocka_unit_test(test_R8_11_ss_bit_on_not_present_fault),
        cmocka_unit_test(test_R8_11_flag_ignored_without_cr4_cet),
        cmocka_unit_test(test_R8_11_rights_check_truth_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
