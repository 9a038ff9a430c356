/* `pagewalk stats`: what the page tables hold and cost (docs/cli.md): per
 * level the table pages, present entries, leaves and reserved entries; leaf
 * pages by size; the memory the tables use. From one pw_scan. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "machine.h"

typedef struct {
    cli_common c;
} stats_opts;

/* A table page read at a level; tables shared by several entries count once. */
typedef struct {
    uint64_t page;
    unsigned level;
} table_ref;

typedef struct {
    pw_mode mode;
    uint64_t present[PW_MAX_LEVEL_SLOTS], leaves[PW_MAX_LEVEL_SLOTS];
    uint64_t reserved[PW_MAX_LEVEL_SLOTS], tables[PW_MAX_LEVEL_SLOTS];
    uint64_t by_size[PW_SIZE_1G + 1];
    uint64_t visited, bus_errors;
    table_ref *refs;
    size_t n_refs, cap_refs;
    bool nomem;
} stats;

void cmd_stats_help(FILE *out)
{
    fputs("usage: pagewalk stats --image FILE [--regs FILE] [register flags] [--max-entries N]\n"
          "\n"
          "Count what the page tables in a memory image hold:\n"
          "\n"
          "  mode MODE\n"
          "  level L NAME tables=T present=P leaves=F reserved=R   (one line per level, top first)\n"
          "  pages 4K=N 2M=N 4M=N 1G=N                             (valid leaves by page size)\n"
          "  tables pages=T bytes=B                                (memory used by the tables)\n"
          "  entries visited=V bus_errors=E\n"
          "\n"
          "tables: distinct table pages read at that level (a table reached twice counts\n"
          "once; the PAE PDPT counts as one page, as an OS allocates it). present: entries\n"
          "with P=1, reserved ones included; leaves: valid leaves; reserved: present entries\n"
          "with reserved bits (R5), which map nothing.\n"
          "\n",
          out);
    cli_help_machine(out);
    cli_help_scan(out);
    fputs("\n"
          "Exit status: 0 counted, 1 runtime error (also page tables that loop, and more\n"
          "than --max-entries entries), 2 bad usage.\n",
          out);
}

static void note_table(stats *s, const pw_scan_entry *e)
{
    table_ref r = {.page = e->table & ~(PW_PAGE_SIZE - 1), .level = e->level};
    const table_ref *last = s->n_refs ? &s->refs[s->n_refs - 1] : NULL;
    if (last && last->page == r.page && last->level == r.level)
        return;
    if (s->n_refs == s->cap_refs) {
        size_t cap = s->cap_refs ? s->cap_refs * 2 : 64;
        table_ref *v = realloc(s->refs, cap * sizeof *v);
        if (!v) {
            s->nomem = true;
            return;
        }
        s->refs = v;
        s->cap_refs = cap;
    }
    s->refs[s->n_refs++] = r;
}

static pw_scan_action on_entry(void *ctx, const pw_scan_entry *e)
{
    stats *s = ctx;
    s->visited++;
    if (e->kind == PW_SCAN_BUS_ERROR) {
        s->bus_errors++;
        return PW_SCAN_CONTINUE;
    }
    note_table(s, e);
    if (e->raw & PTE_P)
        s->present[e->level]++;
    if (e->kind == PW_SCAN_RESERVED)
        s->reserved[e->level]++;
    if (e->kind == PW_SCAN_LEAF) {
        s->leaves[e->level]++;
        s->by_size[e->size]++;
    }
    return s->nomem ? PW_SCAN_STOP : PW_SCAN_CONTINUE;
}

static int cmp_ref(const void *a, const void *b)
{
    const table_ref *x = a, *y = b;
    if (x->level != y->level)
        return x->level < y->level ? -1 : 1;
    return x->page < y->page ? -1 : x->page > y->page;
}

static void print_stats(stats *s)
{
    pw_mode mode = s->mode;
    if (s->n_refs)
        qsort(s->refs, s->n_refs, sizeof *s->refs, cmp_ref);
    uint64_t total = 0;
    for (size_t i = 0; i < s->n_refs; i++) {
        if (i && cmp_ref(&s->refs[i - 1], &s->refs[i]) == 0)
            continue;
        s->tables[s->refs[i].level]++;
        total++;
    }
    printf("mode %s\n", pw_mode_name(mode));
    for (unsigned l = pw_mode_levels(mode); l >= PW_LVL_PT; l--)
        printf("level %u %s tables=%" PRIu64 " present=%" PRIu64 " leaves=%" PRIu64
               " reserved=%" PRIu64 "\n",
               l, cli_level_name(l), s->tables[l], s->present[l], s->leaves[l], s->reserved[l]);
    printf("pages 4K=%" PRIu64 " 2M=%" PRIu64 " 4M=%" PRIu64 " 1G=%" PRIu64 "\n",
           s->by_size[PW_SIZE_4K], s->by_size[PW_SIZE_2M], s->by_size[PW_SIZE_4M],
           s->by_size[PW_SIZE_1G]);
    printf("tables pages=%" PRIu64 " bytes=%" PRIu64 "\n", total, total * PW_PAGE_SIZE);
    printf("entries visited=%" PRIu64 " bus_errors=%" PRIu64 "\n", s->visited, s->bus_errors);
}

/* After the scan, before any error about it is reported. */
static void on_done(void *ctx)
{
    stats *s = ctx;
    if (!s->nomem)
        print_stats(s);
}

static int stats_body(cli_machine *m, void *ctx)
{
    stats_opts *o = ctx;
    stats s;
    memset(&s, 0, sizeof s);
    s.mode = m->mode;
    int rc = cli_scan(m, o->c.max_entries, on_entry, on_done, &s);
    if (s.nomem) {
        cli_err("out of memory");
        rc = CLI_EXIT_RUNTIME;
    }
    free(s.refs);
    return rc;
}

int cmd_stats(int argc, char **argv)
{
    stats_opts o;
    memset(&o, 0, sizeof o);
    cli_parser p = {.cmd = "stats", .groups = CLI_G_MACHINE | CLI_G_SCAN, .ctx = &o};
    return cli_run_table_command(argc, argv, &p, &o.c, cmd_stats_help, stats_body, &o);
}
