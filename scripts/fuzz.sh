#!/usr/bin/env bash
# Fuzzes darts' input parsers with cargo-fuzz (libFuzzer), one target after another.
#
# Usage: scripts/fuzz.sh [TARGET] [RUNS]
#   TARGET  genotype_text, genotype_json, config, csv, npy, npz, or `all` (the default)
#   RUNS    executions per target (default 1000000); 0 only runs the seeds once
#
# Environment:
#   FUZZ_SANITIZER  cargo-fuzz's --sanitizer: `address` (the default) or `none`, which builds
#                   and runs faster but only catches panics and aborts, not memory errors
#   FUZZ_ARGS       more libFuzzer flags, such as `-max_total_time=600` or `-jobs=2`
#
# The targets (fuzz/fuzz_targets/, with bodies in tests/support/fuzz_inputs.rs) must never
# panic: an input the parser refuses is fine, a panic or a crash is a bug. Each target fuzzes
# a scratch corpus, fuzz/target/corpus/<target>, which starts as a copy of the committed seeds
# in fuzz/corpus/<target>/ and keeps what runs add, so the seeds in git stay few and small
# (delete the scratch folder to start over). A crashing input lands in
# fuzz/artifacts/<target>/; reproduce it with
#   RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir fuzz TARGET fuzz/artifacts/TARGET/crash-...
# and, once fixed, keep it as fuzz/corpus/<target>/seed-<what it was> so that
# tests/fuzz_corpus.rs checks it in every ordinary test run.
#
# cargo-fuzz passes nightly-only flags to rustc; RUSTC_BOOTSTRAP=1 lets the stable compiler
# take them. cargo-fuzz is installed with `cargo install` when missing.
set -euo pipefail

TARGETS=(genotype_text genotype_json config csv npy npz)

target="${1:-all}"
runs="${2:-1000000}"
sanitizer="${FUZZ_SANITIZER:-address}"

say() { echo "fuzz.sh: $*" >&2; }

if [[ "$target" == all ]]; then
    selected=("${TARGETS[@]}")
elif [[ " ${TARGETS[*]} " == *" $target "* ]]; then
    selected=("$target")
else
    say "unknown target \`$target\`; use one of ${TARGETS[*]} or all"
    exit 2
fi
if [[ ! "$runs" =~ ^[0-9]+$ ]]; then
    say "RUNS must be a number of executions, not \`$runs\`"
    exit 2
fi

cd "$(dirname "$0")/.."
eval "$(scripts/libtorch.sh)"
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
    say "installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi

# Built once up front, so that the times below are fuzzing alone. The default build mode is
# optimised with debug assertions and overflow checks on, so that an arithmetic overflow is
# found too. The targets link libtorch; fuzz/build.rs gives them an rpath to it.
cargo fuzz build --fuzz-dir fuzz --sanitizer "$sanitizer"

summary=()
for name in "${selected[@]}"; do
    corpus="fuzz/target/corpus/$name"
    mkdir -p "$corpus"
    cp -n fuzz/corpus/"$name"/seed-* "$corpus"/

    log="fuzz/target/$name.log"
    say "$name: $runs runs (log in $log)"
    start=$(date +%s)
    # libtorch alone takes some 250 MB and the address sanitizer doubles what it touches, so
    # libFuzzer's default 2 GB memory limit is raised; one allocation over the limit still
    # counts as a crash, which is what a file claiming a huge array must not cause.
    # shellcheck disable=SC2086 # FUZZ_ARGS is a list of flags
    if ! cargo fuzz run --fuzz-dir fuzz --sanitizer "$sanitizer" "$name" "$corpus" -- \
        -runs="$runs" -rss_limit_mb=4096 -print_final_stats=1 ${FUZZ_ARGS:-} \
        >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        say "$name FAILED after $(($(date +%s) - start)) s; the input is in fuzz/artifacts/$name/"
        exit 1
    fi
    seconds=$(($(date +%s) - start))
    done_line=$(grep -E '^Done [0-9]+ runs' "$log" | tail -n 1)
    rate=$(grep -oE 'average_exec_per_sec: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -n 1)
    summary+=("$name: ${done_line:-no Done line, see $log}, ${rate:-?} exec/s, ${seconds} s wall")
    say "${summary[-1]}"
done

say "summary:"
printf '  %s\n' "${summary[@]}" >&2
