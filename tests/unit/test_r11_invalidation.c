/* R11.5 invalidations (x86-paging.md §11, docs/timing.md §8, docs/tlb.md
 * "Invalidation kinds"): for every row of the table, the pw_flush that the
 * register functions report and the effect on pw_mmu. An entry is gone when
 * the next access walks (its trace has reads); it is kept when the next access
 * hits. PSC entries are seen through the level a walk starts below. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mmu_fixture.h"

#define FLAGS_DIRTY (PTE_RW | PTE_A | PTE_D)
#define FLAGS_RO    (PTE_A | PTE_D)
#define PCID_1 1
#define PCID_2 2
#define PCID_5 5
#define PCID_TOO_WIDE PW_BIT(PW_PCID_BITS)  /* descriptor bit 12: reserved */
#define INVPCID_ADDR 0u
#define INVPCID_SINGLE 1u
#define INVPCID_ALL 2u
#define INVPCID_NONGLOBAL 3u
#define INVPCID_BAD_TYPE 4u

/* 4-level pages: NG, G, OTHER share a 2 MiB region; FAR/FAR2 share one in
 * another PML4 slot, so their PSC entries are disjoint from NG's. */
#define LA_NG     FX_LA4(0, 1, 1, 1)
#define LA_G      FX_LA4(0, 1, 1, 2)
#define LA_OTHER  FX_LA4(0, 1, 1, 3)
#define LA_FAR    FX_LA4(1, 0, 0, 1)
#define LA_FAR2   FX_LA4(1, 0, 0, 2)
#define LA_FAR3   FX_LA4(1, 0, 0, 3)
#define LA_BIG    FX_LA4(0, 3, 1, 0)   /* a 2 MiB page */
#define LA_NONCANONICAL UINT64_C(0x0000800000000000)
#define LA_UPPER  UINT64_C(0xffff800000001000)
#define LA_UPPER_TRUNCATED UINT64_C(0x0000800000001000)
#define PA_BASE   UINT64_C(0x00100000)
#define PA_BIG    UINT64_C(0x00400000)

/* ---- helpers ---- */

/* A 4-level mmu with NG, G (global leaf), OTHER, FAR, FAR2, FAR3 and BIG mapped.
 * pcide: CR4.PCIDE=1 with PCID 1; pge: CR4.PGE. */
static void setup(fx_mmu *fx, bool pcide, bool pge)
{
    fx_init(fx, PW_MODE_4LVL, NULL, FX_DELAY_DEFAULT);
    static const struct {
        uint64_t la;
        uint64_t flags;
    } pages[] = {{LA_NG, FLAGS_DIRTY}, {LA_G, FLAGS_DIRTY | PTE_G}, {LA_OTHER, FLAGS_DIRTY},
                 {LA_FAR, FLAGS_DIRTY}, {LA_FAR2, FLAGS_DIRTY}, {LA_FAR3, FLAGS_DIRTY}};
    for (unsigned i = 0; i < sizeof pages / sizeof pages[0]; i++)
        assert_int_equal(pw_os_map(fx->env.os, pages[i].la, PA_BASE + i * PW_PAGE_SIZE,
                                   PW_SIZE_4K, pages[i].flags), PW_OK);
    assert_int_equal(pw_os_map(fx->env.os, LA_BIG, PA_BIG, PW_SIZE_2M, FLAGS_DIRTY), PW_OK);
    if (pcide) {
        fx_enable_pcid(fx, PCID_1, pge);
    } else if (pge) {
        fx->env.regs.cr4 |= CR4_PGE;
        fx_load_regs(fx);
    }
}

static bool hits(fx_mmu *fx, uint64_t la)
{
    pw_mmu_response r = fx_read(fx, la);
    assert_int_equal(r.result.outcome, PW_OUT_OK);
    assert_true(r.hit || fx_walked(&r));
    return r.hit;
}

#define EXPECT_HIT(fx, la) assert_true(hits((fx), (la)))
#define EXPECT_WALK(fx, la) assert_false(hits((fx), (la)))

/* The level of the PSC hit a walk of la starts below (0: the root). */
static unsigned psc_start(fx_mmu *fx, uint64_t la)
{
    pw_mmu_response r = fx_read(fx, la);
    assert_true(fx_walked(&r));
    return r.psc_level;
}

static void cache(fx_mmu *fx, const uint64_t *las, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        fx_read(fx, las[i]);
}

static void expect_flush(const pw_flush *f, pw_flush_kind kind, uint16_t pcid, uint64_t la)
{
    if (f->kind != kind || (kind != PW_FLUSH_NONE && kind != PW_FLUSH_ALL &&
                            kind != PW_FLUSH_NONGLOBAL_ALL && f->pcid != pcid))
        fail_msg("expected flush %s pcid %u, got %s pcid %u", pw_flush_name(kind), pcid,
                 pw_flush_name(f->kind), f->pcid);
    if ((kind == PW_FLUSH_PAGE || kind == PW_FLUSH_PAGE_NONGLOBAL) && f->la != la)
        fail_msg("expected flush la %#llx, got %#llx", (unsigned long long)la,
                 (unsigned long long)f->la);
}

/* What the mmu's current registers would report for MOV CR3/CR4/CR0 of `v`. */
static pw_flush flush_of_mov(fx_mmu *fx, pw_ctl_kind kind, uint64_t v)
{
    pw_regs r = fx->mmu->regs;
    pw_flush f = {.kind = PW_FLUSH_NONE};
    pw_status st = kind == PW_CTL_MOV_CR3   ? pw_regs_mov_cr3(&fx->env.cfg, &r, &fx->port, v, &f)
                   : kind == PW_CTL_MOV_CR4 ? pw_regs_mov_cr4(&fx->env.cfg, &r, &fx->port, v, &f)
                                            : pw_regs_mov_cr0(&fx->env.cfg, &r, &fx->port, v, &f);
    assert_int_equal(st, PW_OK);
    return f;
}

static pw_flush flush_of_invpcid(fx_mmu *fx, unsigned type, uint64_t pcid, uint64_t la)
{
    pw_flush f = {.kind = PW_FLUSH_NONE};
    assert_int_equal(pw_regs_invpcid(&fx->env.cfg, &fx->mmu->regs, type, pcid, la, &f), PW_OK);
    return f;
}

static uint64_t cr3_with_pcid(fx_mmu *fx, uint16_t pcid)
{
    return (fx->mmu->regs.cr3 & ~CR3_PCID) | pcid;
}

/* ---- INVLPG ---- */

static void test_R11_5_invlpg_reports_page_of_current_pcid(void **state)
{
    (void)state;
    fx_mmu fx;
    setup(&fx, true, true);
    fx_switch_pcid(&fx, PCID_5, true);
    pw_flush f;
    assert_int_equal(pw_regs_invlpg(&fx.env.cfg, &fx.mmu->regs, LA_NG | 0x123, &f), PW_OK);
    expect_flush(&f, PW_FLUSH_PAGE, PCID_5, LA_NG | 0x123);
    assert_int_equal(pw_regs_invlpg(&fx.env.cfg, &fx.mmu->regs, LA_UPPER, &f), PW_OK);
    expect_flush(&f, PW_FLUSH_PAGE, PCID_5, LA_UPPER_TRUNCATED);
    assert_int_equal(pw_regs_invlpg(&fx.env.cfg, &fx.mmu->regs, LA_NONCANONICAL, &f), PW_OK);
    expect_flush(&f, PW_FLUSH_NONE, 0, 0);
    fx_free(&fx);
}

static void test_R11_5_invlpg_drops_its_page_keeps_other_pages(void **state)
{
    (void)state;
    const uint64_t las[] = {LA_NG, LA_G, LA_OTHER};
    fx_mmu fx;
    setup(&fx, true, true);
    cache(&fx, las, 3);
    fx_ctl_ok(&fx, PW_CTL_INVLPG, 0, LA_NG | 0xfff, 0);
    EXPECT_HIT(&fx, LA_OTHER);
    EXPECT_HIT(&fx, LA_G);
    EXPECT_WALK(&fx, LA_NG);
    fx_free(&fx);
}

static void test_R11_5_invlpg_drops_global_page_cached_under_other_pcid(void **state)
{
    (void)state;
    fx_mmu fx;
    setup(&fx, true, true);
    fx_read(&fx, LA_G);                  /* global, tagged PCID 1 */
    fx_switch_pcid(&fx, PCID_2, true);
    EXPECT_HIT(&fx, LA_G);
    fx_ctl_ok(&fx, PW_CTL_INVLPG, 0, LA_G, 0);
    fx_switch_pcid(&fx, PCID_1, true);
    EXPECT_WALK(&fx, LA_G);
    fx_free(&fx);
}

/* tlb.md PAGE(p, la): la's page under p, or global; a non-global entry of another
 * PCID is kept. */
static void test_R11_5_invlpg_keeps_nonglobal_page_of_other_pcid(void **state)
{
    (void)state;
    fx_mmu fx;
    setup(&fx, true, true);
    fx_read(&fx, LA_NG);
    fx_switch_pcid(&fx, PCID_2, true);
    fx_ctl_ok(&fx, PW_CTL_INVLPG, 0, LA_NG, 0);
    fx_switch_pcid(&fx, PCID_1, true);
    EXPECT_HIT(&fx, LA_NG);
    fx_free(&fx);
}

static void test_R11_5_invlpg_drops_every_psc_entry_of_current_pcid(void **state)
{
    (void)state;
    fx_mmu fx;
    setup(&fx, true, true);
    fx_read(&fx, LA_FAR);                /* PSC entries of PCID 1 */
    fx_switch_pcid(&fx, PCID_2, true);
    fx_read(&fx, LA_FAR);                /* and of PCID 2 */
    assert_int_equal(psc_start(&fx, LA_FAR3), PW_LVL_PD);
    fx_ctl_ok(&fx, PW_CTL_INVLPG, 0, LA_NG, 0); /* another address altogether */
    assert_int_equal(psc_start(&fx, LA_FAR2), 0);
    fx_switch_pcid(&fx, PCID_1, true);
    assert_int_equal(psc_start(&fx, LA_FAR2), PW_LVL_PD);
    fx_free(&fx);
}

static void test_R11_5_invlpg_non_canonical_is_a_nop(void **state)
{
    (void)state;
    fx_mmu fx;
    setup(&fx, true, true);
    fx_read(&fx, LA_NG);
    fx_read(&fx, LA_FAR);
    fx_ctl_ok(&fx, PW_CTL_INVLPG, 0, LA_NONCANONICAL | LA_NG, 0);
    EXPECT_HIT(&fx, LA_NG);
    assert_int_equal(psc_start(&fx, LA_FAR2), PW_LVL_PD);
    fx_free(&fx);
}

static void test_R11_5_invlpg_anywhere_in_a_large_page_drops_it(void **state)
{
    (void)state;
    const uint64_t last_byte = PW_BIT(21) - 1;
    fx_mmu fx;
    setup(&fx, true, true);
    fx_read(&fx, LA_BIG);
    EXPECT_HIT(&fx, LA_BIG + last_byte);
    fx_ctl_ok(&fx, PW_CTL_INVLPG, 0, LA_BIG + last_byte, 0);
    EXPECT_WALK(&fx, LA_BIG);
    fx_free(&fx);
}

/* ---- MOV CR3 ---- */

static void test_R11_5_mov_cr3_without_pcide_drops_nonglobal_and_psc(void **state)
{
    (void)state;
    const uint64_t las[] = {LA_NG, LA_G, LA_FAR};
    fx_mmu fx;
    setup(&fx, false, true);
    cache(&fx, las, 3);
    uint64_t cr3 = fx.mmu->regs.cr3;
    pw_flush f = flush_of_mov(&fx, PW_CTL_MOV_CR3, cr3);
    expect_flush(&f, PW_FLUSH_PCID_NONGLOBAL, 0, 0);
    fx_ctl_ok(&fx, PW_CTL_MOV_CR3, cr3, 0, 0);
    EXPECT_HIT(&fx, LA_G);
    assert_int_equal(psc_start(&fx, LA_FAR2), 0);
    EXPECT_WALK(&fx, LA_NG);
    fx_free(&fx);
}

static void test_R11_5_mov_cr3_with_pcide_flushes_the_new_pcid_only(void **state)
{
    (void)state;
    const uint64_t las[] = {LA_NG, LA_G, LA_FAR};
    fx_mmu fx;
    setup(&fx, true, true);
    cache(&fx, las, 3);                  /* PCID 1 */
    fx_switch_pcid(&fx, PCID_2, true);
    cache(&fx, las, 3);                  /* PCID 2 (G hits: global) */
    pw_flush f = flush_of_mov(&fx, PW_CTL_MOV_CR3, cr3_with_pcid(&fx, PCID_1));
    expect_flush(&f, PW_FLUSH_PCID_NONGLOBAL, PCID_1, 0); /* the new PCID */
    fx_switch_pcid(&fx, PCID_1, false);
    EXPECT_HIT(&fx, LA_G);
    assert_int_equal(psc_start(&fx, LA_FAR2), 0);
    EXPECT_WALK(&fx, LA_NG);
    fx_switch_pcid(&fx, PCID_2, true);
    EXPECT_HIT(&fx, LA_NG);
    assert_int_equal(psc_start(&fx, LA_FAR2), PW_LVL_PD);
    fx_free(&fx);
}

static void test_R11_5_mov_cr3_bit63_invalidates_nothing_and_is_not_stored(void **state)
{
    (void)state;
    fx_mmu fx;
    setup(&fx, true, true);
    fx_read(&fx, LA_NG);
    fx_read(&fx, LA_FAR);
    uint64_t v = cr3_with_pcid(&fx, PCID_1) | CR3_NOFLUSH;
    pw_flush f = flush_of_mov(&fx, PW_CTL_MOV_CR3, v);
    expect_flush(&f, PW_FLUSH_NONE, 0, 0);
    fx_ctl_ok(&fx, PW_CTL_MOV_CR3, v, 0, 0);
    assert_int_equal(fx.mmu->regs.cr3, v & ~CR3_NOFLUSH);
    EXPECT_HIT(&fx, LA_NG);
    assert_int_equal(psc_start(&fx, LA_FAR2), PW_LVL_PD);
    fx_free(&fx);
}

/* R3.4: with PCIDE=0 a set source bit 63 is reserved: #GP, nothing changes. */
static void test_R11_5_mov_cr3_bit63_without_pcide_is_gp(void **state)
{
    (void)state;
    fx_mmu fx;
    setup(&fx, false, false);
    fx_read(&fx, LA_NG);
    pw_regs before = fx.mmu->regs;
    assert_int_equal(fx_ctl(&fx, PW_CTL_MOV_CR3, before.cr3 | CR3_NOFLUSH, 0, 0), PW_ERR_GP);
    assert_memory_equal(&fx.mmu->regs, &before, sizeof before);
    EXPECT_HIT(&fx, LA_NG);
    fx_free(&fx);
}

/* ---- MOV CR4 ---- */

static void test_R11_5_cr4_pge_change_flushes_everything(void **state)
{
    (void)state;
    const uint64_t las[] = {LA_NG, LA_G};
    fx_mmu fx;
    setup(&fx, true, true);
    cache(&fx, las, 2);
    fx_switch_pcid(&fx, PCID_2, true);
    cache(&fx, las, 2);
    uint64_t cr4 = fx.mmu->regs.cr4;
    pw_flush f = flush_of_mov(&fx, PW_CTL_MOV_CR4, cr4 & ~CR4_PGE);
    expect_flush(&f, PW_FLUSH_ALL, 0, 0);
    fx_ctl_ok(&fx, PW_CTL_MOV_CR4, cr4 & ~CR4_PGE, 0, 0);
    assert_int_equal(fx_tlb_count(&fx), 0);
    EXPECT_WALK(&fx, LA_G);
    fx_switch_pcid(&fx, PCID_1, true);
    EXPECT_WALK(&fx, LA_NG);

    /* PGE 0 -> 1 as well */
    f = flush_of_mov(&fx, PW_CTL_MOV_CR4, cr4);
    expect_flush(&f, PW_FLUSH_ALL, 0, 0);
    fx_ctl_ok(&fx, PW_CTL_MOV_CR4, cr4, 0, 0);
    EXPECT_WALK(&fx, LA_NG);
    fx_free(&fx);
}

static void test_R11_5_cr4_pcide_1_to_0_flushes_everything(void **state)
{
    (void)state;
    const uint64_t las[] = {LA_NG, LA_G, LA_FAR};
    fx_mmu fx;
    setup(&fx, true, true);
    fx_switch_pcid(&fx, 0, true); /* PCID 0: the tag the entries keep after PCIDE=0 */
    cache(&fx, las, 3);
    uint64_t cr4 = fx.mmu->regs.cr4 & ~CR4_PCIDE;
    pw_flush f = flush_of_mov(&fx, PW_CTL_MOV_CR4, cr4);
    expect_flush(&f, PW_FLUSH_ALL, 0, 0);
    fx_ctl_ok(&fx, PW_CTL_MOV_CR4, cr4, 0, 0);
    EXPECT_WALK(&fx, LA_G);
    EXPECT_WALK(&fx, LA_NG);
    assert_int_equal(psc_start(&fx, LA_FAR2), 0);
    fx_free(&fx);
}

/* 32-bit paging -> PAE: CONTEXT(0), globals included. The page lies at PD index
 * 8, so the PDPTE load reads four zero (not present) entries. */
static void test_R11_5_cr4_pae_change_flushes_current_context(void **state)
{
    (void)state;
    const uint64_t la = FX_LA32(8, 1), pa = UINT64_C(0x00300000);
    fx_mmu fx;
    fx_init(&fx, PW_MODE_32, NULL, FX_DELAY_DEFAULT);
    assert_int_equal(pw_os_map(fx.env.os, la, pa, PW_SIZE_4K, FLAGS_DIRTY | PTE_G), PW_OK);
    fx.env.regs.cr4 |= CR4_PGE;
    fx_load_regs(&fx);
    fx_read(&fx, la);
    EXPECT_HIT(&fx, la);
    uint64_t cr4 = fx.mmu->regs.cr4;
    pw_flush f = flush_of_mov(&fx, PW_CTL_MOV_CR4, cr4 | CR4_PAE);
    expect_flush(&f, PW_FLUSH_CONTEXT, 0, 0);
    fx_ctl_ok(&fx, PW_CTL_MOV_CR4, cr4 | CR4_PAE, 0, 0);
    assert_int_equal(fx.mmu->mode, PW_MODE_PAE);
    pw_mmu_response r = fx_read(&fx, la);
    assert_false(r.hit);
    assert_int_equal(r.result.outcome, PW_OUT_PF); /* PDPTE register 0 not present */
    assert_int_equal(fx_tlb_count(&fx), 0);

    f = flush_of_mov(&fx, PW_CTL_MOV_CR4, cr4);
    expect_flush(&f, PW_FLUSH_CONTEXT, 0, 0);
    fx_ctl_ok(&fx, PW_CTL_MOV_CR4, cr4, 0, 0);
    r = fx_read(&fx, la);
    assert_true(fx_walked(&r));
    assert_int_equal(r.result.pa, pa);
    fx_free(&fx);
}

static void test_R11_5_cr4_smep_0_to_1_flushes_current_context(void **state)
{
    (void)state;
    const uint64_t las[] = {LA_NG, LA_G, LA_FAR};
    fx_mmu fx;
    setup(&fx, true, true);
    fx_switch_pcid(&fx, PCID_2, true);
    fx_read(&fx, LA_NG);
    fx_switch_pcid(&fx, PCID_1, true);
    cache(&fx, las, 3);
    uint64_t cr4 = fx.mmu->regs.cr4;
    pw_flush f = flush_of_mov(&fx, PW_CTL_MOV_CR4, cr4 | CR4_SMEP);
    expect_flush(&f, PW_FLUSH_CONTEXT, PCID_1, 0);
    fx_ctl_ok(&fx, PW_CTL_MOV_CR4, cr4 | CR4_SMEP, 0, 0);
    EXPECT_WALK(&fx, LA_G);                    /* usable under PCID 1: gone */
    assert_int_equal(psc_start(&fx, LA_FAR2), 0);
    EXPECT_WALK(&fx, LA_NG);
    fx_switch_pcid(&fx, PCID_2, true);
    EXPECT_HIT(&fx, LA_NG);                    /* another PCID's entry: kept */

    /* SMEP 1 -> 0 is not in the table: nothing. */
    f = flush_of_mov(&fx, PW_CTL_MOV_CR4, cr4);
    expect_flush(&f, PW_FLUSH_NONE, 0, 0);
    fx_ctl_ok(&fx, PW_CTL_MOV_CR4, cr4, 0, 0);
    EXPECT_HIT(&fx, LA_NG);
    fx_free(&fx);
}

/* ---- MOV CR0 ---- */

static void test_R11_5_cr0_pg_1_to_0_flushes_everything(void **state)
{
    (void)state;
    const uint64_t la_ng = FX_LA32(1, 1), la_g = FX_LA32(1, 2), pa = UINT64_C(0x00300000);
    fx_mmu fx;
    fx_init(&fx, PW_MODE_32, NULL, FX_DELAY_DEFAULT);
    assert_int_equal(pw_os_map(fx.env.os, la_ng, pa, PW_SIZE_4K, FLAGS_DIRTY), PW_OK);
    assert_int_equal(pw_os_map(fx.env.os, la_g, pa, PW_SIZE_4K, FLAGS_DIRTY | PTE_G), PW_OK);
    fx.env.regs.cr4 |= CR4_PGE;
    fx_load_regs(&fx);
    fx_read(&fx, la_ng);
    fx_read(&fx, la_g);
    uint64_t cr0 = fx.mmu->regs.cr0;
    pw_flush f = flush_of_mov(&fx, PW_CTL_MOV_CR0, cr0 & ~CR0_PG);
    expect_flush(&f, PW_FLUSH_ALL, 0, 0);
    fx_ctl_ok(&fx, PW_CTL_MOV_CR0, cr0 & ~CR0_PG, 0, 0);
    assert_int_equal(fx_tlb_count(&fx), 0);
    pw_mmu_response r = fx_read(&fx, la_g);   /* paging off: LA = PA */
    assert_int_equal(r.result.pa, la_g);
    f = flush_of_mov(&fx, PW_CTL_MOV_CR0, cr0);
    expect_flush(&f, PW_FLUSH_NONE, 0, 0);    /* PG 0 -> 1 is not in the table */
    fx_ctl_ok(&fx, PW_CTL_MOV_CR0, cr0, 0, 0);
    EXPECT_WALK(&fx, la_g);
    EXPECT_WALK(&fx, la_ng);
    fx_free(&fx);
}

/* R1.4: CR0.PG cannot be cleared while PCIDE=1. */
static void test_R11_5_cr0_pg_clear_with_pcide_is_gp(void **state)
{
    (void)state;
    fx_mmu fx;
    setup(&fx, true, true);
    fx_read(&fx, LA_NG);
    assert_int_equal(fx_ctl(&fx, PW_CTL_MOV_CR0, fx.mmu->regs.cr0 & ~CR0_PG, 0, 0), PW_ERR_GP);
    assert_true(fx.mmu->regs.cr0 & CR0_PG);
    EXPECT_HIT(&fx, LA_NG);
    fx_free(&fx);
}

/* ---- INVPCID ---- */

/* Entries under PCID 2 (NG, OTHER, G, FAR) and PCID 1 (NG, FAR); current PCID 1. */
static void setup_two_pcids(fx_mmu *fx)
{
    const uint64_t las2[] = {LA_NG, LA_OTHER, LA_G, LA_FAR}, las1[] = {LA_NG, LA_FAR};
    setup(fx, true, true);
    fx_switch_pcid(fx, PCID_2, true);
    cache(fx, las2, 4);
    fx_switch_pcid(fx, PCID_1, true);
    cache(fx, las1, 2);
}

static void test_R11_5_invpcid_type0_drops_nonglobal_page_of_given_pcid(void **state)
{
    (void)state;
    fx_mmu fx;
    setup_two_pcids(&fx);
    pw_flush f = flush_of_invpcid(&fx, INVPCID_ADDR, PCID_2, LA_NG);
    expect_flush(&f, PW_FLUSH_PAGE_NONGLOBAL, PCID_2, LA_NG);
    fx_ctl_ok(&fx, PW_CTL_INVPCID, PCID_2, LA_NG, INVPCID_ADDR);
    EXPECT_HIT(&fx, LA_NG);                         /* PCID 1: untouched */
    assert_int_equal(psc_start(&fx, LA_FAR2), PW_LVL_PD);
    fx_switch_pcid(&fx, PCID_2, true);
    assert_int_equal(psc_start(&fx, LA_FAR2), 0);   /* PCID 2's PSC entries: gone */
    EXPECT_HIT(&fx, LA_OTHER);
    EXPECT_HIT(&fx, LA_G);
    EXPECT_WALK(&fx, LA_NG);
    fx_free(&fx);
}

/* A global mapping is not removed by INVPCID type 0. */
static void test_R11_5_invpcid_type0_keeps_global_page(void **state)
{
    (void)state;
    fx_mmu fx;
    setup_two_pcids(&fx);
    fx_ctl_ok(&fx, PW_CTL_INVPCID, PCID_1, LA_G, INVPCID_ADDR);
    EXPECT_HIT(&fx, LA_G);
    fx_free(&fx);
}

static void test_R11_5_invpcid_type0_gp_cases(void **state)
{
    (void)state;
    fx_mmu fx;
    setup(&fx, false, false);
    fx_read(&fx, LA_NG);
    pw_flush f;
    /* PCIDE=0: PCID must be 0 */
    assert_int_equal(pw_regs_invpcid(&fx.env.cfg, &fx.mmu->regs, INVPCID_ADDR, PCID_1, LA_NG, &f),
                     PW_ERR_GP);
    assert_int_equal(fx_ctl(&fx, PW_CTL_INVPCID, PCID_1, LA_NG, INVPCID_ADDR), PW_ERR_GP);
    EXPECT_HIT(&fx, LA_NG);
    f = flush_of_invpcid(&fx, INVPCID_ADDR, 0, LA_NG);
    expect_flush(&f, PW_FLUSH_PAGE_NONGLOBAL, 0, LA_NG);
    fx_ctl_ok(&fx, PW_CTL_INVPCID, 0, LA_NG, INVPCID_ADDR);
    EXPECT_WALK(&fx, LA_NG);
    /* a non-canonical address */
    assert_int_equal(fx_ctl(&fx, PW_CTL_INVPCID, 0, LA_NONCANONICAL, INVPCID_ADDR), PW_ERR_GP);
    EXPECT_HIT(&fx, LA_NG);
    fx_free(&fx);
}

static void test_R11_5_invpcid_type1_drops_nonglobal_of_given_pcid(void **state)
{
    (void)state;
    fx_mmu fx;
    setup_two_pcids(&fx);
    pw_flush f = flush_of_invpcid(&fx, INVPCID_SINGLE, PCID_2, 0);
    expect_flush(&f, PW_FLUSH_PCID_NONGLOBAL, PCID_2, 0);
    fx_ctl_ok(&fx, PW_CTL_INVPCID, PCID_2, 0, INVPCID_SINGLE);
    EXPECT_HIT(&fx, LA_NG);
    assert_int_equal(psc_start(&fx, LA_FAR2), PW_LVL_PD);
    fx_switch_pcid(&fx, PCID_2, true);
    assert_int_equal(psc_start(&fx, LA_FAR2), 0);
    EXPECT_HIT(&fx, LA_G);
    EXPECT_WALK(&fx, LA_NG);
    EXPECT_WALK(&fx, LA_OTHER);
    fx_free(&fx);
}

static void test_R11_5_invpcid_type1_gp_when_pcide_clear_and_pcid_nonzero(void **state)
{
    (void)state;
    fx_mmu fx;
    setup(&fx, false, false);
    fx_read(&fx, LA_NG);
    assert_int_equal(fx_ctl(&fx, PW_CTL_INVPCID, PCID_2, 0, INVPCID_SINGLE), PW_ERR_GP);
    EXPECT_HIT(&fx, LA_NG);
    pw_flush f = flush_of_invpcid(&fx, INVPCID_SINGLE, 0, 0);
    expect_flush(&f, PW_FLUSH_PCID_NONGLOBAL, 0, 0);
    fx_ctl_ok(&fx, PW_CTL_INVPCID, 0, 0, INVPCID_SINGLE);
    EXPECT_WALK(&fx, LA_NG);
    fx_free(&fx);
}

static void test_R11_5_invpcid_type2_drops_everything(void **state)
{
    (void)state;
    fx_mmu fx;
    setup_two_pcids(&fx);
    pw_flush f = flush_of_invpcid(&fx, INVPCID_ALL, 0, 0);
    expect_flush(&f, PW_FLUSH_ALL, 0, 0);
    fx_ctl_ok(&fx, PW_CTL_INVPCID, 0, 0, INVPCID_ALL);
    assert_int_equal(fx_tlb_count(&fx), 0);
    for (unsigned l = PW_LVL_PD; l <= PW_LVL_PML4; l++)
        assert_int_equal(fx_psc_count(&fx, l), 0);
    EXPECT_WALK(&fx, LA_G);
    fx_free(&fx);
}

static void test_R11_5_invpcid_type3_drops_nonglobal_of_every_pcid(void **state)
{
    (void)state;
    fx_mmu fx;
    setup_two_pcids(&fx);
    pw_flush f = flush_of_invpcid(&fx, INVPCID_NONGLOBAL, 0, 0);
    expect_flush(&f, PW_FLUSH_NONGLOBAL_ALL, 0, 0);
    fx_ctl_ok(&fx, PW_CTL_INVPCID, 0, 0, INVPCID_NONGLOBAL);
    assert_int_equal(fx_tlb_count(&fx), 1); /* G */
    assert_int_equal(psc_start(&fx, LA_FAR2), 0);
    EXPECT_HIT(&fx, LA_G);
    EXPECT_WALK(&fx, LA_NG);
    fx_switch_pcid(&fx, PCID_2, true);
    assert_int_equal(psc_start(&fx, LA_FAR2), 0);
    EXPECT_HIT(&fx, LA_G);
    EXPECT_WALK(&fx, LA_OTHER);
    fx_free(&fx);
}

/* #GP for descriptor bits 63:12, or a type above 3; nothing changes. */
static void test_R11_5_invpcid_bad_descriptor_or_type_is_gp(void **state)
{
    (void)state;
    static const uint64_t bad_pcids[] = {PCID_TOO_WIDE, PCID_TOO_WIDE | PCID_1, PW_BIT(63)};
    static const unsigned bad_types[] = {INVPCID_BAD_TYPE, UINT32_MAX};
    fx_mmu fx;
    setup_two_pcids(&fx);
    pw_flush f;
    for (unsigned t = INVPCID_ADDR; t <= INVPCID_NONGLOBAL; t++)
        for (unsigned i = 0; i < sizeof bad_pcids / sizeof bad_pcids[0]; i++) {
            assert_int_equal(pw_regs_invpcid(&fx.env.cfg, &fx.mmu->regs, t, bad_pcids[i], LA_NG, &f),
                             PW_ERR_GP);
            assert_int_equal(fx_ctl(&fx, PW_CTL_INVPCID, bad_pcids[i], LA_NG, t), PW_ERR_GP);
        }
    for (unsigned i = 0; i < sizeof bad_types / sizeof bad_types[0]; i++)
        assert_int_equal(fx_ctl(&fx, PW_CTL_INVPCID, PCID_1, LA_NG, bad_types[i]), PW_ERR_GP);
    EXPECT_HIT(&fx, LA_NG);
    assert_int_equal(psc_start(&fx, LA_FAR2), PW_LVL_PD);
    fx_free(&fx);
}

/* ---- #PF self-invalidation ---- */

static void test_R11_5_page_fault_invalidates_the_faulting_page(void **state)
{
    (void)state;
    const uint64_t la_ro = FX_LA4(0, 1, 2, 1), la_ro_g = FX_LA4(0, 1, 2, 2);
    fx_mmu fx;
    setup(&fx, true, true);
    assert_int_equal(pw_os_map(fx.env.os, la_ro, PA_BASE, PW_SIZE_4K, FLAGS_RO), PW_OK);
    assert_int_equal(pw_os_map(fx.env.os, la_ro_g, PA_BASE, PW_SIZE_4K, FLAGS_RO | PTE_G), PW_OK);
    fx_read(&fx, la_ro);
    fx_read(&fx, la_ro_g);
    fx_read(&fx, LA_NG);
    pw_mmu_response r = fx_access(&fx, la_ro, PW_ACC_WRITE, false);
    assert_int_equal(r.result.outcome, PW_OUT_PF);
    EXPECT_WALK(&fx, la_ro);
    r = fx_access(&fx, la_ro_g, PW_ACC_WRITE, false); /* a global entry usable here */
    assert_int_equal(r.result.outcome, PW_OUT_PF);
    EXPECT_WALK(&fx, la_ro_g);
    EXPECT_HIT(&fx, LA_NG);
    fx_free(&fx);
}

/* FAULT(pcid, la) removes the PSC entries la would use, and only those. */
static void test_R11_5_page_fault_drops_psc_entries_for_its_address(void **state)
{
    (void)state;
    const uint64_t la_hole = FX_LA4(0, 1, 1, 4);         /* NG's region, not mapped */
    const uint64_t la_y = FX_LA4(0, 2, 1, 1), la_y2 = FX_LA4(0, 2, 1, 2); /* same PML4E */
    fx_mmu fx;
    setup(&fx, false, false);
    assert_int_equal(pw_os_map(fx.env.os, la_y, PA_BASE, PW_SIZE_4K, FLAGS_DIRTY), PW_OK);
    assert_int_equal(pw_os_map(fx.env.os, la_y2, PA_BASE, PW_SIZE_4K, FLAGS_DIRTY), PW_OK);
    fx_read(&fx, LA_NG);
    fx_read(&fx, la_y);
    pw_mmu_response r = fx_read(&fx, la_hole);
    assert_int_equal(r.psc_level, PW_LVL_PD);
    assert_int_equal(r.result.outcome, PW_OUT_PF);
    assert_int_equal(psc_start(&fx, la_y2), PW_LVL_PD);  /* another PDE: kept */
    assert_int_equal(psc_start(&fx, LA_OTHER), 0);       /* hole's PDE, PDPTE, PML4E: gone */
    EXPECT_HIT(&fx, LA_NG);                              /* another page's TLB entry: kept */
    fx_free(&fx);
}

static void test_R11_5_flush_all_operation_drops_everything(void **state)
{
    (void)state;
    fx_mmu fx;
    setup_two_pcids(&fx);
    fx_ctl_ok(&fx, PW_CTL_FLUSH_ALL, 0, 0, 0);
    assert_int_equal(fx_tlb_count(&fx), 0);
    for (unsigned l = PW_LVL_PD; l <= PW_LVL_PML4; l++)
        assert_int_equal(fx_psc_count(&fx, l), 0);
    fx_free(&fx);
}

/* ---- the invalidation kinds at the level of the caches (tlb.md table) ---- */

enum { E_P1, E_P2, E_Q1, E_G1, E_BIG2, N_ENTRIES };

static void test_R11_5_tlb_flush_kinds_remove_exactly(void **state)
{
    (void)state;
    const uint64_t p = UINT64_C(0x40001000), q = UINT64_C(0x40002000), g = UINT64_C(0x50000000),
                   big = UINT64_C(0x60000000);
    const struct {
        uint64_t la;
        pw_page_size size;
        uint16_t pcid;
        bool global;
    } ents[N_ENTRIES] = {
        [E_P1] = {p, PW_SIZE_4K, PCID_1, false},   [E_P2] = {p, PW_SIZE_4K, PCID_2, false},
        [E_Q1] = {q, PW_SIZE_4K, PCID_1, false},   [E_G1] = {g, PW_SIZE_4K, PCID_1, true},
        [E_BIG2] = {big, PW_SIZE_2M, PCID_2, false},
    };
#define B(e) (1u << (e))
    const struct {
        pw_flush f;
        unsigned removed;
    } rows[] = {
        {{PW_FLUSH_NONE, 0, 0}, 0},
        {{PW_FLUSH_ALL, 0, 0}, B(E_P1) | B(E_P2) | B(E_Q1) | B(E_G1) | B(E_BIG2)},
        {{PW_FLUSH_CONTEXT, PCID_1, 0}, B(E_P1) | B(E_Q1) | B(E_G1)},
        {{PW_FLUSH_CONTEXT, PCID_2, 0}, B(E_P2) | B(E_G1) | B(E_BIG2)},
        {{PW_FLUSH_PCID_NONGLOBAL, PCID_1, 0}, B(E_P1) | B(E_Q1)},
        {{PW_FLUSH_NONGLOBAL_ALL, 0, 0}, B(E_P1) | B(E_P2) | B(E_Q1) | B(E_BIG2)},
        {{PW_FLUSH_PAGE, PCID_1, p | 0xfff}, B(E_P1)},
        {{PW_FLUSH_PAGE, PCID_2, p}, B(E_P2)},
        {{PW_FLUSH_PAGE, PCID_2, g | 0x10}, B(E_G1)},
        {{PW_FLUSH_PAGE, PCID_1, big + 0x12345}, 0},
        {{PW_FLUSH_PAGE, PCID_2, big + 0x1ff000}, B(E_BIG2)},
        {{PW_FLUSH_PAGE_NONGLOBAL, PCID_1, p}, B(E_P1)},
        {{PW_FLUSH_PAGE_NONGLOBAL, PCID_1, g}, 0},
        {{PW_FLUSH_PAGE_NONGLOBAL, PCID_2, big + 0x1ff000}, B(E_BIG2)},
        {{PW_FLUSH_FAULT, PCID_2, g}, B(E_G1)},
        {{PW_FLUSH_FAULT, PCID_1, p}, B(E_P1)},
    };
#undef B
    for (unsigned i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        pw_tlb t;
        assert_int_equal(pw_tlb_init(&t, 8), PW_OK);
        for (unsigned e = 0; e < N_ENTRIES; e++) {
            uint64_t bytes = pw_page_bytes(ents[e].size);
            pw_tlb_entry ne = {.valid = true, .vpn = ents[e].la >> PW_PAGE_SHIFT,
                               .size = ents[e].size, .pcid = ents[e].pcid,
                               .global = ents[e].global, .pfn = (ents[e].la & ~(bytes - 1)) >> 12};
            assert_int_equal(pw_tlb_fill(&t, &ne), e);
        }
        unsigned n = pw_tlb_flush(&t, &rows[i].f), removed = 0;
        for (unsigned e = 0; e < N_ENTRIES; e++)
            removed |= t.e[e].valid ? 0 : 1u << e;
        if (removed != rows[i].removed || n != (unsigned)__builtin_popcount(rows[i].removed))
            fail_msg("row %u (%s pcid %u): expected removed %#x, got %#x (count %u)", i,
                     pw_flush_name(rows[i].f.kind), rows[i].f.pcid, rows[i].removed, removed, n);
    }
}

enum { S_L2_X1, S_L2_X2, S_L2_Y1, S_L3_X1, S_L3_Z1, N_SLOTS };

static void test_R11_5_psc_flush_kinds_remove_exactly(void **state)
{
    (void)state;
    const uint64_t x = FX_LA4(0, 1, 1, 1), y = FX_LA4(0, 1, 2, 1), z = FX_LA4(0, 2, 0, 1);
    const struct {
        unsigned level;
        uint64_t la;
        uint16_t pcid;
    } ents[N_SLOTS] = {
        [S_L2_X1] = {PW_LVL_PD, x, PCID_1},   [S_L2_X2] = {PW_LVL_PD, x, PCID_2},
        [S_L2_Y1] = {PW_LVL_PD, y, PCID_1},   [S_L3_X1] = {PW_LVL_PDPT, x, PCID_1},
        [S_L3_Z1] = {PW_LVL_PDPT, z, PCID_1},
    };
#define B(e) (1u << (e))
    const unsigned pcid1 = B(S_L2_X1) | B(S_L2_Y1) | B(S_L3_X1) | B(S_L3_Z1);
    const struct {
        pw_flush f;
        unsigned removed;
    } rows[] = {
        {{PW_FLUSH_NONE, 0, 0}, 0},
        {{PW_FLUSH_ALL, 0, 0}, pcid1 | B(S_L2_X2)},
        {{PW_FLUSH_NONGLOBAL_ALL, 0, 0}, pcid1 | B(S_L2_X2)},
        {{PW_FLUSH_CONTEXT, PCID_1, 0}, pcid1},
        {{PW_FLUSH_PCID_NONGLOBAL, PCID_2, 0}, B(S_L2_X2)},
        {{PW_FLUSH_PAGE, PCID_1, z}, pcid1},
        {{PW_FLUSH_PAGE_NONGLOBAL, PCID_2, z}, B(S_L2_X2)},
        {{PW_FLUSH_FAULT, PCID_1, x + PW_PAGE_SIZE}, B(S_L2_X1) | B(S_L3_X1)},
        {{PW_FLUSH_FAULT, PCID_1, y}, B(S_L2_Y1) | B(S_L3_X1)},
        {{PW_FLUSH_FAULT, PCID_2, x}, B(S_L2_X2)},
    };
#undef B
    pw_config cfg;
    pw_config_default(&cfg);
    const pw_perm perm = {.rw = true, .us = true, .nonleaf_rw = true};
    for (unsigned i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        pw_psc p;
        assert_int_equal(pw_psc_init(&p, &cfg), PW_OK);
        unsigned slot[N_SLOTS], used[PW_MAX_LEVEL_SLOTS] = {0};
        for (unsigned e = 0; e < N_SLOTS; e++) {
            pw_psc_fill(&p, PW_MODE_4LVL, ents[e].level, ents[e].la, ents[e].pcid, 0, &perm);
            slot[e] = used[ents[e].level]++; /* lowest invalid slot */
        }
        pw_psc_flush(&p, PW_MODE_4LVL, &rows[i].f);
        unsigned removed = 0;
        for (unsigned e = 0; e < N_SLOTS; e++)
            removed |= p.lvl[ents[e].level].e[slot[e]].valid ? 0 : 1u << e;
        if (removed != rows[i].removed)
            fail_msg("row %u (%s pcid %u): expected removed %#x, got %#x", i,
                     pw_flush_name(rows[i].f.kind), rows[i].f.pcid, rows[i].removed, removed);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_R11_5_invlpg_reports_page_of_current_pcid),
        cmocka_unit_test(test_R11_5_invlpg_drops_its_page_keeps_other_pages),
        cmocka_unit_test(test_R11_5_invlpg_drops_global_page_cached_under_other_pcid),
        cmocka_unit_test(test_R11_5_invlpg_keeps_nonglobal_page_of_other_pcid),
        cmocka_unit_test(test_R11_5_invlpg_drops_every_psc_entry_of_current_pcid),
        cmocka_unit_test(test_R11_5_invlpg_non_canonical_is_a_nop),
        cmocka_unit_test(test_R11_5_invlpg_anywhere_in_a_large_page_drops_it),
        cmocka_unit_test(test_R11_5_mov_cr3_without_pcide_drops_nonglobal_and_psc),
        cmocka_unit_test(test_R11_5_mov_cr3_with_pcide_flushes_the_new_pcid_only),
        cmocka_unit_test(test_R11_5_mov_cr3_bit63_invalidates_nothing_and_is_not_stored),
        cmocka_unit_test(test_R11_5_mov_cr3_bit63_without_pcide_is_gp),
        cmocka_unit_test(test_R11_5_cr4_pge_change_flushes_everything),
        cmocka_unit_test(test_R11_5_cr4_pcide_1_to_0_flushes_everything),
        cmocka_unit_test(test_R11_5_cr4_pae_change_flushes_current_context),
        cmocka_unit_test(test_R11_5_cr4_smep_0_to_1_flushes_current_context),
        cmocka_unit_test(test_R11_5_cr0_pg_1_to_0_flushes_everything),
        cmocka_unit_test(test_R11_5_cr0_pg_clear_with_pcide_is_gp),
        cmocka_unit_test(test_R11_5_invpcid_type0_drops_nonglobal_page_of_given_pcid),
        cmocka_unit_test(test_R11_5_invpcid_type0_keeps_global_page),
        cmocka_unit_test(test_R11_5_invpcid_type0_gp_cases),
        cmocka_unit_test(test_R11_5_invpcid_type1_drops_nonglobal_of_given_pcid),
        cmocka_unit_test(test_R11_5_invpcid_type1_gp_when_pcide_clear_and_pcid_nonzero),
        cmocka_unit_test(test_R11_5_invpcid_type2_drops_everything),
        cmocka_unit_test(test_R11_5_invpcid_type3_drops_nonglobal_of_every_pcid),
        cmocka_unit_test(test_R11_5_invpcid_bad_descriptor_or_type_is_gp),
        cmocka_unit_test(test_R11_5_page_fault_invalidates_the_faulting_page),
        cmocka_unit_test(test_R11_5_page_fault_drops_psc_entries_for_its_address),
        cmocka_unit_test(test_R11_5_flush_all_operation_drops_everything),
        cmocka_unit_test(test_R11_5_tlb_flush_kinds_remove_exactly),
        cmocka_unit_test(test_R11_5_psc_flush_kinds_remove_exactly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
