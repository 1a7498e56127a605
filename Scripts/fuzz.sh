#!/usr/bin/env bash
# Fuzzes the CSV reader, the spec parser or the image decoders with libFuzzer (Swift's
# -sanitize=fuzzer, Linux).
#
#   Scripts/fuzz.sh csv    [seconds]  # CSV.read(bytes:) — default 600 s
#   Scripts/fuzz.sh spec   [seconds]  # PipelineSpec.parse(_:format:…), JSON and YAML
#   Scripts/fuzz.sh images [seconds]  # ImageDecoder.decode(data:name:limits:), PNG and JPEG
#   Scripts/fuzz.sh csv    FILE...    # re-run saved inputs (a crash, a corpus file) once
#
# Builds the Fuzz/ package in release with the fuzzer instrumentation (for the images
# harness, the C wrappers of CImageCodecs too, and AddressSanitizer), then runs the
# harness from the committed seeds (Fuzz/Corpus/CSV, Fuzz/Corpus/Spec, or the image test
# fixtures Tests/ImageDecodingTests/Fixtures/good), with the dictionary Fuzz/<target>.dict,
# plus the inputs found by earlier runs (Fuzz/Artifacts/<target>/corpus). Crashes, hangs
# (> 2 s for one input) and out-of-memory inputs are written to Fuzz/Artifacts/<target>/
# (git-ignored); the script exits non-zero when libFuzzer finds one. Extra libFuzzer flags
# go in FUZZ_FLAGS (e.g. FUZZ_FLAGS="-jobs=2 -workers=2"), the build's job count in
# FUZZ_JOBS, another build folder than Fuzz/.build in FUZZ_SCRATCH.
set -euo pipefail
cd "$(dirname "$0")/.."

target=${1:-}
sanitizers=()
max_len=4096
case "$target" in
    csv)  product=FuzzCSV;  seeds=Fuzz/Corpus/CSV ;;
    spec) product=FuzzSpec; seeds=Fuzz/Corpus/Spec ;;
    images)
        product=FuzzImages; seeds=Tests/ImageDecodingTests/Fixtures/good; max_len=16384
        # Coverage from the C wrappers too; and libpng and libjpeg write into buffers those
        # wrappers size, so AddressSanitizer watches them.
        sanitizers=(-Xcc -fsanitize=fuzzer-no-link -Xswiftc -sanitize=address -Xcc -fsanitize=address) ;;
    *) echo "usage: $0 csv|spec|images [seconds | FILE...]" >&2; exit 2 ;;
esac
shift

if [[ "$(uname -s)" != Linux ]]; then
    echo "error: libFuzzer through swiftc -sanitize=fuzzer needs a Linux toolchain" >&2
    exit 2
fi

scratch=(--scratch-path "${FUZZ_SCRATCH:-Fuzz/.build}")
swift build --package-path Fuzz "${scratch[@]}" -c release --product "$product" ${FUZZ_JOBS:+-j "$FUZZ_JOBS"} \
    -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library "${sanitizers[@]}"
binary="$(swift build --package-path Fuzz "${scratch[@]}" -c release --show-bin-path)/$product"

artifacts=Fuzz/Artifacts/$target
mkdir -p "$artifacts/corpus"
# libFuzzer prints its own stack on a crash; Swift's backtracer would get in its way.
export SWIFT_BACKTRACE=enable=no

if [[ $# -gt 0 && ! "$1" =~ ^[0-9]+$ ]]; then
    exec "$binary" -timeout=2 -rss_limit_mb=2048 "$@"
fi

seconds=${1:-600}
dictionary=()
[[ -f Fuzz/$target.dict ]] && dictionary=(-dict="Fuzz/$target.dict")
# The first directory receives new inputs; the committed seeds are only read.
# shellcheck disable=SC2086
exec "$binary" "$artifacts/corpus" "$seeds" \
    -max_total_time="$seconds" -max_len="$max_len" -timeout=2 -rss_limit_mb=2048 \
    -artifact_prefix="$artifacts/" -print_final_stats=1 "${dictionary[@]}" ${FUZZ_FLAGS:-}
