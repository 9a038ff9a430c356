/* Control-register semantics: which writes are legal (#GP), when PAE PDPTEs
 * are loaded (R6), and which invalidation each write or instruction implies
 * (R11.5). Mirrors rtl/pw_ctl.sv. */
#ifndef PAGEWALK_REGS_H
#define PAGEWALK_REGS_H

#include "pagewalk/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The invalidations of R11.5, as the TLB and PSCs carry them out. */
typedef enum {
    PW_FLUSH_NONE = 0,
    PW_FLUSH_ALL,            /* everything, globals included, every PCID */
    PW_FLUSH_CONTEXT,        /* entries usable under `pcid`: its own and global ones; its PSC entries */
    PW_FLUSH_PCID_NONGLOBAL, /* non-global entries of `pcid`; its PSC entries */
    PW_FLUSH_NONGLOBAL_ALL,  /* non-global entries of every PCID; every PSC entry */
    PW_FLUSH_PAGE,           /* INVLPG: `la`'s page under `pcid` or global; all PSC entries of `pcid` */
    PW_FLUSH_PAGE_NONGLOBAL, /* INVPCID 0: `la`'s non-global page under `pcid`; all PSC entries of `pcid` */
    PW_FLUSH_FAULT,          /* #PF: `la`'s page under `pcid` or global; PSC entries of `pcid` for `la` */
} pw_flush_kind;

typedef struct {
    pw_flush_kind kind;
    uint16_t pcid;
    uint64_t la;     /* truncated to the mode (pw_la_truncate) */
} pw_flush;

const char *pw_flush_name(pw_flush_kind k);

/* Current PCID (R11.4): CR3[11:0] when CR4.PCIDE=1, else 0. */
uint16_t pw_regs_pcid(const pw_regs *regs);

/* Power-on state: paging off, every register 0. */
void pw_regs_reset(pw_regs *regs);

/* Each MOV leaves *regs unchanged and returns PW_ERR_GP when the write is
 * illegal; otherwise it updates *regs (loading PDPTEs through `mem` when R6.1
 * says so) and reports the invalidation in *flush. `mem` may be NULL unless a
 * PDPTE load is needed. */
pw_status pw_regs_mov_cr0(const pw_config *cfg, pw_regs *regs, const pw_mem *mem, uint64_t val,
                          pw_flush *flush);
pw_status pw_regs_mov_cr3(const pw_config *cfg, pw_regs *regs, const pw_mem *mem, uint64_t val,
                          pw_flush *flush);
pw_status pw_regs_mov_cr4(const pw_config *cfg, pw_regs *regs, const pw_mem *mem, uint64_t val,
                          pw_flush *flush);
pw_status pw_regs_wrmsr_efer(const pw_config *cfg, pw_regs *regs, uint64_t val, pw_flush *flush);
/* R6.1/R6.2: read the four PDPTEs at CR3[31:5]; PW_ERR_GP if a present one has a
 * reserved bit, PW_ERR_RANGE if they lie outside memory. Nothing loaded on error.
 * The MOVs below pass either error on unchanged. */
pw_status pw_regs_load_pdptes(const pw_config *cfg, pw_regs *regs, const pw_mem *mem);
/* INVLPG (CPL 0 assumed; a non-canonical LA is a NOP). */
pw_status pw_regs_invlpg(const pw_config *cfg, const pw_regs *regs, uint64_t la, pw_flush *flush);
/* INVPCID types 0-3 with descriptor {pcid (64-bit field), la}. */
pw_status pw_regs_invpcid(const pw_config *cfg, const pw_regs *regs, unsigned type,
                          uint64_t desc_pcid, uint64_t desc_la, pw_flush *flush);

/* EFER.LMA as the CPU computes it (LME && CR0.PG), for register states taken
 * from a dump or a file that may not carry it. */
void pw_regs_normalize(pw_regs *regs);

/* Set registers directly, without checks or loads (for building a state, e.g.
 * from a register file). pw_regs_validate says whether the state is one a CPU
 * could be in; it names the problem in *msg. */
pw_status pw_regs_validate(const pw_config *cfg, const pw_regs *regs, const char **msg);

#ifdef __cplusplus
}
#endif

#endif
