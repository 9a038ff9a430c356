// iCE40-HX8K breakout board top: the self-test at the 12 MHz oscillator.
// LEDs: 0 running (blinks), 1 pass, 2 fail, 3 UART activity. The UART is the
// FTDI's second channel (115200 8N1); the board has no button: the report
// repeats every 2^24 cycles (1.4 s).
module pw_hx8k_top (
  input  logic       clk,
  output logic [7:0] led,
  output logic       uart_tx
);
  logic        rst_n, running, pass, fail, tx, done;
  logic [31:0] sig;
  logic        heartbeat;

  pw_board_por u_por (.clk_i(clk), .rst_no(rst_n));

  pw_board u_board (
    .clk_i(clk), .rst_ni(rst_n), .report_i(1'b0),
    .running_o(running), .pass_o(pass), .fail_o(fail), .uart_tx_o(tx),
    .done_o(done), .heartbeat_o(heartbeat), .sig_o(sig)
  );

  assign led     = {4'b0, !tx, fail, pass, running && heartbeat};
  assign uart_tx = tx;

  logic unused;
  assign unused = ^{done, sig};
endmodule
