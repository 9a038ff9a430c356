// Unit-test wrapper: every TLB and PSC configuration tlb_psc_check.cpp compares
// with the C model, side by side in one Verilator build (one build instead of
// one per configuration: each build costs about a minute on a 2-core machine).
//
// Each instance has its own slice of every port; indices and valid vectors are
// zero-extended to 6 and 64 bits so that every slice has the same layout.
//   TLB t:  ENTRIES = TLB_N[t]
//   PSC p:  ENTRIES = PSC_N[p], LEVEL = PSC_L[p]
// Keep TLB_N, PSC_N and PSC_L in step with the tables in tlb_psc_check.cpp.
module pw_unit_top
  import pw_pkg::*;
#(
  localparam int NT = 2,
  localparam int NP = 6
) (
  input  logic                      clk_i,
  input  logic                      rst_ni,
  // ---- TLBs ----
  input  logic [NT-1:0][63:0]       tlb_lk_la_i,
  input  logic [NT-1:0][PCID_W-1:0] tlb_lk_pcid_i,
  output logic [NT-1:0]             tlb_lk_hit_o,
  output logic [NT-1:0][5:0]        tlb_lk_idx_o,
  output tlb_entry_t [NT-1:0]       tlb_lk_entry_o,
  input  logic [NT-1:0]             tlb_touch_i,
  input  logic [NT-1:0][5:0]        tlb_touch_idx_i,
  input  logic [NT-1:0]             tlb_fill_i,
  input  tlb_entry_t [NT-1:0]       tlb_fill_entry_i,
  input  flush_t [NT-1:0]           tlb_flush_a_i,
  input  flush_t [NT-1:0]           tlb_flush_b_i,
  output logic [NT-1:0][63:0]       tlb_valid_o,
  output logic [NT-1:0][5:0]        tlb_victim_o,
  // ---- PSCs ----
  input  mode_e [NP-1:0]            psc_lk_mode_i,
  input  logic [NP-1:0][63:0]       psc_lk_la_i,
  input  logic [NP-1:0][PCID_W-1:0] psc_lk_pcid_i,
  output logic [NP-1:0]             psc_lk_hit_o,
  output logic [NP-1:0][5:0]        psc_lk_idx_o,
  output logic [NP-1:0][63:0]       psc_lk_table_o,
  output perm_t [NP-1:0]            psc_lk_perm_o,
  input  logic [NP-1:0]             psc_touch_i,
  input  logic [NP-1:0]             psc_fill_i,
  input  mode_e [NP-1:0]            psc_fill_mode_i,
  input  logic [NP-1:0][63:0]       psc_fill_la_i,
  input  logic [NP-1:0][PCID_W-1:0] psc_fill_pcid_i,
  input  logic [NP-1:0][63:0]       psc_fill_table_i,
  input  perm_t [NP-1:0]            psc_fill_perm_i,
  input  flush_t [NP-1:0]           psc_flush_a_i,
  input  flush_t [NP-1:0]           psc_flush_b_i,
  output logic [NP-1:0][63:0]       psc_valid_o,
  output logic [NP-1:0][5:0]        psc_victim_o
);

  localparam int TLB_N [NT] = '{4, 32};
  localparam int PSC_N [NP] = '{0, 2, 8, 0, 2, 8};
  localparam int PSC_L [NP] = '{2, 2, 2, 4, 4, 4};

  for (genvar t = 0; t < NT; t++) begin : gen_tlb
    localparam int N = TLB_N[t];
    localparam int W = (N > 1) ? $clog2(N) : 1;
    logic [W-1:0] idx, victim;
    logic [N-1:0] valid;

    pw_tlb #(.ENTRIES(N)) u_tlb (
      .clk_i,
      .rst_ni,
      .lk_la_i     (tlb_lk_la_i[t]),
      .lk_pcid_i   (tlb_lk_pcid_i[t]),
      .lk_hit_o    (tlb_lk_hit_o[t]),
      .lk_idx_o    (idx),
      .lk_entry_o  (tlb_lk_entry_o[t]),
      .touch_i     (tlb_touch_i[t]),
      .touch_idx_i (tlb_touch_idx_i[t][W-1:0]),
      .fill_i      (tlb_fill_i[t]),
      .fill_entry_i(tlb_fill_entry_i[t]),
      .flush_a_i   (tlb_flush_a_i[t]),
      .flush_b_i   (tlb_flush_b_i[t]),
      .valid_o     (valid),
      .victim_o    (victim)
    );

    assign tlb_lk_idx_o[t] = 6'(idx);
    assign tlb_victim_o[t] = 6'(victim);
    assign tlb_valid_o[t]  = 64'(valid);

    logic unused_touch_idx;
    assign unused_touch_idx = ^tlb_touch_idx_i[t];
  end

  for (genvar p = 0; p < NP; p++) begin : gen_psc
    localparam int N = PSC_N[p];
    localparam int W = (N > 1) ? $clog2(N) : 1;
    localparam int S = (N > 0) ? N : 1;
    logic [W-1:0] idx, victim;
    logic [S-1:0] valid;

    pw_psc #(.ENTRIES(N), .LEVEL(PSC_L[p])) u_psc (
      .clk_i,
      .rst_ni,
      .lk_mode_i   (psc_lk_mode_i[p]),
      .lk_la_i     (psc_lk_la_i[p]),
      .lk_pcid_i   (psc_lk_pcid_i[p]),
      .lk_hit_o    (psc_lk_hit_o[p]),
      .lk_idx_o    (idx),
      .lk_table_o  (psc_lk_table_o[p]),
      .lk_perm_o   (psc_lk_perm_o[p]),
      .touch_i     (psc_touch_i[p]),
      .fill_i      (psc_fill_i[p]),
      .fill_mode_i (psc_fill_mode_i[p]),
      .fill_la_i   (psc_fill_la_i[p]),
      .fill_pcid_i (psc_fill_pcid_i[p]),
      .fill_table_i(psc_fill_table_i[p]),
      .fill_perm_i (psc_fill_perm_i[p]),
      .flush_a_i   (psc_flush_a_i[p]),
      .flush_b_i   (psc_flush_b_i[p]),
      .valid_o     (valid),
      .victim_o    (victim)
    );

    assign psc_lk_idx_o[p] = 6'(idx);
    assign psc_victim_o[p] = 6'(victim);
    assign psc_valid_o[p]  = 64'(valid);
  end

endmodule
