"""The label space of seeds and pseudo masks: 0 the background, ``c + 1``
the class ``c``."""
from typing import Optional, TypeVar, Union

import numpy as np
import torch
from torch import Tensor

#: A ``torch.Tensor`` or a ``numpy.ndarray`` (the result has the type of
#: the input).
Array = TypeVar('Array', Tensor, np.ndarray)


def stack_background(scores: Array, bg: Union[float, Array]) -> Array:
    """The scores of the background, then those of the classes.

    Seeds, pseudo masks, AffinityNet's labels and random-walk masks are the
    argmax over such a stack: index 0 the background, index ``k + 1`` the
    class of ``scores[..., k, :, :]``; :func:`labels_from_index` turns the
    indices into class labels. Only copies, no arithmetic: the values are
    those of ``scores`` and ``bg``.

    Args:
        scores (Tensor | np.ndarray): ``(..., K, H, W)`` scores of K
            classes (all classes, or the image's labelled ones).
        bg (float | Tensor | np.ndarray): A constant background score, or
            a ``(..., 1, H, W)`` background map of the type of ``scores``.

    Returns:
        Tensor | np.ndarray: ``(..., K + 1, H, W)`` scores, of the type and
        dtype of ``scores``.
    """
    shape = (*scores.shape[:-3], 1, *scores.shape[-2:])  # K may be 0
    if isinstance(scores, np.ndarray):
        if np.ndim(bg) == 0:
            bg = np.full(shape, bg, dtype=scores.dtype)
        return np.concatenate([bg, scores], axis=-3)
    if not isinstance(bg, Tensor):
        bg = scores.new_full(shape, bg)
    return torch.cat([bg, scores], dim=-3)


def argmax_background(scores: Tensor, bg_score: float) -> Tensor:
    """The argmax over ``stack_background(scores, bg_score)``, without
    building the stack.

    Ties go to the lowest index, the background first, as ``np.argmax``
    in the authors' scripts: a class needs a score above ``bg_score``, and
    of tied classes the first wins.

    Args:
        scores (Tensor): ``(..., K, H, W)`` class scores.
        bg_score (float): Constant background score.

    Returns:
        Tensor: ``(..., H, W)`` long indices in ``[0, K]``.
    """
    # along the last, contiguous dimension: the same result, several times
    # faster than along dimension -3 on CPU
    index = scores.movedim(-3, -1).contiguous().argmax(-1, keepdim=True)
    index = index.movedim(-1, -3)
    score = scores.gather(-3, index).squeeze(-3)
    index = index.squeeze(-3)
    return torch.where(score > bg_score, index + 1, torch.zeros_like(index))


def labels_from_index(index: Array, present: Optional[Array] = None) -> Array:
    """Class labels of indices into a :func:`stack_background` stack.

    Args:
        index (Tensor | np.ndarray): Integer indices, 0 the background.
        present (Tensor | np.ndarray, optional): ``(K,)`` the classes whose
            scores the stack holds, in its order (the image's labelled
            classes: the non-zero entries of its label), of the type of
            ``index``. Defaults to None: every class, in order.

    Returns:
        Tensor | np.ndarray: Labels of the shape of ``index``: 0 the
        background, ``present[k - 1] + 1`` for index ``k`` (``k`` itself
        without ``present``).
    """
    if present is None:
        return index
    if isinstance(index, np.ndarray):
        return np.concatenate([[0], present + 1])[index]
    return torch.cat([present.new_zeros(1), present + 1])[index]
