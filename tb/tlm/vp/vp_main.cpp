// pw_vp: a small virtual platform around pw_tlm_mmu. A traffic initiator (a CPU's
// requests) -> the MMU -> a memory target over a pw_image, with a reference pw_mmu
// beside it; the initiator checks every answer (vp_traffic.h). Prints a summary and
// exits non-zero on any mismatch, with the command that reproduces the run.
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <systemc>
#include <tlm>

#include "pw_tlm_mmu.h"
#include "vp_memory.h"
#include "vp_options.h"
#include "vp_ref.h"
#include "vp_shootdown.h"
#include "vp_traffic.h"

using sc_core::SC_NS;
using sc_core::sc_time;

namespace {

constexpr uint64_t default_n = 50000;
constexpr double default_lat_lo_ns = 5, default_lat_hi_ns = 35, default_quantum_ns = 1000;
constexpr unsigned default_max_reports = 10;
constexpr double ns_per_s = 1e9, us_per_s = 1e6;

const struct {
    const char *name;
    pw_mode mode;
} mode_names[] = {{"32bit", PW_MODE_32}, {"pae", PW_MODE_PAE}, {"4level", PW_MODE_4LVL},
                  {"5level", PW_MODE_5LVL}};

void usage()
{
    std::printf("usage: pw_vp [--seed N] [-n N] [--mode all|32bit|pae|4level|5level]\n"
                "             [--period-ns P] [--lat-ns LO[:HI]] [--quantum-ns Q]\n"
                "             [--shootdown 0|1] [--max-reports N] [-v]\n"
                "  -n: translations per paging mode (default %" PRIu64 ")\n",
                default_n);
}

bool parse_modes(const char *s, vp_options &o)
{
    o.modes.clear();
    for (const auto &m : mode_names)
        if (!std::strcmp(s, "all") || !std::strcmp(s, m.name))
            o.modes.push_back(m.mode);
    return !o.modes.empty();
}

bool parse_lat(const char *s, vp_options &o)
{
    char *end;
    const double lo = std::strtod(s, &end);
    const double hi = *end == ':' ? std::strtod(end + 1, &end) : lo;
    if (*end || lo < 0 || hi < lo)
        return false;
    o.lat_lo = sc_time(lo, SC_NS);
    o.lat_hi = sc_time(hi, SC_NS);
    return true;
}

bool parse(int argc, char **argv, vp_options &o, std::string &mode_arg)
{
    for (int i = 1; i < argc; i++) {
        const std::string a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : nullptr;
        const bool takes = a != "-v" && a != "--help";
        if (takes && !v)
            return false;
        if (a == "--seed") o.seed = std::strtoull(v, nullptr, 0);
        else if (a == "-n") o.n = std::strtoull(v, nullptr, 0);
        else if (a == "--mode") { mode_arg = v; if (!parse_modes(v, o)) return false; }
        else if (a == "--period-ns") o.period = sc_time(std::strtod(v, nullptr), SC_NS);
        else if (a == "--lat-ns") { if (!parse_lat(v, o)) return false; }
        else if (a == "--quantum-ns") o.quantum = sc_time(std::strtod(v, nullptr), SC_NS);
        else if (a == "--shootdown") o.shootdown = std::strtoul(v, nullptr, 0) != 0;
        else if (a == "--max-reports")
            o.max_reports = static_cast<unsigned>(std::strtoul(v, nullptr, 0));
        else if (a == "-v") { o.verbose++; continue; }
        else return false;
        i++;
    }
    return o.period > sc_core::SC_ZERO_TIME;
}

std::string reproduce(const char *argv0, const vp_options &o, const std::string &mode_arg)
{
    char b[256];
    std::snprintf(b, sizeof b,
                  "%s --seed %" PRIu64 " -n %" PRIu64 " --mode %s --period-ns %g "
                  "--lat-ns %g:%g --quantum-ns %g --shootdown %d",
                  argv0, o.seed, o.n, mode_arg.c_str(),
                  o.period.to_seconds() * ns_per_s, o.lat_lo.to_seconds() * ns_per_s,
                  o.lat_hi.to_seconds() * ns_per_s, o.quantum.to_seconds() * ns_per_s,
                  o.shootdown ? 1 : 0);
    return b;
}

void summary(const vp_traffic &tr, const vp_shootdown &sd, const pw_counters &cnt,
             uint64_t queued, const vp_memory &mem, double sim_us, double wall_s)
{
    const vp_tally &t = tr.tally();
    const auto u = [](uint64_t v) { return static_cast<unsigned long long>(v); };
    std::printf("  translations %llu: TLB hits %llu (%llu annotated exactly one period), "
                "walks %llu, #PF %llu, #GP %llu, bus errors %llu\n",
                u(t.translations), u(t.hits), u(t.one_cycle_hits), u(cnt.walks), u(t.faults),
                u(t.gps), u(t.bus_errors));
    std::printf("  page-table accesses %llu (A/D CAS %llu, address errors %llu), control ops %llu, "
                "page-table edits %llu, off-grid requests %llu\n",
                u(mem.accesses()), u(cnt.mem_cas), u(mem.address_errors()), u(t.ctl_ops),
                u(t.edits), u(t.off_grid));
    std::printf("  second CPU: %llu shootdowns, %llu walk fills dropped, "
                "%llu requests accepted late, %llu calls queued behind a walk\n",
                u(sd.ops()), u(cnt.fills_dropped), u(t.delayed), u(queued));
    std::printf("  simulated time %.1f us, wall time %.2f s (%.0f translations/s)\n", sim_us,
                wall_s, wall_s > 0 ? t.translations / wall_s : 0.0);
}

}  // namespace

int sc_main(int argc, char **argv)
{
    vp_options o;
    o.n = default_n;
    o.period = sc_time(pw_tlm_mmu::default_period_ns, SC_NS);
    o.lat_lo = sc_time(default_lat_lo_ns, SC_NS);
    o.lat_hi = sc_time(default_lat_hi_ns, SC_NS);
    o.quantum = sc_time(default_quantum_ns, SC_NS);
    o.max_reports = default_max_reports;
    std::string mode_arg = "all";
    parse_modes(mode_arg.c_str(), o);
    if (!parse(argc, argv, o, mode_arg)) {
        usage();
        return 2;
    }
    const std::string cmd = reproduce(argv[0], o, mode_arg);

    pw_config cfg;
    pw_config_default(&cfg);
    pw_image *img_dut = nullptr, *img_ref = nullptr;
    if (pw_image_sparse_new(vp_mem_bytes, &img_dut) != PW_OK ||
        pw_image_sparse_new(vp_mem_bytes, &img_ref) != PW_OK) {
        std::fprintf(stderr, "pw_vp: out of memory\n");
        return 1;
    }
    vp_latency lat;
    lat.lo = o.lat_lo;
    lat.hi = o.lat_hi;
    lat.seed = o.seed;
    tlm_utils::tlm_quantumkeeper::set_global_quantum(o.quantum);

    vp_ref ref(img_ref, lat, o.period);
    if (ref.init(cfg) != PW_OK) {
        std::fprintf(stderr, "pw_vp: reference init failed\n");
        return 1;
    }
    vp_memory mem("mem", img_dut, lat);
    pw_tlm_mmu mmu("mmu", cfg, o.period);
    vp_traffic cpu("cpu", o, vp_env{cfg, &mmu, &mem, &ref, img_dut, img_ref});
    vp_shootdown cpu1("cpu1", mmu, ref, cpu.last_la(), cpu.comparing(), cpu.report(),
                      vp_mix(o.seed));
    cpu1.set_enabled(o.shootdown);
    cpu.socket.bind(mmu.socket);
    cpu.ctl_socket.bind(mmu.ctl_socket);
    mmu.mem_socket.bind(mem.socket);

    std::printf("pw_vp: seed %" PRIu64 ", %zu mode(s) x %" PRIu64 " translations, period %s, "
                "memory latency %s..%s, quantum %s\n",
                o.seed, o.modes.size(), o.n, o.period.to_string().c_str(),
                o.lat_lo.to_string().c_str(), o.lat_hi.to_string().c_str(),
                o.quantum.to_string().c_str());
    const auto t0 = std::chrono::steady_clock::now();
    sc_core::sc_start();
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    summary(cpu, cpu1, mmu.counters(), mmu.queued(), mem,
            sc_core::sc_time_stamp().to_seconds() * us_per_s, wall);

    const bool ok = cpu.finished() && cpu.mismatches() == 0;
    if (ok)
        std::printf("pw_vp: PASS\n");
    else
        std::printf("pw_vp: FAIL (%llu mismatches%s)\n  reproduce: %s\n",
                    static_cast<unsigned long long>(cpu.mismatches()),
                    cpu.finished() ? "" : ", run did not finish", cmd.c_str());
    pw_image_free(img_dut);
    pw_image_free(img_ref);
    return ok ? 0 : 1;
}
