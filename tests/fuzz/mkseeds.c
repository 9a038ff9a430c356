/* The seed corpora of the fuzz targets, generated at build time (no binary
 * files in the repository):
 *
 *   mkseeds DIR   writes DIR/fuzz_translate/, DIR/fuzz_image/, DIR/fuzz_regs/
 *
 * fuzz_translate: page tables of every mode built with the library's pw_os
 *   builder, in two configurations (the default one, and a small one with
 *   A bits as walked and PDPTEs read on demand), with accesses of every kind
 *   to the pages mapped (and again, for TLB hits), control operations, a
 *   boot from paging off, PCIDs; encoded as translate_input.h says.
 * fuzz_image: ELF cores written by pw_image_save_elf, hand-made cores
 *   (unaligned and zero-filled segments, a PT_NOTE, an empty PT_LOAD,
 *   PN_XNUM) and raw dumps.
 * fuzz_regs: key=value files and QEMU `info registers` text. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pagewalk/pagewalk.h"
#include "elf64.h"
#include "translate_input.h"

#define DIR_MODE 0755
#define PATH_MAX_LEN 512
#define SEED_MAX 8192u                        /* bytes of one encoded translate input, at most */

/* translate seeds: a 16 MiB image, tables from a 256 KiB pool at 8 MiB */
#define MEM_LOG2 24u
#define POOL_BASE (UINT64_C(8) << 20)
#define POOL_SIZE (UINT64_C(256) << 10)
#define MAXPHY_DEFAULT 46u
#define RESTARTS_SEED 4u                      /* pw_config_default has 16; the input holds 1..7 */
#define GAP_BACK_TO_BACK 0u
#define GAP_IDLE 3u                            /* lands inside a walk: cancels its fill */
#define GAP_SETTLED 100u                       /* after any walk of these seeds has filled */
#define PKRU_WD_KEY3 0x80u                    /* write-disable key 3 (bits 2k+1) */
#define PK_KEY3 (UINT64_C(3) << PTE_PK_SHIFT)
#define PCID_A 5u
#define PCID_B 6u
#define CR0_RESERVED_BIT PW_BIT(6)            /* CR0 bits 15:6 are reserved: MOV CR0 #GPs */
#define LA_UNMAPPED_32 UINT64_C(0x00c00000)
#define LA_NONCANONICAL UINT64_C(0x0000900000000000)

/* image seeds */
#define IMG_SIZE (UINT64_C(1) << 20)
#define FILL_MUL 7u                           /* segment bytes i*7+1: recognisable, never 0 */
#define RAW_MUL 13u                           /* raw dump bytes i*13 */

static const char *out_dir;
static int failures;

static void fail(const char *what, const char *name)
{
    fprintf(stderr, "mkseeds: %s: %s\n", name, what);
    failures++;
}

static void make_dir(const char *sub)
{
    char p[PATH_MAX_LEN];
    snprintf(p, sizeof p, "%s/%s", out_dir, sub);
    if (mkdir(p, DIR_MODE) != 0 && errno != EEXIST)
        fail(strerror(errno), p);
}

static void write_seed(const char *target, const char *name, const void *data, size_t len)
{
    char p[PATH_MAX_LEN];
    snprintf(p, sizeof p, "%s/%s/%s", out_dir, target, name);
    FILE *f = fopen(p, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0)
        fail("cannot write", p);
}

static unsigned log2u(uint64_t v)
{
    unsigned l = 0;
    while (v > 1) {
        v >>= 1;
        l++;
    }
    return l;
}

/* ---------------- fuzz_translate ---------------- */

typedef struct {
    uint64_t la, pa;
    pw_page_size size;
    uint64_t flags;
} map_def;

typedef struct {
    const char *name;
    pw_mode mode;
    const map_def *maps;
    size_t n_maps;
} space_def;

static const map_def MAPS_32[] = {
    {0x00400000, 0x00100000, PW_SIZE_4K, PTE_RW | PTE_US | PTE_A | PTE_D},
    {0x00401000, 0x00101000, PW_SIZE_4K, PTE_US},                      /* read-only, A=0 */
    {0x00800000, 0x00400000, PW_SIZE_4M, PTE_RW | PTE_A},              /* supervisor, D=0 */
    {0x01000000, 0x00200000, PW_SIZE_4K, PTE_RW | PTE_G | PTE_A | PTE_D},
};
static const map_def MAPS_PAE[] = {
    {0x00200000, 0x00100000, PW_SIZE_4K, PTE_RW | PTE_US | PTE_A | PTE_D},
    {0x00201000, 0x00101000, PW_SIZE_4K, PTE_US | PTE_XD},
    {0x40000000, 0x00200000, PW_SIZE_2M, PTE_RW | PTE_A},
    {0xc0000000, 0x00400000, PW_SIZE_4K, PTE_RW | PTE_G},
};
static const map_def MAPS_4LVL[] = {
    {UINT64_C(0x00007f0000001000), 0x00100000, PW_SIZE_4K, PTE_RW | PTE_US | PTE_A | PTE_D},
    {UINT64_C(0x00007f0000002000), 0x00101000, PW_SIZE_4K, PTE_RW | PTE_US | PK_KEY3},
    {UINT64_C(0x0000000040000000), 0x00200000, PW_SIZE_2M, PTE_RW | PTE_XD | PTE_A},
    {UINT64_C(0x0000000080000000), 0x40000000, PW_SIZE_1G, PTE_RW | PTE_G | PTE_A | PTE_D},
    {UINT64_C(0xffff800000001000), 0x00102000, PW_SIZE_4K, PTE_RW | PTE_G},
};
/* Few paths: an input holds at most FT_MAX_PAGES tables. */
static const map_def MAPS_5LVL[] = {
    {UINT64_C(0x00f0000000001000), 0x00100000, PW_SIZE_4K, PTE_RW | PTE_US | PTE_A},
    {UINT64_C(0x00f0000000002000), 0x00101000, PW_SIZE_4K, PTE_US | PTE_XD},
    {UINT64_C(0x00f0000040000000), 0x00200000, PW_SIZE_2M, PTE_RW | PTE_A | PTE_D},
    {UINT64_C(0xff00000000003000), 0x00102000, PW_SIZE_4K, PTE_RW},
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
static const space_def SPACES[] = {
    {"32bit", PW_MODE_32, MAPS_32, N_OF(MAPS_32)},
    {"pae", PW_MODE_PAE, MAPS_PAE, N_OF(MAPS_PAE)},
    {"4level", PW_MODE_4LVL, MAPS_4LVL, N_OF(MAPS_4LVL)},
    {"5level", PW_MODE_5LVL, MAPS_5LVL, N_OF(MAPS_5LVL)},
};

typedef struct {
    const char *name;
    unsigned tlb, psc[FT_PSC_LEVELS], restarts, delay, wait;
    bool ad_walk, on_demand;
} cfg_def;

static const cfg_def CONFIGS[] = {
    {"default", 32, {8, 4, 2, 2}, RESTARTS_SEED, 1, 0, false, false},
    {"small", 4, {2, 2, 1, 1}, 2, 2, 1, true, true},
};

static void encode_config(ft_input *in, const cfg_def *c)
{
    in->maxphy = MAXPHY_DEFAULT - FT_MAXPHY_MIN;
    in->flags = FT_CF_1G | FT_CF_PSE36 | FT_CF_LONG | FT_CF_LA57 | FT_CF_PCID | FT_CF_PKS |
                FT_CF_CET | (c->ad_walk ? FT_CF_AD_WALK : 0);
    in->misc = (uint8_t)((c->on_demand ? FT_MISC_PDPTE_ON_DEMAND : 0) |
                         (log2u(c->tlb) << FT_MISC_TLB_SHIFT) |
                         ((c->restarts & FT_MISC_RESTART_MASK) << FT_MISC_RESTART_SHIFT));
    for (unsigned i = 0; i < FT_PSC_LEVELS; i++)
        in->psc[i] = (uint8_t)(c->psc[i] ? log2u(c->psc[i]) + 1 : 0);
    in->mem_log2 = MEM_LOG2 - FT_MEM_LOG2_MIN;
    in->delay = (uint8_t)(c->delay - 1);
    in->wait = (uint8_t)c->wait;
}

/* Registers that select `mode` with the builder's root (as tests/unit/support/env.c). */
static void mode_regs(pw_mode mode, uint64_t cr3, pw_image *img, pw_regs *r)
{
    memset(r, 0, sizeof *r);
    r->cr0 = CR0_PG | CR0_PE | CR0_WP;
    r->cr3 = cr3;
    switch (mode) {
    case PW_MODE_32: r->cr4 = CR4_PSE | CR4_PGE; break;
    case PW_MODE_PAE:
        r->cr4 = CR4_PAE | CR4_PGE;
        r->efer = EFER_NXE;
        for (unsigned i = 0; i < FT_PDPTES; i++)
            pw_image_read64(img, cr3 + i * sizeof(uint64_t), &r->pdpte[i]);
        break;
    case PW_MODE_5LVL: r->cr4 = CR4_LA57; /* fall through */
    case PW_MODE_4LVL:
        r->cr4 |= CR4_PAE | CR4_PGE | CR4_PKE | CR4_SMEP;
        r->efer = EFER_LME | EFER_LMA | EFER_NXE;
        break;
    default: break;
    }
}

/* The pool's written pages, as translate_input.h pages (raw values). */
static bool encode_pages(ft_input *in, pw_image *img, pw_mode mode)
{
    unsigned esize = pw_mode_entry_size(mode);
    in->n_pages = 0;
    for (uint64_t pa = POOL_BASE; pa < POOL_BASE + POOL_SIZE; pa += PW_PAGE_SIZE) {
        ft_page pg = {.frame = (uint32_t)(pa >> PW_PAGE_SHIFT), .n = 0};
        for (unsigned slot = 0; slot < PW_PAGE_SIZE / esize; slot++) {
            uint64_t v = 0;
            if (esize == sizeof(uint32_t)) {
                uint32_t v32 = 0;
                pw_image_read32(img, pa + slot * esize, &v32);
                v = v32;
            } else {
                pw_image_read64(img, pa + slot * esize, &v);
            }
            if (!v)
                continue;
            if (pg.n == FT_MAX_ENTRIES)
                return false;
            pg.e[pg.n++] = (ft_entry){.slot = (uint16_t)slot, .ref = 0, .value = v};
        }
        if (!pg.n)
            continue;
        if (in->n_pages == FT_MAX_PAGES)
            return false;
        in->page[in->n_pages++] = pg;
    }
    return true;
}

static void add_op(ft_input *in, uint8_t kind, uint8_t gap, uint64_t a, uint64_t b, uint8_t type)
{
    if (in->n_ops < FT_MAX_OPS)
        in->op[in->n_ops++] = (ft_op){.kind = kind, .gap = gap, .a = a, .b = b, .type = type};
}

static void add_access(ft_input *in, unsigned kind, bool user, uint64_t la)
{
    add_op(in, (uint8_t)(kind | (user ? FT_OP_USER : 0)), GAP_BACK_TO_BACK, la, 0, 0);
}

static void add_ctl_gap(ft_input *in, pw_ctl_kind k, uint8_t gap, uint64_t value, uint64_t la,
                        uint8_t type)
{
    add_op(in, (uint8_t)(FT_OP_CTL | (k << FT_OP_CTL_SHIFT)), gap, value, la, type);
}

static void add_ctl(ft_input *in, pw_ctl_kind k, uint64_t value, uint64_t la, uint8_t type)
{
    add_ctl_gap(in, k, GAP_IDLE, value, la, type);
}

static void emit_translate(const char *name, ft_input *in)
{
    static uint8_t buf[SEED_MAX];
    size_t len = ft_encode(in, buf, sizeof buf);
    if (len > sizeof buf) {
        fail("encoded input too large", name);
        return;
    }
    write_seed("fuzz_translate", name, buf, len);
}

/* One address space, one configuration: accesses to every page, again for
 * hits, control operations, the first page after a full flush. */
static void translate_seed(const space_def *sp, const cfg_def *cd, unsigned variant)
{
    if (variant == 1 && sp->mode == PW_MODE_32)
        return;   /* variant 1 is about PCIDs and PDPTE loads: nothing new in 32-bit paging */
    char name[PATH_MAX_LEN];
    snprintf(name, sizeof name, "%s-%s-%u", sp->name, cd->name, variant);
    pw_config cfg;
    static ft_input in;
    memset(&in, 0, sizeof in);
    encode_config(&in, cd);
    ft_config_of(&in, &cfg);
    pw_image *img = NULL;
    pw_os *os = NULL;
    if (pw_image_sparse_new(UINT64_C(1) << MEM_LOG2, &img) != PW_OK ||
        pw_os_new(img, &cfg, sp->mode, POOL_BASE, POOL_SIZE, NULL, &os) != PW_OK) {
        fail("cannot build the address space", name);
        goto out;
    }
    for (size_t i = 0; i < sp->n_maps; i++) {
        const map_def *m = &sp->maps[i];
        if (pw_os_map(os, m->la, m->pa, m->size, m->flags) != PW_OK)
            fail("pw_os_map failed", name);
    }
    mode_regs(sp->mode, pw_os_cr3(os), img, &in.regs);
    bool long_mode = sp->mode == PW_MODE_4LVL || sp->mode == PW_MODE_5LVL;
    if (variant == 1 && long_mode) {
        in.regs.cr4 |= CR4_PCIDE;          /* PCIDs: start under PCID_A */
        in.regs.cr3 |= PCID_A;
    }
    if (variant == 1 && sp->mode == PW_MODE_PAE) {
        memset(in.regs.pdpte, 0, sizeof in.regs.pdpte);
        in.reg_flags = FT_REG_LOAD_PDPTES;  /* the fuzzer loads them from memory */
    }
    if (!encode_pages(&in, img, sp->mode)) {
        fail("too many tables or entries for the input format", name);
        goto out;
    }

    uint64_t la0 = sp->maps[0].la;
    for (size_t i = 0; i < sp->n_maps; i++) {
        bool user = (sp->maps[i].flags & PTE_US) != 0;
        add_access(&in, FT_OP_READ, user, sp->maps[i].la);
        add_access(&in, FT_OP_WRITE, user, sp->maps[i].la);
        add_access(&in, FT_OP_READ, user, sp->maps[i].la);     /* a TLB hit */
    }
    add_access(&in, FT_OP_FETCH, true, la0);
    add_access(&in, FT_OP_READ, false, la0);                   /* SMAP off: allowed */
    add_access(&in, FT_OP_READ, false, long_mode ? LA_NONCANONICAL : LA_UNMAPPED_32);
    add_access(&in, FT_OP_READ, false, la0 + PW_PAGE_SIZE * 2); /* a hole next to the pages */
    if (long_mode)
        add_ctl(&in, PW_CTL_WRPKRU, PKRU_WD_KEY3, 0, 0);
    add_access(&in, FT_OP_WRITE, true, sp->maps[1].la);
    add_ctl(&in, PW_CTL_INVLPG, 0, la0, 0);
    add_access(&in, FT_OP_READ, true, la0);
    if (variant == 1 && long_mode) {
        add_ctl(&in, PW_CTL_MOV_CR3, (in.regs.cr3 & ~(uint64_t)CR3_PCID) | PCID_B | CR3_NOFLUSH, 0, 0);
        add_access(&in, FT_OP_READ, true, la0);
        add_ctl(&in, PW_CTL_INVPCID, PCID_A, la0, 0);
        add_ctl(&in, PW_CTL_INVPCID, PCID_B, 0, 1);
    } else {
        add_ctl(&in, PW_CTL_MOV_CR3, in.regs.cr3, 0, 0);
    }
    add_access(&in, FT_OP_READ, true, la0);
    add_ctl(&in, PW_CTL_MOV_CR4, in.regs.cr4 ^ CR4_PGE, 0, 0);
    add_ctl(&in, PW_CTL_MOV_CR0, in.regs.cr0 | CR0_RESERVED_BIT, 0, 0);  /* #GP */
    add_ctl(&in, PW_CTL_FLUSH_ALL, 0, 0, 0);
    add_access(&in, FT_OP_READ, true, la0);
    emit_translate(name, &in);
out:
    pw_os_free(os);
    pw_image_free(img);
}

/* Paging off, then the control operations an OS boots 4-level paging with. */
static void translate_boot_seed(void)
{
    const char *name = "boot-4level";
    pw_config cfg;
    static ft_input in;
    memset(&in, 0, sizeof in);
    encode_config(&in, &CONFIGS[0]);
    ft_config_of(&in, &cfg);
    pw_image *img = NULL;
    pw_os *os = NULL;
    if (pw_image_sparse_new(UINT64_C(1) << MEM_LOG2, &img) != PW_OK ||
        pw_os_new(img, &cfg, PW_MODE_4LVL, POOL_BASE, POOL_SIZE, NULL, &os) != PW_OK) {
        fail("cannot build the address space", name);
        goto out;
    }
    for (size_t i = 0; i < N_OF(MAPS_4LVL); i++)
        pw_os_map(os, MAPS_4LVL[i].la, MAPS_4LVL[i].pa, MAPS_4LVL[i].size, MAPS_4LVL[i].flags);
    if (!encode_pages(&in, img, PW_MODE_4LVL)) {
        fail("too many tables or entries for the input format", name);
        goto out;
    }
    add_access(&in, FT_OP_READ, false, MAPS_4LVL[0].la);      /* paging off: LA = PA */
    add_ctl(&in, PW_CTL_MOV_CR4, CR4_PAE | CR4_PGE, 0, 0);
    add_ctl(&in, PW_CTL_WRMSR_EFER, EFER_LME | EFER_NXE, 0, 0);
    add_ctl(&in, PW_CTL_MOV_CR3, pw_os_cr3(os), 0, 0);
    add_ctl(&in, PW_CTL_MOV_CR0, CR0_PG | CR0_PE | CR0_WP, 0, 0);
    for (size_t i = 0; i < N_OF(MAPS_4LVL); i++)
        add_access(&in, FT_OP_READ, (MAPS_4LVL[i].flags & PTE_US) != 0, MAPS_4LVL[i].la);
    add_ctl(&in, PW_CTL_MOV_CR0, CR0_PE, 0, 0);                 /* paging off again */
    add_access(&in, FT_OP_READ, false, MAPS_4LVL[0].la);
    emit_translate(name, &in);
out:
    pw_os_free(os);
    pw_image_free(img);
}

/* Two address spaces in one memory and a MOV CR3 between them: a global 4 KiB
 * page of the first stays cached while the second maps the same region with
 * one large page, whose fill must evict it (docs/tlb.md "Fill"): in TLB slot
 * 1, as slot 0 (a non-global page of the first) is free again by then. */
static void translate_switch_seed(pw_mode mode)
{
    char name[PATH_MAX_LEN];
    snprintf(name, sizeof name, "switch-%s", pw_mode_name(mode));
    bool m32 = mode == PW_MODE_32;
    pw_page_size big = m32 ? PW_SIZE_4M : PW_SIZE_2M;
    uint64_t region = m32 ? UINT64_C(0x00800000) : UINT64_C(0x40000000);
    uint64_t small_la = region + PW_PAGE_SIZE, big_la = region + 2 * PW_PAGE_SIZE;
    uint64_t other_la = region + pw_page_bytes(big);     /* the next large region */
    uint64_t half = POOL_SIZE / 2;
    pw_config cfg;
    static ft_input in;
    memset(&in, 0, sizeof in);
    encode_config(&in, &CONFIGS[0]);
    ft_config_of(&in, &cfg);
    pw_image *img = NULL;
    pw_os *first = NULL, *second = NULL;
    if (pw_image_sparse_new(UINT64_C(1) << MEM_LOG2, &img) != PW_OK ||
        pw_os_new(img, &cfg, mode, POOL_BASE, half, NULL, &first) != PW_OK ||
        pw_os_new(img, &cfg, mode, POOL_BASE + half, half, NULL, &second) != PW_OK) {
        fail("cannot build the address spaces", name);
        goto out;
    }
    if (pw_os_map(first, other_la, 0x00300000, PW_SIZE_4K, PTE_RW | PTE_A | PTE_D) != PW_OK ||
        pw_os_map(first, small_la, 0x00100000, PW_SIZE_4K, PTE_RW | PTE_G | PTE_A | PTE_D) != PW_OK ||
        pw_os_map(second, region, 0x00400000, big, PTE_RW | PTE_A | PTE_D) != PW_OK)
        fail("pw_os_map failed", name);
    mode_regs(mode, pw_os_cr3(first), img, &in.regs);
    if (!encode_pages(&in, img, mode)) {
        fail("too many tables or entries for the input format", name);
        goto out;
    }
    add_access(&in, FT_OP_READ, false, other_la);              /* TLB slot 0 */
    add_access(&in, FT_OP_READ, false, small_la);              /* slot 1: the global page */
    add_ctl_gap(&in, PW_CTL_MOV_CR3, GAP_SETTLED, pw_os_cr3(second), 0, 0); /* frees slot 0 only */
    add_access(&in, FT_OP_READ, false, small_la);              /* a hit on the global entry */
    add_access(&in, FT_OP_READ, false, big_la);                /* the large page evicts it */
    add_access(&in, FT_OP_READ, false, small_la);
    emit_translate(name, &in);
out:
    pw_os_free(second);
    pw_os_free(first);
    pw_image_free(img);
}

/* CET: shadow-stack pages (R/W=0, D=1 under writable tables), user and
 * supervisor, with shadow-stack and ordinary accesses, and PKS. */
static void translate_cet_seed(void)
{
    const char *name = "cet-4level";
    static const map_def maps[] = {
        {UINT64_C(0x00007f0000001000), 0x00100000, PW_SIZE_4K, PTE_US | PTE_A | PTE_D},  /* user SS */
        {UINT64_C(0x00007f0000002000), 0x00101000, PW_SIZE_4K, PTE_RW | PTE_US | PTE_A},
        {UINT64_C(0xffff800000001000), 0x00102000, PW_SIZE_4K, PTE_A | PTE_D | PK_KEY3}, /* supervisor SS */
    };
    pw_config cfg;
    static ft_input in;
    memset(&in, 0, sizeof in);
    encode_config(&in, &CONFIGS[0]);
    ft_config_of(&in, &cfg);
    pw_image *img = NULL;
    pw_os *os = NULL;
    if (pw_image_sparse_new(UINT64_C(1) << MEM_LOG2, &img) != PW_OK ||
        pw_os_new(img, &cfg, PW_MODE_4LVL, POOL_BASE, POOL_SIZE, NULL, &os) != PW_OK) {
        fail("cannot build the address space", name);
        goto out;
    }
    for (size_t i = 0; i < N_OF(maps); i++)
        if (pw_os_map(os, maps[i].la, maps[i].pa, maps[i].size, maps[i].flags) != PW_OK)
            fail("pw_os_map failed", name);
    mode_regs(PW_MODE_4LVL, pw_os_cr3(os), img, &in.regs);
    in.regs.cr4 |= CR4_CET | CR4_PKS;
    if (!encode_pages(&in, img, PW_MODE_4LVL)) {
        fail("too many tables or entries for the input format", name);
        goto out;
    }
    for (size_t i = 0; i < N_OF(maps); i++) {
        bool user = (maps[i].flags & PTE_US) != 0;
        add_access(&in, FT_OP_READ | FT_OP_SHADOW, user, maps[i].la);
        add_access(&in, FT_OP_WRITE | FT_OP_SHADOW, user, maps[i].la);
        add_access(&in, FT_OP_WRITE, user, maps[i].la);
        add_access(&in, FT_OP_READ | FT_OP_SHADOW, !user, maps[i].la);
    }
    add_ctl(&in, PW_CTL_WRPKRS, PKRU_WD_KEY3 >> 1, 0, 0);    /* access-disable key 3 */
    add_access(&in, FT_OP_READ | FT_OP_SHADOW, false, maps[2].la);
    add_access(&in, FT_OP_READ, false, maps[2].la);
    emit_translate(name, &in);
out:
    pw_os_free(os);
    pw_image_free(img);
}

/* A 4-level table that is its own PML4, PDPT, PD and PT: entry `a` serves
 * levels 4 and 3, entry `c` levels 2 and 1, all with A=0. Setting A in one
 * entry changes the entry the next CAS expects: a write restarts twice, and
 * with max_restarts 1 gives up (PW_ERR_LIVELOCK). */
static void translate_restart_seed(unsigned max_restarts)
{
    enum { IDX_A = 1, IDX_C = 2 };
    char name[PATH_MAX_LEN];
    snprintf(name, sizeof name, "restart-4level-max%u", max_restarts);
    static ft_input in;
    memset(&in, 0, sizeof in);
    cfg_def cd = CONFIGS[0];
    cd.restarts = max_restarts;
    encode_config(&in, &cd);
    uint64_t table = POOL_BASE, flags = PTE_P | PTE_RW | PTE_US;
    in.n_pages = 1;
    in.page[0] = (ft_page){.frame = (uint32_t)(table >> PW_PAGE_SHIFT), .n = 2};
    in.page[0].e[0] = (ft_entry){.slot = IDX_A, .ref = 0, .value = table | flags};
    in.page[0].e[1] = (ft_entry){.slot = IDX_C, .ref = 0, .value = table | flags};
    mode_regs(PW_MODE_4LVL, table, NULL, &in.regs);
    uint64_t la = ((uint64_t)IDX_A << 39) | ((uint64_t)IDX_A << 30) | ((uint64_t)IDX_C << 21) |
                  ((uint64_t)IDX_C << 12);
    add_access(&in, FT_OP_WRITE, true, la);
    add_access(&in, FT_OP_WRITE, true, la);
    add_access(&in, FT_OP_READ, true, la);
    emit_translate(name, &in);
}

/* ---------------- fuzz_image ---------------- */

/* A core written by the library itself: three runs of written pages. */
static void image_saved_seed(const char *name, const uint64_t *frames, size_t n)
{
    char p[PATH_MAX_LEN];
    snprintf(p, sizeof p, "%s/fuzz_image/%s", out_dir, name);
    pw_image *img = NULL;
    if (pw_image_sparse_new(IMG_SIZE, &img) != PW_OK) {
        fail("cannot make an image", name);
        return;
    }
    for (size_t i = 0; i < n; i++)
        pw_image_write64(img, frames[i] << PW_PAGE_SHIFT, PTE_P | PTE_RW | (frames[i] << PW_PAGE_SHIFT));
    if (pw_image_save_elf(img, p) != PW_OK)
        fail("pw_image_save_elf failed", name);
    pw_image_free(img);
}

typedef struct {
    uint32_t type;
    uint64_t offset, paddr, filesz, memsz;
} phdr_def;

/* A hand-made core: the headers, then the segments' bytes. With xnum, e_phnum
 * is PN_XNUM and the count is in section header 0. */
static void image_handmade_seed(const char *name, const phdr_def *ph, size_t n, bool xnum,
                                size_t data_len)
{
    size_t phoff = EHDR_SIZE, shoff = phoff + n * PHDR_SIZE, len = shoff + (xnum ? SHDR_SIZE : 0);
    size_t total = len + data_len;
    uint8_t *f = calloc(1, total);
    if (!f) {
        fail("out of memory", name);
        return;
    }
    memcpy(f, ELF_MAGIC, ELF_MAGIC_LEN);
    f[EI_CLASS] = ELFCLASS64;
    f[EI_DATA] = ELFDATA2LSB;
    f[EI_VERSION] = EV_CURRENT;
    ELF_PUT(f, E_TYPE, ET_CORE);
    ELF_PUT(f, E_MACHINE, EM_X86_64);
    ELF_PUT(f, E_VERSION, EV_CURRENT);
    ELF_PUT(f, E_PHOFF, phoff);
    ELF_PUT(f, E_EHSIZE, EHDR_SIZE);
    ELF_PUT(f, E_PHENTSIZE, PHDR_SIZE);
    ELF_PUT(f, E_PHNUM, xnum ? PN_XNUM : n);
    if (xnum) {
        ELF_PUT(f, E_SHOFF, shoff);
        ELF_PUT(f, E_SHENTSIZE, SHDR_SIZE);
        ELF_PUT(f, E_SHNUM, 1);
        ELF_PUT(f + shoff, SH_INFO, n);
    }
    for (size_t i = 0; i < n; i++) {
        uint8_t *h = f + phoff + i * PHDR_SIZE;
        ELF_PUT(h, P_TYPE, ph[i].type);
        ELF_PUT(h, P_OFFSET, len + ph[i].offset);
        ELF_PUT(h, P_PADDR, ph[i].paddr);
        ELF_PUT(h, P_FILESZ, ph[i].filesz);
        ELF_PUT(h, P_MEMSZ, ph[i].memsz);
    }
    for (size_t i = 0; i < data_len; i++)
        f[len + i] = (uint8_t)(i * FILL_MUL + 1);
    write_seed("fuzz_image", name, f, total);
    free(f);
}

static void image_seeds(void)
{
    static const uint64_t runs[] = {0, 1, 4, 8, 9};
    image_saved_seed("saved-3-segments.elf", runs, N_OF(runs));
    image_saved_seed("saved-zeros.elf", NULL, 0);
    /* Unaligned segments, one touching the next, one zero-filled, a note, an empty load. */
    static const phdr_def odd[] = {
        {PT_NOTE, 0x00, 0, 0x10, 0x10},
        {PT_LOAD, 0x10, 0x1000, 0x10, 0x30},
        {PT_LOAD, 0x20, 0x1030, 0x20, 0x20},
        {PT_LOAD, 0x00, 0x5003, 0x00, 0x100},
        {PT_LOAD, 0x00, 0x9000, 0x00, 0x00},
    };
    image_handmade_seed("odd-segments.elf", odd, N_OF(odd), false, 0x40);
    static const phdr_def two[] = {
        {PT_LOAD, 0x00, 0x0000, 0x20, 0x20},
        {PT_LOAD, 0x20, 0x2000, 0x08, 0x1008},
    };
    image_handmade_seed("pn-xnum.elf", two, N_OF(two), true, 0x28);
    uint8_t raw[PW_PAGE_SIZE + 5];
    for (size_t i = 0; i < sizeof raw; i++)
        raw[i] = (uint8_t)(i * RAW_MUL);
    write_seed("fuzz_image", "raw-page-and-a-bit", raw, sizeof raw);
    write_seed("fuzz_image", "raw-16", raw, 16);
}

/* ---------------- fuzz_regs ---------------- */

static void text_seed(const char *name, const char *text)
{
    write_seed("fuzz_regs", name, text, strlen(text));
}

static void regs_seeds(void)
{
    text_seed("kv-4level.txt", "# a 4-level guest\n"
                               "cr0 = 0x80050033\n"
                               "cr3=0x1a5e8000   # root\n"
                               "CR4 = 0x3506f0\n"
                               "efer=0xd01\n"
                               "pkru = 0x55555554\n"
                               "pkrs = 0\n"
                               "maxphyaddr = 46\n");
    text_seed("kv-pae.txt", "cr0=2147483649\r\n"
                            "cr3=0x00345020\r\n"
                            "cr4=0x20\r\n"
                            "efer=0x800\r\n"
                            "\r\n"
                            "pdpte0=0x346001\r\npdpte1=0x347001\r\npdpte2=0\r\npdpte3=0x348001\r\n");
    text_seed("qemu-x86_64.txt",
              "RAX=0000000000000000 RBX=0000000000000000 RCX=0000000000000001 RDX=000000000004c5ac\n"
              "RIP=ffffffff81e3a6ab RFL=00000246 [---Z-P-] CPL=0 II=0 A20=1 SMM=0 HLT=1\n"
              "ES =0000 0000000000000000 00000000 00000000\n"
              "CS =0010 0000000000000000 ffffffff 00a09b00 DPL=0 CS64 [-RA]\n"
              "GDT=     fffffe0000001000 0000007f\n"
              "CR0=80050033 CR2=00007f5f2b4c1000 CR3=000000001a5e8000 CR4=003506f0\n"
              "DR6=00000000ffff0ff0 DR7=0000000000000400\n"
              "EFER=0000000000000d01\n"
              "PKRU=55555554\n"
              "FCW=037f FSW=0000 [ST=0] FTW=00 MXCSR=00001f80\n");
    text_seed("qemu-i386.txt", "(qemu) info registers\n"
                               "CPU#0\n"
                               "EAX=00000000 EBX=c1a5c000 ECX=00000000 EDX=00000000\n"
                               "ES =007b 00000000 ffffffff 00cff300 DPL=3 DS   [-WA]\n"
                               "CR0=80050033 CR2=b7794000 CR3=16d7c000 CR4=000006d0\n"
                               "EFER=0000000000000000   # no long mode\n");
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: mkseeds DIR\n");
        return 2;
    }
    out_dir = argv[1];
    if (mkdir(out_dir, DIR_MODE) != 0 && errno != EEXIST) {
        fprintf(stderr, "mkseeds: cannot create '%s': %s\n", out_dir, strerror(errno));
        return 1;
    }
    make_dir("fuzz_translate");
    make_dir("fuzz_image");
    make_dir("fuzz_regs");
    for (size_t s = 0; s < N_OF(SPACES); s++)
        for (size_t c = 0; c < N_OF(CONFIGS); c++)
            for (unsigned v = 0; v < 2; v++)
                translate_seed(&SPACES[s], &CONFIGS[c], v);
    translate_boot_seed();
    translate_cet_seed();
    translate_switch_seed(PW_MODE_32);
    translate_switch_seed(PW_MODE_4LVL);
    translate_restart_seed(1);
    translate_restart_seed(2);
    image_seeds();
    regs_seeds();
    return failures ? 1 : 0;
}
