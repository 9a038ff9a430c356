/* The environment's memory: timing function, pokes, read/CAS (env_mem.h). */
#include "env_mem.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BURST_WINDOW_SHIFT 6   /* 64-cycle windows */
#define BURST_PCT 25           /* busy windows */
#define BURST_BP_PCT 50        /* back-pressure inside a busy window */
#define PER_MILLE 1000
#define BUS_ERROR_SALT UINT64_C(0xb5e7707)   /* independent of the delay draws */

static uint64_t mix(uint64_t z)
{
    /* splitmix64 finaliser */
    z += UINT64_C(0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

void mem_timing_default(mem_timing *t, uint64_t seed)
{
    *t = (mem_timing){.kind = MEM_DELAY_RANGE, .lo = 1, .hi = 6, .backpressure_pct = 20,
                      .max_wait = 16, .seed = seed};
}

static bool parse_uint(const char *s, char **end, unsigned *v)
{
    if (*s < '0' || *s > '9')
        return false;
    unsigned long x = strtoul(s, end, 10);
    if (x > 100000)
        return false;
    *v = (unsigned)x;
    return true;
}

bool mem_timing_parse_delay(mem_timing *t, const char *spec)
{
    char *end;
    unsigned a, b;
    if (!strncmp(spec, "fixed:", 6)) {
        if (!parse_uint(spec + 6, &end, &a) || *end || a < 1)
            return false;
        t->kind = MEM_DELAY_FIXED;
        t->lo = t->hi = a;
        return true;
    }
    if (!strncmp(spec, "range:", 6)) {
        if (!parse_uint(spec + 6, &end, &a) || *end != ':' || !parse_uint(end + 1, &end, &b) ||
            *end || a < 1 || b < a)
            return false;
        t->kind = MEM_DELAY_RANGE;
        t->lo = a;
        t->hi = b;
        return true;
    }
    if (!strcmp(spec, "bursty")) {
        t->kind = MEM_DELAY_BURSTY;
        t->lo = 1;
        t->hi = 24;
        return true;
    }
    if (!strncmp(spec, "bursty:", 7)) {
        if (!parse_uint(spec + 7, &end, &a) || *end != ':' || !parse_uint(end + 1, &end, &b) ||
            *end || a < 1 || b < a)
            return false;
        t->kind = MEM_DELAY_BURSTY;
        t->lo = a;
        t->hi = b;
        return true;
    }
    return false;
}

void mem_timing_format(const mem_timing *t, char *buf, size_t len)
{
    switch (t->kind) {
    case MEM_DELAY_FIXED: snprintf(buf, len, "fixed:%u", t->lo); break;
    case MEM_DELAY_RANGE: snprintf(buf, len, "range:%u:%u", t->lo, t->hi); break;
    default: snprintf(buf, len, "bursty:%u:%u", t->lo, t->hi); break;
    }
}

void mem_timing_at(const mem_timing *t, uint64_t index, uint64_t issue, uint64_t *accept,
                   uint64_t *respond)
{
    uint64_t h = mix(t->seed ^ mix(index));
    unsigned bp = t->backpressure_pct, d = t->lo;
    if (t->kind == MEM_DELAY_BURSTY) {
        bool busy = mix(t->seed ^ UINT64_C(0xb0257) ^ mix(issue >> BURST_WINDOW_SHIFT)) % 100 <
                    BURST_PCT;
        if (busy) {
            unsigned base = t->hi / 2 > t->lo ? t->hi / 2 : t->lo;
            d = base + (unsigned)(h % (t->hi - base + 1));
            bp = bp > BURST_BP_PCT ? bp : BURST_BP_PCT;
        }
    } else if (t->kind == MEM_DELAY_RANGE) {
        d = t->lo + (unsigned)(h % (t->hi - t->lo + 1));
    }
    unsigned w = 0;
    while (w < t->max_wait && mix(h + w + 1) % 100 < bp)
        w++;
    if (d < 1)
        d = 1;
    *accept = issue + w;
    *respond = issue + w + d;
}

bool mem_timing_bus_error(const mem_timing *t, uint64_t index, pw_mem_kind kind)
{
    unsigned pm = kind == PW_MEM_READ ? t->bus_error_read_pm : t->bus_error_cas_pm;
    return pm && mix(t->seed ^ BUS_ERROR_SALT ^ mix(index)) % PER_MILLE < pm;
}

/* ---- Pokes ---- */

static void apply_poke(env_mem *m, const env_poke *p)
{
    uint64_t old = 0;
    if (m->raw.read(m->raw.ctx, p->pa, p->size, 0, &old) != PW_MEM_OK)
        return;
    uint64_t v = old | p->bits, was;
    m->raw.cas(m->raw.ctx, p->pa, p->size, old, v, 0, &was);
    m->pokes_done++;
}

void env_mem_settle(env_mem *m, uint64_t cycle)
{
    unsigned k = 0;
    while (k < m->n_pokes && m->poke[k].cycle <= cycle)
        apply_poke(m, &m->poke[k++]);
    if (k) {
        memmove(m->poke, m->poke + k, (m->n_pokes - k) * sizeof m->poke[0]);
        m->n_pokes -= k;
    }
}

void env_mem_settle_all(env_mem *m)
{
    env_mem_settle(m, UINT64_MAX);
}

bool env_mem_poke(env_mem *m, const env_poke *p)
{
    if (m->n_pokes == ENV_POKES_MAX)
        return false;
    unsigned i = m->n_pokes++;
    while (i > 0 && m->poke[i - 1].cycle > p->cycle) {   /* stable: equal cycles keep their order */
        m->poke[i] = m->poke[i - 1];
        i--;
    }
    m->poke[i] = *p;
    if (p->cycle > m->last_poke_cycle)
        m->last_poke_cycle = p->cycle;
    return true;
}

/* ---- Accesses ---- */

void env_mem_init(env_mem *m, pw_image *img, const mem_timing *t)
{
    memset(m, 0, sizeof *m);
    m->img = img;
    pw_image_mem(img, &m->raw);
    m->timing = *t;
}

void env_mem_schedule(env_mem *m, uint64_t issue, uint64_t *accept, uint64_t *respond)
{
    mem_timing_at(&m->timing, m->index++, issue, accept, respond);
    m->scheduled = true;
}

void env_mem_resync(env_mem *a, env_mem *b)
{
    uint64_t i = a->index > b->index ? a->index : b->index;
    a->index = b->index = i;
    a->scheduled = b->scheduled = false;
}

/* The access just scheduled fails: it is not performed and reads as 0. Only
 * scheduled walk accesses are candidates, never the PDPTE loads of a MOV. */
static bool injected_error(env_mem *m, pw_mem_kind kind)
{
    bool sched = m->scheduled;
    m->scheduled = false;
    return sched && mem_timing_bus_error(&m->timing, m->index - 1, kind);
}

pw_mem_status env_mem_access(env_mem *m, const pw_mem_access *acc, uint64_t cycle, uint64_t *data)
{
    env_mem_settle(m, cycle);
    *data = 0;
    if (injected_error(m, acc->kind))
        return PW_MEM_BUS_ERROR;
    if (acc->kind == PW_MEM_READ)
        return m->raw.read(m->raw.ctx, acc->pa, acc->size, cycle, data);
    return m->raw.cas(m->raw.ctx, acc->pa, acc->size, acc->expect, acc->desired, cycle, data);
}

static pw_mem_status em_read(void *c, uint64_t pa, unsigned size, uint64_t cycle, uint64_t *v)
{
    env_mem *m = c;
    /* PDPTE loads by MOV (regs.c) come with cycle 0: no poke ever targets a PDPT. */
    if (cycle)
        env_mem_settle(m, cycle);
    if (injected_error(m, PW_MEM_READ)) {
        *v = 0;
        return PW_MEM_BUS_ERROR;
    }
    return m->raw.read(m->raw.ctx, pa, size, cycle, v);
}

static pw_mem_status em_cas(void *c, uint64_t pa, unsigned size, uint64_t expect, uint64_t desired,
                            uint64_t cycle, uint64_t *old)
{
    env_mem *m = c;
    env_mem_settle(m, cycle);
    if (injected_error(m, PW_MEM_CAS)) {
        *old = 0;
        return PW_MEM_BUS_ERROR;
    }
    return m->raw.cas(m->raw.ctx, pa, size, expect, desired, cycle, old);
}

static void em_schedule(void *c, uint64_t issue, const pw_mem_access *acc, uint64_t *accept,
                        uint64_t *respond)
{
    (void)acc;
    env_mem_schedule(c, issue, accept, respond);
}

void env_mem_pw_mem(env_mem *m, pw_mem *out)
{
    *out = (pw_mem){.ctx = m, .read = em_read, .cas = em_cas, .schedule = em_schedule};
}
