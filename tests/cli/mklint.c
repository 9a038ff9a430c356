/* mkimage's fixtures for `pagewalk lint` and `pagewalk stats` (mkscan.h).
 *
 * One page-table set per mode, built with the os builder: a clean base (user
 * code and data, kernel text and data, each with the rights it should have)
 * and, in the lint image only, one planted problem per finding kind. The
 * expected findings are those planted, written from the plan; the clean
 * image must give none, and its stats are pw_os_stats of its builder. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "mkscan.h"

#define IMAGE_SIZE (UINT64_C(16) << 20)
#define POOL_BASE  (UINT64_C(1) << 20)   /* page tables live in [1 MiB, 2 MiB) */
#define POOL_SIZE  (UINT64_C(1) << 20)
#define PATH_MAX_LEN 4096
#define MAX_LEAVES 16
#define MAX_FINDINGS 16
#define DETAIL_MAX 128
#define USER_BASE UINT64_C(0x00400000)
#define BUS_LA    UINT64_C(0x00800000)   /* its PD entry points outside the image */
#define BUS_TABLE UINT64_C(0x40000000)
#define CONFLICT_PA UINT64_C(0x00d00000)
#define CR0_PAGING (CR0_PE | CR0_WP | CR0_PG)

/* The machine of each mode. 32-bit and PAE: MAXPHYADDR 36, so that a 4 MiB
 * PDE has reserved bits that are not low address bits (R5.7: 21:17). */
typedef struct {
    pw_mode mode;
    const char *name;        /* as `stats` prints the mode */
    uint64_t cr4, efer;
    unsigned maxphyaddr;
    uint64_t kernel;         /* first LA of the kernel half */
} machine;

static const machine machines[] = {
    {PW_MODE_32, "32bit", CR4_PSE | CR4_PGE, 0, 36, UINT64_C(0xc0000000)},
    {PW_MODE_PAE, "pae", CR4_PAE | CR4_PGE, EFER_NXE, 36, UINT64_C(0xc0000000)},
    {PW_MODE_4LVL, "4level", CR4_PAE | CR4_PGE, EFER_LME | EFER_LMA | EFER_NXE, 46,
     UINT64_C(0xffff800000000000)},
    {PW_MODE_5LVL, "5level", CR4_PAE | CR4_PGE | CR4_LA57, EFER_LME | EFER_LMA | EFER_NXE, 46,
     UINT64_C(0xff00000000000000)},
};

/* Finding kinds in the order `lint` prints lines with the same VA. */
enum { K_RESERVED, K_MISALIGNED, K_BUS, K_WX, K_USER_KERNEL, K_PT_USER, K_PT_WRITE, K_CONFLICT };
static const char *const kind_names[] = {"reserved", "misaligned", "bus-error", "wx",
                                         "user-kernel", "pt-user", "pt-write", "conflict"};

typedef struct {
    unsigned kind;
    uint64_t va, pa;
    char detail[DETAIL_MAX];
} finding;

typedef struct {
    const machine *mc;
    pw_config cfg;
    pw_image *img;
    pw_os *os;
    mk_leaf leaves[MAX_LEAVES];
    size_t n_leaves;
    finding findings[MAX_FINDINGS];
    size_t n_findings;
    mk_bus bus;
    bool has_bus;
} fixture;

static bool long_mode(const fixture *f)
{
    return f->mc->mode == PW_MODE_4LVL || f->mc->mode == PW_MODE_5LVL;
}

static bool nxe(const fixture *f)
{
    return f->mc->mode != PW_MODE_32 && (f->mc->efer & EFER_NXE);
}

/* Flags without what the mode lacks: no XD in 32-bit entries (R1.2). */
static uint64_t mode_flags(const fixture *f, uint64_t flags)
{
    return f->mc->mode == PW_MODE_32 ? flags & ~PTE_XD : flags;
}

/* A valid mapping, remembered for the dump; rights as the default table
 * flags (R/W, U/S) combine them (R8.2). */
static void map(fixture *f, uint64_t la, uint64_t pa, pw_page_size s, uint64_t flags)
{
    flags = mode_flags(f, flags);
    MK_CHECK(pw_os_map(f->os, la, pa, s, flags));
    if (f->n_leaves == MAX_LEAVES)
        mk_die("too many mappings");
    f->leaves[f->n_leaves++] = (mk_leaf){.la = la, .pa = pa, .size = s, .flags = flags,
                                         .us = (flags & PTE_US) != 0, .rw = (flags & PTE_RW) != 0,
                                         .xd = nxe(f) && (flags & PTE_XD)};
}

static void expect(fixture *f, unsigned kind, uint64_t va, uint64_t pa, const char *detail)
{
    if (f->n_findings == MAX_FINDINGS)
        mk_die("too many findings");
    finding *x = &f->findings[f->n_findings++];
    *x = (finding){.kind = kind, .va = va, .pa = pa};
    snprintf(x->detail, sizeof x->detail, "%s", detail);
}

static uint64_t entry_get(fixture *f, uint64_t pa)
{
    if (f->mc->mode == PW_MODE_32) {
        uint32_t v;
        MK_CHECK(pw_image_read32(f->img, pa, &v));
        return v;
    }
    uint64_t v;
    MK_CHECK(pw_image_read64(f->img, pa, &v));
    return v;
}

static void entry_set(fixture *f, uint64_t pa, uint64_t v)
{
    if (f->mc->mode == PW_MODE_32)
        MK_CHECK(pw_image_write32(f->img, pa, (uint32_t)v));
    else
        MK_CHECK(pw_image_write64(f->img, pa, v));
}

/* Map, then OR `bits` into the leaf at `level`: a reserved-bit finding of
 * `kind` (R5.1/R5.7 reserved, R5.5/R5.7 low address bits: misaligned). */
static void plant_reserved(fixture *f, unsigned kind, uint64_t la, uint64_t pa, pw_page_size s,
                           unsigned level, uint64_t bits)
{
    MK_CHECK(pw_os_map(f->os, la, pa, s, mode_flags(f, PTE_RW | PTE_US | PTE_XD)));
    uint64_t epa, e;
    MK_CHECK(pw_os_entry_pa(f->os, la, level, &epa));
    e = entry_get(f, epa) | bits;
    entry_set(f, epa, e);
    char d[DETAIL_MAX];
    snprintf(d, sizeof d, "level=%u entry=0x%016" PRIx64 " bits=0x%016" PRIx64, level, e, bits);
    expect(f, kind, la, epa, d);
}

/* ---- The two page-table sets ---- */

static void build(fixture *f, const machine *mc, bool planted)
{
    memset(f, 0, sizeof *f);
    f->mc = mc;
    pw_config_default(&f->cfg);
    f->cfg.maxphyaddr = mc->maxphyaddr;
    MK_CHECK(pw_image_sparse_new(IMAGE_SIZE, &f->img));
    MK_CHECK(pw_os_new(f->img, &f->cfg, mc->mode, POOL_BASE, POOL_SIZE, NULL, &f->os));
    uint64_t u = USER_BASE, k = mc->kernel;
    pw_page_size large = mc->mode == PW_MODE_32 ? PW_SIZE_4M : PW_SIZE_2M;
    bool m32 = mc->mode == PW_MODE_32;

    /* The clean base: user code r-x, user data rw-, kernel text r-x, kernel data rw-. */
    map(f, u, 0x00400000, PW_SIZE_4K, PTE_US | PTE_A);
    map(f, u + 0x1000, 0x00401000, PW_SIZE_4K, PTE_US | PTE_RW | PTE_XD | PTE_A | PTE_D);
    map(f, k, 0x00800000, large, PTE_G | PTE_A);
    map(f, k + 0x400000, 0x00c00000, PW_SIZE_4K, PTE_RW | PTE_XD | PTE_G | PTE_A | PTE_D);
    if (long_mode(f))
        map(f, k + 0x40000000, 0x40000000, PW_SIZE_1G, PTE_RW | PTE_XD | PTE_G);
    if (!planted)
        return;

    char d[DETAIL_MAX];
    if (m32) {   /* R5.7 with M'=36: bits 21:17 of a 4 MiB PDE */
        plant_reserved(f, K_RESERVED, 0x01000000, 0x01000000, PW_SIZE_4M, PW_LVL_PD, PW_BIT(17));
        plant_reserved(f, K_MISALIGNED, 0x01400000, 0x01400000, PW_SIZE_4M, PW_LVL_PD, PW_BIT(21));
    } else {     /* R5.1: bit M; R5.5: bit 13 of a 2 MiB PDE */
        plant_reserved(f, K_RESERVED, u + 0x2000, 0x00402000, PW_SIZE_4K, PW_LVL_PT,
                       PW_BIT(mc->maxphyaddr));
        plant_reserved(f, K_MISALIGNED, 0x00600000, 0x00600000, PW_SIZE_2M, PW_LVL_PD, PW_BIT(13));
    }
    if (!m32) {  /* writable and executable, NXE on */
        map(f, k + 0x401000, 0x00c01000, PW_SIZE_4K, PTE_RW | PTE_A);
        expect(f, K_WX, k + 0x401000, 0x00c01000, "size=4K");
    }
    uint64_t root = pw_os_cr3(f->os) & ~(PW_PAGE_SIZE - 1), pt;
    map(f, k + 0x402000, root, PW_SIZE_4K, PTE_RW | PTE_XD);           /* the root, writable */
    expect(f, K_PT_WRITE, k + 0x402000, root, "size=4K tables=1");
    MK_CHECK(pw_os_entry_pa(f->os, u, PW_LVL_PT, &pt));
    pt &= ~(PW_PAGE_SIZE - 1);
    map(f, u + 0x3000, pt, PW_SIZE_4K, PTE_US | PTE_XD);                /* a PT, to user space */
    expect(f, K_PT_USER, u + 0x3000, pt, "size=4K tables=1");
    /* One physical page, two rights. */
    map(f, u + 0x4000, CONFLICT_PA, PW_SIZE_4K, PTE_US | PTE_RW | PTE_XD);
    map(f, k + 0x403000, CONFLICT_PA, PW_SIZE_4K, PTE_RW | PTE_XD);
    snprintf(d, sizeof d, "size=4K rights=-rw%c other=0x%016" PRIx64 " other_rights=urw%c",
             m32 ? 'x' : '-', u + 0x4000, m32 ? 'x' : '-');
    expect(f, K_CONFLICT, k + 0x403000, CONFLICT_PA, d);  /* the higher VA is reported */
    map(f, k + 0x404000, 0x00e00000, PW_SIZE_4K, PTE_US | PTE_XD);     /* user page, kernel half */
    expect(f, K_USER_KERNEL, k + 0x404000, 0x00e00000, "size=4K");

    /* The PD entry for BUS_LA points to a page table beyond the image. */
    uint64_t epa;
    MK_CHECK(pw_os_entry_pa(f->os, u, PW_LVL_PD, &epa));
    unsigned shift = m32 ? 22 : 21, esize = m32 ? 4 : 8;
    epa = (epa & ~(PW_PAGE_SIZE - 1)) + ((BUS_LA >> shift) & (m32 ? 1023 : 511)) * esize;
    if (entry_get(f, epa))
        mk_die("the PD entry for the bus-error table is in use");
    entry_set(f, epa, BUS_TABLE | PTE_P | PTE_RW | PTE_US | PTE_A);
    f->bus = (mk_bus){.la = BUS_LA, .level = PW_LVL_PT, .table = BUS_TABLE};
    f->has_bus = true;
    expect(f, K_BUS, BUS_LA, BUS_TABLE, "level=1");
}

/* ---- Files ---- */

static void save(fixture *f, const char *dir, const char *name)
{
    char path[PATH_MAX_LEN];
    snprintf(path, sizeof path, "%s/%s.raw", dir, name);
    MK_CHECK(pw_image_save_raw(f->img, path));
    snprintf(path, sizeof path, "%s/%s.elf", dir, name);
    MK_CHECK(pw_image_save_elf(f->img, path));
    snprintf(path, sizeof path, "%s.regs", name);
    FILE *r = mk_create(dir, path);
    fprintf(r, "# %s fixture for `pagewalk lint`, written by tests/cli/mkimage\n", name);
    fprintf(r, "cr0 = 0x%" PRIx64 "\ncr3 = 0x%" PRIx64 "\ncr4 = 0x%" PRIx64 "\nefer = 0x%" PRIx64
               "\nmaxphyaddr = %u\n",
            (uint64_t)CR0_PAGING, pw_os_cr3(f->os), f->mc->cr4, f->mc->efer, f->mc->maxphyaddr);
    mk_finish(r, path);
}

static int cmp_finding(const void *a, const void *b)
{
    const finding *x = a, *y = b;
    if (x->va != y->va)
        return x->va < y->va ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return x->pa < y->pa ? -1 : x->pa > y->pa;
}

static void write_findings(fixture *f, const char *dir)
{
    qsort(f->findings, f->n_findings, sizeof f->findings[0], cmp_finding);
    FILE *o = mk_create(dir, "lint.expected");
    for (size_t i = 0; i < f->n_findings; i++)
        fprintf(o, "%s 0x%016" PRIx64 " 0x%016" PRIx64 " %s\n", kind_names[f->findings[i].kind],
                f->findings[i].va, f->findings[i].pa, f->findings[i].detail);
    mk_finish(o, "lint.expected");
}

/* `stats` of a table set nothing was edited in: pw_os_stats, plus what follows
 * from it (each table but the root has one present entry above it). */
static void write_stats(fixture *f, const char *dir)
{
    pw_os_stats st;
    pw_os_stats_get(f->os, &st);
    unsigned top = f->mc->mode == PW_MODE_32 ? 2 : f->mc->mode == PW_MODE_PAE ? 3
                   : f->mc->mode == PW_MODE_4LVL ? 4 : 5;
    uint64_t leaves[PW_LVL_PML5 + 1] = {0}, visited = 0;
    leaves[PW_LVL_PT] = st.leaves[PW_SIZE_4K];
    leaves[PW_LVL_PD] = st.leaves[PW_SIZE_2M] + st.leaves[PW_SIZE_4M];
    leaves[PW_LVL_PDPT] = st.leaves[PW_SIZE_1G];
    FILE *o = mk_create(dir, "clean-stats.expected");
    fprintf(o, "mode %s\n", f->mc->name);
    for (unsigned l = top; l >= PW_LVL_PT; l--) {
        uint64_t present = leaves[l] + (l > PW_LVL_PT ? st.tables[l - 1] : 0);
        unsigned entries = f->mc->mode == PW_MODE_32                  ? 1024
                           : f->mc->mode == PW_MODE_PAE && l == PW_LVL_PDPT ? 4
                                                                          : 512;
        visited += st.tables[l] * entries;
        fprintf(o, "level %u %s tables=%" PRIu64 " present=%" PRIu64 " leaves=%" PRIu64
                   " reserved=0\n",
                l, mk_level_name(l), st.tables[l], present, leaves[l]);
    }
    fprintf(o, "pages 4K=%" PRIu64 " 2M=%" PRIu64 " 4M=%" PRIu64 " 1G=%" PRIu64 "\n",
            st.leaves[PW_SIZE_4K], st.leaves[PW_SIZE_2M], st.leaves[PW_SIZE_4M],
            st.leaves[PW_SIZE_1G]);
    fprintf(o, "tables pages=%" PRIu64 " bytes=%" PRIu64 "\n", st.total_tables, st.table_bytes);
    fprintf(o, "entries visited=%" PRIu64 " bus_errors=0\n", visited);
    mk_finish(o, "clean-stats.expected");
}

/* The PD entry for BUS_LA points back to the page directory that holds it:
 * page tables that loop (in 32-bit paging the PD is the root). */
static void make_loop(fixture *f)
{
    uint64_t epa;
    bool m32 = f->mc->mode == PW_MODE_32;
    MK_CHECK(pw_os_entry_pa(f->os, USER_BASE, PW_LVL_PD, &epa));
    uint64_t pd = epa & ~(PW_PAGE_SIZE - 1);
    epa = pd + ((BUS_LA >> (m32 ? 22 : 21)) & (m32 ? 1023 : 511)) * (m32 ? 4 : 8);
    entry_set(f, epa, pd | PTE_P | PTE_RW | PTE_US | PTE_A);
}

static void release(fixture *f)
{
    pw_os_free(f->os);
    pw_image_free(f->img);
}

void mk_write_lint_fixtures(const char *dir, pw_mode mode)
{
    const machine *mc = NULL;
    for (size_t i = 0; i < sizeof machines / sizeof machines[0]; i++)
        if (machines[i].mode == mode)
            mc = &machines[i];
    if (!mc)
        mk_die("no lint fixture for this mode");
    fixture *f = malloc(sizeof *f);
    if (!f)
        mk_die("out of memory");

    build(f, mc, true);
    save(f, dir, "lint");
    write_findings(f, dir);
    mk_write_dump(dir, "lint-", mode, f->leaves, f->n_leaves, &f->bus, f->has_bus);
    release(f);

    build(f, mc, false);
    save(f, dir, "clean");
    mk_write_dump(dir, "clean-", mode, f->leaves, f->n_leaves, NULL, 0);
    write_stats(f, dir);
    release(f);

    build(f, mc, false);
    make_loop(f);
    save(f, dir, "loop");
    release(f);
    free(f);
}
