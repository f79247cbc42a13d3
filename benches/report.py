#!/usr/bin/env python3
"""Turns the last criterion run of the `throughput` bench into a Markdown table.

Usage (from the repository root, after `cargo bench -p grok-benches --bench throughput`):

    python3 benches/report.py [--criterion target/criterion] [--corpus benches/corpus-small]

For each workload × implementation: lines/s and MB/s (10^6 bytes of line text,
terminators not counted, as `Throughput::Bytes` counts them) from criterion's
median time per pass, and the ratios against the `grok` crate's PCRE2 and onig
backends measured in the same run. Set --corpus to the directory the bench read
(GROK_BENCH_CORPUS) so lines are counted from the same files.
"""
import argparse
import json
import os

# Workload (criterion group) -> corpus file, as in benches/src/workload.rs.
WORKLOADS = [
    ("apache", "apache.log", "%{COMBINEDAPACHELOG} on apache lines"),
    ("syslog", "syslog.log", "%{SYSLOGLINE} on syslog lines"),
    ("sshd", "secure.log", "sshd list, 7 expressions, first match wins"),
    ("nomatch", "syslog.log", "%{COMBINEDAPACHELOG} on syslog lines (no line matches)"),
    ("fallthrough50", "apache.log", "49 failing expressions, then %{COMBINEDAPACHELOG}"),
]


ORDER = [
    "grok-core/extract",
    "grok+pcre2/extract",
    "grok+onig/extract",
    "regex-hand/extract",
    "grok-core/is_match",
    "regex-hand/is_match",
    "dfa-hybrid-anchored/is_match",
    "dfa-dense-anchored/is_match",
    "dfa-hybrid-unanchored/is_match",
]


def rank(name):
    return ORDER.index(name) if name in ORDER else len(ORDER)


def load(criterion, group):
    out = {}
    gdir = os.path.join(criterion, group)
    if not os.path.isdir(gdir):
        return out
    for entry in sorted(os.listdir(gdir)):
        bench = os.path.join(gdir, entry, "new", "benchmark.json")
        est = os.path.join(gdir, entry, "new", "estimates.json")
        if not (os.path.exists(bench) and os.path.exists(est)):
            continue
        with open(bench) as f:
            meta = json.load(f)
        with open(est) as f:
            estimates = json.load(f)
        out[meta["function_id"]] = (estimates["median"]["point_estimate"], meta.get("throughput") or {})
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--criterion", default="target/criterion")
    ap.add_argument("--corpus", default=os.path.join(os.path.dirname(__file__), "corpus-small"))
    a = ap.parse_args()
    print("| workload | implementation | lines/s | MB/s | vs grok+pcre2 | vs grok+onig |")
    print("|---|---|---:|---:|---:|---:|")
    notes = []
    for group, corpus, title in WORKLOADS:
        results = load(a.criterion, group)
        if not results:
            continue
        with open(os.path.join(a.corpus, corpus)) as f:
            lines = sum(1 for _ in f)
        per_sec = {name: 1e9 / ns for name, (ns, _) in results.items()}
        pcre2 = per_sec.get("grok+pcre2/extract")
        onig = per_sec.get("grok+onig/extract")
        first = True
        for name, (ns, thr) in sorted(results.items(), key=lambda kv: rank(kv[0])):
            rate = per_sec[name]
            mb = thr.get("Bytes", 0) * rate / 1e6
            r1 = "%.2f×" % (rate / pcre2) if pcre2 else "–"
            r2 = "%.2f×" % (rate / onig) if onig else "–"
            label = "**%s**" % group if first else ""
            first = False
            print("| %s | %s | %.3fM | %.0f | %s | %s |" % (label, name, rate * lines / 1e6, mb, r1, r2))
        extract = per_sec.get("grok-core/extract")
        dfa = per_sec.get("dfa-hybrid-anchored/is_match") or per_sec.get("dfa-hybrid-unanchored/is_match")
        if extract and dfa:
            notes.append("%s (%s): grok-core extract runs at %.2f of the DFA's yes/no speed (DFA %.1f× faster)"
                         % (group, title, extract / dfa, dfa / extract))
    print()
    for n in notes:
        print("- " + n)


if __name__ == "__main__":
    main()
