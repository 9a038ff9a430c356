/* `pagewalk lint`: findings in the page tables (docs/cli.md), one line each:
 *   KIND VA PA DETAIL
 * The per-entry checks run during the scan; the ones that need the whole
 * hierarchy (mappings of page-table pages, conflicting rights) run on what
 * the scan collected (lint_checks.c). Exit status 3 when there are findings. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "lint.h"
#include "machine.h"

#define KERNEL_32 UINT64_C(0xc0000000) /* the 3 GiB / 1 GiB split of 32-bit kernels */
#define LARGE_RSVD_LO 13               /* R5.5: bit 12 is PAT; the address starts at 13 */
#define PDE32_LOW_RSVD PW_BIT(21)      /* R5.7: bit 21 of a 4 MiB PDE (20:13 are PA[39:32]) */

enum { OPT_SKIP };

static const cli_opt own_options[] = {
    {"skip", OPT_SKIP, true},
};

typedef struct {
    cli_common c;
    bool skip[LK_COUNT];
} lint_opts;

typedef struct {
    lint_state st;
    const cli_machine *m;
    bool nxe;
    bool bus_seen;
    uint64_t bus_table;
} linter;

void cmd_lint_help(FILE *out)
{
    fputs("usage: pagewalk lint --image FILE [--regs FILE] [register flags] [--skip KINDS]\n"
          "                     [--max-entries N]\n"
          "\n"
          "Look for problems in the page tables of a memory image. One line per finding,\n"
          "sorted by VA:  KIND VA PA DETAIL\n"
          "\n"
          "  reserved     an entry with reserved bits set (R5); PA is the entry's address\n"
          "  misaligned   a large page with address bits below its size set (R5.5, R5.7)\n"
          "  bus-error    a table outside the image; PA is the table's address\n"
          "  wx           a page both writable and executable (only with EFER.NXE)\n"
          "  user-kernel  a user page in the kernel half: LA bit 63 set (4/5-level), or\n"
          "               LA >= 0xc0000000 (32-bit, PAE)\n"
          "  pt-user      a user page that covers page-table pages\n"
          "  pt-write     a writable page that covers page-table pages\n"
          "  conflict     a physical page mapped at two VAs with different rights\n"
          "\n"
          "Rights are the combined ones (R8.2). The page-table pages are those the scan read.\n"
          "\n",
          out);
    cli_help_machine(out);
    fputs("  --skip KINDS        comma-separated kinds not to report\n", out);
    cli_help_scan(out);
    fputs("\n"
          "Exit status: 0 no findings, 3 findings, 1 runtime error (also page tables that\n"
          "loop, and more than --max-entries entries), 2 bad usage.\n",
          out);
}

/* ---- Per entry, during the scan ---- */

/* R5.5, R5.7: the reserved bits of a large leaf that are address bits below
 * its page size. */
static uint64_t low_address_bits(const cli_machine *m, const pw_scan_entry *e)
{
    if (!e->leaf_shape || e->level == PW_LVL_PT)
        return 0;
    if (m->mode == PW_MODE_32)
        return m->cfg.has_pse36 ? PDE32_LOW_RSVD : PW_BITS(21, LARGE_RSVD_LO);
    return PW_BITS(pw_level_shift(m->mode, e->level) - 1, LARGE_RSVD_LO);
}

static void check_reserved(linter *l, const pw_scan_entry *e)
{
    uint64_t low = e->rsvd & low_address_bits(l->m, e), other = e->rsvd & ~low;
    if (low)
        lint_add(&l->st, LK_MISALIGNED, e->la, e->entry_pa,
                 "level=%u entry=0x%016" PRIx64 " bits=0x%016" PRIx64, e->level, e->raw, low);
    if (other)
        lint_add(&l->st, LK_RESERVED, e->la, e->entry_pa,
                 "level=%u entry=0x%016" PRIx64 " bits=0x%016" PRIx64, e->level, e->raw, other);
}

static bool kernel_half(pw_mode m, uint64_t la)
{
    return (m == PW_MODE_4LVL || m == PW_MODE_5LVL) ? (la >> 63) != 0 : la >= KERNEL_32;
}

static void check_leaf(linter *l, const pw_scan_entry *e)
{
    const char *size = pw_page_size_name(e->size);
    if (l->nxe && e->perm.rw && !e->perm.xd)
        lint_add(&l->st, LK_WX, e->la, e->pa, "size=%s", size);
    if (e->perm.us && kernel_half(l->m->mode, e->la))
        lint_add(&l->st, LK_USER_KERNEL, e->la, e->pa, "size=%s", size);
    lint_leaf leaf = {.la = e->la, .pa = e->pa, .bytes = e->la_size, .size = e->size,
                      .perm = e->perm};
    lint_push(&l->st, &l->st.leaves, &leaf);
}

static pw_scan_action on_entry(void *ctx, const pw_scan_entry *e)
{
    linter *l = ctx;
    if (e->kind == PW_SCAN_BUS_ERROR) {
        if (!l->bus_seen || l->bus_table != e->table)
            lint_add(&l->st, LK_BUS_ERROR, e->la, e->table, "level=%u", e->level);
        l->bus_seen = true;
        l->bus_table = e->table;
        return PW_SCAN_CONTINUE;
    }
    {   /* a table read: remember its page (duplicates go in lint_check_tables) */
        uint64_t page = e->table & ~(PW_PAGE_SIZE - 1);
        uint64_t *t = l->st.tables.v;
        if (!l->st.tables.n || t[l->st.tables.n - 1] != page)
            lint_push(&l->st, &l->st.tables, &page);
    }
    if (e->kind == PW_SCAN_RESERVED)
        check_reserved(l, e);
    else if (e->kind == PW_SCAN_LEAF)
        check_leaf(l, e);
    return l->st.nomem ? PW_SCAN_STOP : PW_SCAN_CONTINUE;
}

/* ---- Command ---- */

static parse_result on_opt(void *ctx, const cli_opt *opt, const char *value)
{
    lint_opts *o = ctx;
    char q[CLI_QUOTE_MAX];
    (void)opt;
    for (const char *s = value;; s++) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        lint_kind k = lint_kind_lookup(s, len);
        if (k == LK_COUNT) {
            cli_err("unknown kind '%s' for --skip (try 'pagewalk help lint')",
                    cli_quote(s, len, q, sizeof q));
            return PARSE_USAGE;
        }
        o->skip[k] = true;
        if (!comma)
            return PARSE_OK;
        s = comma;
    }
}

static void print_findings(const lint_state *st)
{
    const lint_finding *f = st->findings.v;
    for (size_t i = 0; i < st->findings.n; i++)
        printf("%s 0x%016" PRIx64 " 0x%016" PRIx64 " %s\n", lint_kind_name(f[i].kind), f[i].va,
               f[i].pa, f[i].detail);
}

/* After the scan, before any error about it is reported. */
static void on_done(void *ctx)
{
    linter *l = ctx;
    if (l->st.nomem)
        return;
    lint_check_tables(&l->st);
    lint_check_conflicts(&l->st);
    lint_sort(&l->st);
    if (!l->st.nomem)
        print_findings(&l->st);
}

static int run(const lint_opts *o, const cli_machine *m)
{
    linter l = {.m = m, .nxe = m->mode != PW_MODE_32 && (m->regs.efer & EFER_NXE)};
    memcpy(l.st.skip, o->skip, sizeof l.st.skip);
    l.st.findings.elem = sizeof(lint_finding);
    l.st.leaves.elem = sizeof(lint_leaf);
    l.st.tables.elem = sizeof(uint64_t);
    int rc = cli_scan(m, o->c.max_entries, on_entry, on_done, &l);
    if (l.st.nomem) {
        cli_err("out of memory");
        rc = CLI_EXIT_RUNTIME;
    } else if (rc == CLI_EXIT_OK && l.st.findings.n) {
        rc = CLI_EXIT_FINDINGS;
    }
    free(l.st.findings.v);
    free(l.st.leaves.v);
    free(l.st.tables.v);
    return rc;
}

static int lint_body(cli_machine *m, void *ctx)
{
    return run(ctx, m);
}

int cmd_lint(int argc, char **argv)
{
    lint_opts o;
    memset(&o, 0, sizeof o);
    cli_parser p = {.cmd = "lint", .groups = CLI_G_MACHINE | CLI_G_SCAN, .opts = own_options,
                    .n_opts = sizeof own_options / sizeof own_options[0], .on_opt = on_opt,
                    .ctx = &o};
    return cli_run_table_command(argc, argv, &p, &o.c, cmd_lint_help, lint_body, &o);
}
