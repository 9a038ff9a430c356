/* `pagewalk walk ADDR`: one walk drawn step by step as the hierarchy, CR3 ->
 * PML5/PML4 -> PDPT -> PD -> PT -> page, each entry decoded, ending with the
 * line `translate` prints (docs/cli.md).
 *
 * It drives the walker's step machine (pw_walk_begin/next/respond) itself, so
 * that it sees every entry as read. The walk never writes: an A/D update the
 * walk would make (a CAS) is answered as if memory had accepted it, written
 * nowhere, and listed under the hierarchy. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "machine.h"
#include "result_out.h"

#define MAX_UPDATES 8 /* CASes of one walk: at most one per level */

typedef struct {
    cli_common c;
    uint64_t la;
    unsigned n_addrs;
} walk_opts;

/* What the walk read, by level. */
typedef struct {
    bool have[PW_MAX_LEVEL_SLOTS];
    uint64_t entry[PW_MAX_LEVEL_SLOTS], entry_pa[PW_MAX_LEVEL_SLOTS];
    bool from_register[PW_MAX_LEVEL_SLOTS];
    unsigned n_updates;
    pw_mem_access updates[MAX_UPDATES];
    pw_result res;
} walk_trace;

void cmd_walk_help(FILE *out)
{
    fputs("usage: pagewalk walk --image FILE [--regs FILE] [register flags] [access flags] ADDR\n"
          "\n"
          "Walk linear address ADDR through the page tables of a memory image and draw\n"
          "each step as the hierarchy: CR3, then one indented line per entry read (PML5E,\n"
          "PML4E, PDPTE, PDE, PTE) with its index, physical address, raw value and fields\n"
          "decoded, down to the page. A not-present entry shows its OS bits (the bits other\n"
          "than P) and where the walk ended; a large page shows the level that ended it.\n"
          "The last line is the one `pagewalk translate` prints for ADDR.\n"
          "\n",
          out);
    cli_help_machine(out);
    cli_help_access(out);
    fputs("\n"
          "The image is never written, not even privately: A/D updates the walk would make\n"
          "are listed ('update ... not written') instead.\n"
          "\n"
          "Exit status: 0 the walk was drawn (faults included), 1 runtime error, 2 bad usage.\n",
          out);
}

/* ---- The walk ---- */

static pw_status run_walk(const cli_machine *m, const pw_request *req, walk_trace *t)
{
    memset(t, 0, sizeof *t);
    if (pw_walk_trivial(&m->regs, req, &t->res))
        return PW_OK;
    pw_walk_state w;
    pw_status st = pw_walk_begin(&w, &m->cfg, &m->regs, req, NULL);
    if (st != PW_OK)
        return st;
    pw_mem_access acc;
    while (pw_walk_next(&w, &acc)) {
        uint64_t v = acc.expect;   /* a CAS "succeeds" without writing */
        pw_mem_status ms = PW_MEM_OK;
        if (acc.kind == PW_MEM_READ) {
            ms = m->mem.read(m->mem.ctx, acc.pa, acc.size, 0, &v);
            if (ms == PW_MEM_OK && acc.level <= PW_LVL_PML5) {
                t->have[acc.level] = true;
                t->entry[acc.level] = acc.size == sizeof(uint32_t) ? v & PW_BITS(31, 0) : v;
                t->entry_pa[acc.level] = acc.pa;
            }
        } else if (t->n_updates < MAX_UPDATES) {
            t->updates[t->n_updates++] = acc;
        }
        pw_walk_respond(&w, ms, v);
    }
    /* R6.3: a PAE PDPTE register is used without a memory access. */
    if (m->mode == PW_MODE_PAE && m->cfg.pae_pdpte == PW_PDPTE_REGISTERS) {
        t->have[PW_LVL_PDPT] = t->from_register[PW_LVL_PDPT] = true;
        t->entry[PW_LVL_PDPT] = w.entry[PW_LVL_PDPT];
        t->entry_pa[PW_LVL_PDPT] = w.entry_pa[PW_LVL_PDPT];
    }
    t->res = w.result;
    return w.status;
}

/* ---- Drawing ---- */

static void indent(unsigned depth)
{
    for (unsigned i = 0; i < depth; i++)
        fputs("  ", stdout);
}

static unsigned bit(uint64_t e, uint64_t mask)
{
    return (e & mask) != 0;
}

/* §4: the fields of a present entry, as its mode and shape define them. */
static void decode(const cli_machine *m, unsigned level, uint64_t e, bool leaf)
{
    bool pae_pdpte = m->mode == PW_MODE_PAE && level == PW_LVL_PDPT;
    bool long_mode = m->mode == PW_MODE_4LVL || m->mode == PW_MODE_5LVL;
    printf(" p=%u", bit(e, PTE_P));
    if (!pae_pdpte)
        printf(" rw=%u us=%u", bit(e, PTE_RW), bit(e, PTE_US));
    printf(" pwt=%u pcd=%u", bit(e, PTE_PWT), bit(e, PTE_PCD));
    if (!pae_pdpte)
        printf(" a=%u", bit(e, PTE_A));
    if (leaf)
        printf(" d=%u", bit(e, PTE_D));
    if (level == PW_LVL_PT)
        printf(" pat=%u", bit(e, PTE_PAT));
    else if (!pae_pdpte)
        printf(" ps=%u", bit(e, PTE_PS));
    if (leaf && level != PW_LVL_PT)
        printf(" pat=%u", bit(e, PTE_PAT_LARGE));
    if (leaf)
        printf(" g=%u", bit(e, PTE_G));
    if (m->mode != PW_MODE_32)
        printf(" xd=%u", bit(e, PTE_XD));
    if (leaf && long_mode)
        printf(" pk=%u", (unsigned)((e & PTE_PK) >> PTE_PK_SHIFT));
    printf(" addr=0x%016" PRIx64, pw_entry_addr(&m->cfg, m->mode, level, leaf, e));
}

static pw_page_size size_at(pw_mode mode, unsigned level)
{
    return level == PW_LVL_PT ? PW_SIZE_4K
           : level == PW_LVL_PD ? (mode == PW_MODE_32 ? PW_SIZE_4M : PW_SIZE_2M)
                                : PW_SIZE_1G;
}

/* One entry line; returns false where the walk ended. */
static bool draw_entry(const cli_machine *m, const walk_trace *t, unsigned level, unsigned depth,
                       uint64_t la)
{
    uint64_t e = t->entry[level];
    indent(depth);
    printf("%sE[%u] at 0x%016" PRIx64 "%s = 0x%0*" PRIx64, cli_level_name(level),
           pw_la_index(m->mode, level, la), t->entry_pa[level],
           t->from_register[level] ? " (register)" : "", m->mode == PW_MODE_32 ? 8 : 16, e);
    bool leaf = pw_entry_is_leaf(&m->regs, m->mode, level, e);
    switch (pw_classify(&m->cfg, &m->regs, m->mode, level, e)) {
    case PW_ENT_NOT_PRESENT:
        printf(" not present, os bits 0x%016" PRIx64 "\n", e & ~PTE_P);
        indent(depth + 1);
        printf("walk ends at level %u (%s): not present\n", level, cli_level_name(level));
        return false;
    case PW_ENT_RESERVED:
        decode(m, level, e, leaf);
        printf(" reserved=0x%016" PRIx64 "\n",
               e & pw_rsvd_mask(&m->cfg, &m->regs, m->mode, level, leaf));
        indent(depth + 1);
        printf("walk ends at level %u (%s): reserved bits set\n", level, cli_level_name(level));
        return false;
    case PW_ENT_TABLE:
        decode(m, level, e, false);
        printf(" -> %s\n", cli_level_name(level - 1));
        return true;
    case PW_ENT_LEAF: {
        pw_page_size s = size_at(m->mode, level);
        decode(m, level, e, true);
        printf(" -> %s page\n", pw_page_size_name(s));
        uint64_t frame = pw_entry_addr(&m->cfg, m->mode, level, true, e);
        uint64_t off = pw_la_truncate(m->mode, la) & (pw_page_bytes(s) - 1);
        indent(depth + 1);
        printf("page 0x%016" PRIx64 " + 0x%" PRIx64 " = 0x%016" PRIx64
               ", %s page at level %u (%s)\n",
               frame, off, frame + off, pw_page_size_name(s), level, cli_level_name(level));
        return false;
    }
    }
    return false;
}

static void draw(const cli_machine *m, uint64_t la, const walk_trace *t)
{
    const pw_result *r = &t->res;
    if (m->mode == PW_MODE_NONE) {
        printf("paging off (CR0.PG=0): PA = LA\n");
    } else if (r->outcome == PW_OUT_GP) {
        printf("%s paging: LA 0x%016" PRIx64 " is not canonical: #GP, no walk\n",
               pw_mode_name(m->mode), la);
    } else {
        unsigned top = pw_mode_levels(m->mode);
        printf("%s paging, LA 0x%016" PRIx64 "\n", pw_mode_name(m->mode),
               pw_la_canonical_form(m->mode, pw_la_truncate(m->mode, la)));
        printf("CR3 0x%016" PRIx64 " -> %s at 0x%016" PRIx64 "\n", m->regs.cr3, cli_level_name(top),
               pw_scan_root(&m->cfg, &m->regs));
        unsigned depth = 1;
        for (unsigned l = top; l >= PW_LVL_PT; l--, depth++) {
            if (!t->have[l]) {
                if (r->outcome == PW_OUT_BUS_ERROR && r->level == l) {
                    indent(depth);
                    printf("%sE[%u] at 0x%016" PRIx64 ": cannot be read (outside the image)\n",
                           cli_level_name(l), pw_la_index(m->mode, l, la), r->entry_pa);
                    indent(depth + 1);
                    printf("walk ends at level %u (%s): bus error\n", l, cli_level_name(l));
                }
                break;
            }
            if (!draw_entry(m, t, l, depth, la))
                break;
        }
        for (unsigned i = 0; i < t->n_updates; i++) {
            const pw_mem_access *u = &t->updates[i];
            printf("update %sE at 0x%016" PRIx64 ": 0x%016" PRIx64 " -> 0x%016" PRIx64
                   " (not written)\n",
                   cli_level_name(u->level), u->pa, u->expect, u->desired);
        }
    }
    cli_print_result(stdout, la, r, false);
}

/* ---- Command ---- */

static parse_result on_arg(void *ctx, const char *arg)
{
    walk_opts *o = ctx;
    char q[CLI_QUOTE_MAX];
    const char *why;
    if (o->n_addrs++) {
        cli_err("more than one address given (walk takes one ADDR)");
        return PARSE_USAGE;
    }
    if (!cli_parse_u64(arg, UINT64_MAX, &o->la, &why)) {
        cli_err("bad address '%s': %s", cli_quote(arg, strlen(arg), q, sizeof q), why);
        return PARSE_USAGE;
    }
    return PARSE_OK;
}

int cmd_walk(int argc, char **argv)
{
    walk_opts o;
    memset(&o, 0, sizeof o);
    cli_parser p = {.cmd = "walk", .groups = CLI_G_MACHINE | CLI_G_ACCESS, .on_arg = on_arg,
                    .ctx = &o};
    parse_result pr = cli_parse(argc, argv, &p, &o.c);
    if (pr == PARSE_HELP) {
        cmd_walk_help(stdout);
        return CLI_EXIT_OK;
    }
    if (pr == PARSE_OK && !o.n_addrs) {
        cli_err("no address given (walk takes one ADDR)");
        pr = PARSE_USAGE;
    }
    if (pr != PARSE_OK)
        return CLI_EXIT_USAGE;
    cli_machine m;
    int rc = cli_machine_open(&o.c, &m);
    if (rc != CLI_EXIT_OK)
        return rc;
    pw_request req = {.la = o.la, .kind = cli_access_kind(&o.c), .user = o.c.user,
                      .implicit = o.c.implicit, .ac = o.c.ac};
    walk_trace t;
    pw_status st = run_walk(&m, &req, &t);
    if (st == PW_OK) {
        draw(&m, o.la, &t);
    } else {
        cli_err("cannot walk 0x%016" PRIx64 ": %s", o.la, pw_status_str(st));
        rc = CLI_EXIT_RUNTIME;
    }
    cli_machine_close(&m);
    return rc;
}
