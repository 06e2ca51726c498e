#!/usr/bin/env python3
"""Whole-process wall time of several commands, runs interleaved (A B C A B C
...) so drift on the machine hits all of them alike. Prints median, min,
p90 per command and the ratio of each median to the first command's.

usage: timeit.py RUNS LABEL=CMD [LABEL=CMD ...]   (CMD split like sh words,
executed directly: no shell in the measurement)
A command that exits non-zero is reported (its time still counts)."""
import shlex, statistics, subprocess, sys, time

runs = int(sys.argv[1])
cmds = [a.split("=", 1) for a in sys.argv[2:]]
times = {label: [] for label, _ in cmds}
fails = {label: 0 for label, _ in cmds}
for label, cmd in cmds:  # one warm-up each: page cache, nbdkit threads
    subprocess.run(shlex.split(cmd), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
for _ in range(runs):
    for label, cmd in cmds:
        argv = shlex.split(cmd)
        t0 = time.perf_counter_ns()
        rc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
        times[label].append((time.perf_counter_ns() - t0) / 1e6)
        fails[label] += rc != 0
base = statistics.median(times[cmds[0][0]])
print(f"{'command':<24} {'median ms':>10} {'min ms':>8} {'p90 ms':>8} {'ratio':>7}  failed")
for label, _ in cmds:
    t = sorted(times[label])
    med = statistics.median(t)
    p90 = t[int(len(t) * 0.9) - 1] if len(t) >= 10 else t[-1]
    print(f"{label:<24} {med:10.2f} {t[0]:8.2f} {p90:8.2f} {med / base:7.2f}  {fails[label]}/{runs}")
