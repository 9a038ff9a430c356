/* See recmem.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "recmem.h"

static void rec_push(rec_mem *r, pw_mem_access a)
{
    if (r->n < REC_MAX_ACC)
        r->acc[r->n] = a;
    r->n++;
}

static pw_mem_status rec_read(void *ctx, uint64_t pa, unsigned size, uint64_t cycle, uint64_t *v)
{
    rec_mem *r = ctx;
    r->reads++;
    rec_push(r, (pw_mem_access){.kind = PW_MEM_READ, .pa = pa, .size = size});
    return r->inner.read(r->inner.ctx, pa, size, cycle, v);
}

static pw_mem_status rec_cas(void *ctx, uint64_t pa, unsigned size, uint64_t expect,
                             uint64_t desired, uint64_t cycle, uint64_t *old)
{
    rec_mem *r = ctx;
    r->cas++;
    rec_push(r, (pw_mem_access){.kind = PW_MEM_CAS, .pa = pa, .size = size, .expect = expect,
                                .desired = desired});
    return r->inner.cas(r->inner.ctx, pa, size, expect, desired, cycle, old);
}

pw_mem rec_attach(rec_mem *r, const pw_mem *inner)
{
    *r = (rec_mem){.inner = *inner};
    return (pw_mem){.ctx = r, .read = rec_read, .cas = rec_cas};
}

pw_result rec_walk(pw_env *env, rec_mem *r, uint64_t la, pw_access_kind kind, bool user)
{
    pw_mem m = rec_attach(r, &env->mem);
    pw_request req = {.la = la, .kind = kind, .user = user};
    pw_result res;
    assert_int_equal(pw_walk(&env->cfg, &env->regs, &m, &req, &res), PW_OK);
    return res;
}
