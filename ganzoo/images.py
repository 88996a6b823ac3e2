"""Everything ganzoo draws, as PNG files: image grids, scatter plots of points, pairs of
images, training curves. Written atomically (a temporary name, then a rename)."""

import math
import os

import numpy as np

from ganzoo.files import atomic_path

#: file endings the sample writers take (Pillow picks the format from them)
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp")


def check_image_path(path, option="--out"):
    """Refuse an output path that is a folder or lacks an image ending, before any work."""
    path = os.fspath(path)
    if path.endswith(os.sep) or os.path.isdir(path):
        raise ValueError(f"{option} {path!r} is a folder; give a file name such as "
                         f"{os.path.join(path, 'samples.png')!r}.")
    if not path.lower().endswith(IMAGE_SUFFIXES):
        raise ValueError(f"{option} {path!r} needs an image ending ({', '.join(IMAGE_SUFFIXES)}), "
                         "e.g. grid.png.")


def to_uint8(images):
    """float images in [-1, 1] -> uint8 0-255: floor(x * 127.5 + 128), clipped.

    That is round((x + 1) * 127.5) written as a truncating cast, the form the
    exported graphs use too (a ``round`` op breaks under int8 quantization).
    """
    images = np.asarray(images, np.float32)
    return np.clip(images * np.float32(127.5) + np.float32(128.0), 0.0, 255.0).astype(np.uint8)


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
    with atomic_path(path) as tmp:
        img.save(tmp)
    return path


def save_scatter(points, path, reference=None, title=None):
    """Write 2-D points as a scatter-plot PNG (used for vector data such as the ring)."""
    plt = _pyplot()
    points = np.asarray(points)
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    if reference is not None:
        ref = np.asarray(reference)
        ax.scatter(ref[:, 0], ref[:, 1], s=2, c="0.75", label="data")
    ax.scatter(points[:, 0], points[:, 1], s=2, c="tab:blue", label="generated")
    ax.set_aspect("equal")
    if title:
        ax.set_title(title)
    if reference is not None:
        ax.legend(loc="upper right", markerscale=4)
    return _save_figure(fig, path)


def save_samples(samples, path, ncols=None, scale=2):
    """Images (rank 4) as a grid PNG; 2-D points (rank 2) as a scatter PNG."""
    samples = np.asarray(samples)
    if samples.ndim == 4:
        return save_grid(samples, path, ncols=ncols, scale=scale)
    if samples.ndim == 2 and samples.shape[1] == 2:
        return save_scatter(samples, path)
    raise ValueError(f"Cannot draw samples of shape {samples.shape}: expected images "
                     "(N, H, W, C) or 2-D points (N, 2).")


def save_pairs(top, bottom, path):
    """A two-row PNG: ``top[i]`` above ``bottom[i]``, one column per pair (e.g. generated
    samples above their nearest training images)."""
    return save_grid(np.concatenate([np.asarray(top), np.asarray(bottom)]), path,
                     ncols=len(top), scale=2)


#: keys plotted on the sample-quality panel of :func:`plot_history`
QUALITY_KEYS = ("inception_score", "fid", "kid")


def plot_history(history, path):
    """Plot ``{metric: [value per epoch]}`` to a PNG, one panel each for losses, sample quality
    (IS, FID) and the rest (discriminator outputs, accuracies). ``None`` marks epochs without
    a value."""
    plt = _pyplot()
    def group(key):
        if "loss" in key:
            return "losses"
        if key.startswith(QUALITY_KEYS) and not key.endswith("_std"):
            return "sample quality"
        return None if key.endswith("_std") else "discriminator outputs and other metrics"

    panels = {}
    for key, values in history.items():
        if group(key):
            panels.setdefault(group(key), {})[key] = values
    if not panels:
        return None
    fig, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 3.6), squeeze=False)
    for ax, (title, panel) in zip(axes[0], panels.items()):
        for key, values in panel.items():
            y = np.array([np.nan if v is None else v for v in values], float)
            x = np.arange(1, len(y) + 1)
            keep = ~np.isnan(y)
            ax.plot(x[keep], y[keep], marker="." if keep.sum() < 40 else None, label=key)
        ax.set_xlabel("epoch")
        ax.set_title(title)
        ax.grid(alpha=0.3)
        ax.legend()
    return _save_figure(fig, path)


def _pyplot():
    """matplotlib's pyplot on the file-only Agg backend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save_figure(fig, path):
    """Lay out ``fig``, write it as a PNG atomically and close it; returns ``path``."""
    plt = _pyplot()
    fig.tight_layout()
    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=100)
    finally:
        plt.close(fig)
    return path
