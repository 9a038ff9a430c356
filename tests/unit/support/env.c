/* See env.h. */
#include <string.h>

#include "env.h"

#define PAE_PDPTES 4

pw_status pw_env_init(pw_env *env, pw_mode mode, const pw_config *cfg, uint64_t mem_size)
{
    if (!env)
        return PW_ERR_ARG;
    memset(env, 0, sizeof *env);
    env->mode = mode;
    if (cfg)
        env->cfg = *cfg;
    else
        pw_config_default(&env->cfg);
    if (!mem_size)
        mem_size = PW_ENV_MEM_DEFAULT;
    pw_status st = pw_image_sparse_new(mem_size, &env->img);
    if (st != PW_OK)
        return st;
    pw_image_mem(env->img, &env->mem);
    env->pool_size = mem_size / 2;
    env->pool_base = mem_size - env->pool_size;
    st = pw_os_new(env->img, &env->cfg, mode, env->pool_base, env->pool_size, NULL, &env->os);
    if (st == PW_OK)
        st = pw_env_load_regs(env);
    if (st != PW_OK)
        pw_env_free(env);
    return st;
}

void pw_env_free(pw_env *env)
{
    if (!env)
        return;
    pw_os_free(env->os);
    pw_image_free(env->img);
    env->os = NULL;
    env->img = NULL;
}

pw_status pw_env_load_regs(pw_env *env)
{
    if (!env || !env->os)
        return PW_ERR_ARG;
    pw_regs *r = &env->regs;
    memset(r, 0, sizeof *r);
    r->cr0 = CR0_PG | CR0_PE | CR0_WP;
    r->cr3 = pw_os_cr3(env->os);
    switch (env->mode) {
    case PW_MODE_32:
        r->cr4 = CR4_PSE;
        break;
    case PW_MODE_PAE:
        r->cr4 = CR4_PAE;
        r->efer = EFER_NXE;
        for (unsigned i = 0; i < PAE_PDPTES; i++) {
            pw_status st = pw_image_read64(env->img, r->cr3 + i * sizeof(uint64_t), &r->pdpte[i]);
            if (st != PW_OK)
                return st;
        }
        break;
    case PW_MODE_5LVL:
        r->cr4 = CR4_LA57;
        /* fall through */
    case PW_MODE_4LVL:
        r->cr4 |= CR4_PAE;
        r->efer = EFER_LME | EFER_LMA | EFER_NXE;
        break;
    default:
        return PW_ERR_ARG;
    }
    return PW_OK;
}

pw_status pw_env_entry(pw_env *env, uint64_t la, unsigned level, uint64_t *entry)
{
    if (!env || !entry)
        return PW_ERR_ARG;
    uint64_t pa;
    pw_status st = pw_os_entry_pa(env->os, la, level, &pa);
    if (st != PW_OK)
        return st;
    if (env->mode != PW_MODE_32)
        return pw_image_read64(env->img, pa, entry);
    uint32_t v;
    st = pw_image_read32(env->img, pa, &v);
    *entry = v;
    return st;
}
