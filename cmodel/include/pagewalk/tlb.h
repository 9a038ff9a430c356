/* The TLB: fully associative, mixed page sizes (one entry per page), PCID and
 * global tags, tree-PLRU replacement. Organisation in docs/tlb.md; mirrors
 * rtl/pw_tlb.sv entry for entry. */
#ifndef PAGEWALK_TLB_H
#define PAGEWALK_TLB_H

#include "pagewalk/plru.h"
#include "pagewalk/regs.h"
#include "pagewalk/types.h"

typedef struct {
    bool valid;
    uint64_t vpn;        /* LA >> 12 of the page's first byte (mode-truncated LA) */
    pw_page_size size;
    uint16_t pcid;
    bool global;
    uint64_t pfn;        /* PA >> 12 of the page's first byte */
    pw_perm perm;
    uint8_t memtype;
    unsigned level;      /* leaf level the translation came from */
} pw_tlb_entry;

typedef struct {
    unsigned n;
    pw_tlb_entry e[PW_TLB_MAX_ENTRIES];
    pw_plru plru;
} pw_tlb;

pw_status pw_tlb_init(pw_tlb *t, unsigned entries);
/* Does entry `e` translate `la` under `pcid`? (R11.4) */
bool pw_tlb_entry_matches(const pw_tlb_entry *e, uint64_t la, uint16_t pcid);
/* Index of the entry that translates `la` under `pcid`, or -1. At most one
 * entry matches (fill keeps it so). Does not touch the PLRU. */
int pw_tlb_lookup(const pw_tlb *t, uint64_t la, uint16_t pcid);
/* Mark entry i most recently used (a hit). */
void pw_tlb_touch(pw_tlb *t, unsigned i);
/* Insert `ne` (valid, pcid set): the victim is the lowest-numbered entry that is
 * invalid or overlaps `ne` in a context where both could hit, else the PLRU
 * victim; every other overlapping entry is invalidated. Returns the slot used. */
unsigned pw_tlb_fill(pw_tlb *t, const pw_tlb_entry *ne);
/* Carry out the TLB part of an invalidation (R11.5). Returns entries dropped. */
unsigned pw_tlb_flush(pw_tlb *t, const pw_flush *f);
/* Number of valid entries. */
unsigned pw_tlb_count(const pw_tlb *t);

#endif
