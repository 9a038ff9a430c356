/* Flag parsing and the help text of `pagewalk translate`. Flags and
 * addresses may come in any order; every mistake is a usage error. */
#include <string.h>

#include "args.h"
#include "cli.h"
#include "translate_opts.h"

typedef enum {
    OPT_IMAGE,
    OPT_REGS,
    OPT_REG,        /* a register or maxphyaddr: fills translate_opts.flags */
    OPT_USER,
    OPT_WRITE,
    OPT_FETCH,
    OPT_IMPLICIT,
    OPT_AC,
    OPT_AD_POLICY,
    OPT_NO_1G,
    OPT_NO_PSE36,
    OPT_HELP,
} opt_id;

typedef struct {
    const char *name;   /* without the leading "--" */
    opt_id id;
    bool takes_value;
    cli_reg_key reg;    /* OPT_REG only */
} opt_def;

static const opt_def options[] = {
    {"image", OPT_IMAGE, true, RK_COUNT},
    {"regs", OPT_REGS, true, RK_COUNT},
    {"cr0", OPT_REG, true, RK_CR0},
    {"cr3", OPT_REG, true, RK_CR3},
    {"cr4", OPT_REG, true, RK_CR4},
    {"efer", OPT_REG, true, RK_EFER},
    {"pkru", OPT_REG, true, RK_PKRU},
    {"pkrs", OPT_REG, true, RK_PKRS},
    {"maxphyaddr", OPT_REG, true, RK_MAXPHYADDR},
    {"user", OPT_USER, false, RK_COUNT},
    {"write", OPT_WRITE, false, RK_COUNT},
    {"fetch", OPT_FETCH, false, RK_COUNT},
    {"implicit", OPT_IMPLICIT, false, RK_COUNT},
    {"ac", OPT_AC, false, RK_COUNT},
    {"ad-policy", OPT_AD_POLICY, true, RK_COUNT},
    {"no-1g", OPT_NO_1G, false, RK_COUNT},
    {"no-pse36", OPT_NO_PSE36, false, RK_COUNT},
    {"help", OPT_HELP, false, RK_COUNT},
};
#define N_OPTIONS (sizeof options / sizeof options[0])


void cmd_translate_help(FILE *out)
{
    fputs("usage: pagewalk translate --image FILE [--regs FILE]\n"
          "                          [--cr0 V] [--cr3 V] [--cr4 V] [--efer V] [--pkru V] [--pkrs V]\n"
          "                          [--maxphyaddr N] [--user] [--write | --fetch] [--implicit] [--ac]\n"
          "                          [--ad-policy none|as-walked] [--no-1g] [--no-pse36] ADDR...\n"
          "\n"
          "Translate each linear address ADDR through the page tables in a raw physical\n"
          "memory dump (byte i of FILE is physical address i). The file is never modified.\n"
          "\n"
          "  --image FILE        raw physical dump (QEMU pmemsave)\n"
          "  --regs FILE         key=value lines: cr0 cr3 cr4 efer pkru pkrs pdpte0..pdpte3\n"
          "                      maxphyaddr ('#' comments); flags override the file\n"
          "  --cr0/--cr3/--cr4/--efer/--pkru/--pkrs V   register values\n"
          "  --maxphyaddr N      MAXPHYADDR, 32..52 (default 46)\n"
          "  --user              CPL=3 access (default: supervisor)\n"
          "  --write, --fetch    access kind (default: read)\n"
          "  --implicit          implicit supervisor access (GDT, IDT, ...)\n"
          "  --ac                EFLAGS.AC=1 (SMAP override)\n"
          "  --ad-policy P       A bits of non-leaf entries on a faulting walk: none (default)\n"
          "                      or as-walked; updates go to a private copy only\n"
          "  --no-1g             CPU without 1 GiB pages (PS in a PDPTE is reserved)\n"
          "  --no-pse36          CPU without PSE-36\n"
          "\n"
          "Numbers are decimal or hex with 0x. cr0, cr3, cr4 and efer are required. If\n"
          "EFER.LME and CR0.PG are set, EFER.LMA is set too. In PAE mode the PDPTE\n"
          "registers are loaded from the PDPT at CR3 unless pdpte0..pdpte3 are all given.\n"
          "\n"
          "Output, one line per address (all numbers hex):\n"
          "  ADDR ok pa=PA size=4K|2M|4M|1G level=L rw=B us=B xd=B g=B pk=K mt=0xM\n"
          "  ADDR pf err=0xEEEE level=L entry=RAW entry_pa=PA\n"
          "  ADDR gp non-canonical\n"
          "  ADDR bus-error level=L entry_pa=PA\n"
          "\n"
          "Exit status: 0 every address translated (faults included), 1 runtime error,\n"
          "2 bad usage.\n",
          out);
}

/* ---- Flags ---- */

static const opt_def *find_option(const char *name, size_t len)
{
    for (size_t i = 0; i < N_OPTIONS; i++)
        if (strlen(options[i].name) == len && strncmp(options[i].name, name, len) == 0)
            return &options[i];
    return NULL;
}

static bool set_once(const char **slot, const char *value, const char *flag)
{
    if (*slot) {
        cli_err("--%s given twice", flag);
        return false;
    }
    *slot = value;
    return true;
}

/* One option that has its value. */
static parse_result apply_option(translate_opts *o, const opt_def *d, const char *value)
{
    char q[CLI_QUOTE_MAX];
    const char *why;
    switch (d->id) {
    case OPT_IMAGE:
        return set_once(&o->image, value, d->name) ? PARSE_OK : PARSE_USAGE;
    case OPT_REGS:
        return set_once(&o->regs_path, value, d->name) ? PARSE_OK : PARSE_USAGE;
    case OPT_REG:
        if (o->flags.have[d->reg]) {
            cli_err("--%s given twice", d->name);
            return PARSE_USAGE;
        }
        if (!cli_parse_u64(value, cli_reg_max(d->reg), &o->flags.val[d->reg], &why)) {
            cli_err("bad value '%s' for --%s: %s", cli_quote(value, strlen(value), q, sizeof q),
                    d->name, why);
            return PARSE_USAGE;
        }
        o->flags.have[d->reg] = true;
        return PARSE_OK;
    case OPT_AD_POLICY:
        if (o->ad_given) {
            cli_err("--%s given twice", d->name);
            return PARSE_USAGE;
        }
        if (strcmp(value, "none") == 0) {
            o->ad = PW_AD_NONE;
        } else if (strcmp(value, "as-walked") == 0) {
            o->ad = PW_AD_NONLEAF_AS_WALKED;
        } else {
            cli_err("bad value '%s' for --ad-policy: expected none or as-walked",
                    cli_quote(value, strlen(value), q, sizeof q));
            return PARSE_USAGE;
        }
        o->ad_given = true;
        return PARSE_OK;
    case OPT_USER: o->user = true; return PARSE_OK;
    case OPT_WRITE: o->write = true; return PARSE_OK;
    case OPT_FETCH: o->fetch = true; return PARSE_OK;
    case OPT_IMPLICIT: o->implicit = true; return PARSE_OK;
    case OPT_AC: o->ac = true; return PARSE_OK;
    case OPT_NO_1G: o->no_1g = true; return PARSE_OK;
    case OPT_NO_PSE36: o->no_pse36 = true; return PARSE_OK;
    case OPT_HELP: return PARSE_HELP;
    }
    return PARSE_USAGE;
}

static parse_result add_address(translate_opts *o, const char *arg)
{
    char q[CLI_QUOTE_MAX];
    const char *why;
    if (!cli_parse_u64(arg, UINT64_MAX, &o->addrs[o->n_addrs], &why)) {
        cli_err("bad address '%s': %s", cli_quote(arg, strlen(arg), q, sizeof q), why);
        return PARSE_USAGE;
    }
    o->n_addrs++;
    return PARSE_OK;
}

/* argv[0] is "translate". Flags and addresses may come in any order; "--"
 * ends the flags. --name=value and --name value are both accepted. */
parse_result translate_parse_args(int argc, char **argv, translate_opts *o)
{
    char q[CLI_QUOTE_MAX];
    bool flags_done = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (flags_done || arg[0] != '-' || (arg[1] >= '0' && arg[1] <= '9')) {
            /* An address; "-5" is reported as a negative address, not a flag. */
            if (add_address(o, arg) != PARSE_OK)
                return PARSE_USAGE;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            flags_done = true;
            continue;
        }
        if (strcmp(arg, "-h") == 0)
            return PARSE_HELP;
        if (arg[1] != '-') {
            cli_err("unknown option '%s' (try 'pagewalk help translate')",
                    cli_quote(arg, strlen(arg), q, sizeof q));
            return PARSE_USAGE;
        }
        const char *name = arg + 2, *eq = strchr(name, '=');
        size_t name_len = eq ? (size_t)(eq - name) : strlen(name);
        const opt_def *d = find_option(name, name_len);
        if (!d) {
            cli_err("unknown option '--%s' (try 'pagewalk help translate')",
                    cli_quote(name, name_len, q, sizeof q));
            return PARSE_USAGE;
        }
        const char *value = NULL;
        if (d->takes_value) {
            if (eq) {
                value = eq + 1;
            } else if (i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0) {
                value = argv[++i];
            } else {
                cli_err("--%s needs a value", d->name);
                return PARSE_USAGE;
            }
        } else if (eq) {
            cli_err("--%s takes no value", d->name);
            return PARSE_USAGE;
        }
        parse_result r = apply_option(o, d, value);
        if (r != PARSE_OK)
            return r;
    }
    if (o->write && o->fetch) {
        cli_err("--write and --fetch exclude each other");
        return PARSE_USAGE;
    }
    if (!o->image) {
        cli_err("no image given (--image FILE)");
        return PARSE_USAGE;
    }
    if (!o->n_addrs) {
        cli_err("no address given");
        return PARSE_USAGE;
    }
    return PARSE_OK;
}

