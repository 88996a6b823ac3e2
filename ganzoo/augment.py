"""DiffAugment (Zhao, Liu, Lin, Zhu & Han 2020, "Differentiable Augmentation for Data-Efficient
GAN Training", NeurIPS 2020, arXiv:2006.10738): augmentations applied to *every* image D sees,
real and generated, in both the D and the G update, written with differentiable operations so
that G's gradient passes through them.

Each operation takes a batch of NHWC images in [-1, 1] and ``uniform``, a function returning
U[0, 1) draws of a given shape (the model passes its seeded, per-replica stream; the default is
``tf.random.uniform``), and returns a batch of the same shape. The ranges are the paper's
(its released ``DiffAugment_tf.py``):

| operation | what each image gets |
| --- | --- |
| ``brightness`` | + b, b ~ U[-0.5, 0.5) |
| ``saturation`` | (x - mean over channels) * s + mean, s ~ U[0, 2) |
| ``contrast`` | (x - mean over the image) * c + mean, c ~ U[0.5, 1.5) |
| ``translation`` | shifted by up to 1/8 of its size in each direction, zeros (grey) fill in |
| ``cutout`` | a square of half its size, at a random centre, set to 0 |

A policy is a comma-separated list of names; ``color`` is brightness, saturation and contrast,
in that order (the paper's three). Translation and cutout keep every value inside the input's
range (they move pixels or write 0); the colour operations can leave [-1, 1], as in the paper.

Example:

```python
aug = ganzoo.augment.policy_fn("color,translation,cutout")
x_aug = aug(images)            # same shape; differentiable in images
```
"""

import tensorflow as tf


def _uniform(shape):
    return tf.random.uniform(shape)


def _draw(uniform, x):
    """One U[0, 1) value per image of ``x``, broadcastable against it, in ``x``'s dtype."""
    return tf.cast(uniform([tf.shape(x)[0], 1, 1, 1]), x.dtype)


def brightness(x, uniform=_uniform):
    """x + b per image, b ~ U[-0.5, 0.5)."""
    return x + (_draw(uniform, x) - 0.5)


def saturation(x, uniform=_uniform):
    """Scale each pixel's deviation from its channel mean by s ~ U[0, 2) per image."""
    mean = tf.reduce_mean(x, axis=3, keepdims=True)
    return (x - mean) * (_draw(uniform, x) * 2.0) + mean


def contrast(x, uniform=_uniform):
    """Scale the deviation from the image's mean by c ~ U[0.5, 1.5) per image."""
    mean = tf.reduce_mean(x, axis=[1, 2, 3], keepdims=True)
    return (x - mean) * (_draw(uniform, x) + 0.5) + mean


def _shift_indices(size, shift):
    """Source index of each output position after shifting by ``shift`` (per image), with
    ``size`` meaning "outside" (a zero row/column appended to the image)."""
    src = tf.range(size)[None, :] - shift[:, None]
    return tf.where((src < 0) | (src >= size), size, src)


def translation(x, uniform=_uniform, ratio=0.125):
    """Shift each image by integers in [-r, r] rows and columns, r = round(ratio * size), filling
    with 0 (the paper's zero padding)."""
    n, h, w = tf.shape(x)[0], x.shape[1], x.shape[2]
    ry, rx = int(h * ratio + 0.5), int(w * ratio + 0.5)
    ty = tf.cast(tf.floor(uniform([n]) * (2 * ry + 1)), tf.int32) - ry
    tx = tf.cast(tf.floor(uniform([n]) * (2 * rx + 1)), tf.int32) - rx
    padded = tf.pad(x, [[0, 0], [0, 1], [0, 1], [0, 0]])           # row h, column w are zero
    rows = tf.gather(padded, _shift_indices(h, ty), axis=1, batch_dims=1)
    return tf.gather(rows, _shift_indices(w, tx), axis=2, batch_dims=1)


def cutout(x, uniform=_uniform, ratio=0.5):
    """Set a square of ``ratio`` times the image's size to 0 in each image, centred at a
    uniformly drawn position (the square may be clipped at the border)."""
    n, h, w = tf.shape(x)[0], x.shape[1], x.shape[2]
    sy, sx = int(h * ratio + 0.5), int(w * ratio + 0.5)
    cy = tf.cast(tf.floor(uniform([n]) * (h + 1 - sy % 2)), tf.int32)
    cx = tf.cast(tf.floor(uniform([n]) * (w + 1 - sx % 2)), tf.int32)
    ys = tf.range(h)[None, :] - (cy - sy // 2)[:, None]             # position inside the square
    xs = tf.range(w)[None, :] - (cx - sx // 2)[:, None]
    inside_y = (ys >= 0) & (ys < sy)
    inside_x = (xs >= 0) & (xs < sx)
    hole = inside_y[:, :, None] & inside_x[:, None, :]
    return x * tf.cast(~hole, x.dtype)[..., None]


OPERATIONS = {"brightness": brightness, "saturation": saturation, "contrast": contrast,
              "translation": translation, "cutout": cutout}
#: names a policy may use: the operations, and ``color`` for the paper's three colour ones
GROUPS = {"color": ("brightness", "saturation", "contrast")}


def parse_policy(policy):
    """The operation names of a comma-separated ``policy`` (``""``: none), ``color`` expanded.

    Raises:
        ValueError: naming an unknown operation and listing the known ones.
    """
    names = []
    for part in (p.strip() for p in (policy or "").split(",")):
        if not part:
            continue
        if part not in OPERATIONS and part not in GROUPS:
            raise ValueError(f"unknown DiffAugment operation {part!r}; use a comma-separated "
                             f"list of {', '.join(sorted(set(OPERATIONS) | set(GROUPS)))}")
        names.extend(GROUPS.get(part, (part,)))
    return names


def policy_fn(policy, uniform=_uniform):
    """A function applying ``policy``'s operations in order (the identity for ``""``)."""
    ops = [OPERATIONS[name] for name in parse_policy(policy)]

    def apply(x):
        for op in ops:
            x = op(x, uniform)
        return x
    return apply


# ----------------------------------------------------------------------------- ADA


def _where(mask, a, b):
    return tf.where(mask, a, b)


def ada(x, p, uniform=_uniform):
    """ADA's pipeline (Karras et al. 2020, "Training Generative Adversarial Networks with
    Limited Data", §2.2-3 and App. B): each operation is applied to each image independently
    with probability ``p``, in this order:

    - x-flip; a rotation by a multiple of 90° (square images; each of the three non-zero
      multiples equally likely); an integer translation by up to 1/8 of the size each way
      (zeros fill in);
    - brightness: + b, b ~ U[-0.35, 0.35) (std 0.2, the paper's N(0, 0.2) spread);
      contrast: deviation from the image mean times 2^c, c ~ U[-0.87, 0.87) (std 0.5, the
      paper's log2-normal(0, 0.5)); saturation (colour images): deviation from the pixel's
      channel mean times 2^s, s ~ U[-1.73, 1.73) (std 1, the paper's).

    Each operation is applied with probability p < 1, so the identity always stays in the mix
    and the augmented distribution determines the original: D cannot make G produce augmented
    images ("non-leaking", §2.2; the paper sees leaks only as p nears 1). Differentiable in x.

    Args:
        x: NHWC images in [-1, 1].
        p: probability (scalar tensor or float) of each operation per image.
        uniform: U[0, 1) draws of a given shape.
    """
    n, h, w = tf.shape(x)[0], x.shape[1], x.shape[2]
    p = tf.cast(p, tf.float32)

    def chosen():
        return uniform([n, 1, 1, 1]) < p

    def spread(scale):  # U[-scale, scale) per image, in x's dtype
        return tf.cast((uniform([n, 1, 1, 1]) * 2.0 - 1.0) * scale, x.dtype)

    x = _where(chosen(), tf.reverse(x, axis=[2]), x)
    if h == w:
        k = tf.cast(tf.floor(uniform([n, 1, 1, 1]) * 3.0), tf.int32) + 1   # 1, 2 or 3 turns
        turned = [tf.image.rot90(x, i) for i in (1, 2, 3)]
        rotated = _where(k == 1, turned[0], _where(k == 2, turned[1], turned[2]))
        x = _where(chosen(), rotated, x)
    x = _where(chosen(), translation(x, uniform), x)
    x = _where(chosen(), x + spread(0.2 * 3 ** 0.5), x)
    mean = tf.reduce_mean(x, axis=[1, 2, 3], keepdims=True)
    x = _where(chosen(), (x - mean) * tf.pow(2.0, spread(0.5 * 3 ** 0.5)) + mean, x)
    if x.shape[-1] > 1:
        mean = tf.reduce_mean(x, axis=3, keepdims=True)
        x = _where(chosen(), (x - mean) * tf.pow(2.0, spread(3 ** 0.5)) + mean, x)
    return x


def ada_adjust(p, signs, count, target=0.6, images_to_one=500_000):
    """ADA's update of p (Karras et al. 2020, §3): the overfitting heuristic
    r_t = E[sign(D(x_real))] over the last ``count`` real images (``signs`` their sum) moves p
    by ``count / images_to_one`` up when r_t > ``target`` (D too sure of the real data) and down
    otherwise, clipped to [0, 1]; p can go from 0 to 1 in ``images_to_one`` images (the paper's
    500k). Returns the new p."""
    r_t = signs / tf.maximum(count, 1.0)
    step = tf.sign(r_t - target) * count / images_to_one
    return tf.clip_by_value(p + step, 0.0, 1.0)
