/* See walkhelp.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "walkhelp.h"

#define PAE_PDPTES 4

const pw_mode ALL_MODES[N_MODES] = {PW_MODE_32, PW_MODE_PAE, PW_MODE_4LVL, PW_MODE_5LVL};
const pw_mode LONG_MODES[N_LONG] = {PW_MODE_4LVL, PW_MODE_5LVL};

void env_map(pw_env *e, uint64_t la, uint64_t pa, pw_page_size s, uint64_t flags)
{
    assert_int_equal(pw_os_map(e->os, la, pa, s, flags), PW_OK);
    assert_int_equal(pw_env_load_regs(e), PW_OK);
}

void env_setup_map(pw_env *e, pw_mode m, const pw_config *cfg, uint64_t la, uint64_t pa,
                   pw_page_size s, uint64_t flags)
{
    assert_int_equal(pw_env_init(e, m, cfg, 0), PW_OK);
    env_map(e, la, pa, s, flags);
}

uint64_t env_entry_pa(pw_env *e, uint64_t la, unsigned level)
{
    uint64_t pa = 0;
    assert_int_equal(pw_os_entry_pa(e->os, la, level, &pa), PW_OK);
    return pa;
}

uint64_t env_entry_get(pw_env *e, uint64_t la, unsigned level)
{
    uint64_t v = 0;
    assert_int_equal(pw_env_entry(e, la, level, &v), PW_OK);
    return v;
}

void env_entry_set(pw_env *e, uint64_t la, unsigned level, uint64_t v)
{
    env_poke(e, env_entry_pa(e, la, level), v);
}

uint64_t env_peek(pw_env *e, uint64_t pa)
{
    if (e->mode == PW_MODE_32) {
        uint32_t v = 0;
        assert_int_equal(pw_image_read32(e->img, pa, &v), PW_OK);
        return v;
    }
    uint64_t v = 0;
    assert_int_equal(pw_image_read64(e->img, pa, &v), PW_OK);
    return v;
}

void env_poke(pw_env *e, uint64_t pa, uint64_t v)
{
    if (e->mode == PW_MODE_32)
        assert_int_equal(pw_image_write32(e->img, pa, (uint32_t)v), PW_OK);
    else
        assert_int_equal(pw_image_write64(e->img, pa, v), PW_OK);
}

uint64_t field(uint64_t v, unsigned hi, unsigned lo)
{
    return (v & PW_BITS(hi, lo)) >> lo;
}

void assert_regs_equal(const pw_regs *a, const pw_regs *b)
{
    assert_int_equal(a->cr0, b->cr0);
    assert_int_equal(a->cr3, b->cr3);
    assert_int_equal(a->cr4, b->cr4);
    assert_int_equal(a->efer, b->efer);
    assert_int_equal(a->pkru, b->pkru);
    assert_int_equal(a->pkrs, b->pkrs);
    for (unsigned i = 0; i < PAE_PDPTES; i++)
        assert_int_equal(a->pdpte[i], b->pdpte[i]);
}

pw_result walk_with(pw_env *e, const pw_mem *mem, pw_request q, int line)
{
    pw_result r;
    pw_status st = pw_walk(&e->cfg, &e->regs, mem, &q, &r);
    if (st != PW_OK)
        fail_msg("line %d mode %s: pw_walk returned %s", line, pw_mode_name(e->mode),
                 pw_status_str(st));
    return r;
}

pw_result walk_line(pw_env *e, pw_request q, int line)
{
    return walk_with(e, &e->mem, q, line);
}

pw_result check_ok(pw_env *e, pw_request q, int line)
{
    pw_result r = walk_line(e, q, line);
    if (r.outcome != PW_OUT_OK)
        fail_msg("line %d mode %s la %#llx kind %d user %d ss %d: expected success, got outcome %d "
                 "err %#x",
                 line, pw_mode_name(e->mode), (unsigned long long)q.la, q.kind, q.user,
                 q.shadow_stack, r.outcome, r.err_code);
    return r;
}

pw_result check_pf(pw_env *e, pw_request q, uint32_t err, int line)
{
    pw_result r = walk_line(e, q, line);
    if (r.outcome != PW_OUT_PF || r.err_code != err)
        fail_msg("line %d mode %s la %#llx kind %d user %d ss %d: expected #PF %#x, got outcome %d "
                 "err %#x",
                 line, pw_mode_name(e->mode), (unsigned long long)q.la, q.kind, q.user,
                 q.shadow_stack, err, r.outcome, r.err_code);
    return r;
}

void mmu_check(pw_mmu *m, uint64_t *cycle, pw_request q, uint32_t err, bool hit, int line)
{
    pw_mmu_response rsp;
    *cycle += MMU_CYCLE_STEP;
    assert_int_equal(pw_mmu_translate(m, &q, *cycle, &rsp), PW_OK);
    pw_outcome want = err == MMU_OK ? PW_OUT_OK : PW_OUT_PF;
    if (rsp.result.outcome != want || (want == PW_OUT_PF && rsp.result.err_code != err) ||
        rsp.hit != hit)
        fail_msg("line %d mode %s: outcome %d err %#x hit %d, expected outcome %d err %#x hit %d",
                 line, pw_mode_name(m->mode), rsp.result.outcome, rsp.result.err_code, rsp.hit,
                 want, want == PW_OUT_PF ? err : 0, hit);
}

void mmu_ctl(pw_mmu *m, uint64_t *cycle, pw_ctl_kind k, uint64_t value)
{
    *cycle += MMU_CYCLE_STEP;
    assert_int_equal(pw_mmu_ctl(m, *cycle, &(pw_ctl){.kind = k, .value = value}), PW_OK);
}
