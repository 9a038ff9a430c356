/* MOV to CR0/CR3/CR4, WRMSR EFER, INVLPG, INVPCID: legality (#GP), PAE PDPTE
 * loads (R6) and the invalidation each implies (R11.5). Mirrors rtl/pw_ctl.sv. */
#include <string.h>

#include "pagewalk/regs.h"
#include "pagewalk/walk.h"

#define CR0_DEFINED (PW_BITS(5, 0) | CR0_WP | PW_BIT(18) | CR0_NW | CR0_CD | CR0_PG)
/* VME..OSXMMEXCPT, UMIP, LA57, VMXE, SMXE, FSGSBASE, PCIDE, OSXSAVE, SMEP..PKS */
#define CR4_DEFINED (PW_BITS(14, 0) | PW_BITS(18, 16) | PW_BITS(24, 20))
#define EFER_DEFINED (EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)
#define PDPTE_COUNT 4
#define PDPTE_BYTES 8
#define INVPCID_TYPE_ADDR 0
#define INVPCID_TYPE_SINGLE 1
#define INVPCID_TYPE_ALL_GLOBAL 2
#define INVPCID_TYPE_ALL_NONGLOBAL 3
/* R6.1: CR0/CR4 bits whose change reloads the PDPTEs. */
#define CR0_PDPTR_BITS (CR0_PG | CR0_CD | CR0_NW)
#define CR4_PDPTR_BITS (CR4_PGE | CR4_PSE | CR4_PAE | CR4_SMEP)

const char *pw_flush_name(pw_flush_kind k)
{
    static const char *const names[] = {"none", "all", "context", "pcid-nonglobal",
                                        "nonglobal-all", "page", "page-nonglobal", "fault"};
    return k <= PW_FLUSH_FAULT ? names[k] : "?";
}

uint16_t pw_regs_pcid(const pw_regs *r)
{
    if (!r)
        return 0;
    return (r->cr4 & CR4_PCIDE) ? (uint16_t)(r->cr3 & CR3_PCID) : 0;
}

void pw_regs_reset(pw_regs *r)
{
    if (r)
        memset(r, 0, sizeof *r);
}

static void set_flush(pw_flush *f, pw_flush_kind k, uint16_t pcid, uint64_t la)
{
    if (f)
        *f = (pw_flush){.kind = k, .pcid = pcid, .la = la};
}

static bool pae_paging(const pw_regs *r)
{
    return pw_mode_of(r) == PW_MODE_PAE;
}

/* R6.1, R6.2: read four PDPTEs into `out`; #GP if one is present with reserved bits. */
static pw_status read_pdptes(const pw_config *cfg, const pw_regs *r, const pw_mem *mem,
                             uint64_t out[PDPTE_COUNT])
{
    if (!mem || !mem->read)
        return PW_ERR_ARG;
    uint64_t base = r->cr3 & CR3_PAE_BASE;
    uint64_t rsvd = pw_rsvd_mask(cfg, r, PW_MODE_PAE, PW_LVL_PDPT, false);
    for (unsigned i = 0; i < PDPTE_COUNT; i++) {
        uint64_t v = 0;
        if (mem->read(mem->ctx, base + (uint64_t)i * PDPTE_BYTES, PDPTE_BYTES, 0, &v) != PW_MEM_OK)
            return PW_ERR_RANGE;   /* no memory behind CR3: the load cannot complete */
        if ((v & PTE_P) && (v & rsvd))
            return PW_ERR_GP;
        out[i] = v;
    }
    return PW_OK;
}

pw_status pw_regs_load_pdptes(const pw_config *cfg, pw_regs *regs, const pw_mem *mem)
{
    if (!cfg || !regs)
        return PW_ERR_ARG;
    if (pw_config_check(cfg, NULL) != PW_OK)
        return PW_ERR_CONFIG;
    uint64_t p[PDPTE_COUNT];
    pw_status s = read_pdptes(cfg, regs, mem, p);
    if (s == PW_OK)
        memcpy(regs->pdpte, p, sizeof p);
    return s;
}

/* Commit `next` into *regs, loading PDPTEs first when `reload` (R6.2: all or nothing). */
static pw_status commit(const pw_config *cfg, pw_regs *regs, pw_regs *next, const pw_mem *mem,
                        bool reload)
{
    if (reload && pae_paging(next) && cfg->pae_pdpte == PW_PDPTE_REGISTERS) {
        pw_status s = pw_regs_load_pdptes(cfg, next, mem);
        if (s != PW_OK)
            return s;
    }
    *regs = *next;
    return PW_OK;
}

pw_status pw_regs_mov_cr0(const pw_config *cfg, pw_regs *regs, const pw_mem *mem, uint64_t val,
                          pw_flush *flush)
{
    if (!cfg || !regs)
        return PW_ERR_ARG;
    if (pw_config_check(cfg, NULL) != PW_OK)
        return PW_ERR_CONFIG;
    uint64_t old = regs->cr0;
    if (val & ~CR0_DEFINED)
        return PW_ERR_GP;
    if ((val & CR0_PG) && !(val & CR0_PE))
        return PW_ERR_GP;
    if ((val & CR0_NW) && !(val & CR0_CD))
        return PW_ERR_GP;
    if ((old & CR0_PG) && !(val & CR0_PG) && (regs->cr4 & CR4_PCIDE))
        return PW_ERR_GP;                                      /* R1.4 */
    if (!(old & CR0_PG) && (val & CR0_PG) && (regs->efer & EFER_LME) && !(regs->cr4 & CR4_PAE))
        return PW_ERR_GP;                                      /* R1.1: LMA needs PAE */
    if (!(val & CR0_WP) && (regs->cr4 & CR4_CET))
        return PW_ERR_GP;                                      /* CET needs WP */

    pw_regs next = *regs;
    next.cr0 = val;
    next.efer &= ~EFER_LMA;
    if ((val & CR0_PG) && (regs->efer & EFER_LME))
        next.efer |= EFER_LMA;
    if (!(next.efer & EFER_LMA))
        next.cr3 &= PW_BITS(31, 0);
    pw_status s = commit(cfg, regs, &next, mem, ((old ^ val) & CR0_PDPTR_BITS) != 0);
    if (s != PW_OK)
        return s;
    /* R11.5: PG 1->0 drops everything; WP is evaluated at access time (R11.7). */
    set_flush(flush, ((old & CR0_PG) && !(val & CR0_PG)) ? PW_FLUSH_ALL : PW_FLUSH_NONE, 0, 0);
    return PW_OK;
}

pw_status pw_regs_mov_cr3(const pw_config *cfg, pw_regs *regs, const pw_mem *mem, uint64_t val,
                          pw_flush *flush)
{
    if (!cfg || !regs)
        return PW_ERR_ARG;
    if (pw_config_check(cfg, NULL) != PW_OK)
        return PW_ERR_CONFIG;
    bool noflush = false;
    if (regs->efer & EFER_LMA) {
        if (regs->cr4 & CR4_PCIDE) {
            noflush = (val & CR3_NOFLUSH) != 0;                /* R3.4: hint, not stored */
            val &= ~CR3_NOFLUSH;
        }
        if (val & PW_BITS(63, cfg->maxphyaddr))
            return PW_ERR_GP;                                  /* R3.3, R3.4 */
    } else {
        val &= PW_BITS(31, 0);                                 /* R3.1, R3.2 */
    }
    pw_regs next = *regs;
    next.cr3 = val;
    pw_status s = commit(cfg, regs, &next, mem, true);
    if (s != PW_OK)
        return s;
    set_flush(flush, noflush ? PW_FLUSH_NONE : PW_FLUSH_PCID_NONGLOBAL, pw_regs_pcid(regs), 0);
    return PW_OK;
}

pw_status pw_regs_mov_cr4(const pw_config *cfg, pw_regs *regs, const pw_mem *mem, uint64_t val,
                          pw_flush *flush)
{
    if (!cfg || !regs)
        return PW_ERR_ARG;
    if (pw_config_check(cfg, NULL) != PW_OK)
        return PW_ERR_CONFIG;
    uint64_t old = regs->cr4, chg = old ^ val;
    bool lma = (regs->efer & EFER_LMA) != 0;
    if (val & ~CR4_DEFINED)
        return PW_ERR_GP;
    if (((val & CR4_LA57) && !cfg->has_la57) || ((val & CR4_PCIDE) && !cfg->has_pcid) ||
        ((val & CR4_PKS) && !cfg->has_pks) || ((val & CR4_CET) && !cfg->has_cet))
        return PW_ERR_GP;                                      /* feature not present */
    if (lma && (chg & CR4_LA57))
        return PW_ERR_GP;                                      /* R1.3 */
    if (lma && !(val & CR4_PAE))
        return PW_ERR_GP;                                      /* long mode needs PAE */
    if ((val & CR4_PCIDE) && !(old & CR4_PCIDE) && (!lma || (regs->cr3 & CR3_PCID)))
        return PW_ERR_GP;                                      /* R1.4 */
    if ((val & CR4_CET) && !(regs->cr0 & CR0_WP))
        return PW_ERR_GP;

    pw_regs next = *regs;
    next.cr4 = val;
    pw_status s = commit(cfg, regs, &next, mem, (chg & CR4_PDPTR_BITS) != 0);
    if (s != PW_OK)
        return s;
    /* R11.5 */
    if ((chg & CR4_PGE) || ((old & CR4_PCIDE) && !(val & CR4_PCIDE)))
        set_flush(flush, PW_FLUSH_ALL, 0, 0);
    else if ((chg & CR4_PAE) || ((val & CR4_SMEP) && !(old & CR4_SMEP)))
        set_flush(flush, PW_FLUSH_CONTEXT, pw_regs_pcid(regs), 0);
    else
        set_flush(flush, PW_FLUSH_NONE, 0, 0);
    return PW_OK;
}

pw_status pw_regs_wrmsr_efer(const pw_config *cfg, pw_regs *regs, uint64_t val, pw_flush *flush)
{
    if (!cfg || !regs)
        return PW_ERR_ARG;
    if (pw_config_check(cfg, NULL) != PW_OK)
        return PW_ERR_CONFIG;
    if (val & ~EFER_DEFINED)
        return PW_ERR_GP;
    if ((val & EFER_LME) && !cfg->has_long)
        return PW_ERR_GP;                                      /* no long mode: LME is reserved */
    if ((regs->cr0 & CR0_PG) && ((val ^ regs->efer) & EFER_LME))
        return PW_ERR_GP;                                      /* LME changes only with PG=0 */
    /* LMA is read-only: it follows LME and CR0.PG. NXE is not a flush (R11.7). */
    regs->efer = (val & ~EFER_LMA) | (regs->efer & EFER_LMA);
    set_flush(flush, PW_FLUSH_NONE, 0, 0);
    return PW_OK;
}

pw_status pw_regs_invlpg(const pw_config *cfg, const pw_regs *regs, uint64_t la, pw_flush *flush)
{
    if (!cfg || !regs)
        return PW_ERR_ARG;
    if (pw_config_check(cfg, NULL) != PW_OK)
        return PW_ERR_CONFIG;
    pw_mode m = pw_mode_of(regs);
    if (!pw_la_canonical(m, la)) {
        set_flush(flush, PW_FLUSH_NONE, 0, 0);                 /* R11.5: NOP */
        return PW_OK;
    }
    set_flush(flush, PW_FLUSH_PAGE, pw_regs_pcid(regs), pw_la_truncate(m, la));
    return PW_OK;
}

pw_status pw_regs_invpcid(const pw_config *cfg, const pw_regs *regs, unsigned type,
                          uint64_t desc_pcid, uint64_t desc_la, pw_flush *flush)
{
    if (!cfg || !regs)
        return PW_ERR_ARG;
    if (pw_config_check(cfg, NULL) != PW_OK)
        return PW_ERR_CONFIG;
    pw_mode m = pw_mode_of(regs);
    bool pcide = (regs->cr4 & CR4_PCIDE) != 0;
    if (!cfg->has_pcid || type > INVPCID_TYPE_ALL_NONGLOBAL || (desc_pcid & ~CR3_PCID))
        return PW_ERR_GP;
    uint16_t pcid = (uint16_t)desc_pcid;
    switch (type) {
    case INVPCID_TYPE_ADDR:
        if ((!pcide && pcid) || !pw_la_canonical(m, desc_la))
            return PW_ERR_GP;
        set_flush(flush, PW_FLUSH_PAGE_NONGLOBAL, pcid, pw_la_truncate(m, desc_la));
        return PW_OK;
    case INVPCID_TYPE_SINGLE:
        if (!pcide && pcid)
            return PW_ERR_GP;
        set_flush(flush, PW_FLUSH_PCID_NONGLOBAL, pcid, 0);
        return PW_OK;
    case INVPCID_TYPE_ALL_GLOBAL:
        set_flush(flush, PW_FLUSH_ALL, 0, 0);
        return PW_OK;
    default:
        set_flush(flush, PW_FLUSH_NONGLOBAL_ALL, 0, 0);
        return PW_OK;
    }
}

void pw_regs_normalize(pw_regs *r)
{
    if (!r)
        return;
    r->efer &= ~EFER_LMA;
    if ((r->cr0 & CR0_PG) && (r->efer & EFER_LME))
        r->efer |= EFER_LMA;
}

pw_status pw_regs_validate(const pw_config *cfg, const pw_regs *r, const char **msg)
{
    const char *why = NULL;
    bool pg = r && (r->cr0 & CR0_PG), lma = r && (r->efer & EFER_LMA);
    if (!cfg || !r)
        why = "no configuration or registers";
    else if (pw_config_check(cfg, NULL) != PW_OK)
        why = "invalid configuration";
    else if ((r->cr0 & ~CR0_DEFINED) || (r->cr4 & ~CR4_DEFINED) || (r->efer & ~EFER_DEFINED))
        why = "reserved control-register bits set";
    else if (pg && !(r->cr0 & CR0_PE))
        why = "CR0.PG=1 needs CR0.PE=1";
    else if (lma != (pg && (r->efer & EFER_LME)))
        why = "EFER.LMA must equal EFER.LME && CR0.PG";
    else if (lma && !(r->cr4 & CR4_PAE))
        why = "long mode needs CR4.PAE=1";
    else if ((r->efer & EFER_LME) && !cfg->has_long)
        why = "EFER.LME set but long mode is not supported";
    else if ((r->cr4 & CR4_LA57) && !cfg->has_la57)
        why = "CR4.LA57 set but 5-level paging is not supported";
    else if ((r->cr4 & CR4_PCIDE) && (!cfg->has_pcid || !lma))
        why = "CR4.PCIDE needs PCID support and long mode";
    else if ((r->cr4 & CR4_PKS) && !cfg->has_pks)
        why = "CR4.PKS set but PKS is not supported";
    else if ((r->cr4 & CR4_CET) && (!cfg->has_cet || !(r->cr0 & CR0_WP)))
        why = "CR4.CET needs CET support and CR0.WP=1";
    else if (lma && (r->cr3 & PW_BITS(63, cfg->maxphyaddr)))
        why = "CR3 has bits set at or above MAXPHYADDR";
    else if (!lma && (r->cr3 >> 32))
        why = "CR3 has bits above 31 outside long mode";
    else if (pae_paging(r) && cfg->pae_pdpte == PW_PDPTE_REGISTERS) {
        uint64_t rsvd = pw_rsvd_mask(cfg, r, PW_MODE_PAE, PW_LVL_PDPT, false);
        for (unsigned i = 0; i < PDPTE_COUNT; i++)
            if ((r->pdpte[i] & PTE_P) && (r->pdpte[i] & rsvd))
                why = "a present PDPTE register has reserved bits set";
    }
    if (msg)
        *msg = why;
    if (!why)
        return PW_OK;
    if (!cfg || !r)
        return PW_ERR_ARG;
    return pw_config_check(cfg, NULL) != PW_OK ? PW_ERR_CONFIG : PW_ERR_GP;
}
