/* Private to the page-table builder (os.c, os_pool.c, os_reserve.c,
 * os_demand.c): the layout of pw_os, the pool of 4 KiB pages that page tables
 * (and demand-filled data pages) are allocated from, and the entry geometry
 * the files share.
 *
 * The builder reads the entry formats of x86-paging.md §2 and §4 on its own
 * rather than through the walker's geometry (walk.h), so that tables built
 * here cross-check the walker instead of sharing its mistakes. */
#ifndef PW_OS_PRIV_H
#define PW_OS_PRIV_H

#include <stdbool.h>

#include "pagewalk/bits.h"
#include "pagewalk/image.h"
#include "pagewalk/os.h"

/* ---- The pool (os_pool.c) ---- */

/* Pages are handed out from a bump pointer; freed pages go on a free list
 * that is threaded through the free pages themselves (the way an OS keeps its
 * free page list): each holds the PA of the next one in its first 8 bytes.
 * A page-aligned PA has bit 0 (P) clear, so a stale walk through a freed table
 * finds not-present entries. */
typedef struct {
    pw_image *img;
    uint64_t base, size;
    uint64_t next;                        /* offset of the first never-used page */
    uint64_t free_head;                   /* PA of the first free page (if free_count) */
    uint64_t free_count;
    uint64_t tables[PW_MAX_LEVEL + 1];    /* pages in use, by level of the table */
} pw_os_pool;

/* A data pool (os_demand.c) counts its pages as "level" 0. */
#define PW_OS_POOL_DATA 0u

void pw_os_pool_init(pw_os_pool *pool, pw_image *img, uint64_t base, uint64_t size);
/* A zeroed page for a table at `level`; PW_ERR_RANGE when the pool is exhausted. */
pw_status pw_os_pool_alloc(pw_os_pool *pool, unsigned level, uint64_t *pa);
void pw_os_pool_free(pw_os_pool *pool, unsigned level, uint64_t pa);

/* ---- The address space ---- */

/* A reserved range no page table holds yet (os_reserve.c): where the range is
 * only partly covered by an entry whose table does not exist, the os keeps it
 * in host memory, the way an OS keeps a VMA list. */
typedef struct {
    uint64_t first, last; /* inclusive, so a range may end at the top of the LA space */
    unsigned tag;
} pw_os_range;

struct pw_os {
    pw_image *img;
    pw_config cfg;
    pw_mode mode;
    uint64_t table_flags;
    uint64_t root;
    pw_os_pool pool;
    uint64_t leaves[PW_SIZE_1G + 1];
    pw_os_range *ranges;          /* sorted by first, disjoint */
    size_t n_ranges, cap_ranges;
    pw_os_demand *pagers;         /* os_demand.c: the demand pagers, a list */
};

/* The entries on la's path, from the root down to `level`. */
typedef struct {
    uint64_t table[PW_MAX_LEVEL + 1];    /* table holding the entry at each level */
    uint64_t entry_pa[PW_MAX_LEVEL + 1];
    uint64_t entry[PW_MAX_LEVEL + 1];
    unsigned level;                      /* lowest level read */
} os_path;

/* ---- Geometry (R2.1-R2.5) ---- */

#define LA32_BITS      32  /* R2.1: the LA is 32 bits in 32-bit and PAE paging */
#define LA4_BITS       48  /* R2.1: canonical 48-bit (4-level) */
#define LA5_BITS       57  /* R2.1: canonical 57-bit (5-level) */
#define PA32_BITS      32  /* R2.2: 32-bit entries and CR3 hold PA[31:12] */
#define PAE_PDPTES     4   /* R2.3: PDPTE index = LA[31:30] */

static inline unsigned os_top_level(pw_mode m)
{
    switch (m) {
    case PW_MODE_32: return PW_LVL_PD;
    case PW_MODE_PAE: return PW_LVL_PDPT;
    case PW_MODE_4LVL: return PW_LVL_PML4;
    default: return PW_LVL_PML5;
    }
}

static inline bool os_long_mode(pw_mode m)
{
    return m == PW_MODE_4LVL || m == PW_MODE_5LVL;
}

static inline unsigned os_entry_bytes(pw_mode m)
{
    return m == PW_MODE_32 ? sizeof(uint32_t) : sizeof(uint64_t);
}

static inline unsigned os_index_bits(pw_mode m)
{
    return m == PW_MODE_32 ? PW_LEVEL_BITS_32 : PW_LEVEL_BITS;
}

/* Entries in a table at `level`: the PAE PDPT has 4 (R2.3). */
static inline uint64_t os_table_entries(pw_mode m, unsigned level)
{
    return (m == PW_MODE_PAE && level == PW_LVL_PDPT) ? PAE_PDPTES : PW_BIT(os_index_bits(m));
}

/* R2.2: LA[31:22], LA[21:12]; R2.3-R2.5: 9 bits per level above LA[11:0].
 * One entry at `level` maps 2^shift bytes. */
static inline unsigned os_level_shift(pw_mode m, unsigned level)
{
    return PW_PAGE_SHIFT + os_index_bits(m) * (level - 1);
}

static inline uint64_t os_entry_addr(pw_mode m, uint64_t table, unsigned level, uint64_t la)
{
    uint64_t idx = (la >> os_level_shift(m, level)) & (os_table_entries(m, level) - 1);
    return table + idx * os_entry_bytes(m);
}

/* R2.1: 32 bits in 32-bit/PAE paging; canonical (sign-extended) otherwise. */
static inline bool os_la_fits(pw_mode m, uint64_t la)
{
    if (!os_long_mode(m))
        return (la >> LA32_BITS) == 0;
    unsigned bits = m == PW_MODE_4LVL ? LA4_BITS : LA5_BITS;
    uint64_t top = la >> (bits - 1); /* bits 63:bits-1 all equal */
    return top == 0 || top == (UINT64_MAX >> (bits - 1));
}

/* R7.4: level 1 is always a leaf; PS=1 makes a leaf at level 2, and at level 3
 * in 4/5-level paging. (Whether CR4.PSE honours it is decided at walk time.) */
static inline bool os_is_leaf(pw_mode m, unsigned level, uint64_t e)
{
    unsigned max_large = os_long_mode(m) ? PW_LVL_PDPT : PW_LVL_PD;
    return level == PW_LVL_PT || (level <= max_large && (e & PTE_PS));
}

/* R2.2-R2.4: the next table's address in a non-leaf entry (also the frame of a
 * 4 KiB leaf). */
static inline uint64_t os_table_of(const pw_os *os, uint64_t e)
{
    unsigned bits = os->mode == PW_MODE_32 ? PA32_BITS : os->cfg.maxphyaddr;
    return e & PW_BITS(bits - 1, PW_PAGE_SHIFT);
}

static inline pw_status os_ent_read(const pw_os *os, uint64_t pa, uint64_t *e)
{
    if (os->mode != PW_MODE_32)
        return pw_image_read64(os->img, pa, e);
    uint32_t v = 0;
    pw_status st = pw_image_read32(os->img, pa, &v);
    *e = v;
    return st;
}

static inline pw_status os_ent_write(pw_os *os, uint64_t pa, uint64_t e)
{
    if (os->mode == PW_MODE_32)
        return pw_image_write32(os->img, pa, (uint32_t)e);
    return pw_image_write64(os->img, pa, e);
}

/* ---- os.c ---- */

/* Follow la's path from the root down to `stop`, or to the first entry that
 * is not present or is a leaf. */
pw_status pw_os_path_walk(const pw_os *os, uint64_t la, unsigned stop, os_path *p);
/* Make la's path reach down to the table at `leaf` (a table for every level
 * above it), allocating the tables that are missing. A new table below a
 * not-present entry that carries a reservation inherits it (os_reserve.c).
 * On failure the tables made here are given back and the entries restored.
 * *table = the table at `leaf`; *written = bit l set for each level l whose
 * entry was written (PAE: bit 3 means the PDPTE registers must be reloaded). */
pw_status pw_os_path_make(pw_os *os, uint64_t la, unsigned leaf, uint64_t *table,
                          unsigned *written);
/* After the entry at `level` on path p was cleared: a table left with every
 * entry zero goes back to the pool and its parent entry is cleared, bottom up. */
pw_status pw_os_prune(pw_os *os, const os_path *p, unsigned level);
/* Whether a table has any non-zero entry, and any present one. */
pw_status pw_os_table_scan(const pw_os *os, uint64_t table, bool *nonzero, bool *present);
/* Whether the pool handed out the page at pa (the root and tables it made). */
bool pw_os_pool_owns(const pw_os_pool *pool, uint64_t pa);

/* ---- os_reserve.c ---- */

/* Fill the new table `table` (at `level`, covering the region that starts at
 * `base`) with the reservation its parent entry `parent` carried, or with the
 * reservations the os's list holds for whole entries of it. */
pw_status pw_os_inherit(pw_os *os, unsigned level, uint64_t table, uint64_t base, uint64_t parent);
void pw_os_ranges_free(pw_os *os);

/* ---- os_demand.c ---- */

void pw_os_pagers_free(pw_os *os);

#endif
