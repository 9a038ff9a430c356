/* The machine of a command (machine.h): registers, configuration, image and
 * PDPTE load, each step checked with one error line; and the scan driver.
 *
 * Steps: gather the registers (--regs file, then flags over it); build the
 * configuration and the register state and check them; open the image
 * (mapped privately: A/D updates never reach the file); load the PAE PDPTE
 * registers from it when they were not given. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>

#include "args.h"
#include "cli.h"
#include "machine.h"

#define MSG_MAX 512
#define PATH_QUOTE_MAX 256
#define PDPTE_BYTES 8

/* The registers no command can do without. */
static const cli_reg_key required_regs[] = {RK_CR0, RK_CR3, RK_CR4, RK_EFER};

const char *cli_level_name(unsigned level)
{
    static const char *const names[] = {"?", "PT", "PD", "PDPT", "PML4", "PML5"};
    return level <= PW_LVL_PML5 ? names[level] : "?";
}

const char *cli_rights_str(const pw_perm *p, char *buf)
{
    buf[0] = p->us ? 'u' : '-';
    buf[1] = 'r';
    buf[2] = p->rw ? 'w' : '-';
    buf[3] = p->xd ? '-' : 'x';
    buf[4] = '\0';
    return buf;
}

/* ---- Registers and configuration ---- */

/* The --regs file with the flags over it; every required register present. */
static int gather_regs(const cli_common *c, cli_regset *rs)
{
    memset(rs, 0, sizeof *rs);
    if (c->regs_path) {
        char msg[MSG_MAX];
        cli_regs_file_status st = cli_regs_file_load(c->regs_path, rs, msg, sizeof msg);
        if (st != RF_OK) {
            cli_err("%s", msg);
            return st == RF_IO ? CLI_EXIT_RUNTIME : CLI_EXIT_USAGE;
        }
    }
    cli_regset_merge(rs, &c->flags);
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

static int build_config(const cli_common *c, const cli_regset *rs, pw_config *cfg)
{
    pw_config_default(cfg);
    if (rs->have[RK_MAXPHYADDR])
        cfg->maxphyaddr = (unsigned)rs->val[RK_MAXPHYADDR];
    cfg->has_1g = !c->no_1g;
    cfg->has_pse36 = !c->no_pse36;
    cfg->ad_on_fault = c->ad_given ? c->ad : PW_AD_NONE;
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
    const char *why = NULL;
    pw_status st = pw_image_open_msg(path, img, &why);   /* raw dump or ELF core */
    if (st != PW_OK) {
        cli_err("cannot open image '%s': %s", name, why ? why : pw_status_str(st));
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

int cli_machine_open(const cli_common *c, cli_machine *m)
{
    memset(m, 0, sizeof *m);
    cli_regset rs;
    bool pdptes_given;
    int rc = gather_regs(c, &rs);
    if (rc == CLI_EXIT_OK)
        rc = build_config(c, &rs, &m->cfg);
    if (rc == CLI_EXIT_OK)
        rc = build_regs(&m->cfg, &rs, &m->regs, &pdptes_given);
    if (rc == CLI_EXIT_OK)
        rc = open_image(c->image, &m->img);
    m->mode = pw_mode_of(&m->regs);
    if (rc == CLI_EXIT_OK && m->mode == PW_MODE_PAE && !pdptes_given)
        rc = load_pdptes(&m->cfg, &m->regs, m->img);
    if (rc != CLI_EXIT_OK) {
        cli_machine_close(m);
        return rc;
    }
    pw_image_mem(m->img, &m->mem);
    return CLI_EXIT_OK;
}

void cli_machine_close(cli_machine *m)
{
    pw_image_free(m->img);
    m->img = NULL;
}

int cli_machine_need_tables(const cli_machine *m)
{
    if (m->mode == PW_MODE_NONE) {
        cli_err("paging is off (CR0.PG=0): there are no page tables");
        return CLI_EXIT_USAGE;
    }
    /* PAE: the PDPTEs are registers, loaded (and checked) already or given. */
    if (m->mode == PW_MODE_PAE)
        return CLI_EXIT_OK;
    /* The whole root table must be memory (an ELF core may have holes). */
    uint64_t root = pw_scan_root(&m->cfg, &m->regs);
    uint8_t page[PW_PAGE_SIZE];
    if (pw_image_read(m->img, root, page, sizeof page) != PW_OK) {
        cli_err("the root table at CR3 (0x%016" PRIx64 ") lies outside the image", root);
        return CLI_EXIT_RUNTIME;
    }
    return CLI_EXIT_OK;
}

/* ---- Scan ---- */

typedef struct {
    pw_scan_action (*fn)(void *ctx, const pw_scan_entry *e);
    void *ctx;
    bool looped;
    pw_scan_entry first_loop;
} scan_wrap;

static pw_scan_action wrap_entry(void *ctx, const pw_scan_entry *e)
{
    scan_wrap *w = ctx;
    if (e->kind == PW_SCAN_LOOP && !w->looped) {
        w->looped = true;
        w->first_loop = *e;
    }
    return w->fn(w->ctx, e);
}

int cli_scan(const cli_machine *m, uint64_t max_entries,
             pw_scan_action (*fn)(void *ctx, const pw_scan_entry *e), void (*done)(void *ctx),
             void *ctx)
{
    scan_wrap w = {.fn = fn, .ctx = ctx};
    pw_scan_visitor v = {.entry = wrap_entry, .max_entries = max_entries};
    pw_status st = pw_scan(&m->cfg, &m->regs, &m->mem, &v, &w);
    if (done)
        done(ctx);
    const pw_scan_entry *l = &w.first_loop;
    switch (st) {
    case PW_OK:
        return CLI_EXIT_OK;
    case PW_ERR_LOOP:
        cli_err("page tables loop: the %s entry at 0x%016" PRIx64 " (LA 0x%016" PRIx64
                ") points to the table at 0x%016" PRIx64 ", already on its path",
                cli_level_name(l->level), l->entry_pa, l->la, l->pa);
        return CLI_EXIT_RUNTIME;
    case PW_ERR_LIMIT:
        cli_err("more than %" PRIu64 " page-table entries: stopped (raise --max-entries)",
                max_entries ? max_entries : PW_SCAN_MAX_ENTRIES);
        return CLI_EXIT_RUNTIME;
    default:
        cli_err("cannot scan the page tables: %s", pw_status_str(st));
        return CLI_EXIT_RUNTIME;
    }
}

int cli_run_table_command(int argc, char **argv, const cli_parser *p, cli_common *c,
                          void (*help)(FILE *out), int (*body)(cli_machine *m, void *ctx),
                          void *ctx)
{
    parse_result pr = cli_parse(argc, argv, p, c);
    if (pr == PARSE_HELP) {
        help(stdout);
        return CLI_EXIT_OK;
    }
    if (pr != PARSE_OK)
        return CLI_EXIT_USAGE;
    cli_machine m;
    int rc = cli_machine_open(c, &m);
    if (rc != CLI_EXIT_OK)
        return rc;
    rc = cli_machine_need_tables(&m);
    if (rc == CLI_EXIT_OK)
        rc = body(&m, ctx);
    cli_machine_close(&m);
    return rc;
}
