/* The shared flags of the pagewalk commands and the parser (cli_opts.h). */
#include <string.h>

#include "args.h"
#include "cli.h"
#include "cli_opts.h"

typedef enum {
    OPT_IMAGE,
    OPT_REGS,
    OPT_REG,        /* a register or maxphyaddr: fills cli_common.flags */
    OPT_NO_1G,
    OPT_NO_PSE36,
    OPT_USER,
    OPT_WRITE,
    OPT_FETCH,
    OPT_IMPLICIT,
    OPT_AC,
    OPT_AD_POLICY,
    OPT_MAX_ENTRIES,
    OPT_HELP,
} opt_id;

typedef struct {
    const char *name;   /* without the leading "--" */
    opt_id id;
    bool takes_value;
    unsigned group;     /* CLI_G_*; 0 = every command */
    cli_reg_key reg;    /* OPT_REG only */
} opt_def;

static const opt_def options[] = {
    {"image", OPT_IMAGE, true, CLI_G_MACHINE, RK_COUNT},
    {"regs", OPT_REGS, true, CLI_G_MACHINE, RK_COUNT},
    {"cr0", OPT_REG, true, CLI_G_MACHINE, RK_CR0},
    {"cr3", OPT_REG, true, CLI_G_MACHINE, RK_CR3},
    {"cr4", OPT_REG, true, CLI_G_MACHINE, RK_CR4},
    {"efer", OPT_REG, true, CLI_G_MACHINE, RK_EFER},
    {"pkru", OPT_REG, true, CLI_G_MACHINE, RK_PKRU},
    {"pkrs", OPT_REG, true, CLI_G_MACHINE, RK_PKRS},
    {"maxphyaddr", OPT_REG, true, CLI_G_MACHINE, RK_MAXPHYADDR},
    {"no-1g", OPT_NO_1G, false, CLI_G_MACHINE, RK_COUNT},
    {"no-pse36", OPT_NO_PSE36, false, CLI_G_MACHINE, RK_COUNT},
    {"user", OPT_USER, false, CLI_G_ACCESS, RK_COUNT},
    {"write", OPT_WRITE, false, CLI_G_ACCESS, RK_COUNT},
    {"fetch", OPT_FETCH, false, CLI_G_ACCESS, RK_COUNT},
    {"implicit", OPT_IMPLICIT, false, CLI_G_ACCESS, RK_COUNT},
    {"ac", OPT_AC, false, CLI_G_ACCESS, RK_COUNT},
    {"ad-policy", OPT_AD_POLICY, true, CLI_G_ACCESS, RK_COUNT},
    {"max-entries", OPT_MAX_ENTRIES, true, CLI_G_SCAN, RK_COUNT},
    {"help", OPT_HELP, false, 0, RK_COUNT},
};
#define N_OPTIONS (sizeof options / sizeof options[0])

void cli_help_machine(FILE *out)
{
    fputs("  --image FILE        raw physical dump (QEMU pmemsave) or ELF core (QEMU\n"
          "                      dump-guest-memory), told apart by the ELF magic; never\n"
          "                      modified\n"
          "  --regs FILE         key=value lines: cr0 cr3 cr4 efer pkru pkrs pdpte0..pdpte3\n"
          "                      maxphyaddr ('#' comments), or the text of QEMU's\n"
          "                      `info registers`; flags override the file\n"
          "  --cr0/--cr3/--cr4/--efer/--pkru/--pkrs V   register values\n"
          "  --maxphyaddr N      MAXPHYADDR, 32..52 (default 46)\n"
          "  --no-1g             CPU without 1 GiB pages (PS in a PDPTE is reserved)\n"
          "  --no-pse36          CPU without PSE-36\n",
          out);
}

void cli_help_access(FILE *out)
{
    fputs("  --user              CPL=3 access (default: supervisor)\n"
          "  --write, --fetch    access kind (default: read)\n"
          "  --implicit          implicit supervisor access (GDT, IDT, ...)\n"
          "  --ac                EFLAGS.AC=1 (SMAP override)\n"
          "  --ad-policy P       A bits of non-leaf entries on a faulting walk: none (default)\n"
          "                      or as-walked\n",
          out);
}

void cli_help_scan(FILE *out)
{
    fputs("  --max-entries N     stop with an error after N page-table entries (default\n"
          "                      67108864); bounds the work on tables shared many times\n",
          out);
}

pw_access_kind cli_access_kind(const cli_common *c)
{
    return c->write ? PW_ACC_WRITE : c->fetch ? PW_ACC_FETCH : PW_ACC_READ;
}

/* ---- Parsing ---- */

static bool set_once(const char **slot, const char *value, const char *flag)
{
    if (*slot) {
        cli_err("--%s given twice", flag);
        return false;
    }
    *slot = value;
    return true;
}

static parse_result bad_value(const char *flag, const char *value, const char *why)
{
    char q[CLI_QUOTE_MAX];
    cli_err("bad value '%s' for --%s: %s", cli_quote(value, strlen(value), q, sizeof q), flag, why);
    return PARSE_USAGE;
}

/* One shared flag that has its value. */
static parse_result apply_common(cli_common *c, const opt_def *d, const char *value)
{
    const char *why;
    switch (d->id) {
    case OPT_IMAGE: return set_once(&c->image, value, d->name) ? PARSE_OK : PARSE_USAGE;
    case OPT_REGS: return set_once(&c->regs_path, value, d->name) ? PARSE_OK : PARSE_USAGE;
    case OPT_REG:
        if (c->flags.have[d->reg]) {
            cli_err("--%s given twice", d->name);
            return PARSE_USAGE;
        }
        if (!cli_parse_u64(value, cli_reg_max(d->reg), &c->flags.val[d->reg], &why))
            return bad_value(d->name, value, why);
        c->flags.have[d->reg] = true;
        return PARSE_OK;
    case OPT_AD_POLICY:
        if (c->ad_given) {
            cli_err("--%s given twice", d->name);
            return PARSE_USAGE;
        }
        if (strcmp(value, "none") == 0)
            c->ad = PW_AD_NONE;
        else if (strcmp(value, "as-walked") == 0)
            c->ad = PW_AD_NONLEAF_AS_WALKED;
        else
            return bad_value(d->name, value, "expected none or as-walked");
        c->ad_given = true;
        return PARSE_OK;
    case OPT_MAX_ENTRIES:
        if (c->max_entries) {
            cli_err("--%s given twice", d->name);
            return PARSE_USAGE;
        }
        if (!cli_parse_u64(value, UINT64_MAX, &c->max_entries, &why))
            return bad_value(d->name, value, why);
        if (!c->max_entries)
            return bad_value(d->name, value, "must be at least 1");
        return PARSE_OK;
    case OPT_NO_1G: c->no_1g = true; return PARSE_OK;
    case OPT_NO_PSE36: c->no_pse36 = true; return PARSE_OK;
    case OPT_USER: c->user = true; return PARSE_OK;
    case OPT_WRITE: c->write = true; return PARSE_OK;
    case OPT_FETCH: c->fetch = true; return PARSE_OK;
    case OPT_IMPLICIT: c->implicit = true; return PARSE_OK;
    case OPT_AC: c->ac = true; return PARSE_OK;
    case OPT_HELP: return PARSE_HELP;
    }
    return PARSE_USAGE;
}

static const opt_def *find_common(const cli_parser *p, const char *name, size_t len)
{
    for (size_t i = 0; i < N_OPTIONS; i++)
        if ((!options[i].group || (options[i].group & p->groups)) &&
            strlen(options[i].name) == len && strncmp(options[i].name, name, len) == 0)
            return &options[i];
    return NULL;
}

static const cli_opt *find_own(const cli_parser *p, const char *name, size_t len)
{
    for (size_t i = 0; i < p->n_opts; i++)
        if (strlen(p->opts[i].name) == len && strncmp(p->opts[i].name, name, len) == 0)
            return &p->opts[i];
    return NULL;
}

/* The value of flag `name` at argv[*i]: after '=' or the next argument. */
static parse_result flag_value(int argc, char **argv, int *i, const char *name, bool takes_value,
                               const char *eq, const char **value)
{
    *value = NULL;
    if (takes_value) {
        if (eq) {
            *value = eq + 1;
        } else if (*i + 1 < argc && strncmp(argv[*i + 1], "--", 2) != 0) {
            *value = argv[++*i];
        } else {
            cli_err("--%s needs a value", name);
            return PARSE_USAGE;
        }
    } else if (eq) {
        cli_err("--%s takes no value", name);
        return PARSE_USAGE;
    }
    return PARSE_OK;
}

static parse_result positional(const cli_parser *p, const char *arg)
{
    char q[CLI_QUOTE_MAX];
    if (!p->on_arg) {
        cli_err("unexpected argument '%s' (try 'pagewalk help %s')",
                cli_quote(arg, strlen(arg), q, sizeof q), p->cmd);
        return PARSE_USAGE;
    }
    return p->on_arg(p->ctx, arg);
}

static parse_result one_flag(int argc, char **argv, int *i, const cli_parser *p, cli_common *c)
{
    char q[CLI_QUOTE_MAX];
    const char *arg = argv[*i];
    if (strcmp(arg, "-h") == 0)
        return PARSE_HELP;
    if (arg[1] != '-') {
        cli_err("unknown option '%s' (try 'pagewalk help %s')",
                cli_quote(arg, strlen(arg), q, sizeof q), p->cmd);
        return PARSE_USAGE;
    }
    const char *name = arg + 2, *eq = strchr(name, '='), *value;
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    const cli_opt *own = find_own(p, name, len);
    const opt_def *d = own ? NULL : find_common(p, name, len);
    if (!own && !d) {
        cli_err("unknown option '--%s' (try 'pagewalk help %s')", cli_quote(name, len, q, sizeof q),
                p->cmd);
        return PARSE_USAGE;
    }
    const char *canon = own ? own->name : d->name;
    parse_result r = flag_value(argc, argv, i, canon, own ? own->takes_value : d->takes_value, eq,
                                &value);
    if (r != PARSE_OK)
        return r;
    return own ? p->on_opt(p->ctx, own, value) : apply_common(c, d, value);
}

parse_result cli_parse(int argc, char **argv, const cli_parser *p, cli_common *c)
{
    bool flags_done = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        parse_result r = PARSE_OK;
        /* "-5" is a (negative, rejected) number and "-" is stdin: both positional. */
        if (flags_done || arg[0] != '-' || arg[1] == '\0' || (arg[1] >= '0' && arg[1] <= '9'))
            r = positional(p, arg);
        else if (strcmp(arg, "--") == 0)
            flags_done = true;
        else
            r = one_flag(argc, argv, &i, p, c);
        if (r != PARSE_OK)
            return r;
    }
    if (c->write && c->fetch) {
        cli_err("--write and --fetch exclude each other");
        return PARSE_USAGE;
    }
    if ((p->groups & CLI_G_MACHINE) && !c->image) {
        cli_err("no image given (--image FILE)");
        return PARSE_USAGE;
    }
    return PARSE_OK;
}
