/* Types shared by every layer of libpagewalk. Mirrors rtl/pw_pkg.sv. */
#ifndef PAGEWALK_TYPES_H
#define PAGEWALK_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Every entry point returns one of these; bad input never aborts. */
typedef enum {
    PW_OK = 0,
    PW_ERR_ARG,      /* a NULL pointer or an out-of-range argument */
    PW_ERR_CONFIG,   /* an illegal configuration (pw_config_check) */
    PW_ERR_GP,       /* an illegal register write or invalidation: #GP(0), nothing changed */
    PW_ERR_NOMEM,
    PW_ERR_IO,
    PW_ERR_FORMAT,   /* a malformed image or text */
    PW_ERR_RANGE,    /* an address outside memory, or a map that does not fit */
    PW_ERR_EXISTS,   /* os: the range is already mapped */
    PW_ERR_LIVELOCK, /* a walk restarted more than pw_config.max_restarts times */
    PW_ERR_LOOP,     /* scan: a table entry points back to a table on its own path */
    PW_ERR_LIMIT,    /* scan: more entries than the visitor's max_entries */
} pw_status;

const char *pw_status_str(pw_status s);

/* R1.1 */
typedef enum {
    PW_MODE_NONE = 0, /* CR0.PG = 0 */
    PW_MODE_32,
    PW_MODE_PAE,
    PW_MODE_4LVL,
    PW_MODE_5LVL,
} pw_mode;

typedef enum { PW_ACC_READ = 0, PW_ACC_WRITE, PW_ACC_FETCH } pw_access_kind;

typedef enum { PW_SIZE_4K = 0, PW_SIZE_2M, PW_SIZE_4M, PW_SIZE_1G } pw_page_size;

/* R9.5 / R13: A bits of non-leaf entries when the walk faults. */
typedef enum {
    PW_AD_NONE = 0,            /* KVM/Bochs: A/D only after the rights check passes */
    PW_AD_NONLEAF_AS_WALKED,   /* QEMU: non-leaf A as soon as the entry passes P/RSVD */
} pw_ad_policy;

/* R6 / R13: where PAE PDPTEs come from. */
typedef enum {
    PW_PDPTE_REGISTERS = 0,    /* Intel: loaded on MOV CR0/CR3/CR4, #GP on reserved bits */
    PW_PDPTE_ON_DEMAND,        /* AMD-NPT-like: read on every walk, #PF(RSVD) */
} pw_pdpte_policy;

/* Level numbers (x86-paging.md notation). */
enum { PW_LVL_PT = 1, PW_LVL_PD = 2, PW_LVL_PDPT = 3, PW_LVL_PML4 = 4, PW_LVL_PML5 = 5 };

#define PW_TLB_MAX_ENTRIES 64
#define PW_PSC_MAX_ENTRIES 64

/* Everything that is a knob in RTL (a parameter) is a field here. */
typedef struct {
    unsigned maxphyaddr;      /* M, 32..52 */
    bool has_1g;              /* CPUID Page1GB (R5.4) */
    bool has_pse36;           /* R5.7 */
    bool has_long;            /* CPUID LM: EFER.LME may be set (4- and 5-level paging) */
    bool has_la57;            /* 5-level paging may be enabled (needs has_long) */
    bool has_pcid;            /* CR4.PCIDE may be set */
    bool has_pks;             /* CR4.PKS may be set (R8.8) */
    bool has_cet;             /* CR4.CET may be set (R8.11) */
    pw_ad_policy ad_on_fault;
    pw_pdpte_policy pae_pdpte;
    /* Caches (docs/tlb.md): fully associative, tree-PLRU. 0 disables a PSC level. */
    unsigned tlb_entries;                      /* power of two, 1..PW_TLB_MAX_ENTRIES */
    unsigned psc_entries[PW_LVL_PML5 + 1];     /* index = level of the cached entry, 2..5 */
    unsigned max_restarts;                     /* model-only guard against a livelocked CAS */
} pw_config;

/* A sensible default: M=46, every feature, 32-entry TLB, 8/4/2/2 PSC entries. */
void pw_config_default(pw_config *cfg);
/* PW_OK or PW_ERR_CONFIG; msg (if non-NULL) names the offending field. */
pw_status pw_config_check(const pw_config *cfg, const char **msg);

typedef struct {
    uint64_t cr0, cr3, cr4, efer;
    uint32_t pkru, pkrs;
    uint64_t pdpte[4]; /* PAE PDPTE registers (R6) */
} pw_regs;

typedef struct {
    uint64_t la;
    pw_access_kind kind;
    bool user;          /* CPL = 3 */
    bool implicit;      /* implicit supervisor access (GDT, IDT, ...; R8.1) */
    bool ac;            /* EFLAGS.AC */
    bool shadow_stack;  /* CET shadow-stack access (R8.11) */
} pw_request;

typedef enum {
    PW_OUT_OK = 0,
    PW_OUT_PF,        /* page fault: err_code, level, raw_entry */
    PW_OUT_GP,        /* non-canonical address (R2.1): no walk */
    PW_OUT_BUS_ERROR, /* a page-table access failed: level, entry_pa */
    PW_OUT_ABORTED,   /* model only: the walk gave up after max_restarts (PW_ERR_LIVELOCK) */
} pw_outcome;

/* Combined rights of a translation (R8.2) and the leaf attributes (R11.2).
 * The TLB stores exactly this; pw_rights_check reads exactly this. */
typedef struct {
    bool rw;          /* AND of all R/W */
    bool us;          /* AND of all U/S */
    bool xd;          /* OR of all XD (only when NXE) */
    bool nonleaf_rw;  /* AND of the non-leaf R/W bits (shadow-stack pages, R8.11) */
    bool dirty;       /* D of the leaf */
    uint8_t pk;       /* leaf key, bits 62:59 (R8.7) */
} pw_perm;

typedef struct {
    pw_outcome outcome;
    /* PW_OUT_OK */
    uint64_t pa;
    pw_page_size size;
    pw_perm perm;
    bool global;       /* leaf G with CR4.PGE */
    uint8_t memtype;   /* PW_MT_PWT | PW_MT_PCD | PW_MT_PAT of the leaf */
    /* PW_OUT_OK: leaf level (also on a TLB hit); otherwise the level where the
     * walk stopped (0 when no entry was involved: no paging, #GP). */
    unsigned level;
    /* Entry found at `level` (a not-present entry keeps its OS bits) and its
     * physical address (PAE PDPTE register: where it was loaded from). Both 0
     * on a TLB hit: the TLB keeps no raw entries. */
    uint64_t raw_entry;
    uint64_t entry_pa;
    uint32_t err_code;   /* PW_OUT_PF */
    unsigned restarts;   /* R9.3: walks redone because an entry changed before its CAS */
} pw_result;

#define PW_MT_PWT 1u
#define PW_MT_PCD 2u
#define PW_MT_PAT 4u

/* Physical memory seen by the walker. `cycle` is when the access is performed
 * (the memory port accepted it; 0 for the untimed walker), so that a test
 * environment can change memory at a given cycle. */
typedef enum { PW_MEM_OK = 0, PW_MEM_BUS_ERROR } pw_mem_status;

typedef enum { PW_MEM_READ = 0, PW_MEM_CAS } pw_mem_kind;

typedef struct {
    pw_mem_kind kind;
    uint64_t pa;
    unsigned size;       /* 4 or 8 */
    uint64_t expect;     /* CAS: value the walker read */
    uint64_t desired;    /* CAS: value it writes if memory still holds `expect` */
    unsigned level;      /* level of the entry */
} pw_mem_access;

typedef struct {
    void *ctx;
    pw_mem_status (*read)(void *ctx, uint64_t pa, unsigned size, uint64_t cycle, uint64_t *val);
    /* Atomic compare-and-swap: *old gets the memory's value; the write happens iff *old == expect. */
    pw_mem_status (*cas)(void *ctx, uint64_t pa, unsigned size, uint64_t expect,
                         uint64_t desired, uint64_t cycle, uint64_t *old);
    /* Timing of the memory port (docs/timing.md). The request is presented from
     * `issue`; the memory says when it accepts it (>= issue, back-pressure) and in
     * which cycle it responds (> accept). NULL: accept = issue, respond = issue + 1. */
    void (*schedule)(void *ctx, uint64_t issue, const pw_mem_access *acc,
                     uint64_t *accept, uint64_t *respond);
} pw_mem;

#ifdef __cplusplus
}
#endif

#endif
