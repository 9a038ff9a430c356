/* Configuration defaults and the legality check (the RTL checks the same
 * combinations at elaboration). */
#include "pagewalk/types.h"

#define PW_MAXPHYADDR_MIN 32  /* PAE needs at least 32; real CPUs report >= 36 */
#define PW_MAXPHYADDR_MAX 52  /* R5.1: 4/5-level address fields end at bit 51 */
#define PW_MAX_RESTARTS_DEFAULT 16

void pw_config_default(pw_config *cfg)
{
    if (!cfg)
        return;
    *cfg = (pw_config){
        .maxphyaddr = 46,
        .has_1g = true,
        .has_pse36 = true,
        .has_long = true,
        .has_la57 = true,
        .has_pcid = true,
        .has_pks = true,
        .has_cet = true,
        .ad_on_fault = PW_AD_NONE,
        .pae_pdpte = PW_PDPTE_REGISTERS,
        .tlb_entries = 32,
        .psc_entries = {0, 0, 8, 4, 2, 2},
        .max_restarts = PW_MAX_RESTARTS_DEFAULT,
    };
}

static bool pow2(unsigned v) { return v && !(v & (v - 1)); }

pw_status pw_config_check(const pw_config *cfg, const char **msg)
{
    const char *why = NULL;
    if (!cfg)
        why = "no configuration";
    else if (cfg->maxphyaddr < PW_MAXPHYADDR_MIN || cfg->maxphyaddr > PW_MAXPHYADDR_MAX)
        why = "maxphyaddr must be 32..52";
    else if (cfg->has_la57 && !cfg->has_long)
        why = "has_la57 needs has_long (5-level paging is a long mode)";
    else if (!pow2(cfg->tlb_entries) || cfg->tlb_entries > PW_TLB_MAX_ENTRIES)
        why = "tlb_entries must be a power of two, 1..64";
    else if (cfg->psc_entries[0] || cfg->psc_entries[1])
        why = "psc_entries[0] and [1] must be 0 (level-1 entries are leaves)";
    else if (cfg->ad_on_fault > PW_AD_NONLEAF_AS_WALKED)
        why = "ad_on_fault out of range";
    else if (cfg->pae_pdpte > PW_PDPTE_ON_DEMAND)
        why = "pae_pdpte out of range";
    else if (cfg->max_restarts == 0)
        why = "max_restarts must be at least 1";
    else {
        for (unsigned l = PW_LVL_PD; l <= PW_LVL_PML5; l++) {
            unsigned n = cfg->psc_entries[l];
            if (n && (!pow2(n) || n > PW_PSC_MAX_ENTRIES))
                why = "psc_entries must be 0 or a power of two up to 64";
        }
    }
    if (msg)
        *msg = why;
    return why ? (cfg ? PW_ERR_CONFIG : PW_ERR_ARG) : PW_OK;
}
