// Power-on reset: low for 2^W cycles after configuration (flip-flops start at 0).
module pw_board_por #(
  parameter int W = 8
) (
  input  logic clk_i,
  output logic rst_no
);
  logic [W:0] cnt_q = '0;
  always_ff @(posedge clk_i)
    if (!cnt_q[W])
      cnt_q <= cnt_q + 1'b1;
  assign rst_no = cnt_q[W];
endmodule
