#!/usr/bin/env python3
"""Turn bench/run's raw measurements into the Markdown tables it prints and records.

raw.tsv: round  scenario  proxy  value  p50_ms  p99_ms  errors  note   ("NA" = no measurement)
rss.tsv: proxy  stage  kB                                              (stage: start, end, idle)
slowloris.tsv: round  proxy  wrk_timeouts_without  wrk_timeouts_with  avg_open  min_open  connects
               closed_by_peer  responses  connect_failed    (the attacker's figures over the measured run)
dns.tsv: round  server  qps  avg_ms  max_ms  sent  completed  lost  not_noerror  response_bytes  cpu_us_per_query
Scenarios "slowloris" and "dns" have their own tables; slowloris's, from raw.tsv's rows "slowloris0" (without the attackers)
and "slowloris1" (with them).
Medians over rounds; errors are summed over rounds; ratios are median / HAProxy's median (DNS: NSD's).
"""
import argparse
import statistics
import sys

SCENARIOS = {
    "keepalive": ("1 keep-alive, tiny", "req/s"),
    "close": ("2 new conn per request", "req/s"),
    "1m": ("3 1 MB responses", "MB/s"),
    "idle": ("4 idle keep-alive conns", "kB/conn"),
    "idleheap": ("4 the same, live Java heap after a full GC", "kB/conn"),
    "startup": ("5 start-up to first 200", "ms"),
    "tls": ("7 TLS keep-alive, tiny (ECDSA P-256)", "req/s"),
    "tls-close": ("8 TLS handshakes, new conn per request (ECDSA P-256)", "req/s"),
    "h2": ("9 HTTP/2 over TLS (ALPN h2), h2load -c64 -m10", "req/s"),
    "h2c": ("10 h2c prior knowledge, h2load -c64 -m10", "req/s"),
    "tcp": ("11 layer 4 (mode tcp), HTTP keep-alive, tiny", "req/s"),
    "tcp-1m": ("12 layer 4 (mode tcp), 1 MB responses", "MB/s"),
    "redis-set": ("13 Redis SET (redis-benchmark, mode tcp)", "req/s"),
    "redis-get": ("13 Redis GET (redis-benchmark, mode tcp)", "req/s"),
    "ws": ("15 WebSocket echo round trips", "msg/s"),
    "ws-hs": ("15 WebSocket handshakes, new conn each", "upgrades/s"),
}


def num(s):
    try:
        return float(s)
    except ValueError:
        return None


def fmt_value(v, unit):
    if v is None:
        return "failed"
    if unit in ("req/s", "msg/s", "upgrades/s"):
        return "%d %s" % (round(v), unit)
    if unit == "MB/s":
        return "%.1f %s" % (v, unit)
    if unit == "kB/conn":
        return "%.2f %s" % (v, unit)
    return "%.0f %s" % (v, unit)


def fmt_ms(v):
    if v is None:
        return "-"
    if v < 1:
        return "%.3f ms" % v
    if v < 10:
        return "%.2f ms" % v
    return "%.1f ms" % v


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def slowloris_table(a, rows, proxies):
    """p99 of the normal clients without and with the attackers, per proxy, and what the attackers saw."""
    per_round = {}
    attack = {}
    raw_rounds = {}
    if a.slowloris:
        try:
            with open(a.slowloris) as f:
                for line in f:
                    parts = line.rstrip("\n").split("\t")
                    if len(parts) == 10:
                        attack.setdefault(parts[1], []).append(parts)
        except FileNotFoundError:
            pass
    with open(a.raw) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 8 and parts[1] in ("slowloris0", "slowloris1"):
                raw_rounds.setdefault((parts[2], parts[0]), {})[parts[1]] = num(parts[5])
    for (proxy, _), d in sorted(raw_rounds.items(), key=lambda kv: (kv[0][0], int(kv[0][1]))):
        if d.get("slowloris0") and d.get("slowloris1") is not None:
            per_round.setdefault(proxy, []).append(d["slowloris1"] / d["slowloris0"])
    out = [
        "Slowloris: %s attacker connections, each trickling a request head one byte every %s s and "
        "reconnecting when the proxy cuts it; normal clients as in scenario 1. p99 and req/s are "
        "medians over rounds. The ratio is p99 with / p99 without in the same round (the two runs follow "
        "each other), the median over rounds, then each round:"
        % (a.slowloris_conns, a.slowloris_interval),
        "",
        "| proxy | p99 without | p99 with | p99 ratio with/without | per round | req/s without / with "
        "| wrk errors without / with (timeouts) | attackers open (avg / min) | attacker connects / cut by proxy | proxy's responses to attackers |",
        "|---|---:|---:|---:|---|---:|---:|---:|---:|---|",
    ]
    for proxy in proxies:
        r0 = rows.get(("slowloris0", proxy))
        r1 = rows.get(("slowloris1", proxy))
        if not r0 or not r1:
            continue
        p0, p1 = median(r0["p99"]), median(r1["p99"])
        v0, v1 = median(r0["v"]), median(r1["v"])
        ratios = per_round.get(proxy, [])
        ratio = "%.2fx" % statistics.median(ratios) if ratios else "-"
        rounds = ", ".join("%.2f" % x for x in ratios) or "-"
        att = attack.get(proxy, [])
        t0 = sum(int(num(x[2]) or 0) for x in att)
        t1 = sum(int(num(x[3]) or 0) for x in att)
        avg_open = median([num(x[4]) for x in att])
        min_open = min([int(num(x[5])) for x in att if num(x[5]) is not None], default=None)
        connects = sum(int(num(x[6]) or 0) for x in att)
        cut = sum(int(num(x[7]) or 0) for x in att)
        statuses = {}
        for x in att:
            for kv in x[8].split(","):
                code, _, n = kv.partition(":")
                if n:
                    statuses[code] = statuses.get(code, 0) + int(n)
        resp = ", ".join("%s x%d" % kv for kv in sorted(statuses.items())) or "none"
        rps = "%s / %s" % ("-" if v0 is None else "%d" % round(v0), "-" if v1 is None else "%d" % round(v1))
        out.append("| %s | %s | %s | %s | %s | %s | %d / %d (%d / %d) | %s / %s | %d / %d | %s |" % (
            proxy, fmt_ms(p0), fmt_ms(p1), ratio, rounds, rps, r0["err"], r1["err"], t0, t1,
            "-" if avg_open is None else "%.0f" % avg_open, "-" if min_open is None else min_open,
            connects, cut, resp))
    return out


def dns_table(a, rows, proxies):
    """Queries per second of each DNS server, against NSD's: scenario 14."""
    per = {}
    if a.dns:
        try:
            with open(a.dns) as f:
                for line in f:
                    parts = line.rstrip("\n").split("\t")
                    if len(parts) == 11:
                        per.setdefault(parts[1], []).append(parts)
        except FileNotFoundError:
            pass
    base = median([num(x[2]) for x in per.get("nsd", [])])
    out = [
        "DNS: dnsperf over UDP, `www.example.test A` (a name backed by a pool of three servers; the same "
        "three A records from NSD's static zone). Medians over rounds; the ratio is against NSD, the "
        "reference here (not HAProxy); lost and not-NOERROR are summed over rounds:",
        "",
        "| server | queries/s | ratio vs NSD | average latency | max latency | lost / sent | not NOERROR "
        "| response bytes | CPU per query |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for proxy in proxies:
        if proxy == "direct":
            continue
        runs = per.get(proxy, [])
        r = rows.get(("dns", proxy))
        if not runs:
            if r and r["notes"]:
                out.append("| %s | not run: %s | - | - | - | - | - | - | - |" % (proxy, "; ".join(r["notes"])))
            continue
        qps = median([num(x[2]) for x in runs])
        ratio = "%.2fx" % (qps / base) if qps is not None and base else "-"
        cpu = median([num(x[10]) for x in runs])
        size = median([num(x[9]) for x in runs])
        failed = ""
        if r and len(runs) < r["n"]:
            failed = " (%d/%d runs failed: %s)" % (r["n"] - len(runs), r["n"], "; ".join(r["notes"]))
        out.append("| %s | %s | %s | %s | %s | %d / %d | %d | %s | %s |" % (
            proxy, "-" if qps is None else "%d%s" % (round(qps), failed), ratio,
            fmt_ms(median([num(x[3]) for x in runs])), fmt_ms(median([num(x[4]) for x in runs])),
            sum(int(num(x[7]) or 0) for x in runs), sum(int(num(x[5]) or 0) for x in runs),
            sum(int(num(x[8]) or 0) for x in runs), "-" if size is None else "%.0f" % size,
            "-" if cpu is None else "%.2f us" % cpu))
    return out


def goals_table(rows, rss, transport):
    """Issue #20's goals, each against this run's figures: met, or the gap (what is missing to meet it)."""
    def med(scen, proxy, key="v"):
        r = rows.get((scen, proxy))
        return median(r[key]) if r else None

    def ratio_goal(scen, goal, label, with_p99=False):
        sb, hap = med(scen, "switchboard"), med(scen, "haproxy")
        if sb is None or not hap:
            return None
        r = sb / hap
        shown = "%.3fx" % r
        # the rounds are interleaved, so each round's pair saw the same machine: their ratios show the
        # spread that the ratio of the medians hides when the machine's load drifts during the run
        pairs = [(x, y) for x, y in zip(rows[(scen, "switchboard")]["v"], rows[(scen, "haproxy")]["v"]) if x and y]
        if len(pairs) > 1:
            shown += " (rounds %s)" % ", ".join("%.2f" % (x / y) for x, y in pairs)
        gaps = [] if r >= goal else ["%.3fx short (%.1f%% more %s needed)" % (
            goal - r, (goal * hap / sb - 1) * 100, "MB/s" if scen == "1m" else "req/s")]
        if with_p99:
            p_sb, p_hap = med(scen, "switchboard", "p99"), med(scen, "haproxy", "p99")
            if p_sb is not None and p_hap is not None:
                shown += ", p99 %s vs %s" % (fmt_ms(p_sb), fmt_ms(p_hap))
                if p_sb > p_hap:
                    gaps.append("p99 %.2f ms over HAProxy's" % (p_sb - p_hap))
        verdict = "missed: " + "; ".join(gaps) if gaps else "met"
        return "| %s | %s | %s | %s |" % (label, "%.2fx" % goal + (" at <= HAProxy's p99" if with_p99 else ""), shown, verdict)

    def at_most(value, goal, unit, label, fmt):
        if value is None:
            return None
        verdict = "met" if value <= goal else "missed: %s %s over" % (fmt % (value - goal), unit)
        return "| %s | <= %s %s | %s %s | %s |" % (label, fmt % goal, unit, fmt % value, unit, verdict)

    epoll = transport == "epoll"
    out = []
    out.append(ratio_goal("keepalive", 1.10 if epoll else 1.15, "keep-alive, tiny (%s)" % (transport or "auto"), with_p99=not epoll))
    out.append(ratio_goal("close", 1.10, "new connection per request"))
    out.append(ratio_goal("1m", 1.20, "1 MB responses"))
    def mb(stage):
        v = median(rss.get(("switchboard", stage), []))
        return None if v is None else v / 1024.0
    out.append(at_most(mb("start"), 64, "MB", "RSS after start", "%.1f"))
    out.append(at_most(mb("end"), 128, "MB", "RSS after the load scenarios", "%.1f"))
    out.append(at_most(med("idleheap", "switchboard"), 1.0, "kB", "live heap per idle client connection", "%.2f"))
    out.append(at_most(med("startup", "switchboard"), 300, "ms", "start to the first proxied 200 (./switchboard run)", "%.0f"))
    out = [x for x in out if x]
    if not out:
        return []
    return ["Goals of issue #20 (performance part 2) against this run's medians; pick() and the 10,000-server",
            "pool are measured by JMH and LargePoolIT, not here:", "",
            "| goal | target | this run | verdict |", "|---|---:|---:|---|"] + out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("raw")
    ap.add_argument("rss")
    ap.add_argument("--scenarios", required=True)
    ap.add_argument("--proxies", required=True, help="display order, comma separated")
    ap.add_argument("--idle-conns", default="10000")
    ap.add_argument("--slowloris", help="slowloris.tsv")
    ap.add_argument("--dns", help="dns.tsv")
    ap.add_argument("--slowloris-conns", default="1000")
    ap.add_argument("--slowloris-interval", default="2")
    ap.add_argument("--transport", default="", help="Switchboard's transport in this run (io_uring, epoll, nio), for the goals")
    a = ap.parse_args()

    rows = {}
    with open(a.raw) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 8:
                continue
            rnd, scen, proxy, value, p50, p99, errors, note = parts[:8]
            r = rows.setdefault((scen, proxy), {"v": [], "p50": [], "p99": [], "err": 0, "notes": [], "n": 0})
            r["n"] += 1
            r["v"].append(num(value))
            r["p50"].append(num(p50))
            r["p99"].append(num(p99))
            r["err"] += int(num(errors) or 0)
            if note and note != "-" and note not in r["notes"]:
                r["notes"].append(note)

    proxies = a.proxies.split(",")
    out = []
    main_scenarios = [s for s in a.scenarios.split(",") if s not in ("slowloris", "dns")]
    if not main_scenarios:
        if "slowloris" in a.scenarios.split(","):
            out.extend(slowloris_table(a, rows, proxies))
        if "dns" in a.scenarios.split(","):
            if out:
                out.append("")
            out.extend(dns_table(a, rows, proxies))
        print("\n".join(out))
        return 0
    out.append("| scenario | proxy | rps (or MB/s, kB/conn, ms) | p50 | p99 | ratio vs HAProxy | errors |")
    out.append("|---|---|---:|---:|---:|---:|---:|")
    scenarios = []
    for scen in main_scenarios:
        if scen == "redis":
            scenarios.extend(["redis-set", "redis-get"])  # one redis-benchmark run, two tests
            continue
        if scen == "ws":
            scenarios.extend(["ws", "ws-hs"])  # echo round trips, then handshakes
            continue
        scenarios.append(scen)
        if scen == "idle" and any(k[0] == "idleheap" for k in rows):
            scenarios.append("idleheap")  # Switchboard only: what its RSS delta cannot see
    for scen in scenarios:
        label, unit = SCENARIOS[scen]
        if scen == "idle":
            label = "4 %s idle keep-alive conns" % a.idle_conns
        base = rows.get((scen, "haproxy"))
        base_v = median(base["v"]) if base else None
        for proxy in proxies:
            r = rows.get((scen, proxy))
            if not r:
                continue
            v = median(r["v"])
            shown = fmt_value(v, unit)
            if v is None and any(n in ("not running", "skipped") for n in r["notes"]):
                shown = "not run"
            ratio = "%.2fx" % (v / base_v) if v is not None and base_v else "-"
            err = str(r["err"])
            measured = sum(1 for x in r["v"] if x is not None)
            if measured < r["n"]:
                err += " (%d/%d runs failed)" % (r["n"] - measured, r["n"])
            if r["notes"]:
                err += " " + "; ".join(r["notes"])
            name = proxy if proxy != "direct" else "direct (no proxy)"
            out.append("| %s | %s | %s | %s | %s | %s | %s |" % (
                label, name, shown, fmt_ms(median(r["p50"])), fmt_ms(median(r["p99"])), ratio, err))

    if "slowloris" in a.scenarios.split(","):
        out.append("")
        out.extend(slowloris_table(a, rows, proxies))
    if "dns" in a.scenarios.split(","):
        out.append("")
        out.extend(dns_table(a, rows, proxies))

    rss = {}
    try:
        with open(a.rss) as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if len(parts) == 3 and num(parts[2]) is not None:
                    rss.setdefault((parts[0], parts[1]), []).append(num(parts[2]))
    except FileNotFoundError:
        pass
    if rss:
        def mb(proxy, stage):
            v = median(rss.get((proxy, stage), []))
            return "-" if v is None else "%.1f MB" % (v / 1024.0)
        out.append("")
        out.append("Resident memory (VmRSS summed over the proxy's processes; median over rounds):")
        out.append("")
        out.append("| proxy | after start | after the load scenarios | with %s idle conns |" % a.idle_conns)
        out.append("|---|---:|---:|---:|")
        for proxy in proxies:
            if proxy == "direct" or not any(k[0] == proxy for k in rss):
                continue
            out.append("| %s | %s | %s | %s |" % (proxy, mb(proxy, "start"), mb(proxy, "end"), mb(proxy, "idle")))
    if "switchboard" in proxies and "haproxy" in proxies:
        goals = goals_table(rows, rss, a.transport)
        if goals:
            out.append("")
            out.extend(goals)
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
