"""The geometric relation between the two views of an image.

:class:`mmwsss.datasets.transforms.TwoViewTransform` makes view 2 from view 1
by a resize, a crop (or pad) and an optional horizontal flip, and records::

    relation = dict(
        src_shape=(H1, W1),   # view 1 size
        dst_shape=(h2, w2),   # view 2 size
        scale=(sy, sx),       # resize factors view 1 -> resized view 1
        offset=(oy, ox),      # resized-view pixel of view 2's origin
        flip=False)           # view 2 flipped horizontally after the crop

In continuous pixel coordinates (pixel ``i`` spans ``[i, i + 1)``), a point
``(y1, x1)`` of view 1 is the point ``(y2, x2)`` of view 2 with::

    y2 = sy * y1 - oy
    x2 = sx * x1 - ox          (then x2 = w2 - x2 if flip)

The same relation holds for any map computed on a view with a constant
stride, in coordinates normalised by the map size, which is how models use
it to bring view 1's maps onto view 2's grid.
"""
from typing import Dict

import numpy as np


def view1_to_view2(points: np.ndarray, relation: Dict) -> np.ndarray:
    """Map continuous ``(y, x)`` points of view 1 to view 2.

    Args:
        points (np.ndarray): ``(..., 2)`` points ``(y, x)`` of view 1.
        relation (dict): The relation recorded by the two-view transform.

    Returns:
        np.ndarray: ``(..., 2)`` points ``(y, x)`` of view 2.
    """
    sy, sx = relation['scale']
    oy, ox = relation['offset']
    points = np.asarray(points, dtype=np.float64)
    y2 = sy * points[..., 0] - oy
    x2 = sx * points[..., 1] - ox
    if relation['flip']:
        x2 = relation['dst_shape'][1] - x2
    return np.stack([y2, x2], axis=-1)


def view2_to_view1_theta(relation: Dict) -> np.ndarray:
    """The affine map from view 2 to view 1 in normalised coordinates.

    ``theta`` follows :func:`torch.nn.functional.affine_grid` with
    ``align_corners=False``: it maps a point ``(u2, v2)`` of view 2 in
    ``[-1, 1]`` coordinates (x first) to the point of view 1 to sample.

    Args:
        relation (dict): The relation recorded by the two-view transform.

    Returns:
        np.ndarray: ``(2, 3)`` float64 matrix.
    """
    (h1, w1), (h2, w2) = relation['src_shape'], relation['dst_shape']
    sy, sx = relation['scale']
    oy, ox = relation['offset']
    ax = w2 / (sx * w1)
    bx = (w2 + 2 * ox) / (sx * w1) - 1
    ay = h2 / (sy * h1)
    by = (h2 + 2 * oy) / (sy * h1) - 1
    if relation['flip']:
        ax = -ax
    return np.array([[ax, 0., bx], [0., ay, by]])
