# Shared bits of the shell benchmarks: timing and medians.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PARA=${PARA:-$ROOT/build/para}
RUNS=${RUNS:-7}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

median() { # numbers on stdin
	sort -n | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'
}

report() { # label baseline-times para-times
	local b p
	b=$(tr ' ' '\n' <<<"$2" | grep . | median)
	p=$(tr ' ' '\n' <<<"$3" | grep . | median)
	awk -v l="$1" -v b="$b" -v p="$p" -v n="$RUNS" \
		'BEGIN { printf "%s: baseline %.0f ms, para %.0f ms, ratio %.3f (median of %d)\n", l, b, p, p / b, n }'
}

spread() { # numbers on stdin: "min–max"
	sort -n | awk 'NR == 1 {lo = $1} {hi = $1} END {printf "%s–%s", lo, hi}'
}

report_spread() { # label baseline-times para-times: medians, min–max, ratio
	local b p
	b=$(tr ' ' '\n' <<<"$2" | grep . | median)
	p=$(tr ' ' '\n' <<<"$3" | grep . | median)
	awk -v l="$1" -v b="$b" -v p="$p" -v n="$RUNS" -v bs="$(tr ' ' '\n' <<<"$2" | grep . | spread)" \
		-v ps="$(tr ' ' '\n' <<<"$3" | grep . | spread)" \
		'BEGIN { printf "%s: baseline %.0f ms (%s), para %.0f ms (%s), ratio %.3f (median of %d)\n", l, b, bs, p, ps, p / b, n }'
}
