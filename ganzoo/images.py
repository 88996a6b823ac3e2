"""Image grids as PNG files."""

import math
import os

import numpy as np


def to_uint8(images):
    """float images in [-1, 1] -> uint8 0-255 (values outside are clipped)."""
    images = np.asarray(images, np.float32)
    return np.clip(np.rint((images + 1.0) * 127.5), 0, 255).astype(np.uint8)


def make_grid(images, ncols=None, pad=2):
    """Tile NHWC images in [-1, 1] into one uint8 image (rows of ``ncols``, ``pad`` px apart)."""
    images = to_uint8(images)
    n, h, w, c = images.shape
    ncols = ncols or int(math.ceil(math.sqrt(n)))
    nrows = int(math.ceil(n / ncols))
    grid = np.full((nrows * (h + pad) + pad, ncols * (w + pad) + pad, c), 255, np.uint8)
    for i, img in enumerate(images):
        r, q = divmod(i, ncols)
        y, x = pad + r * (h + pad), pad + q * (w + pad)
        grid[y:y + h, x:x + w] = img
    return grid


def save_grid(images, path, ncols=None, scale=1):
    """Write images in [-1, 1] as a PNG grid; ``scale`` enlarges small images (nearest)."""
    from PIL import Image

    grid = make_grid(images, ncols)
    if grid.shape[-1] == 1:
        grid = grid[..., 0]
    img = Image.fromarray(grid)
    if scale > 1:
        img = img.resize((img.width * scale, img.height * scale), Image.NEAREST)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    img.save(path)
    return path
