import math

import pytest


def _naive_nce(feat, positive, prototypes, temperature):
    """-log(exp(v.p+ / t) / sum_{p in P} exp(v.p / t)), one pixel, loops."""

    def dot(a, b):
        return sum(float(x) * float(y) for x, y in zip(a, b))

    numerator = math.exp(dot(feat, positive) / temperature)
    denominator = sum(
        math.exp(dot(feat, proto) / temperature) for proto in prototypes)
    return -math.log(numerator / denominator)


@pytest.fixture
def naive_nce():
    """The contrast of one pixel, computed with Python loops and math."""
    return _naive_nce


def _contrast_inputs(feats, labels, prototypes):
    """The (similarity, labels) a contrast loss takes, from two views of
    (M, D) pixel features, (M,) labels and (K, D) prototypes."""
    import torch

    from mmwsss.models.ppc import two_view_similarity
    return (two_view_similarity(torch.stack(feats), torch.stack(prototypes)),
            torch.stack(list(labels)))


@pytest.fixture
def contrast_inputs():
    """Two views of features, labels and prototypes -> a loss's inputs."""
    return _contrast_inputs
