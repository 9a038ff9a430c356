/* Demand paging, scripted (SPEC "os": "an OS can reserve address space and
 * create memory on demand when the program first touches it"). In 4-level
 * paging a pager serves a reserved 64 MiB range. This program plays the CPUs:
 * every access goes through pw_walk, and every #PF goes to the pager's
 * handler, which says what to do next. Steps:
 *
 *   1. read fault: the page is filled with generated content, mapped read-only
 *   2. write fault (P=1, W=1): the page becomes dirty and writable; retry
 *   3. a stale copy of that fault, handled late: spurious, nothing changes
 *   4. two requesters fault on one page: one fills it, the other waits and then
 *      reads the finished page
 *   5. close: the dirty page is written back, the clean one is not
 *
 * The program checks its own counts: the exit status is 0 only if all match.
 *
 *     make examples
 *     (or: make build/examples/demand_paging && build/examples/demand_paging) */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <pagewalk/pagewalk.h>

#define MEM_SIZE   (UINT64_C(1) << 30)
#define POOL_BASE  (UINT64_C(64) << 20)   /* page tables: [64 MiB, 80 MiB) */
#define POOL_SIZE  (UINT64_C(16) << 20)
#define DATA_BASE  (UINT64_C(16) << 20)   /* the pages the pager fills: [16 MiB, 17 MiB) */
#define DATA_SIZE  (UINT64_C(1) << 20)
#define RANGE_LA   UINT64_C(0x7f0000000000)
#define RANGE_SIZE (UINT64_C(64) << 20)
#define TAG        7u
#define SEED       UINT64_C(2024)
#define CPU0       0u
#define CPU1       1u
#define CPU2       2u
#define PAGE0      RANGE_LA                          /* read, then written: dirty */
#define PAGE1      (RANGE_LA + PW_PAGE_SIZE)         /* two requesters: clean */
#define OFFSET     UINT64_C(0x10)
#define STORED     UINT64_C(0x00c0ffee00c0ffee)      /* what CPU 0 writes */
#define STORE_MAX  4u

/* The backing store: which pages were written back, and their first word at OFFSET. */
typedef struct {
    unsigned n;
    uint64_t la[STORE_MAX];
    uint64_t word[STORE_MAX];
} store;

static pw_status write_back(void *ctx, uint64_t la, const uint8_t *page)
{
    store *s = ctx;
    if (s->n == STORE_MAX)
        return PW_ERR_RANGE;
    s->la[s->n] = la;
    memcpy(&s->word[s->n], page + OFFSET, sizeof s->word[0]);
    s->n++;
    return PW_OK;
}

typedef struct {
    pw_config cfg;
    pw_image *img;
    pw_os *os;
    pw_regs regs;
    pw_mem mem;
    int failures;
} demo;

static void expect(demo *d, bool cond, const char *what)
{
    if (!cond) {
        fprintf(stderr, "demand_paging: expected %s\n", what);
        d->failures++;
    }
}

static const char *action_name(pw_os_fault_action a)
{
    switch (a) {
    case PW_OS_FAULT_FILL: return "FILL (claimed: fill it, then retry)";
    case PW_OS_FAULT_UPGRADED: return "UPGRADED (dirty, R/W=1: retry)";
    case PW_OS_FAULT_SPURIOUS: return "SPURIOUS (the page already allows it: retry)";
    case PW_OS_FAULT_WAIT: return "WAIT (another requester is filling it)";
    default: return "SEGV";
    }
}

/* One user access by `cpu`: print and return the walk's answer. */
static pw_result cpu_access(demo *d, unsigned cpu, uint64_t la, pw_access_kind kind)
{
    pw_request q = {.la = la, .kind = kind, .user = true};
    pw_result r = {0};
    if (pw_walk(&d->cfg, &d->regs, &d->mem, &q, &r) != PW_OK)
        d->failures++;
    printf("  [cpu %u] %-5s 0x%" PRIx64 ": ", cpu, kind == PW_ACC_WRITE ? "write" : "read", la);
    if (r.outcome == PW_OUT_OK)
        printf("ok, PA 0x%" PRIx64 ", R/W=%d\n", r.pa, r.perm.rw);
    else
        printf("#PF error 0x%x at level %u, raw entry 0x%" PRIx64, r.err_code, r.level,
               r.raw_entry);
    pw_os_np np;
    if (r.outcome == PW_OUT_PF && pw_os_np_decode(r.raw_entry, &np)) {
        if (np.state == PW_OS_NP_FILLING)
            printf(" (OS bits: FILLING, owner cpu %u)", np.owner);
        else
            printf(" (OS bits: RESERVED, tag %u)", np.tag);
    }
    if (r.outcome != PW_OUT_OK)
        printf("\n");
    return r;
}

static pw_os_fault_action handle(demo *d, unsigned cpu, uint64_t la, const pw_result *r)
{
    pw_os_fault_out out = {.action = PW_OS_FAULT_SEGV};
    if (pw_os_handle_fault(d->os, cpu, la, r, &out) != PW_OK)
        d->failures++;
    printf("          handler for cpu %u: %s", cpu, action_name(out.action));
    if (out.action == PW_OS_FAULT_WAIT)
        printf(", owner cpu %u", out.owner);
    printf("\n");
    return out.action;
}

static uint64_t table_pages(const demo *d)
{
    pw_os_stats st;
    pw_os_stats_get(d->os, &st);
    return st.total_tables;
}

static uint64_t read_word(demo *d, uint64_t pa)
{
    uint64_t v = 0;
    if (pw_image_read64(d->img, pa, &v) != PW_OK)
        d->failures++;
    return v;
}

int main(void)
{
    demo d = {0};
    store backing = {0};
    pw_config_default(&d.cfg);
    if (pw_image_sparse_new(MEM_SIZE, &d.img) != PW_OK ||
        pw_os_new(d.img, &d.cfg, PW_MODE_4LVL, POOL_BASE, POOL_SIZE, NULL, &d.os) != PW_OK) {
        fprintf(stderr, "demand_paging: setup failed\n");
        return 1;
    }
    pw_regs_reset(&d.regs);
    d.regs.cr0 = CR0_PE | CR0_PG | CR0_WP;
    d.regs.cr4 = CR4_PAE;
    d.regs.efer = EFER_LME | EFER_LMA | EFER_NXE;
    d.regs.cr3 = pw_os_cr3(d.os);
    pw_image_mem(d.img, &d.mem);

    pw_os_demand_opts o = {.la = RANGE_LA, .size = RANGE_SIZE, .tag = TAG,
                           .data_base = DATA_BASE, .data_size = DATA_SIZE,
                           .leaf_flags = PTE_US, .seed = SEED,
                           .writeback = write_back, .writeback_ctx = &backing};
    pw_os_demand *pager;
    if (pw_os_demand_new(d.os, &o, &pager) != PW_OK) {
        fprintf(stderr, "demand_paging: pw_os_demand_new failed\n");
        return 1;
    }
    printf("reserved 64 MiB at 0x%" PRIx64 " for demand paging: %" PRIu64 " page-table page(s)\n",
           RANGE_LA, table_pages(&d));
    expect(&d, table_pages(&d) == 1, "1 table page after the reservation");

    printf("1. first touch: a read\n");
    pw_result r = cpu_access(&d, CPU0, PAGE0 + OFFSET, PW_ACC_READ);
    expect(&d, r.outcome == PW_OUT_PF && r.err_code == PF_U, "#PF with P=0, U=1");
    expect(&d, handle(&d, CPU0, PAGE0 + OFFSET, &r) == PW_OS_FAULT_FILL, "FILL");
    if (pw_os_fill_finish(d.os, CPU0, PAGE0) != PW_OK)
        d.failures++;
    r = cpu_access(&d, CPU0, PAGE0 + OFFSET, PW_ACC_READ);
    uint64_t want = pw_os_fill_word(SEED, PAGE0 + OFFSET);
    uint64_t got = read_word(&d, r.pa);
    printf("          read 0x%016" PRIx64 " (generated: 0x%016" PRIx64 "); %" PRIu64
           " table pages (PDPT, PD, PT made)\n", got, want, table_pages(&d));
    expect(&d, r.outcome == PW_OUT_OK && !r.perm.rw && got == want, "a read-only, filled page");
    expect(&d, table_pages(&d) == 4, "4 table pages");

    printf("2. first write\n");
    pw_result wr = cpu_access(&d, CPU0, PAGE0 + OFFSET, PW_ACC_WRITE);
    expect(&d, wr.outcome == PW_OUT_PF && wr.err_code == (PF_P | PF_W | PF_U),
           "a protection fault (P=1, W=1)");
    expect(&d, handle(&d, CPU0, PAGE0 + OFFSET, &wr) == PW_OS_FAULT_UPGRADED, "UPGRADED");
    printf("          no INVLPG: the #PF invalidated the page (R11.5); R/W 0->1 (R11.6)\n");
    r = cpu_access(&d, CPU0, PAGE0 + OFFSET, PW_ACC_WRITE);
    expect(&d, r.outcome == PW_OUT_OK && r.perm.rw, "the retried write to succeed");
    if (pw_image_write64(d.img, r.pa, STORED) != PW_OK) /* the store itself */
        d.failures++;
    printf("          stored 0x%016" PRIx64 "\n", STORED);

    printf("3. cpu 1 hands in a stale copy of that write fault (R11.6)\n");
    expect(&d, handle(&d, CPU1, PAGE0 + OFFSET, &wr) == PW_OS_FAULT_SPURIOUS, "SPURIOUS");

    printf("4. two requesters fault on 0x%" PRIx64 " before it is ready\n", PAGE1);
    pw_result r1 = cpu_access(&d, CPU1, PAGE1 + OFFSET, PW_ACC_READ);
    pw_result r2 = cpu_access(&d, CPU2, PAGE1 + OFFSET, PW_ACC_READ);
    expect(&d, handle(&d, CPU1, PAGE1 + OFFSET, &r1) == PW_OS_FAULT_FILL, "cpu 1 to fill");
    expect(&d, handle(&d, CPU2, PAGE1 + OFFSET, &r2) == PW_OS_FAULT_WAIT, "cpu 2 to wait");
    unsigned steps = 0;
    for (bool done = false; !done;) {
        if (pw_os_fill_step(d.os, CPU1, PAGE1, &done) != PW_OK) {
            d.failures++;
            break;
        }
        steps++;
        printf("          cpu 1: fill step %u/%u%s\n", steps, PW_OS_FILL_CHUNKS + 1,
               done ? ": the present entry, last" : ": content");
        if (!done) {
            r2 = cpu_access(&d, CPU2, PAGE1 + OFFSET, PW_ACC_READ);
            expect(&d, r2.outcome == PW_OUT_PF, "cpu 2 not to see a half-filled page");
            expect(&d, handle(&d, CPU2, PAGE1 + OFFSET, &r2) == PW_OS_FAULT_WAIT, "WAIT");
        }
    }
    r2 = cpu_access(&d, CPU2, PAGE1 + OFFSET, PW_ACC_READ);
    got = read_word(&d, r2.pa);
    printf("          cpu 2 reads 0x%016" PRIx64 " (generated: 0x%016" PRIx64 ")\n", got,
           pw_os_fill_word(SEED, PAGE1 + OFFSET));
    expect(&d, r2.outcome == PW_OUT_OK && got == pw_os_fill_word(SEED, PAGE1 + OFFSET),
           "the finished page");

    pw_os_demand_stats st;
    pw_os_demand_stats_get(pager, &st);
    printf("pager: %" PRIu64 " fills, %" PRIu64 " upgrades, %" PRIu64 " spurious, %" PRIu64
           " waits, %" PRIu64 " pages (%" PRIu64 " dirty)\n",
           st.fills, st.upgrades, st.spurious, st.waits, st.pages, st.dirty);
    expect(&d, st.fills == 2, "one fill per page: 2");
    expect(&d, st.upgrades == 1 && st.spurious == 1 && st.dirty == 1,
           "1 upgrade, 1 spurious, 1 dirty");
    expect(&d, st.waits == PW_OS_FILL_CHUNKS + 1, "a wait per retry while the fill ran");

    printf("5. close\n");
    if (pw_os_demand_close(pager, &st) != PW_OK)
        d.failures++;
    for (unsigned i = 0; i < backing.n; i++)
        printf("          written back: 0x%" PRIx64 " (word at +0x%" PRIx64 ": 0x%016" PRIx64 ")\n",
               backing.la[i], OFFSET, backing.word[i]);
    printf("          %" PRIu64 " page(s) written back, clean 0x%" PRIx64 " not; %" PRIu64
           " table page(s) left\n", st.written_back, PAGE1, table_pages(&d));
    expect(&d, st.written_back == 1 && backing.n == 1 && backing.la[0] == PAGE0 &&
               backing.word[0] == STORED, "exactly the dirty page written back");
    expect(&d, table_pages(&d) == 1, "every table given back");

    pw_os_free(d.os);
    pw_image_free(d.img);
    if (d.failures) {
        fprintf(stderr, "demand_paging: %d check(s) failed\n", d.failures);
        return 1;
    }
    printf("demand_paging: all counts as expected\n");
    return 0;
}
