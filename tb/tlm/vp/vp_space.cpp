// The VP's address spaces and stimulus (vp_space.h).
#include "vp_space.h"

namespace {

constexpr uint64_t KiB = UINT64_C(1) << 10;
constexpr uint64_t MiB = UINT64_C(1) << 20;
constexpr uint64_t GiB = UINT64_C(1) << 30;

// LA slots (vp_space.h).
constexpr unsigned n_slots = 16;
constexpr uint64_t legacy_slot_bytes = 256 * MiB;
constexpr unsigned span_bits_4lvl = 39;           // one PML4E maps 512 GiB
constexpr unsigned span_bits_5lvl = 48;           // one PML5E maps 256 TiB
constexpr uint64_t upper_half_4lvl = UINT64_C(0xffff800000000000);
constexpr uint64_t upper_half_5lvl = UINT64_C(0xff00000000000000);
constexpr unsigned first_upper_slot = 8;          // long modes: slots 8.. are the upper half
constexpr unsigned n_clusters = 4;
constexpr unsigned cluster_slots_legacy[n_clusters] = {0, 1, 2, 3};
constexpr unsigned cluster_slots_long[n_clusters] = {0, 1, 2, first_upper_slot};
constexpr unsigned slot_large = 4, slot_huge = 5, slot_reserved = 6, slot_bad = 7;
constexpr unsigned first_empty_slot = 10;

constexpr unsigned cluster_pages = 24;
constexpr unsigned cluster_positions = 8;         // a cluster starts at one of 8 steps
constexpr uint64_t cluster_step = 2 * MiB;
constexpr unsigned large_pages = 8;
constexpr unsigned huge_pages = 2;
constexpr unsigned hot_pages = 12;
constexpr uint64_t reserve_offset = 64 * KiB;     // inside the one page table of its slot
constexpr uint64_t reserve_bytes = 1 * MiB;
constexpr unsigned reserve_tag = 7;
constexpr uint64_t bad_offset = 4 * MiB;          // its own PDE in every mode
constexpr uint64_t bad_span = 16 * PW_PAGE_SIZE;  // requests land in this much of it
constexpr unsigned rsvd_page_index = 5;           // in the first cluster
constexpr unsigned pa_bits_legacy = 32;           // 32-bit PTEs: frames below 4 GiB
constexpr unsigned pa_bits = 36;                  // other modes: frames below 64 GiB
constexpr uint64_t unmapped_span = 1 * GiB;       // requests into empty slots land here

// Request mix, cumulative percent.
constexpr unsigned req_hot = 70, req_page = 80, req_large = 88, req_reserved = 90, req_bad = 92,
                   req_rsvd = 93, req_unmapped = 97;
// Accesses mostly as the page allows (a program that works), sometimes not.
constexpr unsigned read_pct = 55, write_pct_rw = 30, write_pct_ro = 3;   // the rest: fetch
constexpr unsigned user_on_user_pct = 90, user_on_kernel_pct = 3;
constexpr unsigned ac_pct = 20, implicit_pct = 2, hot_swap_pct = 2;

// Leaf flags, percent.
constexpr unsigned rw_pct = 70, us_pct = 95, a_pct = 60, d_pct = 40, xd_pct = 15, g_pct = 50,
                   cache_pct = 10, pk_pct = 20, pk_keys = 16;
constexpr uint32_t pkru_key0 = 3;   // AD and WD of key 0

// Operations before a request: per mille.
constexpr unsigned ctl_permille = 6, edit_permille = 3, paging_off_permille = 1;
constexpr unsigned paging_off_min = 5, paging_off_max = 40;
constexpr unsigned n_pcids = 2;                   // PCIDs 1 and 2 share the tables
constexpr uint64_t first_pcid = 1;
constexpr unsigned n_sides = 2;                   // the memory target's image, the reference's
constexpr unsigned percent = 100, permille = 1000, half = 50;
constexpr unsigned smep_pct = 50, smap_pct = 50, pcide_pct = 70, large_edit_pct = 25;

uint64_t page_bytes(pw_page_size s)
{
    return pw_page_bytes(s);
}

}  // namespace

vp_space::vp_space(const pw_config &cfg, pw_mode mode, pw_image *img_a, pw_image *img_b,
                   uint64_t seed)
    : cfg_(cfg), mode_(mode), img_{img_a, img_b}, rng_(seed)
{
    pw_regs_reset(&regs_);
}

vp_space::~vp_space()
{
    for (pw_os *os : os_)
        pw_os_free(os);
}

bool vp_space::fail(const std::string &what)
{
    if (why_.empty())
        why_ = what;
    return false;
}

uint64_t vp_space::slot(unsigned i) const
{
    if (!long_mode())
        return i * legacy_slot_bytes;
    const bool five = mode_ == PW_MODE_5LVL;
    const unsigned span_bits = five ? span_bits_5lvl : span_bits_4lvl;
    if (i < first_upper_slot)
        return uint64_t(i) << span_bits;
    const uint64_t upper_half = five ? upper_half_5lvl : upper_half_4lvl;
    return upper_half + (uint64_t(i - first_upper_slot) << span_bits);
}

uint64_t vp_space::frame(pw_page_size size)
{
    const uint64_t bytes = page_bytes(size);
    const uint64_t limit = UINT64_C(1) << (mode_ == PW_MODE_32 ? pa_bits_legacy : pa_bits);
    return rng_.below(limit / bytes) * bytes;
}

uint64_t vp_space::random_flags(bool kernel)
{
    uint64_t f = 0;
    if (rng_.chance(rw_pct)) f |= PTE_RW;
    if (!kernel && rng_.chance(us_pct)) f |= PTE_US;
    if (rng_.chance(a_pct)) {
        f |= PTE_A;
        if (rng_.chance(d_pct)) f |= PTE_D;
    }
    if (mode_ != PW_MODE_32 && (regs_.efer & EFER_NXE) && rng_.chance(xd_pct)) f |= PTE_XD;
    if (kernel && rng_.chance(g_pct)) f |= PTE_G;
    if (rng_.chance(cache_pct)) f |= PTE_PWT;
    if (rng_.chance(cache_pct)) f |= PTE_PCD;
    if (long_mode() && rng_.chance(pk_pct)) f |= rng_.below(pk_keys) << PTE_PK_SHIFT;
    return f;
}

// Sparse: a few keys deny access or writes; never key 0, the default one.
uint32_t vp_space::random_pkru()
{
    return static_cast<uint32_t>(rng_.next() & rng_.next() & rng_.next()) & ~pkru_key0;
}

// ---- The same change in both images ----

bool vp_space::map_both(uint64_t la, uint64_t pa, pw_page_size size, uint64_t flags)
{
    for (pw_os *os : os_)
        if (pw_os_map(os, la, pa, size, flags) != PW_OK)
            return fail("pw_os_map failed");
    return true;
}

bool vp_space::set_table_flags(uint64_t flags)
{
    for (pw_os *os : os_)
        pw_os_set_table_flags(os, flags);
    return true;
}

// Set and clear bits of the entry at `level` on la's path, in both images.
bool vp_space::poke_entry(uint64_t la, unsigned level, uint64_t set, uint64_t clear)
{
    const bool narrow = pw_mode_entry_size(mode_) == sizeof(uint32_t);
    for (unsigned side = 0; side < n_sides; side++) {
        uint64_t pa, e = 0;
        uint32_t e32 = 0;
        pw_image *img = img_[side];
        if (pw_os_entry_pa(os_[side], la, level, &pa) != PW_OK ||
            (narrow ? pw_image_read32(img, pa, &e32) : pw_image_read64(img, pa, &e)) != PW_OK)
            return fail("no entry to edit");
        e = ((narrow ? e32 : e) & ~clear) | set;
        if ((narrow ? pw_image_write32(img, pa, static_cast<uint32_t>(e))
                    : pw_image_write64(img, pa, e)) != PW_OK)
            return fail("entry write failed");
    }
    return true;
}

// ---- Building ----

// The registers of the mode, with some of the optional protections on.
void vp_space::build_regs()
{
    pw_regs &r = regs_;
    r.cr0 = CR0_PE | CR0_PG | CR0_WP;
    switch (mode_) {
    case PW_MODE_32:
        r.cr4 = CR4_PSE | CR4_PGE;
        break;
    case PW_MODE_PAE:
        r.cr4 = CR4_PAE | CR4_PGE;
        r.efer = EFER_NXE;
        break;
    default:
        r.cr4 = CR4_PAE | CR4_PGE | CR4_PKE | (mode_ == PW_MODE_5LVL ? CR4_LA57 : 0);
        r.efer = EFER_LME | EFER_LMA | EFER_NXE;
        if (cfg_.has_pcid && rng_.chance(pcide_pct))
            r.cr4 |= CR4_PCIDE;
        r.pkru = random_pkru();
        break;
    }
    if (rng_.chance(smep_pct)) r.cr4 |= CR4_SMEP;
    if (rng_.chance(smap_pct)) r.cr4 |= CR4_SMAP;
}

// Clusters of 4 KiB pages (the last one supervisor), large and 1 GiB pages.
bool vp_space::build_pages()
{
    const bool lm = long_mode();
    const unsigned *clusters = lm ? cluster_slots_long : cluster_slots_legacy;
    for (unsigned c = 0; c < n_clusters; c++) {
        const bool kernel = c == n_clusters - 1;
        const uint64_t base = slot(clusters[c]) + rng_.below(cluster_positions) * cluster_step;
        for (unsigned i = 0; i < cluster_pages; i++) {
            const uint64_t la = base + i * PW_PAGE_SIZE, flags = random_flags(kernel);
            if (!map_both(la, frame(PW_SIZE_4K), PW_SIZE_4K, flags))
                return false;
            if (c == 0 && i == rsvd_page_index && mode_ != PW_MODE_32)
                rsvd_la_ = la;   // given a reserved bit by build_faults, never edited
            else
                pages_.push_back({la, PW_SIZE_4K, kernel, flags});
        }
    }
    const pw_page_size big = mode_ == PW_MODE_32 ? PW_SIZE_4M : PW_SIZE_2M;
    for (unsigned i = 0; i < large_pages; i++) {
        const uint64_t la = slot(slot_large) + i * page_bytes(big), flags = random_flags(false);
        if (!map_both(la, frame(big), big, flags))
            return false;
        large_.push_back({la, big, false, flags});
    }
    if (lm && cfg_.has_1g)
        for (unsigned i = 0; i < huge_pages; i++) {
            const uint64_t la = slot(slot_huge) + i * GiB, flags = random_flags(false);
            if (!map_both(la, frame(PW_SIZE_1G), PW_SIZE_1G, flags))
                return false;
            large_.push_back({la, PW_SIZE_1G, false, flags});
        }
    for (unsigned i = 0; i < hot_pages; i++)
        hot_.push_back(rng_.below(pages_.size()));
    return true;
}

// What makes walks end early: a reservation, a table beyond memory, a reserved bit.
bool vp_space::build_faults()
{
    // A reservation inside a page table that exists: its entries carry the OS bits.
    const uint64_t res_base = slot(slot_reserved);
    if (!map_both(res_base, frame(PW_SIZE_4K), PW_SIZE_4K, PTE_RW | PTE_US | PTE_A))
        return false;
    reserved_la_ = res_base + reserve_offset;
    reserved_bytes_ = reserve_bytes;
    for (pw_os *os : os_)
        if (pw_os_reserve(os, reserved_la_, reserved_bytes_, reserve_tag) != PW_OK)
            return fail("pw_os_reserve failed");
    // A page table beyond memory: every walk under that PDE ends in a bus error.
    bad_la_ = slot(slot_bad) + bad_offset;
    if (!map_both(bad_la_, frame(PW_SIZE_4K), PW_SIZE_4K, PTE_RW | PTE_US))
        return false;
    const uint64_t addr =
        mode_ == PW_MODE_32 ? CR3_32_BASE : PW_BITS(cfg_.maxphyaddr - 1, PW_PAGE_SHIFT);
    if (!poke_entry(bad_la_, PW_LVL_PD, vp_bad_table_pa, addr))
        return false;
    // A reserved bit (above MAXPHYADDR) in a PTE.
    return !rsvd_la_ || poke_entry(rsvd_la_, PW_LVL_PT, PW_BIT(cfg_.maxphyaddr), 0);
}

bool vp_space::build()
{
    build_regs();
    const unsigned mode_index = static_cast<unsigned>(mode_) - PW_MODE_32;
    const uint64_t pool = vp_pool_base + mode_index * vp_pool_bytes;
    for (unsigned side = 0; side < n_sides; side++)
        if (pw_os_new(img_[side], &cfg_, mode_, pool, vp_pool_bytes, nullptr, &os_[side]) != PW_OK)
            return fail("pw_os_new failed");
    // Tables without A: the first walk through each one sets it with a CAS.
    set_table_flags(PTE_RW | PTE_US);
    if (!build_pages() || !build_faults())
        return false;

    pw_regs &r = regs_;
    r.cr3 = pw_os_cr3(os_[0]) | ((r.cr4 & CR4_PCIDE) ? first_pcid : 0);
    if (mode_ == PW_MODE_PAE) {
        pw_mem mem;
        pw_image_mem(img_[0], &mem);
        if (pw_regs_load_pdptes(&cfg_, &r, &mem) != PW_OK)
            return fail("PDPTE load failed");
    }
    const char *msg = nullptr;
    if (pw_regs_validate(&cfg_, &r, &msg) != PW_OK)
        return fail(std::string("registers: ") + (msg ? msg : "invalid"));
    return true;
}

// From reset into regs(): LME and the CR4 modes before PG; PCIDE after (it needs
// IA-32e mode), then the PCID in CR3 and PKRU.
std::vector<pw_ctl> vp_space::boot() const
{
    const pw_regs &r = regs_;
    std::vector<pw_ctl> ops;
    const auto op = [&ops](pw_ctl_kind k, uint64_t v) { ops.push_back(pw_ctl{k, v, 0, 0}); };
    if (r.efer & ~EFER_LMA) op(PW_CTL_WRMSR_EFER, r.efer & ~EFER_LMA);
    if (r.cr4 & ~CR4_PCIDE) op(PW_CTL_MOV_CR4, r.cr4 & ~CR4_PCIDE);
    op(PW_CTL_MOV_CR3, r.cr3 & ~CR3_PCID);
    op(PW_CTL_MOV_CR0, r.cr0);
    if (r.cr4 & CR4_PCIDE) op(PW_CTL_MOV_CR4, r.cr4);
    if (r.cr3 & CR3_PCID) op(PW_CTL_MOV_CR3, r.cr3);
    if (r.pkru) op(PW_CTL_WRPKRU, r.pkru);
    return ops;
}

// ---- Stimulus ----

// A request to page p, as its program would usually make it.
void vp_space::access(const vp_page &p, pw_request &q)
{
    q.la = p.la + rng_.below(page_bytes(p.size));
    const unsigned k = static_cast<unsigned>(rng_.below(percent));
    const unsigned write_pct = (p.flags & PTE_RW) ? write_pct_rw : write_pct_ro;
    q.kind = k < read_pct ? PW_ACC_READ : k < read_pct + write_pct ? PW_ACC_WRITE : PW_ACC_FETCH;
    q.user = rng_.chance(p.kernel ? user_on_kernel_pct : user_on_user_pct);
}

pw_request vp_space::request()
{
    if (rng_.chance(hot_swap_pct))
        hot_[rng_.below(hot_.size())] = rng_.below(pages_.size());
    pw_request q = {};
    const vp_page other = {0, PW_SIZE_4K, false, PTE_RW | PTE_US};
    const unsigned r = static_cast<unsigned>(rng_.below(percent));
    const bool lm = long_mode();
    if (r < req_hot) {
        access(pages_[hot_[rng_.below(hot_.size())]], q);
    } else if (r < req_page) {
        access(pages_[rng_.below(pages_.size())], q);
    } else if (r < req_large) {
        access(large_[rng_.below(large_.size())], q);
    } else {
        access(other, q);
        if (r < req_reserved)
            q.la = reserved_la_ + rng_.below(reserved_bytes_);
        else if (r < req_bad)
            q.la = bad_la_ + rng_.below(bad_span);
        else if (r < req_rsvd && rsvd_la_)
            q.la = rsvd_la_ + rng_.below(PW_PAGE_SIZE);
        else if (r < req_unmapped || !lm)
            q.la = slot(static_cast<unsigned>(rng_.range(first_empty_slot, n_slots - 1))) +
                   rng_.below(unmapped_span);
        else   // bit 47 (56) set with the bits above clear: not canonical, #GP without a walk
            q.la = PW_BIT(pw_la_bits(mode_) - 1) + rng_.below(unmapped_span);
    }
    q.ac = rng_.chance(ac_pct);
    q.implicit = rng_.chance(implicit_pct);
    return q;
}

pw_ctl vp_space::random_control(const pw_regs &cur)
{
    const bool pcide = (cur.cr4 & CR4_PCIDE) != 0;
    const uint64_t la = pages_[rng_.below(pages_.size())].la;
    const uint64_t pcid = pcide ? first_pcid + rng_.below(n_pcids) : 0;
    enum { INVLPG, CR3, INVPCID, FLUSH, PKRU, PGE, N_KINDS };
    switch (rng_.below(N_KINDS)) {
    case INVLPG:
        return pw_ctl{PW_CTL_INVLPG, 0, la, 0};
    case CR3:
        // Switch PCID (with or without a flush), or reload CR3 (PAE: reloads the PDPTEs).
        return pw_ctl{PW_CTL_MOV_CR3,
                      pcide ? (cur.cr3 & ~CR3_PCID) | pcid | (rng_.chance(half) ? CR3_NOFLUSH : 0)
                            : cur.cr3,
                      0, 0};
    case INVPCID: {
        const unsigned n_types = 4;
        return pw_ctl{PW_CTL_INVPCID, pcid, la, static_cast<unsigned>(rng_.below(n_types))};
    }
    case FLUSH:
        return pw_ctl{PW_CTL_FLUSH_ALL, 0, 0, 0};
    case PKRU:
        if (cur.cr4 & CR4_PKE)
            return pw_ctl{PW_CTL_WRPKRU, random_pkru(), 0, 0};
        [[fallthrough]];
    default:
        return pw_ctl{PW_CTL_MOV_CR4, cur.cr4 ^ CR4_PGE, 0, 0};
    }
}

// Change the flags of one leaf in both images, then invalidate it wherever it may
// be cached: INVLPG (this PCID and global entries) and, with PCIDs, INVPCID of the
// page for every PCID the tables are used under.
bool vp_space::reprotect(vp_page &p, uint64_t flags, const pw_regs &cur,
                         std::vector<pw_ctl> &out)
{
    for (pw_os *os : os_)
        if (pw_os_protect(os, p.la, p.size, flags) != PW_OK)
            return fail("pw_os_protect failed");
    p.flags = flags;
    out.push_back(pw_ctl{PW_CTL_INVLPG, 0, p.la, 0});
    if (cur.cr4 & CR4_PCIDE)
        for (uint64_t pcid = first_pcid; pcid < first_pcid + n_pcids; pcid++)
            out.push_back(pw_ctl{PW_CTL_INVPCID, pcid, p.la, 0});
    return true;
}

bool vp_space::protect(const pw_regs &cur, std::vector<pw_ctl> &out)
{
    const bool use_large = rng_.chance(large_edit_pct);
    vp_page &p = use_large ? large_[rng_.below(large_.size())] : pages_[rng_.below(pages_.size())];
    return reprotect(p, random_flags(p.kernel), cur, out);
}

bool vp_space::clean_page(const pw_regs &cur, uint64_t *la, std::vector<pw_ctl> &out)
{
    for (vp_page &p : pages_)
        if (p.kernel) {
            *la = p.la;
            return reprotect(p, PTE_RW, cur, out);
        }
    return fail("no supervisor page");
}

void vp_space::controls(const pw_regs &cur, std::vector<pw_ctl> &out, uint64_t *edits)
{
    if (paging_off_left_ && --paging_off_left_ == 0)
        out.push_back(pw_ctl{PW_CTL_MOV_CR0, cur.cr0 | CR0_PG, 0, 0});
    const unsigned r = static_cast<unsigned>(rng_.below(permille));
    if (r < ctl_permille) {
        out.push_back(random_control(cur));
    } else if (r < ctl_permille + edit_permille) {
        if (protect(cur, out))
            (*edits)++;
    } else if (r < ctl_permille + edit_permille + paging_off_permille && !long_mode() &&
               !paging_off_left_ && (cur.cr0 & CR0_PG)) {
        // Legacy modes only: leaving IA-32e paging is not a single MOV.
        out.push_back(pw_ctl{PW_CTL_MOV_CR0, cur.cr0 & ~CR0_PG, 0, 0});
        paging_off_left_ = static_cast<unsigned>(rng_.range(paging_off_min, paging_off_max));
    }
}
