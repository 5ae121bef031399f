"""`python -m gmpkit`: a built-in scenario, Go-format SCHED lines, every option echoed."""

from __future__ import annotations

import re
import subprocess
import sys

from gmpkit.__main__ import main

# proc.go: schedtrace, non-detailed (spec §13): one space before '[', a space after each tick.
SCHED_RE = re.compile(
    r"^SCHED \d+ms: gomaxprocs=\d+ idleprocs=\d+ threads=\d+ spinningthreads=\d+ "
    r"needspinning=[01] idlethreads=\d+ runqueue=\d+ \[( \d+)+ \] schedticks=\[ (\d+ )+\]$"
)


def run_cli(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out.splitlines(), out.err


def test_default_run_prints_go_format_sched_lines(capsys):
    code, lines, _ = run_cli(capsys, "cpu_bound", "-p", "2", "-t", "1")
    assert code == 0
    assert lines[0].startswith("# gmpkit: scenario=cpu_bound gomaxprocs=2 ")
    sched = lines[1:]
    assert len(sched) >= 3
    for line in sched:
        assert SCHED_RE.match(line), line
        assert "gomaxprocs=2 " in line and line.count(" [ ") == 1
        assert len(re.search(r"\[((?: \d+)+) \] sched", line).group(1).split()) == 2


def test_same_options_print_the_same_lines(capsys):
    first = run_cli(capsys, "channel_pipeline", "-p", "3", "-s", "7")
    second = run_cli(capsys, "channel_pipeline", "-p", "3", "-s", "7")
    assert first == second


def test_switches_are_echoed_and_change_the_run(capsys):
    _, on, _ = run_cli(capsys, "blocking_syscalls", "-p", "1", "--summary")
    _, off, _ = run_cli(capsys, "blocking_syscalls", "-p", "1", "--no-handoff", "--summary")
    assert "--no-handoff" in off[0] and "--no-handoff" not in on[0]
    threads = [int(re.search(r"(\d+) threads", s).group(1)) for s in (on[-1], off[-1])]
    assert threads[0] > threads[1]  # without handoff, no thread is started for the blocked P


def test_detail_prints_p_m_and_g_lines(capsys):
    _, lines, _ = run_cli(capsys, "sleepers", "--detail", "-t", "2")
    assert any(re.match(r"^  P0: status=\d schedtick=\d+ syscalltick=\d+ m=", ln) for ln in lines)
    assert any(re.match(r"^  M\d+: p=", ln) for ln in lines)
    assert any(re.match(r"^  G1: status=\d\(", ln) for ln in lines)


def test_bad_input_names_the_mistake(capsys):
    code, _, err = run_cli(capsys, "cpu_bound", "-p", "0")
    assert code == 2 and "gomaxprocs must be at least 1" in err
    code, _, err = run_cli(capsys, "no_such_scenario")
    assert code == 2 and "cpu_bound" in err


def test_list_names_every_scenario(capsys):
    code, lines, _ = run_cli(capsys, "--list")
    assert code == 0
    names = {ln.split()[0] for ln in lines}
    assert {"cpu_bound", "blocking_syscalls", "network_io", "goroutine_storm"} <= names


def test_module_runs_as_a_program():
    out = subprocess.run([sys.executable, "-m", "gmpkit", "--gomaxprocs", "2"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert SCHED_RE.match(out.stdout.splitlines()[1])
