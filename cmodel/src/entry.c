/* One entry at one level: reserved bits (R5), leaf or table (R7.1, R7.4),
 * and the address it holds (R2). Mirrors pw_pkg::classify in RTL. */
#include "pagewalk/walk.h"

#define PW_BITS_IN_U64 64
#define PSE36_MAX_BITS 40          /* R5.7: M' = min(M, 40) */
#define PDE32_LARGE_RSVD_HI 21     /* R5.7: 4 MiB PDE bits 21:(M'-19) */
#define PDE32_LARGE_RSVD_LO 13
#define PSE36_RSVD_OFFSET 19
#define LARGE_RSVD_LO 13           /* R5.5: bit 12 is PAT, reserved from 13 up */
#define PAE_TOP_RSVD 62            /* R5.1: PAE reserves 62:M */
#define LONG_TOP_RSVD 51           /* R5.1: 4/5-level reserves 51:M */
/* R5.6: PDPTE bits 2:1 and 8:5 */
#define PDPTE_RSVD_LOW (PW_BITS(2, 1) | PW_BITS(8, 5))

static unsigned pse36_width(const pw_config *cfg)
{
    return cfg->maxphyaddr < PSE36_MAX_BITS ? cfg->maxphyaddr : PSE36_MAX_BITS;
}

static bool nxe_active(const pw_regs *r, pw_mode m)
{
    return m != PW_MODE_32 && (r->efer & EFER_NXE);
}

/* R5.1, R5.2: the part that depends on MAXPHYADDR and NXE, same at every level. */
uint64_t pw_rsvd_base(const pw_config *cfg, const pw_regs *r, pw_mode m)
{
    if (!cfg || !r || cfg->maxphyaddr > PW_BITS_IN_U64)
        return ~UINT64_C(0);   /* nothing valid: every bit reserved */
    if (m == PW_MODE_32)
        return 0;
    unsigned top = m == PW_MODE_PAE ? PAE_TOP_RSVD : LONG_TOP_RSVD;
    uint64_t mask = cfg->maxphyaddr <= top ? PW_BITS(top, cfg->maxphyaddr) : 0;
    if (!nxe_active(r, m))
        mask |= PTE_XD;
    return mask;
}

/* The level-specific part. */
static uint64_t rsvd_level(const pw_config *cfg, pw_mode m, unsigned level, bool leaf)
{
    if (m == PW_MODE_32) {
        /* R5.7: only a 4 MiB PDE has reserved bits. */
        if (level != PW_LVL_PD || !leaf)
            return 0;
        unsigned lo = PDE32_LARGE_RSVD_LO;
        if (cfg->has_pse36 && pse36_width(cfg) > PSE36_RSVD_OFFSET + PDE32_LARGE_RSVD_LO)
            lo = pse36_width(cfg) - PSE36_RSVD_OFFSET;
        return PW_BITS(PDE32_LARGE_RSVD_HI, lo);
    }
    if (m == PW_MODE_PAE && level == PW_LVL_PDPT)
        return PDPTE_RSVD_LOW | PTE_XD;                /* R5.6 (and R6.5 on demand) */
    if (level >= PW_LVL_PML4)
        return PTE_PS;                                 /* R5.3 */
    if (!leaf || level == PW_LVL_PT)
        return 0;
    /* R5.5: large-page address bits below the page size, above PAT (29:13, 20:13). */
    uint64_t mask = PW_BITS(pw_level_shift(m, level) - 1, LARGE_RSVD_LO);
    if (level == PW_LVL_PDPT && !cfg->has_1g)
        mask |= PTE_PS;                                /* R5.4 */
    return mask;
}

uint64_t pw_rsvd_mask(const pw_config *cfg, const pw_regs *r, pw_mode m, unsigned level, bool leaf)
{
    if (!cfg || level < PW_LVL_PT || level > PW_LVL_PML5)
        return ~UINT64_C(0);
    return pw_rsvd_base(cfg, r, m) | rsvd_level(cfg, m, level, leaf);
}

/* R7.4: which PS=1 entries are leaves. */
static bool is_leaf(const pw_regs *r, pw_mode m, unsigned level, uint64_t e)
{
    if (level == PW_LVL_PT)
        return true;
    if (!(e & PTE_PS))
        return false;
    if (level == PW_LVL_PD)
        return m != PW_MODE_32 || (r->cr4 & CR4_PSE);
    /* PS at a 4/5-level PDPTE makes a 1 GiB leaf (reserved without has_1g, R5.4);
     * at PML4E/PML5E and in a PAE PDPTE it is a reserved bit of a table entry. */
    return level == PW_LVL_PDPT && (m == PW_MODE_4LVL || m == PW_MODE_5LVL);
}

bool pw_entry_is_leaf(const pw_regs *r, pw_mode m, unsigned level, uint64_t e)
{
    return r && level >= PW_LVL_PT && level <= PW_LVL_PML5 && is_leaf(r, m, level, e);
}

pw_entry_class pw_classify_with_base(const pw_config *cfg, const pw_regs *r, pw_mode m,
                                     unsigned level, uint64_t e, uint64_t rsvd_base)
{
    if (!cfg || !r || level < PW_LVL_PT || level > PW_LVL_PML5)
        return PW_ENT_RESERVED;                        /* not an entry we can judge */
    if (!(e & PTE_P))
        return PW_ENT_NOT_PRESENT;                     /* R7.1 a, R5.8 */
    bool leaf = is_leaf(r, m, level, e);
    if (e & (rsvd_base | rsvd_level(cfg, m, level, leaf)))
        return PW_ENT_RESERVED;                        /* R7.1 b */
    return leaf ? PW_ENT_LEAF : PW_ENT_TABLE;
}

pw_entry_class pw_classify(const pw_config *cfg, const pw_regs *r, pw_mode m, unsigned level,
                           uint64_t e)
{
    return pw_classify_with_base(cfg, r, m, level, e, pw_rsvd_base(cfg, r, m));
}

uint64_t pw_entry_addr(const pw_config *cfg, pw_mode m, unsigned level, bool leaf, uint64_t e)
{
    if (!cfg || level < PW_LVL_PT || level > PW_LVL_PML5 || cfg->maxphyaddr > PW_BITS_IN_U64)
        return 0;
    if (m == PW_MODE_32) {
        if (!(leaf && level == PW_LVL_PD))
            return e & PW_BITS(31, PW_PAGE_SHIFT);     /* R2.2 */
        uint64_t pa = e & PW_BITS(31, pw_level_shift(m, level));
        if (cfg->has_pse36) {
            uint64_t hi = (e >> PDE32_PSE36_SHIFT) & PW_BITS(PDE32_PSE36_BITS - 1, 0);
            pa |= (hi << 32) & PW_BITS(pse36_width(cfg) - 1, 0);
        }
        return pa;
    }
    unsigned lo = leaf ? pw_level_shift(m, level) : PW_PAGE_SHIFT;
    return e & PW_BITS(cfg->maxphyaddr - 1, lo);       /* R2.3, R2.4 */
}
