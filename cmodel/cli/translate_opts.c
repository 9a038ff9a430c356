/* Flag parsing and the help text of `pagewalk translate`: the machine and
 * access flags of cli_opts.h, --json, and the addresses ('-' = stdin). */
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "cli.h"
#include "translate_opts.h"

enum { OPT_JSON };

static const cli_opt own_options[] = {
    {"json", OPT_JSON, false},
};

void cmd_translate_help(FILE *out)
{
    fputs("usage: pagewalk translate --image FILE [--regs FILE]\n"
          "                          [--cr0 V] [--cr3 V] [--cr4 V] [--efer V] [--pkru V] [--pkrs V]\n"
          "                          [--maxphyaddr N] [--user] [--write | --fetch] [--implicit] [--ac]\n"
          "                          [--ad-policy none|as-walked] [--no-1g] [--no-pse36] [--json]\n"
          "                          [ADDR... | -]\n"
          "\n"
          "Translate each linear address ADDR through the page tables in a memory image\n"
          "(a raw physical dump or an ELF core). The file is never modified.\n"
          "Without ADDR, or where ADDR is '-', addresses are read from stdin, one per line\n"
          "('#' starts a comment, blank lines are skipped).\n"
          "\n",
          out);
    cli_help_machine(out);
    cli_help_access(out);
    fputs("  --json              one JSON object per line, with the same fields\n"
          "\n"
          "Numbers are decimal or hex with 0x. cr0, cr3, cr4 and efer are required. If\n"
          "EFER.LME and CR0.PG are set, EFER.LMA is set too. In PAE mode the PDPTE\n"
          "registers are loaded from the PDPT at CR3 unless pdpte0..pdpte3 are all given.\n"
          "A/D updates go to a private copy of the image only.\n"
          "\n"
          "Output, one line per address (all numbers hex):\n"
          "  ADDR ok pa=PA size=4K|2M|4M|1G level=L rw=B us=B xd=B g=B pk=K mt=0xM\n"
          "  ADDR pf err=0xEEEE level=L entry=RAW entry_pa=PA\n"
          "  ADDR gp non-canonical\n"
          "  ADDR bus-error level=L entry_pa=PA\n"
          "\n"
          "Exit status: 0 every address translated (faults included), 1 runtime error,\n"
          "2 bad usage (also a bad address on stdin).\n",
          out);
}

static parse_result on_opt(void *ctx, const cli_opt *opt, const char *value)
{
    translate_opts *o = ctx;
    (void)value;
    if (opt->id == OPT_JSON)
        o->json = true;
    return PARSE_OK;
}

static parse_result on_arg(void *ctx, const char *arg)
{
    translate_opts *o = ctx;
    char q[CLI_QUOTE_MAX];
    const char *why;
    if (strcmp(arg, "-") == 0) {
        if (o->use_stdin) {
            cli_err("'-' (stdin) given twice");
            return PARSE_USAGE;
        }
        o->use_stdin = true;
        o->stdin_at = o->n_addrs;
        return PARSE_OK;
    }
    if (!cli_parse_u64(arg, UINT64_MAX, &o->addrs[o->n_addrs], &why)) {
        cli_err("bad address '%s': %s", cli_quote(arg, strlen(arg), q, sizeof q), why);
        return PARSE_USAGE;
    }
    o->n_addrs++;
    return PARSE_OK;
}

parse_result translate_parse_args(int argc, char **argv, translate_opts *o)
{
    cli_parser p = {.cmd = "translate", .groups = CLI_G_MACHINE | CLI_G_ACCESS,
                    .opts = own_options, .n_opts = sizeof own_options / sizeof own_options[0],
                    .on_opt = on_opt, .on_arg = on_arg, .ctx = o};
    parse_result r = cli_parse(argc, argv, &p, &o->c);
    if (r != PARSE_OK)
        return r;
    if (!o->n_addrs && !o->use_stdin) {
        /* Waiting for a terminal to type addresses is a surprise, not a feature. */
        if (isatty(STDIN_FILENO)) {
            cli_err("no address given (give ADDR..., or '-' to read them from stdin)");
            return PARSE_USAGE;
        }
        o->use_stdin = true;
        o->stdin_at = 0;
    }
    return PARSE_OK;
}
