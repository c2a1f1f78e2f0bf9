#!/usr/bin/env python3
"""Turns one bench/run.sh run into the markdown section of docs/benchmarks.md.

    report.py --results results.jsonl --machine machine.env [--micro DIR] --command "bench/run.sh"
        prints the section (tables, ratios, targets) on stdout.
    report.py --splice docs/benchmarks.md --section section.md
        replaces what lies between the bench:begin / bench:end markers of the page with the section.

Every ratio compares figures measured in the same run, which is the only comparison this shared,
noisy machine allows.
"""
import argparse
import glob
import json
import os
import sys

BEGIN = "<!-- bench:begin (written by bench/run.sh; edit outside these markers) -->"
END = "<!-- bench:end -->"


def load(results_path):
    runs = {}
    with open(results_path) as f:
        for line in f:
            line = line.strip()
            if line:
                run = json.loads(line)
                runs[run["label"]] = run
    return runs


def fmt_rate(value):
    if value is None:
        return "–"
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def fmt_ms(value):
    return "–" if value is None else f"{value:.2f}"


def fmt_mb(bps):
    return "–" if bps is None else f"{bps / 1e6:,.0f}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def fmt_ratio(value):
    return "–" if value is None else f"{value:.2f}×"


class Run:
    def __init__(self, runs):
        self.runs = runs

    def get(self, target, name, field):
        run = self.runs.get(f"{target}:{name}")
        if run is None:
            return None
        return run.get(field)

    def errors(self):
        return [(label, run.get("errors")) for label, run in self.runs.items() if run.get("errors")]


def section(args):
    r = Run(load(args.results))
    machine = {}
    with open(args.machine) as f:
        for line in f:
            key, _, value = line.rstrip("\n").partition("=")
            machine[key] = value
    out = []
    w = out.append
    w(f"## Latest run ({machine.get('mode', '?')} mode)")
    w("")
    w(f"- Command: `{args.command}` (from the repository root; it builds Release first)")
    w(f"- Date: {machine.get('date')}; machine: {machine.get('cpu')}, {machine.get('cores')} cores, "
      f"{machine.get('memory')}, Linux {machine.get('kernel')}, .NET SDK {machine.get('dotnet')}, "
      f"nginx {machine.get('nginx')}, moto {machine.get('moto')}")
    w("- Load: `cairn-bench` (bench/Cairn.Bench.Load) on the same machine over loopback, requests "
      "signed ahead of the timed phase; the references run under the same generator in raw mode.")
    w("")

    targets = []

    def target(name, value, goal, text_value, text_goal, higher_is_better=True):
        if value is None:
            verdict = "not measured"
        elif (value >= goal) if higher_is_better else (value <= goal):
            verdict = "met"
        else:
            verdict = "**missed**"
        targets.append((name, text_value, text_goal, verdict))

    # ---- small requests
    w("### Request rates (4 KiB bodies)")
    w("")
    w("| scenario | Cairn ops/s | p50 ms | p99 ms | bare Kestrel ops/s | nginx ops/s | moto_server ops/s | Cairn / Kestrel | Cairn / moto |")
    w("|---|---|---|---|---|---|---|---|---|")
    for name in ["get-4k-c16", "get-4k-c64", "put-4k-c16", "put-4k-c64", "mix-4k-c16", "mix-4k-c64", "head-c16"]:
        cairn = r.get("cairn", name, "opsPerSec")
        kestrel = r.get("kestrel", name, "opsPerSec")
        moto = r.get("moto", name, "opsPerSec")
        w(f"| {name} | {fmt_rate(cairn)} | {fmt_ms(r.get('cairn', name, 'p50Ms'))} | {fmt_ms(r.get('cairn', name, 'p99Ms'))} | "
          f"{fmt_rate(kestrel)} | {fmt_rate(r.get('nginx', name, 'opsPerSec'))} | {fmt_rate(moto)} | "
          f"{fmt_ratio(ratio(cairn, kestrel))} | {fmt_ratio(ratio(cairn, moto))} |")
        if name.startswith("get-4k"):
            target(f"4 KiB GET {name[-3:]} ≥ 50 % of bare Kestrel", ratio(cairn, kestrel), 0.5,
                   fmt_ratio(ratio(cairn, kestrel)), "0.50×")
        if name.startswith("put-4k"):
            target(f"4 KiB PUT {name[-3:]} (durable) ≥ 25 % of bare Kestrel", ratio(cairn, kestrel), 0.25,
                   fmt_ratio(ratio(cairn, kestrel)), "0.25×")
        target(f"{name} ≥ 10 × moto_server", ratio(cairn, moto), 10, fmt_ratio(ratio(cairn, moto)), "10×")
    w("")

    # ---- throughput
    w("### Throughput (large bodies, MB/s = 10⁶ bytes/s)")
    w("")
    w("| scenario | Cairn | bare Kestrel | bare Kestrel + MD5/SHA-256 | nginx | dd (fdatasync / direct) | moto_server | Cairn / reference | Cairn / moto |")
    w("|---|---|---|---|---|---|---|---|---|")
    dd_write = r.get("dd", "write", "bytesPerSec")
    dd_read = r.get("dd", "read", "bytesPerSec")
    put = r.get("cairn", "put-256m", "bytesPerSec")
    get = r.get("cairn", "get-256m", "bytesPerSec")
    mp = r.get("cairn", "multipart-1g", "bytesPerSec")
    k_put = r.get("kestrel", "put-256m", "bytesPerSec")
    k_put_hashed = r.get("kestrel", "put-256m-hashed", "bytesPerSec")
    k_get = r.get("kestrel", "get-256m", "bytesPerSec")
    n_get = r.get("nginx", "get-256m", "bytesPerSec")
    m_put = r.get("moto", "put-256m", "bytesPerSec")
    m_get = r.get("moto", "get-256m", "bytesPerSec")
    m_mp = r.get("moto", "multipart-1g", "bytesPerSec")
    w(f"| 256 MiB PUT | {fmt_mb(put)} | {fmt_mb(k_put)} | {fmt_mb(k_put_hashed)} | – | {fmt_mb(dd_write)} | {fmt_mb(m_put)} | "
      f"{fmt_ratio(ratio(put, k_put))} of Kestrel | {fmt_ratio(ratio(put, m_put))} |")
    w(f"| 256 MiB GET | {fmt_mb(get)} | {fmt_mb(k_get)} | – | {fmt_mb(n_get)} | {fmt_mb(dd_read)} | {fmt_mb(m_get)} | "
      f"{fmt_ratio(ratio(get, n_get))} of nginx | {fmt_ratio(ratio(get, m_get))} |")
    w(f"| 1 GiB multipart, 8 MiB parts, 8 in flight | {fmt_mb(mp)} | – | – | – | {fmt_mb(dd_write)} | {fmt_mb(m_mp)} | "
      f"{fmt_ratio(ratio(mp, dd_write))} of dd write | {fmt_ratio(ratio(mp, m_mp))} |")
    w("")
    target("256 MiB GET ≥ 70 % of nginx", ratio(get, n_get), 0.7, fmt_ratio(ratio(get, n_get)), "0.70×")
    target("256 MiB PUT ≥ 50 % of bare Kestrel receiving and discarding", ratio(put, k_put), 0.5,
           fmt_ratio(ratio(put, k_put)), "0.50×")
    for name, a, b in [("256 MiB PUT", put, m_put), ("256 MiB GET", get, m_get), ("1 GiB multipart", mp, m_mp)]:
        target(f"{name} ≥ 10 × moto_server", ratio(a, b), 10, fmt_ratio(ratio(a, b)), "10×")

    # ---- listing
    w("### Listing")
    w("")
    w("| scenario | Cairn | moto_server | Cairn / moto |")
    w("|---|---|---|---|")
    def list_run(target_name):
        # The label carries the population: "cairn:list-100000".
        for label, run in r.runs.items():
            if label.startswith(f"{target_name}:list-"):
                return run, int(label.rsplit("-", 1)[1])
        return None, None

    list_cairn, lc_keys = list_run("cairn")
    list_moto, lm_keys = list_run("moto")
    lc = list_cairn and list_cairn.get("keysPerSec")
    lm = list_moto and list_moto.get("keysPerSec")
    w(f"| ListObjectsV2, full pass, pages of 1,000 (keys/s; Cairn over {lc_keys or 0:,} keys, moto over {lm_keys or 0:,}) | "
      f"{fmt_rate(lc)} | {fmt_rate(lm)} | {fmt_ratio(ratio(lc, lm))} |")
    delim = {}
    for target_name in ["cairn", "moto"]:
        for label, run in r.runs.items():
            if label.startswith(f"{target_name}:delimiter-"):
                delim[(target_name, int(label.rsplit("-", 1)[1]))] = run
    for (target_name, keys), run in sorted(delim.items()):
        if target_name != "cairn":
            continue
        moto_same = delim.get(("moto", keys))
        w(f"| delimiter listing at the root, {keys:,} keys under 100 prefixes (lists/s, p50 {fmt_ms(run.get('p50Ms'))} ms) | "
          f"{fmt_rate(run.get('opsPerSec'))} | {fmt_rate(moto_same and moto_same.get('opsPerSec'))} | "
          f"{fmt_ratio(ratio(run.get('opsPerSec'), moto_same and moto_same.get('opsPerSec')))} |")
    w("")
    target("LIST ≥ 100,000 keys/s", lc, 100_000, fmt_rate(lc) + " keys/s", "100,000 keys/s")
    cairn_delims = sorted((keys, run) for (t, keys), run in delim.items() if t == "cairn")
    if len(cairn_delims) >= 2:
        (small_keys, small), (big_keys, big) = cairn_delims[0], cairn_delims[-1]
        independence = ratio(big.get("opsPerSec"), small.get("opsPerSec"))
        w(f"Delimiter listing over {big_keys:,} keys runs at {fmt_ratio(independence)} the rate over {small_keys:,} keys "
          "(1.00× would be perfectly independent of the keys under skipped prefixes).")
        w("")
        target(f"delimiter listing: {big_keys:,} keys vs {small_keys:,} (independent of skipped keys, ≥ 0.67×)",
               independence, 0.67, fmt_ratio(independence), "≥ 0.67×")
    target("LIST ≥ 10 × moto_server", ratio(lc, lm), 10, fmt_ratio(ratio(lc, lm)), "10×")

    # ---- memory
    memory = r.runs.get("cairn:memory")
    if memory:
        idle = memory["idleKiB"] / 1024
        peak = memory["peakKiB"] / 1024
        up = r.get("cairn", f"memory-put-{memory['gib']}g", "bytesPerSec")
        down = r.get("cairn", f"memory-get-{memory['gib']}g", "bytesPerSec")
        w("### Memory")
        w("")
        w(f"A fresh Cairn process streamed a single {memory['gib']} GiB PUT ({fmt_mb(up)} MB/s), then a download "
          f"of the same size ({fmt_mb(down)} MB/s): idle RSS {idle:.0f} MiB, peak RSS (VmHWM) **{peak:.0f} MiB**.")
        w("")
        target(f"peak RSS of a {memory['gib']} GiB upload ≤ 300 MiB", peak, 300, f"{peak:.0f} MiB", "300 MiB",
               higher_is_better=False)

    # ---- targets
    w("### Targets")
    w("")
    w("| target | measured | goal | verdict |")
    w("|---|---|---|---|")
    for name, value, goal, verdict in targets:
        w(f"| {name} | {value} | {goal} | {verdict} |")
    w("")
    errors = r.errors()
    if errors:
        w("Runs that reported errors: " + ", ".join(f"{label} ({count})" for label, count in errors))
        w("")

    # ---- micro
    if args.micro and os.path.isdir(args.micro):
        reports = sorted(glob.glob(os.path.join(args.micro, "*-report-github.md")))
        if reports:
            w("### Micro-benchmarks (BenchmarkDotNet)")
            w("")
            for path in reports:
                title = os.path.basename(path).replace("-report-github.md", "").split(".")[-1]
                w(f"#### {title}")
                w("")
                with open(path) as f:
                    lines = f.read().strip().splitlines()
                # The environment block repeats for every class; keep the table only.
                table = [line for line in lines if line.startswith("|")]
                out.extend(table)
                w("")
    return "\n".join(out) + "\n"


def splice(page_path, section_path):
    with open(section_path) as f:
        body = f.read()
    with open(page_path) as f:
        page = f.read()
    block = f"{BEGIN}\n{body}{END}"
    if BEGIN in page and END in page:
        head, rest = page.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        page = head + block + tail
    else:
        page = page.rstrip("\n") + "\n\n" + block + "\n"
    with open(page_path, "w") as f:
        f.write(page)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--results")
    parser.add_argument("--machine")
    parser.add_argument("--micro")
    parser.add_argument("--command", default="bench/run.sh")
    parser.add_argument("--splice")
    parser.add_argument("--section")
    args = parser.parse_args()
    if args.splice:
        splice(args.splice, args.section)
    else:
        sys.stdout.write(section(args))


if __name__ == "__main__":
    main()
