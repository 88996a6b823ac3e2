"""The 8-Gaussian ring: the standard 2-D toy for mode collapse, and how to score it.

Used by Unrolled GAN (Metz et al. 2017), VEEGAN (Srivastava et al. 2017) and
PacGAN (Lin et al. 2018): a mixture of ``modes`` Gaussians with standard
deviation ``std`` whose means are evenly spaced on a circle of ``radius``.
"""

import numpy as np

RADIUS = 2.0
STD = 0.02  # VEEGAN's ring: radius 2, std 0.02


def ring_centers(modes=8, radius=RADIUS):
    """The (modes, 2) mode means, evenly spaced on the circle."""
    angles = 2 * np.pi * np.arange(modes) / modes
    return (radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)).astype(np.float32)


def ring_data(n, modes=8, radius=RADIUS, std=STD, seed=None, return_labels=False):
    """``n`` points from the ring mixture, float32 (n, 2), modes equally likely.

    With ``return_labels=True`` also returns each point's mode index (int32),
    which a conditional model can use as its class.
    """
    rng = np.random.default_rng(seed)
    centers = ring_centers(modes, radius)
    which = rng.integers(0, modes, n)
    points = (centers[which] + rng.normal(0.0, std, (n, 2))).astype(np.float32)
    return (points, which.astype(np.int32)) if return_labels else points


def mode_coverage(samples, modes=8, radius=RADIUS, std=STD, min_count=None):
    """Score samples against the ring: modes covered and sample quality.

    A sample is *high quality* when it lies within 3 std of its nearest mode
    mean; a mode is *covered* when at least ``min_count`` high-quality samples
    fall on it (PacGAN's criterion: 20 of 2,500, i.e. 0.8 % of the samples,
    which is the default).

    Returns:
        dict with ``modes_covered``, ``high_quality`` (fraction of samples) and
        ``per_mode`` (high-quality count per mode).
    """
    samples = np.asarray(samples, np.float64)
    centers = ring_centers(modes, radius)
    dist = np.linalg.norm(samples[:, None, :] - centers[None], axis=-1)
    nearest, d = dist.argmin(1), dist.min(1)
    good = d <= 3 * std
    per_mode = np.bincount(nearest[good], minlength=modes)
    if min_count is None:
        min_count = max(1, int(round(0.008 * len(samples))))
    return {"modes_covered": int((per_mode >= min_count).sum()),
            "high_quality": float(good.mean()),
            "per_mode": per_mode.tolist()}
