// Compares the RTL with the model's prediction, for every translation: the
// response cycle and every response_t field against pw_result; every page-table
// access between the accept and the response, in order (address, size, op, cmp,
// wdata, issue / accept / respond cycles, data); and, when asked, the counters
// and the page-table memory of the two sides. The first difference is recorded
// in a Failure; nothing after it is checked.
#ifndef TB_SCOREBOARD_H
#define TB_SCOREBOARD_H

#include <vector>

#include "report.h"
#include "rtl_mem.h"

class Scoreboard : public RtlMemListener {
public:
    explicit Scoreboard(Failure *f) : f_(f) {}

    // The model's answer for request number `index`, accepted now (cycle rsp.accept_cycle).
    void expect(uint64_t index, const pw_request &q, const pw_regs &regs, const pw_mmu_response &rsp);
    bool busy() const { return busy_; }
    uint64_t expected_response_cycle() const { return exp_.rsp_cycle; }

    void on_issue(const RtlAccess &a) override;
    void on_perform(const RtlAccess &a) override;
    void on_protocol_error(uint64_t cycle, const char *what) override;

    // rsp_valid_o = 1 in cycle t.
    void on_response(uint64_t t, const pw_result &got);
    // Every cycle: the response the model predicted must not be late.
    void check_cycle(uint64_t t)
    {
        if (busy_ && t >= exp_.rsp_cycle)
            late(t);
    }
    // Reset in cycle t (docs/timing.md §10): the RTL must have issued exactly the
    // accesses the model's walk issues before t; the answer is never given.
    void on_reset(uint64_t t);
    void check_counters(uint64_t t, const pw_counters &model, const uint64_t rtl[16]);
    void check_memory(uint64_t t, pw_image *rtl, pw_image *model, uint64_t base, uint64_t bytes);

private:
    void late(uint64_t t);
    void mismatch(uint64_t t, const std::string &what, const std::string &detail = "");
    std::string context() const;

    Failure *f_;
    bool busy_ = false;
    uint64_t index_ = 0;
    pw_request req_{};
    pw_regs regs_{};
    pw_mmu_response exp_{};
    std::vector<RtlAccess> rtl_;
};

#endif
