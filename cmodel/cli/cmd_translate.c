/* `pagewalk translate`: translate linear addresses through the page tables of
 * a raw physical dump, one machine-readable line per address (docs/cli.md).
 *
 * Steps: parse the flags; gather the registers (--regs file, then flags over
 * it); build the configuration and the register state and check them; open
 * the image (mapped privately: A/D updates never reach the file); load the
 * PAE PDPTE registers from it when they were not given; walk each address. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "args.h"
#include "cli.h"
#include "pagewalk/pagewalk.h"
#include "regs_file.h"

#define MSG_MAX 512
#define PATH_QUOTE_MAX 256
#define PDPTE_BYTES 8

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

/* The registers a translation cannot do without. */
static const cli_reg_key required_regs[] = {RK_CR0, RK_CR3, RK_CR4, RK_EFER};

typedef struct {
    const char *image;
    const char *regs_path;
    cli_regset flags;          /* registers given as flags; they override the file */
    bool write, fetch, user, implicit, ac;
    bool no_1g, no_pse36;
    bool ad_given;
    pw_ad_policy ad;
    uint64_t *addrs;
    size_t n_addrs;
} translate_opts;

typedef enum { PARSE_OK, PARSE_HELP, PARSE_USAGE } parse_result;

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
static parse_result parse_args(int argc, char **argv, translate_opts *o)
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

/* ---- Registers and configuration ---- */

/* The --regs file with the flags over it; every required register present. */
static int gather_regs(const translate_opts *o, cli_regset *rs)
{
    memset(rs, 0, sizeof *rs);
    if (o->regs_path) {
        char msg[MSG_MAX];
        cli_regs_file_status st = cli_regs_file_load(o->regs_path, rs, msg, sizeof msg);
        if (st != RF_OK) {
            cli_err("%s", msg);
            return st == RF_IO ? CLI_EXIT_RUNTIME : CLI_EXIT_USAGE;
        }
    }
    cli_regset_merge(rs, &o->flags);
    for (size_t i = 0; i < sizeof required_regs / sizeof required_regs[0]; i++) {
        const char *n = cli_reg_name(required_regs[i]);
        if (!rs->have[required_regs[i]]) {
            cli_err("missing register %s (give --%s V or %s=V in the --regs file)", n, n, n);
            return CLI_EXIT_USAGE;
        }
    }
    unsigned n_pdptes = 0;
    for (unsigned i = 0; i < RK_PDPTE_COUNT; i++)
        n_pdptes += rs->have[RK_PDPTE0 + i];
    if (n_pdptes && n_pdptes != RK_PDPTE_COUNT) {
        cli_err("give all of pdpte0..pdpte3 or none of them");
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

static int build_config(const translate_opts *o, const cli_regset *rs, pw_config *cfg)
{
    pw_config_default(cfg);
    if (rs->have[RK_MAXPHYADDR])
        cfg->maxphyaddr = (unsigned)rs->val[RK_MAXPHYADDR];
    cfg->has_1g = !o->no_1g;
    cfg->has_pse36 = !o->no_pse36;
    cfg->ad_on_fault = o->ad_given ? o->ad : PW_AD_NONE;
    cfg->pae_pdpte = PW_PDPTE_REGISTERS;
    const char *why = NULL;
    if (pw_config_check(cfg, &why) != PW_OK) {
        cli_err("bad configuration: %s", why ? why : "rejected");
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

/* The register state, checked. *pdptes_given: pdpte0..3 came from the user. */
static int build_regs(const pw_config *cfg, const cli_regset *rs, pw_regs *regs, bool *pdptes_given)
{
    pw_regs_reset(regs);
    regs->cr0 = rs->val[RK_CR0];
    regs->cr3 = rs->val[RK_CR3];
    regs->cr4 = rs->val[RK_CR4];
    regs->efer = rs->val[RK_EFER];
    regs->pkru = (uint32_t)rs->val[RK_PKRU];
    regs->pkrs = (uint32_t)rs->val[RK_PKRS];
    /* A CPU sets LMA itself when paging is enabled with LME=1; a dump's EFER
     * normally has it already, a hand-written one may not. */
    if ((regs->efer & EFER_LME) && (regs->cr0 & CR0_PG))
        regs->efer |= EFER_LMA;
    *pdptes_given = rs->have[RK_PDPTE0];
    for (unsigned i = 0; i < RK_PDPTE_COUNT && *pdptes_given; i++)
        regs->pdpte[i] = rs->val[RK_PDPTE0 + i];
    const char *why = NULL;
    if (pw_regs_validate(cfg, regs, &why) != PW_OK) {
        cli_err("invalid registers: %s", why ? why : "rejected");
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

/* ---- Image ---- */

static int open_image(const char *path, pw_image **img)
{
    char name[PATH_QUOTE_MAX];
    cli_quote(path, strlen(path), name, sizeof name);
    struct stat sb;
    if (stat(path, &sb) != 0) {
        cli_err("cannot open image '%s': %s", name, strerror(errno));
        return CLI_EXIT_RUNTIME;
    }
    if (!S_ISREG(sb.st_mode)) {
        cli_err("cannot open image '%s': not a regular file", name);
        return CLI_EXIT_RUNTIME;
    }
    pw_status st = pw_image_raw_open(path, img);
    if (st != PW_OK) {
        cli_err("cannot open image '%s': %s", name, pw_status_str(st));
        return CLI_EXIT_RUNTIME;
    }
    return CLI_EXIT_OK;
}

/* R6.1: the PDPTE registers as a MOV to CR3 would load them. */
static int load_pdptes(const pw_config *cfg, pw_regs *regs, pw_image *img)
{
    uint64_t base = regs->cr3 & CR3_PAE_BASE;
    uint64_t bytes = RK_PDPTE_COUNT * PDPTE_BYTES;
    uint64_t size = pw_image_size(img);
    if (size < bytes || base > size - bytes) {
        cli_err("PDPTEs at CR3 (0x%016" PRIx64 ") lie outside the image (0x%" PRIx64 " bytes)",
                base, size);
        return CLI_EXIT_RUNTIME;
    }
    pw_mem mem;
    pw_image_mem(img, &mem);
    pw_status st = pw_regs_load_pdptes(cfg, regs, &mem);
    if (st == PW_ERR_GP) {
        /* R6.2: name the first present PDPTE with a reserved bit. */
        uint64_t rsvd = pw_rsvd_mask(cfg, regs, PW_MODE_PAE, PW_LVL_PDPT, false);
        for (unsigned i = 0; i < RK_PDPTE_COUNT; i++) {
            uint64_t pa = base + i * PDPTE_BYTES, e = 0;
            if (pw_image_read64(img, pa, &e) == PW_OK && (e & PTE_P) && (e & rsvd)) {
                cli_err("PDPTEs at CR3 have reserved bits set (pdpte%u=0x%016" PRIx64
                        " at 0x%016" PRIx64 ")",
                        i, e, pa);
                return CLI_EXIT_RUNTIME;
            }
        }
        cli_err("PDPTEs at CR3 have reserved bits set");
        return CLI_EXIT_RUNTIME;
    }
    if (st != PW_OK) {
        cli_err("cannot load the PDPTEs at CR3: %s", pw_status_str(st));
        return CLI_EXIT_RUNTIME;
    }
    return CLI_EXIT_OK;
}

/* ---- Output ---- */

static void print_result(FILE *out, uint64_t la, const pw_result *r)
{
    switch (r->outcome) {
    case PW_OUT_OK:
        fprintf(out,
                "0x%016" PRIx64 " ok pa=0x%016" PRIx64 " size=%s level=%u rw=%u us=%u xd=%u g=%u"
                " pk=%x mt=0x%x\n",
                la, r->pa, pw_page_size_name(r->size), r->level, (unsigned)r->perm.rw,
                (unsigned)r->perm.us, (unsigned)r->perm.xd, (unsigned)r->global,
                (unsigned)r->perm.pk, (unsigned)r->memtype);
        return;
    case PW_OUT_PF:
        fprintf(out,
                "0x%016" PRIx64 " pf err=0x%04" PRIx32 " level=%u entry=0x%016" PRIx64
                " entry_pa=0x%016" PRIx64 "\n",
                la, r->err_code, r->level, r->raw_entry, r->entry_pa);
        return;
    case PW_OUT_GP:
        fprintf(out, "0x%016" PRIx64 " gp non-canonical\n", la);
        return;
    case PW_OUT_BUS_ERROR:
        fprintf(out, "0x%016" PRIx64 " bus-error level=%u entry_pa=0x%016" PRIx64 "\n", la,
                r->level, r->entry_pa);
        return;
    }
}

static int translate_all(const translate_opts *o, const pw_config *cfg, const pw_regs *regs,
                         pw_image *img)
{
    pw_mem mem;
    pw_image_mem(img, &mem);
    pw_access_kind kind = o->write ? PW_ACC_WRITE : o->fetch ? PW_ACC_FETCH : PW_ACC_READ;
    for (size_t i = 0; i < o->n_addrs; i++) {
        pw_request req = {.la = o->addrs[i], .kind = kind, .user = o->user,
                          .implicit = o->implicit, .ac = o->ac};
        pw_result res;
        pw_status st = pw_walk(cfg, regs, &mem, &req, &res);
        if (st != PW_OK) {
            cli_err("cannot translate 0x%016" PRIx64 ": %s", o->addrs[i], pw_status_str(st));
            return CLI_EXIT_RUNTIME;
        }
        print_result(stdout, o->addrs[i], &res);
    }
    return CLI_EXIT_OK;
}

static int run(const translate_opts *o)
{
    cli_regset rs;
    pw_config cfg;
    pw_regs regs;
    bool pdptes_given;
    int rc = gather_regs(o, &rs);
    if (rc == CLI_EXIT_OK)
        rc = build_config(o, &rs, &cfg);
    if (rc == CLI_EXIT_OK)
        rc = build_regs(&cfg, &rs, &regs, &pdptes_given);
    if (rc != CLI_EXIT_OK)
        return rc;

    pw_image *img = NULL;
    rc = open_image(o->image, &img);
    if (rc == CLI_EXIT_OK && pw_mode_of(&regs) == PW_MODE_PAE && !pdptes_given)
        rc = load_pdptes(&cfg, &regs, img);
    if (rc == CLI_EXIT_OK)
        rc = translate_all(o, &cfg, &regs, img);
    pw_image_free(img);
    return rc;
}

int cmd_translate(int argc, char **argv)
{
    translate_opts o;
    memset(&o, 0, sizeof o);
    /* At most one address per argument. */
    o.addrs = calloc(argc > 0 ? (size_t)argc : 1, sizeof *o.addrs);
    if (!o.addrs) {
        cli_err("out of memory");
        return CLI_EXIT_RUNTIME;
    }
    int rc;
    switch (parse_args(argc, argv, &o)) {
    case PARSE_HELP:
        cmd_translate_help(stdout);
        rc = CLI_EXIT_OK;
        break;
    case PARSE_USAGE:
        rc = CLI_EXIT_USAGE;
        break;
    default:
        rc = run(&o);
        break;
    }
    free(o.addrs);
    return rc;
}
