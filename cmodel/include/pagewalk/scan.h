/* A visitor over a whole page-table hierarchy, in any paging mode: every entry
 * the hierarchy holds is read once per path that reaches it and handed to the
 * caller, depth first in linear-address order, with its classification (R7.1)
 * and the rights combined down to it (R8.2). The CLI's dump, lint and stats
 * sit on it. It reads memory only (it never sets A/D) and keeps no state
 * between calls.
 *
 *     static pw_scan_action on_entry(void *ctx, const pw_scan_entry *e)
 *     {
 *         if (e->kind == PW_SCAN_LEAF)
 *             printf("%llx -> %llx\n", (unsigned long long)e->la, (unsigned long long)e->pa);
 *         return PW_SCAN_CONTINUE;
 *     }
 *     pw_scan_visitor v = {.entry = on_entry};
 *     pw_status st = pw_scan(&cfg, &regs, &mem, &v, NULL);
 *
 * Bounded: the hierarchy has a fixed depth; an entry that points to a table
 * already on its own path (a loop, e.g. a self-referencing PML4E) is reported
 * as PW_SCAN_LOOP and not followed; and at most max_entries entries are
 * visited (tables shared by many entries could otherwise multiply the work). */
#ifndef PAGEWALK_SCAN_H
#define PAGEWALK_SCAN_H

#include "pagewalk/types.h"
#include "pagewalk/walk.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What an entry is (R7.1 a, b, d), plus the two outcomes of reading it. */
typedef enum {
    PW_SCAN_NOT_PRESENT = 0, /* P=0; `raw` keeps the OS bits */
    PW_SCAN_RESERVED,        /* P=1 with reserved bits set (R5): `rsvd`; not followed */
    PW_SCAN_TABLE,           /* points to the next table, `pa`; followed next */
    PW_SCAN_LEAF,            /* maps a page: `pa`, `size` */
    PW_SCAN_BUS_ERROR,       /* the entry could not be read; `raw` is 0 */
    PW_SCAN_LOOP,            /* a table entry whose table `pa` is on its own path: not followed */
} pw_scan_kind;

typedef struct {
    pw_scan_kind kind;
    unsigned level;          /* 5 PML5E .. 1 PTE */
    unsigned index;          /* in its table */
    uint64_t table;          /* physical address of the table holding the entry */
    uint64_t entry_pa;       /* physical address of the entry */
    uint64_t raw;            /* the entry (4-byte entries zero-extended) */
    bool from_register;      /* a PAE PDPTE register (R6.3), not read from memory */
    /* Linear addresses the entry covers: [la, la + la_size). `la` is canonical
     * (sign-extended) in 4/5-level paging, 32 bits in 32-bit and PAE paging. */
    uint64_t la;
    uint64_t la_size;
    /* R7.4: level 1, or PS=1 where PS makes a leaf. For RESERVED it says which
     * reserved-bit mask applied (pw_rsvd_mask(..., leaf_shape)). */
    bool leaf_shape;
    uint64_t rsvd;           /* RESERVED: raw & the reserved-bit mask */
    /* TABLE, LOOP, LEAF: rights combined down to and including this entry (R8.2;
     * PAE PDPTEs contribute none, R6.3; dirty and pk are the leaf's). Other
     * kinds: the rights of the entries above it. */
    pw_perm perm;
    uint64_t pa;             /* LEAF: page frame; TABLE, LOOP: next table */
    pw_page_size size;       /* LEAF */
} pw_scan_entry;

/* What the visitor wants next. PRUNE: do not descend into this entry's table
 * (the same as CONTINUE for other kinds). STOP: end the scan (pw_scan returns
 * PW_OK). */
typedef enum { PW_SCAN_CONTINUE = 0, PW_SCAN_PRUNE, PW_SCAN_STOP } pw_scan_action;

#define PW_SCAN_MAX_ENTRIES (UINT64_C(1) << 26) /* default cap: 64 Mi entries */

typedef struct {
    pw_scan_action (*entry)(void *ctx, const pw_scan_entry *e);
    uint64_t max_entries;    /* entries visited at most; 0 = PW_SCAN_MAX_ENTRIES */
} pw_scan_visitor;

/* Visit every entry of the hierarchy that regs select (CR3; in PAE the PDPTE
 * registers, or the PDPT in memory when cfg->pae_pdpte is PW_PDPTE_ON_DEMAND),
 * depth first in LA order. Reads go through mem->read only, at cycle 0.
 * Returns PW_OK; PW_ERR_LOOP when one or more PW_SCAN_LOOP entries were
 * reported (after the rest of the hierarchy was visited); PW_ERR_LIMIT when it
 * stopped after max_entries entries; PW_ERR_ARG for NULL arguments or paging
 * off; PW_ERR_CONFIG for an illegal configuration. A bus error is an entry
 * (PW_SCAN_BUS_ERROR), not a failure. */
pw_status pw_scan(const pw_config *cfg, const pw_regs *regs, const pw_mem *mem,
                  const pw_scan_visitor *visitor, void *ctx);

/* The root table's physical address (R3.1-R3.3; PAE: the 32-byte PDPT). */
uint64_t pw_scan_root(const pw_config *cfg, const pw_regs *regs);
/* Entries in one table at `level`: 1024 (32-bit), 4 (PAE PDPT), else 512. */
unsigned pw_scan_table_entries(pw_mode m, unsigned level);
/* `la` sign-extended from the mode's top LA bit (4/5-level); else unchanged. */
uint64_t pw_la_canonical_form(pw_mode m, uint64_t la);

#ifdef __cplusplus
}
#endif

#endif
