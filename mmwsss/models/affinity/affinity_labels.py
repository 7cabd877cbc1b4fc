"""PSA's affinity labels: confident foreground, confident background and an
ignored band, from an image's CAMs (what AffinityNet learns from)."""
from typing import Dict, Optional

import numpy as np

from mmwsss.structures import labels_from_index, stack_background
from ..utils import dense_crf


def affinity_labels(cams: np.ndarray,
                    label: np.ndarray,
                    low_alpha: float = 4.,
                    high_alpha: float = 24.,
                    crf: Optional[Dict] = None,
                    image: Optional[np.ndarray] = None) -> np.ndarray:
    """The affinity label map of one image (PSA).

    With ``m`` the maximum of the CAMs at a pixel, the background score
    ``(1 - m) ** alpha`` is strong for a low ``alpha`` and weak for a high
    one. The argmax of ``[background, CAMs]`` with the low alpha gives the
    confident foreground; with the high alpha, the confident background.
    The map starts from the low-alpha argmax (as class indices), its
    background pixels become 255 (unreliable band), and the background
    pixels of the high-alpha argmax become 0.

    Args:
        cams (np.ndarray): ``(K, H, W)`` CAMs in [0, 1] of the K labelled
            classes, in increasing class order.
        label (np.ndarray): ``(C,)`` multi-hot image label with K non-zero
            entries.
        low_alpha (float): Exponent of the strong background. Defaults to 4.
        high_alpha (float): Exponent of the weak background. Defaults to 24.
        crf (dict, optional): Keyword arguments of :func:`dense_crf` to
            refine both argmaxes (needs ``image``), or None. Defaults to
            None.
        image (np.ndarray, optional): ``(H, W, 3)`` uint8 RGB image, for the
            CRF.

    Returns:
        np.ndarray: ``(H, W)`` uint8 labels: 0 background, 1..C classes,
        255 ignored.
    """
    present = np.flatnonzero(label)
    if cams.ndim != 3 or cams.shape[0] != len(present) or not len(present):
        raise ValueError(f'Expected the CAMs of the {len(present)} labelled '
                         f'classes, got an array of shape {cams.shape}.')
    if crf is not None and image is None:
        raise ValueError('The dense CRF needs the image.')
    cams = cams.astype(np.float32)
    fg = 1 - cams.max(axis=0, keepdims=True)
    argmaxes = []
    for alpha in (low_alpha, high_alpha):
        scores = stack_background(cams, fg**alpha)  # (K + 1, H, W)
        if crf is not None:
            probs = scores / np.maximum(scores.sum(0, keepdims=True), 1e-5)
            scores = dense_crf(image, probs, **crf)
        argmaxes.append(scores.argmax(axis=0))
    low, high = argmaxes
    out = labels_from_index(low, present).astype(np.uint8)
    out[low == 0] = 255
    out[high == 0] = 0
    return out
