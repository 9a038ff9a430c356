// Unit co-simulation of rtl/pw_tlb.sv and rtl/pw_psc.sv against the C model
// (cmodel/src/tlb.c, psc.c, plru.c), cycle by cycle.
//
// tb/unit/pw_unit_top.sv holds every configuration side by side (TLB 4 and 32
// entries; PSC 0, 2 and 8 entries at levels 2 and 4). Each instance gets its own
// random stream of lookups, PLRU touches, fills and invalidations (both flush
// ports, every kind, FLUSH_NONE with garbage fields), with clustered addresses
// so that overlapping fills, PLRU evictions and partial flushes are frequent.
// The same operations go to a pw_tlb / pw_psc model. Compared every cycle:
//   before the edge  lookup hit, index and payload (combinational outputs);
//   after the edge   the valid vector and the PLRU victim.
// On the first mismatch: seed, step, configuration, the cycle's operations,
// expected vs got; exit 1.
//
//   tlb_psc_check [--seed S] [--seeds K] [--steps N] [-v]
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "Vpw_unit_top.h"
#include "verilated.h"

#include "pagewalk/plru.h"
#include "pagewalk/psc.h"
#include "pagewalk/regs.h"
#include "pagewalk/tlb.h"
#include "pagewalk/types.h"
#include "pagewalk/walk.h"

// Configurations: same order as TLB_N / PSC_N / PSC_L in pw_unit_top.sv.
static const unsigned kTlbN[] = {4, 32};
static const unsigned kPscN[] = {0, 2, 8, 0, 2, 8};
static const unsigned kPscL[] = {2, 2, 2, 4, 4, 4};
static const unsigned kNT = sizeof kTlbN / sizeof kTlbN[0];
static const unsigned kNP = sizeof kPscN / sizeof kPscN[0];

// ---- Bit access to Verilator ports (packed arrays and structs) ----
static inline uint64_t mask_of(unsigned w) { return w >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << w) - 1; }

template <typename T, typename std::enable_if<std::is_integral<T>::value, int>::type = 0>
static void put(T &p, unsigned lsb, unsigned w, uint64_t v)
{
    uint64_t m = mask_of(w) << lsb;
    p = (T)(((uint64_t)p & ~m) | ((v << lsb) & m));
}
template <typename T, typename std::enable_if<std::is_integral<T>::value, int>::type = 0>
static uint64_t get(const T &p, unsigned lsb, unsigned w)
{
    return ((uint64_t)p >> lsb) & mask_of(w);
}
template <std::size_t N>
static void put(VlWide<N> &p, unsigned lsb, unsigned w, uint64_t v)
{
    for (unsigned i = 0; i < w;) {
        unsigned bit = lsb + i, word = bit / 32, off = bit % 32;
        unsigned n = 32 - off < w - i ? 32 - off : w - i;
        uint32_t m = (uint32_t)(mask_of(n) << off);
        p[word] = (p[word] & ~m) | ((uint32_t)((v >> i) << off) & m);
        i += n;
    }
}
template <std::size_t N>
static uint64_t get(const VlWide<N> &p, unsigned lsb, unsigned w)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < w;) {
        unsigned bit = lsb + i, word = bit / 32, off = bit % 32;
        unsigned n = 32 - off < w - i ? 32 - off : w - i;
        v |= (((uint64_t)p[word] >> off) & mask_of(n)) << i;
        i += n;
    }
    return v;
}

// ---- pw_pkg layouts (first field = most significant) ----
// perm_t: rw us xd nonleaf_rw dirty pk[3:0]
static const unsigned PERM_W = 9;
static uint64_t perm_bits(const pw_perm &p)
{
    return (uint64_t)p.rw << 8 | (uint64_t)p.us << 7 | (uint64_t)p.xd << 6 |
           (uint64_t)p.nonleaf_rw << 5 | (uint64_t)p.dirty << 4 | (p.pk & 0xfu);
}
static pw_perm perm_of(uint64_t b)
{
    pw_perm p;
    p.rw = (b >> 8) & 1;
    p.us = (b >> 7) & 1;
    p.xd = (b >> 6) & 1;
    p.nonleaf_rw = (b >> 5) & 1;
    p.dirty = (b >> 4) & 1;
    p.pk = (uint8_t)(b & 0xf);
    return p;
}
// tlb_entry_t: valid vpn[45] size[2] pcid[12] global pfn[40] perm[9] memtype[3] level[3]
enum : unsigned {
    TE_LEVEL = 0, TE_MEMTYPE = 3, TE_PERM = 6, TE_PFN = 15, TE_GLOBAL = 55, TE_PCID = 56,
    TE_SIZE = 68, TE_VPN = 70, TE_VALID = 115, TE_W = 116
};
// flush_t: kind[3] pcid[12] la[64] mode[3]
enum : unsigned { FL_MODE = 0, FL_LA = 3, FL_PCID = 67, FL_KIND = 79, FL_W = 82 };

// ---- Random numbers (splitmix64) ----
struct Rng {
    uint64_t s;
    explicit Rng(uint64_t seed = 1) : s(seed) {}
    uint64_t next()
    {
        uint64_t z = (s += UINT64_C(0x9e3779b97f4a7c15));
        z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
        return z ^ (z >> 31);
    }
    unsigned below(unsigned n) { return n ? (unsigned)(next() % n) : 0; }
    bool pct(unsigned p) { return below(100) < p; }
};

static const pw_mode kModes[] = {PW_MODE_32, PW_MODE_PAE, PW_MODE_4LVL, PW_MODE_5LVL};

static const char *mode_name(pw_mode m) { return pw_mode_name(m); }

static std::string fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static std::string fmt(const char *f, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, f);
    vsnprintf(buf, sizeof buf, f, ap);
    va_end(ap);
    return buf;
}

static std::string flush_str(const pw_flush &f, pw_mode m)
{
    if (f.kind == PW_FLUSH_NONE)
        return "none";
    return fmt("%s(pcid %03x, la %014" PRIx64 ", mode %s)", pw_flush_name(f.kind), f.pcid, f.la,
               mode_name(m));
}

// Flush kinds, weighted: partial kinds often, the whole-cache ones rarely so the
// caches fill up and the PLRU decides.
static pw_flush_kind pick_kind(Rng &r, unsigned all_weight)
{
    static const pw_flush_kind k[] = {PW_FLUSH_CONTEXT, PW_FLUSH_PCID_NONGLOBAL, PW_FLUSH_PAGE,
                                      PW_FLUSH_PAGE_NONGLOBAL, PW_FLUSH_FAULT};
    static const unsigned w[] = {2, 3, 5, 4, 5};
    unsigned total = 2 * all_weight + 19, x = r.below(total);
    if (x < all_weight)
        return PW_FLUSH_ALL;
    if (x < 2 * all_weight)
        return PW_FLUSH_NONGLOBAL_ALL;
    x -= 2 * all_weight;
    for (unsigned i = 0; i < 5; i++) {
        if (x < w[i])
            return k[i];
        x -= w[i];
    }
    return PW_FLUSH_FAULT;
}

struct Fail {
    uint64_t seed = 0, step = 0;
};
static Fail g_fail;
static bool g_verbose = false;

[[noreturn]] static void mismatch(const std::string &cfg, const std::string &what,
                                  const std::string &ops, const std::string &state)
{
    std::printf("MISMATCH seed %" PRIu64 " step %" PRIu64 " %s: %s\n  ops: %s\n%s", g_fail.seed,
                g_fail.step, cfg.c_str(), what.c_str(), ops.c_str(), state.c_str());
    std::exit(1);
}

// Common phase knobs: re-rolled every few thousand cycles.
struct Phase {
    unsigned left = 0;
    pw_mode mode = PW_MODE_4LVL;
    unsigned spread_hi = 1, spread_mid = 1, spread_lo = 1;   // cluster sizes
    unsigned p_fill = 30, p_touch = 30, p_fa = 10, p_fb = 5, all_weight = 1, p_global = 20;
    unsigned npcid = 2;
    unsigned w_size[4] = {6, 2, 1, 1};
    uint16_t pcids[4] = {0, 1, 2, 0xfff};
};

// ======================================================================= TLB
class TlbCheck {
  public:
    TlbCheck(unsigned slot, unsigned n) : slot_(slot), n_(n), name_(fmt("tlb%u", n)) {}

    void reset(uint64_t seed)
    {
        r_ = Rng(seed);
        if (pw_tlb_init(&m_, n_) != PW_OK) {
            std::printf("pw_tlb_init(%u) failed\n", n_);
            std::exit(2);
        }
        for (auto &b : base_)
            b = (r_.next() & mask_of(57)) & ~((UINT64_C(1) << 30) - 1);
        ph_.left = 0;
        have_last_ = false;
    }

    void drive(Vpw_unit_top *top)
    {
        if (ph_.left == 0)
            new_phase();
        ph_.left--;
        // Lookup (every cycle).
        lk_pcid_ = pick_pcid();
        lk_la_ = pick_la(&lk_pcid_);
        exp_idx_ = pw_tlb_lookup(&m_, lk_la_, lk_pcid_);
        // Fill or touch (never both, timing.md §7), flushes.
        fill_ = r_.pct(ph_.p_fill);
        touch_ = !fill_ && r_.pct(ph_.p_touch);
        touch_idx_ = (exp_idx_ >= 0 && r_.pct(80)) ? (unsigned)exp_idx_ : r_.below(n_);
        make_entry(&ne_);
        fa_ = make_flush(ph_.p_fa, &fa_mode_);
        fb_ = make_flush(ph_.p_fb, &fb_mode_);

        put(top->tlb_lk_la_i, slot_ * 64, 64, lk_la_);
        put(top->tlb_lk_pcid_i, slot_ * 12, 12, lk_pcid_);
        put(top->tlb_touch_i, slot_, 1, touch_);
        put(top->tlb_touch_idx_i, slot_ * 6, 6, touch_idx_);
        put(top->tlb_fill_i, slot_, 1, fill_);
        unsigned e = slot_ * TE_W;
        put(top->tlb_fill_entry_i, e + TE_VALID, 1, r_.below(2));   // ignored by the RTL
        put(top->tlb_fill_entry_i, e + TE_VPN, 45, ne_.vpn);
        put(top->tlb_fill_entry_i, e + TE_SIZE, 2, ne_.size);
        put(top->tlb_fill_entry_i, e + TE_PCID, 12, ne_.pcid);
        put(top->tlb_fill_entry_i, e + TE_GLOBAL, 1, ne_.global);
        put(top->tlb_fill_entry_i, e + TE_PFN, 40, ne_.pfn);
        put(top->tlb_fill_entry_i, e + TE_PERM, PERM_W, perm_bits(ne_.perm));
        put(top->tlb_fill_entry_i, e + TE_MEMTYPE, 3, ne_.memtype);
        put(top->tlb_fill_entry_i, e + TE_LEVEL, 3, ne_.level);
        put_fl(top->tlb_flush_a_i, slot_ * FL_W, fa_, fa_mode_);
        put_fl(top->tlb_flush_b_i, slot_ * FL_W, fb_, fb_mode_);
    }

    // Before the edge: the combinational lookup; then the model takes the cycle's operations.
    void check_comb(Vpw_unit_top *top)
    {
        bool hit = get(top->tlb_lk_hit_o, slot_, 1);
        st_.lookups++;
        if (hit != (exp_idx_ >= 0))
            fail(fmt("lookup hit: expected %d got %d", exp_idx_ >= 0, hit));
        if (hit) {
            st_.hits++;
            unsigned idx = (unsigned)get(top->tlb_lk_idx_o, slot_ * 6, 6);
            if (idx != (unsigned)exp_idx_)
                fail(fmt("lookup idx: expected %d got %u", exp_idx_, idx));
            const pw_tlb_entry &x = m_.e[exp_idx_];
            unsigned e = slot_ * TE_W;
            uint64_t g_valid = get(top->tlb_lk_entry_o, e + TE_VALID, 1);
            uint64_t g_vpn = get(top->tlb_lk_entry_o, e + TE_VPN, 45);
            uint64_t g_size = get(top->tlb_lk_entry_o, e + TE_SIZE, 2);
            uint64_t g_pcid = get(top->tlb_lk_entry_o, e + TE_PCID, 12);
            uint64_t g_global = get(top->tlb_lk_entry_o, e + TE_GLOBAL, 1);
            uint64_t g_pfn = get(top->tlb_lk_entry_o, e + TE_PFN, 40);
            uint64_t g_perm = get(top->tlb_lk_entry_o, e + TE_PERM, PERM_W);
            uint64_t g_mt = get(top->tlb_lk_entry_o, e + TE_MEMTYPE, 3);
            uint64_t g_level = get(top->tlb_lk_entry_o, e + TE_LEVEL, 3);
            if (g_valid != 1 || g_vpn != x.vpn || g_size != (uint64_t)x.size ||
                g_pcid != x.pcid || g_global != x.global || g_pfn != x.pfn ||
                g_perm != perm_bits(x.perm) || g_mt != x.memtype || g_level != x.level)
                fail(fmt("lookup entry: expected v1 vpn %" PRIx64 " size %u pcid %03x g %d pfn %" PRIx64
                         " perm %03" PRIx64 " mt %u lvl %u, got v%" PRIu64 " vpn %" PRIx64
                         " size %" PRIu64 " pcid %03" PRIx64 " g %" PRIu64 " pfn %" PRIx64
                         " perm %03" PRIx64 " mt %" PRIu64 " lvl %" PRIu64,
                         x.vpn, x.size, x.pcid, x.global, x.pfn, perm_bits(x.perm), x.memtype,
                         x.level, g_valid, g_vpn, g_size, g_pcid, g_global, g_pfn, g_perm, g_mt,
                         g_level));
        }
        // The model, in the RTL's order: fill, touch (never together), then both flushes.
        if (fill_) {
            uint64_t before = valid_mask();
            bool free_or_overlap = false;
            for (unsigned i = 0; i < n_; i++)
                free_or_overlap |= !m_.e[i].valid || overlaps(m_.e[i], ne_);
            unsigned victim_plru = pw_plru_victim(&m_.plru);
            fill_slot_ = pw_tlb_fill(&m_, &ne_);
            st_.fills++;
            if (!free_or_overlap) {
                st_.plru_evictions++;
                if (fill_slot_ != victim_plru)
                    fail(fmt("harness: model fill slot %u is not the PLRU victim %u", fill_slot_,
                             victim_plru));
            }
            uint64_t others = before & ~valid_mask() & ~(UINT64_C(1) << fill_slot_);
            st_.overlap_drops += (unsigned)__builtin_popcountll(others);
            last_la_ = ne_.vpn << 12;
            last_pcid_ = ne_.pcid;
            have_last_ = true;
        }
        if (touch_) {
            pw_tlb_touch(&m_, touch_idx_);
            st_.touches++;
        }
        for (const pw_flush *f : {&fa_, &fb_}) {
            if (f->kind != PW_FLUSH_NONE) {
                st_.flushes[f->kind]++;
                st_.flush_drops += pw_tlb_flush(&m_, f);
            }
        }
    }

    // After the edge: the state.
    void check_state(Vpw_unit_top *top)
    {
        uint64_t got = get(top->tlb_valid_o, slot_ * 64, 64);
        if (got != valid_mask())
            fail(fmt("valid: expected %016" PRIx64 " got %016" PRIx64, valid_mask(), got));
        unsigned victim = (unsigned)get(top->tlb_victim_o, slot_ * 6, 6);
        if (victim != pw_plru_victim(&m_.plru))
            fail(fmt("PLRU victim: expected %u got %u", pw_plru_victim(&m_.plru), victim));
        st_.cycles++;
    }

    void check_reset(Vpw_unit_top *top)
    {
        if (get(top->tlb_valid_o, slot_ * 64, 64) != 0 || get(top->tlb_victim_o, slot_ * 6, 6) != 0)
            fail("after reset: valid or victim not 0");
    }

    void report() const
    {
        std::printf("  %-8s cycles %-8" PRIu64 " lookups %-8" PRIu64 " hits %-8" PRIu64
                    " touches %-7" PRIu64 " fills %-7" PRIu64 " plru-evictions %-7" PRIu64
                    " overlap-drops %-6" PRIu64 " flush-drops %" PRIu64 "\n           flushes:",
                    name_.c_str(), st_.cycles, st_.lookups, st_.hits, st_.touches, st_.fills,
                    st_.plru_evictions, st_.overlap_drops, st_.flush_drops);
        for (unsigned k = PW_FLUSH_ALL; k <= PW_FLUSH_FAULT; k++)
            std::printf(" %s %" PRIu64, pw_flush_name((pw_flush_kind)k), st_.flushes[k]);
        std::printf("\n");
    }

  private:
    struct Stats {
        uint64_t cycles = 0, lookups = 0, hits = 0, touches = 0, fills = 0, plru_evictions = 0;
        uint64_t overlap_drops = 0, flush_drops = 0, flushes[8] = {};
    };

    unsigned slot_, n_;
    std::string name_;
    Rng r_;
    pw_tlb m_;
    Phase ph_;
    uint64_t base_[4] = {};
    bool have_last_ = false;
    uint64_t last_la_ = 0;
    uint16_t last_pcid_ = 0;
    // This cycle
    uint64_t lk_la_ = 0;
    uint16_t lk_pcid_ = 0;
    int exp_idx_ = -1;
    bool fill_ = false, touch_ = false;
    unsigned touch_idx_ = 0, fill_slot_ = 0;
    pw_tlb_entry ne_{};
    pw_flush fa_{}, fb_{};
    pw_mode fa_mode_ = PW_MODE_4LVL, fb_mode_ = PW_MODE_4LVL;
    Stats st_;

    template <typename P> void put_fl(P &port, unsigned lsb, const pw_flush &f, pw_mode m)
    {
        put(port, lsb + FL_KIND, 3, f.kind);
        put(port, lsb + FL_PCID, 12, f.pcid);
        put(port, lsb + FL_LA, 64, f.la);
        put(port, lsb + FL_MODE, 3, m);
    }

    void new_phase()
    {
        ph_.left = 500 + r_.below(4000);
        ph_.mode = kModes[r_.below(4)];
        ph_.spread_hi = 1 + r_.below(3);
        ph_.spread_mid = 1 + r_.below(6);
        ph_.spread_lo = 1 + r_.below(n_ > 8 ? 64 : 8);
        ph_.p_fill = 5 + r_.below(55);
        ph_.p_touch = r_.below(60);
        // A third of the phases flush rarely, so the cache fills up and the PLRU decides.
        bool quiet = r_.pct(35);
        ph_.p_fa = quiet ? r_.below(2) : r_.below(12);
        ph_.p_fb = quiet ? 0 : r_.below(6);
        ph_.all_weight = quiet || r_.pct(50) ? 0 : 1;
        ph_.p_global = r_.below(quiet ? 10 : 40);
        ph_.npcid = 1 + r_.below(4);
        for (auto &w : ph_.w_size)
            w = quiet ? r_.below(2) : r_.below(6);
        ph_.w_size[0] += quiet ? 12 : 2;
        ph_.pcids[0] = 0;
        for (unsigned i = 1; i < 4; i++)
            ph_.pcids[i] = r_.pct(30) ? (uint16_t)r_.below(4096) : (uint16_t)i;
    }

    uint16_t pick_pcid() { return r_.pct(95) ? ph_.pcids[r_.below(ph_.npcid)] : (uint16_t)r_.below(4096); }

    // Clustered addresses: existing entries, the last fill, a few 1 GiB regions with
    // a few 2 MiB and 4 KiB pages each, and now and then anything.
    uint64_t pick_la(uint16_t *pcid)
    {
        unsigned x = r_.below(100);
        uint64_t la;
        if (x < 30 && pw_tlb_count(&m_)) {
            unsigned i;
            do
                i = r_.below(n_);
            while (!m_.e[i].valid);
            const pw_tlb_entry &e = m_.e[i];
            la = (e.vpn << 12) | (r_.next() & (pw_page_bytes(e.size) - 1));
            if (r_.pct(70))
                *pcid = e.pcid;
        } else if (x < 40 && have_last_) {
            la = last_la_ | (r_.next() & 0xfff);
            if (r_.pct(70))
                *pcid = last_pcid_;
        } else if (x < 95) {
            la = base_[r_.below(ph_.spread_hi)] + ((uint64_t)r_.below(ph_.spread_mid) << 21) +
                 ((uint64_t)r_.below(ph_.spread_lo) << 12) + r_.below(4096);
            if (r_.pct(10))
                la += (uint64_t)r_.below(4) << 22;   // neighbouring 4 MiB pages
        } else {
            la = r_.next();
        }
        return pw_la_truncate(ph_.mode, la);
    }

    void make_entry(pw_tlb_entry *e)
    {
        std::memset(e, 0, sizeof *e);
        unsigned total = 0, x;
        for (auto w : ph_.w_size)
            total += w;
        x = r_.below(total);
        unsigned s = 0;
        while (x >= ph_.w_size[s]) {
            x -= ph_.w_size[s];
            s++;
        }
        e->size = (pw_page_size)s;
        e->pcid = pick_pcid();
        uint64_t la = pick_la(&e->pcid);
        e->valid = true;
        e->vpn = la >> 12;
        if (r_.pct(50))   // the RTL and the model both mask; give them unmasked ones too
            e->vpn &= ~((pw_page_bytes(e->size) >> 12) - 1);
        e->global = r_.pct(ph_.p_global);
        e->pfn = r_.next() & mask_of(40);
        e->perm = perm_of(r_.next());
        e->memtype = (uint8_t)r_.below(8);
        e->level = r_.below(8);
    }

    pw_flush make_flush(unsigned p, pw_mode *m)
    {
        pw_flush f;
        f.kind = r_.pct(p) ? pick_kind(r_, ph_.all_weight) : PW_FLUSH_NONE;
        f.pcid = pick_pcid();
        f.la = pick_la(&f.pcid);
        *m = kModes[r_.below(4)];
        return f;
    }

    static bool overlaps(const pw_tlb_entry &e, const pw_tlb_entry &ne)
    {
        uint64_t m1 = ~((pw_page_bytes(e.size) >> 12) - 1), m2 = ~((pw_page_bytes(ne.size) >> 12) - 1);
        return e.valid && (e.global || ne.global || e.pcid == ne.pcid) && ((e.vpn ^ ne.vpn) & m1 & m2) == 0;
    }

    uint64_t valid_mask() const
    {
        uint64_t v = 0;
        for (unsigned i = 0; i < n_; i++)
            v |= (uint64_t)m_.e[i].valid << i;
        return v;
    }

    std::string ops() const
    {
        std::string s = fmt("mode %s; lookup la %014" PRIx64 " pcid %03x", mode_name(ph_.mode), lk_la_,
                            lk_pcid_);
        if (touch_)
            s += fmt("; touch %u", touch_idx_);
        if (fill_)
            s += fmt("; fill vpn %" PRIx64 " size %s pcid %03x g %d (slot %u)", ne_.vpn,
                     pw_page_size_name(ne_.size), ne_.pcid, ne_.global, fill_slot_);
        s += "; flush_a " + flush_str(fa_, fa_mode_) + "; flush_b " + flush_str(fb_, fb_mode_);
        return s;
    }

    std::string state() const
    {
        std::string s = fmt("  model (after this cycle's operations; PLRU bits %016" PRIx64 "):\n",
                            m_.plru.bits);
        for (unsigned i = 0; i < n_; i++)
            if (m_.e[i].valid)
                s += fmt("    [%2u] vpn %011" PRIx64 " %-2s pcid %03x g %d\n", i, m_.e[i].vpn,
                         pw_page_size_name(m_.e[i].size), m_.e[i].pcid, m_.e[i].global);
        return s;
    }

    [[noreturn]] void fail(const std::string &what) const { mismatch(name_, what, ops(), state()); }
};

// ======================================================================= PSC
class PscCheck {
  public:
    PscCheck(unsigned slot, unsigned n, unsigned level)
        : slot_(slot), n_(n), level_(level), name_(fmt("psc%u_l%u", n, level))
    {
    }

    void reset(uint64_t seed)
    {
        r_ = Rng(seed);
        pw_config cfg;
        pw_config_default(&cfg);
        for (unsigned l = 0; l <= PW_LVL_PML5; l++)
            cfg.psc_entries[l] = 0;
        cfg.psc_entries[level_] = n_;
        if (pw_psc_init(&m_, &cfg) != PW_OK) {
            std::printf("pw_psc_init(%u entries at level %u) failed\n", n_, level_);
            std::exit(2);
        }
        for (auto &b : base_)
            b = r_.next() & mask_of(57);
        ph_.left = 0;
    }

    void drive(Vpw_unit_top *top)
    {
        if (ph_.left == 0)
            new_phase();
        ph_.left--;
        lk_mode_ = ph_.mode;
        lk_pcid_ = pick_pcid();
        lk_la_ = pick_la(lk_mode_, &lk_pcid_);
        exp_idx_ = find(lk_mode_, lk_la_, lk_pcid_);
        fill_ = r_.pct(ph_.p_fill);
        // The RTL touches this cycle's hit; the caller only asks when there is one.
        touch_ = !fill_ && exp_idx_ >= 0 && r_.pct(ph_.p_touch);
        fill_mode_ = r_.pct(90) ? ph_.mode : pick_mode();
        fill_pcid_ = pick_pcid();
        fill_la_ = pick_la(fill_mode_, &fill_pcid_);
        fill_table_ = (r_.next() & mask_of(40)) << 12;   // 4 KiB aligned, below 2^52
        fill_perm_ = perm_of(r_.next());
        fa_ = make_flush(ph_.p_fa, &fa_mode_);
        fb_ = make_flush(ph_.p_fb, &fb_mode_);

        put(top->psc_lk_mode_i, slot_ * 3, 3, lk_mode_);
        put(top->psc_lk_la_i, slot_ * 64, 64, lk_la_);
        put(top->psc_lk_pcid_i, slot_ * 12, 12, lk_pcid_);
        put(top->psc_touch_i, slot_, 1, touch_);
        put(top->psc_fill_i, slot_, 1, fill_);
        put(top->psc_fill_mode_i, slot_ * 3, 3, fill_mode_);
        put(top->psc_fill_la_i, slot_ * 64, 64, fill_la_);
        put(top->psc_fill_pcid_i, slot_ * 12, 12, fill_pcid_);
        put(top->psc_fill_table_i, slot_ * 64, 64, fill_table_);
        put(top->psc_fill_perm_i, slot_ * PERM_W, PERM_W, perm_bits(fill_perm_));
        put_fl(top->psc_flush_a_i, slot_ * FL_W, fa_, fa_mode_);
        put_fl(top->psc_flush_b_i, slot_ * FL_W, fb_, fb_mode_);
    }

    void check_comb(Vpw_unit_top *top)
    {
        bool hit = get(top->psc_lk_hit_o, slot_, 1);
        st_.lookups++;
        if (hit != (exp_idx_ >= 0))
            fail(fmt("lookup hit: expected %d got %d", exp_idx_ >= 0, hit));
        if (hit) {
            st_.hits++;
            const pw_psc_entry &x = lvl().e[exp_idx_];
            unsigned idx = (unsigned)get(top->psc_lk_idx_o, slot_ * 6, 6);
            uint64_t table = get(top->psc_lk_table_o, slot_ * 64, 64);
            uint64_t perm = get(top->psc_lk_perm_o, slot_ * PERM_W, PERM_W);
            if (idx != (unsigned)exp_idx_ || table != x.table || perm != perm_bits(x.perm))
                fail(fmt("lookup: expected idx %d table %" PRIx64 " perm %03" PRIx64
                         ", got idx %u table %" PRIx64 " perm %03" PRIx64,
                         exp_idx_, x.table, perm_bits(x.perm), idx, table, perm));
        }
        // The model, in the RTL's order: fill, touch (never together), then both flushes.
        if (fill_) {
            bool used = pw_psc_level_used(fill_mode_, level_);
            if (n_ && pw_psc_count(&m_, level_) == n_ &&
                find(fill_mode_, fill_la_, fill_pcid_) < 0)
                st_.plru_evictions++;
            pw_psc_fill(&m_, fill_mode_, level_, fill_la_, fill_pcid_, fill_table_, &fill_perm_);
            st_.fills++;
            if (!used)
                fail("harness: fill in a mode that does not use this level");
        }
        if (touch_) {
            pw_walk_start start;
            unsigned l = pw_psc_lookup(&m_, lk_mode_, lk_la_, lk_pcid_, &start);
            const pw_psc_entry &x = lvl().e[exp_idx_];
            if (l != level_ || start.table != x.table)
                fail(fmt("harness: pw_psc_lookup says level %u, expected %u", l, level_));
            st_.touches++;
        }
        for (auto fm : {std::make_pair(&fa_, fa_mode_), std::make_pair(&fb_, fb_mode_)}) {
            if (fm.first->kind != PW_FLUSH_NONE) {
                st_.flushes[fm.first->kind]++;
                st_.flush_drops += pw_psc_flush(&m_, fm.second, fm.first);
            }
        }
    }

    void check_state(Vpw_unit_top *top)
    {
        uint64_t got = get(top->psc_valid_o, slot_ * 64, 64);
        if (got != valid_mask())
            fail(fmt("valid: expected %016" PRIx64 " got %016" PRIx64, valid_mask(), got));
        if (n_) {
            unsigned victim = (unsigned)get(top->psc_victim_o, slot_ * 6, 6);
            if (victim != pw_plru_victim(&lvl().plru))
                fail(fmt("PLRU victim: expected %u got %u", pw_plru_victim(&lvl().plru), victim));
            if (pw_psc_count(&m_, level_) == n_)
                st_.full_cycles++;
        }
        st_.cycles++;
    }

    void check_reset(Vpw_unit_top *top)
    {
        if (get(top->psc_valid_o, slot_ * 64, 64) != 0 || get(top->psc_victim_o, slot_ * 6, 6) != 0)
            fail("after reset: valid or victim not 0");
    }

    void report() const
    {
        std::printf("  %-8s cycles %-8" PRIu64 " lookups %-8" PRIu64 " hits %-8" PRIu64
                    " touches %-7" PRIu64 " fills %-7" PRIu64 " plru-evictions %-7" PRIu64
                    " cycles-full %-7" PRIu64 " flush-drops %" PRIu64 "\n           flushes:",
                    name_.c_str(), st_.cycles, st_.lookups, st_.hits, st_.touches, st_.fills,
                    st_.plru_evictions, st_.full_cycles, st_.flush_drops);
        for (unsigned k = PW_FLUSH_ALL; k <= PW_FLUSH_FAULT; k++)
            std::printf(" %s %" PRIu64, pw_flush_name((pw_flush_kind)k), st_.flushes[k]);
        std::printf("\n");
    }

  private:
    struct Stats {
        uint64_t cycles = 0, lookups = 0, hits = 0, touches = 0, fills = 0, full_cycles = 0;
        uint64_t plru_evictions = 0;
        uint64_t flush_drops = 0, flushes[8] = {};
    };

    unsigned slot_, n_, level_;
    std::string name_;
    Rng r_;
    pw_psc m_;
    Phase ph_;
    uint64_t base_[4] = {};
    // This cycle
    pw_mode lk_mode_ = PW_MODE_4LVL, fill_mode_ = PW_MODE_4LVL;
    uint64_t lk_la_ = 0, fill_la_ = 0, fill_table_ = 0;
    uint16_t lk_pcid_ = 0, fill_pcid_ = 0;
    int exp_idx_ = -1;
    bool fill_ = false, touch_ = false;
    pw_perm fill_perm_{};
    pw_flush fa_{}, fb_{};
    pw_mode fa_mode_ = PW_MODE_4LVL, fb_mode_ = PW_MODE_4LVL;
    Stats st_;

    const pw_psc_level &lvl() const { return m_.lvl[level_]; }

    template <typename P> void put_fl(P &port, unsigned lsb, const pw_flush &f, pw_mode m)
    {
        put(port, lsb + FL_KIND, 3, f.kind);
        put(port, lsb + FL_PCID, 12, f.pcid);
        put(port, lsb + FL_LA, 64, f.la);
        put(port, lsb + FL_MODE, 3, m);
    }

    // Modes whose walks use this level (pw_psc_level_used): the walker never
    // looks up or fills a level its mode does not use.
    pw_mode pick_mode()
    {
        for (;;) {
            pw_mode m = kModes[r_.below(4)];
            if (pw_psc_level_used(m, level_))
                return m;
        }
    }

    void new_phase()
    {
        ph_.left = 500 + r_.below(4000);
        ph_.mode = pick_mode();
        ph_.spread_hi = 1 + r_.below(3);
        ph_.spread_mid = 1 + r_.below(4);
        ph_.spread_lo = 1 + r_.below(n_ > 4 ? 16 : 4);
        ph_.p_fill = 5 + r_.below(50);
        ph_.p_touch = r_.below(80);
        bool quiet = r_.pct(35);
        ph_.p_fa = quiet ? r_.below(2) : r_.below(10);
        ph_.p_fb = quiet ? 0 : r_.below(6);
        ph_.all_weight = quiet || r_.pct(50) ? 0 : 1;
        ph_.npcid = 1 + r_.below(4);
        ph_.pcids[0] = 0;
        for (unsigned i = 1; i < 4; i++)
            ph_.pcids[i] = r_.pct(30) ? (uint16_t)r_.below(4096) : (uint16_t)i;
    }

    uint16_t pick_pcid() { return r_.pct(95) ? ph_.pcids[r_.below(ph_.npcid)] : (uint16_t)r_.below(4096); }

    // Clustered keys: existing entries, a few regions of the next level up with a
    // few keys each, and now and then anything.
    uint64_t pick_la(pw_mode m, uint16_t *pcid)
    {
        unsigned sh = pw_level_shift(m, level_), x = r_.below(100);
        uint64_t la;
        if (x < 30 && n_ && pw_psc_count(&m_, level_)) {
            unsigned i;
            do
                i = r_.below(n_);
            while (!lvl().e[i].valid);
            la = (lvl().e[i].key << sh) | (r_.next() & mask_of(sh));
            if (r_.pct(70))
                *pcid = lvl().e[i].pcid;
        } else if (x < 95) {
            la = base_[r_.below(ph_.spread_hi)] + ((uint64_t)r_.below(ph_.spread_mid) << (sh + 9)) +
                 ((uint64_t)r_.below(ph_.spread_lo) << sh) + (r_.next() & mask_of(sh));
        } else {
            la = r_.next();
        }
        return pw_la_truncate(m, la);
    }

    pw_flush make_flush(unsigned p, pw_mode *m)
    {
        pw_flush f;
        f.kind = r_.pct(p) ? pick_kind(r_, ph_.all_weight) : PW_FLUSH_NONE;
        f.pcid = pick_pcid();
        *m = r_.pct(80) ? ph_.mode : pick_mode();
        f.la = pick_la(*m, &f.pcid);
        return f;
    }

    // psc.c find(): the entry matching (key, pcid) at this level.
    int find(pw_mode m, uint64_t la, uint16_t pcid) const
    {
        uint64_t key = pw_psc_key(m, level_, la);
        for (unsigned i = 0; i < lvl().n; i++)
            if (lvl().e[i].valid && lvl().e[i].key == key && lvl().e[i].pcid == pcid)
                return (int)i;
        return -1;
    }

    uint64_t valid_mask() const
    {
        uint64_t v = 0;
        for (unsigned i = 0; i < lvl().n; i++)
            v |= (uint64_t)lvl().e[i].valid << i;
        return v;
    }

    std::string ops() const
    {
        std::string s = fmt("lookup mode %s la %014" PRIx64 " pcid %03x (key %" PRIx64 ")",
                            mode_name(lk_mode_), lk_la_, lk_pcid_, pw_psc_key(lk_mode_, level_, lk_la_));
        if (touch_)
            s += "; touch";
        if (fill_)
            s += fmt("; fill mode %s la %014" PRIx64 " (key %" PRIx64 ") pcid %03x table %" PRIx64,
                     mode_name(fill_mode_), fill_la_, pw_psc_key(fill_mode_, level_, fill_la_),
                     fill_pcid_, fill_table_);
        s += "; flush_a " + flush_str(fa_, fa_mode_) + "; flush_b " + flush_str(fb_, fb_mode_);
        return s;
    }

    std::string state() const
    {
        std::string s = fmt("  model (after this cycle's operations; PLRU bits %016" PRIx64 "):\n",
                            lvl().plru.bits);
        for (unsigned i = 0; i < lvl().n; i++)
            if (lvl().e[i].valid)
                s += fmt("    [%2u] key %" PRIx64 " pcid %03x table %" PRIx64 "\n", i, lvl().e[i].key,
                         lvl().e[i].pcid, lvl().e[i].table);
        return s;
    }

    [[noreturn]] void fail(const std::string &what) const { mismatch(name_, what, ops(), state()); }
};

// ======================================================================= main
int main(int argc, char **argv)
{
    uint64_t seed = 1, seeds = 3, steps = 200000;
    for (int i = 1; i < argc; i++) {
        if (!std::strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = std::strtoull(argv[++i], nullptr, 0);
        else if (!std::strcmp(argv[i], "--seeds") && i + 1 < argc)
            seeds = std::strtoull(argv[++i], nullptr, 0);
        else if (!std::strcmp(argv[i], "--steps") && i + 1 < argc)
            steps = std::strtoull(argv[++i], nullptr, 0);
        else if (!std::strcmp(argv[i], "-v"))
            g_verbose = true;
        else if (argv[i][0] != '+') {
            std::fprintf(stderr, "usage: %s [--seed S] [--seeds K] [--steps N] [-v]\n", argv[0]);
            return 2;
        }
    }

    auto ctx = std::make_unique<VerilatedContext>();
    ctx->commandArgs(argc, argv);
    auto top = std::make_unique<Vpw_unit_top>(ctx.get());

    std::vector<std::unique_ptr<TlbCheck>> tlbs;
    std::vector<std::unique_ptr<PscCheck>> pscs;
    for (unsigned t = 0; t < kNT; t++)
        tlbs.emplace_back(new TlbCheck(t, kTlbN[t]));
    for (unsigned p = 0; p < kNP; p++)
        pscs.emplace_back(new PscCheck(p, kPscN[p], kPscL[p]));

    uint64_t compared = 0;
    for (uint64_t s = seed; s < seed + seeds; s++) {
        g_fail.seed = s;
        g_fail.step = 0;
        // Reset: every cache empty, every PLRU bit 0.
        top->clk_i = 0;
        top->rst_ni = 1;
        top->eval();
        top->rst_ni = 0;
        top->eval();
        top->rst_ni = 1;
        top->eval();
        unsigned k = 0;
        for (auto &c : tlbs) {
            c->reset(s * 1000 + k++);
            c->check_reset(top.get());
        }
        for (auto &c : pscs) {
            c->reset(s * 1000 + k++);
            c->check_reset(top.get());
        }
        for (uint64_t i = 0; i < steps; i++) {
            g_fail.step = i;
            for (auto &c : tlbs)
                c->drive(top.get());
            for (auto &c : pscs)
                c->drive(top.get());
            top->clk_i = 0;
            top->eval();
            for (auto &c : tlbs)
                c->check_comb(top.get());
            for (auto &c : pscs)
                c->check_comb(top.get());
            top->clk_i = 1;
            top->eval();
            for (auto &c : tlbs)
                c->check_state(top.get());
            for (auto &c : pscs)
                c->check_state(top.get());
            compared += kNT + kNP;
        }
        if (g_verbose)
            std::printf("seed %" PRIu64 ": %" PRIu64 " cycles OK\n", s, steps);
    }
    top->final();

    std::printf("rtl-unit: pw_tlb/pw_psc vs the C model: seeds %" PRIu64 "..%" PRIu64 ", %" PRIu64
                " cycles each, %" PRIu64 " instance-cycles compared, 0 mismatches\n",
                seed, seed + seeds - 1, steps, compared);
    for (auto &c : tlbs)
        c->report();
    for (auto &c : pscs)
        c->report();
    return 0;
}
