/* R5: reserved bits. A reserved bit in a present entry is #PF with P=1 and
 * RSVD=1 at that entry's level (R5.1-R5.5, R5.7), PAE PDPTEs are checked at
 * load time (R5.6), P=0 entries are never checked (R5.8), and the bits §4
 * calls ignored are not reserved (R5.9). Each case sets one bit in a mapped
 * entry and expects the outcome the rule gives for that bit. */
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
#define LEAF      (PTE_RW | PTE_A | PTE_D)
#define KEEP      (~UINT64_C(0))             /* and-mask that keeps the entry */
#define PAE_TOP_RSVD 62                      /* R5.1: PAE reserves 62:M */
#define LONG_TOP_RSVD 51                     /* R5.1: 4/5-level reserves 51:M */
#define PSE36_MAX 40                         /* R5.7: M' = min(M, 40) */
#define PDE32_RSVD_HI 21                     /* R5.7: 21:(M'-19) */
#define PSE36_RSVD_OFFSET 19
#define PDE32_LARGE_LO 13                    /* R5.7: without PSE-36, 21:13 */
#define PAE_PDPTES 4

typedef struct {
    pw_mode mode;
    unsigned m;           /* MAXPHYADDR */
    bool has_1g, pse36, nxe;
    pw_pdpte_policy pdpte;
} setup;

/* ---- helpers ---- */

static setup std(pw_mode mode, unsigned m)
{
    return (setup){.mode = mode, .m = m, .has_1g = true, .pse36 = true, .nxe = true,
                   .pdpte = PW_PDPTE_REGISTERS};
}

static void reload(pw_env *env, const setup *s)
{
    assert_int_equal(pw_env_load_regs(env), PW_OK);   /* PAE: raw PDPTE copy, no check */
    if (!s->nxe)
        env->regs.efer &= ~EFER_NXE;
}

static void env_setup(pw_env *env, const setup *s)
{
    pw_config cfg;
    pw_config_default(&cfg);
    cfg.maxphyaddr = s->m;
    cfg.has_1g = s->has_1g;
    cfg.has_pse36 = s->pse36;
    cfg.pae_pdpte = s->pdpte;
    assert_int_equal(pw_env_init(env, s->mode, &cfg, 0), PW_OK);
    reload(env, s);
}

typedef struct {
    pw_result res;
    uint64_t entry_pa, entry;   /* the entry changed */
} probe_out;

/* Map la -> pa at `size`, replace the entry at `level` by (entry & and_mask) | or_bits,
 * and walk a supervisor read of la | LA_OFFSET. */
static probe_out probe(const setup *s, pw_page_size size, uint64_t la, uint64_t pa, unsigned level,
                       uint64_t and_mask, uint64_t or_bits)
{
    pw_env env;
    env_setup(&env, s);
    assert_int_equal(pw_os_map(env.os, la, pa, size, LEAF), PW_OK);
    probe_out o;
    assert_int_equal(pw_os_entry_pa(env.os, la, level, &o.entry_pa), PW_OK);
    o.entry = (env_peek(&env, o.entry_pa) & and_mask) | or_bits;
    env_poke(&env, o.entry_pa, o.entry);
    reload(&env, s);
    pw_request req = {.la = la | LA_OFFSET, .kind = PW_ACC_READ};
    assert_int_equal(pw_walk(&env.cfg, &env.regs, &env.mem, &req, &o.res), PW_OK);
    pw_env_free(&env);
    return o;
}

static void expect_rsvd(const probe_out *o, unsigned level)
{
    assert_int_equal(o->res.outcome, PW_OUT_PF);
    assert_int_equal(o->res.err_code, PF_P | PF_RSVD);
    assert_int_equal(o->res.level, level);
    assert_int_equal(o->res.entry_pa, o->entry_pa);
    assert_int_equal(o->res.raw_entry, o->entry);
}

static void expect_ok(const probe_out *o)
{
    assert_int_equal(o->res.outcome, PW_OUT_OK);
}

static bool is_long(pw_mode m)
{
    return m == PW_MODE_4LVL || m == PW_MODE_5LVL;
}

/* ---- R5.1 ---- */

static void test_R5_1_maxphyaddr_bits_reserved_long(void **state)
{
    (void)state;
    static const pw_mode modes[] = {PW_MODE_4LVL, PW_MODE_5LVL};
    static const unsigned ms[] = {36, 46, 52};
    for (unsigned i = 0; i < 2; i++) {
        for (unsigned j = 0; j < 3; j++) {
            setup s = std(modes[i], ms[j]);
            unsigned m = ms[j];
            for (unsigned l = pw_mode_levels(s.mode); l >= PW_LVL_PT; l--) {
                const unsigned bits[] = {m, LONG_TOP_RSVD};     /* ends of 51:M */
                for (unsigned k = 0; k < 2 && m <= LONG_TOP_RSVD; k++) {
                    probe_out o = probe(&s, PW_SIZE_4K, LA_DATA, PA_DATA, l, KEEP, PW_BIT(bits[k]));
                    expect_rsvd(&o, l);
                }
            }
            /* Bit M-1 is an address bit; with M=52, bits 58:52 are ignored. */
            probe_out o = probe(&s, PW_SIZE_4K, LA_DATA, PA_DATA, PW_LVL_PT, KEEP, PW_BIT(m - 1));
            expect_ok(&o);
            assert_int_equal(o.res.pa, PW_BIT(m - 1) | PA_DATA | LA_OFFSET);
            if (m == 52) {
                o = probe(&s, PW_SIZE_4K, LA_DATA, PA_DATA, PW_LVL_PT, KEEP, PW_BITS(58, 52));
                expect_ok(&o);
                assert_int_equal(o.res.pa, PA_DATA | LA_OFFSET);
            }
            /* Large leaves too. */
            if (m < 52) {
                o = probe(&s, PW_SIZE_2M, LA_2M, PA_2M, PW_LVL_PD, KEEP, PW_BIT(m));
                expect_rsvd(&o, PW_LVL_PD);
                o = probe(&s, PW_SIZE_1G, LA_1G, PA_1G, PW_LVL_PDPT, KEEP, PW_BIT(m));
                expect_rsvd(&o, PW_LVL_PDPT);
            }
        }
    }
}

/* PAE: 62:M reserved, 62:52 included even with M=52, and the PK field too. */
static void test_R5_1_maxphyaddr_bits_reserved_pae(void **state)
{
    (void)state;
    static const unsigned ms[] = {36, 46, 52};
    for (unsigned j = 0; j < 3; j++) {
        unsigned m = ms[j];
        setup s = std(PW_MODE_PAE, m);
        const unsigned bits[] = {m, 52, 59, PAE_TOP_RSVD};
        for (unsigned k = 0; k < 4; k++) {
            if (bits[k] < m)
                continue;
            for (unsigned l = PW_LVL_PD; l >= PW_LVL_PT; l--) {
                probe_out o = probe(&s, PW_SIZE_4K, LA_DATA, PA_DATA, l, KEEP, PW_BIT(bits[k]));
                expect_rsvd(&o, l);
            }
            probe_out o = probe(&s, PW_SIZE_2M, LA_2M, PA_2M, PW_LVL_PD, KEEP, PW_BIT(bits[k]));
            expect_rsvd(&o, PW_LVL_PD);
        }
        probe_out o = probe(&s, PW_SIZE_4K, LA_DATA, PA_DATA, PW_LVL_PT, KEEP, PW_BIT(m - 1));
        expect_ok(&o);
        assert_int_equal(o.res.pa, PW_BIT(m - 1) | PA_DATA | LA_OFFSET);
    }
}

/* ---- R5.2 ---- */

/* NXE=0: bit 63 is reserved at every level of PAE/4/5-level paging; NXE=1: it is XD. */
static void test_R5_2_xd_reserved_without_nxe(void **state)
{
    (void)state;
    static const pw_mode modes[] = {PW_MODE_PAE, PW_MODE_4LVL, PW_MODE_5LVL};
    for (unsigned i = 0; i < 3; i++) {
        for (int nxe = 0; nxe <= 1; nxe++) {
            setup s = std(modes[i], 46);
            s.nxe = nxe;
            unsigned top = modes[i] == PW_MODE_PAE ? PW_LVL_PD : pw_mode_levels(modes[i]);
            for (unsigned l = top; l >= PW_LVL_PT; l--) {
                probe_out o = probe(&s, PW_SIZE_4K, LA_DATA, PA_DATA, l, KEEP, PTE_XD);
                if (nxe) {
                    expect_ok(&o);
                    assert_true(o.res.perm.xd);
                } else {
                    expect_rsvd(&o, l);
                }
            }
            probe_out o = probe(&s, PW_SIZE_2M, LA_2M, PA_2M, PW_LVL_PD, KEEP, PTE_XD);
            if (nxe)
                expect_ok(&o);
            else
                expect_rsvd(&o, PW_LVL_PD);
        }
    }
}

/* A PAE PDPTE's bit 63 is reserved even with NXE=1: #GP at load with
 * registers, #PF(RSVD) when read on demand. */
static void test_R5_2_pae_pdpte_bit63_always_reserved(void **state)
{
    (void)state;
    setup s = std(PW_MODE_PAE, 46);
    s.pdpte = PW_PDPTE_ON_DEMAND;
    probe_out o = probe(&s, PW_SIZE_4K, LA_DATA, PA_DATA, PW_LVL_PDPT, KEEP, PTE_XD);
    expect_rsvd(&o, PW_LVL_PDPT);

    s.pdpte = PW_PDPTE_REGISTERS;
    pw_env env;
    env_setup(&env, &s);
    assert_int_equal(pw_os_map(env.os, LA_DATA, PA_DATA, PW_SIZE_4K, LEAF), PW_OK);
    uint64_t pa;
    assert_int_equal(pw_os_entry_pa(env.os, LA_DATA, PW_LVL_PDPT, &pa), PW_OK);
    env_poke(&env, pa, env_peek(&env, pa) | PTE_XD);
    pw_regs before = env.regs;
    assert_int_equal(pw_regs_load_pdptes(&env.cfg, &env.regs, &env.mem), PW_ERR_GP);
    assert_memory_equal(&env.regs, &before, sizeof before);
    pw_env_free(&env);
}

/* ---- R5.3 ---- */

static void test_R5_3_ps_at_pml4e_pml5e_reserved(void **state)
{
    (void)state;
    static const pw_mode modes[] = {PW_MODE_4LVL, PW_MODE_5LVL};
    for (unsigned i = 0; i < 2; i++) {
        for (int g = 0; g <= 1; g++) {
            setup s = std(modes[i], 46);
            s.has_1g = g;
            for (unsigned l = pw_mode_levels(modes[i]); l >= PW_LVL_PML4; l--) {
                probe_out o = probe(&s, PW_SIZE_4K, LA_DATA, PA_DATA, l, KEEP, PTE_PS);
                expect_rsvd(&o, l);
            }
        }
    }
}

/* ---- R5.4 ---- */

static void test_R5_4_ps_at_pdpte_reserved_without_1g(void **state)
{
    (void)state;
    static const pw_mode modes[] = {PW_MODE_4LVL, PW_MODE_5LVL};
    for (unsigned i = 0; i < 2; i++) {
        for (int g = 0; g <= 1; g++) {
            setup s = std(modes[i], 46);
            s.has_1g = g;
            /* The builder refuses 1 GiB pages without has_1g: write the PDPTE raw. */
            probe_out o = probe(&s, PW_SIZE_4K, LA_1G, PA_DATA, PW_LVL_PDPT, 0,
                                PA_1G | PTE_P | PTE_PS | LEAF);
            if (!g) {
                expect_rsvd(&o, PW_LVL_PDPT);
            } else {
                expect_ok(&o);
                assert_int_equal(o.res.size, PW_SIZE_1G);
                assert_int_equal(o.res.pa, (o.entry & PW_BITS(45, 30)) | LA_OFFSET);
            }
        }
    }
}

/* ---- R5.5 ---- */

static void test_R5_5_large_page_low_address_bits_reserved(void **state)
{
    (void)state;
    static const pw_mode modes[] = {PW_MODE_PAE, PW_MODE_4LVL, PW_MODE_5LVL};
    for (unsigned i = 0; i < 3; i++) {
        setup s = std(modes[i], 46);
        static const unsigned pd_bits[] = {13, 17, 20};          /* 2 MiB: 20:13 */
        for (unsigned k = 0; k < 3; k++) {
            probe_out o = probe(&s, PW_SIZE_2M, LA_2M, PA_2M, PW_LVL_PD, KEEP, PW_BIT(pd_bits[k]));
            expect_rsvd(&o, PW_LVL_PD);
        }
        probe_out o = probe(&s, PW_SIZE_2M, LA_2M, PA_2M, PW_LVL_PD, KEEP, PTE_PAT_LARGE);
        expect_ok(&o);                                            /* bit 12 is PAT */
        assert_int_equal(o.res.memtype, PW_MT_PAT);
        assert_int_equal(o.res.pa, PA_2M | LA_OFFSET);
        if (!is_long(modes[i]))
            continue;
        static const unsigned pdpt_bits[] = {13, 21, 29};        /* 1 GiB: 29:13 */
        for (unsigned k = 0; k < 3; k++) {
            o = probe(&s, PW_SIZE_1G, LA_1G, PA_1G, PW_LVL_PDPT, KEEP, PW_BIT(pdpt_bits[k]));
            expect_rsvd(&o, PW_LVL_PDPT);
        }
        o = probe(&s, PW_SIZE_1G, LA_1G, PA_1G, PW_LVL_PDPT, KEEP, PTE_PAT_LARGE);
        expect_ok(&o);
        assert_int_equal(o.res.memtype, PW_MT_PAT);
        assert_int_equal(o.res.pa, PA_1G | LA_OFFSET);
    }
}

/* ---- R5.6 ---- */

/* PAE PDPTE: 2:1, 8:5, 63 and 62:M reserved; 11:9, PWT and PCD are not.
 * Registers: the load is #GP and changes nothing; on demand: #PF(RSVD). */
static void test_R5_6_pae_pdpte_reserved_bits(void **state)
{
    (void)state;
    static const unsigned ms[] = {36, 46, 52};
    for (unsigned j = 0; j < 3; j++) {
        unsigned m = ms[j];
        const uint64_t rsvd[] = {PTE_RW, PTE_US, PTE_A, PTE_D, PTE_PS, PTE_G, PTE_XD,
                                 PW_BIT(m < 52 ? m : 52), PW_BIT(PAE_TOP_RSVD)};
        for (size_t k = 0; k < sizeof rsvd / sizeof rsvd[0]; k++) {
            setup s = std(PW_MODE_PAE, m);
            s.pdpte = PW_PDPTE_ON_DEMAND;
            probe_out o = probe(&s, PW_SIZE_4K, LA_DATA, PA_DATA, PW_LVL_PDPT, KEEP, rsvd[k]);
            expect_rsvd(&o, PW_LVL_PDPT);

            s.pdpte = PW_PDPTE_REGISTERS;
            pw_env env;
            env_setup(&env, &s);
            assert_int_equal(pw_os_map(env.os, LA_DATA, PA_DATA, PW_SIZE_4K, LEAF), PW_OK);
            uint64_t pa;
            assert_int_equal(pw_os_entry_pa(env.os, LA_DATA, PW_LVL_PDPT, &pa), PW_OK);
            env_poke(&env, pa, env_peek(&env, pa) | rsvd[k]);
            pw_regs before = env.regs;
            assert_int_equal(pw_regs_load_pdptes(&env.cfg, &env.regs, &env.mem), PW_ERR_GP);
            assert_memory_equal(&env.regs, &before, sizeof before);
            pw_env_free(&env);
        }
    }
    static const pw_pdpte_policy pol[] = {PW_PDPTE_REGISTERS, PW_PDPTE_ON_DEMAND};
    for (unsigned p = 0; p < 2; p++) {
        setup s = std(PW_MODE_PAE, 46);
        s.pdpte = pol[p];
        probe_out o = probe(&s, PW_SIZE_4K, LA_DATA, PA_DATA, PW_LVL_PDPT, KEEP,
                            PW_BITS(11, 9) | PTE_PWT | PTE_PCD);
        expect_ok(&o);
        assert_int_equal(o.res.pa, PA_DATA | LA_OFFSET);
    }
}

/* ---- R5.7 ---- */

/* 4 MiB PDE: bits 21:(M'-19) reserved with PSE-36 (M'=min(M,40)), 21:13
 * without. Every bit of 21:13 is tried; a bit below the reserved range is
 * PA[32 + bit - 13]. */
static void test_R5_7_32bit_4m_reserved_bits_by_maxphyaddr(void **state)
{
    (void)state;
    static const struct {
        bool pse36;
        unsigned m;
    } t[] = {{true, 46}, {true, 40}, {true, 38}, {true, 36}, {true, 33}, {true, 32},
             {false, 46}, {false, 36}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        setup s = std(PW_MODE_32, t[i].m);
        s.pse36 = t[i].pse36;
        unsigned mp = t[i].m < PSE36_MAX ? t[i].m : PSE36_MAX;
        unsigned lo = t[i].pse36 ? mp - PSE36_RSVD_OFFSET : PDE32_LARGE_LO;
        for (unsigned b = PDE32_LARGE_LO; b <= PDE32_RSVD_HI; b++) {
            probe_out o = probe(&s, PW_SIZE_4M, LA_4M, PA_4M, PW_LVL_PD, KEEP, PW_BIT(b));
            if (b >= lo) {
                expect_rsvd(&o, PW_LVL_PD);
            } else {
                expect_ok(&o);
                assert_int_equal(o.res.pa, PW_BIT(32 + b - PDE32_PSE36_SHIFT) | PA_4M | LA_OFFSET);
            }
        }
    }
}

/* PTEs and PDEs that point to a page table have no reserved bits. */
static void test_R5_7_32bit_pte_and_pde_table_no_reserved_bits(void **state)
{
    (void)state;
    setup s = std(PW_MODE_32, 46);
    probe_out o = probe(&s, PW_SIZE_4K, LA_DATA, PA_DATA, PW_LVL_PT, 0, PW_BITS(31, 0));
    expect_ok(&o);
    assert_int_equal(o.res.pa, PW_BITS(31, 12) | LA_OFFSET);
    o = probe(&s, PW_SIZE_4K, LA_DATA, PA_DATA, PW_LVL_PD, KEEP, PTE_D | PTE_G | PW_BITS(11, 9));
    expect_ok(&o);
    assert_int_equal(o.res.pa, PA_DATA | LA_OFFSET);
}

/* ---- R5.8 ---- */

/* The same reserved bits: #PF(RSVD) with P=1, plain not-present with P=0. */
static void test_R5_8_reserved_bits_not_checked_when_not_present(void **state)
{
    (void)state;
    static const struct {
        pw_mode mode;
        pw_page_size size;
        uint64_t la, pa;
        unsigned level;
        uint64_t bits;
    } t[] = {
        {PW_MODE_32, PW_SIZE_4M, LA_4M, PA_4M, PW_LVL_PD, PW_BIT(PDE32_RSVD_HI)},
        {PW_MODE_PAE, PW_SIZE_4K, LA_DATA, PA_DATA, PW_LVL_PT, PW_BIT(PAE_TOP_RSVD)},
        {PW_MODE_PAE, PW_SIZE_2M, LA_2M, PA_2M, PW_LVL_PD, PW_BIT(13)},
        {PW_MODE_4LVL, PW_SIZE_4K, LA_DATA, PA_DATA, PW_LVL_PT, PW_BIT(LONG_TOP_RSVD)},
        {PW_MODE_4LVL, PW_SIZE_4K, LA_DATA, PA_DATA, PW_LVL_PML4, PTE_PS},
        {PW_MODE_4LVL, PW_SIZE_1G, LA_1G, PA_1G, PW_LVL_PDPT, PW_BIT(29)},
        {PW_MODE_5LVL, PW_SIZE_4K, LA_DATA, PA_DATA, PW_LVL_PML5, PTE_PS | PW_BIT(46)},
        {PW_MODE_5LVL, PW_SIZE_2M, LA_2M, PA_2M, PW_LVL_PD, PW_BIT(20)},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        for (int nxe = 0; nxe <= 1; nxe++) {
            setup s = std(t[i].mode, 46);
            s.nxe = nxe;
            uint64_t bits = t[i].bits | (nxe || t[i].mode == PW_MODE_32 ? 0 : PTE_XD);
            probe_out o = probe(&s, t[i].size, t[i].la, t[i].pa, t[i].level, KEEP, bits);
            expect_rsvd(&o, t[i].level);
            o = probe(&s, t[i].size, t[i].la, t[i].pa, t[i].level, ~PTE_P, bits);
            assert_int_equal(o.res.outcome, PW_OUT_PF);
            assert_int_equal(o.res.err_code, 0);
            assert_int_equal(o.res.level, t[i].level);
            assert_int_equal(o.res.raw_entry, o.entry);
        }
    }
    /* PAE PDPTE registers: a not-present PDPTE with reserved bits loads fine. */
    setup s = std(PW_MODE_PAE, 46);
    pw_env env;
    env_setup(&env, &s);
    assert_int_equal(pw_os_map(env.os, LA_DATA, PA_DATA, PW_SIZE_4K, LEAF), PW_OK);
    uint64_t pa, bad = PTE_RW | PTE_PS | PTE_XD | PW_BIT(PAE_TOP_RSVD);
    assert_int_equal(pw_os_entry_pa(env.os, LA_DATA, PW_LVL_PDPT, &pa), PW_OK);
    env_poke(&env, pa, (env_peek(&env, pa) & ~PTE_P) | bad);
    assert_int_equal(pw_regs_load_pdptes(&env.cfg, &env.regs, &env.mem), PW_OK);
    pw_request req = {.la = LA_DATA, .kind = PW_ACC_READ};
    pw_result res;
    assert_int_equal(pw_walk(&env.cfg, &env.regs, &env.mem, &req, &res), PW_OK);
    assert_int_equal(res.outcome, PW_OUT_PF);
    assert_int_equal(res.err_code, 0);
    assert_int_equal(res.level, PW_LVL_PDPT);
    pw_env_free(&env);
}

/* ---- R5.9 ---- */

/* Non-leaf bit 6, bit 8, 11:9 (all modes) and 62:52 with the PK field
 * (4/5-level) are ignored. */
static void test_R5_9_nonleaf_ignored_bits_not_reserved(void **state)
{
    (void)state;
    static const pw_mode modes[] = {PW_MODE_32, PW_MODE_PAE, PW_MODE_4LVL, PW_MODE_5LVL};
    for (unsigned i = 0; i < 4; i++) {
        setup s = std(modes[i], 46);
        uint64_t bits = PTE_D | PTE_G | PW_BITS(11, 9) | (is_long(modes[i]) ? PW_BITS(62, 52) : 0);
        unsigned top = modes[i] == PW_MODE_PAE ? PW_LVL_PD : pw_mode_levels(modes[i]);
        for (unsigned l = top; l > PW_LVL_PT; l--) {
            probe_out o = probe(&s, PW_SIZE_4K, LA_DATA, PA_DATA, l, KEEP, bits);
            expect_ok(&o);
            assert_int_equal(o.res.pa, PA_DATA | LA_OFFSET);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_R5_1_maxphyaddr_bits_reserved_long),
        cmocka_unit_test(test_R5_1_maxphyaddr_bits_reserved_pae),
        cmocka_unit_test(test_R5_2_xd_reserved_without_nxe),
        cmocka_unit_test(test_R5_2_pae_pdpte_bit63_always_reserved),
        cmocka_unit_test(test_R5_3_ps_at_pml4e_pml5e_reserved),
        cmocka_unit_test(test_R5_4_ps_at_pdpte_reserved_without_1g),
        cmocka_unit_test(test_R5_5_large_page_low_address_bits_reserved),
        cmocka_unit_test(test_R5_6_pae_pdpte_reserved_bits),
        cmocka_unit_test(test_R5_7_32bit_4m_reserved_bits_by_maxphyaddr),
        cmocka_unit_test(test_R5_7_32bit_pte_and_pde_table_no_reserved_bits),
        cmocka_unit_test(test_R5_8_reserved_bits_not_checked_when_not_present),
        cmocka_unit_test(test_R5_9_nonleaf_ignored_bits_not_reserved),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
