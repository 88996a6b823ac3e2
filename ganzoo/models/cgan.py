"""Conditional GAN: Mirza & Osindero 2014, "Conditional Generative Adversarial Nets",
here with DCGAN networks; optional AC-GAN (Odena et al. 2017) and C+1-class
(Salimans et al. 2016) discriminator heads."""

import keras
import tensorflow as tf

from ganzoo import config as config_lib
from ganzoo.models.base import GAN
from ganzoo.registry import register

HEADS = ("label_input", "acgan", "c_plus_1")


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

    @classmethod
    def config_checks(cls):
        checks = super().config_checks()
        checks["conditioning.head"] = config_lib.one_of(*HEADS)
        checks["conditioning.class_weight"] = config_lib.positive_number()
        return checks

    @classmethod
    def validate_config(cls, config):
        super().validate_config(config)
        head, loss = config["conditioning"]["head"], config["loss"]["name"]
        if head == "c_plus_1" and loss != "non_saturating":
            raise config_lib.ConfigError(
                "conditioning.head='c_plus_1' trains with its own softmax cross-entropy; "
                f"loss.name must stay 'non_saturating', got {config['loss']['name']!r}.")

    def discriminator_heads(self):
        if self.head == "label_input":
            return {"label_input": True}
        if self.head == "acgan":
            return {"aux_classes": self.num_classes}
        return {"outputs": self.num_classes + 1}

    def generator_inputs(self, z, labels):
        return [z, labels]

    def discriminator_inputs(self, images, labels):
        return [images, labels] if self.head == "label_input" else images

    def sample_labels(self, batch_size, real_labels):
        return self.per_replica(
            lambda shape: keras.random.randint(shape, 0, self.num_classes,
                                               seed=self.seed_generator, dtype="int32"),
            batch_size)

    # -------------------------------------------------------------- losses per head

    def d_loss_from(self, real_out, fake_out, real, fake, real_labels=None, fake_labels=None):
        if self.head == "label_input":
            return super().d_loss_from(real_out, fake_out, real, fake, real_labels, fake_labels)
        if self.head == "acgan":
            (real_logit, real_cls), (fake_logit, fake_cls) = real_out, fake_out
            adversarial = self.d_loss_fn(real_logit, fake_logit, **self._d_loss_kwargs())
            classes = _ce(real_labels, real_cls) + _ce(fake_labels, fake_cls)
            loss = adversarial + self.config["conditioning"]["class_weight"] * classes
            logs = self.discriminator_outputs(real_logit, fake_logit)
        else:  # c_plus_1: class C is "generated"
            fake_class = tf.fill(tf.shape(fake_labels), self.num_classes)
            loss = _ce(real_labels, real_out) + _ce(fake_class, fake_out)
            real_cls = real_out[:, :self.num_classes]
            logs = {"d_real": tf.reduce_mean(1.0 - tf.nn.softmax(real_out)[:, -1]),
                    "d_fake": tf.reduce_mean(1.0 - tf.nn.softmax(fake_out)[:, -1])}
        acc = tf.reduce_mean(tf.cast(
            tf.equal(tf.argmax(real_cls, -1, output_type=tf.int32), real_labels), tf.float32))
        return loss, {"d_loss": loss, "class_acc": acc, **logs}

    def g_loss_from(self, out, labels=None):
        if self.head == "label_input":
            return super().g_loss_from(out, labels)
        if self.head == "acgan":
            logit, cls = out
            loss = self.g_loss_fn(logit) + self.config["conditioning"]["class_weight"] * \
                _ce(labels, cls)
        else:
            loss = _ce(labels, out)
        return loss, {"g_loss": loss}


def _ce(labels, logits):
    return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=tf.cast(labels, tf.int32), logits=logits))
