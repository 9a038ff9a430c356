/* The driver's side of the stimulus: the #GP dry run of a control operation and
 * the cycle rules of stim.h. */
#include "stim.h"

pw_status stim_ctl_apply(const pw_config *cfg, pw_regs *regs, const pw_mem *mem, const pw_ctl *op)
{
    pw_flush f;
    switch (op->kind) {
    case PW_CTL_MOV_CR0: return pw_regs_mov_cr0(cfg, regs, mem, op->value, &f);
    case PW_CTL_MOV_CR3: return pw_regs_mov_cr3(cfg, regs, mem, op->value, &f);
    case PW_CTL_MOV_CR4: return pw_regs_mov_cr4(cfg, regs, mem, op->value, &f);
    case PW_CTL_WRMSR_EFER: return pw_regs_wrmsr_efer(cfg, regs, op->value, &f);
    case PW_CTL_WRPKRU:
        if (op->value >> 32)
            return PW_ERR_GP;
        regs->pkru = (uint32_t)op->value;
        return PW_OK;
    case PW_CTL_WRPKRS:
        if ((op->value >> 32) || !cfg->has_pks)
            return PW_ERR_GP;
        regs->pkrs = (uint32_t)op->value;
        return PW_OK;
    case PW_CTL_INVLPG: return pw_regs_invlpg(cfg, regs, op->la, &f);
    case PW_CTL_INVPCID: return pw_regs_invpcid(cfg, regs, op->type, op->value, op->la, &f);
    case PW_CTL_FLUSH_ALL: return PW_OK;
    }
    return PW_ERR_ARG;
}

static uint64_t max64(uint64_t a, uint64_t b) { return a > b ? a : b; }

uint64_t stim_tl_request(const stim_timeline *tl, unsigned gap)
{
    uint64_t p = max64(tl->c_next, tl->e);
    if (!tl->any_request)
        return p;
    p = max64(p, tl->a + 1);
    if (gap >= 2) {
        if (!tl->r_known)
            return STIM_WAIT;
        p = max64(p, tl->r - 1 + gap);
    }
    return p;
}

uint64_t stim_tl_ctl(const stim_timeline *tl, unsigned delay)
{
    return tl->base + delay;
}

uint64_t stim_tl_edit(const stim_timeline *tl, uint64_t last_poke_cycle)
{
    uint64_t e = max64(max64(tl->base, tl->c_next), tl->e);
    if (tl->any_request) {
        if (!tl->r_known)
            return STIM_WAIT;
        e = max64(e, tl->r);
    }
    return max64(e, last_poke_cycle + 1);
}

void stim_tl_accepted(stim_timeline *tl, uint64_t a)
{
    tl->any_request = true;
    tl->a = a;
    tl->r_known = false;
    tl->base = a;
}

void stim_tl_responded(stim_timeline *tl, uint64_t r)
{
    tl->r = r;
    tl->r_known = true;
}

void stim_tl_ctl_done(stim_timeline *tl, uint64_t c)
{
    tl->c_next = c + 1;
    tl->base = c + 1;
}

void stim_tl_edit_done(stim_timeline *tl, uint64_t e)
{
    tl->e = e;
    tl->base = e;
}

void stim_tl_reset(stim_timeline *tl, uint64_t t)
{
    tl->r = t;
    tl->r_known = true;
    tl->c_next = t + 1;
    tl->e = t + 1;
    tl->base = t + 1;
}
