"""Loss functions against values computed by hand, and the gradient penalty's closed forms."""

import math

import numpy as np
import pytest
import tensorflow as tf

from ganzoo import losses

REAL = np.array([[2.0], [-1.0]], np.float32)
FAKE = np.array([[0.5], [-3.0]], np.float32)


def sp(x):  # softplus
    return math.log1p(math.exp(x))


def test_bce_discriminator_by_hand():
    # -log sigmoid(r) = softplus(-r); -log(1 - sigmoid(f)) = softplus(f)
    want = (sp(-2.0) + sp(1.0)) / 2 + (sp(0.5) + sp(-3.0)) / 2
    got = float(losses.cross_entropy_discriminator_loss(REAL, FAKE))
    assert got == pytest.approx(want, rel=1e-6)


def test_one_sided_label_smoothing_only_touches_real_targets():
    # target 0.9 for real: -(0.9 log s(r) + 0.1 log(1 - s(r))) = 0.9 sp(-r) + 0.1 sp(r)
    real = (0.9 * sp(-2.0) + 0.1 * sp(2.0) + 0.9 * sp(1.0) + 0.1 * sp(-1.0)) / 2
    fake = (sp(0.5) + sp(-3.0)) / 2
    got = float(losses.cross_entropy_discriminator_loss(REAL, FAKE, real_label=0.9))
    assert got == pytest.approx(real + fake, rel=1e-6)


def test_generator_losses_by_hand():
    assert float(losses.non_saturating_generator_loss(FAKE)) == pytest.approx(
        (sp(-0.5) + sp(3.0)) / 2, rel=1e-6)
    # log(1 - sigmoid(f)) = -softplus(f)
    assert float(losses.minimax_generator_loss(FAKE)) == pytest.approx(
        -(sp(0.5) + sp(-3.0)) / 2, rel=1e-6)


def test_minimax_saturates_where_non_saturating_does_not():
    logits = tf.constant([[-8.0]])  # D confidently rejects the sample
    grads = []
    for fn in (losses.minimax_generator_loss, losses.non_saturating_generator_loss):
        with tf.GradientTape() as tape:
            tape.watch(logits)
            loss = fn(logits)
        grads.append(abs(float(tape.gradient(loss, logits)[0, 0])))
    assert grads[0] < 1e-3 < 0.9 < grads[1]


def test_least_squares_hinge_wasserstein_by_hand():
    assert float(losses.least_squares_discriminator_loss(REAL, FAKE)) == pytest.approx(
        0.5 * ((2 - 1) ** 2 + (-1 - 1) ** 2) / 2 + 0.5 * (0.25 + 9) / 2)
    assert float(losses.least_squares_generator_loss(FAKE)) == pytest.approx(
        0.5 * ((0.5 - 1) ** 2 + (-3 - 1) ** 2) / 2)
    assert float(losses.hinge_discriminator_loss(REAL, FAKE)) == pytest.approx(
        (0 + 2) / 2 + (1.5 + 0) / 2)
    assert float(losses.hinge_generator_loss(FAKE)) == pytest.approx(1.25)
    assert float(losses.wasserstein_discriminator_loss(REAL, FAKE)) == pytest.approx(-1.25 - 0.5)
    assert float(losses.wasserstein_generator_loss(FAKE)) == pytest.approx(1.25)


def test_get_and_names():
    assert losses.names() == ["hinge", "least_squares", "minimax", "non_saturating",
                              "wasserstein"]
    assert losses.get("hinge") == (losses.hinge_discriminator_loss, losses.hinge_generator_loss)
    with pytest.raises(ValueError, match="Unknown loss 'huber'"):
        losses.get("huber")


def _linear_critic(w):
    w = tf.constant(np.reshape(w, -1), tf.float32)
    return lambda x: tf.reduce_sum(tf.reshape(x, [tf.shape(x)[0], -1]) * w, axis=1)


def test_gradient_penalty_zero_for_unit_norm_linear_critic():
    rng = np.random.default_rng(0)
    w = rng.normal(size=(4, 4, 1)).astype(np.float32)
    w /= np.linalg.norm(w)
    real, fake = rng.normal(size=(2, 8, 4, 4, 1)).astype(np.float32)
    gp = float(losses.gradient_penalty(_linear_critic(w), real, fake))
    assert gp == pytest.approx(0.0, abs=1e-10)


def test_gradient_penalty_closed_form_for_other_norms():
    rng = np.random.default_rng(1)
    w = rng.normal(size=(6,)).astype(np.float32)
    w *= 3.0 / np.linalg.norm(w)  # gradient norm 3 everywhere: penalty (3 - 1)^2 = 4
    real, fake = rng.normal(size=(2, 16, 6)).astype(np.float32)
    penalty = float(losses.gradient_penalty(_linear_critic(w), real, fake))
    assert penalty == pytest.approx(4.0, rel=1e-5)


def test_gradient_penalty_is_finite_for_a_flat_critic_and_uses_alpha():
    real = tf.ones((4, 3))
    flat = lambda x: tf.zeros(tf.shape(x)[0])  # noqa: E731 - gradient exactly 0
    gp = losses.gradient_penalty(flat, real, real)
    assert float(gp) == pytest.approx(1.0, abs=1e-5)  # (sqrt(eps) - 1)^2, not NaN
    # alpha is per sample and mixes real and fake: a quadratic critic sees where x̂ lies
    quad = lambda x: tf.reduce_sum(x * x, axis=1) / 2  # noqa: E731 - gradient x̂, norm |x̂|
    real = tf.constant([[1.0, 0.0], [3.0, 0.0]])
    fake = tf.zeros((2, 2))
    gp = float(losses.gradient_penalty(quad, real, fake, alpha=tf.constant([1.0, 0.5])))
    assert gp == pytest.approx(((1 - 1) ** 2 + (1.5 - 1) ** 2) / 2, rel=1e-5)


def test_gradient_penalty_alpha_is_uniform_not_normal():
    # with the default draw, x̂ stays on the segment between real and fake
    seen = []
    probe = lambda x: (seen.append(x), tf.reduce_sum(x, axis=1))[1]  # noqa: E731
    real, fake = tf.ones((2000, 1)), tf.zeros((2000, 1))
    losses.gradient_penalty(probe, real, fake)
    alpha = seen[0].numpy().ravel()
    assert alpha.min() >= 0.0 and alpha.max() <= 1.0
    assert alpha.mean() == pytest.approx(0.5, abs=0.03) and alpha.std() == pytest.approx(
        1 / math.sqrt(12), abs=0.02)
