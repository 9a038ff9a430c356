// Formal harness (docs/formal.md): pw_top in a small configuration, its environment's
// rules (docs/ports.md, docs/timing.md) as assumptions, and the port-level bound on a walk
// (property 4). The other properties are the assertions in rtl/*.sv (`PW_ASSERT`,
// `FORMAL`); tb/formal/formal.mk proves each group on its own.
//
// Every input of this module is free in every cycle (the solver chooses it). The harness
// holds reset low in cycle 0 only.
// The reset is this harness's own (low in cycle 0 only), used synchronously here and
// asynchronously in pw_top.
/* verilator lint_off SYNCASYNCNET */
module pw_formal_top
  import pw_pkg::*;
#(
  parameter int TLB_ENTRIES     = 2,
  parameter int PSC_PDE         = 2,
  parameter int PSC_PDPTE       = 1,
  parameter int PSC_PML4E       = 1,
  parameter int PSC_PML5E       = 1,
  parameter bit HAS_LA57        = 1'b1,
  parameter bit AD_AS_WALKED    = 1'b0,
  parameter bit PDPTE_ON_DEMAND = 1'b0,
  // 1: the fastest memory, every access accepted when presented and answered the next
  // cycle (w = 0, d = 1, timing.md §2). The walk-bound proof uses it so that a given
  // depth holds the longest walks: the walker's accesses and decisions depend on the data
  // returned and never on when (§2: "the walker works combinationally from mem_rsp"), so an
  // access count proved here holds for every timing. 0: back-pressure and delays are free.
  parameter bit FIXED_MEM       = 1'b0,
  // A failed CAS restarts the walk (timing.md §5); only the memory decides whether a CAS
  // fails, so without a bound a walk may restart forever. Assumed: at most this many per walk.
  parameter int MAX_FAILED_CAS  = 1
) (
  input logic             clk_i,
  input logic             req_valid_i,
  input request_t         req_i,
  input logic             mem_req_ready_i,
  input logic             mem_rsp_valid_i,
  input logic [63:0]      mem_rsp_data_i,
  input logic             mem_rsp_err_i,
  input logic             ctl_valid_i,
  input ctl_kind_e        ctl_op_i,
  input logic [63:0]      ctl_value_i,
  input logic [63:0]      ctl_la_i,
  input logic [1:0]       ctl_type_i,
  input logic [3:0][63:0] ctl_pdpte_i
);

  // The deepest walk of the configuration (pw_pkg mode_levels) and the bound on a walk's
  // memory accesses: one pass reads each level once and CASes at most each entry it read
  // (timing.md §4), so at most 2 * LEVELS accesses; a failed CAS ends a pass and starts
  // another from the root (§5). K = 2 * LEVELS * (MAX_FAILED_CAS + 1).
  localparam int LEVELS     = HAS_LA57 ? LVL_PML5 : LVL_PML4;
  localparam int WALK_K     = 2 * LEVELS * (MAX_FAILED_CAS + 1);
  // With FIXED_MEM every access costs d + 1 = 2 cycles: a walk is busy for at most 2K
  // cycles after its accept cycle (r - a = 1 + sum (w + d + 1), timing.md §2).
  localparam int WALK_BUSY  = 2 * WALK_K;
  localparam int CNT_BITS   = $clog2(WALK_BUSY + 2);

  // ---- Reset: low in cycle 0, then high ----
  logic started_q = 1'b0;
  logic rst_ni;
  always_ff @(posedge clk_i) started_q <= 1'b1;
  assign rst_ni = started_q;

  logic        req_ready_o, rsp_valid_o, mem_req_valid_o;
  response_t   rsp_o;
  logic [63:0] mem_req_addr_o, mem_req_cmp_o, mem_req_wdata_o, cnt_o;
  logic [3:0]  mem_req_size_o;
  mem_op_e     mem_req_op_o;

  pw_top #(
    .TLB_ENTRIES(TLB_ENTRIES), .PSC_PDE(PSC_PDE), .PSC_PDPTE(PSC_PDPTE), .PSC_PML4E(PSC_PML4E),
    .PSC_PML5E(PSC_PML5E), .HAS_LA57(HAS_LA57), .AD_AS_WALKED(AD_AS_WALKED),
    .PDPTE_ON_DEMAND(PDPTE_ON_DEMAND)
  ) u_dut (
    .clk_i, .rst_ni,
    .req_valid_i, .req_ready_o, .req_i, .rsp_valid_o, .rsp_o,
    .mem_req_valid_o, .mem_req_ready_i, .mem_req_addr_o, .mem_req_size_o, .mem_req_op_o,
    .mem_req_cmp_o, .mem_req_wdata_o, .mem_rsp_valid_i, .mem_rsp_data_i, .mem_rsp_err_i,
    .ctl_valid_i, .ctl_op_i, .ctl_value_i, .ctl_la_i, .ctl_type_i, .ctl_pdpte_i,
    .cnt_sel_i(4'd0), .cnt_o
  );

  // ---- The memory: one access outstanding from its acceptance to its response ----
  logic      mem_accept, accept;
  logic      out_q;                 // an accepted access awaits its response
  mem_op_e   out_op_q;
  logic      out_size8_q;
  logic [63:0] out_cmp_q;
  logic      failed_cas;
  assign mem_accept = mem_req_valid_o && mem_req_ready_i;
  assign accept = req_valid_i && req_ready_o;
  // The walker compares the entry as read (4 bytes in 32-bit paging) with cmp (timing.md
  // "Signals": the write happened iff data == cmp).
  assign failed_cas = mem_rsp_valid_i && !mem_rsp_err_i && out_op_q == MEM_CAS &&
                      (out_size8_q ? mem_rsp_data_i : {32'd0, mem_rsp_data_i[31:0]}) != out_cmp_q;

  // ---- Counting one request: accesses, failed CASes, busy cycles; the request port ----
  // (Checks below are immediate, on this cycle's values; what they need of the last cycle
  // is registered here, as in rtl/pw_walker.sv.)
  logic [CNT_BITS-1:0] walk_acc_q, walk_fail_q, walk_cyc_q;
  logic                req_stalled_q, busy_q;
  request_t            req_last_q;
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      out_q <= 1'b0;
      walk_acc_q <= '0;
      walk_fail_q <= '0;
      walk_cyc_q <= '0;
      req_stalled_q <= 1'b0;
      busy_q <= 1'b0;
    end else begin
      if (mem_accept) begin
        out_q <= 1'b1;
        out_op_q <= mem_req_op_o;
        out_size8_q <= mem_req_size_o == 4'd8;
        out_cmp_q <= mem_req_cmp_o;
      end else if (mem_rsp_valid_i) begin
        out_q <= 1'b0;
      end
      if (accept) begin
        walk_acc_q <= '0;
        walk_fail_q <= '0;
        walk_cyc_q <= CNT_BITS'(1);
      end else begin
        // saturating: a bound exceeded stays exceeded
        if (mem_accept && walk_acc_q != '1) walk_acc_q <= walk_acc_q + 1'b1;
        if (failed_cas && walk_fail_q != '1) walk_fail_q <= walk_fail_q + 1'b1;
        if (!req_ready_o && walk_cyc_q != '1) walk_cyc_q <= walk_cyc_q + 1'b1;
      end
      req_stalled_q <= req_valid_i && !req_ready_o;
      busy_q <= !req_ready_o;
    end
    req_last_q <= req_i;
  end

  // ---- Environment assumptions ----
  always_comb begin
    if (rst_ni) begin
      // ports.md: req_i is stable while req_valid_i && !req_ready_o.
      if (req_stalled_q && req_valid_i) a_req_stable: assume (req_i == req_last_q);
      // A response answers the one accepted access, at least one cycle later (ports.md).
      a_mem_rsp_outstanding: assume (!mem_rsp_valid_i || out_q);
      a_failed_cas_bound: assume (!failed_cas || 32'(walk_fail_q) < MAX_FAILED_CAS);
      if (FIXED_MEM) begin
        a_mem_ready: assume (mem_req_ready_i);
        a_mem_rsp_next: assume (mem_rsp_valid_i == out_q);
      end
    end
  end

  // ---- Property 4 at the ports: every walk ends, after at most WALK_K accesses ----
  always_comb begin
    if (rst_ni) begin
      // The (WALK_K + 1)-th access of one request is never presented.
      p4_walk_accesses: assert (!mem_req_valid_o || 32'(walk_acc_q) < WALK_K);
      // The cycle a walk ends (req_ready_o rises) is its response cycle r (timing.md §1).
      if (busy_q && req_ready_o) p4_walk_answers: assert (rsp_valid_o);
      // With the fixed memory: busy for at most 2K cycles after the accept cycle.
      if (FIXED_MEM) p4_walk_cycles: assert (req_ready_o || 32'(walk_cyc_q) <= WALK_BUSY);
    end
  end

  logic unused_obs;
  assign unused_obs = ^{rsp_o, mem_req_addr_o, mem_req_wdata_o, cnt_o};

endmodule
