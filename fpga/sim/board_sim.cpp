// Simulates fpga/rtl/pw_board.sv (with the RTL core or the synthesized netlist)
// until the self-test ends, decodes the report line from the UART pin, and
// checks the signature against the C model's (expected.txt from board_gen).
//   board_sim EXPECTED_TXT [--max-cycles N]
// Exit 0: the board passed and its UART line says so; 1: it failed; 2: bad use.
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "Vpw_board.h"
#include "verilated.h"

namespace {

struct Uart {
    // 8N1 receiver sampling the pin once per cycle at mid-bit.
    unsigned div;
    int state = -1;          // -1 idle, 0..8 data bits, 9 stop
    uint64_t count = 0;
    unsigned byte = 0;
    std::string line;
    bool have_line = false;
    bool framing_error = false;

    explicit Uart(unsigned d) : div(d) {}
    void sample(bool tx)
    {
        if (have_line)
            return;
        if (state < 0) {
            if (!tx) {
                state = 0;
                count = div + div / 2;   // the middle of data bit 0
                byte = 0;
            }
            return;
        }
        if (--count)
            return;
        if (state < 8) {
            byte |= (unsigned)tx << state;
            state++;
            count = div;
        } else {
            if (!tx)
                framing_error = true;
            line += (char)byte;
            if (byte == '\n')
                have_line = true;
            state = -1;
        }
    }
};

bool read_expected(const char *path, std::string *board, uint64_t *sig, uint64_t *cycles)
{
    FILE *f = std::fopen(path, "r");
    if (!f)
        return false;
    char key[64], val[128];
    bool got_sig = false, got_cyc = false;
    while (std::fscanf(f, "%63s %127s%*[^\n]", key, val) == 2) {
        if (!std::strcmp(key, "board"))
            *board = val;
        else if (!std::strcmp(key, "signature"))
            got_sig = std::sscanf(val, "%" SCNx64, sig) == 1;
        else if (!std::strcmp(key, "cycles"))
            got_cyc = std::sscanf(val, "%" SCNu64, cycles) == 1;
    }
    std::fclose(f);
    return got_sig && got_cyc;
}

}  // namespace

int main(int argc, char **argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: board_sim EXPECTED_TXT [--max-cycles N] [--clk-hz HZ]\n");
        return 2;
    }
    uint64_t max_cycles = 0, clk_hz = 0;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--max-cycles"))
            max_cycles = std::strtoull(argv[i + 1], nullptr, 0);
        else if (!std::strcmp(argv[i], "--clk-hz"))
            clk_hz = std::strtoull(argv[i + 1], nullptr, 0);
        else {
            std::fprintf(stderr, "board_sim: unknown option '%s'\n", argv[i]);
            return 2;
        }
    }
    std::string board;
    uint64_t exp_sig = 0, exp_cycles = 0;
    if (!read_expected(argv[1], &board, &exp_sig, &exp_cycles)) {
        std::fprintf(stderr, "board_sim: cannot read signature and cycles from %s\n", argv[1]);
        return 2;
    }
    if (!clk_hz) {
        std::fprintf(stderr, "board_sim: --clk-hz is required\n");
        return 2;
    }
    if (!max_cycles)
        max_cycles = exp_cycles * 2 + 1000000;

    auto ctx = std::make_unique<VerilatedContext>();
    auto top = std::make_unique<Vpw_board>(ctx.get());
    Uart uart((unsigned)((clk_hz + 115200 / 2) / 115200));

    // An asynchronous reset needs an edge: high, low for two clocks, high.
    top->clk_i = 0;
    top->rst_ni = 1;
    top->report_i = 0;
    top->eval();
    top->rst_ni = 0;
    top->eval();
    for (int i = 0; i < 2; i++) {
        top->clk_i = 1;
        top->eval();
        top->clk_i = 0;
        top->eval();
    }
    top->rst_ni = 1;
    top->eval();
    uint64_t cyc = 0, done_at = 0;
    for (; cyc < max_cycles && !uart.have_line; cyc++) {
        top->clk_i = 1;
        top->eval();
        top->clk_i = 0;
        top->eval();
        if (top->done_o && !done_at)
            done_at = cyc + 1;
        uart.sample(top->uart_tx_o);
    }
    if (!uart.have_line) {
        std::printf("board_sim %s: FAIL no report line within %" PRIu64 " cycles (done=%d)\n",
                    board.c_str(), max_cycles, (int)top->done_o);
        return 1;
    }
    std::string line = uart.line;
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
        line.pop_back();
    uint64_t sig = top->sig_o;
    bool pass = top->pass_o && !top->fail_o && sig == exp_sig && !uart.framing_error;
    char want[64];
    std::snprintf(want, sizeof want, "sig %08" PRIx64 " exp %08" PRIx64, exp_sig, exp_sig);
    bool line_ok = line.find(" PASS ") != std::string::npos &&
                   line.find(want) != std::string::npos &&
                   line.rfind("pagewalk " + board + " ", 0) == 0;
    std::printf("board_sim %s: simulated signature %08" PRIx64 ", C model %08" PRIx64
                ", %" PRIu64 " cycles to done\n", board.c_str(), sig, exp_sig, done_at);
    std::printf("board_sim %s: UART: %s\n", board.c_str(), line.c_str());
    if (!pass || !line_ok) {
        std::printf("board_sim %s: FAIL (pass=%d fail=%d line %s)\n", board.c_str(),
                    (int)top->pass_o, (int)top->fail_o, line_ok ? "ok" : "wrong");
        return 1;
    }
    std::printf("board_sim %s: PASS\n", board.c_str());
    return 0;
}
