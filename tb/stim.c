/* Random stimulus: the generator (address spaces, requests, control operations,
 * the event queue); edits are in stim_edit.c, the driver rules in stim_rules.c. */
#include "stim_priv.h"

#include <string.h>

#define SEQ_MAX        (UINT64_C(1) << 24)   /* a sequential stream covers at most 16 MiB */
#define PAGING_OFF_MIN 16
#define PAGING_OFF_SPAN 128
#define IDLE_GAP_MIN   2
#define IDLE_GAP_SPAN  32
#define PER_MILLE      1000
#define RESERVED_EDIT_PCT 10   /* leaf edits that set a reserved bit */

void stim_opts_default(stim_opts *o)
{
    *o = (stim_opts){
        .edit = 8, .space_switch = 4, .cr_write = 8, .map = 3, .age = 6, .bad_table = 1,
        .paging_off = 1, .poke_pct = 30, .midwalk_pct = 5, .midwalk_window = 40, .midwalk_sweep = true,
        .reset_pm = 0, .idle_pct = 5,
    };
}

/* ---- Event queue ---- */

static stim_event *push(stim *s, stim_kind k, const char *what)
{
    if (s->q_n == STIM_QUEUE) {
        s->fail = "stimulus queue overflow (bug in stim.c)";
        s->q_n--;   /* overwrite the last one rather than run off the end */
    }
    stim_event *e = &s->q[(s->q_head + s->q_n++) % STIM_QUEUE];
    memset(e, 0, sizeof *e);
    e->kind = k;
    e->what = what;
    return e;
}

void stim_push_ctl(stim *s, pw_ctl_kind k, uint64_t value, uint64_t la, unsigned type,
                   unsigned delay, bool must_pass, const char *what)
{
    stim_event *e = push(s, STIM_CTL, what);
    e->ctl = (pw_ctl){.kind = k, .value = value, .la = la, .type = type};
    e->delay = delay;
    e->must_pass = must_pass;
    s->ctl_ops++;
}

void stim_push_edit(stim *s, const stim_edit *ed, const char *what)
{
    s->edit = *ed;
    s->edit_pending = true;
    push(s, STIM_EDIT, what);
    s->edits++;
}

/* ---- Choices (as the model-only regression always made them) ---- */

pw_page_size stim_pick_size(stim *s)
{
    unsigned r = (unsigned)below(&s->rng, 100);
    switch (s->mode) {
    case PW_MODE_32: return r < 80 ? PW_SIZE_4K : PW_SIZE_4M;
    case PW_MODE_PAE: return r < 80 ? PW_SIZE_4K : PW_SIZE_2M;
    default:
        if (!s->cfg.has_1g && r >= 95)
            return PW_SIZE_2M;
        return r < 75 ? PW_SIZE_4K : r < 95 ? PW_SIZE_2M : PW_SIZE_1G;
    }
}

uint64_t stim_random_flags(stim *s, bool kernel)
{
    uint64_t f = 0;
    if (chance(&s->rng, 70)) f |= PTE_RW;
    if (!kernel && chance(&s->rng, 85)) f |= PTE_US;
    if (kernel && chance(&s->rng, 10)) f |= PTE_US;
    if (chance(&s->rng, 50)) f |= PTE_A;
    if (chance(&s->rng, 30)) f |= PTE_D;
    if (chance(&s->rng, 10)) f |= PTE_PWT;
    if (chance(&s->rng, 10)) f |= PTE_PCD;
    if (chance(&s->rng, 10)) f |= PW_OS_PAT;
    /* Global only where all spaces agree. Each space has its own copy of the
     * kernel tables (real OSes share them), so a global entry filled from one
     * space would skip A/D writes in another: keep those pages accessed/dirty. */
    if (kernel && chance(&s->rng, 60)) f |= PTE_G | PTE_A | PTE_D;
    if (s->mode != PW_MODE_32 && (s->regs.efer & EFER_NXE) && chance(&s->rng, 25)) f |= PTE_XD;
    if (long_mode(s->mode) && chance(&s->rng, 40))
        f |= below(&s->rng, 16) << PTE_PK_SHIFT;
    return f;
}

uint64_t stim_random_table_flags(stim *s)
{
    uint64_t f = PTE_A;
    if (chance(&s->rng, 90)) f |= PTE_RW;
    if (chance(&s->rng, 92)) f |= PTE_US;
    if (chance(&s->rng, 30)) f &= ~PTE_A;
    if (s->mode != PW_MODE_32 && (s->regs.efer & EFER_NXE) && chance(&s->rng, 5)) f |= PTE_XD;
    return f;
}

/* Clustered LAs so that tables are shared and PSCs hit. */
uint64_t stim_random_la(stim *s, pw_page_size size, bool kernel)
{
    uint64_t bytes = pw_page_bytes(size);
    uint64_t span = kernel ? (UINT64_C(1) << 30) : la_space_top(s->mode);
    uint64_t base = kernel ? kernel_base(s->mode) : 0;
    /* In PAE the last space leaves its top user quarter unmapped: PDPTE 2 stays not present
     * there, and a walk through it faults at the PDPTE (R6). */
    unsigned clusters = s->mode == PW_MODE_PAE && !kernel && s->cur == STIM_SPACES - 1 ? 3 : 4;
    uint64_t cluster = below(&s->rng, clusters) * (span / 4);
    uint64_t off = below(&s->rng, UINT64_C(1) << (size == PW_SIZE_1G ? 34 : 28));
    if (off + bytes > span / 4)
        off = 0;
    return (base + cluster + off) & ~(bytes - 1);
}

uint64_t stim_random_pa(stim *s, pw_page_size size)
{
    uint64_t bytes = pw_page_bytes(size);
    uint64_t limit = s->mode == PW_MODE_32 && !s->cfg.has_pse36 ? (UINT64_C(1) << 32)
                                                                 : (UINT64_C(1) << 36);
    if (s->mode == PW_MODE_32 && size == PW_SIZE_4K)
        limit = UINT64_C(1) << 32;
    return below(&s->rng, limit) & ~(bytes - 1);
}

uint64_t stim_space_cr3(const stim *s, unsigned sp)
{
    uint64_t cr3 = pw_os_cr3(s->os[0][sp]);
    if (s->pcide)
        cr3 |= sp + 1;
    return cr3;
}

static void switch_space(stim *s)
{
    s->cur = (unsigned)below(&s->rng, STIM_SPACES);
    uint64_t cr3 = stim_space_cr3(s, s->cur);
    if (s->pcide && chance(&s->rng, 50))
        cr3 |= CR3_NOFLUSH;
    stim_push_ctl(s, PW_CTL_MOV_CR3, cr3, 0, 0, 0, true, "switch space");
}

/* A register write the stimulus may get #GP for (the driver then skips it). */
static void reg_write(stim *s, pw_ctl_kind k, uint64_t value, const char *what)
{
    stim_push_ctl(s, k, value, 0, 0, 0, false, what);
}

static void cr_write(stim *s)
{
    const pw_regs *r = &s->regs;
    uint64_t pkey = rnd(&s->rng) & rnd(&s->rng);
    switch (below(&s->rng, 10)) {
    case 0: reg_write(s, PW_CTL_MOV_CR0, r->cr0 ^ (r->cr4 & CR4_CET ? 0 : CR0_WP), "toggle WP"); break;
    case 1: reg_write(s, PW_CTL_MOV_CR4, r->cr4 ^ CR4_SMEP, "toggle SMEP"); break;
    case 2: reg_write(s, PW_CTL_MOV_CR4, r->cr4 ^ CR4_SMAP, "toggle SMAP"); break;
    case 3: reg_write(s, PW_CTL_MOV_CR4, r->cr4 ^ CR4_PGE, "toggle PGE"); break;
    case 4: reg_write(s, PW_CTL_WRPKRU, pkey & rnd(&s->rng) & PW_BITS(31, 0), "wrpkru"); break;
    case 5:
        if (s->pcide)
            stim_push_ctl(s, PW_CTL_INVPCID, below(&s->rng, 4), 0, (unsigned)below(&s->rng, 4), 0,
                          false, "invpcid");
        else
            reg_write(s, PW_CTL_MOV_CR3, stim_space_cr3(s, s->cur), "reload cr3");
        break;
    case 6:
        if (long_mode(s->mode))
            reg_write(s, PW_CTL_MOV_CR4, r->cr4 ^ CR4_PKE, "toggle PKE");
        break;
    case 7:
        /* XD cached under NXE=1 is a reserved bit under NXE=0: flush (R11.7). */
        if (s->mode != PW_MODE_32) {
            reg_write(s, PW_CTL_WRMSR_EFER, r->efer ^ EFER_NXE, "toggle NXE");
            reg_write(s, PW_CTL_FLUSH_ALL, 0, "flush after NXE");
        }
        break;
    case 8:
        if (long_mode(s->mode) && s->cfg.has_pks)
            reg_write(s, PW_CTL_MOV_CR4, r->cr4 ^ CR4_PKS, "toggle PKS");
        break;
    default:
        if (s->cfg.has_pks)
            reg_write(s, PW_CTL_WRPKRS, pkey & PW_BITS(31, 0), "wrpkrs");
        break;
    }
}

/* Next to a mapping: one table index of its path changed, at its leaf level or above,
 * so that the walk follows the mapping's path and stops where the paths part (a
 * not-present entry there, or another mapping). Reaches not-present entries at every
 * level, and PSC hits at every level. */
#define INDEX_BITS_32  10   /* 1024 entries per table in 32-bit paging */
#define INDEX_BITS     9
#define INDEX_BITS_PDPT_PAE 2
#define VA_BITS_4LVL   48
#define VA_BITS_5LVL   57
#define LA_BITS_32     32

static uint64_t neighbour_la(stim *s)
{
    const stim_mapping *mp = &s->maps[s->cur][below(&s->rng, s->nmaps[s->cur])];
    unsigned top = pw_mode_levels(s->mode), leaf = leaf_level(mp->size);
    unsigned l = leaf + (unsigned)below(&s->rng, top - leaf + 1);
    unsigned bits = s->mode == PW_MODE_32 ? INDEX_BITS_32 : INDEX_BITS;
    unsigned shift = PW_PAGE_SHIFT + bits * (l - 1);
    unsigned width = s->mode == PW_MODE_PAE && l == PW_LVL_PDPT ? INDEX_BITS_PDPT_PAE : bits;
    uint64_t la = mp->la ^ ((1 + below(&s->rng, (UINT64_C(1) << width) - 1)) << shift);
    la += below(&s->rng, PW_PAGE_SIZE);
    if (!long_mode(s->mode))
        return la & PW_BITS(LA_BITS_32 - 1, 0);
    unsigned va = s->mode == PW_MODE_5LVL ? VA_BITS_5LVL : VA_BITS_4LVL;
    return (uint64_t)((int64_t)(la << (64 - va)) >> (64 - va));   /* canonical */
}

static uint64_t next_la(stim *s)
{
    unsigned sp = s->cur;
    unsigned r = (unsigned)below(&s->rng, 100);
    if (r < 35 || !s->nmaps[sp])
        return s->hot[below(&s->rng, STIM_HOT_SET)];
    if (r < 60) {
        /* Sequential (by 8 bytes) or strided (by a page) through one mapping. */
        s->seq_off += chance(&s->rng, 50) ? 8 : PW_PAGE_SIZE;
        if (s->seq_off >= s->seq_len || chance(&s->rng, 1)) {
            stim_mapping *mp = &s->maps[sp][below(&s->rng, s->nmaps[sp])];
            s->seq_la = mp->la;
            s->seq_len = pw_page_bytes(mp->size) < SEQ_MAX ? pw_page_bytes(mp->size) : SEQ_MAX;
            s->seq_off = 0;
        }
        return s->seq_la + s->seq_off;
    }
    if (r < 90) {
        stim_mapping *mp = &s->maps[sp][below(&s->rng, s->nmaps[sp])];
        uint64_t la = mp->la + below(&s->rng, pw_page_bytes(mp->size));
        if (chance(&s->rng, 20))
            s->hot[below(&s->rng, STIM_HOT_SET)] = la;
        return la;
    }
    if (r < 94)
        return neighbour_la(s);
    if (r < 97)
        return stim_random_la(s, PW_SIZE_4K, chance(&s->rng, 30)) + below(&s->rng, PW_PAGE_SIZE);
    return rnd(&s->rng);  /* non-canonical or outside everything */
}

static void random_request(stim *s, pw_request *q)
{
    memset(q, 0, sizeof *q);
    q->la = next_la(s);
    /* Mostly accesses that the region is meant for, so that most translations
     * succeed and the TLB fills; the rest probe every fault. */
    bool kernel_half = pw_la_truncate(s->mode, q->la) >= pw_la_truncate(s->mode, kernel_base(s->mode));
    unsigned k = (unsigned)below(&s->rng, 100);
    q->kind = k < 60 ? PW_ACC_READ : k < 85 ? PW_ACC_WRITE : PW_ACC_FETCH;
    q->user = kernel_half ? chance(&s->rng, 10) : chance(&s->rng, 85);
    q->implicit = chance(&s->rng, 5);
    q->ac = chance(&s->rng, 60);
    q->shadow_stack = q->kind != PW_ACC_FETCH && chance(&s->rng, 1);
}

/* Another CPU sets A (and D for a write's leaf) on an entry of this walk's path
 * that lacks it, racing the walk's own A/D CAS (a failed CAS restarts, R9.3). */
static void maybe_poke(stim *s, stim_event *e)
{
    /* Not through a table an edit of this step is about to change. */
    if (!chance(&s->rng, s->opt.poke_pct) || !(s->regs.cr0 & CR0_PG) || s->edit_pending)
        return;
    unsigned top = pw_mode_levels(s->mode), n = 0;
    uint64_t cand_pa[PW_MAX_LEVEL_SLOTS], cand_bits[PW_MAX_LEVEL_SLOTS];
    for (unsigned l = top; l >= PW_LVL_PT; l--) {
        uint64_t epa;
        if (s->mode == PW_MODE_PAE && l == PW_LVL_PDPT)
            continue;   /* a PDPTE has no A bit: bit 5 is reserved (R5.6) */
        if (pw_os_entry_pa(s->os[0][s->cur], e->req.la, l, &epa) != PW_OK)
            break;
        uint64_t v = entry_read(s, epa);
        if (!(v & PTE_P))
            break;
        bool leaf = l == PW_LVL_PT || (v & PTE_PS);
        /* D only where a write could have set it (R/W=1): then D takes no part in the
         * rights check (a shadow-stack page is R/W=0, D=1, R8.11), only in the CAS. */
        bool dirty = leaf && e->req.kind == PW_ACC_WRITE && (v & PTE_RW);
        uint64_t bits = PTE_A | (dirty ? PTE_D : 0);
        if (bits & ~v) {
            cand_pa[n] = epa;
            cand_bits[n++] = bits;
        }
        if (leaf)
            break;
    }
    if (!n)
        return;
    unsigned k = (unsigned)below(&s->rng, n);
    e->has_poke = true;
    e->poke_pa = cand_pa[k];
    e->poke_size = esize(s);
    e->poke_bits = cand_bits[k];
    e->poke_delay = (unsigned)below(&s->rng, s->opt.midwalk_window);
    s->pokes++;
}

/* A control operation during the walk: it must not fill (docs/timing.md §8). */
static void midwalk_op(stim *s, const pw_request *q)
{
    /* The sweep puts an operation at every cycle offset of the walks in turn. */
    unsigned d = s->opt.midwalk_sweep ? (unsigned)(s->midwalk_n % s->opt.midwalk_window)
                                      : (unsigned)below(&s->rng, s->opt.midwalk_window);
    s->midwalk_n++;
    unsigned r = (unsigned)below(&s->rng, 100);
    if (r < 40)
        stim_push_ctl(s, PW_CTL_INVLPG, 0, q->la, 0, d, false, "invlpg during walk");
    else if (r < 70)
        stim_push_ctl(s, PW_CTL_INVLPG, 0, rnd(&s->rng) & PW_BITS(20, 12), 0, d, false, "invlpg during walk");
    else if (r < 80 && s->pcide)
        stim_push_ctl(s, PW_CTL_INVPCID, below(&s->rng, STIM_SPACES + 1),
                      pw_la_canonical(s->mode, q->la) ? q->la : 0, (unsigned)below(&s->rng, 4), d,
                      false, "invpcid during walk");
    else if (r < 80)
        stim_push_ctl(s, PW_CTL_FLUSH_ALL, 0, 0, 0, d, false, "flush during walk");
    else if (r < 90)
        stim_push_ctl(s, PW_CTL_WRPKRU, s->regs.pkru, 0, 0, d, false, "wrpkru during walk");
    else
        stim_push_ctl(s, PW_CTL_MOV_CR3, stim_space_cr3(s, s->cur) | (s->pcide ? CR3_NOFLUSH : 0),
                      0, 0, d, false, "mov cr3 during walk");
}

/* One step: maybe an edit / switch / CR write, then a request. */
static void step(stim *s)
{
    const stim_opts *o = &s->opt;
    unsigned r = (unsigned)below(&s->rng, PER_MILLE), t = 0;
    bool paging = (s->regs.cr0 & CR0_PG) != 0;
    unsigned edits = o->edit + o->map + o->age + o->bad_table;
    if (s->bad_table && r < edits)
        stim_edit_repair(s);
    else if (r < (t += o->edit))
        chance(&s->rng, RESERVED_EDIT_PCT) ? stim_edit_reserved(s) : stim_edit_leaf(s);
    else if (r < (t += o->map)) {
        stim_edit ed = stim_plan_mapping(s, chance(&s->rng, 20));
        stim_push_edit(s, &ed, "map");
    }
    else if (r < (t += o->age))
        stim_edit_age(s);
    else if (r < (t += o->bad_table))
        stim_edit_bad_table(s);
    else if (r < (t += o->space_switch))
        switch_space(s);
    else if (r < (t += o->cr_write))
        cr_write(s);
    else if (r < (t += o->paging_off) && paging && !s->pcide && !s->paging_off_left) {
        stim_push_ctl(s, PW_CTL_MOV_CR0, s->regs.cr0 & ~CR0_PG, 0, 0, 0, true, "paging off");
        s->paging_off_left = PAGING_OFF_MIN + (unsigned)below(&s->rng, PAGING_OFF_SPAN);
    }
    if (s->paging_off_left && --s->paging_off_left == 0)
        stim_push_ctl(s, PW_CTL_MOV_CR0, s->regs.cr0 | CR0_PG, 0, 0, 0, true, "paging on");

    stim_event *e = push(s, STIM_REQUEST, "request");
    random_request(s, &e->req);
    unsigned g = (unsigned)below(&s->rng, 100);
    e->gap = g < o->idle_pct ? IDLE_GAP_MIN + (unsigned)below(&s->rng, IDLE_GAP_SPAN)
             : g < o->idle_pct + 25 ? 1 : 0;
    maybe_poke(s, e);
    s->requests++;
    pw_request q = e->req;
    bool poked = e->has_poke;
    if (chance(&s->rng, o->midwalk_pct))
        midwalk_op(s, &q);
    else if (!poked && o->reset_pm && below(&s->rng, PER_MILLE) < o->reset_pm) {
        /* Last in the step: nothing else is queued behind it (stim_next reboots). */
        stim_event *rs = push(s, STIM_RESET, "reset");
        rs->delay = 1 + (unsigned)below(&s->rng, o->midwalk_window);
        s->resets++;
    }
}

/* ---- Boot ---- */

static void regs_for_mode(stim *s, pw_regs *r)
{
    pw_regs_reset(r);
    r->cr0 = CR0_PE | CR0_PG | CR0_WP;
    switch (s->mode) {
    case PW_MODE_32:
        r->cr4 = CR4_PSE | CR4_PGE;
        break;
    case PW_MODE_PAE:
        r->cr4 = CR4_PAE | CR4_PGE;
        r->efer = chance(&s->rng, 80) ? EFER_NXE : 0;
        break;
    default:
        r->cr4 = CR4_PAE | CR4_PGE | CR4_PKE | (s->mode == PW_MODE_5LVL ? CR4_LA57 : 0);
        r->efer = EFER_LME | EFER_LMA | (chance(&s->rng, 80) ? EFER_NXE : 0);
        if (s->pcide)
            r->cr4 |= CR4_PCIDE;
        break;
    }
    if (chance(&s->rng, 50)) r->cr4 |= CR4_SMEP;
    if (chance(&s->rng, 50)) r->cr4 |= CR4_SMAP;
    if (chance(&s->rng, 20) && s->cfg.has_cet) r->cr4 |= CR4_CET;
    r->pkru = (uint32_t)(rnd(&s->rng) & rnd(&s->rng) & rnd(&s->rng));
    r->cr3 = stim_space_cr3(s, 0);
}

/* From reset (everything 0) into *r through the control port, in an order every
 * step of which is legal: LME and the CR4 modes before PG; PCIDE and CET after. */
static void queue_boot(stim *s, const pw_regs *r)
{
    const uint64_t late = CR4_PCIDE | CR4_CET;
    if (r->efer & ~EFER_LMA)
        stim_push_ctl(s, PW_CTL_WRMSR_EFER, r->efer & ~EFER_LMA, 0, 0, 0, true, "boot: efer");
    if (r->cr4 & ~late)
        stim_push_ctl(s, PW_CTL_MOV_CR4, r->cr4 & ~late, 0, 0, 0, true, "boot: cr4");
    stim_push_ctl(s, PW_CTL_MOV_CR3, s->pcide ? r->cr3 & ~CR3_PCID : r->cr3, 0, 0, 0, true, "boot: cr3");
    stim_push_ctl(s, PW_CTL_MOV_CR0, r->cr0, 0, 0, 0, true, "boot: cr0");
    if (r->cr4 & late)
        stim_push_ctl(s, PW_CTL_MOV_CR4, r->cr4, 0, 0, 0, true, "boot: cr4 pcide/cet");
    if (r->cr3 & CR3_PCID)
        stim_push_ctl(s, PW_CTL_MOV_CR3, r->cr3, 0, 0, 0, true, "boot: cr3 pcid");
    if (r->pkru)
        stim_push_ctl(s, PW_CTL_WRPKRU, r->pkru, 0, 0, 0, true, "boot: pkru");
    if (r->pkrs)
        stim_push_ctl(s, PW_CTL_WRPKRS, r->pkrs, 0, 0, 0, true, "boot: pkrs");
    for (unsigned i = 0; i < s->q_n; i++)
        s->q[(s->q_head + i) % STIM_QUEUE].boot = true;
}

pw_status stim_init(stim *s, const stim_opts *opts, pw_mode mode, uint64_t seed,
                    const pw_config *cfg, pw_image *img_a, pw_image *img_b, pw_regs *initial)
{
    if (!s || !cfg || !img_a || !initial || mode < PW_MODE_32 || mode > PW_MODE_5LVL)
        return PW_ERR_ARG;
    memset(s, 0, sizeof *s);
    if (opts)
        s->opt = *opts;
    else
        stim_opts_default(&s->opt);
    if (!s->opt.midwalk_window)
        s->opt.midwalk_window = 1;
    s->cfg = *cfg;
    s->mode = mode;
    s->rng.s = seed * UINT64_C(0x100000001b3) + (uint64_t)mode;
    s->img[0] = img_a;
    s->img[1] = img_b;
    if (pw_image_size(img_a) < STIM_MEM_MIN || (img_b && pw_image_size(img_b) < STIM_MEM_MIN))
        return PW_ERR_RANGE;
    if ((mode == PW_MODE_5LVL && !cfg->has_la57) || (long_mode(mode) && !cfg->has_long))
        return PW_ERR_CONFIG;
    s->pcide = long_mode(mode) && cfg->has_pcid && chance(&s->rng, 60);
    for (unsigned side = 0; side < sides(s); side++) {
        for (unsigned sp = 0; sp < STIM_SPACES; sp++) {
            uint64_t pb = STIM_POOL_BASE + sp * (STIM_POOL_BYTES / STIM_SPACES);
            pw_status st = pw_os_new(s->img[side], cfg, mode, pb, STIM_POOL_BYTES / STIM_SPACES, NULL,
                                     &s->os[side][sp]);
            if (st != PW_OK) {
                stim_fini(s);
                return st;
            }
        }
    }
    pw_regs r;
    regs_for_mode(s, &r);
    s->regs = r;   /* NXE etc. visible to random_flags while building */
    for (unsigned sp = 0; sp < STIM_SPACES; sp++) {
        s->cur = sp;
        for (unsigned i = 0; i < STIM_MAPS_PER_SPACE; i++)
            stim_add_mapping_now(s, chance(&s->rng, 25));
    }
    s->cur = 0;
    if (mode == PW_MODE_PAE && cfg->pae_pdpte == PW_PDPTE_REGISTERS) {
        pw_mem mem;
        pw_image_mem(img_a, &mem);
        pw_regs_load_pdptes(cfg, &r, &mem);
    }
    for (unsigned i = 0; i < STIM_HOT_SET; i++)
        s->hot[i] = next_la(s);
    queue_boot(s, &r);
    *initial = r;
    s->regs = r;
    s->ctl_ops = 0;
    return s->fail ? PW_ERR_RANGE : PW_OK;
}

void stim_fini(stim *s)
{
    if (!s)
        return;
    for (unsigned side = 0; side < 2; side++)
        for (unsigned sp = 0; sp < STIM_SPACES; sp++) {
            pw_os_free(s->os[side][sp]);
            s->os[side][sp] = NULL;
        }
}

void stim_next(stim *s, const pw_regs *current, stim_event *ev)
{
    if (s->edit_pending && !s->fail)
        s->fail = "stim_next called before the EDIT was applied (driver bug)";
    s->regs = *current;
    if (s->reboot) {
        /* The core boots again into what it ran before the reset; the images are as the
         * reset left them (PAE PDPTE registers are loaded afresh from memory). */
        s->reboot = false;
        if (!s->q_n)
            queue_boot(s, &s->pre_reset);
    }
    while (!s->q_n)
        step(s);
    *ev = s->q[s->q_head];
    s->q_head = (s->q_head + 1) % STIM_QUEUE;
    s->q_n--;
    if (ev->kind == STIM_RESET) {
        s->reboot = true;
        s->pre_reset = *current;
    }
}
