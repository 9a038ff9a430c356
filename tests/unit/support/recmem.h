/* A recording pw_mem: it forwards every access to an inner pw_mem and keeps
 * the first REC_MAX_ACC of them (kind, pa, size; a CAS also its expect and
 * desired values) in order, counting all of them in `n` (and by kind in
 * `reads` and `cas`).
 *
 *     rec_mem r;
 *     pw_result res = rec_walk(&env, &r, la, PW_ACC_READ, false);
 *     assert_int_equal(r.n, 2);
 *     assert_int_equal(r.acc[0].pa, pde_pa);
 *
 * `n` can exceed REC_MAX_ACC; only acc[0 .. REC_MAX_ACC-1] are recorded. */
#ifndef PW_TEST_RECMEM_H
#define PW_TEST_RECMEM_H

#include "env.h"

#define REC_MAX_ACC 32

typedef struct {
    pw_mem inner;
    unsigned n;                       /* accesses made, recorded or not */
    unsigned reads, cas;              /* ... of which reads and CASes */
    pw_mem_access acc[REC_MAX_ACC];
} rec_mem;

/* Reset `r` to record accesses to `inner`; returns the pw_mem to hand the walker
 * (no schedule: untimed). */
pw_mem rec_attach(rec_mem *r, const pw_mem *inner);

/* pw_walk of {la, kind, user} with env's configuration and registers over env's
 * memory through `r` (reset first). Fails the test unless pw_walk returns PW_OK. */
pw_result rec_walk(pw_env *env, rec_mem *r, uint64_t la, pw_access_kind kind, bool user);

#endif
