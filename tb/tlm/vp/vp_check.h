// The VP's comparisons: translation results, the memory's access log against the
// reference's trace, the functional answer, and the mismatch report. Pure helpers:
// each returns an empty string when the two sides agree, else what differs.
#ifndef VP_CHECK_H
#define VP_CHECK_H

#include <cstdint>
#include <string>
#include <vector>

#include <systemc>

#include "pagewalk/pagewalk.h"
#include "vp_memory.h"

// How much of a result two answers must share.
enum class vp_match {
    exact,      // every field: the TLM MMU against the reference pw_mmu
    functional, // the architectural answer: a TLB hit carries no raw entry, and its D
                // is the D cached when the entry was filled (R11.2)
};

std::string vp_diff_result(const pw_result &got, const pw_result &want, vp_match how, bool hit);

// The memory target's log of one translation against the reference's trace:
// order, kind, address, size, CAS compare and write values, issue time, errors.
std::string vp_diff_trace(const std::vector<vp_mem_access> &log, const pw_mmu_response &ref,
                          const sc_core::sc_time &period);

// pw_walk on `img` as it is now, writing nothing (an A/D update is taken as done).
pw_status vp_functional(const pw_config &cfg, const pw_regs &regs, pw_image *img,
                        const pw_request &req, pw_result *res);

std::string vp_format_request(const pw_request &q);
std::string vp_format_result(const pw_result &r);

// Counts mismatches and prints the first few in full, each with its context.
class vp_report {
public:
    explicit vp_report(unsigned max_printed) : max_printed_(max_printed) {}
    void set_context(const std::string &ctx) { context_ = ctx; }
    // Records a mismatch when `diff` is not empty; true when it is.
    bool check(const std::string &what, const std::string &diff);
    bool expect(bool ok, const std::string &what) { return check(what, ok ? "" : "false"); }
    uint64_t mismatches() const { return mismatches_; }

private:
    unsigned max_printed_;
    std::string context_;
    uint64_t mismatches_ = 0;
};

#endif
