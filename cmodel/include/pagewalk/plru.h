/* Tree pseudo-LRU over a power-of-two number of ways, shared by the TLB and
 * the PSCs. Mirrors rtl/pw_plru.sv bit for bit (docs/tlb.md). */
#ifndef PAGEWALK_PLRU_H
#define PAGEWALK_PLRU_H

#include <stdint.h>

#define PW_PLRU_MAX_WAYS 256

/* Node i (1..n-1) has children 2i and 2i+1; leaf n+w is way w.
 * bit[i] = 0: the victim lies in the left subtree; 1: in the right one. */
typedef struct {
    unsigned n;
    uint8_t bit[PW_PLRU_MAX_WAYS];
} pw_plru;

void pw_plru_init(pw_plru *p, unsigned ways);
/* Point every node on way w's path away from w. */
void pw_plru_touch(pw_plru *p, unsigned way);
unsigned pw_plru_victim(const pw_plru *p);

#endif
