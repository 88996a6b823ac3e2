"""ganzoo.metrics against closed forms and planted answers (issue 5)."""

import math

import numpy as np
import pytest

from ganzoo import classifiers, datasets, images, metrics


# ----------------------------------------------------------------------------- Inception Score


def test_is_is_one_when_every_prediction_is_the_same():
    probs = np.tile([0.7, 0.2, 0.1], (100, 1))
    mean, std = metrics.inception_score(probs, splits=5)
    assert mean == pytest.approx(1.0, abs=1e-12) and std == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("classes", [2, 5, 10])
def test_is_equals_the_class_count_for_equally_used_confident_classes(classes):
    probs = np.tile(np.eye(classes), (20, 1))  # each split of 2*classes rows is balanced
    mean, std = metrics.inception_score(probs, splits=10)
    assert mean == pytest.approx(classes, rel=1e-12) and std == pytest.approx(0.0, abs=1e-9)


def test_is_split_std_is_the_spread_of_the_per_split_scores():
    balanced = np.tile(np.eye(2), (25, 1))       # IS 2
    collapsed = np.tile([1.0, 0.0], (50, 1))     # IS 1
    mean, std = metrics.inception_score(np.concatenate([balanced, collapsed]), splits=2)
    assert mean == pytest.approx(1.5) and std == pytest.approx(0.5)


def test_is_matches_the_definition_on_random_probabilities():
    rng = np.random.default_rng(0)
    p = rng.dirichlet(np.ones(4) * 0.5, size=300)
    marginal = p.mean(0)
    expected = math.exp(np.mean(np.sum(p * (np.log(p) - np.log(marginal)), axis=1)))
    assert metrics.inception_score(p, splits=1)[0] == pytest.approx(expected, rel=1e-12)


def test_is_rejects_logits_and_bad_splits():
    with pytest.raises(ValueError, match="logits"):
        metrics.inception_score(np.random.default_rng(0).normal(size=(10, 3)))
    with pytest.raises(ValueError, match="splits"):
        metrics.inception_score(np.tile(np.eye(2), (2, 1)), splits=10)


# ----------------------------------------------------------------------------- FID


def test_fid_is_zero_for_identical_sets_and_ignores_order():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(500, 8))
    b = rng.normal(size=(500, 8)) * 1.5 + 0.3
    assert metrics.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)
    assert metrics.frechet_distance(a, b) == pytest.approx(
        metrics.frechet_distance(a[rng.permutation(500)], b[rng.permutation(500)]), rel=1e-9)


def test_frechet_distance_of_gaussians_matches_the_closed_form():
    # Non-commuting covariances: the closed form in 2-D via the eigen-decomposition.
    rng = np.random.default_rng(2)
    m1, m2 = np.array([0.0, 1.0]), np.array([2.0, -1.0])
    s1 = np.array([[2.0, 0.5], [0.5, 1.0]])
    s2 = np.array([[1.0, -0.3], [-0.3, 0.5]])
    r1 = _psd_sqrt(s1)
    expected = np.sum((m1 - m2) ** 2) + np.trace(s1 + s2 - 2 * _psd_sqrt(r1 @ s2 @ r1))
    got = metrics.frechet_distance_from_statistics(m1, s1, m2, s2)
    assert got == pytest.approx(expected, rel=1e-9)
    # Diagonal covariances: ||m1 - m2||^2 + sum (sd1 - sd2)^2; from samples, within sampling error.
    sd1, sd2 = np.array([1.0, 2.0, 0.5]), np.array([0.5, 1.0, 0.5])
    a = rng.normal(size=(200_000, 3)) * sd1
    b = rng.normal(size=(200_000, 3)) * sd2 + 1.0
    assert metrics.frechet_distance(a, b) == pytest.approx(3.0 + np.sum((sd1 - sd2) ** 2), rel=0.02)


def _psd_sqrt(m):
    w, v = np.linalg.eigh(m)
    return v @ np.diag(np.sqrt(w)) @ v.T


def test_frechet_distance_handles_singular_covariances():
    rng = np.random.default_rng(3)
    a = np.concatenate([rng.normal(size=(50, 3)), np.zeros((50, 5))], 1)  # rank-deficient
    assert np.isfinite(metrics.frechet_distance(a, a + 0.1))


# ----------------------------------------------------------------------------- KID


def test_kid_is_about_zero_for_one_distribution_and_positive_for_a_shift():
    rng = np.random.default_rng(4)
    a, b = rng.normal(size=(2000, 16)), rng.normal(size=(2000, 16))
    mean, std = metrics.kernel_inception_distance(a, b, subsets=50, subset_size=500)
    assert abs(mean) <= 3 * std + 1e-3
    shifted_mean, shifted_std = metrics.kernel_inception_distance(a, b + 0.5, subsets=50,
                                                                  subset_size=500)
    assert shifted_mean > 10 * max(shifted_std, std)


def test_kid_matches_a_direct_unbiased_mmd():
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(30, 4)), rng.normal(size=(30, 4)) + 0.2
    k = lambda u, v: (u @ v.T / 4 + 1) ** 3  # noqa: E731
    m = 30
    direct = ((k(x, x).sum() - np.trace(k(x, x))) / (m * (m - 1))
              + (k(y, y).sum() - np.trace(k(y, y))) / (m * (m - 1)) - 2 * k(x, y).mean())
    mean, std = metrics.kernel_inception_distance(x, y, subsets=3, subset_size=30)
    assert mean == pytest.approx(direct, rel=1e-9) and std == pytest.approx(0.0, abs=1e-9)


# ----------------------------------------------------------------------------- precision/recall


def test_precision_and_recall_are_one_for_identical_sets():
    a = np.random.default_rng(6).normal(size=(300, 5))
    assert metrics.precision_recall(a, a.copy()) == {"precision": 1.0, "recall": 1.0, "k": 3}


def test_precision_and_recall_separate_quality_from_coverage():
    rng = np.random.default_rng(7)
    real = rng.normal(size=(1000, 2))
    collapsed = rng.normal(size=(1000, 2)) * 0.1          # inside the real data, covers little
    far = rng.normal(size=(1000, 2)) + 20.0               # nowhere near
    pr = metrics.precision_recall(real, collapsed)
    assert pr["precision"] > 0.95 and pr["recall"] < 0.3
    assert metrics.precision_recall(real, far) == {"precision": 0.0, "recall": 0.0, "k": 3}


# ----------------------------------------------------------------------------- shipped classifier


def test_shipped_mnist_classifier_is_accurate():
    info = classifiers.mnist_classifier_info()
    assert info["test_accuracy"] >= 0.99 and info["data"]["test"] == 10_000
    images, labels = datasets.load_digits("test")  # real MNIST digits
    probs = metrics.classifier_probs(images)
    assert probs.shape == (500, 10)
    assert (probs.argmax(1) == labels).mean() >= 0.98


def test_is_of_real_digits_is_near_the_class_count_and_fid_to_themselves_is_zero():
    images, _ = datasets.load_digits("all")  # sorted by class: shuffle, as i.i.d. samples are
    images = images[np.random.default_rng(0).permutation(len(images))]
    mean, std = metrics.inception_score(images, splits=5)
    assert 9.0 <= mean <= 10.0 and std < 0.3
    train, _ = datasets.load_digits("train")
    test, _ = datasets.load_digits("test")
    assert metrics.fid(test, test) == pytest.approx(0.0, abs=1e-6)
    noise = np.random.default_rng(0).integers(0, 256, size=(500, 28, 28, 1), dtype=np.uint8)
    assert metrics.fid(test, noise) > 100 * metrics.fid(test, train)  # measured 875 vs 3.9


# ----------------------------------------------------------------------------- memorisation


def test_memorization_flags_a_planted_copy():
    train, _ = datasets.load_digits("train")
    test, _ = datasets.load_digits("test")
    generated = test[:100].copy()            # new digits, never seen in training
    generated[37] = train[1234]              # and one exact copy
    report = metrics.memorization(generated, train, test[100:])
    assert report["flagged"] == [37]
    assert report["nearest_train"][37] == 1234 and report["pixel_distance"][37] < 1e-6
    assert 0.5 < report["median_pixel_ratio"] < 1.5  # unseen real digits look like test digits
    assert report["test_flagged_fraction"] == 0.0


def test_memorization_writes_the_closest_pairs(tmp_path):
    train, _ = datasets.load_digits("train")
    png = tmp_path / "pairs.png"
    report = metrics.memorization(train[:20], train, n_pairs=4)
    assert report["flagged_fraction"] == 1.0  # every sample is a copy
    np.testing.assert_array_equal(report["closest_generated"], report["closest_train"])
    images.save_pairs(report["closest_generated"], report["closest_train"], str(png))
    from PIL import Image

    with Image.open(png) as im:  # 2 rows of 4 28x28 cells, padded and scaled x2
        assert im.size == (2 * (4 * 30 + 2), 2 * (2 * 30 + 2))


# ----------------------------------------------------------------------------- birthday paradox


@pytest.mark.parametrize("support", [50, 400])
def test_birthday_estimates_a_known_support_within_a_factor_of_two(support, tmp_path):
    train, _ = datasets.load_digits("train")
    threshold = metrics.birthday_threshold(train, n=1000)
    outputs = train[np.random.default_rng(8).choice(len(train), support, replace=False)]

    def sample(n, seed):  # a "generator" with exactly `support` equally likely outputs
        return outputs[np.random.default_rng(seed).integers(0, support, n)]

    report = metrics.birthday_support(sample, threshold, n_pairs=3)
    assert report["support_estimate"] is not None
    assert support / 2 <= report["support_estimate"] <= support * 2, report
    # the pairs returned are the duplicates that decided it: closer than the threshold
    a, b = report["duplicates_a"], report["duplicates_b"]
    assert 1 <= len(a) <= 3 and a.shape == b.shape == (len(a), 28, 28, 1)
    judge = classifiers.as_judge(None, (28, 28, 1))
    d = metrics.pairwise_distances(judge.features(a), judge.features(b))
    assert (np.diag(d) < threshold).all()


def test_birthday_gives_a_lower_bound_when_no_duplicates_appear():
    def sample(n, seed):  # continuous noise: never a duplicate
        return np.random.default_rng(seed).uniform(-1, 1, (n, 28, 28, 1)).astype(np.float32)

    report = metrics.birthday_support(sample, threshold=1e-9, sizes=[8, 16, 32], trials=3)
    assert report["support_estimate"] is None
    assert report["support_lower_bound"] == pytest.approx(32 * 31 / (2 * math.log(2)))


# ----------------------------------------------------------------------------- conditional, D&C


def test_density_and_coverage_are_one_for_one_distribution_and_zero_for_far_sets():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(2000, 8)), rng.normal(size=(2000, 8))
    same = metrics.density_coverage(a, b)
    assert abs(same["density"] - 1) < 0.05 and abs(same["coverage"] - 1) < 0.05
    far = metrics.density_coverage(a, b + 100.0)
    assert far["density"] == 0.0 and far["coverage"] == 0.0


def test_conditional_accuracy_of_real_images_and_of_random_labels():
    x, y = datasets.load_digits("test")
    probs = classifiers.Judge.default((28, 28, 1)).probs(x)
    assert metrics.conditional_accuracy(probs, y) > 0.98  # real digits of the asked class
    wrong = np.random.default_rng(0).integers(0, 10, len(y))
    assert abs(metrics.conditional_accuracy(probs, wrong) - 0.1) < 0.04
    assert metrics.conditional_accuracy(np.eye(10)[y], y) == 1.0


def test_intra_class_fid_is_zero_for_identical_sets_and_names_the_worst_class():
    rng = np.random.default_rng(1)
    feats, labels = rng.normal(size=(300, 4)), np.repeat(np.arange(3), 100)
    same = metrics.intra_class_fid(feats, labels, feats, labels)
    assert same["mean"] < 1e-6 and same["worst"] < 1e-6
    moved = feats.copy()
    moved[labels == 2] += 3.0
    far = metrics.intra_class_fid(moved, labels, feats, labels)
    assert far["worst_class"] == 2 and far["worst"] == pytest.approx(4 * 9.0, rel=1e-6)


def test_cas_of_real_data_is_the_classifiers_accuracy_and_chance_for_shuffled_labels():
    x, y = datasets.load_digits("train")
    xt, yt = datasets.load_digits("test")
    real = metrics.classification_accuracy_score(x, y, xt, yt, epochs=3)
    assert real > 0.9  # a small CNN on 4,500 real digits
    shuffled = np.random.default_rng(0).permutation(y)
    assert metrics.classification_accuracy_score(x, shuffled, xt, yt, epochs=3) < 0.25


def test_fid_from_too_few_samples_warns_and_recommends_kid():
    rng = np.random.default_rng(0)
    with pytest.warns(UserWarning, match="or KID"):
        metrics.frechet_distance(rng.normal(size=(30, 20)), rng.normal(size=(30, 20)))
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        metrics.frechet_distance(rng.normal(size=(40, 20)), rng.normal(size=(40, 20)))


def test_a_judge_picked_by_shape_alone_warns_and_a_named_judge_does_not(digits_small):
    import warnings

    from ganzoo import classifiers

    images = digits_small[0]
    classifiers._WARNED.discard((28, 28, 1))
    with pytest.warns(UserWarning, match="picked by the images' shape"):
        by_shape = metrics.fid(images[:256], images[256:])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # naming the judge raises no warning
        named = metrics.fid(images[:256], images[256:], extractor="mnist")
        assert metrics.inception_score(images, classifier="mnist")[0] > 5
    assert named == by_shape
