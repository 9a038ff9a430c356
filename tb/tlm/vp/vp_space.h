// One paging mode's address space for the VP, built identically in two images (the
// memory target's and the reference's) with the os builder, and the random stimulus
// drawn from it: requests, control operations, page-table edits with the
// invalidations they require. It never sees either MMU.
//
// Layout: the LA space is cut into 16 slots (256 MiB each in 32-bit and PAE paging;
// one PML4E / PML5E span each in 4/5-level paging, half of them in the upper half):
//   clusters of 4 KiB pages (one of them supervisor and partly global),
//   large pages (4 MiB or 2 MiB), 1 GiB pages (4/5-level),
//   a reservation (not-present entries with OS bits: #PF),
//   a page table whose PDE points beyond memory (bus error),
//   a PTE with a reserved bit set (#PF RSVD; not in 32-bit paging),
//   slots with nothing mapped (#PF at the top), and non-canonical addresses (#GP).
#ifndef VP_SPACE_H
#define VP_SPACE_H

#include <cstdint>
#include <string>
#include <vector>

#include "pagewalk/pagewalk.h"
#include "vp_rng.h"

// Physical memory of the VP: page tables of mode m in pool m; beyond it, bus errors.
constexpr uint64_t vp_mem_bytes = UINT64_C(128) << 20;
constexpr uint64_t vp_pool_base = UINT64_C(32) << 20;
constexpr uint64_t vp_pool_bytes = UINT64_C(16) << 20;
constexpr uint64_t vp_bad_table_pa = UINT64_C(512) << 20;   // > vp_mem_bytes: no memory

struct vp_page {
    uint64_t la;
    pw_page_size size;
    bool kernel;     // supervisor-only, may be global
    uint64_t flags;  // leaf flags as last mapped or protected
};

class vp_space {
public:
    vp_space(const pw_config &cfg, pw_mode mode, pw_image *img_a, pw_image *img_b, uint64_t seed);
    ~vp_space();
    vp_space(const vp_space &) = delete;
    vp_space &operator=(const vp_space &) = delete;

    // Build the mappings and the register state; false with why() on failure.
    bool build();
    const std::string &why() const { return why_; }
    pw_mode mode() const { return mode_; }
    // The registers the run boots into, and the operations that get there from reset
    // (paging off, every register 0), each legal when it is performed.
    const pw_regs &regs() const { return regs_; }
    std::vector<pw_ctl> boot() const;

    pw_request request();
    // Operations to perform before the next request (usually none), given the
    // current registers. A page-table edit is applied to both images here, and
    // followed by the invalidations it requires; *edits counts it.
    void controls(const pw_regs &cur, std::vector<pw_ctl> &out, uint64_t *edits);
    // A supervisor page made writable and clean (A = D = 0), with the invalidations
    // that requires: a supervisor write to it needs an A/D update (a CAS).
    bool clean_page(const pw_regs &cur, uint64_t *la, std::vector<pw_ctl> &out);

private:
    void build_regs();
    bool build_pages();
    bool build_faults();
    uint64_t slot(unsigned i) const;
    uint64_t random_flags(bool kernel);
    uint32_t random_pkru();
    void access(const vp_page &p, pw_request &q);
    bool map_both(uint64_t la, uint64_t pa, pw_page_size size, uint64_t flags);
    bool set_table_flags(uint64_t flags);
    bool poke_entry(uint64_t la, unsigned level, uint64_t set, uint64_t clear);
    uint64_t frame(pw_page_size size);
    bool protect(const pw_regs &cur, std::vector<pw_ctl> &out);
    bool reprotect(vp_page &p, uint64_t flags, const pw_regs &cur, std::vector<pw_ctl> &out);
    pw_ctl random_control(const pw_regs &cur);
    bool fail(const std::string &what);
    bool long_mode() const { return mode_ == PW_MODE_4LVL || mode_ == PW_MODE_5LVL; }

    pw_config cfg_;
    pw_mode mode_;
    pw_image *img_[2];
    pw_os *os_[2] = {nullptr, nullptr};
    vp_rng rng_;
    pw_regs regs_;
    std::vector<vp_page> pages_;       // 4 KiB pages that may be edited
    std::vector<vp_page> large_;       // 2 MiB / 4 MiB / 1 GiB pages
    std::vector<size_t> hot_;          // indices in pages_ most requests go to (TLB hits)
    uint64_t reserved_la_ = 0, reserved_bytes_ = 0;
    uint64_t bad_la_ = 0, rsvd_la_ = 0;
    unsigned paging_off_left_ = 0;     // requests until paging is turned back on
    std::string why_;
};

#endif
