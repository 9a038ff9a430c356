// UART transmitter, 8N1, LSB first; the line idles high.
module pw_uart_tx #(
  parameter int unsigned CLK_HZ = 25_000_000,
  parameter int unsigned BAUD   = 115_200
) (
  input  logic       clk_i,
  input  logic       rst_ni,
  input  logic       valid_i,
  output logic       ready_o,
  input  logic [7:0] data_i,
  output logic       tx_o
);
  localparam int unsigned DIV = (CLK_HZ + BAUD / 2) / BAUD;   // cycles per bit, rounded
  localparam int DW = $clog2(DIV + 1);
  localparam int FRAME_BITS = 10;                              // start, 8 data, stop
  if (DIV < 4) begin : gen_bad_div
    $error("pw_uart_tx: CLK_HZ / BAUD must be at least 4");
  end

  logic [DW-1:0] tick_q;
  logic [3:0]    bits_q;       // bits left in the frame
  logic [9:0]    shift_q;      // {stop, data, start}, sent from bit 0

  assign ready_o = bits_q == 4'd0;
  assign tx_o    = ready_o ? 1'b1 : shift_q[0];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      tick_q  <= '0;
      bits_q  <= '0;
      shift_q <= '1;
    end else if (ready_o) begin
      if (valid_i) begin
        shift_q <= {1'b1, data_i, 1'b0};
        bits_q  <= 4'(FRAME_BITS);
        tick_q  <= DW'(DIV - 1);
      end
    end else if (tick_q != '0) begin
      tick_q <= tick_q - 1'b1;
    end else begin
      shift_q <= {1'b1, shift_q[9:1]};
      bits_q  <= bits_q - 1'b1;
      tick_q  <= DW'(DIV - 1);
    end
  end
endmodule
