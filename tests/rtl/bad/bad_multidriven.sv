// Deliberately wrong: two drivers on one net. synth_check.py must fail.
`default_nettype none
module bad_multidriven (
    input  wire logic a,
    input  wire logic b,
    output wire logic y
);
    assign y = a;
    assign y = b;
endmodule
`default_nettype wire
