/* The TLB: fully associative, mixed page sizes (one entry per page), PCID and
 * global tags, tree-PLRU replacement. Organisation in docs/tlb.md; mirrors
 * rtl/pw_tlb.sv entry for entry. */
#ifndef PAGEWALK_TLB_H
#define PAGEWALK_TLB_H

#include "pagewalk/plru.h"
#include "pagewalk/regs.h"
#include "pagewalk/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    bool valid;
    uint64_t vpn;        /* LA >> 12 of the page's first byte (mode-truncated LA) */
    pw_page_size size;
    uint64_t vpn_mask;   /* page-number bits this entry compares (set by pw_tlb_fill) */
    uint16_t pcid;
    bool global;
    uint64_t pfn;        /* PA >> 12 of the page's first byte */
    pw_perm perm;
    uint8_t memtype;
    unsigned level;      /* leaf level the translation came from */
} pw_tlb_entry;

#define PW_TLB_HINT_SLOTS 256

typedef struct {
    unsigned n;
    pw_tlb_entry e[PW_TLB_MAX_ENTRIES];
    pw_plru plru;
    /* Model-only lookup accelerator: the slot that last matched a 4 KiB page
     * number (hashed). Always re-checked, so it never changes an answer (at most
     * one entry matches); the RTL compares all entries in parallel instead. */
    uint8_t hint[PW_TLB_HINT_SLOTS];
} pw_tlb;

pw_status pw_tlb_init(pw_tlb *t, unsigned entries);
/* Does entry `e` translate `la` under `pcid`? (R11.4) */
bool pw_tlb_entry_matches(const pw_tlb_entry *e, uint64_t la, uint16_t pcid);
/* Index of the entry that translates `la` under `pcid`, or -1. At most one
 * entry matches (fill keeps it so). Does not touch the PLRU; updates the hint. */
int pw_tlb_lookup(pw_tlb *t, uint64_t la, uint16_t pcid);
/* Mark entry i most recently used (a hit). */
static inline void pw_tlb_touch(pw_tlb *t, unsigned i) { pw_plru_touch(&t->plru, i); }
/* Insert `ne` (valid, pcid set): the victim is the lowest-numbered entry that is
 * invalid or overlaps `ne` in a context where both could hit, else the PLRU
 * victim; every other overlapping entry is invalidated. Returns the slot used. */
unsigned pw_tlb_fill(pw_tlb *t, const pw_tlb_entry *ne);
/* Carry out the TLB part of an invalidation (R11.5). Returns entries dropped. */
unsigned pw_tlb_flush(pw_tlb *t, const pw_flush *f);
/* Number of valid entries. */
unsigned pw_tlb_count(const pw_tlb *t);

#ifdef __cplusplus
}
#endif

#endif
