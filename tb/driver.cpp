// One co-simulation run, cycle by cycle (driver.h).
#include "driver.h"

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <unistd.h>

namespace {

enum { CNT_HITS = 1, CNT_WALKS = 3, CNT_RESTARTS = 7, CNT_NUM = 16 };
constexpr uint64_t COUNTERS_SETTLE = 2;   // counters are read this many cycles after a response

std::string num(uint64_t v) { return std::to_string(v); }

}  // namespace

Driver::Driver(const DriverOptions &opt, const DriverEnv &env, EventSource *src)
    : opt_(opt), env_(env), src_(src)
{
    env_mem_init(&em_rtl_, env_.img_rtl, &env_.timing);
    pw_image_mem(env_.img_rtl, &rtl_raw_);
    if (opt_.check) {
        env_mem_init(&em_model_, env_.img_model, &env_.timing);
        env_mem_pw_mem(&em_model_, &model_mem_);
    }
    mem_.reset(new RtlMem(&em_rtl_, this));
    pw_regs_reset(&regs_);
}

Driver::~Driver() = default;

void Driver::error(uint64_t t, const std::string &what, const std::string &detail)
{
    fail(f_, t, what, detail + "    registers: " + fmt_regs(regs_) + "\n");
}

// ---- the RTL's memory port, forwarded to the scoreboard ----

void Driver::on_issue(const RtlAccess &a)
{
    rec_.accesses.push_back(a);
    if (sb_)
        sb_->on_issue(a);
    else if (!inflight_)
        error(a.issue, "page-table access with no request outstanding: " + fmt_access(a.acc));
}

void Driver::on_perform(const RtlAccess &a)
{
    if (opt_.cov)
        opt_.cov->access(a.accept - a.issue, a.respond - a.accept);
    if (!rec_.accesses.empty())
        rec_.accesses.back() = a;
    if (sb_)
        sb_->on_perform(a);
}

void Driver::on_protocol_error(uint64_t cycle, const char *what)
{
    if (sb_)
        sb_->on_protocol_error(cycle, what);
    else
        error(cycle, std::string("memory port protocol: ") + what);
}

// ---- events ----

void Driver::pdptes_for(const pw_regs &r, uint64_t pdpte[4])
{
    // The core's four loads at the PDPT that CR3 holds after the operation (R6.1).
    for (unsigned i = 0; i < 4; i++)
        pdpte[i] = 0;
    if (pw_mode_of(&r) != PW_MODE_PAE)
        return;
    uint64_t base = r.cr3 & CR3_PAE_BASE;
    for (unsigned i = 0; i < 4; i++)
        if (pw_image_read64(env_.img_rtl, base + 8 * i, &pdpte[i]) != PW_OK)
            pdpte[i] = 0;
}

void Driver::do_ctl(uint64_t t)
{
    pw_regs copy = regs_;
    pw_status st = stim_ctl_apply(&env_.cfg, &copy, &rtl_raw_, &ev_.ctl);
    stim_tl_ctl_done(&tl_, t);
    if (st != PW_OK) {
        if (ev_.must_pass)
            error(t, std::string(ev_.what ? ev_.what : "control operation") +
                         " raised #GP: " + fmt_ctl(ev_.ctl) + " (stimulus bug)");
        return;   // the core would #GP: never sent to the MMU
    }
    if (opt_.cov && opt_.check) {
        // Performed during a walk whose fill is still due: the fill must not happen (§8).
        if (mmu_.fill_pending && t >= mmu_.walk_accept && t <= mmu_.fill_cycle)
            opt_.cov->midwalk(t - mmu_.walk_accept, t == mmu_.fill_cycle);
        opt_.cov->control(ev_.ctl);
    }
    bool cr3_change = copy.cr3 != regs_.cr3;
    regs_ = copy;
    ctl_now_ = true;
    if (opt_.inject == "ctl" && accepted_ >= opt_.inject_at && cr3_change) {
        opt_.inject.clear();
        ctl_now_ = false;   // self-test: the model switches address space, the RTL never hears of it
    }
    ctl_op_ = ev_.ctl;
    pdptes_for(copy, ctl_pdpte_);
    tally_.ctl_ops++;
    if (!opt_.check)
        return;
    if (pw_mmu_ctl(&mmu_, t, &ev_.ctl) != PW_OK)
        error(t, "pw_mmu_ctl refused an operation its dry run accepted: " + fmt_ctl(ev_.ctl));
    else if (memcmp(&mmu_.regs, &regs_, sizeof regs_))
        error(t, "the model's registers differ from the dry run after " + fmt_ctl(ev_.ctl),
              "    model: " + fmt_regs(mmu_.regs) + "\n");
}

void Driver::accept(uint64_t t)
{
    presenting_ = false;
    inflight_ = true;
    accepted_at_ = t;
    accepted_++;
    stim_tl_accepted(&tl_, t);
    rec_.accept = t;
    rec_.accesses.clear();
    if (ev_.has_poke) {
        env_poke p = {t + ev_.poke_delay, ev_.poke_pa, ev_.poke_bits, ev_.poke_size};
        env_mem_poke(&em_rtl_, &p);
        if (opt_.check)
            env_mem_poke(&em_model_, &p);
        tally_.pokes++;
    }
    if (!opt_.check)
        return;
    pw_regs before = mmu_.regs;
    pw_mmu_response rsp;
    if (pw_mmu_translate(&mmu_, &rec_.req, presented_, &rsp) != PW_OK) {
        error(t, "pw_mmu_translate returned an error for " + fmt_request(rec_.req));
        return;
    }
    sb_->expect(accepted_ - 1, rec_.req, before, rsp);
    if (opt_.cov)
        opt_.cov->translation(pw_mode_of(&before), rsp, global_other_pcid(rsp));
    if (opt_.inject == "mem" && accepted_ >= opt_.inject_at && rsp.n_trace) {
        // Self-test: the entry this walk reads first now differs in the RTL's memory (R/W).
        uint64_t pa = rsp.trace[0].acc.pa, v = 0;
        if (rsp.trace[0].acc.size == 4) {
            uint32_t w = 0;
            pw_image_read32(env_.img_rtl, pa, &w);
            pw_image_write32(env_.img_rtl, pa, w ^ (uint32_t)PTE_RW);
        } else {
            pw_image_read64(env_.img_rtl, pa, &v);
            pw_image_write64(env_.img_rtl, pa, v ^ PTE_RW);
        }
        opt_.inject.clear();
    }
}

// A TLB hit on a global entry tagged with another PCID than the current one (R11.4).
bool Driver::global_other_pcid(const pw_mmu_response &rsp) const
{
    if (!rsp.hit || !rsp.result.global)
        return false;
    uint64_t la = pw_la_truncate(mmu_.mode, rec_.req.la);
    for (unsigned i = 0; i < mmu_.tlb.n; i++) {
        const pw_tlb_entry &e = mmu_.tlb.e[i];
        if (pw_tlb_entry_matches(&e, la, mmu_.pcid))
            return e.pcid != mmu_.pcid;
    }
    return false;
}

// The current REQUEST event in cycle t: present it, and accept it if the RTL is ready.
bool Driver::step_request(uint64_t t)
{
    if (!presenting_) {
        uint64_t p = stim_tl_request(&tl_, ev_.gap);
        if (p == STIM_WAIT || t < p)
            return false;
        presenting_ = true;
        presented_ = t;
        rec_.req = ev_.req;
    }
    dut_.set_req(true, &rec_.req);
    bool ready = dut_.req_ready();
    if (opt_.check) {
        uint64_t am = pw_mmu_accept_cycle(&mmu_, presented_);
        if (ready && am != t) {
            error(t, "the RTL accepts request #" + num(accepted_) + " in cycle " + num(t) +
                         ", the model in " + num(am),
                  "    request: " + fmt_request(rec_.req) + "\n");
            return false;
        }
        if (!ready && am <= t) {
            error(t, "the model accepts request #" + num(accepted_) + " in cycle " + num(am) +
                         ", the RTL's req_ready_o is 0",
                  "    request: " + fmt_request(rec_.req) + "\n");
            return false;
        }
    }
    if (!ready && opt_.watchdog && t - presented_ > opt_.watchdog) {
        error(t, "watchdog: request #" + num(accepted_) + " not accepted for " + num(opt_.watchdog) +
                     " cycles", "    request: " + fmt_request(rec_.req) + "\n");
        return false;
    }
    if (!ready)
        return false;
    accept(t);
    return true;
}

void Driver::drive_events(uint64_t t)
{
    dut_.set_req(false, nullptr);
    for (;;) {
        if (f_->failed)
            return;
        if (!have_ev_) {
            if (accepted_ >= opt_.n)
                return;
            src_->next(regs_, &ev_);
            have_ev_ = true;
            if (src_->error()) {
                error(t, std::string("stimulus: ") + src_->error());
                return;
            }
            if (!ev_.boot && !booted_) {
                booted_ = true;
                if (memcmp(&regs_, &env_.initial, sizeof regs_))
                    error(t, "the boot operations did not reach the initial registers",
                          "    initial:   " + fmt_regs(env_.initial) + "\n");
            }
        }
        switch (ev_.kind) {
        case STIM_REQUEST:
            if (!step_request(t))
                return;
            have_ev_ = false;
            continue;   // a CTL may share the accept cycle (after the request)
        case STIM_CTL:
            if (t < stim_tl_ctl(&tl_, ev_.delay))
                return;
            do_ctl(t);
            have_ev_ = false;
            return;     // one operation per cycle; nothing else may share it
        case STIM_RESET:
            return;     // cycle() performs it at the start of its cycle
        case STIM_EDIT: {
            uint64_t pokes = em_rtl_.last_poke_cycle;
            uint64_t e = stim_tl_edit(&tl_, pokes);
            if (e == STIM_WAIT || t < e || inflight_ || !mem_->idle())
                return;
            env_mem_settle_all(&em_rtl_);
            if (opt_.check)
                env_mem_settle_all(&em_model_);
            if (!src_->apply_edit()) {
                error(t, std::string("stimulus: ") + (src_->error() ? src_->error() : "edit failed"));
                return;
            }
            stim_tl_edit_done(&tl_, t);
            tally_.edits++;
            have_ev_ = false;
            continue;
        }
        default:
            error(t, "unknown stimulus event");
            return;
        }
    }
}

void Driver::response(uint64_t t)
{
    pw_result got;
    dut_.rsp(&got);
    if (opt_.inject == "rsp" && answered_ >= opt_.inject_at) {
        got.pa ^= PW_PAGE_SIZE;   // self-test: a wrong PA from the RTL
        opt_.inject.clear();
    }
    if (!inflight_) {
        error(t, "rsp_valid_o with no request outstanding: " + fmt_result(got));
        return;
    }
    inflight_ = false;
    answered_++;
    stim_tl_responded(&tl_, t);
    if (sb_)
        sb_->on_response(t, got);
    tally_.translations++;
    tally_.faults += got.outcome == PW_OUT_PF;
    tally_.gps += got.outcome == PW_OUT_GP;
    tally_.bus_errors += got.outcome == PW_OUT_BUS_ERROR;
    if (observer) {
        rec_.response = t;
        rec_.result = got;
        observer(rec_);
    }
}

void Driver::read_counters(uint64_t rtl[CNT_NUM])
{
    for (unsigned i = 0; i < CNT_NUM; i++)
        rtl[i] = dut_.counter(i);
}

bool Driver::reset_due(uint64_t t)
{
    return have_ev_ && ev_.kind == STIM_RESET && t >= stim_tl_ctl(&tl_, ev_.delay);
}

// Reset in cycle t (docs/timing.md §10), both sides; the stimulus boots again next.
void Driver::do_reset(uint64_t t)
{
    if (sb_)
        sb_->on_reset(t);
    if (opt_.cov && opt_.check)
        opt_.cov->reset(inflight_, mmu_.n_cas_done && mmu_.cas_done[mmu_.n_cas_done - 1].accept >= t);
    uint64_t rtl[CNT_NUM];
    read_counters(rtl);   // the run's totals survive the reset of the counter file
    // Compared before they are cleared, when no walk is in flight (the model counts a
    // walk's accesses when it accepts the request).
    if (sb_ && !inflight_ && tl_.r_known && t >= tl_.r + COUNTERS_SETTLE)
        sb_->check_counters(t, mmu_.cnt, rtl);
    cnt_base_hits_ += rtl[CNT_HITS];
    cnt_base_walks_ += rtl[CNT_WALKS];
    cnt_base_restarts_ += rtl[CNT_RESTARTS];
    dropped_ += inflight_;   // its answer is never given
    inflight_ = presenting_ = false;
    mem_->reset();
    dut_.reset_cycle();
    if (opt_.check) {
        if (pw_mmu_reset(&mmu_, t) != PW_OK)
            error(t, "pw_mmu_reset could not undo the walk's CASes (more than PW_TRACE_MAX)");
        env_mem_resync(&em_rtl_, &em_model_);
    } else {
        env_mem_resync(&em_rtl_, &em_rtl_);
    }
    pw_regs_reset(&regs_);
    stim_tl_reset(&tl_, t);
    last_counter_check_ = answered_;
    tally_.resets++;
}

void Driver::cycle(uint64_t t)
{
    if (!dut_.tracing() && t >= opt_.trace_from && !opt_.fst_path.empty())
        dut_.trace_open(opt_.fst_path.c_str());
    if (reset_due(t)) {
        do_reset(t);
        have_ev_ = false;
        return;
    }
    if (dut_.rsp_valid())
        response(t);
    if (opt_.watchdog && inflight_ && t - accepted_at_ > opt_.watchdog && !f_->failed)
        error(t, "watchdog: request #" + num(accepted_ - 1) + " not answered within " +
                     num(opt_.watchdog) + " cycles", "    request: " + fmt_request(rec_.req) + "\n");
    if (sb_) {
        sb_->check_cycle(t);
        if (!inflight_ && tl_.any_request && t >= tl_.r + COUNTERS_SETTLE &&
            answered_ - last_counter_check_ >= opt_.counter_check_every && !f_->failed) {
            last_counter_check_ = answered_;
            uint64_t rtl[CNT_NUM];
            read_counters(rtl);
            sb_->check_counters(t, mmu_.cnt, rtl);
        }
    }
    mem_->cycle(dut_, t);
    ctl_now_ = false;
    drive_events(t);
    dut_.set_ctl(ctl_now_, &ctl_op_, ctl_pdpte_);
    if (dut_.tracing()) {
        // With the waveform on, the inputs are also evaluated on their own: check
        // that req_ready_o did not depend on them (acceptance is decided before).
        bool ready = dut_.req_ready();
        dut_.settle();
        if (dut_.req_ready() != ready && !f_->failed)
            error(t, "req_ready_o changes with this cycle's inputs: it must depend on the state only");
        dut_.edge();
    } else {
        dut_.step();
    }
    if (dut_.rtl_error() && !f_->failed)
        error(t, "an RTL assertion failed in cycle " + num(t) + " (Verilator's message above)");
}

void Driver::finish(uint64_t t, const uint64_t rtl[CNT_NUM])
{
    sb_->check_counters(t, mmu_.cnt, rtl);
    env_mem_settle_all(&em_rtl_);
    env_mem_settle_all(&em_model_);
    sb_->check_memory(t, env_.img_rtl, env_.img_model, stim_pool_base(), stim_pool_bytes());
}

RunTally Driver::run(Failure *f)
{
    f_ = f;
    auto start = std::chrono::steady_clock::now();
    if (opt_.check) {
        // The scoreboard reports into the run's Failure.
        sb_.reset(new Scoreboard(f));
        if (pw_mmu_init(&mmu_, &env_.cfg, &model_mem_) != PW_OK)
            fail(f, 0, "pw_mmu_init: the configuration is not legal");
    }
    dut_.reset();
    uint64_t t = 0, stop = UINT64_MAX, idle = 0;
    bool progress = !opt_.progress.empty() && isatty(STDERR_FILENO);
    auto shown = start;
    while (!f->failed || t < stop) {
        cycle(t++);
        if (progress && !(t & 0xffff)) {
            auto now = std::chrono::steady_clock::now();
            if (now - shown > std::chrono::seconds(2)) {
                shown = now;
                fprintf(stderr, "\r  %s: %" PRIu64 " / %" PRIu64 " translations ", opt_.progress.c_str(),
                        answered_, opt_.n);
            }
        }
        if (f->failed) {
            if (!dut_.tracing() || opt_.trace_after_fail == 0)
                break;
            if (stop == UINT64_MAX)
                stop = t + opt_.trace_after_fail;
            continue;
        }
        if (answered_ + dropped_ >= opt_.n && !inflight_ && ++idle > COUNTERS_SETTLE)
            break;
    }
    if (progress && shown != start)
        fprintf(stderr, "\r%*s\r", 60, "");
    dut_.trace_close();
    if (!opt_.rtl_coverage.empty() && !dut_.write_coverage(opt_.rtl_coverage.c_str()))
        fail(f, t, "--rtl-coverage: this pw_cosim was not built with Verilator's --coverage");
    uint64_t rtl[CNT_NUM];
    read_counters(rtl);
    tally_.hits = cnt_base_hits_ + rtl[CNT_HITS];
    tally_.walks = cnt_base_walks_ + rtl[CNT_WALKS];
    tally_.restarts = cnt_base_restarts_ + rtl[CNT_RESTARTS];
    if (!f->failed && opt_.check)
        finish(t, rtl);
    tally_.cycles = t;
    tally_.mismatches = f->failed ? 1 : 0;
    tally_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return tally_;
}
