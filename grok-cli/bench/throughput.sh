#!/usr/bin/env bash
# End-to-end throughput of the grok-cli binary, against `cat` as the floor.
#
# Generates apache and auth-log (secure) corpora with the shared generator,
# builds the release binary, and times, best of RUNS runs each:
#   cat FILE > /dev/null                              (floor: reading the file)
#   grok-cli -p COMBINEDAPACHELOG apache.log > /dev/null  --threads 1 and 2
#   grok-cli -p SSHLINE secure.log > /dev/null           --threads 1 and 2
#   grok-core's extract on the same lines, in memory, no output (the
#   library's `throughput` example): what the CLI's JSON output costs
# Each grok-cli run's match count (from --stats) is checked first, so a run
# that silently stopped matching measures nothing and fails the script.
# Prints a markdown table: lines/s, MB/s, slowdown vs the floor, and the
# 2-thread / 1-thread scaling.
#
# Usage: grok-cli/bench/throughput.sh [--lines N] [--runs R] [--out DIR]
# Run from anywhere; paths are relative to the workspace root.

set -euo pipefail

lines=1000000
runs=3
out=/tmp/grok-cli-bench
while [[ $# -gt 0 ]]; do
    case "$1" in
        --lines) lines=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "throughput.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
gen=../shared/bench/gen_corpus.py
bin=target/release/grok-cli

mkdir -p "$out"
for kind in apache secure; do
    file=$out/$kind.log
    if [[ ! -f $file || $(wc -l < "$file") -ne $lines ]]; then
        python3 "$gen" --lines "$lines" --out "$out" --only "$kind" >&2
    fi
done
cargo build --release -p grok-cli >&2
cargo build --release -p grok-core --example throughput >&2
core=target/release/examples/throughput

now() { date +%s.%N; }

# best_of CMD…: the fastest wall time of $runs runs, in seconds.
best_of() {
    local best="" start end t
    for _ in $(seq "$runs"); do
        start=$(now)
        "$@" > /dev/null
        end=$(now)
        t=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.4f", e - s }')
        if [[ -z $best ]] || awk -v t="$t" -v b="$best" 'BEGIN { exit !(t < b) }'; then
            best=$t
        fi
    done
    echo "$best"
}

# matched FILE ARGS…: the number of lines grok-cli matches.
matched() {
    local file=$1; shift
    "$bin" "$@" --stats "$file" 2>&1 >/dev/null | awk '/^matched:/ { print $2 }'
}

# nproc may be capped for this process; report what the machine offers.
echo "grok-cli throughput: $lines lines per corpus, best of $runs, $(nproc) cores, $(date -u +%Y-%m-%d)" >&2

declare -A floor
rows=()
row() { rows+=("$1"); }
notes=()

for kind in apache secure; do
    file=$out/$kind.log
    bytes=$(stat -c %s "$file")
    t=$(best_of cat "$file")
    floor[$kind]=$t
    row "$(awk -v n="$lines" -v b="$bytes" -v t="$t" -v k="$kind" \
        'BEGIN { printf "| cat %s.log > /dev/null (floor) | - | - | %.3f | %.2fM | %.0f | 1.0x | |", k, t, n / t / 1e6, b / t / 1e6 }')"
    case $kind in
        apache) pattern=COMBINEDAPACHELOG ;;
        secure) pattern=SSHLINE ;;
    esac
    m=$(matched "$file" -p "$pattern" --threads 1)
    if [[ -z $m || $m -eq 0 ]]; then
        echo "throughput.sh: $pattern matched nothing in $file" >&2
        exit 1
    fi
    t1=""
    for threads in 1 2; do
        m2=$(matched "$file" -p "$pattern" --threads "$threads")
        if [[ $m2 != "$m" ]]; then
            echo "throughput.sh: --threads $threads matched $m2 lines, --threads 1 matched $m" >&2
            exit 1
        fi
        t=$(best_of "$bin" -p "$pattern" --threads "$threads" "$file")
        [[ $threads == 1 ]] && t1=$t
        row "$(awk -v n="$lines" -v b="$bytes" -v t="$t" -v f="${floor[$kind]}" -v t1="$t1" \
            -v p="$pattern" -v k="$kind" -v j="$threads" -v m="$m" \
            'BEGIN { printf "| grok-cli -p %s %s.log → JSON | %d | %d | %.3f | %.2fM | %.0f | %.1fx | %s |",
                     p, k, j, m, t, n / t / 1e6, b / t / 1e6, t / f, (j == 1 ? "" : sprintf("%.2fx", t1 / t)) }')"
    done
    # The library alone (best of its own three passes over the lines).
    out_core=$("$core" "%{$pattern}" "$file")
    mc=$(awk '{ print $3 }' <<< "$out_core")
    if [[ $mc != "$m" ]]; then
        echo "throughput.sh: grok-core matched $mc lines, grok-cli $m" >&2
        exit 1
    fi
    rate=$(sed -E 's/.* ([0-9.]+)M lines\/s.*/\1/' <<< "$out_core")
    tc=$(awk -v n="$lines" -v r="$rate" 'BEGIN { printf "%.4f", n / (r * 1e6) }')
    row "$(awk -v n="$lines" -v b="$bytes" -v t="$tc" -v f="${floor[$kind]}" -v p="$pattern" -v m="$m" \
        'BEGIN { printf "| grok-core extract %%{%s}, in memory, no output | 1 | %d | %.3f | %.2fM | %.0f | %.1fx | |",
                 p, m, t, n / t / 1e6, b / t / 1e6, t / f }')"
    notes+=("$(awk -v t1="$t1" -v tc="$tc" -v p="$pattern" \
        'BEGIN { printf "- %s: grok-cli on one thread, writing JSON, runs at %.2f of the library'"'"'s extract speed", p, tc / t1 }')")
done

echo "| command | threads | matched | seconds | lines/s | MB/s | time vs floor | 2T/1T |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
echo
printf '%s\n' "${notes[@]}"
