/* The architectural translation: the golden semantics, no TLB (SPEC "walk").
 * Mirrors rtl/pw_walker.sv: one step per page-table access. */
#ifndef PAGEWALK_WALK_H
#define PAGEWALK_WALK_H

#include "pagewalk/bits.h"
#include "pagewalk/types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PW_MAX_LEVEL_SLOTS (PW_MAX_LEVEL + 1) /* indexed by level, 1..5 */

/* R1.1 */
pw_mode pw_mode_of(const pw_regs *regs);
const char *pw_mode_name(pw_mode m);
/* Levels of a mode: 2 (32-bit), 3 (PAE), 4, 5; 0 without paging. */
unsigned pw_mode_levels(pw_mode m);
/* Bytes per entry: 4 in 32-bit paging, else 8. */
static inline unsigned pw_mode_entry_size(pw_mode m) { return m == PW_MODE_32 ? 4 : 8; }

/* Linear-address bits the mode translates (R2.1). */
static inline unsigned pw_la_bits(pw_mode m)
{
    return m == PW_MODE_5LVL ? 57 : m == PW_MODE_4LVL ? 48 : 32;
}
/* R2.1: the address as the walker sees it (32 bits outside IA-32e). */
static inline uint64_t pw_la_truncate(pw_mode m, uint64_t la)
{
    return la & PW_BITS(pw_la_bits(m) - 1, 0);
}
/* R2.1: bits above the top index must copy its highest bit (4/5-level only). */
static inline bool pw_la_canonical(pw_mode m, uint64_t la)
{
    if (m != PW_MODE_4LVL && m != PW_MODE_5LVL)
        return true;
    unsigned top = pw_la_bits(m) - 1;
    uint64_t high = la >> top;
    return high == 0 || high == (~UINT64_C(0) >> top);
}
/* Bits of `la` below the region one entry at `level` maps (its shift). */
static inline unsigned pw_level_shift(pw_mode m, unsigned level)
{
    unsigned bits = m == PW_MODE_32 ? PW_LEVEL_BITS_32 : PW_LEVEL_BITS;
    if (level < PW_LVL_PT || level > PW_LVL_PML5)
        level = PW_LVL_PT;   /* not a level: behave as the page offset, never shift out */
    return PW_PAGE_SHIFT + bits * (level - 1);
}
/* Index of `la` in the table at `level`; a PAE PDPTE index is LA[31:30] (R2.3). */
static inline unsigned pw_la_index(pw_mode m, unsigned level, uint64_t la)
{
    if (m == PW_MODE_PAE && level == PW_LVL_PDPT)
        return (unsigned)(la >> 30) & 3u;
    unsigned bits = m == PW_MODE_32 ? PW_LEVEL_BITS_32 : PW_LEVEL_BITS;
    return (unsigned)(la >> pw_level_shift(m, level)) & ((1u << bits) - 1);
}
uint64_t pw_page_bytes(pw_page_size s);
const char *pw_page_size_name(pw_page_size s);

/* Decision for one present-or-not entry at one level (R7.1 a, b, d). */
typedef enum { PW_ENT_NOT_PRESENT, PW_ENT_RESERVED, PW_ENT_TABLE, PW_ENT_LEAF } pw_entry_class;
/* Reserved-bit mask for an entry at `level`; `leaf` = PS=1 (or level 1). R5. */
uint64_t pw_rsvd_mask(const pw_config *cfg, const pw_regs *regs, pw_mode m, unsigned level, bool leaf);
pw_entry_class pw_classify(const pw_config *cfg, const pw_regs *regs, pw_mode m, unsigned level,
                           uint64_t entry);
/* R7.4: does the entry's shape make it a leaf at `level` (level 1, or PS=1 where
 * PS is honoured)? Says nothing about P or reserved bits: pw_rsvd_mask(..., leaf)
 * with this answer is the mask pw_classify applies. */
bool pw_entry_is_leaf(const pw_regs *regs, pw_mode m, unsigned level, uint64_t entry);
/* The same decision with the level-independent reserved bits (MAXPHYADDR, NXE)
 * computed once per walk by pw_rsvd_base. */
uint64_t pw_rsvd_base(const pw_config *cfg, const pw_regs *regs, pw_mode m);
pw_entry_class pw_classify_with_base(const pw_config *cfg, const pw_regs *regs, pw_mode m,
                                     unsigned level, uint64_t entry, uint64_t rsvd_base);
/* Physical address of the next table, or of the page frame of a leaf at `level`. */
uint64_t pw_entry_addr(const pw_config *cfg, pw_mode m, unsigned level, bool leaf, uint64_t entry);

/* Controls the rights check reads at access time (R8.10). Derived from the
 * registers of the walk (or of the TLB lookup) by pw_rights_ctl_of. */
typedef struct {
    bool wp, smep, smap, nxe, pke, pks, cet;
    bool id_bit;   /* R10.1: fetches set I/D in the error code */
    uint32_t pkru, pkrs;
} pw_rights_ctl;
void pw_rights_ctl_of(const pw_regs *regs, pw_rights_ctl *ctl);

/* The single fault-priority function (R7.3, R8, R10): 0 when the access is
 * allowed, else the #PF error code. Used by the TLB-hit path and the walk. */
uint32_t pw_rights_check(const pw_rights_ctl *ctl, const pw_request *req, const pw_perm *perm);
/* Error-code bits that describe the access itself (W, U, I/D, SS). */
uint32_t pw_access_err_bits(const pw_rights_ctl *ctl, const pw_request *req);

/* ---- Step-by-step walker (shared by pw_walk and the cycle model) ---- */

/* Where a walk begins: the root (CR3 / PDPTE register), or below a
 * paging-structure-cache hit at `level` (the cached entry's level). */
typedef struct {
    unsigned level;     /* 0 = root */
    uint64_t table;     /* physical address of the next table */
    pw_perm perm;       /* rights combined down to and including `level` */
} pw_walk_start;

typedef enum { PW_PHASE_WALK, PW_PHASE_UPDATE, PW_PHASE_DONE } pw_walk_phase;

typedef struct {
    /* inputs, latched */
    const pw_config *cfg;
    pw_regs regs;
    pw_request req;
    pw_rights_ctl ctl;
    pw_mode mode;
    uint64_t la;
    pw_walk_start start;
    unsigned esize;          /* bytes per entry */
    uint64_t rsvd_base;      /* pw_rsvd_base of the latched registers */
    uint32_t acc_bits;       /* pw_access_err_bits of the request */
    /* progress */
    pw_walk_phase phase;
    unsigned level;          /* level of the next entry to read */
    uint64_t table;          /* table holding it */
    /* Rights combined so far (R8.2), as masks: AND of the entries' R/W and U/S
     * bits, AND of the non-leaf R/W bits, OR of the XD bits. pw_perm is built
     * from them at the leaf (pw_walk_perm_at for the levels above). */
    uint64_t and_bits, nonleaf_and, xd_bits;
    pw_perm perm;            /* of the leaf, once reached */
    uint64_t entry[PW_MAX_LEVEL_SLOTS];
    uint64_t entry_pa[PW_MAX_LEVEL_SLOTS];
    bool from_mem[PW_MAX_LEVEL_SLOTS];  /* read from memory by this walk */
    uint64_t and_at[PW_MAX_LEVEL_SLOTS], xd_at[PW_MAX_LEVEL_SLOTS]; /* masks after this level */
    uint64_t next_table[PW_MAX_LEVEL_SLOTS]; /* table a non-leaf entry points to */
    bool cas_now;            /* NONLEAF_AS_WALKED: A of `level` is written before descending */
    unsigned leaf_level;
    unsigned upd_level;      /* next level to consider in the A/D phase */
    pw_mem_access pending;   /* the access in flight */
    bool has_pending;
    pw_result result;
    pw_status status;        /* PW_ERR_LIVELOCK after too many restarts */
} pw_walk_state;

/* Start a walk; the request must be canonical and paging enabled (pw_walk handles
 * the rest). `start` NULL = from the root. */
pw_status pw_walk_begin(pw_walk_state *w, const pw_config *cfg, const pw_regs *regs,
                        const pw_request *req, const pw_walk_start *start);
/* The next memory access, or false when the walk is done (w->result holds the answer). */
bool pw_walk_next(pw_walk_state *w, pw_mem_access *acc);
/* Rights combined down to and including non-leaf `level` of this walk. */
void pw_walk_perm_at(const pw_walk_state *w, unsigned level, pw_perm *perm);
/* Feed the response to the access returned by pw_walk_next. */
pw_status pw_walk_respond(pw_walk_state *w, pw_mem_status st, uint64_t data);

/* ---- The whole translation, untimed ---- */
/* Handles no-paging (LA = PA), non-canonical (#GP), then walks from the root with
 * memory accesses performed at cycle 0. */
pw_status pw_walk(const pw_config *cfg, const pw_regs *regs, const pw_mem *mem,
                  const pw_request *req, pw_result *res);

/* The result that a translation with no walk produces (no paging, #GP), or false
 * when a walk is needed. */
bool pw_walk_trivial(const pw_regs *regs, const pw_request *req, pw_result *res);

#ifdef __cplusplus
}
#endif

#endif
