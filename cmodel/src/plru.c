/* Tree pseudo-LRU (docs/tlb.md). Node i has children 2i, 2i+1; leaf n+w is
 * way w; bit 0 = the victim is in the left subtree. Mirrors rtl/pw_plru.sv. */
#include <string.h>

#include "pagewalk/plru.h"

void pw_plru_init(pw_plru *p, unsigned ways)
{
    memset(p, 0, sizeof *p);
    p->n = ways;
}

void pw_plru_touch(pw_plru *p, unsigned way)
{
    /* Walk up from the leaf; at each parent, point away from the child we came from. */
    for (unsigned node = p->n + way; node > 1; node >>= 1)
        p->bit[node >> 1] = (uint8_t)!(node & 1);
}

unsigned pw_plru_victim(const pw_plru *p)
{
    unsigned node = 1;
    while (node < p->n)
        node = 2 * node + p->bit[node];
    return node - p->n;
}
