/* The walk, one page-table access per step (R7, R9). The same state machine
 * serves the untimed pw_walk and the cycle model in mmu.c, as the RTL FSM in
 * rtl/pw_walker.sv does. */
#include <string.h>

#include "pagewalk/walk.h"
#include "walk_priv.h"

#define LA32_MASK PW_BITS(31, 0)


bool pw_walk_trivial(const pw_regs *regs, const pw_request *req, pw_result *res)
{
    if (!regs || !req || !res)
        return false;
    pw_mode m = pw_mode_of(regs);
    memset(res, 0, sizeof *res);
    if (m == PW_MODE_NONE) {
        /* Paging off: LA = PA, no rights. */
        res->outcome = PW_OUT_OK;
        res->pa = req->la & LA32_MASK;
        res->size = PW_SIZE_4K;
        res->perm = (pw_perm){.rw = true, .us = true, .nonleaf_rw = true, .dirty = true};
        return true;
    }
    if (!pw_la_canonical(m, req->la)) {
        res->outcome = PW_OUT_GP;                     /* R2.1: #GP, no walk, no CR2 */
        return true;
    }
    return false;
}

static uint64_t root_table(const pw_config *cfg, const pw_regs *r, pw_mode m)
{
    switch (m) {
    case PW_MODE_32: return r->cr3 & CR3_32_BASE;    /* R3.1 */
    case PW_MODE_PAE: return r->cr3 & CR3_PAE_BASE;  /* R3.2 */
    default: return r->cr3 & PW_BITS(cfg->maxphyaddr - 1, PW_PAGE_SHIFT); /* R3.3 */
    }
}

static void to_root(pw_walk_state *w)
{
    w->level = pw_mode_levels(w->mode);
    w->table = root_table(w->cfg, &w->regs, w->mode);
    w->and_bits = w->nonleaf_and = ~UINT64_C(0);
    w->xd_bits = 0;
    if (w->start.level) {
        /* Rights the PSC entry cached (all non-leaf, so nonleaf_rw == rw). */
        const pw_perm *p = &w->start.perm;
        w->level = w->start.level - 1;
        w->table = w->start.table;
        w->and_bits &= ~((p->rw ? 0 : PTE_RW) | (p->us ? 0 : PTE_US));
        w->nonleaf_and &= ~(p->nonleaf_rw ? 0 : PTE_RW);
        w->xd_bits = p->xd ? PTE_XD : 0;
    }
    memset(w->from_mem, 0, sizeof w->from_mem);
    w->phase = PW_PHASE_WALK;
    w->cas_now = false;
    w->has_pending = false;
}

pw_status pw_walk_begin(pw_walk_state *w, const pw_config *cfg, const pw_regs *regs,
                        const pw_request *req, const pw_walk_start *start)
{
    if (!w || !cfg || !regs || !req || req->kind > PW_ACC_FETCH)
        return PW_ERR_ARG;
    if (pw_config_check(cfg, NULL) != PW_OK)
        return PW_ERR_CONFIG;
    pw_mode m = pw_mode_of(regs);
    if (m == PW_MODE_NONE || !pw_la_canonical(m, req->la))
        return PW_ERR_ARG;
    /* A PSC hit names the level of a cached non-leaf entry of this mode. */
    if (start && start->level && (start->level < PW_LVL_PD || start->level > pw_mode_levels(m)))
        return PW_ERR_ARG;
    pw_walk_begin_trusted(w, cfg, regs, req, start);
    return PW_OK;
}

void pw_walk_begin_trusted(pw_walk_state *w, const pw_config *cfg, const pw_regs *regs,
                           const pw_request *req, const pw_walk_start *start)
{
    pw_mode m = pw_mode_of(regs);
    /* Only what a walk reads before writing it is initialised: this runs per miss. */
    w->cfg = cfg;
    w->regs = *regs;
    w->req = *req;
    w->mode = m;
    w->la = pw_la_truncate(m, req->la);
    pw_rights_ctl_of(regs, &w->ctl);
    w->esize = pw_mode_entry_size(m);
    w->rsvd_base = pw_rsvd_base(cfg, regs, m);
    w->acc_bits = pw_access_err_bits(&w->ctl, req);
    w->start.level = 0;
    if (start && start->level)
        w->start = *start;
    memset(&w->result, 0, sizeof w->result);
    w->status = PW_OK;
    w->leaf_level = 0;
    to_root(w);
}

static void finish_fault(pw_walk_state *w, uint32_t err, uint64_t entry, uint64_t pa)
{
    pw_result *r = &w->result;
    r->outcome = PW_OUT_PF;
    r->err_code = err;
    r->level = w->level;
    r->raw_entry = entry;
    r->entry_pa = pa;
    w->phase = PW_PHASE_DONE;
}

static pw_page_size leaf_size(pw_mode m, unsigned level)
{
    if (level == PW_LVL_PT)
        return PW_SIZE_4K;
    if (level == PW_LVL_PD)
        return m == PW_MODE_32 ? PW_SIZE_4M : PW_SIZE_2M;
    return PW_SIZE_1G;
}

static void finish_ok(pw_walk_state *w)
{
    unsigned l = w->leaf_level;
    uint64_t e = w->entry[l];
    pw_result *r = &w->result;
    r->outcome = PW_OUT_OK;
    r->size = leaf_size(w->mode, l);
    uint64_t frame = pw_entry_addr(w->cfg, w->mode, l, true, e);
    r->pa = frame | (w->la & (pw_page_bytes(r->size) - 1));
    r->perm = w->perm;
    r->perm.dirty = (e & PTE_D) != 0;
    r->global = (e & PTE_G) && (w->regs.cr4 & CR4_PGE);   /* R11.4 */
    r->memtype = (uint8_t)(((e & PTE_PWT) ? PW_MT_PWT : 0) | ((e & PTE_PCD) ? PW_MT_PCD : 0) |
                           ((e & (l == PW_LVL_PT ? PTE_PAT : PTE_PAT_LARGE)) ? PW_MT_PAT : 0));
    r->level = l;
    r->raw_entry = e;
    r->entry_pa = w->entry_pa[l];
    w->phase = PW_PHASE_DONE;
}

/* R8.2: fold one entry's rights; PAE PDPTEs have none (R6.3). */
static void fold(pw_walk_state *w, uint64_t e, bool leaf)
{
    if (w->mode == PW_MODE_PAE && w->level == PW_LVL_PDPT)
        return;
    w->and_bits &= e | ~(PTE_RW | PTE_US);
    if (!leaf)
        w->nonleaf_and &= e | ~PTE_RW;
    if (w->ctl.nxe)
        w->xd_bits |= e & PTE_XD;
}

static void perm_of(uint64_t and_bits, uint64_t nonleaf_and, uint64_t xd_bits, pw_perm *p)
{
    *p = (pw_perm){.rw = (and_bits & PTE_RW) != 0, .us = (and_bits & PTE_US) != 0,
                   .xd = xd_bits != 0, .nonleaf_rw = (nonleaf_and & PTE_RW) != 0};
}

void pw_walk_perm_at(const pw_walk_state *w, unsigned level, pw_perm *perm)
{
    if (!w || !perm || level < PW_LVL_PD || level > PW_LVL_PML5)
        return;
    perm_of(w->and_at[level], w->and_at[level], w->xd_at[level], perm);
}

/* PAE PDPTEs carry no A flag and are never written (R6.4). */
static bool has_a_flag(const pw_walk_state *w, unsigned level)
{
    return !(w->mode == PW_MODE_PAE && level == PW_LVL_PDPT);
}

/* R7.1: one entry, in the SDM's order. */
static void step_entry(pw_walk_state *w, uint64_t e, uint64_t pa, bool from_mem)
{
    unsigned l = w->level;
    w->entry[l] = e;
    w->entry_pa[l] = pa;
    w->from_mem[l] = from_mem;
    uint32_t acc_bits = w->acc_bits;

    switch (pw_classify_with_base(w->cfg, &w->regs, w->mode, l, e, w->rsvd_base)) {
    case PW_ENT_NOT_PRESENT:
        finish_fault(w, acc_bits, e, pa);                       /* P=0 */
        return;
    case PW_ENT_RESERVED:
        finish_fault(w, acc_bits | PF_P | PF_RSVD, e, pa);      /* R5 */
        return;
    case PW_ENT_LEAF: {
        fold(w, e, true);
        perm_of(w->and_bits, w->nonleaf_and, w->xd_bits, &w->perm);
        w->perm.dirty = (e & PTE_D) != 0;
        if (w->mode == PW_MODE_4LVL || w->mode == PW_MODE_5LVL)
            w->perm.pk = (uint8_t)((e & PTE_PK) >> PTE_PK_SHIFT);  /* R8.7: leaf key only */
        w->leaf_level = l;
        uint32_t err = pw_rights_check(&w->ctl, &w->req, &w->perm);  /* R7.3 */
        if (err) {
            finish_fault(w, err, e, pa);
            return;
        }
        w->phase = PW_PHASE_UPDATE;
        w->upd_level = pw_mode_levels(w->mode);
        return;
    }
    case PW_ENT_TABLE:
        fold(w, e, false);
        w->and_at[l] = w->and_bits;
        w->xd_at[l] = w->xd_bits;
        w->next_table[l] = pw_entry_addr(w->cfg, w->mode, l, false, e);
        /* R9.5 knob: QEMU sets A as each non-leaf entry passes its checks. */
        if (w->cfg->ad_on_fault == PW_AD_NONLEAF_AS_WALKED && from_mem && has_a_flag(w, l) &&
            !(e & PTE_A)) {
            w->cas_now = true;
            return;
        }
        w->table = w->next_table[l];
        w->level = l - 1;
        return;
    }
}

static bool leaf_needs_update(const pw_walk_state *w, uint64_t e)
{
    return !(e & PTE_A) || (w->req.kind == PW_ACC_WRITE && !(e & PTE_D));   /* R9.1, R9.2 */
}

static void set_cas(pw_walk_state *w, pw_mem_access *acc, unsigned level, uint64_t desired)
{
    *acc = (pw_mem_access){.kind = PW_MEM_CAS, .pa = w->entry_pa[level], .size = w->esize,
                           .expect = w->entry[level], .desired = desired, .level = level};
}

/* The next access, built in w->pending; NULL when the walk is done. */
static const pw_mem_access *next_access(pw_walk_state *w)
{
    pw_mem_access *acc = &w->pending;
    for (;;) {
        if (w->phase == PW_PHASE_DONE)
            return NULL;
        if (w->has_pending)
            return acc;
        if (w->phase == PW_PHASE_WALK) {
            unsigned l = w->level;
            if (w->cas_now) {
                set_cas(w, acc, l, w->entry[l] | PTE_A);
            } else {
                unsigned idx = pw_la_index(w->mode, l, w->la);
                uint64_t pa = w->table + (uint64_t)idx * w->esize;
                if (w->mode == PW_MODE_PAE && l == PW_LVL_PDPT &&
                    w->cfg->pae_pdpte == PW_PDPTE_REGISTERS) {
                    /* R6.3: the PDPTE register, no memory access. */
                    step_entry(w, w->regs.pdpte[idx], pa, false);
                    continue;
                }
                acc->kind = PW_MEM_READ;
                acc->pa = pa;
                acc->size = w->esize;
                acc->expect = acc->desired = 0;
                acc->level = l;
            }
            w->has_pending = true;
            return acc;
        }
        /* PW_PHASE_UPDATE, R9.3: one CAS per entry that needs it, top level first. */
        for (unsigned l = w->upd_level; l >= w->leaf_level && l >= 1; l--) {
            if (!w->from_mem[l] || !has_a_flag(w, l))
                continue;
            uint64_t e = w->entry[l];
            bool leaf = l == w->leaf_level;
            if (leaf ? leaf_needs_update(w, e) : !(e & PTE_A)) {
                uint64_t want = e | PTE_A;
                if (leaf && w->req.kind == PW_ACC_WRITE)
                    want |= PTE_D;
                set_cas(w, acc, l, want);
                w->upd_level = l;
                w->has_pending = true;
                return acc;
            }
        }
        finish_ok(w);
        return NULL;
    }
}

bool pw_walk_next(pw_walk_state *w, pw_mem_access *acc)
{
    if (!w || !acc)
        return false;
    const pw_mem_access *a = next_access(w);
    if (a)
        *acc = *a;
    return a != NULL;
}

pw_status pw_walk_respond(pw_walk_state *w, pw_mem_status st, uint64_t data)
{
    if (!w || !w->has_pending || st > PW_MEM_BUS_ERROR)
        return PW_ERR_ARG;
    pw_mem_access acc = w->pending;
    w->has_pending = false;
    if (acc.size == sizeof(uint32_t))
        data &= PW_BITS(31, 0);

    if (st != PW_MEM_OK) {
        pw_result *r = &w->result;
        r->outcome = PW_OUT_BUS_ERROR;
        r->level = acc.level;
        r->entry_pa = acc.pa;
        w->phase = PW_PHASE_DONE;
        return PW_OK;
    }
    if (acc.kind == PW_MEM_READ) {
        step_entry(w, data, acc.pa, true);
        return PW_OK;
    }
    if (data != acc.expect) {
        /* R9.3: the entry changed under us; redo the walk from the root. */
        if (++w->result.restarts > w->cfg->max_restarts) {
            w->status = PW_ERR_LIVELOCK;
            w->result.outcome = PW_OUT_ABORTED;
            w->result.level = acc.level;
            w->result.entry_pa = acc.pa;
            w->phase = PW_PHASE_DONE;
            return PW_ERR_LIVELOCK;
        }
        w->start.level = 0;
        to_root(w);
        return PW_OK;
    }
    w->entry[acc.level] = acc.desired;
    if (w->phase == PW_PHASE_WALK) {
        w->cas_now = false;
        w->table = w->next_table[acc.level];
        w->level = acc.level - 1;
    } else {
        w->upd_level = acc.level - 1;
        if (acc.level == w->leaf_level)
            w->perm.dirty = (acc.desired & PTE_D) != 0;
    }
    return PW_OK;
}

pw_status pw_walk(const pw_config *cfg, const pw_regs *regs, const pw_mem *mem,
                  const pw_request *req, pw_result *res)
{
    if (!cfg || !regs || !mem || !mem->read || !mem->cas || !req || !res ||
        req->kind > PW_ACC_FETCH)
        return PW_ERR_ARG;
    if (pw_config_check(cfg, NULL) != PW_OK)
        return PW_ERR_CONFIG;
    if (pw_walk_trivial(regs, req, res))
        return PW_OK;
    pw_walk_state w;
    pw_walk_begin_trusted(&w, cfg, regs, req, NULL);   /* checked above and by pw_walk_trivial */
    const pw_mem_access *acc;
    while ((acc = next_access(&w)) != NULL) {
        uint64_t v = 0;
        pw_mem_status ms = acc->kind == PW_MEM_READ
                               ? mem->read(mem->ctx, acc->pa, acc->size, 0, &v)
                               : mem->cas(mem->ctx, acc->pa, acc->size, acc->expect, acc->desired,
                                          0, &v);
        pw_walk_respond(&w, ms, v);
    }
    *res = w.result;
    return w.status;
}
