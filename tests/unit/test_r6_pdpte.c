/* R6: the PAE PDPTE registers. When they are loaded (R6.1), the all-or-nothing
 * #GP on a reserved bit (R6.2), translation from the registers rather than
 * memory (R6.3), no A flag and no writes (R6.4), and the on-demand policy
 * that reads them on every walk (R6.5).
 *
 * Fixture: PAE paging with LA k<<30 | 0x1000 mapped for k = 0..3, so all four
 * PDPTEs are present. A load is detected by changing PDPTE 3 in memory (to a
 * copy of PDPTE 0) and comparing the register with memory afterwards. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "support/env.h"
#include "support/recmem.h"

#define PAE_PDPTES 4
#define PDPTE_SLOT 3                 /* the slot changed to detect a load */
#define LA_PAGE    UINT64_C(0x1000)
#define PA_BASE    UINT64_C(0x00100000)
#define LA_OFFSET  UINT64_C(0x2c4)
#define LEAF_ALL   (PTE_RW | PTE_US | PTE_A | PTE_D)
#define PAE_TOP_RSVD 62

typedef struct {
    pw_env env;
    uint64_t base;                 /* CR3[31:5] */
    uint64_t e[PAE_PDPTES];        /* PDPTEs as built */
} fx;

/* ---- helpers ---- */

static uint64_t la_of(unsigned k) { return (uint64_t)k << 30 | LA_PAGE; }
static uint64_t pa_of(unsigned k) { return PA_BASE * (k + 1); }

static void fx_up_with(fx *f, unsigned m, pw_pdpte_policy pol, pw_ad_policy ad, uint64_t table_flags,
                       uint64_t leaf_flags)
{
    pw_config cfg;
    pw_config_default(&cfg);
    cfg.maxphyaddr = m;
    cfg.pae_pdpte = pol;
    cfg.ad_on_fault = ad;
    assert_int_equal(pw_env_init(&f->env, PW_MODE_PAE, &cfg, 0), PW_OK);
    pw_os_set_table_flags(f->env.os, table_flags);
    for (unsigned k = 0; k < PAE_PDPTES; k++)
        assert_int_equal(pw_os_map(f->env.os, la_of(k), pa_of(k), PW_SIZE_4K, leaf_flags), PW_OK);
    assert_int_equal(pw_env_load_regs(&f->env), PW_OK);
    f->base = f->env.regs.cr3 & CR3_PAE_BASE;
    for (unsigned k = 0; k < PAE_PDPTES; k++) {
        assert_int_equal(pw_image_read64(f->env.img, f->base + k * sizeof(uint64_t), &f->e[k]), PW_OK);
        assert_true(f->e[k] & PTE_P);
        assert_int_equal(f->env.regs.pdpte[k], f->e[k]);
    }
}

static void fx_up(fx *f, unsigned m, pw_pdpte_policy pol)
{
    fx_up_with(f, m, pol, PW_AD_NONE, PTE_RW | PTE_US | PTE_A, LEAF_ALL);
}

static void slot_write(fx *f, unsigned k, uint64_t v)
{
    assert_int_equal(pw_image_write64(f->env.img, f->base + k * sizeof(uint64_t), v), PW_OK);
}

static uint64_t slot_read(fx *f, unsigned k)
{
    uint64_t v;
    assert_int_equal(pw_image_read64(f->env.img, f->base + k * sizeof(uint64_t), &v), PW_OK);
    return v;
}

/* Change PDPTE_SLOT in memory to the other of e[0] / e[3]; returns the new value. */
static uint64_t flip_slot(fx *f)
{
    uint64_t v = slot_read(f, PDPTE_SLOT) == f->e[PDPTE_SLOT] ? f->e[0] : f->e[PDPTE_SLOT];
    slot_write(f, PDPTE_SLOT, v);
    return v;
}

static void assert_loaded(fx *f)
{
    for (unsigned k = 0; k < PAE_PDPTES; k++)
        assert_int_equal(f->env.regs.pdpte[k], slot_read(f, k));
}

static void assert_regs_equal(const pw_regs *a, const pw_regs *b)
{
    assert_memory_equal(a, b, sizeof *a);
}

static pw_status mov_cr0(fx *f, uint64_t v) { return pw_regs_mov_cr0(&f->env.cfg, &f->env.regs, &f->env.mem, v, NULL); }
static pw_status mov_cr3(fx *f, uint64_t v) { return pw_regs_mov_cr3(&f->env.cfg, &f->env.regs, &f->env.mem, v, NULL); }
static pw_status mov_cr4(fx *f, uint64_t v) { return pw_regs_mov_cr4(&f->env.cfg, &f->env.regs, &f->env.mem, v, NULL); }

static pw_result walk(fx *f, uint64_t la, pw_access_kind kind, bool user)
{
    rec_mem r;
    return rec_walk(&f->env, &r, la, kind, user);
}

static bool touches_pdpt(const fx *f, const rec_mem *r, pw_mem_kind kind)
{
    for (unsigned i = 0; i < r->n && i < REC_MAX_ACC; i++)
        if (r->acc[i].kind == kind && r->acc[i].pa >= f->base &&
            r->acc[i].pa < f->base + PAE_PDPTES * sizeof(uint64_t))
            return true;
    return false;
}

/* ---- R6.1 ---- */

static void test_R6_1_mov_cr3_loads_pdptes(void **state)
{
    (void)state;
    fx f;
    fx_up(&f, 46, PW_PDPTE_REGISTERS);
    uint64_t v = flip_slot(&f);
    assert_int_equal(f.env.regs.pdpte[PDPTE_SLOT], f.e[PDPTE_SLOT]);
    assert_int_equal(mov_cr3(&f, f.env.regs.cr3), PW_OK);
    assert_int_equal(f.env.regs.pdpte[PDPTE_SLOT], v);
    assert_loaded(&f);
    /* LA 3<<30 now walks PDPTE 0's directory: the page of LA 0<<30. */
    pw_result res = walk(&f, la_of(PDPTE_SLOT) | LA_OFFSET, PW_ACC_READ, false);
    assert_int_equal(res.outcome, PW_OUT_OK);
    assert_int_equal(res.pa, pa_of(0) | LA_OFFSET);
    pw_env_free(&f.env);
}

/* CR0.CD, NW, PG changes that leave PAE paging on reload the PDPTEs. */
static void test_R6_1_mov_cr0_cd_nw_pg_reload(void **state)
{
    (void)state;
    fx f;
    fx_up(&f, 46, PW_PDPTE_REGISTERS);
    uint64_t cr0 = f.env.regs.cr0;
    const uint64_t seq[] = {cr0 | CR0_CD, cr0 | CR0_CD | CR0_NW, cr0 | CR0_CD, cr0};
    for (unsigned i = 0; i < sizeof seq / sizeof seq[0]; i++) {
        uint64_t v = flip_slot(&f);
        assert_int_equal(mov_cr0(&f, seq[i]), PW_OK);
        assert_int_equal(f.env.regs.pdpte[PDPTE_SLOT], v);
        assert_loaded(&f);
    }
    /* PG 1->0 leaves PAE paging: no load; PG 0->1 enters it: load. */
    uint64_t v = flip_slot(&f);
    uint64_t old = f.env.regs.pdpte[PDPTE_SLOT];
    assert_int_equal(mov_cr0(&f, cr0 & ~CR0_PG), PW_OK);
    assert_int_equal(f.env.regs.pdpte[PDPTE_SLOT], old);
    assert_int_equal(mov_cr0(&f, cr0), PW_OK);
    assert_int_equal(f.env.regs.pdpte[PDPTE_SLOT], v);
    assert_loaded(&f);
    pw_env_free(&f.env);
}

static void test_R6_1_mov_cr0_wp_no_reload(void **state)
{
    (void)state;
    fx f;
    fx_up(&f, 46, PW_PDPTE_REGISTERS);
    flip_slot(&f);
    assert_int_equal(mov_cr0(&f, f.env.regs.cr0 & ~CR0_WP), PW_OK);
    assert_int_equal(f.env.regs.pdpte[PDPTE_SLOT], f.e[PDPTE_SLOT]);
    assert_int_equal(mov_cr0(&f, f.env.regs.cr0 | CR0_WP), PW_OK);
    assert_int_equal(f.env.regs.pdpte[PDPTE_SLOT], f.e[PDPTE_SLOT]);
    assert_int_equal(mov_cr0(&f, f.env.regs.cr0), PW_OK);        /* no change at all */
    assert_int_equal(f.env.regs.pdpte[PDPTE_SLOT], f.e[PDPTE_SLOT]);
    pw_env_free(&f.env);
}

/* CR4.PGE, PSE, SMEP changes reload; so does PAE 0->1 from 32-bit paging. */
static void test_R6_1_mov_cr4_pge_pse_smep_pae_reload(void **state)
{
    (void)state;
    fx f;
    fx_up(&f, 46, PW_PDPTE_REGISTERS);
    static const uint64_t bits[] = {CR4_PGE, CR4_PSE, CR4_SMEP};
    for (unsigned i = 0; i < 3; i++) {
        for (int on = 1; on >= 0; on--) {
            uint64_t v = flip_slot(&f);
            uint64_t cr4 = on ? f.env.regs.cr4 | bits[i] : f.env.regs.cr4 & ~bits[i];
            assert_int_equal(mov_cr4(&f, cr4), PW_OK);
            assert_int_equal(f.env.regs.pdpte[PDPTE_SLOT], v);
            assert_loaded(&f);
        }
    }
    /* 32-bit paging -> PAE paging. */
    f.env.regs.cr4 &= ~CR4_PAE;
    assert_int_equal(pw_mode_of(&f.env.regs), PW_MODE_32);
    uint64_t v = flip_slot(&f);
    assert_int_equal(mov_cr4(&f, f.env.regs.cr4 | CR4_PAE), PW_OK);
    assert_int_equal(f.env.regs.pdpte[PDPTE_SLOT], v);
    assert_loaded(&f);
    pw_env_free(&f.env);
}

static void test_R6_1_mov_cr4_other_bits_no_reload(void **state)
{
    (void)state;
    fx f;
    fx_up(&f, 46, PW_PDPTE_REGISTERS);
    flip_slot(&f);
    static const uint64_t bits[] = {CR4_SMAP, CR4_PKE, CR4_LA57};
    for (unsigned i = 0; i < 3; i++) {
        assert_int_equal(mov_cr4(&f, f.env.regs.cr4 | bits[i]), PW_OK);
        assert_int_equal(f.env.regs.pdpte[PDPTE_SLOT], f.e[PDPTE_SLOT]);
        assert_int_equal(mov_cr4(&f, f.env.regs.cr4 & ~bits[i]), PW_OK);
        assert_int_equal(f.env.regs.pdpte[PDPTE_SLOT], f.e[PDPTE_SLOT]);
    }
    pw_env_free(&f.env);
}

/* Writes that do not end in PAE paging load nothing, so a reserved bit in
 * memory is no #GP: PG 1->0, PAE 1->0, and MOV CR3 in 32-bit or 4/5-level paging. */
static void test_R6_1_no_load_outside_pae_paging(void **state)
{
    (void)state;
    fx f;
    fx_up(&f, 46, PW_PDPTE_REGISTERS);
    slot_write(&f, PDPTE_SLOT, f.e[PDPTE_SLOT] | PTE_RW);    /* reserved (R5.6) */
    pw_regs start = f.env.regs;
    assert_int_equal(mov_cr0(&f, f.env.regs.cr0 & ~CR0_PG), PW_OK);
    assert_memory_equal(f.env.regs.pdpte, start.pdpte, sizeof start.pdpte);
    f.env.regs = start;
    assert_int_equal(mov_cr4(&f, f.env.regs.cr4 & ~CR4_PAE), PW_OK);
    assert_int_equal(pw_mode_of(&f.env.regs), PW_MODE_32);
    assert_memory_equal(f.env.regs.pdpte, start.pdpte, sizeof start.pdpte);
    assert_int_equal(mov_cr3(&f, f.env.regs.cr3), PW_OK);         /* 32-bit paging */
    assert_int_equal(mov_cr4(&f, f.env.regs.cr4 ^ CR4_PGE), PW_OK);
    assert_memory_equal(f.env.regs.pdpte, start.pdpte, sizeof start.pdpte);
    pw_env_free(&f.env);

    /* 4/5-level: the root's entries have R/W, U/S and A set, reserved in a PDPTE. */
    static const pw_mode modes[] = {PW_MODE_4LVL, PW_MODE_5LVL};
    for (unsigned i = 0; i < 2; i++) {
        pw_env env;
        assert_int_equal(pw_env_init(&env, modes[i], NULL, 0), PW_OK);
        assert_int_equal(pw_os_map(env.os, LA_PAGE, PA_BASE, PW_SIZE_4K, LEAF_ALL), PW_OK);
        pw_regs before = env.regs;
        assert_int_equal(pw_regs_mov_cr3(&env.cfg, &env.regs, &env.mem, env.regs.cr3, NULL), PW_OK);
        assert_int_equal(pw_regs_mov_cr4(&env.cfg, &env.regs, &env.mem, env.regs.cr4 ^ CR4_PGE, NULL),
                         PW_OK);
        assert_memory_equal(env.regs.pdpte, before.pdpte, sizeof before.pdpte);
        pw_env_free(&env);
    }
}

/* ---- R6.2 ---- */

typedef enum { VIA_CR3, VIA_CR0_PG, VIA_CR0_CD, VIA_CR4_PGE, VIA_CR4_PAE, VIA_LOAD, VIA_COUNT } via;

/* Put the registers in the state before the load, then do the load that `v` names. */
static pw_status load_via(fx *f, via v)
{
    pw_regs *r = &f->env.regs;
    switch (v) {
    case VIA_CR3: return mov_cr3(f, r->cr3);
    case VIA_CR0_PG:
        r->cr0 &= ~CR0_PG;
        return mov_cr0(f, r->cr0 | CR0_PG);
    case VIA_CR0_CD: return mov_cr0(f, r->cr0 | CR0_CD);
    case VIA_CR4_PGE: return mov_cr4(f, r->cr4 ^ CR4_PGE);
    case VIA_CR4_PAE:
        r->cr4 &= ~CR4_PAE;
        return mov_cr4(f, r->cr4 | CR4_PAE);
    default: return pw_regs_load_pdptes(&f->env.cfg, r, &f->env.mem);
    }
}

/* A present PDPTE with a reserved bit: #GP, no register changes, and no
 * PDPTE is loaded, not even the good ones before it. */
static void test_R6_2_pdpte_reserved_bits_gp_nothing_loaded(void **state)
{
    (void)state;
    static const unsigned ms[] = {36, 46, 52};
    for (unsigned j = 0; j < 3; j++) {
        unsigned m = ms[j];
        const uint64_t rsvd[] = {PTE_RW, PTE_US, PTE_A, PTE_D, PTE_PS, PTE_G, PTE_XD,
                                 PW_BIT(m < 52 ? m : 52), PW_BIT(PAE_TOP_RSVD)};
        for (size_t k = 0; k < sizeof rsvd / sizeof rsvd[0]; k++) {
            for (unsigned v = 0; v < VIA_COUNT; v++) {
                fx f;
                fx_up(&f, m, PW_PDPTE_REGISTERS);
                slot_write(&f, 0, f.e[1]);                  /* a good change before the bad one */
                slot_write(&f, 2, f.e[2] | rsvd[k]);
                if (v == VIA_CR0_PG)
                    f.env.regs.cr0 &= ~CR0_PG;
                if (v == VIA_CR4_PAE)
                    f.env.regs.cr4 &= ~CR4_PAE;
                pw_regs before = f.env.regs;
                assert_int_equal(load_via(&f, v), PW_ERR_GP);
                assert_regs_equal(&f.env.regs, &before);
                pw_env_free(&f.env);

                /* The same bits with P=0: loaded as they are. */
                fx_up(&f, m, PW_PDPTE_REGISTERS);
                uint64_t np = (f.e[2] | rsvd[k]) & ~PTE_P;
                slot_write(&f, 2, np);
                assert_int_equal(load_via(&f, v), PW_OK);
                assert_int_equal(f.env.regs.pdpte[2], np);
                assert_loaded(&f);
                pw_env_free(&f.env);
            }
        }
    }
}

/* ---- R6.3 ---- */

/* Walks use the registers: a PDPT changed in memory has no effect until the
 * next load, and the walk never reads the PDPT. */
static void test_R6_3_translation_uses_registers_until_reload(void **state)
{
    (void)state;
    fx f;
    fx_up(&f, 46, PW_PDPTE_REGISTERS);
    slot_write(&f, 1, 0);
    rec_mem r;
    pw_result res = rec_walk(&f.env, &r, la_of(1) | LA_OFFSET, PW_ACC_READ, false);
    assert_int_equal(res.outcome, PW_OUT_OK);
    assert_int_equal(res.pa, pa_of(1) | LA_OFFSET);
    assert_false(touches_pdpt(&f, &r, PW_MEM_READ));
    assert_int_equal(mov_cr3(&f, f.env.regs.cr3), PW_OK);
    res = walk(&f, la_of(1), PW_ACC_READ, false);
    assert_int_equal(res.outcome, PW_OUT_PF);
    assert_int_equal(res.err_code, 0);
    assert_int_equal(res.level, PW_LVL_PDPT);
    assert_int_equal(res.raw_entry, 0);
    assert_int_equal(res.entry_pa, f.base + 1 * sizeof(uint64_t));
    pw_env_free(&f.env);
}

/* A PDPTE register with P=0 is #PF with P=0; the code describes the access. */
static void test_R6_3_pdpte_register_not_present_pf(void **state)
{
    (void)state;
    fx f;
    fx_up(&f, 46, PW_PDPTE_REGISTERS);
    f.env.regs.pdpte[2] = f.e[2] & ~PTE_P;
    static const struct {
        pw_access_kind kind;
        bool user;
        uint32_t err;
    } t[] = {
        {PW_ACC_READ, false, 0},
        {PW_ACC_WRITE, true, PF_W | PF_U},
        {PW_ACC_FETCH, false, PF_ID},          /* NXE=1 in PAE paging (R10.1) */
    };
    for (unsigned i = 0; i < 3; i++) {
        pw_result res = walk(&f, la_of(2), t[i].kind, t[i].user);
        assert_int_equal(res.outcome, PW_OUT_PF);
        assert_int_equal(res.err_code, t[i].err);
        assert_int_equal(res.level, PW_LVL_PDPT);
        assert_int_equal(res.raw_entry, f.e[2] & ~PTE_P);
        assert_int_equal(res.entry_pa, f.base + 2 * sizeof(uint64_t));
    }
    pw_env_free(&f.env);
}

/* PDPTEs have R/W=U/S=0 in their bit positions (reserved) yet count as
 * R/W=1, U/S=1, XD=0: user writes and fetches pass on the PDE/PTE rights. */
static void test_R6_3_pdpte_rights_are_permissive(void **state)
{
    (void)state;
    static const pw_pdpte_policy pol[] = {PW_PDPTE_REGISTERS, PW_PDPTE_ON_DEMAND};
    for (unsigned p = 0; p < 2; p++) {
        fx f;
        fx_up(&f, 46, pol[p]);
        assert_int_equal(f.e[0] & (PTE_RW | PTE_US | PTE_XD), 0);
        pw_result res = walk(&f, la_of(0) | LA_OFFSET, PW_ACC_WRITE, true);
        assert_int_equal(res.outcome, PW_OUT_OK);
        assert_true(res.perm.rw);
        assert_true(res.perm.us);
        assert_false(res.perm.xd);
        res = walk(&f, la_of(0), PW_ACC_FETCH, true);
        assert_int_equal(res.outcome, PW_OUT_OK);
        pw_env_free(&f.env);
    }
}

/* ---- R6.4 ---- */

/* No A flag in a PDPTE: a walk with every A/D clear sets them in the PDE and
 * PTE, never writes the PDPT, under both A policies and both PDPTE sources. */
static void test_R6_4_pdpte_never_written(void **state)
{
    (void)state;
    static const pw_pdpte_policy pol[] = {PW_PDPTE_REGISTERS, PW_PDPTE_ON_DEMAND};
    static const pw_ad_policy ad[] = {PW_AD_NONE, PW_AD_NONLEAF_AS_WALKED};
    for (unsigned p = 0; p < 2; p++) {
        for (unsigned a = 0; a < 2; a++) {
            fx f;
            fx_up_with(&f, 46, pol[p], ad[a], PTE_RW | PTE_US, PTE_RW | PTE_US);
            uint8_t pdpt[PAE_PDPTES * sizeof(uint64_t)], after[sizeof pdpt];
            assert_int_equal(pw_image_read(f.env.img, f.base, pdpt, sizeof pdpt), PW_OK);
            rec_mem r;
            pw_result res = rec_walk(&f.env, &r, la_of(0), PW_ACC_WRITE, true);
            assert_int_equal(res.outcome, PW_OUT_OK);
            assert_false(touches_pdpt(&f, &r, PW_MEM_CAS));
            uint64_t pde, pte;
            assert_int_equal(pw_env_entry(&f.env, la_of(0), PW_LVL_PD, &pde), PW_OK);
            assert_int_equal(pw_env_entry(&f.env, la_of(0), PW_LVL_PT, &pte), PW_OK);
            assert_true(pde & PTE_A);
            assert_int_equal(pte & (PTE_A | PTE_D), PTE_A | PTE_D);
            /* A faulting walk below a present PDPTE (PTE made not present). */
            uint64_t pte_pa;
            assert_int_equal(pw_os_entry_pa(f.env.os, la_of(1), PW_LVL_PT, &pte_pa), PW_OK);
            assert_int_equal(pw_image_write64(f.env.img, pte_pa, 0), PW_OK);
            rec_walk(&f.env, &r, la_of(1), PW_ACC_READ, false);
            assert_false(touches_pdpt(&f, &r, PW_MEM_CAS));
            assert_int_equal(pw_image_read(f.env.img, f.base, after, sizeof after), PW_OK);
            assert_memory_equal(pdpt, after, sizeof pdpt);
            pw_env_free(&f.env);
        }
    }
}

/* ---- R6.5 ---- */

/* On demand: no load at MOV (so no #GP), every walk reads the PDPTE at
 * CR3[31:5] + 8*LA[31:30], and a reserved bit is #PF(RSVD) at level 3. */
static void test_R6_5_on_demand_reads_every_walk_pf_on_reserved(void **state)
{
    (void)state;
    fx f;
    fx_up(&f, 46, PW_PDPTE_ON_DEMAND);
    uint64_t bad = f.e[1] | PTE_A;
    slot_write(&f, 1, bad);
    assert_int_equal(mov_cr3(&f, f.env.regs.cr3), PW_OK);
    assert_int_equal(mov_cr4(&f, f.env.regs.cr4 ^ CR4_PGE), PW_OK);
    for (unsigned k = 0; k < PAE_PDPTES; k++) {
        rec_mem r;
        pw_result res = rec_walk(&f.env, &r, la_of(k) | LA_OFFSET, PW_ACC_READ, false);
        assert_true(r.n >= 1);
        assert_int_equal(r.acc[0].kind, PW_MEM_READ);
        assert_int_equal(r.acc[0].pa, f.base + k * sizeof(uint64_t));
        if (k == 1) {
            assert_int_equal(res.outcome, PW_OUT_PF);
            assert_int_equal(res.err_code, PF_P | PF_RSVD);
            assert_int_equal(res.level, PW_LVL_PDPT);
            assert_int_equal(res.raw_entry, bad);
            assert_int_equal(res.entry_pa, f.base + 1 * sizeof(uint64_t));
        } else {
            assert_int_equal(res.outcome, PW_OUT_OK);
            assert_int_equal(res.pa, pa_of(k) | LA_OFFSET);
        }
    }
    /* A memory change takes effect at once, without a load. */
    slot_write(&f, 2, 0);
    pw_result res = walk(&f, la_of(2), PW_ACC_READ, false);
    assert_int_equal(res.outcome, PW_OUT_PF);
    assert_int_equal(res.err_code, 0);
    assert_int_equal(res.level, PW_LVL_PDPT);
    pw_env_free(&f.env);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_R6_1_mov_cr3_loads_pdptes),
        cmocka_unit_test(test_R6_1_mov_cr0_cd_nw_pg_reload),
        cmocka_unit_test(test_R6_1_mov_cr0_wp_no_reload),
        cmocka_unit_test(test_R6_1_mov_cr4_pge_pse_smep_pae_reload),
        cmocka_unit_test(test_R6_1_mov_cr4_other_bits_no_reload),
        cmocka_unit_test(test_R6_1_no_load_outside_pae_paging),
        cmocka_unit_test(test_R6_2_pdpte_reserved_bits_gp_nothing_loaded),
        cmocka_unit_test(test_R6_3_translation_uses_registers_until_reload),
        cmocka_unit_test(test_R6_3_pdpte_register_not_present_pf),
        cmocka_unit_test(test_R6_3_pdpte_rights_are_permissive),
        cmocka_unit_test(test_R6_4_pdpte_never_written),
        cmocka_unit_test(test_R6_5_on_demand_reads_every_walk_pf_on_reserved),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
