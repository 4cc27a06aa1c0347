#!/usr/bin/env python3
"""Medians over the rounds of one bench/run.sh run, the ratios to the ceilings, bench/results/latest.json
and the table. Standard library only."""
import argparse
import datetime
import glob
import json
import os
import platform
import re
import statistics


def median_tree(values):
    """The median of every numeric leaf of a list of JSON objects with the same shape (lists are skipped;
    strings and booleans come from the first round)."""
    first = values[0]
    if isinstance(first, bool) or isinstance(first, str) or first is None:
        return first
    if isinstance(first, (int, float)):
        nums = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
        return statistics.median(nums) if nums else None
    if isinstance(first, dict):
        out = {}
        for key in first:
            if isinstance(first[key], list):
                continue
            present = [v[key] for v in values if isinstance(v, dict) and key in v]
            out[key] = median_tree(present)
        return out
    return None


def get(tree, path, default=None):
    for part in path.split("."):
        if not isinstance(tree, dict) or part not in tree:
            return default
        tree = tree[part]
    return tree


def machine(load_before, load_after):
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            m = re.search(r"^model name\s*:\s*(.+)$", f.read(), re.M)
            model = m.group(1).strip() if m else model
    except OSError:
        pass
    mem_kib = 0
    try:
        with open("/proc/meminfo") as f:
            mem_kib = int(re.search(r"^MemTotal:\s*(\d+)", f.read(), re.M).group(1))
    except (OSError, AttributeError):
        pass
    cores = os.cpu_count() or 1
    before_1m = float(load_before.split()[0]) if load_before else 0.0
    return {
        "nproc": cores,
        "cpu_model": model,
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "load_average_before": load_before,
        "load_average_after": load_after,
        # Other work on the machine (a 1-minute load above half the cores) makes every figure suspect.
        "loaded": before_1m > cores * 0.5,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds-dir", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--profile", default="dev")
    ap.add_argument("--gateway", default="")
    ap.add_argument("--commit", default="")
    ap.add_argument("--load-before", default="")
    ap.add_argument("--load-after", default="")
    ap.add_argument("--quick", default="0")
    args = ap.parse_args()

    rounds = {}
    for path in sorted(glob.glob(os.path.join(args.rounds_dir, "*-*.json"))):
        name = os.path.basename(path).rsplit("-", 1)[0]
        try:
            with open(path) as f:
                rounds.setdefault(name, []).append(json.load(f))
        except (OSError, ValueError) as e:
            rounds.setdefault(name, []).append({"available": False, "reason": f"unreadable result: {e}"})

    results = {}
    for name, runs in rounds.items():
        ok = [r for r in runs if r.get("available")]
        skipped = [r for r in ok if r.get("skipped_concurrent")]
        if name == "s3" and skipped and len(skipped) < len(ok):
            # Rounds that ran the 100 readers and rounds that could not are not the same measurement: the
            # headline comes from the former, and the latter are counted.
            ok = [r for r in ok if not r.get("skipped_concurrent")]
        if not ok:
            results[name] = {"available": False, "reason": runs[0].get("reason", "unknown"), "rounds": len(runs)}
            continue
        med = median_tree(ok)
        med["available"] = True
        med["rounds"] = len(ok)
        med["rounds_unavailable"] = len(runs) - len(ok)
        med["per_round"] = ok
        if name == "s3":
            med["rounds_concurrent_skipped"] = len(skipped) if len(skipped) < len([r for r in runs if r.get("available")]) else len(ok)
        results[name] = med

    ceilings_names = ["hello", "argon2", "pgbench", "redis", "mongo"]
    # File names are hello, argon2, pgbench, redis, mongo; the JSON calls the last two redis_get, mongo_insert.
    ceilings = {n: results.pop(n) for n in ceilings_names if n in results}
    scenarios = results

    def c(name, path):
        return get(ceilings.get(name, {}), path) if get(ceilings.get(name, {}), "available") else None

    def ratio(ours, ceiling):
        return round(ours / ceiling, 3) if ours is not None and ceiling else None

    ceiling_of = {
        "s1": [("http_hello_best_rate", c("hello", "best_rate")), ("ferretdb_insert_per_s", c("mongo", "inserts_per_s")),
               ("pg_insert_tps", c("pgbench", "tps"))],
        "s3": [("http_hello_closed_loop", c("hello", "closed_loop.achieved_rate"))],
        "s4": [("argon2id_verify_per_s", c("argon2", "verifies_per_s"))],
        "s5": [("http_hello_best_rate", c("hello", "best_rate")), ("redis_get_per_s", c("redis", "get_per_s"))],
    }
    headline = {"s1": "best_rate", "s3": "achieved_rate", "s4": "achieved_rate", "s5": "best_rate"}
    for name, s in scenarios.items():
        if not s.get("available") or name not in ceiling_of:
            continue
        ours = get(s, headline[name])
        s["ratios"] = {k: ratio(ours, v) for k, v in ceiling_of[name]}

    doc = {
        "generated_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "commit": args.commit,
        "profile": args.profile,
        "gateway": args.gateway,
        "quick": args.quick == "1",
        "machine": machine(args.load_before, args.load_after),
        "ceilings": ceilings,
        "scenarios": scenarios,
    }
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")
    print_table(doc)


def fmt(v, digits=1):
    if v is None:
        return "-"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and digits <= 1 else f"{v:.{digits}f}"
    return str(v)


def print_table(doc):
    m = doc["machine"]
    print(f"machine: {m['nproc']} x {m['cpu_model']}, {m['memory_gib']} GiB; load {m['load_average_before']}"
          + ("  (MACHINE WAS LOADED: figures are not representative)" if m["loaded"] else ""))
    print(f"commit {doc['commit']}, profile {doc['profile']}, medians of the rounds")
    rows = [("what", "ours (median)", "ceiling / ratio", "p50 ms", "p99 ms", "p99.9 ms", "errors / notes")]
    ce = doc["ceilings"]

    def lat(tree):
        return [fmt(get(tree, f"{p}"), 2) for p in ("p50", "p99", "p99_9")] if tree else ["-"] * 3

    for name, label, path, latpath in [
        ("hello", "HTTP hello, highest rate p99<=50ms", "best_rate", "best.latency_ms"),
        ("hello", "HTTP hello, closed loop req/s", "closed_loop.achieved_rate", "closed_loop.latency_ms"),
        ("argon2", "argon2id verify/s, all cores", "verifies_per_s", None),
        ("pgbench", "PostgreSQL 1-row INSERT tps", "tps", None),
        ("redis", "Redis GET/s", "get_per_s", "latency_ms"),
        ("mongo", "FerretDB insert_one/s", "inserts_per_s", None),
    ]:
        t = ce.get(name, {})
        if not t.get("available"):
            rows.append((label, "not available", "", "", "", "", t.get("reason", "not run")[:60]))
            continue
        note = ""
        if name == "argon2":
            note = (f"{fmt(t.get('cpu_ms_per_verify'))} ms CPU each; all cores idle: "
                    f"{fmt(t.get('idle_cores_projection_per_s'))}/s")
        elif name == "pgbench":
            note = f"fsync {t.get('fsync', '?')}, synchronous_commit {t.get('synchronous_commit', '?')}"
        rows.append((label, fmt(get(t, path)), "(ceiling)", *lat(get(t, latpath) if latpath else None), note))
    labels = {"s1": "S1 send msg/s (p99<=50ms, 0 err)", "s2": "S2 delivery latency @ offered rate",
              "s3": "S3 history pages/s (100 readers)", "s4": "S4 login/s", "s5": "S5 profile req/s (p99<=10ms)",
              "s6": "S6 idle sockets: gateway bytes/conn"}
    for name in ["s1", "s2", "s3", "s4", "s5", "s6"]:
        s = doc["scenarios"].get(name)
        if s is None:
            continue
        if not s.get("available"):
            rows.append((labels[name], "not available", "", "", "", "", s.get("reason", "")[:70]))
            continue
        ratios = s.get("ratios", {})
        ratio_text = ", ".join(f"{k} {fmt(v, 3)}" for k, v in ratios.items() if v is not None)
        if name in ("s1", "s5"):
            rows.append((labels[name], fmt(s.get("best_rate")), ratio_text, *lat(get(s, "best.latency_ms")),
                         fmt(get(s, "best.error_total"))))
        elif name == "s3":
            first = s.get("first_read", {})
            notes = f"N={fmt(s.get('history_messages'))}; first read {fmt(first.get('status'))} in {fmt(first.get('ms'))} ms"
            if s.get("skipped_concurrent"):
                notes += "; 100 readers not run (one alone fails)"
            else:
                notes += f"; errors {fmt(s.get('error_total'))}"
                if s.get("rounds_concurrent_skipped"):
                    notes += f"; {s['rounds_concurrent_skipped']} round(s) cold, skipped"
            rows.append((labels[name], fmt(s.get("achieved_rate")), ratio_text, *lat(s.get("latency_ms")), notes))
        elif name == "s4":
            rows.append((labels[name], fmt(s.get("achieved_rate")), ratio_text, *lat(s.get("latency_ms")),
                         fmt(s.get("error_total"))))
        elif name == "s2":
            notes = (f"lost {fmt(s.get('lost'))}, dup {fmt(s.get('duplicated'))}, "
                     f"out-of-order {fmt(s.get('out_of_order'))}")
            rows.append((labels[name], fmt(s.get("offered_rate")), "", *lat(s.get("latency_ms")), notes))
        elif name == "s6":
            g = s.get("gateway", {})
            notes = (f"{fmt(s.get('sockets_connected'))} sockets, idle CPU {fmt(g.get('cpu_idle_percent'))} %, "
                     f"RSS {fmt(g.get('rss_before_kib'))} -> {fmt(g.get('rss_connected_kib'))} KiB")
            rows.append((labels[name], fmt(g.get("rss_per_connection_bytes")), "", *lat(s.get("connect_latency_ms")),
                         notes))
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    for i, r in enumerate(rows):
        print(" | ".join(str(v).ljust(widths[k]) for k, v in enumerate(r)))
        if i == 0:
            print("-+-".join("-" * w for w in widths))


if __name__ == "__main__":
    main()
