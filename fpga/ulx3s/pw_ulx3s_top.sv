// ULX3S (LFE5U-85F) board top: the self-test at 6.25 MHz, the 25 MHz oscillator divided
// by four (the full configuration's critical path is ~80 ns: docs/fpga.md).
// LEDs: 0 running (blinks), 1 pass, 2 fail, 3 UART activity. btn[1] (F1)
// prints the report again; the UART is the FTDI's (ftdi_rxd, 115200 8N1).
module pw_ulx3s_top (
  input  logic       clk_25mhz,
  input  logic [6:0] btn,
  output logic [7:0] led,
  output logic       ftdi_rxd,
  output logic       wifi_gpio0
);
  logic        rst_n, running, pass, fail, tx, done;
  logic [31:0] sig;
  logic        heartbeat;

  // A divided clock rather than a PLL primitive keeps the top plain RTL (lint, simulation).
  logic [1:0] div_q = '0;
  logic       clk;
  always_ff @(posedge clk_25mhz)
    div_q <= div_q + 1'b1;
  assign clk = div_q[1];

  pw_board_por u_por (.clk_i(clk), .rst_no(rst_n));

  pw_board u_board (
    .clk_i(clk), .rst_ni(rst_n), .report_i(btn[1]),
    .running_o(running), .pass_o(pass), .fail_o(fail), .uart_tx_o(tx),
    .done_o(done), .heartbeat_o(heartbeat), .sig_o(sig)
  );

  assign led        = {4'b0, !tx, fail, pass, running && heartbeat};
  assign ftdi_rxd   = tx;
  assign wifi_gpio0 = 1'b1;   // keeps the ESP32 from resetting the board

  logic unused;
  assign unused = ^{btn[6:2], btn[0], done, sig};
endmodule
