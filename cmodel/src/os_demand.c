/* Demand paging (SPEC "os": "an OS can reserve address space and create
 * memory on demand when the program first touches it"). A pager serves one
 * reserved range: the first touch of a page fills it with generated content
 * and maps it read-only, the first write makes it dirty and writable, close
 * writes the dirty pages back. What each fault means is read from the entry
 * where the walk stops — SPEC: "the 63 other bits of a not-present entry
 * belong to the OS, which needs them to decide what a fault means" — and from
 * the pager's own record of the pages it filled. The protocol is in os.h. */
#include <stdlib.h>
#include <string.h>

#include "os_priv.h"

#define PAGE_MASK  (PW_PAGE_SIZE - 1)
#define FILL_CHUNK (PW_PAGE_SIZE / PW_OS_FILL_CHUNKS)  /* bytes written per fill step */
#define WORD_BYTES sizeof(uint64_t)
/* Leaf flags a pager may be given (os.h): not P, R/W (the pager's), D (it
 * would hide the first write, R9.2) or PAT. */
#define PAGER_FLAGS_32   (PTE_US | PTE_PWT | PTE_PCD | PTE_A | PTE_G)
#define PAGER_FLAGS_PAE  (PAGER_FLAGS_32 | PTE_XD)
#define PAGER_FLAGS_LONG (PAGER_FLAGS_PAE | PTE_PK)
/* Content: splitmix64 of the seed and the address. */
#define MIX_GAMMA UINT64_C(0x9e3779b97f4a7c15)
#define MIX_MUL1  UINT64_C(0xbf58476d1ce4e5b9)
#define MIX_MUL2  UINT64_C(0x94d049bb133111eb)
#define MIX_SHIFT1 30
#define MIX_SHIFT2 27
#define MIX_SHIFT3 31

typedef enum { PAGE_FILLING, PAGE_CLEAN, PAGE_DIRTY } page_state;

/* A page the pager claimed. */
typedef struct {
    uint64_t la;
    uint64_t frame;
    page_state state;
    unsigned owner;   /* PAGE_FILLING: the requester filling it */
    unsigned step;    /* PAGE_FILLING: content chunks written so far */
} demand_page;

struct pw_os_demand {
    pw_os *os;
    pw_os_demand_opts opts;
    uint64_t last;             /* last byte of the range */
    pw_os_pool data;           /* the frames of the pages it fills */
    demand_page *pages;        /* sorted by la */
    size_t n_pages, cap_pages;
    pw_os_demand_stats st;
    pw_os_demand *next;        /* the os's list */
};

uint64_t pw_os_fill_word(uint64_t seed, uint64_t la)
{
    uint64_t z = (seed ^ la) + MIX_GAMMA;
    z = (z ^ (z >> MIX_SHIFT1)) * MIX_MUL1;
    z = (z ^ (z >> MIX_SHIFT2)) * MIX_MUL2;
    z ^= z >> MIX_SHIFT3;
    return z ? z : MIX_GAMMA; /* never 0: a filled page is told from a zeroed one */
}

/* ---- Records ---- */

static pw_os_demand *pager_of(const pw_os *os, uint64_t la)
{
    for (pw_os_demand *d = os->pagers; d; d = d->next)
        if (la >= d->opts.la && la <= d->last)
            return d;
    return NULL;
}

static size_t page_lower(const pw_os_demand *d, uint64_t la)
{
    size_t lo = 0, hi = d->n_pages;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->pages[mid].la < la)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static demand_page *page_find(const pw_os_demand *d, uint64_t la)
{
    size_t i = page_lower(d, la);
    return i < d->n_pages && d->pages[i].la == la ? &d->pages[i] : NULL;
}

static pw_status page_room(pw_os_demand *d)
{
    if (d->n_pages < d->cap_pages)
        return PW_OK;
    size_t cap = d->cap_pages ? 2 * d->cap_pages : 16;
    demand_page *p = realloc(d->pages, cap * sizeof *p);
    if (!p)
        return PW_ERR_NOMEM;
    d->pages = p;
    d->cap_pages = cap;
    return PW_OK;
}

static void page_insert(pw_os_demand *d, const demand_page *pg)
{
    size_t i = page_lower(d, pg->la);
    memmove(&d->pages[i + 1], &d->pages[i], (d->n_pages - i) * sizeof d->pages[0]);
    d->pages[i] = *pg;
    d->n_pages++;
}

/* ---- Set-up ---- */

static uint64_t pager_flags_legal(pw_mode m)
{
    return m == PW_MODE_32 ? PAGER_FLAGS_32 : m == PW_MODE_PAE ? PAGER_FLAGS_PAE : PAGER_FLAGS_LONG;
}

static pw_status check_opts(const pw_os *os, const pw_os_demand_opts *o)
{
    if (o->tag > PW_OS_TAG_MAX || (o->leaf_flags & ~pager_flags_legal(os->mode)))
        return PW_ERR_ARG;
    /* R8.2: rights combine over every level; an upgrade of the leaf must be
     * enough to allow a write (and a user access to a user page). */
    if (!(os->table_flags & PTE_RW) || ((o->leaf_flags & PTE_US) && !(os->table_flags & PTE_US)))
        return PW_ERR_ARG;
    if (!o->data_size || ((o->data_base | o->data_size) & PAGE_MASK))
        return PW_ERR_ARG;
    uint64_t mem = pw_image_size(os->img);
    if (o->data_size > mem || o->data_base > mem - o->data_size)
        return PW_ERR_RANGE;
    /* The tables' pool and the data pool must not share a page. */
    if (o->data_base < os->pool.base + os->pool.size && os->pool.base < o->data_base + o->data_size)
        return PW_ERR_ARG;
    /* R2.2-R2.4: every frame must fit a 4 KiB leaf's address field. */
    unsigned bits = os->mode == PW_MODE_32 ? PA32_BITS : os->cfg.maxphyaddr;
    if (o->data_base + o->data_size > PW_BIT(bits))
        return PW_ERR_RANGE;
    for (const pw_os_demand *d = os->pagers; d; d = d->next)
        if (d->opts.tag == o->tag)
            return PW_ERR_EXISTS;
    return PW_OK;
}

pw_status pw_os_demand_new(pw_os *os, const pw_os_demand_opts *opts, pw_os_demand **out)
{
    if (!out)
        return PW_ERR_ARG;
    *out = NULL;
    if (!os || !opts)
        return PW_ERR_ARG;
    pw_status st = check_opts(os, opts);
    if (st != PW_OK)
        return st;
    pw_os_demand *d = calloc(1, sizeof *d);
    if (!d)
        return PW_ERR_NOMEM;
    st = pw_os_reserve(os, opts->la, opts->size, opts->tag);
    if (st != PW_OK) {
        free(d);
        return st;
    }
    d->os = os;
    d->opts = *opts;
    d->last = opts->la + opts->size - 1;
    pw_os_pool_init(&d->data, os->img, opts->data_base, opts->data_size);
    d->next = os->pagers;
    os->pagers = d;
    *out = d;
    return PW_OK;
}

static void pager_unlink(pw_os *os, pw_os_demand *d)
{
    for (pw_os_demand **pp = &os->pagers; *pp; pp = &(*pp)->next) {
        if (*pp == d) {
            *pp = d->next;
            return;
        }
    }
}

static void pager_free(pw_os_demand *d)
{
    free(d->pages);
    free(d);
}

void pw_os_pagers_free(pw_os *os)
{
    while (os->pagers) {
        pw_os_demand *d = os->pagers;
        os->pagers = d->next;
        pager_free(d);
    }
}

void pw_os_demand_stats_get(const pw_os_demand *d, pw_os_demand_stats *st)
{
    if (!st)
        return;
    memset(st, 0, sizeof *st);
    if (d)
        *st = d->st;
}

/* ---- Faults ---- */

/* Claim a reserved page: its leaf entry says FILLING with the requester as
 * owner before anything else, so a second requester finds it taken. */
static pw_status claim(pw_os_demand *d, unsigned requester, uint64_t page, pw_os_fault_out *out)
{
    pw_os *os = d->os;
    uint64_t frame, table;
    unsigned written;
    pw_status st = page_room(d);
    if (st == PW_OK)
        st = pw_os_pool_alloc(&d->data, PW_OS_POOL_DATA, &frame);
    if (st != PW_OK)
        return st;
    st = pw_os_path_make(os, page, PW_LVL_PT, &table, &written);
    if (st == PW_OK)
        st = os_ent_write(os, os_entry_addr(os->mode, table, PW_LVL_PT, page),
                          pw_os_np_encode(PW_OS_NP_FILLING, d->opts.tag, requester));
    if (st != PW_OK) {
        pw_os_pool_free(&d->data, PW_OS_POOL_DATA, frame);
        return st;
    }
    page_insert(d, &(demand_page){.la = page, .frame = frame, .state = PAGE_FILLING,
                                  .owner = requester, .step = 0});
    out->action = PW_OS_FAULT_FILL;
    out->owner = requester;
    /* R6: a PAE walk reads the PDPTE registers, not the PDPT in memory. */
    out->reload_pdptes = os->mode == PW_MODE_PAE && (written & PW_BIT(PW_LVL_PDPT));
    return PW_OK;
}

/* A not-present entry on the faulting path: the OS bits say what it means. */
static pw_status fault_not_present(pw_os_demand *d, unsigned requester, uint64_t page,
                                   uint32_t err, pw_os_fault_out *out)
{
    pw_os_np np;
    pw_status st = pw_os_reservation(d->os, page, &np);
    if (st == PW_ERR_RANGE)
        return PW_OK; /* not reserved (any more): SEGV */
    if (st != PW_OK)
        return st;
    if (np.tag != d->opts.tag)
        return PW_OK;
    if (np.state == PW_OS_NP_FILLING) {
        /* Claimed already: its owner carries on, anyone else waits. */
        out->owner = np.owner;
        out->action = np.owner == requester ? PW_OS_FAULT_FILL : PW_OS_FAULT_WAIT;
        d->st.waits += out->action == PW_OS_FAULT_WAIT;
        return PW_OK;
    }
    /* R8.3, R8.9: a user access to a supervisor page, or a fetch from an XD
     * page, would fault again once the page is there: do not fill it. */
    uint64_t f = d->opts.leaf_flags;
    if (((err & PF_U) && !(f & PTE_US)) || ((err & PF_ID) && (f & PTE_XD)))
        return PW_OK;
    return claim(d, requester, page, out);
}

/* A present leaf on the faulting path: a protection fault, or a fault taken
 * on an older entry than the one there now. */
static pw_status fault_present(pw_os_demand *d, uint64_t page, const os_path *p,
                               uint64_t raw_entry, uint32_t err, pw_os_fault_out *out)
{
    uint64_t e = p->entry[p->level];
    demand_page *pg = page_find(d, page);
    /* Only a 4 KiB leaf this pager filled is its business. */
    if (!pg || pg->state == PAGE_FILLING || p->level != PW_LVL_PT ||
        os_table_of(d->os, e) != pg->frame)
        return PW_OK;
    /* R8.3, R8.9: rights the page never gives. */
    if (((err & PF_U) && !(e & PTE_US)) || ((err & PF_ID) && (e & PTE_XD)))
        return PW_OK;
    if ((err & PF_W) && !(e & PTE_RW)) {
        /* R8.3, R8.5: a write needs R/W=1. The first write to a clean page:
         * record it dirty and allow writes. R/W 0->1 needs no INVLPG: this
         * #PF invalidated the page's TLB entries (R11.5), and a stale entry
         * elsewhere may cause at most one spurious #PF (R11.6), handled below. */
        pw_status st = os_ent_write(d->os, p->entry_pa[PW_LVL_PT], e | PTE_RW);
        if (st != PW_OK)
            return st;
        d->st.dirty += pg->state == PAGE_CLEAN;
        pg->state = PAGE_DIRTY;
        d->st.upgrades++;
        out->action = PW_OS_FAULT_UPGRADED;
        return PW_OK;
    }
    /* The page allows the access. If the walk saw this very entry (A and D
     * aside: R9.1-R9.2 may have set them since), the fault came from a rule
     * the pager cannot change (SMAP, SMEP, ...): the program's own.
     * Otherwise it was taken on an older entry — a stale TLB entry (R11.6),
     * or before another requester's fill or upgrade: nothing to do, retry. */
    if ((err & PF_P) && !((raw_entry ^ e) & ~(PTE_A | PTE_D)))
        return PW_OK;
    d->st.spurious++;
    out->action = PW_OS_FAULT_SPURIOUS;
    return PW_OK;
}

pw_status pw_os_handle_fault(pw_os *os, unsigned requester, uint64_t la, const pw_result *pf,
                             pw_os_fault_out *out)
{
    if (!os || !pf || !out || requester > PW_OS_OWNER_MAX || pf->outcome != PW_OUT_PF)
        return PW_ERR_ARG;
    if (!os_la_fits(os->mode, la))
        return PW_ERR_RANGE;
    *out = (pw_os_fault_out){.action = PW_OS_FAULT_SEGV};
    pw_os_demand *d = pager_of(os, la);
    if (!d)
        return PW_OK;
    uint64_t page = la & ~PAGE_MASK;
    /* R10: RSVD, PK and shadow-stack faults are never the pager's to fix. */
    bool not_ours = pf->err_code & (PF_RSVD | PF_PK | PF_SS);
    os_path p;
    pw_status st = not_ours ? PW_OK : pw_os_path_walk(os, page, PW_LVL_PT, &p);
    if (st == PW_OK && !not_ours) {
        if (p.entry[p.level] & PTE_P)
            st = fault_present(d, page, &p, pf->raw_entry, pf->err_code, out);
        else
            st = fault_not_present(d, requester, page, pf->err_code, out);
    }
    d->st.refused += st == PW_OK && out->action == PW_OS_FAULT_SEGV;
    return st;
}

/* ---- Fills ---- */

/* The fill `requester` owns on la's page. */
static demand_page *fill_of(pw_os *os, unsigned requester, uint64_t la, pw_os_demand **pager)
{
    pw_os_demand *d = os ? pager_of(os, la) : NULL;
    demand_page *pg = d ? page_find(d, la & ~PAGE_MASK) : NULL;
    if (!pg || pg->state != PAGE_FILLING || pg->owner != requester)
        return NULL;
    *pager = d;
    return pg;
}

static pw_status fill_chunk(pw_os_demand *d, demand_page *pg)
{
    uint8_t buf[FILL_CHUNK];
    uint64_t off = (uint64_t)pg->step * FILL_CHUNK;
    for (unsigned i = 0; i < FILL_CHUNK; i += WORD_BYTES) {
        uint64_t w = pw_os_fill_word(d->opts.seed, pg->la + off + i);
        for (unsigned b = 0; b < WORD_BYTES; b++)
            buf[i + b] = (uint8_t)(w >> (8 * b)); /* little endian */
    }
    return pw_image_write(d->os->img, pg->frame + off, buf, sizeof buf);
}

pw_status pw_os_fill_step(pw_os *os, unsigned requester, uint64_t la, bool *done)
{
    pw_os_demand *d = NULL;
    demand_page *pg = fill_of(os, requester, la, &d);
    if (!pg || !done)
        return PW_ERR_ARG;
    *done = false;
    if (pg->step < PW_OS_FILL_CHUNKS) {
        pw_status st = fill_chunk(d, pg);
        pg->step += st == PW_OK;
        return st;
    }
    /* Content first, present entry last: until this write the entry is
     * FILLING (P=0), so every other requester faults and waits (R7.1 a) and
     * none can read a half-filled page. Read-only, so that the first write
     * faults (R8.3, R8.5) and the pager learns the page is dirty. */
    os_path p;
    pw_os_np np;
    pw_status st = pw_os_path_walk(os, pg->la, PW_LVL_PT, &p);
    if (st != PW_OK)
        return st;
    if (p.level != PW_LVL_PT || !pw_os_np_decode(p.entry[PW_LVL_PT], &np) ||
        np.state != PW_OS_NP_FILLING || np.owner != requester)
        return PW_ERR_EXISTS; /* the entry was changed behind the pager's back */
    st = os_ent_write(os, p.entry_pa[PW_LVL_PT], pg->frame | PTE_P | d->opts.leaf_flags);
    if (st != PW_OK)
        return st;
    pg->state = PAGE_CLEAN;
    d->st.fills++;
    d->st.pages++;
    *done = true;
    return PW_OK;
}

pw_status pw_os_fill_finish(pw_os *os, unsigned requester, uint64_t la)
{
    bool done = false;
    while (!done) {
        pw_status st = pw_os_fill_step(os, requester, la, &done);
        if (st != PW_OK)
            return st;
    }
    return PW_OK;
}

/* ---- Close ---- */

/* R9.2: a write allowed without a fault (supervisor, CR0.WP=0) sets D. */
static pw_status page_dirty(const pw_os_demand *d, const demand_page *pg, bool *dirty)
{
    os_path p;
    pw_status st = pw_os_path_walk(d->os, pg->la, PW_LVL_PT, &p);
    *dirty = pg->state == PAGE_DIRTY ||
             (st == PW_OK && p.level == PW_LVL_PT && (p.entry[PW_LVL_PT] & PTE_D));
    return st;
}

pw_status pw_os_demand_close(pw_os_demand *d, pw_os_demand_stats *final)
{
    if (!d)
        return PW_ERR_ARG;
    for (size_t i = 0; i < d->n_pages; i++)
        if (d->pages[i].state == PAGE_FILLING)
            return PW_ERR_EXISTS;
    pw_os *os = d->os;
    uint8_t buf[PW_PAGE_SIZE];
    /* Write-back first: an error leaves every page mapped. */
    for (size_t i = 0; i < d->n_pages; i++) {
        const demand_page *pg = &d->pages[i];
        bool dirty;
        pw_status st = page_dirty(d, pg, &dirty);
        if (st != PW_OK)
            return st;
        if (!dirty || !d->opts.writeback)
            continue;
        st = pw_image_read(os->img, pg->frame, buf, sizeof buf);
        if (st == PW_OK)
            st = d->opts.writeback(d->opts.writeback_ctx, pg->la, buf);
        if (st != PW_OK)
            return st;
        d->st.written_back++;
    }
    /* From here on the pager goes, whatever fails: the first error is returned. */
    pw_status st = PW_OK;
    for (size_t i = 0; i < d->n_pages; i++) {
        pw_status u = pw_os_unmap(os, d->pages[i].la, PW_SIZE_4K);
        st = st != PW_OK ? st : u;
        pw_os_pool_free(&d->data, PW_OS_POOL_DATA, d->pages[i].frame);
    }
    d->st.pages = d->st.dirty = 0;
    d->n_pages = 0;
    pw_status r = pw_os_release(os, d->opts.la, d->opts.size);
    st = st != PW_OK ? st : r;
    if (final)
        *final = d->st;
    pager_unlink(os, d);
    pager_free(d);
    return st;
}
