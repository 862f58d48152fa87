#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Summarizes the raw samples of bench/inside.sh: prints the table, writes the JSON.

report.py OUT JSON [--runs N] [--tp-runs N] [--services N] [--commit C]
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import sys

LATENCY = [
    # key, label, reference keys for the ratio column
    ("iso_lifecycle", "isolated lifecycle (bus: StartService -> State exited)", True),
    ("iso_ctl_wait", "isolatectl start --wait (process, to its exit)", True),
    ("sr_scope", "systemd-run --scope (same limits) true", False),
    ("sr_wait", "systemd-run --wait (sandboxed, MemoryMax) true", False),
    ("unshare", "unshare --pid --fork --mount --uts --ipc --net --mount-proc true", False),
    ("iso_start", "isolated start, sleep infinity (StartService -> exec'd)", False),
    ("iso_stop", "isolated stop (StopService -> scope gone)", False),
    ("iso_cost_default", "isolatectl start --wait true, default description, same name", True),
    ("iso_cost_hostroot", "... with [Isolate] HostRoot=yes (no user namespace, no idmapped mounts)", True),
    ("iso_cost_permissive", "... permissive description (every default off, HostRoot=yes)", True),
    ("iso_ctl_netns", "isolatectl start --wait, right after a netns was torn down", True),
    ("sr_scope_netns", "systemd-run --scope, right after a netns was torn down", False),
    ("bwrap", "bwrap --unshare-all --ro-bind / / --dev /dev --proc /proc true", False),
    ("crun", "crun run (OCI bundle over the host root, same limits, systemd cgroups) true", False),
]
# Pairs of rows whose runs ran back to back under the same conditions: the netns-teardown case.
PAIRS = [("iso_ctl_netns", "sr_scope_netns", "/scope after netns teardown")]
HYPERFINE = ["iso_ctl_wait", "sr_scope", "sr_wait", "unshare"]
# What the defaults cost per start: paired per-run differences of the rows above.
COSTS = [
    ("iso_cost_default", "iso_cost_hostroot", "user namespace + idmapped mounts (default - HostRoot=yes)"),
    ("iso_cost_default", "iso_cost_permissive", "the whole default sandbox (default - permissive)"),
    ("iso_cost_hostroot", "iso_cost_permissive", "the rest (HostRoot=yes - permissive)"),
]
REFS = [("sr_scope", "/scope"), ("sr_wait", "/wait"), ("unshare", "/unshare")]
THROUGHPUT = [
    ("iso_many_start", "isolated: N async StartService, one connection"),
    ("iso_many_stop", "isolated: N async StopService, one connection"),
    ("iso_ctl_start", "isolated: N concurrent `isolatectl start`"),
    ("iso_ctl_stop", "isolated: N concurrent `isolatectl stop`"),
    ("sr_start", "systemd: N concurrent `systemd-run --scope sleep` (to exec)"),
    ("sr_stop", "systemd: N concurrent `systemctl stop` of those scopes"),
]
RSS = [
    ("rss_isolate_init", "isolate-init supervising sleep"),
    ("rss_tini", "tini supervising sleep"),
    ("rss_dumb-init", "dumb-init supervising sleep"),
    ("rss_daemon_fresh", "isolated, idle, just started"),
    ("rss_daemon_idle", "isolated, idle, after the latency runs"),
    ("rss_daemon_100", "isolated, N services running"),
    ("rss_daemon_after", "isolated, idle, after the throughput rounds"),
]


def lines(path):
    try:
        with open(path) as f:
            return [l.split() for l in f if l.strip()]
    except FileNotFoundError:
        return []


def quantile(s, q):
    if not s:
        return None
    pos = (len(s) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def stats(values):
    s = sorted(values)
    if not s:
        return None
    return {"n": len(s), "median": statistics.median(s), "p10": quantile(s, 0.1), "p90": quantile(s, 0.9),
            "min": s[0], "max": s[-1]}


def fmt(v, unit=1e6, digits=1):
    return "-" if v is None else f"{v / unit:.{digits}f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("json")
    ap.add_argument("--runs", type=int)
    ap.add_argument("--tp-runs", type=int)
    ap.add_argument("--services", type=int)
    ap.add_argument("--commit")
    a = ap.parse_args()
    res = {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
           "host": {"cpus": os.cpu_count(), "kernel": platform.release()},
           "commit": a.commit, "runs": a.runs, "tp_runs": a.tp_runs, "services": a.services,
           "latency_ms": {}, "ratios": {}, "throughput_ms": {}, "rss_kib": {}, "sizes_bytes": {}, "targets": {}}
    failures = 0
    for when in ("before", "after"):
        l = lines(os.path.join(a.out, f"load-{when}"))
        if l:
            res["host"][f"loadavg_{when}"] = [float(x) for x in l[0]]

    print(f"\nisolated benchmarks, {res['date']}, {res['host']['cpus']} CPUs, kernel {res['host']['kernel']}, "
          f"commit {a.commit}")
    if "loadavg_before" in res["host"]:
        print(f"load average before {res['host']['loadavg_before']}, after {res['host'].get('loadavg_after')}"
              " (other work on the machine inflates the absolute numbers; the interleaving keeps the ratios fair)")
    print(f"\nLatency, ms over {a.runs} interleaved runs"
          f"          n fail  median     p10     p90     min     max   /scope   /wait /unshare")
    lat = {}
    samples = {}
    for key, label, ratio in LATENCY:
        raw = lines(os.path.join(a.out, "lat", key))
        samples[key] = [None if l[0] == "fail" else int(l[0]) for l in raw]
        vals = [int(l[0]) for l in raw if l[0] != "fail"]
        fails = len(raw) - len(vals)
        failures += fails
        st = stats(vals)
        lat[key] = st
        row = {"label": label, "failures": fails}
        if st:
            row.update({k: (v / 1e6 if k != "n" else v) for k, v in st.items()})
        res["latency_ms"][key] = row
    for key, label, ratio in LATENCY:
        st, row = lat[key], res["latency_ms"][key]
        cols = ""
        if ratio and st:
            for ref, name in REFS:
                if lat.get(ref):
                    r = st["median"] / lat[ref]["median"]
                    res["ratios"][f"{key}{name}"] = round(r, 3)
                    cols += f" {r:7.2f}x"
                    # Run i of both rows ran back to back: the median of the
                    # per-run ratios cancels drift better than a ratio of medians.
                    pairs = [x / y for x, y in zip(samples[key], samples[ref]) if x is not None and y is not None]
                    if pairs:
                        res["ratios"][f"{key}{name} paired"] = round(statistics.median(pairs), 3)
        if st:
            print(f"  {label:<68.68} {st['n']:4d} {row['failures']:4d} {fmt(st['median']):>7} {fmt(st['p10']):>7} "
                  f"{fmt(st['p90']):>7} {fmt(st['min']):>7} {fmt(st['max']):>7}{cols}")
        else:
            print(f"  {label:<68.68}    0 {row['failures']:4d}   (no samples)")

    for key, ref, name in PAIRS:
        if lat.get(key) and lat.get(ref):
            res["ratios"][f"{key}{name}"] = round(lat[key]["median"] / lat[ref]["median"], 3)
            pairs = [x / y for x, y in zip(samples[key], samples[ref]) if x is not None and y is not None]
            if pairs:
                res["ratios"][f"{key}{name} paired"] = round(statistics.median(pairs), 3)
            print(f"  {key} {name}: {res['ratios'][f'{key}{name}']:.2f}x"
                  f" (paired {res['ratios'].get(f'{key}{name} paired', 0):.2f}x)")

    # hyperfine -N, the four anchors in one invocation (bench/inside.sh).
    try:
        with open(os.path.join(a.out, "hyperfine.json")) as f:
            hf = {r["command"]: r for r in json.load(f)["results"]}
    except (FileNotFoundError, ValueError, KeyError):
        hf = {}
    if hf:
        res["hyperfine_ms"] = {}
        print(f"\nhyperfine -N, the four anchors in one invocation, ms      n  median     p10     p90    mean  "
              "/scope   /wait")
        for key in HYPERFINE:
            r = hf.get(key)
            if not r:
                continue
            st = stats([t * 1e9 for t in r["times"]])
            row = {k: (v / 1e6 if k != "n" else v) for k, v in st.items()}
            row["mean"] = r["mean"] * 1e3
            cols = ""
            for ref in ("sr_scope", "sr_wait"):
                if key == "iso_ctl_wait" and ref in hf:
                    ratio = statistics.median(r["times"]) / statistics.median(hf[ref]["times"])
                    res["ratios"][f"hyperfine {key}/{ref}"] = round(ratio, 3)
                    cols += f" {ratio:6.2f}x"
            res["hyperfine_ms"][key] = row
            print(f"  {key:<52} {st['n']:4d} {fmt(st['median']):>7} {fmt(st['p10']):>7} {fmt(st['p90']):>7} "
                  f"{row['mean']:7.1f}{cols}")
    try:
        with open(os.path.join(a.out, "notes")) as f:
            for l in f.read().splitlines():
                print(f"  note: {l}")
    except FileNotFoundError:
        pass

    res["cost_per_start_ms"] = {}
    print("\nWhat the defaults cost per start, ms: paired per-run differences (run i of both rows back to back)")
    print(f"  {'':<68}    n  median     p10     p90")
    for key, ref, label in COSTS:
        diffs = sorted(x - y for x, y in zip(samples.get(key, []), samples.get(ref, [])) if x is not None and y is not None)
        st = stats(diffs)
        if not st:
            print(f"  {label:<68.68}    0   (no samples)")
            continue
        res["cost_per_start_ms"][f"{key}-{ref}"] = {"label": label, **{k: (v / 1e6 if k != "n" else v) for k, v in st.items()}}
        print(f"  {label:<68.68} {st['n']:4d} {fmt(st['median'], digits=2):>7} {fmt(st['p10'], digits=2):>7} "
              f"{fmt(st['p90'], digits=2):>7}")

    print(f"\nThroughput, N = {a.services} services, ms over {a.tp_runs} rounds"
          f"                  n fail  median     min     max  ms/service")
    for key, label in THROUGHPUT:
        raw = lines(os.path.join(a.out, "tp", key))
        ok = [l for l in raw if l[0] != "fail"]
        fails = sum(int(l[1]) for l in ok) + (len(raw) - len(ok))
        failures += fails
        st = stats([int(l[0]) for l in ok])
        row = {"label": label, "failed_services": fails}
        if st:
            row.update({k: (v / 1e6 if k != "n" else v) for k, v in st.items()})
            row["per_service"] = st["median"] / 1e6 / a.services
            print(f"  {label.replace('N ', f'{a.services} '):<68.68} {st['n']:4d} {fails:4d} {fmt(st['median']):>7} "
                  f"{fmt(st['min']):>7} {fmt(st['max']):>7} {row['per_service']:10.2f}")
        else:
            print(f"  {label:<68.68}    0 {fails:4d}   (no samples)")
        res["throughput_ms"][key] = row

    print("\nMemory, KiB (median of samples)"
          "                                          n  VmHWM   VmRSS RssAnon RssFile     Pss")
    for key, label in RSS:
        raw = [l for l in lines(os.path.join(a.out, key)) if len(l) == 5]
        if not raw:
            print(f"  {label:<68.68}    0   (not measured)")
            continue
        cols = [statistics.median(int(l[i]) for l in raw) for i in range(5)]
        res["rss_kib"][key] = {"label": label.replace("N ", f"{a.services} "), "n": len(raw),
                               "VmHWM": cols[0], "VmRSS": cols[1], "RssAnon": cols[2], "RssFile": cols[3], "Pss": cols[4]}
        print(f"  {label.replace('N ', f'{a.services} '):<68.68} {len(raw):4d} {cols[0]:6.0f} {cols[1]:7.0f} "
              f"{cols[2]:7.0f} {cols[3]:7.0f} {cols[4]:7.0f}")

    if "rss_isolate_init" in res["rss_kib"] and "rss_tini" in res["rss_kib"]:
        ours, theirs = res["rss_kib"]["rss_isolate_init"], res["rss_kib"]["rss_tini"]
        print(f"  isolate-init beside tini: VmRSS {ours['VmRSS']:.0f} vs {theirs['VmRSS']:.0f}, "
              f"Pss {ours['Pss']:.0f} vs {theirs['Pss']:.0f} (per mapping: {a.out}/mappings_*)")

    # bench/sandbox-cost.sh: a table, then one JSON line.
    try:
        with open(os.path.join(a.out, "sandbox-cost")) as f:
            sc_lines = f.read().splitlines()
    except FileNotFoundError:
        sc_lines = []
    sc = json.loads(sc_lines[-1]) if sc_lines and sc_lines[-1].startswith("{") else None
    if sc:
        res["sandbox_cost_us"] = sc
        print("\n" + "\n".join(sc_lines[:-1]))
    else:
        print("\nSandbox work per start: not measured")
        failures += 1

    # bench/scale-inside.sh: "key value" lines.
    sc_raw = {l[0]: l[1] for l in lines(os.path.join(a.out, "scale")) if len(l) == 2}
    if sc_raw:
        def num(k):
            try:
                return float(sc_raw[k])
            except (KeyError, ValueError):
                return None
        n = int(num("n") or 0)
        scl = {k: num(k) for k in sc_raw}
        res["scale"] = scl
        print(f"\nScale: {n} services at once (sleep infinity, default confinement), one bus connection")
        rows = [("start_ms", f"{n} StartService through the bus, to every reply (ms)"),
                ("start_failures", "  failed starts"), ("running", "  running after"),
                ("sr_start_ms", f"{n} concurrent systemd-run --scope sleep, to every exec (ms)"),
                ("stop_ms", f"{n} StopService through the bus (ms)"), ("sr_stop_ms", f"{n} systemctl stop of those scopes (ms)"),
                ("list_ms", f"isolatectl list with {n} services, median of 7 (ms)"),
                ("status_ms", "isolatectl status NAME, median of 7 (ms)"), ("show_ms", "isolatectl show NAME, median of 7 (ms)"),
                ("daemon_rss_kib_before", "daemon VmRSS before (KiB)"), ("daemon_rss_kib", f"daemon VmRSS with {n} (KiB)"),
                ("daemon_anon_kib", f"daemon RssAnon with {n} (KiB)"), ("daemon_rss_kib_after", "daemon VmRSS after the stop (KiB)"),
                ("init_rss_kib", "isolate-init VmRSS, mean of 50 (KiB)"), ("init_pss_kib", "isolate-init Pss, mean of 50 (KiB)")]
        for k, label in rows:
            if k in sc_raw:
                print(f"  {label:<68.68} {sc_raw[k]:>10}")
        if n and num("daemon_anon_kib") is not None and num("daemon_anon_kib_before") is not None:
            per = (num("daemon_anon_kib") - num("daemon_anon_kib_before")) / n
            scl["daemon_anon_kib_per_service"] = round(per, 2)
            print(f"  {'daemon memory per service (RssAnon growth / N, KiB)':<68} {per:10.2f}")
        if num("start_ms") and num("sr_start_ms"):
            scl["sr_start/start"] = round(num("sr_start_ms") / num("start_ms"), 2)
            print(f"  {'systemd-run --scope / isolated, starting them':<68} {scl['sr_start/start']:9.2f}x")
        left = {k: sc_raw[k] for k in sc_raw if k.startswith("leftover_")}
        print("  left after the stop: " + ", ".join(f"{k[9:]} {v}" for k, v in left.items()))
        failures += int(num("start_failures") or 0) + sum(1 for v in left.values() if v != "0")
        t = res["targets"]
        if num("daemon_rss_kib") is not None:
            t[f"daemon VmRSS <= 16 MiB with {n} services"] = {"value": num("daemon_rss_kib"), "met": num("daemon_rss_kib") <= 16384}
        if "sr_start/start" in scl:
            t[f"{n} starts through the bus >= 5x faster than systemd-run --scope"] = {"value": scl["sr_start/start"],
                                                                                   "met": scl["sr_start/start"] >= 5}
        if num("list_ms") is not None:
            t[f"isolatectl list <= 100 ms with {n}"] = {"value": num("list_ms"), "met": num("list_ms") <= 100}
        if num("status_ms") is not None:
            t[f"isolatectl status <= 20 ms with {n}"] = {"value": num("status_ms"), "met": num("status_ms") <= 20}
        t["stopping all leaves nothing"] = {"value": left, "met": all(v == "0" for v in left.values())}

    print("\nBinary sizes, bytes                  unstripped   stripped")
    for l in lines(os.path.join(a.out, "sizes")):
        res["sizes_bytes"][l[0]] = {"unstripped": int(l[1]), "stripped": int(l[2])}
        print(f"  {l[0]:<34} {int(l[1]):10d} {int(l[2]):10d}")

    t = res["targets"]
    r = res["ratios"]
    if "iso_lifecycle/scope" in r:
        t["lifecycle <= 1.2x systemd-run --scope"] = {"value": r["iso_lifecycle/scope"], "met": r["iso_lifecycle/scope"] <= 1.2}
    # Issue 17: what users pay, the CLI as a process, same name every run.
    for key, limit, name in (("iso_ctl_wait/scope", 0.8, "isolatectl start --wait <= 0.8x systemd-run --scope"),
                             ("iso_ctl_wait/wait", 0.55, "isolatectl start --wait <= 0.55x sandboxed systemd-run --wait"),
                             ("iso_ctl_netns/scope after netns teardown", 1.0,
                              "isolatectl start --wait after a netns teardown <= 1.0x systemd-run --scope after one"),
                             ("hyperfine iso_ctl_wait/sr_scope", 0.8, "hyperfine: isolatectl <= 0.8x systemd-run --scope"),
                             ("hyperfine iso_ctl_wait/sr_wait", 0.55, "hyperfine: isolatectl <= 0.55x systemd-run --wait")):
        if key in r:
            t[name] = {"value": r[key], "met": r[key] <= limit}
    if "iso_lifecycle/wait" in r:
        t["lifecycle <= 0.6x systemd-run --wait"] = {"value": r["iso_lifecycle/wait"], "met": r["iso_lifecycle/wait"] <= 0.6}
    rk = res["rss_kib"]
    if "rss_isolate_init" in rk and "rss_tini" in rk:
        # Issue 4 item 8: both the resident set and the proportional share, side by side.
        for col in ("VmRSS", "Pss"):
            ours, theirs = rk["rss_isolate_init"][col], rk["rss_tini"][col]
            t[f"isolate-init {col} <= tini's"] = {"value": [ours, theirs], "met": ours <= theirs}
    if "rss_daemon_100" in rk:
        t[f"daemon VmRSS < 8 MiB with {a.services} services"] = {"value": rk["rss_daemon_100"]["VmRSS"],
                                                                 "met": rk["rss_daemon_100"]["VmRSS"] < 8192}
    if sc:
        t["default sandbox work < 2 ms per start (median, in-process)"] = {
            "value": sc["default_total_median_us"], "met": sc["default_total_median_us"] < 2000}
    for k, v in r.items():
        if k.endswith(" paired"):
            print(f"  paired ratio {k[:-7]}: {v:.2f}x")
    print("\nTargets (issue 8, ratios of medians; issue 5, the sandbox's median work)")
    for name, v in t.items():
        print(f"  {'met   ' if v['met'] else 'MISSED'} {name}: {v['value']}")
    res["failures"] = failures
    try:
        with open(os.path.join(a.out, "errors")) as f:
            errs = f.read().strip()
    except FileNotFoundError:
        errs = ""
    if errs:
        res["errors"] = errs.splitlines()[-20:]
        print("\nErrors (last lines):\n  " + "\n  ".join(res["errors"]))
    with open(a.json, "w") as f:
        json.dump(res, f, indent=1, sort_keys=False)
        f.write("\n")
    print(f"\n{failures} failures; JSON in {a.json}")
    return 1 if failures or not (lat.get("iso_lifecycle") or lat.get("iso_cost_default") or res.get("scale")) else 0


if __name__ == "__main__":
    sys.exit(main())
