/* Tree pseudo-LRU (docs/tlb.md "Tree-PLRU"): node i has children 2i, 2i+1; leaf
 * n+w is way w; bit 0 points left. touch(w) points every node on w's path away
 * from w; victim() follows the bits from the root. Every sequence below is
 * worked out by hand from those two rules; then the same policy seen through
 * pw_tlb_fill and through the mmu (timing.md decision 5). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mmu_fixture.h"

/* ---- pw_plru itself ---- */

/* From reset, touching each victim in turn. */
static void check_fill_sequence(unsigned ways, const unsigned *victims, unsigned n)
{
    pw_plru p;
    pw_plru_init(&p, ways);
    for (unsigned i = 0; i < n; i++) {
        unsigned v = pw_plru_victim(&p);
        if (v != victims[i])
            fail_msg("%u ways, step %u: expected victim %u, got %u", ways, i, victims[i], v);
        pw_plru_touch(&p, v);
    }
}

static void test_plru_1_way_always_way_0(void **state)
{
    (void)state;
    static const unsigned seq[] = {0, 0, 0};
    check_fill_sequence(1, seq, 3);
}

static void test_plru_2_ways_alternate(void **state)
{
    (void)state;
    static const unsigned seq[] = {0, 1, 0, 1, 0};
    check_fill_sequence(2, seq, 5);
}

/* reset: 000 -> 0; touch 0: bit1=1 bit2=1 -> 2; touch 2: bit3=1 bit1=0 -> 1;
 * touch 1: bit2=0 bit1=1 -> 3; touch 3: bit3=0 bit1=0 -> 0. */
static void test_plru_4_ways_fill_sequence(void **state)
{
    (void)state;
    static const unsigned seq[] = {0, 2, 1, 3, 0, 2, 1, 3};
    check_fill_sequence(4, seq, 8);
}

/* Touching each victim visits the ways in bit-reversed order. */
static void test_plru_8_ways_fill_sequence(void **state)
{
    (void)state;
    static const unsigned seq[] = {0, 4, 2, 6, 1, 5, 3, 7, 0, 4};
    check_fill_sequence(8, seq, 10);
}

/* The table of tlb.md (n = 4), bits listed as bit[1] bit[2] bit[3]. */
static void test_plru_4_ways_docs_table(void **state)
{
    (void)state;
    static const struct {
        int touch; /* -1: reset */
        unsigned bits[3];
        unsigned victim;
    } rows[] = {
        {-1, {0, 0, 0}, 0}, {0, {1, 1, 0}, 2}, {1, {1, 0, 0}, 2},
        {2, {0, 0, 1}, 0},  {3, {0, 0, 0}, 0}, {0, {1, 1, 0}, 2}, /* true LRU would pick 1 */
    };
    pw_plru p;
    pw_plru_init(&p, 4);
    for (unsigned i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        if (rows[i].touch >= 0)
            pw_plru_touch(&p, (unsigned)rows[i].touch);
        for (unsigned node = 1; node <= 3; node++)
            assert_int_equal(pw_plru_node(&p, node), rows[i].bits[node - 1]);
        assert_int_equal(pw_plru_victim(&p), rows[i].victim);
    }
}

/* 8 ways: touch 0..7 in order (bits all 0 again, victim 0), then 0 (victim 4,
 * where true LRU would pick 1), then 4 (victim 2). Bits bit[1..7] by hand. */
static void test_plru_8_ways_touch_pattern(void **state)
{
    (void)state;
    static const struct {
        unsigned touch;
        unsigned bits[7];
        unsigned victim;
    } rows[] = {
        {0, {1, 1, 0, 1, 0, 0, 0}, 4}, {1, {1, 1, 0, 0, 0, 0, 0}, 4},
        {2, {1, 0, 0, 0, 1, 0, 0}, 4}, {3, {1, 0, 0, 0, 0, 0, 0}, 4},
        {4, {0, 0, 1, 0, 0, 1, 0}, 0}, {5, {0, 0, 1, 0, 0, 0, 0}, 0},
        {6, {0, 0, 0, 0, 0, 0, 1}, 0}, {7, {0, 0, 0, 0, 0, 0, 0}, 0},
        {0, {1, 1, 0, 1, 0, 0, 0}, 4}, {4, {0, 1, 1, 1, 0, 1, 0}, 2},
    };
    pw_plru p;
    pw_plru_init(&p, 8);
    for (unsigned i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        pw_plru_touch(&p, rows[i].touch);
        for (unsigned node = 1; node <= 7; node++)
            if (pw_plru_node(&p, node) != rows[i].bits[node - 1])
                fail_msg("step %u (touch %u): node %u expected %u", i, rows[i].touch, node,
                         rows[i].bits[node - 1]);
        assert_int_equal(pw_plru_victim(&p), rows[i].victim);
    }
}

/* Touching the current victim always moves the victim elsewhere; touching
 * another way never makes it the victim. */
static void test_plru_touched_way_is_never_the_victim(void **state)
{
    (void)state;
    static const unsigned ways[] = {2, 4, 8, 16, 32, 64};
    for (unsigned i = 0; i < sizeof ways / sizeof ways[0]; i++) {
        pw_plru p;
        pw_plru_init(&p, ways[i]);
        uint32_t x = 12345;
        for (unsigned step = 0; step < 4 * ways[i]; step++) {
            x = x * 1103515245u + 12345u;
            unsigned w = (x >> 16) % ways[i];
            pw_plru_touch(&p, w);
            assert_int_not_equal(pw_plru_victim(&p), w);
        }
    }
}

/* ---- through the TLB ---- */

static pw_tlb_entry page_entry(unsigned i)
{
    const uint64_t base = UINT64_C(0x40000000);
    uint64_t vpn = (base >> PW_PAGE_SHIFT) + i;
    return (pw_tlb_entry){.valid = true, .vpn = vpn, .size = PW_SIZE_4K, .pfn = vpn,
                          .perm = {.rw = true}};
}

/* Fills take invalid slots 0..3 (each touched: bits 0 0 0); a hit on 0 (1 1 0);
 * the next fill takes way 2, not the LRU way 1 (then 0 1 1); the one after
 * takes way 1 (then 1 0 1), and the victim is 3. */
static void test_plru_tlb_full_fill_uses_victim(void **state)
{
    (void)state;
    enum { WAYS = 4, PAGES = 6 };
    pw_tlb t;
    assert_int_equal(pw_tlb_init(&t, WAYS), PW_OK);
    pw_tlb_entry e[PAGES];
    for (unsigned i = 0; i < PAGES; i++)
        e[i] = page_entry(i);
    for (unsigned i = 0; i < WAYS; i++)
        assert_int_equal(pw_tlb_fill(&t, &e[i]), i);
    pw_tlb_touch(&t, 0);
    assert_int_equal(pw_tlb_fill(&t, &e[4]), 2);
    assert_int_equal(pw_tlb_fill(&t, &e[5]), 1);
    assert_int_equal(pw_plru_victim(&t.plru), 3);
    assert_int_equal(pw_tlb_lookup(&t, e[2].vpn << PW_PAGE_SHIFT, 0), -1);
    assert_int_equal(pw_tlb_lookup(&t, e[1].vpn << PW_PAGE_SHIFT, 0), -1);
    assert_int_equal(pw_tlb_lookup(&t, e[0].vpn << PW_PAGE_SHIFT, 0), 0);
}

/* tlb.md: an invalidation changes no PLRU bit. */
static void test_plru_invalidation_leaves_bits_alone(void **state)
{
    (void)state;
    enum { WAYS = 8 };
    pw_tlb t;
    assert_int_equal(pw_tlb_init(&t, WAYS), PW_OK);
    for (unsigned i = 0; i < WAYS; i++) {
        pw_tlb_entry e = page_entry(i);
        pw_tlb_fill(&t, &e);
    }
    pw_tlb_touch(&t, 5);
    uint64_t before = t.plru.bits;
    pw_flush f = {.kind = PW_FLUSH_PAGE, .pcid = 0, .la = UINT64_C(0x40000000) + 3 * PW_PAGE_SIZE};
    assert_int_equal(pw_tlb_flush(&t, &f), 1);
    assert_int_equal(t.plru.bits, before);
    f.kind = PW_FLUSH_ALL;
    pw_tlb_flush(&t, &f);
    assert_int_equal(t.plru.bits, before);
}

/* ---- through the mmu ---- */

#define LA_P(i) FX_LA4(0, 1, 1, (i) + 1)
#define PA_P(i) (UINT64_C(0x00200000) + (uint64_t)(i) * PW_PAGE_SIZE)

static void setup_small_tlb(fx_mmu *fx, unsigned ways, unsigned pages, uint64_t flags)
{
    pw_config cfg;
    pw_config_default(&cfg);
    cfg.tlb_entries = ways;
    fx_init(fx, PW_MODE_4LVL, &cfg, FX_DELAY_DEFAULT);
    for (unsigned i = 0; i < pages; i++)
        assert_int_equal(pw_os_map(fx->env.os, LA_P(i), PA_P(i), PW_SIZE_4K, flags), PW_OK);
}

/* A hit touches its way: 2 ways, P0 P1 filled, hit P0, fill P2 evicts P1. */
static void test_plru_mmu_hit_touches_its_way(void **state)
{
    (void)state;
    fx_mmu fx;
    setup_small_tlb(&fx, 2, 3, PTE_RW | PTE_A | PTE_D);
    fx_read(&fx, LA_P(0));
    fx_read(&fx, LA_P(1));
    assert_true(fx_read(&fx, LA_P(0)).hit);
    fx_read(&fx, LA_P(2));
    assert_true(fx_read(&fx, LA_P(0)).hit);
    assert_false(fx_read(&fx, LA_P(1)).hit);
    fx_free(&fx);
}

/* Decision 5: a hit that is re-walked does not touch the PLRU. P0 is clean; its
 * write re-walks, and an op during that walk drops the fill. The victim is then
 * still P0's way, so P2 evicts P0 and P1 stays. */
static void test_plru_mmu_rewalked_hit_does_not_touch(void **state)
{
    (void)state;
    fx_mmu fx;
    setup_small_tlb(&fx, 2, 3, PTE_RW | PTE_A);
    fx_read(&fx, LA_P(0));                 /* way 0, victim -> 1 */
    fx_read(&fx, LA_P(1));                 /* way 1, victim -> 0 */
    pw_mmu_response r = fx_access(&fx, LA_P(0), PW_ACC_WRITE, false);
    assert_true(fx_walked(&r));
    assert_int_equal(fx_ctl_at(&fx, r.accept_cycle, PW_CTL_WRPKRU, 0, 0, 0), PW_OK);
    assert_int_equal(fx.mmu->cnt.fills_dropped, 1);
    fx_read(&fx, LA_P(2));                 /* evicts the victim, way 0 */
    assert_true(fx_read(&fx, LA_P(1)).hit);
    assert_false(fx_read(&fx, LA_P(0)).hit);
    fx_free(&fx);
}

/* 4 ways through the mmu: P0..P3 fill ways 0..3; hit P0; P4 takes way 2 (P2's). */
static void test_plru_mmu_4_ways_victim_is_not_lru(void **state)
{
    (void)state;
    fx_mmu fx;
    setup_small_tlb(&fx, 4, 5, PTE_RW | PTE_A | PTE_D);
    for (unsigned i = 0; i < 4; i++)
        fx_read(&fx, LA_P(i));
    assert_true(fx_read(&fx, LA_P(0)).hit);
    fx_read(&fx, LA_P(4));
    assert_true(fx_read(&fx, LA_P(1)).hit); /* the LRU page survives */
    assert_true(fx_read(&fx, LA_P(3)).hit);
    assert_true(fx_read(&fx, LA_P(4)).hit);
    assert_false(fx_read(&fx, LA_P(2)).hit);
    fx_free(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plru_1_way_always_way_0),
        cmocka_unit_test(test_plru_2_ways_alternate),
        cmocka_unit_test(test_plru_4_ways_fill_sequence),
        cmocka_unit_test(test_plru_8_ways_fill_sequence),
        cmocka_unit_test(test_plru_4_ways_docs_table),
        cmocka_unit_test(test_plru_8_ways_touch_pattern),
        cmocka_unit_test(test_plru_touched_way_is_never_the_victim),
        cmocka_unit_test(test_plru_tlb_full_fill_uses_victim),
        cmocka_unit_test(test_plru_invalidation_leaves_bits_alone),
        cmocka_unit_test(test_plru_mmu_hit_touches_its_way),
        cmocka_unit_test(test_plru_mmu_rewalked_hit_does_not_touch),
        cmocka_unit_test(test_plru_mmu_4_ways_victim_is_not_lru),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
