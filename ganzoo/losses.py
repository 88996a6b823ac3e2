"""Adversarial losses as pure functions of discriminator logits.

Each function returns the mean over the *local* batch. Under ``tf.distribute``
the GAN base class divides by the number of replicas before taking gradients,
so that the summed (all-reduced) gradients equal those of the global-batch mean.

A config picks a pair by name (``loss.name``); :func:`get` returns
``(discriminator_loss, generator_loss)``.
"""

import tensorflow as tf


def discriminator_bce(real_logits, fake_logits, real_label=1.0):
    """Discriminator cross-entropy: -log D(x) - log(1 - D(G(z))).

    Goodfellow et al. 2014, "Generative Adversarial Nets", eq. 1 (the
    discriminator maximises log D(x) + log(1 - D(G(z)))). ``real_label < 1``
    is one-sided label smoothing (Salimans et al. 2016, "Improved Techniques
    for Training GANs", §3.4): only the real targets are smoothed.

    Args:
        real_logits: discriminator logits on real data.
        fake_logits: discriminator logits on generated data.
        real_label: target for real data (1.0, or e.g. 0.9 when smoothing).

    Returns:
        Scalar: mean real term + mean fake term.
    """
    real_logits = tf.convert_to_tensor(real_logits)
    fake_logits = tf.convert_to_tensor(fake_logits)
    real = tf.nn.sigmoid_cross_entropy_with_logits(
        labels=tf.fill(tf.shape(real_logits), tf.cast(real_label, real_logits.dtype)),
        logits=real_logits)
    fake = tf.nn.sigmoid_cross_entropy_with_logits(
        labels=tf.zeros_like(fake_logits), logits=fake_logits)
    return tf.reduce_mean(real) + tf.reduce_mean(fake)


def generator_non_saturating(fake_logits):
    """Non-saturating generator loss: -log D(G(z)).

    Goodfellow et al. 2014, §3: instead of minimising log(1 - D(G(z))), whose
    gradient vanishes early in training when D rejects samples confidently,
    the generator maximises log D(G(z)). Written as softplus(-logit).
    """
    return tf.reduce_mean(tf.nn.softplus(-tf.convert_to_tensor(fake_logits)))


_PAIRS = {
    "non_saturating": (discriminator_bce, generator_non_saturating),
}


def names():
    """Names accepted by ``loss.name`` in configs."""
    return sorted(_PAIRS)


def get(name):
    """``(discriminator_loss, generator_loss)`` for a loss name."""
    if name not in _PAIRS:
        raise ValueError(f"Unknown loss {name!r}; choose one of {', '.join(names())}.")
    return _PAIRS[name]
