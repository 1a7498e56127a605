#!/usr/bin/env python3
"""Image fixtures for the ImageDecoding tests.

Writes Tests/ImageDecodingTests/Fixtures/:
  good/      PNGs of every colour type (8- and 16-bit, 1- and 4-bit, palette with and
             without tRNS, Adam7-interlaced) and JPEGs (baseline and progressive, grey
             and colour, restart markers);
  bad/       files every decoder must refuse with a typed error: corrupt, truncated,
             zero-byte, not an image, a header claiming 10000x10000 pixels, a text chunk
             claiming 1.6 GB, CMYK JPEG;
  expected.json  what the Swift decoder must return for each: size, channels, bit depth,
             and the samples after its alpha rule (composited on white); for bad files,
             the error case.

PNG expectations come from the arrays the script encoded (exact). 8-bit PNGs are
written with Pillow; 16-bit colour, grey+alpha 16, 1- and 4-bit, colour-keyed and
interlaced PNGs (which Pillow does not write) with the small encoder below, cycling
through the five row filters. Each of those is read back with Pillow as a check.
JPEG expectations are Pillow's own decode of the file (the Swift tests allow a small
tolerance, for libjpeg-turbo version differences).

Run from the repository root with Pillow and numpy in a virtualenv:
  python3 -m venv /tmp/venv-img && /tmp/venv-img/bin/pip install pillow numpy
  /tmp/venv-img/bin/python Scripts/make-image-fixtures.py
"""
import io
import json
import os
import shutil
import struct
import zlib

import numpy as np
import PIL
from PIL import Image

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "ImageDecodingTests", "Fixtures")
rng = np.random.default_rng(20261207)
W, H = 17, 11  # odd sizes: partial Adam7 passes, partial JPEG blocks


# --- A minimal PNG encoder (for what Pillow cannot write) -----------------------------

def chunk(tag, data):
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)


def raw_row(row, bit_depth):
    """One scanline's bytes: row is (width, channels) of ints."""
    flat = row.reshape(-1)
    if bit_depth == 16:
        return flat.astype(">u2").tobytes()
    if bit_depth == 8:
        return flat.astype(np.uint8).tobytes()
    per_byte = 8 // bit_depth
    out = bytearray()
    for start in range(0, len(flat), per_byte):
        byte = 0
        group = list(flat[start:start + per_byte]) + [0] * (per_byte - len(flat[start:start + per_byte]))
        for value in group:
            byte = (byte << bit_depth) | int(value)
        out.append(byte)
    return bytes(out)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def filtered(rows, bpp, first_filter):
    """Filter each scanline with filter types cycling from first_filter."""
    out = bytearray()
    prior = bytes(len(rows[0])) if rows else b""
    for index, line in enumerate(rows):
        kind = (first_filter + index) % 5
        out.append(kind)
        for i, x in enumerate(line):
            a = line[i - bpp] if i >= bpp else 0
            b = prior[i]
            c = prior[i - bpp] if i >= bpp else 0
            predictor = [0, a, b, (a + b) // 2, paeth(a, b, c)][kind]
            out.append((x - predictor) & 0xFF)
        prior = line
    return bytes(out)


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def encode_png(pixels, color_type, bit_depth, interlace=False, palette=None, trns=None, extra_chunks=()):
    """pixels: (h, w, channels) ints (palette indices for colour type 3)."""
    height, width, channels = pixels.shape
    bpp = max(1, channels * bit_depth // 8)
    if interlace:
        data = b""
        for number, (x0, y0, dx, dy) in enumerate(ADAM7):
            sub = pixels[y0::dy, x0::dx]
            if sub.shape[0] and sub.shape[1]:
                data += filtered([raw_row(r, bit_depth) for r in sub], bpp, number)
    else:
        data = filtered([raw_row(r, bit_depth) for r in pixels], bpp, 0)
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, int(interlace)))
    for tag, body in extra_chunks:
        out += chunk(tag, body) if tag != b"tEXt" or not body.startswith(b"badcrc") else chunk(tag, body)[:-4] + b"\0\0\0\0"
    if palette is not None:
        out += chunk(b"PLTE", bytes(np.asarray(palette, dtype=np.uint8).reshape(-1)))
    if trns is not None:
        out += chunk(b"tRNS", trns)
    compressed = zlib.compress(data, 9)
    half = len(compressed) // 2  # two IDAT chunks: the decoder must join them
    out += chunk(b"IDAT", compressed[:half]) + chunk(b"IDAT", compressed[half:])
    return out + chunk(b"IEND", b"")


# --- What the Swift decoder returns --------------------------------------------------

def composite(colour, alpha, maximum):
    """Alpha on white, rounded: (v*a + max*(max-a) + max//2) // max."""
    colour = colour.astype(np.int64)
    alpha = alpha.astype(np.int64)[..., None]
    return (colour * alpha + maximum * (maximum - alpha) + maximum // 2) // maximum


def expected(name, fmt, samples, bit_depth, had_alpha, tolerance=0):
    samples = np.asarray(samples, dtype=np.int64)
    if samples.ndim == 2:
        samples = samples[..., None]
    height, width, channels = samples.shape
    corners = [(0, 0), (width - 1, 0), (0, height - 1), (width - 1, height - 1), (width // 2, height // 2)]
    entry = {
        "file": name, "format": fmt, "width": width, "height": height, "channels": channels,
        "bitDepth": bit_depth, "hadAlpha": had_alpha, "tolerance": tolerance,
        "sum": int(samples.sum()),
        "pixels": [{"x": x, "y": y, "values": [int(v) for v in samples[y, x]]} for x, y in corners],
    }
    if width * height <= 1000:
        entry["samples"] = [int(v) for v in samples.reshape(-1)]
    return entry


def write(relative, data):
    path = os.path.join(ROOT, relative)
    with open(path, "wb") as handle:
        handle.write(data)
    return data


def pillow_bytes(image, fmt, **options):
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def check_with_pillow(data, want):
    """Pillow's decode of a PNG equals `want` (16-bit colour: Pillow keeps the high byte)."""
    image = Image.open(io.BytesIO(data))
    got = np.asarray(image.convert("RGB") if image.mode == "P" else image)
    if got.dtype != want.dtype and want.dtype == np.uint16:
        want = (want >> 8).astype(np.uint8)
    assert np.array_equal(got.reshape(want.shape), want), "Pillow disagrees with the encoder"


def png_fixtures():
    entries = []
    grey8 = rng.integers(0, 256, (H, W), dtype=np.uint8)
    rgb8 = rng.integers(0, 256, (H, W, 3), dtype=np.uint8)
    alpha8 = rng.integers(0, 256, (H, W), dtype=np.uint8)
    alpha8[0, :4] = [0, 255, 1, 128]  # fully transparent, opaque, nearly transparent, half
    grey16 = rng.integers(0, 65536, (H, W), dtype=np.uint16)
    rgb16 = rng.integers(0, 65536, (H, W, 3), dtype=np.uint16)
    alpha16 = rng.integers(0, 65536, (H, W), dtype=np.uint16)
    alpha16[0, :3] = [0, 65535, 32768]

    # Pillow-written, 8-bit (and 16-bit grey).
    write("good/grey8.png", pillow_bytes(Image.fromarray(grey8), "PNG"))
    entries.append(expected("good/grey8.png", "png", grey8, 8, False))
    write("good/grey16.png", pillow_bytes(Image.fromarray(grey16), "PNG"))
    entries.append(expected("good/grey16.png", "png", grey16, 16, False))
    write("good/grey-alpha8.png", pillow_bytes(Image.fromarray(np.dstack([grey8, alpha8])), "PNG"))
    entries.append(expected("good/grey-alpha8.png", "png", composite(grey8[..., None], alpha8, 255), 8, True))
    write("good/rgb8.png", pillow_bytes(Image.fromarray(rgb8), "PNG"))
    entries.append(expected("good/rgb8.png", "png", rgb8, 8, False))
    write("good/rgba8.png", pillow_bytes(Image.fromarray(np.dstack([rgb8, alpha8])), "PNG"))
    entries.append(expected("good/rgba8.png", "png", composite(rgb8, alpha8, 255), 8, True))

    palette = rng.integers(0, 256, (16, 3), dtype=np.uint8)
    indices = rng.integers(0, 16, (H, W), dtype=np.uint8)
    indexed = Image.frombytes("P", (W, H), indices.tobytes())
    indexed.putpalette(palette.reshape(-1).tolist())
    write("good/palette.png", pillow_bytes(indexed, "PNG"))
    entries.append(expected("good/palette.png", "png", palette[indices], 8, False))
    palette_alpha = np.full(16, 255, dtype=np.uint8)
    palette_alpha[:5] = [0, 64, 128, 200, 254]  # tRNS shorter than the palette: the rest opaque
    write("good/palette-trns.png", pillow_bytes(indexed, "PNG", transparency=bytes(palette_alpha[:5])))
    entries.append(expected("good/palette-trns.png", "png", composite(palette[indices], palette_alpha[indices], 255), 8, True))

    # Our encoder: 16-bit colour and grey+alpha, low bit depths, colour key, Adam7.
    def ours(name, pixels, color_type, bit_depth, want, had_alpha, check=True, **options):
        data = write(name, encode_png(pixels, color_type, bit_depth, **options))
        if check:
            check_with_pillow(data, np.asarray(pixels if color_type != 3 else options["palette"][pixels[..., 0]]))
        entries.append(expected(name, "png", want, bit_depth if bit_depth == 16 else 8, had_alpha))

    ours("good/grey-alpha16.png", np.dstack([grey16, alpha16]), 4, 16, composite(grey16[..., None], alpha16, 65535), True, check=False)
    ours("good/rgb16.png", rgb16, 2, 16, rgb16, False)
    ours("good/rgba16.png", np.dstack([rgb16, alpha16]), 6, 16, composite(rgb16, alpha16, 65535), True)
    grey1 = rng.integers(0, 2, (H, W, 1))
    ours("good/grey1.png", grey1, 0, 1, grey1 * 255, False, check=False)
    indices4 = rng.integers(0, 16, (H, W, 1))
    ours("good/palette4.png", indices4, 3, 4, palette[indices4[..., 0]], False, palette=palette)
    key = int(grey8[0, 0])
    keyed_alpha = np.where(grey8 == key, 0, 255)
    ours("good/grey-trns.png", grey8[..., None], 0, 8, composite(grey8[..., None], keyed_alpha, 255), True,
         check=False, trns=struct.pack(">H", key))
    ours("good/interlaced-grey8.png", grey8[..., None], 0, 8, grey8, False, interlace=True)
    ours("good/interlaced-rgb8.png", rgb8, 2, 8, rgb8, False, interlace=True)
    ours("good/interlaced-rgba16.png", np.dstack([rgb16, alpha16]), 6, 16, composite(rgb16, alpha16, 65535), True, interlace=True)
    ours("good/interlaced-palette-trns.png", indices[..., None], 3, 8,
         composite(palette[indices], palette_alpha[indices], 255), True, check=False, interlace=True,
         palette=palette, trns=bytes(palette_alpha[:5]))
    # Ancillary chunks libpng warns about (a tEXt chunk with a wrong CRC) or would (an iCCP
    # chunk whose profile is garbage; the decoder skips it): decoded, nothing printed.
    bogus_profile = b"bogus\x00\x00" + zlib.compress(bytes(range(256)) * 2)
    ours("good/ancillary-warnings.png", rgb8, 2, 8, rgb8, False, check=False,  # Pillow refuses the bad CRC
         extra_chunks=[(b"iCCP", bogus_profile), (b"tEXt", b"badcrc\x00this chunk's CRC is wrong")])
    # A 1x1 image and a one-row wide one.
    ours("good/tiny.png", rgb8[:1, :1], 2, 8, rgb8[:1, :1], False)
    return entries


def smooth_image(width, height, channels):
    """Gradients and rings with a little noise: content JPEG keeps close to the source."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    planes = []
    for c in range(channels):
        ring = 0.5 + 0.5 * np.sin(np.hypot(x - width * (0.3 + 0.2 * c), y - height * 0.5) / (2.5 + c))
        plane = 255 * (0.45 * x / max(width - 1, 1) + 0.35 * ring + 0.2 * y / max(height - 1, 1))
        planes.append(plane + rng.normal(0, 3, plane.shape))
    return np.clip(np.dstack(planes), 0, 255).astype(np.uint8)


def jpeg_fixtures():
    entries = []
    colour = Image.fromarray(smooth_image(33, 21, 3))
    grey = Image.fromarray(smooth_image(33, 21, 1)[..., 0])
    photo = Image.fromarray(smooth_image(320, 240, 3))
    cases = [
        ("good/baseline-rgb.jpg", colour, {"quality": 90}),
        ("good/baseline-rgb-444.jpg", colour, {"quality": 95, "subsampling": 0}),
        ("good/progressive-rgb.jpg", colour, {"quality": 90, "progressive": True}),
        ("good/baseline-grey.jpg", grey, {"quality": 90}),
        ("good/progressive-grey.jpg", grey, {"quality": 90, "progressive": True}),
        ("good/restart-rgb.jpg", colour, {"quality": 90, "restart_marker_blocks": 2}),
        ("good/photo-progressive.jpg", photo, {"quality": 85, "progressive": True}),
    ]
    for name, image, options in cases:
        data = write(name, pillow_bytes(image, "JPEG", **options))
        decoded = np.asarray(Image.open(io.BytesIO(data)))
        entries.append(expected(name, "jpeg", decoded, 8, False, tolerance=2))
    return entries


# --- Files that must be refused ------------------------------------------------------

def png_chunks(data):
    """(offset, tag, length) of each chunk."""
    offset, found = 8, []
    while offset + 8 <= len(data):
        length, tag = struct.unpack(">I4s", data[offset:offset + 8])
        found.append((offset, tag, length))
        offset += 12 + length
    return found


def bad_fixtures():
    entries = []

    def bad(name, data, error, fmt=None):
        write(name, data)
        entries.append({"file": name, "error": error, "format": fmt})

    rgb8 = open(os.path.join(ROOT, "good/rgb8.png"), "rb").read()
    idat = next((o, n) for o, t, n in png_chunks(rgb8) if t == b"IDAT")
    corrupt = bytearray(rgb8)
    middle = idat[0] + 8 + idat[1] // 2
    for i in range(middle, middle + 4):
        corrupt[i] ^= 0x5A
    bad("bad/corrupt-idat.png", bytes(corrupt), "corrupt", "png")
    # The same damage with the chunk's CRC made to match: zlib itself must notice.
    body = bytes(corrupt[idat[0] + 4:idat[0] + 8 + idat[1]])
    corrupt[idat[0] + 8 + idat[1]:idat[0] + 12 + idat[1]] = struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    bad("bad/corrupt-deflate.png", bytes(corrupt), "corrupt", "png")
    bad("bad/truncated.png", rgb8[:len(rgb8) // 2], "truncated", "png")
    bad("bad/signature-only.png", rgb8[:5], "truncated", "png")
    bad("bad/empty.png", b"", "empty")
    bad("bad/empty.jpg", b"", "empty")
    bad("bad/text.png", b"This is not a PNG file, only text with a .png name.\n", "notAnImage")
    zero_width = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 0, 1, 8, 0, 0, 0, 0))
    zero_width += chunk(b"IDAT", zlib.compress(b"\x00")) + chunk(b"IEND", b"")
    bad("bad/zero-width.png", zero_width, "corrupt", "png")
    # A header claiming 10000 x 10000 RGB (300 MB of pixels) over a few bytes of data.
    huge = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 10000, 10000, 8, 2, 0, 0, 0))
    huge += chunk(b"IDAT", zlib.compress(bytes(30001 * 4))) + chunk(b"IEND", b"")
    bad("bad/huge-header.png", huge, "tooLarge", "png")
    # A text chunk claiming 1.6 GB in a 60-byte file (found by the fuzzer: libpng allocated
    # and cleared what the length said before finding the data missing).
    iend = rgb8.index(b"IEND") - 4
    bad("bad/huge-text-chunk.png", rgb8[:iend] + struct.pack(">I", 0x62000001) + b"tEXtComment\x00", "truncated", "png")

    colour = open(os.path.join(ROOT, "good/baseline-rgb.jpg"), "rb").read()
    progressive = open(os.path.join(ROOT, "good/photo-progressive.jpg"), "rb").read()
    bad("bad/truncated.jpg", colour[:len(colour) // 2], "truncated", "jpeg")
    bad("bad/truncated-progressive.jpg", progressive[:len(progressive) // 2], "truncated", "jpeg")
    bad("bad/truncated-header.jpg", colour[:40], "truncated", "jpeg")
    scan = colour.rindex(b"\xff\xda")  # start of scan; its entropy-coded data follows
    middle = (scan + len(colour)) // 2
    bad("bad/corrupt-scan.jpg", colour[:middle] + b"\xff\xc8\x00\x00" + colour[middle + 4:], "corrupt", "jpeg")
    sof = colour.index(b"\xff\xc0")
    zero_height = bytearray(colour)
    zero_height[sof + 5:sof + 7] = b"\x00\x00"
    bad("bad/zero-height.jpg", bytes(zero_height), "corrupt", "jpeg")
    huge_jpeg = bytearray(colour)
    huge_jpeg[sof + 5:sof + 9] = struct.pack(">HH", 10000, 10000)
    bad("bad/huge-header.jpg", bytes(huge_jpeg), "tooLarge", "jpeg")
    cmyk = Image.frombytes("CMYK", (8, 8), rng.integers(0, 256, (8, 8, 4), dtype=np.uint8).tobytes())
    bad("bad/cmyk.jpg", pillow_bytes(cmyk, "JPEG"), "unsupported", "jpeg")
    return entries


def main():
    shutil.rmtree(ROOT, ignore_errors=True)
    os.makedirs(os.path.join(ROOT, "good"))
    os.makedirs(os.path.join(ROOT, "bad"))
    images = png_fixtures() + jpeg_fixtures()
    refused = bad_fixtures()
    with open(os.path.join(ROOT, "expected.json"), "w") as handle:
        json.dump({"pillow": PIL.__version__, "images": images, "bad": refused}, handle, separators=(",", ":"))
        handle.write("\n")
    print(f"{len(images)} images, {len(refused)} bad files in {os.path.normpath(ROOT)}")


if __name__ == "__main__":
    main()
