/* What mkimage writes for the commands that list and lint the page tables
 * (dump, walk, lint, stats). The expected output is computed from what was
 * built (the mappings given to the os builder, the entries edited by hand)
 * and the output formats of docs/cli.md, never by scanning or walking. */
#ifndef PW_TESTS_MKSCAN_H
#define PW_TESTS_MKSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pagewalk/pagewalk.h"

/* A valid mapping as built: pw_os_map's flags, and the rights combined with
 * those of the tables above it (R8.2). */
typedef struct {
    uint64_t la;               /* canonical */
    uint64_t pa;
    pw_page_size size;
    uint64_t flags;            /* as given to pw_os_map (PW_OS_PAT for PAT) */
    bool us, rw, xd;           /* combined */
} mk_leaf;

/* A table outside the image: its entries (at `level`) cannot be read. */
typedef struct {
    uint64_t la;               /* first LA the table covers, canonical */
    unsigned level;            /* level of its entries */
    uint64_t table;
} mk_bus;

/* Where a walk of `la` ends. */
typedef enum { MK_END_PAGE, MK_END_NOT_PRESENT, MK_END_RESERVED, MK_END_BUS, MK_END_GP } mk_end;

typedef struct {
    uint64_t la;               /* as probed */
    mk_end end;
    unsigned level;            /* level of the last entry on the path (PAGE: the leaf) */
    pw_page_size size;         /* MK_END_PAGE */
} mk_probe;

/* DIR/PREFIXdump.expected (`dump`, one line per page) and
 * DIR/PREFIXdump-mem.expected (`dump --mem`, merged ranges). */
void mk_write_dump(const char *dir, const char *prefix, pw_mode mode, const mk_leaf *leaves,
                   size_t n, const mk_bus *buses, size_t n_bus);
/* DIR/walk.expected: one line per probe, "ADDR|ENTRIES|END": the entries
 * `walk` must draw, top down ("PML4E[254] PDPTE[0] PDE[0] PTE[1]"), and the
 * line that says where the walk ended. */
void mk_write_walk(const char *dir, pw_mode mode, const mk_probe *probes, size_t n);
/* DIR/lint.raw, lint.elf, lint.regs, lint.expected (the findings planted) and
 * clean.raw, clean.elf, clean.regs, clean-dump*.expected, clean-stats.expected
 * (no findings; the counts of pw_os_stats) and loop.raw, loop.elf, loop.regs
 * (the clean set with a PD entry pointing back to its own PD) for one mode
 * (mklint.c). */
void mk_write_lint_fixtures(const char *dir, pw_mode mode);

/* Shared by mkscan.c and mklint.c. */
void mk_die(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2), noreturn))
#endif
    ;
FILE *mk_create(const char *dir, const char *name);
void mk_finish(FILE *f, const char *name);
const char *mk_level_name(unsigned level);

#define MK_CHECK(call)                                                                    \
    do {                                                                                  \
        pw_status st_ = (call);                                                           \
        if (st_ != PW_OK)                                                                 \
            mk_die("%s:%d: %s: %s", __FILE__, __LINE__, #call, pw_status_str(st_));       \
    } while (0)

#endif
