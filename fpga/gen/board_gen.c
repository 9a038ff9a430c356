/* board_gen: the board self-test's content, computed by the C model at build time.
 *
 *   board_gen --name NAME --mem-kib K --requests N --out-dir DIR --mem-path PATH
 *             [--clk-hz HZ] -G PARAM=VALUE ...
 *
 * Builds page tables for every paging mode that fits in the board's block RAM
 * with the os builder, runs the board's request schedule (fpga/rtl/pw_board.sv)
 * through the cycle model, and writes
 *   DIR/pw_board_mem.hex   the block RAM's initial contents ($readmemh, 64-bit words)
 *   DIR/pw_board_cfg.svh   pw_top's parameters, the phase and control-operation
 *                          tables, the expected signature and counters
 *   DIR/expected.txt       the same figures for people
 * The -G parameters are pw_top's (docs/ports.md); the board RTL takes them from
 * the .svh, so the model and the netlist can never disagree on the configuration.
 * The schedule and the signature are defined in board_sched.h; docs/fpga.md. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board_sched.h"
#include "pagewalk/pagewalk.h"

#define KIB 1024u
#define PAGE 4096u

/* ---- command line ---- */

typedef struct {
    const char *name, *out_dir, *mem_path;
    unsigned mem_kib;
    unsigned requests;      /* per phase */
    uint64_t clk_hz;
    pw_config cfg;
    unsigned cnt_w;         /* pw_top's counter width: they count modulo 2^cnt_w */
    /* pw_top parameters as given, echoed into the .svh in this order */
    char params[24][48];
    unsigned n_params;
} gen_opts;

static void die(const char *fmt, const char *arg)
{
    fprintf(stderr, "board_gen: ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    exit(2);
}

static uint64_t parse_u64(const char *s, const char *what)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s || *end)
        die("bad number for %s", what);
    return v;
}

/* -G NAME=VALUE: the same names as pw_top's parameters (and tb/cosim_config.h). */
static void set_param(gen_opts *o, const char *kv)
{
    const char *eq = strchr(kv, '=');
    if (!eq || o->n_params >= sizeof o->params / sizeof o->params[0] ||
        strlen(kv) >= sizeof o->params[0])
        die("bad -G argument '%s' (want NAME=VALUE)", kv);
    char name[32];
    size_t n = (size_t)(eq - kv);
    if (n >= sizeof name)
        die("bad -G argument '%s'", kv);
    memcpy(name, kv, n);
    name[n] = 0;
    uint64_t v = parse_u64(eq + 1, kv);
    pw_config *c = &o->cfg;
    if (!strcmp(name, "TLB_ENTRIES")) c->tlb_entries = (unsigned)v;
    else if (!strcmp(name, "PSC_PDE")) c->psc_entries[PW_LVL_PD] = (unsigned)v;
    else if (!strcmp(name, "PSC_PDPTE")) c->psc_entries[PW_LVL_PDPT] = (unsigned)v;
    else if (!strcmp(name, "PSC_PML4E")) c->psc_entries[PW_LVL_PML4] = (unsigned)v;
    else if (!strcmp(name, "PSC_PML5E")) c->psc_entries[PW_LVL_PML5] = (unsigned)v;
    else if (!strcmp(name, "MAXPHYADDR")) c->maxphyaddr = (unsigned)v;
    else if (!strcmp(name, "HAS_1G")) c->has_1g = v != 0;
    else if (!strcmp(name, "HAS_PSE36")) c->has_pse36 = v != 0;
    else if (!strcmp(name, "HAS_LONG")) c->has_long = v != 0;
    else if (!strcmp(name, "HAS_LA57")) c->has_la57 = v != 0;
    else if (!strcmp(name, "HAS_PCID")) c->has_pcid = v != 0;
    else if (!strcmp(name, "HAS_PKS")) c->has_pks = v != 0;
    else if (!strcmp(name, "HAS_CET")) c->has_cet = v != 0;
    else if (!strcmp(name, "AD_AS_WALKED"))
        c->ad_on_fault = v ? PW_AD_NONLEAF_AS_WALKED : PW_AD_NONE;
    else if (!strcmp(name, "CNT_W")) {
        if (v < 16 || v > 64)
            die("CNT_W must be 16..64 (got '%s')", kv);
        o->cnt_w = (unsigned)v;
    } else if (!strcmp(name, "PDPTE_ON_DEMAND"))
        c->pae_pdpte = v ? PW_PDPTE_ON_DEMAND : PW_PDPTE_REGISTERS;
    else
        die("unknown pw_top parameter '%s'", name);
    snprintf(o->params[o->n_params++], sizeof o->params[0], "%s", kv);
}

static void parse_args(int argc, char **argv, gen_opts *o)
{
    memset(o, 0, sizeof *o);
    pw_config_default(&o->cfg);
    o->requests = 2000;
    o->cnt_w = 64;
    o->clk_hz = 25000000;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            printf("usage: board_gen --name NAME --mem-kib K --requests N --out-dir DIR "
                   "--mem-path PATH [--clk-hz HZ] -G PARAM=VALUE ...\n");
            exit(0);
        }
        if (!v)
            die("%s needs a value", a);
        if (!strcmp(a, "--name")) o->name = v;
        else if (!strcmp(a, "--out-dir")) o->out_dir = v;
        else if (!strcmp(a, "--mem-path")) o->mem_path = v;
        else if (!strcmp(a, "--mem-kib")) o->mem_kib = (unsigned)parse_u64(v, a);
        else if (!strcmp(a, "--requests")) o->requests = (unsigned)parse_u64(v, a);
        else if (!strcmp(a, "--clk-hz")) o->clk_hz = parse_u64(v, a);
        else if (!strcmp(a, "-G")) set_param(o, v);
        else
            die("unknown option '%s'", a);
        i++;
    }
    if (!o->name || !o->out_dir || !o->mem_path)
        die("%s", "--name, --out-dir and --mem-path are required");
    if (!*o->name || strlen(o->name) > 16 || strpbrk(o->name, "\"\\ "))
        die("bad --name '%s' (1..16 characters, no quotes or spaces)", o->name);
    if (o->mem_kib < 8 || o->mem_kib > 1024 || (o->mem_kib & (o->mem_kib - 1)))
        die("%s", "--mem-kib must be a power of two, 8..1024");
    if (o->requests == 0 || o->requests > BOARD_MAX_REQUESTS)
        die("%s", "--requests must be 1..65535");
    if (o->clk_hz < 1000000 || o->clk_hz > 500000000)
        die("%s", "--clk-hz must be 1 MHz..500 MHz");
    const char *msg = NULL;
    if (pw_config_check(&o->cfg, &msg) != PW_OK)
        die("illegal configuration: %s", msg ? msg : "?");
}

/* ---- the board's memory: block RAM at PA 0, bus error above (pw_board_mem.sv) ---- */

typedef struct {
    pw_mem img_mem;         /* the image's read / CAS */
    uint64_t cas_busy;      /* the cycle after a CAS's accept: the RAM writes, not ready */
} board_mem;

static pw_mem_status bm_read(void *ctx, uint64_t pa, unsigned size, uint64_t cycle, uint64_t *val)
{
    board_mem *b = ctx;
    return b->img_mem.read(b->img_mem.ctx, pa, size, cycle, val);
}

static pw_mem_status bm_cas(void *ctx, uint64_t pa, unsigned size, uint64_t expect,
                            uint64_t desired, uint64_t cycle, uint64_t *old)
{
    board_mem *b = ctx;
    return b->img_mem.cas(b->img_mem.ctx, pa, size, expect, desired, cycle, old);
}

/* BOARD_MEM_LATENCY after acceptance; a CAS keeps the RAM busy the cycle after. */
static void bm_schedule(void *ctx, uint64_t issue, const pw_mem_access *acc, uint64_t *accept,
                        uint64_t *respond)
{
    board_mem *b = ctx;
    uint64_t a = issue;
    if (b->cas_busy != UINT64_MAX && a == b->cas_busy)
        a++;
    *accept = a;
    *respond = a + BOARD_MEM_LATENCY;
    b->cas_busy = acc->kind == PW_MEM_CAS ? a + 1 : UINT64_MAX;
}

/* ---- address spaces ---- */

typedef struct {
    pw_mode mode;
    bool large_only;        /* no 4 KiB pages: fits in fewer table pages */
    uint64_t cr3;
    uint64_t win_base[BOARD_NWIN], win_mask[BOARD_NWIN];
} space;

static unsigned tables_needed(pw_mode m, bool large_only)
{
    unsigned full = m == PW_MODE_32 ? 2 : m == PW_MODE_PAE ? 3 : m == PW_MODE_4LVL ? 4 : 5;
    return large_only ? full - 1 : full;
}

static void check(pw_status st, const char *what)
{
    if (st != PW_OK)
        die("%s failed", what);
}

/* Leaf flags of small page i: every combination of R/W, U/S, XD, G, A, D over
 * the 64 pages; every ninth page (from 4) left not present. */
static uint64_t small_flags(unsigned i, bool xd_ok)
{
    uint64_t f = PTE_P;
    if (i & 1) f |= PTE_RW;
    if (i & 2) f |= PTE_US;
    if ((i & 4) && xd_ok) f |= PTE_XD;
    if (i & 8) f |= PTE_G;
    if (i & 16) f |= PTE_A;
    if (i & 32) f |= PTE_D;
    if (i % 5 == 0) f |= PTE_PCD;
    return f;
}

static void build_space(pw_image *img, const pw_config *cfg, space *s, uint64_t pool,
                        unsigned pool_pages)
{
    pw_os *os;
    pw_mode m = s->mode;
    bool longm = m == PW_MODE_4LVL || m == PW_MODE_5LVL;
    bool xd_ok = m != PW_MODE_32;
    check(pw_os_new(img, cfg, m, pool, (uint64_t)pool_pages * PAGE, NULL, &os), "pw_os_new");
    s->cr3 = pw_os_cr3(os);

    pw_page_size lsz = m == PW_MODE_32 ? PW_SIZE_4M : PW_SIZE_2M;
    uint64_t lbytes = m == PW_MODE_32 ? BOARD_4M : BOARD_2M;
    for (unsigned j = 0; j < BOARD_LARGE_PAGES; j++) {
        uint64_t f = PTE_P | ((j & 1) ? PTE_RW | PTE_A : 0) | ((j & 2) ? PTE_US : 0) |
                     (j == 3 ? PTE_G | PTE_D : 0) | ((j == 2 && xd_ok) ? PTE_XD : 0);
        check(pw_os_map(os, BOARD_LA_LARGE + j * lbytes, BOARD_PA_DATA + BOARD_PA_LARGE_OFF +
                        j * lbytes, lsz, f), "map large");
    }
    uint64_t small_base = BOARD_LA_SMALL, small_mask = BOARD_SMALL_PAGES * PAGE - 1;
    if (!s->large_only) {
        for (unsigned i = 0; i < BOARD_SMALL_PAGES; i++)
            if (i % 9 != 4)
                check(pw_os_map(os, BOARD_LA_SMALL + (uint64_t)i * PAGE,
                                BOARD_PA_DATA + (uint64_t)i * PAGE, PW_SIZE_4K,
                                small_flags(i, xd_ok)), "map small");
    } else {
        small_base = BOARD_LA_LARGE;
        small_mask = BOARD_LARGE_PAGES * lbytes - 1;
    }
    uint64_t huge_base = BOARD_LA_LARGE, huge_mask = BOARD_LARGE_PAGES * lbytes - 1;
    if (longm && cfg->has_1g) {
        for (unsigned j = 0; j < BOARD_HUGE_PAGES; j++)
            check(pw_os_map(os, BOARD_LA_HUGE + j * BOARD_1G, (uint64_t)(j + 1) * BOARD_1G,
                            PW_SIZE_1G, j ? PTE_P | PTE_XD : PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D),
                  "map 1G");
        huge_base = BOARD_LA_HUGE;
        huge_mask = BOARD_HUGE_PAGES * BOARD_1G - 1;
    }
    /* The fault window: one entry not present, one pointing outside the RAM
     * (bus error); in the long modes half of it is not canonical (#GP). */
    uint64_t bad_base, bad_mask = BOARD_BAD_MASK, poke_la;
    unsigned poke_level;
    if (!longm) {
        bad_base = BOARD_LA_BAD32;
        poke_la = BOARD_LA_BAD32 + BOARD_BAD_MASK;   /* the last PDE of the window */
        poke_level = PW_LVL_PD;
    } else {
        unsigned top = m == PW_MODE_5LVL ? 57 : 48;
        uint64_t half = (uint64_t)1 << (top - 1);
        bad_base = half - (BOARD_BAD_MASK + 1) / 2;
        poke_la = bad_base;
        poke_level = m == PW_MODE_5LVL ? PW_LVL_PML5 : PW_LVL_PML4;
    }
    uint64_t poke_pa;
    check(pw_os_entry_pa(os, poke_la, poke_level, &poke_pa), "pw_os_entry_pa");
    uint64_t bad_entry = BOARD_PA_OUTSIDE | PTE_P | PTE_RW | PTE_US;
    if (m == PW_MODE_32)
        check(pw_image_write32(img, poke_pa, (uint32_t)bad_entry), "poke");
    else
        check(pw_image_write64(img, poke_pa, bad_entry), "poke");

    const uint64_t base[BOARD_NWIN] = {[BOARD_W_SMALL] = small_base, [BOARD_W_LARGE] = BOARD_LA_LARGE,
                                       [BOARD_W_HOT] = small_base, [BOARD_W_HUGE] = huge_base,
                                       [BOARD_W_BAD] = bad_base};
    const uint64_t mask[BOARD_NWIN] = {[BOARD_W_SMALL] = small_mask,
                                       [BOARD_W_LARGE] = BOARD_LARGE_PAGES * lbytes - 1,
                                       [BOARD_W_HOT] = BOARD_HOT_MASK, [BOARD_W_HUGE] = huge_mask,
                                       [BOARD_W_BAD] = bad_mask};
    memcpy(s->win_base, base, sizeof base);
    memcpy(s->win_mask, mask, sizeof mask);
    pw_os_free(os);
}

/* ---- phases: control operations, then a request stream ---- */

typedef struct {
    pw_ctl op;
    uint64_t pdpte[4];      /* what ctl_pdpte_i carries with it (the core's loads, R6.1) */
} ctl_entry;

typedef struct {
    unsigned space, ctl_first, ctl_n;
    uint64_t seed;
    bool strict;            /* WP, SMEP, SMAP, NXE, PGE on */
} phase;

#define MAX_SPACES 4
#define MAX_PHASES (2 * MAX_SPACES)
#define MAX_CTL (MAX_PHASES * 6)

typedef struct {
    gen_opts o;
    pw_image *img;
    board_mem bmem;
    pw_mmu mmu;
    space sp[MAX_SPACES];
    unsigned n_sp;
    phase ph[MAX_PHASES];
    unsigned n_ph;
    ctl_entry ctl[MAX_CTL];
    unsigned n_ctl;
    uint32_t sig;
    uint64_t cycles, faults;
} gen;

static void add_ctl(gen *g, pw_ctl_kind k, uint64_t v)
{
    ctl_entry *c = &g->ctl[g->n_ctl++];
    memset(c, 0, sizeof *c);
    c->op.kind = k;
    c->op.value = v;
}

static void plan(gen *g)
{
    const pw_mode order[] = {PW_MODE_32, PW_MODE_PAE, PW_MODE_4LVL, PW_MODE_5LVL};
    unsigned pages = g->o.mem_kib * KIB / PAGE, used = 0;
    for (unsigned k = 0; k < 4; k++) {
        pw_mode m = order[k];
        if ((m == PW_MODE_5LVL && !g->o.cfg.has_la57) ||
            ((m == PW_MODE_4LVL || m == PW_MODE_5LVL) && !g->o.cfg.has_long))
            continue;
        bool large_only = false;
        if (used + tables_needed(m, false) > pages) {
            if (used + tables_needed(m, true) > pages)
                continue;
            large_only = true;
        }
        space *s = &g->sp[g->n_sp++];
        s->mode = m;
        s->large_only = large_only;
        unsigned n = tables_needed(m, large_only);
        build_space(g->img, &g->o.cfg, s, (uint64_t)used * PAGE, n);
        used += n;
    }
    if (g->n_sp < 2)
        die("%s", "the RAM holds the tables of fewer than two paging modes");
    uint64_t seed = BOARD_SEED0;
    for (unsigned i = 0; i < g->n_sp; i++)
        for (unsigned strict = 0; strict < 2; strict++) {
            phase *p = &g->ph[g->n_ph++];
            const space *s = &g->sp[i];
            bool longm = s->mode == PW_MODE_4LVL || s->mode == PW_MODE_5LVL;
            p->space = i;
            p->strict = strict;
            p->seed = seed;
            seed = board_next(seed ^ BOARD_SEED_STEP);
            p->ctl_first = g->n_ctl;
            /* Paging off first: every mode change below is then legal. */
            add_ctl(g, PW_CTL_MOV_CR0, CR0_PE);
            add_ctl(g, PW_CTL_WRMSR_EFER, (longm ? EFER_LME : 0) |
                                              (strict && s->mode != PW_MODE_32 ? EFER_NXE : 0));
            add_ctl(g, PW_CTL_MOV_CR4, (s->mode == PW_MODE_32 ? CR4_PSE : CR4_PAE) |
                                           (s->mode == PW_MODE_5LVL ? CR4_LA57 : 0) |
                                           (strict ? CR4_SMEP | CR4_SMAP | CR4_PGE : 0));
            add_ctl(g, PW_CTL_MOV_CR3, s->cr3);
            add_ctl(g, PW_CTL_MOV_CR0, CR0_PE | CR0_PG | (strict ? CR0_WP : 0));
            p->ctl_n = g->n_ctl - p->ctl_first;
        }
}

/* The board's request i of a phase, from the generator state r (board_sched.h). */
static void make_request(const space *s, uint64_t r, pw_request *q)
{
    memset(q, 0, sizeof *q);
    unsigned w = board_field(r, BOARD_R_WIN);
    unsigned kind = board_field(r, BOARD_R_KIND);
    q->kind = kind == PW_ACC_WRITE ? PW_ACC_WRITE : kind == PW_ACC_FETCH ? PW_ACC_FETCH : PW_ACC_READ;
    q->user = board_field(r, BOARD_R_USER);
    q->implicit = !q->user && board_field(r, BOARD_R_IMPLICIT) == 3;
    q->ac = board_field(r, BOARD_R_AC);
    unsigned k = board_window(w);
    q->la = s->win_base[k] + ((r >> BOARD_R_OFFSET_SHIFT) & s->win_mask[k]);
}

static void run(gen *g)
{
    uint64_t t = 0;
    g->sig = BOARD_SIG_INIT;
    for (unsigned p = 0; p < g->n_ph; p++) {
        const phase *ph = &g->ph[p];
        for (unsigned c = 0; c < ph->ctl_n; c++, t++) {
            ctl_entry *ce = &g->ctl[ph->ctl_first + c];
            if (pw_mmu_ctl(&g->mmu, t, &ce->op) != PW_OK)
                die("a phase's control operation raised #GP (%s)", pw_mode_name(g->sp[ph->space].mode));
            if (pw_mode_of(&g->mmu.regs) == PW_MODE_PAE)
                memcpy(ce->pdpte, g->mmu.regs.pdpte, sizeof ce->pdpte);
            if (pw_mode_of(&g->mmu.regs) == PW_MODE_PAE &&
                g->o.cfg.pae_pdpte == PW_PDPTE_ON_DEMAND) {
                /* the core loads them anyway; the MMU ignores the port */
                for (unsigned k = 0; k < 4; k++)
                    if (pw_image_read64(g->img, (g->mmu.regs.cr3 & CR3_PAE_BASE) + 8 * k,
                                        &ce->pdpte[k]) != PW_OK)
                        ce->pdpte[k] = 0;
            }
        }
        uint64_t r = ph->seed;
        for (unsigned i = 0; i < g->o.requests; i++) {
            r = board_next(r);
            pw_request q;
            make_request(&g->sp[ph->space], r, &q);
            pw_mmu_response rsp;
            if (pw_mmu_translate(&g->mmu, &q, t, &rsp) != PW_OK)
                die("%s", "pw_mmu_translate refused a request");
            if (rsp.result.outcome == PW_OUT_ABORTED)
                die("%s", "the model gave up a walk (livelock guard)");
            uint64_t lat = rsp.rsp_cycle - t;
            g->sig = board_fold(g->sig, &rsp.result, lat);
            if (getenv("BOARD_GEN_TRACE"))
                fprintf(stderr, "rsp la=%016" PRIx64 " pa=%016" PRIx64 " raw=%016" PRIx64
                        " epa=%016" PRIx64 " w3=%016" PRIx64 " sig=%08" PRIx32 "\n", q.la,
                        rsp.result.pa, rsp.result.raw_entry, rsp.result.entry_pa,
                        board_word3(&rsp.result, lat), g->sig);
            if (rsp.result.outcome != PW_OUT_OK)
                g->faults++;
            t = rsp.rsp_cycle + 1;   /* the next request is presented the cycle after */
        }
    }
    g->cycles = t;
}

/* ---- output ---- */

static FILE *open_out(const gen *g, const char *leaf)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", g->o.out_dir, leaf);
    FILE *f = fopen(path, "w");
    if (!f)
        die("cannot write %s", path);
    return f;
}

static void close_out(FILE *f, const char *leaf)
{
    if (ferror(f) | fclose(f))
        die("error writing %s", leaf);
}

static void write_mem(gen *g, const pw_image *initial)
{
    FILE *f = open_out(g, "pw_board_mem.hex");
    for (uint64_t pa = 0; pa < (uint64_t)g->o.mem_kib * KIB; pa += 8) {
        uint64_t v;
        if (pw_image_read64((pw_image *)initial, pa, &v) != PW_OK)
            die("%s", "reading the initial image");
        fprintf(f, "%016" PRIx64 "\n", v);
    }
    close_out(f, "pw_board_mem.hex");
}

static void counters_of(const pw_counters *c, unsigned cnt_w, uint64_t out[BOARD_COUNTERS])
{
    uint64_t mask = cnt_w >= 64 ? UINT64_MAX : (UINT64_C(1) << cnt_w) - 1;
    const uint64_t v[BOARD_COUNTERS] = {c->requests,    c->hits,        c->misses,      c->walks,
                                        c->walk_cycles, c->mem_reads,   c->mem_cas,     c->restarts,
                                        c->psc_hits[2], c->psc_hits[3], c->psc_hits[4],
                                        c->psc_hits[5], c->faults,      c->bus_errors,
                                        c->fills_dropped, 0};
    for (unsigned i = 0; i < BOARD_COUNTERS; i++)
        out[i] = v[i] & mask;
}

static void sv_array64(FILE *f, const char *name, unsigned n, const uint64_t *v)
{
    fprintf(f, "localparam logic [63:0] %s [%u] = '{", name, n);
    for (unsigned i = 0; i < n; i++)
        fprintf(f, "%s64'h%016" PRIx64, i ? ", " : "", v[i]);
    fprintf(f, "};\n");
}

static void sv_array32(FILE *f, const char *name, unsigned n, const uint64_t *v)
{
    fprintf(f, "localparam int unsigned %s [%u] = '{", name, n);
    for (unsigned i = 0; i < n; i++)
        fprintf(f, "%s%" PRIu64, i ? ", " : "", v[i]);
    fprintf(f, "};\n");
}

static void write_svh(gen *g)
{
    FILE *f = open_out(g, "pw_board_cfg.svh");
    fprintf(f, "// Generated by fpga/gen/board_gen.c for board '%s': do not edit.\n", g->o.name);
    fprintf(f, "// pw_top parameters, the self-test's phases and the C model's expectations.\n");
    for (unsigned i = 0; i < g->o.n_params; i++) {
        const char *kv = g->o.params[i];
        const char *eq = strchr(kv, '=');
        fprintf(f, "localparam int CFG_%.*s = %s;\n", (int)(eq - kv), kv, eq + 1);
    }
    fprintf(f, "localparam logic [8*16-1:0] BOARD_NAME = \"%s\";\n", g->o.name);
    fprintf(f, "localparam int unsigned CLK_HZ = %" PRIu64 ";\n", g->o.clk_hz);
    fprintf(f, "localparam int unsigned MEM_WORDS = %u;\n", g->o.mem_kib * KIB / 8);
    fprintf(f, "localparam string MEM_INIT = \"%s\";\n", g->o.mem_path);
    fprintf(f, "localparam int unsigned N_PHASES = %u;\n", g->n_ph);
    fprintf(f, "localparam int unsigned N_CTL = %u;\n", g->n_ctl);
    fprintf(f, "localparam int unsigned REQUESTS = %u;\n", g->o.requests);

    uint64_t a[MAX_CTL * 4], b[MAX_CTL], c[MAX_CTL];
    for (unsigned i = 0; i < g->n_ph; i++) {
        a[i] = g->ph[i].ctl_first;
        b[i] = g->ph[i].ctl_n;
        c[i] = g->ph[i].seed;
    }
    sv_array32(f, "PH_CTL_FIRST", g->n_ph, a);
    sv_array32(f, "PH_CTL_N", g->n_ph, b);
    sv_array64(f, "PH_SEED", g->n_ph, c);
    for (unsigned i = 0; i < g->n_ph; i++)
        a[i] = g->ph[i].space;
    fprintf(f, "localparam int unsigned N_SPACES = %u;\n", g->n_sp);
    sv_array32(f, "PH_SPACE", g->n_ph, a);
    uint64_t wb[MAX_SPACES * BOARD_NWIN], wm[MAX_SPACES * BOARD_NWIN];
    for (unsigned i = 0; i < g->n_sp; i++)
        for (unsigned k = 0; k < BOARD_NWIN; k++) {
            wb[i * BOARD_NWIN + k] = g->sp[i].win_base[k];
            wm[i * BOARD_NWIN + k] = g->sp[i].win_mask[k];
        }
    sv_array64(f, "SP_WIN_BASE", g->n_sp * BOARD_NWIN, wb);
    sv_array64(f, "SP_WIN_MASK", g->n_sp * BOARD_NWIN, wm);
    for (unsigned i = 0; i < g->n_ctl; i++) {
        a[i] = g->ctl[i].op.kind;
        b[i] = g->ctl[i].op.value;
    }
    sv_array32(f, "CTL_OP", g->n_ctl, a);
    sv_array64(f, "CTL_VALUE", g->n_ctl, b);
    for (unsigned i = 0; i < g->n_ctl; i++)
        for (unsigned k = 0; k < 4; k++)
            a[i * 4 + k] = g->ctl[i].pdpte[k];
    sv_array64(f, "CTL_PDPTE", g->n_ctl * 4, a);
    fprintf(f, "localparam logic [31:0] EXP_SIG = 32'h%08" PRIx32 ";\n", g->sig);
    uint64_t cnt[BOARD_COUNTERS];
    counters_of(&g->mmu.cnt, g->o.cnt_w, cnt);
    sv_array64(f, "EXP_CNT", BOARD_COUNTERS, cnt);
    fprintf(f, "localparam logic [63:0] EXP_CYCLES = 64'h%016" PRIx64 ";\n", g->cycles);
    close_out(f, "pw_board_cfg.svh");
}

static void write_expected(gen *g)
{
    FILE *f = open_out(g, "expected.txt");
    static const char *const cnames[BOARD_COUNTERS] = {
        "requests", "hits", "misses", "walks", "walk_cycles", "mem_reads", "mem_cas", "restarts",
        "psc_hits_pde", "psc_hits_pdpte", "psc_hits_pml4e", "psc_hits_pml5e", "faults",
        "bus_errors", "fills_dropped", "zero"};
    fprintf(f, "board %s\nsignature %08" PRIx32 "\ncycles %" PRIu64 "\nnon_ok_responses %" PRIu64
               "\n", g->o.name, g->sig, g->cycles, g->faults);
    for (unsigned i = 0; i < g->n_ph; i++) {
        const space *s = &g->sp[g->ph[i].space];
        fprintf(f, "phase %u mode %s%s%s requests %u\n", i, pw_mode_name(s->mode),
                s->large_only ? " (large pages only)" : "", g->ph[i].strict ? " strict" : "",
                g->o.requests);
    }
    uint64_t cnt[BOARD_COUNTERS];
    counters_of(&g->mmu.cnt, g->o.cnt_w, cnt);
    for (unsigned i = 0; i + 1 < BOARD_COUNTERS; i++)
        fprintf(f, "counter %s %" PRIu64 "\n", cnames[i], cnt[i]);
    close_out(f, "expected.txt");
}

int main(int argc, char **argv)
{
    static gen g;
    parse_args(argc, argv, &g.o);
    uint64_t bytes = (uint64_t)g.o.mem_kib * KIB;
    check(pw_image_sparse_new(bytes, &g.img), "pw_image_sparse_new");
    plan(&g);

    /* Keep the initial contents: the run changes A/D bits. */
    pw_image *initial;
    check(pw_image_sparse_new(bytes, &initial), "pw_image_sparse_new");
    static uint8_t buf[PAGE];
    for (uint64_t pa = 0; pa < bytes; pa += PAGE) {
        check(pw_image_read(g.img, pa, buf, PAGE), "copy");
        check(pw_image_write(initial, pa, buf, PAGE), "copy");
    }

    pw_image_mem(g.img, &g.bmem.img_mem);
    g.bmem.cas_busy = UINT64_MAX;
    pw_mem mem = {.ctx = &g.bmem, .read = bm_read, .cas = bm_cas, .schedule = bm_schedule};
    check(pw_mmu_init(&g.mmu, &g.o.cfg, &mem), "pw_mmu_init");
    run(&g);

    write_mem(&g, initial);
    write_svh(&g);
    write_expected(&g);
    printf("board_gen: %s: %u phases x %u requests, %" PRIu64 " cycles, signature %08" PRIx32
           "\n", g.o.name, g.n_ph, g.o.requests, g.cycles, g.sig);
    pw_image_free(initial);
    pw_image_free(g.img);
    return 0;
}
