"""The divergence guard: stop a run whose state is no longer finite, restore the last good
checkpoint, and warn about a discriminator that wins or samples that collapse."""

import sys
import warnings

import keras
import numpy as np

from ganzoo import losses
from ganzoo.models.translation import Translator



#: :class:`DivergenceGuard` warns once when a logged loss's magnitude passes this. Healthy runs
#: of every zoo config stay below 100 (cross-entropy and hinge are O(1), WGAN critics O(10-100),
#: least squares O(1)); CycleGAN at learning rate 10 reaches 6e8 before it turns NaN.
LOSS_BOUND = 1e4


def training_state(model):
    """Every variable a training step changes: the weights of every network in
    ``model.networks()`` (EMA copies included), other model state (CycleGAN's image pools) and
    both optimizers' variables."""
    variables, seen = [], set()

    def add(vs):
        for v in vs:
            if id(v) not in seen:
                seen.add(id(v))
                variables.append(v)

    for net in model.networks().values():
        add(net.weights)
    add(model.weights)
    for opt in (model.g_optimizer, model.d_optimizer):
        if opt is not None:
            add(opt.variables)
    return variables


def is_finite_state(model):
    """True when every float variable of :func:`training_state` is finite."""
    return all(np.isfinite(v).all() for v in (np.asarray(x.numpy()) for x in training_state(model))
               if v.dtype.kind == "f")


class DivergenceGuard(keras.callbacks.Callback):
    """Stop on NaN/Inf, restore the last good weights, and warn about signs of collapse.

    - After every step it checks the logged losses; every ``every`` steps it checks that all
      weights are finite and, if they are, keeps them (every network in ``model.networks()``,
      EMA copies included, and both optimizers) as the last good state, in memory and in
      ``checkpoint`` if given. A non-finite state is never kept. On a NaN or infinite loss
      or weight it stops training, puts the last good state back into the model and says what
      happened (``self.diverged`` holds the details).
    - Discriminator winning: with a cross-entropy loss, D(x) above ``d_real_high`` and D(G(z))
      below ``d_fake_low`` (the logged running means ``d_real``/``d_fake``) for ``patience``
      steps in a row gives one warning: the generator is getting almost no gradient.
    - Runaway losses: a logged loss beyond ``loss_bound`` in magnitude gives one warning.
    - Diversity: after each epoch, the mean distance between samples from ``n`` fixed noise
      vectors; a fall below ``diversity_drop`` times its best value gives one warning (samples
      are becoming alike: mode collapse).

    Args:
        every: steps between weight checks and good-state snapshots.
        checkpoint: optional ``.weights.h5`` path for the last good state.
        patience: consecutive steps of a winning discriminator before warning.
        d_real_high, d_fake_low: thresholds of that warning.
        diversity_drop: fraction of the best diversity below which to warn.
        n: samples for the diversity measure.
        loss_bound: magnitude of a logged loss that gives the runaway-loss warning
            (:data:`LOSS_BOUND`).

    Example:

    ```python
    gan.fit(ds, callbacks=[ganzoo.callbacks.DivergenceGuard(every=100)])
    ```
    """

    def __init__(self, every=100, checkpoint=None, patience=200, d_real_high=0.99,
                 d_fake_low=0.01, diversity_drop=0.5, n=128, loss_bound=LOSS_BOUND):
        super().__init__()
        self.loss_bound = float(loss_bound)
        if int(every) < 1:
            raise ValueError(f"every must be a positive number of steps, got {every}.")
        self.every, self.checkpoint, self.patience = int(every), checkpoint, int(patience)
        self.d_real_high, self.d_fake_low = d_real_high, d_fake_low
        self.diversity_drop, self.n = diversity_drop, int(n)
        self.diverged = None
        self.warnings = []
        self._good = self._good_step = None
        self._checked = 0  # step of the last weight check (on_train_begin sets it)
        self._winning = 0
        self._best_diversity = None
        self._z = None
        self._warned = set()

    # ---------------------------------------------------------------- state

    def _state(self):
        return training_state(self.model)

    def _snapshot(self, step):
        values = [np.asarray(v.numpy()) for v in self._state()]
        if not all(np.isfinite(v).all() for v in values if v.dtype.kind == "f"):
            return False
        self._good, self._good_step = values, step
        if self.checkpoint:
            from ganzoo.files import atomic_path

            with atomic_path(self.checkpoint) as tmp:
                self.model.save_weights(tmp)
        return True

    def on_train_begin(self, logs=None):
        self.diverged = None
        self._checked = self.model.train_steps
        if not self._snapshot(self._checked):
            self._good = self._good_step = None

    # ---------------------------------------------------------------- checks

    def on_train_batch_end(self, batch, logs=None):
        logs = logs or {}
        step = self.model.train_steps
        bad = [k for k, v in logs.items() if not np.isfinite(np.asarray(v, dtype=float)).all()]
        if not bad:
            self._check_loss_bound(logs, step)
        # steps since the last check, not step % every: with steps_per_execution > 1 Keras
        # calls back every N steps, which may never land on a multiple of `every`
        if not bad and step - self._checked >= self.every:
            self._checked = step
            if not self._snapshot(step):
                bad = ["weights"]
        if bad:
            return self._stop(step, bad)
        self._check_winning(logs, step)

    def _stop(self, step, bad):
        what = ", ".join(bad)
        if self._good is not None:
            for v, value in zip(self._state(), self._good):
                v.assign(value)
            outcome = f"Stopped and restored the last good weights (step {self._good_step})."
        else:
            outcome = ("Stopped; no finite state was ever seen (not even the starting one), so "
                       "there is nothing to restore.")
        self.diverged = {"step": step, "non_finite": bad, "restored_step": self._good_step}
        message = (f"ganzoo: training diverged at step {step}: {what} became NaN or infinite. "
                   f"{outcome} Try a lower learning rate, gradient penalty instead of clipping, "
                   "or check the data.")
        print(message, file=sys.stderr)
        self.model.stop_training = True

    def _check_loss_bound(self, logs, step):
        big = {k: float(np.max(np.abs(np.asarray(v, dtype=float)))) for k, v in logs.items()
               if "loss" in k}
        big = {k: v for k, v in big.items() if v > self.loss_bound}
        if big:
            key, value = max(big.items(), key=lambda kv: kv[1])
            self._warn("loss_bound", f"{key} reached {value:.3g} at step {step}, beyond "
                       f"{self.loss_bound:g}: training is probably diverging (least-squares and "
                       "Wasserstein losses grow without bound before they become NaN). Try a "
                       "lower learning rate.")

    def _check_winning(self, logs, step):
        if getattr(self.model, "loss_name", None) not in losses.CROSS_ENTROPY:
            return  # critic values, not probabilities
        if "d_real" not in logs or "d_fake" not in logs:
            return
        if float(logs["d_real"]) > self.d_real_high and float(logs["d_fake"]) < self.d_fake_low:
            self._winning += 1
        else:
            self._winning = 0
        if self._winning == self.patience:
            self._warn("winning", f"the discriminator has been winning for {self.patience} "
                       f"steps (D(x) > {self.d_real_high}, D(G(z)) < {self.d_fake_low}) at step "
                       f"{step}: the "
                       "generator gets almost no gradient. Try label smoothing (loss.real_label "
                       "0.9), a lower discriminator learning rate or more generator capacity.")

    def on_epoch_end(self, epoch, logs=None):
        if self.diverged is not None or not getattr(self.model, "is_image", True) \
                or isinstance(self.model, Translator):
            return  # vectors, or image-to-image models (their samples follow their inputs)
        if self._z is None:
            self._z = self.model.latent_numpy(self.n, seed=12345)
        samples = np.asarray(self.model.generate(z=self._z)).reshape(self.n, -1)  # all classes
        from ganzoo import metrics

        d = metrics.pairwise_distances(samples, samples)
        diversity = float(d[np.triu_indices(self.n, 1)].mean())
        if logs is not None:
            logs["sample_diversity"] = diversity
        if self._best_diversity is None or diversity > self._best_diversity:
            self._best_diversity = diversity
        elif diversity < self.diversity_drop * self._best_diversity:
            share = diversity / self._best_diversity
            self._warn("diversity", f"sample diversity fell to {share:.0%} of its "
                       f"best after epoch {epoch + 1}: samples from different noise are becoming "
                       "alike (mode collapse). Look at the sample grids.")

    def _warn(self, kind, message):
        if kind in self._warned:
            return  # once per kind and fit
        self._warned.add(kind)
        self.warnings.append(message)
        warnings.warn(message, stacklevel=2)
