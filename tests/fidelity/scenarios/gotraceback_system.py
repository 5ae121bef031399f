"""GOTRACEBACK=system: what a panic in a goroutine prints."""

from common import gotraceback_main as main  # noqa: F401
from common import observe_with_creators as observe  # noqa: F401

KIND = "oneof"  # Go ran the panicking goroutine on m=0 in 9 of 10 runs, on m=2 once
GOMAXPROCS = 1
GO_RUNS = 10
GO_FILE = "gotraceback.go"
GO_ENV = {"GOTRACEBACK": "system"}
RUN_OPTIONS = {"gotraceback": "system"}
SPEC = "§12.2, §12.3"
