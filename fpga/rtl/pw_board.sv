// Board self-test: pw_top with its page tables in block RAM, driven by a
// generated schedule. Each phase sends its control operations (one per cycle),
// then REQUESTS translations from an xorshift64 stream, one at a time, each
// presented the cycle after the previous answer. Every answer and its latency
// are folded into a 64-bit MISR; at the end the counter file is read and both
// are compared with what the C model computed at build time (pw_board_cfg.svh,
// written by fpga/gen/board_gen.c). docs/fpga.md describes the test.
module pw_board
  import pw_pkg::*;
  import pw_board_pkg::*;
(
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        report_i,   // print the report again
  output logic        running_o,
  output logic        pass_o,
  output logic        fail_o,
  output logic        uart_tx_o,
  output logic        done_o,
  output logic        heartbeat_o,   // toggles about every second
  output logic [31:0] sig_o
);
`include "pw_board_cfg.svh"

  localparam int PW = N_PHASES > 1 ? $clog2(N_PHASES) : 1;
  localparam int CW = N_CTL > 1 ? $clog2(N_CTL) : 1;
  localparam int WW = $clog2(N_SPACES * BOARD_NWIN);
  localparam int N_REPORT = 10;
  localparam int REPEAT_W = 24;   // the line repeats every 2^24 cycles (0.7 s at 25 MHz, 1.4 s at 12 MHz)
  if ((1 << R_WIN_W) != BOARD_WINDOWS) begin : gen_bad_windows
    $error("pw_board: the window field must select BOARD_WINDOWS windows");
  end
  if (EXP_CYCLES >= 64'(1 << 24)) begin : gen_bad_cycles
    $error("pw_board: the schedule is longer than the 24-bit cycle counter");
  end
  if (REQUESTS < 1 || REQUESTS > 65535) begin : gen_bad_requests
    $error("pw_board: REQUESTS must be 1..65535");
  end

  typedef enum logic [2:0] { S_CTL, S_REQ, S_WAIT, S_CNT, S_DONE } state_e;

  // ---- the core and its memory ----
  logic        req_valid, req_ready, rsp_valid;
  request_t    req;
  response_t   rsp;
  logic        m_valid, m_ready, m_rsp_valid, m_rsp_err;
  logic [63:0] m_addr, m_cmp, m_wdata, m_rsp_data;
  logic [3:0]  m_size;
  mem_op_e     m_op;
  logic        ctl_valid;
  ctl_kind_e   ctl_op;
  logic [63:0] ctl_value;
  logic [3:0][63:0] ctl_pdpte;
  logic [3:0]  cnt_sel;
  logic [63:0] cnt;

`ifdef PW_GATE_LEVEL
  // the synthesized netlist: its parameters are fixed (the same CFG_ values)
  pw_top u_top (
`else
  pw_top #(
    .TLB_ENTRIES(CFG_TLB_ENTRIES), .PSC_PDE(CFG_PSC_PDE), .PSC_PDPTE(CFG_PSC_PDPTE),
    .PSC_PML4E(CFG_PSC_PML4E), .PSC_PML5E(CFG_PSC_PML5E), .MAXPHYADDR(CFG_MAXPHYADDR),
    .HAS_1G(1'(CFG_HAS_1G)), .HAS_LONG(1'(CFG_HAS_LONG)), .HAS_PSE36(1'(CFG_HAS_PSE36)), .HAS_LA57(1'(CFG_HAS_LA57)),
    .HAS_PCID(1'(CFG_HAS_PCID)), .HAS_PKS(1'(CFG_HAS_PKS)), .HAS_CET(1'(CFG_HAS_CET)),
    .AD_AS_WALKED(1'(CFG_AD_AS_WALKED)), .PDPTE_ON_DEMAND(1'(CFG_PDPTE_ON_DEMAND)),
    .CNT_W(CFG_CNT_W)
  ) u_top (
`endif
    .clk_i, .rst_ni,
    .req_valid_i(req_valid), .req_ready_o(req_ready), .req_i(req),
    .rsp_valid_o(rsp_valid), .rsp_o(rsp),
    .mem_req_valid_o(m_valid), .mem_req_ready_i(m_ready), .mem_req_addr_o(m_addr),
    .mem_req_size_o(m_size), .mem_req_op_o(m_op), .mem_req_cmp_o(m_cmp),
    .mem_req_wdata_o(m_wdata), .mem_rsp_valid_i(m_rsp_valid), .mem_rsp_data_i(m_rsp_data),
    .mem_rsp_err_i(m_rsp_err),
    .ctl_valid_i(ctl_valid), .ctl_op_i(ctl_op), .ctl_value_i(ctl_value), .ctl_la_i(64'd0),
    .ctl_type_i(2'd0), .ctl_pdpte_i(ctl_pdpte),
    .cnt_sel_i(cnt_sel), .cnt_o(cnt)
  );

  pw_board_mem #(.WORDS(MEM_WORDS), .INIT(MEM_INIT)) u_mem (
    .clk_i, .rst_ni,
    .req_valid_i(m_valid), .req_ready_o(m_ready), .req_addr_i(m_addr), .req_size_i(m_size),
    .req_op_i(m_op), .req_cmp_i(m_cmp), .req_wdata_i(m_wdata),
    .rsp_valid_o(m_rsp_valid), .rsp_data_o(m_rsp_data), .rsp_err_o(m_rsp_err)
  );

  // ---- the schedule ----
  state_e         state_q;
  logic [PW-1:0]  phase_q;
  logic [CW-1:0]  ctl_q;
  logic [15:0]    left_q;      // requests left in the phase, this one included
  logic [15:0]    lat_q;       // cycles since the request was presented
  logic [63:0]    r_q;         // generator state of the current request
  logic [31:0]    sig_q;
  logic [3:0]     cnt_q;
  logic           cnt_ok_q;
  logic [23:0]    cycles_q;    // enough for the longest schedule (EXP_CYCLES is checked below)

  logic           last_ctl, last_phase;
  logic [2:0]     win;
  logic [1:0]     kind;
  logic [WW-1:0]  widx;       // space * BOARD_NWIN + distinct window

  assign last_ctl   = 32'(ctl_q) + 1 == PH_CTL_FIRST[phase_q] + PH_CTL_N[phase_q];
  assign last_phase = 32'(phase_q) + 1 == N_PHASES;

  // The request of generator state r_q (board_gen.c make_request).
  assign win  = r_q[R_WIN_SHIFT +: R_WIN_W];
  assign kind = r_q[R_KIND_SHIFT +: R_KIND_W];
  assign widx = WW'(PH_SPACE[phase_q] * BOARD_NWIN + board_window(win));
  always_comb begin
    req              = '0;
    req.kind         = kind == 2'(ACC_WRITE) ? ACC_WRITE : kind == 2'(ACC_FETCH) ? ACC_FETCH : ACC_READ;
    req.user         = r_q[R_USER_BIT];
    req.implicit_sv  = !r_q[R_USER_BIT] && r_q[R_IMPLICIT_SHIFT +: 2] == 2'b11;
    req.ac           = r_q[R_AC_BIT];
    req.la           = SP_WIN_BASE[widx] + ((r_q >> R_OFFSET_SHIFT) & SP_WIN_MASK[widx]);
  end
  assign req_valid = state_q == S_REQ;

  assign ctl_valid = state_q == S_CTL;
  assign ctl_op    = ctl_kind_e'(CTL_OP[ctl_q]);
  assign ctl_value = CTL_VALUE[ctl_q];
  always_comb
    for (int k = 0; k < 4; k++)
      ctl_pdpte[k] = CTL_PDPTE[32'(ctl_q) * 4 + k];

  // While counting, the check sweeps the counter file; when done, the report reads the
  // counter it is printing (nothing is copied: flip-flops are scarce on the iCE40).
  logic [3:0] rep_field;
  localparam logic [3:0] SHOW_CNT [N_REPORT] = '{4'd0, 4'd0, 4'd0, 4'd1, 4'd3, 4'd5, 4'd6, 4'd12, 4'd13, 4'd0};
  assign cnt_sel = state_q == S_DONE ? SHOW_CNT[rep_field] : cnt_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q  <= S_CTL;
      phase_q  <= '0;
      ctl_q    <= CW'(PH_CTL_FIRST[0]);
      left_q   <= '0;
      lat_q    <= '0;
      r_q      <= '0;
      sig_q    <= BOARD_SIG_INIT;
      cnt_q    <= '0;
      cnt_ok_q <= 1'b1;
      cycles_q <= '0;
    end else begin
      if (state_q != S_CNT && state_q != S_DONE)
        cycles_q <= cycles_q + 1'b1;
      lat_q <= lat_q + 1'b1;
      case (state_q)
        S_CTL: begin
          ctl_q <= ctl_q + 1'b1;
          if (last_ctl) begin
            state_q <= S_REQ;
            r_q     <= board_next(PH_SEED[phase_q]);
            left_q  <= 16'(REQUESTS);
            lat_q   <= '0;
          end
        end
        S_REQ:
          if (req_ready)
            state_q <= S_WAIT;
        S_WAIT:
          if (rsp_valid) begin
            sig_q  <= board_fold(sig_q, rsp, lat_q);
`ifdef PW_BOARD_TRACE
            $display("rsp la=%h pa=%h raw=%h epa=%h w3=%h sig=%h", req.la, rsp.pa, rsp.raw_entry,
                     rsp.entry_pa, board_word3(rsp, lat_q), board_fold(sig_q, rsp, lat_q));
`endif
            left_q <= left_q - 1'b1;
            lat_q  <= '0;
            if (left_q != 16'd1) begin
              state_q <= S_REQ;
              r_q     <= board_next(r_q);
            end else if (!last_phase) begin
              state_q <= S_CTL;
              phase_q <= phase_q + 1'b1;
              ctl_q   <= CW'(PH_CTL_FIRST[32'(phase_q) + 1]);
            end else begin
              state_q <= S_CNT;
            end
          end
        S_CNT: begin
          // the counter file against the model's (docs/ports.md numbering)
          if (cnt != EXP_CNT[cnt_q])
            cnt_ok_q <= 1'b0;
          cnt_q <= cnt_q + 1'b1;
          if (cnt_q == 4'(BOARD_COUNTERS - 1))
            state_q <= S_DONE;
        end
        default: ;
      endcase
    end
  end

  logic pass;
  assign pass      = state_q == S_DONE && sig_q == EXP_SIG && cnt_ok_q &&
                     64'(cycles_q) == EXP_CYCLES;
  assign done_o    = state_q == S_DONE;
  assign pass_o    = pass;
  assign fail_o    = done_o && !pass;
  assign running_o = !done_o;
  assign sig_o     = sig_q;

  // ---- the report: once when done, then every 2^REPEAT_W cycles or on report_i ----
  logic        done_q, rep_busy, rep_start;
  logic [REPEAT_W-1:0] every_q;
  logic [N_REPORT-1:0][63:0] fields;
  always_comb begin
    for (int k = 0; k < N_REPORT; k++)
      fields[k] = cnt;         // fields 2..8: requests, hits, walks, reads, CAS, #PF, bus errors
    fields[0] = 64'(sig_q);
    fields[1] = 64'(EXP_SIG);
    fields[9] = 64'(cycles_q);
  end
  assign heartbeat_o = every_q[REPEAT_W-1];
  assign rep_start = done_o && (!done_q || every_q == '0 || report_i);
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      done_q  <= 1'b0;
      every_q <= '0;
    end else begin
      done_q  <= done_o;
      every_q <= every_q + 1'b1;
    end
  end

  pw_board_report #(.CLK_HZ(CLK_HZ), .N_FIELDS(N_REPORT), .NAME(BOARD_NAME)) u_report (
    .clk_i, .rst_ni,
    .start_i(rep_start && !rep_busy),
    .pass_i (pass),
    .field_i(fields),
    .field_o(rep_field),
    .busy_o (rep_busy),
    .tx_o   (uart_tx_o)
  );
endmodule
