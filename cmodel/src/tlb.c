/* The TLB (docs/tlb.md): fully associative, one entry per page of any size,
 * PCID and global tags (R11.2, R11.4), tree-PLRU. Mirrors rtl/pw_tlb.sv. */
#include <string.h>

#include "pagewalk/tlb.h"
#include "pagewalk/walk.h"

pw_status pw_tlb_init(pw_tlb *t, unsigned entries)
{
    if (!t || !entries || (entries & (entries - 1)) || entries > PW_TLB_MAX_ENTRIES)
        return PW_ERR_ARG;
    memset(t, 0, sizeof *t);
    t->n = entries;
    pw_plru_init(&t->plru, entries);
    return PW_OK;
}

/* Page number bits of `la` that an entry of this size compares. */
static uint64_t vpn_mask(pw_page_size s)
{
    return ~((pw_page_bytes(s) >> PW_PAGE_SHIFT) - 1);
}

static bool same_page(const pw_tlb_entry *e, uint64_t la)
{
    return ((la >> PW_PAGE_SHIFT) & e->vpn_mask) == e->vpn;
}

bool pw_tlb_entry_matches(const pw_tlb_entry *e, uint64_t la, uint16_t pcid)
{
    return e->valid && (e->global || e->pcid == pcid) && same_page(e, la);   /* R11.4 */
}

static unsigned hint_slot(uint64_t la)
{
    uint64_t vpn = la >> PW_PAGE_SHIFT;
    return (unsigned)((vpn ^ (vpn >> 8) ^ (vpn >> 16)) & (PW_TLB_HINT_SLOTS - 1));
}

int pw_tlb_lookup(pw_tlb *t, uint64_t la, uint16_t pcid)
{
    unsigned h = hint_slot(la), i = t->hint[h];
    if (i < t->n && pw_tlb_entry_matches(&t->e[i], la, pcid))
        return (int)i;
    for (i = 0; i < t->n; i++) {
        if (pw_tlb_entry_matches(&t->e[i], la, pcid)) {
            t->hint[h] = (uint8_t)i;
            return (int)i;
        }
    }
    return -1;
}


/* Could valid entry `e` and the new entry both hit one address in some context?
 * Their ranges overlap under the larger page's mask. */
static bool overlaps(const pw_tlb_entry *e, const pw_tlb_entry *ne, uint64_t ne_mask)
{
    if (!e->valid || !(e->global || ne->global || e->pcid == ne->pcid))
        return false;
    return ((e->vpn ^ ne->vpn) & e->vpn_mask & ne_mask) == 0;
}

unsigned pw_tlb_fill(pw_tlb *t, const pw_tlb_entry *ne)
{
    uint64_t mask = vpn_mask(ne->size);
    unsigned victim = t->n;
    for (unsigned i = 0; i < t->n && victim == t->n; i++)
        if (!t->e[i].valid || overlaps(&t->e[i], ne, mask))
            victim = i;
    if (victim == t->n)
        victim = pw_plru_victim(&t->plru);
    for (unsigned i = victim + 1; i < t->n; i++)
        if (overlaps(&t->e[i], ne, mask))
            t->e[i].valid = false;
    t->e[victim] = *ne;
    t->e[victim].valid = true;
    t->e[victim].vpn_mask = mask;
    t->e[victim].vpn &= mask;
    pw_plru_touch(&t->plru, victim);
    return victim;
}

/* R11.5: does invalidation `f` remove entry `e`? */
static bool flushes(const pw_flush *f, const pw_tlb_entry *e)
{
    switch (f->kind) {
    case PW_FLUSH_ALL: return true;
    case PW_FLUSH_CONTEXT: return e->global || e->pcid == f->pcid;
    case PW_FLUSH_PCID_NONGLOBAL: return !e->global && e->pcid == f->pcid;
    case PW_FLUSH_NONGLOBAL_ALL: return !e->global;
    case PW_FLUSH_PAGE:
    case PW_FLUSH_FAULT: return (e->global || e->pcid == f->pcid) && same_page(e, f->la);
    case PW_FLUSH_PAGE_NONGLOBAL: return !e->global && e->pcid == f->pcid && same_page(e, f->la);
    default: return false;
    }
}

unsigned pw_tlb_flush(pw_tlb *t, const pw_flush *f)
{
    unsigned n = 0;
    for (unsigned i = 0; i < t->n; i++) {
        if (t->e[i].valid && flushes(f, &t->e[i])) {
            t->e[i].valid = false;
            n++;
        }
    }
    return n;
}

unsigned pw_tlb_count(const pw_tlb *t)
{
    unsigned n = 0;
    for (unsigned i = 0; i < t->n; i++)
        n += t->e[i].valid;
    return n;
}
