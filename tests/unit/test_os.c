/* Unit tests of the page-table builder (os.h). The entries it writes are
 * read back from memory and compared with values computed here from the
 * rules of x86-paging.md §2 and §4, by a walk written out per mode. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "support/env.h"
#include "support/walkhelp.h"

#define MIB (UINT64_C(1) << 20)
#define GIB (UINT64_C(1) << 30)
#define TABLE_DEFAULT (PTE_P | PTE_RW | PTE_US | PTE_A) /* os.h default non-leaf flags, P implied */
#define PK(k) ((uint64_t)(k) << PTE_PK_SHIFT)

/* ---- An independent walk, transcribed from R2.2-R2.5 ---- */

/* bits(hi:lo) of x */
static uint64_t bits(uint64_t x, unsigned hi, unsigned lo)
{
    return (x >> lo) & (PW_BIT(hi - lo + 1) - 1);
}

static unsigned top_level(pw_mode m)
{
    return m == PW_MODE_32 ? 2 : m == PW_MODE_PAE ? 3 : m == PW_MODE_4LVL ? 4 : 5;
}

/* Address of the entry at `level` inside `table` for `la`. */
static uint64_t rule_entry_pa(pw_mode m, unsigned level, uint64_t table, uint64_t la)
{
    if (m == PW_MODE_32) /* R2.2: LA[31:22]<<2, LA[21:12]<<2 */
        return table | (level == 2 ? bits(la, 31, 22) : bits(la, 21, 12)) << 2;
    if (m == PW_MODE_PAE && level == 3) /* R2.3: the PDPTE index is LA[31:30] */
        return table | bits(la, 31, 30) << 3;
    static const unsigned lo[] = {0, 12, 21, 30, 39, 48}; /* R2.4, R2.5 */
    return table | bits(la, lo[level] + 8, lo[level]) << 3;
}

/* The address field of a non-leaf entry: PA[31:12] (R2.2) or PA[M-1:12]. */
static uint64_t next_table(pw_env *env, uint64_t e)
{
    unsigned m = env->mode == PW_MODE_32 ? 32 : env->cfg.maxphyaddr;
    return e & PW_BITS(m - 1, 12);
}

typedef struct {
    uint64_t entry[6], pa[6];
} rule_path;

/* Walk down to `leaf`, checking on the way that each non-leaf entry is P plus
 * the expected table flags plus a page-aligned table inside the pool. */
static void rule_walk(pw_env *env, uint64_t la, unsigned leaf, uint64_t table_flags,
                      rule_path *p)
{
    uint64_t table = pw_os_cr3(env->os); /* R3: the root, PCID 0, no PWT/PCD */
    for (unsigned l = top_level(env->mode);; l--) {
        p->pa[l] = rule_entry_pa(env->mode, l, table, la);
        p->entry[l] = env_peek(env, p->pa[l]);
        uint64_t got_pa;
        assert_int_equal(pw_os_entry_pa(env->os, la, l, &got_pa), PW_OK);
        assert_int_equal(got_pa, p->pa[l]);
        if (l == leaf)
            return;
        table = next_table(env, p->entry[l]);
        /* R5.6: a PAE PDPTE carries only P, PWT, PCD and the address. */
        uint64_t flags = env->mode == PW_MODE_PAE && l == 3
                             ? PTE_P | (table_flags & (PTE_PWT | PTE_PCD))
                             : table_flags;
        assert_int_equal(p->entry[l], flags | table);
        assert_true(table >= env->pool_base && table < env->pool_base + env->pool_size);
    }
}

/* The leaf the rules want. §4: PAT is bit 7 in a PTE, bit 12 in a large leaf,
 * which also has PS; R2.2: a 4 MiB PDE holds PA[31:22] in place, PA[39:32] in 20:13. */
static uint64_t rule_leaf(pw_mode m, pw_page_size s, uint64_t pa, uint64_t flags)
{
    bool pat = flags & PW_OS_PAT;
    uint64_t f = (flags & ~PW_OS_PAT) | PTE_P;
    if (s == PW_SIZE_4K)
        return pa | f | (pat ? PTE_PAT : 0);
    f |= PTE_PS | (pat ? PTE_PAT_LARGE : 0);
    if (m == PW_MODE_32)
        return (pa & PW_BITS(31, 22)) | bits(pa, 39, 32) << 13 | f;
    return pa | f;
}

static unsigned leaf_level(pw_page_size s)
{
    return s == PW_SIZE_4K ? 1 : s == PW_SIZE_1G ? 3 : 2;
}

static void env_up(pw_env *env, pw_mode mode, const pw_config *cfg)
{
    assert_int_equal(pw_env_init(env, mode, cfg, 0), PW_OK);
}

static void stats(pw_env *env, pw_os_stats *st)
{
    pw_os_stats_get(env->os, st);
}

/* ---- map / protect / unmap at every size in every mode ---- */

typedef struct {
    pw_mode mode;
    pw_page_size size;
    uint64_t la, pa, flags, new_flags;
} map_case;

static const map_case cases[] = {
    {PW_MODE_32, PW_SIZE_4K, 0xc0345000, 0x00123000, PTE_RW | PTE_US | PW_OS_PAT | PTE_G | PTE_D,
     PTE_PCD | PTE_A},
    /* PSE-36: PA[39:32] = 0x12 (M' = min(46, 40) = 40) */
    {PW_MODE_32, PW_SIZE_4M, 0x80c00000, 0x12c0400000, PTE_RW | PW_OS_PAT | PTE_PCD, PTE_US},
    {PW_MODE_PAE, PW_SIZE_4K, 0xbfe01000, 0x345678000, PTE_RW | PTE_XD | PW_OS_PAT,
     PTE_US | PTE_PWT},
    {PW_MODE_PAE, PW_SIZE_2M, 0x40200000, 0x100200000, PTE_US | PW_OS_PAT | PTE_PWT,
     PTE_RW | PTE_XD | PTE_D},
    {PW_MODE_4LVL, PW_SIZE_4K, 0xffff812345678000, 0x200012345000,
     PTE_RW | PTE_XD | PK(5) | PW_OS_PAT, PK(15) | PTE_G},
    {PW_MODE_4LVL, PW_SIZE_2M, 0x00007fffffe00000, 0x3fffffe00000, PTE_RW | PTE_US | PTE_G,
     PW_OS_PAT},
    {PW_MODE_4LVL, PW_SIZE_1G, 0x0000004000000000, 0x124000000000, PW_OS_PAT | PTE_RW,
     PTE_XD | PK(1)},
    {PW_MODE_5LVL, PW_SIZE_4K, 0xff123456789ab000, 0x1000, 0, PTE_RW | PW_OS_PAT},
    {PW_MODE_5LVL, PW_SIZE_2M, 0x00abcdef00200000, 0x200000, PTE_D | PTE_A, PK(3)},
    {PW_MODE_5LVL, PW_SIZE_1G, 0x00ffffffc0000000, 0x40000000, PTE_US, PTE_RW | PTE_US},
};

static void check_case(const map_case *c)
{
    pw_env env;
    env_up(&env, c->mode, NULL);
    unsigned leaf = leaf_level(c->size);
    unsigned top = top_level(c->mode);
    assert_int_equal(pw_os_map(env.os, c->la, c->pa, c->size, c->flags), PW_OK);

    rule_path p;
    rule_walk(&env, c->la, leaf, TABLE_DEFAULT, &p);
    assert_int_equal(p.entry[leaf], rule_leaf(c->mode, c->size, c->pa, c->flags));
    /* One table per level between the root and the leaf. */
    pw_os_stats st;
    stats(&env, &st);
    assert_int_equal(st.tables[top], 1);
    for (unsigned l = leaf; l < top; l++)
        assert_int_equal(st.tables[l], 1);
    assert_int_equal(st.total_tables, 1 + top - leaf);
    assert_int_equal(st.table_bytes, st.total_tables * PW_PAGE_SIZE);
    assert_int_equal(st.leaves[c->size], 1);

    /* protect: new flags, same frame; the OS bits 11:9 (and 58:52) stay. */
    uint64_t os_bits = PW_BITS(11, 9) | (c->mode == PW_MODE_32 ? 0 : PW_BITS(58, 52));
    if (c->mode == PW_MODE_PAE)
        os_bits = PW_BITS(11, 9); /* 62:52 are reserved in PAE (R5.1) */
    uint64_t leaf_pa = p.pa[leaf];
    env_poke(&env, leaf_pa, p.entry[leaf] | os_bits);
    assert_int_equal(pw_os_protect(env.os, c->la, c->size, c->new_flags), PW_OK);
    assert_int_equal(env_peek(&env, leaf_pa),
                     rule_leaf(c->mode, c->size, c->pa, c->new_flags) | os_bits);

    /* unmap: the leaf goes, the tables made for it go, the root stays. */
    assert_int_equal(pw_os_unmap(env.os, c->la, c->size), PW_OK);
    stats(&env, &st);
    assert_int_equal(st.total_tables, 1);
    assert_int_equal(st.tables[top], 1);
    assert_int_equal(st.leaves[c->size], 0);
    assert_int_equal(env_peek(&env, p.pa[top]), 0);
    assert_int_equal(pw_os_unmap(env.os, c->la, c->size), PW_ERR_RANGE);
    /* and it maps again from recycled pages */
    assert_int_equal(pw_os_map(env.os, c->la, c->pa, c->size, c->flags), PW_OK);
    rule_walk(&env, c->la, leaf, TABLE_DEFAULT, &p);
    assert_int_equal(p.entry[leaf], rule_leaf(c->mode, c->size, c->pa, c->flags));
    pw_env_free(&env);
}

static void test_R2_R4_map_protect_unmap_every_size_every_mode(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        print_message("case %zu: mode %d size %d la %#llx\n", i, cases[i].mode, cases[i].size,
                      (unsigned long long)cases[i].la);
        check_case(&cases[i]);
    }
}

/* R5.6: PDPTEs take only PWT/PCD of the table flags; other levels take all. */
static void test_R5_6_pae_pdpte_gets_only_pwt_pcd(void **state)
{
    (void)state;
    pw_env env;
    env_up(&env, PW_MODE_PAE, NULL);
    uint64_t tf = PTE_RW | PTE_US | PTE_A | PTE_PWT | PTE_PCD | PTE_XD;
    pw_os_set_table_flags(env.os, tf);
    assert_int_equal(pw_os_map(env.os, 0x7000, 0x7000, PW_SIZE_4K, PTE_RW), PW_OK);
    rule_path p;
    rule_walk(&env, 0x7000, 1, PTE_P | tf, &p);
    assert_int_equal(p.entry[3] & (PTE_RW | PTE_US | PTE_A | PTE_XD), 0);
    /* env's PDPTE registers are loaded from the PDPT (R6.1) */
    assert_int_equal(pw_env_load_regs(&env), PW_OK);
    assert_int_equal(env.regs.pdpte[0], p.entry[3]);
    assert_int_equal(env.regs.pdpte[1], 0);
    assert_int_equal(env.regs.cr3, pw_os_cr3(env.os));
    assert_int_equal(env.regs.cr4 & (CR4_PAE | CR4_PSE | CR4_LA57), CR4_PAE);
    pw_env_free(&env);
}

static void test_table_flags_options(void **state)
{
    (void)state;
    pw_config cfg;
    pw_config_default(&cfg);
    pw_image *img;
    assert_int_equal(pw_image_sparse_new(16 * MIB, &img), PW_OK);
    pw_os *os = NULL;
    /* XD does not exist in 32-bit entries; PS is not a table flag. */
    pw_os_opts o = {.table_flags = PTE_RW | PTE_XD};
    assert_int_equal(pw_os_new(img, &cfg, PW_MODE_32, 8 * MIB, MIB, &o, &os), PW_ERR_ARG);
    o.table_flags = PTE_RW | PTE_PS;
    assert_int_equal(pw_os_new(img, &cfg, PW_MODE_4LVL, 8 * MIB, MIB, &o, &os), PW_ERR_ARG);
    /* Read-only supervisor tables, as given. */
    o.table_flags = PTE_XD;
    assert_int_equal(pw_os_new(img, &cfg, PW_MODE_4LVL, 8 * MIB, MIB, &o, &os), PW_OK);
    assert_int_equal(pw_os_mode(os), PW_MODE_4LVL);
    assert_int_equal(pw_os_map(os, 0x1000, 0x1000, PW_SIZE_4K, 0), PW_OK);
    uint64_t pa, e;
    assert_int_equal(pw_os_entry_pa(os, 0x1000, 4, &pa), PW_OK);
    assert_int_equal(pw_image_read64(img, pa, &e), PW_OK);
    assert_int_equal(e & ~PW_BITS(45, 12), PTE_P | PTE_XD);
    pw_os_free(os);
    pw_image_free(img);
}

/* ---- accounting ---- */

static void test_accounting_4lvl(void **state)
{
    (void)state;
    pw_env env;
    env_up(&env, PW_MODE_4LVL, NULL);
    pw_os_stats st;
    stats(&env, &st);
    assert_int_equal(st.total_tables, 1); /* the root PML4 */
    assert_int_equal(st.tables[PW_LVL_PML4], 1);

    /* One 4K page: exactly a PDPT, a PD and a PT besides the root. */
    assert_int_equal(pw_os_map(env.os, 0x400000, 0x1000, PW_SIZE_4K, PTE_RW), PW_OK);
    stats(&env, &st);
    assert_int_equal(st.total_tables, 4);
    assert_int_equal(st.tables[3], 1);
    assert_int_equal(st.tables[2], 1);
    assert_int_equal(st.tables[1], 1);
    /* Its neighbour shares every table. */
    assert_int_equal(pw_os_map(env.os, 0x401000, 0x2000, PW_SIZE_4K, PTE_RW), PW_OK);
    stats(&env, &st);
    assert_int_equal(st.total_tables, 4);
    assert_int_equal(st.leaves[PW_SIZE_4K], 2);
    /* Another 2 MiB region: one more PT; another 512 GiB region: 3 more. */
    assert_int_equal(pw_os_map(env.os, 0x600000, 0x3000, PW_SIZE_4K, PTE_RW), PW_OK);
    assert_int_equal(pw_os_map(env.os, 0xffff800000000000, 0x4000, PW_SIZE_4K, 0), PW_OK);
    stats(&env, &st);
    assert_int_equal(st.tables[1], 3);
    assert_int_equal(st.tables[2], 2);
    assert_int_equal(st.tables[3], 2);
    assert_int_equal(st.total_tables, 8);
    assert_int_equal(st.table_bytes, 8 * PW_PAGE_SIZE);

    /* Unmapping frees only the tables left empty, bottom up, never the root. */
    assert_int_equal(pw_os_unmap(env.os, 0x400000, PW_SIZE_4K), PW_OK);
    stats(&env, &st);
    assert_int_equal(st.total_tables, 8);
    assert_int_equal(pw_os_unmap(env.os, 0x401000, PW_SIZE_4K), PW_OK);
    stats(&env, &st);
    assert_int_equal(st.total_tables, 7); /* that PT only: the PD still maps 0x600000 */
    assert_int_equal(pw_os_unmap(env.os, 0xffff800000000000, PW_SIZE_4K), PW_OK);
    stats(&env, &st);
    assert_int_equal(st.total_tables, 4);
    assert_int_equal(pw_os_unmap(env.os, 0x600000, PW_SIZE_4K), PW_OK);
    stats(&env, &st);
    assert_int_equal(st.total_tables, 1);
    assert_int_equal(st.leaves[PW_SIZE_4K], 0);
    uint64_t root[512];
    assert_int_equal(pw_image_read(env.img, pw_os_cr3(env.os), root, sizeof root), PW_OK);
    for (unsigned i = 0; i < 512; i++)
        assert_int_equal(root[i], 0);
    pw_env_free(&env);
}

/* A recycled table page is zeroed: the free list threaded through it is gone. */
static void test_recycled_tables_are_zeroed(void **state)
{
    (void)state;
    pw_env env;
    env_up(&env, PW_MODE_5LVL, NULL);
    for (unsigned round = 0; round < 3; round++) {
        assert_int_equal(pw_os_map(env.os, 0x1000, 0x1000, PW_SIZE_4K, 0), PW_OK);
        assert_int_equal(pw_os_map(env.os, 0x00ff000000000000, 0x1000, PW_SIZE_4K, 0), PW_OK);
        for (unsigned l = 1; l < 5; l++) {
            uint64_t pa, tbl[512];
            assert_int_equal(pw_os_entry_pa(env.os, 0x1000, l, &pa), PW_OK);
            assert_int_equal(pw_image_read(env.img, pa & ~(PW_PAGE_SIZE - 1), tbl, sizeof tbl),
                             PW_OK);
            unsigned present = 0;
            for (unsigned i = 0; i < 512; i++) {
                present += (tbl[i] & PTE_P) != 0;
                assert_true(tbl[i] == 0 || (tbl[i] & PTE_P));
            }
            assert_int_equal(present, 1);
        }
        pw_os_stats st;
        stats(&env, &st);
        assert_int_equal(st.total_tables, 9);
        assert_int_equal(pw_os_unmap(env.os, 0x1000, PW_SIZE_4K), PW_OK);
        assert_int_equal(pw_os_unmap(env.os, 0x00ff000000000000, PW_SIZE_4K), PW_OK);
        stats(&env, &st);
        assert_int_equal(st.total_tables, 1);
    }
    pw_env_free(&env);
}

/* ---- refusals ---- */

static void assert_no_change(pw_env *env, const pw_os_stats *before)
{
    pw_os_stats now;
    stats(env, &now);
    assert_memory_equal(&now, before, sizeof now);
}

static void test_map_refuses_overlaps(void **state)
{
    (void)state;
    pw_env env;
    pw_os_stats st;
    env_up(&env, PW_MODE_4LVL, NULL);
    assert_int_equal(pw_os_map(env.os, 0x200000, 0x1000, PW_SIZE_4K, 0), PW_OK);
    assert_int_equal(pw_os_map(env.os, 0x40000000, 0x40000000, PW_SIZE_1G, 0), PW_OK);
    assert_int_equal(pw_os_map(env.os, 0x80200000, 0x200000, PW_SIZE_2M, 0), PW_OK);
    stats(&env, &st);
    /* the same page again */
    assert_int_equal(pw_os_map(env.os, 0x200000, 0x5000, PW_SIZE_4K, 0), PW_ERR_EXISTS);
    /* a large page over a table with a present entry */
    assert_int_equal(pw_os_map(env.os, 0x200000, 0x200000, PW_SIZE_2M, 0), PW_ERR_EXISTS);
    assert_int_equal(pw_os_map(env.os, 0, 0, PW_SIZE_1G, 0), PW_ERR_EXISTS);
    assert_int_equal(pw_os_map(env.os, 0x80000000, 0, PW_SIZE_1G, 0), PW_ERR_EXISTS);
    /* small pages under a large leaf */
    assert_int_equal(pw_os_map(env.os, 0x40001000, 0x1000, PW_SIZE_4K, 0), PW_ERR_EXISTS);
    assert_int_equal(pw_os_map(env.os, 0x7fe00000, 0x200000, PW_SIZE_2M, 0), PW_ERR_EXISTS);
    assert_int_equal(pw_os_map(env.os, 0x803ff000, 0x1000, PW_SIZE_4K, 0), PW_ERR_EXISTS);
    assert_no_change(&env, &st);
    pw_env_free(&env);

    env_up(&env, PW_MODE_32, NULL);
    assert_int_equal(pw_os_map(env.os, 0x400000, 0x400000, PW_SIZE_4M, 0), PW_OK);
    assert_int_equal(pw_os_map(env.os, 0x800000, 0x1000, PW_SIZE_4K, 0), PW_OK);
    stats(&env, &st);
    assert_int_equal(pw_os_map(env.os, 0x7ff000, 0x1000, PW_SIZE_4K, 0), PW_ERR_EXISTS);
    assert_int_equal(pw_os_map(env.os, 0x800000, 0, PW_SIZE_4M, 0), PW_ERR_EXISTS);
    assert_no_change(&env, &st);
    pw_env_free(&env);
}

/* A large page may replace a table that maps nothing, even one holding OS
 * bits in not-present entries (§4: P=0 leaves the other bits to the OS). */
static void test_large_page_replaces_table_without_present_entries(void **state)
{
    (void)state;
    pw_env env;
    env_up(&env, PW_MODE_PAE, NULL);
    assert_int_equal(pw_os_map(env.os, 0x200000, 0x1000, PW_SIZE_4K, 0), PW_OK);
    uint64_t pte_pa;
    assert_int_equal(pw_os_entry_pa(env.os, 0x201000, 1, &pte_pa), PW_OK);
    const uint64_t swap_entry = 0x0000001234567e00; /* P=0: e.g. a swap slot */
    assert_int_equal(pw_image_write64(env.img, pte_pa, swap_entry), PW_OK);
    assert_int_equal(pw_os_unmap(env.os, 0x200000, PW_SIZE_4K), PW_OK);
    pw_os_stats st;
    stats(&env, &st);
    assert_int_equal(st.tables[1], 1); /* kept: it is not all zero */
    assert_int_equal(pw_os_map(env.os, 0x200000, 0x400000, PW_SIZE_2M, PTE_RW), PW_OK);
    stats(&env, &st);
    assert_int_equal(st.tables[1], 0);
    uint64_t e;
    assert_int_equal(pw_env_entry(&env, 0x200000, 2, &e), PW_OK);
    assert_int_equal(e, 0x400000 | PTE_P | PTE_RW | PTE_PS);
    pw_env_free(&env);
}

static void test_alignment_errors(void **state)
{
    (void)state;
    pw_env env;
    env_up(&env, PW_MODE_4LVL, NULL);
    pw_os_stats st;
    stats(&env, &st);
    assert_int_equal(pw_os_map(env.os, 0x1800, 0x1000, PW_SIZE_4K, 0), PW_ERR_ARG);
    assert_int_equal(pw_os_map(env.os, 0x1000, 0x1008, PW_SIZE_4K, 0), PW_ERR_ARG);
    assert_int_equal(pw_os_map(env.os, 0x201000, 0x200000, PW_SIZE_2M, 0), PW_ERR_ARG);
    assert_int_equal(pw_os_map(env.os, 0x200000, 0x201000, PW_SIZE_2M, 0), PW_ERR_ARG);
    assert_int_equal(pw_os_map(env.os, 0x40200000, 0x40000000, PW_SIZE_1G, 0), PW_ERR_ARG);
    assert_int_equal(pw_os_map(env.os, 0x40000000, 0x40200000, PW_SIZE_1G, 0), PW_ERR_ARG);
    assert_int_equal(pw_os_unmap(env.os, 0x1800, PW_SIZE_4K), PW_ERR_ARG);
    assert_int_equal(pw_os_protect(env.os, 0x201000, PW_SIZE_2M, 0), PW_ERR_ARG);
    assert_no_change(&env, &st);
    pw_env_free(&env);
    env_up(&env, PW_MODE_32, NULL);
    assert_int_equal(pw_os_map(env.os, 0x200000, 0x400000, PW_SIZE_4M, 0), PW_ERR_ARG);
    assert_int_equal(pw_os_map(env.os, 0x400000, 0x200000, PW_SIZE_4M, 0), PW_ERR_ARG);
    pw_env_free(&env);
}

/* R2.2-R2.4: the frame must fit the entry's address field. */
static void test_pa_too_wide(void **state)
{
    (void)state;
    pw_config cfg;
    pw_config_default(&cfg); /* M = 46 */
    pw_env env;

    env_up(&env, PW_MODE_4LVL, &cfg);
    assert_int_equal(pw_os_map(env.os, 0, PW_BIT(46) - GIB, PW_SIZE_1G, 0), PW_OK);
    assert_int_equal(pw_os_map(env.os, GIB, PW_BIT(46), PW_SIZE_1G, 0), PW_ERR_RANGE);
    assert_int_equal(pw_os_map(env.os, 0x80000000, PW_BIT(46), PW_SIZE_4K, 0), PW_ERR_RANGE);
    assert_int_equal(pw_os_map(env.os, 0x80000000, PW_BIT(63), PW_SIZE_2M, 0), PW_ERR_RANGE);
    pw_env_free(&env);

    env_up(&env, PW_MODE_PAE, &cfg);
    assert_int_equal(pw_os_map(env.os, 0, PW_BIT(46) - PW_PAGE_SIZE, PW_SIZE_4K, 0), PW_OK);
    assert_int_equal(pw_os_map(env.os, 0x200000, PW_BIT(46), PW_SIZE_2M, 0), PW_ERR_RANGE);
    pw_env_free(&env);

    /* 32-bit: a PTE holds PA[31:12]; a PSE-36 PDE reaches min(M, 40) bits. */
    env_up(&env, PW_MODE_32, &cfg);
    assert_int_equal(pw_os_map(env.os, 0x1000, PW_BIT(32), PW_SIZE_4K, 0), PW_ERR_RANGE);
    assert_int_equal(pw_os_map(env.os, 0x1000, PW_BIT(32) - PW_PAGE_SIZE, PW_SIZE_4K, 0), PW_OK);
    assert_int_equal(pw_os_map(env.os, 0x400000, PW_BIT(40) - 4 * MIB, PW_SIZE_4M, 0), PW_OK);
    assert_int_equal(pw_os_map(env.os, 0x800000, PW_BIT(40), PW_SIZE_4M, 0), PW_ERR_RANGE);
    uint64_t e;
    assert_int_equal(pw_env_entry(&env, 0x400000, 2, &e), PW_OK);
    assert_int_equal(e, PW_BITS(31, 22) | PW_BITS(20, 13) | PTE_PS | PTE_P);
    pw_env_free(&env);

    cfg.maxphyaddr = 36;
    env_up(&env, PW_MODE_32, &cfg);
    assert_int_equal(pw_os_map(env.os, 0x400000, PW_BIT(36), PW_SIZE_4M, 0), PW_ERR_RANGE);
    assert_int_equal(pw_os_map(env.os, 0x400000, PW_BIT(36) - 4 * MIB, PW_SIZE_4M, 0), PW_OK);
    pw_env_free(&env);

    cfg.has_pse36 = false;
    env_up(&env, PW_MODE_32, &cfg);
    assert_int_equal(pw_os_map(env.os, 0x400000, PW_BIT(32), PW_SIZE_4M, 0), PW_ERR_RANGE);
    assert_int_equal(pw_os_map(env.os, 0x400000, PW_BIT(32) - 4 * MIB, PW_SIZE_4M, 0), PW_OK);
    pw_env_free(&env);
}

/* R2.1: LAs the mode cannot produce. */
static void test_R2_1_la_outside_the_mode(void **state)
{
    (void)state;
    pw_env env;
    uint64_t pa;
    env_up(&env, PW_MODE_32, NULL);
    assert_int_equal(pw_os_map(env.os, PW_BIT(32), 0, PW_SIZE_4K, 0), PW_ERR_RANGE);
    assert_int_equal(pw_os_map(env.os, 0xfffff000, 0, PW_SIZE_4K, 0), PW_OK);
    pw_env_free(&env);
    env_up(&env, PW_MODE_PAE, NULL);
    assert_int_equal(pw_os_map(env.os, 0xffffffff00000000, 0, PW_SIZE_2M, 0), PW_ERR_RANGE);
    assert_int_equal(pw_os_entry_pa(env.os, PW_BIT(32), 3, &pa), PW_ERR_RANGE);
    assert_int_equal(pw_os_map(env.os, 0xffe00000, 0, PW_SIZE_2M, 0), PW_OK);
    pw_env_free(&env);
    env_up(&env, PW_MODE_4LVL, NULL);
    assert_int_equal(pw_os_map(env.os, 0x0000800000000000, 0, PW_SIZE_4K, 0), PW_ERR_RANGE);
    assert_int_equal(pw_os_map(env.os, 0xfff0000000000000, 0, PW_SIZE_4K, 0), PW_ERR_RANGE);
    assert_int_equal(pw_os_map(env.os, 0xffff800000000000, 0, PW_SIZE_4K, 0), PW_OK);
    assert_int_equal(pw_os_map(env.os, 0x00007ffffffff000, 0, PW_SIZE_4K, 0), PW_OK);
    /* the sign bits do not index: 0xffff8... is PML4 slot 256 */
    assert_int_equal(pw_os_entry_pa(env.os, 0xffff800000000000, 4, &pa), PW_OK);
    assert_int_equal(pa, pw_os_cr3(env.os) + 256 * 8);
    pw_env_free(&env);
    env_up(&env, PW_MODE_5LVL, NULL);
    assert_int_equal(pw_os_map(env.os, 0x0100000000000000, 0, PW_SIZE_4K, 0), PW_ERR_RANGE);
    assert_int_equal(pw_os_map(env.os, 0xff00000000000000, 0, PW_SIZE_4K, 0), PW_OK);
    assert_int_equal(pw_os_entry_pa(env.os, 0xff00000000000000, 5, &pa), PW_OK);
    assert_int_equal(pa, pw_os_cr3(env.os) + 256 * 8);
    pw_env_free(&env);
}

/* R5.4: no 1 GiB pages without CPUID Page1GB; each size only where it exists. */
static void test_R5_4_page_sizes_per_mode(void **state)
{
    (void)state;
    pw_config cfg;
    pw_config_default(&cfg);
    cfg.has_1g = false;
    pw_env env;
    env_up(&env, PW_MODE_4LVL, &cfg);
    assert_int_equal(pw_os_map(env.os, 0, 0, PW_SIZE_1G, 0), PW_ERR_ARG);
    assert_int_equal(pw_os_map(env.os, 0, 0, PW_SIZE_4M, 0), PW_ERR_ARG);
    assert_int_equal(pw_os_map(env.os, 0, 0, PW_SIZE_2M, 0), PW_OK);
    assert_int_equal(pw_os_map(env.os, 0, 0, (pw_page_size)7, 0), PW_ERR_ARG);
    pw_env_free(&env);
    env_up(&env, PW_MODE_32, NULL);
    assert_int_equal(pw_os_map(env.os, 0, 0, PW_SIZE_2M, 0), PW_ERR_ARG);
    assert_int_equal(pw_os_map(env.os, 0, 0, PW_SIZE_1G, 0), PW_ERR_ARG);
    pw_env_free(&env);
    env_up(&env, PW_MODE_PAE, NULL);
    assert_int_equal(pw_os_map(env.os, 0, 0, PW_SIZE_4M, 0), PW_ERR_ARG);
    assert_int_equal(pw_os_map(env.os, 0, 0, PW_SIZE_1G, 0), PW_ERR_ARG);
    pw_env_free(&env);
}

/* §4: 32-bit entries have no XD and no PK; PAE entries no PK. */
static void test_flags_legal_per_mode(void **state)
{
    (void)state;
    pw_env env;
    env_up(&env, PW_MODE_32, NULL);
    assert_int_equal(pw_os_map(env.os, 0, 0, PW_SIZE_4K, PTE_XD), PW_ERR_ARG);
    assert_int_equal(pw_os_map(env.os, 0, 0, PW_SIZE_4K, PK(1)), PW_ERR_ARG);
    assert_int_equal(pw_os_map(env.os, 0, 0, PW_SIZE_4K, PTE_PS), PW_ERR_ARG);
    assert_int_equal(pw_os_map(env.os, 0, 0, PW_SIZE_4K, PW_BIT(9)), PW_ERR_ARG);
    assert_int_equal(pw_os_map(env.os, 0, 0, PW_SIZE_4K, PTE_P | PTE_RW), PW_OK);
    assert_int_equal(pw_os_protect(env.os, 0, PW_SIZE_4K, PTE_XD), PW_ERR_ARG);
    pw_env_free(&env);
    env_up(&env, PW_MODE_PAE, NULL);
    assert_int_equal(pw_os_map(env.os, 0, 0, PW_SIZE_4K, PK(1)), PW_ERR_ARG);
    assert_int_equal(pw_os_map(env.os, 0, 0, PW_SIZE_4K, PTE_XD), PW_OK);
    pw_env_free(&env);
    env_up(&env, PW_MODE_4LVL, NULL);
    assert_int_equal(pw_os_map(env.os, 0, 0, PW_SIZE_4K, PW_BIT(52)), PW_ERR_ARG);
    assert_int_equal(pw_os_map(env.os, 0, 0, PW_SIZE_4K, PTE_XD | PTE_PK), PW_OK);
    pw_env_free(&env);
}

static void test_unmap_protect_need_that_leaf(void **state)
{
    (void)state;
    pw_env env;
    env_up(&env, PW_MODE_4LVL, NULL);
    assert_int_equal(pw_os_unmap(env.os, 0x1000, PW_SIZE_4K), PW_ERR_RANGE);
    assert_int_equal(pw_os_protect(env.os, 0x1000, PW_SIZE_4K, 0), PW_ERR_RANGE);
    assert_int_equal(pw_os_map(env.os, 0x200000, 0, PW_SIZE_2M, 0), PW_OK);
    assert_int_equal(pw_os_map(env.os, 0x400000, 0, PW_SIZE_4K, 0), PW_OK);
    assert_int_equal(pw_os_unmap(env.os, 0x200000, PW_SIZE_4K), PW_ERR_RANGE);
    assert_int_equal(pw_os_unmap(env.os, 0x400000, PW_SIZE_2M), PW_ERR_RANGE);
    assert_int_equal(pw_os_unmap(env.os, 0, PW_SIZE_1G), PW_ERR_RANGE);
    assert_int_equal(pw_os_protect(env.os, 0x400000, PW_SIZE_2M, 0), PW_ERR_RANGE);
    assert_int_equal(pw_os_unmap(env.os, 0x401000, PW_SIZE_4K), PW_ERR_RANGE);
    pw_env_free(&env);
}

static void test_entry_pa_follows_the_path(void **state)
{
    (void)state;
    pw_env env;
    uint64_t pa;
    env_up(&env, PW_MODE_PAE, NULL);
    /* Only the PDPT exists: level 3 always; below it the path stops. */
    assert_int_equal(pw_os_entry_pa(env.os, 0xc0000000, 3, &pa), PW_OK);
    assert_int_equal(pa, pw_os_cr3(env.os) + 3 * 8);
    assert_int_equal(pw_os_entry_pa(env.os, 0xc0000000, 2, &pa), PW_ERR_RANGE);
    assert_int_equal(pw_os_entry_pa(env.os, 0xc0000000, 4, &pa), PW_ERR_ARG);
    assert_int_equal(pw_os_entry_pa(env.os, 0xc0000000, 0, &pa), PW_ERR_ARG);
    assert_int_equal(pw_os_entry_pa(env.os, 0xc0000000, 3, NULL), PW_ERR_ARG);
    assert_int_equal(pw_os_entry_pa(NULL, 0xc0000000, 3, &pa), PW_ERR_ARG);
    /* Below a large leaf there is no level 1. */
    assert_int_equal(pw_os_map(env.os, 0xc0000000, 0, PW_SIZE_2M, 0), PW_OK);
    assert_int_equal(pw_os_entry_pa(env.os, 0xc0000000, 2, &pa), PW_OK);
    assert_int_equal(pw_os_entry_pa(env.os, 0xc0000000, 1, &pa), PW_ERR_RANGE);
    pw_env_free(&env);
}

static void test_pool_exhaustion_rolls_back(void **state)
{
    (void)state;
    pw_config cfg;
    pw_config_default(&cfg);
    pw_image *img;
    assert_int_equal(pw_image_sparse_new(16 * MIB, &img), PW_OK);
    pw_os *os;
    pw_os_stats st;
    /* root + 2 pages: a 4K page needs 3 more tables */
    assert_int_equal(pw_os_new(img, &cfg, PW_MODE_4LVL, 8 * MIB, 3 * PW_PAGE_SIZE, NULL, &os),
                     PW_OK);
    assert_int_equal(pw_os_map(os, 0x1000, 0x1000, PW_SIZE_4K, 0), PW_ERR_RANGE);
    pw_os_stats_get(os, &st);
    assert_int_equal(st.total_tables, 1);
    uint64_t e;
    assert_int_equal(pw_image_read64(img, pw_os_cr3(os), &e), PW_OK);
    assert_int_equal(e, 0);
    /* the 1G page needs only a PDPT */
    assert_int_equal(pw_os_map(os, 0, 0, PW_SIZE_1G, 0), PW_OK);
    pw_os_free(os);

    /* root + 3: one 4K page fits, one in another 512 GiB region does not */
    assert_int_equal(pw_os_new(img, &cfg, PW_MODE_4LVL, 10 * MIB, 4 * PW_PAGE_SIZE, NULL, &os),
                     PW_OK);
    assert_int_equal(pw_os_map(os, 0x1000, 0x1000, PW_SIZE_4K, 0), PW_OK);
    assert_int_equal(pw_os_map(os, 0x2000, 0x2000, PW_SIZE_4K, 0), PW_OK);
    assert_int_equal(pw_os_map(os, 0x8000000000, 0x1000, PW_SIZE_4K, 0), PW_ERR_RANGE);
    assert_int_equal(pw_os_map(os, 0x200000, 0x1000, PW_SIZE_4K, 0), PW_ERR_RANGE);
    pw_os_stats_get(os, &st);
    assert_int_equal(st.total_tables, 4);
    assert_int_equal(st.leaves[PW_SIZE_4K], 2);
    /* freed tables are reused */
    assert_int_equal(pw_os_unmap(os, 0x1000, PW_SIZE_4K), PW_OK);
    assert_int_equal(pw_os_unmap(os, 0x2000, PW_SIZE_4K), PW_OK);
    assert_int_equal(pw_os_map(os, 0x8000000000, 0x1000, PW_SIZE_4K, 0), PW_OK);
    pw_os_free(os);
    pw_image_free(img);
}

static void test_new_checks_arguments(void **state)
{
    (void)state;
    pw_config cfg;
    pw_config_default(&cfg);
    pw_image *img;
    assert_int_equal(pw_image_sparse_new(8 * GIB, &img), PW_OK);
    pw_os *os = (pw_os *)1;
    const uint64_t P = PW_PAGE_SIZE;
    assert_int_equal(pw_os_new(NULL, &cfg, PW_MODE_4LVL, 0, P, NULL, &os), PW_ERR_ARG);
    assert_null(os);
    assert_int_equal(pw_os_new(img, NULL, PW_MODE_4LVL, 0, P, NULL, &os), PW_ERR_ARG);
    assert_int_equal(pw_os_new(img, &cfg, PW_MODE_4LVL, 0, P, NULL, NULL), PW_ERR_ARG);
    assert_int_equal(pw_os_new(img, &cfg, PW_MODE_NONE, 0, P, NULL, &os), PW_ERR_ARG);
    assert_int_equal(pw_os_new(img, &cfg, (pw_mode)9, 0, P, NULL, &os), PW_ERR_ARG);
    /* pool: page-aligned, not empty, inside the image */
    assert_int_equal(pw_os_new(img, &cfg, PW_MODE_4LVL, 0x800, P, NULL, &os), PW_ERR_ARG);
    assert_int_equal(pw_os_new(img, &cfg, PW_MODE_4LVL, 0, P + 8, NULL, &os), PW_ERR_ARG);
    assert_int_equal(pw_os_new(img, &cfg, PW_MODE_4LVL, 0, 0, NULL, &os), PW_ERR_ARG);
    assert_int_equal(pw_os_new(img, &cfg, PW_MODE_4LVL, 8 * GIB, P, NULL, &os), PW_ERR_RANGE);
    assert_int_equal(pw_os_new(img, &cfg, PW_MODE_4LVL, UINT64_MAX & ~(P - 1), 2 * P, NULL, &os),
                     PW_ERR_RANGE);
    /* R2.2/R3.1: 32-bit tables below 4 GiB; R3.2: the PAE PDPT too */
    assert_int_equal(pw_os_new(img, &cfg, PW_MODE_32, 4 * GIB - P, 2 * P, NULL, &os), PW_ERR_RANGE);
    assert_int_equal(pw_os_new(img, &cfg, PW_MODE_PAE, 4 * GIB, P, NULL, &os), PW_ERR_RANGE);
    assert_int_equal(pw_os_new(img, &cfg, PW_MODE_PAE, 4 * GIB - P, 2 * P, NULL, &os), PW_OK);
    pw_os_free(os);
    /* M below the pool */
    cfg.maxphyaddr = 32;
    assert_int_equal(pw_os_new(img, &cfg, PW_MODE_4LVL, 4 * GIB, P, NULL, &os), PW_ERR_RANGE);
    cfg.maxphyaddr = 60;
    assert_int_equal(pw_os_new(img, &cfg, PW_MODE_4LVL, 0, P, NULL, &os), PW_ERR_CONFIG);
    pw_config_default(&cfg);
    cfg.has_la57 = false;
    assert_int_equal(pw_os_new(img, &cfg, PW_MODE_5LVL, 0, P, NULL, &os), PW_ERR_ARG);
    /* NULL os everywhere */
    assert_int_equal(pw_os_map(NULL, 0, 0, PW_SIZE_4K, 0), PW_ERR_ARG);
    assert_int_equal(pw_os_unmap(NULL, 0, PW_SIZE_4K), PW_ERR_ARG);
    assert_int_equal(pw_os_protect(NULL, 0, PW_SIZE_4K, 0), PW_ERR_ARG);
    assert_int_equal(pw_os_cr3(NULL), 0);
    assert_int_equal(pw_os_mode(NULL), PW_MODE_NONE);
    pw_os_stats st;
    pw_os_stats_get(NULL, &st);
    assert_int_equal(st.total_tables, 0);
    pw_os_stats_get(NULL, NULL);
    pw_os_set_table_flags(NULL, 0);
    pw_os_free(NULL);
    pw_image_free(img);
}

/* env.h sets the registers each mode needs (R1.1). */
static void test_R1_1_env_registers_select_the_mode(void **state)
{
    (void)state;
    static const pw_mode modes[] = {PW_MODE_32, PW_MODE_PAE, PW_MODE_4LVL, PW_MODE_5LVL};
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        pw_env env;
        env_up(&env, modes[i], NULL);
        const pw_regs *r = &env.regs;
        assert_true(r->cr0 & CR0_PG);
        assert_true(r->cr0 & CR0_WP);
        assert_int_equal(r->cr3, pw_os_cr3(env.os));
        bool pae = modes[i] != PW_MODE_32;
        bool lma = modes[i] == PW_MODE_4LVL || modes[i] == PW_MODE_5LVL;
        assert_int_equal(!!(r->cr4 & CR4_PAE), pae);
        assert_int_equal(!!(r->efer & EFER_LMA), lma);
        assert_int_equal(!!(r->cr4 & CR4_LA57), modes[i] == PW_MODE_5LVL);
        assert_int_equal(!!(r->efer & EFER_NXE), pae);
        pw_env_free(&env);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_R2_R4_map_protect_unmap_every_size_every_mode),
        cmocka_unit_test(test_R5_6_pae_pdpte_gets_only_pwt_pcd),
        cmocka_unit_test(test_table_flags_options),
        cmocka_unit_test(test_accounting_4lvl),
        cmocka_unit_test(test_recycled_tables_are_zeroed),
        cmocka_unit_test(test_map_refuses_overlaps),
        cmocka_unit_test(test_large_page_replaces_table_without_present_entries),
        cmocka_unit_test(test_alignment_errors),
        cmocka_unit_test(test_pa_too_wide),
        cmocka_unit_test(test_R2_1_la_outside_the_mode),
        cmocka_unit_test(test_R5_4_page_sizes_per_mode),
        cmocka_unit_test(test_flags_legal_per_mode),
        cmocka_unit_test(test_unmap_protect_need_that_leaf),
        cmocka_unit_test(test_entry_pa_follows_the_path),
        cmocka_unit_test(test_pool_exhaustion_rolls_back),
        cmocka_unit_test(test_new_checks_arguments),
        cmocka_unit_test(test_R1_1_env_registers_select_the_mode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
