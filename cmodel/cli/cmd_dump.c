/* `pagewalk dump`: every present leaf mapping of the page tables (docs/cli.md),
 * from one pw_scan in LA order:
 *   --tlb (default)  one line per page, like QEMU's `info tlb`: VA, PA, the
 *                    leaf's flags, the page size;
 *   --mem            contiguous VA ranges with the same combined rights merged,
 *                    like QEMU's `info mem`, with an x column. */
#include <inttypes.h>
#include <string.h>

#include "cli.h"
#include "machine.h"

enum { OPT_TLB, OPT_MEM };

static const cli_opt own_options[] = {
    {"tlb", OPT_TLB, false},
    {"mem", OPT_MEM, false},
};

typedef struct {
    cli_common c;
    bool tlb, mem;
} dump_opts;

/* A run of --mem output being built. */
typedef struct {
    const dump_opts *o;
    pw_mode mode;
    bool have;               /* a range is open */
    uint64_t start, end;     /* canonical LAs; end may wrap to 0 at the top */
    pw_perm perm;
    uint64_t last_bus_table; /* table of the last bus-error line printed */
    bool bus_printed;
} dumper;

void cmd_dump_help(FILE *out)
{
    fputs("usage: pagewalk dump --image FILE [--regs FILE] [register flags] [--tlb | --mem]\n"
          "                     [--max-entries N]\n"
          "\n"
          "List every present leaf mapping of the page tables in a memory image, in\n"
          "linear-address order.\n"
          "\n",
          out);
    cli_help_machine(out);
    fputs("  --tlb               one line per page (default), like QEMU's `info tlb`:\n"
          "                        VA: PA XGPDACTUW SIZE [pat] [pk=K]\n"
          "                      the leaf entry's own flags, '-' when clear: X XD, G global,\n"
          "                      P large page (PS), D dirty, A accessed, C PCD, T PWT,\n"
          "                      U user, W writable\n"
          "  --mem               merged ranges, like QEMU's `info mem`:\n"
          "                        START-END SIZE RIGHTS\n"
          "                      contiguous VAs with the same combined rights (R8.2) form\n"
          "                      one range (END exclusive); RIGHTS: u or -, r, w or -,\n"
          "                      x or - (x: XD clear, or no NXE)\n",
          out);
    cli_help_scan(out);
    fputs("\n"
          "VA and PA are 16 hex digits without 0x; VAs are canonical. Entries with reserved\n"
          "bits set map nothing and are left out (see `pagewalk lint`). A table outside the\n"
          "image gives a line '# bus-error level=L table=0xPA la=0xLA'.\n"
          "\n"
          "Exit status: 0 listed, 1 runtime error (also page tables that loop, and more\n"
          "than --max-entries entries), 2 bad usage.\n",
          out);
}

static void flush_range(dumper *d)
{
    if (!d->have)
        return;
    char r[CLI_RIGHTS_LEN];
    printf("%016" PRIx64 "-%016" PRIx64 " %016" PRIx64 " %s\n", d->start, d->end,
           d->end - d->start, cli_rights_str(&d->perm, r));
    d->have = false;
}

static bool same_rights(const pw_perm *a, const pw_perm *b)
{
    return a->us == b->us && a->rw == b->rw && a->xd == b->xd;
}

static void tlb_line(const pw_scan_entry *e)
{
    uint64_t x = e->raw;
    printf("%016" PRIx64 ": %016" PRIx64 " %c%c%c%c%c%c%c%c%c %s", e->la, e->pa,
           (x & PTE_XD) ? 'X' : '-', (x & PTE_G) ? 'G' : '-',
           (e->level != PW_LVL_PT && (x & PTE_PS)) ? 'P' : '-', (x & PTE_D) ? 'D' : '-',
           (x & PTE_A) ? 'A' : '-', (x & PTE_PCD) ? 'C' : '-', (x & PTE_PWT) ? 'T' : '-',
           (x & PTE_US) ? 'U' : '-', (x & PTE_RW) ? 'W' : '-', pw_page_size_name(e->size));
    if (x & (e->level == PW_LVL_PT ? PTE_PAT : PTE_PAT_LARGE))
        fputs(" pat", stdout);
    if (e->perm.pk)
        printf(" pk=%u", (unsigned)e->perm.pk);
    putchar('\n');
}

static pw_scan_action on_entry(void *ctx, const pw_scan_entry *e)
{
    dumper *d = ctx;
    if (e->kind == PW_SCAN_BUS_ERROR) {
        if (!d->bus_printed || d->last_bus_table != e->table) {
            flush_range(d);
            printf("# bus-error level=%u table=0x%016" PRIx64 " la=0x%016" PRIx64 "\n", e->level,
                   e->table, e->la);
            d->bus_printed = true;
            d->last_bus_table = e->table;
        }
        return PW_SCAN_CONTINUE;
    }
    if (e->kind != PW_SCAN_LEAF)
        return PW_SCAN_CONTINUE;
    if (!d->o->mem) {
        tlb_line(e);
        return PW_SCAN_CONTINUE;
    }
    if (d->have && e->la == d->end && same_rights(&e->perm, &d->perm)) {
        d->end += e->la_size;
        return PW_SCAN_CONTINUE;
    }
    flush_range(d);
    d->have = true;
    d->start = e->la;
    d->end = e->la + e->la_size;
    d->perm = e->perm;
    return PW_SCAN_CONTINUE;
}

static void on_done(void *ctx)
{
    flush_range(ctx);
}

static parse_result on_opt(void *ctx, const cli_opt *opt, const char *value)
{
    dump_opts *o = ctx;
    (void)value;
    if (opt->id == OPT_TLB)
        o->tlb = true;
    else
        o->mem = true;
    if (o->tlb && o->mem) {
        cli_err("--tlb and --mem exclude each other");
        return PARSE_USAGE;
    }
    return PARSE_OK;
}

static int dump_body(cli_machine *m, void *ctx)
{
    dump_opts *o = ctx;
    dumper d = {.o = o, .mode = m->mode};
    return cli_scan(m, o->c.max_entries, on_entry, on_done, &d);
}

int cmd_dump(int argc, char **argv)
{
    dump_opts o;
    memset(&o, 0, sizeof o);
    cli_parser p = {.cmd = "dump", .groups = CLI_G_MACHINE | CLI_G_SCAN, .opts = own_options,
                    .n_opts = sizeof own_options / sizeof own_options[0], .on_opt = on_opt,
                    .ctx = &o};
    return cli_run_table_command(argc, argv, &p, &o.c, cmd_dump_help, dump_body, &o);
}
