/* The input of fuzz_translate, shared with the seed generator (mkseeds.c) so
 * that both read and write one layout. Little-endian, fixed-size fields, read
 * in this order; bytes past the end of the input read as 0, so every input
 * decodes to something:
 *
 *   config   maxphyaddr, feature flags, misc (PDPTE policy, TLB size,
 *            max_restarts), PSC sizes of levels 2..5     (ft_config_of)
 *   memory   log2 of the sparse image's size, the port's fixed delay and
 *            back-pressure per access                      (ft_mem_bytes, ...)
 *   regs     CR0 CR3 CR4 EFER (8 bytes each) PKRU PKRS (4) PDPTE0..3 (8);
 *            raw: the library must refuse the illegal ones
 *            reg_flags: FT_REG_NORMALIZE, FT_REG_LOAD_PDPTES
 *   pages    count, then per page: frame (4), entry count, entries of
 *            {slot (2), ref (1), value (8)}: the value is written at
 *            slot * entry size in the frame (4-byte entries in 32-bit
 *            paging); with FT_REF_PAGE in ref, its address bits are replaced
 *            by the address of page (ref % count), so that a mutated input
 *            keeps pointing at tables it has
 *   ops      count, then per op {kind (1), gap (1), a (8), b (8), type (1)}:
 *            an access (FT_OP_READ/WRITE/FETCH with FT_OP_USER...) of
 *            linear address a, or a control operation (FT_OP_CTL, its
 *            pw_ctl_kind in FT_OP_CTL_KIND) with value a, address b, INVPCID
 *            type; presented `gap` cycles after the previous accept.
 *
 * Counts are taken modulo their maximum + 1. Fields are raw bytes here;
 * ft_config_of and the helpers below give them their meaning. */
#ifndef PW_FUZZ_TRANSLATE_INPUT_H
#define PW_FUZZ_TRANSLATE_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pagewalk/pagewalk.h"

#define FT_MAX_PAGES   12u  /* a 5-level path is 5 tables; room for two paths and a PDPT */
#define FT_MAX_ENTRIES 32u  /* entries given per page */
#define FT_MAX_OPS     32u
#define FT_PDPTES      4u   /* PAE PDPTE registers */
#define FT_BYTE_BITS   8u

/* config */
#define FT_MAXPHY_MIN  32u  /* pw_config_check's range, 32..52 */
#define FT_MAXPHY_SPAN 21u
#define FT_CF_1G      0x01u
#define FT_CF_PSE36   0x02u
#define FT_CF_LONG    0x04u
#define FT_CF_LA57    0x08u
#define FT_CF_PCID    0x10u
#define FT_CF_PKS     0x20u
#define FT_CF_CET     0x40u
#define FT_CF_AD_WALK 0x80u  /* PW_AD_NONLEAF_AS_WALKED */
#define FT_MISC_PDPTE_ON_DEMAND 0x01u
#define FT_MISC_TLB_SHIFT    1   /* bits 3:1: log2 of tlb_entries; 7 (128) is illegal */
#define FT_MISC_TLB_MASK     0x7u
#define FT_MISC_RESTART_SHIFT 4  /* bits 6:4: max_restarts; 0 is illegal */
#define FT_MISC_RESTART_MASK 0x7u
#define FT_PSC_MASK 0x7u         /* 0: absent, k: 2^(k-1) entries (1..64) */
#define FT_PSC_LEVELS 4u         /* levels 2..5 */

/* memory */
#define FT_MEM_LOG2_MIN  20u     /* 1 MiB .. 64 GiB of sparse memory: tables above it are bus errors */
#define FT_MEM_LOG2_SPAN 17u
#define FT_DELAY_SPAN    8u      /* fixed delay d = 1..8 cycles per access */
#define FT_WAIT_SPAN     4u      /* back-pressure w = 0..3 cycles per access */

/* reg_flags */
#define FT_REG_NORMALIZE   0x01u /* pw_regs_normalize: EFER.LMA from LME and PG */
#define FT_REG_LOAD_PDPTES 0x02u /* PAE: load the PDPTE registers from memory first */

/* entries */
#define FT_REF_PAGE 0x80u

/* ops */
#define FT_OP_READ  0u
#define FT_OP_WRITE 1u
#define FT_OP_FETCH 2u
#define FT_OP_CTL   3u
#define FT_OP_KIND_MASK 0x03u
#define FT_OP_USER      0x04u
#define FT_OP_IMPLICIT  0x08u
#define FT_OP_AC        0x10u
#define FT_OP_SHADOW    0x20u
#define FT_OP_CTL_SHIFT 2        /* FT_OP_CTL: bits 5:2 the pw_ctl_kind; 9..15 are not one */
#define FT_OP_CTL_MASK  0xfu
#define FT_OP_LATE      0x40u    /* FT_OP_CTL: present it before the earliest allowed cycle */

typedef struct {
    uint16_t slot;
    uint8_t ref;
    uint64_t value;
} ft_entry;

typedef struct {
    uint32_t frame;
    uint8_t n;
    ft_entry e[FT_MAX_ENTRIES];
} ft_page;

typedef struct {
    uint8_t kind, gap;
    uint64_t a, b;
    uint8_t type;
} ft_op;

typedef struct {
    uint8_t maxphy, flags, misc, psc[FT_PSC_LEVELS];
    uint8_t mem_log2, delay, wait;
    pw_regs regs;
    uint8_t reg_flags;
    uint8_t n_pages;
    ft_page page[FT_MAX_PAGES];
    uint8_t n_ops;
    ft_op op[FT_MAX_OPS];
} ft_input;

/* ---- meaning of the raw fields ---- */

static inline void ft_config_of(const ft_input *in, pw_config *cfg)
{
    pw_config_default(cfg);
    cfg->maxphyaddr = FT_MAXPHY_MIN + in->maxphy % FT_MAXPHY_SPAN;
    cfg->has_1g = in->flags & FT_CF_1G;
    cfg->has_pse36 = in->flags & FT_CF_PSE36;
    cfg->has_long = in->flags & FT_CF_LONG;
    cfg->has_la57 = in->flags & FT_CF_LA57;
    cfg->has_pcid = in->flags & FT_CF_PCID;
    cfg->has_pks = in->flags & FT_CF_PKS;
    cfg->has_cet = in->flags & FT_CF_CET;
    cfg->ad_on_fault = (in->flags & FT_CF_AD_WALK) ? PW_AD_NONLEAF_AS_WALKED : PW_AD_NONE;
    cfg->pae_pdpte = (in->misc & FT_MISC_PDPTE_ON_DEMAND) ? PW_PDPTE_ON_DEMAND : PW_PDPTE_REGISTERS;
    cfg->tlb_entries = 1u << ((in->misc >> FT_MISC_TLB_SHIFT) & FT_MISC_TLB_MASK);
    cfg->max_restarts = (in->misc >> FT_MISC_RESTART_SHIFT) & FT_MISC_RESTART_MASK;
    for (unsigned i = 0; i < FT_PSC_LEVELS; i++) {
        unsigned k = in->psc[i] & FT_PSC_MASK;
        cfg->psc_entries[PW_LVL_PD + i] = k ? 1u << (k - 1) : 0;
    }
}

static inline uint64_t ft_mem_bytes(const ft_input *in)
{
    return UINT64_C(1) << (FT_MEM_LOG2_MIN + in->mem_log2 % FT_MEM_LOG2_SPAN);
}

static inline unsigned ft_delay(const ft_input *in) { return 1u + in->delay % FT_DELAY_SPAN; }
static inline unsigned ft_wait(const ft_input *in) { return in->wait % FT_WAIT_SPAN; }

/* ---- reading and writing the bytes ---- */

typedef struct {
    const uint8_t *p;
    size_t len, pos;
} ft_reader;

static inline uint64_t ft_get(ft_reader *r, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++, r->pos++)
        if (r->pos < r->len)
            v |= (uint64_t)r->p[r->pos] << (FT_BYTE_BITS * i);
    return v;
}

typedef struct {
    uint8_t *p;
    size_t cap, len;   /* len may exceed cap: the bytes that did not fit are dropped */
} ft_writer;

static inline void ft_put(ft_writer *w, unsigned size, uint64_t v)
{
    for (unsigned i = 0; i < size; i++, w->len++)
        if (w->len < w->cap)
            w->p[w->len] = (uint8_t)(v >> (FT_BYTE_BITS * i));
}

/* Every field in layout order, for both directions: FT_FIELD(size, lvalue). */
#define FT_FIELDS(in, FT_FIELD)                                                                    \
    do {                                                                                           \
        FT_FIELD(1, (in)->maxphy);                                                                 \
        FT_FIELD(1, (in)->flags);                                                                  \
        FT_FIELD(1, (in)->misc);                                                                   \
        for (unsigned i_ = 0; i_ < FT_PSC_LEVELS; i_++)                                            \
            FT_FIELD(1, (in)->psc[i_]);                                                            \
        FT_FIELD(1, (in)->mem_log2);                                                               \
        FT_FIELD(1, (in)->delay);                                                                  \
        FT_FIELD(1, (in)->wait);                                                                   \
        FT_FIELD(8, (in)->regs.cr0);                                                               \
        FT_FIELD(8, (in)->regs.cr3);                                                               \
        FT_FIELD(8, (in)->regs.cr4);                                                               \
        FT_FIELD(8, (in)->regs.efer);                                                              \
        FT_FIELD(4, (in)->regs.pkru);                                                              \
        FT_FIELD(4, (in)->regs.pkrs);                                                              \
        for (unsigned i_ = 0; i_ < FT_PDPTES; i_++)                                                \
            FT_FIELD(8, (in)->regs.pdpte[i_]);                                                     \
        FT_FIELD(1, (in)->reg_flags);                                                              \
        FT_FIELD(1, (in)->n_pages);                                                                \
        (in)->n_pages %= FT_MAX_PAGES + 1;                                                         \
        for (unsigned p_ = 0; p_ < (in)->n_pages; p_++) {                                          \
            ft_page *pg_ = &(in)->page[p_];                                                        \
            FT_FIELD(4, pg_->frame);                                                               \
            FT_FIELD(1, pg_->n);                                                                   \
            pg_->n %= FT_MAX_ENTRIES + 1;                                                          \
            for (unsigned e_ = 0; e_ < pg_->n; e_++) {                                             \
                FT_FIELD(2, pg_->e[e_].slot);                                                      \
                FT_FIELD(1, pg_->e[e_].ref);                                                       \
                FT_FIELD(8, pg_->e[e_].value);                                                     \
            }                                                                                      \
        }                                                                                          \
        FT_FIELD(1, (in)->n_ops);                                                                  \
        (in)->n_ops %= FT_MAX_OPS + 1;                                                             \
        for (unsigned o_ = 0; o_ < (in)->n_ops; o_++) {                                            \
            ft_op *op_ = &(in)->op[o_];                                                            \
            FT_FIELD(1, op_->kind);                                                                \
            FT_FIELD(1, op_->gap);                                                                 \
            FT_FIELD(8, op_->a);                                                                   \
            FT_FIELD(8, op_->b);                                                                   \
            FT_FIELD(1, op_->type);                                                                \
        }                                                                                          \
    } while (0)

static inline void ft_decode(const uint8_t *data, size_t len, ft_input *in)
{
    ft_reader r = {.p = data, .len = len, .pos = 0};
    memset(in, 0, sizeof *in);
#define FT_READ_FIELD(size, lv) ((lv) = ft_get(&r, (size))) /* narrowed to the field's type */
    FT_FIELDS(in, FT_READ_FIELD);
#undef FT_READ_FIELD
}

/* The bytes of `in` (counts already within their maxima); returns the length,
 * which exceeds cap if buf was too small. */
static inline size_t ft_encode(ft_input *in, uint8_t *buf, size_t cap)
{
    ft_writer w = {.p = buf, .cap = cap, .len = 0};
#define FT_WRITE_FIELD(size, lv) ft_put(&w, (size), (uint64_t)(lv))
    FT_FIELDS(in, FT_WRITE_FIELD);
#undef FT_WRITE_FIELD
    return w.len;
}

#endif
