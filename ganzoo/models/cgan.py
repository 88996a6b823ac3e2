"""Conditional GAN: Mirza & Osindero 2014, "Conditional Generative Adversarial Nets",
here with DCGAN networks; optional AC-GAN (Odena et al. 2017) and C+1-class
(Salimans et al. 2016) discriminator heads."""

import tensorflow as tf

from ganzoo import config as config_lib
from ganzoo import losses, schema
from ganzoo.models.base import NOISE_SCHEMA, GAN, unpack
from ganzoo.registry import register
from ganzoo.schema import Key

#: cGAN's keys: the noise-to-sample keys, the number of classes and the conditioning head
CGAN_SCHEMA = schema.extend(
    NOISE_SCHEMA,
    num_classes=Key(10, schema.positive_int(), "number of classes; labels are 0 .. C-1"),
    conditioning={
        "head": Key("label_input", schema.one_of("label_input", "acgan", "c_plus_1"),
                    "how D sees the label: label_input (Mirza & Osindero), acgan (Odena et "
                    "al.) or c_plus_1 (Salimans et al.)"),
        "class_weight": Key(1.0, schema.positive_number(),
                            "weight of the class cross-entropy (acgan, c_plus_1)")})


@register("cgan")
class ConditionalGAN(GAN):
    """Class-conditional GAN (Mirza & Osindero 2014), convolutional.

    The label enters G as a one-hot vector joined to z. How it enters D is
    ``conditioning.head``:

    - ``label_input`` (Mirza & Osindero): D sees one-hot label maps joined to
      the image as channels and outputs one real/fake logit.
    - ``acgan`` (Odena et al. 2017, AC-GAN): D does not see the label; it
      outputs a real/fake logit and class logits. D minimises the adversarial
      loss plus the class cross-entropy on real and generated images; G the
      adversarial loss plus the class cross-entropy of its samples.
    - ``c_plus_1`` (Salimans et al. 2016, §5): D outputs C + 1 logits, class C
      meaning "generated"; D learns real images as their class and samples as
      class C; G wants its samples classified as the class it was asked for.

    Data are ``(images, labels)`` with integer labels in [0, num_classes).
    Generated labels are drawn uniformly. Logs ``class_acc`` (D's accuracy on
    real labels) for the classifying heads.

    Example:

    ```python
    gan = ganzoo.build("cgan")
    gan.fit(ganzoo.datasets.load("digits"), epochs=5)
    sevens = gan.generate(16, labels=[7] * 16, seed=0)
    ```
    """

    paper = ('Mirza & Osindero 2014, "Conditional Generative Adversarial Nets", arXiv:1411.1784')
    task = 'class-conditional image generation'

    @property
    def metric_names(self):
        names = GAN.metric_names
        return names + ("class_acc",) if self.head != "label_input" else names

    @property
    def head(self):
        return self.config["conditioning"]["head"]

    config_schema = CGAN_SCHEMA

    @classmethod
    def validate_config(cls, config):
        super().validate_config(config)
        head, loss = config["conditioning"]["head"], config["loss"]["name"]
        if head == "c_plus_1" and loss != "non_saturating":
            raise config_lib.ConfigError(
                "conditioning.head='c_plus_1' trains with its own softmax cross-entropy; "
                f"loss.name must stay 'non_saturating', got {config['loss']['name']!r}.")

    def build_networks(self):
        super().build_networks()
        self.class_weight = float(self.config["conditioning"]["class_weight"])

    @property
    def conditioning(self):
        """The conditioning head (:data:`HEADS`), chosen once by ``conditioning.head``."""
        return HEADS[self.head]

    def discriminator_heads(self):
        return HEADS[self.head].network_args(self.num_classes)

    def train_step(self, data):
        """Mirza & Osindero 2014: Goodfellow et al.'s Algorithm 1 (k = ``training.d_steps``) on
        (x, y) pairs, with G(z, ỹ) for uniformly drawn ỹ and y handed to D by the head."""
        x, y = unpack(data)
        m = tf.shape(x)[0]
        head = self.conditioning
        D_vars, G_vars = self.discriminator.trainable_variables, self.generator.trainable_variables
        if self.reuse_fakes:  # training.reuse_fakes: one G(z, ỹ) for both updates
            y_fake = self.sample_labels(m)
            with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
                fake = self.G(self.sample_noise(m), y_fake)
                real_out, fake_out = head.D(self, x, y), head.D(self, fake, y_fake)
                d_loss, outs = head.d_loss(self, real_out, fake_out, y, y_fake)
                g_loss = head.g_loss(self, fake_out, y_fake)
            self.apply_gradients(self.d_optimizer, d_loss, d_tape, D_vars)
            self.apply_gradients(self.g_optimizer, g_loss, g_tape, G_vars)
            self.update_ema()
            self.adapt_augmentation(head.realness(self, real_out))  # augment.ada
            return self.log(d_loss=d_loss, g_loss=g_loss, **outs)

        # D on real (x, y) and on G(z, ỹ), ỹ ~ U{0..C-1}
        y_fake = self.sample_labels(m)
        fake = self.G(self.sample_noise(m), y_fake)
        with tf.GradientTape() as tape:
            real_out, fake_out = head.D(self, x, y), head.D(self, fake, y_fake)
            d_loss, outs = head.d_loss(self, real_out, fake_out, y, y_fake)
        self.apply_gradients(self.d_optimizer, d_loss, tape, D_vars)
        self.adapt_augmentation(head.realness(self, real_out))  # augment.ada
        self.log(d_loss=d_loss, **outs)

        def generator_update():  # fresh z and ỹ; G wants D to take G(z, ỹ) for a real ỹ
            y_new = self.sample_labels(m)
            with tf.GradientTape() as tape:
                fake_out = head.D(self, self.G(self.sample_noise(m), y_new), y_new)
                g_loss = head.g_loss(self, fake_out, y_new)
            self.apply_gradients(self.g_optimizer, g_loss, tape, G_vars)
            self.update_ema()
            self.log(g_loss=g_loss)

        self.every_k_d_steps(generator_update)  # after every k-th discriminator update
        return self.step_logs()


def _accuracy(class_logits, labels):
    return tf.reduce_mean(tf.cast(
        tf.equal(tf.argmax(class_logits, -1, output_type=tf.int32), labels), tf.float32))


class LabelInput:
    """Mirza & Osindero 2014, §3.2: y joins D's input as one-hot channels; D gives one
    real/fake logit, trained with the config's adversarial loss."""

    @staticmethod
    def network_args(num_classes):
        return {"label_input": True}

    @staticmethod
    def D(gan, x, y):
        return gan.D(x, y)

    @staticmethod
    def realness(gan, out):  # D's logit (augment.ada's sign)
        return out

    @staticmethod
    def d_loss(gan, real_out, fake_out, y, y_fake):
        return gan.d_loss_fn(real_out, fake_out), gan.d_outputs(real_out, fake_out)

    @staticmethod
    def g_loss(gan, fake_out, y_fake):
        return gan.g_loss_fn(fake_out)


class ACGAN:
    """Odena et al. 2017: D sees only the image and outputs a real/fake logit and class logits;
    both players add the class cross-entropy (times ``conditioning.class_weight``)."""

    @staticmethod
    def network_args(num_classes):
        return {"aux_classes": num_classes}

    @staticmethod
    def D(gan, x, y):
        return gan.D(x)

    @staticmethod
    def realness(gan, out):  # the adversarial logit, not the class head
        return out[0]

    @staticmethod
    def d_loss(gan, real_out, fake_out, y, y_fake):
        (real_logit, real_cls), (fake_logit, fake_cls) = real_out, fake_out
        loss = gan.d_loss_fn(real_logit, fake_logit) + gan.class_weight * \
            losses.acgan_discriminator_loss(real_cls, fake_cls, y, y_fake)
        return loss, {"class_acc": _accuracy(real_cls, y),
                      **gan.d_outputs(real_logit, fake_logit)}

    @staticmethod
    def g_loss(gan, fake_out, y_fake):
        logit, cls = fake_out
        return gan.g_loss_fn(logit) + gan.class_weight * losses.acgan_generator_loss(cls, y_fake)


class CPlus1:
    """Salimans et al. 2016, §5: D outputs C + 1 logits (class C = "generated"); D learns real
    images as their class and samples as class C, G wants its samples taken as the class it
    was asked for."""

    @staticmethod
    def network_args(num_classes):
        return {"outputs": num_classes + 1}

    @staticmethod
    def D(gan, x, y):
        return gan.D(x)

    @staticmethod
    def realness(gan, out):  # log P(some real class) - log P(generated)
        return tf.reduce_logsumexp(out[:, :gan.num_classes], axis=-1) - out[:, -1]

    @staticmethod
    def d_loss(gan, real_out, fake_out, y, y_fake):
        loss = losses.c_plus_1_discriminator_loss(real_out, fake_out, y)
        p_real = lambda out: tf.reduce_mean(1.0 - tf.nn.softmax(out)[:, -1])  # noqa: E731
        return loss, {"class_acc": _accuracy(real_out[:, :gan.num_classes], y),
                      "d_real": p_real(real_out), "d_fake": p_real(fake_out)}

    @staticmethod
    def g_loss(gan, fake_out, y_fake):
        return losses.c_plus_1_generator_loss(fake_out, y_fake)


#: ``conditioning.head`` -> the head: how D sees y, and both players' losses
HEADS = {"label_input": LabelInput, "acgan": ACGAN, "c_plus_1": CPlus1}
