/* Reserving address space costs no page tables (SPEC "os": "a reserved
 * 100 GiB region costs no page tables at all: it is "not present" at the
 * highest level that covers it"). In 4-level paging: reserve 100 GiB and
 * 1 TiB, then commit one page in each, printing the page-table pages that
 * pw_os_stats counts after every step. The program checks its own figures:
 * the exit status is 0 only if every count is the expected one.
 *
 *     make examples
 *     (or: make build/examples/reserve && build/examples/reserve) */
#include <inttypes.h>
#include <stdio.h>

#include <pagewalk/pagewalk.h>

#define GIB       (UINT64_C(1) << 30)
#define TIB       (UINT64_C(1) << 40)
#define MEM_SIZE  (UINT64_C(1) << 30)
#define POOL_BASE (UINT64_C(64) << 20)   /* page tables come from [64 MiB, 80 MiB) */
#define POOL_SIZE (UINT64_C(16) << 20)
#define LA_100G   (16 * TIB)             /* part of one PML4 entry (512 GiB) */
#define LA_1T     (32 * TIB)             /* two whole PML4 entries */
#define TAG_100G  1u
#define TAG_1T    2u
#define FRAME_1   UINT64_C(0x200000)     /* the frames the two commits map */
#define FRAME_2   UINT64_C(0x201000)
#define PAGE_OFF  UINT64_C(0x3000)       /* which page of each range is committed */

typedef struct {
    pw_config cfg;
    pw_image *img;
    pw_os *os;
    pw_regs regs;
    pw_mem mem;
    int failures;
} demo;

/* Print the counts after a step; check the total against `want`. */
static uint64_t step(demo *d, const char *what, uint64_t want, uint64_t before)
{
    pw_os_stats st;
    pw_os_stats_get(d->os, &st);
    printf("  %-34s %2" PRIu64 " table pages (+%" PRIu64 ")  PML4 %" PRIu64 " PDPT %" PRIu64
           " PD %" PRIu64 " PT %" PRIu64 "  %6" PRIu64 " bytes; listed ranges %" PRIu64 "\n",
           what, st.total_tables, st.total_tables - before, st.tables[PW_LVL_PML4],
           st.tables[PW_LVL_PDPT], st.tables[PW_LVL_PD], st.tables[PW_LVL_PT], st.table_bytes,
           st.listed_ranges);
    if (st.total_tables != want) {
        fprintf(stderr, "reserve: %s: %" PRIu64 " table pages, expected %" PRIu64 "\n", what,
                st.total_tables, want);
        d->failures++;
    }
    return st.total_tables;
}

/* Where the reservation of la is held (the entry's level, or the os's list). */
static void show_reservation(demo *d, uint64_t la, unsigned want_level)
{
    pw_os_np np;
    if (pw_os_reservation(d->os, la, &np) != PW_OK || np.level != want_level) {
        fprintf(stderr, "reserve: 0x%" PRIx64 " is not reserved as expected\n", la);
        d->failures++;
        return;
    }
    if (np.level)
        printf("      0x%" PRIx64 ": tag %u, in the OS bits of a not-present level-%u entry\n",
               la, np.tag, np.level);
    else
        printf("      0x%" PRIx64 ": tag %u, in the os's own list (no table there to hold it)\n",
               la, np.tag);
}

/* Translate a read of la and print the answer; check the #PF level (0: a success). */
static void show_walk(demo *d, uint64_t la, unsigned want_pf_level)
{
    pw_request q = {.la = la, .kind = PW_ACC_READ};
    pw_result r;
    if (pw_walk(&d->cfg, &d->regs, &d->mem, &q, &r) != PW_OK) {
        d->failures++;
        return;
    }
    pw_os_np np;
    if (r.outcome == PW_OUT_OK)
        printf("  read 0x%" PRIx64 " -> PA 0x%" PRIx64 "\n", la, r.pa);
    else if (pw_os_np_decode(r.raw_entry, &np))
        printf("  read 0x%" PRIx64 " -> #PF error 0x%x at level %u, raw entry 0x%" PRIx64
               " (not present; OS bits: reserved, tag %u)\n",
               la, r.err_code, r.level, r.raw_entry, np.tag);
    else
        printf("  read 0x%" PRIx64 " -> #PF error 0x%x at level %u, raw entry 0x%" PRIx64 "\n",
               la, r.err_code, r.level, r.raw_entry);
    unsigned got = r.outcome == PW_OUT_PF ? r.level : 0;
    if ((r.outcome != PW_OUT_OK && r.outcome != PW_OUT_PF) || got != want_pf_level) {
        fprintf(stderr, "reserve: read 0x%" PRIx64 ": unexpected outcome\n", la);
        d->failures++;
    }
}

static bool ok(demo *d, pw_status st, const char *what)
{
    if (st == PW_OK)
        return true;
    fprintf(stderr, "reserve: %s: %s\n", what, pw_status_str(st));
    d->failures++;
    return false;
}

int main(void)
{
    demo d = {0};
    pw_config_default(&d.cfg);
    if (!ok(&d, pw_image_sparse_new(MEM_SIZE, &d.img), "image") ||
        !ok(&d, pw_os_new(d.img, &d.cfg, PW_MODE_4LVL, POOL_BASE, POOL_SIZE, NULL, &d.os),
            "address space")) {
        pw_image_free(d.img);
        return 1;
    }
    pw_regs_reset(&d.regs);
    d.regs.cr0 = CR0_PE | CR0_PG | CR0_WP;
    d.regs.cr4 = CR4_PAE;
    d.regs.efer = EFER_LME | EFER_LMA | EFER_NXE;
    d.regs.cr3 = pw_os_cr3(d.os);
    pw_image_mem(d.img, &d.mem);

    printf("4-level paging; page-table pages counted by pw_os_stats:\n");
    uint64_t n = step(&d, "new address space", 1, 1);
    uint64_t before = n;
    if (ok(&d, pw_os_reserve(d.os, LA_100G, 100 * GIB, TAG_100G), "reserve 100 GiB"))
        n = step(&d, "reserve 100 GiB at 0x100000000000", before, n);
    uint64_t cost_100g = n - before;
    show_reservation(&d, LA_100G, 0);
    before = n;
    if (ok(&d, pw_os_reserve(d.os, LA_1T, TIB, TAG_1T), "reserve 1 TiB"))
        n = step(&d, "reserve 1 TiB at 0x200000000000", before, n);
    uint64_t cost_1t = n - before;
    show_reservation(&d, LA_1T + TIB - 1, PW_LVL_PML4);
    printf("  reserving 100 GiB cost %" PRIu64 " table pages, reserving 1 TiB cost %" PRIu64 "\n",
           cost_100g, cost_1t);
    if (cost_100g != 0 || cost_1t != 0)
        d.failures++;

    /* A commit makes exactly the tables on its path: PDPT, PD and PT. */
    if (ok(&d, pw_os_commit(d.os, LA_1T + PAGE_OFF, FRAME_1, PTE_RW), "commit"))
        n = step(&d, "commit 1 page at 0x200000003000", n + 3, n);
    if (ok(&d, pw_os_commit(d.os, LA_100G + PAGE_OFF, FRAME_2, PTE_RW), "commit"))
        n = step(&d, "commit 1 page at 0x100000003000", n + 3, n);
    show_walk(&d, LA_1T + PAGE_OFF + 0x10, 0);
    show_walk(&d, LA_1T + PAGE_OFF + PW_PAGE_SIZE, PW_LVL_PT);
    show_walk(&d, LA_1T + GIB, PW_LVL_PDPT);
    show_walk(&d, LA_1T + 600 * GIB, PW_LVL_PML4);
    show_walk(&d, LA_100G + 99 * GIB, PW_LVL_PDPT);

    pw_os_free(d.os);
    pw_image_free(d.img);
    if (d.failures) {
        fprintf(stderr, "reserve: %d check(s) failed\n", d.failures);
        return 1;
    }
    printf("reserve: all counts as expected\n");
    return 0;
}
