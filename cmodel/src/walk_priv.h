/* Private to the model: the walk's start without re-validating its inputs, for
 * callers that checked them already (pw_walk per call, pw_mmu at init and per
 * request). Public callers use pw_walk_begin. */
#ifndef PW_WALK_PRIV_H
#define PW_WALK_PRIV_H

#include "pagewalk/walk.h"

/* cfg legal, req->kind in range, paging on and req->la canonical, start NULL or a
 * level of this mode (pw_psc_lookup gives only those). */
void pw_walk_begin_trusted(pw_walk_state *w, const pw_config *cfg, const pw_regs *regs,
                           const pw_request *req, const pw_walk_start *start);

#endif
