/* Access rights and the #PF error code: the one fault-priority function used
 * by the TLB-hit path and the walk (R7.3, R8, R10). Mirrors pw_pkg::rights_check. */
#include "pagewalk/walk.h"

#define PKEY_BITS 2   /* AD at bit 2i, WD at bit 2i+1 of PKRU/PKRS */
#define PKEY_AD   1u
#define PKEY_WD   2u

void pw_rights_ctl_of(const pw_regs *r, pw_rights_ctl *c)
{
    if (!r || !c)
        return;
    pw_mode m = pw_mode_of(r);
    bool lma = (r->efer & EFER_LMA) != 0;
    *c = (pw_rights_ctl){
        .wp = (r->cr0 & CR0_WP) != 0,
        .smep = (r->cr4 & CR4_SMEP) != 0,
        .smap = (r->cr4 & CR4_SMAP) != 0,
        .nxe = m != PW_MODE_32 && (r->efer & EFER_NXE),      /* R1.2 */
        .pke = lma && (r->cr4 & CR4_PKE),                     /* R1.2, R8.7 */
        .pks = lma && (r->cr4 & CR4_PKS),                     /* R8.8 */
        .cet = (r->cr4 & CR4_CET) != 0,
        .pkru = r->pkru,
        .pkrs = r->pkrs,
    };
    c->id_bit = c->smep || c->nxe;                            /* R10.1 I/D */
}

static unsigned key_bits(uint32_t reg, uint8_t key)
{
    return (reg >> (PKEY_BITS * key)) & (PKEY_AD | PKEY_WD);
}

static bool is_shadow_stack(const pw_rights_ctl *c, const pw_request *q)
{
    return q->shadow_stack && c->cet && q->kind != PW_ACC_FETCH;
}

uint32_t pw_access_err_bits(const pw_rights_ctl *c, const pw_request *q)
{
    uint32_t e = 0;
    if (!c || !q)
        return e;
    if (q->kind == PW_ACC_WRITE)
        e |= PF_W;
    if (q->user && !q->implicit)
        e |= PF_U;                 /* describes the access, not the page */
    if (q->kind == PW_ACC_FETCH && c->id_bit)
        e |= PF_ID;
    if (is_shadow_stack(c, q))
        e |= PF_SS;
    return e;
}

uint32_t pw_rights_check(const pw_rights_ctl *c, const pw_request *q, const pw_perm *p)
{
    if (!c || !q || !p)
        return PF_P;   /* no basis to allow the access */
    bool user_access = q->user && !q->implicit;      /* R8.1 */
    bool write = q->kind == PW_ACC_WRITE;
    bool deny = false, pk_deny = false;

    if (q->kind == PW_ACC_FETCH) {
        deny |= p->xd;                                /* R8.9 */
        if (user_access)
            deny |= !p->us;
        else
            deny |= c->smep && p->us;                 /* R8.9 SMEP */
        /* R8.7: keys never apply to fetches. */
    } else if (is_shadow_stack(c, q)) {
        /* R8.11: a shadow-stack page is R/W=0, D=1 with every non-leaf R/W=1,
         * and must be a user page exactly when the access is a user access. */
        bool ss_page = p->nonleaf_rw && !p->rw && p->dirty;
        deny |= !ss_page || (user_access != p->us);
        if (p->us && c->pke)
            pk_deny |= (key_bits(c->pkru, p->pk) & PKEY_AD) != 0;
        if (!p->us && c->pks)
            pk_deny |= (key_bits(c->pkrs, p->pk) & PKEY_AD) != 0;
    } else {
        if (user_access) {
            deny |= !p->us;                           /* R8.3 */
            deny |= write && !p->rw;
        } else {
            /* R8.6: SMAP blocks supervisor data accesses to user pages unless
             * AC=1 on an explicit access. */
            deny |= p->us && c->smap && (!q->ac || q->implicit);
            deny |= write && !p->rw && c->wp;         /* R8.5 */
        }
        if (p->us && c->pke) {                        /* R8.7 PKRU */
            unsigned k = key_bits(c->pkru, p->pk);
            pk_deny |= (k & PKEY_AD) || (write && (k & PKEY_WD) && (user_access || c->wp));
        }
        /* R8.8 PKS; a user access to a supervisor page is a U/S fault without PK
         * (QEMU's order, x86-paging.md D12). */
        if (!p->us && c->pks && !user_access) {
            unsigned k = key_bits(c->pkrs, p->pk);
            pk_deny |= (k & PKEY_AD) || (write && (k & PKEY_WD) && c->wp);
        }
    }

    if (!deny && !pk_deny)
        return 0;
    /* R10.4: one P=1 code; PK added whenever a key condition holds. */
    return pw_access_err_bits(c, q) | PF_P | (pk_deny ? PF_PK : 0);
}
