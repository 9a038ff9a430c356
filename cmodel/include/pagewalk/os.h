/* A page-table builder for every mode, the way an OS keeps its tables: map,
 * unmap and protect at every page size, with accounting of the page-table
 * pages it allocated. Tables come from a physical pool the caller gives.
 * On top of it: reservations that cost no page tables, and demand paging
 * (pages created on first touch). */
#ifndef PAGEWALK_OS_H
#define PAGEWALK_OS_H

#include "pagewalk/bits.h"
#include "pagewalk/image.h"
#include "pagewalk/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pw_os pw_os;

/* Leaf flags for pw_os_map / pw_os_protect: any of PTE_RW, PTE_US, PTE_PWT,
 * PTE_PCD, PTE_A, PTE_D, PTE_G, PTE_XD and a key in PTE_PK. PAT is given as
 * PW_OS_PAT and placed where the page size wants it (bit 7 or bit 12). P is
 * implied. Bits not valid for the mode (XD and PK in 32-bit paging, PK in PAE)
 * give PW_ERR_ARG. */
#define PW_OS_PAT (UINT64_C(1) << 12)

/* Flags of the non-leaf entries the builder creates (P implied). Default:
 * PTE_RW | PTE_US | PTE_A. PAE PDPTEs take only PTE_PWT/PTE_PCD (R5.6). */
typedef struct {
    uint64_t table_flags;
} pw_os_opts;

/* `pool_base`/`pool_size`: 4 KiB-aligned physical range for tables, inside the image. */
pw_status pw_os_new(pw_image *img, const pw_config *cfg, pw_mode mode, uint64_t pool_base,
                    uint64_t pool_size, const pw_os_opts *opts, pw_os **out);
void pw_os_free(pw_os *os);
pw_mode pw_os_mode(const pw_os *os);
/* CR3 for this address space (root table; PAE: the 32-byte PDPT), PCID 0. */
uint64_t pw_os_cr3(const pw_os *os);
void pw_os_set_table_flags(pw_os *os, uint64_t table_flags);

/* Map [la, la+size) to [pa, pa+size). Both aligned to the page size; the size
 * legal for the mode (4M only in 32-bit, 2M in PAE/4/5-level, 1G in 4/5-level).
 * PW_ERR_EXISTS if any part is mapped already; PW_ERR_RANGE if pa needs more
 * bits than the mode or MAXPHYADDR allows, or the pool is exhausted. */
pw_status pw_os_map(pw_os *os, uint64_t la, uint64_t pa, pw_page_size size, uint64_t flags);
/* Clear the leaf that maps la at that size (P=0). Tables left empty are freed
 * back to the pool and their parent entry cleared. PW_ERR_RANGE if not mapped so. */
pw_status pw_os_unmap(pw_os *os, uint64_t la, pw_page_size size);
/* Replace the flags of the leaf that maps la at that size. */
pw_status pw_os_protect(pw_os *os, uint64_t la, pw_page_size size, uint64_t flags);
/* Physical address of the entry at `level` on la's path (PW_ERR_RANGE if the path
 * stops above it). Lets tests write raw entries: reserved bits, OS bits, ... */
pw_status pw_os_entry_pa(const pw_os *os, uint64_t la, unsigned level, uint64_t *pa);

typedef struct {
    uint64_t tables[PW_LVL_PML5 + 1]; /* page-table pages in use, by level of the table */
    uint64_t total_tables;
    uint64_t table_bytes;
    uint64_t leaves[4];              /* mapped pages by pw_page_size */
    uint64_t listed_ranges;          /* reserved ranges kept in host memory (pw_os_reserve) */
} pw_os_stats;
void pw_os_stats_get(const pw_os *os, pw_os_stats *st);

/* ---- Reservations ----
 *
 * SPEC: "a not-present entry at *any* level ends the walk with a fault (a
 * reserved 100 GiB region costs no page tables at all: it is "not present" at
 * the highest level that covers it); the 63 other bits of a not-present entry
 * belong to the OS, which needs them to decide what a fault means".
 *
 * A reservation is written as OS bits into the not-present entries, in tables
 * that exist already, that cover whole parts of the range at the highest level
 * (x86-paging.md §4: "When P=0, every other bit of the entry is ignored, at
 * every level"). A part that no existing table can hold whole (the entry that
 * would cover it covers more, and the table below it does not exist) is kept
 * in the os's own list, in host memory. Either way no page table is allocated:
 * reserving 100 GiB and reserving 1 TiB both cost zero table pages. A table
 * made later on a reserved path (pw_os_commit, pw_os_map) inherits the
 * reservation in its other entries, so the rest of the range stays not
 * present at the highest level that covers it.
 *
 * OS bits of a not-present entry, as the builder writes them. Only bits 31:1,
 * so that one encoding serves 4-byte (32-bit paging) and 8-byte entries:
 *
 *   bit  0      P = 0        the walk ends here with #PF, P=0 in the error code (R7.1, R10)
 *   bit  1      PW_OS_NP_MARK   the entry carries a reservation (0: the entry carries none)
 *   bits 3:2    PW_OS_NP_STATE  PW_OS_NP_RESERVED: reserved, nothing behind it yet;
 *                               PW_OS_NP_FILLING: a demand fill is in progress (4 KiB leaf)
 *   bits 11:4   PW_OS_NP_TAG    the reservation's tag
 *   bits 31:12  PW_OS_NP_OWNER  FILLING: the requester filling the page; RESERVED: 0
 *   bits 63:32  0
 */
#define PW_OS_NP_MARK        PW_BIT(1)
#define PW_OS_NP_STATE_SHIFT 2
#define PW_OS_NP_STATE       PW_BITS(3, 2)
#define PW_OS_NP_TAG_SHIFT   4
#define PW_OS_NP_TAG         PW_BITS(11, 4)
#define PW_OS_NP_OWNER_SHIFT 12
#define PW_OS_NP_OWNER       PW_BITS(31, 12)
#define PW_OS_TAG_MAX        ((unsigned)(PW_OS_NP_TAG >> PW_OS_NP_TAG_SHIFT))       /* 255 */
#define PW_OS_OWNER_MAX      ((unsigned)(PW_OS_NP_OWNER >> PW_OS_NP_OWNER_SHIFT))   /* 2^20 - 1 */

typedef enum { PW_OS_NP_RESERVED = 0, PW_OS_NP_FILLING = 1 } pw_os_np_state;

/* A reservation as found on an address's path. */
typedef struct {
    pw_os_np_state state;
    unsigned tag;
    unsigned owner;   /* PW_OS_NP_FILLING: the requester filling the page */
    unsigned level;   /* level of the entry that holds it; 0: the os's own list */
} pw_os_np;

/* The not-present entry for a state, tag and owner (0 if out of range). */
uint64_t pw_os_np_encode(pw_os_np_state state, unsigned tag, unsigned owner);
/* Whether `entry` is a not-present entry carrying a reservation in this
 * encoding; *out (level 0) gets it. Anything else (P=1, 0, other OS uses) is false. */
bool pw_os_np_decode(uint64_t entry, pw_os_np *out);

/* Reserve [la, la+size): both 4 KiB aligned, size > 0, the range inside the
 * mode's LA space and in one canonical half; tag <= PW_OS_TAG_MAX. Allocates
 * no page table. PW_ERR_EXISTS (nothing changed) if any part is mapped or
 * reserved, or an entry on the way holds OS bits of another use. PAE: a walk
 * reads the PDPTE registers (R6): reload them to see a PDPTE's new OS bits. */
pw_status pw_os_reserve(pw_os *os, uint64_t la, uint64_t size, unsigned tag);
/* Map the 4 KiB page at la, which must be reserved (else PW_ERR_RANGE), to pa
 * with leaf `flags` (as pw_os_map). Allocates exactly the tables missing on
 * la's path (4-level: at most PDPT, PD and PT); their other entries inherit
 * the reservation. PAE: a new PD changes a PDPTE, reload the PDPTE registers. */
pw_status pw_os_commit(pw_os *os, uint64_t la, uint64_t pa, uint64_t flags);
/* End every reservation in [la, la+size) (same checks as pw_os_reserve): OS
 * bits cleared, the list trimmed, tables left all zero freed. Pages mapped in
 * the range stay mapped. Releasing part of a reservation that one entry holds
 * keeps the rest in the os's list: still no table. PAE: freeing a PD clears
 * a PDPTE, reload the PDPTE registers. */
pw_status pw_os_release(pw_os *os, uint64_t la, uint64_t size);
/* The reservation la lies in: PW_OK and *info; PW_ERR_EXISTS if la is mapped;
 * PW_ERR_RANGE if it is not reserved. */
pw_status pw_os_reservation(const pw_os *os, uint64_t la, pw_os_np *info);

/* ---- Demand paging ----
 *
 * SPEC: "an OS can reserve address space and create memory on demand when the
 * program first touches it". A pager serves one reserved range. The caller
 * plays the CPU: it translates accesses with pw_walk (or pw_mmu) and hands
 * each #PF to pw_os_handle_fault, which decides what the fault means from the
 * entry on the faulting path as it is now (the walk's raw_entry may be stale:
 * another requester may have acted since), then retries as told:
 *
 *  - first touch (any access) of a reserved page: the requester claims it: the
 *    leaf entry becomes PW_OS_NP_FILLING with its id as owner and a data page
 *    is taken from the pager's pool (PW_OS_FAULT_FILL). It fills the page with
 *    pw_os_fill_step: PW_OS_FILL_CHUNKS steps of content, then one that writes
 *    the present leaf, read-only (R/W=0) — content first, present entry last,
 *    so no requester can see the page half filled. Read-only so that the first
 *    write faults and the pager learns the page is dirty.
 *  - another requester that faults on the page meanwhile gets PW_OS_FAULT_WAIT
 *    (with the owner): it must not fill the page again; it retries later.
 *  - a write to a clean page takes a protection fault (P=1, W=1): the pager
 *    marks the page dirty and sets R/W=1 (PW_OS_FAULT_UPGRADED). No INVLPG is
 *    needed: the #PF invalidated the faulting page's TLB entries (R11.5) and
 *    an R/W 0->1 upgrade may leave at most one spurious #PF elsewhere (R11.6).
 *  - a fault on a page that already allows the access (such a spurious fault,
 *    or one another requester has handled) changes nothing: PW_OS_FAULT_SPURIOUS.
 *  - anything else: PW_OS_FAULT_SEGV (no pager's page; a user access to a
 *    supervisor page; a fetch from an XD page; a reserved bit).
 *
 * The pager needs non-leaf entries with R/W=1 (and U/S=1 for user pages), and
 * CR0.WP=1 for supervisor writes to fault (R8.5); a page whose leaf D is set
 * counts as dirty too (R9.2: a write allowed by WP=0 sets D). */
typedef struct pw_os_demand pw_os_demand;

/* The backing store: called on close with each dirty page (PW_PAGE_SIZE bytes). */
typedef pw_status (*pw_os_writeback_fn)(void *ctx, uint64_t la, const uint8_t *page);

typedef struct {
    uint64_t la, size;             /* the range served: reserved by pw_os_demand_new */
    unsigned tag;                  /* its reservation tag; one pager per tag */
    uint64_t data_base, data_size; /* physical pool of the pages filled: 4 KiB aligned,
                                      inside the image, apart from the tables' pool */
    uint64_t leaf_flags;           /* leaf flags besides P and R/W: PTE_US, PTE_A, PTE_XD, ... */
    uint64_t seed;                 /* content: pw_os_fill_word(seed, la) for each 8 bytes */
    pw_os_writeback_fn writeback;  /* NULL: dirty pages are dropped on close */
    void *writeback_ctx;
} pw_os_demand_opts;

typedef struct {
    uint64_t fills;        /* pages whose content was generated (one fill per page) */
    uint64_t upgrades;     /* write faults that made a clean page dirty and writable */
    uint64_t spurious;     /* faults on pages that already allowed the access */
    uint64_t waits;        /* faults answered WAIT: another requester was filling */
    uint64_t refused;      /* faults answered SEGV */
    uint64_t pages;        /* pages filled and mapped now */
    uint64_t dirty;        /* of those, dirty */
    uint64_t written_back; /* pages given to the backing store by pw_os_demand_close */
} pw_os_demand_stats;

typedef enum {
    PW_OS_FAULT_FILL = 0,  /* claimed: pw_os_fill_step until done, then retry */
    PW_OS_FAULT_UPGRADED,  /* the page is now dirty and writable: retry */
    PW_OS_FAULT_SPURIOUS,  /* the page already allows the access: retry */
    PW_OS_FAULT_WAIT,      /* `owner` is filling the page: retry later */
    PW_OS_FAULT_SEGV,      /* not the pager's to fix: the program's own fault */
} pw_os_fault_action;

typedef struct {
    pw_os_fault_action action;
    unsigned owner;        /* PW_OS_FAULT_WAIT, PW_OS_FAULT_FILL: the requester filling */
    bool reload_pdptes;    /* PAE: a PDPTE was written: reload the PDPTE registers (R6) */
} pw_os_fault_out;

#define PW_OS_FILL_CHUNKS 4 /* content steps of a fill, before the step that maps it */

/* Reserve opts->la/size with opts->tag and serve it. The pager belongs to the
 * os (pw_os_free frees it, without write-back). PW_ERR_EXISTS: the range or
 * the tag is taken; PW_ERR_ARG: bad options or tables without R/W. */
pw_status pw_os_demand_new(pw_os *os, const pw_os_demand_opts *opts, pw_os_demand **out);
/* Handle the #PF `pf` (outcome PW_OUT_PF) that `requester` (<= PW_OS_OWNER_MAX)
 * took at linear address `la` (CR2, R10.2). PW_ERR_RANGE: the data pool is
 * exhausted (the page stays reserved). */
pw_status pw_os_handle_fault(pw_os *os, unsigned requester, uint64_t la, const pw_result *pf,
                             pw_os_fault_out *out);
/* One step of the fill `requester` claimed on la's page; *done after the step
 * that writes the present leaf. PW_ERR_ARG: no fill of this requester there. */
pw_status pw_os_fill_step(pw_os *os, unsigned requester, uint64_t la, bool *done);
/* The remaining steps. */
pw_status pw_os_fill_finish(pw_os *os, unsigned requester, uint64_t la);
/* Write the dirty pages back (writeback, page by page in LA order), unmap
 * every page, give the data pages back, release the range and free the pager.
 * *final (if non-NULL) gets the last statistics. PW_ERR_EXISTS: a fill is in
 * progress (nothing changed); a writeback error is returned as is (nothing
 * unmapped). The caller invalidates the unmapped pages (INVLPG, R11.5). */
pw_status pw_os_demand_close(pw_os_demand *d, pw_os_demand_stats *final);
void pw_os_demand_stats_get(const pw_os_demand *d, pw_os_demand_stats *st);
/* The generated content: the 8 bytes at `la` (8-aligned) of a page filled with
 * `seed`. Never 0. */
uint64_t pw_os_fill_word(uint64_t seed, uint64_t la);

#ifdef __cplusplus
}
#endif

#endif
