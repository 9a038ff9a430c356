/* Unit tests of reservations (os.h "Reservations"). SPEC: "a reserved 100 GiB
 * region costs no page tables at all: it is "not present" at the highest
 * level that covers it"; "the 63 other bits of a not-present entry belong to
 * the OS". Every fault here comes from pw_walk over the tables built. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "support/env.h"
#include "support/walkhelp.h"

#define GIB (UINT64_C(1) << 30)
#define TIB (UINT64_C(1) << 40)
#define PAGE PW_PAGE_SIZE
#define LA_100G (16 * TIB)   /* PML4 entry 32: no PDPT below it */
#define LA_1T   (32 * TIB)   /* PML4 entries 64 and 65, whole */
#define TAG_A 1u
#define TAG_B 2u
#define DATA_PA 0x100000u    /* frames the tests commit (the env's lower half) */

static uint64_t rsv(unsigned tag)
{
    return pw_os_np_encode(PW_OS_NP_RESERVED, tag, 0);
}

static pw_os_stats stats_of(pw_env *e)
{
    pw_os_stats st;
    pw_os_stats_get(e->os, &st);
    return st;
}

/* A supervisor read of la faults with P=0 at `level`, where the walk found `raw`. */
static void expect_np(pw_env *e, uint64_t la, unsigned level, uint64_t raw, int line)
{
    pw_result r = walk_line(e, (pw_request){.la = la, .kind = PW_ACC_READ}, line);
    if (r.outcome != PW_OUT_PF || r.err_code != 0 || r.level != level || r.raw_entry != raw)
        fail_msg("line %d: la 0x%llx: outcome %d err 0x%x level %u raw 0x%llx, want #PF(0) at "
                 "level %u raw 0x%llx", line, (unsigned long long)la, r.outcome, r.err_code,
                 r.level, (unsigned long long)r.raw_entry, level, (unsigned long long)raw);
}
#define EXPECT_NP(e, la, level, raw) expect_np((e), (la), (level), (raw), __LINE__)

static void expect_reservation(pw_env *e, uint64_t la, unsigned tag, unsigned level)
{
    pw_os_np np;
    assert_int_equal(pw_os_reservation(e->os, la, &np), PW_OK);
    assert_int_equal(np.state, PW_OS_NP_RESERVED);
    assert_int_equal(np.tag, tag);
    assert_int_equal(np.level, level);
}

static void env_up(pw_env *e, pw_mode m)
{
    assert_int_equal(pw_env_init(e, m, NULL, 0), PW_OK);
}

/* ---- The encoding ---- */

static void test_np_encoding_round_trip(void **state)
{
    (void)state;
    pw_os_np np;
    uint64_t e = pw_os_np_encode(PW_OS_NP_FILLING, PW_OS_TAG_MAX, PW_OS_OWNER_MAX);
    assert_int_equal(e & PTE_P, 0);            /* R7.1 (a): the walk stops here */
    assert_int_equal(e >> 32, 0);              /* fits a 32-bit paging entry */
    assert_true(pw_os_np_decode(e, &np));
    assert_int_equal(np.state, PW_OS_NP_FILLING);
    assert_int_equal(np.tag, PW_OS_TAG_MAX);
    assert_int_equal(np.owner, PW_OS_OWNER_MAX);
    assert_int_equal(rsv(7), PW_OS_NP_MARK | (UINT64_C(7) << PW_OS_NP_TAG_SHIFT));
    assert_true(pw_os_np_decode(rsv(0), &np));
    assert_int_equal(np.tag, 0);
    /* Out of range: no entry. */
    assert_int_equal(pw_os_np_encode(PW_OS_NP_RESERVED, PW_OS_TAG_MAX + 1, 0), 0);
    assert_int_equal(pw_os_np_encode(PW_OS_NP_FILLING, 1, PW_OS_OWNER_MAX + 1), 0);
    assert_int_equal(pw_os_np_encode(PW_OS_NP_RESERVED, 1, 5), 0);
    /* Not ours: present, empty, upper bits, an unknown state, RESERVED with an owner. */
    assert_false(pw_os_np_decode(rsv(1) | PTE_P, &np));
    assert_false(pw_os_np_decode(0, &np));
    assert_false(pw_os_np_decode(rsv(1) | PW_BIT(40), &np));
    assert_false(pw_os_np_decode(PW_OS_NP_MARK | (UINT64_C(3) << PW_OS_NP_STATE_SHIFT), &np));
    assert_false(pw_os_np_decode(rsv(1) | (UINT64_C(1) << PW_OS_NP_OWNER_SHIFT), &np));
}

/* ---- Zero tables ---- */

static void test_reserve_100g_and_1t_cost_zero_tables(void **state)
{
    (void)state;
    pw_env e;
    env_up(&e, PW_MODE_4LVL);
    pw_os_stats before = stats_of(&e);
    assert_int_equal(before.total_tables, 1); /* the PML4 */

    assert_int_equal(pw_os_reserve(e.os, LA_100G, 100 * GIB, TAG_A), PW_OK);
    pw_os_stats st = stats_of(&e);
    assert_int_equal(st.total_tables, before.total_tables);
    assert_int_equal(st.listed_ranges, 1);
    /* 100 GiB is part of one PML4 entry whose PDPT does not exist: the entry
     * stays 0 (the walk stops there) and the range is in the os's list. */
    EXPECT_NP(&e, LA_100G + 50 * GIB, PW_LVL_PML4, 0);
    expect_reservation(&e, LA_100G + 50 * GIB, TAG_A, 0);
    expect_reservation(&e, LA_100G + 100 * GIB - PAGE, TAG_A, 0);
    pw_os_np np;
    assert_int_equal(pw_os_reservation(e.os, LA_100G + 100 * GIB, &np), PW_ERR_RANGE);

    assert_int_equal(pw_os_reserve(e.os, LA_1T, TIB, TAG_B), PW_OK);
    st = stats_of(&e);
    assert_int_equal(st.total_tables, before.total_tables);
    assert_int_equal(st.table_bytes, before.table_bytes);
    assert_int_equal(st.listed_ranges, 1);
    /* 1 TiB = two whole PML4 entries: the OS bits are in them. */
    EXPECT_NP(&e, LA_1T, PW_LVL_PML4, rsv(TAG_B));
    EXPECT_NP(&e, LA_1T + 700 * GIB, PW_LVL_PML4, rsv(TAG_B));
    expect_reservation(&e, LA_1T + TIB - PAGE, TAG_B, PW_LVL_PML4);
    assert_int_equal(env_entry_get(&e, LA_1T, PW_LVL_PML4), rsv(TAG_B));
    assert_int_equal(env_entry_get(&e, LA_1T + 512 * GIB, PW_LVL_PML4), rsv(TAG_B));
    assert_int_equal(env_entry_get(&e, LA_1T + TIB, PW_LVL_PML4), 0);
    pw_env_free(&e);
}

/* Where tables exist, the reservation goes into their entries, at the highest
 * level whose entries the range covers whole. */
static void test_reserve_marks_entries_of_existing_tables(void **state)
{
    (void)state;
    pw_env e;
    env_up(&e, PW_MODE_4LVL);
    env_map(&e, 0, DATA_PA, PW_SIZE_4K, PTE_RW); /* PDPT, PD and PT of LA 0 */
    pw_os_stats before = stats_of(&e);
    assert_int_equal(pw_os_reserve(e.os, GIB, 100 * GIB, TAG_A), PW_OK);
    assert_int_equal(pw_os_reserve(e.os, PAGE, 2 * PAGE, TAG_B), PW_OK);
    pw_os_stats st = stats_of(&e);
    assert_int_equal(st.total_tables, before.total_tables);
    assert_int_equal(st.listed_ranges, 0);
    EXPECT_NP(&e, GIB, PW_LVL_PDPT, rsv(TAG_A));
    EXPECT_NP(&e, 100 * GIB + 0x1234, PW_LVL_PDPT, rsv(TAG_A));
    EXPECT_NP(&e, 101 * GIB, PW_LVL_PDPT, 0);
    EXPECT_NP(&e, PAGE, PW_LVL_PT, rsv(TAG_B));
    EXPECT_NP(&e, 2 * PAGE, PW_LVL_PT, rsv(TAG_B));
    EXPECT_NP(&e, 3 * PAGE, PW_LVL_PT, 0);
    EXPECT_OK(&e, .la = 0, .kind = PW_ACC_READ);
    pw_env_free(&e);
}

/* ---- Commit: exactly the tables on the path ---- */

/* Per mode: a reservation of two whole root entries (OS bits in the root),
 * and the tables a commit adds: one per level below the root. */
static void test_commit_allocates_exactly_its_path_every_mode(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_mode m = ALL_MODES[i];
        unsigned top = pw_mode_levels(m);
        uint64_t span = PW_BIT(pw_level_shift(m, top)); /* one root entry */
        uint64_t base = m == PW_MODE_PAE ? span : 2 * span;
        pw_env e;
        env_up(&e, m);
        assert_int_equal(pw_os_reserve(e.os, base, 2 * span, TAG_A), PW_OK);
        assert_int_equal(pw_env_load_regs(&e), PW_OK); /* PAE: the PDPTE registers (R6) */
        pw_os_stats st0 = stats_of(&e);
        assert_int_equal(st0.total_tables, 1);
        EXPECT_NP(&e, base + span, top, rsv(TAG_A));

        uint64_t la = base + 5 * PAGE;
        assert_int_equal(pw_os_commit(e.os, la, DATA_PA, PTE_RW), PW_OK);
        assert_int_equal(pw_env_load_regs(&e), PW_OK);
        pw_os_stats st1 = stats_of(&e);
        assert_int_equal(st1.total_tables - st0.total_tables, top - 1);
        for (unsigned l = PW_LVL_PT; l < top; l++)
            assert_int_equal(st1.tables[l], 1);
        assert_int_equal(st1.leaves[PW_SIZE_4K], 1);
        pw_result r = EXPECT_OK(&e, .la = la + 0x10, .kind = PW_ACC_WRITE);
        assert_int_equal(r.pa, DATA_PA + 0x10);
        /* The rest stays reserved, not present at the highest level that
         * covers it: the new tables inherited the reservation. */
        EXPECT_NP(&e, la + PAGE, PW_LVL_PT, rsv(TAG_A));
        EXPECT_NP(&e, base + PW_BIT(pw_level_shift(m, PW_LVL_PD)), PW_LVL_PD, rsv(TAG_A));
        EXPECT_NP(&e, base + span, top, rsv(TAG_A));
        expect_reservation(&e, la - PAGE, TAG_A, PW_LVL_PT);

        /* A second page under the same PT costs no table. */
        assert_int_equal(pw_os_commit(e.os, la + PAGE, DATA_PA + PAGE, 0), PW_OK);
        assert_int_equal(stats_of(&e).total_tables, st1.total_tables);
        /* Committed twice, or outside the reservation: refused. */
        assert_int_equal(pw_os_commit(e.os, la, DATA_PA, 0), PW_ERR_EXISTS);
        assert_int_equal(pw_os_commit(e.os, base - PAGE, DATA_PA, 0), PW_ERR_RANGE);
        assert_int_equal(stats_of(&e).leaves[PW_SIZE_4K], 2);
        pw_env_free(&e);
    }
}

/* The 100 GiB of the list: the commit makes PDPT, PD and PT; the PDPT's
 * entries that the range covers whole take the reservation from the list. */
static void test_commit_in_a_listed_range(void **state)
{
    (void)state;
    pw_env e;
    env_up(&e, PW_MODE_4LVL);
    assert_int_equal(pw_os_reserve(e.os, LA_100G, 100 * GIB, TAG_A), PW_OK);
    uint64_t la = LA_100G + 5 * GIB + 3 * PAGE;
    assert_int_equal(pw_os_commit(e.os, la, DATA_PA, PTE_RW), PW_OK);
    pw_os_stats st = stats_of(&e);
    assert_int_equal(st.total_tables, 4);
    assert_int_equal(st.tables[PW_LVL_PDPT], 1);
    assert_int_equal(st.tables[PW_LVL_PD], 1);
    assert_int_equal(st.tables[PW_LVL_PT], 1);
    EXPECT_OK(&e, .la = la, .kind = PW_ACC_READ);
    EXPECT_NP(&e, LA_100G, PW_LVL_PDPT, rsv(TAG_A));
    EXPECT_NP(&e, LA_100G + 99 * GIB, PW_LVL_PDPT, rsv(TAG_A));
    EXPECT_NP(&e, LA_100G + 100 * GIB, PW_LVL_PDPT, 0);
    EXPECT_NP(&e, la + PAGE, PW_LVL_PT, rsv(TAG_A));
    pw_env_free(&e);
}

/* pw_os_map inside a reservation keeps the rest of it too. */
static void test_map_inside_a_reservation_keeps_the_rest(void **state)
{
    (void)state;
    pw_env e;
    env_up(&e, PW_MODE_4LVL);
    assert_int_equal(pw_os_reserve(e.os, LA_1T, TIB, TAG_B), PW_OK);
    assert_int_equal(pw_os_map(e.os, LA_1T + GIB, 0x200000, PW_SIZE_2M, PTE_RW), PW_OK);
    assert_int_equal(stats_of(&e).total_tables, 3); /* PML4, PDPT, PD */
    EXPECT_NP(&e, LA_1T + GIB + 0x200000, PW_LVL_PD, rsv(TAG_B));
    EXPECT_NP(&e, LA_1T, PW_LVL_PDPT, rsv(TAG_B));
    assert_int_equal(pw_os_reservation(e.os, LA_1T + GIB, &(pw_os_np){0}), PW_ERR_EXISTS);
    pw_env_free(&e);
}

/* A commit that runs out of tables gives back what it took and leaves the
 * reservation as it was. */
static void test_commit_out_of_tables_rolls_back(void **state)
{
    (void)state;
    pw_config cfg;
    pw_config_default(&cfg);
    pw_image *img;
    pw_os *os;
    assert_int_equal(pw_image_sparse_new(16 << 20, &img), PW_OK);
    assert_int_equal(pw_os_new(img, &cfg, PW_MODE_4LVL, 8 << 20, 3 * PAGE, NULL, &os), PW_OK);
    assert_int_equal(pw_os_reserve(os, LA_1T, TIB, TAG_A), PW_OK);
    assert_int_equal(pw_os_commit(os, LA_1T, 0, 0), PW_ERR_RANGE); /* needs 3, has 2 */
    pw_os_stats st;
    pw_os_stats_get(os, &st);
    assert_int_equal(st.total_tables, 1);
    pw_os_np np;
    assert_int_equal(pw_os_reservation(os, LA_1T, &np), PW_OK);
    assert_int_equal(np.level, PW_LVL_PML4);
    assert_int_equal(np.tag, TAG_A);
    pw_os_free(os);
    pw_image_free(img);
}

/* ---- Refusals ---- */

static void assert_same_stats(pw_env *e, const pw_os_stats *before)
{
    pw_os_stats now = stats_of(e);
    assert_memory_equal(&now, before, sizeof now);
}

static void test_reserve_refusals_change_nothing(void **state)
{
    (void)state;
    pw_env e;
    env_up(&e, PW_MODE_4LVL);
    env_map(&e, 0x7000, DATA_PA, PW_SIZE_4K, 0);
    assert_int_equal(pw_os_reserve(e.os, LA_1T, TIB, TAG_A), PW_OK);
    assert_int_equal(pw_os_reserve(e.os, LA_100G, 100 * GIB, TAG_A), PW_OK);
    pw_os_stats st = stats_of(&e);
    /* Overlaps: OS bits in an entry, the list, a mapped page (with a free part
     * before it, which must not be reserved either). */
    assert_int_equal(pw_os_reserve(e.os, LA_1T + TIB - PAGE, 2 * PAGE, TAG_B), PW_ERR_EXISTS);
    assert_int_equal(pw_os_reserve(e.os, LA_100G - GIB, 2 * GIB, TAG_B), PW_ERR_EXISTS);
    assert_int_equal(pw_os_reserve(e.os, 0x1000, 0x7000, TAG_B), PW_ERR_EXISTS);
    assert_int_equal(env_entry_get(&e, 0x1000, PW_LVL_PT), 0);
    /* OS bits of another use (a swap slot) are not taken over. */
    env_entry_set(&e, 0x9000, PW_LVL_PT, 0x12345e00);
    assert_int_equal(pw_os_reserve(e.os, 0x8000, 0x2000, TAG_B), PW_ERR_EXISTS);
    assert_int_equal(env_entry_get(&e, 0x8000, PW_LVL_PT), 0);
    /* Bad ranges and tags. */
    assert_int_equal(pw_os_reserve(NULL, 0, PAGE, 0), PW_ERR_ARG);
    assert_int_equal(pw_os_reserve(e.os, GIB, 0, 0), PW_ERR_ARG);
    assert_int_equal(pw_os_reserve(e.os, GIB + 1, PAGE, 0), PW_ERR_ARG);
    assert_int_equal(pw_os_reserve(e.os, GIB, PAGE + 8, 0), PW_ERR_ARG);
    assert_int_equal(pw_os_reserve(e.os, GIB, PAGE, PW_OS_TAG_MAX + 1), PW_ERR_ARG);
    /* R2.1: non-canonical, across the hole, past the top of the LA space. */
    assert_int_equal(pw_os_reserve(e.os, UINT64_C(0x0000800000000000), PAGE, 0), PW_ERR_RANGE);
    assert_int_equal(pw_os_reserve(e.os, UINT64_C(0x00007ffffffff000), 2 * PAGE, 0), PW_ERR_RANGE);
    assert_int_equal(pw_os_reserve(e.os, UINT64_C(0xfffffffffffff000), 2 * PAGE, 0), PW_ERR_RANGE);
    assert_int_equal(pw_os_reserve(e.os, 0, UINT64_C(0x0000800000001000), 0), PW_ERR_RANGE);
    assert_same_stats(&e, &st);
    /* The top page of the high half is fine. */
    assert_int_equal(pw_os_reserve(e.os, UINT64_C(0xfffffffffffff000), PAGE, TAG_B), PW_OK);
    expect_reservation(&e, UINT64_C(0xffffffffffffffff), TAG_B, 0);
    pw_env_free(&e);

    env_up(&e, PW_MODE_32);
    assert_int_equal(pw_os_reserve(e.os, 0xffc00000, 0x800000, 0), PW_ERR_RANGE);
    assert_int_equal(pw_os_reserve(e.os, 0xffc00000, 0x400000, TAG_A), PW_OK);
    EXPECT_NP(&e, 0xffffffff, PW_LVL_PD, rsv(TAG_A));
    pw_env_free(&e);
}

/* ---- Release ---- */

static void test_release_gives_every_table_back(void **state)
{
    (void)state;
    pw_env e;
    env_up(&e, PW_MODE_4LVL);
    assert_int_equal(pw_os_reserve(e.os, LA_1T, TIB, TAG_A), PW_OK);
    assert_int_equal(pw_os_reserve(e.os, LA_100G, 100 * GIB, TAG_B), PW_OK);
    assert_int_equal(pw_os_commit(e.os, LA_1T + 3 * GIB, DATA_PA, 0), PW_OK);
    assert_int_equal(pw_os_commit(e.os, LA_100G + 3 * GIB, DATA_PA, 0), PW_OK);
    assert_int_equal(stats_of(&e).total_tables, 7);
    /* Unmapping a committed page keeps its tables: they hold the reservation. */
    assert_int_equal(pw_os_unmap(e.os, LA_1T + 3 * GIB, PW_SIZE_4K), PW_OK);
    assert_int_equal(stats_of(&e).total_tables, 7);
    assert_int_equal(pw_os_release(e.os, LA_1T, TIB), PW_OK);
    assert_int_equal(stats_of(&e).total_tables, 4);
    EXPECT_NP(&e, LA_1T + 3 * GIB, PW_LVL_PML4, 0);
    EXPECT_NP(&e, LA_1T + 600 * GIB, PW_LVL_PML4, 0);
    /* Released around a mapped page: the page stays, its tables too. */
    assert_int_equal(pw_os_release(e.os, LA_100G, 100 * GIB), PW_OK);
    pw_os_stats st = stats_of(&e);
    assert_int_equal(st.total_tables, 4);
    assert_int_equal(st.listed_ranges, 0);
    EXPECT_OK(&e, .la = LA_100G + 3 * GIB, .kind = PW_ACC_READ);
    EXPECT_NP(&e, LA_100G + 3 * GIB + PAGE, PW_LVL_PT, 0);
    assert_int_equal(pw_os_reservation(e.os, LA_100G, &(pw_os_np){0}), PW_ERR_RANGE);
    assert_int_equal(pw_os_unmap(e.os, LA_100G + 3 * GIB, PW_SIZE_4K), PW_OK);
    assert_int_equal(stats_of(&e).total_tables, 1);
    pw_env_free(&e);
}

/* Releasing part of what one entry holds: the rest moves to the list, still
 * without a table. */
static void test_release_part_of_an_entry_lists_the_rest(void **state)
{
    (void)state;
    pw_env e;
    env_up(&e, PW_MODE_4LVL);
    assert_int_equal(pw_os_reserve(e.os, LA_1T, TIB, TAG_A), PW_OK);
    assert_int_equal(pw_os_release(e.os, LA_1T + GIB, GIB), PW_OK);
    pw_os_stats st = stats_of(&e);
    assert_int_equal(st.total_tables, 1);
    assert_int_equal(st.listed_ranges, 2);
    expect_reservation(&e, LA_1T, TAG_A, 0);
    assert_int_equal(pw_os_reservation(e.os, LA_1T + GIB, &(pw_os_np){0}), PW_ERR_RANGE);
    expect_reservation(&e, LA_1T + 2 * GIB, TAG_A, 0);
    expect_reservation(&e, LA_1T + 512 * GIB, TAG_A, PW_LVL_PML4);
    /* The hole can be reserved again. */
    assert_int_equal(pw_os_reserve(e.os, LA_1T + GIB, GIB, TAG_B), PW_OK);
    expect_reservation(&e, LA_1T + GIB, TAG_B, 0);
    /* Releasing a middle part of a listed range splits it. */
    assert_int_equal(pw_os_release(e.os, LA_1T + 4 * GIB, PAGE), PW_OK);
    assert_int_equal(stats_of(&e).listed_ranges, 4);
    expect_reservation(&e, LA_1T + 4 * GIB - PAGE, TAG_A, 0);
    expect_reservation(&e, LA_1T + 4 * GIB + PAGE, TAG_A, 0);
    assert_int_equal(pw_os_release(e.os, LA_1T, 2 * TIB), PW_OK);
    st = stats_of(&e);
    assert_int_equal(st.total_tables, 1);
    assert_int_equal(st.listed_ranges, 0);
    assert_int_equal(env_entry_get(&e, LA_1T + 512 * GIB, PW_LVL_PML4), 0);
    pw_env_free(&e);
}

/* R7.1 (a), §4: in every mode a reserved page faults with P=0 and the walk
 * reports the OS bits of the entry where it stopped. */
static void test_R7_1_reserved_entry_faults_with_its_os_bits_every_mode(void **state)
{
    (void)state;
    for (unsigned i = 0; i < N_MODES; i++) {
        pw_env e;
        env_up(&e, ALL_MODES[i]);
        unsigned top = pw_mode_levels(e.mode);
        uint64_t span = PW_BIT(pw_level_shift(e.mode, top));
        assert_int_equal(pw_os_reserve(e.os, span, span, TAG_B), PW_OK);
        assert_int_equal(pw_env_load_regs(&e), PW_OK);
        EXPECT_NP(&e, span + span / 2, top, rsv(TAG_B));
        EXPECT_PF(&e, PF_W | PF_U, .la = span, .kind = PW_ACC_WRITE, .user = true);
        assert_int_equal(stats_of(&e).total_tables, 1);
        pw_env_free(&e);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_np_encoding_round_trip),
        cmocka_unit_test(test_reserve_100g_and_1t_cost_zero_tables),
        cmocka_unit_test(test_reserve_marks_entries_of_existing_tables),
        cmocka_unit_test(test_commit_allocates_exactly_its_path_every_mode),
        cmocka_unit_test(test_commit_in_a_listed_range),
        cmocka_unit_test(test_map_inside_a_reservation_keeps_the_rest),
        cmocka_unit_test(test_commit_out_of_tables_rolls_back),
        cmocka_unit_test(test_reserve_refusals_change_nothing),
        cmocka_unit_test(test_release_gives_every_table_back),
        cmocka_unit_test(test_release_part_of_an_entry_lists_the_rest),
        cmocka_unit_test(test_R7_1_reserved_entry_faults_with_its_os_bits_every_mode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
