/* The TLB (x86-paging.md §11, docs/tlb.md): what may be cached (R11.1), what an
 * entry holds (R11.2), PCID and global tags (R11.4), the staleness R11.6 allows
 * and the fill's overlap rule that keeps one matching entry, and the controls
 * that are evaluated at access time instead of flushing (R11.7). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mmu_fixture.h"

#define FLAGS_DIRTY (PTE_RW | PTE_A | PTE_D)
#define FLAGS_CLEAN (PTE_RW | PTE_A)
#define FLAGS_RO    (PTE_A | PTE_D)
#define PCID_1 1
#define PCID_2 2
#define PCID_3 3
#define KEY_5  5u
#define PKRU_WD(k) (UINT64_C(2) << (2 * (k)))
#define RSVD_BIT_51 PW_BIT(51) /* reserved with the default MAXPHYADDR of 46 (R5.1) */

/* A, A2, A3 share a 2 MiB region; B is in another 1 GiB region. */
#define LA_A   FX_LA4(0, 1, 1, 1)
#define LA_A2  FX_LA4(0, 1, 1, 2)
#define LA_A3  FX_LA4(0, 1, 1, 3)
#define LA_B   FX_LA4(0, 2, 0, 1)
#define LA_2M  FX_LA4(0, 1, 1, 0)  /* the 2 MiB page over A's region */
#define LA_1G  FX_LA4(0, 3, 0, 0)
#define LA_KEEP FX_LA4(0, 1, 5, 1) /* keeps A's page directory alive through unmaps */
#define PA_KEEP UINT64_C(0x00130000)
#define PA_A   UINT64_C(0x00123000)
#define PA_A2  UINT64_C(0x00124000)
#define PA_B   UINT64_C(0x00126000)
#define PA_2M  UINT64_C(0x00600000)
#define PA_1G  UINT64_C(0x40000000)
#define PA_NEW UINT64_C(0x00777000)

/* ---- helpers ---- */

static void map(fx_mmu *fx, uint64_t la, uint64_t pa, pw_page_size size, uint64_t flags)
{
    assert_int_equal(pw_os_map(fx->env.os, la, pa, size, flags), PW_OK);
}

static void init4(fx_mmu *fx)
{
    fx_init(fx, PW_MODE_4LVL, NULL, FX_DELAY_DEFAULT);
}

/* The one TLB entry that translates la under pcid. */
static const pw_tlb_entry *tlb_entry(fx_mmu *fx, uint64_t la, uint16_t pcid)
{
    assert_int_equal(fx_tlb_matches(fx, la, pcid), 1);
    int i = pw_tlb_lookup(&fx->mmu->tlb, pw_la_truncate(fx->mmu->mode, la), pcid);
    assert_true(i >= 0);
    return &fx->mmu->tlb.e[i];
}

static void expect_pf(const pw_mmu_response *r, uint32_t err)
{
    if (r->result.outcome != PW_OUT_PF || r->result.err_code != err)
        fail_msg("expected #PF %#x, got outcome %d err %#x", err, r->result.outcome,
                 r->result.err_code);
}

/* An entry built by pw_tlb_fill (it sets the compare mask). */
static pw_tlb_entry entry(uint64_t la, pw_page_size size, uint16_t pcid, bool global)
{
    uint64_t bytes = pw_page_bytes(size);
    return (pw_tlb_entry){.valid = true, .vpn = (la & ~(bytes - 1)) >> PW_PAGE_SHIFT,
                          .size = size, .pcid = pcid, .global = global,
                          .pfn = (la & ~(bytes - 1)) >> PW_PAGE_SHIFT,
                          .perm = {.rw = true, .us = true, .nonleaf_rw = true}};
}

static unsigned matches(const pw_tlb *t, uint64_t la, uint16_t pcid)
{
    unsigned n = 0;
    for (unsigned i = 0; i < t->n; i++)
        n += pw_tlb_entry_matches(&t->e[i], la, pcid);
    return n;
}

/* ---- R11.1: only complete, valid, accessed translations are cached ---- */

static void test_R11_1_not_present_leaf_is_not_cached(void **state)
{
    (void)state;
    fx_mmu fx;
    init4(&fx);
    map(&fx, LA_A2, PA_A2, PW_SIZE_4K, FLAGS_DIRTY); /* the PT exists, A's PTE is 0 */
    pw_mmu_response r = fx_read(&fx, LA_A);
    expect_pf(&r, 0);
    assert_int_equal(fx_tlb_count(&fx), 0);
    map(&fx, LA_A, PA_A, PW_SIZE_4K, FLAGS_DIRTY);   /* P: 0 -> 1, no invalidation */
    r = fx_read(&fx, LA_A);
    fx_expect_ok(&r, PA_A);
    assert_true(fx_walked(&r));
    fx_free(&fx);
}

static void test_R11_1_not_present_upper_level_is_not_cached(void **state)
{
    (void)state;
    fx_mmu fx;
    init4(&fx);
    map(&fx, LA_A, PA_A, PW_SIZE_4K, FLAGS_DIRTY); /* the PDPT exists; B's PDPTE is 0 */
    pw_mmu_response r = fx_read(&fx, LA_B);
    expect_pf(&r, 0);
    assert_int_equal(r.result.level, PW_LVL_PDPT);
    for (unsigned l = PW_LVL_PD; l <= PW_LVL_PML4; l++)
        assert_int_equal(fx_psc_count(&fx, l), 0);
    map(&fx, LA_B, PA_B, PW_SIZE_4K, FLAGS_DIRTY);
    r = fx_read(&fx, LA_B);
    fx_expect_ok(&r, PA_B);
    fx_free(&fx);
}

static void test_R11_1_reserved_translation_is_not_cached(void **state)
{
    (void)state;
    static const unsigned levels[] = {PW_LVL_PT, PW_LVL_PD};
    for (unsigned i = 0; i < sizeof levels / sizeof levels[0]; i++) {
        fx_mmu fx;
        init4(&fx);
        map(&fx, LA_A, PA_A, PW_SIZE_4K, FLAGS_DIRTY);
        uint64_t e = fx_entry(&fx, LA_A, levels[i]);
        fx_set_entry(&fx, LA_A, levels[i], e | RSVD_BIT_51);
        pw_mmu_response r = fx_read(&fx, LA_A);
        expect_pf(&r, PF_P | PF_RSVD);
        assert_int_equal(r.result.level, levels[i]);
        assert_int_equal(fx_tlb_count(&fx), 0);
        assert_int_equal(fx_psc_count(&fx, PW_LVL_PD), 0);
        fx_set_entry(&fx, LA_A, levels[i], e); /* fixed without invalidation */
        r = fx_read(&fx, LA_A);
        fx_expect_ok(&r, PA_A);
        fx_free(&fx);
    }
}

static void test_R11_1_faulting_translation_is_not_cached(void **state)
{
    (void)state;
    fx_mmu fx;
    init4(&fx);
    map(&fx, LA_A, PA_A, PW_SIZE_4K, FLAGS_DIRTY); /* supervisor page */
    pw_mmu_response r = fx_access(&fx, LA_A, PW_ACC_READ, true);
    expect_pf(&r, PF_P | PF_U);
    assert_int_equal(fx_tlb_count(&fx), 0);
    fx_set_entry(&fx, LA_A, PW_LVL_PT, fx_entry(&fx, LA_A, PW_LVL_PT) | PTE_US);
    r = fx_access(&fx, LA_A, PW_ACC_READ, true);
    fx_expect_ok(&r, PA_A);
    assert_true(fx_walked(&r));
    fx_free(&fx);
}

/* The processor sets A before caching: by the time an entry is cached, every
 * entry of its translation has A=1 in memory. */
static void test_R11_1_cached_translation_has_accessed_set(void **state)
{
    (void)state;
    fx_mmu fx;
    init4(&fx);
    pw_os_set_table_flags(fx.env.os, PTE_RW | PTE_US); /* non-leaf A = 0 */
    map(&fx, LA_A, PA_A, PW_SIZE_4K, PTE_RW);          /* leaf A = 0 */
    fx_read(&fx, LA_A);
    assert_int_equal(fx_tlb_matches(&fx, LA_A, 0), 1);
    for (unsigned l = PW_LVL_PT; l <= PW_LVL_PML4; l++)
        assert_true(fx_entry(&fx, LA_A, l) & PTE_A);
    for (unsigned l = PW_LVL_PD; l <= PW_LVL_PML4; l++)
        assert_int_equal(fx_psc_matches(&fx, l, LA_A, 0), 1);
    fx_free(&fx);
}

/* ---- R11.2: entry contents ---- */

static void test_R11_2_entry_holds_frame_rights_key_dirty_memtype_global(void **state)
{
    (void)state;
    const uint64_t flags = PTE_RW | PTE_US | PTE_PWT | PTE_PCD | PW_OS_PAT | PTE_G | PTE_A |
                           PTE_D | PTE_XD | ((uint64_t)KEY_5 << PTE_PK_SHIFT);
    fx_mmu fx;
    init4(&fx);
    fx.env.regs.cr4 |= CR4_PGE | CR4_PKE;
    fx_load_regs(&fx);
    map(&fx, LA_A, PA_A, PW_SIZE_4K, flags);
    fx_read(&fx, LA_A);
    const pw_tlb_entry *e = tlb_entry(&fx, LA_A, 0);
    assert_int_equal(e->vpn, LA_A >> PW_PAGE_SHIFT);
    assert_int_equal(e->size, PW_SIZE_4K);
    assert_int_equal(e->pcid, 0);
    assert_true(e->global);
    assert_int_equal(e->pfn, PA_A >> PW_PAGE_SHIFT);
    assert_true(e->perm.rw && e->perm.us && e->perm.xd && e->perm.nonleaf_rw && e->perm.dirty);
    assert_int_equal(e->perm.pk, KEY_5);
    assert_int_equal(e->memtype, PW_MT_PWT | PW_MT_PCD | PW_MT_PAT);
    assert_int_equal(e->level, PW_LVL_PT);
    fx_free(&fx);
}

/* Large pages: one entry with the combined (non-leaf) rights; the hit answer
 * is built from it (timing.md decision 2: raw_entry and entry_pa are 0). */
static void test_R11_2_large_page_entry_and_hit_answer(void **state)
{
    (void)state;
    const uint64_t offset_2m = 0x12345, offset_1g = 0x2345678;
    fx_mmu fx;
    init4(&fx);
    map(&fx, LA_2M, PA_2M, PW_SIZE_2M, FLAGS_CLEAN | PTE_PCD);
    map(&fx, LA_1G, PA_1G, PW_SIZE_1G, FLAGS_DIRTY | PTE_US | PW_OS_PAT);
    fx_set_entry(&fx, LA_2M, PW_LVL_PDPT, fx_entry(&fx, LA_2M, PW_LVL_PDPT) & ~PTE_RW);
    fx_read(&fx, LA_2M);
    const pw_tlb_entry *e = tlb_entry(&fx, LA_2M, 0);
    assert_int_equal(e->vpn, LA_2M >> PW_PAGE_SHIFT);
    assert_int_equal(e->size, PW_SIZE_2M);
    assert_false(e->global);
    assert_int_equal(e->pfn, PA_2M >> PW_PAGE_SHIFT);
    assert_false(e->perm.rw);         /* the PDPTE's R/W=0 */
    assert_false(e->perm.nonleaf_rw);
    assert_false(e->perm.us);         /* the leaf's U/S=0 */
    assert_false(e->perm.xd);
    assert_false(e->perm.dirty);
    assert_int_equal(e->memtype, PW_MT_PCD);
    assert_int_equal(e->level, PW_LVL_PD);

    pw_mmu_response r = fx_read(&fx, LA_2M + offset_2m);
    assert_true(r.hit);
    fx_expect_ok(&r, PA_2M + offset_2m);
    assert_int_equal(r.result.size, PW_SIZE_2M);
    assert_int_equal(r.result.level, PW_LVL_PD);
    assert_int_equal(r.result.memtype, PW_MT_PCD);
    assert_false(r.result.perm.rw);
    assert_int_equal(r.result.raw_entry, 0);
    assert_int_equal(r.result.entry_pa, 0);

    fx_read(&fx, LA_1G);
    e = tlb_entry(&fx, LA_1G + offset_1g, 0);
    assert_int_equal(e->size, PW_SIZE_1G);
    assert_int_equal(e->level, PW_LVL_PDPT);
    assert_int_equal(e->memtype, PW_MT_PAT);
    r = fx_read(&fx, LA_1G + offset_1g);
    assert_true(r.hit);
    fx_expect_ok(&r, PA_1G + offset_1g);
    fx_free(&fx);
}

/* A write through an entry whose cached D=0 sets D in memory first. */
static void test_R11_2_write_through_clean_entry_sets_dirty_in_memory(void **state)
{
    (void)state;
    fx_mmu fx;
    init4(&fx);
    map(&fx, LA_A, PA_A, PW_SIZE_4K, FLAGS_CLEAN);
    uint64_t pte = fx_entry(&fx, LA_A, PW_LVL_PT);
    fx_read(&fx, LA_A);
    assert_false(tlb_entry(&fx, LA_A, 0)->perm.dirty);
    pw_mmu_response r = fx_read(&fx, LA_A); /* reads use the clean entry */
    assert_true(r.hit);

    r = fx_access(&fx, LA_A, PW_ACC_WRITE, false);
    assert_false(r.hit);
    fx_expect_ok(&r, PA_A);
    assert_int_equal(r.n_access, 2); /* below the PDE hit: the PTE, then its CAS */
    assert_int_equal(r.trace[1].acc.kind, PW_MEM_CAS);
    assert_int_equal(r.trace[1].acc.pa, fx_entry_pa(&fx, LA_A, PW_LVL_PT));
    assert_int_equal(r.trace[1].acc.desired, pte | PTE_D);
    assert_int_equal(fx_entry(&fx, LA_A, PW_LVL_PT), pte | PTE_D);
    assert_true(tlb_entry(&fx, LA_A, 0)->perm.dirty);
    assert_int_equal(fx_tlb_count(&fx), 1);

    r = fx_access(&fx, LA_A, PW_ACC_WRITE, false);
    assert_true(r.hit);
    assert_int_equal(r.n_access, 0);
    assert_int_equal(fx.mmu->cnt.misses, 1);
    assert_int_equal(fx.mmu->cnt.walks, 2);
    fx_free(&fx);
}

/* ---- R11.4: PCID and global entries ---- */

static void test_R11_4_entries_tagged_with_current_pcid(void **state)
{
    (void)state;
    fx_mmu fx;
    init4(&fx);
    map(&fx, LA_A, PA_A, PW_SIZE_4K, FLAGS_DIRTY);
    fx_enable_pcid(&fx, PCID_1, true);
    fx_read(&fx, LA_A);
    assert_int_equal(tlb_entry(&fx, LA_A, PCID_1)->pcid, PCID_1);
    assert_int_equal(fx_tlb_matches(&fx, LA_A, PCID_2), 0);

    fx_switch_pcid(&fx, PCID_2, true);
    pw_mmu_response r = fx_read(&fx, LA_A);
    assert_true(fx_walked(&r));
    assert_int_equal(tlb_entry(&fx, LA_A, PCID_2)->pcid, PCID_2);
    assert_int_equal(fx_tlb_count(&fx), 2); /* one per PCID */

    fx_switch_pcid(&fx, PCID_1, true);
    r = fx_read(&fx, LA_A);
    assert_true(r.hit);
    fx_free(&fx);
}

static void test_R11_4_pcid_is_zero_without_pcide(void **state)
{
    (void)state;
    const uint64_t cr3_low_bits = PW_BITS(11, 3); /* PWT, PCD and ignored bits */
    fx_mmu fx;
    init4(&fx);
    map(&fx, LA_A, PA_A, PW_SIZE_4K, FLAGS_DIRTY);
    fx.env.regs.cr3 |= cr3_low_bits;
    fx_load_regs(&fx);
    assert_int_equal(pw_regs_pcid(&fx.mmu->regs), 0);
    fx_read(&fx, LA_A);
    assert_int_equal(tlb_entry(&fx, LA_A, 0)->pcid, 0);
    fx_free(&fx);
}

static void test_R11_4_global_entry_usable_under_any_pcid(void **state)
{
    (void)state;
    fx_mmu fx;
    init4(&fx);
    map(&fx, LA_A, PA_A, PW_SIZE_4K, FLAGS_DIRTY | PTE_G);
    fx_enable_pcid(&fx, PCID_1, true);
    pw_mmu_response r = fx_read(&fx, LA_A);
    assert_true(r.result.global);
    fx_switch_pcid(&fx, PCID_2, true);
    r = fx_read(&fx, LA_A);
    assert_true(r.hit);
    fx_switch_pcid(&fx, PCID_3, false); /* flushes PCID 3's non-global entries only */
    r = fx_read(&fx, LA_A);
    assert_true(r.hit);
    fx_expect_ok(&r, PA_A);
    fx_free(&fx);
}

static void test_R11_4_global_needs_cr4_pge(void **state)
{
    (void)state;
    fx_mmu fx;
    init4(&fx);
    map(&fx, LA_A, PA_A, PW_SIZE_4K, FLAGS_DIRTY | PTE_G);
    fx_enable_pcid(&fx, PCID_1, false);
    pw_mmu_response r = fx_read(&fx, LA_A);
    assert_false(r.result.global);
    assert_false(tlb_entry(&fx, LA_A, PCID_1)->global);
    fx_switch_pcid(&fx, PCID_2, true);
    r = fx_read(&fx, LA_A);
    assert_true(fx_walked(&r));
    fx_free(&fx);
}

static void test_R11_4_g_in_nonleaf_entries_is_ignored(void **state)
{
    (void)state;
    fx_mmu fx;
    init4(&fx);
    map(&fx, LA_A, PA_A, PW_SIZE_4K, FLAGS_DIRTY);
    for (unsigned l = PW_LVL_PD; l <= PW_LVL_PML4; l++)
        fx_set_entry(&fx, LA_A, l, fx_entry(&fx, LA_A, l) | PTE_G);
    fx_enable_pcid(&fx, PCID_1, true);
    pw_mmu_response r = fx_read(&fx, LA_A);
    fx_expect_ok(&r, PA_A);
    assert_false(r.result.global);
    fx_switch_pcid(&fx, PCID_2, true);
    r = fx_read(&fx, LA_A);
    assert_true(fx_walked(&r));
    fx_free(&fx);
}

/* ---- R11.6: allowed staleness ---- */

/* A leaf R/W, U/S or XD upgrade without invalidation: the cached entry denies
 * the access, so the mmu re-walks and answers from memory: no stale fault. */
static void check_leaf_upgrade_rewalks(uint64_t flags_before, uint64_t set, uint64_t clear,
                                       pw_access_kind kind, bool user)
{
    fx_mmu fx;
    init4(&fx);
    map(&fx, LA_A, PA_A, PW_SIZE_4K, flags_before);
    fx_read(&fx, LA_A);
    assert_int_equal(fx_tlb_matches(&fx, LA_A, 0), 1);
    fx_set_entry(&fx, LA_A, PW_LVL_PT, (fx_entry(&fx, LA_A, PW_LVL_PT) | set) & ~clear);
    pw_mmu_response r = fx_access(&fx, LA_A, kind, user);
    fx_expect_ok(&r, PA_A);
    assert_true(fx_walked(&r));
    assert_int_equal(fx.mmu->cnt.faults, 0);
    r = fx_access(&fx, LA_A, kind, user);
    assert_true(r.hit);
    fx_free(&fx);
}

static void test_R11_6_rw_upgrade_without_invalidation_no_stale_fault(void **state)
{
    (void)state;
    check_leaf_upgrade_rewalks(FLAGS_RO, PTE_RW, 0, PW_ACC_WRITE, false);
}

static void test_R11_6_us_upgrade_without_invalidation_no_stale_fault(void **state)
{
    (void)state;
    check_leaf_upgrade_rewalks(FLAGS_DIRTY, PTE_US, 0, PW_ACC_READ, true);
}

static void test_R11_6_xd_clear_without_invalidation_no_stale_fault(void **state)
{
    (void)state;
    check_leaf_upgrade_rewalks(FLAGS_DIRTY | PTE_XD, 0, PTE_XD, PW_ACC_FETCH, false);
}

/* A non-leaf R/W upgrade: R11.6 allows at most one spurious #PF, which
 * invalidates what caused it; the next access then succeeds. */
static void test_R11_6_nonleaf_upgrade_at_most_one_spurious_fault(void **state)
{
    (void)state;
    fx_mmu fx;
    init4(&fx);
    map(&fx, LA_A, PA_A, PW_SIZE_4K, FLAGS_DIRTY);
    uint64_t pde = fx_entry(&fx, LA_A, PW_LVL_PD);
    fx_set_entry(&fx, LA_A, PW_LVL_PD, pde & ~PTE_RW);
    fx_read(&fx, LA_A);
    fx_set_entry(&fx, LA_A, PW_LVL_PD, pde); /* R/W 0 -> 1, no invalidation */
    pw_mmu_response r = fx_access(&fx, LA_A, PW_ACC_WRITE, false);
    if (r.result.outcome == PW_OUT_PF) {
        expect_pf(&r, PF_P | PF_W); /* the stale rights' fault, nothing else */
        r = fx_access(&fx, LA_A, PW_ACC_WRITE, false);
    }
    fx_expect_ok(&r, PA_A);
    assert_true(fx.mmu->cnt.faults <= 1);
    r = fx_access(&fx, LA_A, PW_ACC_WRITE, false);
    assert_true(r.hit);
    fx_free(&fx);
}

/* After a 4K -> 2M change without invalidation, the 2M fill evicts every 4K
 * entry inside it: at most one entry matches any address. */
static void test_R11_6_small_to_large_page_leaves_one_matching_entry(void **state)
{
    (void)state;
    pw_config cfg;
    pw_config_default(&cfg);
    cfg.psc_entries[PW_LVL_PD] = 0; /* so that the walk reads the new PDE */
    fx_mmu fx;
    fx_init(&fx, PW_MODE_4LVL, &cfg, FX_DELAY_DEFAULT);
    map(&fx, LA_KEEP, PA_KEEP, PW_SIZE_4K, FLAGS_DIRTY);
    map(&fx, LA_A, PA_A, PW_SIZE_4K, FLAGS_DIRTY);
    map(&fx, LA_A2, PA_A2, PW_SIZE_4K, FLAGS_DIRTY);
    fx_read(&fx, LA_A);
    fx_read(&fx, LA_A2);
    assert_int_equal(fx_tlb_count(&fx), 2);
    assert_int_equal(pw_os_unmap(fx.env.os, LA_A, PW_SIZE_4K), PW_OK);
    assert_int_equal(pw_os_unmap(fx.env.os, LA_A2, PW_SIZE_4K), PW_OK);
    map(&fx, LA_2M, PA_2M, PW_SIZE_2M, FLAGS_DIRTY);

    pw_mmu_response r = fx_read(&fx, LA_A3);
    fx_expect_ok(&r, PA_2M + (LA_A3 - LA_2M));
    assert_int_equal(fx_tlb_count(&fx), 1);
    assert_int_equal(fx_tlb_matches(&fx, LA_A, 0), 1);
    assert_int_equal(fx_tlb_matches(&fx, LA_A2, 0), 1);
    assert_int_equal(fx_tlb_matches(&fx, LA_A3, 0), 1);
    r = fx_read(&fx, LA_A);
    assert_true(r.hit);
    fx_expect_ok(&r, PA_2M + (LA_A - LA_2M));
    fx_free(&fx);
}

/* After a 2M -> 4K change: the stale 2M entry may still be used; the first 4K
 * fill (here a write through the clean 2M entry re-walks) evicts it. */
static void test_R11_6_large_to_small_page_leaves_one_matching_entry(void **state)
{
    (void)state;
    fx_mmu fx;
    init4(&fx);
    map(&fx, LA_KEEP, PA_KEEP, PW_SIZE_4K, FLAGS_DIRTY);
    map(&fx, LA_2M, PA_2M, PW_SIZE_2M, FLAGS_CLEAN);
    fx_read(&fx, LA_A);
    assert_int_equal(pw_os_unmap(fx.env.os, LA_2M, PW_SIZE_2M), PW_OK);
    map(&fx, LA_A, PA_NEW, PW_SIZE_4K, FLAGS_DIRTY);

    pw_mmu_response r = fx_read(&fx, LA_A); /* either size may be used (R11.6) */
    assert_true(r.hit);
    fx_expect_ok(&r, PA_2M + (LA_A - LA_2M));
    r = fx_access(&fx, LA_A, PW_ACC_WRITE, false);
    assert_true(fx_walked(&r));
    fx_expect_ok(&r, PA_NEW);
    assert_int_equal(fx_tlb_count(&fx), 1);
    assert_int_equal(fx_tlb_matches(&fx, LA_A, 0), 1);
    assert_int_equal(tlb_entry(&fx, LA_A, 0)->size, PW_SIZE_4K);
    assert_int_equal(fx_tlb_matches(&fx, LA_A2, 0), 0);
    fx_free(&fx);
}

/* ---- the fill rule (tlb.md "Fill") at the level of pw_tlb ---- */

/* The example of tlb.md: slot 7 holds a 2 MiB page at 0x4000_0000 (PCID 0), all 32
 * slots valid; a 4 KiB fill at 0x4000_3000 takes slot 7. */
static void test_R11_6_fill_overlap_takes_lowest_overlapping_slot(void **state)
{
    (void)state;
    enum { SLOTS = 32, SLOT_2M = 7 };
    const uint64_t la_2m = UINT64_C(0x40000000), la_4k = UINT64_C(0x40003000);
    const uint64_t far = UINT64_C(0x1000000000);
    pw_tlb t;
    assert_int_equal(pw_tlb_init(&t, SLOTS), PW_OK);
    for (unsigned i = 0; i < SLOTS; i++) {
        pw_tlb_entry e = i == SLOT_2M ? entry(la_2m, PW_SIZE_2M, 0, false)
                                      : entry(far + i * PW_PAGE_SIZE, PW_SIZE_4K, 0, false);
        assert_int_equal(pw_tlb_fill(&t, &e), i);
    }
    pw_tlb_entry ne = entry(la_4k, PW_SIZE_4K, 0, false);
    assert_int_equal(pw_tlb_fill(&t, &ne), SLOT_2M);
    assert_int_equal(pw_tlb_count(&t), SLOTS);
    assert_int_equal(t.e[SLOT_2M].size, PW_SIZE_4K);
    assert_int_equal(matches(&t, la_4k, 0), 1);
    assert_int_equal(matches(&t, la_2m, 0), 0);
}

static void test_R11_6_fill_large_evicts_every_small_entry_inside(void **state)
{
    (void)state;
    enum { SLOTS = 8 };
    const uint64_t base = UINT64_C(0x40000000), outside = base + PW_BIT(21);
    pw_tlb t;
    assert_int_equal(pw_tlb_init(&t, SLOTS), PW_OK);
    pw_tlb_entry e0 = entry(outside, PW_SIZE_4K, 0, false);
    pw_tlb_entry e1 = entry(base + PW_PAGE_SIZE, PW_SIZE_4K, 0, false);
    pw_tlb_entry e2 = entry(base + 9 * PW_PAGE_SIZE, PW_SIZE_4K, 0, false);
    pw_tlb_entry e3 = entry(base + 0x1ff * PW_PAGE_SIZE, PW_SIZE_4K, 0, false);
    pw_tlb_fill(&t, &e0);
    pw_tlb_fill(&t, &e1);
    pw_tlb_fill(&t, &e2);
    pw_tlb_fill(&t, &e3);
    pw_tlb_entry big = entry(base, PW_SIZE_2M, 0, false);
    assert_int_equal(pw_tlb_fill(&t, &big), 1); /* the lowest overlapping slot */
    assert_int_equal(pw_tlb_count(&t), 2);
    for (uint64_t off = 0; off < PW_BIT(21); off += PW_BIT(16))
        assert_int_equal(matches(&t, base + off, 0), 1);
    assert_int_equal(matches(&t, outside, 0), 1);
}

/* A global entry can hit under every PCID, so it overlaps entries of every PCID;
 * non-global entries of different PCIDs do not overlap. */
static void test_R11_6_fill_global_overlaps_every_pcid(void **state)
{
    (void)state;
    enum { SLOTS = 4 };
    const uint64_t la = UINT64_C(0x40003000);
    pw_tlb t;
    assert_int_equal(pw_tlb_init(&t, SLOTS), PW_OK);
    pw_tlb_entry p1 = entry(la, PW_SIZE_4K, PCID_1, false), p2 = entry(la, PW_SIZE_4K, PCID_2, false);
    assert_int_equal(pw_tlb_fill(&t, &p1), 0);
    assert_int_equal(pw_tlb_fill(&t, &p2), 1);
    assert_int_equal(pw_tlb_count(&t), 2);
    assert_int_equal(matches(&t, la, PCID_1), 1);
    assert_int_equal(matches(&t, la, PCID_2), 1);
    pw_tlb_entry g = entry(la, PW_SIZE_4K, PCID_3, true);
    assert_int_equal(pw_tlb_fill(&t, &g), 0);
    assert_int_equal(pw_tlb_count(&t), 1);
    for (uint16_t p = 0; p <= PCID_3; p++)
        assert_int_equal(matches(&t, la, p), 1);
    /* and a non-global fill evicts the global entry it overlaps */
    assert_int_equal(pw_tlb_fill(&t, &p2), 0);
    assert_int_equal(matches(&t, la, PCID_1), 0);
    assert_int_equal(matches(&t, la, PCID_2), 1);
}

static void test_tlb_fill_lowest_invalid_slot_then_same_page_in_place(void **state)
{
    (void)state;
    enum { SLOTS = 4 };
    pw_tlb t;
    assert_int_equal(pw_tlb_init(&t, SLOTS), PW_OK);
    pw_tlb_entry a = entry(LA_A, PW_SIZE_4K, 0, false), b = entry(LA_A2, PW_SIZE_4K, 0, false),
                 c = entry(LA_A3, PW_SIZE_4K, 0, false), d = entry(LA_B, PW_SIZE_4K, 0, false);
    assert_int_equal(pw_tlb_fill(&t, &a), 0);
    assert_int_equal(pw_tlb_fill(&t, &b), 1);
    assert_int_equal(pw_tlb_fill(&t, &c), 2);
    assert_int_equal(pw_tlb_fill(&t, &b), 1); /* the same page again: its own slot */
    pw_flush f = {.kind = PW_FLUSH_PAGE, .pcid = 0, .la = LA_A2};
    assert_int_equal(pw_tlb_flush(&t, &f), 1);
    assert_int_equal(pw_tlb_fill(&t, &d), 1); /* the lowest invalid slot */
    assert_int_equal(pw_tlb_count(&t), 3);
}

static void test_tlb_entry_matches_its_page_only(void **state)
{
    (void)state;
    static const pw_page_size sizes[] = {PW_SIZE_4K, PW_SIZE_2M, PW_SIZE_4M, PW_SIZE_1G};
    const uint64_t base = UINT64_C(0x80000000); /* aligned to every size */
    for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        pw_tlb t;
        assert_int_equal(pw_tlb_init(&t, 1), PW_OK);
        pw_tlb_entry e = entry(base, sizes[i], PCID_1, false);
        pw_tlb_fill(&t, &e);
        uint64_t bytes = pw_page_bytes(sizes[i]);
        assert_true(pw_tlb_entry_matches(&t.e[0], base, PCID_1));
        assert_true(pw_tlb_entry_matches(&t.e[0], base + bytes - 1, PCID_1));
        assert_false(pw_tlb_entry_matches(&t.e[0], base + bytes, PCID_1));
        assert_false(pw_tlb_entry_matches(&t.e[0], base - 1, PCID_1));
        assert_false(pw_tlb_entry_matches(&t.e[0], base, PCID_2));
        assert_int_equal(pw_tlb_lookup(&t, base + bytes / 2, PCID_1), 0);
        assert_int_equal(pw_tlb_lookup(&t, base + bytes, PCID_1), -1);
    }
}

/* ---- R11.7: controls evaluated at access time, not flushes ---- */

static void test_R11_7_wp_change_is_not_a_flush(void **state)
{
    (void)state;
    fx_mmu fx;
    init4(&fx);
    map(&fx, LA_A, PA_A, PW_SIZE_4K, FLAGS_RO);
    fx_read(&fx, LA_A);
    pw_regs regs = fx.mmu->regs;
    pw_flush f;
    assert_int_equal(pw_regs_mov_cr0(&fx.env.cfg, &regs, &fx.port, regs.cr0 & ~CR0_WP, &f), PW_OK);
    assert_int_equal(f.kind, PW_FLUSH_NONE);

    fx_ctl_ok(&fx, PW_CTL_MOV_CR0, fx.mmu->regs.cr0 & ~CR0_WP, 0, 0);
    pw_mmu_response r = fx_access(&fx, LA_A, PW_ACC_WRITE, false); /* WP=0: allowed */
    assert_true(r.hit);
    fx_expect_ok(&r, PA_A);
    fx_ctl_ok(&fx, PW_CTL_MOV_CR0, fx.mmu->regs.cr0 | CR0_WP, 0, 0);
    r = fx_read(&fx, LA_A);
    assert_true(r.hit);
    r = fx_access(&fx, LA_A, PW_ACC_WRITE, false);               /* WP=1: denied */
    expect_pf(&r, PF_P | PF_W);
    r = fx_read(&fx, LA_A);                                      /* the #PF dropped it */
    assert_true(fx_walked(&r));
    fx_free(&fx);
}

static void test_R11_7_nxe_change_is_not_a_flush(void **state)
{
    (void)state;
    fx_mmu fx;
    init4(&fx);
    map(&fx, LA_A, PA_A, PW_SIZE_4K, FLAGS_DIRTY);
    fx_read(&fx, LA_A);
    uint64_t efer = fx.mmu->regs.efer;
    pw_regs regs = fx.mmu->regs;
    pw_flush f;
    assert_int_equal(pw_regs_wrmsr_efer(&fx.env.cfg, &regs, efer & ~EFER_NXE, &f), PW_OK);
    assert_int_equal(f.kind, PW_FLUSH_NONE);
    fx_ctl_ok(&fx, PW_CTL_WRMSR_EFER, efer & ~EFER_NXE, 0, 0);
    pw_mmu_response r = fx_access(&fx, LA_A, PW_ACC_FETCH, false);
    assert_true(r.hit);
    fx_ctl_ok(&fx, PW_CTL_WRMSR_EFER, efer, 0, 0);
    r = fx_read(&fx, LA_A);
    assert_true(r.hit);
    fx_free(&fx);
}

static void test_R11_7_smap_change_is_not_a_flush(void **state)
{
    (void)state;
    fx_mmu fx;
    init4(&fx);
    map(&fx, LA_A, PA_A, PW_SIZE_4K, FLAGS_DIRTY | PTE_US);
    fx_read(&fx, LA_A); /* supervisor read of a user page, SMAP off */
    pw_regs regs = fx.mmu->regs;
    pw_flush f;
    assert_int_equal(pw_regs_mov_cr4(&fx.env.cfg, &regs, &fx.port, regs.cr4 | CR4_SMAP, &f), PW_OK);
    assert_int_equal(f.kind, PW_FLUSH_NONE);
    fx_ctl_ok(&fx, PW_CTL_MOV_CR4, fx.mmu->regs.cr4 | CR4_SMAP, 0, 0);

    pw_request q = fx_req(LA_A, PW_ACC_READ, false);
    q.ac = true;                       /* explicit access with AC=1: allowed */
    pw_mmu_response r = fx_translate(&fx, &q);
    assert_true(r.hit);
    q.ac = false;                      /* AC=0: SMAP blocks it */
    r = fx_translate(&fx, &q);
    expect_pf(&r, PF_P);
    fx_free(&fx);
}

static void test_R11_7_pkru_change_is_not_a_flush(void **state)
{
    (void)state;
    fx_mmu fx;
    init4(&fx);
    fx.env.regs.cr4 |= CR4_PKE;
    fx_load_regs(&fx);
    map(&fx, LA_A, PA_A, PW_SIZE_4K, FLAGS_DIRTY | PTE_US | ((uint64_t)KEY_5 << PTE_PK_SHIFT));
    fx_access(&fx, LA_A, PW_ACC_READ, true);
    fx_ctl_ok(&fx, PW_CTL_WRPKRU, PKRU_WD(KEY_5), 0, 0);
    pw_mmu_response r = fx_access(&fx, LA_A, PW_ACC_READ, true); /* WD does not block reads */
    assert_true(r.hit);
    r = fx_access(&fx, LA_A, PW_ACC_WRITE, true);
    expect_pf(&r, PF_P | PF_W | PF_U | PF_PK);
    fx_free(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_R11_1_not_present_leaf_is_not_cached),
        cmocka_unit_test(test_R11_1_not_present_upper_level_is_not_cached),
        cmocka_unit_test(test_R11_1_reserved_translation_is_not_cached),
        cmocka_unit_test(test_R11_1_faulting_translation_is_not_cached),
        cmocka_unit_test(test_R11_1_cached_translation_has_accessed_set),
        cmocka_unit_test(test_R11_2_entry_holds_frame_rights_key_dirty_memtype_global),
        cmocka_unit_test(test_R11_2_large_page_entry_and_hit_answer),
        cmocka_unit_test(test_R11_2_write_through_clean_entry_sets_dirty_in_memory),
        cmocka_unit_test(test_R11_4_entries_tagged_with_current_pcid),
        cmocka_unit_test(test_R11_4_pcid_is_zero_without_pcide),
        cmocka_unit_test(test_R11_4_global_entry_usable_under_any_pcid),
        cmocka_unit_test(test_R11_4_global_needs_cr4_pge),
        cmocka_unit_test(test_R11_4_g_in_nonleaf_entries_is_ignored),
        cmocka_unit_test(test_R11_6_rw_upgrade_without_invalidation_no_stale_fault),
        cmocka_unit_test(test_R11_6_us_upgrade_without_invalidation_no_stale_fault),
        cmocka_unit_test(test_R11_6_xd_clear_without_invalidation_no_stale_fault),
        cmocka_unit_test(test_R11_6_nonleaf_upgrade_at_most_one_spurious_fault),
        cmocka_unit_test(test_R11_6_small_to_large_page_leaves_one_matching_entry),
        cmocka_unit_test(test_R11_6_large_to_small_page_leaves_one_matching_entry),
        cmocka_unit_test(test_R11_6_fill_overlap_takes_lowest_overlapping_slot),
        cmocka_unit_test(test_R11_6_fill_large_evicts_every_small_entry_inside),
        cmocka_unit_test(test_R11_6_fill_global_overlaps_every_pcid),
        cmocka_unit_test(test_tlb_fill_lowest_invalid_slot_then_same_page_in_place),
        cmocka_unit_test(test_tlb_entry_matches_its_page_only),
        cmocka_unit_test(test_R11_7_wp_change_is_not_a_flush),
        cmocka_unit_test(test_R11_7_nxe_change_is_not_a_flush),
        cmocka_unit_test(test_R11_7_smap_change_is_not_a_flush),
        cmocka_unit_test(test_R11_7_pkru_change_is_not_a_flush),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
