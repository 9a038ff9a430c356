/* The page-table builder (SPEC "os"): map, unmap and protect pages of every
 * size in every paging mode, in tables taken from the caller's pool.
 *
 * It reads the entry formats of x86-paging.md §2 and §4 on its own rather
 * than through the walker's geometry (walk.h), so that tables built here
 * cross-check the walker instead of sharing its mistakes. */
#include <stdlib.h>
#include <string.h>

#include "os_priv.h"
#include "pagewalk/os.h"

#define LA32_BITS      32  /* R2.1: the LA is 32 bits in 32-bit and PAE paging */
#define LA4_BITS       48  /* R2.1: canonical 48-bit (4-level) */
#define LA5_BITS       57  /* R2.1: canonical 57-bit (5-level) */
#define PA32_BITS      32  /* R2.2: 32-bit entries and CR3 hold PA[31:12] */
#define PSE36_MAX_BITS 40  /* R2.2: a PSE-36 page reaches M' = min(M, 40) bits */
#define PAE_PDPTES     4   /* R2.3: PDPTE index = LA[31:30] */
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

struct pw_os {
    pw_image *img;
    pw_config cfg;
    pw_mode mode;
    uint64_t table_flags;
    uint64_t root;
    pw_os_pool pool;
    uint64_t leaves[PW_SIZE_1G + 1];
};

/* The entries on la's path, from the root down to `level`. */
typedef struct {
    uint64_t table[PW_MAX_LEVEL + 1];    /* table holding the entry at each level */
    uint64_t entry_pa[PW_MAX_LEVEL + 1];
    uint64_t entry[PW_MAX_LEVEL + 1];
    unsigned level;                      /* lowest level read */
} os_path;

/* ---- Geometry (R2.2-R2.5) ---- */

static unsigned top_level(pw_mode m)
{
    switch (m) {
    case PW_MODE_32: return PW_LVL_PD;
    case PW_MODE_PAE: return PW_LVL_PDPT;
    case PW_MODE_4LVL: return PW_LVL_PML4;
    default: return PW_LVL_PML5;
    }
}

static bool long_mode(pw_mode m)
{
    return m == PW_MODE_4LVL || m == PW_MODE_5LVL;
}

static unsigned entry_bytes(pw_mode m)
{
    return m == PW_MODE_32 ? sizeof(uint32_t) : sizeof(uint64_t);
}

static unsigned index_bits(pw_mode m)
{
    return m == PW_MODE_32 ? PW_LEVEL_BITS_32 : PW_LEVEL_BITS;
}

/* R2.2: LA[31:22], LA[21:12]; R2.3-R2.5: 9 bits per level above LA[11:0]. */
static unsigned level_shift(pw_mode m, unsigned level)
{
    return PW_PAGE_SHIFT + index_bits(m) * (level - 1);
}

static uint64_t entry_addr_at(pw_mode m, uint64_t table, unsigned level, uint64_t la)
{
    uint64_t n = (m == PW_MODE_PAE && level == PW_LVL_PDPT) ? PAE_PDPTES : PW_BIT(index_bits(m));
    uint64_t idx = (la >> level_shift(m, level)) & (n - 1);
    return table + idx * entry_bytes(m);
}

/* R2.1: 32 bits in 32-bit/PAE paging; canonical (sign-extended) otherwise. */
static bool la_fits(pw_mode m, uint64_t la)
{
    if (!long_mode(m))
        return (la >> LA32_BITS) == 0;
    unsigned bits = m == PW_MODE_4LVL ? LA4_BITS : LA5_BITS;
    uint64_t top = la >> (bits - 1); /* bits 63:bits-1 all equal */
    return top == 0 || top == (UINT64_MAX >> (bits - 1));
}

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
    case PW_SIZE_1G: return long_mode(os->mode) && os->cfg.has_1g ? PW_LVL_PDPT : 0;
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

/* R7.4: level 1 is always a leaf; PS=1 makes a leaf at level 2, and at level 3
 * in 4/5-level paging. (Whether CR4.PSE honours it is decided at walk time.) */
static bool is_leaf(const pw_os *os, unsigned level, uint64_t e)
{
    unsigned max_large = long_mode(os->mode) ? PW_LVL_PDPT : PW_LVL_PD;
    return level == PW_LVL_PT || (level <= max_large && (e & PTE_PS));
}

/* R2.2-R2.4: the next table's address in a non-leaf entry. */
static uint64_t table_of(const pw_os *os, uint64_t e)
{
    unsigned bits = os->mode == PW_MODE_32 ? PA32_BITS : os->cfg.maxphyaddr;
    return e & PW_BITS(bits - 1, PW_PAGE_SHIFT);
}

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

static pw_status ent_read(const pw_os *os, uint64_t pa, uint64_t *e)
{
    if (os->mode != PW_MODE_32)
        return pw_image_read64(os->img, pa, e);
    uint32_t v = 0;
    pw_status st = pw_image_read32(os->img, pa, &v);
    *e = v;
    return st;
}

static pw_status ent_write(pw_os *os, uint64_t pa, uint64_t e)
{
    if (os->mode == PW_MODE_32)
        return pw_image_write32(os->img, pa, (uint32_t)e);
    return pw_image_write64(os->img, pa, e);
}

/* ---- Tables ---- */

/* Follow la's path from the root down to `stop`, or to the first entry that
 * is not present or is a leaf. */
static pw_status path_walk(const pw_os *os, uint64_t la, unsigned stop, os_path *p)
{
    uint64_t table = os->root;
    for (unsigned l = top_level(os->mode);; l--) {
        p->table[l] = table;
        p->entry_pa[l] = entry_addr_at(os->mode, table, l, la);
        pw_status st = ent_read(os, p->entry_pa[l], &p->entry[l]);
        if (st != PW_OK)
            return st;
        p->level = l;
        if (l == stop || !(p->entry[l] & PTE_P) || is_leaf(os, l, p->entry[l]))
            return PW_OK;
        table = table_of(os, p->entry[l]);
    }
}

static bool pool_owns(const pw_os_pool *pool, uint64_t pa)
{
    return pa >= pool->base && pa - pool->base < pool->next;
}

/* Whether a table has any non-zero entry, and any present one. */
static pw_status table_scan(const pw_os *os, uint64_t table, bool *nonzero, bool *present)
{
    uint8_t buf[PW_PAGE_SIZE];
    pw_status st = pw_image_read(os->img, table, buf, sizeof buf);
    if (st != PW_OK)
        return st;
    *nonzero = *present = false;
    unsigned step = entry_bytes(os->mode);
    for (unsigned i = 0; i < sizeof buf; i++) {
        *nonzero |= buf[i] != 0;
        *present |= (i % step == 0) && (buf[i] & PTE_P); /* P is bit 0 of the first byte */
    }
    return PW_OK;
}

/* After the entry at `level` on path p was cleared: a table left with every
 * entry zero goes back to the pool and its parent entry is cleared, bottom
 * up. The root stays, and so do tables the pool did not give out. */
static pw_status prune(pw_os *os, const os_path *p, unsigned level)
{
    for (unsigned l = level; l < top_level(os->mode); l++) {
        bool nonzero, present;
        if (!pool_owns(&os->pool, p->table[l]))
            return PW_OK;
        pw_status st = table_scan(os, p->table[l], &nonzero, &present);
        if (st != PW_OK || nonzero)
            return st;
        st = ent_write(os, p->entry_pa[l + 1], 0);
        if (st != PW_OK)
            return st;
        pw_os_pool_free(&os->pool, l, p->table[l]);
    }
    return PW_OK;
}

/* A large page may replace a table that maps nothing (e.g. only OS bits in
 * not-present entries); one with a present entry means the range is mapped. */
static pw_status replace_table(pw_os *os, unsigned level, uint64_t e)
{
    uint64_t table = table_of(os, e);
    bool nonzero, present;
    pw_status st = table_scan(os, table, &nonzero, &present);
    if (st != PW_OK)
        return st;
    if (present)
        return PW_ERR_EXISTS;
    if (pool_owns(&os->pool, table))
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
    if (mode == PW_MODE_5LVL && !cfg->has_la57)
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
    pw_status st = pw_os_pool_alloc(&os->pool, top_level(mode), &os->root);
    if (st != PW_OK) {
        free(os);
        return st;
    }
    *out = os;
    return PW_OK;
}

void pw_os_free(pw_os *os)
{
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
    if (!la_fits(os->mode, la))
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

    os_path p;
    uint64_t table = os->root;
    for (unsigned l = top_level(os->mode); l > leaf; l--) {
        p.table[l] = table;
        p.entry_pa[l] = entry_addr_at(os->mode, table, l, la);
        uint64_t e;
        st = ent_read(os, p.entry_pa[l], &e);
        if (st != PW_OK)
            return st;
        if (!(e & PTE_P)) {
            uint64_t t;
            st = pw_os_pool_alloc(&os->pool, l - 1, &t);
            if (st == PW_OK) {
                e = table_entry(os, l, t);
                st = ent_write(os, p.entry_pa[l], e);
            }
            if (st != PW_OK) {
                prune(os, &p, l); /* give back the tables made for this map */
                return st;
            }
        } else if (is_leaf(os, l, e)) {
            return PW_ERR_EXISTS; /* a larger page covers la */
        }
        table = table_of(os, e);
    }
    uint64_t epa = entry_addr_at(os->mode, table, leaf, la);
    uint64_t e;
    st = ent_read(os, epa, &e);
    if (st == PW_OK && (e & PTE_P))
        st = is_leaf(os, leaf, e) ? PW_ERR_EXISTS : replace_table(os, leaf, e);
    if (st == PW_OK)
        st = ent_write(os, epa, leaf_frame(os, size, pa) | bits);
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
        st = path_walk(os, la, leaf, p);
    if (st != PW_OK)
        return st;
    uint64_t e = p->entry[p->level];
    return p->level == leaf && (e & PTE_P) && is_leaf(os, leaf, e) ? PW_OK : PW_ERR_RANGE;
}

pw_status pw_os_unmap(pw_os *os, uint64_t la, pw_page_size size)
{
    os_path p;
    pw_status st = find_leaf(os, la, size, &p);
    if (st == PW_OK)
        st = ent_write(os, p.entry_pa[p.level], 0);
    if (st != PW_OK)
        return st;
    if (os->leaves[size])
        os->leaves[size]--;
    return prune(os, &p, p.level);
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
    return ent_write(os, p.entry_pa[p.level], e);
}

pw_status pw_os_entry_pa(const pw_os *os, uint64_t la, unsigned level, uint64_t *pa)
{
    if (!os || !pa || level < PW_LVL_PT || level > top_level(os->mode))
        return PW_ERR_ARG;
    if (!la_fits(os->mode, la))
        return PW_ERR_RANGE;
    os_path p;
    pw_status st = path_walk(os, la, level, &p);
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
}
