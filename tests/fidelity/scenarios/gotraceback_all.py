"""GOTRACEBACK=all: what a panic in a goroutine prints."""

from common import gotraceback_main as main  # noqa: F401
from common import observe_with_creators as observe  # noqa: F401

KIND = "exact"
GOMAXPROCS = 1
GO_RUNS = 10
GO_FILE = "gotraceback.go"
GO_ENV = {"GOTRACEBACK": "all"}
RUN_OPTIONS = {"gotraceback": "all"}
SPEC = "§12.2, §12.3"
