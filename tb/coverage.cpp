// Functional coverage: declarations, sampling, database, HTML (coverage.h).
#include "coverage.h"

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace {

constexpr uint64_t MIDWALK_OFFSETS = 16;   // offset_0 .. offset_15, then offset_16plus
const char *const DB_HEADER = "# pagewalk functional coverage v1: count point";

const pw_mode WALK_MODES[] = {PW_MODE_32, PW_MODE_PAE, PW_MODE_4LVL, PW_MODE_5LVL};

const char *ctl_name(pw_ctl_kind k)
{
    switch (k) {
    case PW_CTL_MOV_CR0: return "mov_cr0";
    case PW_CTL_MOV_CR3: return "mov_cr3";
    case PW_CTL_MOV_CR4: return "mov_cr4";
    case PW_CTL_WRMSR_EFER: return "wrmsr_efer";
    case PW_CTL_WRPKRU: return "wrpkru";
    case PW_CTL_WRPKRS: return "wrpkrs";
    case PW_CTL_INVLPG: return "invlpg";
    case PW_CTL_INVPCID: return "invpcid";
    case PW_CTL_FLUSH_ALL: return "flush_all";
    }
    return "?";
}

bool mode_supported(const pw_config &cfg, pw_mode m)
{
    if (m == PW_MODE_5LVL)
        return cfg.has_long && cfg.has_la57;
    if (m == PW_MODE_4LVL)
        return cfg.has_long;
    return true;
}

// Page sizes a mode maps (R4): 4 MiB only in 32-bit paging (CR4.PSE), 1 GiB only
// in the long modes with Page1GB.
std::vector<pw_page_size> sizes_of(const pw_config &cfg, pw_mode m)
{
    if (m == PW_MODE_32)
        return {PW_SIZE_4K, PW_SIZE_4M};
    if (m == PW_MODE_PAE || !cfg.has_1g)
        return {PW_SIZE_4K, PW_SIZE_2M};
    return {PW_SIZE_4K, PW_SIZE_2M, PW_SIZE_1G};
}

// Levels a walk can start below a PSC hit in: those the mode caches (psc.c) and the
// configuration has entries for.
std::vector<unsigned> psc_levels_of(const pw_config &cfg, pw_mode m)
{
    std::vector<unsigned> v;
    for (unsigned l = PW_LVL_PD; l <= pw_mode_levels(m); l++)
        if (cfg.psc_entries[l] && pw_psc_level_used(m, l))
            v.push_back(l);
    return v;
}

std::string html_escape(const std::string &s)
{
    std::string o;
    for (char c : s)
        o += c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '&' ? "&amp;" : std::string(1, c);
    return o;
}

}  // namespace

Coverage::Coverage(const pw_config &cfg)
{
    for (pw_mode m : WALK_MODES) {
        if (!mode_supported(cfg, m))
            continue;
        std::string mn = pw_mode_name(m);
        for (pw_page_size s : sizes_of(cfg, m)) {
            declare("ok/" + mn + "/" + pw_page_size_name(s) + "/tlb");
            declare("ok/" + mn + "/" + pw_page_size_name(s) + "/walk");
        }
        for (unsigned l = PW_LVL_PT; l <= pw_mode_levels(m); l++)
            declare("pf/" + mn + "/L" + std::to_string(l));
        for (const char *cause : {"not_present", "reserved", "rights"})
            declare("pf/" + mn + "/" + cause);
        if (m == PW_MODE_4LVL || m == PW_MODE_5LVL) {
            declare("pf/" + mn + "/pkey");   // protection keys: IA-32e paging only (R8.7)
            declare("gp/" + mn);             // non-canonical (R2.1)
        }
        declare("bus/" + mn + "/read");
        declare("bus/" + mn + "/cas");
        declare("restart/" + mn);
        for (unsigned l : psc_levels_of(cfg, m))
            declare("psc/" + mn + "/L" + std::to_string(l));
    }
    declare("ok/paging_off");
    if (cfg.has_pcid && cfg.has_long)
        declare("tlb/global_hit_other_pcid");
    for (uint64_t k = 0; k < MIDWALK_OFFSETS; k++)
        declare("midwalk/offset_" + std::to_string(k));
    declare("midwalk/offset_16plus");
    declare("midwalk/fill_cycle");
    declare("reset/idle");
    declare("reset/walk");
    declare("reset/undo_cas");
    declare("mem/backpressure");
    for (pw_ctl_kind k : {PW_CTL_MOV_CR0, PW_CTL_MOV_CR3, PW_CTL_MOV_CR4, PW_CTL_WRMSR_EFER,
                          PW_CTL_WRPKRU, PW_CTL_INVLPG, PW_CTL_FLUSH_ALL})
        declare(std::string("ctl/") + ctl_name(k));
    if (cfg.has_pks && cfg.has_long)
        declare("ctl/wrpkrs");
    if (cfg.has_pcid && cfg.has_long)
        declare("ctl/invpcid");
}

void Coverage::sample(const std::string &point)
{
    auto it = bins_.find(point);
    if (it != bins_.end()) {
        it->second++;
        return;
    }
    for (const std::string &u : undeclared_)
        if (u == point)
            return;
    undeclared_.push_back(point);
}

void Coverage::translation(pw_mode mode, const pw_mmu_response &rsp, bool global_other_pcid)
{
    const pw_result &r = rsp.result;
    if (mode == PW_MODE_NONE) {
        sample("ok/paging_off");
        return;
    }
    std::string mn = pw_mode_name(mode);
    if (global_other_pcid)
        sample("tlb/global_hit_other_pcid");
    if (rsp.psc_level)
        sample("psc/" + mn + "/L" + std::to_string(rsp.psc_level));
    if (r.restarts)
        sample("restart/" + mn);
    switch (r.outcome) {
    case PW_OUT_OK:
        sample("ok/" + mn + "/" + pw_page_size_name(r.size) + (rsp.hit ? "/tlb" : "/walk"));
        break;
    case PW_OUT_PF:
        sample("pf/" + mn + "/L" + std::to_string(r.level));
        sample("pf/" + mn + "/" +
               (!(r.err_code & PF_P) ? "not_present" : (r.err_code & PF_RSVD) ? "reserved"
                                                     : (r.err_code & PF_PK)   ? "pkey"
                                                                              : "rights"));
        break;
    case PW_OUT_GP:
        sample("gp/" + mn);
        break;
    case PW_OUT_BUS_ERROR: {
        // The failed access is the walk's last.
        bool cas = rsp.n_trace && rsp.trace[rsp.n_trace - 1].acc.kind == PW_MEM_CAS;
        sample("bus/" + mn + (cas ? "/cas" : "/read"));
        break;
    }
    default:
        break;
    }
}

void Coverage::control(const pw_ctl &op) { sample(std::string("ctl/") + ctl_name(op.kind)); }

void Coverage::midwalk(uint64_t offset, bool at_fill)
{
    sample(offset < MIDWALK_OFFSETS ? "midwalk/offset_" + std::to_string(offset)
                                    : std::string("midwalk/offset_16plus"));
    if (at_fill)
        sample("midwalk/fill_cycle");
}

void Coverage::reset(bool walk_in_flight, bool undid_cas)
{
    sample(walk_in_flight ? "reset/walk" : "reset/idle");
    if (undid_cas)
        sample("reset/undo_cas");
}

void Coverage::access(uint64_t wait, uint64_t delay)
{
    (void)delay;
    if (wait)
        sample("mem/backpressure");
}

uint64_t Coverage::count(const std::string &point) const
{
    auto it = bins_.find(point);
    return it == bins_.end() ? 0 : it->second;
}

size_t Coverage::hit() const
{
    size_t n = 0;
    for (const auto &b : bins_)
        n += b.second != 0;
    return n;
}

std::vector<std::string> Coverage::missing() const
{
    std::vector<std::string> v;
    for (const auto &b : bins_)
        if (!b.second)
            v.push_back(b.first);
    return v;
}

bool Coverage::merge_file(const std::string &path, std::string *err)
{
    std::ifstream in(path);
    if (!in) {
        *err = "cannot read " + path;
        return false;
    }
    std::string line;
    unsigned no = 0;
    while (std::getline(in, line)) {
        no++;
        if (line.empty() || line[0] == '#')
            continue;
        std::istringstream ls(line);
        uint64_t n;
        std::string name, extra;
        if (!(ls >> n >> name) || (ls >> extra)) {
            *err = path + ":" + std::to_string(no) + ": expected 'count point'";
            return false;
        }
        bins_[name] += n;
    }
    return true;
}

bool Coverage::save(const std::string &path, std::string *err) const
{
    std::string tmp = path + ".tmp";
    FILE *f = fopen(tmp.c_str(), "w");
    if (!f) {
        *err = "cannot write " + tmp + ": " + strerror(errno);
        return false;
    }
    fprintf(f, "%s\n", DB_HEADER);
    for (const auto &b : bins_)
        fprintf(f, "%" PRIu64 " %s\n", b.second, b.first.c_str());
    bool ok = fclose(f) == 0 && rename(tmp.c_str(), path.c_str()) == 0;
    if (!ok)
        *err = "cannot write " + path;
    return ok;
}

bool Coverage::write_html(const std::string &path, const std::string &title, std::string *err) const
{
    std::ofstream o(path);
    if (!o) {
        *err = "cannot write " + path;
        return false;
    }
    o << "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" << html_escape(title)
      << "</title>\n<style>body{font-family:sans-serif}td{padding:1px 8px}"
         ".miss{background:#f8c0c0}.hit{background:#c8f0c8}</style></head><body>\n<h1>"
      << html_escape(title) << "</h1>\n<p>" << hit() << " of " << points()
      << " functional cover points hit.</p>\n<table>\n<tr><th>point</th><th>hits</th></tr>\n";
    for (const auto &b : bins_)
        o << "<tr class=\"" << (b.second ? "hit" : "miss") << "\"><td>" << html_escape(b.first)
          << "</td><td>" << b.second << "</td></tr>\n";
    o << "</table></body></html>\n";
    if (!o) {
        *err = "cannot write " + path;
        return false;
    }
    return true;
}
