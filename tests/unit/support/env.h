/* A ready-made environment for unit tests: a sparse image, a configuration,
 * a page-table builder for one mode and the registers that select that mode.
 *
 *     pw_env env;
 *     assert_int_equal(pw_env_init(&env, PW_MODE_4LVL, NULL, 0), PW_OK);
 *     pw_os_map(env.os, la, pa, PW_SIZE_4K, PTE_RW);
 *     pw_env_load_regs(&env);          // after maps in PAE: reloads the PDPTEs
 *     pw_walk(&env.cfg, &env.regs, &env.mem, &req, &res);
 *     pw_env_free(&env);
 *
 * Page tables come from the upper half of memory; the lower half is free for
 * the pages tests map. Asserting helpers over a pw_env (set-up, entries, walk
 * checks): walkhelp.h; a pw_mem that records the walker's accesses: recmem.h. */
#ifndef PW_TEST_ENV_H
#define PW_TEST_ENV_H

#include "pagewalk/pagewalk.h"

#define PW_ENV_MEM_DEFAULT (UINT64_C(64) << 20) /* 64 MiB */

typedef struct {
    pw_mode mode;
    pw_config cfg;
    pw_image *img;
    pw_mem mem;        /* pw_image_mem(img) */
    pw_os *os;
    uint64_t pool_base, pool_size;
    pw_regs regs;      /* paging on in `mode`, CR3 = the builder's root */
} pw_env;

/* cfg NULL: pw_config_default. mem_size 0: PW_ENV_MEM_DEFAULT. */
pw_status pw_env_init(pw_env *env, pw_mode mode, const pw_config *cfg, uint64_t mem_size);
void pw_env_free(pw_env *env);
/* Set regs for the mode from scratch: CR0 = PG|PE|WP; CR4.PSE (32-bit),
 * CR4.PAE (PAE, 4/5-level), CR4.LA57 (5-level); EFER.NXE (PAE), EFER.LME|LMA|NXE
 * (4/5-level); CR3 = pw_os_cr3; in PAE the PDPTE registers read from the PDPT. */
pw_status pw_env_load_regs(pw_env *env);
/* The raw entry at `level` on la's path (4-byte entries zero-extended). */
pw_status pw_env_entry(pw_env *env, uint64_t la, unsigned level, uint64_t *entry);

#endif
