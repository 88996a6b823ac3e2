"""BigGAN's generator and discriminator (Brock, Donahue & Simonyan 2019, "Large Scale GAN
Training for High Fidelity Natural Image Synthesis", arXiv:1809.11096), the networks of the
``biggan`` generator and discriminator types.

Both are the residual networks of SNGAN (:mod:`ganzoo.resnets`, whose blocks they reuse) with
what BigGAN adds (§3, §4 and Appendix B):

- **class-conditional BatchNorm** in every generator block: BatchNorm without its own affine
  part, then per-sample gains (centred at 1) and biases, linear in a condition vector;
- a **shared class embedding** (one ``Embedding`` for all blocks rather than one per layer) and
  a **hierarchical latent**: z is split into one chunk for the first dense layer and one per
  block, each block conditioned on [embedding, its chunk];
- a **self-attention** block (Zhang et al. 2019) after the block at the resolution
  ``attention`` in G and in D;
- **spectral normalization** in both networks (every convolution and dense layer, the BatchNorm
  gain/bias layers and D's class embedding);
- a **projection discriminator** (Miyato & Koyama 2018, eq. 3): D(x, y) = ψ(φ(x)) + ⟨embed(y),
  φ(x)⟩, φ the globally sum-pooled features, ψ a linear layer.

Widths default to the authors' CIFAR-10 architecture (ajbrock/BigGAN-PyTorch, ``G_arch[32]`` and
``D_arch[32]`` at ch = 64: 256 channels in every block, D pooling in its first two blocks only),
initialised N(0, 0.02) as their CIFAR script (``--G_init N02 --D_init N02``).
"""

import keras
from keras import layers

from ganzoo.blocks import spectral, synced_batch_norm, upsampling_plan
from ganzoo.layers import Attention2D, LatentChunks, ScaledResidual, ScaleShift
from ganzoo.resnets import down_block, up_block


def _normal(std):
    return keras.initializers.RandomNormal(stddev=std)


def conditional_batch_norm(x, condition, name, spectral_norm=True, init_std=0.02):
    """Class-conditional BatchNorm (BigGAN §3; de Vries et al. 2017): BatchNorm without a learned
    scale or offset, then ``h * (1 + gain(c)) + bias(c)`` with gain and bias linear (no bias
    term, spectrally normalised) in the condition vector ``c``.

    Args:
        x: feature maps (N, H, W, C).
        condition: (N, K) condition vectors (the shared class embedding joined to a z chunk).
        name: prefix of the layers' names.
        spectral_norm: wrap the gain and bias layers in spectral normalization.
        init_std: standard deviation of their N(0, std) initialisation.

    Returns:
        The normalised and modulated maps, shaped like ``x``.
    """
    channels = x.shape[-1]
    h = synced_batch_norm(name, center=False, scale=False, momentum=0.9, epsilon=1e-5)(x)
    gain = spectral(layers.Dense(channels, use_bias=False, kernel_initializer=_normal(init_std),
                                 name=f"{name}_gain"), spectral_norm)(condition)
    bias = spectral(layers.Dense(channels, use_bias=False, kernel_initializer=_normal(init_std),
                                 name=f"{name}_bias"), spectral_norm)(condition)
    return ScaleShift(name=f"{name}_scale_shift")([h, gain, bias])


def self_attention(x, name, spectral_norm=True, init_std=0.02):
    """A self-attention block (Zhang et al. 2019, §3, as the BigGAN authors' code): 1x1
    convolutions to queries θ (C/8), keys φ (C/8) and values g (C/2), keys and values max-pooled
    2x2, attention softmax(θφᵀ)g (:class:`ganzoo.layers.Attention2D`), a 1x1 convolution back
    to C channels, and ``x + γ·o`` with γ learned from 0 (:class:`ganzoo.layers.ScaledResidual`).
    """
    channels = x.shape[-1]

    def conv(filters, conv_name):
        return spectral(layers.Conv2D(filters, 1, use_bias=False,
                                      kernel_initializer=_normal(init_std),
                                      name=f"{name}_{conv_name}"), spectral_norm)

    theta = conv(max(channels // 8, 1), "theta")(x)
    phi = layers.MaxPooling2D(2, name=f"{name}_phi_pool")(conv(max(channels // 8, 1), "phi")(x))
    g = layers.MaxPooling2D(2, name=f"{name}_g_pool")(conv(max(channels // 2, 1), "g")(x))
    o = conv(channels, "out")(Attention2D(name=f"{name}_attend")([theta, phi, g]))
    return ScaledResidual(name=f"{name}_residual")([x, o])


def _widths(widths, filters, blocks, what):
    widths = list(widths) or [filters] * blocks
    if len(widths) != blocks:
        raise ValueError(f"{what}.widths has {len(widths)} entries; this image size needs "
                         f"{blocks} (or [] for filters in every block).")
    return widths


def biggan_generator(data_shape, latent_dim, num_classes=None, filters=256, widths=(),
                     shared_dim=128, hierarchical=True, attention=16, spectral_norm=True,
                     init_std=0.02, name="generator"):
    """BigGAN's generator (Brock et al. 2019; the authors' ``G_arch``), class-conditional.

    [z, label] -> shared embedding of the label; z split into ``stages + 1`` chunks
    (``hierarchical``) -> dense layer of the first chunk to a ``widths[0]``-channel base grid ->
    one residual up-sampling block per stride-2 stage (:func:`ganzoo.resnets.up_block` with
    :func:`conditional_batch_norm` on [embedding, the block's chunk]), a self-attention block
    after the block that reaches ``attention`` pixels -> BatchNorm -> ReLU -> 3x3 convolution ->
    tanh.

    Args:
        data_shape: (H, W, C) of the output.
        latent_dim: size of z (split evenly when ``hierarchical``).
        num_classes: number of classes (required: BigGAN is class-conditional).
        filters: channels of every block when ``widths`` is empty (the authors' 4 x ch = 256
            at 32x32).
        widths: channels of the base grid and of each block's output, ``stages + 1`` entries
            (e.g. the authors' 64x64 ``[1024, 1024, 512, 256, 128]``); empty for ``filters``.
        shared_dim: size of the shared class embedding.
        hierarchical: split z across the dense layer and the blocks (§4); otherwise z feeds the
            dense layer only and the blocks see the embedding alone.
        attention: resolution (pixels) after which the self-attention block sits; 0 for none.
        spectral_norm: spectral normalization in every convolution and dense layer (§4).
        init_std: N(0, std) initialisation of every layer.
        name: model name.

    Returns:
        A ``keras.Model`` mapping ``[z (batch, latent_dim), label (batch,) int32]`` to images
        in [-1, 1].

    Example:

    ```python
    g = ganzoo.biggan_nets.biggan_generator((32, 32, 3), latent_dim=128, num_classes=10)
    g.input_shape                   # [(None, 128), (None,)]
    ```
    """
    if not num_classes:
        raise ValueError("The BigGAN generator is class-conditional: give num_classes.")
    stages, bh, bw = upsampling_plan(data_shape)
    widths = _widths(widths, filters, stages + 1, "generator")
    if hierarchical and latent_dim % (stages + 1):
        raise ValueError(f"A hierarchical latent splits z into {stages + 1} equal chunks at "
                         f"{data_shape[0]}x{data_shape[1]}; latent_dim {latent_dim} is not a "
                         f"multiple of {stages + 1}. Use e.g. latent_dim "
                         f"{(latent_dim // (stages + 1) + 1) * (stages + 1)}.")
    init = _normal(init_std)
    z = keras.Input((latent_dim,), name="z")
    label = keras.Input((), dtype="int32", name="label")
    shared = layers.Embedding(num_classes, shared_dim, embeddings_initializer=init,
                              name="shared_embedding")(label)
    if hierarchical:
        chunks = LatentChunks(stages + 1, name="z_chunks")(z)
        first = chunks[0]
        conditions = [layers.Concatenate(name=f"condition{i + 1}")([shared, chunk])
                      for i, chunk in enumerate(chunks[1:])]
    else:
        first, conditions = z, [shared] * stages
    x = spectral(layers.Dense(bh * bw * widths[0], kernel_initializer=init, name="project"),
                 spectral_norm)(first)
    x = layers.Reshape((bh, bw, widths[0]), name="to_grid")(x)
    for i in range(stages):
        def norm(h, bn_name, c=conditions[i]):
            return conditional_batch_norm(h, c, bn_name, spectral_norm, init_std)
        x = up_block(x, widths[i + 1], f"block{i + 1}", norm=norm, spectral_norm=spectral_norm,
                     init=init)
        if attention and x.shape[1] == attention:
            x = self_attention(x, f"attention{x.shape[1]}", spectral_norm, init_std)
    x = synced_batch_norm("out_bn", momentum=0.9, epsilon=1e-5)(x)
    x = layers.ReLU(name="out_relu")(x)
    x = spectral(layers.Conv2D(data_shape[2], 3, padding="same", kernel_initializer=init,
                               name="to_image"), spectral_norm)(x)
    out = layers.Activation("tanh", dtype="float32", name="tanh")(x)
    return keras.Model([z, label], out, name=name)


def biggan_discriminator(data_shape, num_classes=None, filters=256, widths=(), pooled=None,
                         attention=16, spectral_norm=True, init_std=0.02, name="discriminator"):
    """BigGAN's projection discriminator (Brock et al. 2019, the authors' ``D_arch``; Miyato &
    Koyama 2018).

    Residual down-sampling blocks (:func:`ganzoo.resnets.down_block`: the first "optimized",
    the first ``pooled`` of them halving the resolution), a self-attention block after the
    block that reaches ``attention`` pixels, ReLU, a global sum over positions giving φ(x), and

        D(x, y) = ψ(φ(x)) + ⟨embed(y), φ(x)⟩

    with ψ a linear layer and embed a (spectrally normalised) class embedding, written as a
    dense layer without bias on the one-hot label.

    Args:
        data_shape: (H, W, C) of the input.
        num_classes: number of classes (required).
        filters: channels of every block when ``widths`` is empty.
        widths: output channels of each block (e.g. the authors' 64x64
            ``[64, 128, 256, 512, 1024]``); empty for four blocks of ``filters``.
        pooled: how many leading blocks halve the resolution (null: one fewer than the
            generator's stride-2 stages, the authors' 32x32 plan: 32 -> 16 -> 8, then two
            blocks at 8x8).
        attention: resolution after which the self-attention block sits; 0 for none.
        spectral_norm: spectral normalization in every layer, the embedding included.
        init_std: N(0, std) initialisation.
        name: model name.

    Returns:
        A ``keras.Model`` mapping ``[images, label]`` to one logit per image.
    """
    if not num_classes:
        raise ValueError("The BigGAN discriminator is a projection discriminator: give "
                         "num_classes.")
    stages, _, _ = upsampling_plan(data_shape)
    widths = _widths(widths, filters, len(widths) or 4, "discriminator")
    pooled = max(stages - 1, 1) if pooled is None else int(pooled)
    if not 1 <= pooled <= min(len(widths), stages):
        raise ValueError(f"discriminator.pooled={pooled}: between 1 and "
                         f"{min(len(widths), stages)} blocks can halve a "
                         f"{data_shape[0]}x{data_shape[1]} image with {len(widths)} blocks.")
    init = _normal(init_std)
    x_in = keras.Input(tuple(data_shape), name="data")
    label = keras.Input((), dtype="int32", name="label")
    x, attended = x_in, False
    for i, width in enumerate(widths):
        x = down_block(x, width, f"block{i + 1}", spectral_norm, downsample=i < pooled,
                       first=i == 0, init=init)
        if attention and x.shape[1] == attention and not attended:  # once, after the first
            x = self_attention(x, f"attention{attention}", spectral_norm, init_std)
            attended = True
    x = layers.ReLU(name="out_relu")(x)
    h, w = x.shape[1], x.shape[2]
    x = layers.GlobalAveragePooling2D(name="pool")(x)
    features = layers.Rescaling(float(h * w), name="sum_pool")(x)   # φ(x): a global sum
    psi = spectral(layers.Dense(1, kernel_initializer=init, dtype="float32", name="logit"),
                   spectral_norm)(features)
    onehot = layers.CategoryEncoding(num_classes, output_mode="one_hot", name="label_onehot")(label)
    embed = spectral(layers.Dense(widths[-1], use_bias=False, kernel_initializer=init,
                                  dtype="float32", name="class_embedding"), spectral_norm)(onehot)
    projection = layers.Dot(axes=1, dtype="float32", name="projection")([embed, features])
    out = layers.Add(dtype="float32", name="projection_logit")([psi, projection])
    return keras.Model([x_in, label], out, name=name)

