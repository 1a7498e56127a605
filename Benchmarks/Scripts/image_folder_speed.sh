#!/usr/bin/env bash
# Times ImageFolder.read on 10,000 small PNGs (issue 17, item 2: at least 5,000 images/s
# end to end: listing, reading, hashing, decoding, resizing and building the table).
#
# In one run it:
#   1. writes 10 class folders × 1,000 PNGs of 32×32 RGB pixels (8-bit, zlib-compressed, a
#      gradient with noise, about 2.5 KB each) into $IMAGE_FOLDER_SPEED_DATA
#      (default /tmp/image-folder-speed), once: with Python's zlib, no Pillow needed;
#   2. builds the release executable image-folder-timer (Benchmarks/Sources/ImageFolderTimer);
#   3. prints `uptime` (the load the figure was taken under), then times --runs reads of
#      the folder into 32×32 RGB features (3,072 pixel columns) on every core, the first
#      with the page cache as step 1 left it;
#   4. prints PASS or FAIL for the target on the median run.
#
# Run from the repository root:
#   Benchmarks/Scripts/image_folder_speed.sh [image-folder-timer options]
# e.g. `--threads 1`, `--color grey`, `--size 28x28`, `--runs 5`. Environment:
#   IMAGE_FOLDER_SPEED_DATA  where the images are (written when missing)
#   SCRATCH_PATH             the build folder (default Benchmarks/.build)
#   JOBS                     build jobs (`swift build -j`), e.g. 1 on a shared machine
# Exits 0 when the target is met, 1 otherwise.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
package=$(dirname "$here")
data=${IMAGE_FOLDER_SPEED_DATA:-/tmp/image-folder-speed}
scratch=${SCRATCH_PATH:-$package/.build}
target=5000

if [ ! -f "$data/.complete" ]; then
    echo "writing 10,000 PNGs into $data …" >&2
    rm -rf "$data"
    python3 - "$data" <<'PYTHON'
import os, random, struct, sys, zlib

root = sys.argv[1]
random.seed(20261207)

def chunk(tag, body):
    return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body) & 0xFFFFFFFF)

def png(width, height, rows):
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    raw = b"".join(b"\x00" + bytes(row) for row in rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6))
            + chunk(b"IEND", b""))

for label in range(10):
    folder = os.path.join(root, f"class{label}")
    os.makedirs(folder)
    for index in range(1000):
        base = [random.randrange(256) for _ in range(3)]
        rows = []
        for y in range(32):
            row = []
            for x in range(32):
                for channel in range(3):
                    row.append((base[channel] + 4 * x + 3 * y * (channel + 1) + random.randrange(16)) % 256)
            rows.append(row)
        with open(os.path.join(folder, f"{index:04d}.png"), "wb") as file:
            file.write(png(32, 32, rows))
open(os.path.join(root, ".complete"), "w").close()
PYTHON
fi
echo "images: $(find "$data" -name '*.png' | wc -l) files, $(du -sh "$data" | cut -f1)" >&2

swift build -c release --package-path "$package" --scratch-path "$scratch" --product image-folder-timer \
    ${JOBS:+-j "$JOBS"} >&2
echo "uptime: $(uptime)"
output=$("$scratch/release/image-folder-timer" "$data" "$@")
echo "$output"
median=$(echo "$output" | sed -n 's/.*median_images_per_s=\([0-9]*\).*/\1/p')
if [ "${median:-0}" -ge "$target" ]; then
    echo "PASS: median $median images/s >= $target"
else
    echo "FAIL: median ${median:-?} images/s < $target"
    exit 1
fi
