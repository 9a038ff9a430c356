/* Asserting helpers for tests that walk a pw_env: set-up, reading and writing
 * page-table entries, walks whose outcome is checked with the caller's line in
 * the message, and the same through a pw_mmu. Each helper fails the current
 * cmocka test on an unexpected status, so it may only be called from a test.
 *
 *     pw_env e;
 *     env_setup_map(&e, PW_MODE_4LVL, NULL, la, pa, PW_SIZE_4K, PTE_RW);
 *     env_entry_set(&e, la, PW_LVL_PD, env_entry_get(&e, la, PW_LVL_PD) & ~PTE_RW);
 *     EXPECT_PF(&e, PF_P | PF_W, .la = la, .kind = PW_ACC_WRITE);
 *     pw_env_free(&e);
 *
 * Entries are as wide as the env's mode uses: 4 bytes in 32-bit paging
 * (zero-extended on reads, truncated on writes), 8 bytes otherwise. */
#ifndef PW_TEST_WALKHELP_H
#define PW_TEST_WALKHELP_H

#include "env.h"

/* ---- mode lists ---- */

/* Every paging mode, in the order 32-bit, PAE, 4-level, 5-level (a loop may
 * start at 1 or 2 to leave out the first ones). */
#define N_MODES 4
extern const pw_mode ALL_MODES[N_MODES];
/* The modes with IA32_EFER.LMA=1 (where protection keys exist, R1.2). */
#define N_LONG 2
extern const pw_mode LONG_MODES[N_LONG];

/* ---- set-up ---- */

/* Map la -> pa as one page of size s with `flags`, then pw_env_load_regs
 * (PAE: the PDPTE registers come from the new tables). */
void env_map(pw_env *e, uint64_t la, uint64_t pa, pw_page_size s, uint64_t flags);
/* pw_env_init(mode m, cfg; NULL: default), then env_map. */
void env_setup_map(pw_env *e, pw_mode m, const pw_config *cfg, uint64_t la, uint64_t pa,
                   pw_page_size s, uint64_t flags);

/* ---- entries ---- */

/* Physical address of the entry at `level` on la's path (pw_os_entry_pa). */
uint64_t env_entry_pa(pw_env *e, uint64_t la, unsigned level);
/* The entry at `level` on la's path (pw_env_entry). */
uint64_t env_entry_get(pw_env *e, uint64_t la, unsigned level);
/* Overwrite the entry at `level` on la's path with v (registers not reloaded). */
void env_entry_set(pw_env *e, uint64_t la, unsigned level, uint64_t v);
/* Read / write one entry-sized value at physical address pa of the env's image. */
uint64_t env_peek(pw_env *e, uint64_t pa);
void env_poke(pw_env *e, uint64_t pa, uint64_t v);

/* ---- registers ---- */

/* bits hi:lo of v, shifted down to bit 0. */
uint64_t field(uint64_t v, unsigned hi, unsigned lo);
/* CR0, CR3, CR4, EFER, PKRU, PKRS and the four PDPTE registers are equal. */
void assert_regs_equal(const pw_regs *a, const pw_regs *b);

/* ---- walks ---- */

/* pw_walk of q with e's configuration and registers over `mem`; fails the test
 * (reporting `line`) unless it returns PW_OK. */
pw_result walk_with(pw_env *e, const pw_mem *mem, pw_request q, int line);
/* walk_with over e's own memory. */
pw_result walk_line(pw_env *e, pw_request q, int line);
/* The walk succeeds (PW_OUT_OK). */
pw_result check_ok(pw_env *e, pw_request q, int line);
/* The walk gives #PF with exactly error code `err`. */
pw_result check_pf(pw_env *e, pw_request q, uint32_t err, int line);

/* EXPECT_OK(&e, .la = LA, .kind = PW_ACC_READ, ...): request fields as a designated list. */
#define EXPECT_OK(e, ...) check_ok((e), (pw_request){__VA_ARGS__}, __LINE__)
#define EXPECT_PF(e, err, ...) check_pf((e), (pw_request){__VA_ARGS__}, (err), __LINE__)

/* ---- through a pw_mmu, one request or operation every MMU_CYCLE_STEP cycles ---- */

#define MMU_CYCLE_STEP 100 /* longer than any walk here: every fill has landed */
#define MMU_OK UINT32_MAX  /* `err` of mmu_check: expect success */

/* Advance *cycle by MMU_CYCLE_STEP and translate q there: the outcome must be
 * success (err == MMU_OK) or #PF with error code err, and the TLB hit flag `hit`. */
void mmu_check(pw_mmu *m, uint64_t *cycle, pw_request q, uint32_t err, bool hit, int line);
/* Advance *cycle by MMU_CYCLE_STEP and perform control operation k with `value` there. */
void mmu_ctl(pw_mmu *m, uint64_t *cycle, pw_ctl_kind k, uint64_t value);

#define MMU_EXPECT(m, cyc, err, hit, ...) \
    mmu_check((m), (cyc), (pw_request){__VA_ARGS__}, (err), (hit), __LINE__)

#endif
