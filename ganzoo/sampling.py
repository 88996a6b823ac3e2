"""Latent-space tools for the noise-to-sample models: the truncation trick, interpolation walks
and class sweeps, as pure functions of NumPy latents (the CLI's ``sample --truncation``,
``sample --class-sweep`` and ``interpolate`` call them through ``GAN.generate``).

Example:

```python
gan = ganzoo.from_preset("dcgan_mnist")
z = gan.latent_numpy(16, seed=0, truncation=0.5)       # ganzoo.sampling.truncated
walk = gan.generate(z=ganzoo.sampling.walk(z[0], z[1], steps=8, spherical=False))
```
"""

import numpy as np


def truncated(z, threshold, distribution="normal", seed=None):
    """The truncation trick (Brock et al. 2019, §3.1): every entry of ``z`` whose magnitude
    exceeds ``threshold`` is drawn again from the prior until none does.

    Args:
        z: (n, d) latents drawn from the prior.
        threshold: ψ > 0; smaller trades variety for typical samples.
        distribution: the prior, ``"normal"`` (N(0, 1)) or ``"uniform"`` (U[-1, 1]).
        seed: seed of the redraws, so equal seeds give equal latents.

    Returns:
        float32 array of ``z``'s shape with every |entry| <= threshold.

    Raises:
        ValueError: ``threshold`` not positive.
    """
    if not threshold or threshold <= 0:
        raise ValueError(f"truncation must be a positive number (e.g. 0.5), got {threshold!r}.")
    rng = np.random.default_rng(seed)
    z = np.array(z, np.float32, copy=True)
    out = np.abs(z) > threshold
    while out.any():
        k = int(out.sum())
        z[out] = rng.standard_normal(k) if distribution == "normal" else rng.uniform(-1, 1, k)
        out = np.abs(z) > threshold
    return z


def slerp(a, b, t):
    """Spherical interpolation between ``a`` and ``b`` at fractions ``t`` (Shoemake 1985; White
    2016, "Sampling Generative Networks", for Gaussian latents, whose mass sits near a sphere:
    a straight line passes through the unlikely middle). Falls back to a straight line when
    the two are (anti)parallel."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    t = np.asarray(t, np.float64)[:, None]
    cos = np.dot(a, b) / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-12)
    omega = np.arccos(np.clip(cos, -1.0, 1.0))
    if np.sin(omega) < 1e-6:
        return ((1 - t) * a + t * b).astype(np.float32)
    return ((np.sin((1 - t) * omega) * a + np.sin(t * omega) * b) / np.sin(omega)).astype(
        np.float32)


def walk(a, b, steps=8, spherical=True):
    """``steps`` latents from ``a`` to ``b`` (both ends included): spherical for Gaussian
    priors, a straight line otherwise (a uniform prior's box)."""
    if steps < 2:
        raise ValueError(f"an interpolation needs at least 2 steps, got {steps}.")
    t = np.linspace(0.0, 1.0, steps)
    if spherical:
        return slerp(a, b, t)
    a, b = np.asarray(a, np.float32), np.asarray(b, np.float32)
    return ((1 - t[:, None]) * a + t[:, None] * b).astype(np.float32)


def walks(ends, steps=8, spherical=True):
    """Rows of walks: ``ends`` holds 2 * rows latents, row r walks from ``ends[2r]`` to
    ``ends[2r + 1]``; returns (rows * steps, d)."""
    ends = np.asarray(ends, np.float32)
    return np.concatenate([walk(ends[2 * r], ends[2 * r + 1], steps, spherical)
                           for r in range(len(ends) // 2)])


def class_sweep(z, num_classes):
    """Each latent of ``z`` once per class: rows are latents, columns classes 0..C-1, so a row
    shows what the class label alone changes. Returns ``(z_repeated, labels)``."""
    z = np.asarray(z, np.float32)
    return (np.repeat(z, num_classes, axis=0),
            np.tile(np.arange(num_classes, dtype=np.int32), len(z)))
