"""StyleGAN2: Karras, Laine, Aittala, Hellsten, Lehtinen & Aila 2020, "Analyzing and Improving
the Image Quality of StyleGAN" (CVPR 2020, arXiv:1912.04958), trained as the official
StyleGAN2-ADA code does (Karras et al. 2020b, NVlabs/stylegan2-ada-pytorch, ``training/loss.py``
and ``training/training_loop.py``), conditional or not, at 28-64 px."""

import math

import keras
import numpy as np
import tensorflow as tf

from ganzoo import config as config_lib
from ganzoo import schema
from ganzoo.blocks import global_mean
from ganzoo.models.base import GAN, NOISE_SCHEMA, make_optimizer, run_every, unpack
from ganzoo.models.zoo_model import replicas_in_sync
from ganzoo.registry import register
from ganzoo.schema import Key
from ganzoo.style_layers import TruncateW
from ganzoo.stylegan2_nets import compose_generator, compose_synthesis, num_ws

#: StyleGAN2's keys: the noise-to-sample keys, optional classes, its regularisers and EMA
STYLEGAN2_SCHEMA = schema.extend(
    NOISE_SCHEMA,
    num_classes=Key(None, schema.optional_positive_int(),
                    "classes of a conditional model (data are (images, labels)); null for an "
                    "unconditional one"),
    loss={**NOISE_SCHEMA["loss"],
          "r1_gamma": Key(0.01, schema.number_in(0.0, 1.0e4),
                          "γ of the R1 penalty γ/2 E‖∇D(x)‖² on real data (Mescheder et al. "
                          "2018); 0 for none"),
          "r1_interval": Key(16, schema.positive_int(),
                             "minibatches between R1 updates (lazy regularisation, §3.1: the "
                             "penalty is multiplied by the interval); 1 adds it to every D loss"),
          "style_mixing_prob": Key(0.9, schema.number_in(0.0, 1.0),
                                   "probability that a batch mixes two w's at a crossover layer "
                                   "drawn per batch (Karras et al. 2019, §3.1)"),
          "pl_weight": Key(0.0, schema.number_in(0.0, 1.0e4),
                           "weight of the path-length regulariser (§3.2); 0 for none"),
          "pl_interval": Key(4, schema.positive_int(),
                             "minibatches between path-length updates (lazy, as R1)"),
          "pl_decay": Key(0.01, schema.number_in(0.0, 1.0),
                          "rate of the running mean of path lengths"),
          "pl_batch_shrink": Key(2, schema.positive_int(),
                                 "the path-length batch is the batch divided by this")},
    training={**NOISE_SCHEMA["training"],
              "w_avg_beta": Key(0.995, schema.number_in(0.0, 1.0),
                                "w̄ ← mean(w) + β (w̄ − mean(w)) after every G update (the "
                                "centre of the truncation trick)")},
    ema={"enabled": Key(True, None, "sample from an exponential moving average of G"),
         "half_life_images": Key(500000, schema.positive_int(),
                                 "images after which an old weight's share halves (the "
                                 "official ema_kimg × 1000)"),
         "ramp": Key(0.05, schema.optional_fraction(),
                     "half-life limited to this fraction of the images seen so far (the "
                     "official ema_rampup); null for none")},
)


def lazy_optimizer_spec(spec, interval):
    """An optimizer config for a network regularised every ``interval`` minibatches (lazy
    regularisation, Karras et al. 2020, §3.1; the official ``training_loop``): with c =
    interval / (interval + 1), the learning rate times c and Adam's β's to the power c, so
    that main and regularisation steps together move as the plain optimizer would."""
    spec = dict(spec)
    if not interval or interval <= 1:
        return spec
    c = interval / (interval + 1)
    spec["learning_rate"] = spec["learning_rate"] * c
    for beta in ("beta_1", "beta_2"):
        if spec.get(beta) is not None:
            spec[beta] = spec[beta] ** c
    return spec


@register("stylegan2")
class StyleGAN2(GAN):
    """StyleGAN2 (Karras et al. 2020) with the official StyleGAN2-ADA training.

    G: a mapping network z (+ label) -> w and a synthesis network of modulated, demodulated
    convolutions with per-pixel noise and skip toRGB outputs (:mod:`ganzoo.stylegan2_nets`);
    D: residual with the minibatch standard deviation (a projection of the label when
    conditional). Each step: G's non-saturating logistic loss on a batch with style mixing
    (two w's and a crossover layer drawn per batch, probability 0.9), the lazy path-length
    regulariser when ``loss.pl_weight`` > 0, D's logistic loss, the lazy R1 penalty every 16
    minibatches (multiplied by 16; both optimizers' rates and β's adjusted for the extra
    steps), then the EMA generator with a half-life in images. Adam(0.0025, β = (0, 0.99)),
    batch 64, γ 0.01, EMA half-life 500k images ramped over 5 % of the images seen (the
    official ``cifar`` configuration).

    Sampling: ``generate(..., truncation=ψ)`` is the truncation trick in W (w̄ + ψ (w − w̄));
    ``noise="const"`` (default, fixed noise buffers, equal z give equal images) or
    ``"random"``; :meth:`style_mix` and :meth:`interpolate_w`.

    Data are images, or ``(images, labels)`` with ``num_classes`` set.

    Example:

    ```python
    gan = ganzoo.build("stylegan2", data_shape=[28, 28, 1], config="grey28")
    gan.fit(ganzoo.datasets.load("digits"), epochs=1)
    images = gan.generate(16, truncation=0.7, seed=0)
    grid = gan.style_mix(rows=4, cols=4, seed=0)          # (4, 4, 28, 28, 1)
    ```
    """

    paper = ('Karras, Laine, Aittala, Hellsten, Lehtinen & Aila 2020, "Analyzing and Improving '
             'the Image Quality of StyleGAN", CVPR 2020, arXiv:1912.04958; training as '
             'StyleGAN2-ADA (Karras et al. 2020, "Training Generative Adversarial Networks '
             'with Limited Data", NeurIPS 2020)')
    task = "image generation (unconditional or class-conditional)"
    config_schema = STYLEGAN2_SCHEMA
    metric_names = GAN.metric_names + ("r1",)

    @classmethod
    def validate_config(cls, config):
        super().validate_config(config)
        cls.require_networks(config, "stylegan2", "mapping + synthesis network, residual D")
        training = config["training"]
        if training["d_steps"] != 1 or training.get("reuse_fakes"):
            raise config_lib.ConfigError(
                "stylegan2: every minibatch updates G once and D once (the official training "
                f"loop); set training.d_steps: 1 and reuse_fakes: false (got d_steps "
                f"{training['d_steps']}, reuse_fakes {training.get('reuse_fakes')}).")
        if config["generator"]["fused"] and not tf.config.list_physical_devices("GPU"):
            raise config_lib.ConfigError(
                "stylegan2: generator.fused: true runs grouped convolutions, whose gradient "
                "TensorFlow does not compute on CPUs (Conv2DBackpropFilter: 'filter_size does "
                "not have enough elements'); set generator.fused: false, the same function, on "
                "a machine without a GPU.")
        if config["loss"]["name"] != "non_saturating":
            raise config_lib.ConfigError(
                f"stylegan2 trains with the non-saturating logistic loss (its R1 and "
                f"path-length regularisers are tuned for it); loss.name is "
                f"{config['loss']['name']!r}: set it to non_saturating.")

    def build_networks(self):
        super().build_networks()
        loss, training = self.config["loss"], self.config["training"]
        self.num_ws = num_ws(self.data_shape)
        self.w_dim = int(self.config["generator"]["w_dim"])
        self.r1_gamma, self.r1_interval = float(loss["r1_gamma"]), int(loss["r1_interval"])
        self.mixing_prob = float(loss["style_mixing_prob"])
        self.pl_weight, self.pl_interval = float(loss["pl_weight"]), int(loss["pl_interval"])
        self.pl_decay, self.pl_shrink = float(loss["pl_decay"]), int(loss["pl_batch_shrink"])
        self.w_avg_beta = float(training["w_avg_beta"])
        ema = self.config["ema"]
        self.ema_half_life, self.ema_ramp = float(ema["half_life_images"]), ema["ramp"]
        # minibatches trained (the lazy regularisers' and the EMA ramp's clock; resumed with
        # the weights) and the running mean of path lengths
        self.minibatches = self.add_weight(shape=(), initializer="zeros", trainable=False,
                                           name="minibatches", aggregation="mean")
        if self.pl_weight:
            self.pl_mean = self.add_weight(shape=(), initializer="zeros", trainable=False,
                                           name="pl_mean", aggregation="mean")
            self.extra_metric_names = tuple(getattr(self, "extra_metric_names", ())) + ("pl",)

    # ------------------------------------------------------------------ the parts of G

    def mapping(self, sampling=False):
        """The mapping network z (+ label) -> w (of the EMA generator with ``sampling``)."""
        return (self.sampling_generator if sampling else self.generator).get_layer("mapping")

    def synthesis(self, sampling=False):
        """The synthesis network ws (N, num_ws, w_dim) -> images (not clipped)."""
        return (self.sampling_generator if sampling else self.generator).get_layer("synthesis")

    def truncation_layer(self, sampling=False):
        """The layer holding w̄ (:class:`ganzoo.style_layers.TruncateW`)."""
        return (self.sampling_generator if sampling else self.generator).get_layer("truncation")

    def compile(self, g_optimizer=None, d_optimizer=None, **kwargs):
        """As :meth:`ZooModel.compile`, with the configured rates and β's adjusted for the lazy
        regularisers' extra steps (:func:`lazy_optimizer_spec`)."""
        opt = self.config["optimizer"]
        g_optimizer = g_optimizer or make_optimizer(lazy_optimizer_spec(
            opt["generator"], self.pl_interval if self.pl_weight else None))
        d_optimizer = d_optimizer or make_optimizer(lazy_optimizer_spec(
            opt["discriminator"], self.r1_interval if self.r1_gamma else None))
        super().compile(g_optimizer=g_optimizer, d_optimizer=d_optimizer, **kwargs)

    # ------------------------------------------------------------------ training

    def G(self, z, labels=None, training=True):
        """Images from z (and labels) with one w for every layer."""
        w = self.mapping()(z if labels is None else [z, labels], training=training)
        return self.synthesis()(self.broadcast(w), training=training)

    def broadcast(self, w):
        """(N, w_dim) -> (N, num_ws, w_dim): the same w for every layer."""
        return tf.repeat(w[:, None], self.num_ws, axis=1)

    def mixed_ws(self, n, labels=None, track=False):
        """Per-layer latents for ``n`` fresh z's with style mixing (Karras et al. 2019, §3.1;
        the official ``StyleGAN2Loss.run_G``): with probability ``style_mixing_prob`` a
        crossover layer drawn uniformly from 1 .. num_ws − 1 for the whole batch, the layers
        from it on taking the w of a second z (same labels). ``track``: move w̄ towards this
        batch's first w's."""
        mapping = self.mapping()

        def w_of(z):
            return mapping(z if labels is None else [z, labels], training=True)

        w = w_of(self.sample_noise(n))
        if track:
            self.truncation_layer().track(w, self.w_avg_beta)
        ws = self.broadcast(w)
        if self.mixing_prob <= 0:
            return ws
        cutoff = keras.random.randint((), 1, self.num_ws, seed=self.seed_generator)
        mix = keras.random.uniform((), seed=self.seed_generator) < self.mixing_prob
        cutoff = tf.where(mix, cutoff, self.num_ws)
        first = tf.range(self.num_ws) < cutoff                      # layers before the crossover
        return tf.where(first[None, :, None], ws, self.broadcast(w_of(self.sample_noise(n))))

    def r1_penalty(self, x, labels=None):
        """γ/2 · E‖∇ₓ D(x)‖² on real images (Mescheder et al. 2018; the official ``loss_Dr1``),
        the gradient taken through D's augmentation like the official code."""
        with tf.GradientTape() as tape:
            tape.watch(x)
            out = self.D(x, labels)
            total = tf.reduce_sum(tf.cast(out, tf.float32))
        grads = tape.gradient(total, x)
        return self.r1_gamma / 2.0 * tf.reduce_mean(tf.reduce_sum(tf.square(grads), [1, 2, 3]))

    def path_length_penalty(self, m):
        """(‖J_wᵀ y‖ − a)² for y ~ N(0, I)/sqrt(H·W), a the running mean of the lengths (§3.2;
        the official ``loss_Gpl``), on m // pl_batch_shrink fresh samples; returns the penalty
        and the updated running mean."""
        n = tf.maximum(m // self.pl_shrink, 1)
        labels = self.sample_labels(n) if self.num_classes else None
        ws = self.mixed_ws(n, labels)
        with tf.GradientTape() as inner:
            inner.watch(ws)
            images = self.synthesis()(ws, training=True)
            h, w = self.data_shape[0], self.data_shape[1]
            noise = self.per_replica(lambda s: keras.random.normal(s, seed=self.seed_generator),
                                     n, self.data_shape) / math.sqrt(h * w)
            total = tf.reduce_sum(tf.cast(images, tf.float32) * noise)
        grads = inner.gradient(total, ws)
        lengths = tf.sqrt(tf.reduce_mean(tf.reduce_sum(tf.square(grads), axis=2), axis=1))
        pl_mean = self.pl_mean + self.pl_decay * (global_mean(lengths) - self.pl_mean)
        return tf.reduce_mean(tf.square(lengths - tf.stop_gradient(pl_mean))), pl_mean

    def train_step(self, data):
        """One minibatch of the official training loop: Gmain, Greg (path length, lazy),
        Dmain, Dreg (R1, lazy), then the EMA generator."""
        x, y = unpack(data)
        if not self.num_classes:
            y = None
        m = tf.shape(x)[0]
        G_vars, D_vars = self.generator_variables(), self.discriminator.trainable_variables

        # Gmain: softplus(-D(G(z, c), c)), style mixing, w̄ follows the batch's w
        c = self.sample_labels(m) if self.num_classes else None
        with tf.GradientTape() as tape:
            fake_out = self.D(self.synthesis()(self.mixed_ws(m, c, track=True), training=True), c)
            g_loss = self.g_loss_fn(fake_out)
        self.apply_gradients(self.g_optimizer, g_loss, tape, G_vars)
        self.log(g_loss=g_loss)

        if self.pl_weight:  # Greg: pl_weight · interval · E(‖J_wᵀ y‖ − a)², every pl_interval
            def path_length_update():
                with tf.GradientTape() as tape:
                    penalty, pl_mean = self.path_length_penalty(m)
                    loss = penalty * self.pl_weight * self.pl_interval
                self.apply_gradients(self.g_optimizer, loss, tape, G_vars, unconnected=True)
                self.pl_mean.assign(pl_mean)
                self.log(pl=penalty)
            run_every(self.minibatches, self.pl_interval, path_length_update)

        # Dmain: softplus(D(G(z, c), c)) + softplus(-D(x, y)); R1 added when not lazy
        c = self.sample_labels(m) if self.num_classes else None
        fake = self.synthesis()(self.mixed_ws(m, c), training=True)
        with tf.GradientTape() as tape:
            real_out, fake_out = self.D(x, y), self.D(fake, c)
            d_loss = self.d_loss_fn(real_out, fake_out)
            if self.r1_gamma and self.r1_interval <= 1:
                r1 = self.r1_penalty(x, y)
                d_loss += r1
        self.apply_gradients(self.d_optimizer, d_loss, tape, D_vars)
        # augment.ada: p follows E[sign(D(x))], every ada.interval minibatches as the official
        self.adapt_augmentation(real_out, step=self.minibatches + 1)
        self.log(d_loss=d_loss, **self.d_outputs(real_out, fake_out))
        if self.r1_gamma and self.r1_interval <= 1:
            self.log(r1=r1)

        if self.r1_gamma and self.r1_interval > 1:  # Dreg: interval · γ/2 E‖∇D(x)‖², lazy
            def r1_update():
                with tf.GradientTape() as tape:
                    r1 = self.r1_penalty(x, y)
                    loss = r1 * self.r1_interval
                self.apply_gradients(self.d_optimizer, loss, tape, D_vars, unconnected=True)
                self.log(r1=r1)
            run_every(self.minibatches, self.r1_interval, r1_update)

        self.minibatches.assign_add(1.0)
        self.update_ema(self.ema_beta(m))
        return self.step_logs()

    @property
    def train_steps(self):
        """Minibatches trained so far across ``fit`` calls (the lazy R1 steps are extra D
        updates, so D's iteration count is not it)."""
        return int(self.minibatches.numpy())

    def ema_beta(self, m):
        """The EMA decay of one minibatch: 0.5 ** (batch / half-life), the half-life in images
        limited to ``ema.ramp`` × the images seen (the official ``ema_kimg``, ``ema_rampup``)."""
        batch = tf.cast(m * replicas_in_sync(), tf.float32)
        half_life = tf.constant(self.ema_half_life)
        if self.ema_ramp is not None:
            half_life = tf.minimum(half_life, self.minibatches * batch * self.ema_ramp)
        return tf.pow(0.5, batch / tf.maximum(half_life, 1e-8))

    # ------------------------------------------------------------------ sampling

    def latent_numpy(self, n, seed=None, truncation=None):
        """z's as NumPy (StyleGAN2 truncates in W, not z: ``truncation`` is ignored here)."""
        return super().latent_numpy(n, seed)

    def w_of(self, z, labels=None, truncation=None, batch_size=256):
        """w's of the sampling (EMA) mapping network for z's (and labels), truncated towards
        w̄ with ψ = ``truncation``; NumPy (n, w_dim)."""
        z = np.asarray(z, np.float32)
        if z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(f"z must have shape (n, {self.latent_dim}), got {z.shape}.")
        labels = self._check_labels(labels, len(z))
        mapping, out = self.mapping(sampling=True), []
        for i in range(0, len(z), batch_size):
            inputs = tf.constant(z[i:i + batch_size])
            if labels is not None:
                inputs = [inputs, tf.constant(labels[i:i + batch_size])]
            out.append(keras.ops.convert_to_numpy(mapping(inputs, training=False)))
        w = np.concatenate(out) if out else np.zeros((0, self.w_dim), np.float32)
        if truncation is not None:
            if not truncation >= 0:
                raise ValueError(f"truncation must be ψ >= 0 (1 for none), got {truncation!r}.")
            avg = keras.ops.convert_to_numpy(self.truncation_layer(sampling=True).w_avg)
            w = avg + truncation * (w - avg)
        return w.astype(np.float32)

    def synthesize(self, ws, noise="const", batch_size=256):
        """Images from w's: (n, w_dim) (one w for every layer) or (n, num_ws, w_dim), with the
        sampling synthesis network; ``noise`` ``"const"`` (the fixed buffers) or ``"random"``.
        NumPy in [-1, 1]."""
        if noise not in ("const", "random"):
            raise ValueError(f"noise must be 'const' or 'random', got {noise!r}.")
        ws = np.asarray(ws, np.float32)
        if ws.ndim == 2:
            ws = np.repeat(ws[:, None], self.num_ws, axis=1)
        if ws.ndim != 3 or ws.shape[1:] != (self.num_ws, self.w_dim):
            raise ValueError(f"w's must have shape (n, {self.w_dim}) or (n, {self.num_ws}, "
                             f"{self.w_dim}), got {ws.shape}.")
        synthesis, out = self.synthesis(sampling=True), []
        for i in range(0, len(ws), batch_size):
            # training=True only switches the noise layers to random draws: no BatchNorm or
            # dropout in StyleGAN2's synthesis network
            images = synthesis(tf.constant(ws[i:i + batch_size]), training=noise == "random")
            out.append(np.clip(keras.ops.convert_to_numpy(images), -1.0, 1.0))
        empty = np.zeros((0,) + self.data_shape, np.float32)
        return np.concatenate(out).astype(np.float32) if out else empty

    def generate(self, n=None, z=None, seed=None, labels=None, batch_size=256, truncation=None,
                 noise="const"):
        """Generate images with the EMA generator.

        Args:
            n: how many (default 64); ignored when ``z`` is given.
            z: optional latents (n, latent_dim).
            seed: seed of z, so equal seeds give equal images.
            labels: classes (conditional models; default 0, 1, ..., C-1 repeated).
            batch_size: images per forward pass.
            truncation: ψ of the truncation trick in W (Karras et al. 2019, §3.1):
                w̄ + ψ (w − w̄); 0 gives w̄'s image, 1 (or None) none.
            noise: ``"const"`` (fixed noise buffers: equal z, equal images) or ``"random"``.

        Returns:
            float32 NumPy array (n, H, W, C) in [-1, 1].
        """
        if z is None:
            if n is None:
                n = 64 if labels is None else len(labels)
            z = self.latent_numpy(int(n), seed)
        return self.synthesize(self.w_of(z, labels, truncation, batch_size), noise, batch_size)

    def style_mix(self, rows=4, cols=4, seed=0, crossover=None, truncation=None, labels=None):
        """A style-mixing grid (Karras et al. 2019, Fig. 3): image [i, j] takes row i's w for
        the layers before ``crossover`` (coarse styles: pose, shape) and column j's w from it
        on (finer styles).

        Args:
            rows, cols: how many row and column sources.
            seed: seed of their z's.
            crossover: first layer taking the column's w (default num_ws // 2).
            truncation: ψ applied to both.
            labels: one class for every image (conditional models; default class 0).

        Returns:
            (rows, cols, H, W, C) NumPy images; :meth:`generate` with the same ``seed`` and
            ``n = rows + cols`` gives the sources (rows first).
        """
        crossover = self.num_ws // 2 if crossover is None else int(crossover)
        if not 0 <= crossover <= self.num_ws:
            raise ValueError(f"crossover must be in [0, {self.num_ws}], got {crossover}.")
        z = self.latent_numpy(rows + cols, seed)
        label = None if not self.num_classes else [0 if labels is None else int(labels)] * len(z)
        w = self.w_of(z, label, truncation)
        row_w, col_w = w[:rows], w[rows:]
        ws = np.empty((rows, cols, self.num_ws, self.w_dim), np.float32)
        ws[:, :, :crossover] = row_w[:, None, None]
        ws[:, :, crossover:] = col_w[None, :, None]
        images = self.synthesize(ws.reshape(rows * cols, self.num_ws, self.w_dim))
        return images.reshape((rows, cols) + self.data_shape)

    def interpolate_w(self, z_a, z_b, steps=8, labels=None, truncation=None):
        """Images along the straight line from w(z_a) to w(z_b) (interpolation in W, where
        StyleGAN's paths are linear; Karras et al. 2019, §4.2). ``z_a``, ``z_b``: (latent_dim,)
        each; returns (steps, H, W, C)."""
        z = np.stack([np.asarray(z_a, np.float32), np.asarray(z_b, np.float32)])
        label = None if not self.num_classes else [0 if labels is None else int(labels)] * 2
        w = self.w_of(z, label, truncation)
        t = np.linspace(0.0, 1.0, steps, dtype=np.float32)[:, None]
        return self.synthesize(w[0] + t * (w[1] - w[0]))

    def export_network(self, truncation=None, latent="z"):
        """The sampling generator as one ``keras.Model`` (sharing the EMA generator's weights),
        what :func:`ganzoo.export.export_generator` writes: z (or [z, label]) -> images with
        the truncation ψ fixed, or (``latent="w"``) w -> images, one w for every layer."""
        if latent == "w":
            return compose_synthesis(self.synthesis(sampling=True),
                                     name=f"{self.sampling_generator.name}_from_w")
        if truncation is None or truncation == 1.0:
            return self.sampling_generator
        avg = self.truncation_layer(sampling=True)
        truncate = TruncateW(self.w_dim, float(truncation), name="truncation")
        truncate.w_avg.assign(avg.w_avg)
        return compose_generator(self.mapping(sampling=True), self.synthesis(sampling=True),
                                 truncate, name=self.sampling_generator.name)

    # ------------------------------------------------------------------ card

    @classmethod
    def objective_notes(cls, config):
        loss = config["loss"]
        notes = []
        if loss["r1_gamma"]:
            lazy = loss["r1_interval"] > 1
            notes.append(
                f"D's loss adds the R1 penalty $\\frac{{\\gamma}}{{2}}\\,\\mathbb{{E}}_x\\|"
                f"\\nabla_x D(x)\\|^2$ with γ = {loss['r1_gamma']:g}"
                + (f", every {loss['r1_interval']} minibatches and multiplied by "
                   f"{loss['r1_interval']} (lazy regularisation, §3.1; D's learning rate and "
                   "Adam β's adjusted by c = interval / (interval + 1) as the official code)"
                   if lazy else "") + ".")
        if loss["style_mixing_prob"]:
            notes.append(f"Style mixing: with probability {loss['style_mixing_prob']:g} a "
                         "batch takes a second w from a crossover layer drawn per batch.")
        if loss["pl_weight"]:
            notes.append(f"Path-length regularisation (§3.2), weight {loss['pl_weight']:g}, "
                         f"every {loss['pl_interval']} minibatches.")
        return " ".join(notes)

    @classmethod
    def card_objective(cls, config):
        ema = config["ema"]
        return cls.card_loss(config) + (
            "Each minibatch, as the official StyleGAN2-ADA training loop: one G update on "
            "fresh z (and labels), then one D update on the real batch and fresh generated "
            "images, the lazy regularisers on their minibatches"
            + (f", then the EMA generator (half-life {ema['half_life_images']:,} images"
               + (f", at most {ema['ramp']:g} × the images seen" if ema["ramp"] else "")
               + ")" if ema["enabled"] else "") + ". " + cls.CARD_LOSS_MEANS)
