/* Paging-structure caches (R11.3): one fully associative, tree-PLRU cache per
 * non-leaf level (PDE, PDPTE, PML4E, PML5E), keyed by the LA bits above the
 * region the entry maps, plus PCID. Never global. Mirrors rtl/pw_psc.sv. */
#ifndef PAGEWALK_PSC_H
#define PAGEWALK_PSC_H

#include "pagewalk/plru.h"
#include "pagewalk/regs.h"
#include "pagewalk/types.h"
#include "pagewalk/walk.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    bool valid;
    uint64_t key;       /* mode-truncated LA >> pw_level_shift(mode, level) */
    uint16_t pcid;
    uint64_t table;     /* physical address of the next table */
    pw_perm perm;       /* rights combined down to and including this entry */
} pw_psc_entry;

typedef struct {
    unsigned n;
    pw_psc_entry e[PW_PSC_MAX_ENTRIES];
    pw_plru plru;
} pw_psc_level;

typedef struct {
    pw_psc_level lvl[PW_MAX_LEVEL_SLOTS]; /* 2..5 used */
} pw_psc;

pw_status pw_psc_init(pw_psc *p, const pw_config *cfg);
uint64_t pw_psc_key(pw_mode m, unsigned level, uint64_t la);
/* Which levels a mode caches: 32-bit and PAE only the PDE level (PAE PDPTEs
 * are registers); 4-level 2..4; 5-level 2..5. */
bool pw_psc_level_used(pw_mode m, unsigned level);
/* The deepest hit (lowest level) for `la` under `pcid`: fills *start and
 * returns the level, or 0 on a miss. Touches the PLRU of the hit level only. */
unsigned pw_psc_lookup(pw_psc *p, pw_mode m, uint64_t la, uint16_t pcid, pw_walk_start *start);
/* Insert an entry at `level` (victim: lowest invalid-or-same-key slot, else PLRU;
 * any other same-key slot is invalidated, so at most one entry matches). */
void pw_psc_fill(pw_psc *p, pw_mode m, unsigned level, uint64_t la, uint16_t pcid,
                 uint64_t table, const pw_perm *perm);
/* The PSC part of an invalidation (R11.5). Returns entries dropped. */
unsigned pw_psc_flush(pw_psc *p, pw_mode m, const pw_flush *f);
unsigned pw_psc_count(const pw_psc *p, unsigned level);

#ifdef __cplusplus
}
#endif

#endif
