/* The page-table builder (SPEC "os"): map, unmap and protect pages of every
 * size in every paging mode, in tables taken from the caller's pool.
 * Reservations live in os_reserve.c, demand paging in os_demand.c; the
 * geometry they share with this file is in os_priv.h. */
#include <stdlib.h>
#include <string.h>

#include "os_priv.h"
#include "pagewalk/os.h"

#define PSE36_MAX_BITS 40  /* R2.2: a PSE-36 page reaches M' = min(M, 40) bits */
#define SHIFT_2M       21
#define SHIFT_4M       22
#define SHIFT_1G       30

/* Flags a leaf may be given (os.h); P is implied and tolerated. */
#define LEAF_FLAGS_32   (PTE_P | PTE_RW | PTE_US | PTE_PWT | PTE_PCD | PTE_A | PTE_D | PTE_G | PW_OS_PAT)
#define LEAF_FLAGS_PAE  (LEAF_FLAGS_32 | PTE_XD)   /* §4b: no PK field */
#define LEAF_FLAGS_LONG (LEAF_FLAGS_PAE | PTE_PK)  /* §4c */
/* Flags a non-leaf entry may be given: R/W, U/S and XD combine (R8.2). */
#define TABLE_FLAGS_32      (PTE_P | PTE_RW | PTE_US | PTE_PWT | PTE_PCD | PTE_A)
#define TABLE_FLAGS_64      (TABLE_FLAGS_32 | PTE_XD)
#define TABLE_FLAGS_DEFAULT (PTE_RW | PTE_US | PTE_A)
/* R5.6: a PAE PDPTE holds P, PWT, PCD and the address; 2:1 and 8:5 are reserved. */
#define PDPTE_FLAGS (PTE_PWT | PTE_PCD)

/* ---- Geometry (R2.2-R2.5) ---- */

static uint64_t page_bytes(pw_page_size s)
{
    switch (s) {
    case PW_SIZE_2M: return PW_BIT(SHIFT_2M);
    case PW_SIZE_4M: return PW_BIT(SHIFT_4M);
    case PW_SIZE_1G: return PW_BIT(SHIFT_1G);
    default: return PW_PAGE_SIZE;
    }
}

/* The level of a leaf of this size, or 0 if the mode has no such page:
 * 4M only in 32-bit paging, 2M in PAE/4/5-level, 1G in 4/5-level with
 * CPUID Page1GB (R5.4). */
static unsigned leaf_level(const pw_os *os, pw_page_size s)
{
    switch (s) {
    case PW_SIZE_4K: return PW_LVL_PT;
    case PW_SIZE_4M: return os->mode == PW_MODE_32 ? PW_LVL_PD : 0;
    case PW_SIZE_2M: return os->mode != PW_MODE_32 ? PW_LVL_PD : 0;
    case PW_SIZE_1G: return os_long_mode(os->mode) && os->cfg.has_1g ? PW_LVL_PDPT : 0;
    }
    return 0;
}

/* Bits a page frame may need: R2.2 (PSE-36 for 4 MiB pages), R2.3, R2.4. */
static unsigned pa_bits(const pw_os *os, pw_page_size s)
{
    unsigned m = os->cfg.maxphyaddr;
    if (os->mode != PW_MODE_32)
        return m;
    if (s == PW_SIZE_4M && os->cfg.has_pse36)
        return m < PSE36_MAX_BITS ? m : PSE36_MAX_BITS;
    return PA32_BITS;
}

/* ---- Entries (§4) ---- */

static uint64_t table_entry(const pw_os *os, unsigned level, uint64_t table)
{
    if (os->mode == PW_MODE_PAE && level == PW_LVL_PDPT)
        return PTE_P | (os->table_flags & PDPTE_FLAGS) | table; /* R5.6 */
    return PTE_P | os->table_flags | table;
}

static uint64_t table_flags_legal(pw_mode m)
{
    return m == PW_MODE_32 ? TABLE_FLAGS_32 : TABLE_FLAGS_64; /* no XD in 32-bit entries (R1.2) */
}

/* §4: P, the caller's flags, PS for a large page, PAT in bit 7 of a PTE or
 * bit 12 of a large leaf (R7.4, R5.5). XD and PK do not exist in 32-bit
 * entries, PK not in PAE entries. */
static pw_status leaf_bits(const pw_os *os, pw_page_size s, uint64_t flags, uint64_t *bits)
{
    uint64_t legal = os->mode == PW_MODE_32    ? LEAF_FLAGS_32
                     : os->mode == PW_MODE_PAE ? LEAF_FLAGS_PAE
                                               : LEAF_FLAGS_LONG;
    if (flags & ~legal)
        return PW_ERR_ARG;
    uint64_t b = (flags & ~PW_OS_PAT) | PTE_P;
    bool pat = flags & PW_OS_PAT;
    if (s == PW_SIZE_4K)
        b |= pat ? PTE_PAT : 0;
    else
        b |= PTE_PS | (pat ? PTE_PAT_LARGE : 0);
    *bits = b;
    return PW_OK;
}

/* The bits leaf_bits decides; protect keeps the others (address, OS bits). */
static uint64_t leaf_bits_mask(pw_page_size s)
{
    uint64_t m = LEAF_FLAGS_LONG & ~PW_OS_PAT;
    return m | (s == PW_SIZE_4K ? PTE_PAT : PTE_PS | PTE_PAT_LARGE);
}

/* R2.2: a 4 MiB PDE holds PA[31:22] in place and PA[39:32] in bits 20:13. */
static uint64_t leaf_frame(const pw_os *os, pw_page_size s, uint64_t pa)
{
    if (os->mode == PW_MODE_32 && s == PW_SIZE_4M)
        return (pa & PW_BITS(PA32_BITS - 1, SHIFT_4M)) | ((pa >> PA32_BITS) << PDE32_PSE36_SHIFT);
    return pa;
}

/* ---- Tables ---- */

pw_status pw_os_path_walk(const pw_os *os, uint64_t la, unsigned stop, os_path *p)
{
    uint64_t table = os->root;
    for (unsigned l = os_top_level(os->mode);; l--) {
        p->table[l] = table;
        p->entry_pa[l] = os_entry_addr(os->mode, table, l, la);
        pw_status st = os_ent_read(os, p->entry_pa[l], &p->entry[l]);
        if (st != PW_OK)
            return st;
        p->level = l;
        if (l == stop || !(p->entry[l] & PTE_P) || os_is_leaf(os->mode, l, p->entry[l]))
            return PW_OK;
        table = os_table_of(os, p->entry[l]);
    }
}

bool pw_os_pool_owns(const pw_os_pool *pool, uint64_t pa)
{
    return pa >= pool->base && pa - pool->base < pool->next;
}

pw_status pw_os_table_scan(const pw_os *os, uint64_t table, bool *nonzero, bool *present)
{
    uint8_t buf[PW_PAGE_SIZE];
    pw_status st = pw_image_read(os->img, table, buf, sizeof buf);
    if (st != PW_OK)
        return st;
    *nonzero = *present = false;
    unsigned step = os_entry_bytes(os->mode);
    for (unsigned i = 0; i < sizeof buf; i++) {
        *nonzero |= buf[i] != 0;
        *present |= (i % step == 0) && (buf[i] & PTE_P); /* P is bit 0 of the first byte */
    }
    return PW_OK;
}

/* The root stays, and so do tables the pool did not give out. */
pw_status pw_os_prune(pw_os *os, const os_path *p, unsigned level)
{
    for (unsigned l = level; l < os_top_level(os->mode); l++) {
        bool nonzero, present;
        if (!pw_os_pool_owns(&os->pool, p->table[l]))
            return PW_OK;
        pw_status st = pw_os_table_scan(os, p->table[l], &nonzero, &present);
        if (st != PW_OK || nonzero)
            return st;
        st = os_ent_write(os, p->entry_pa[l + 1], 0);
        if (st != PW_OK)
            return st;
        pw_os_pool_free(&os->pool, l, p->table[l]);
    }
    return PW_OK;
}

/* Give back the tables pw_os_path_make made (entries written at the levels in
 * `written`, from `low` up to `top`) and restore those entries, bottom up. */
static void path_undo(pw_os *os, const os_path *p, unsigned low, unsigned top, unsigned written)
{
    for (unsigned l = low; l <= top; l++) {
        if (!(written & PW_BIT(l)))
            continue;
        os_ent_write(os, p->entry_pa[l], p->entry[l]); /* it was written: it exists */
        pw_os_pool_free(&os->pool, l - 1, p->table[l - 1]);
    }
}

pw_status pw_os_path_make(pw_os *os, uint64_t la, unsigned leaf, uint64_t *table,
                          unsigned *written)
{
    os_path p;
    uint64_t t = os->root;
    unsigned top = os_top_level(os->mode);
    *written = 0;
    for (unsigned l = top; l > leaf; l--) {
        p.table[l] = t;
        p.entry_pa[l] = os_entry_addr(os->mode, t, l, la);
        pw_status st = os_ent_read(os, p.entry_pa[l], &p.entry[l]);
        uint64_t e = p.entry[l];
        if (st == PW_OK && (e & PTE_P) && os_is_leaf(os->mode, l, e))
            st = PW_ERR_EXISTS; /* a larger page covers la */
        if (st == PW_OK && !(e & PTE_P)) {
            /* R7.1 (a): the walk stops at this not-present entry; a new table
             * below it carries on whatever reservation the entry held. */
            uint64_t base = la & ~(PW_BIT(os_level_shift(os->mode, l)) - 1);
            st = pw_os_pool_alloc(&os->pool, l - 1, &t);
            if (st == PW_OK) {
                p.table[l - 1] = t;
                st = pw_os_inherit(os, l - 1, t, base, e);
                if (st == PW_OK)
                    st = os_ent_write(os, p.entry_pa[l], table_entry(os, l, t));
                if (st == PW_OK)
                    *written |= PW_BIT(l);
                else
                    pw_os_pool_free(&os->pool, l - 1, t);
            }
        } else if (st == PW_OK) {
            t = os_table_of(os, e);
        }
        if (st != PW_OK) {
            path_undo(os, &p, l + 1, top, *written); /* give back the tables made here */
            *written = 0;
            return st;
        }
    }
    *table = t;
    return PW_OK;
}

/* A large page may replace a table that maps nothing (e.g. only OS bits in
 * not-present entries); one with a present entry means the range is mapped. */
static pw_status replace_table(pw_os *os, unsigned level, uint64_t e)
{
    uint64_t table = os_table_of(os, e);
    bool nonzero, present;
    pw_status st = pw_os_table_scan(os, table, &nonzero, &present);
    if (st != PW_OK)
        return st;
    if (present)
        return PW_ERR_EXISTS;
    if (pw_os_pool_owns(&os->pool, table))
        pw_os_pool_free(&os->pool, level - 1, table);
    return PW_OK;
}

/* ---- API ---- */

pw_status pw_os_new(pw_image *img, const pw_config *cfg, pw_mode mode, uint64_t pool_base,
                    uint64_t pool_size, const pw_os_opts *opts, pw_os **out)
{
    if (!out)
        return PW_ERR_ARG;
    *out = NULL;
    if (!img || !cfg || mode < PW_MODE_32 || mode > PW_MODE_5LVL)
        return PW_ERR_ARG;
    if (pw_config_check(cfg, NULL) != PW_OK)
        return PW_ERR_CONFIG;
    if ((mode == PW_MODE_5LVL && !cfg->has_la57) ||
        ((mode == PW_MODE_4LVL || mode == PW_MODE_5LVL) && !cfg->has_long))
        return PW_ERR_ARG;
    uint64_t tf = opts ? opts->table_flags : TABLE_FLAGS_DEFAULT;
    if (tf & ~table_flags_legal(mode))
        return PW_ERR_ARG;
    if (!pool_size || ((pool_base | pool_size) & (PW_PAGE_SIZE - 1)))
        return PW_ERR_ARG;
    uint64_t mem = pw_image_size(img);
    if (pool_size > mem || pool_base > mem - pool_size)
        return PW_ERR_RANGE;
    /* Every table must be reachable from its parent entry (PA[31:12] in 32-bit
     * paging, R2.2; PA[M-1:12] otherwise) and the root from CR3: a PAE CR3
     * holds only PA[31:5] (R3.2), and the PDPT is the pool's first page. */
    unsigned bits = mode == PW_MODE_32 ? PA32_BITS : cfg->maxphyaddr;
    if (pool_base + pool_size > PW_BIT(bits))
        return PW_ERR_RANGE;
    if (mode == PW_MODE_PAE && pool_base >= PW_BIT(PA32_BITS))
        return PW_ERR_RANGE;

    pw_os *os = calloc(1, sizeof *os);
    if (!os)
        return PW_ERR_NOMEM;
    os->img = img;
    os->cfg = *cfg;
    os->mode = mode;
    os->table_flags = tf;
    pw_os_pool_init(&os->pool, img, pool_base, pool_size);
    pw_status st = pw_os_pool_alloc(&os->pool, os_top_level(mode), &os->root);
    if (st != PW_OK) {
        free(os);
        return st;
    }
    *out = os;
    return PW_OK;
}

void pw_os_free(pw_os *os)
{
    if (!os)
        return;
    pw_os_pagers_free(os);
    pw_os_ranges_free(os);
    free(os);
}

pw_mode pw_os_mode(const pw_os *os)
{
    return os ? os->mode : PW_MODE_NONE;
}

uint64_t pw_os_cr3(const pw_os *os)
{
    return os ? os->root : 0;
}

void pw_os_set_table_flags(pw_os *os, uint64_t table_flags)
{
    if (os)
        os->table_flags = table_flags & table_flags_legal(os->mode);
}

/* The checks map, unmap and protect share: a page size of the mode, an LA in
 * the mode's address space, aligned to the page. */
static pw_status check_page(const pw_os *os, uint64_t la, pw_page_size s, unsigned *leaf)
{
    if (!os)
        return PW_ERR_ARG;
    *leaf = leaf_level(os, s);
    if (!*leaf)
        return PW_ERR_ARG;
    if (!os_la_fits(os->mode, la))
        return PW_ERR_RANGE;
    return (la & (page_bytes(s) - 1)) ? PW_ERR_ARG : PW_OK;
}

pw_status pw_os_map(pw_os *os, uint64_t la, uint64_t pa, pw_page_size size, uint64_t flags)
{
    unsigned leaf;
    uint64_t bits;
    pw_status st = check_page(os, la, size, &leaf);
    if (st != PW_OK)
        return st;
    if (pa & (page_bytes(size) - 1))
        return PW_ERR_ARG;
    if (pa >> pa_bits(os, size))
        return PW_ERR_RANGE;
    st = leaf_bits(os, size, flags, &bits);
    if (st != PW_OK)
        return st;

    uint64_t table;
    unsigned written;
    st = pw_os_path_make(os, la, leaf, &table, &written);
    if (st != PW_OK)
        return st;
    uint64_t epa = os_entry_addr(os->mode, table, leaf, la);
    uint64_t e;
    st = os_ent_read(os, epa, &e);
    if (st == PW_OK && (e & PTE_P))
        st = os_is_leaf(os->mode, leaf, e) ? PW_ERR_EXISTS : replace_table(os, leaf, e);
    if (st == PW_OK)
        st = os_ent_write(os, epa, leaf_frame(os, size, pa) | bits);
    if (st == PW_OK)
        os->leaves[size]++;
    return st;
}

/* The present leaf of this size on la's path, or PW_ERR_RANGE. */
static pw_status find_leaf(const pw_os *os, uint64_t la, pw_page_size size, os_path *p)
{
    unsigned leaf;
    pw_status st = check_page(os, la, size, &leaf);
    if (st == PW_OK)
        st = pw_os_path_walk(os, la, leaf, p);
    if (st != PW_OK)
        return st;
    uint64_t e = p->entry[p->level];
    return p->level == leaf && (e & PTE_P) && os_is_leaf(os->mode, leaf, e) ? PW_OK : PW_ERR_RANGE;
}

pw_status pw_os_unmap(pw_os *os, uint64_t la, pw_page_size size)
{
    os_path p;
    pw_status st = find_leaf(os, la, size, &p);
    if (st == PW_OK)
        st = os_ent_write(os, p.entry_pa[p.level], 0);
    if (st != PW_OK)
        return st;
    if (os->leaves[size])
        os->leaves[size]--;
    return pw_os_prune(os, &p, p.level);
}

pw_status pw_os_protect(pw_os *os, uint64_t la, pw_page_size size, uint64_t flags)
{
    os_path p;
    uint64_t bits;
    pw_status st = find_leaf(os, la, size, &p);
    if (st == PW_OK)
        st = leaf_bits(os, size, flags, &bits);
    if (st != PW_OK)
        return st;
    uint64_t e = (p.entry[p.level] & ~leaf_bits_mask(size)) | bits;
    return os_ent_write(os, p.entry_pa[p.level], e);
}

pw_status pw_os_entry_pa(const pw_os *os, uint64_t la, unsigned level, uint64_t *pa)
{
    if (!os || !pa || level < PW_LVL_PT || level > os_top_level(os->mode))
        return PW_ERR_ARG;
    if (!os_la_fits(os->mode, la))
        return PW_ERR_RANGE;
    os_path p;
    pw_status st = pw_os_path_walk(os, la, level, &p);
    if (st != PW_OK)
        return st;
    if (p.level != level)
        return PW_ERR_RANGE;
    *pa = p.entry_pa[level];
    return PW_OK;
}

void pw_os_stats_get(const pw_os *os, pw_os_stats *st)
{
    if (!st)
        return;
    memset(st, 0, sizeof *st);
    if (!os)
        return;
    for (unsigned l = PW_LVL_PT; l <= PW_LVL_PML5; l++) {
        st->tables[l] = os->pool.tables[l];
        st->total_tables += os->pool.tables[l];
    }
    st->table_bytes = st->total_tables * PW_PAGE_SIZE;
    memcpy(st->leaves, os->leaves, sizeof st->leaves);
    st->listed_ranges = os->n_ranges;
}
