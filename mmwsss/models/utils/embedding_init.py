"""The authors' initialisation of the SEAM / PSA embedding heads."""
from typing import List


def embedding_init_cfg(fuse: str) -> List[dict]:
    """``init_cfg`` of :class:`PCMHead` and :class:`AffinityHead`.

    Kaiming-normal (fan-in, leaky ReLU) 1x1 convolutions, except the one
    fusing the reduced stages, ``fuse``, which is Xavier-uniform with gain 4,
    as in the SEAM and PSA code.

    Args:
        fuse (str): Attribute name of the fusing convolution.

    Returns:
        list[dict]: The init config.
    """
    return [
        dict(
            type='Kaiming',
            layer='Conv2d',
            mode='fan_in',
            nonlinearity='leaky_relu',
            distribution='normal',
            override=dict(
                name=fuse, type='Xavier', gain=4., distribution='uniform'))
    ]
