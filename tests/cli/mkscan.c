/* mkimage's expected output for `dump` and `walk` (mkscan.h), from what was
 * built. The geometry (indices, level names, page sizes) is written out here
 * from x86-paging.md §2 rather than taken from the library. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "mkscan.h"

#define PATH_MAX_LEN 4096
#define SHIFT_2M 21
#define SHIFT_4M 22
#define SHIFT_1G 30

void mk_die(const char *fmt, ...)
{
    va_list ap;
    fputs("mkimage: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

FILE *mk_create(const char *dir, const char *name)
{
    char path[PATH_MAX_LEN];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        mk_die("path too long: %s/%s", dir, name);
    FILE *f = fopen(path, "wx"); /* never overwrite */
    if (!f)
        mk_die("cannot create %s", path);
    return f;
}

void mk_finish(FILE *f, const char *name)
{
    if (ferror(f) || fclose(f) != 0)
        mk_die("cannot write %s", name);
}

const char *mk_level_name(unsigned level)
{
    static const char *const names[] = {"?", "PT", "PD", "PDPT", "PML4", "PML5"};
    return level <= PW_LVL_PML5 ? names[level] : "?";
}

static uint64_t bytes_of(pw_page_size s)
{
    switch (s) {
    case PW_SIZE_2M: return UINT64_C(1) << SHIFT_2M;
    case PW_SIZE_4M: return UINT64_C(1) << SHIFT_4M;
    case PW_SIZE_1G: return UINT64_C(1) << SHIFT_1G;
    default: return PW_PAGE_SIZE;
    }
}

static const char *size_name(pw_page_size s)
{
    static const char *const names[] = {"4K", "2M", "4M", "1G"};
    return names[s];
}

/* ---- dump ---- */

/* An output event in LA order: a leaf, or a bus-error comment. */
typedef struct {
    uint64_t la;
    const mk_leaf *leaf;
    const mk_bus *bus;
} event;

static int cmp_event(const void *a, const void *b)
{
    const event *x = a, *y = b;
    return x->la < y->la ? -1 : x->la > y->la;
}

static void bus_line(FILE *f, const mk_bus *b)
{
    fprintf(f, "# bus-error level=%u table=0x%016" PRIx64 " la=0x%016" PRIx64 "\n", b->level,
            b->table, b->la);
}

/* The leaf's own flags, in QEMU's `info tlb` letters (docs/cli.md). */
static void tlb_line(FILE *f, pw_mode mode, const mk_leaf *l)
{
    uint64_t x = l->flags;
    fprintf(f, "%016" PRIx64 ": %016" PRIx64 " %c%c%c%c%c%c%c%c%c %s", l->la, l->pa,
            (x & PTE_XD) ? 'X' : '-', (x & PTE_G) ? 'G' : '-', l->size != PW_SIZE_4K ? 'P' : '-',
            (x & PTE_D) ? 'D' : '-', (x & PTE_A) ? 'A' : '-', (x & PTE_PCD) ? 'C' : '-',
            (x & PTE_PWT) ? 'T' : '-', (x & PTE_US) ? 'U' : '-', (x & PTE_RW) ? 'W' : '-',
            size_name(l->size));
    if (x & PW_OS_PAT)
        fputs(" pat", f);
    unsigned pk = (unsigned)((x & PTE_PK) >> PTE_PK_SHIFT);
    if (pk && (mode == PW_MODE_4LVL || mode == PW_MODE_5LVL))
        fprintf(f, " pk=%u", pk);
    fputc('\n', f);
}

typedef struct {
    bool open;
    uint64_t start, end;
    bool us, rw, xd;
} range;

static void range_flush(FILE *f, range *r)
{
    if (r->open)
        fprintf(f, "%016" PRIx64 "-%016" PRIx64 " %016" PRIx64 " %cr%c%c\n", r->start, r->end,
                r->end - r->start, r->us ? 'u' : '-', r->rw ? 'w' : '-', r->xd ? '-' : 'x');
    r->open = false;
}

void mk_write_dump(const char *dir, const char *prefix, pw_mode mode, const mk_leaf *leaves,
                   size_t n, const mk_bus *buses, size_t n_bus)
{
    event *ev = calloc(n + n_bus + 1, sizeof *ev);
    if (!ev)
        mk_die("out of memory");
    for (size_t i = 0; i < n; i++)
        ev[i] = (event){.la = leaves[i].la, .leaf = &leaves[i]};
    for (size_t i = 0; i < n_bus; i++)
        ev[n + i] = (event){.la = buses[i].la, .bus = &buses[i]};
    qsort(ev, n + n_bus, sizeof *ev, cmp_event);

    char name[PATH_MAX_LEN];
    snprintf(name, sizeof name, "%sdump.expected", prefix);
    FILE *f = mk_create(dir, name);
    for (size_t i = 0; i < n + n_bus; i++) {
        if (ev[i].bus)
            bus_line(f, ev[i].bus);
        else
            tlb_line(f, mode, ev[i].leaf);
    }
    mk_finish(f, name);

    /* --mem: contiguous LAs with the same combined rights merge. */
    snprintf(name, sizeof name, "%sdump-mem.expected", prefix);
    f = mk_create(dir, name);
    range r = {0};
    for (size_t i = 0; i < n + n_bus; i++) {
        const mk_leaf *l = ev[i].leaf;
        if (ev[i].bus) {
            range_flush(f, &r);
            bus_line(f, ev[i].bus);
            continue;
        }
        if (r.open && l->la == r.end && l->us == r.us && l->rw == r.rw && l->xd == r.xd) {
            r.end += bytes_of(l->size);
            continue;
        }
        range_flush(f, &r);
        r = (range){.open = true, .start = l->la, .end = l->la + bytes_of(l->size), .us = l->us,
                    .rw = l->rw, .xd = l->xd};
    }
    range_flush(f, &r);
    mk_finish(f, name);
    free(ev);
}

/* ---- walk ---- */

static unsigned top_level(pw_mode m)
{
    return m == PW_MODE_32 ? 2 : m == PW_MODE_PAE ? 3 : m == PW_MODE_4LVL ? 4 : 5;
}

/* R2.2-R2.5: the index of la in the table at `level`. */
static unsigned index_at(pw_mode m, unsigned level, uint64_t la)
{
    if (m == PW_MODE_PAE && level == PW_LVL_PDPT)
        return (unsigned)(la >> SHIFT_1G) & 3u;
    unsigned bits = m == PW_MODE_32 ? 10 : 9;
    return (unsigned)(la >> (PW_PAGE_SHIFT + bits * (level - 1))) & ((1u << bits) - 1);
}

void mk_write_walk(const char *dir, pw_mode mode, const mk_probe *probes, size_t n)
{
    FILE *f = mk_create(dir, "walk.expected");
    for (size_t i = 0; i < n; i++) {
        const mk_probe *p = &probes[i];
        fprintf(f, "0x%016" PRIx64 "|", p->la);
        for (unsigned l = top_level(mode); p->end != MK_END_GP && l >= p->level && l >= 1; l--)
            fprintf(f, "%s%sE[%u]", l == top_level(mode) ? "" : " ", mk_level_name(l),
                    index_at(mode, l, p->la));
        fputc('|', f);
        const char *name = mk_level_name(p->level);
        switch (p->end) {
        case MK_END_PAGE:
            fprintf(f, "%s page at level %u (%s)\n", size_name(p->size), p->level, name);
            break;
        case MK_END_NOT_PRESENT:
            fprintf(f, "walk ends at level %u (%s): not present\n", p->level, name);
            break;
        case MK_END_RESERVED:
            fprintf(f, "walk ends at level %u (%s): reserved bits set\n", p->level, name);
            break;
        case MK_END_BUS:
            fprintf(f, "walk ends at level %u (%s): bus error\n", p->level, name);
            break;
        case MK_END_GP:
            fputs("is not canonical: #GP, no walk\n", f);
            break;
        }
    }
    mk_finish(f, "walk.expected");
}
