/* Edits of the page tables, planned by the generator and applied to both
 * images at once (stim.h EDIT), with the invalidations each one requires. */
#include "stim_priv.h"

#include <string.h>

/* ---- Edits: both images, identically ---- */

static void diverged(stim *s, pw_status a, pw_status b, const char *what)
{
    if (a != b && !s->fail)
        s->fail = what;
}

static void list_add(stim *s, unsigned sp, const stim_mapping *mp)
{
    if (s->nmaps[sp] < STIM_MAPS_PER_SPACE * 2)
        s->maps[sp][s->nmaps[sp]++] = *mp;
}

static void list_remove(stim *s, unsigned first, unsigned last, const stim_mapping *mp)
{
    for (unsigned x = first; x <= last; x++) {
        for (unsigned j = 0; j < s->nmaps[x]; j++) {
            if (s->maps[x][j].la == mp->la && s->maps[x][j].size == mp->size) {
                s->maps[x][j] = s->maps[x][--s->nmaps[x]];
                break;
            }
        }
    }
}

/* One space, both sides: the os operation of the edit. */
static pw_status edit_space(stim *s, const stim_edit *ed, unsigned x, unsigned side)
{
    pw_os *os = s->os[side][x];
    uint64_t epa;
    pw_status st;
    switch (ed->kind) {
    case EDIT_MAP:
        pw_os_set_table_flags(os, ed->table_flags);
        return pw_os_map(os, ed->mp.la, ed->pa, ed->mp.size, ed->flags);
    case EDIT_PROTECT: return pw_os_protect(os, ed->mp.la, ed->mp.size, ed->flags);
    case EDIT_UNMAP: return pw_os_unmap(os, ed->mp.la, ed->mp.size);
    case EDIT_SWAP_OUT:
    case EDIT_AGE_LEAF:
    case EDIT_AGE_TABLE:
    case EDIT_RESERVED:
        st = pw_os_entry_pa(os, ed->mp.la, ed->level, &epa);
        if (st != PW_OK)
            return st;
        /* Each space keeps its own copy of kernel entries: change each as it is. */
        if (ed->kind == EDIT_SWAP_OUT)
            return entry_write(s, side, epa, ed->value);
        if (ed->kind == EDIT_RESERVED)
            return entry_write(s, side, epa, entry_read(s, epa) | ed->value);
        return entry_write(s, side, epa, entry_read(s, epa) & ~ed->value);
    case EDIT_BAD_TABLE:
    case EDIT_REPAIR: return entry_write(s, side, ed->pa, ed->value);
    default: return PW_ERR_ARG;
    }
}

bool stim_apply_edit(stim *s)
{
    if (!s->edit_pending)
        return s->fail == NULL;
    s->edit_pending = false;
    const stim_edit *ed = &s->edit;
    /* entry_read reads side 0: do side 1 first so both see the same old values. */
    for (unsigned x = ed->first; x <= ed->last; x++) {
        pw_status st[2] = {PW_OK, PW_OK};
        for (unsigned side = sides(s); side-- > 0;)
            st[side] = edit_space(s, ed, x, side);
        if (sides(s) == 2)
            diverged(s, st[0], st[1], "an edit went differently in the two images");
        if (ed->kind == EDIT_MAP && st[0] == PW_OK)
            list_add(s, x, &ed->mp);
    }
    return s->fail == NULL;
}

/* ---- Planning ---- */

stim_edit stim_plan_mapping(stim *s, bool kernel)
{
    stim_edit ed = {.kind = EDIT_MAP};
    pw_page_size sz = stim_pick_size(s);
    ed.mp = (stim_mapping){stim_random_la(s, sz, kernel), sz, kernel};
    ed.pa = stim_random_pa(s, sz);
    ed.flags = stim_random_flags(s, kernel);
    ed.table_flags = kernel ? KERNEL_TABLE_FLAGS : stim_random_table_flags(s);
    ed.first = kernel ? 0 : s->cur;
    ed.last = kernel ? STIM_SPACES - 1 : s->cur;
    return ed;
}

/* During stim_init: map at once (no driver yet). */
void stim_add_mapping_now(stim *s, bool kernel)
{
    s->edit = stim_plan_mapping(s, kernel);
    s->edit_pending = true;
    stim_apply_edit(s);
}

/* The invalidation a changed leaf needs: INVLPG covers the current PCID and
 * globals; other PCIDs need INVPCID. */
static void invalidate_leaf(stim *s, const stim_mapping *mp)
{
    uint64_t la = mp->la + below(&s->rng, pw_page_bytes(mp->size));
    stim_push_ctl(s, PW_CTL_INVLPG, 0, la, 0, 0, false, "invlpg after edit");
    if (mp->kernel && s->pcide)
        for (unsigned x = 0; x < STIM_SPACES; x++)
            stim_push_ctl(s, PW_CTL_INVPCID, x + 1, la, 0, 0, false, "invpcid after edit");
}

/* Reload CR3 of the current space: drops every non-global entry of its PCID
 * and its PSC entries (needed after changing a non-leaf entry). */
static void reload_cr3(stim *s, const char *what)
{
    stim_push_ctl(s, PW_CTL_MOV_CR3, stim_space_cr3(s, s->cur), 0, 0, 0, true, what);
}

void stim_edit_leaf(stim *s)
{
    unsigned sp = s->cur;
    if (!s->nmaps[sp])
        return;
    stim_mapping mp = s->maps[sp][below(&s->rng, s->nmaps[sp])];
    stim_edit ed = {.mp = mp, .first = mp.kernel ? 0 : sp, .last = mp.kernel ? STIM_SPACES - 1 : sp};
    bool unmap = chance(&s->rng, 30);
    ed.flags = stim_random_flags(s, mp.kernel);
    if (unmap && chance(&s->rng, 40)) {
        /* Swapped out: not present, the other bits kept by the OS (raw_entry shows them). */
        ed.kind = EDIT_SWAP_OUT;
        ed.level = leaf_level(mp.size);
        ed.value = rnd(&s->rng) & (esize(s) == 4 ? PW_BITS(31, 1) : PW_BITS(63, 1));
    } else {
        ed.kind = unmap ? EDIT_UNMAP : EDIT_PROTECT;
    }
    if (unmap)
        list_remove(s, ed.first, ed.last, &mp);
    stim_push_edit(s, &ed, ed.kind == EDIT_PROTECT ? "protect" : ed.kind == EDIT_UNMAP ? "unmap" : "swap out");
    invalidate_leaf(s, &mp);
}

/* A reserved bit in a present leaf: the page faults with RSVD until the OS maps or
 * protects it again. 32-bit paging has reserved bits only in 4 MiB PDEs: bit 21, with or
 * without PSE-36 (R5.7); the other modes: bit 51, above MAXPHYADDR (R5.1). */
#define RSVD_BIT_PDE4M PW_BIT(21)
#define RSVD_BIT_HIGH  PW_BIT(51)
#define RSVD_HIGH_MAXPHYADDR 51

void stim_edit_reserved(stim *s)
{
    unsigned sp = s->cur;
    if (!s->nmaps[sp])
        return;
    stim_mapping mp = s->maps[sp][below(&s->rng, s->nmaps[sp])];
    uint64_t bit = s->mode == PW_MODE_32 ? (mp.size == PW_SIZE_4M ? RSVD_BIT_PDE4M : 0)
                   : s->cfg.maxphyaddr <= RSVD_HIGH_MAXPHYADDR ? RSVD_BIT_HIGH : 0;
    if (!bit)
        return;
    stim_edit ed = {.kind = EDIT_RESERVED, .mp = mp, .level = leaf_level(mp.size), .value = bit,
                    .first = mp.kernel ? 0 : sp, .last = mp.kernel ? STIM_SPACES - 1 : sp};
    stim_push_edit(s, &ed, "reserved bit");
    invalidate_leaf(s, &mp);
}

/* Clear A (and D) of a leaf, or A of a table on a user path, as an OS ages pages. */
void stim_edit_age(stim *s)
{
    unsigned sp = s->cur;
    if (!s->nmaps[sp])
        return;
    stim_mapping mp = s->maps[sp][below(&s->rng, s->nmaps[sp])];
    unsigned leaf = leaf_level(mp.size), top = pw_mode_levels(s->mode);
    uint64_t epa;
    if (pw_os_entry_pa(s->os[0][sp], mp.la, leaf, &epa) != PW_OK)
        return;
    if (mp.kernel || chance(&s->rng, 50) || leaf == top) {
        /* A global entry is shared by every space: its copies must stay accessed/dirty. */
        if (entry_read(s, epa) & PTE_G)
            return;
        stim_edit ed = {.kind = EDIT_AGE_LEAF, .mp = mp, .level = leaf,
                        .value = PTE_A | (chance(&s->rng, 50) ? PTE_D : 0),
                        .first = mp.kernel ? 0 : sp, .last = mp.kernel ? STIM_SPACES - 1 : sp};
        stim_push_edit(s, &ed, "age leaf");
        invalidate_leaf(s, &mp);
        return;
    }
    unsigned l = leaf + 1 + (unsigned)below(&s->rng, top - leaf);
    if (s->mode == PW_MODE_PAE && l == PW_LVL_PDPT)
        return;   /* PDPTEs have no A bit (R5.6) */
    stim_edit ed = {.kind = EDIT_AGE_TABLE, .mp = mp, .level = l, .value = PTE_A,
                    .first = sp, .last = sp};
    stim_push_edit(s, &ed, "age table");
    reload_cr3(s, "mov cr3 after aging a table");
}

/* Point a table entry of a user path outside memory (bus errors until repaired). */
void stim_edit_bad_table(stim *s)
{
    unsigned sp = s->cur;
    uint64_t mem = pw_image_size(s->img[0]);
    if (!s->nmaps[sp] || (s->mode == PW_MODE_32 && mem >= (UINT64_C(1) << 32)))
        return;
    stim_mapping mp = s->maps[sp][below(&s->rng, s->nmaps[sp])];
    unsigned leaf = leaf_level(mp.size), top = pw_mode_levels(s->mode);
    if (mp.kernel || leaf == top)
        return;
    unsigned l = leaf + 1 + (unsigned)below(&s->rng, top - leaf);
    uint64_t epa;
    if (pw_os_entry_pa(s->os[0][sp], mp.la, l, &epa) != PW_OK)
        return;
    uint64_t old = entry_read(s, epa);
    uint64_t bad = (mem + below(&s->rng, 64) * PW_PAGE_SIZE) & table_addr_mask(s);
    if (bad < mem)
        return;
    s->bad_table = true;
    s->bad_pa = epa;
    s->bad_old = old;
    s->bad_level = l;
    stim_edit ed = {.kind = EDIT_BAD_TABLE, .mp = mp, .level = l, .pa = epa,
                    .value = (old & ~table_addr_mask(s)) | bad, .first = sp, .last = sp};
    stim_push_edit(s, &ed, "bad table pointer");
    reload_cr3(s, "mov cr3 after breaking a table pointer");
}

void stim_edit_repair(stim *s)
{
    stim_edit ed = {.kind = EDIT_REPAIR, .pa = s->bad_pa, .level = s->bad_level,
                    .value = s->bad_old, .first = 0, .last = 0};
    s->bad_table = false;
    stim_push_edit(s, &ed, "repair table pointer");
    reload_cr3(s, "mov cr3 after repairing a table pointer");
}
