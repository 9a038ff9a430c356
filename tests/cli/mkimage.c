/* mkimage [--elf] MODE DIR: the fixtures of tests/cli/run.sh.
 *
 * For one paging mode (32, pae, 4level, 5level) it builds page tables with
 * the os builder in a 16 MiB sparse image: mappings at every page size of the
 * mode with different rights, not-present entries, an entry with OS bits, an
 * entry with a reserved bit, a table outside the image. It writes into DIR:
 *
 *   image.raw        the raw dump
 *   regs             the register file (key=value), plus variants of it
 *   *.expected       for each access kind, the exact line `pagewalk translate`
 *                    must print for every probe address (the first field)
 *   runs             one run per line: NAME REGS_FILE EXPECTED_FILE [FLAGS...]
 *
 * With --elf, also:
 *
 *   image.elf        the same memory as an ELF core (pw_image_save_elf)
 *   regs.qemu        the registers as QEMU's `info registers` prints them
 *   runs-qemu        runs (as in `runs`) with regs.qemu and the flags for
 *                    what QEMU does not print (maxphyaddr, PKRU)
 *
 * For the commands that list the tables (mkscan.c, mklint.c), also:
 *
 *   dump.expected, dump-mem.expected   `dump` and `dump --mem` of image.raw
 *   walk.expected    per probe: the entries `walk` draws and where it ends
 *   lint.raw/.elf/.regs, lint.expected          a table set with one planted
 *                    problem per `lint` finding kind, and the findings
 *   lint-dump*.expected                         its mappings
 *   clean.raw/.elf/.regs, clean-dump*.expected, clean-stats.expected
 *                    the same without the problems: no findings; its mappings;
 *                    `stats` as the os builder counts (pw_os_stats)
 *   loop.raw/.elf/.regs                         the clean set with a table loop
 *
 * The expected lines come from what was built (LA, PA, size, flags) and the
 * rules of x86-paging.md, never from pw_walk: the test checks the walker, so
 * it must not borrow its answers. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagewalk/pagewalk.h"
#include "mkscan.h"

#define IMAGE_SIZE (UINT64_C(16) << 20)
#define POOL_BASE  (UINT64_C(1) << 20)   /* page tables live in [1 MiB, 2 MiB) */
#define POOL_SIZE  (UINT64_C(1) << 20)
#define PATH_MAX_LEN 4096
#define MAX_ROWS 16
#define LA32_MASK PW_BITS(31, 0)
#define PSE36_BITS PW_BITS(21, 13)       /* R5.7: reserved in a 4 MiB PDE without PSE-36 */
#define PDPTE_COUNT 4
#define PDPTE_BYTES 8
#define KEY(k) ((uint64_t)(k) << PTE_PK_SHIFT)
/* PKRU: access-disable bit of key k, write-disable bit of key k (R8.7). */
#define PKRU_AD(k) (UINT32_C(1) << (2 * (k)))
#define PKRU_WD(k) (UINT32_C(1) << (2 * (k) + 1))
#define TABLE_FLAGS_DEFAULT (PTE_RW | PTE_US | PTE_A) /* os.h default */

/* ---- What to build ---- */

typedef struct {
    uint64_t la, pa;
    pw_page_size size;
    uint64_t flags;     /* for pw_os_map */
    uint64_t off;       /* probed at la + off */
    uint64_t alias;     /* non-zero: also probe (la + off) | alias (R2.1: the LA is 32 bits) */
} mapping;

typedef enum {
    SP_NOT_PRESENT, /* the entry at `level` on la's path is 0 */
    SP_OS_BITS,     /* ... is written as `bits`, a not-present entry with OS bits */
    SP_RSVD,        /* `map` is mapped, then `bits` are ORed into the entry at `level` */
    SP_BUS,         /* the entry at `level` points to a table at `bits`, outside the image */
    SP_GP,          /* la is not canonical */
} sp_kind;

typedef struct {
    sp_kind kind;
    uint64_t la;        /* the probe (SP_RSVD: map.la + map.off) */
    unsigned level;
    uint64_t bits;
    mapping map;
} special;

typedef struct {
    const char *name;
    pw_mode mode;
    unsigned maxphyaddr;
    uint64_t cr0, cr4, efer;
    uint32_t pkru;
    uint64_t table_flags;
    const char *efer_note;
    mapping maps[MAX_ROWS];
    special sps[MAX_ROWS];
} plan;

#define CR0_PAGING (CR0_PE | CR0_WP | CR0_PG)

/* The rows end at the first zero row (no mapping has size 4K at LA 0 with no flags). */
static const plan plans[] = {
    {
        .name = "32", .mode = PW_MODE_32, .maxphyaddr = 40,
        .cr0 = CR0_PAGING, .cr4 = CR4_PSE | CR4_PGE, .efer = 0,
        .table_flags = TABLE_FLAGS_DEFAULT,
        .maps = {
            {0x00400000, 0x00800000, PW_SIZE_4K, PTE_RW | PTE_US | PTE_A | PTE_D, 0x123, UINT64_C(1) << 32},
            {0x00401000, 0x00801000, PW_SIZE_4K, PTE_A, 0x7ff, 0},
            {0x00402000, 0x00a03000, PW_SIZE_4K, PTE_RW | PTE_G | PTE_PCD, 0xfff, 0},
            {0x00405000, 0x00c05000, PW_SIZE_4K, PTE_US | PTE_PWT | PW_OS_PAT | PTE_A, 0x10, 0},
            {0x00800000, 0x01000000, PW_SIZE_4M, PTE_RW | PTE_US | PTE_A | PTE_D | PW_OS_PAT, 0x3abcde, 0},
            {0x40000000, UINT64_C(0x100400000), PW_SIZE_4M, PTE_US | PTE_G | PTE_PWT, 0x1234, 0},
            {0xffc00000, 0xffc00000, PW_SIZE_4M, PTE_RW, 0x3ffffc, 0},
        },
        .sps = {
            {.kind = SP_NOT_PRESENT, .la = 0x80000000, .level = 2},
            {.kind = SP_NOT_PRESENT, .la = 0x00403000, .level = 1},
            {.kind = SP_OS_BITS, .la = 0x00404abc, .level = 1, .bits = 0xdeadb00e},
            {.kind = SP_RSVD, .level = 2, .bits = PW_BIT(21), /* R5.7: 21:(40-19) */
             .map = {0x00c00000, 0x02000000, PW_SIZE_4M, PTE_RW | PTE_US | PTE_A, 0x2345, 0}},
            {.kind = SP_BUS, .la = 0xc0123000, .level = 2, .bits = 0x40000000},
        },
    },
    {
        .name = "pae", .mode = PW_MODE_PAE, .maxphyaddr = 36,
        .cr0 = CR0_PAGING, .cr4 = CR4_PAE | CR4_PGE, .efer = EFER_NXE,
        .table_flags = TABLE_FLAGS_DEFAULT,
        .maps = {
            {0x00400000, 0x00800000, PW_SIZE_4K, PTE_RW | PTE_US | PTE_A | PTE_D, 0x123, UINT64_C(1) << 32},
            {0x00401000, 0x00801000, PW_SIZE_4K, PTE_XD | PTE_A, 0x456, 0},
            {0x00402000, UINT64_C(0xffffff000), PW_SIZE_4K, PTE_RW | PTE_G | PTE_PCD | PTE_PWT, 0xfff, 0},
            {0x00600000, 0x01000000, PW_SIZE_2M, PTE_RW | PTE_US | PTE_A | PTE_D | PW_OS_PAT, 0x1abcde, 0},
            {0x40000000, UINT64_C(0x800000000), PW_SIZE_2M, PTE_US | PTE_XD | PTE_A | PTE_G, 0x12345, 0},
            {0x80000000, 0x00900000, PW_SIZE_4K, PTE_RW | PTE_US, 0, 0},
        },
        .sps = {
            {.kind = SP_NOT_PRESENT, .la = 0xc0000000, .level = 3},  /* PDPTE register 3 */
            {.kind = SP_NOT_PRESENT, .la = 0x40200000, .level = 2},
            {.kind = SP_OS_BITS, .la = 0x00403000, .level = 1, .bits = UINT64_C(0x8000000123456006)},
            {.kind = SP_RSVD, .level = 1, .bits = PW_BIT(40), /* R5.1: 62:36 */
             .map = {0x00404000, 0x00804000, PW_SIZE_4K, PTE_RW | PTE_US | PTE_A, 0x44, 0}},
            {.kind = SP_BUS, .la = 0x80612000, .level = 2, .bits = UINT64_C(0xf00000000)},
        },
    },
    {
        .name = "4level", .mode = PW_MODE_4LVL, .maxphyaddr = 46,
        .cr0 = CR0_PAGING, .cr4 = CR4_PAE | CR4_PGE | CR4_PKE,
        .efer = EFER_LME | EFER_NXE, .efer_note = "LME|NXE without LMA: the CLI sets LMA",
        .pkru = PKRU_AD(7) | PKRU_WD(5),
        .table_flags = TABLE_FLAGS_DEFAULT,
        .maps = {
            {UINT64_C(0x00007f0000001000), 0x12345000, PW_SIZE_4K, PTE_RW | PTE_US | PTE_A | PTE_D | KEY(5), 0x234, 0},
            {UINT64_C(0x00007f0000002000), 0x12346000, PW_SIZE_4K, PTE_US | PTE_A | KEY(7), 0x10, 0},
            {UINT64_C(0xffff800000000000), 0x00a00000, PW_SIZE_4K, PTE_RW | PTE_G | PTE_XD | PTE_A | PTE_D, 0xabc, 0},
            {UINT64_C(0x0000000040000000), UINT64_C(0x3fffffe00000), PW_SIZE_2M, PTE_RW | PTE_US | PTE_PCD | PTE_A | KEY(15), 0x1fffff, 0},
            {UINT64_C(0x0000008000000000), 0x40000000, PW_SIZE_1G, PTE_US | PTE_A | PTE_D | PW_OS_PAT | KEY(1), 0x3fffffff, 0},
            {UINT64_C(0x00007f0000003000), 0x5000, PW_SIZE_4K, PTE_RW | PTE_US, 0, 0},
        },
        .sps = {
            {.kind = SP_NOT_PRESENT, .la = UINT64_C(0x0000400000000000), .level = 4},
            {.kind = SP_NOT_PRESENT, .la = UINT64_C(0x00007f0000004000), .level = 1},
            {.kind = SP_OS_BITS, .la = UINT64_C(0x00007f0000005000), .level = 1, .bits = UINT64_C(0x7ff0000000000ffe)},
            {.kind = SP_RSVD, .level = 4, .bits = PTE_PS, /* R5.3 */
             .map = {UINT64_C(0x0000010000000000), 0x6000, PW_SIZE_4K, PTE_RW | PTE_US | PTE_A, 0x66, 0}},
            {.kind = SP_RSVD, .level = 2, .bits = PW_BIT(13), /* R5.5: 20:13 */
             .map = {UINT64_C(0x0000000040200000), 0x00200000, PW_SIZE_2M, PTE_RW | PTE_US | PTE_A, 0x777, 0}},
            {.kind = SP_BUS, .la = UINT64_C(0x00007f0040a00000), .level = 3, .bits = UINT64_C(0x3f0000000000)},
            {.kind = SP_GP, .la = UINT64_C(0x8000000000000000)},
            {.kind = SP_GP, .la = UINT64_C(0x0000800000000000)},
            {.kind = SP_GP, .la = UINT64_C(0xffff7fffffffffff)},
        },
    },
    {
        .name = "5level", .mode = PW_MODE_5LVL, .maxphyaddr = 52,
        .cr0 = CR0_PAGING, .cr4 = CR4_PAE | CR4_PGE | CR4_LA57 | CR4_PKE,
        .efer = EFER_LME | EFER_LMA | EFER_NXE,
        .pkru = PKRU_AD(7) | PKRU_WD(5),
        .table_flags = PTE_RW | PTE_US, /* no A: walks set it, in the CLI's private copy */
        .maps = {
            {UINT64_C(0xff123456789ab000), UINT64_C(0x000ffffffffff000), PW_SIZE_4K, PTE_RW | PTE_A | PTE_D, 0xfff, 0},
            {UINT64_C(0x00abcdef01234000), 0x7000, PW_SIZE_4K, PTE_RW | PTE_US | PTE_A | KEY(5), 0x8, 0},
            {UINT64_C(0x0000000000600000), 0x00e00000, PW_SIZE_2M, PTE_US | PTE_XD | PTE_A | KEY(7), 0x100, 0},
            {UINT64_C(0x00ffffffc0000000), UINT64_C(0x000fffffc0000000), PW_SIZE_1G, PTE_RW | PTE_US | PTE_G | PTE_A | PTE_D, 0x12345678, 0},
        },
        .sps = {
            {.kind = SP_NOT_PRESENT, .la = UINT64_C(0x0080000000000000), .level = 5},
            {.kind = SP_OS_BITS, .la = UINT64_C(0x00abcdef01235000), .level = 1, .bits = 0xffe},
            {.kind = SP_RSVD, .level = 3, .bits = PW_BIT(13), /* R5.5: 29:13 */
             .map = {UINT64_C(0x0000004000000000), 0x40000000, PW_SIZE_1G, PTE_RW | PTE_US | PTE_A, 0x9abc, 0}},
            {.kind = SP_BUS, .la = UINT64_C(0x000000c8c0000000), .level = 4, .bits = UINT64_C(0x0008000000000000)},
            {.kind = SP_GP, .la = UINT64_C(0x0100000000000000)},
            {.kind = SP_GP, .la = UINT64_C(0xfe00000000000000)},
        },
    },
};

/* ---- Access kinds: one expected file each ---- */

typedef struct {
    const char *name;
    pw_access_kind kind;
    bool user;
    bool no_1g;     /* --no-1g */
    bool no_pse36;  /* --no-pse36 */
} access;

static const access accesses[] = {
    {"read", PW_ACC_READ, false, false, false},
    {"uwrite", PW_ACC_WRITE, true, false, false},
    {"fetch", PW_ACC_FETCH, false, false, false},
    {"no1g", PW_ACC_READ, false, true, false},
    {"nopse36", PW_ACC_READ, false, false, true},
};

/* ---- Failing loudly ---- */

static void die(const char *fmt, ...)
{
    va_list ap;
    fputs("mkimage: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

#define CHECK(call)                                                                       \
    do {                                                                                  \
        pw_status st_ = (call);                                                           \
        if (st_ != PW_OK)                                                                 \
            die("%s:%d: %s: %s", __FILE__, __LINE__, #call, pw_status_str(st_));          \
    } while (0)

static bool row_used(const mapping *m)
{
    return m->la || m->pa || m->flags || m->off;
}

static bool sp_used(const special *s)
{
    return s->la || s->level || row_used(&s->map);
}

/* ---- The rules (x86-paging.md), for the simple machine the plans set up:
 * SMEP, SMAP, PKS and CET off; tables give R/W and U/S of table_flags. ---- */

static bool long_mode(const plan *p)
{
    return p->mode == PW_MODE_4LVL || p->mode == PW_MODE_5LVL;
}

static unsigned leaf_level(pw_page_size s)
{
    return s == PW_SIZE_4K ? PW_LVL_PT : s == PW_SIZE_1G ? PW_LVL_PDPT : PW_LVL_PD;
}

static uint64_t size_bytes(pw_page_size s)
{
    switch (s) {
    case PW_SIZE_2M: return UINT64_C(1) << 21;
    case PW_SIZE_4M: return UINT64_C(1) << 22;
    case PW_SIZE_1G: return UINT64_C(1) << 30;
    default: return UINT64_C(1) << 12;
    }
}

static const char *size_name(pw_page_size s)
{
    static const char *const names[] = {"4K", "2M", "4M", "1G"};
    return names[s];
}

/* R1.2: XD exists only outside 32-bit paging, with NXE. */
static bool nxe(const plan *p)
{
    return p->mode != PW_MODE_32 && (p->efer & EFER_NXE);
}

/* R10.1: W, U (a user access, not implicit), I/D (fetch with SMEP or NXE). */
static uint32_t access_bits(const plan *p, const access *a)
{
    uint32_t e = 0;
    if (a->kind == PW_ACC_WRITE)
        e |= PF_W;
    if (a->user)
        e |= PF_U;
    if (a->kind == PW_ACC_FETCH && nxe(p))
        e |= PF_ID;
    return e;
}

/* Is the leaf reserved for this CPU? R5.4 (no 1 GiB pages), R5.7 (no PSE-36). */
static bool leaf_reserved(const access *a, pw_page_size s, uint64_t raw)
{
    return (a->no_1g && s == PW_SIZE_1G) || (a->no_pse36 && s == PW_SIZE_4M && (raw & PSE36_BITS));
}

/* R8.3-R8.9 and R10.4: 0 when allowed, else the error code. */
static uint32_t rights_fault(const plan *p, const access *a, const mapping *m)
{
    bool rw = (m->flags & PTE_RW) && (p->table_flags & PTE_RW);   /* R8.2 */
    bool us = (m->flags & PTE_US) && (p->table_flags & PTE_US);
    bool xd = nxe(p) && (m->flags & PTE_XD);
    bool wp = (p->cr0 & CR0_WP) != 0;
    bool write = a->kind == PW_ACC_WRITE;
    bool deny, pk = false;
    if (a->kind == PW_ACC_FETCH) {
        deny = xd || (a->user && !us);                    /* R8.9, SMEP off */
    } else {
        deny = a->user ? (!us || (write && !rw))          /* R8.3 */
                       : (write && !rw && wp);            /* R8.4, R8.5 */
        if (long_mode(p) && (p->cr4 & CR4_PKE) && us) {   /* R8.7 */
            unsigned key = (unsigned)((m->flags & PTE_PK) >> PTE_PK_SHIFT);
            pk = (p->pkru & PKRU_AD(key)) || (write && (p->pkru & PKRU_WD(key)) && (a->user || wp));
        }
    }
    if (!deny && !pk)
        return 0;
    return access_bits(p, a) | PF_P | (pk ? PF_PK : 0);
}

/* ---- Output lines, in the format of docs/cli.md ---- */

static void line_ok(FILE *f, uint64_t la, const plan *p, const mapping *m, uint64_t off)
{
    bool rw = (m->flags & PTE_RW) && (p->table_flags & PTE_RW);
    bool us = (m->flags & PTE_US) && (p->table_flags & PTE_US);
    bool xd = nxe(p) && (m->flags & PTE_XD);
    bool g = (m->flags & PTE_G) && (p->cr4 & CR4_PGE);                        /* R11.4 */
    unsigned pk = long_mode(p) ? (unsigned)((m->flags & PTE_PK) >> PTE_PK_SHIFT) : 0;
    unsigned mt = ((m->flags & PTE_PWT) ? PW_MT_PWT : 0) | ((m->flags & PTE_PCD) ? PW_MT_PCD : 0) |
                  ((m->flags & PW_OS_PAT) ? PW_MT_PAT : 0);
    fprintf(f,
            "0x%016" PRIx64 " ok pa=0x%016" PRIx64 " size=%s level=%u rw=%d us=%d xd=%d g=%d pk=%x"
            " mt=0x%x\n",
            la, m->pa + off, size_name(m->size), leaf_level(m->size), rw, us, xd, g, pk, mt);
}

static void line_pf(FILE *f, uint64_t la, uint32_t err, unsigned level, uint64_t entry, uint64_t epa)
{
    fprintf(f, "0x%016" PRIx64 " pf err=0x%04" PRIx32 " level=%u entry=0x%016" PRIx64
               " entry_pa=0x%016" PRIx64 "\n",
            la, err, level, entry, epa);
}

/* ---- Building ---- */

static uint64_t entry_read(pw_image *img, const plan *p, uint64_t pa)
{
    if (p->mode == PW_MODE_32) {
        uint32_t v;
        CHECK(pw_image_read32(img, pa, &v));
        return v;
    }
    uint64_t v;
    CHECK(pw_image_read64(img, pa, &v));
    return v;
}

static void entry_write(pw_image *img, const plan *p, uint64_t pa, uint64_t v)
{
    if (p->mode == PW_MODE_32)
        CHECK(pw_image_write32(img, pa, (uint32_t)v));
    else
        CHECK(pw_image_write64(img, pa, v));
}

/* Index of la in the table at `level` and the entry size (R2.2-R2.5). */
static uint64_t entry_offset(const plan *p, unsigned level, uint64_t la)
{
    unsigned bits = p->mode == PW_MODE_32 ? PW_LEVEL_BITS_32 : PW_LEVEL_BITS;
    unsigned shift = PW_PAGE_SHIFT + bits * (level - 1);
    uint64_t idx = (la >> shift) & (PW_BIT(bits) - 1);
    return idx * (p->mode == PW_MODE_32 ? 4 : 8);
}

typedef struct {
    uint64_t leaf[MAX_ROWS];       /* raw leaf of each mapping, as built */
    uint64_t leaf_pa[MAX_ROWS];    /* and where it is */
    uint64_t sp_entry[MAX_ROWS];   /* the entry a special probe finds */
    uint64_t sp_epa[MAX_ROWS];     /* and where it is */
} built;

static void build(const plan *p, pw_image *img, pw_os **os_out, built *b)
{
    pw_config cfg;
    pw_config_default(&cfg);
    cfg.maxphyaddr = p->maxphyaddr;
    pw_os_opts opts = {.table_flags = p->table_flags};
    pw_os *os;
    CHECK(pw_os_new(img, &cfg, p->mode, POOL_BASE, POOL_SIZE, &opts, &os));
    *os_out = os;

    for (const mapping *m = p->maps; m < p->maps + MAX_ROWS && row_used(m); m++) {
        if (m->off >= size_bytes(m->size))
            die("plan %s: offset 0x%" PRIx64 " outside its page", p->name, m->off);
        CHECK(pw_os_map(os, m->la, m->pa, m->size, m->flags));
    }
    for (const special *s = p->sps; s < p->sps + MAX_ROWS && sp_used(s); s++)
        if (s->kind == SP_RSVD)
            CHECK(pw_os_map(os, s->map.la, s->map.pa, s->map.size, s->map.flags));

    /* Raw edits, after every map, so that the builder never sees them. */
    for (size_t i = 0; i < MAX_ROWS && sp_used(&p->sps[i]); i++) {
        const special *s = &p->sps[i];
        uint64_t la = s->kind == SP_RSVD ? s->map.la : s->la;
        if (s->kind == SP_GP)
            continue;
        CHECK(pw_os_entry_pa(os, la, s->level, &b->sp_epa[i]));
        uint64_t e = entry_read(img, p, b->sp_epa[i]);
        switch (s->kind) {
        case SP_NOT_PRESENT:
            if (e)
                die("plan %s: entry for 0x%" PRIx64 " at level %u is not empty", p->name, la, s->level);
            break;
        case SP_OS_BITS:
            if (e || (s->bits & PTE_P))
                die("plan %s: OS-bits entry for 0x%" PRIx64 " is wrong", p->name, la);
            e = s->bits;
            break;
        case SP_RSVD:
            e |= s->bits;
            break;
        case SP_BUS:
            if (e)
                die("plan %s: entry for 0x%" PRIx64 " at level %u is not empty", p->name, la, s->level);
            e = s->bits | PTE_P | PTE_RW | PTE_US | PTE_A;
            break;
        case SP_GP:
            break;
        }
        entry_write(img, p, b->sp_epa[i], e);
        b->sp_entry[i] = e;
    }

    for (size_t i = 0; i < MAX_ROWS && row_used(&p->maps[i]); i++) {
        CHECK(pw_os_entry_pa(os, p->maps[i].la, leaf_level(p->maps[i].size), &b->leaf_pa[i]));
        b->leaf[i] = entry_read(img, p, b->leaf_pa[i]);
    }
}

/* ---- Expected output ---- */

/* A probe of mapping m; raw and epa: its leaf entry and where it is. */
static void expect_map(FILE *f, const plan *p, const access *a, const mapping *m, uint64_t raw,
                       uint64_t epa, uint64_t la)
{
    unsigned level = leaf_level(m->size);
    uint32_t err = leaf_reserved(a, m->size, raw) ? access_bits(p, a) | PF_P | PF_RSVD  /* R7.1 b */
                                                  : rights_fault(p, a, m);              /* R7.3 */
    if (err)
        line_pf(f, la, err, level, raw, epa);
    else
        line_ok(f, la, p, m, m->off);
}

static void write_expected(FILE *f, const plan *p, const access *a, const built *b)
{
    for (size_t i = 0; i < MAX_ROWS && row_used(&p->maps[i]); i++) {
        const mapping *m = &p->maps[i];
        expect_map(f, p, a, m, b->leaf[i], b->leaf_pa[i], m->la + m->off);
        if (m->alias)
            expect_map(f, p, a, m, b->leaf[i], b->leaf_pa[i], (m->la + m->off) | m->alias);
    }
    for (size_t i = 0; i < MAX_ROWS && sp_used(&p->sps[i]); i++) {
        const special *s = &p->sps[i];
        uint32_t acc = access_bits(p, a);
        switch (s->kind) {
        case SP_NOT_PRESENT:
        case SP_OS_BITS:
            line_pf(f, s->la, acc, s->level, b->sp_entry[i], b->sp_epa[i]);     /* R7.1 a */
            break;
        case SP_RSVD:
            line_pf(f, s->map.la + s->map.off, acc | PF_P | PF_RSVD, s->level, b->sp_entry[i],
                    b->sp_epa[i]);                                              /* R7.1 b */
            break;
        case SP_BUS:
            fprintf(f, "0x%016" PRIx64 " bus-error level=%u entry_pa=0x%016" PRIx64 "\n", s->la,
                    s->level - 1, s->bits + entry_offset(p, s->level - 1, s->la));
            break;
        case SP_GP:
            fprintf(f, "0x%016" PRIx64 " gp non-canonical\n", s->la);           /* R2.1 */
            break;
        }
    }
}

/* ---- What `dump` and `walk` must show (written by mkscan.c) ---- */

/* R2.1: 4/5-level LAs are printed sign-extended. */
static uint64_t canonical(const plan *p, uint64_t la)
{
    unsigned top = p->mode == PW_MODE_5LVL ? 56 : p->mode == PW_MODE_4LVL ? 47 : 63;
    return (top < 63 && (la >> top) & 1) ? la | ~(PW_BIT(top + 1) - 1) : la;
}

/* Bytes of LA one entry at `level` covers (R2.2-R2.5). */
static uint64_t coverage(const plan *p, unsigned level)
{
    unsigned bits = p->mode == PW_MODE_32 ? PW_LEVEL_BITS_32 : PW_LEVEL_BITS;
    return PW_BIT(PW_PAGE_SHIFT + bits * (level - 1));
}

/* A mapping as built, with its rights combined with the plan's table flags
 * (R8.2; PAE PDPTEs carry none, R6.3). */
static mk_leaf leaf_of(const plan *p, const mapping *m)
{
    return (mk_leaf){.la = canonical(p, m->la), .pa = m->pa, .size = m->size, .flags = m->flags,
                     .us = (m->flags & PTE_US) && (p->table_flags & PTE_US),
                     .rw = (m->flags & PTE_RW) && (p->table_flags & PTE_RW),
                     .xd = nxe(p) && (m->flags & PTE_XD)};
}

/* dump.expected, dump-mem.expected: every mapping (those made reserved by
 * hand map nothing); walk.expected: where the walk of every probe ends. */
static void write_scan_expected(const plan *p, const char *dir)
{
    mk_leaf leaves[MAX_ROWS];
    mk_bus bus[MAX_ROWS];
    mk_probe probes[2 * MAX_ROWS];
    size_t nl = 0, nb = 0, np = 0;
    for (const mapping *m = p->maps; m < p->maps + MAX_ROWS && row_used(m); m++) {
        leaves[nl++] = leaf_of(p, m);
        probes[np++] = (mk_probe){m->la + m->off, MK_END_PAGE, leaf_level(m->size), m->size};
    }
    for (const special *s = p->sps; s < p->sps + MAX_ROWS && sp_used(s); s++) {
        switch (s->kind) {
        case SP_NOT_PRESENT:
        case SP_OS_BITS:
            probes[np++] = (mk_probe){s->la, MK_END_NOT_PRESENT, s->level, PW_SIZE_4K};
            break;
        case SP_RSVD:
            probes[np++] = (mk_probe){s->map.la + s->map.off, MK_END_RESERVED, s->level, PW_SIZE_4K};
            break;
        case SP_BUS: /* the table the entry at s->level points to covers what that entry covers */
            bus[nb++] = (mk_bus){canonical(p, s->la & ~(coverage(p, s->level) - 1)), s->level - 1,
                                 s->bits};
            probes[np++] = (mk_probe){s->la, MK_END_BUS, s->level - 1, PW_SIZE_4K};
            break;
        case SP_GP:
            probes[np++] = (mk_probe){s->la, MK_END_GP, 0, PW_SIZE_4K};
            break;
        }
    }
    mk_write_dump(dir, "", p->mode, leaves, nl, bus, nb);
    mk_write_walk(dir, p->mode, probes, np);
}

/* ---- Files ---- */

static FILE *create(const char *dir, const char *name)
{
    char path[PATH_MAX_LEN];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        die("path too long: %s/%s", dir, name);
    FILE *f = fopen(path, "wx"); /* never overwrite */
    if (!f)
        die("cannot create %s", path);
    return f;
}

static void finish(FILE *f, const char *name)
{
    if (ferror(f) || fclose(f) != 0)
        die("cannot write %s", name);
}

/* The regs file, in the varied spellings the format allows. */
static void write_regs(FILE *f, const plan *p, uint64_t cr3, const uint64_t *pdptes)
{
    fprintf(f, "# registers for mode %s, written by tests/cli/mkimage\n\n", p->name);
    fprintf(f, "cr0 = 0x%" PRIx64 "\n", p->cr0);
    fprintf(f, "cr3=0x%" PRIx64 "   # root table\n", cr3);
    fprintf(f, "\tCR4\t=\t0x%" PRIx64 "\n", p->cr4);
    if (p->efer_note)
        fprintf(f, "efer = 0x%" PRIx64 "  # %s\n", p->efer, p->efer_note);
    else
        fprintf(f, "efer = 0x%" PRIx64 "\n", p->efer);
    fprintf(f, "pkru = 0x%" PRIx32 "\n", p->pkru);
    fprintf(f, "maxphyaddr = %u\n", p->maxphyaddr);
    for (unsigned i = 0; pdptes && i < PDPTE_COUNT; i++)
        fprintf(f, "pdpte%u = 0x%016" PRIx64 "\n", i, pdptes[i]);
}

/* The registers as QEMU's `info registers` prints them (target/i386/
 * cpu-dump.c): the 64-bit layout in long mode, the 32-bit one otherwise; EFER
 * with LMA as the CPU has it. The general registers are made up. */
static void write_regs_qemu(FILE *f, const plan *p, uint64_t cr3)
{
    uint64_t efer = p->efer;
    if ((efer & EFER_LME) && (p->cr0 & CR0_PG))
        efer |= EFER_LMA;
    if (long_mode(p)) {
        fputs("RAX=0000000000000000 RBX=0000000000000000 RCX=0000000000000001 RDX=000000000004c5ac\n"
              "RSI=0000000000000087 RDI=0000000000000087 RBP=ffffffff82803e28 RSP=ffffffff82803e08\n"
              "R8 =ffff88807dc2b0a0 R9 =0000000000000200 R10=0000000000000001 R11=0000000000000000\n"
              "R12=0000000000000000 R13=0000000000000000 R14=0000000000000000 R15=0000000000000000\n"
              "RIP=ffffffff81e3a6ab RFL=00000246 [---Z-P-] CPL=0 II=0 A20=1 SMM=0 HLT=1\n"
              "ES =0000 0000000000000000 00000000 00000000\n"
              "CS =0010 0000000000000000 ffffffff 00a09b00 DPL=0 CS64 [-RA]\n"
              "SS =0018 0000000000000000 ffffffff 00c09300 DPL=0 DS   [-WA]\n"
              "DS =0000 0000000000000000 00000000 00000000\n"
              "FS =0000 0000000000000000 00000000 00000000\n"
              "GS =0000 ffff88807dc00000 00000000 00000000\n"
              "LDT=0000 0000000000000000 00000000 00008200 DPL=0 LDT\n"
              "TR =0040 fffffe0000003000 00004087 00008900 DPL=0 TSS64-avl\n"
              "GDT=     fffffe0000001000 0000007f\n"
              "IDT=     fffffe0000000000 00000fff\n",
              f);
        fprintf(f, "CR0=%08" PRIx64 " CR2=00007f5f2b4c1000 CR3=%016" PRIx64 " CR4=%08" PRIx64 "\n",
                p->cr0, cr3, p->cr4);
        fputs("DR0=0000000000000000 DR1=0000000000000000 DR2=0000000000000000 DR3=0000000000000000 \n"
              "DR6=00000000ffff0ff0 DR7=0000000000000400\n",
              f);
    } else {
        fputs("EAX=00000000 EBX=c1a5c000 ECX=00000000 EDX=00000000\n"
              "ESI=c1a5c000 EDI=c1a5c000 EBP=c1a01f3c ESP=c1a01f30\n"
              "EIP=c10238f6 EFL=00000246 [---Z-P-] CPL=0 II=0 A20=1 SMM=0 HLT=1\n"
              "ES =007b 00000000 ffffffff 00cff300 DPL=3 DS   [-WA]\n"
              "CS =0060 00000000 ffffffff 00cf9a00 DPL=0 CS32 [-R-]\n"
              "SS =0068 00000000 ffffffff 00c09300 DPL=0 DS   [-WA]\n"
              "DS =007b 00000000 ffffffff 00cff300 DPL=3 DS   [-WA]\n"
              "FS =00d8 0d6f8000 ffffffff 00809300 DPL=0 DS16 [-WA]\n"
              "GS =00e0 c1b3e7c0 00000018 00409100 DPL=0 DS   [--A]\n"
              "LDT=0000 00000000 00000000 00008200 DPL=0 LDT\n"
              "TR =0080 d7bf3d40 0000206b 00008b00 DPL=0 TSS32-busy\n"
              "GDT=     d7bee000 000000ff\n"
              "IDT=     fffba000 000007ff\n",
              f);
        fprintf(f, "CR0=%08" PRIx64 " CR2=b7794000 CR3=%08" PRIx64 " CR4=%08" PRIx64 "\n", p->cr0,
                cr3, p->cr4);
        fputs("DR0=00000000 DR1=00000000 DR2=00000000 DR3=00000000 \n"
              "DR6=ffff0ff0 DR7=00000400\n",
              f);
    }
    fprintf(f, "EFER=%016" PRIx64 "\n", efer);
    fputs("FCW=037f FSW=0000 [ST=0] FTW=00 MXCSR=00001f80\n"
          "FPR0=0000000000000000 0000 FPR1=0000000000000000 0000\n"
          "FPR2=0000000000000000 0000 FPR3=0000000000000000 0000\n"
          "FPR4=0000000000000000 0000 FPR5=0000000000000000 0000\n"
          "FPR6=0000000000000000 0000 FPR7=0000000000000000 0000\n"
          "XMM00=0000000000000000 0000000000000000 XMM01=0000000000000000 0000000000000000\n",
          f);
}

/* --elf: the ELF core, the QEMU register text and the runs that use it. */
static void write_elf_fixtures(const plan *p, pw_image *img, const char *dir, uint64_t cr3)
{
    char path[PATH_MAX_LEN];
    if (snprintf(path, sizeof path, "%s/image.elf", dir) >= (int)sizeof path)
        die("path too long");
    CHECK(pw_image_save_elf(img, path));
    FILE *f = create(dir, "regs.qemu");
    write_regs_qemu(f, p, cr3);
    finish(f, "regs.qemu");
    f = create(dir, "runs-qemu");
    char extra[64];
    snprintf(extra, sizeof extra, "--maxphyaddr %u --pkru 0x%" PRIx32, p->maxphyaddr, p->pkru);
    fprintf(f, "qemu-read regs.qemu read.expected %s\n", extra);
    fprintf(f, "qemu-uwrite regs.qemu uwrite.expected --user --write %s\n", extra);
    finish(f, "runs-qemu");
}

int main(int argc, char **argv)
{
    bool elf = argc == 4 && strcmp(argv[1], "--elf") == 0;
    if (elf) {
        argv++;
        argc--;
    }
    if (argc != 3)
        die("usage: mkimage [--elf] 32|pae|4level|5level DIR");
    const plan *p = NULL;
    for (size_t i = 0; i < sizeof plans / sizeof plans[0]; i++)
        if (strcmp(plans[i].name, argv[1]) == 0)
            p = &plans[i];
    if (!p)
        die("unknown mode '%s' (32, pae, 4level, 5level)", argv[1]);
    const char *dir = argv[2];

    pw_image *img;
    pw_os *os;
    built b;
    memset(&b, 0, sizeof b);
    CHECK(pw_image_sparse_new(IMAGE_SIZE, &img));
    build(p, img, &os, &b);
    uint64_t cr3 = pw_os_cr3(os);

    char path[PATH_MAX_LEN];
    if (snprintf(path, sizeof path, "%s/image.raw", dir) >= (int)sizeof path)
        die("path too long");
    CHECK(pw_image_save_raw(img, path));

    FILE *f = create(dir, "regs");
    write_regs(f, p, cr3, NULL);
    finish(f, "regs");
    f = create(dir, "regs-override");
    write_regs(f, p, 0, NULL); /* a wrong CR3 that --cr3 overrides */
    finish(f, "regs-override");
    if (p->mode == PW_MODE_PAE) {
        uint64_t pdptes[PDPTE_COUNT];
        for (unsigned i = 0; i < PDPTE_COUNT; i++)
            CHECK(pw_image_read64(img, (cr3 & CR3_PAE_BASE) + i * PDPTE_BYTES, &pdptes[i]));
        f = create(dir, "regs-pdpte");
        write_regs(f, p, cr3, pdptes);
        finish(f, "regs-pdpte");
    }

    FILE *runs = create(dir, "runs");
    for (size_t i = 0; i < sizeof accesses / sizeof accesses[0]; i++) {
        const access *a = &accesses[i];
        if ((a->no_1g && !long_mode(p)) || (a->no_pse36 && p->mode != PW_MODE_32))
            continue;
        char name[64];
        snprintf(name, sizeof name, "%s.expected", a->name);
        f = create(dir, name);
        write_expected(f, p, a, &b);
        finish(f, name);
    }
    fprintf(runs, "read regs read.expected\n");
    fprintf(runs, "read-aswalked regs read.expected --ad-policy as-walked\n");
    fprintf(runs, "implicit regs read.expected --user --implicit\n");
    fprintf(runs, "override regs-override read.expected --cr3 0x%" PRIx64 "\n", cr3);
    fprintf(runs, "uwrite regs uwrite.expected --user --write\n");
    fprintf(runs, "fetch regs fetch.expected --fetch\n");
    if (long_mode(p))
        fprintf(runs, "no1g regs no1g.expected --no-1g\n");
    if (p->mode == PW_MODE_32)
        fprintf(runs, "nopse36 regs nopse36.expected --no-pse36\n");
    if (p->mode == PW_MODE_PAE)
        fprintf(runs, "pdpte-regs regs-pdpte read.expected\n");
    finish(runs, "runs");
    if (elf)
        write_elf_fixtures(p, img, dir, cr3);

    write_scan_expected(p, dir);
    mk_write_lint_fixtures(dir, p->mode);

    pw_os_free(os);
    pw_image_free(img);
    return 0;
}
