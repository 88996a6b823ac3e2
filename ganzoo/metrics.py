"""How good and how diverse a generator is: IS, FID, KID, precision/recall, memorisation, birthday.

Pure functions over NumPy arrays, computed in float64. Functions named after a distance between
two *feature* sets (:func:`frechet_distance`, :func:`kernel_inception_distance`,
:func:`precision_recall`) take features; :func:`fid`, :func:`kid` and the checks take images and a
judge (:class:`ganzoo.classifiers.Judge`). The default judge for 28x28x1 images is the MNIST
classifier ganzoo ships (test accuracy in its card), so every metric works offline there; other
sizes use InceptionV3, which needs its ImageNet weights (see
:func:`ganzoo.classifiers.inception_v3`).

Scores made with different judges are not comparable: reports name the judge.
"""

import math
import warnings

import numpy as np

from ganzoo import classifiers


# ----------------------------------------------------------------------------- helpers


def classifier_probs(images, classifier=None):
    """Class probabilities (N, C) of ``images`` from ``classifier`` or the default for their size.

    Example:

    ```python
    probs = ganzoo.metrics.classifier_probs(gan.generate(1000))   # (1000, 10) for digits
    ```
    """
    images = _as_images(images)
    return classifiers.as_judge(classifier, images.shape[1:]).probs(images)


def _as_images(images):
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4:
        raise ValueError(f"Expected images shaped (N, H, W, C); got {images.shape}.")
    if len(images) == 0:
        raise ValueError("No images given.")
    return images


def _features(images, extractor):
    images = _as_images(images)
    return classifiers.as_judge(extractor, images.shape[1:]).features(images)


def _check_features(a, name):
    a = np.asarray(a, np.float64)
    if a.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (samples, features); got shape {a.shape}.")
    if len(a) < 2:
        raise ValueError(f"{name} needs at least 2 samples; got {len(a)}.")
    if not np.isfinite(a).all():
        raise ValueError(f"{name} contains NaN or infinite values.")
    return a


def pairwise_distances(a, b, chunk=2048):
    """Euclidean distances (len(a), len(b)) in float64, computed in row chunks."""
    a = np.asarray(a, np.float64).reshape(len(a), -1)
    b = np.asarray(b, np.float64).reshape(len(b), -1)
    bb = (b * b).sum(1)
    out = np.empty((len(a), len(b)))
    for i in range(0, len(a), chunk):
        x = a[i:i + chunk]
        d2 = (x * x).sum(1)[:, None] + bb[None, :] - 2.0 * x @ b.T
        out[i:i + chunk] = np.sqrt(np.maximum(d2, 0.0))
    return out


def nearest(a, b, chunk=2048, exclude_self=False):
    """For each row of ``a``: ``(distance, index)`` of its nearest row in ``b``."""
    a = np.asarray(a, np.float64).reshape(len(a), -1)
    dist = np.empty(len(a))
    idx = np.empty(len(a), np.int64)
    for i in range(0, len(a), chunk):
        d = pairwise_distances(a[i:i + chunk], b)
        if exclude_self:
            d[np.arange(len(d)), np.arange(i, i + len(d))] = np.inf
        idx[i:i + chunk] = d.argmin(1)
        dist[i:i + chunk] = d[np.arange(len(d)), idx[i:i + chunk]]
    return dist, idx


# ----------------------------------------------------------------------------- Inception Score


def inception_score(images_or_probs, classifier=None, splits=10):
    """Inception Score, exp(E_x KL(p(y|x) || p(y))), per split (Salimans et al. 2016).

    Args:
        images_or_probs: a rank-2 array is taken as class probabilities (N, C); a rank-4 (or
            rank-3 greyscale) array as images in [-1, 1] or uint8, which go through
            ``classifier``.
        classifier: a :class:`~ganzoo.classifiers.Judge`, a Keras classifier or a judge name
            or folder (``"mnist"``, ``"cifar10"``, a ``ganzoo judge train`` folder); ``None``
            uses the default for the image size (the shipped MNIST classifier for 28x28x1) and
            warns that the shape alone chose it.
        splits: the samples are cut into this many equal parts; the score is computed on each.

    Returns:
        ``(mean, std)`` over the splits, as floats. 1 is the minimum (every prediction the same);
        C is the maximum for C classes (confident predictions, all classes used equally).

    Example:

    ```python
    mean, std = ganzoo.metrics.inception_score(gan.generate(10_000))
    ```
    """
    arr = np.asarray(images_or_probs)
    probs = arr.astype(np.float64) if arr.ndim == 2 else classifier_probs(arr, classifier)
    if probs.min() < -1e-6 or not np.allclose(probs.sum(1), 1.0, atol=1e-3):
        raise ValueError("Class probabilities must be non-negative rows that sum to 1; pass "
                         "softmax outputs, not logits.")
    splits = int(splits)
    if not 1 <= splits <= len(probs):
        raise ValueError(f"splits must be between 1 and the number of samples ({len(probs)}); "
                         f"got {splits}.")
    scores = []
    for part in np.array_split(probs, splits):
        marginal = part.mean(0, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(part > 0, part * (np.log(part) - np.log(marginal)), 0.0)
        scores.append(math.exp(terms.sum(1).mean()))
    return float(np.mean(scores)), float(np.std(scores))


# ----------------------------------------------------------------------------- FID


def feature_statistics(features):
    """``(mean, covariance)`` of features (N, D), float64, covariance with N - 1."""
    features = _check_features(features, "features")
    return features.mean(0), np.cov(features, rowvar=False)


def frechet_distance_from_statistics(mu1, sigma1, mu2, sigma2, eps=1e-6):
    """||mu1 - mu2||^2 + Tr(S1 + S2 - 2 (S1 S2)^(1/2)), the Fréchet distance of two Gaussians.

    Uses ``scipy.linalg.sqrtm``. When the product is singular (the root is not finite), ``eps``
    is added to both diagonals; tiny imaginary parts from round-off (|imag| < 1e-3 on the
    diagonal) are dropped, larger ones are an error, as in the reference TTUR code.
    """
    from scipy import linalg

    mu1, mu2 = np.atleast_1d(mu1).astype(np.float64), np.atleast_1d(mu2).astype(np.float64)
    sigma1 = np.atleast_2d(sigma1).astype(np.float64)
    sigma2 = np.atleast_2d(sigma2).astype(np.float64)
    if mu1.shape != mu2.shape or sigma1.shape != sigma2.shape:
        raise ValueError(f"Feature dimensions differ: {mu1.shape} vs {mu2.shape}.")
    diff = mu1 - mu2
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", linalg.LinAlgWarning)
        covmean = linalg.sqrtm(sigma1 @ sigma2)
    if caught or not np.isfinite(covmean).all():  # singular product
        offset = np.eye(len(sigma1)) * eps
        covmean = linalg.sqrtm((sigma1 + offset) @ (sigma2 + offset))
    if np.iscomplexobj(covmean):
        if not np.allclose(np.diagonal(covmean).imag, 0, atol=1e-3):
            raise ValueError(f"Fréchet distance: the matrix square root has a large imaginary "
                             f"part ({np.abs(covmean.imag).max():.3g}); use more samples than "
                             f"feature dimensions.")
        covmean = covmean.real
    value = diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * np.trace(covmean)
    return float(max(value, 0.0))


def frechet_distance(features_a, features_b):
    """Fréchet distance between Gaussians fitted to two feature sets (Heusel et al. 2017).

    Args:
        features_a, features_b: arrays (N, D) and (M, D).

    Returns:
        The distance as a float (0 for identical sets; independent of sample order).

    Warns when a set has fewer samples than twice the feature dimension: the covariance is then
    poorly estimated and FID biased upwards; KID (:func:`kernel_inception_distance`) is
    unbiased at any size.
    """
    a = _check_features(features_a, "features_a")
    b = _check_features(features_b, "features_b")
    warn_few_samples(min(len(a), len(b)), a.shape[1], stacklevel=3)
    return frechet_distance_from_statistics(*feature_statistics(a), *feature_statistics(b))


def warn_few_samples(n, dim, stacklevel=2):
    """Warn when FID would come from fewer than twice the feature dimension of samples: the
    covariance is then poorly estimated and FID biased upwards (KID is unbiased)."""
    if n < 2 * dim:
        warnings.warn(f"FID from {n} samples of {dim}-d features (fewer than 2 x {dim}): the "
                      "covariance is poorly estimated and FID biased upwards; use more samples "
                      "or KID.", stacklevel=stacklevel + 1)


def fid(images_a, images_b, extractor=None):
    """Fréchet Inception Distance between two image sets (Heusel et al. 2017).

    Args:
        images_a, images_b: images (N, H, W, C) in [-1, 1] or uint8, of one size.
        extractor: a :class:`~ganzoo.classifiers.Judge`, a Keras model or a judge name or
            folder (``"mnist"``, ``"cifar10"``, ``"inception"``, a ``ganzoo judge train``
            folder); ``None`` uses the default for the image size (the shipped MNIST
            classifier's 128-d ``features`` layer for 28x28x1, InceptionV3's 2,048-d pool layer
            otherwise) and warns that the shape alone chose it.

    Example:

    ```python
    score = ganzoo.metrics.fid(gan.generate(10_000), real_images)
    ```
    """
    images_a, images_b = _as_images(images_a), _as_images(images_b)
    judge = classifiers.as_judge(extractor, images_a.shape[1:])
    return frechet_distance(judge.features(images_a), judge.features(images_b))


# ----------------------------------------------------------------------------- KID


def kernel_inception_distance(features_a, features_b, subsets=100, subset_size=1000, seed=0):
    """Kernel Inception Distance (Bińkowski et al. 2018): the unbiased MMD² between two feature
    sets with the cubic polynomial kernel k(x, y) = (x·y / d + 1)³, averaged over random subsets.

    Args:
        features_a, features_b: arrays (N, D) and (M, D).
        subsets: number of random subsets.
        subset_size: samples per subset (capped at the smaller set's size).
        seed: seed of the subset draws.

    Returns:
        ``(mean, std)`` over the subsets. About 0 (within its std) for two samples of one
        distribution; it can be slightly negative, being unbiased.
    """
    a = _check_features(features_a, "features_a")
    b = _check_features(features_b, "features_b")
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"Feature dimensions differ: {a.shape[1]} vs {b.shape[1]}.")
    d = a.shape[1]
    m = int(min(subset_size, len(a), len(b)))
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(int(subsets)):
        x = a[rng.choice(len(a), m, replace=False)]
        y = b[rng.choice(len(b), m, replace=False)]
        kxx = (x @ x.T / d + 1.0) ** 3
        kyy = (y @ y.T / d + 1.0) ** 3
        kxy = (x @ y.T / d + 1.0) ** 3
        mmd = ((kxx.sum() - np.trace(kxx)) / (m * (m - 1))
               + (kyy.sum() - np.trace(kyy)) / (m * (m - 1))
               - 2.0 * kxy.mean())
        values.append(mmd)
    return float(np.mean(values)), float(np.std(values))


def kid(images_a, images_b, extractor=None, **kwargs):
    """:func:`kernel_inception_distance` of two image sets' features (see :func:`fid`)."""
    images_a, images_b = _as_images(images_a), _as_images(images_b)
    judge = classifiers.as_judge(extractor, images_a.shape[1:])
    return kernel_inception_distance(judge.features(images_a), judge.features(images_b), **kwargs)


# ----------------------------------------------------------------------------- precision / recall


def precision_recall(real_features, fake_features, k=3):
    """Improved precision and recall (Kynkäänniemi et al. 2019).

    Each set's manifold is the union of balls around its samples, each ball reaching the
    sample's k-th nearest neighbour in the same set. Precision: the fraction of fake samples
    inside the real manifold (quality). Recall: the fraction of real samples inside the fake
    manifold (coverage).

    Returns:
        ``{"precision": float, "recall": float, "k": k}``; both 1 for identical sets.
    """
    real = _check_features(real_features, "real_features")
    fake = _check_features(fake_features, "fake_features")
    k = int(k)
    if not 1 <= k < min(len(real), len(fake)):
        raise ValueError(f"k must be at least 1 and below the set sizes; got k={k}.")

    def inside(queries, support, support_radii):
        return float((_balls_hit(queries, support, support_radii) > 0).mean())

    return {"precision": inside(fake, real, _knn_radii(real, k)),
            "recall": inside(real, fake, _knn_radii(fake, k)), "k": k}


def _knn_radii(x, k):
    """Distance of each row of ``x`` to its k-th nearest neighbour in ``x`` (itself excluded)."""
    r = np.empty(len(x))
    for i in range(0, len(x), 2048):
        d = pairwise_distances(x[i:i + 2048], x)
        r[i:i + 2048] = np.partition(d, k, axis=1)[:, k]  # index 0 is the sample itself
    return r


def _balls_hit(queries, centres, radii):
    """For each query, how many balls (``centres``, ``radii``) contain it."""
    counts = np.zeros(len(queries), np.int64)
    for i in range(0, len(queries), 2048):
        d = pairwise_distances(queries[i:i + 2048], centres)
        counts[i:i + 2048] = (d <= radii[None, :]).sum(1)
    return counts


def density_coverage(real_features, fake_features, k=5):
    """Density and coverage (Naeem, Oh, Uh, Choi & Yoo 2020, "Reliable Fidelity and Diversity
    Metrics for Generative Models").

    Balls around the *real* samples only, each reaching its k-th nearest real neighbour.
    Density: the average number of real balls a fake sample falls in, divided by k (about 1
    when fakes are distributed like the reals; above 1 where they crowd dense regions).
    Coverage: the fraction of real samples whose ball holds at least one fake.

    Returns:
        ``{"density": float, "coverage": float, "k": k}``.
    """
    real = _check_features(real_features, "real_features")
    fake = _check_features(fake_features, "fake_features")
    k = int(k)
    if not 1 <= k < len(real):
        raise ValueError(f"k must be at least 1 and below the real set's size; got k={k}.")
    radii = _knn_radii(real, k)
    density = float(_balls_hit(fake, real, radii).mean() / k)
    nearest_fake = nearest(real, fake)[0]
    coverage = float((nearest_fake <= radii).mean())
    return {"density": density, "coverage": coverage, "k": k}


# ----------------------------------------------------------------------------- conditional


def conditional_accuracy(probs, labels):
    """How often the judge assigns conditional samples the class they were asked for.

    Args:
        probs: the judge's class probabilities of the samples (N, C).
        labels: the requested classes (N,).
    """
    probs = np.asarray(probs)
    labels = np.asarray(labels).reshape(-1)
    if len(probs) != len(labels):
        raise ValueError(f"{len(probs)} samples but {len(labels)} labels.")
    return float((probs.argmax(1) == labels).mean())


def intra_class_fid(fake_features, fake_labels, real_features, real_labels):
    """FID within each class (Miyato & Koyama 2018, "cGANs with Projection Discriminator"):
    per class, the Fréchet distance between the features of samples asked for that class and
    of real images of it.

    Returns:
        ``{"per_class": {class: fid}, "mean": float, "worst": float, "worst_class": int}``.
    """
    fake = _check_features(fake_features, "fake_features")
    real = _check_features(real_features, "real_features")
    fake_labels, real_labels = np.asarray(fake_labels), np.asarray(real_labels)
    per_class = {}
    for c in np.unique(real_labels):
        f, r = fake[fake_labels == c], real[real_labels == c]
        if len(f) < 2 or len(r) < 2:
            raise ValueError(f"class {int(c)} has {len(f)} samples and {len(r)} real images; "
                             "intra-class FID needs at least 2 of each per class.")
        per_class[int(c)] = frechet_distance(f, r)
    worst = max(per_class, key=per_class.get)
    return {"per_class": per_class, "mean": float(np.mean(list(per_class.values()))),
            "worst": per_class[worst], "worst_class": worst}


def classification_accuracy_score(train_images, train_labels, test_images, test_labels,
                                  epochs=5, seed=0):
    """Classification Accuracy Score (Ravuri & Vinyals 2019): accuracy on *real* test images of
    a judge-sized classifier (:func:`ganzoo.judges.architecture_for`) trained only on
    ``train_images`` (generated samples with the labels they were asked for). Trained on real
    images instead, it gives the real-data baseline.

    Returns:
        The test accuracy (float).
    """
    import keras

    from ganzoo import judges

    x = _scaled(train_images)
    xt = _scaled(test_images)
    num = int(max(np.max(train_labels), np.max(test_labels))) + 1
    keras.utils.set_random_seed(seed)
    net = judges.architecture_for(tuple(x.shape[1:]), num)
    net.compile("adam", "sparse_categorical_crossentropy")
    net.fit(x, np.asarray(train_labels), epochs=int(epochs), batch_size=128, verbose=0)
    pred = net.predict(xt, batch_size=500, verbose=0).argmax(1)
    return float((pred == np.asarray(test_labels)).mean())


# ----------------------------------------------------------------------------- memorisation


def memorization(generated, train, test=None, extractor=None, copy_ratio=0.25, n_pairs=16):
    """Is the generator copying its training set? Nearest training image of each sample.

    For every generated image, the nearest training image in pixel space (RMS distance in
    [-1, 1] units) and in the judge's feature space. Both are divided by the median distance
    from held-out real images (``test``) to their nearest training image, so a ratio near 1
    means "as far from the training set as new real data", and near 0 means a copy. A sample
    is flagged as a near-copy when its pixel ratio is below ``copy_ratio``; the same rule is
    applied to the held-out images, whose flag rate is reported as the false-flag baseline.

    Args:
        generated: images (N, H, W, C), [-1, 1] or uint8.
        train: the training images.
        test: held-out real images of the same kind; ``None`` holds out the last 10 % of
            ``train`` (at most 1,000) and searches the rest.
        extractor: judge for the feature distances (default for the image size).
        copy_ratio: pixel ratio under which a sample counts as a near-copy.
        n_pairs: how many of the closest pairs are returned (``closest_generated`` and their
            nearest training images, ``closest_train``; :func:`ganzoo.images.save_pairs` draws
            them).

    Returns:
        A dict: per-sample arrays ``pixel_distance``, ``pixel_ratio``, ``feature_ratio``,
        ``nearest_train`` and summary numbers (``median_pixel_ratio``, ``median_feature_ratio``,
        ``flagged`` indices, ``flagged_fraction``, ``test_flagged_fraction``...).
    """
    gen = _scaled(generated)
    train = _scaled(train)
    if gen.shape[1:] != train.shape[1:]:
        raise ValueError(f"Generated images {gen.shape[1:]} and training images "
                         f"{train.shape[1:]} differ in shape.")
    if test is None:
        hold = max(1, min(1000, len(train) // 10))
        train, test = train[:-hold], train[-hold:]
    test = _scaled(test)
    judge = classifiers.as_judge(extractor, gen.shape[1:])
    pixels = float(np.prod(gen.shape[1:]))
    flat = lambda x: x.reshape(len(x), -1)  # noqa: E731
    g_dist, g_idx = nearest(flat(gen), flat(train))
    t_dist, _ = nearest(flat(test), flat(train))
    g_dist, t_dist = g_dist / math.sqrt(pixels), t_dist / math.sqrt(pixels)
    f_train = judge.features(train)
    gf_dist, _ = nearest(judge.features(gen), f_train)
    tf_dist, _ = nearest(judge.features(test), f_train)
    base_px, base_f = float(np.median(t_dist)), float(np.median(tf_dist))
    px_ratio = g_dist / max(base_px, 1e-12)
    f_ratio = gf_dist / max(base_f, 1e-12)
    flagged = np.flatnonzero(px_ratio < copy_ratio)
    report = {
        "judge": judge.name, "n_generated": len(gen), "n_train": len(train), "n_test": len(test),
        "baseline_test_to_train_pixel": base_px, "baseline_test_to_train_feature": base_f,
        "median_pixel_ratio": float(np.median(px_ratio)),
        "median_feature_ratio": float(np.median(f_ratio)),
        "min_pixel_ratio": float(px_ratio.min()),
        "copy_ratio": float(copy_ratio), "flagged": flagged.tolist(),
        "flagged_fraction": float(len(flagged) / len(gen)),
        "test_flagged_fraction": float((t_dist / max(base_px, 1e-12) < copy_ratio).mean()),
        "pixel_distance": g_dist, "pixel_ratio": px_ratio, "feature_ratio": f_ratio,
        "nearest_train": g_idx,
    }
    order = np.argsort(px_ratio)[:int(n_pairs)]
    report["closest_generated"], report["closest_train"] = gen[order], train[g_idx[order]]
    return report


def _scaled(images):
    """Images as float32 in [-1, 1] (uint8 0-255 are mapped)."""
    images = _as_images(images)
    if np.issubdtype(images.dtype, np.integer):
        return images.astype(np.float32) / 127.5 - 1.0
    return images.astype(np.float32)


# ----------------------------------------------------------------------------- birthday paradox


def birthday_threshold(train, extractor=None, quantile=0.01, n=2000, seed=0):
    """Feature distance under which two samples count as duplicates, calibrated on real data.

    The ``quantile`` (default 1 %) of the distances from ``n`` training images to their nearest
    other training image: real, distinct images are closer than this only 1 % of the time.
    """
    train = _as_images(train)
    rng = np.random.default_rng(seed)
    pick = train[rng.choice(len(train), min(int(n), len(train)), replace=False)]
    feats = _features(pick, extractor)
    dist, _ = nearest(feats, feats, exclude_self=True)
    return float(np.quantile(dist, quantile))


def birthday_support(sample, threshold, extractor=None, sizes=None, trials=50, seed=0,
                     n_pairs=16, progress=None):
    """Estimate a generator's support size with the birthday paradox (Arora, Risteski & Zhang 2018).

    For growing batch sizes s, draws ``trials`` batches of s samples and counts the batches that
    hold a near-duplicate pair (feature distance below ``threshold``). With P(s) the fraction
    of such batches, the smallest s with P(s) >= 0.5 (interpolated linearly between the two
    sizes around 0.5) gives the support estimate N = s (s - 1) / (2 ln 2): for N equally
    likely outputs, a batch of s has a duplicate with probability 1 - exp(-s (s - 1) / 2N).

    Args:
        sample: a function ``(n, seed) -> images``
            (e.g. ``lambda n, seed: gan.generate(n, seed=seed)``),
            or a GAN (its ``generate`` is used).
        threshold: duplicate distance in feature space (:func:`birthday_threshold`).
        extractor: judge for the features (default for the image size).
        sizes: batch sizes to try, increasing; default 4, 5, 6, 8, 10, ... (x1.25) up to 2,048.
        trials: batches per size.
        seed: base seed of the draws.
        n_pairs: how many of the duplicate pairs found at the deciding size are returned
            (``duplicates_a``, ``duplicates_b``; :func:`ganzoo.images.save_pairs` draws them).
        progress: optional ``keras.utils.Progbar``-like object with ``update(i)``.

    Returns:
        A dict with ``support_estimate`` (``None`` when no size reached 50 %: then
        ``support_lower_bound`` is given), ``batch_size_at_50``, the curve ``sizes`` /
        ``duplicate_probability``, ``threshold`` and ``method``.
    """
    if hasattr(sample, "generate"):
        gan = sample
        sample = lambda n, seed: gan.generate(n, seed=seed)  # noqa: E731
    if sizes is None:
        sizes, s = [], 4.0
        while s <= 2048:
            sizes.append(int(round(s)))
            s *= 1.25
    sizes = sorted(set(int(s) for s in sizes))
    judge = None
    probs, pairs = [], []
    for i, s in enumerate(sizes):
        hits = 0
        found = []
        for t in range(int(trials)):
            batch = _as_images(sample(s, seed * 1_000_003 + i * 1009 + t))
            if judge is None:
                judge = classifiers.as_judge(extractor, batch.shape[1:])
            d = pairwise_distances(judge.features(batch), judge.features(batch))
            iu = np.triu_indices(s, 1)
            close = np.flatnonzero(d[iu] < threshold)
            if len(close):
                hits += 1
                j = close[np.argmin(d[iu][close])]
                found.append((batch[iu[0][j]], batch[iu[1][j]]))
        probs.append(hits / trials)
        if progress is not None:
            progress.update(i + 1)
        if probs[-1] >= 0.5:
            pairs = found
            break
    report = {"method": "birthday paradox (Arora, Risteski & Zhang 2018): smallest batch size s "
                        "with P(duplicate) >= 0.5, support = s(s-1)/(2 ln 2)",
              "threshold": float(threshold), "trials": int(trials),
              "sizes": sizes[:len(probs)], "duplicate_probability": probs,
              "judge": None if judge is None else judge.name}
    if probs[-1] < 0.5:
        s_max = sizes[len(probs) - 1]
        report.update(support_estimate=None, batch_size_at_50=None,
                      support_lower_bound=float(s_max * (s_max - 1) / (2 * math.log(2))))
    else:
        k = len(probs) - 1
        s = float(sizes[k])
        if k > 0 and probs[k] > probs[k - 1]:  # interpolate P(s) = 0.5 between the last two sizes
            s0, p0, p1 = sizes[k - 1], probs[k - 1], probs[k]
            s = s0 + (0.5 - p0) * (sizes[k] - s0) / (p1 - p0)
        report.update(batch_size_at_50=s, support_estimate=float(s * (s - 1) / (2 * math.log(2))))
    if pairs:
        report["duplicates_a"] = np.stack([_scaled(p[0][None])[0] for p in pairs[:n_pairs]])
        report["duplicates_b"] = np.stack([_scaled(p[1][None])[0] for p in pairs[:n_pairs]])
    return report
