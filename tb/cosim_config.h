// The configuration the Verilator model was built with. The Makefile passes the
// same values to verilator (-G<param>) and to this code (-DPWCFG_<param>), so
// pw_top's parameters and the model's pw_config always agree (docs/ports.md).
#ifndef TB_COSIM_CONFIG_H
#define TB_COSIM_CONFIG_H

#include "pagewalk/types.h"

#ifndef PWCFG_TLB_ENTRIES
#define PWCFG_TLB_ENTRIES 32
#endif
#ifndef PWCFG_PSC_PDE
#define PWCFG_PSC_PDE 8
#endif
#ifndef PWCFG_PSC_PDPTE
#define PWCFG_PSC_PDPTE 4
#endif
#ifndef PWCFG_PSC_PML4E
#define PWCFG_PSC_PML4E 2
#endif
#ifndef PWCFG_PSC_PML5E
#define PWCFG_PSC_PML5E 2
#endif
#ifndef PWCFG_MAXPHYADDR
#define PWCFG_MAXPHYADDR 46
#endif
#ifndef PWCFG_HAS_1G
#define PWCFG_HAS_1G 1
#endif
#ifndef PWCFG_HAS_PSE36
#define PWCFG_HAS_PSE36 1
#endif
#ifndef PWCFG_HAS_LONG
#define PWCFG_HAS_LONG 1
#endif
#ifndef PWCFG_HAS_LA57
#define PWCFG_HAS_LA57 1
#endif
#ifndef PWCFG_HAS_PCID
#define PWCFG_HAS_PCID 1
#endif
#ifndef PWCFG_HAS_PKS
#define PWCFG_HAS_PKS 1
#endif
#ifndef PWCFG_HAS_CET
#define PWCFG_HAS_CET 1
#endif
#ifndef PWCFG_AD_AS_WALKED
#define PWCFG_AD_AS_WALKED 0
#endif
#ifndef PWCFG_PDPTE_ON_DEMAND
#define PWCFG_PDPTE_ON_DEMAND 0
#endif
#ifndef PWCFG_CNT_W
#define PWCFG_CNT_W 64
#endif
/* pw_top's counters count modulo 2^CNT_W; the model's are 64-bit. */
#define PWCFG_CNT_MASK (PWCFG_CNT_W >= 64 ? UINT64_MAX : (UINT64_C(1) << PWCFG_CNT_W) - 1)
#define PWCFG_STR_(x) #x
#define PWCFG_STR(x) PWCFG_STR_(x)
#ifdef PWCFG_NAME_TOKEN
#define PWCFG_NAME PWCFG_STR(PWCFG_NAME_TOKEN)
#else
#define PWCFG_NAME "default"
#endif

static inline void cosim_config(pw_config *cfg)
{
    pw_config_default(cfg);
    cfg->tlb_entries = PWCFG_TLB_ENTRIES;
    cfg->psc_entries[2] = PWCFG_PSC_PDE;
    cfg->psc_entries[3] = PWCFG_PSC_PDPTE;
    cfg->psc_entries[4] = PWCFG_PSC_PML4E;
    cfg->psc_entries[5] = PWCFG_PSC_PML5E;
    cfg->maxphyaddr = PWCFG_MAXPHYADDR;
    cfg->has_1g = PWCFG_HAS_1G;
    cfg->has_pse36 = PWCFG_HAS_PSE36;
    cfg->has_long = PWCFG_HAS_LONG;
    cfg->has_la57 = PWCFG_HAS_LA57;
    cfg->has_pcid = PWCFG_HAS_PCID;
    cfg->has_pks = PWCFG_HAS_PKS;
    cfg->has_cet = PWCFG_HAS_CET;
    cfg->ad_on_fault = PWCFG_AD_AS_WALKED ? PW_AD_NONLEAF_AS_WALKED : PW_AD_NONE;
    cfg->pae_pdpte = PWCFG_PDPTE_ON_DEMAND ? PW_PDPTE_ON_DEMAND : PW_PDPTE_REGISTERS;
}

#endif
