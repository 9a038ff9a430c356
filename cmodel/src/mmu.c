/* TLB + PSCs + walker + timing: the cycle model of docs/timing.md that
 * rtl/pw_top.sv is compared with. Transaction level: one call per request,
 * with every cycle of it computed from the memory's schedule. */
#include <string.h>

#include "pagewalk/mmu.h"
#include "walk_priv.h"

static void derive(pw_mmu *m)
{
    m->mode = pw_mode_of(&m->regs);
    m->pcid = pw_regs_pcid(&m->regs);
    pw_rights_ctl_of(&m->regs, &m->ctl);
}

static void flush_all(pw_mmu *m)
{
    pw_flush f = {.kind = PW_FLUSH_ALL};
    pw_tlb_flush(&m->tlb, &f);
    pw_psc_flush(&m->psc, m->mode, &f);
    m->fill_pending = false;
}

pw_status pw_mmu_init(pw_mmu *m, const pw_config *cfg, const pw_mem *mem)
{
    if (!m || !cfg || !mem || !mem->read || !mem->cas)
        return PW_ERR_ARG;
    pw_status s = pw_config_check(cfg, NULL);
    if (s != PW_OK)
        return s;
    memset(m, 0, sizeof *m);
    m->cfg = *cfg;
    m->mem = *mem;
    pw_regs_reset(&m->regs);
    derive(m);
    if (pw_tlb_init(&m->tlb, cfg->tlb_entries) != PW_OK || pw_psc_init(&m->psc, cfg) != PW_OK)
        return PW_ERR_CONFIG;
    return PW_OK;
}

pw_status pw_mmu_set_regs(pw_mmu *m, const pw_regs *regs)
{
    if (!m || !regs)
        return PW_ERR_ARG;
    pw_status s = pw_regs_validate(&m->cfg, regs, NULL);
    if (s != PW_OK)
        return s;
    m->regs = *regs;
    derive(m);
    flush_all(m);
    return PW_OK;
}

uint64_t pw_mmu_accept_cycle(const pw_mmu *m, uint64_t cycle)
{
    uint64_t a = cycle > m->ready_cycle ? cycle : m->ready_cycle;
    return a > m->next_cycle ? a : m->next_cycle;
}

/* The walk's results, written at the edge that ends fill_cycle (docs/timing.md 11). */
static void do_fill(pw_mmu *m)
{
    const pw_walk_state *w = &m->fill_walk;
    const pw_result *r = &w->result;
    uint64_t bytes = pw_page_bytes(r->size);
    pw_tlb_entry e = {
        .valid = true,
        .vpn = (w->la & ~(bytes - 1)) >> PW_PAGE_SHIFT,
        .size = r->size,
        .pcid = m->fill_pcid,
        .global = r->global,
        .pfn = (r->pa & ~(bytes - 1)) >> PW_PAGE_SHIFT,
        .perm = r->perm,
        .memtype = r->memtype,
        .level = r->level,
    };
    pw_tlb_fill(&m->tlb, &e);
    /* R11.3: non-leaf entries this walk read (A=1 by now), never PAE PDPTE registers. */
    for (unsigned l = pw_mode_levels(w->mode); l > r->level; l--) {
        if (!w->from_mem[l])
            continue;
        pw_perm p;
        pw_walk_perm_at(w, l, &p);
        pw_psc_fill(&m->psc, w->mode, l, w->la, m->fill_pcid, w->next_table[l], &p);
    }
}

void pw_mmu_settle(pw_mmu *m, uint64_t cycle)
{
    if (m && m->fill_pending && cycle > m->fill_cycle) {
        do_fill(m);
        m->fill_pending = false;
    }
}

static pw_status apply_ctl(pw_mmu *m, const pw_ctl *op, pw_flush *f)
{
    pw_regs *r = &m->regs;
    const pw_config *c = &m->cfg;
    *f = (pw_flush){.kind = PW_FLUSH_NONE};
    switch (op->kind) {
    case PW_CTL_MOV_CR0: return pw_regs_mov_cr0(c, r, &m->mem, op->value, f);
    case PW_CTL_MOV_CR3: return pw_regs_mov_cr3(c, r, &m->mem, op->value, f);
    case PW_CTL_MOV_CR4: return pw_regs_mov_cr4(c, r, &m->mem, op->value, f);
    case PW_CTL_WRMSR_EFER: return pw_regs_wrmsr_efer(c, r, op->value, f);
    case PW_CTL_WRPKRU:
        if (op->value >> 32)
            return PW_ERR_GP;
        r->pkru = (uint32_t)op->value;
        return PW_OK;
    case PW_CTL_WRPKRS:
        if ((op->value >> 32) || !c->has_pks)
            return PW_ERR_GP;
        r->pkrs = (uint32_t)op->value;
        return PW_OK;
    case PW_CTL_INVLPG: return pw_regs_invlpg(c, r, op->la, f);
    case PW_CTL_INVPCID: return pw_regs_invpcid(c, r, op->type, op->value, op->la, f);
    case PW_CTL_FLUSH_ALL: f->kind = PW_FLUSH_ALL; return PW_OK;
    }
    return PW_ERR_ARG;
}

pw_status pw_mmu_ctl(pw_mmu *m, uint64_t cycle, const pw_ctl *op)
{
    if (!m || !op || cycle < m->next_cycle)
        return PW_ERR_ARG;
    pw_mmu_settle(m, cycle);
    pw_flush f;
    pw_regs before = m->regs;
    pw_status s = apply_ctl(m, op, &f);
    if (s != PW_OK) {
        m->regs = before;
        return s;
    }
    /* Epoch (docs/timing.md 12): any operation during a walk, or in the cycle of
     * its fill, cancels the fill. */
    if (m->fill_pending && cycle >= m->walk_accept && cycle <= m->fill_cycle) {
        m->fill_pending = false;
        m->cnt.fills_dropped++;
    }
    pw_mode old_mode = m->mode;
    derive(m);
    pw_tlb_flush(&m->tlb, &f);
    pw_psc_flush(&m->psc, old_mode, &f);
    m->next_cycle = cycle + 1;
    return PW_OK;
}

pw_status pw_mmu_reset(pw_mmu *m, uint64_t cycle)
{
    if (!m)
        return PW_ERR_ARG;
    /* Undo, newest first, the CASes the memory would have accepted from `cycle` on. A
     * write by another agent after the CAS may have changed the entry since: the undo
     * is then itself a CAS that fails, and that agent's value stays. */
    for (unsigned i = m->n_cas_done; i-- > 0;) {
        if (m->cas_done[i].accept < cycle)
            break;
        uint64_t was;
        m->mem.cas(m->mem.ctx, m->cas_done[i].pa, m->cas_done[i].size, m->cas_done[i].written,
                   m->cas_done[i].old, cycle, &was);
    }
    bool lost = m->cas_log_full;
    pw_config cfg = m->cfg;
    pw_mem mem = m->mem;
    pw_status s = pw_mmu_init(m, &cfg, &mem);
    if (s != PW_OK)
        return s;
    m->ready_cycle = m->next_cycle = cycle + 1;
    return lost ? PW_ERR_RANGE : PW_OK;
}

static void default_schedule(uint64_t issue, uint64_t *accept, uint64_t *respond)
{
    *accept = issue;
    *respond = issue + 1;
}

static void hit_result(const pw_tlb_entry *e, uint64_t la, pw_result *r)
{
    uint64_t offset = la & ~(e->vpn_mask << PW_PAGE_SHIFT);
    r->outcome = PW_OUT_OK;
    r->pa = (e->pfn << PW_PAGE_SHIFT) | offset;
    r->size = e->size;
    r->perm = e->perm;
    r->global = e->global;
    r->memtype = e->memtype;
    r->level = e->level;
    r->raw_entry = 0;
    r->entry_pa = 0;
    r->err_code = 0;
    r->restarts = 0;
}

/* Run the walk against the memory's schedule, from cycle a + 1. Returns the
 * cycle of the last memory response (a if none). */
static pw_status run_walk(pw_mmu *m, pw_walk_state *w, uint64_t a, pw_mmu_response *rsp,
                          uint64_t *last)
{
    const pw_mem *mem = &m->mem;
    uint64_t issue = a + 1;
    *last = a;
    pw_mem_access acc;
    while (pw_walk_next(w, &acc)) {
        uint64_t g, rr, v = 0;
        if (mem->schedule)
            mem->schedule(mem->ctx, issue, &acc, &g, &rr);
        else
            default_schedule(issue, &g, &rr);
        if (g < issue)
            g = issue;                  /* a memory cannot accept before it is asked */
        if (rr <= g)
            rr = g + 1;
        pw_mem_status st;
        if (acc.kind == PW_MEM_READ) {
            st = mem->read(mem->ctx, acc.pa, acc.size, g, &v);
            m->cnt.mem_reads++;
        } else {
            st = mem->cas(mem->ctx, acc.pa, acc.size, acc.expect, acc.desired, g, &v);
            m->cnt.mem_cas++;
            if (st == PW_MEM_OK && v == acc.expect) {
                if (m->n_cas_done < PW_TRACE_MAX)
                    m->cas_done[m->n_cas_done++] = (pw_mmu_cas_record){
                        .pa = acc.pa, .old = v, .written = acc.desired, .accept = g, .size = acc.size};
                else
                    m->cas_log_full = true;
            }
        }
        if (rsp->n_trace < PW_TRACE_MAX)
            rsp->trace[rsp->n_trace++] = (pw_trace_entry){
                .acc = acc, .issue = issue, .accept = g, .respond = rr, .data = v, .status = st};
        rsp->n_access++;
        *last = rr;
        issue = rr + 1;
        pw_status s = pw_walk_respond(w, st, v);
        if (s != PW_OK)
            return s;
    }
    return PW_OK;
}

pw_status pw_mmu_translate(pw_mmu *m, const pw_request *req, uint64_t cycle, pw_mmu_response *rsp)
{
    if (!m || !req || !rsp || req->kind > PW_ACC_FETCH)
        return PW_ERR_ARG;
    uint64_t a = pw_mmu_accept_cycle(m, cycle);
    pw_mmu_settle(m, a);
    rsp->accept_cycle = a;
    rsp->rsp_cycle = a + 1;
    rsp->hit = false;
    rsp->psc_level = 0;
    rsp->n_trace = rsp->n_access = 0;
    m->cnt.requests++;
    m->next_cycle = a;
    m->ready_cycle = a + 1;

    if ((m->mode == PW_MODE_NONE || !pw_la_canonical(m->mode, req->la)) &&
        pw_walk_trivial(&m->regs, req, &rsp->result))
        return PW_OK;

    uint64_t la = pw_la_truncate(m->mode, req->la);
    int i = pw_tlb_lookup(&m->tlb, la, m->pcid);
    if (i >= 0) {
        const pw_tlb_entry *e = &m->tlb.e[i];
        /* The TLB never delivers a fault, and a write through a clean entry must
         * set D in memory (R11.2): both re-walk. Same check as the walk (R8.10). */
        bool rewalk = pw_rights_check(&m->ctl, req, &e->perm) != 0 ||
                      (req->kind == PW_ACC_WRITE && !e->perm.dirty);
        if (!rewalk) {
            pw_tlb_touch(&m->tlb, (unsigned)i);
            hit_result(e, la, &rsp->result);
            rsp->hit = true;
            m->cnt.hits++;
            return PW_OK;
        }
    } else {
        m->cnt.misses++;
    }

    m->cnt.walks++;
    pw_walk_start start;
    unsigned pl = pw_psc_lookup(&m->psc, m->mode, la, m->pcid, &start);
    if (pl) {
        m->cnt.psc_hits[pl]++;
        rsp->psc_level = pl;
    }
    pw_walk_state *w = &m->fill_walk;
    m->n_cas_done = 0;
    m->cas_log_full = false;
    /* Config checked at init, kind above, paging and canonical LA by the trivial test. */
    pw_walk_begin_trusted(w, &m->cfg, &m->regs, req, pl ? &start : NULL);
    uint64_t last;
    pw_status s = run_walk(m, w, a, rsp, &last);
    m->cnt.restarts += w->result.restarts;
    rsp->result = w->result;
    rsp->rsp_cycle = last + 1;
    m->ready_cycle = last + 1;
    m->cnt.walk_cycles += rsp->rsp_cycle - a;
    if (s != PW_OK)
        return s;

    switch (w->result.outcome) {
    case PW_OUT_OK:
        m->fill_pending = true;
        m->walk_accept = a;
        m->fill_cycle = last;
        m->fill_pcid = m->pcid;
        break;
    case PW_OUT_PF: {
        /* R11.5 #PF row: self-invalidation for the faulting LA. */
        m->cnt.faults++;
        pw_flush f = {.kind = PW_FLUSH_FAULT, .pcid = m->pcid, .la = la};
        pw_tlb_flush(&m->tlb, &f);
        pw_psc_flush(&m->psc, m->mode, &f);
        break;
    }
    default:
        m->cnt.bus_errors++;
        break;
    }
    return PW_OK;
}
