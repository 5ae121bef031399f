"""Local queue overflow with N=257 goroutines on one P (runqputslow, 1-in-61 check, GRQ batch)."""

from common import overflow_main as main  # noqa: F401

KIND = "exact"
GOMAXPROCS = 1
GO_FILE = "overflow.go"
GO_ARGS = [257]
MAIN_ARGS = (257,)
SPEC = "§4.2, §5.2, §14 B2"
