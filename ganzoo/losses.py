"""Adversarial losses as pure functions of discriminator (critic) outputs.

Each function returns the mean over the *local* batch. Under ``tf.distribute``
the GAN base class divides by the number of replicas before taking gradients,
so that the summed (all-reduced) gradients equal those of the global-batch mean.

Names follow TF-GAN: ``<name>_discriminator_loss`` / ``<name>_generator_loss``. A config picks a
pair by name (``loss.name``); :func:`get` returns ``(discriminator_loss, generator_loss)``:

| name | discriminator | generator | paper |
| --- | --- | --- | --- |
| ``non_saturating`` | cross-entropy | -log D(G(z)) | Goodfellow et al. 2014, §3 |
| ``minimax`` | cross-entropy | log(1 - D(G(z))) | Goodfellow et al. 2014, eq. 1 |
| ``least_squares`` | ½(D(x)-b)² + ½(D(G(z))-a)² | ½(D(G(z))-c)² | Mao et al. 2017, eq. 2 |
| ``hinge`` | max(0, 1-D(x)) + max(0, 1+D(G(z))) | -D(G(z)) | Lim & Ye 2017; Miyato 2018 (16-17) |
| ``wasserstein`` | D(G(z)) - D(x) | -D(G(z)) | Arjovsky et al. 2017, Alg. 1 |

:func:`gradient_penalty` (Gulrajani et al. 2017) is added to the Wasserstein
critic loss by ``wgan_gp``.
"""

import tensorflow as tf

#: losses whose discriminator output is a logit of P(real); they accept ``real_label``
CROSS_ENTROPY = frozenset({"non_saturating", "minimax"})

#: LSGAN's target codings ``(a, b, c)`` by name (Mao et al. 2017): ``"0-1"`` is eq. 9 (fake 0,
#: real 1, G aims at 1), ``"-1-1-0"`` is eq. 8 (fake -1, real 1, G aims at 0: Pearson χ²)
LEAST_SQUARES_CODINGS = {"0-1": (0.0, 1.0, 1.0), "-1-1-0": (-1.0, 1.0, 0.0)}


def cross_entropy_discriminator_loss(real_logits, fake_logits, real_label=1.0):
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


def non_saturating_generator_loss(fake_logits):
    """Non-saturating generator loss: -log D(G(z)).

    Goodfellow et al. 2014, §3: instead of minimising log(1 - D(G(z))), whose
    gradient vanishes early in training when D rejects samples confidently,
    the generator maximises log D(G(z)). Written as softplus(-logit).
    """
    return tf.reduce_mean(tf.nn.softplus(-tf.convert_to_tensor(fake_logits)))


def minimax_generator_loss(fake_logits):
    """Minimax (saturating) generator loss: log(1 - D(G(z))), to be minimised.

    Goodfellow et al. 2014, eq. 1, the game as written. log(1 - sigmoid(l)) =
    -softplus(l). Its gradient vanishes when D is confident, which is why
    ``non_saturating`` is the usual choice.
    """
    return -tf.reduce_mean(tf.nn.softplus(tf.convert_to_tensor(fake_logits)))


def least_squares_discriminator_loss(real_outputs, fake_outputs, a=0.0, b=1.0):
    """LSGAN discriminator: ½E[(D(x) - b)²] + ½E[(D(G(z)) - a)²].

    Mao et al. 2017, "Least Squares Generative Adversarial Networks", eq. 2: ``a`` is the
    target for generated data, ``b`` for real data. The defaults are the 0-1 coding of eq. 9
    (a = 0, b = c = 1); eq. 8's coding (a = -1, b = 1, c = 0, so that b - c = 1 and b - a = 2)
    makes the game minimise the Pearson χ² divergence between p_data + p_g and 2 p_g (§3.2.1).

    Args:
        real_outputs: discriminator outputs on real data (no sigmoid).
        fake_outputs: discriminator outputs on generated data.
        a: target for generated data.
        b: target for real data.

    Returns:
        Scalar: half the mean squared error of each side, summed.
    """
    real_outputs = tf.convert_to_tensor(real_outputs)
    fake_outputs = tf.convert_to_tensor(fake_outputs)
    return 0.5 * tf.reduce_mean(tf.square(real_outputs - b)) + \
        0.5 * tf.reduce_mean(tf.square(fake_outputs - a))


def least_squares_generator_loss(fake_outputs, c=1.0):
    """LSGAN generator: ½E[(D(G(z)) - c)²], ``c`` the value G wants D to believe for its
    samples (Mao et al. 2017, eq. 2; c = 1 in the 0-1 coding of eq. 9, 0 in eq. 8's)."""
    return 0.5 * tf.reduce_mean(tf.square(tf.convert_to_tensor(fake_outputs) - c))


def hinge_discriminator_loss(real_outputs, fake_outputs):
    """Hinge discriminator: E[max(0, 1 - D(x))] + E[max(0, 1 + D(G(z)))].

    Lim & Ye 2017, "Geometric GAN"; Miyato et al. 2018, "Spectral
    Normalization for GANs", eq. 16.
    """
    return tf.reduce_mean(tf.nn.relu(1.0 - tf.convert_to_tensor(real_outputs))) + \
        tf.reduce_mean(tf.nn.relu(1.0 + tf.convert_to_tensor(fake_outputs)))


def hinge_generator_loss(fake_outputs):
    """Hinge generator: -E[D(G(z))] (Miyato et al. 2018, eq. 17)."""
    return -tf.reduce_mean(tf.convert_to_tensor(fake_outputs))


def wasserstein_discriminator_loss(real_outputs, fake_outputs):
    """Wasserstein critic loss: E[D(G(z))] - E[D(x)], to be minimised.

    Arjovsky, Chintala & Bottou 2017, "Wasserstein GAN", Algorithm 1: the
    critic maximises E[D(x)] - E[D(G(z))], an estimate of the Wasserstein-1
    distance when D is 1-Lipschitz (weight clipping or a gradient penalty).
    """
    return tf.reduce_mean(tf.convert_to_tensor(fake_outputs)) - \
        tf.reduce_mean(tf.convert_to_tensor(real_outputs))


def wasserstein_generator_loss(fake_outputs):
    """Wasserstein generator loss: -E[D(G(z))] (Arjovsky et al. 2017, Algorithm 1)."""
    return -tf.reduce_mean(tf.convert_to_tensor(fake_outputs))


def gradient_penalty(critic, real, fake, alpha=None, epsilon=1e-12):
    """WGAN-GP gradient penalty: E[(‖∇D(x̂)‖₂ - 1)²] at x̂ = αx + (1-α)G(z).

    Gulrajani et al. 2017, "Improved Training of Wasserstein GANs", Algorithm 1:
    α ~ U[0, 1], one draw per sample (not a normal draw, as a widely copied
    example has it). ``epsilon`` inside the square root keeps the norm's
    gradient finite where the critic's gradient is exactly zero.

    Args:
        critic: callable mapping a batch to critic outputs (differentiable).
        real: real batch.
        fake: generated batch of the same shape.
        alpha: optional per-sample mixing weights, shape (batch,); drawn from
            U[0, 1] when omitted.
        epsilon: added to the squared norm before the square root.

    Returns:
        Scalar penalty (mean over the batch); multiply by λ (10 in the paper).
    """
    real = tf.convert_to_tensor(real)
    fake = tf.cast(tf.convert_to_tensor(fake), real.dtype)
    m = tf.shape(real)[0]  # batch size
    if alpha is None:
        alpha = tf.random.uniform([m], 0.0, 1.0, dtype=real.dtype)
    alpha = tf.reshape(tf.cast(alpha, real.dtype), [-1] + [1] * (real.shape.rank - 1))
    mixed = alpha * real + (1.0 - alpha) * fake
    with tf.GradientTape() as tape:
        tape.watch(mixed)
        outputs = critic(mixed)
    grads = tape.gradient(outputs, mixed, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    norms = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=tf.range(1, tf.rank(grads))) + epsilon)
    return tf.reduce_mean(tf.square(norms - 1.0))


def orthogonal_regularization(kernels, beta=1e-4):
    """BigGAN's orthogonal regularisation: β Σ_W ‖WᵀW ⊙ (1 − I)‖²_F.

    Brock, Donahue & Simonyan 2019, "Large Scale GAN Training for High Fidelity Natural Image
    Synthesis", §3.1, eq. 2: it pushes the filters of each layer towards mutual orthogonality
    without constraining their norms. Each kernel is read as a matrix W of shape
    [fan_in, filters] (a Keras kernel [..., filters] reshaped), so WᵀW holds the filters'
    inner products; the diagonal (their squared norms) is left out.

    Args:
        kernels: iterable of kernel tensors (dense [in, out] or convolution [kh, kw, in, out]).
        beta: the weight β (the paper's 1e-4).

    Returns:
        A scalar float32 tensor.
    """
    total = tf.constant(0.0)
    for kernel in kernels:
        w = tf.cast(tf.reshape(kernel, (-1, tf.shape(kernel)[-1])), tf.float32)
        gram = tf.matmul(w, w, transpose_a=True)
        off_diagonal = gram * (1.0 - tf.eye(tf.shape(gram)[0]))
        total += tf.reduce_sum(tf.square(off_diagonal))
    return beta * total


_PAIRS = {
    "non_saturating": (cross_entropy_discriminator_loss, non_saturating_generator_loss),
    "minimax": (cross_entropy_discriminator_loss, minimax_generator_loss),
    "least_squares": (least_squares_discriminator_loss, least_squares_generator_loss),
    "hinge": (hinge_discriminator_loss, hinge_generator_loss),
    "wasserstein": (wasserstein_discriminator_loss, wasserstein_generator_loss),
}


def class_cross_entropy(labels, logits):
    """Mean softmax cross-entropy of integer class ``labels`` under ``logits``."""
    return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=tf.cast(labels, tf.int32), logits=logits))


def acgan_discriminator_loss(real_class_logits, fake_class_logits, real_labels, fake_labels):
    """AC-GAN's class loss for D: -L_C, the class cross-entropy on real and on generated images.

    Odena, Olah & Shlens 2017, "Conditional Image Synthesis with Auxiliary Classifier GANs",
    eq. 3: D maximises L_S + L_C, where L_C = E[log P(C = c | X_real)] + E[log P(C = c |
    X_fake)]. Add it (times a weight) to the adversarial discriminator loss.
    """
    return (class_cross_entropy(real_labels, real_class_logits)
            + class_cross_entropy(fake_labels, fake_class_logits))


def acgan_generator_loss(fake_class_logits, fake_labels):
    """AC-GAN's class loss for G: the cross-entropy of the requested class on its samples
    (Odena et al. 2017, eq. 3: G maximises L_C - L_S)."""
    return class_cross_entropy(fake_labels, fake_class_logits)


def c_plus_1_discriminator_loss(real_logits, fake_logits, real_labels):
    """C+1-class discriminator: real images as their class, generated ones as class C.

    Salimans et al. 2016, "Improved Techniques for Training GANs", §5 (semi-supervised
    learning): D outputs C + 1 logits, the last meaning "generated".
    """
    generated = tf.fill(tf.shape(real_labels), tf.shape(fake_logits)[-1] - 1)
    return (class_cross_entropy(real_labels, real_logits)
            + class_cross_entropy(generated, fake_logits))


def c_plus_1_generator_loss(fake_logits, fake_labels):
    """C+1-class generator: its samples classified as the class it was asked for (Salimans et
    al. 2016, §5, with the class-conditional generator of Mirza & Osindero 2014)."""
    return class_cross_entropy(fake_labels, fake_logits)


def cycle_consistency_loss(a, a_cycled, b, b_cycled):
    """‖F(G(a)) - a‖₁ + ‖G(F(b)) - b‖₁ (Zhu et al. 2017, "Unpaired Image-to-Image Translation
    using Cycle-Consistent Adversarial Networks", eq. 2), batch means."""
    return l1(a, a_cycled) + l1(b, b_cycled)


def identity_loss(b, g_of_b, a, f_of_a):
    """‖G(b) - b‖₁ + ‖F(a) - a‖₁: each generator leaves images of its target domain alone
    (Zhu et al. 2017, §5.2, after Taigman et al. 2017), batch means."""
    return l1(b, g_of_b) + l1(a, f_of_a)


def l1(targets, outputs):
    """Mean absolute error, the L1 term of pix2pix (Isola et al. 2017, eq. 3) and of CycleGAN's
    cycle-consistency and identity losses (Zhu et al. 2017, eq. 2; §5.2)."""
    return tf.reduce_mean(tf.abs(tf.convert_to_tensor(targets) - tf.convert_to_tensor(outputs)))


def names():
    """Names accepted by ``loss.name`` in configs."""
    return sorted(_PAIRS)


def get(name):
    """``(discriminator_loss, generator_loss)`` for a loss name."""
    if name not in _PAIRS:
        raise ValueError(f"Unknown loss {name!r}; choose one of {', '.join(names())}.")
    return _PAIRS[name]


#: the equations of each adversarial loss, as the cards write them: ``(L_D, L_G, description)``
EQUATIONS = {
    "non_saturating": (r"L_D = -\mathbb{E}_x[\log D(x)] - \mathbb{E}_z[\log(1 - D(G(z)))]",
                       r"L_G = -\mathbb{E}_z[\log D(G(z))]",
                       "non-saturating generator loss (Goodfellow et al. 2014, §3)"),
    "minimax": (r"L_D = -\mathbb{E}_x[\log D(x)] - \mathbb{E}_z[\log(1 - D(G(z)))]",
                r"L_G = \mathbb{E}_z[\log(1 - D(G(z)))]",
                "minimax game as written (Goodfellow et al. 2014, eq. 1)"),
    "least_squares": (r"L_D = \tfrac12\mathbb{E}_x[(D(x)-b)^2] "
                      r"+ \tfrac12\mathbb{E}_z[(D(G(z))-a)^2]",
                      r"L_G = \tfrac12\mathbb{E}_z[(D(G(z))-c)^2]",
                      "LSGAN (Mao et al. 2017, eq. 2): a = 0, b = c = 1 (`loss.coding: 0-1`, "
                      "eq. 9) or a = -1, b = 1, c = 0 (`-1-1-0`, eq. 8)"),
    "hinge": (r"L_D = \mathbb{E}_x[\max(0, 1-D(x))] + \mathbb{E}_z[\max(0, 1+D(G(z)))]",
              r"L_G = -\mathbb{E}_z[D(G(z))]", "hinge loss (Lim & Ye 2017; Miyato et al. 2018)"),
    "wasserstein": (r"L_D = \mathbb{E}_z[D(G(z))] - \mathbb{E}_x[D(x)]",
                    r"L_G = -\mathbb{E}_z[D(G(z))]", "Wasserstein loss (Arjovsky et al. 2017)"),
}
