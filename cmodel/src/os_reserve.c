/* Reservations (SPEC "os": reserve, commit on demand): address space set
 * aside without page tables. SPEC: "a reserved 100 GiB region costs no page
 * tables at all: it is "not present" at the highest level that covers it".
 *
 * A reservation lives in the OS bits of not-present entries (x86-paging.md
 * §4: "When P=0, every other bit of the entry is ignored, at every level"),
 * in tables that exist, at the highest level whose entry the range covers
 * whole; the parts that no existing table can hold whole go to the os's list
 * in host memory. The encoding is documented in os.h. */
#include <stdlib.h>
#include <string.h>

#include "os_priv.h"

#define NP_USED   PW_BITS(31, 0)       /* bits the encoding may set; 63:32 stay 0 */
#define PAGE_MASK (PW_PAGE_SIZE - 1)
/* A release splits at most one listed range and one entry at each edge of
 * each level: room for that many new list records is made before it starts. */
#define RELEASE_SPLITS (2 * PW_MAX_LEVEL + 1)

/* ---- Encoding (os.h) ---- */

uint64_t pw_os_np_encode(pw_os_np_state state, unsigned tag, unsigned owner)
{
    if (state > PW_OS_NP_FILLING || tag > PW_OS_TAG_MAX || owner > PW_OS_OWNER_MAX)
        return 0;
    if (state == PW_OS_NP_RESERVED && owner)
        return 0;
    return PW_OS_NP_MARK | (uint64_t)state << PW_OS_NP_STATE_SHIFT |
           (uint64_t)tag << PW_OS_NP_TAG_SHIFT | (uint64_t)owner << PW_OS_NP_OWNER_SHIFT;
}

bool pw_os_np_decode(uint64_t entry, pw_os_np *out)
{
    /* R7.1 (a): only a P=0 entry ends the walk with its other bits unread. */
    if ((entry & PTE_P) || !(entry & PW_OS_NP_MARK) || (entry & ~NP_USED))
        return false;
    unsigned state = (unsigned)((entry & PW_OS_NP_STATE) >> PW_OS_NP_STATE_SHIFT);
    unsigned owner = (unsigned)((entry & PW_OS_NP_OWNER) >> PW_OS_NP_OWNER_SHIFT);
    if (state > PW_OS_NP_FILLING || (state == PW_OS_NP_RESERVED && owner))
        return false;
    if (out) {
        out->state = (pw_os_np_state)state;
        out->tag = (unsigned)((entry & PW_OS_NP_TAG) >> PW_OS_NP_TAG_SHIFT);
        out->owner = owner;
        out->level = 0;
    }
    return true;
}

static uint64_t reserved_entry(unsigned tag)
{
    return pw_os_np_encode(PW_OS_NP_RESERVED, tag, 0);
}

/* ---- The os's list: sorted by first, disjoint ---- */

/* Index of the first range that ends at or after `la`. */
static size_t range_lower(const pw_os *os, uint64_t la)
{
    size_t lo = 0, hi = os->n_ranges;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (os->ranges[mid].last < la)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool range_overlaps(const pw_os *os, uint64_t first, uint64_t last)
{
    size_t i = range_lower(os, first);
    return i < os->n_ranges && os->ranges[i].first <= last;
}

/* The range that holds all of [first, last], or NULL. */
static const pw_os_range *range_covering(const pw_os *os, uint64_t first, uint64_t last)
{
    size_t i = range_lower(os, first);
    if (i < os->n_ranges && os->ranges[i].first <= first && os->ranges[i].last >= last)
        return &os->ranges[i];
    return NULL;
}

static pw_status range_room(pw_os *os, size_t extra)
{
    if (os->n_ranges + extra <= os->cap_ranges)
        return PW_OK;
    size_t cap = os->cap_ranges ? os->cap_ranges : 4;
    while (cap < os->n_ranges + extra)
        cap *= 2;
    pw_os_range *r = realloc(os->ranges, cap * sizeof *r);
    if (!r)
        return PW_ERR_NOMEM;
    os->ranges = r;
    os->cap_ranges = cap;
    return PW_OK;
}

/* Insert a range that overlaps none; range_room made space for it. */
static void range_insert(pw_os *os, uint64_t first, uint64_t last, unsigned tag)
{
    size_t i = range_lower(os, first);
    memmove(&os->ranges[i + 1], &os->ranges[i], (os->n_ranges - i) * sizeof os->ranges[0]);
    os->ranges[i] = (pw_os_range){.first = first, .last = last, .tag = tag};
    os->n_ranges++;
}

/* Take [first, last] out of the list: ranges inside it go, ranges that stick
 * out are trimmed, one that holds it whole is split (range_room made space). */
static void range_remove(pw_os *os, uint64_t first, uint64_t last)
{
    size_t i = range_lower(os, first);
    while (i < os->n_ranges && os->ranges[i].first <= last) {
        pw_os_range *r = &os->ranges[i];
        if (r->first < first && r->last > last) {
            uint64_t tail_last = r->last;
            r->last = first - 1;
            range_insert(os, last + 1, tail_last, r->tag);
            return;
        }
        if (r->first < first) {
            r->last = first - 1;
            i++;
        } else if (r->last > last) {
            r->first = last + 1;
            return;
        } else {
            memmove(r, r + 1, (os->n_ranges - i - 1) * sizeof *r);
            os->n_ranges--;
        }
    }
}

void pw_os_ranges_free(pw_os *os)
{
    free(os->ranges);
    os->ranges = NULL;
    os->n_ranges = os->cap_ranges = 0;
}

/* ---- Checks shared by reserve and release ---- */

/* 4 KiB aligned, non-empty, inside the mode's LA space, in one canonical half
 * (R2.1); *last = the range's last byte. */
static pw_status check_range(const pw_os *os, uint64_t la, uint64_t size, uint64_t *last)
{
    if (!os || !size || ((la | size) & PAGE_MASK))
        return PW_ERR_ARG;
    *last = la + size - 1;
    if (*last < la || !os_la_fits(os->mode, la) || !os_la_fits(os->mode, *last) ||
        ((la ^ *last) >> 63))
        return PW_ERR_RANGE;
    return PW_OK;
}

/* The region [*lo, *hi] that the entry at `level` holding la maps. */
static void entry_region(pw_mode m, unsigned level, uint64_t la, uint64_t *lo, uint64_t *hi)
{
    uint64_t span = PW_BIT(os_level_shift(m, level)) - 1;
    *lo = la & ~span;
    *hi = *lo | span;
}

/* ---- Reserve ---- */

typedef struct {
    pw_os *os;
    bool apply;       /* false: check only, and count the list records needed */
    unsigned tag;
    size_t listed;
} reserve_op;

/* [first, last] through the table at `level`: a whole entry gets the OS bits
 * (this is the highest level that covers it: the level above covered more);
 * a part of an entry with no table below goes to the list. */
static pw_status reserve_in(reserve_op *op, unsigned level, uint64_t table, uint64_t first,
                            uint64_t last)
{
    pw_mode m = op->os->mode;
    for (uint64_t la = first;;) {
        uint64_t lo, hi, e;
        entry_region(m, level, la, &lo, &hi);
        uint64_t end = hi < last ? hi : last;
        uint64_t epa = os_entry_addr(m, table, level, la);
        pw_status st = os_ent_read(op->os, epa, &e);
        if (st != PW_OK)
            return st;
        if (e & PTE_P) {
            if (os_is_leaf(m, level, e))
                return PW_ERR_EXISTS; /* part of the range is mapped */
            st = reserve_in(op, level - 1, os_table_of(op->os, e), la, end);
        } else if (e != 0) {
            return PW_ERR_EXISTS; /* reserved already, or OS bits of another use */
        } else if (la == lo && end == hi) {
            if (op->apply)
                st = os_ent_write(op->os, epa, reserved_entry(op->tag));
        } else if (op->apply) {
            range_insert(op->os, la, end, op->tag);
        } else {
            op->listed++;
        }
        if (st != PW_OK || end == last)
            return st;
        la = end + 1;
    }
}

pw_status pw_os_reserve(pw_os *os, uint64_t la, uint64_t size, unsigned tag)
{
    uint64_t last;
    pw_status st = check_range(os, la, size, &last);
    if (st != PW_OK)
        return st;
    if (tag > PW_OS_TAG_MAX)
        return PW_ERR_ARG;
    if (range_overlaps(os, la, last))
        return PW_ERR_EXISTS;
    /* Check everything first, so that a refusal changes nothing. */
    reserve_op op = {.os = os, .apply = false, .tag = tag};
    unsigned top = os_top_level(os->mode);
    st = reserve_in(&op, top, os->root, la, last);
    if (st == PW_OK)
        st = range_room(os, op.listed);
    if (st != PW_OK)
        return st;
    op.apply = true;
    return reserve_in(&op, top, os->root, la, last);
}

/* ---- A new table on a reserved path ---- */

static void put_entry(uint8_t *buf, unsigned i, unsigned esize, uint64_t v)
{
    for (unsigned b = 0; b < esize; b++)
        buf[i * esize + b] = (uint8_t)(v >> (8 * b)); /* little endian */
}

pw_status pw_os_inherit(pw_os *os, unsigned level, uint64_t table, uint64_t base, uint64_t parent)
{
    pw_os_np np = {0};
    bool marked = pw_os_np_decode(parent, &np);
    uint64_t region_last = base | (PW_BIT(os_level_shift(os->mode, level + 1)) - 1);
    if (!marked && (parent != 0 || !range_overlaps(os, base, region_last)))
        return PW_OK; /* nothing reserved below this entry */
    pw_mode m = os->mode;
    unsigned esize = os_entry_bytes(m), shift = os_level_shift(m, level);
    uint8_t buf[PW_PAGE_SIZE] = {0};
    for (unsigned i = 0; i < os_table_entries(m, level); i++) {
        uint64_t lo = base + ((uint64_t)i << shift), hi = lo + (PW_BIT(shift) - 1);
        if (marked) {
            /* The whole region was reserved by the parent entry: every entry
             * of the new table is now the highest that covers its part. */
            put_entry(buf, i, esize, reserved_entry(np.tag));
        } else {
            const pw_os_range *r = range_covering(os, lo, hi);
            if (r)
                put_entry(buf, i, esize, reserved_entry(r->tag));
        }
    }
    return pw_image_write(os->img, table, buf, sizeof buf);
}

/* ---- Queries and commit ---- */

pw_status pw_os_reservation(const pw_os *os, uint64_t la, pw_os_np *info)
{
    if (!os || !info)
        return PW_ERR_ARG;
    if (!os_la_fits(os->mode, la))
        return PW_ERR_RANGE;
    os_path p;
    pw_status st = pw_os_path_walk(os, la, PW_LVL_PT, &p);
    if (st != PW_OK)
        return st;
    uint64_t e = p.entry[p.level];
    if (e & PTE_P)
        return PW_ERR_EXISTS; /* path_walk stops at a present entry only at a leaf */
    if (pw_os_np_decode(e, info)) {
        info->level = p.level;
        return PW_OK;
    }
    const pw_os_range *r = range_covering(os, la & ~PAGE_MASK, la | PAGE_MASK);
    if (!r)
        return PW_ERR_RANGE;
    *info = (pw_os_np){.state = PW_OS_NP_RESERVED, .tag = r->tag, .owner = 0, .level = 0};
    return PW_OK;
}

pw_status pw_os_commit(pw_os *os, uint64_t la, uint64_t pa, uint64_t flags)
{
    pw_os_np np = {0};
    pw_status st = pw_os_reservation(os, la, &np);
    if (st != PW_OK)
        return st;
    if (np.state != PW_OS_NP_RESERVED)
        return PW_ERR_EXISTS; /* a demand pager is filling it */
    return pw_os_map(os, la, pa, PW_SIZE_4K, flags);
}

/* ---- Release ---- */

/* Clear the reservation marks in [first, last] under the table at `level`;
 * free the tables below it that are left all zero. */
static pw_status release_in(pw_os *os, unsigned level, uint64_t table, uint64_t first,
                            uint64_t last)
{
    pw_mode m = os->mode;
    for (uint64_t la = first;;) {
        uint64_t lo, hi, e;
        pw_os_np np = {0};
        entry_region(m, level, la, &lo, &hi);
        uint64_t end = hi < last ? hi : last;
        uint64_t epa = os_entry_addr(m, table, level, la);
        pw_status st = os_ent_read(os, epa, &e);
        if (st != PW_OK)
            return st;
        if ((e & PTE_P) && !os_is_leaf(m, level, e)) {
            uint64_t child = os_table_of(os, e);
            bool nonzero, present;
            st = release_in(os, level - 1, child, la, end);
            if (st == PW_OK)
                st = pw_os_table_scan(os, child, &nonzero, &present);
            if (st == PW_OK && !nonzero && pw_os_pool_owns(&os->pool, child)) {
                st = os_ent_write(os, epa, 0);
                pw_os_pool_free(&os->pool, level - 1, child);
            }
        } else if (pw_os_np_decode(e, &np) && np.state == PW_OS_NP_RESERVED) {
            /* A fill in progress belongs to its pager and stays. Releasing part
             * of an entry's region keeps the rest reserved, in the list (which
             * may hold it already: a table made under a listed range inherits
             * marks for the entries the range covers whole). */
            st = os_ent_write(os, epa, 0);
            if (st == PW_OK && lo < la && !range_covering(os, lo, la - 1))
                range_insert(os, lo, la - 1, np.tag);
            if (st == PW_OK && end < hi && !range_covering(os, end + 1, hi))
                range_insert(os, end + 1, hi, np.tag);
        }
        if (st != PW_OK || end == last)
            return st;
        la = end + 1;
    }
}

pw_status pw_os_release(pw_os *os, uint64_t la, uint64_t size)
{
    uint64_t last;
    pw_status st = check_range(os, la, size, &last);
    if (st == PW_OK)
        st = range_room(os, RELEASE_SPLITS);
    if (st != PW_OK)
        return st;
    range_remove(os, la, last);
    return release_in(os, os_top_level(os->mode), os->root, la, last);
}
