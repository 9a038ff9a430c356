// pw_top's ports around the synthesized netlist (module pw_top_gl, build/gl/), for the
// gate-level co-simulation: the netlist's outputs are then not top-level, so
// fpga/sim/pw_top_gl.vlt can split them into bits (see there why).
module pw_top (
  input  logic         clk_i,
  input  logic         rst_ni,
  input  logic         req_valid_i,
  output logic         req_ready_o,
  input  logic [69:0]  req_i,
  output logic         rsp_valid_o,
  output logic [227:0] rsp_o,
  output logic         mem_req_valid_o,
  input  logic         mem_req_ready_i,
  output logic [63:0]  mem_req_addr_o,
  output logic [3:0]   mem_req_size_o,
  output logic         mem_req_op_o,
  output logic [63:0]  mem_req_cmp_o,
  output logic [63:0]  mem_req_wdata_o,
  input  logic         mem_rsp_valid_i,
  input  logic [63:0]  mem_rsp_data_i,
  input  logic         mem_rsp_err_i,
  input  logic         ctl_valid_i,
  input  logic [3:0]   ctl_op_i,
  input  logic [63:0]  ctl_value_i,
  input  logic [63:0]  ctl_la_i,
  input  logic [1:0]   ctl_type_i,
  input  logic [255:0] ctl_pdpte_i,
  input  logic [3:0]   cnt_sel_i,
  output logic [63:0]  cnt_o
);
  pw_top_gl u_gl (.*);
endmodule
