// The board's page-table memory: block RAM at physical address 0, 64-bit words,
// one access at a time. A read answers BOARD_MEM_LATENCY (1) cycle after it is
// accepted; a CAS reads in its accept cycle and writes in the next, when the RAM
// is not ready. Addresses at or above the RAM answer with a bus error.
// board_gen.c bm_schedule is the model of this timing.
module pw_board_mem
  import pw_pkg::*;
#(
  parameter int unsigned WORDS = 2048,
  parameter string       INIT  = ""
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        req_valid_i,
  output logic        req_ready_o,
  input  logic [63:0] req_addr_i,
  input  logic [3:0]  req_size_i,
  input  mem_op_e     req_op_i,
  input  logic [63:0] req_cmp_i,
  input  logic [63:0] req_wdata_i,
  output logic        rsp_valid_o,
  output logic [63:0] rsp_data_o,
  output logic        rsp_err_o
);
  localparam int AW = $clog2(WORDS);
  localparam int unsigned SIZE_4 = 4;
  if (WORDS < 2 || (WORDS & (WORDS - 1)) != 0) begin : gen_bad_words
    $error("pw_board_mem: WORDS must be a power of two");
  end

  logic [63:0] ram [WORDS];
  initial if (INIT != "") $readmemh(INIT, ram);

  logic          accept, write_now;
  logic          pending_q, cas_q, half_q, narrow_q, err_q;
  logic [AW-1:0] widx_q;
  logic [63:0]   rdata_q, cmp_q, wdata_q;
  logic [63:0]   old, merged;
  logic          equal;

  // The cycle after a CAS's accept is its write: no new access then.
  assign req_ready_o = !(pending_q && cas_q);
  assign accept      = req_valid_i && req_ready_o;
  assign write_now   = pending_q && cas_q && !err_q && equal;

  // The RAM: a read port and a write port (a CAS writes the word it read).
  always_ff @(posedge clk_i) begin
    if (accept)
      rdata_q <= ram[req_addr_i[AW+2:3]];
    if (write_now)
      ram[widx_q] <= merged;
  end

  // A 4-byte access reads and compares one half of the word.
  assign old    = narrow_q ? (half_q ? {32'd0, rdata_q[63:32]} : {32'd0, rdata_q[31:0]}) : rdata_q;
  assign equal  = narrow_q ? old[31:0] == cmp_q[31:0] : old == cmp_q;
  assign merged = !narrow_q ? wdata_q :
                  half_q ? {wdata_q[31:0], rdata_q[31:0]} : {rdata_q[63:32], wdata_q[31:0]};

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      pending_q <= 1'b0;
      cas_q     <= 1'b0;
      half_q    <= 1'b0;
      narrow_q  <= 1'b0;
      err_q     <= 1'b0;
      widx_q    <= '0;
      cmp_q     <= '0;
      wdata_q   <= '0;
    end else begin
      pending_q <= accept;
      if (accept) begin
        cas_q    <= req_op_i == MEM_CAS;
        half_q   <= req_addr_i[2];
        narrow_q <= req_size_i == SIZE_4[3:0];
        err_q    <= (req_addr_i >> (AW + 3)) != 64'd0;
        widx_q   <= req_addr_i[AW+2:3];
        cmp_q    <= req_cmp_i;
        wdata_q  <= req_wdata_i;
      end
    end
  end

  assign rsp_valid_o = pending_q;
  assign rsp_data_o  = err_q ? 64'd0 : old;
  assign rsp_err_o   = err_q;
endmodule
