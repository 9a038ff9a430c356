// The board self-test's schedule and signature: mirrors fpga/gen/board_sched.h
// by name (the generator computes the expected signature with that header).
package pw_board_pkg;
  import pw_pkg::*;

  localparam int BOARD_WINDOWS      = 8;
  // The distinct windows of a space and the map onto them (board_window).
  localparam int BOARD_W_SMALL = 0, BOARD_W_LARGE = 1, BOARD_W_HOT = 2, BOARD_W_HUGE = 3,
                 BOARD_W_BAD = 4, BOARD_NWIN = 5;
  function automatic int unsigned board_window(logic [2:0] w);
    case (w)
      3'd0, 3'd6: return BOARD_W_SMALL;
      3'd1, 3'd7: return BOARD_W_LARGE;
      3'd2, 3'd3: return BOARD_W_HOT;
      3'd4:       return BOARD_W_HUGE;
      default:    return BOARD_W_BAD;
    endcase
  endfunction
  localparam int BOARD_COUNTERS     = 16;

  // Fields of the request generator's state (board_sched.h BOARD_R_*).
  localparam int R_WIN_SHIFT = 0,  R_WIN_W = 3;
  localparam int R_KIND_SHIFT = 3, R_KIND_W = 2;
  localparam int R_USER_BIT = 5;
  localparam int R_IMPLICIT_SHIFT = 6;
  localparam int R_AC_BIT = 8;
  localparam int R_OFFSET_SHIFT = 16;

  localparam logic [31:0] BOARD_SIG_INIT = '1;
  localparam logic [31:0] BOARD_SIG_POLY = 32'h04c1_1db7;

  // xorshift64, advanced once per request (board_next).
  function automatic logic [63:0] board_next(logic [63:0] x);
    logic [63:0] y;
    y = x ^ (x << 13);
    y = y ^ (y >> 7);
    y = y ^ (y << 17);
    return y;
  endfunction

  // One MISR step (board_misr): the word folded to 32 bits.
  function automatic logic [31:0] board_misr(logic [31:0] sig, logic [63:0] word);
    return (sig << 1) ^ (sig[31] ? BOARD_SIG_POLY : 32'd0) ^ (word[31:0] ^ word[63:32]);
  endfunction

  // The response's small fields and the latency (board_word3).
  /* verilator lint_off UNUSEDSIGNAL */
  function automatic logic [63:0] board_word3(response_t r, logic [15:0] latency);
    logic [63:0] w;
    w = '0;
    w[63:48] = r.err_code;
    w[47:32] = latency;
    w[31:28] = r.perm.pk;
    w[27]    = r.perm.rw;
    w[26]    = r.perm.us;
    w[25]    = r.perm.xd;
    w[24]    = r.perm.nonleaf_rw;
    w[23]    = r.perm.dirty;
    w[22]    = r.global_pg;
    w[21:19] = r.memtype;
    w[18:16] = r.level;
    w[15:14] = r.size;
    w[13:12] = r.outcome;
    return w;
  endfunction
  /* verilator lint_on UNUSEDSIGNAL */

  // Four MISR steps per response (board_fold).
  function automatic logic [31:0] board_fold(logic [31:0] sig, response_t r, logic [15:0] latency);
    logic [31:0] s;
    s = board_misr(sig, r.pa);
    s = board_misr(s, r.raw_entry);
    s = board_misr(s, r.entry_pa);
    return board_misr(s, board_word3(r, latency));
  endfunction
endpackage
