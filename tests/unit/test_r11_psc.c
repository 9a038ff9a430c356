/* R11.3 paging-structure caches (x86-paging.md §11, docs/tlb.md): one cache per
 * non-leaf level, keyed by the LA bits above the region an entry maps plus
 * PCID; a hit skips the levels it covers (seen as the first memory access of
 * the walk); PAE and 32-bit paging cache only PDEs; large pages go to the TLB
 * only; entries are never global; a fill leaves one entry per (key, PCID). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mmu_fixture.h"

#define FLAGS (PTE_RW | PTE_A | PTE_D) /* no A/D update needed */
#define FLAGS_CLEAN (PTE_RW | PTE_A)
#define PA_DATA UINT64_C(0x00200000) /* data frames start here; contents never read */
#define PCID_1 1
#define PCID_2 2
#define ENTRY4 4u

/* 4-level pages. A, A2, A3, A_HOLE share a 2 MiB region; B is in A's 1 GiB, D in
 * A's 512 GiB, E in another 512 GiB. */
#define LA_A    FX_LA4(0, 1, 1, 1)
#define LA_A2   FX_LA4(0, 1, 1, 2)
#define LA_A3   FX_LA4(0, 1, 1, 3)
#define LA_HOLE FX_LA4(0, 1, 1, 4)
#define LA_B    FX_LA4(0, 1, 2, 1)
#define LA_B2   FX_LA4(0, 1, 2, 2)
#define LA_D    FX_LA4(0, 2, 0, 1)
#define LA_E    FX_LA4(1, 0, 0, 1)

static uint64_t next_pa;

static void map4k(fx_mmu *fx, uint64_t la, uint64_t flags)
{
    next_pa += PW_PAGE_SIZE;
    assert_int_equal(pw_os_map(fx->env.os, la, PA_DATA + next_pa, PW_SIZE_4K, flags), PW_OK);
}

static uint64_t table_base(uint64_t entry_pa)
{
    return entry_pa & ~(PW_PAGE_SIZE - 1);
}

/* The valid PSC entry at `level` for (la, pcid), or fail. */
static const pw_psc_entry *psc_entry(fx_mmu *fx, unsigned level, uint64_t la, uint16_t pcid)
{
    fx_settle(fx);
    const pw_psc_level *c = &fx->mmu->psc.lvl[level];
    uint64_t key = pw_psc_key(fx->mmu->mode, level, la);
    for (unsigned i = 0; i < c->n; i++)
        if (c->e[i].valid && c->e[i].key == key && c->e[i].pcid == pcid)
            return &c->e[i];
    fail_msg("no PSC entry at level %u for la %#llx pcid %u", level, (unsigned long long)la, pcid);
    return NULL;
}

/* The walk of `la` starts below a PSC hit at `psc_level` with a read of the entry
 * at level `first` and makes `n` accesses. */
static void expect_start(fx_mmu *fx, uint64_t la, unsigned psc_level, unsigned first, unsigned n)
{
    pw_mmu_response r = fx_read(fx, la);
    assert_false(r.hit);
    assert_int_equal(r.result.outcome, PW_OUT_OK);
    if (r.psc_level != psc_level || r.n_access != n || r.trace[0].acc.level != first ||
        r.trace[0].acc.pa != fx_entry_pa(fx, la, first))
        fail_msg("la %#llx: expected PSC level %u, first access at level %u (%#llx), %u accesses; "
                 "got PSC level %u, level %u (%#llx), %u accesses",
                 (unsigned long long)la, psc_level, first,
                 (unsigned long long)fx_entry_pa(fx, la, first), n, r.psc_level,
                 r.trace[0].acc.level, (unsigned long long)r.trace[0].acc.pa, r.n_access);
}

/* ---- hits skip levels ---- */

static void test_R11_3_4level_each_psc_level_skips_its_levels(void **state)
{
    (void)state;
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, NULL, FX_DELAY_DEFAULT);
    map4k(&fx, LA_A, FLAGS);
    map4k(&fx, LA_A2, FLAGS);
    map4k(&fx, LA_B, FLAGS);
    map4k(&fx, LA_D, FLAGS);
    map4k(&fx, LA_E, FLAGS);
    expect_start(&fx, LA_A, 0, PW_LVL_PML4, 4);
    expect_start(&fx, LA_A2, PW_LVL_PD, PW_LVL_PT, 1);
    expect_start(&fx, LA_B, PW_LVL_PDPT, PW_LVL_PD, 2);
    expect_start(&fx, LA_D, PW_LVL_PML4, PW_LVL_PDPT, 3);
    expect_start(&fx, LA_E, 0, PW_LVL_PML4, 4);
    assert_int_equal(fx.mmu->cnt.psc_hits[PW_LVL_PD], 1);
    assert_int_equal(fx.mmu->cnt.psc_hits[PW_LVL_PDPT], 1);
    assert_int_equal(fx.mmu->cnt.psc_hits[PW_LVL_PML4], 1);
    fx_free(&fx);
}

static void test_R11_3_5level_pml5e_cache(void **state)
{
    (void)state;
    const uint64_t la1 = FX_LA5(1, 0, 1, 1, 1), la2 = FX_LA5(1, 1, 0, 0, 1),
                   la3 = FX_LA5(1, 1, 0, 0, 2), la4 = FX_LA5(2, 0, 0, 0, 1);
    fx_mmu fx;
    fx_init(&fx, PW_MODE_5LVL, NULL, FX_DELAY_DEFAULT);
    map4k(&fx, la1, FLAGS);
    map4k(&fx, la2, FLAGS);
    map4k(&fx, la3, FLAGS);
    map4k(&fx, la4, FLAGS);
    expect_start(&fx, la1, 0, PW_LVL_PML5, 5);
    expect_start(&fx, la2, PW_LVL_PML5, PW_LVL_PML4, 4);
    expect_start(&fx, la3, PW_LVL_PD, PW_LVL_PT, 1);
    expect_start(&fx, la4, 0, PW_LVL_PML5, 5);
    assert_int_equal(fx.mmu->cnt.psc_hits[PW_LVL_PML5], 1);
    fx_free(&fx);
}

static void test_R11_3_pae_caches_only_the_pde_level(void **state)
{
    (void)state;
    const uint64_t la1 = FX_LA4(0, 1, 1, 1), la2 = FX_LA4(0, 1, 1, 2), la3 = FX_LA4(0, 1, 2, 1);
    fx_mmu fx;
    fx_init(&fx, PW_MODE_PAE, NULL, FX_DELAY_DEFAULT);
    map4k(&fx, la1, FLAGS);
    map4k(&fx, la2, FLAGS);
    map4k(&fx, la3, FLAGS);
    assert_int_equal(pw_env_load_regs(&fx.env), PW_OK);
    fx_load_regs(&fx);
    expect_start(&fx, la1, 0, PW_LVL_PD, 2); /* the PDPTE is a register: no access */
    assert_int_equal(fx_psc_count(&fx, PW_LVL_PD), 1);
    assert_int_equal(fx_psc_count(&fx, PW_LVL_PDPT), 0);
    expect_start(&fx, la2, PW_LVL_PD, PW_LVL_PT, 1);
    expect_start(&fx, la3, 0, PW_LVL_PD, 2);  /* same PDPTE, other PDE: no PDPTE cache */
    assert_false(pw_psc_level_used(PW_MODE_PAE, PW_LVL_PDPT));
    fx_free(&fx);
}

static void test_R11_3_32bit_paging_has_a_pde_cache(void **state)
{
    (void)state;
    const uint64_t la1 = FX_LA32(1, 1), la2 = FX_LA32(1, 2), la3 = FX_LA32(2, 1);
    fx_mmu fx;
    fx_init(&fx, PW_MODE_32, NULL, FX_DELAY_DEFAULT);
    map4k(&fx, la1, FLAGS);
    map4k(&fx, la2, FLAGS);
    map4k(&fx, la3, FLAGS);
    expect_start(&fx, la1, 0, PW_LVL_PD, 2);
    pw_mmu_response r = fx_read(&fx, la2);
    assert_int_equal(r.psc_level, PW_LVL_PD);
    assert_int_equal(r.n_access, 1);
    assert_int_equal(r.trace[0].acc.pa, fx_entry_pa(&fx, la2, PW_LVL_PT));
    assert_int_equal(r.trace[0].acc.size, ENTRY4);
    expect_start(&fx, la3, 0, PW_LVL_PD, 2);
    fx_free(&fx);
}

static void test_R11_3_levels_used_per_mode(void **state)
{
    (void)state;
    static const struct {
        pw_mode mode;
        bool used[PW_MAX_LEVEL_SLOTS];
    } rows[] = {
        {PW_MODE_32, {false, false, true, false, false, false}},
        {PW_MODE_PAE, {false, false, true, false, false, false}},
        {PW_MODE_4LVL, {false, false, true, true, true, false}},
        {PW_MODE_5LVL, {false, false, true, true, true, true}},
    };
    for (unsigned i = 0; i < sizeof rows / sizeof rows[0]; i++)
        for (unsigned l = PW_LVL_PT; l <= PW_LVL_PML5; l++)
            if (pw_psc_level_used(rows[i].mode, l) != rows[i].used[l])
                fail_msg("mode %s level %u: expected used=%d", pw_mode_name(rows[i].mode), l,
                         rows[i].used[l]);
}

/* Keys: LA bits above the region an entry maps (tlb.md), mode-truncated. */
static void test_R11_3_psc_keys(void **state)
{
    (void)state;
    const uint64_t la = FX_LA4(3, 5, 7, 9) | 0xabc;
    assert_int_equal(pw_psc_key(PW_MODE_4LVL, PW_LVL_PD, la), (UINT64_C(3) << 18) | (5 << 9) | 7);
    assert_int_equal(pw_psc_key(PW_MODE_4LVL, PW_LVL_PDPT, la), (3 << 9) | 5);
    assert_int_equal(pw_psc_key(PW_MODE_4LVL, PW_LVL_PML4, la), 3);
    assert_int_equal(pw_psc_key(PW_MODE_5LVL, PW_LVL_PML5, FX_LA5(6, 3, 5, 7, 9)), 6);
    /* Upper half: 4-level truncates to 48 bits, so PML4 index 256. */
    assert_int_equal(pw_psc_key(PW_MODE_4LVL, PW_LVL_PML4, UINT64_C(0xffff800000000000)), 256);
    /* 32-bit paging: a PDE maps 4 MiB. */
    assert_int_equal(pw_psc_key(PW_MODE_32, PW_LVL_PD, FX_LA32(0x3ff, 1)), 0x3ff);
    assert_int_equal(pw_psc_key(PW_MODE_PAE, PW_LVL_PD, FX_LA4(0, 3, 0x1ff, 1)), (3 << 9) | 0x1ff);
}

/* ---- what is cached ---- */

static void test_R11_3_large_pages_go_to_the_tlb_only(void **state)
{
    (void)state;
    const uint64_t la_2m = FX_LA4(0, 1, 1, 0), la_1g = FX_LA4(0, 2, 0, 0);
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, NULL, FX_DELAY_DEFAULT);
    assert_int_equal(pw_os_map(fx.env.os, la_2m, PW_BIT(21), PW_SIZE_2M, FLAGS), PW_OK);
    assert_int_equal(pw_os_map(fx.env.os, la_1g, PW_BIT(30), PW_SIZE_1G, FLAGS), PW_OK);
    pw_mmu_response r = fx_read(&fx, la_2m);
    assert_int_equal(r.result.size, PW_SIZE_2M);
    assert_int_equal(fx_psc_count(&fx, PW_LVL_PD), 0);
    assert_int_equal(fx_psc_matches(&fx, PW_LVL_PDPT, la_2m, 0), 1);
    assert_int_equal(fx_psc_matches(&fx, PW_LVL_PML4, la_2m, 0), 1);
    r = fx_read(&fx, la_1g);
    assert_int_equal(r.result.size, PW_SIZE_1G);
    assert_int_equal(fx_psc_matches(&fx, PW_LVL_PDPT, la_1g, 0), 0);
    assert_int_equal(fx_psc_count(&fx, PW_LVL_PDPT), 1);
    assert_int_equal(fx_tlb_count(&fx), 2);
    fx_free(&fx);

    fx_init(&fx, PW_MODE_32, NULL, FX_DELAY_DEFAULT);
    assert_int_equal(pw_os_map(fx.env.os, FX_LA32(1, 0), PW_BIT(22), PW_SIZE_4M, FLAGS), PW_OK);
    r = fx_read(&fx, FX_LA32(1, 0));
    assert_int_equal(r.result.size, PW_SIZE_4M);
    assert_int_equal(fx_psc_count(&fx, PW_LVL_PD), 0);
    fx_free(&fx);
}

/* Each entry: the next table's address and the rights combined down to it. */
static void test_R11_3_entry_holds_next_table_and_combined_rights(void **state)
{
    (void)state;
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, NULL, FX_DELAY_DEFAULT);
    map4k(&fx, LA_A, FLAGS | PTE_US);
    fx_set_entry(&fx, LA_A, PW_LVL_PML4, fx_entry(&fx, LA_A, PW_LVL_PML4) | PTE_XD);
    fx_set_entry(&fx, LA_A, PW_LVL_PDPT, fx_entry(&fx, LA_A, PW_LVL_PDPT) & ~PTE_RW);
    fx_set_entry(&fx, LA_A, PW_LVL_PD, fx_entry(&fx, LA_A, PW_LVL_PD) & ~PTE_US);
    fx_read(&fx, LA_A);

    const pw_psc_entry *e4 = psc_entry(&fx, PW_LVL_PML4, LA_A, 0);
    assert_int_equal(e4->table, table_base(fx_entry_pa(&fx, LA_A, PW_LVL_PDPT)));
    assert_true(e4->perm.rw && e4->perm.us && e4->perm.xd && e4->perm.nonleaf_rw);
    const pw_psc_entry *e3 = psc_entry(&fx, PW_LVL_PDPT, LA_A, 0);
    assert_int_equal(e3->table, table_base(fx_entry_pa(&fx, LA_A, PW_LVL_PD)));
    assert_true(!e3->perm.rw && e3->perm.us && e3->perm.xd && !e3->perm.nonleaf_rw);
    const pw_psc_entry *e2 = psc_entry(&fx, PW_LVL_PD, LA_A, 0);
    assert_int_equal(e2->table, table_base(fx_entry_pa(&fx, LA_A, PW_LVL_PT)));
    assert_true(!e2->perm.rw && !e2->perm.us && e2->perm.xd && !e2->perm.nonleaf_rw);
    assert_int_equal(e2->key, LA_A >> 21);
    fx_free(&fx);
}

/* A walk below a hit starts from the cached rights, not from the skipped entries. */
static void test_R11_3_walk_below_hit_uses_cached_rights(void **state)
{
    (void)state;
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, NULL, FX_DELAY_DEFAULT);
    map4k(&fx, LA_A, FLAGS);
    map4k(&fx, LA_A2, FLAGS);
    uint64_t pde = fx_entry(&fx, LA_A, PW_LVL_PD);
    fx_set_entry(&fx, LA_A, PW_LVL_PD, pde & ~PTE_RW);
    fx_read(&fx, LA_A);                       /* caches the read-only PDE */
    fx_set_entry(&fx, LA_A, PW_LVL_PD, pde);  /* R/W 0->1, no invalidation */
    pw_mmu_response r = fx_access(&fx, LA_A2, PW_ACC_WRITE, false);
    assert_int_equal(r.psc_level, PW_LVL_PD);
    assert_int_equal(r.result.outcome, PW_OUT_PF);
    assert_int_equal(r.result.err_code, PF_P | PF_W);
    fx_free(&fx);
}

static void test_R11_3_entries_tagged_with_pcid(void **state)
{
    (void)state;
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, NULL, FX_DELAY_DEFAULT);
    map4k(&fx, LA_A, FLAGS);
    map4k(&fx, LA_A2, FLAGS);
    map4k(&fx, LA_A3, FLAGS);
    fx_enable_pcid(&fx, PCID_1, false);
    expect_start(&fx, LA_A, 0, PW_LVL_PML4, 4);
    assert_int_equal(psc_entry(&fx, PW_LVL_PD, LA_A, PCID_1)->pcid, PCID_1);
    fx_switch_pcid(&fx, PCID_2, true);
    expect_start(&fx, LA_A2, 0, PW_LVL_PML4, 4);
    fx_switch_pcid(&fx, PCID_1, true);
    expect_start(&fx, LA_A3, PW_LVL_PD, PW_LVL_PT, 1);
    fx_free(&fx);
}

/* A global leaf makes a global TLB entry, but its PSC entries stay per PCID. */
static void test_R11_3_entries_never_global(void **state)
{
    (void)state;
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, NULL, FX_DELAY_DEFAULT);
    map4k(&fx, LA_A, FLAGS | PTE_G);
    map4k(&fx, LA_A2, FLAGS | PTE_G);
    fx_enable_pcid(&fx, PCID_1, true);
    fx_read(&fx, LA_A);
    fx_switch_pcid(&fx, PCID_2, true);
    pw_mmu_response r = fx_read(&fx, LA_A);
    assert_true(r.hit);
    expect_start(&fx, LA_A2, 0, PW_LVL_PML4, 4);
    fx_free(&fx);
}

static void test_R11_3_absent_level_is_skipped(void **state)
{
    (void)state;
    pw_config cfg;
    pw_config_default(&cfg);
    cfg.psc_entries[PW_LVL_PD] = 0;
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, &cfg, FX_DELAY_DEFAULT);
    map4k(&fx, LA_A, FLAGS);
    map4k(&fx, LA_A2, FLAGS);
    fx_read(&fx, LA_A);
    expect_start(&fx, LA_A2, PW_LVL_PDPT, PW_LVL_PD, 2);
    assert_int_equal(fx_psc_count(&fx, PW_LVL_PD), 0);
    fx_free(&fx);
}

/* ---- fill and replacement ---- */

/* tlb.md "Fill": at most one PSC entry per level matches (key, pcid). A restart
 * re-reads levels already cached; the fill must not leave two entries. */
static void test_R11_3_fill_after_restart_keeps_one_entry_per_key(void **state)
{
    (void)state;
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, NULL, FX_DELAY_DEFAULT);
    map4k(&fx, LA_A, FLAGS);
    map4k(&fx, LA_B, FLAGS);
    map4k(&fx, LA_B2, FLAGS_CLEAN);
    fx_read(&fx, LA_A);             /* PDE cache slot 0: A's region */
    fx_read(&fx, LA_B);             /* slot 1: B's region (walk below the PDPTE hit) */
    pw_mmu_response r = fx_read(&fx, LA_HOLE);
    assert_int_equal(r.result.outcome, PW_OUT_PF); /* FAULT(A's region): slot 0 invalid */
    assert_int_equal(fx_psc_matches(&fx, PW_LVL_PD, LA_A, 0), 0);
    assert_int_equal(fx_psc_matches(&fx, PW_LVL_PD, LA_B, 0), 1);

    /* Write B2 below the PDE hit; its PTE gets D=1 from elsewhere before the CAS:
     * the walk restarts from the root and re-reads B's PDE. */
    uint64_t l1 = fx_entry_pa(&fx, LA_B2, PW_LVL_PT);
    fx_write_at(&fx, fx.now + 2, l1, fx_peek(&fx, l1) | PTE_D);
    r = fx_access(&fx, LA_B2, PW_ACC_WRITE, false);
    assert_int_equal(r.psc_level, PW_LVL_PD);
    assert_int_equal(r.result.outcome, PW_OUT_OK);
    assert_int_equal(r.result.restarts, 1);
    assert_int_equal(fx_psc_matches(&fx, PW_LVL_PD, LA_B, 0), 1);
    assert_int_equal(fx_psc_count(&fx, PW_LVL_PD), 1);
    fx_free(&fx);
}

/* The same rule at the level of pw_psc_fill: victim = lowest slot invalid or with
 * the same (key, pcid); every other slot with that (key, pcid) is invalidated. */
static void test_R11_3_psc_fill_invalidates_other_slot_with_same_key(void **state)
{
    (void)state;
    const uint64_t t1 = UINT64_C(0x1000), t2 = UINT64_C(0x2000), t3 = UINT64_C(0x3000);
    const pw_perm perm = {.rw = true, .us = true, .nonleaf_rw = true};
    pw_config cfg;
    pw_config_default(&cfg);
    pw_psc p;
    assert_int_equal(pw_psc_init(&p, &cfg), PW_OK);
    pw_psc_fill(&p, PW_MODE_4LVL, PW_LVL_PD, LA_A, 0, t1, &perm);
    pw_psc_fill(&p, PW_MODE_4LVL, PW_LVL_PD, LA_B, 0, t2, &perm);
    assert_true(p.lvl[PW_LVL_PD].e[0].valid && p.lvl[PW_LVL_PD].e[1].valid);
    pw_flush f = {.kind = PW_FLUSH_FAULT, .pcid = 0, .la = LA_A};
    assert_int_equal(pw_psc_flush(&p, PW_MODE_4LVL, &f), 1);

    pw_psc_fill(&p, PW_MODE_4LVL, PW_LVL_PD, LA_B, 0, t3, &perm);
    assert_true(p.lvl[PW_LVL_PD].e[0].valid);
    assert_int_equal(p.lvl[PW_LVL_PD].e[0].table, t3);
    assert_false(p.lvl[PW_LVL_PD].e[1].valid);
    assert_int_equal(pw_psc_count(&p, PW_LVL_PD), 1);
}

static void test_R11_3_psc_fill_same_key_replaces_in_place(void **state)
{
    (void)state;
    const uint64_t t1 = UINT64_C(0x1000), t2 = UINT64_C(0x2000);
    const pw_perm perm = {.rw = true, .us = true, .nonleaf_rw = true};
    pw_config cfg;
    pw_config_default(&cfg);
    pw_psc p;
    assert_int_equal(pw_psc_init(&p, &cfg), PW_OK);
    pw_psc_fill(&p, PW_MODE_4LVL, PW_LVL_PD, LA_A, 0, t1, &perm);
    pw_psc_fill(&p, PW_MODE_4LVL, PW_LVL_PD, LA_B, 0, t1, &perm);
    pw_psc_fill(&p, PW_MODE_4LVL, PW_LVL_PD, LA_A2, 0, t2, &perm); /* A's key again */
    assert_int_equal(pw_psc_count(&p, PW_LVL_PD), 2);
    assert_int_equal(p.lvl[PW_LVL_PD].e[0].table, t2);
    /* Same key, other PCID: a separate entry. */
    pw_psc_fill(&p, PW_MODE_4LVL, PW_LVL_PD, LA_A, PCID_1, t1, &perm);
    assert_int_equal(pw_psc_count(&p, PW_LVL_PD), 3);
    pw_walk_start st;
    assert_int_equal(pw_psc_lookup(&p, PW_MODE_4LVL, LA_A3, 0, &st), PW_LVL_PD);
    assert_int_equal(st.table, t2);
    assert_int_equal(pw_psc_lookup(&p, PW_MODE_4LVL, LA_A3, PCID_1, &st), PW_LVL_PD);
    assert_int_equal(st.table, t1);
    assert_int_equal(pw_psc_lookup(&p, PW_MODE_4LVL, LA_A3, PCID_2, &st), 0);
}

/* A full level replaces its PLRU victim: PML4E cache of 2 entries. */
static void test_R11_3_full_level_replaces_plru_victim(void **state)
{
    (void)state;
    const uint64_t la0 = FX_LA4(0, 1, 1, 1), la1 = FX_LA4(1, 1, 1, 1), la2 = FX_LA4(2, 1, 1, 1);
    const uint64_t la0_other = FX_LA4(0, 3, 1, 1), la1_other = FX_LA4(1, 3, 1, 1);
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, NULL, FX_DELAY_DEFAULT);
    assert_int_equal(fx.mmu->psc.lvl[PW_LVL_PML4].n, 2);
    map4k(&fx, la0, FLAGS);
    map4k(&fx, la1, FLAGS);
    map4k(&fx, la2, FLAGS);
    map4k(&fx, la0_other, FLAGS);
    map4k(&fx, la1_other, FLAGS);
    fx_read(&fx, la0); /* slot 0; PLRU victim -> 1 */
    fx_read(&fx, la1); /* slot 1; victim -> 0 */
    fx_read(&fx, la2); /* replaces slot 0 (la0's key) */
    expect_start(&fx, la1_other, PW_LVL_PML4, PW_LVL_PDPT, 3);
    expect_start(&fx, la0_other, 0, PW_LVL_PML4, 4);
    fx_free(&fx);
}

/* timing.md decision 5: only the deepest hit level's PLRU is touched. */
static void test_psc_plru_touched_only_at_deepest_hit_level(void **state)
{
    (void)state;
    const uint64_t p0 = FX_LA4(0, 1, 1, 1), p0b = FX_LA4(0, 1, 1, 2), p1 = FX_LA4(1, 1, 1, 1),
                   p2 = FX_LA4(2, 1, 1, 1), p0c = FX_LA4(0, 3, 1, 1);
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, NULL, FX_DELAY_DEFAULT);
    map4k(&fx, p0, FLAGS);
    map4k(&fx, p0b, FLAGS);
    map4k(&fx, p1, FLAGS);
    map4k(&fx, p2, FLAGS);
    map4k(&fx, p0c, FLAGS);
    fx_read(&fx, p0);                                 /* PML4E slot 0, victim -> 1 */
    fx_read(&fx, p1);                                 /* slot 1, victim -> 0 */
    expect_start(&fx, p0b, PW_LVL_PD, PW_LVL_PT, 1);  /* PDE hit: PML4E PLRU untouched */
    fx_read(&fx, p2);                                 /* replaces slot 0 (p0's key) */
    expect_start(&fx, p0c, 0, PW_LVL_PML4, 4);
    fx_free(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_R11_3_4level_each_psc_level_skips_its_levels),
        cmocka_unit_test(test_R11_3_5level_pml5e_cache),
        cmocka_unit_test(test_R11_3_pae_caches_only_the_pde_level),
        cmocka_unit_test(test_R11_3_32bit_paging_has_a_pde_cache),
        cmocka_unit_test(test_R11_3_levels_used_per_mode),
        cmocka_unit_test(test_R11_3_psc_keys),
        cmocka_unit_test(test_R11_3_large_pages_go_to_the_tlb_only),
        cmocka_unit_test(test_R11_3_entry_holds_next_table_and_combined_rights),
        cmocka_unit_test(test_R11_3_walk_below_hit_uses_cached_rights),
        cmocka_unit_test(test_R11_3_entries_tagged_with_pcid),
        cmocka_unit_test(test_R11_3_entries_never_global),
        cmocka_unit_test(test_R11_3_absent_level_is_skipped),
        cmocka_unit_test(test_R11_3_fill_after_restart_keeps_one_entry_per_key),
        cmocka_unit_test(test_R11_3_psc_fill_invalidates_other_slot_with_same_key),
        cmocka_unit_test(test_R11_3_psc_fill_same_key_replaces_in_place),
        cmocka_unit_test(test_R11_3_full_level_replaces_plru_victim),
        cmocka_unit_test(test_psc_plru_touched_only_at_deepest_hit_level),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
