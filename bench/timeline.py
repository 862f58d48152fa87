#!/usr/bin/env python3
"""bench/timeline.py PERF-TRACE-OUTPUT: where one `isolatectl start --wait` of /bin/true spends its
wall time, and one `systemd-run --scope true` beside it, from `perf trace -a` of the system calls
that mark each step (bench/timeline.sh records it). Prints the median of every step over the runs.

The steps of isolatectl start --wait, each from the previous mark:
  cli: exec -> call in the daemon   the CLI's exec, ld.so, bus connection (AUTH, Hello via
                                    dbus-daemon) and StartService through dbus-daemon
  daemon: call -> spawn             parse, checks, state before the fork
  spawn: owner child -> held child  the intermediate child, clone3 of the namespaces, uid_map
  held child -> init exec           RELEASE, the held child's exec of isolate-init
  init: sandbox built               exec to pivot_root: the root, /dev, /proc, /run, mounts
  init: wait for GO                 pivot_root to GO: systemd's scope job (when it is longer)
  GO -> main exec                   cgroup namespace and cgroupfs, fork, credentials, filter, exec
  main runs                         /bin/true, exec to exit
  init: report, exit                the main's end reported, the init's exit
  kernel: exit -> reaped            the init's exit until the daemon's waitid (namespaces' teardown)
  daemon -> cli exit                State=exited through dbus-daemon, the CLI's exit
The steps of systemd-run --scope:
  exec -> PID 1 has the call        its exec, ld.so, the private socket's AUTH, the call
  PID 1: the scope's job            until systemd-run execs the command
  main runs                         true, exec to exit
"""
import re
import statistics
import sys

LINE = re.compile(r"^\s*([0-9.]+|\?) \(\s*(?:[0-9.]+ ms)?\s*\): ([^/\s]+)/(\d+) (\.\.\. \[continued\]: )?(\w+)\(")


def parse(path):
    events = []
    for line in open(path, errors="replace"):
        m = LINE.match(line)
        if not m or m.group(1) == "?":
            continue
        t = float(m.group(1))
        if t > 1e12:  # perf's wrapped stamps of events begun before the trace
            continue
        events.append((t, m.group(2), int(m.group(3)), m.group(5), line))
    events.sort(key=lambda e: e[0])
    return events


def busiest(events, comm, call):
    counts = {}
    for _, c, pid, sc, _ in events:
        if c == comm and sc == call:
            counts[pid] = counts.get(pid, 0) + 1
    return max(counts, key=counts.get) if counts else None


def first(events, start, pred):
    for i in range(start, len(events)):
        if pred(events[i]):
            return i
    return None


def isolatectl_runs(ev, daemon, pid1):
    runs = []
    i = 0
    while True:
        i = first(ev, i, lambda e: e[1] == "isolatectl" and e[3] == "execve")
        if i is None:
            return runs
        cli = ev[i][2]
        marks = {"exec": i}
        order = [
            ("call", lambda e: e[2] == daemon and e[3] == "recvmsg"),
            ("spawn", lambda e: e[2] == daemon and e[3] == "clone"),
            ("held", lambda e: e[2] == daemon and e[3] == "waitid"),
            ("init_exec", lambda e: e[1] == "isolate-init" and e[3] == "execve"),
            ("root", lambda e: e[1] == "isolate-init" and e[3] == "pivot_root"),
            ("go", lambda e: e[1] == "isolate-init" and e[3] == "recvmsg"),
            ("main_exec", lambda e: e[1] == "true" and e[3] == "execve"),
            ("main_exit", lambda e: e[1] == "true" and e[3] == "exit_group"),
            ("init_exit", lambda e: e[1] == "isolate-init" and e[3] == "exit_group"),
            ("reaped", lambda e: e[2] == daemon and e[3] == "waitid"),
            ("cli_exit", lambda e: e[2] == cli and e[3] == "exit_group"),
        ]
        j = i
        ok = True
        for name, pred in order:
            j = first(ev, j + 1, pred)
            if j is None:
                ok = False
                break
            marks[name] = j
        nxt = first(ev, i + 1, lambda e: e[1] == "isolatectl" and e[3] == "execve")
        if ok and (nxt is None or marks["cli_exit"] < nxt):
            runs.append({k: ev[v][0] for k, v in marks.items()})
        i = nxt if nxt is not None else len(ev)


def systemd_run_runs(ev, pid1):
    runs = []
    i = 0
    while True:
        i = first(ev, i, lambda e: e[1] == "systemd-run" and e[3] == "execve")
        if i is None:
            return runs
        pid = ev[i][2]
        j = first(ev, i + 1, lambda e: e[2] == pid1 and e[3] == "recvmsg")
        k = first(ev, i + 1, lambda e: e[2] == pid and e[3] == "execve" and e[1] == "true")
        x = first(ev, (k or i) + 1, lambda e: e[2] == pid and e[3] == "exit_group")
        if j is not None and k is not None and x is not None and j < k:
            runs.append({"exec": ev[i][0], "pid1": ev[j][0], "main_exec": ev[k][0], "exit": ev[x][0]})
        i = i + 1


def table(title, runs, steps):
    print(f"{title}: {len(runs)} runs, median ms of each step (p10-p90)")
    for label, a, b in steps:
        d = [r[b] - r[a] for r in runs]
        q = statistics.quantiles(d, n=10) if len(d) >= 2 else [d[0]] * 9
        print(f"  {label:<44} {statistics.median(d):7.2f}   ({q[0]:.2f}-{q[-1]:.2f})")


def main():
    ev = parse(sys.argv[1])
    daemon = busiest(ev, "isolated", "recvmsg")
    pid1 = busiest(ev, "systemd", "recvmsg")
    iso = isolatectl_runs(ev, daemon, pid1)
    sr = systemd_run_runs(ev, pid1)
    if iso:
        table("isolatectl -q start --wait NAME (/bin/true)", iso, [
            ("cli: exec -> call in the daemon", "exec", "call"),
            ("daemon: call -> spawn", "call", "spawn"),
            ("spawn: owner child -> held child", "spawn", "held"),
            ("held child -> init exec", "held", "init_exec"),
            ("init: sandbox built (exec -> pivot_root)", "init_exec", "root"),
            ("init: wait for GO (systemd's scope job)", "root", "go"),
            ("GO -> main exec", "go", "main_exec"),
            ("main runs (/bin/true)", "main_exec", "main_exit"),
            ("init: report, exit", "main_exit", "init_exit"),
            ("kernel: init exit -> reaped by the daemon", "init_exit", "reaped"),
            ("daemon -> cli exit", "reaped", "cli_exit"),
            ("total", "exec", "cli_exit"),
        ])
    if sr:
        table("systemd-run --scope true", sr, [
            ("exec -> PID 1 has the call", "exec", "pid1"),
            ("PID 1: the scope's job -> exec of the command", "pid1", "main_exec"),
            ("main runs (true)", "main_exec", "exit"),
            ("total", "exec", "exit"),
        ])
    if not iso and not sr:
        print("no complete run found")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
