/* A cycle-exact fixture for the tests of pw_mmu (TLB, PSCs, timing): a pw_env,
 * a memory port over its image with the timing of docs/timing.md (fixed delay d,
 * optional back-pressure) and timed memory writes by the environment, plus
 * helpers to translate and to send control operations.
 *
 *     fx_mmu fx;
 *     fx_init(&fx, PW_MODE_4LVL, NULL, FX_DELAY_DEFAULT);
 *     pw_os_map(fx.env.os, la, pa, PW_SIZE_4K, PTE_RW | PTE_A);
 *     pw_mmu_response r = fx_access(&fx, la, PW_ACC_READ, false);  // at fx.now
 *     fx_free(&fx);
 *
 * Timing of the port: access presented in s is accepted in g = s + wait, pushed
 * past the window [busy_from, busy_to], and answered in g + delay. Environment
 * writes (fx_write_at) scheduled for cycle c take effect before any access
 * the memory performs in a cycle >= c. Header-only (static inline) so that each
 * test program stays standalone; include it after <cmocka.h> (it asserts). */
#ifndef PW_TEST_MMU_FIXTURE_H
#define PW_TEST_MMU_FIXTURE_H

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "pagewalk/pagewalk.h"
#include "support/env.h"
#include "support/walkhelp.h"

#define FX_DELAY_DEFAULT 1u
#define FX_START_CYCLE   UINT64_C(100) /* first request cycle: leaves room before it */
#define FX_MAX_WRITES    8u
#define FX_NO_BUSY       UINT64_MAX

/* Linear addresses from table indices (R2.2-R2.5). FX_LA4 also serves PAE
 * (l3 = PDPTE index 0..3, l4 = 0). */
#define FX_LA4(l4, l3, l2, l1)                                                           \
    (((uint64_t)(l4) << 39) | ((uint64_t)(l3) << 30) | ((uint64_t)(l2) << 21) |          \
     ((uint64_t)(l1) << 12))
#define FX_LA5(l5, l4, l3, l2, l1) (((uint64_t)(l5) << 48) | FX_LA4(l4, l3, l2, l1))
#define FX_LA32(l2, l1) (((uint64_t)(l2) << 22) | ((uint64_t)(l1) << 12))

typedef struct {
    uint64_t cycle, pa, val;
    unsigned size;
    bool done;
} fx_timed_write;

typedef struct {
    pw_env env;
    pw_mmu *mmu;
    pw_mem port;            /* the memory port the mmu sees */
    unsigned delay;         /* d >= 1 */
    unsigned wait;          /* back-pressure of every access */
    uint64_t busy_from, busy_to;
    fx_timed_write writes[FX_MAX_WRITES];
    unsigned n_writes;
    unsigned cas_mismatches; /* the next n CASes find a changed entry (UINT_MAX: all) */
    uint64_t now;           /* cycle the next request or operation is presented */
} fx_mmu;

/* ---- the memory port ---- */

static inline void fx_apply_writes(fx_mmu *fx, uint64_t cycle)
{
    for (unsigned i = 0; i < fx->n_writes; i++) {
        fx_timed_write *w = &fx->writes[i];
        if (w->done || w->cycle > cycle)
            continue;
        if (w->size == sizeof(uint32_t))
            pw_image_write32(fx->env.img, w->pa, (uint32_t)w->val);
        else
            pw_image_write64(fx->env.img, w->pa, w->val);
        w->done = true;
    }
}

static inline pw_mem_status fx_port_read(void *ctx, uint64_t pa, unsigned size, uint64_t cycle,
                                         uint64_t *val)
{
    fx_mmu *fx = ctx;
    fx_apply_writes(fx, cycle);
    return fx->env.mem.read(fx->env.mem.ctx, pa, size, cycle, val);
}

static inline pw_mem_status fx_port_cas(void *ctx, uint64_t pa, unsigned size, uint64_t expect,
                                        uint64_t desired, uint64_t cycle, uint64_t *old)
{
    fx_mmu *fx = ctx;
    fx_apply_writes(fx, cycle);
    if (fx->cas_mismatches) {
        if (fx->cas_mismatches != UINT_MAX)
            fx->cas_mismatches--;
        pw_mem_status st = fx->env.mem.read(fx->env.mem.ctx, pa, size, cycle, old);
        *old = expect ^ PW_BIT(9); /* an OS bit: someone else keeps writing the entry */
        return st;
    }
    return fx->env.mem.cas(fx->env.mem.ctx, pa, size, expect, desired, cycle, old);
}

static inline void fx_port_schedule(void *ctx, uint64_t issue, const pw_mem_access *acc,
                                    uint64_t *accept, uint64_t *respond)
{
    (void)acc;
    fx_mmu *fx = ctx;
    uint64_t g = issue + fx->wait;
    if (fx->busy_from != FX_NO_BUSY && g >= fx->busy_from && g <= fx->busy_to)
        g = fx->busy_to + 1;
    *accept = g;
    *respond = g + fx->delay;
}

/* ---- set-up ---- */

/* (Re)create the mmu with `cfg` (NULL: the env's) and load the env's registers. */
static inline void fx_mmu_reinit(fx_mmu *fx, const pw_config *cfg)
{
    if (!fx->mmu)
        fx->mmu = calloc(1, sizeof *fx->mmu);
    assert_non_null(fx->mmu);
    assert_int_equal(pw_mmu_init(fx->mmu, cfg ? cfg : &fx->env.cfg, &fx->port), PW_OK);
    assert_int_equal(pw_mmu_set_regs(fx->mmu, &fx->env.regs), PW_OK);
}

static inline void fx_init(fx_mmu *fx, pw_mode mode, const pw_config *cfg, unsigned delay)
{
    memset(fx, 0, sizeof *fx);
    assert_int_equal(pw_env_init(&fx->env, mode, cfg, 0), PW_OK);
    fx->delay = delay;
    fx->busy_from = fx->busy_to = FX_NO_BUSY;
    fx->port = (pw_mem){.ctx = fx, .read = fx_port_read, .cas = fx_port_cas,
                        .schedule = fx_port_schedule};
    fx->now = FX_START_CYCLE;
    fx_mmu_reinit(fx, NULL);
}

static inline void fx_free(fx_mmu *fx)
{
    free(fx->mmu);
    fx->mmu = NULL;
    pw_env_free(&fx->env);
}

/* After maps (PAE: the PDPTE registers) or edits of env.regs: load them. Flushes. */
static inline void fx_load_regs(fx_mmu *fx)
{
    assert_int_equal(pw_mmu_set_regs(fx->mmu, &fx->env.regs), PW_OK);
}

/* 4/5-level: CR4.PCIDE=1 with CR3 PCID `pcid`, CR4.PGE as given. */
static inline void fx_enable_pcid(fx_mmu *fx, uint16_t pcid, bool pge)
{
    fx->env.regs.cr4 |= CR4_PCIDE;
    if (pge)
        fx->env.regs.cr4 |= CR4_PGE;
    fx->env.regs.cr3 = (fx->env.regs.cr3 & ~CR3_PCID) | pcid;
    fx_load_regs(fx);
}

/* ---- requests ---- */

static inline pw_request fx_req(uint64_t la, pw_access_kind kind, bool user)
{
    return (pw_request){.la = la, .kind = kind, .user = user};
}

/* Translate `req` presented at fx->now; fx->now becomes its response cycle. */
static inline pw_mmu_response fx_translate(fx_mmu *fx, const pw_request *req)
{
    pw_mmu_response r;
    memset(&r, 0, sizeof r);
    pw_status st = pw_mmu_translate(fx->mmu, req, fx->now, &r);
    if (st != PW_OK)
        fail_msg("pw_mmu_translate(la %#llx) returned %s", (unsigned long long)req->la,
                 pw_status_str(st));
    fx->now = r.rsp_cycle;
    return r;
}

static inline pw_mmu_response fx_access(fx_mmu *fx, uint64_t la, pw_access_kind kind, bool user)
{
    pw_request q = fx_req(la, kind, user);
    return fx_translate(fx, &q);
}

static inline pw_mmu_response fx_read(fx_mmu *fx, uint64_t la)
{
    return fx_access(fx, la, PW_ACC_READ, false);
}

/* The answer is a translation to `pa`. */
static inline void fx_expect_ok(const pw_mmu_response *r, uint64_t pa)
{
    if (r->result.outcome != PW_OUT_OK || r->result.pa != pa)
        fail_msg("expected OK pa %#llx, got outcome %d pa %#llx err %#x", (unsigned long long)pa,
                 r->result.outcome, (unsigned long long)r->result.pa, r->result.err_code);
}

/* A page-table access happened: the request was not answered by the TLB. */
static inline bool fx_walked(const pw_mmu_response *r)
{
    return !r->hit && r->n_access > 0;
}

/* ---- control operations ---- */

static inline pw_status fx_ctl_at(fx_mmu *fx, uint64_t cycle, pw_ctl_kind kind, uint64_t value,
                                  uint64_t la, unsigned type)
{
    pw_ctl op = {.kind = kind, .value = value, .la = la, .type = type};
    pw_status st = pw_mmu_ctl(fx->mmu, cycle, &op);
    if (st == PW_OK && fx->now <= cycle)
        fx->now = cycle + 1;
    return st;
}

/* An operation at fx->now; the next request or operation comes a cycle later. */
static inline pw_status fx_ctl(fx_mmu *fx, pw_ctl_kind kind, uint64_t value, uint64_t la,
                               unsigned type)
{
    return fx_ctl_at(fx, fx->now, kind, value, la, type);
}

static inline void fx_ctl_ok(fx_mmu *fx, pw_ctl_kind kind, uint64_t value, uint64_t la,
                             unsigned type)
{
    pw_status st = fx_ctl(fx, kind, value, la, type);
    if (st != PW_OK)
        fail_msg("control op %d returned %s", kind, pw_status_str(st));
}

/* MOV CR3 to the same root with PCID `pcid`; `keep` sets bit 63 (no flush). */
static inline void fx_switch_pcid(fx_mmu *fx, uint16_t pcid, bool keep)
{
    uint64_t v = (fx->mmu->regs.cr3 & ~CR3_PCID) | pcid | (keep ? CR3_NOFLUSH : 0);
    fx_ctl_ok(fx, PW_CTL_MOV_CR3, v, 0, 0);
}

/* ---- page tables ---- */

static inline uint64_t fx_entry_pa(fx_mmu *fx, uint64_t la, unsigned level)
{
    return env_entry_pa(&fx->env, la, level);
}

static inline uint64_t fx_entry(fx_mmu *fx, uint64_t la, unsigned level)
{
    return env_entry_get(&fx->env, la, level);
}

static inline void fx_poke(fx_mmu *fx, uint64_t pa, uint64_t v)
{
    env_poke(&fx->env, pa, v);
}

static inline uint64_t fx_peek(fx_mmu *fx, uint64_t pa)
{
    return env_peek(&fx->env, pa);
}

static inline void fx_set_entry(fx_mmu *fx, uint64_t la, unsigned level, uint64_t v)
{
    fx_poke(fx, fx_entry_pa(fx, la, level), v);
}

/* Schedule an environment write of the entry at `pa` for `cycle`. */
static inline void fx_write_at(fx_mmu *fx, uint64_t cycle, uint64_t pa, uint64_t val)
{
    assert_true(fx->n_writes < FX_MAX_WRITES);
    fx->writes[fx->n_writes++] = (fx_timed_write){
        .cycle = cycle, .pa = pa, .val = val,
        .size = fx->env.mode == PW_MODE_32 ? sizeof(uint32_t) : sizeof(uint64_t)};
}

/* ---- cache inspection ---- */

/* Apply a pending fill whose edge lies before fx->now (the model applies it
 * lazily). Inspect only after the operations meant for cycles before fx->now. */
static inline void fx_settle(fx_mmu *fx)
{
    pw_mmu_settle(fx->mmu, fx->now);
}

/* TLB entries that translate `la` (mode-truncated) under `pcid`. */
static inline unsigned fx_tlb_matches(fx_mmu *fx, uint64_t la, uint16_t pcid)
{
    fx_settle(fx);
    const pw_tlb *t = &fx->mmu->tlb;
    uint64_t tla = pw_la_truncate(fx->mmu->mode, la);
    unsigned n = 0;
    for (unsigned i = 0; i < t->n; i++)
        n += pw_tlb_entry_matches(&t->e[i], tla, pcid);
    return n;
}

/* Valid PSC entries at `level` keyed by `la` under `pcid`. */
static inline unsigned fx_psc_matches(fx_mmu *fx, unsigned level, uint64_t la, uint16_t pcid)
{
    fx_settle(fx);
    const pw_psc_level *c = &fx->mmu->psc.lvl[level];
    uint64_t key = pw_psc_key(fx->mmu->mode, level, la);
    unsigned n = 0;
    for (unsigned i = 0; i < c->n; i++)
        n += c->e[i].valid && c->e[i].key == key && c->e[i].pcid == pcid;
    return n;
}

/* Valid TLB entries, and valid PSC entries at `level`. */
static inline unsigned fx_tlb_count(fx_mmu *fx)
{
    fx_settle(fx);
    return pw_tlb_count(&fx->mmu->tlb);
}

static inline unsigned fx_psc_count(fx_mmu *fx, unsigned level)
{
    fx_settle(fx);
    return pw_psc_count(&fx->mmu->psc, level);
}

#endif
