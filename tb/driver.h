// The cycle-by-cycle driver of one co-simulation run. It takes events from a
// source (tb/stim.h: the random stimulus, or a directed list), maps them to
// cycles by the rules in stim.h, and applies each to both sides in the order
// docs/timing.md §13 and mmu.h require:
//   - a request is presented from its cycle, payload stable until req_ready_o;
//     in its accept cycle the model's pw_mmu_translate is called, and the
//     model's accept cycle must be the RTL's;
//   - a control operation is dry-run on a copy of the registers (only legal
//     ones are sent), driven on ctl_* with ctl_pdpte_i read from the RTL's
//     memory, and given to pw_mmu_ctl after any translate of the same cycle;
//   - an edit is applied to both memories when no request is outstanding.
// The RTL's memory port is served by RtlMem; the scoreboard checks everything.
#ifndef TB_DRIVER_H
#define TB_DRIVER_H

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "coverage.h"
#include "dut.h"
#include "env_mem.h"
#include "report.h"
#include "rtl_mem.h"
#include "scoreboard.h"
#include "stim.h"

class EventSource {
public:
    virtual ~EventSource() = default;
    // The next event; `current` are the registers after every operation so far.
    virtual void next(const pw_regs &current, stim_event *ev) = 0;
    // Apply the EDIT just returned to both images.
    virtual bool apply_edit() = 0;
    // Non-NULL once the source has failed (its own check, e.g. images diverged).
    virtual const char *error() const = 0;
};

// The random stimulus of tb/stim.c as an event source.
class StimSource : public EventSource {
public:
    explicit StimSource(stim *s) : s_(s) {}
    void next(const pw_regs &current, stim_event *ev) override { stim_next(s_, &current, ev); }
    bool apply_edit() override { return stim_apply_edit(s_); }
    const char *error() const override { return s_->fail; }

private:
    stim *s_;
};

// A fixed list of events (directed benches); edits are not supported.
class ListSource : public EventSource {
public:
    explicit ListSource(std::vector<stim_event> ev) : ev_(std::move(ev)) {}
    void next(const pw_regs &, stim_event *ev) override
    {
        if (i_ < ev_.size())
            *ev = ev_[i_++];
        else
            done_ = true;
    }
    bool apply_edit() override { return true; }
    const char *error() const override { return done_ ? "the event list ran out" : nullptr; }

private:
    std::vector<stim_event> ev_;
    size_t i_ = 0;
    bool done_ = false;
};

struct DriverOptions {
    uint64_t n = 100000;                // requests to run
    bool check = true;                  // run the model and the scoreboard
    uint64_t trace_from = UINT64_MAX;   // FST waveform from this cycle
    std::string fst_path;
    uint64_t trace_after_fail = 16;     // cycles traced after a failure
    uint64_t watchdog = 20000;          // cycles a request may wait for acceptance or response (0: off)
    uint64_t counter_check_every = 8192;
    // Self-test of the checker: make the RTL side wrong on purpose at request
    // inject_at. "rsp": flip a PA bit of its response; "mem": change an entry in
    // the RTL's memory only; "ctl": do not send the RTL the next operation that
    // changes CR3 (an address-space switch).
    std::string inject;
    uint64_t inject_at = 100;
    std::string progress;               // label of a progress line on a terminal (empty: none)
    Coverage *cov = nullptr;            // functional coverage, sampled when checking (may be NULL)
    std::string rtl_coverage;           // write Verilator's coverage here at the end (--coverage build)
};

// The two sides' environment, built by the caller: identical images, timing.
struct DriverEnv {
    pw_config cfg;
    pw_image *img_rtl = nullptr;
    pw_image *img_model = nullptr;      // NULL when !check
    mem_timing timing;
    pw_regs initial;                    // registers after the boot operations
};

// One translation as the RTL performed it (for benches).
struct TranslationRecord {
    pw_request req;
    uint64_t accept, response;
    pw_result result;
    std::vector<RtlAccess> accesses;
};

class Driver : private RtlMemListener {
public:
    Driver(const DriverOptions &opt, const DriverEnv &env, EventSource *src);
    ~Driver() override;
    // Run until opt.n requests have been answered or the first failure.
    RunTally run(Failure *f);
    // Called for every response (benches); set before run().
    std::function<void(const TranslationRecord &)> observer;
    uint64_t rtl_counter(unsigned sel) { return dut_.counter(sel); }
    const pw_counters &model_counters() const { return mmu_.cnt; }

private:
    void on_issue(const RtlAccess &a) override;
    void on_perform(const RtlAccess &a) override;
    void on_protocol_error(uint64_t cycle, const char *what) override;

    void cycle(uint64_t t);
    void drive_events(uint64_t t);
    bool step_request(uint64_t t);    // true: the event is done (accepted)
    void do_ctl(uint64_t t);
    void accept(uint64_t t);
    void response(uint64_t t);
    void do_reset(uint64_t t);
    bool global_other_pcid(const pw_mmu_response &rsp) const;
    bool reset_due(uint64_t t);
    void finish(uint64_t t, const uint64_t rtl[16]);
    void read_counters(uint64_t rtl[16]);
    void pdptes_for(const pw_regs &r, uint64_t pdpte[4]);
    void error(uint64_t t, const std::string &what, const std::string &detail = "");

    DriverOptions opt_;
    DriverEnv env_;
    EventSource *src_;
    Failure *f_ = nullptr;
    Dut dut_;
    env_mem em_rtl_{}, em_model_{};
    pw_mem model_mem_{}, rtl_raw_{};
    pw_mmu mmu_{};
    std::unique_ptr<Scoreboard> sb_;
    std::unique_ptr<RtlMem> mem_;
    stim_timeline tl_{};
    pw_regs regs_{};                   // the driver's registers (the dry-run copy)
    RunTally tally_;

    stim_event ev_{};
    bool have_ev_ = false;
    bool booted_ = false;
    // the request being presented
    bool presenting_ = false;
    uint64_t presented_ = 0;
    // the request accepted and not answered yet
    bool inflight_ = false;
    uint64_t accepted_at_ = 0;
    TranslationRecord rec_;
    uint64_t accepted_ = 0, answered_ = 0, last_counter_check_ = 0;
    uint64_t dropped_ = 0;             // accepted, then never answered: a reset came first
    uint64_t cnt_base_hits_ = 0, cnt_base_walks_ = 0, cnt_base_restarts_ = 0;   // before resets
    bool ctl_now_ = false;
    pw_ctl ctl_op_{};
    uint64_t ctl_pdpte_[4] = {0, 0, 0, 0};
};

#endif
