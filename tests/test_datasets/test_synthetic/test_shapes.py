"""Version 1 scenes: the heads tell the class, the bodies do not."""
import numpy as np

from mmwsss.datasets.synthetic.shapes import PART_BODY, PART_HEAD, render_scene


def part_features(scenes):
    """Colour statistics (RGB mean and std) of the visible head and body of
    every instance whose head keeps 4 px or more.

    Returns:
        tuple[dict, np.ndarray]: ``dict(head=(N, 6), body=(N, 6))`` arrays
        and the ``(N,)`` classes.
    """
    features = dict(head=[], body=[])
    classes = []
    for scene in scenes:
        image = scene.image.astype(np.float32) / 255
        for instance, label in enumerate(scene.classes, 1):
            seen = scene.instances == instance
            head = seen & (scene.parts == PART_HEAD)
            body = seen & (scene.parts == PART_BODY)
            if head.sum() < 4:
                continue
            for part, pixels in (('head', image[head]), ('body', image[body])):
                features[part].append(
                    np.concatenate([pixels.mean(0),
                                    pixels.std(0)]))
            classes.append(label)
    return {k: np.array(v) for k, v in features.items()}, np.array(classes)


def leave_one_out_hits(features, classes, num_classes):
    """Leave-one-out hits of a nearest-centroid classifier.

    Args:
        features (np.ndarray): ``(N, D)`` features.
        classes (np.ndarray): ``(N,)`` classes in ``1..num_classes``.
        num_classes (int): Number of classes.

    Returns:
        np.ndarray: ``(N,)`` bool, whether the nearest class centroid of a
        sample (computed without it) is its class.
    """
    hits = []
    for i in range(len(classes)):
        keep = np.arange(len(classes)) != i
        centroids = np.stack([
            features[keep & (classes == c)].mean(0)
            for c in range(1, num_classes + 1)
        ])
        nearest = np.argmin(((centroids - features[i])**2).sum(1)) + 1
        hits.append(nearest == classes[i])
    return np.array(hits)


def test_discriminative_heads():
    """Heads identify the class; bodies look alike across classes."""
    num_classes = 10  # 5 hues x 2 patterns
    scenes = [
        render_scene(np.random.default_rng([7, index]), num_classes, (64, 64))
        for index in range(150)
    ]
    assert all(1 <= len(set(s.classes)) <= 3 for s in scenes)
    # sometimes 2 instances of one class
    assert any(len(s.classes) > len(set(s.classes)) for s in scenes)
    for scene in scenes:  # visible pixels of (instance, part)
        counts = np.bincount(
            scene.instances.ravel() * 3 + scene.parts.ravel(),
            minlength=3 * len(scene.classes) + 3).reshape(-1, 3)[1:]
        assert np.all(counts[:, PART_HEAD] < counts[:, PART_BODY])
    features, classes = part_features(scenes)
    assert set(classes.tolist()) == set(range(1, num_classes + 1))
    head = leave_one_out_hits(features['head'], classes, num_classes).mean()
    body = leave_one_out_hits(features['body'], classes, num_classes).mean()
    assert head > 0.9
    assert body < 0.3  # chance is 0.1
