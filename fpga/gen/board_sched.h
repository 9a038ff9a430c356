/* The board self-test's schedule and signature, shared by the generator
 * (board_gen.c) and mirrored by name in fpga/rtl/pw_board_pkg.sv. Changing a
 * value here means changing it there; the gate-level board simulation in
 * make test fails if the two disagree. docs/fpga.md explains the test. */
#ifndef PW_BOARD_SCHED_H
#define PW_BOARD_SCHED_H

#include <stdint.h>

#include "pagewalk/types.h"

#define BOARD_MEM_LATENCY 1u        /* block RAM: response the cycle after acceptance */
#define BOARD_WINDOWS 8u            /* window choices per request, picked by BOARD_R_WIN */
/* The distinct windows of an address space; BOARD_R_WIN maps onto them with
 * board_window() (small and hot pages more often than the rest). */
enum { BOARD_W_SMALL = 0, BOARD_W_LARGE, BOARD_W_HOT, BOARD_W_HUGE, BOARD_W_BAD, BOARD_NWIN };
static inline unsigned board_window(unsigned w)
{
    static const unsigned char map[BOARD_WINDOWS] = {BOARD_W_SMALL, BOARD_W_LARGE, BOARD_W_HOT,
                                                     BOARD_W_HOT,   BOARD_W_HUGE,  BOARD_W_BAD,
                                                     BOARD_W_SMALL, BOARD_W_LARGE};
    return map[w & (BOARD_WINDOWS - 1)];
}
#define BOARD_MAX_REQUESTS 65535u
#define BOARD_COUNTERS 16u          /* pw_top's counter file (docs/ports.md) */

/* Linear layout of every address space (board_gen.c build_space). */
#define BOARD_LA_SMALL UINT64_C(0x00400000)      /* 64 x 4 KiB, all flag combinations */
#define BOARD_LA_LARGE UINT64_C(0x00800000)      /* 4 x 2 MiB / 4 MiB */
#define BOARD_LA_HUGE  UINT64_C(0x4000000000)    /* 2 x 1 GiB (long modes) */
#define BOARD_LA_BAD32 UINT64_C(0x3f800000)      /* not present + bus error (32-bit, PAE) */
#define BOARD_BAD_MASK UINT64_C(0x7fffff)
#define BOARD_HOT_MASK UINT64_C(0x3fff)          /* 4 pages: TLB hits */
#define BOARD_SMALL_PAGES 64u
#define BOARD_LARGE_PAGES 4u
#define BOARD_HUGE_PAGES 2u
#define BOARD_2M UINT64_C(0x200000)
#define BOARD_4M UINT64_C(0x400000)
#define BOARD_1G UINT64_C(0x40000000)
#define BOARD_PA_DATA UINT64_C(0x01000000)       /* data pages: never read by the walker */
#define BOARD_PA_LARGE_OFF UINT64_C(0x01000000)
#define BOARD_PA_OUTSIDE UINT64_C(0x08000000)    /* a table above the RAM: bus error */

/* Request generator: xorshift64, advanced once per request. */
#define BOARD_SEED0 UINT64_C(0x9e3779b97f4a7c15)
#define BOARD_SEED_STEP UINT64_C(0xd1b54a32d192ed03)
static inline uint64_t board_next(uint64_t x)
{
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
}

/* Fields of the generator state: shift, width. */
#define BOARD_R_WIN 0, 3
#define BOARD_R_KIND 3, 2          /* pw_access_kind; 3 reads */
#define BOARD_R_USER 5, 1
#define BOARD_R_IMPLICIT 6, 2      /* implicit supervisor access when 3 and not user */
#define BOARD_R_AC 8, 1
#define BOARD_R_OFFSET_SHIFT 16    /* LA = window base + (state >> 16 & window mask) */
static inline unsigned board_field(uint64_t r, unsigned shift, unsigned width)
{
    return (unsigned)((r >> shift) & ((UINT64_C(1) << width) - 1));
}

/* Signature: a 32-bit MISR (CRC-32 polynomial) over four words per response, each
 * folded to 32 bits (low half XOR high half): small enough for the iCE40. */
#define BOARD_SIG_INIT UINT32_MAX
#define BOARD_SIG_POLY UINT32_C(0x04c11db7)
static inline uint32_t board_misr(uint32_t sig, uint64_t word)
{
    uint32_t fb = (sig >> 31) ? BOARD_SIG_POLY : 0;
    return ((sig << 1) ^ fb) ^ (uint32_t)(word ^ (word >> 32));
}

/* The fourth word: the response's small fields and the latency in cycles. */
static inline uint64_t board_word3(const pw_result *r, uint64_t latency)
{
    return ((uint64_t)(r->err_code & 0xffff) << 48) | ((latency & 0xffff) << 32) |
           ((uint64_t)(r->perm.pk & 0xf) << 28) | ((uint64_t)r->perm.rw << 27) |
           ((uint64_t)r->perm.us << 26) | ((uint64_t)r->perm.xd << 25) |
           ((uint64_t)r->perm.nonleaf_rw << 24) | ((uint64_t)r->perm.dirty << 23) |
           ((uint64_t)r->global << 22) | ((uint64_t)(r->memtype & 7) << 19) |
           ((uint64_t)(r->level & 7) << 16) | ((uint64_t)(r->size & 3) << 14) |
           ((uint64_t)(r->outcome & 3) << 12);
}

static inline uint32_t board_fold(uint32_t sig, const pw_result *r, uint64_t latency)
{
    sig = board_misr(sig, r->pa);
    sig = board_misr(sig, r->raw_entry);
    sig = board_misr(sig, r->entry_pa);
    return board_misr(sig, board_word3(r, latency));
}

#endif
