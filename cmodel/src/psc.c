/* Paging-structure caches (R11.3, docs/tlb.md): one fully associative,
 * tree-PLRU cache per non-leaf level. Mirrors rtl/pw_psc.sv. */
#include <string.h>

#include "pagewalk/psc.h"

pw_status pw_psc_init(pw_psc *p, const pw_config *cfg)
{
    if (!p || !cfg || pw_config_check(cfg, NULL) != PW_OK)
        return PW_ERR_ARG;
    memset(p, 0, sizeof *p);
    for (unsigned l = PW_LVL_PD; l <= PW_LVL_PML5; l++) {
        p->lvl[l].n = cfg->psc_entries[l];
        pw_plru_init(&p->lvl[l].plru, cfg->psc_entries[l]);
    }
    return PW_OK;
}

uint64_t pw_psc_key(pw_mode m, unsigned level, uint64_t la)
{
    return pw_la_truncate(m, la) >> pw_level_shift(m, level);
}

bool pw_psc_level_used(pw_mode m, unsigned level)
{
    if (level < PW_LVL_PD)
        return false;
    if (m == PW_MODE_32 || m == PW_MODE_PAE)
        return level == PW_LVL_PD;
    return level < pw_mode_levels(m) + 1;
}

static int find(const pw_psc_level *c, uint64_t key, uint16_t pcid)
{
    for (unsigned i = 0; i < c->n; i++)
        if (c->e[i].valid && c->e[i].key == key && c->e[i].pcid == pcid)
            return (int)i;
    return -1;
}

unsigned pw_psc_lookup(pw_psc *p, pw_mode m, uint64_t la, uint16_t pcid, pw_walk_start *start)
{
    for (unsigned l = PW_LVL_PD; l <= pw_mode_levels(m) && l <= PW_LVL_PML5; l++) {
        if (!pw_psc_level_used(m, l))
            continue;
        pw_psc_level *c = &p->lvl[l];
        int i = find(c, pw_psc_key(m, l, la), pcid);
        if (i < 0)
            continue;
        pw_plru_touch(&c->plru, (unsigned)i);
        start->level = l;
        start->table = c->e[i].table;
        start->perm = c->e[i].perm;
        return l;
    }
    return 0;
}

void pw_psc_fill(pw_psc *p, pw_mode m, unsigned level, uint64_t la, uint16_t pcid,
                 uint64_t table, const pw_perm *perm)
{
    if (level < PW_LVL_PD || level > PW_LVL_PML5 || !pw_psc_level_used(m, level))
        return;
    pw_psc_level *c = &p->lvl[level];
    if (!c->n)
        return;
    uint64_t key = pw_psc_key(m, level, la);
    unsigned victim = c->n;
    for (unsigned i = 0; i < c->n && victim == c->n; i++)
        if (!c->e[i].valid || (c->e[i].key == key && c->e[i].pcid == pcid))
            victim = i;
    if (victim == c->n)
        victim = pw_plru_victim(&c->plru);
    /* As in the TLB: never two entries for one (key, pcid), e.g. after a restart
     * re-reads a level that was cached in a higher-numbered slot. */
    for (unsigned i = 0; i < c->n; i++)
        if (i != victim && c->e[i].valid && c->e[i].key == key && c->e[i].pcid == pcid)
            c->e[i].valid = false;
    c->e[victim] = (pw_psc_entry){.valid = true, .key = key, .pcid = pcid, .table = table,
                                  .perm = *perm};
    pw_plru_touch(&c->plru, victim);
}

/* R11.5: which PSC entries an invalidation removes. */
static bool flushes(const pw_flush *f, pw_mode m, unsigned level, const pw_psc_entry *e)
{
    switch (f->kind) {
    case PW_FLUSH_ALL:
    case PW_FLUSH_NONGLOBAL_ALL: return true;
    case PW_FLUSH_CONTEXT:
    case PW_FLUSH_PCID_NONGLOBAL:
    case PW_FLUSH_PAGE:
    case PW_FLUSH_PAGE_NONGLOBAL: return e->pcid == f->pcid;
    case PW_FLUSH_FAULT: return e->pcid == f->pcid && e->key == pw_psc_key(m, level, f->la);
    default: return false;
    }
}

unsigned pw_psc_flush(pw_psc *p, pw_mode m, const pw_flush *f)
{
    unsigned n = 0;
    for (unsigned l = PW_LVL_PD; l <= PW_LVL_PML5; l++) {
        pw_psc_level *c = &p->lvl[l];
        for (unsigned i = 0; i < c->n; i++) {
            if (c->e[i].valid && flushes(f, m, l, &c->e[i])) {
                c->e[i].valid = false;
                n++;
            }
        }
    }
    return n;
}

unsigned pw_psc_count(const pw_psc *p, unsigned level)
{
    unsigned n = 0;
    if (level > PW_LVL_PML5)
        return 0;
    for (unsigned i = 0; i < p->lvl[level].n; i++)
        n += p->lvl[level].e[i].valid;
    return n;
}
