// What the co-simulation prints: the first mismatch (expected against got, the
// model's walk step by step, the RTL's accesses, the command that reproduces it)
// and one summary line per (mode, seed).
#ifndef TB_REPORT_H
#define TB_REPORT_H

#include <cstdint>
#include <string>
#include <vector>

#include "pagewalk/pagewalk.h"
#include "rtl_mem.h"

// The first failure of a run. Everything after it is not checked.
struct Failure {
    bool failed = false;
    uint64_t cycle = 0;
    std::string what;     // one line
    std::string detail;   // expected against got, traces, registers
};

void fail(Failure *f, uint64_t cycle, const std::string &what, const std::string &detail = "");

std::string fmt_hex(uint64_t v);
std::string fmt_request(const pw_request &q);
std::string fmt_regs(const pw_regs &r);
std::string fmt_ctl(const pw_ctl &op);
std::string fmt_access(const pw_mem_access &a);
// Field by field, marking the fields that differ. `fields`: names that differ (out, may be NULL).
std::string fmt_result_diff(const pw_result &exp, const pw_result &got, std::string *fields);
std::string fmt_result(const pw_result &r);
// The model's walk: every access with its cycles and data.
std::string fmt_model_walk(const pw_mmu_response &rsp);
std::string fmt_rtl_accesses(const std::vector<RtlAccess> &acc);
const char *counter_name(unsigned sel);

struct RunTally {
    uint64_t translations = 0, hits = 0, walks = 0, faults = 0, restarts = 0, gps = 0;
    uint64_t bus_errors = 0, ctl_ops = 0, edits = 0, pokes = 0, resets = 0, cycles = 0, mismatches = 0;
    double seconds = 0;
};

void print_summary_header();
void print_summary_line(const char *mode, uint64_t seed, const RunTally &t);

#endif
