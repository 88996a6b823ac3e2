"""BigGAN: Brock, Donahue & Simonyan 2019, "Large Scale GAN Training for High Fidelity Natural
Image Synthesis" (ICLR 2019, arXiv:1809.11096), at 32x32 following the authors' CIFAR-10
configuration (ajbrock/BigGAN-PyTorch, ``scripts/launch_cifar_ema.sh``)."""

import tensorflow as tf

from ganzoo import blocks, losses, schema
from ganzoo import config as config_lib
from ganzoo.models.base import GAN, NOISE_SCHEMA, unpack
from ganzoo.registry import register
from ganzoo.schema import Key

#: BigGAN's keys: the noise-to-sample keys, the classes and the orthogonal regularisation
BIGGAN_SCHEMA = schema.extend(
    NOISE_SCHEMA,
    num_classes=Key(10, schema.positive_int(), "number of classes; labels are 0 .. C-1"),
    loss={**NOISE_SCHEMA["loss"],
          "orthogonal_reg": Key(1e-4, schema.number_in(0.0, 1.0),
                                "β of the orthogonal regularisation of G's kernels, "
                                "β‖WᵀW ⊙ (1 − I)‖²_F (Brock et al. 2019, §3.1); 0 for none")})


@register("biggan")
class BigGAN(GAN):
    """Class-conditional BigGAN (Brock et al. 2019) at 32x32.

    G: SNGAN's residual generator with class-conditional BatchNorm fed by a shared class
    embedding and a hierarchical latent (z split between the first layer and every block),
    a self-attention block and spectral normalization; D: the residual projection
    discriminator (Miyato & Koyama 2018) with self-attention and spectral normalization
    (:mod:`ganzoo.biggan_nets`). Hinge loss; 4 D updates per G update, Adam(2e-4, β = (0,
    0.999)) for both, batch 50 and N(0, 0.02) initialisation as the authors' CIFAR-10 script;
    orthogonal regularisation of G (β = 1e-4, §3.1) and an EMA generator (decay 0.9999) for
    sampling. ``generate(..., truncation=ψ)`` is the paper's truncation trick (§3.1: entries of
    z above ψ in magnitude are drawn again). ``config="rgb64"`` gives the authors' 64x64 widths.

    Data are ``(images, labels)`` with integer labels in [0, num_classes).

    Example:

    ```python
    gan = ganzoo.build("biggan")                    # 32x32 colour, 10 classes
    gan.fit(images, labels, epochs=1)
    cats = gan.generate(16, labels=[3] * 16, truncation=0.5, seed=0)
    ```
    """

    paper = ('Brock, Donahue & Simonyan 2019, "Large Scale GAN Training for High Fidelity '
             'Natural Image Synthesis", ICLR 2019, arXiv:1809.11096')
    task = 'class-conditional image generation'
    config_schema = BIGGAN_SCHEMA
    metric_names = GAN.metric_names + ("ortho",)

    @classmethod
    def validate_config(cls, config):
        super().validate_config(config)
        cls.require_networks(config, "biggan", "class-conditional BatchNorm in G, a projection "
                             "of the label in D; use 'cgan' for other networks")
        if config["training"].get("reuse_fakes"):
            raise config_lib.ConfigError(
                "biggan: training.reuse_fakes does not apply: G updates on fresh z and labels "
                "after every d_steps D updates, as the authors' code; set it to false.")
        stages = blocks.upsampling_plan(config["data_shape"])[0]
        g = config["generator"]
        if g["hierarchical"] and config["latent_dim"] % (stages + 1):
            k = stages + 1
            raise config_lib.ConfigError(
                f"biggan: generator.hierarchical splits z into {k} equal chunks at "
                f"{config['data_shape'][0]}x{config['data_shape'][1]} (the first layer and "
                f"{stages} blocks), but latent_dim {config['latent_dim']} is not a multiple of "
                f"{k}; set latent_dim to {(config['latent_dim'] // k + 1) * k}, or "
                "generator.hierarchical: false.")
        if g["widths"] and len(g["widths"]) != stages + 1:
            raise config_lib.ConfigError(
                f"biggan: generator.widths has {len(g['widths'])} entries; "
                f"{config['data_shape'][0]}x{config['data_shape'][1]} images need {stages + 1} "
                "(the base grid and each block), or [] for filters in every block.")

    def build_networks(self):
        super().build_networks()
        self.orthogonal_beta = float(self.config["loss"]["orthogonal_reg"])
        # every kernel of G (dense, convolution, attention, BatchNorm gain/bias), not the
        # shared embedding: the authors' code leaves it out of the regularisation
        self.ortho_kernels = [v for v in self.generator.trainable_variables
                              if v.path.endswith("kernel")]

    @classmethod
    def objective_notes(cls, config):
        beta = config["loss"]["orthogonal_reg"]
        return (
            "D is a projection discriminator (Miyato & Koyama 2018): D(x, y) = ψ(φ(x)) + "
            "⟨embed(y), φ(x)⟩. Every layer of both networks is spectrally normalised "
            "(`keras.layers.SpectralNormalization`). "
            + (f"G's loss adds the orthogonal regularisation "
               f"$\\beta \\sum_W \\|W^\\top W \\odot (1 - I)\\|_F^2$ with β = {beta:g} over its "
               "kernels (§3.1; the shared embedding left out, as the authors' code)."
               if beta else "No orthogonal regularisation (`loss.orthogonal_reg: 0`)."))

    def train_step(self, data):
        """One D update of the authors' ``train_fns.GAN_training_function``: D on a real
        (x, y) batch and G(z, ỹ) for uniformly drawn ỹ; after every ``training.d_steps``-th D
        update, G on fresh z and ỹ, its hinge loss plus the orthogonal regularisation, then
        the EMA generator."""
        x, y = unpack(data)
        m = tf.shape(x)[0]
        D_vars, G_vars = self.discriminator.trainable_variables, self.generator.trainable_variables
        # D: hinge on D(x, y) (real) and D(G(z, ỹ), ỹ) (generated)
        y_fake = self.sample_labels(m)
        fake = self.G(self.sample_noise(m), y_fake)
        with tf.GradientTape() as tape:
            real_out, fake_out = self.D(x, y), self.D(fake, y_fake)
            d_loss = self.d_loss_fn(real_out, fake_out)
        self.apply_gradients(self.d_optimizer, d_loss, tape, D_vars)
        self.adapt_augmentation(real_out)  # augment.ada: p follows E[sign(D(x))]
        self.log(d_loss=d_loss, **self.d_outputs(real_out, fake_out))

        def generator_update():  # -D(G(z, ỹ), ỹ) + β Σ‖WᵀW ⊙ (1 − I)‖²
            y_new = self.sample_labels(m)
            with tf.GradientTape() as tape:
                g_loss = self.g_loss_fn(self.D(self.G(self.sample_noise(m), y_new), y_new))
                ortho = losses.orthogonal_regularization(self.ortho_kernels, self.orthogonal_beta) \
                    if self.orthogonal_beta else tf.constant(0.0)
                total = g_loss + ortho
            self.apply_gradients(self.g_optimizer, total, tape, G_vars)
            self.update_ema()
            self.log(g_loss=g_loss, ortho=ortho)

        self.every_k_d_steps(generator_update)  # after every k-th D update
        return self.step_logs()
