#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""tessera-bench-photos.py: the decode rows' 12-megapixel photos, drawn here, the same on every run

    /usr/bin/python3 bench/tessera-bench-photos.py OUTDIR

Writes PHOTOS JPEGs to OUTDIR, named after how each is encoded (e.g. 3-baseline-420.jpg), and
prints one line a file: its name, its size in bytes and its pixel size. Debian's python3-numpy
and python3-pil (`BENCH_PACKAGES` in the Makefile); run-bench.py itself keeps to the standard
library and runs this as a child.

What makes a JPEG slow to decode is its coded data: the more nonzero DCT coefficients, the
longer libjpeg spends in entropy decoding, whatever size it decodes to. A camera photo at
quality 90 is 3 to 6 MB at 12 megapixels, most of it fine detail and sensor noise. Smooth
gradients code to a tenth of that, so these are drawn as a photo is made:

- the scene: a "dead leaves" picture (overlapping opaque discs, as many at each scale: the
  edges and the 1/f spectrum of natural images), each leaf a colour from nature and a texture
  of its own strength (foliage, gravel, bark; or smooth paint), most with sky above a horizon;
- light: a broad illumination field and the lens's vignetting;
- the lens: a slight blur, so that edges are not aliased;
- the sensor: Gaussian noise, stronger in luma than in chroma, as a camera's JPEG keeps it.

Every random number comes from numpy's PCG64 seeded with the photo's number, so the pictures
are the same on every run (the bytes may differ between CPUs only where floating point does).

The mix (as phones and cameras write them): baseline 4:2:0 with the standard Huffman tables
and an Exif block saying upright; one progressive (optimised tables, as libjpeg always makes
them for progressive); one 4:4:4; and one portrait photo stored sideways with Exif orientation
6 (turn 90° clockwise to show), its sky on the stored picture's left.
"""

import os
import sys

import numpy as np
from PIL import Image

WIDTH, HEIGHT = 4000, 3000  # 12 megapixels, 4:3 as most camera sensors
QUALITY = 90
EXIF_ORIENTATION = 0x0112
# How each photo is stored: (name, progressive, chroma subsampling as PIL counts it (0 = 4:4:4,
# 2 = 4:2:0), Exif orientation, whether it has sky).
PHOTOS = (
    ("baseline-420", False, 2, 1, True),
    ("baseline-420", False, 2, 1, True),
    ("baseline-420", False, 2, 1, False),
    ("baseline-420", False, 2, 1, True),
    ("baseline-420", False, 2, 1, True),
    ("progressive-420", True, 2, 1, False),
    ("baseline-444", False, 0, 1, True),
    ("baseline-420-orientation-6", False, 2, 6, True),
)

# Leaves: radii from LEAF_MIN_PX to LEAF_MAX_PX with density 1/r³ (as many leaves at every
# scale), enough of them to cover the ground several times over.
LEAF_MIN_PX, LEAF_MAX_PX = 5, 1200
LEAVES = 30000
# How far outlines are bent, and the grid the bending field is drawn on (then repeated).
WARP_PX, WARP_STEP_PX = 12.0, 4
# Colours of the ground's leaves, as sRGB 0–1: foliage and grass (most), soil, bark, stone,
# a roof and a wall.
PALETTE = np.array([
    (0.20, 0.30, 0.13), (0.30, 0.40, 0.18), (0.40, 0.46, 0.24), (0.13, 0.19, 0.09),
    (0.24, 0.34, 0.16), (0.35, 0.37, 0.22), (0.42, 0.35, 0.25), (0.30, 0.24, 0.18),
    (0.52, 0.46, 0.37), (0.55, 0.54, 0.50), (0.38, 0.38, 0.37), (0.62, 0.36, 0.28),
    (0.70, 0.66, 0.58),
], dtype=np.float32)
SKY_TOP, SKY_HORIZON = np.array((0.30, 0.50, 0.85)), np.array((0.80, 0.86, 0.95))
# Sensor noise after the camera's processing, in 8-bit levels.
NOISE_LUMA, NOISE_CHROMA = 2.6, 1.0


def spectral_noise(rng, h, w, beta):
    """Zero-mean noise of standard deviation 1 with an amplitude spectrum of 1/f^beta."""
    spectrum = np.fft.rfft2(rng.standard_normal((h, w), dtype=np.float32))
    fy = np.fft.fftfreq(h).astype(np.float32)[:, None]
    fx = np.fft.rfftfreq(w).astype(np.float32)[None, :]
    f = np.sqrt(fx * fx + fy * fy)
    f[0, 0] = 1.0
    spectrum *= f ** -beta
    spectrum[0, 0] = 0.0
    field = np.fft.irfft2(spectrum, s=(h, w)).astype(np.float32)
    return field / field.std()


def leaf_radii(rng, n):
    """Radii with density 1/r³ between the two limits (inverse of its distribution)."""
    lo, hi = LEAF_MIN_PX ** -2.0, LEAF_MAX_PX ** -2.0
    return (lo - rng.random(n) * (lo - hi)) ** -0.5


def dead_leaves(rng, h, w):
    """Which leaf covers each pixel, the leaves painted back to front (the last one is on top)."""
    labels = np.zeros((h, w), dtype=np.int32)
    radii = leaf_radii(rng, LEAVES)
    cx, cy = rng.random(LEAVES) * w, rng.random(LEAVES) * h
    for i in range(LEAVES):
        r = radii[i]
        x0, x1 = max(0, int(cx[i] - r)), min(w, int(cx[i] + r) + 1)
        y0, y1 = max(0, int(cy[i] - r)), min(h, int(cy[i] + r) + 1)
        if x0 >= x1 or y0 >= y1:
            continue
        dx = (np.arange(x0, x1, dtype=np.float32) - cx[i])[None, :]
        dy = (np.arange(y0, y1, dtype=np.float32) - cy[i])[:, None]
        labels[y0:y1, x0:x1][dx * dx + dy * dy <= r * r] = i + 1
    return warp(rng, labels)


def warp(rng, labels):
    """Bends the discs' outlines into blobs: each pixel takes the leaf a smooth random field away."""
    h, w = labels.shape
    step = WARP_STEP_PX
    shifts = [np.repeat(np.repeat(spectral_noise(rng, -(-h // step), -(-w // step), 1.5), step, axis=0), step,
                        axis=1)[:h, :w] * WARP_PX for _ in range(2)]
    rows = np.clip(np.arange(h)[:, None] + shifts[0].astype(np.int32), 0, h - 1)
    columns = np.clip(np.arange(w)[None, :] + shifts[1].astype(np.int32), 0, w - 1)
    return labels[rows, columns]


def blur(image):
    """The lens: a [1 2 1] / 4 filter along each axis."""
    out = image.copy()
    out[1:-1] = (image[:-2] + 2 * image[1:-1] + image[2:]) * 0.25
    image = out.copy()
    out[:, 1:-1] = (image[:, :-2] + 2 * image[:, 1:-1] + image[:, 2:]) * 0.25
    return out


def ground(rng, h, w):
    """The leaves, each a palette colour varied a little and a texture of its own strength."""
    n = LEAVES + 1
    colours = PALETTE[rng.integers(0, len(PALETTE), n)] * rng.uniform(0.7, 1.3, (n, 1)).astype(np.float32)
    # Most leaves are textured, some strongly (foliage, gravel), a few smooth.
    gains = (rng.random(n) ** 1.5 * 0.9).astype(np.float32)
    labels = dead_leaves(rng, h, w)
    texture = spectral_noise(rng, h, w, 0.6)
    image = colours[labels] * (1.0 + gains[labels] * texture)[..., None]
    return blur(image)


def sky(rng, h, w):
    """A gradient from the top down to a wavy horizon, and the mask of where it shows."""
    horizon = h * rng.uniform(0.25, 0.45) + h * 0.05 * spectral_noise(rng, 1, w, 1.5)[0]
    rows = np.arange(h, dtype=np.float32)[:, None]
    t = np.clip(rows / max(horizon.max(), 1.0), 0.0, 1.0)[..., None]
    gradient = (SKY_TOP * (1 - t) + SKY_HORIZON * t).astype(np.float32)
    return np.broadcast_to(gradient, (h, w, 3)), (rows < horizon[None, :])[..., None]


def light(rng, h, w):
    """A broad illumination field times the lens's vignetting."""
    field = 1.0 + 0.15 * spectral_noise(rng, h // 8, w // 8, 2.0)
    field = np.repeat(np.repeat(field, 8, axis=0), 8, axis=1)[:h, :w]
    y = (np.arange(h, dtype=np.float32)[:, None] - h / 2) / (h / 2)
    x = (np.arange(w, dtype=np.float32)[None, :] - w / 2) / (w / 2)
    return (field * (1.0 - 0.12 * (x * x + y * y)))[..., None]


def sensor_noise(rng, h, w):
    """What the sensor adds, in 8-bit levels: grey (luma) noise plus weaker colour noise."""
    luma = rng.standard_normal((h, w, 1), dtype=np.float32) * NOISE_LUMA
    return luma + rng.standard_normal((h, w, 3), dtype=np.float32) * NOISE_CHROMA


def draw(seed, h, w, with_sky):
    """The scene of photo @seed, @w × @h, as 8-bit sRGB."""
    rng = np.random.default_rng(seed)
    image = ground(rng, h, w)
    if with_sky:
        sky_image, sky_mask = sky(rng, h, w)
        image = np.where(sky_mask, sky_image, image)
    image = image * light(rng, h, w) * 255.0 + sensor_noise(rng, h, w)
    return np.clip(image + 0.5, 0, 255).astype(np.uint8)


def save(pixels, path, progressive, subsampling, orientation):
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = orientation
    Image.fromarray(pixels, "RGB").save(path, "JPEG", quality=QUALITY, subsampling=subsampling,
                                        progressive=progressive, exif=exif.tobytes())


def main():
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} OUTDIR")
    folder = sys.argv[1]
    os.makedirs(folder, exist_ok=True)
    for seed, (name, progressive, subsampling, orientation, with_sky) in enumerate(PHOTOS):
        if orientation == 6:
            # A portrait scene, stored as the sensor saw it: turned a quarter to the left.
            pixels = np.ascontiguousarray(np.rot90(draw(seed, WIDTH, HEIGHT, with_sky)))
        else:
            pixels = draw(seed, HEIGHT, WIDTH, with_sky)
        path = os.path.join(folder, f"{seed}-{name}.jpg")
        save(pixels, path, progressive, subsampling, orientation)
        print(f"{os.path.basename(path)} {os.path.getsize(path)} {pixels.shape[1]}x{pixels.shape[0]}", flush=True)


if __name__ == "__main__":
    main()
