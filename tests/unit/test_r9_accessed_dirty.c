/* Accessed/dirty updates (R9.1-R9.7, with R6.4 for PAE PDPTEs), in every
 * paging mode. Tables are built with A=0 in the non-leaf entries so that every
 * update is visible; each check reads the entry back from memory and compares
 * it with the exact value §9 demands. A spy pw_mem records the walker's CAS
 * operations and can play "another CPU" that changes an entry between the
 * walker's read and its CAS (R9.3). */
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
#define LA_BIG UINT64_C(0x00c00000) /* 4 MiB aligned: a 2 MiB or 4 MiB page */
#define PA_BIG UINT64_C(0x00400000)
#define LA_1G UINT64_C(0x40000000)
#define PA_1G UINT64_C(0)
#define PTE_AVL PW_BIT(9) /* §4: bits 11:9 are ignored at every level, free for software */
#define TABLES_NO_A (PTE_RW | PTE_US) /* non-leaf entries the builder makes, A=0 */
#define TABLES_A (PTE_RW | PTE_US | PTE_A)
#define PAE_PDPTES 4
#define PKEY_AD(k) (UINT32_C(1) << (2 * (k)))
#define KEY 3u

static const pw_ad_policy POLICIES[] = {PW_AD_NONE, PW_AD_NONLEAF_AS_WALKED};

/* ---- a spying, interfering memory ---- */

#define SPY_MAX_CAS 64
typedef struct {
    pw_mem inner;
    pw_image *img;
    uint64_t race_pa;      /* before a CAS to this entry ... */
    uint64_t race_toggle;  /* ... another agent flips these bits in it ... */
    unsigned races_left;   /* ... this many times */
    unsigned n_cas;
    pw_mem_access cas[SPY_MAX_CAS];
} spy_mem;

static pw_mem_status spy_read(void *ctx, uint64_t pa, unsigned size, uint64_t cycle, uint64_t *val)
{
    spy_mem *s = ctx;
    return s->inner.read(s->inner.ctx, pa, size, cycle, val);
}

static pw_mem_status spy_cas(void *ctx, uint64_t pa, unsigned size, uint64_t expect,
                             uint64_t desired, uint64_t cycle, uint64_t *old)
{
    spy_mem *s = ctx;
    if (s->n_cas < SPY_MAX_CAS)
        s->cas[s->n_cas] = (pw_mem_access){.kind = PW_MEM_CAS, .pa = pa, .size = size,
                                           .expect = expect, .desired = desired};
    s->n_cas++;
    if (s->races_left && pa == s->race_pa) {
        s->races_left--;
        uint64_t cur = 0;
        assert_int_equal(s->inner.read(s->inner.ctx, pa, size, cycle, &cur), PW_MEM_OK);
        cur ^= s->race_toggle;
        if (size == sizeof(uint32_t))
            assert_int_equal(pw_image_write32(s->img, pa, (uint32_t)cur), PW_OK);
        else
            assert_int_equal(pw_image_write64(s->img, pa, cur), PW_OK);
    }
    return s->inner.cas(s->inner.ctx, pa, size, expect, desired, cycle, old);
}

static pw_mem spy_attach(spy_mem *s, pw_env *e)
{
    *s = (spy_mem){.inner = e->mem, .img = e->img};
    return (pw_mem){.ctx = s, .read = spy_read, .cas = spy_cas, .schedule = NULL};
}

/* spy_attach, with another agent flipping `toggle` in the entry at `pa` before
 * each of the next `times` CASes to it. */
static pw_mem spy_race(spy_mem *s, pw_env *e, uint64_t pa, uint64_t toggle, unsigned times)
{
    pw_mem mem = spy_attach(s, e);
    s->race_pa = pa;
    s->race_toggle = toggle;
    s->races_left = times;
    return mem;
}

/* ---- environment and the entries on one path ---- */

static void setup(pw_env *e, pw_mode m, pw_ad_policy pol, uint64_t table_flags, uint64_t la,
                  uint64_t pa, pw_page_size size, uint64_t leaf_flags)
{
    pw_config cfg;
    pw_config_default(&cfg);
    cfg.ad_on_fault = pol;
    assert_int_equal(pw_env_init(e, m, &cfg, 0), PW_OK);
    pw_os_set_table_flags(e->os, table_flags);
    assert_int_equal(pw_os_map(e->os, la, pa, size, leaf_flags), PW_OK);
    assert_int_equal(pw_env_load_regs(e), PW_OK);
}

static unsigned leaf_level_of(pw_page_size s)
{
    return s == PW_SIZE_4K ? PW_LVL_PT : s == PW_SIZE_1G ? PW_LVL_PDPT : PW_LVL_PD;
}

/* Where each entry on la's path lives and what it held, top level .. leaf. */
typedef struct {
    unsigned top, leaf;
    uint64_t pa[PW_MAX_LEVEL + 1];
    uint64_t val[PW_MAX_LEVEL + 1];
} path_snap;

static path_snap snap(pw_env *e, uint64_t la, unsigned leaf)
{
    path_snap s = {.top = pw_mode_levels(e->mode), .leaf = leaf};
    for (unsigned l = s.top; l >= leaf; l--) {
        assert_int_equal(pw_os_entry_pa(e->os, la, l, &s.pa[l]), PW_OK);
        s.val[l] = env_peek(e, s.pa[l]);
    }
    return s;
}

static bool is_pae_pdpte(const pw_env *e, unsigned level)
{
    return e->mode == PW_MODE_PAE && level == PW_LVL_PDPT;
}

static void expect_entry(pw_env *e, const path_snap *s, unsigned level, uint64_t want, int line)
{
    uint64_t got = env_peek(e, s->pa[level]);
    if (got != want)
        fail_msg("line %d mode %s level %u: entry %#llx, expected %#llx (was %#llx)", line,
                 pw_mode_name(e->mode), level, (unsigned long long)got, (unsigned long long)want,
                 (unsigned long long)s->val[level]);
}

/* Every non-leaf entry (but a PAE PDPTE, R6.4) must hold its old value | nonleaf_set,
 * and the leaf its old value | leaf_set. */
static void expect_path(pw_env *e, const path_snap *s, uint64_t nonleaf_set, uint64_t leaf_set,
                        int line)
{
    for (unsigned l = s->top; l > s->leaf; l--)
        expect_entry(e, s, l, s->val[l] | (is_pae_pdpte(e, l) ? 0 : nonleaf_set), line);
    expect_entry(e, s, s->leaf, s->val[s->leaf] | leaf_set, line);
}

#define WALK(e, ...) walk_with((e), &(e)->mem, (pw_request){__VA_ARGS__}, __LINE__)

/* ---- R9.1 / R9.2 / R9.6 on successful accesses ---- */

static void test_R9_1_read_sets_a_in_every_entry_used(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_env e;
        setup(&e, ALL_MODES[i], PW_AD_NONE, TABLES_NO_A, LA_4K, PA_4K, PW_SIZE_4K, PTE_RW | PTE_US);
        path_snap s = snap(&e, LA_4K, PW_LVL_PT);
        pw_result r = WALK(&e, .la = LA_4K, .kind = PW_ACC_READ, .user = true);
        assert_int_equal(r.outcome, PW_OUT_OK);
        expect_path(&e, &s, PTE_A, PTE_A, __LINE__); /* R9.6: no D on a read */
        assert_false(r.perm.dirty);
        pw_env_free(&e);
    }
}

static void test_R9_1_large_leaf_gets_a(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_mode m = ALL_MODES[i];
        pw_page_size sizes[] = {m == PW_MODE_32 ? PW_SIZE_4M : PW_SIZE_2M, PW_SIZE_1G};
        unsigned n = (m == PW_MODE_4LVL || m == PW_MODE_5LVL) ? 2 : 1;
        for (unsigned k = 0; k < n; k++) {
            uint64_t la = sizes[k] == PW_SIZE_1G ? LA_1G : LA_BIG;
            uint64_t pa = sizes[k] == PW_SIZE_1G ? PA_1G : PA_BIG;
            pw_env e;
            setup(&e, m, PW_AD_NONE, TABLES_NO_A, la, pa, sizes[k], PTE_RW);
            path_snap s = snap(&e, la, leaf_level_of(sizes[k]));
            assert_int_equal(WALK(&e, .la = la, .kind = PW_ACC_FETCH).outcome, PW_OUT_OK);
            expect_path(&e, &s, PTE_A, PTE_A, __LINE__);
            pw_env_free(&e);
        }
    }
}

static void test_R9_2_write_sets_d_only_in_leaf(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_mode m = ALL_MODES[i];
        pw_page_size sizes[] = {PW_SIZE_4K, m == PW_MODE_32 ? PW_SIZE_4M : PW_SIZE_2M, PW_SIZE_1G};
        unsigned n = (m == PW_MODE_4LVL || m == PW_MODE_5LVL) ? 3 : 2;
        for (unsigned k = 0; k < n; k++) {
            uint64_t la = sizes[k] == PW_SIZE_4K ? LA_4K : sizes[k] == PW_SIZE_1G ? LA_1G : LA_BIG;
            uint64_t pa = sizes[k] == PW_SIZE_4K ? PA_4K : sizes[k] == PW_SIZE_1G ? PA_1G : PA_BIG;
            pw_env e;
            setup(&e, m, PW_AD_NONE, TABLES_NO_A, la, pa, sizes[k], PTE_RW | PTE_US);
            path_snap s = snap(&e, la, leaf_level_of(sizes[k]));
            pw_result r = WALK(&e, .la = la, .kind = PW_ACC_WRITE, .user = true);
            assert_int_equal(r.outcome, PW_OUT_OK);
            expect_path(&e, &s, PTE_A, PTE_A | PTE_D, __LINE__);
            assert_true(r.perm.dirty);
            pw_env_free(&e);
        }
    }
}

static void test_R9_2_wp0_supervisor_write_to_readonly_sets_d(void **state)
{
    (void)state;
    static const uint64_t ro_pages[] = {0, PTE_US};
    for (unsigned i = 0; i < N_MODES; i++) {
        for (unsigned p = 0; p < 2; p++) {
            pw_env e;
            setup(&e, ALL_MODES[i], PW_AD_NONE, TABLES_NO_A, LA_4K, PA_4K, PW_SIZE_4K, ro_pages[p]);
            e.regs.cr0 &= ~CR0_WP;
            path_snap s = snap(&e, LA_4K, PW_LVL_PT);
            assert_int_equal(WALK(&e, .la = LA_4K, .kind = PW_ACC_WRITE).outcome, PW_OUT_OK);
            expect_path(&e, &s, PTE_A, PTE_A | PTE_D, __LINE__);
            pw_env_free(&e);
        }
    }
}

static void test_R9_2_32bit_pde_with_ps_but_no_pse_gets_no_d(void **state)
{
    (void)state;
    /* R7.4: with CR4.PSE=0 a PDE's PS bit is ignored; the PDE is a non-leaf entry. */
    pw_env e;
    setup(&e, PW_MODE_32, PW_AD_NONE, TABLES_NO_A, LA_4K, PA_4K, PW_SIZE_4K, PTE_RW);
    path_snap s = snap(&e, LA_4K, PW_LVL_PT);
    s.val[PW_LVL_PD] |= PTE_PS;
    env_poke(&e, s.pa[PW_LVL_PD], s.val[PW_LVL_PD]);
    e.regs.cr4 &= ~CR4_PSE;
    pw_result r = WALK(&e, .la = LA_4K, .kind = PW_ACC_WRITE);
    assert_int_equal(r.outcome, PW_OUT_OK);
    assert_int_equal(r.size, PW_SIZE_4K);
    expect_path(&e, &s, PTE_A, PTE_A | PTE_D, __LINE__);
    pw_env_free(&e);
}

static void test_R9_6_read_and_fetch_never_set_d(void **state)
{
    (void)state;
    static const pw_access_kind kinds[] = {PW_ACC_READ, PW_ACC_FETCH};
    for (unsigned i = 0; i < N_MODES; i++) {
        for (unsigned k = 0; k < 2; k++) {
            pw_env e;
            setup(&e, ALL_MODES[i], PW_AD_NONE, TABLES_A, LA_4K, PA_4K, PW_SIZE_4K, PTE_RW);
            e.regs.cr0 &= ~CR0_WP;
            path_snap s = snap(&e, LA_4K, PW_LVL_PT);
            assert_int_equal(WALK(&e, .la = LA_4K, .kind = kinds[k]).outcome, PW_OUT_OK);
            expect_path(&e, &s, 0, PTE_A, __LINE__);
            /* A second read finds A set: nothing left to do, still no D. */
            assert_int_equal(WALK(&e, .la = LA_4K, .kind = kinds[k]).outcome, PW_OUT_OK);
            expect_path(&e, &s, 0, PTE_A, __LINE__);
            pw_env_free(&e);
        }
    }
}

static void test_R9_1_R6_4_pae_pdpte_never_written(void **state)
{
    (void)state;
    static const pw_pdpte_policy pdpte[] = {PW_PDPTE_REGISTERS, PW_PDPTE_ON_DEMAND};
    for (unsigned p = 0; p < 2; p++) {
        for (unsigned a = 0; a < 2; a++) {
            pw_config cfg;
            pw_config_default(&cfg);
            cfg.pae_pdpte = pdpte[p];
            cfg.ad_on_fault = POLICIES[a];
            pw_env e;
            assert_int_equal(pw_env_init(&e, PW_MODE_PAE, &cfg, 0), PW_OK);
            pw_os_set_table_flags(e.os, TABLES_NO_A);
            assert_int_equal(pw_os_map(e.os, LA_4K, PA_4K, PW_SIZE_4K, PTE_RW | PTE_US), PW_OK);
            assert_int_equal(pw_env_load_regs(&e), PW_OK);
            uint64_t pdpt = e.regs.cr3 & CR3_PAE_BASE, before[PAE_PDPTES];
            for (unsigned k = 0; k < PAE_PDPTES; k++)
                before[k] = env_peek(&e, pdpt + k * sizeof(uint64_t));
            spy_mem spy;
            pw_mem mem = spy_attach(&spy, &e);
            pw_request q = {.la = LA_4K, .kind = PW_ACC_WRITE, .user = true};
            assert_int_equal(walk_with(&e, &mem, q, __LINE__).outcome, PW_OUT_OK);
            for (unsigned k = 0; k < PAE_PDPTES; k++)
                assert_int_equal(env_peek(&e, pdpt + k * sizeof(uint64_t)), before[k]);
            for (unsigned c = 0; c < spy.n_cas; c++)
                assert_false(spy.cas[c].pa >= pdpt && spy.cas[c].pa < pdpt + PAE_PDPTES * sizeof(uint64_t));
            assert_int_equal(spy.n_cas, 2); /* PDE (A) and PTE (A, D) only */
            pw_env_free(&e);
        }
    }
}

/* ---- R9.3: atomic update, restart when the entry changed ---- */

static void test_R9_3_leaf_race_restarts_and_keeps_both_updates(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_env e;
        setup(&e, ALL_MODES[i], PW_AD_NONE, TABLES_A, LA_4K, PA_4K, PW_SIZE_4K, PTE_RW | PTE_US);
        path_snap s = snap(&e, LA_4K, PW_LVL_PT);
        spy_mem spy;
        pw_mem mem = spy_race(&spy, &e, s.pa[PW_LVL_PT], PTE_AVL, 1);
        pw_request q = {.la = LA_4K, .kind = PW_ACC_WRITE, .user = true};
        pw_result r = walk_with(&e, &mem, q, __LINE__);
        assert_int_equal(r.outcome, PW_OUT_OK);
        assert_int_equal(r.restarts, 1);
        assert_int_equal(spy.n_cas, 2); /* the failed CAS and the one after the re-walk */
        assert_int_equal(spy.cas[0].expect, s.val[PW_LVL_PT]);
        assert_int_equal(spy.cas[1].expect, s.val[PW_LVL_PT] | PTE_AVL);
        /* Neither the other agent's change nor A/D is lost. */
        expect_path(&e, &s, 0, PTE_AVL | PTE_A | PTE_D, __LINE__);
        pw_env_free(&e);
    }
}

static void test_R9_3_nonleaf_race_restarts(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        for (unsigned a = 0; a < 2; a++) {
            pw_env e;
            setup(&e, ALL_MODES[i], POLICIES[a], TABLES_NO_A, LA_4K, PA_4K, PW_SIZE_4K,
                  PTE_RW | PTE_US);
            path_snap s = snap(&e, LA_4K, PW_LVL_PT);
            spy_mem spy;
            pw_mem mem = spy_race(&spy, &e, s.pa[PW_LVL_PD], PTE_AVL, 1);
            pw_request q = {.la = LA_4K, .kind = PW_ACC_WRITE};
            pw_result r = walk_with(&e, &mem, q, __LINE__);
            assert_int_equal(r.outcome, PW_OUT_OK);
            assert_int_equal(r.restarts, 1);
            expect_entry(&e, &s, PW_LVL_PD, s.val[PW_LVL_PD] | PTE_AVL | PTE_A, __LINE__);
            for (unsigned l = s.top; l > PW_LVL_PD; l--)
                expect_entry(&e, &s, l, s.val[l] | (is_pae_pdpte(&e, l) ? 0 : PTE_A), __LINE__);
            expect_entry(&e, &s, PW_LVL_PT, s.val[PW_LVL_PT] | PTE_A | PTE_D, __LINE__);
            pw_env_free(&e);
        }
    }
}

static void test_R9_3_race_that_clears_p_becomes_a_fault(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_env e;
        setup(&e, ALL_MODES[i], PW_AD_NONE, TABLES_A, LA_4K, PA_4K, PW_SIZE_4K, PTE_RW | PTE_US);
        path_snap s = snap(&e, LA_4K, PW_LVL_PT);
        spy_mem spy;
        /* The other agent unmaps the page. */
        pw_mem mem = spy_race(&spy, &e, s.pa[PW_LVL_PT], PTE_P, 1);
        pw_request q = {.la = LA_4K, .kind = PW_ACC_WRITE, .user = true};
        pw_result r = walk_with(&e, &mem, q, __LINE__);
        assert_int_equal(r.outcome, PW_OUT_PF);
        assert_int_equal(r.err_code, PF_W | PF_U); /* not present */
        assert_int_equal(r.level, PW_LVL_PT);
        assert_int_equal(r.restarts, 1);
        assert_int_equal(spy.n_cas, 1);
        for (unsigned l = s.top; l > PW_LVL_PT; l--)
            expect_entry(&e, &s, l, s.val[l], __LINE__);
        /* The leaf holds the other agent's value: no A, no D. */
        expect_entry(&e, &s, PW_LVL_PT, s.val[PW_LVL_PT] & ~PTE_P, __LINE__);
        pw_env_free(&e);
    }
}

static void test_R9_3_endless_interference_is_reported(void **state)
{
    (void)state;
    pw_env e;
    setup(&e, PW_MODE_4LVL, PW_AD_NONE, TABLES_A, LA_4K, PA_4K, PW_SIZE_4K, PTE_RW | PTE_US);
    path_snap s = snap(&e, LA_4K, PW_LVL_PT);
    spy_mem spy;
    pw_mem mem = spy_race(&spy, &e, s.pa[PW_LVL_PT], PTE_AVL, UINT32_MAX);
    pw_request q = {.la = LA_4K, .kind = PW_ACC_WRITE};
    pw_result r;
    assert_int_equal(pw_walk(&e.cfg, &e.regs, &mem, &q, &r), PW_ERR_LIVELOCK);
    assert_true(r.restarts > e.cfg.max_restarts);
    /* The agent's toggles are all that happened to the leaf: A/D never landed. */
    uint64_t leaf = env_peek(&e, s.pa[PW_LVL_PT]);
    assert_int_equal(leaf & (PTE_A | PTE_D), s.val[PW_LVL_PT] & (PTE_A | PTE_D));
    pw_env_free(&e);
}

/* ---- R9.4 / R9.5: faulting walks ---- */

static void test_R9_4_fault_leaves_leaf_untouched(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_mode m = ALL_MODES[i];
        bool keys = m == PW_MODE_4LVL || m == PW_MODE_5LVL;
        for (unsigned a = 0; a < 2; a++) {
            pw_env e;
            setup(&e, m, POLICIES[a], TABLES_A, LA_4K, PA_4K, PW_SIZE_4K,
                  PTE_US | (keys ? (uint64_t)KEY << PTE_PK_SHIFT : 0));
            path_snap s = snap(&e, LA_4K, PW_LVL_PT);
            pw_request faults[] = {
                {.la = LA_4K, .kind = PW_ACC_WRITE, .user = true},      /* R/W */
                {.la = LA_4K, .kind = PW_ACC_WRITE},                    /* WP */
                {.la = LA_4K, .kind = PW_ACC_READ, .implicit = true},   /* SMAP */
                {.la = LA_4K, .kind = PW_ACC_FETCH},                    /* SMEP */
                {.la = LA_4K, .kind = PW_ACC_READ, .user = true},       /* PK (4/5-level) */
            };
            e.regs.cr4 |= CR4_SMAP | CR4_SMEP | (keys ? CR4_PKE : 0);
            e.regs.pkru = PKEY_AD(KEY);
            for (unsigned f = 0; f < sizeof faults / sizeof faults[0] - (keys ? 0 : 1); f++) {
                assert_int_equal(walk_with(&e, &e.mem, faults[f], __LINE__).outcome, PW_OUT_PF);
                expect_path(&e, &s, 0, 0, __LINE__);
            }
            pw_env_free(&e);
        }
    }
}

/* A faulting walk with non-leaf A=0 tables: returns the snapshot taken before.
 * `fault_level`: where the walk is made to stop — P=0 there, or (rsvd) a
 * reserved bit; level 0 = a protection fault (user write to a read-only page). */
static path_snap faulting_walk(pw_env *e, pw_mode m, pw_ad_policy pol, unsigned fault_level,
                               bool rsvd, unsigned *n_cas)
{
    setup(e, m, pol, TABLES_NO_A, LA_4K, PA_4K, PW_SIZE_4K, PTE_US);
    path_snap s = snap(e, LA_4K, PW_LVL_PT);
    if (fault_level) {
        /* R5.1: bit M is reserved in PAE/4/5-level entries; P=0 otherwise. */
        uint64_t v = rsvd ? s.val[fault_level] | PW_BIT(e->cfg.maxphyaddr)
                          : s.val[fault_level] & ~PTE_P;
        env_poke(e, s.pa[fault_level], v);
        s.val[fault_level] = v;
        assert_int_equal(pw_env_load_regs(e), PW_OK);
    }
    spy_mem spy;
    pw_mem mem = spy_attach(&spy, e);
    pw_result r = walk_with(e, &mem, (pw_request){.la = LA_4K, .kind = PW_ACC_WRITE, .user = true},
                            __LINE__);
    assert_int_equal(r.outcome, PW_OUT_PF);
    assert_int_equal(r.level, fault_level ? fault_level : PW_LVL_PT);
    *n_cas = spy.n_cas;
    return s;
}

static void test_R9_5_policy_none_sets_no_a_on_fault(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_mode m = ALL_MODES[i];
        for (unsigned l = 0; l <= PW_LVL_PD; l++) {
            for (unsigned rsvd = 0; rsvd < (m == PW_MODE_32 || !l ? 1u : 2u); rsvd++) {
                pw_env e;
                unsigned n_cas;
                path_snap s = faulting_walk(&e, m, PW_AD_NONE, l, rsvd, &n_cas);
                expect_path(&e, &s, 0, 0, __LINE__);
                assert_int_equal(n_cas, 0);
                pw_env_free(&e);
            }
        }
    }
}

static void test_R9_5_as_walked_sets_nonleaf_a_above_the_fault(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_mode m = ALL_MODES[i];
        for (unsigned l = 0; l <= PW_LVL_PD; l++) {
            for (unsigned rsvd = 0; rsvd < (m == PW_MODE_32 || !l ? 1u : 2u); rsvd++) {
                pw_env e;
                unsigned n_cas;
                path_snap s = faulting_walk(&e, m, PW_AD_NONLEAF_AS_WALKED, l, rsvd, &n_cas);
                /* Entries above the faulting one passed their checks: A set (not in a
                 * PAE PDPTE). The faulting entry and everything below: untouched. A
                 * protection fault (l = 0) sets A in every non-leaf entry. */
                unsigned stop = l ? l : PW_LVL_PT;
                unsigned expect_cas = 0;
                for (unsigned k = s.top; k > stop; k--) {
                    bool a = !is_pae_pdpte(&e, k);
                    expect_entry(&e, &s, k, s.val[k] | (a ? PTE_A : 0), __LINE__);
                    expect_cas += a;
                }
                for (unsigned k = stop; k >= PW_LVL_PT; k--)
                    expect_entry(&e, &s, k, s.val[k], __LINE__);
                assert_int_equal(n_cas, expect_cas);
                pw_env_free(&e);
            }
        }
    }
}

/* ---- R9.7: sticky bits ---- */

static void test_R9_7_updates_only_set_a_and_d(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_env e;
        setup(&e, ALL_MODES[i], PW_AD_NONE, TABLES_NO_A, LA_4K, PA_4K, PW_SIZE_4K, PTE_RW | PTE_US);
        spy_mem spy;
        pw_mem mem = spy_attach(&spy, &e);
        pw_request q = {.la = LA_4K, .kind = PW_ACC_WRITE, .user = true};
        assert_int_equal(walk_with(&e, &mem, q, __LINE__).outcome, PW_OUT_OK);
        assert_true(spy.n_cas > 0);
        for (unsigned c = 0; c < spy.n_cas; c++) {
            assert_int_equal(spy.cas[c].desired & spy.cas[c].expect, spy.cas[c].expect);
            assert_int_equal(spy.cas[c].desired & ~spy.cas[c].expect & ~(PTE_A | PTE_D), 0);
        }
        pw_env_free(&e);
    }
}

static void test_R9_7_set_bits_stay_and_need_no_update(void **state)
{
    (void)state;
    static const pw_access_kind kinds[] = {PW_ACC_READ, PW_ACC_WRITE, PW_ACC_FETCH};
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_env e;
        setup(&e, ALL_MODES[i], PW_AD_NONE, TABLES_A, LA_4K, PA_4K, PW_SIZE_4K,
              PTE_RW | PTE_US | PTE_A | PTE_D);
        path_snap s = snap(&e, LA_4K, PW_LVL_PT);
        for (unsigned k = 0; k < 3; k++) {
            spy_mem spy;
            pw_mem mem = spy_attach(&spy, &e);
            pw_request q = {.la = LA_4K, .kind = kinds[k], .user = true};
            assert_int_equal(walk_with(&e, &mem, q, __LINE__).outcome, PW_OUT_OK);
            assert_int_equal(spy.n_cas, 0);
            expect_path(&e, &s, 0, 0, __LINE__);
        }
        /* A faulting access does not clear them either. */
        assert_int_equal(WALK(&e, .la = LA_4K, .kind = PW_ACC_WRITE, .implicit = true).outcome,
                         PW_OUT_OK);
        e.regs.cr4 |= CR4_SMAP;
        assert_int_equal(WALK(&e, .la = LA_4K, .kind = PW_ACC_WRITE).outcome, PW_OUT_PF);
        expect_path(&e, &s, 0, 0, __LINE__);
        pw_env_free(&e);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_R9_1_read_sets_a_in_every_entry_used),
        cmocka_unit_test(test_R9_1_large_leaf_gets_a),
        cmocka_unit_test(test_R9_2_write_sets_d_only_in_leaf),
        cmocka_unit_test(test_R9_2_wp0_supervisor_write_to_readonly_sets_d),
        cmocka_unit_test(test_R9_2_32bit_pde_with_ps_but_no_pse_gets_no_d),
        cmocka_unit_test(test_R9_6_read_and_fetch_never_set_d),
        cmocka_unit_test(test_R9_1_R6_4_pae_pdpte_never_written),
        cmocka_unit_test(test_R9_3_leaf_race_restarts_and_keeps_both_updates),
        cmocka_unit_test(test_R9_3_nonleaf_race_restarts),
        cmocka_unit_test(test_R9_3_race_that_clears_p_becomes_a_fault),
        cmocka_unit_test(test_R9_3_endless_interference_is_reported),
        cmocka_unit_test(test_R9_4_fault_leaves_leaf_untouched),
        cmocka_unit_test(test_R9_5_policy_none_sets_no_a_on_fault),
        cmocka_unit_test(test_R9_5_as_walked_sets_nonleaf_a_above_the_fault),
        cmocka_unit_test(test_R9_7_updates_only_set_a_and_d),
        cmocka_unit_test(test_R9_7_set_bits_stay_and_need_no_update),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
