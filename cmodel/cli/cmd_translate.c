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
#include "translate_opts.h"

#define MSG_MAX 512
#define PATH_QUOTE_MAX 256
#define PDPTE_BYTES 8

/* The registers a translation cannot do without. */
static const cli_reg_key required_regs[] = {RK_CR0, RK_CR3, RK_CR4, RK_EFER};

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
    case PW_OUT_ABORTED:
        fprintf(out, "0x%016" PRIx64 " aborted level=%u entry_pa=0x%016" PRIx64 "\n", la,
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
    switch (translate_parse_args(argc, argv, &o)) {
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
