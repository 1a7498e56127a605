#!/usr/bin/env python3
"""Writes scikit-learn's digits as 32 x 32 grey PNG files, one folder per class.

The data: scikit-learn's `load_digits()` (1,797 handwritten digits, 8 x 8 pixels of 0..16),
a copy of the test set of the UCI "Optical Recognition of Handwritten Digits" data
(E. Alpaydin, C. Kaynak, 1998), distributed with scikit-learn under its BSD 3-clause
licence. Each image is upscaled to 32 x 32 by bilinear interpolation (pixel centres
aligned, as an image resampler does) and scaled to 0..255, white digit on black, as in the
original data.

Output, under OUT (default: Examples/DigitsImages/images):
  train/<digit>/<index>.png   every digit except the last 20 (index: its row in load_digits,
                              four digits, zero-padded)
  new/<index>.png             the last 20 digits, without their class: the images the
                              example predicts after deploying (their labels are in
                              new-labels.csv beside them, to check by eye)

The PNG files are written with the standard library only (zlib, one IDAT chunk, filter 0),
so the output is byte-for-byte the same on every machine with the same scikit-learn data.

Run (scikit-learn 1.9.1 in a virtualenv):
  python3 -m venv /tmp/venv && /tmp/venv/bin/pip install scikit-learn==1.9.1
  /tmp/venv/bin/python3 Scripts/reference/make_digits_images.py [OUT]
"""
import os
import struct
import sys
import zlib

import numpy as np
from sklearn.datasets import load_digits

SIZE = 32
NEW = 20


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(pixels: np.ndarray) -> bytes:
    """An 8-bit grey PNG of a 2-D uint8 array."""
    height, width = pixels.shape
    raw = b"".join(b"\x00" + bytes(row) for row in pixels)
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def upscaled(image: np.ndarray) -> np.ndarray:
    """8 x 8 values in 0..16 -> SIZE x SIZE in 0..255, bilinear with aligned pixel centres."""
    source = image.shape[0]
    # The centre of output pixel i maps to (i + 0.5) * source / SIZE - 0.5 in the source.
    positions = (np.arange(SIZE) + 0.5) * source / SIZE - 0.5
    positions = np.clip(positions, 0, source - 1)
    low = np.floor(positions).astype(int)
    high = np.minimum(low + 1, source - 1)
    weight = positions - low
    rows = image[low, :] * (1 - weight)[:, None] + image[high, :] * weight[:, None]
    grid = rows[:, low] * (1 - weight)[None, :] + rows[:, high] * weight[None, :]
    return np.clip(np.rint(grid * 255.0 / 16.0), 0, 255).astype(np.uint8)


def main() -> None:
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join("Examples", "DigitsImages", "images")
    digits = load_digits()
    count = len(digits.target)
    os.makedirs(os.path.join(out, "new"), exist_ok=True)
    labels = ["file,digit"]
    for index in range(count):
        image = upscaled(digits.images[index])
        name = f"{index:04d}.png"
        if index < count - NEW:
            folder = os.path.join(out, "train", str(digits.target[index]))
        else:
            folder = os.path.join(out, "new")
            labels.append(f"{name},{digits.target[index]}")
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, name), "wb") as file:
            file.write(png(image))
    with open(os.path.join(out, "new-labels.csv"), "w") as file:
        file.write("\n".join(labels) + "\n")
    print(f"wrote {count - NEW} training images in 10 class folders and {NEW} new images under {out}")


if __name__ == "__main__":
    main()
