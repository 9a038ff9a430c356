/* pw_bench: model throughput on one core, through the public API.
 *   - TLB-hit translations/s (pw_mmu_translate, every request a hit)
 *   - full 4-level walks/s (pw_walk, 4 reads each, A/D already set)
 *   - mmu misses/s (pw_mmu_translate with the TLB too small to hold the set)
 * Targets (issue 2): >= 100 M hits/s, >= 20 M walks/s. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "pagewalk/pagewalk.h"

#define MEM_BYTES   (UINT64_C(1) << 30)
#define POOL_BASE   (UINT64_C(512) << 20)
#define POOL_BYTES  (UINT64_C(256) << 20)
#define HIT_PAGES   16                        /* fits the default 32-entry TLB */
#define WALK_PAGES  4096                      /* 8 page tables under one PD: cache resident */
#define SPREAD_STRIDE (UINT64_C(1) << 30)     /* one PDPT entry apart: 4 tables per walk */
#define LEAF_FLAGS  (PTE_RW | PTE_US | PTE_A | PTE_D)

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static int fail(const char *what)
{
    fprintf(stderr, "pw_bench: %s\n", what);
    return 1;
}

int main(int argc, char **argv)
{
    /* argv[1]: divide every loop count (for instruction counting under valgrind). */
    uint64_t div = argc > 1 ? strtoull(argv[1], NULL, 10) : 1;
    if (!div)
        return fail("the divisor must be a positive number");
    pw_config cfg;
    pw_config_default(&cfg);
    pw_image *img;
    pw_os *os;
    if (pw_image_sparse_new(MEM_BYTES, &img) != PW_OK)
        return fail("out of memory");
    if (pw_os_new(img, &cfg, PW_MODE_4LVL, POOL_BASE, POOL_BYTES, NULL, &os) != PW_OK)
        return fail("cannot create page tables");
    /* la: pages under shared upper tables (the walker's own cost); spread: every
     * walk reads four distinct tables of a 32 MiB set (host cache misses dominate). */
    static uint64_t la[WALK_PAGES], spread[WALK_PAGES];
    for (unsigned i = 0; i < WALK_PAGES; i++) {
        la[i] = (uint64_t)i * PW_PAGE_SIZE;
        spread[i] = (uint64_t)(i + 1) * SPREAD_STRIDE + (uint64_t)(i % 512) * (UINT64_C(1) << 21) +
                    (uint64_t)(i % 511) * PW_PAGE_SIZE;
        if (pw_os_map(os, la[i], (uint64_t)i * PW_PAGE_SIZE, PW_SIZE_4K, LEAF_FLAGS) != PW_OK ||
            pw_os_map(os, spread[i], (uint64_t)i * PW_PAGE_SIZE, PW_SIZE_4K, LEAF_FLAGS) != PW_OK)
            return fail("map failed");
    }
    pw_regs r;
    pw_regs_reset(&r);
    r.cr0 = CR0_PE | CR0_PG | CR0_WP;
    r.cr4 = CR4_PAE | CR4_PGE;
    r.efer = EFER_LME | EFER_LMA | EFER_NXE;
    r.cr3 = pw_os_cr3(os);
    pw_mem mem;
    pw_image_mem(img, &mem);

    /* Full walks through pw_walk. */
    const uint64_t walks = 20000000 / div;
    pw_request q = {.kind = PW_ACC_READ};
    pw_result res;
    uint64_t seed = 88172645463325252ull, sum = 0;
    double t0 = now();
    for (uint64_t i = 0; i < walks; i++) {
        q.la = la[xorshift(&seed) & (WALK_PAGES - 1)];
        pw_walk(&cfg, &r, &mem, &q, &res);
        sum += res.pa;
    }
    double t_walk = now() - t0;
    const uint64_t spread_walks = 2000000 / div;
    t0 = now();
    for (uint64_t i = 0; i < spread_walks; i++) {
        q.la = spread[xorshift(&seed) & (WALK_PAGES - 1)];
        pw_walk(&cfg, &r, &mem, &q, &res);
        sum += res.pa;
    }
    double t_spread = now() - t0;

    /* TLB hits through pw_mmu_translate. */
    pw_mmu *m = malloc(sizeof *m);
    if (!m || pw_mmu_init(m, &cfg, &mem) != PW_OK || pw_mmu_set_regs(m, &r) != PW_OK)
        return fail("mmu init failed");
    pw_mmu_response *rsp = malloc(sizeof *rsp);
    if (!rsp)
        return fail("out of memory");
    uint64_t cycle = 0;
    for (unsigned i = 0; i < HIT_PAGES; i++) {
        q.la = la[i];
        pw_mmu_translate(m, &q, cycle, rsp);
        cycle = rsp->rsp_cycle;
    }
    const uint64_t hits = 200000000 / div;
    uint64_t hits_seen = m->cnt.hits;
    t0 = now();
    for (uint64_t i = 0; i < hits; i++) {
        q.la = la[i & (HIT_PAGES - 1)] + (i & 0xff8);
        pw_mmu_translate(m, &q, cycle, rsp);
        cycle = rsp->rsp_cycle;
        sum += rsp->result.pa;
    }
    double t_hit = now() - t0;
    if (m->cnt.hits - hits_seen != hits)
        return fail("hit loop missed the TLB");

    /* Misses through the mmu: a set larger than the TLB, PSCs help. */
    const uint64_t misses = 10000000 / div;
    t0 = now();
    for (uint64_t i = 0; i < misses; i++) {
        q.la = la[xorshift(&seed) & (WALK_PAGES - 1)];   /* PDE-cache hits: one read each */
        pw_mmu_translate(m, &q, cycle, rsp);
        cycle = rsp->rsp_cycle;
        sum += rsp->result.pa;
    }
    double t_miss = now() - t0;

    printf("pagewalk model bench (one core, %s)\n", PAGEWALK_VERSION);
    printf("  TLB-hit translations/s (pw_mmu_translate):   %8.1f M   (target >= 100 M)\n",
           (double)hits / t_hit / 1e6);
    printf("  full 4-level walks/s (pw_walk, 4 reads):      %8.1f M   (target >= 20 M)\n",
           (double)walks / t_walk / 1e6);
    printf("  full 4-level walks/s, 32 MiB of tables:       %8.1f M   (host cache misses)\n",
           (double)spread_walks / t_spread / 1e6);
    printf("  mmu translations/s, TLB-missing stream:       %8.1f M\n", (double)misses / t_miss / 1e6);
    printf("  (checksum %" PRIx64 ")\n", sum);
    free(rsp);
    free(m);
    pw_os_free(os);
    pw_image_free(img);
    return 0;
}
