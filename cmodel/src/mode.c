/* Paging modes and linear-address geometry (R1.1, R2). */
#include "pagewalk/walk.h"


pw_mode pw_mode_of(const pw_regs *r)
{
    if (!r || !(r->cr0 & CR0_PG))
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
