import importlib

import numpy as np
import pytest

from mmwsss.models.affinity import affinity_labels

# the module (the package exports the function under the same name)
affinity_labels_module = importlib.import_module(
    'mmwsss.models.affinity.affinity_labels')


def label_of(*classes):
    label = np.zeros(20, np.float32)
    label[list(classes)] = 1
    return label


def test_affinity_labels_on_a_hand_made_cam():
    # classes 3 and 7 (label indices 2 and 6); per pixel, the CAM maximum
    # m gives (1 - m)^4 and (1 - m)^24:
    #   m = 0.9: 1e-4, ~0     -> foreground for both alphas
    #   m = 0.3: 0.24, 2e-4   -> foreground for both alphas
    #   m = 0.2: 0.41, 5e-3   -> low: background, high: foreground -> 255
    #   m = 0.1: 0.66, 0.08   -> low: background, high: foreground -> 255
    #   m = 0.05: 0.81, 0.29  -> background for both -> 0
    #   m = 0: 1, 1           -> 0
    cams = np.array(
        [[[0.9, 0.0, 0.2, 0.1, 0.05, 0.0]], [[0.5, 0.3, 0.0, 0.0, 0.0, 0.0]]],
        np.float16)
    out = affinity_labels(cams, label_of(2, 6))
    assert out.dtype == np.uint8 and out.shape == (1, 6)
    assert out[0].tolist() == [3, 7, 255, 255, 0, 0]
    # a lower high alpha makes the weak background stronger: m = 0.1 and
    # 0.2 become confident background with alpha 4 for both
    out = affinity_labels(cams, label_of(2, 6), high_alpha=4)
    assert out[0].tolist() == [3, 7, 0, 0, 0, 0]


def test_affinity_labels_refusals():
    cams = np.zeros((2, 4, 4), np.float32)
    with pytest.raises(ValueError, match='2 labelled'):
        affinity_labels(cams[:1], label_of(0, 1))
    with pytest.raises(ValueError, match='image'):
        affinity_labels(cams, label_of(0, 1), crf=dict())


def test_affinity_labels_crf_refines_both_argmaxes(monkeypatch):
    calls = []

    def fake_crf(image, probs, **kwargs):
        calls.append((probs, kwargs))
        assert np.allclose(probs.sum(0), 1, atol=1e-5)
        return probs

    monkeypatch.setattr(affinity_labels_module, 'dense_crf', fake_crf)
    cams = np.random.RandomState(0).rand(2, 5, 7).astype(np.float32)
    image = np.zeros((5, 7, 3), np.uint8)
    plain = affinity_labels(cams, label_of(0, 4))
    refined = affinity_labels(
        cams, label_of(0, 4), crf=dict(iterations=2), image=image)
    assert np.array_equal(plain, refined) and len(calls) == 2
    assert calls[0][1] == dict(iterations=2)
