/* Tree pseudo-LRU over a power-of-two number of ways (1..64), shared by the
 * TLB and the PSCs. Mirrors rtl/pw_plru.sv bit for bit (docs/tlb.md). */
#ifndef PAGEWALK_PLRU_H
#define PAGEWALK_PLRU_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PW_PLRU_MAX_WAYS 64

/* Node i (1..n-1) has children 2i and 2i+1; leaf n+w is way w. Bit i of
 * `bits` is node i: 0 = the victim lies in the left subtree, 1 = in the right.
 * touch_mask/touch_val: the nodes on way w's path and the values that point
 * away from w, so a touch is one AND and one OR (as in RTL). */
typedef struct {
    unsigned n;
    uint64_t bits;
    uint64_t touch_mask[PW_PLRU_MAX_WAYS];
    uint64_t touch_val[PW_PLRU_MAX_WAYS];
} pw_plru;

void pw_plru_init(pw_plru *p, unsigned ways);
/* Point every node on way w's path away from w. */
static inline void pw_plru_touch(pw_plru *p, unsigned way)
{
    p->bits = (p->bits & ~p->touch_mask[way]) | p->touch_val[way];
}
unsigned pw_plru_victim(const pw_plru *p);
/* Node i's bit (for tests and debug dumps). */
static inline unsigned pw_plru_node(const pw_plru *p, unsigned node)
{
    return (unsigned)(p->bits >> node) & 1u;
}

#ifdef __cplusplus
}
#endif

#endif
