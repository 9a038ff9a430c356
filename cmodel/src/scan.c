/* pw_scan: every entry of a page-table hierarchy, depth first in LA order
 * (scan.h). One recursive function over tables; the decisions per entry are
 * the walker's own (pw_classify, pw_entry_addr), so that what a scan reports
 * is what a walk through that entry would find. */
#include <string.h>

#include "pagewalk/scan.h"

#define PAE_PDPTES 4 /* R2.3: PDPTE index = LA[31:30] */

/* Rights folded down a path (R8.2), as the walker keeps them: AND of R/W and
 * U/S, AND of the non-leaf R/W bits, OR of XD (only with NXE). */
typedef struct {
    uint64_t and_bits, nonleaf_and, xd_bits;
} fold_state;

typedef struct {
    const pw_config *cfg;
    const pw_regs *regs;
    const pw_mem *mem;
    const pw_scan_visitor *v;
    void *ctx;
    pw_mode mode;
    unsigned top;
    unsigned esize;
    uint64_t rsvd_base;
    bool nxe;
    uint64_t visited, max;
    uint64_t path[PW_MAX_LEVEL_SLOTS]; /* page frame of the table at each level of the path */
    bool loop, stop, limit;
} scan_ctx;

uint64_t pw_scan_root(const pw_config *cfg, const pw_regs *regs)
{
    if (!cfg || !regs)
        return 0;
    switch (pw_mode_of(regs)) {
    case PW_MODE_32: return regs->cr3 & CR3_32_BASE;    /* R3.1 */
    case PW_MODE_PAE: return regs->cr3 & CR3_PAE_BASE;  /* R3.2 */
    case PW_MODE_4LVL:
    case PW_MODE_5LVL: return regs->cr3 & PW_BITS(cfg->maxphyaddr - 1, PW_PAGE_SHIFT); /* R3.3 */
    default: return 0;
    }
}

unsigned pw_scan_table_entries(pw_mode m, unsigned level)
{
    if (m == PW_MODE_PAE && level == PW_LVL_PDPT)
        return PAE_PDPTES;
    return 1u << (m == PW_MODE_32 ? PW_LEVEL_BITS_32 : PW_LEVEL_BITS);
}

uint64_t pw_la_canonical_form(pw_mode m, uint64_t la)
{
    if (m != PW_MODE_4LVL && m != PW_MODE_5LVL)
        return la;
    unsigned top = pw_la_bits(m) - 1;                   /* R2.1 */
    return (la & PW_BIT(top)) ? la | ~PW_BITS(top, 0) : la & PW_BITS(top, 0);
}

static pw_page_size leaf_size(pw_mode m, unsigned level)
{
    if (level == PW_LVL_PT)
        return PW_SIZE_4K;
    if (level == PW_LVL_PD)
        return m == PW_MODE_32 ? PW_SIZE_4M : PW_SIZE_2M;
    return PW_SIZE_1G;
}

/* R8.2: fold one entry in; PAE PDPTEs carry no rights (R6.3). */
static fold_state fold(const scan_ctx *s, fold_state f, unsigned level, uint64_t e, bool leaf)
{
    if (s->mode == PW_MODE_PAE && level == PW_LVL_PDPT)
        return f;
    f.and_bits &= e | ~(PTE_RW | PTE_US);
    if (!leaf)
        f.nonleaf_and &= e | ~PTE_RW;
    if (s->nxe)
        f.xd_bits |= e & PTE_XD;
    return f;
}

static pw_perm perm_of(const fold_state *f)
{
    return (pw_perm){.rw = (f->and_bits & PTE_RW) != 0, .us = (f->and_bits & PTE_US) != 0,
                     .xd = f->xd_bits != 0, .nonleaf_rw = (f->nonleaf_and & PTE_RW) != 0};
}

/* Is the table at `pa` one of those on the current path (levels level..top)? */
static bool on_path(const scan_ctx *s, unsigned level, uint64_t pa)
{
    uint64_t frame = pa & ~(PW_PAGE_SIZE - 1);
    for (unsigned l = level; l <= s->top; l++)
        if (s->path[l] == frame)
            return true;
    return false;
}

/* Read entry i of `table` at `level` (the PDPTE register in PAE, R6.3). */
static bool read_entry(const scan_ctx *s, unsigned level, pw_scan_entry *e)
{
    if (s->mode == PW_MODE_PAE && level == PW_LVL_PDPT &&
        s->cfg->pae_pdpte == PW_PDPTE_REGISTERS) {
        e->raw = s->regs->pdpte[e->index];
        e->from_register = true;
        return true;
    }
    uint64_t v = 0;
    if (s->mem->read(s->mem->ctx, e->entry_pa, s->esize, 0, &v) != PW_MEM_OK)
        return false;
    e->raw = s->esize == sizeof(uint32_t) ? v & PW_BITS(31, 0) : v;
    return true;
}

/* Fill in what the entry is (R7.1) and, for TABLE and LEAF, where it points.
 * Returns the rights folded down to it. */
static fold_state decide(const scan_ctx *s, pw_scan_entry *e, fold_state f)
{
    unsigned l = e->level;
    e->perm = perm_of(&f);
    e->leaf_shape = pw_entry_is_leaf(s->regs, s->mode, l, e->raw);
    switch (pw_classify_with_base(s->cfg, s->regs, s->mode, l, e->raw, s->rsvd_base)) {
    case PW_ENT_NOT_PRESENT:
        e->kind = PW_SCAN_NOT_PRESENT;
        return f;
    case PW_ENT_RESERVED:
        e->kind = PW_SCAN_RESERVED;
        e->rsvd = e->raw & pw_rsvd_mask(s->cfg, s->regs, s->mode, l, e->leaf_shape);
        return f;
    case PW_ENT_LEAF:
        f = fold(s, f, l, e->raw, true);
        e->kind = PW_SCAN_LEAF;
        e->perm = perm_of(&f);
        e->perm.dirty = (e->raw & PTE_D) != 0;
        if (s->mode == PW_MODE_4LVL || s->mode == PW_MODE_5LVL)
            e->perm.pk = (uint8_t)((e->raw & PTE_PK) >> PTE_PK_SHIFT);   /* R8.7 */
        e->size = leaf_size(s->mode, l);
        e->pa = pw_entry_addr(s->cfg, s->mode, l, true, e->raw);
        return f;
    case PW_ENT_TABLE:
        f = fold(s, f, l, e->raw, false);
        e->perm = perm_of(&f);
        e->pa = pw_entry_addr(s->cfg, s->mode, l, false, e->raw);
        e->kind = on_path(s, l, e->pa) ? PW_SCAN_LOOP : PW_SCAN_TABLE;
        return f;
    }
    return f;
}

/* Every entry of the table at `table` (level `level`) covering LAs from
 * `la_base` (mode-truncated), with the rights `f` of the entries above. */
static void scan_table(scan_ctx *s, unsigned level, uint64_t table, uint64_t la_base, fold_state f)
{
    s->path[level] = table & ~(PW_PAGE_SIZE - 1);
    unsigned n = pw_scan_table_entries(s->mode, level);
    unsigned shift = pw_level_shift(s->mode, level);
    for (unsigned i = 0; i < n && !s->stop; i++) {
        uint64_t la = la_base + ((uint64_t)i << shift);
        pw_scan_entry e = {.level = level, .index = i, .table = table,
                           .entry_pa = table + (uint64_t)i * s->esize,
                           .la = pw_la_canonical_form(s->mode, la), .la_size = PW_BIT(shift)};
        fold_state below = f;
        if (read_entry(s, level, &e)) {
            below = decide(s, &e, f);
        } else {
            e.kind = PW_SCAN_BUS_ERROR;
            e.perm = perm_of(&f);
        }
        if (s->visited >= s->max) {
            s->limit = s->stop = true;
            return;
        }
        s->visited++;
        s->loop |= e.kind == PW_SCAN_LOOP;
        pw_scan_action act = s->v->entry(s->ctx, &e);
        if (act == PW_SCAN_STOP)
            s->stop = true;
        else if (act == PW_SCAN_CONTINUE && e.kind == PW_SCAN_TABLE && level > PW_LVL_PT)
            scan_table(s, level - 1, e.pa, la, below);
    }
    s->path[level] = UINT64_MAX; /* no frame has this value */
}

pw_status pw_scan(const pw_config *cfg, const pw_regs *regs, const pw_mem *mem,
                  const pw_scan_visitor *visitor, void *ctx)
{
    if (!cfg || !regs || !mem || !mem->read || !visitor || !visitor->entry)
        return PW_ERR_ARG;
    if (pw_config_check(cfg, NULL) != PW_OK)
        return PW_ERR_CONFIG;
    pw_mode m = pw_mode_of(regs);
    if (m == PW_MODE_NONE)
        return PW_ERR_ARG;
    scan_ctx s = {.cfg = cfg, .regs = regs, .mem = mem, .v = visitor, .ctx = ctx, .mode = m,
                  .top = pw_mode_levels(m), .esize = pw_mode_entry_size(m),
                  .rsvd_base = pw_rsvd_base(cfg, regs, m),
                  .nxe = m != PW_MODE_32 && (regs->efer & EFER_NXE),          /* R1.2 */
                  .max = visitor->max_entries ? visitor->max_entries : PW_SCAN_MAX_ENTRIES};
    memset(s.path, 0xff, sizeof s.path);
    fold_state f = {.and_bits = ~UINT64_C(0), .nonleaf_and = ~UINT64_C(0), .xd_bits = 0};
    scan_table(&s, s.top, pw_scan_root(cfg, regs), 0, f);
    if (s.limit)
        return PW_ERR_LIMIT;
    return s.loop ? PW_ERR_LOOP : PW_OK;
}
