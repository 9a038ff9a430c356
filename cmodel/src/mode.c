/* Paging modes and linear-address geometry (R1.1, R2). */
#include "pagewalk/walk.h"

#define LA32_MASK     PW_BITS(31, 0)
#define LA4_BITS      48
#define LA5_BITS      57
#define PAE_PDPT_SHIFT 30  /* R2.3: PDPTE index = LA[31:30] */
#define PAE_PDPT_MASK  3u

pw_mode pw_mode_of(const pw_regs *r)
{
    if (!(r->cr0 & CR0_PG))
        return PW_MODE_NONE;
    if (!(r->cr4 & CR4_PAE))
        return PW_MODE_32;
    if (!(r->efer & EFER_LMA))
        return PW_MODE_PAE;
    return (r->cr4 & CR4_LA57) ? PW_MODE_5LVL : PW_MODE_4LVL;
}

const char *pw_mode_name(pw_mode m)
{
    switch (m) {
    case PW_MODE_NONE: return "none";
    case PW_MODE_32: return "32bit";
    case PW_MODE_PAE: return "pae";
    case PW_MODE_4LVL: return "4level";
    case PW_MODE_5LVL: return "5level";
    }
    return "?";
}

unsigned pw_mode_levels(pw_mode m)
{
    switch (m) {
    case PW_MODE_32: return 2;
    case PW_MODE_PAE: return 3;
    case PW_MODE_4LVL: return 4;
    case PW_MODE_5LVL: return 5;
    default: return 0;
    }
}

unsigned pw_mode_entry_size(pw_mode m) { return m == PW_MODE_32 ? 4 : 8; }

static unsigned la_bits(pw_mode m)
{
    return m == PW_MODE_5LVL ? LA5_BITS : m == PW_MODE_4LVL ? LA4_BITS : 32;
}

uint64_t pw_la_truncate(pw_mode m, uint64_t la)
{
    return la & PW_BITS(la_bits(m) - 1, 0);
}

/* R2.1: bits above the top index must copy its highest bit. */
bool pw_la_canonical(pw_mode m, uint64_t la)
{
    if (m != PW_MODE_4LVL && m != PW_MODE_5LVL)
        return true;
    unsigned top = la_bits(m) - 1;
    uint64_t high = la >> top;  /* bit `top` and above */
    return high == 0 || high == (~UINT64_C(0) >> top);
}

unsigned pw_level_shift(pw_mode m, unsigned level)
{
    if (m == PW_MODE_32)
        return PW_PAGE_SHIFT + PW_LEVEL_BITS_32 * (level - 1);
    return PW_PAGE_SHIFT + PW_LEVEL_BITS * (level - 1);
}

unsigned pw_la_index(pw_mode m, unsigned level, uint64_t la)
{
    if (m == PW_MODE_PAE && level == PW_LVL_PDPT)
        return (unsigned)(la >> PAE_PDPT_SHIFT) & PAE_PDPT_MASK;
    unsigned bits = m == PW_MODE_32 ? PW_LEVEL_BITS_32 : PW_LEVEL_BITS;
    return (unsigned)(la >> pw_level_shift(m, level)) & ((1u << bits) - 1);
}

uint64_t pw_page_bytes(pw_page_size s)
{
    switch (s) {
    case PW_SIZE_2M: return PW_BIT(21);
    case PW_SIZE_4M: return PW_BIT(22);
    case PW_SIZE_1G: return PW_BIT(30);
    default: return PW_PAGE_SIZE;
    }
}

const char *pw_page_size_name(pw_page_size s)
{
    switch (s) {
    case PW_SIZE_4K: return "4K";
    case PW_SIZE_2M: return "2M";
    case PW_SIZE_4M: return "4M";
    case PW_SIZE_1G: return "1G";
    }
    return "?";
}
