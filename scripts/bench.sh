#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Benchmarks teemed: builds Release, runs teemed-bench, counts instructions
# under callgrind, and regenerates the plots of docs/benchmarks.md.
#
# Usage: scripts/bench.sh [--quick] [--no-deps]
#   BENCH_BUILD  build directory   (default: <repo>/build-bench)
#   BENCH_OUT    results directory (default: <repo>/out/bench)
#   BENCH_PLOTS  where the SVGs go (default: <repo>/docs)
#   BENCH_REPS   repetitions per figure (default: teemed-bench's own)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BENCH_BUILD:-$top/build-bench}
out=${BENCH_OUT:-$top/out/bench}
plots=${BENCH_PLOTS:-$top/docs}
quick=""
deps=1
for arg in "$@"; do
	case $arg in
	--quick) quick=--quick ;;
	--no-deps) deps=0 ;;
	*) echo "usage: $0 [--quick] [--no-deps]" >&2; exit 1 ;;
	esac
done

[ $deps -eq 0 ] || "$top/scripts/deps.sh" gnuplot-nox valgrind
# -O2, as hypervisors build (CMake's Release default is -O3).
cmake -S "$top" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
	-DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" >/dev/null
cmake --build "$build" --target teemed-bench
bench=$build/bench/teemed-bench
mkdir -p "$out" "$plots"

echo "== teemed-bench $quick" >&2
"$bench" --json --data-dir "$out" $quick ${BENCH_REPS:+--reps "$BENCH_REPS"} \
	>"$out/results.json"

# Instructions per operation: two runs with different counts, collecting
# only inside the core's entry point, differenced so that setup cancels.
# "core" leaves out the sim platform's callbacks (sp_*: pins, maps, locks,
# and the secure world behind the SMC), i.e. what the mediator itself runs.
# The platform's callbacks are named <prefix>_*: sp_ (the simulator's,
# sim/sim_platform.c) or rp_ (the reference platform, bench/lean.c).
cg_run() { # name root op count held [prefix] -> prints "total platform pin+unpin smc"
	local f="$out/cg.$1.$4.$5"
	local pre=${6:-sp}
	local roots=() r
	# Several roots, comma-separated: all are counted.
	for r in ${2//,/ }; do roots+=("--toggle-collect=$r"); done
	valgrind --tool=callgrind --collect-atstart=no "${roots[@]}" \
		--callgrind-out-file="$f" "$bench" --callgrind-op "$3" \
		--count "$4" --held "$5" >/dev/null 2>&1
	callgrind_annotate --inclusive=yes --threshold=100 "$f" | awk -v p="$pre" '
		/PROGRAM TOTALS/ { gsub(",", "", $1); total = $1 }
		$0 ~ ":" p "_[a-z_]+ \\[" { gsub(",", "", $1); plat += $1 }
		$0 ~ ":" p "_(pin|unpin) \\[" { pin += $1 }
		$0 ~ ":" p "_smc \\[" { smc += $1 }
		END { printf "%d %d %d %d\n", total, plat, pin, smc }'
}

# name root op n1 n2 held [platform prefix]
cg_measure() {
	local a b
	echo "  callgrind: $1" >&2
	read -r at ap aq as < <(cg_run "$1" "$2" "$3" "$4" "$6" "${7:-sp}")
	read -r bt bp bq bs < <(cg_run "$1" "$2" "$3" "$5" "$6" "${7:-sp}")
	# whole: all but the secure world behind the SMC (sp_smc).
	awk -v n="$1" -v at="$at" -v ap="$ap" -v bt="$bt" -v bp="$bp" \
		-v aq="$aq" -v bq="$bq" -v as="$as" -v bs="$bs" \
		-v d="$(($5 - $4))" 'BEGIN {
		printf "  \"cg_%s_total\": %.1f,\n", n, (bt - at) / d
		printf "  \"cg_%s_whole\": %.1f,\n", n, ((bt - bs) - (at - as)) / d
		printf "  \"cg_%s_core\": %.1f,\n", n, ((bt - bp) - (at - ap)) / d
		printf "  \"cg_%s_pin\": %.1f,\n", n, (bq - aq) / d
	}'
}

echo "== callgrind" >&2
if [ -n "$quick" ]; then s=1; else s=4; fi
{
	echo "{"
	cg_measure invoke teemed_vm_smc invoke $((50 * s)) $((150 * s)) 0
	cg_measure regd teemed_vm_smc regd $((50 * s)) $((150 * s)) 0
	cg_measure notif teemed_notif_irq,teemed_vm_smc notif $((50 * s)) $((150 * s)) 0
	cg_measure translate_page teemed_buf_translate translate 1024 $((4096 * s)) 0
	cg_measure openclose teemed_vm_smc openclose $((20 * s)) $((60 * s)) 0
	cg_measure tmem16 teemed_vm_smc tmem16 $((20 * s)) $((60 * s)) 0
	# The same over the reference platform (bench/lean.c): the whole
	# figures to set beside Xen's.
	cg_measure invoke_ref teemed_vm_smc invoke-ref $((50 * s)) $((150 * s)) 0 rp
	cg_measure openclose_ref teemed_vm_smc openclose-ref $((20 * s)) $((60 * s)) 0 rp
	cg_measure tmem16_ref teemed_vm_smc tmem16-ref $((20 * s)) $((60 * s)) 0 rp
	# Per page of one buffer, REGISTER and UNREGISTER, both halves.
	cg_measure regpage teemed_vm_smc regpages 1024 4096 0
	# The same for buffers made compact once registered, PAs in the record
	# (up to 505 pages; past it one more allocation per buffer).
	cg_measure regpage_compact teemed_vm_smc regpages 16 505 0
	# Both over the reference platform: "whole" beside a hypervisor's
	# pin and unpin.
	cg_measure regpage_ref teemed_vm_smc regpages-ref 1024 4096 0 rp
	cg_measure regpage_compact_ref teemed_vm_smc regpages-ref 16 505 0 rp
	cg_measure register_0 teemed_vm_smc register $((20 * s)) $((60 * s)) 0
	cg_measure register_1 teemed_vm_smc register $((20 * s)) $((60 * s)) 1
	cg_measure register_16 teemed_vm_smc register $((20 * s)) $((60 * s)) 16
	cg_measure register_64 teemed_vm_smc register $((20 * s)) $((60 * s)) 64
	cg_measure register_10000 teemed_vm_smc register $((20 * s)) $((60 * s)) 10000
	cg_measure rmem_1 teemed_vm_smc rmem $((50 * s)) $((150 * s)) 1
	cg_measure rmem_10000 teemed_vm_smc rmem $((50 * s)) $((150 * s)) 10000
	echo "  \"cg_done\": 1"
	echo "}"
} >"$out/callgrind.json"
# Where the instructions go, per operation: exclusive cost of every
# function, differenced between the two runs like the totals.
fprof() {
	callgrind_annotate --threshold=100 "$1" | awk '
		/^ *[0-9,]+ \(/ && !/PROGRAM TOTALS/ {
			c = $1; gsub(",", "", c); f = $0
			sub(/^ *[0-9,]+ +\([ 0-9.%]+\) +/, "", f)
			sub(/ \[.*$/, "", f); sub(/^.*:/, "", f)
			print f "\t" c }'
}
cg_profile() { # file1 file2 ops-between -> per-op instructions by function
	awk -F'\t' -v d="$3" 'NR == FNR { a[$1] = $2; next }
		{ v = ($2 - a[$1]) / d; if (v >= 0.5) printf "%10.1f  %s\n", v, $1 }' \
		<(fprof "$1") <(fprof "$2") | sort -rn | head -30
}
cg_profile "$out/cg.invoke.$((50 * s)).0" "$out/cg.invoke.$((150 * s)).0" \
	$((100 * s)) >"$out/profile-invoke.txt"
cg_profile "$out/cg.register_1.$((20 * s)).1" "$out/cg.register_1.$((60 * s)).1" \
	$((40 * s)) >"$out/profile-register.txt"
cg_profile "$out/cg.translate_page.1024.0" "$out/cg.translate_page.$((4096 * s)).0" \
	$((4096 * s - 1024)) >"$out/profile-translate.txt"
rm -f "$out"/cg.*.*.*
num() { sed -n "s/^ *\"$1\": *\([-0-9.e+]*\).*/\1/p" "$out/callgrind.json"; }
{
	awk -v a="$(num cg_register_0_core)" -v b="$(num cg_register_16_core)" \
		-v c="$(num cg_register_64_core)" -v e="$(num cg_register_10000_core)" \
		'BEGIN { printf "register+unregister per buffer held, core: 0-16 %.2f, 16-64 %.2f, 64-10000 %.3f instructions\n", (b - a) / 16, (c - b) / 48, (e - c) / 9936 }'
	awk -v t="$(num cg_regpage_total)" -v c="$(num cg_regpage_core)" \
		-v p="$(num cg_regpage_pin)" \
		'BEGIN { printf "register+unregister per page: whole %.1f, platform pin+unpin %.1f, mediator beside them %.1f (core alone %.1f); target: whole <= pin+unpin+2+30 = %.1f\n", t, p, t - p, c, p + 32 }'
	awk -v t="$(num cg_regpage_compact_total)" -v c="$(num cg_regpage_compact_core)" \
		-v p="$(num cg_regpage_compact_pin)" \
		'BEGIN { printf "register+unregister per page, 16-505 pages (compact): whole %.1f, platform pin+unpin %.1f, mediator beside them %.1f (core alone %.1f)\n", t, p, t - p, c }'
	for r in regpage_ref regpage_compact_ref; do
		awk -v n="$r" -v t="$(num cg_${r}_total)" -v c="$(num cg_${r}_core)" \
			-v p="$(num cg_${r}_pin)" \
			'BEGIN { printf "%s: register+unregister per page over the reference platform: whole %.1f, pin+unpin %.1f, mediator beside them %.1f (core alone %.1f); target: whole <= pin+unpin+2+30 = %.1f\n", n, t, p, t - p, c, p + 32 }'
	done
} >"$out/callgrind-slope.txt"

echo "== plots" >&2
gnuplot <<GP
set terminal svg size 720,440 dynamic enhanced font "sans,12"
set key top left
set grid
set logscale x 2
set output "$plots/bench-translate.svg"
set title "Translation rate vs list size (median, min-max bars)"
set xlabel "pages in the NONCONTIG list"
set ylabel "million pages per second"
set xrange [0.7:24000]
set yrange [0:*]
plot "$out/translate.dat" using 1:(\$5/1e6):(\$6/1e6):(\$7/1e6) \
	with yerrorlines lw 2 title "baseline: pin + entry + 8-byte store", \
     "" using 1:(\$2/1e6):(\$3/1e6):(\$4/1e6) \
	with yerrorlines lw 2 title "teemed buf\\\\_translate"
set output "$plots/bench-scaling.svg"
set title "REGISTER+UNREGISTER+RMEM INVOKE vs buffers held (median, min-max)"
set xlabel "registered buffers already held by the VM"
set ylabel "microseconds per operation mix"
set logscale x 10
set logscale y 10
set xrange [0.7:15000]
set yrange [*:*]
plot "$out/scaling.dat" using 1:(\$2/1e3):(\$3/1e3):(\$4/1e3) \
	with yerrorlines lw 2 title "teemed (AVL cookie tree)", \
     "" using 1:(\$5/1e3):(\$6/1e3):(\$7/1e3) \
	with yerrorlines lw 2 title "naive twin (list walk, as Xen)"
GP
# The plots are committed files too: give them their licence line.
for svg in "$plots/bench-translate.svg" "$plots/bench-scaling.svg"; do
	sed -i '1a <!-- SPDX-License-Identifier: BSD-2-Clause -->' "$svg"
done
echo "results: $out/results.json $out/callgrind.json; plots: $plots/bench-*.svg" >&2
cat "$out/callgrind-slope.txt" >&2
