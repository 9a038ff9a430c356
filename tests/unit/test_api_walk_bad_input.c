/* Bad input to the walk, register and configuration API: NULL pointers,
 * out-of-range enums and arguments, illegal configurations. types.h: "Every
 * entry point returns one of these; bad input never aborts" -- PW_ERR_ARG for
 * a NULL pointer or an out-of-range argument, PW_ERR_CONFIG for a
 * configuration pw_config_check rejects, PW_ERR_GP (registers unchanged) for
 * an illegal register write.
 *
 * Each case runs in a child process, so that a crash (or an ASan/UBSan
 * report) fails that one test and names the case instead of killing the run.
 * Inside a child, CHECK() prints the failed condition and exits non-zero. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/env.h"

#define LA_DATA  UINT64_C(0x12345000)
#define PA_DATA  UINT64_C(0x00abc000)
#define BEYOND_MEMORY PW_BIT(40)         /* far above the 64 MiB test image */
#define BAD_ENUM 0x7fffu                 /* an out-of-range value for any enum here */
#define BAD_LEVEL 100u
#define INVPCID_TYPES 4                  /* R11.5: types 0..3 */
#define CR_RESERVED_TOP PW_BIT(63)       /* reserved in CR0, CR4 and EFER */

#define CHECK(c)                                                                       \
    do {                                                                               \
        if (!(c)) {                                                                    \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c);      \
            return 1;                                                                  \
        }                                                                              \
    } while (0)

typedef int (*probe_fn)(void);

/* 0: passed; otherwise a message was printed. */
static int run_isolated(probe_fn fn, const char *name, char *why, size_t why_len)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(why, why_len, "%s: fork failed", name);
        return 1;
    }
    if (pid == 0) {
        /* cmocka catches these to carry on with the next test; a child must die of them. */
        static const int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
        for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
            signal(sigs[i], SIG_DFL);
        _exit(fn());
    }
    int st = 0;
    if (waitpid(pid, &st, 0) != pid) {
        snprintf(why, why_len, "%s: waitpid failed", name);
        return 1;
    }
    if (WIFSIGNALED(st)) {
        snprintf(why, why_len, "%s crashed with signal %d", name, WTERMSIG(st));
        return 1;
    }
    if (WEXITSTATUS(st) != 0) {
        snprintf(why, why_len, "%s failed a check or a sanitizer aborted it (exit %d; see stderr)",
                 name, WEXITSTATUS(st));
        return 1;
    }
    return 0;
}

static void isolated(probe_fn fn, const char *name)
{
    char why[256];
    if (run_isolated(fn, name, why, sizeof why))
        fail_msg("%s", why);
}

#define ISOLATED_TEST(probe)                 \
    static void test_##probe(void **state)   \
    {                                        \
        (void)state;                         \
        isolated(probe, #probe);             \
    }

/* ---- shared set-up for the probes ---- */

static int env_4lvl(pw_env *env)
{
    if (pw_env_init(env, PW_MODE_4LVL, NULL, 0) != PW_OK)
        return 1;
    return pw_os_map(env->os, LA_DATA, PA_DATA, PW_SIZE_4K, PTE_RW | PTE_A | PTE_D) != PW_OK;
}

/* A 9-bit table index of la starting at bit `lo` (R2.3-R2.5). */
static uint64_t idx9(uint64_t la, unsigned lo)
{
    return (la >> lo) & (PW_BIT(PW_LEVEL_BITS) - 1);
}

static bool regs_same(const pw_regs *a, const pw_regs *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

/* ---- pw_walk ---- */

static int api_walk_null_pointers(void)
{
    pw_env env;
    CHECK(env_4lvl(&env) == 0);
    pw_request req = {.la = LA_DATA, .kind = PW_ACC_READ};
    pw_result res;
    CHECK(pw_walk(NULL, &env.regs, &env.mem, &req, &res) == PW_ERR_ARG);
    CHECK(pw_walk(&env.cfg, NULL, &env.mem, &req, &res) == PW_ERR_ARG);
    CHECK(pw_walk(&env.cfg, &env.regs, NULL, &req, &res) == PW_ERR_ARG);
    CHECK(pw_walk(&env.cfg, &env.regs, &env.mem, NULL, &res) == PW_ERR_ARG);
    CHECK(pw_walk(&env.cfg, &env.regs, &env.mem, &req, NULL) == PW_ERR_ARG);
    pw_mem m = env.mem;
    m.read = NULL;
    CHECK(pw_walk(&env.cfg, &env.regs, &m, &req, &res) == PW_ERR_ARG);
    m = env.mem;
    m.cas = NULL;
    CHECK(pw_walk(&env.cfg, &env.regs, &m, &req, &res) == PW_ERR_ARG);
    CHECK(pw_walk(&env.cfg, &env.regs, &env.mem, &req, &res) == PW_OK);    /* the control */
    CHECK(res.outcome == PW_OUT_OK && res.pa == PA_DATA);
    pw_env_free(&env);
    return 0;
}
ISOLATED_TEST(api_walk_null_pointers)

static int api_walk_kind_out_of_range(void)
{
    pw_env env;
    CHECK(env_4lvl(&env) == 0);
    pw_result res;
    pw_request req = {.la = LA_DATA, .kind = (pw_access_kind)(PW_ACC_FETCH + 1)};
    CHECK(pw_walk(&env.cfg, &env.regs, &env.mem, &req, &res) == PW_ERR_ARG);
    req.kind = (pw_access_kind)BAD_ENUM;
    CHECK(pw_walk(&env.cfg, &env.regs, &env.mem, &req, &res) == PW_ERR_ARG);
    /* Also with paging off and with a non-canonical LA (no walk needed). */
    pw_regs off;
    pw_regs_reset(&off);
    CHECK(pw_walk(&env.cfg, &off, &env.mem, &req, &res) == PW_ERR_ARG);
    req.la = PW_BIT(47);
    CHECK(pw_walk(&env.cfg, &env.regs, &env.mem, &req, &res) == PW_ERR_ARG);
    pw_env_free(&env);
    return 0;
}
ISOLATED_TEST(api_walk_kind_out_of_range)

/* A configuration pw_config_check rejects, in a field the walk uses. */
static int walk_with_cfg(void (*spoil)(pw_config *))
{
    pw_env env;
    CHECK(env_4lvl(&env) == 0);
    pw_config bad = env.cfg;
    spoil(&bad);
    CHECK(pw_config_check(&bad, NULL) == PW_ERR_CONFIG);
    pw_request req = {.la = LA_DATA, .kind = PW_ACC_READ};
    pw_result res;
    CHECK(pw_walk(&bad, &env.regs, &env.mem, &req, &res) == PW_ERR_CONFIG);
    pw_walk_state w;
    CHECK(pw_walk_begin(&w, &bad, &env.regs, &req, NULL) == PW_ERR_CONFIG);
    pw_env_free(&env);
    return 0;
}

static void spoil_m_low(pw_config *c) { c->maxphyaddr = 31; }
static void spoil_m_high(pw_config *c) { c->maxphyaddr = 53; }
static void spoil_m_zero(pw_config *c) { c->maxphyaddr = 0; }
static void spoil_m_huge(pw_config *c) { c->maxphyaddr = 70; }
static void spoil_ad(pw_config *c) { c->ad_on_fault = (pw_ad_policy)(PW_AD_NONLEAF_AS_WALKED + 1); }
static void spoil_pdpte(pw_config *c) { c->pae_pdpte = (pw_pdpte_policy)(PW_PDPTE_ON_DEMAND + 1); }
static void spoil_restarts(pw_config *c) { c->max_restarts = 0; }

static int api_walk_cfg_maxphyaddr_out_of_range(void)
{
    CHECK(walk_with_cfg(spoil_m_low) == 0);
    CHECK(walk_with_cfg(spoil_m_high) == 0);
    return 0;
}
ISOLATED_TEST(api_walk_cfg_maxphyaddr_out_of_range)

static int api_walk_cfg_maxphyaddr_absurd(void)
{
    CHECK(walk_with_cfg(spoil_m_huge) == 0);
    CHECK(walk_with_cfg(spoil_m_zero) == 0);
    return 0;
}
ISOLATED_TEST(api_walk_cfg_maxphyaddr_absurd)

static int api_walk_cfg_enums_out_of_range(void)
{
    CHECK(walk_with_cfg(spoil_ad) == 0);
    CHECK(walk_with_cfg(spoil_pdpte) == 0);
    CHECK(walk_with_cfg(spoil_restarts) == 0);
    return 0;
}
ISOLATED_TEST(api_walk_cfg_enums_out_of_range)

/* A table access that fails is an outcome, not an error: level and entry_pa
 * name the access (CR3, a PDPTE register, or an entry pointing outside memory). */
static int api_walk_bus_error_is_an_outcome(void)
{
    static const pw_mode modes[] = {PW_MODE_32, PW_MODE_PAE, PW_MODE_4LVL, PW_MODE_5LVL};
    for (unsigned i = 0; i < 4; i++) {
        pw_env env;
        CHECK(pw_env_init(&env, modes[i], NULL, 0) == PW_OK);
        pw_regs r = env.regs;
        unsigned top = pw_mode_levels(modes[i]);
        uint64_t base = modes[i] == PW_MODE_32 ? PW_BIT(31) : BEYOND_MEMORY;
        if (modes[i] == PW_MODE_PAE) {
            r.pdpte[0] = base | PTE_P;               /* the PD lies outside memory */
            top = PW_LVL_PD;
        } else {
            r.cr3 = base;
        }
        pw_request req = {.la = LA_DATA, .kind = PW_ACC_READ};
        pw_result res;
        CHECK(pw_walk(&env.cfg, &r, &env.mem, &req, &res) == PW_OK);
        CHECK(res.outcome == PW_OUT_BUS_ERROR);
        CHECK(res.level == top);
        /* R2.2-R2.5: the entry's offset in the table at `top`. */
        uint64_t idx = modes[i] == PW_MODE_32 ? (LA_DATA >> 22) << 2
                       : modes[i] == PW_MODE_PAE ? idx9(LA_DATA, 21) << 3
                       : modes[i] == PW_MODE_4LVL ? idx9(LA_DATA, 39) << 3
                                                  : idx9(LA_DATA, 48) << 3;
        CHECK(res.entry_pa == (base | idx));
        pw_env_free(&env);
    }
    return 0;
}
ISOLATED_TEST(api_walk_bus_error_is_an_outcome)

/* ---- the step machine ---- */

static int api_walk_begin_bad_input(void)
{
    pw_env env;
    CHECK(env_4lvl(&env) == 0);
    pw_request req = {.la = LA_DATA, .kind = PW_ACC_READ};
    pw_walk_state w;
    CHECK(pw_walk_begin(NULL, &env.cfg, &env.regs, &req, NULL) == PW_ERR_ARG);
    CHECK(pw_walk_begin(&w, NULL, &env.regs, &req, NULL) == PW_ERR_ARG);
    CHECK(pw_walk_begin(&w, &env.cfg, NULL, &req, NULL) == PW_ERR_ARG);
    CHECK(pw_walk_begin(&w, &env.cfg, &env.regs, NULL, NULL) == PW_ERR_ARG);
    pw_request bad = req;
    bad.kind = (pw_access_kind)BAD_ENUM;
    CHECK(pw_walk_begin(&w, &env.cfg, &env.regs, &bad, NULL) == PW_ERR_ARG);
    bad = req;
    bad.la = PW_BIT(63);                                   /* non-canonical: pw_walk's job */
    CHECK(pw_walk_begin(&w, &env.cfg, &env.regs, &bad, NULL) == PW_ERR_ARG);
    pw_regs off;
    pw_regs_reset(&off);                                   /* paging off: pw_walk's job */
    CHECK(pw_walk_begin(&w, &env.cfg, &off, &req, NULL) == PW_ERR_ARG);
    pw_walk_start start = {.level = BAD_LEVEL, .table = PA_DATA};
    CHECK(pw_walk_begin(&w, &env.cfg, &env.regs, &req, &start) == PW_ERR_ARG);
    start.level = PW_LVL_PML4 + 1;                         /* above a 4-level root */
    CHECK(pw_walk_begin(&w, &env.cfg, &env.regs, &req, &start) == PW_ERR_ARG);
    CHECK(pw_walk_begin(&w, &env.cfg, &env.regs, &req, NULL) == PW_OK);  /* the control */
    pw_env_free(&env);
    return 0;
}
ISOLATED_TEST(api_walk_begin_bad_input)

static int api_walk_next_respond_bad_input(void)
{
    pw_env env;
    CHECK(env_4lvl(&env) == 0);
    pw_request req = {.la = LA_DATA, .kind = PW_ACC_READ};
    pw_walk_state w;
    pw_mem_access acc;
    CHECK(!pw_walk_next(NULL, &acc));
    CHECK(pw_walk_respond(NULL, PW_MEM_OK, 0) == PW_ERR_ARG);
    CHECK(pw_walk_begin(&w, &env.cfg, &env.regs, &req, NULL) == PW_OK);
    CHECK(pw_walk_respond(&w, PW_MEM_OK, 0) == PW_ERR_ARG);       /* nothing asked yet */
    CHECK(!pw_walk_next(&w, NULL));
    CHECK(pw_walk_next(&w, &acc));
    CHECK(acc.kind == PW_MEM_READ && acc.level == PW_LVL_PML4);
    /* A failed access ends the walk with a bus error at that access. */
    CHECK(pw_walk_respond(&w, PW_MEM_BUS_ERROR, 0) == PW_OK);
    CHECK(!pw_walk_next(&w, &acc));
    CHECK(w.result.outcome == PW_OUT_BUS_ERROR);
    CHECK(w.result.level == PW_LVL_PML4);
    CHECK(w.result.entry_pa == (env.regs.cr3 | idx9(LA_DATA, 39) << 3));
    CHECK(pw_walk_respond(&w, PW_MEM_OK, 0) == PW_ERR_ARG);       /* done */
    pw_env_free(&env);
    return 0;
}
ISOLATED_TEST(api_walk_next_respond_bad_input)

static int api_walk_respond_status_out_of_range(void)
{
    pw_env env;
    CHECK(env_4lvl(&env) == 0);
    pw_request req = {.la = LA_DATA, .kind = PW_ACC_READ};
    pw_walk_state w;
    pw_mem_access acc;
    CHECK(pw_walk_begin(&w, &env.cfg, &env.regs, &req, NULL) == PW_OK);
    CHECK(pw_walk_next(&w, &acc));
    CHECK(pw_walk_respond(&w, (pw_mem_status)BAD_ENUM, 0) == PW_ERR_ARG);
    pw_env_free(&env);
    return 0;
}
ISOLATED_TEST(api_walk_respond_status_out_of_range)

static int api_walk_perm_at_bad_input(void)
{
    pw_env env;
    CHECK(env_4lvl(&env) == 0);
    pw_request req = {.la = LA_DATA, .kind = PW_ACC_READ};
    pw_walk_state w;
    pw_perm p;
    CHECK(pw_walk_begin(&w, &env.cfg, &env.regs, &req, NULL) == PW_OK);
    pw_walk_perm_at(NULL, PW_LVL_PML4, &p);
    pw_walk_perm_at(&w, PW_LVL_PML4, NULL);
    pw_walk_perm_at(&w, BAD_LEVEL, &p);
    pw_walk_perm_at(&w, ~0u, &p);
    pw_env_free(&env);
    return 0;
}
ISOLATED_TEST(api_walk_perm_at_bad_input)

/* ---- registers ---- */

static int api_regs_null_pointers(void)
{
    pw_env env;
    CHECK(env_4lvl(&env) == 0);
    const pw_config *c = &env.cfg;
    pw_regs *r = &env.regs;
    const pw_mem *m = &env.mem;
    pw_flush f;
    CHECK(pw_regs_mov_cr0(NULL, r, m, r->cr0, &f) == PW_ERR_ARG);
    CHECK(pw_regs_mov_cr0(c, NULL, m, r->cr0, &f) == PW_ERR_ARG);
    CHECK(pw_regs_mov_cr3(NULL, r, m, r->cr3, &f) == PW_ERR_ARG);
    CHECK(pw_regs_mov_cr3(c, NULL, m, r->cr3, &f) == PW_ERR_ARG);
    CHECK(pw_regs_mov_cr4(NULL, r, m, r->cr4, &f) == PW_ERR_ARG);
    CHECK(pw_regs_mov_cr4(c, NULL, m, r->cr4, &f) == PW_ERR_ARG);
    CHECK(pw_regs_wrmsr_efer(NULL, r, r->efer, &f) == PW_ERR_ARG);
    CHECK(pw_regs_wrmsr_efer(c, NULL, r->efer, &f) == PW_ERR_ARG);
    CHECK(pw_regs_load_pdptes(NULL, r, m) == PW_ERR_ARG);
    CHECK(pw_regs_load_pdptes(c, NULL, m) == PW_ERR_ARG);
    CHECK(pw_regs_invlpg(NULL, r, LA_DATA, &f) == PW_ERR_ARG);
    CHECK(pw_regs_invlpg(c, NULL, LA_DATA, &f) == PW_ERR_ARG);
    CHECK(pw_regs_invpcid(NULL, r, 0, 0, LA_DATA, &f) == PW_ERR_ARG);
    CHECK(pw_regs_invpcid(c, NULL, 0, 0, LA_DATA, &f) == PW_ERR_ARG);
    /* A NULL flush out-parameter is allowed; mem may be NULL when no PDPTE load happens. */
    CHECK(pw_regs_mov_cr0(c, r, NULL, r->cr0, NULL) == PW_OK);
    CHECK(pw_regs_mov_cr3(c, r, NULL, r->cr3, NULL) == PW_OK);
    CHECK(pw_regs_mov_cr4(c, r, NULL, r->cr4, NULL) == PW_OK);
    CHECK(pw_regs_wrmsr_efer(c, r, r->efer, NULL) == PW_OK);
    CHECK(pw_regs_invlpg(c, r, LA_DATA, NULL) == PW_OK);
    pw_regs_reset(NULL);
    pw_regs_normalize(NULL);
    pw_env_free(&env);
    return 0;
}
ISOLATED_TEST(api_regs_null_pointers)

/* PAE: a write that must load PDPTEs without a memory (or with memory that
 * does not hold CR3[31:5]) fails and changes nothing. */
static int api_regs_pdpte_load_without_memory(void)
{
    pw_env env;
    CHECK(pw_env_init(&env, PW_MODE_PAE, NULL, 0) == PW_OK);
    pw_regs *r = &env.regs, before = *r;
    CHECK(pw_regs_mov_cr3(&env.cfg, r, NULL, r->cr3, NULL) == PW_ERR_ARG);
    CHECK(regs_same(r, &before));
    CHECK(pw_regs_mov_cr4(&env.cfg, r, NULL, r->cr4 ^ CR4_PGE, NULL) == PW_ERR_ARG);
    CHECK(regs_same(r, &before));
    CHECK(pw_regs_load_pdptes(&env.cfg, r, NULL) == PW_ERR_ARG);
    CHECK(regs_same(r, &before));
    pw_mem m = env.mem;
    m.read = NULL;
    CHECK(pw_regs_load_pdptes(&env.cfg, r, &m) == PW_ERR_ARG);
    CHECK(regs_same(r, &before));
    /* CR3 outside memory (PA 2 GiB; the image is 64 MiB). */
    CHECK(pw_regs_mov_cr3(&env.cfg, r, &env.mem, PW_BIT(31), NULL) == PW_ERR_RANGE);
    CHECK(regs_same(r, &before));
    pw_regs far = *r;
    far.cr3 = PW_BIT(31);
    before = far;
    CHECK(pw_regs_load_pdptes(&env.cfg, &far, &env.mem) == PW_ERR_RANGE);
    CHECK(regs_same(&far, &before));
    pw_env_free(&env);
    return 0;
}
ISOLATED_TEST(api_regs_pdpte_load_without_memory)

/* Architecturally illegal writes: #GP, registers unchanged. */
static int api_regs_illegal_writes_gp_unchanged(void)
{
    pw_env env;
    CHECK(env_4lvl(&env) == 0);
    pw_regs *r = &env.regs, before = *r;
    const pw_config *c = &env.cfg;
    CHECK(pw_regs_mov_cr0(c, r, &env.mem, r->cr0 | CR_RESERVED_TOP, NULL) == PW_ERR_GP);
    CHECK(pw_regs_mov_cr4(c, r, &env.mem, r->cr4 | CR_RESERVED_TOP, NULL) == PW_ERR_GP);
    CHECK(pw_regs_wrmsr_efer(c, r, r->efer | CR_RESERVED_TOP, NULL) == PW_ERR_GP);
    CHECK(pw_regs_mov_cr0(c, r, &env.mem, r->cr0 & ~CR0_PE, NULL) == PW_ERR_GP);     /* PG without PE */
    CHECK(pw_regs_mov_cr0(c, r, &env.mem, r->cr0 | CR0_NW, NULL) == PW_ERR_GP);      /* NW without CD */
    CHECK(pw_regs_wrmsr_efer(c, r, r->efer & ~EFER_LME, NULL) == PW_ERR_GP);         /* LME with PG=1 */
    CHECK(regs_same(r, &before));
    pw_config nofeat = env.cfg;
    nofeat.has_pcid = false;
    nofeat.has_la57 = false;
    pw_regs off;
    pw_regs_reset(&off);
    pw_regs off_before = off;
    CHECK(pw_regs_mov_cr4(&nofeat, r, &env.mem, r->cr4 | CR4_PCIDE, NULL) == PW_ERR_GP);
    CHECK(pw_regs_mov_cr4(&nofeat, &off, NULL, CR4_PAE | CR4_LA57, NULL) == PW_ERR_GP);
    CHECK(regs_same(r, &before));
    CHECK(regs_same(&off, &off_before));
    pw_env_free(&env);
    return 0;
}
ISOLATED_TEST(api_regs_illegal_writes_gp_unchanged)

/* has_long = false: EFER.LME is reserved (#GP), registers with it are invalid, and the
 * builder refuses the long modes; 32-bit and PAE paging still work. */
static int api_config_without_long_mode(void)
{
    pw_config c;
    pw_config_default(&c);
    c.has_long = false;
    c.has_la57 = false;
    pw_regs r, before;
    pw_regs_reset(&r);
    before = r;
    CHECK(pw_regs_wrmsr_efer(&c, &r, EFER_LME, NULL) == PW_ERR_GP);
    CHECK(regs_same(&r, &before));
    CHECK(pw_regs_wrmsr_efer(&c, &r, EFER_NXE, NULL) == PW_OK);
    CHECK(r.efer == EFER_NXE);
    pw_regs lm;
    pw_regs_reset(&lm);
    lm.efer = EFER_LME;
    const char *why = NULL;
    CHECK(pw_regs_validate(&c, &lm, &why) != PW_OK);
    CHECK(why != NULL && strstr(why, "long mode") != NULL);
    pw_config full;
    pw_config_default(&full);
    CHECK(pw_regs_validate(&full, &lm, NULL) == PW_OK);
    pw_image *img = NULL;
    CHECK(pw_image_sparse_new(UINT64_C(1) << 24, &img) == PW_OK);
    pw_os *os = NULL;
    CHECK(pw_os_new(img, &c, PW_MODE_4LVL, 0, UINT64_C(1) << 20, NULL, &os) == PW_ERR_ARG);
    CHECK(os == NULL);
    CHECK(pw_os_new(img, &c, PW_MODE_PAE, 0, UINT64_C(1) << 20, NULL, &os) == PW_OK);
    pw_os_free(os);
    pw_image_free(img);
    return 0;
}
ISOLATED_TEST(api_config_without_long_mode)

/* Register writes under a configuration pw_config_check rejects. */
static int api_regs_illegal_config(void)
{
    pw_env env;
    CHECK(env_4lvl(&env) == 0);
    pw_regs *r = &env.regs, before = *r;
    pw_config bad = env.cfg;
    bad.pae_pdpte = (pw_pdpte_policy)(PW_PDPTE_ON_DEMAND + 1);
    CHECK(pw_regs_mov_cr0(&bad, r, &env.mem, r->cr0, NULL) == PW_ERR_CONFIG);
    CHECK(pw_regs_mov_cr3(&bad, r, &env.mem, r->cr3, NULL) == PW_ERR_CONFIG);
    CHECK(pw_regs_mov_cr4(&bad, r, &env.mem, r->cr4, NULL) == PW_ERR_CONFIG);
    CHECK(pw_regs_wrmsr_efer(&bad, r, r->efer, NULL) == PW_ERR_CONFIG);
    CHECK(pw_regs_load_pdptes(&bad, r, &env.mem) == PW_ERR_CONFIG);
    CHECK(pw_regs_invlpg(&bad, r, LA_DATA, NULL) == PW_ERR_CONFIG);
    CHECK(pw_regs_invpcid(&bad, r, 0, 0, LA_DATA, NULL) == PW_ERR_CONFIG);
    CHECK(regs_same(r, &before));
    pw_env_free(&env);
    return 0;
}
ISOLATED_TEST(api_regs_illegal_config)

/* MOV CR3 in long mode with a MAXPHYADDR no CPU has (R3.3 masks 63:M). */
static int api_regs_mov_cr3_absurd_maxphyaddr(void)
{
    pw_env env;
    CHECK(env_4lvl(&env) == 0);
    pw_regs before = env.regs;
    static const unsigned ms[] = {70, 64, 0};
    for (unsigned i = 0; i < 3; i++) {
        pw_config bad = env.cfg;
        bad.maxphyaddr = ms[i];
        CHECK(pw_regs_mov_cr3(&bad, &env.regs, &env.mem, env.regs.cr3, NULL) == PW_ERR_CONFIG);
        CHECK(regs_same(&env.regs, &before));
    }
    pw_env_free(&env);
    return 0;
}
ISOLATED_TEST(api_regs_mov_cr3_absurd_maxphyaddr)

static int api_regs_validate_bad_input(void)
{
    pw_env env;
    CHECK(env_4lvl(&env) == 0);
    const char *msg = NULL;
    CHECK(pw_regs_validate(&env.cfg, &env.regs, &msg) == PW_OK);
    CHECK(msg == NULL);
    CHECK(pw_regs_validate(NULL, &env.regs, &msg) == PW_ERR_ARG);
    CHECK(msg != NULL);
    CHECK(pw_regs_validate(&env.cfg, NULL, NULL) == PW_ERR_ARG);
    pw_regs bad = env.regs;
    bad.efer &= ~EFER_LMA;                                /* LMA != LME && PG */
    msg = NULL;
    CHECK(pw_regs_validate(&env.cfg, &bad, &msg) != PW_OK);
    CHECK(msg != NULL);
    pw_config badcfg = env.cfg;
    badcfg.maxphyaddr = 31;
    CHECK(pw_regs_validate(&badcfg, &env.regs, &msg) == PW_ERR_CONFIG);
    pw_env_free(&env);
    return 0;
}
ISOLATED_TEST(api_regs_validate_bad_input)

/* R11.5: INVPCID type > 3, or descriptor PCID bits 63:12 set: #GP. */
static int api_invpcid_out_of_range_gp(void)
{
    pw_env env;
    CHECK(env_4lvl(&env) == 0);
    pw_flush f;
    CHECK(pw_regs_invpcid(&env.cfg, &env.regs, INVPCID_TYPES, 0, LA_DATA, &f) == PW_ERR_GP);
    CHECK(pw_regs_invpcid(&env.cfg, &env.regs, ~0u, 0, LA_DATA, &f) == PW_ERR_GP);
    for (unsigned t = 0; t < INVPCID_TYPES; t++) {
        CHECK(pw_regs_invpcid(&env.cfg, &env.regs, t, PW_BIT(PW_PCID_BITS), LA_DATA, &f) == PW_ERR_GP);
        CHECK(pw_regs_invpcid(&env.cfg, &env.regs, t, 0, LA_DATA, &f) == PW_OK);
    }
    pw_env_free(&env);
    return 0;
}
ISOLATED_TEST(api_invpcid_out_of_range_gp)

/* ---- configuration ---- */

static int config_rejected(pw_config c)
{
    const char *msg = NULL;
    CHECK(pw_config_check(&c, &msg) == PW_ERR_CONFIG);
    CHECK(msg != NULL);
    CHECK(pw_config_check(&c, NULL) == PW_ERR_CONFIG);
    return 0;
}

static int api_config_check_every_field(void)
{
    pw_config d;
    pw_config_default(&d);
    pw_config_default(NULL);
    const char *msg = "unset";
    CHECK(pw_config_check(&d, &msg) == PW_OK);
    CHECK(msg == NULL);
    CHECK(pw_config_check(NULL, &msg) == PW_ERR_ARG);
    CHECK(msg != NULL);
    CHECK(pw_config_check(NULL, NULL) == PW_ERR_ARG);
    pw_config c;
    static const unsigned bad_m[] = {0, 31, 53, 64};
    for (unsigned i = 0; i < 4; i++) {
        c = d;
        c.maxphyaddr = bad_m[i];
        CHECK(config_rejected(c) == 0);
    }
    c = d; c.maxphyaddr = 32; CHECK(pw_config_check(&c, NULL) == PW_OK);
    c = d; c.maxphyaddr = 52; CHECK(pw_config_check(&c, NULL) == PW_OK);
    static const unsigned bad_tlb[] = {0, 3, 2 * PW_TLB_MAX_ENTRIES};
    for (unsigned i = 0; i < 3; i++) {
        c = d;
        c.tlb_entries = bad_tlb[i];
        CHECK(config_rejected(c) == 0);
    }
    c = d; c.tlb_entries = 1; CHECK(pw_config_check(&c, NULL) == PW_OK);
    c = d; c.tlb_entries = PW_TLB_MAX_ENTRIES; CHECK(pw_config_check(&c, NULL) == PW_OK);
    c = d; c.has_long = false; CHECK(config_rejected(c) == 0);       /* LA57 without long mode */
    c = d; c.has_long = false; c.has_la57 = false; CHECK(pw_config_check(&c, NULL) == PW_OK);
    c = d; c.psc_entries[0] = 1; CHECK(config_rejected(c) == 0);
    c = d; c.psc_entries[PW_LVL_PT] = 1; CHECK(config_rejected(c) == 0);
    c = d; c.psc_entries[PW_LVL_PD] = 3; CHECK(config_rejected(c) == 0);
    c = d; c.psc_entries[PW_LVL_PML5] = 2 * PW_PSC_MAX_ENTRIES; CHECK(config_rejected(c) == 0);
    c = d; c.psc_entries[PW_LVL_PDPT] = 0; CHECK(pw_config_check(&c, NULL) == PW_OK);
    c = d; c.ad_on_fault = (pw_ad_policy)(PW_AD_NONLEAF_AS_WALKED + 1); CHECK(config_rejected(c) == 0);
    c = d; c.ad_on_fault = (pw_ad_policy)BAD_ENUM; CHECK(config_rejected(c) == 0);
    c = d; c.pae_pdpte = (pw_pdpte_policy)(PW_PDPTE_ON_DEMAND + 1); CHECK(config_rejected(c) == 0);
    c = d; c.pae_pdpte = (pw_pdpte_policy)BAD_ENUM; CHECK(config_rejected(c) == 0);
    c = d; c.max_restarts = 0; CHECK(config_rejected(c) == 0);
    return 0;
}
ISOLATED_TEST(api_config_check_every_field)

/* Name functions give a string for any value. */
static int api_names_out_of_range(void)
{
    CHECK(pw_mode_name((pw_mode)BAD_ENUM) != NULL);
    CHECK(pw_page_size_name((pw_page_size)BAD_ENUM) != NULL);
    CHECK(pw_flush_name((pw_flush_kind)BAD_ENUM) != NULL);
    CHECK(pw_status_str((pw_status)BAD_ENUM) != NULL);
    CHECK(pw_mode_levels((pw_mode)BAD_ENUM) == 0);
    (void)pw_page_bytes((pw_page_size)BAD_ENUM);
    return 0;
}
ISOLATED_TEST(api_names_out_of_range)

/* ---- the other public helpers of walk.h and regs.h: NULL and bad levels ----
 * They return values rather than a status, so all that can be asked is that
 * they do not crash (or trip a sanitizer). Every failing one is listed. */

static pw_config g_cfg;
static volatile uint64_t g_sink;   /* keeps the optimiser from dropping a call */
static volatile uint64_t g_entry = PTE_P | PTE_RW | PA_DATA;   /* ... or folding one */
static pw_regs g_regs;
static pw_request g_req = {.la = LA_DATA, .kind = PW_ACC_READ};

static void helpers_init(void)
{
    pw_config_default(&g_cfg);
    pw_regs_reset(&g_regs);
    g_regs.cr0 = CR0_PG | CR0_PE;
    g_regs.cr4 = CR4_PAE;
    g_regs.efer = EFER_LME | EFER_LMA;
}

static int h_mode_of(void) { g_sink = (uint64_t)pw_mode_of(NULL); return 0; }
static int h_trivial_regs(void) { pw_result r; g_sink = (uint64_t)pw_walk_trivial(NULL, &g_req, &r); return 0; }
static int h_trivial_req(void) { pw_result r; g_sink = (uint64_t)pw_walk_trivial(&g_regs, NULL, &r); return 0; }
static int h_trivial_res(void) { g_sink = (uint64_t)pw_walk_trivial(&g_regs, &g_req, NULL); return 0; }
static int h_ctl_regs(void) { pw_rights_ctl c; pw_rights_ctl_of(NULL, &c); return 0; }
static int h_ctl_out(void) { pw_rights_ctl_of(&g_regs, NULL); return 0; }
static int h_check_ctl(void) { pw_perm p = {0}; g_sink = (uint64_t)pw_rights_check(NULL, &g_req, &p); return 0; }
static int h_check_req(void)
{
    pw_rights_ctl c;
    pw_rights_ctl_of(&g_regs, &c);
    pw_perm p = {0};
    g_sink = (uint64_t)pw_rights_check(&c, NULL, &p);
    return 0;
}
static int h_check_perm(void)
{
    pw_rights_ctl c;
    pw_rights_ctl_of(&g_regs, &c);
    g_sink = (uint64_t)pw_rights_check(&c, &g_req, NULL);
    return 0;
}
static int h_err_bits(void) { g_sink = (uint64_t)pw_access_err_bits(NULL, &g_req); return 0; }
static int h_rsvd_mask(void) { g_sink = (uint64_t)pw_rsvd_mask(NULL, &g_regs, PW_MODE_4LVL, PW_LVL_PT, true); return 0; }
static int h_rsvd_base(void) { g_sink = (uint64_t)pw_rsvd_base(&g_cfg, NULL, PW_MODE_4LVL); return 0; }
static int h_classify_cfg(void) { g_sink = (uint64_t)pw_classify(NULL, &g_regs, PW_MODE_4LVL, PW_LVL_PT, g_entry); return 0; }
static int h_classify_regs(void)
{
    g_sink = (uint64_t)pw_classify(&g_cfg, NULL, PW_MODE_32, PW_LVL_PD, g_entry | PTE_PS);
    return 0;
}
static int h_classify_base(void)
{
    g_sink = (uint64_t)pw_classify_with_base(NULL, &g_regs, PW_MODE_4LVL, PW_LVL_PT, g_entry, 0);
    return 0;
}
static int h_entry_addr(void) { g_sink = (uint64_t)pw_entry_addr(NULL, PW_MODE_4LVL, PW_LVL_PT, true, g_entry); return 0; }
static int h_regs_pcid(void) { g_sink = (uint64_t)pw_regs_pcid(NULL); return 0; }
static int h_la_index_level(void) { g_sink = (uint64_t)pw_la_index(PW_MODE_4LVL, BAD_LEVEL, g_entry); return 0; }
static int h_entry_addr_level(void)
{
    g_sink = (uint64_t)pw_entry_addr(&g_cfg, PW_MODE_4LVL, BAD_LEVEL, true, g_entry);
    return 0;
}
static int h_rsvd_mask_level(void)
{
    g_sink = (uint64_t)pw_rsvd_mask(&g_cfg, &g_regs, PW_MODE_4LVL, BAD_LEVEL, true);
    return 0;
}

static void test_api_helpers_survive_null_and_bad_levels(void **state)
{
    (void)state;
    static const struct {
        probe_fn fn;
        const char *name;
    } h[] = {
        {h_mode_of, "pw_mode_of(NULL)"},
        {h_trivial_regs, "pw_walk_trivial(NULL regs)"},
        {h_trivial_req, "pw_walk_trivial(NULL req)"},
        {h_trivial_res, "pw_walk_trivial(NULL res)"},
        {h_ctl_regs, "pw_rights_ctl_of(NULL regs)"},
        {h_ctl_out, "pw_rights_ctl_of(NULL ctl)"},
        {h_check_ctl, "pw_rights_check(NULL ctl)"},
        {h_check_req, "pw_rights_check(NULL req)"},
        {h_check_perm, "pw_rights_check(NULL perm)"},
        {h_err_bits, "pw_access_err_bits(NULL ctl)"},
        {h_rsvd_mask, "pw_rsvd_mask(NULL cfg)"},
        {h_rsvd_base, "pw_rsvd_base(NULL regs)"},
        {h_classify_cfg, "pw_classify(NULL cfg)"},
        {h_classify_regs, "pw_classify(NULL regs)"},
        {h_classify_base, "pw_classify_with_base(NULL cfg)"},
        {h_entry_addr, "pw_entry_addr(NULL cfg)"},
        {h_regs_pcid, "pw_regs_pcid(NULL)"},
        {h_la_index_level, "pw_la_index(level 100)"},
        {h_entry_addr_level, "pw_entry_addr(level 100)"},
        {h_rsvd_mask_level, "pw_rsvd_mask(level 100)"},
    };
    helpers_init();
    char failed[2048] = "", why[256];
    unsigned n = 0;
    for (size_t i = 0; i < sizeof h / sizeof h[0]; i++) {
        if (run_isolated(h[i].fn, h[i].name, why, sizeof why)) {
            n++;
            strncat(failed, "\n  ", sizeof failed - strlen(failed) - 1);
            strncat(failed, why, sizeof failed - strlen(failed) - 1);
        }
    }
    if (n)
        fail_msg("%u of %zu helpers do not survive bad input:%s", n, sizeof h / sizeof h[0], failed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_api_walk_null_pointers),
        cmocka_unit_test(test_api_walk_kind_out_of_range),
        cmocka_unit_test(test_api_walk_cfg_maxphyaddr_out_of_range),
        cmocka_unit_test(test_api_walk_cfg_maxphyaddr_absurd),
        cmocka_unit_test(test_api_walk_cfg_enums_out_of_range),
        cmocka_unit_test(test_api_walk_bus_error_is_an_outcome),
        cmocka_unit_test(test_api_walk_begin_bad_input),
        cmocka_unit_test(test_api_walk_next_respond_bad_input),
        cmocka_unit_test(test_api_walk_respond_status_out_of_range),
        cmocka_unit_test(test_api_walk_perm_at_bad_input),
        cmocka_unit_test(test_api_regs_null_pointers),
        cmocka_unit_test(test_api_regs_pdpte_load_without_memory),
        cmocka_unit_test(test_api_regs_illegal_writes_gp_unchanged),
        cmocka_unit_test(test_api_regs_illegal_config),
        cmocka_unit_test(test_api_regs_mov_cr3_absurd_maxphyaddr),
        cmocka_unit_test(test_api_regs_validate_bad_input),
        cmocka_unit_test(test_api_invpcid_out_of_range_gp),
        cmocka_unit_test(test_api_config_check_every_field),
        cmocka_unit_test(test_api_config_without_long_mode),
        cmocka_unit_test(test_api_names_out_of_range),
        cmocka_unit_test(test_api_helpers_survive_null_and_bad_levels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
