/* Unit tests of the physical-memory images (image.h): sparse and raw
 * backends, range checks, the pw_mem port, saving raw dumps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pagewalk/pagewalk.h"

#define MIB (UINT64_C(1) << 20)
#define GIB (UINT64_C(1) << 30)

/* ---- helpers ---- */

static pw_image *sparse(uint64_t size)
{
    pw_image *img = NULL;
    assert_int_equal(pw_image_sparse_new(size, &img), PW_OK);
    assert_non_null(img);
    return img;
}

/* A temporary file in /tmp holding `len` bytes of pattern(i); its path in `path`. */
static uint8_t pattern(uint64_t i)
{
    return (uint8_t)(i * 7 + (i >> 12));
}

static void make_file(char *path, size_t path_len, uint64_t len)
{
    snprintf(path, path_len, "/tmp/pw_test_image_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    uint8_t *buf = malloc(len ? len : 1);
    assert_non_null(buf);
    for (uint64_t i = 0; i < len; i++)
        buf[i] = pattern(i);
    assert_int_equal(write(fd, buf, len), (ssize_t)len);
    free(buf);
    close(fd);
}

static bool file_matches_pattern(const char *path, uint64_t len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    bool ok = true;
    uint64_t i = 0;
    int c;
    while ((c = fgetc(f)) != EOF)
        ok &= i < len && (uint8_t)c == pattern(i++);
    fclose(f);
    return ok && i == len;
}

/* A path in a fresh directory that does not exist yet. */
static void fresh_path(char *dir, size_t dir_len, char *path, size_t path_len)
{
    snprintf(dir, dir_len, "/tmp/pw_test_save_XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, path_len, "%s/dump.raw", dir);
}

/* ---- sparse image ---- */

static void test_sparse_new_checks_size(void **state)
{
    (void)state;
    pw_image *img = (pw_image *)1;
    assert_int_equal(pw_image_sparse_new(0, &img), PW_ERR_ARG);
    assert_null(img);
    assert_int_equal(pw_image_sparse_new(PW_PAGE_SIZE + 1, &img), PW_ERR_ARG);
    assert_int_equal(pw_image_sparse_new(PW_BIT(52) + PW_PAGE_SIZE, &img), PW_ERR_ARG);
    assert_int_equal(pw_image_sparse_new(PW_PAGE_SIZE, NULL), PW_ERR_ARG);
    /* The largest image costs nothing until written. */
    img = sparse(PW_BIT(52));
    assert_int_equal(pw_image_size(img), PW_BIT(52));
    assert_int_equal(pw_image_write64(img, PW_BIT(52) - 8, 0x1122334455667788), PW_OK);
    uint64_t v;
    assert_int_equal(pw_image_read64(img, PW_BIT(52) - 8, &v), PW_OK);
    assert_int_equal(v, 0x1122334455667788);
    pw_image_free(img);
}

static void test_sparse_untouched_pages_read_zero(void **state)
{
    (void)state;
    pw_image *img = sparse(16 * MIB);
    uint8_t buf[3 * PW_PAGE_SIZE];
    memset(buf, 0xaa, sizeof buf);
    assert_int_equal(pw_image_read(img, 5 * MIB + 100, buf, sizeof buf), PW_OK);
    for (size_t i = 0; i < sizeof buf; i++)
        assert_int_equal(buf[i], 0);
    /* A written page next to untouched ones: only its bytes change. */
    assert_int_equal(pw_image_write32(img, PW_PAGE_SIZE + 4, 0xdeadbeef), PW_OK);
    assert_int_equal(pw_image_read(img, 0, buf, sizeof buf), PW_OK);
    for (size_t i = 0; i < sizeof buf; i++) {
        uint8_t want = (i >= PW_PAGE_SIZE + 4 && i < PW_PAGE_SIZE + 8)
                           ? (uint8_t)(0xdeadbeef >> (8 * (i - PW_PAGE_SIZE - 4)))
                           : 0;
        assert_int_equal(buf[i], want);
    }
    pw_image_free(img);
}

static void test_round_trip_little_endian(void **state)
{
    (void)state;
    pw_image *img = sparse(MIB);
    /* An 8-byte value straddling two pages. */
    uint64_t pa = PW_PAGE_SIZE - 3;
    assert_int_equal(pw_image_write64(img, pa, 0x0102030405060708), PW_OK);
    uint8_t b[8];
    assert_int_equal(pw_image_read(img, pa, b, sizeof b), PW_OK);
    for (unsigned i = 0; i < 8; i++)
        assert_int_equal(b[i], 8 - i); /* least significant byte first */
    uint64_t v64;
    uint32_t v32;
    assert_int_equal(pw_image_read64(img, pa, &v64), PW_OK);
    assert_int_equal(v64, 0x0102030405060708);
    assert_int_equal(pw_image_read32(img, pa + 4, &v32), PW_OK);
    assert_int_equal(v32, 0x01020304);
    assert_int_equal(pw_image_write32(img, 0x800, 0xcafef00d), PW_OK);
    assert_int_equal(pw_image_read32(img, 0x800, &v32), PW_OK);
    assert_int_equal(v32, 0xcafef00d);
    /* A large write across many pages, read back. */
    static uint8_t big[5 * PW_PAGE_SIZE + 17], back[sizeof big];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = pattern(i);
    assert_int_equal(pw_image_write(img, 3 * PW_PAGE_SIZE + 9, big, sizeof big), PW_OK);
    assert_int_equal(pw_image_read(img, 3 * PW_PAGE_SIZE + 9, back, sizeof back), PW_OK);
    assert_memory_equal(big, back, sizeof big);
    pw_image_free(img);
}

/* Thousands of scattered pages: the hash grows and the frame cache (frames
 * that collide in it) never returns the wrong page. */
static void test_many_scattered_pages(void **state)
{
    (void)state;
    pw_image *img = sparse(PW_BIT(40));
    enum { N = 5000 };
    for (uint64_t i = 0; i < N; i++) {
        uint64_t frame = (i * 0x10001 + (i << 20)) & (PW_BIT(28) - 1);
        assert_int_equal(pw_image_write64(img, frame << PW_PAGE_SHIFT, frame ^ 0x5a5a), PW_OK);
    }
    for (uint64_t i = 0; i < N; i++) {
        uint64_t frame = (i * 0x10001 + (i << 20)) & (PW_BIT(28) - 1);
        uint64_t v;
        assert_int_equal(pw_image_read64(img, frame << PW_PAGE_SHIFT, &v), PW_OK);
        assert_int_equal(v, frame ^ 0x5a5a);
        assert_int_equal(pw_image_read64(img, (frame << PW_PAGE_SHIFT) + 8, &v), PW_OK);
        assert_int_equal(v, 0);
    }
    pw_image_free(img);
}

static void test_out_of_range_and_overflow(void **state)
{
    (void)state;
    const uint64_t size = 4 * PW_PAGE_SIZE;
    pw_image *img = sparse(size);
    uint8_t buf[16] = {0};
    uint64_t v64;
    uint32_t v32;
    assert_int_equal(pw_image_read64(img, size - 8, &v64), PW_OK);
    assert_int_equal(pw_image_read64(img, size - 7, &v64), PW_ERR_RANGE);
    assert_int_equal(pw_image_read32(img, size, &v32), PW_ERR_RANGE);
    assert_int_equal(pw_image_write64(img, size - 4, 1), PW_ERR_RANGE);
    assert_int_equal(pw_image_write32(img, size - 4, 1), PW_OK);
    /* pa + len wraps around 2^64: must not look like a small address. */
    assert_int_equal(pw_image_read(img, UINT64_MAX, buf, 2), PW_ERR_RANGE);
    assert_int_equal(pw_image_write(img, UINT64_MAX - 3, buf, 8), PW_ERR_RANGE);
    assert_int_equal(pw_image_read64(img, UINT64_MAX - 6, &v64), PW_ERR_RANGE);
    assert_int_equal(pw_image_read(img, 0, buf, (size_t)size + 1), PW_ERR_RANGE);
    /* Zero bytes at the very end are inside memory; one byte is not. */
    assert_int_equal(pw_image_read(img, size, buf, 0), PW_OK);
    assert_int_equal(pw_image_read(img, size, buf, 1), PW_ERR_RANGE);
    /* A failed write changes nothing. */
    memset(buf, 0xff, sizeof buf);
    assert_int_equal(pw_image_write(img, size - 8, buf, sizeof buf), PW_ERR_RANGE);
    assert_int_equal(pw_image_read64(img, size - 8, &v64), PW_OK);
    assert_int_equal(v64, UINT64_C(1) << 32); /* the write32 of 1 above */
    pw_image_free(img);
}

static void test_null_arguments(void **state)
{
    (void)state;
    pw_image *img = sparse(MIB);
    uint8_t b[8];
    uint64_t v64;
    uint32_t v32;
    assert_int_equal(pw_image_read(NULL, 0, b, 1), PW_ERR_ARG);
    assert_int_equal(pw_image_read(img, 0, NULL, 1), PW_ERR_ARG);
    assert_int_equal(pw_image_write(NULL, 0, b, 1), PW_ERR_ARG);
    assert_int_equal(pw_image_write(img, 0, NULL, 1), PW_ERR_ARG);
    assert_int_equal(pw_image_read32(img, 0, NULL), PW_ERR_ARG);
    assert_int_equal(pw_image_read64(img, 0, NULL), PW_ERR_ARG);
    assert_int_equal(pw_image_read32(NULL, 0, &v32), PW_ERR_ARG);
    assert_int_equal(pw_image_read64(NULL, 0, &v64), PW_ERR_ARG);
    assert_int_equal(pw_image_write32(NULL, 0, 0), PW_ERR_ARG);
    assert_int_equal(pw_image_write64(NULL, 0, 0), PW_ERR_ARG);
    assert_int_equal(pw_image_save_raw(NULL, "/tmp/x"), PW_ERR_ARG);
    assert_int_equal(pw_image_save_raw(img, NULL), PW_ERR_ARG);
    pw_image *raw = (pw_image *)1;
    assert_int_equal(pw_image_raw_open(NULL, &raw), PW_ERR_ARG);
    assert_null(raw);
    assert_int_equal(pw_image_raw_open("/tmp/x", NULL), PW_ERR_ARG);
    assert_int_equal(pw_image_size(NULL), 0);
    pw_image_free(NULL);
    pw_image_mem(NULL, NULL);
    pw_image_free(img);
}

static void test_status_names(void **state)
{
    (void)state;
    for (int s = PW_OK; s <= PW_ERR_LIMIT; s++) {   /* PW_ERR_LIMIT is the last status */
        assert_non_null(pw_status_str((pw_status)s));
        assert_string_not_equal(pw_status_str((pw_status)s), "unknown status");
    }
    assert_string_equal(pw_status_str(PW_OK), "ok");
    assert_string_equal(pw_status_str((pw_status)999), "unknown status");
}

/* ---- pw_mem ---- */

static void test_mem_bus_errors(void **state)
{
    (void)state;
    const uint64_t size = 2 * PW_PAGE_SIZE;
    pw_image *img = sparse(size);
    pw_mem mem;
    pw_image_mem(img, &mem);
    assert_ptr_equal(mem.ctx, img);
    assert_null(mem.schedule);
    uint64_t v = 1;
    assert_int_equal(mem.read(mem.ctx, size - 8, 8, 0, &v), PW_MEM_OK);
    assert_int_equal(v, 0);
    assert_int_equal(mem.read(mem.ctx, size - 4, 4, 0, &v), PW_MEM_OK);
    /* outside memory, across its end, wrapping 2^64 */
    assert_int_equal(mem.read(mem.ctx, size, 8, 0, &v), PW_MEM_BUS_ERROR);
    assert_int_equal(mem.read(mem.ctx, size, 4, 0, &v), PW_MEM_BUS_ERROR);
    assert_int_equal(mem.read(mem.ctx, UINT64_MAX - 7, 8, 0, &v), PW_MEM_BUS_ERROR);
    /* misaligned to the access size */
    assert_int_equal(mem.read(mem.ctx, 4, 8, 0, &v), PW_MEM_BUS_ERROR);
    assert_int_equal(mem.read(mem.ctx, 2, 4, 0, &v), PW_MEM_BUS_ERROR);
    /* sizes other than 4 and 8 */
    assert_int_equal(mem.read(mem.ctx, 0, 1, 0, &v), PW_MEM_BUS_ERROR);
    assert_int_equal(mem.read(mem.ctx, 0, 2, 0, &v), PW_MEM_BUS_ERROR);
    assert_int_equal(mem.read(mem.ctx, 0, 16, 0, &v), PW_MEM_BUS_ERROR);
    assert_int_equal(mem.read(mem.ctx, 0, 0, 0, &v), PW_MEM_BUS_ERROR);
    assert_int_equal(mem.read(mem.ctx, 0, 8, 0, NULL), PW_MEM_BUS_ERROR);
    uint64_t old;
    assert_int_equal(mem.cas(mem.ctx, size, 8, 0, 1, 0, &old), PW_MEM_BUS_ERROR);
    assert_int_equal(mem.cas(mem.ctx, 4, 8, 0, 1, 0, &old), PW_MEM_BUS_ERROR);
    assert_int_equal(mem.cas(mem.ctx, 0, 2, 0, 1, 0, &old), PW_MEM_BUS_ERROR);
    /* nothing was written by the failed CASes */
    assert_int_equal(pw_image_read64(img, 0, &v), PW_OK);
    assert_int_equal(v, 0);
    pw_image_free(img);
}

static void test_mem_read_little_endian(void **state)
{
    (void)state;
    pw_image *img = sparse(MIB);
    pw_mem mem;
    pw_image_mem(img, &mem);
    assert_int_equal(pw_image_write64(img, 0x1008, 0x8877665544332211), PW_OK);
    uint64_t v;
    assert_int_equal(mem.read(mem.ctx, 0x1008, 8, 0, &v), PW_MEM_OK);
    assert_int_equal(v, 0x8877665544332211);
    assert_int_equal(mem.read(mem.ctx, 0x1008, 4, 0, &v), PW_MEM_OK);
    assert_int_equal(v, 0x44332211);
    assert_int_equal(mem.read(mem.ctx, 0x100c, 4, 0, &v), PW_MEM_OK);
    assert_int_equal(v, 0x88776655);
    pw_image_free(img);
}

/* R9.3: the A/D update is a compare-and-swap; *old is always the value found. */
static void test_R9_3_mem_cas_success_and_failure(void **state)
{
    (void)state;
    pw_image *img = sparse(MIB);
    pw_mem mem;
    pw_image_mem(img, &mem);
    const uint64_t pte = 0x0000000012345003; /* P, R/W */
    assert_int_equal(pw_image_write64(img, 0x2000, pte), PW_OK);
    uint64_t old = 0, v;
    /* success: memory held `expect` */
    assert_int_equal(mem.cas(mem.ctx, 0x2000, 8, pte, pte | PTE_A, 0, &old), PW_MEM_OK);
    assert_int_equal(old, pte);
    assert_int_equal(pw_image_read64(img, 0x2000, &v), PW_OK);
    assert_int_equal(v, pte | PTE_A);
    /* failure: memory changed since the walker read it; nothing is written */
    assert_int_equal(mem.cas(mem.ctx, 0x2000, 8, pte, pte | PTE_D, 0, &old), PW_MEM_OK);
    assert_int_equal(old, pte | PTE_A);
    assert_int_equal(pw_image_read64(img, 0x2000, &v), PW_OK);
    assert_int_equal(v, pte | PTE_A);
    /* 4-byte CAS touches 4 bytes only */
    assert_int_equal(pw_image_write64(img, 0x3000, 0xffffffff00000001), PW_OK);
    assert_int_equal(mem.cas(mem.ctx, 0x3000, 4, 1, 0x21, 0, &old), PW_MEM_OK);
    assert_int_equal(old, 1);
    assert_int_equal(pw_image_read64(img, 0x3000, &v), PW_OK);
    assert_int_equal(v, 0xffffffff00000021);
    assert_int_equal(mem.cas(mem.ctx, 0x3004, 4, 0, 5, 0, &old), PW_MEM_OK);
    assert_int_equal(old, 0xffffffff);
    assert_int_equal(pw_image_read64(img, 0x3000, &v), PW_OK);
    assert_int_equal(v, 0xffffffff00000021);
    /* CAS on an untouched page: current value 0 */
    assert_int_equal(mem.cas(mem.ctx, 0x9000, 8, 0, 7, 0, &old), PW_MEM_OK);
    assert_int_equal(old, 0);
    assert_int_equal(mem.read(mem.ctx, 0x9000, 8, 0, &v), PW_MEM_OK);
    assert_int_equal(v, 7);
    pw_image_free(img);
}

/* ---- raw files ---- */

static void test_raw_open_writes_stay_private(void **state)
{
    (void)state;
    char path[64];
    const uint64_t len = 3 * PW_PAGE_SIZE + 2; /* not a multiple of 4 KiB */
    make_file(path, sizeof path, len);
    pw_image *img = NULL;
    assert_int_equal(pw_image_raw_open(path, &img), PW_OK);
    assert_int_equal(pw_image_size(img), len);
    uint8_t b[PW_PAGE_SIZE];
    assert_int_equal(pw_image_read(img, PW_PAGE_SIZE, b, sizeof b), PW_OK);
    for (size_t i = 0; i < sizeof b; i++)
        assert_int_equal(b[i], pattern(PW_PAGE_SIZE + i));
    /* Byte i of the file is PA i, little-endian. */
    uint32_t v32;
    assert_int_equal(pw_image_read32(img, 0x10, &v32), PW_OK);
    assert_int_equal(v32, (uint32_t)pattern(0x10) | (uint32_t)pattern(0x11) << 8 |
                              (uint32_t)pattern(0x12) << 16 | (uint32_t)pattern(0x13) << 24);
    /* Writes are seen through the image ... */
    assert_int_equal(pw_image_write64(img, 0x2000, 0x1111222233334444), PW_OK);
    pw_mem mem;
    pw_image_mem(img, &mem);
    uint64_t v, old;
    assert_int_equal(mem.read(mem.ctx, 0x2000, 8, 0, &v), PW_MEM_OK);
    assert_int_equal(v, 0x1111222233334444);
    assert_int_equal(mem.cas(mem.ctx, 0x2000, 8, v, v | PTE_A, 0, &old), PW_MEM_OK);
    assert_int_equal(pw_image_read64(img, 0x2000, &v), PW_OK);
    assert_int_equal(v, 0x1111222233334444 | PTE_A);
    /* ... the last 2 bytes exist, a 4-byte access past them does not. */
    uint8_t tail[2];
    assert_int_equal(pw_image_read(img, len - 2, tail, 2), PW_OK);
    assert_int_equal(tail[1], pattern(len - 1));
    assert_int_equal(pw_image_read32(img, len - 2, &v32), PW_ERR_RANGE);
    assert_int_equal(mem.read(mem.ctx, 3 * PW_PAGE_SIZE, 4, 0, &v), PW_MEM_BUS_ERROR);
    pw_image_free(img);
    /* ... but never reach the file. */
    assert_true(file_matches_pattern(path, len));
    unlink(path);
}

static void test_raw_open_errors(void **state)
{
    (void)state;
    pw_image *img = (pw_image *)1;
    assert_int_equal(pw_image_raw_open("/tmp/pw_test_does/not/exist", &img), PW_ERR_IO);
    assert_null(img);
    assert_int_equal(pw_image_raw_open("/tmp", &img), PW_ERR_IO); /* a directory */
    assert_null(img);
    /* An empty file is an image of size 0: every access is out of range. */
    char path[64];
    make_file(path, sizeof path, 0);
    assert_int_equal(pw_image_raw_open(path, &img), PW_OK);
    assert_int_equal(pw_image_size(img), 0);
    uint64_t v;
    assert_int_equal(pw_image_read64(img, 0, &v), PW_ERR_RANGE);
    pw_mem mem;
    pw_image_mem(img, &mem);
    assert_int_equal(mem.read(mem.ctx, 0, 8, 0, &v), PW_MEM_BUS_ERROR);
    pw_image_free(img);
    unlink(path);
}

/* A dump larger than 4 GiB is mapped, not read: only touched pages cost. */
static void test_raw_open_multi_gib_file(void **state)
{
    (void)state;
    char path[64];
    make_file(path, sizeof path, 0);
    const uint64_t size = 6 * GIB;
    int fd = open(path, O_WRONLY);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)size), 0); /* a hole: no disk used */
    const uint64_t pte = 0x00000001fffff067;
    uint8_t le[8];
    for (unsigned i = 0; i < 8; i++)
        le[i] = (uint8_t)(pte >> (8 * i)); /* the dump is little-endian whatever the host */
    assert_int_equal(pwrite(fd, le, sizeof le, (off_t)(size - 8)), (ssize_t)sizeof le);
    close(fd);
    pw_image *img;
    assert_int_equal(pw_image_raw_open(path, &img), PW_OK);
    assert_int_equal(pw_image_size(img), size);
    pw_mem mem;
    pw_image_mem(img, &mem);
    uint64_t v, old;
    assert_int_equal(mem.read(mem.ctx, size - 8, 8, 0, &v), PW_MEM_OK);
    assert_int_equal(v, pte);
    assert_int_equal(mem.read(mem.ctx, 5 * GIB, 8, 0, &v), PW_MEM_OK);
    assert_int_equal(v, 0);
    assert_int_equal(mem.cas(mem.ctx, size - 8, 8, pte, pte | PTE_D, 0, &old), PW_MEM_OK);
    assert_int_equal(mem.read(mem.ctx, size, 8, 0, &v), PW_MEM_BUS_ERROR);
    pw_image_free(img);
    fd = open(path, O_RDONLY);
    uint8_t now[8];
    assert_int_equal(pread(fd, now, sizeof now, (off_t)(size - 8)), (ssize_t)sizeof now);
    assert_memory_equal(now, le, sizeof le); /* the D bit stayed in the private copy */
    close(fd);
    unlink(path);
}

static void test_save_raw_refuses_to_overwrite(void **state)
{
    (void)state;
    char path[64];
    const uint64_t len = 100;
    make_file(path, sizeof path, len);
    pw_image *img = sparse(MIB);
    assert_int_equal(pw_image_save_raw(img, path), PW_ERR_EXISTS);
    assert_true(file_matches_pattern(path, len));
    /* Not even the file a raw image maps. */
    pw_image *raw;
    assert_int_equal(pw_image_raw_open(path, &raw), PW_OK);
    assert_int_equal(pw_image_save_raw(raw, path), PW_ERR_EXISTS);
    assert_true(file_matches_pattern(path, len));
    /* An unwritable place is an I/O error. */
    assert_int_equal(pw_image_save_raw(img, "/tmp/pw_test_does/not/exist"), PW_ERR_IO);
    pw_image_free(raw);
    pw_image_free(img);
    unlink(path);
}

static void test_save_raw_writes_every_byte(void **state)
{
    (void)state;
    char dir[64], path[96];
    fresh_path(dir, sizeof dir, path, sizeof path);
    const uint64_t size = 8 * MIB;
    pw_image *img = sparse(size);
    assert_int_equal(pw_image_write64(img, 0, 0x0123456789abcdef), PW_OK);
    assert_int_equal(pw_image_write64(img, 5 * MIB + 0x10, 0xfedcba9876543210), PW_OK);
    assert_int_equal(pw_image_write32(img, size - 4, 0xa5a5a5a5), PW_OK);
    assert_int_equal(pw_image_save_raw(img, path), PW_OK);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal((uint64_t)sb.st_size, size);
    /* Read the dump back and compare every byte, holes included. */
    pw_image *back;
    assert_int_equal(pw_image_raw_open(path, &back), PW_OK);
    static uint8_t a[MIB], b[MIB];
    for (uint64_t pa = 0; pa < size; pa += sizeof a) {
        assert_int_equal(pw_image_read(img, pa, a, sizeof a), PW_OK);
        assert_int_equal(pw_image_read(back, pa, b, sizeof b), PW_OK);
        assert_memory_equal(a, b, sizeof a);
    }
    /* A raw image saves as well (private writes included). */
    char path2[110];
    snprintf(path2, sizeof path2, "%s/copy.raw", dir);
    assert_int_equal(pw_image_write32(back, 0x40, 0x77), PW_OK);
    assert_int_equal(pw_image_save_raw(back, path2), PW_OK);
    pw_image *copy;
    assert_int_equal(pw_image_raw_open(path2, &copy), PW_OK);
    assert_int_equal(pw_image_size(copy), size);
    uint64_t v;
    assert_int_equal(pw_image_read64(copy, 5 * MIB + 0x10, &v), PW_OK);
    assert_int_equal(v, 0xfedcba9876543210);
    uint32_t v32;
    assert_int_equal(pw_image_read32(copy, 0x40, &v32), PW_OK);
    assert_int_equal(v32, 0x77);
    pw_image_free(copy);
    pw_image_free(back);
    pw_image_free(img);
    unlink(path2);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sparse_new_checks_size),
        cmocka_unit_test(test_sparse_untouched_pages_read_zero),
        cmocka_unit_test(test_round_trip_little_endian),
        cmocka_unit_test(test_many_scattered_pages),
        cmocka_unit_test(test_out_of_range_and_overflow),
        cmocka_unit_test(test_null_arguments),
        cmocka_unit_test(test_status_names),
        cmocka_unit_test(test_mem_bus_errors),
        cmocka_unit_test(test_mem_read_little_endian),
        cmocka_unit_test(test_R9_3_mem_cas_success_and_failure),
        cmocka_unit_test(test_raw_open_writes_stay_private),
        cmocka_unit_test(test_raw_open_errors),
        cmocka_unit_test(test_raw_open_multi_gib_file),
        cmocka_unit_test(test_save_raw_refuses_to_overwrite),
        cmocka_unit_test(test_save_raw_writes_every_byte),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
