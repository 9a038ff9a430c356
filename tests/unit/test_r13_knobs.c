/* R13 knobs of the model (x86-paging.md §13, types.h pw_config): maxphyaddr,
 * has_1g, has_pse36, has_pks, has_pcid, ad_on_fault, pae_pdpte, and the
 * combinations pw_config_check rejects. Each knob is shown through pw_mmu:
 * the same page tables give a different, rule-given answer per setting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mmu_fixture.h"

#define FLAGS_DIRTY (PTE_RW | PTE_A | PTE_D)
#define LA_A   FX_LA4(0, 1, 1, 1)
#define LA_A2  FX_LA4(0, 1, 1, 2)
#define LA_1G  FX_LA4(0, 2, 0, 0)
#define PA_A   UINT64_C(0x00123000)
#define PA_1G  UINT64_C(0x40000000)
#define M_36 36u
#define M_39 39u
#define M_40 40u
#define M_MIN 32u
#define M_MAX 52u
#define PKRS_AD(k) (UINT64_C(1) << (2 * (k)))
#define ENTRY8 8u

static pw_config cfg_default(void)
{
    pw_config c;
    pw_config_default(&c);
    return c;
}

static void expect_pf(const pw_mmu_response *r, uint32_t err, unsigned level)
{
    if (r->result.outcome != PW_OUT_PF || r->result.err_code != err || r->result.level != level)
        fail_msg("expected #PF %#x at level %u, got outcome %d err %#x level %u", err, level,
                 r->result.outcome, r->result.err_code, r->result.level);
}

/* ---- maxphyaddr ---- */

/* R5.1: 4-level bits 51:M are reserved; address bits below M are address. */
static void test_R13_maxphyaddr_sets_reserved_address_bits(void **state)
{
    (void)state;
    const uint64_t bit39 = PW_BIT(39);
    static const unsigned ms[] = {M_39, M_40};
    for (unsigned i = 0; i < sizeof ms / sizeof ms[0]; i++) {
        pw_config cfg = cfg_default();
        cfg.maxphyaddr = ms[i];
        fx_mmu fx;
        fx_init(&fx, PW_MODE_4LVL, &cfg, FX_DELAY_DEFAULT);
        assert_int_equal(pw_os_map(fx.env.os, LA_A, PA_A, PW_SIZE_4K, FLAGS_DIRTY), PW_OK);
        fx_set_entry(&fx, LA_A, PW_LVL_PT, fx_entry(&fx, LA_A, PW_LVL_PT) | bit39);
        pw_mmu_response r = fx_read(&fx, LA_A);
        if (ms[i] == M_40)
            fx_expect_ok(&r, PA_A | bit39);
        else
            expect_pf(&r, PF_P | PF_RSVD, PW_LVL_PT);
        fx_free(&fx);
    }
}

/* R5.1: PAE reserves 62:M. */
static void test_R13_maxphyaddr_in_pae_entries(void **state)
{
    (void)state;
    const uint64_t bit36 = PW_BIT(36), la = FX_LA4(0, 1, 1, 1);
    static const unsigned ms[] = {M_36, M_40};
    for (unsigned i = 0; i < sizeof ms / sizeof ms[0]; i++) {
        pw_config cfg = cfg_default();
        cfg.maxphyaddr = ms[i];
        fx_mmu fx;
        fx_init(&fx, PW_MODE_PAE, &cfg, FX_DELAY_DEFAULT);
        assert_int_equal(pw_os_map(fx.env.os, la, PA_A, PW_SIZE_4K, FLAGS_DIRTY), PW_OK);
        assert_int_equal(pw_env_load_regs(&fx.env), PW_OK);
        fx_load_regs(&fx);
        fx_set_entry(&fx, la, PW_LVL_PT, fx_entry(&fx, la, PW_LVL_PT) | bit36);
        pw_mmu_response r = fx_read(&fx, la);
        if (ms[i] == M_40)
            fx_expect_ok(&r, PA_A | bit36);
        else
            expect_pf(&r, PF_P | PF_RSVD, PW_LVL_PT);
        fx_free(&fx);
    }
}

/* R3.3: MOV CR3 with a bit at or above M is #GP. */
static void test_R13_maxphyaddr_bounds_cr3(void **state)
{
    (void)state;
    pw_config cfg = cfg_default();
    cfg.maxphyaddr = M_40;
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, &cfg, FX_DELAY_DEFAULT);
    uint64_t cr3 = fx.mmu->regs.cr3;
    assert_int_equal(fx_ctl(&fx, PW_CTL_MOV_CR3, cr3 | PW_BIT(M_40), 0, 0), PW_ERR_GP);
    assert_int_equal(fx.mmu->regs.cr3, cr3);
    fx_ctl_ok(&fx, PW_CTL_MOV_CR3, cr3 | PW_BIT(M_40 - 1), 0, 0);
    assert_int_equal(fx.mmu->regs.cr3, cr3 | PW_BIT(M_40 - 1));
    fx_free(&fx);
}

/* ---- has_1g (R5.4) ---- */

static void test_R13_has_1g_decides_pdpte_ps(void **state)
{
    (void)state;
    const uint64_t offset = UINT64_C(0x2345678);
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, NULL, FX_DELAY_DEFAULT);
    assert_int_equal(pw_os_map(fx.env.os, LA_1G, PA_1G, PW_SIZE_1G, FLAGS_DIRTY), PW_OK);
    pw_mmu_response r = fx_read(&fx, LA_1G + offset);
    fx_expect_ok(&r, PA_1G + offset);
    assert_int_equal(r.result.size, PW_SIZE_1G);
    assert_int_equal(r.result.level, PW_LVL_PDPT);

    pw_config no1g = cfg_default();
    no1g.has_1g = false;
    fx_mmu_reinit(&fx, &no1g);
    r = fx_read(&fx, LA_1G + offset);
    expect_pf(&r, PF_P | PF_RSVD, PW_LVL_PDPT);
    assert_int_equal(fx_tlb_count(&fx), 0);
    fx_free(&fx);
}

/* ---- has_pse36 (R2.2, R5.7) ---- */

/* A 32-bit 4 MiB PDE: PA[39:32] in bits 20:13; reserved 21:(M'-19) with
 * M' = min(M, 40), or 21:13 without PSE-36. */
static void test_R13_has_pse36_decides_4m_high_address_bits(void **state)
{
    (void)state;
    const uint64_t la = FX_LA32(1, 0), offset = 0x123456;
    const uint64_t pa = UINT64_C(0x100400000);      /* PA bit 32: PDE bit 13 */
    const uint64_t pde_bit16 = PW_BIT(16), pa_bit35 = PW_BIT(35);
    const uint64_t pde_bit17 = PW_BIT(17), pa_bit36 = PW_BIT(36);
    pw_config cfg = cfg_default();
    cfg.maxphyaddr = M_40;
    fx_mmu fx;
    fx_init(&fx, PW_MODE_32, &cfg, FX_DELAY_DEFAULT);
    assert_int_equal(pw_os_map(fx.env.os, la, pa, PW_SIZE_4M, FLAGS_DIRTY), PW_OK);
    uint64_t pde = fx_entry(&fx, la, PW_LVL_PD);
    assert_true(pde & PW_BIT(13));
    pw_mmu_response r = fx_read(&fx, la + offset);
    fx_expect_ok(&r, pa + offset);

    fx_set_entry(&fx, la, PW_LVL_PD, pde | pde_bit17);      /* M=40: bits 21:21 reserved */
    fx_ctl_ok(&fx, PW_CTL_INVLPG, 0, la, 0);
    r = fx_read(&fx, la);
    fx_expect_ok(&r, pa | pa_bit36);

    pw_config m36 = cfg;
    m36.maxphyaddr = M_36;                                   /* reserved 21:17 */
    fx_mmu_reinit(&fx, &m36);
    r = fx_read(&fx, la);
    expect_pf(&r, PF_P | PF_RSVD, PW_LVL_PD);
    fx_set_entry(&fx, la, PW_LVL_PD, pde | pde_bit16);
    r = fx_read(&fx, la);
    fx_expect_ok(&r, pa | pa_bit35);

    pw_config no36 = cfg;
    no36.has_pse36 = false;                                  /* reserved 21:13 */
    fx_mmu_reinit(&fx, &no36);
    fx_set_entry(&fx, la, PW_LVL_PD, pde);
    r = fx_read(&fx, la);
    expect_pf(&r, PF_P | PF_RSVD, PW_LVL_PD);
    fx_free(&fx);
}

/* ---- has_pks (R8.8) ---- */

static void test_R13_has_pks_gates_cr4_pks_and_wrpkrs(void **state)
{
    (void)state;
    pw_config nopks = cfg_default();
    nopks.has_pks = false;
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, &nopks, FX_DELAY_DEFAULT);
    uint64_t cr4 = fx.mmu->regs.cr4;
    assert_int_equal(fx_ctl(&fx, PW_CTL_MOV_CR4, cr4 | CR4_PKS, 0, 0), PW_ERR_GP);
    assert_int_equal(fx_ctl(&fx, PW_CTL_WRPKRS, PKRS_AD(0), 0, 0), PW_ERR_GP);
    pw_regs regs = fx.env.regs;
    regs.cr4 |= CR4_PKS;
    assert_int_equal(pw_mmu_set_regs(fx.mmu, &regs), PW_ERR_GP);
    fx_free(&fx);

    fx_init(&fx, PW_MODE_4LVL, NULL, FX_DELAY_DEFAULT);
    assert_int_equal(pw_os_map(fx.env.os, LA_A, PA_A, PW_SIZE_4K, FLAGS_DIRTY), PW_OK);
    fx_read(&fx, LA_A);
    fx_ctl_ok(&fx, PW_CTL_MOV_CR4, fx.mmu->regs.cr4 | CR4_PKS, 0, 0);
    fx_ctl_ok(&fx, PW_CTL_WRPKRS, PKRS_AD(0), 0, 0);
    pw_mmu_response r = fx_read(&fx, LA_A); /* supervisor page, key 0, AD */
    expect_pf(&r, PF_P | PF_PK, PW_LVL_PT);
    fx_free(&fx);
}

/* ---- has_pcid (R1.4, R11.5) ---- */

static void test_R13_has_pcid_gates_pcide_and_invpcid(void **state)
{
    (void)state;
    enum { INVPCID_ALL = 2 };
    pw_config nopcid = cfg_default();
    nopcid.has_pcid = false;
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, &nopcid, FX_DELAY_DEFAULT);
    assert_int_equal(fx_ctl(&fx, PW_CTL_MOV_CR4, fx.mmu->regs.cr4 | CR4_PCIDE, 0, 0), PW_ERR_GP);
    assert_int_equal(fx_ctl(&fx, PW_CTL_INVPCID, 0, 0, INVPCID_ALL), PW_ERR_GP);
    pw_regs regs = fx.env.regs;
    regs.cr4 |= CR4_PCIDE;
    assert_int_equal(pw_mmu_set_regs(fx.mmu, &regs), PW_ERR_GP);
    fx_free(&fx);

    fx_init(&fx, PW_MODE_4LVL, NULL, FX_DELAY_DEFAULT);
    fx_ctl_ok(&fx, PW_CTL_MOV_CR4, fx.mmu->regs.cr4 | CR4_PCIDE, 0, 0);
    fx_ctl_ok(&fx, PW_CTL_INVPCID, 0, 0, INVPCID_ALL);
    fx_free(&fx);
}

/* ---- ad_on_fault (R9.5) ---- */

/* A walk that faults: NONE writes nothing; NONLEAF_AS_WALKED leaves A set in the
 * non-leaf entries it passed, never in the leaf (R9.4). */
static void check_fault_a_bits(pw_ad_policy policy, bool leaf_present)
{
    pw_config cfg = cfg_default();
    cfg.ad_on_fault = policy;
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, &cfg, FX_DELAY_DEFAULT);
    pw_os_set_table_flags(fx.env.os, PTE_RW | PTE_US); /* non-leaf A = 0 */
    assert_int_equal(pw_os_map(fx.env.os, LA_A2, PA_A, PW_SIZE_4K, PTE_RW), PW_OK);
    if (leaf_present) /* a supervisor page read by a user: a rights fault */
        assert_int_equal(pw_os_map(fx.env.os, LA_A, PA_A, PW_SIZE_4K, PTE_RW), PW_OK);
    pw_mmu_response r = fx_access(&fx, LA_A, PW_ACC_READ, true);
    assert_int_equal(r.result.outcome, PW_OUT_PF);
    bool walked_a = policy == PW_AD_NONLEAF_AS_WALKED;
    for (unsigned l = PW_LVL_PD; l <= PW_LVL_PML4; l++)
        assert_int_equal((fx_entry(&fx, LA_A, l) & PTE_A) != 0, walked_a);
    assert_int_equal(fx.mmu->cnt.mem_cas, walked_a ? 3 : 0);
    if (leaf_present)
        assert_false(fx_entry(&fx, LA_A, PW_LVL_PT) & PTE_A);
    fx_free(&fx);
}

static void test_R13_ad_on_fault_none_writes_nothing(void **state)
{
    (void)state;
    check_fault_a_bits(PW_AD_NONE, false);
    check_fault_a_bits(PW_AD_NONE, true);
}

static void test_R13_ad_on_fault_nonleaf_as_walked(void **state)
{
    (void)state;
    check_fault_a_bits(PW_AD_NONLEAF_AS_WALKED, false);
    check_fault_a_bits(PW_AD_NONLEAF_AS_WALKED, true);
}

/* ---- pae_pdpte (R6, R6.5, timing.md decision 7) ---- */

static void setup_pae(fx_mmu *fx, pw_pdpte_policy policy, uint64_t la)
{
    pw_config cfg = cfg_default();
    cfg.pae_pdpte = policy;
    fx_init(fx, PW_MODE_PAE, &cfg, FX_DELAY_DEFAULT);
    assert_int_equal(pw_os_map(fx->env.os, la, PA_A, PW_SIZE_4K, PTE_RW), PW_OK); /* A = 0 */
    assert_int_equal(pw_env_load_regs(&fx->env), PW_OK);
    fx_load_regs(fx);
}

static void test_R13_pae_pdpte_registers(void **state)
{
    (void)state;
    const uint64_t la = FX_LA4(0, 2, 1, 1);
    fx_mmu fx;
    setup_pae(&fx, PW_PDPTE_REGISTERS, la);
    pw_mmu_response r = fx_read(&fx, la);
    fx_expect_ok(&r, PA_A);
    assert_int_equal(r.n_access, 3); /* PDE, PTE, CAS of the PTE's A */
    assert_int_equal(r.trace[0].acc.level, PW_LVL_PD);
    /* R6.3: a later write to the PDPT in memory has no effect until a load. */
    uint64_t pdpte_pa = fx_entry_pa(&fx, la, PW_LVL_PDPT), pdpte = fx_peek(&fx, pdpte_pa);
    fx_poke(&fx, pdpte_pa, 0);
    fx_ctl_ok(&fx, PW_CTL_INVLPG, 0, la, 0);
    r = fx_read(&fx, la);
    fx_expect_ok(&r, PA_A);
    /* R6.2: a MOV CR3 that would load a present PDPTE with a reserved bit (R/W,
     * R5.6) is #GP and loads nothing. */
    fx_poke(&fx, pdpte_pa, pdpte | PTE_RW);
    pw_regs before = fx.mmu->regs;
    assert_int_equal(fx_ctl(&fx, PW_CTL_MOV_CR3, before.cr3, 0, 0), PW_ERR_GP);
    assert_memory_equal(&fx.mmu->regs, &before, sizeof before);
    fx_free(&fx);
}

static void test_R13_pae_pdpte_on_demand(void **state)
{
    (void)state;
    const unsigned quarter = 2;
    const uint64_t la = FX_LA4(0, quarter, 1, 1);
    fx_mmu fx;
    setup_pae(&fx, PW_PDPTE_ON_DEMAND, la);
    uint64_t cr3 = fx.mmu->regs.cr3, pdpte_pa = (cr3 & CR3_PAE_BASE) + quarter * ENTRY8;
    uint64_t pdpte = fx_peek(&fx, pdpte_pa);
    pw_mmu_response r = fx_read(&fx, la);
    fx_expect_ok(&r, PA_A);
    assert_int_equal(r.n_access, 4); /* PDPTE, PDE, PTE, CAS of the PTE */
    assert_int_equal(r.trace[0].acc.kind, PW_MEM_READ);
    assert_int_equal(r.trace[0].acc.pa, pdpte_pa);
    assert_int_equal(r.trace[0].acc.size, ENTRY8);
    assert_int_equal(r.trace[0].acc.level, PW_LVL_PDPT);
    assert_int_equal(r.trace[3].acc.level, PW_LVL_PT);
    assert_int_equal(fx_peek(&fx, pdpte_pa), pdpte); /* never written (R6.4) */
    assert_int_equal(fx_psc_count(&fx, PW_LVL_PDPT), 0);
    /* R6.5: a reserved bit gives #PF(RSVD) at level 3, on the next walk. */
    fx_poke(&fx, pdpte_pa, pdpte | PTE_RW);
    fx_ctl_ok(&fx, PW_CTL_INVLPG, 0, la, 0);
    r = fx_read(&fx, la);
    expect_pf(&r, PF_P | PF_RSVD, PW_LVL_PDPT);
    fx_free(&fx);
}

/* ---- pw_config_check ---- */

static void test_R13_config_check_rejects_bad_combinations(void **state)
{
    (void)state;
    static const struct {
        const char *what;
        unsigned maxphyaddr, tlb, psc0, psc1, psc2, psc5, ad, pdpte, restarts;
        pw_status want;
    } rows[] = {
        /* what              M   tlb psc0 psc1 psc2 psc5 ad pdpte rst  status */
        {"defaults",         46, 32, 0, 0, 8, 2, 0, 0, 16, PW_OK},
        {"M min",            M_MIN, 32, 0, 0, 8, 2, 0, 0, 16, PW_OK},
        {"M max",            M_MAX, 32, 0, 0, 8, 2, 0, 0, 16, PW_OK},
        {"M too small",      M_MIN - 1, 32, 0, 0, 8, 2, 0, 0, 16, PW_ERR_CONFIG},
        {"M too large",      M_MAX + 1, 32, 0, 0, 8, 2, 0, 0, 16, PW_ERR_CONFIG},
        {"tlb 1",            46, 1, 0, 0, 8, 2, 0, 0, 16, PW_OK},
        {"tlb max",          46, PW_TLB_MAX_ENTRIES, 0, 0, 8, 2, 0, 0, 16, PW_OK},
        {"tlb 0",            46, 0, 0, 0, 8, 2, 0, 0, 16, PW_ERR_CONFIG},
        {"tlb not pow2",     46, 24, 0, 0, 8, 2, 0, 0, 16, PW_ERR_CONFIG},
        {"tlb too large",    46, 2 * PW_TLB_MAX_ENTRIES, 0, 0, 8, 2, 0, 0, 16, PW_ERR_CONFIG},
        {"psc absent",       46, 32, 0, 0, 0, 0, 0, 0, 16, PW_OK},
        {"psc 1 and max",    46, 32, 0, 0, 1, PW_PSC_MAX_ENTRIES, 0, 0, 16, PW_OK},
        {"psc[0] set",       46, 32, 1, 0, 8, 2, 0, 0, 16, PW_ERR_CONFIG},
        {"psc[1] set",       46, 32, 0, 1, 8, 2, 0, 0, 16, PW_ERR_CONFIG},
        {"psc not pow2",     46, 32, 0, 0, 6, 2, 0, 0, 16, PW_ERR_CONFIG},
        {"psc too large",    46, 32, 0, 0, 8, 2 * PW_PSC_MAX_ENTRIES, 0, 0, 16, PW_ERR_CONFIG},
        {"ad policy",        46, 32, 0, 0, 8, 2, 2, 0, 16, PW_ERR_CONFIG},
        {"pdpte policy",     46, 32, 0, 0, 8, 2, 0, 2, 16, PW_ERR_CONFIG},
        {"no restarts",      46, 32, 0, 0, 8, 2, 0, 0, 0, PW_ERR_CONFIG},
    };
    pw_env env;
    assert_int_equal(pw_env_init(&env, PW_MODE_4LVL, NULL, 0), PW_OK);
    for (unsigned i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        pw_config c = cfg_default();
        c.maxphyaddr = rows[i].maxphyaddr;
        c.tlb_entries = rows[i].tlb;
        c.psc_entries[0] = rows[i].psc0;
        c.psc_entries[1] = rows[i].psc1;
        c.psc_entries[PW_LVL_PD] = rows[i].psc2;
        c.psc_entries[PW_LVL_PML5] = rows[i].psc5;
        c.ad_on_fault = (pw_ad_policy)rows[i].ad;
        c.pae_pdpte = (pw_pdpte_policy)rows[i].pdpte;
        c.max_restarts = rows[i].restarts;
        const char *msg = "unset";
        pw_status st = pw_config_check(&c, &msg);
        if (st != rows[i].want)
            fail_msg("%s: expected %s, got %s", rows[i].what, pw_status_str(rows[i].want),
                     pw_status_str(st));
        if (st == PW_OK)
            assert_null(msg);
        else
            assert_true(msg && *msg);
        assert_int_equal(pw_config_check(&c, NULL), st);
        pw_mmu *m = calloc(1, sizeof *m);
        assert_non_null(m);
        assert_int_equal(pw_mmu_init(m, &c, &env.mem), st);
        free(m);
    }
    const char *msg = NULL;
    assert_int_equal(pw_config_check(NULL, &msg), PW_ERR_ARG);
    assert_non_null(msg);
    pw_env_free(&env);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_R13_maxphyaddr_sets_reserved_address_bits),
        cmocka_unit_test(test_R13_maxphyaddr_in_pae_entries),
        cmocka_unit_test(test_R13_maxphyaddr_bounds_cr3),
        cmocka_unit_test(test_R13_has_1g_decides_pdpte_ps),
        cmocka_unit_test(test_R13_has_pse36_decides_4m_high_address_bits),
        cmocka_unit_test(test_R13_has_pks_gates_cr4_pks_and_wrpkrs),
        cmocka_unit_test(test_R13_has_pcid_gates_pcide_and_invpcid),
        cmocka_unit_test(test_R13_ad_on_fault_none_writes_nothing),
        cmocka_unit_test(test_R13_ad_on_fault_nonleaf_as_walked),
        cmocka_unit_test(test_R13_pae_pdpte_registers),
        cmocka_unit_test(test_R13_pae_pdpte_on_demand),
        cmocka_unit_test(test_R13_config_check_rejects_bad_combinations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
