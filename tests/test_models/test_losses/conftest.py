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
