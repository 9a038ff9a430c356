/* Internals shared by stim.c (the generator) and stim_edit.c (edits of both
 * images). Not part of the API (stim.h). */
#ifndef TB_STIM_PRIV_H
#define TB_STIM_PRIV_H

#include "stim.h"

#define KERNEL_LA_4    UINT64_C(0xffff800000000000)
#define KERNEL_LA_5    UINT64_C(0xff00000000000000)
#define KERNEL_LA_32   UINT64_C(0xc0000000)
/* Kernel tables are identical in every space, as global pages require. */
#define KERNEL_TABLE_FLAGS (PTE_RW | PTE_US | PTE_A)

/* ---- Random numbers (splitmix64) ---- */

static inline uint64_t rnd(stim_rng *r)
{
    uint64_t z = (r->s += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}
static inline uint64_t below(stim_rng *r, uint64_t n) { return n ? rnd(r) % n : 0; }
static inline bool chance(stim_rng *r, unsigned pct) { return below(r, 100) < pct; }

/* ---- Geometry ---- */

static inline bool long_mode(pw_mode m) { return m == PW_MODE_4LVL || m == PW_MODE_5LVL; }

static inline uint64_t la_space_top(pw_mode m)
{
    return m == PW_MODE_5LVL ? (UINT64_C(1) << 56) : m == PW_MODE_4LVL ? (UINT64_C(1) << 47)
                                                                       : (UINT64_C(1) << 30) * 3;
}

static inline uint64_t kernel_base(pw_mode m)
{
    return m == PW_MODE_5LVL ? KERNEL_LA_5 : m == PW_MODE_4LVL ? KERNEL_LA_4 : KERNEL_LA_32;
}

static inline unsigned leaf_level(pw_page_size sz)
{
    return sz == PW_SIZE_4K ? PW_LVL_PT : sz == PW_SIZE_1G ? PW_LVL_PDPT : PW_LVL_PD;
}

static inline unsigned esize(const stim *s) { return s->mode == PW_MODE_32 ? 4 : 8; }

/* Address bits of a non-leaf entry (the next table). */
static inline uint64_t table_addr_mask(const stim *s)
{
    return s->mode == PW_MODE_32 ? PW_BITS(31, 12) : PW_BITS(s->cfg.maxphyaddr - 1, 12);
}

static inline uint64_t entry_read(const stim *s, uint64_t pa)
{
    if (esize(s) == 4) {
        uint32_t v = 0;
        pw_image_read32(s->img[0], pa, &v);
        return v;
    }
    uint64_t v = 0;
    pw_image_read64(s->img[0], pa, &v);
    return v;
}

static inline pw_status entry_write(const stim *s, unsigned side, uint64_t pa, uint64_t v)
{
    if (esize(s) == 4)
        return pw_image_write32(s->img[side], pa, (uint32_t)v);
    return pw_image_write64(s->img[side], pa, v);
}

static inline unsigned sides(const stim *s) { return s->img[1] ? 2 : 1; }

/* stim.c: the event queue and the random choices. */
void stim_push_ctl(stim *s, pw_ctl_kind k, uint64_t value, uint64_t la, unsigned type,
                   unsigned delay, bool must_pass, const char *what);
void stim_push_edit(stim *s, const stim_edit *ed, const char *what);
pw_page_size stim_pick_size(stim *s);
uint64_t stim_random_flags(stim *s, bool kernel);
uint64_t stim_random_table_flags(stim *s);
uint64_t stim_random_la(stim *s, pw_page_size size, bool kernel);
uint64_t stim_random_pa(stim *s, pw_page_size size);
uint64_t stim_space_cr3(const stim *s, unsigned sp);

/* stim_edit.c: plan an edit (queued as EDIT + its invalidations). */
stim_edit stim_plan_mapping(stim *s, bool kernel);
void stim_add_mapping_now(stim *s, bool kernel);
void stim_edit_leaf(stim *s);
void stim_edit_age(stim *s);
void stim_edit_reserved(stim *s);
void stim_edit_bad_table(stim *s);
void stim_edit_repair(stim *s);

#endif
