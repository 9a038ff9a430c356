/* Tree pseudo-LRU (docs/tlb.md). Node i has children 2i, 2i+1; leaf n+w is
 * way w; bit 0 = the victim is in the left subtree. Mirrors rtl/pw_plru.sv. */
#include <string.h>

#include "pagewalk/plru.h"

void pw_plru_init(pw_plru *p, unsigned ways)
{
    memset(p, 0, sizeof *p);
    p->n = ways;
    for (unsigned w = 0; w < ways && w < PW_PLRU_MAX_WAYS; w++) {
        /* Walk up from the leaf; at each parent, point away from the child we came from. */
        for (unsigned node = ways + w; node > 1; node >>= 1) {
            unsigned parent = node >> 1;
            p->touch_mask[w] |= UINT64_C(1) << parent;
            if (!(node & 1))
                p->touch_val[w] |= UINT64_C(1) << parent;
        }
    }
}

unsigned pw_plru_victim(const pw_plru *p)
{
    if (p->n == 0)
        return 0;   /* an absent cache (a PSC level of size 0) has no victim */
    unsigned node = 1;
    while (node < p->n)
        node = 2 * node + pw_plru_node(p, node);
    return node - p->n;
}
