/* Unit tests of pw_scan (scan.h): page tables built with the os builder in
 * every mode are scanned, and every leaf the scan reports is checked against
 * the mappings that were built (and every mapping must be reported once);
 * not-present, reserved and unreadable entries; tables that loop back; the
 * entry cap; the PAE PDPTE source; the visitor's PRUNE and STOP; bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "support/env.h"
#include "support/walkhelp.h"

#define MIB (UINT64_C(1) << 20)
#define MAX_MAPS 256
#define MAX_SEEN 4096
#define N_RANDOM 160

/* ---- What was built, and what the scan saw ---- */

typedef struct {
    uint64_t la, pa;
    pw_page_size size;
    uint64_t flags;
    unsigned seen;
} built_map;

typedef struct {
    pw_env env;
    built_map maps[MAX_MAPS];
    unsigned n_maps;
    pw_scan_entry seen[MAX_SEEN];   /* every entry, in order */
    unsigned n_seen;                /* visited (may exceed MAX_SEEN) */
    uint64_t tables[PW_MAX_LEVEL_SLOTS][MAX_SEEN / 4]; /* distinct table pages per level */
    unsigned n_tables[PW_MAX_LEVEL_SLOTS];
    pw_scan_action on_table;        /* what to answer for TABLE entries */
    unsigned stop_after;            /* 0: never STOP */
    bool check;                     /* check each entry as it comes (check_entry) */
    bool have_top;                  /* check: LA of the last top-level entry */
    uint64_t top_la;
} fixture;

static void check_entry(fixture *f, const pw_scan_entry *e);

static pw_scan_action record(void *ctx, const pw_scan_entry *e)
{
    fixture *f = ctx;
    if (f->check)
        check_entry(f, e);
    if (f->n_seen < MAX_SEEN)
        f->seen[f->n_seen] = *e;
    f->n_seen++;
    if (e->kind != PW_SCAN_BUS_ERROR) {
        uint64_t page = e->table & ~(PW_PAGE_SIZE - 1);
        unsigned *n = &f->n_tables[e->level], i;
        for (i = 0; i < *n && f->tables[e->level][i] != page; i++)
            ;
        if (i == *n && *n < MAX_SEEN / 4)
            f->tables[e->level][(*n)++] = page;
    }
    if (f->stop_after && f->n_seen == f->stop_after)
        return PW_SCAN_STOP;
    return e->kind == PW_SCAN_TABLE ? f->on_table : PW_SCAN_CONTINUE;
}

static pw_status scan(fixture *f, uint64_t max)
{
    f->n_seen = 0;
    memset(f->n_tables, 0, sizeof f->n_tables);
    pw_scan_visitor v = {.entry = record, .max_entries = max};
    return pw_scan(&f->env.cfg, &f->env.regs, &f->env.mem, &v, f);
}

static fixture *fixture_new(pw_mode m)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(pw_env_init(&f->env, m, NULL, 0), PW_OK);
    return f;
}

static void fixture_free(fixture *f)
{
    pw_env_free(&f->env);
    free(f);
}

/* ---- Building: fixed mappings, then random ones ---- */

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static bool add_map(fixture *f, uint64_t la, uint64_t pa, pw_page_size s, uint64_t flags)
{
    pw_status st = pw_os_map(f->env.os, la, pa, s, flags);
    if (st == PW_ERR_EXISTS)
        return false;
    assert_int_equal(st, PW_OK);
    assert_true(f->n_maps < MAX_MAPS);
    f->maps[f->n_maps++] = (built_map){.la = la, .pa = pa, .size = s, .flags = flags};
    assert_int_equal(pw_env_load_regs(&f->env), PW_OK); /* PAE: new PDPTEs */
    return true;
}

static pw_page_size large_size(pw_mode m)
{
    return m == PW_MODE_32 ? PW_SIZE_4M : PW_SIZE_2M;
}

/* Leaf flags the mode allows (os.h), chosen by r. */
static uint64_t random_flags(pw_mode m, uint64_t r)
{
    uint64_t fl = r & (PTE_RW | PTE_US | PTE_PWT | PTE_PCD | PTE_A | PTE_D | PTE_G);
    if (m != PW_MODE_32 && (r & PW_BIT(20)))
        fl |= PTE_XD;
    if (m == PW_MODE_4LVL || m == PW_MODE_5LVL)
        fl |= ((r >> 24) & 0xf) << PTE_PK_SHIFT;
    return fl;
}

/* A canonical (4/5-level) or 32-bit LA aligned to `bytes`. */
static uint64_t random_la(pw_mode m, uint64_t r, uint64_t bytes)
{
    uint64_t la = pw_la_canonical_form(m, r & PW_BITS(pw_la_bits(m) - 1, 0));
    return la & ~(bytes - 1);
}

/* Mappings of every size the mode has, plus N_RANDOM random ones. */
static void build(fixture *f, uint64_t seed)
{
    pw_mode m = f->env.mode;
    bool long_mode = m == PW_MODE_4LVL || m == PW_MODE_5LVL;
    add_map(f, 0x00400000, 0x00200000, PW_SIZE_4K, PTE_RW | PTE_US);
    add_map(f, 0x00401000, 0x00201000, PW_SIZE_4K, 0);
    add_map(f, 0x00800000, 0x00800000, large_size(m), PTE_RW | PTE_G);
    if (long_mode) {
        add_map(f, UINT64_C(0x0000008000000000), 0x40000000, PW_SIZE_1G, PTE_US | PTE_XD);
        add_map(f, pw_la_canonical_form(m, PW_BIT(pw_la_bits(m) - 1)), 0x1000, PW_SIZE_4K,
                PTE_RW | PTE_XD);
    }
    uint64_t s = seed;
    for (unsigned i = 0; i < N_RANDOM; i++) {
        uint64_t r = rng_next(&s);
        pw_page_size size = (r & 7) == 0 ? large_size(m) : (r & 7) == 1 && long_mode ? PW_SIZE_1G
                                                                                      : PW_SIZE_4K;
        uint64_t bytes = pw_page_bytes(size);
        uint64_t pa = (rng_next(&s) & PW_BITS(31, 0)) & ~(bytes - 1);
        add_map(f, random_la(m, rng_next(&s), bytes), pa, size, random_flags(m, rng_next(&s)));
    }
}

/* ---- Checks ---- */

static built_map *find_map(fixture *f, uint64_t la)
{
    for (unsigned i = 0; i < f->n_maps; i++)
        if (f->maps[i].la == la)
            return &f->maps[i];
    return NULL;
}

/* R8.2 with the builder's default table flags (R/W, U/S, no XD): the leaf's own. */
static void check_leaf(fixture *f, const pw_scan_entry *e)
{
    pw_mode m = f->env.mode;
    built_map *b = find_map(f, e->la);
    assert_non_null(b);
    b->seen++;
    assert_int_equal(e->size, b->size);
    assert_int_equal(e->pa, b->pa);
    assert_int_equal(e->la_size, pw_page_bytes(b->size));
    assert_int_equal(e->perm.rw, (b->flags & PTE_RW) != 0);
    assert_int_equal(e->perm.us, (b->flags & PTE_US) != 0);
    assert_int_equal(e->perm.xd, m != PW_MODE_32 && (b->flags & PTE_XD));
    assert_int_equal(e->perm.pk, (unsigned)((b->flags & PTE_PK) >> PTE_PK_SHIFT));
    uint64_t epa;
    unsigned level = b->size == PW_SIZE_4K ? 1 : b->size == PW_SIZE_1G ? 3 : 2;
    assert_int_equal(e->level, level);
    assert_int_equal(pw_os_entry_pa(f->env.os, b->la, level, &epa), PW_OK);
    assert_int_equal(e->entry_pa, epa);
}

/* What every entry of a hierarchy built with the os must be: no reserved,
 * unreadable or looping entries; leaves as built; depth first in LA order
 * (at the top level LAs only grow). */
static void check_entry(fixture *f, const pw_scan_entry *e)
{
    assert_int_not_equal(e->kind, PW_SCAN_RESERVED);
    assert_int_not_equal(e->kind, PW_SCAN_BUS_ERROR);
    assert_int_not_equal(e->kind, PW_SCAN_LOOP);
    if (e->kind == PW_SCAN_LEAF)
        check_leaf(f, e);
    if (e->level == pw_mode_levels(f->env.mode)) {
        if (f->have_top)
            assert_true(e->la > f->top_la);
        f->top_la = e->la;
        f->have_top = true;
    }
}

/* Every reported leaf was built, every built mapping is reported exactly
 * once; the tables read are those the os allocated. */
static void test_scan_lists_exactly_the_mappings_built(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        fixture *f = fixture_new(ALL_MODES[i]);
        build(f, 0x9e3779b97f4a7c15u + i);
        f->check = true;
        assert_int_equal(scan(f, 0), PW_OK);
        for (unsigned k = 0; k < f->n_maps; k++)
            assert_int_equal(f->maps[k].seen, 1);
        pw_os_stats st;
        pw_os_stats_get(f->env.os, &st);
        for (unsigned l = PW_LVL_PT; l <= pw_mode_levels(f->env.mode); l++)
            assert_int_equal(f->n_tables[l], st.tables[l]);
        fixture_free(f);
    }
}

/* 4/5-level: LAs of the upper half are reported canonical (R2.1). */
static void test_R2_1_scan_reports_canonical_las(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_LONG; i++) {
        fixture *f = fixture_new(LONG_MODES[i]);
        uint64_t la = pw_la_canonical_form(f->env.mode, PW_BIT(pw_la_bits(f->env.mode) - 1));
        add_map(f, la | 0x5000, 0x7000, PW_SIZE_4K, PTE_RW);
        assert_int_equal(scan(f, 0), PW_OK);
        unsigned leaves = 0;
        for (unsigned k = 0; k < f->n_seen; k++) {
            const pw_scan_entry *e = &f->seen[k];
            assert_true(pw_la_canonical(f->env.mode, e->la));
            if (e->kind == PW_SCAN_LEAF) {
                assert_int_equal(e->la, la | 0x5000);
                leaves++;
            }
        }
        assert_int_equal(leaves, 1);
        fixture_free(f);
    }
}

/* R8.2: rights fold down the path (R/W and U/S AND, XD OR with NXE). */
static void test_R8_2_scan_combines_rights_down_the_path(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        fixture *f = fixture_new(ALL_MODES[i]);
        pw_mode m = f->env.mode;
        add_map(f, 0x00400000, 0x00200000, PW_SIZE_4K, PTE_RW | PTE_US);
        /* The PDE above the page: R/W=0, XD=1. */
        uint64_t pde = env_entry_get(&f->env, 0x00400000, PW_LVL_PD);
        uint64_t xd = m != PW_MODE_32 ? PTE_XD : 0;
        env_entry_set(&f->env, 0x00400000, PW_LVL_PD, (pde & ~PTE_RW) | xd);
        assert_int_equal(scan(f, 0), PW_OK);
        for (unsigned k = 0; k < f->n_seen; k++) {
            const pw_scan_entry *e = &f->seen[k];
            if (e->kind == PW_SCAN_TABLE && e->level == PW_LVL_PD) {
                assert_false(e->perm.rw);
                assert_false(e->perm.nonleaf_rw);
            }
            if (e->kind != PW_SCAN_LEAF)
                continue;
            assert_false(e->perm.rw);
            assert_true(e->perm.us);
            assert_int_equal(e->perm.xd, m != PW_MODE_32);
        }
        fixture_free(f);
    }
}

/* ---- Entries that map nothing ---- */

#define LA_MAPPED   UINT64_C(0x00400000)
#define LA_OS_BITS  UINT64_C(0x00402000)   /* same page table, not present */
#define LA_RSVD     UINT64_C(0x00403000)   /* same page table, reserved bit */
#define OS_BITS     UINT64_C(0x00000000deadbeee)
#define FAR_TABLE   UINT64_C(0x80000000)  /* beyond the 64 MiB image */

static const pw_scan_entry *find_seen(fixture *f, uint64_t la, unsigned level)
{
    for (unsigned k = 0; k < f->n_seen && k < MAX_SEEN; k++)
        if (f->seen[k].la == la && f->seen[k].level == level)
            return &f->seen[k];
    return NULL;
}

/* R7.1 a: a not-present entry is reported with its OS bits, nothing below it. */
static void test_R7_1_scan_reports_not_present_entries_with_os_bits(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        fixture *f = fixture_new(ALL_MODES[i]);
        add_map(f, LA_MAPPED, 0x00200000, PW_SIZE_4K, PTE_RW);
        uint64_t pte = env_entry_pa(&f->env, LA_MAPPED, PW_LVL_PT);
        env_poke(&f->env, pte + 2 * pw_mode_entry_size(f->env.mode), OS_BITS);
        assert_int_equal(scan(f, 0), PW_OK);
        const pw_scan_entry *e = find_seen(f, LA_OS_BITS, PW_LVL_PT);
        assert_non_null(e);
        assert_int_equal(e->kind, PW_SCAN_NOT_PRESENT);
        assert_int_equal(e->raw, OS_BITS);
        assert_int_equal(e->la_size, PW_PAGE_SIZE);
        fixture_free(f);
    }
}

/* R5, R7.1 b: a reserved entry is reported with the reserved bits it has and
 * not followed; the rest of the hierarchy is still visited. */
static void test_R5_scan_reports_reserved_entries_and_does_not_follow_them(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        fixture *f = fixture_new(ALL_MODES[i]);
        pw_mode m = f->env.mode;
        add_map(f, LA_MAPPED, 0x00200000, PW_SIZE_4K, PTE_RW);
        /* A leaf with a reserved bit: R5.1 above M=46; 32-bit PTEs have none,
         * so there a 4 MiB PDE with bit 21 (R5.7). */
        uint64_t bit = m == PW_MODE_32 ? PW_BIT(21) : PW_BIT(50);
        uint64_t la = m == PW_MODE_32 ? UINT64_C(0x00c00000) : LA_RSVD;
        pw_page_size size = m == PW_MODE_32 ? PW_SIZE_4M : PW_SIZE_4K;
        unsigned level = m == PW_MODE_32 ? PW_LVL_PD : PW_LVL_PT;
        add_map(f, la, 0x00c00000, size, PTE_RW);
        env_entry_set(&f->env, la, level, env_entry_get(&f->env, la, level) | bit);
        if (m == PW_MODE_4LVL || m == PW_MODE_5LVL) {  /* R5.3: PS in a PML4E */
            add_map(f, UINT64_C(0x0000010000000000), 0x3000, PW_SIZE_4K, PTE_RW);
            uint64_t e4 = env_entry_get(&f->env, UINT64_C(0x0000010000000000), PW_LVL_PML4);
            env_entry_set(&f->env, UINT64_C(0x0000010000000000), PW_LVL_PML4, e4 | PTE_PS);
        }
        assert_int_equal(scan(f, 0), PW_OK);
        const pw_scan_entry *e = find_seen(f, la, level);
        assert_non_null(e);
        assert_int_equal(e->kind, PW_SCAN_RESERVED);
        assert_int_equal(e->rsvd, bit);
        assert_true(e->leaf_shape);
        assert_non_null(find_seen(f, LA_MAPPED, PW_LVL_PT));
        if (m == PW_MODE_4LVL || m == PW_MODE_5LVL) {
            e = find_seen(f, UINT64_C(0x0000010000000000), PW_LVL_PML4);
            assert_non_null(e);
            assert_int_equal(e->kind, PW_SCAN_RESERVED);
            assert_int_equal(e->rsvd, PTE_PS);
            assert_null(find_seen(f, UINT64_C(0x0000010000000000), PW_LVL_PDPT));
        }
        fixture_free(f);
    }
}

/* A table outside memory: one bus error per entry, and the scan goes on. */
static void test_scan_bus_errors_are_entries_not_failures(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        fixture *f = fixture_new(ALL_MODES[i]);
        pw_mode m = f->env.mode;
        add_map(f, LA_MAPPED, 0x00200000, PW_SIZE_4K, PTE_RW);
        add_map(f, 0x00c00000, 0x00400000, PW_SIZE_4K, PTE_RW); /* the PD entry next to it */
        env_entry_set(&f->env, 0x00c00000, PW_LVL_PD, FAR_TABLE | PTE_P | PTE_RW | PTE_US);
        add_map(f, 0x40000000, 0x00600000, PW_SIZE_4K, PTE_RW);  /* visited after it */
        assert_int_equal(scan(f, 0), PW_OK);
        unsigned bus = 0;
        for (unsigned k = 0; k < f->n_seen; k++) {
            const pw_scan_entry *e = &f->seen[k];
            if (e->kind != PW_SCAN_BUS_ERROR)
                continue;
            assert_int_equal(e->level, PW_LVL_PT);
            assert_int_equal(e->table, FAR_TABLE);
            assert_int_equal(e->entry_pa, FAR_TABLE + (uint64_t)bus * pw_mode_entry_size(m));
            assert_int_equal(e->la, UINT64_C(0x00c00000) + (uint64_t)bus * PW_PAGE_SIZE);
            bus++;
        }
        assert_int_equal(bus, pw_scan_table_entries(m, PW_LVL_PT));
        assert_non_null(find_seen(f, 0x40000000, PW_LVL_PT));
        fixture_free(f);
    }
}

/* ---- Loops and the cap ---- */

/* Point the unused PD entry for `la` at `table` (a table entry). */
static void point_pde(fixture *f, uint64_t la, uint64_t table)
{
    env_entry_set(&f->env, la, PW_LVL_PD, table | PTE_P | PTE_RW | PTE_US | PTE_A);
}

/* An entry pointing back to its own table, and one pointing to an ancestor
 * (the root): each is reported as PW_SCAN_LOOP, not followed, and the scan
 * ends with PW_ERR_LOOP after visiting the rest. */
static void test_scan_table_loop_terminates_with_loop_status(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        for (unsigned ancestor = 0; ancestor < 2; ancestor++) {
            fixture *f = fixture_new(ALL_MODES[i]);
            add_map(f, LA_MAPPED, 0x00200000, PW_SIZE_4K, PTE_RW);
            add_map(f, 0x40000000, 0x00600000, PW_SIZE_4K, PTE_RW);
            uint64_t pd = env_entry_pa(&f->env, LA_MAPPED, PW_LVL_PD) & ~(PW_PAGE_SIZE - 1);
            uint64_t root = pw_scan_root(&f->env.cfg, &f->env.regs) & ~(PW_PAGE_SIZE - 1);
            uint64_t target = ancestor ? root : pd;
            add_map(f, 0x00c00000, 0x00400000, PW_SIZE_4K, PTE_RW);
            point_pde(f, 0x00c00000, target);
            assert_int_equal(scan(f, 0), PW_ERR_LOOP);
            const pw_scan_entry *e = find_seen(f, 0x00c00000, PW_LVL_PD);
            assert_non_null(e);
            assert_int_equal(e->kind, PW_SCAN_LOOP);
            assert_int_equal(e->pa, target);
            assert_null(find_seen(f, 0x00c00000, PW_LVL_PT));
            assert_non_null(find_seen(f, LA_MAPPED, PW_LVL_PT));
            assert_non_null(find_seen(f, 0x40000000, PW_LVL_PT)); /* after the loop */
            fixture_free(f);
        }
    }
}

/* 4/5-level: a PML4E that maps the PML4 itself (a recursive, "self-map"
 * entry) is a loop too. */
static void test_scan_self_map_entry_is_a_loop(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_LONG; i++) {
        fixture *f = fixture_new(LONG_MODES[i]);
        add_map(f, LA_MAPPED, 0x00200000, PW_SIZE_4K, PTE_RW);
        uint64_t root = pw_scan_root(&f->env.cfg, &f->env.regs);
        unsigned top = pw_mode_levels(f->env.mode);
        env_poke(&f->env, root + 0x1ed * 8, root | PTE_P | PTE_RW | PTE_A);
        assert_int_equal(scan(f, 0), PW_ERR_LOOP);
        unsigned loops = 0;
        for (unsigned k = 0; k < f->n_seen; k++)
            loops += f->seen[k].kind == PW_SCAN_LOOP;
        assert_int_equal(loops, 1);
        uint64_t la = (uint64_t)0x1ed << pw_level_shift(f->env.mode, top);
        const pw_scan_entry *e = find_seen(f, pw_la_canonical_form(f->env.mode, la), top);
        assert_non_null(e);
        assert_int_equal(e->kind, PW_SCAN_LOOP);
        fixture_free(f);
    }
}

/* One page table reached from two PD entries is no loop: both paths are
 * visited, each with its own LAs. */
static void test_scan_shared_table_is_visited_per_path(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        fixture *f = fixture_new(ALL_MODES[i]);
        add_map(f, LA_MAPPED, 0x00200000, PW_SIZE_4K, PTE_RW);
        add_map(f, 0x00c00000, 0x00400000, PW_SIZE_4K, PTE_RW);
        point_pde(f, 0x00c00000, env_entry_pa(&f->env, LA_MAPPED, PW_LVL_PT) & ~(PW_PAGE_SIZE - 1));
        assert_int_equal(scan(f, 0), PW_OK);
        const pw_scan_entry *e = find_seen(f, 0x00c00000, PW_LVL_PT);
        assert_non_null(e);
        assert_int_equal(e->kind, PW_SCAN_LEAF);
        assert_int_equal(e->pa, 0x00200000);
        fixture_free(f);
    }
}

/* Every PD entry pointing at one full page table: 512 x 512 entries (1024 x
 * 1024 in 32-bit paging) without a loop. The cap stops the scan after
 * exactly max_entries entries with PW_ERR_LIMIT. */
static void test_scan_entry_cap_stops_fan_out(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        fixture *f = fixture_new(ALL_MODES[i]);
        pw_mode m = f->env.mode;
        add_map(f, 0, 0x00200000, PW_SIZE_4K, PTE_RW);
        uint64_t pt = env_entry_pa(&f->env, 0, PW_LVL_PT) & ~(PW_PAGE_SIZE - 1);
        uint64_t pd = env_entry_pa(&f->env, 0, PW_LVL_PD) & ~(PW_PAGE_SIZE - 1);
        unsigned n = pw_scan_table_entries(m, PW_LVL_PT), es = pw_mode_entry_size(m);
        for (unsigned k = 0; k < n; k++) {
            env_poke(&f->env, pt + k * es, (uint64_t)k << PW_PAGE_SHIFT | PTE_P | PTE_RW);
            env_poke(&f->env, pd + k * es, pt | PTE_P | PTE_RW | PTE_US | PTE_A);
        }
        assert_int_equal(scan(f, 1000), PW_ERR_LIMIT);
        assert_int_equal(f->n_seen, 1000);
        fixture_free(f);
    }
}

/* ---- PAE PDPTEs, the visitor's answers, bad input ---- */

/* R6.3: with PDPTE registers, the scan uses the registers, not the PDPT in
 * memory; R6.5: on demand, it reads memory. */
static void test_R6_3_scan_uses_pdpte_registers_or_memory(void **state)
{
    (void)state;
    fixture *f = fixture_new(PW_MODE_PAE);
    add_map(f, LA_MAPPED, 0x00200000, PW_SIZE_4K, PTE_RW);
    env_poke(&f->env, f->env.regs.cr3 & CR3_PAE_BASE, 0);   /* PDPTE 0 in memory: not present */
    assert_int_equal(scan(f, 0), PW_OK);
    const pw_scan_entry *e = find_seen(f, 0, PW_LVL_PDPT);
    assert_non_null(e);
    assert_true(e->from_register);
    assert_int_equal(e->kind, PW_SCAN_TABLE);
    assert_non_null(find_seen(f, LA_MAPPED, PW_LVL_PT));
    f->env.cfg.pae_pdpte = PW_PDPTE_ON_DEMAND;
    assert_int_equal(scan(f, 0), PW_OK);
    e = find_seen(f, 0, PW_LVL_PDPT);
    assert_non_null(e);
    assert_false(e->from_register);
    assert_int_equal(e->kind, PW_SCAN_NOT_PRESENT);
    assert_null(find_seen(f, LA_MAPPED, PW_LVL_PT));
    fixture_free(f);
}

static void test_scan_visitor_skip_and_stop(void **state)
{
    (void)state;
    fixture *f = fixture_new(PW_MODE_4LVL);
    build(f, 7);
    f->on_table = PW_SCAN_PRUNE;
    assert_int_equal(scan(f, 0), PW_OK);
    assert_int_equal(f->n_seen, pw_scan_table_entries(PW_MODE_4LVL, PW_LVL_PML4));
    f->on_table = PW_SCAN_CONTINUE;
    f->stop_after = 3;
    assert_int_equal(scan(f, 0), PW_OK);
    assert_int_equal(f->n_seen, 3);
    fixture_free(f);
}

static pw_scan_action never(void *ctx, const pw_scan_entry *e)
{
    (void)ctx;
    (void)e;
    fail();
    return PW_SCAN_STOP;
}

static void test_scan_bad_input(void **state)
{
    (void)state;
    fixture *f = fixture_new(PW_MODE_4LVL);
    pw_env *e = &f->env;
    pw_scan_visitor v = {.entry = never}, none = {0};
    assert_int_equal(pw_scan(NULL, &e->regs, &e->mem, &v, NULL), PW_ERR_ARG);
    assert_int_equal(pw_scan(&e->cfg, NULL, &e->mem, &v, NULL), PW_ERR_ARG);
    assert_int_equal(pw_scan(&e->cfg, &e->regs, NULL, &v, NULL), PW_ERR_ARG);
    assert_int_equal(pw_scan(&e->cfg, &e->regs, &e->mem, NULL, NULL), PW_ERR_ARG);
    assert_int_equal(pw_scan(&e->cfg, &e->regs, &e->mem, &none, NULL), PW_ERR_ARG);
    pw_mem no_read = e->mem;
    no_read.read = NULL;
    assert_int_equal(pw_scan(&e->cfg, &e->regs, &no_read, &v, NULL), PW_ERR_ARG);
    pw_regs off = e->regs;
    off.cr0 &= ~CR0_PG;
    assert_int_equal(pw_scan(&e->cfg, &off, &e->mem, &v, NULL), PW_ERR_ARG);
    pw_config bad = e->cfg;
    bad.maxphyaddr = 99;
    assert_int_equal(pw_scan(&bad, &e->regs, &e->mem, &v, NULL), PW_ERR_CONFIG);
    assert_string_equal(pw_status_str(PW_ERR_LOOP), "page tables loop back on themselves");
    assert_string_equal(pw_status_str(PW_ERR_LIMIT), "too many page-table entries");
    fixture_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scan_lists_exactly_the_mappings_built),
        cmocka_unit_test(test_R2_1_scan_reports_canonical_las),
        cmocka_unit_test(test_R8_2_scan_combines_rights_down_the_path),
        cmocka_unit_test(test_R7_1_scan_reports_not_present_entries_with_os_bits),
        cmocka_unit_test(test_R5_scan_reports_reserved_entries_and_does_not_follow_them),
        cmocka_unit_test(test_scan_bus_errors_are_entries_not_failures),
        cmocka_unit_test(test_scan_table_loop_terminates_with_loop_status),
        cmocka_unit_test(test_scan_self_map_entry_is_a_loop),
        cmocka_unit_test(test_scan_shared_table_is_visited_per_path),
        cmocka_unit_test(test_scan_entry_cap_stops_fan_out),
        cmocka_unit_test(test_R6_3_scan_uses_pdpte_registers_or_memory),
        cmocka_unit_test(test_scan_visitor_skip_and_stop),
        cmocka_unit_test(test_scan_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
