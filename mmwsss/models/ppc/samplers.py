"""The samplers of the intra-view prototype contrast: which prototypes enter
a pixel's denominator (semi-hard mining) and which pixels count (random plus
hard sampling)."""
from typing import Tuple

import torch
from torch import Tensor

from mmwsss.registry import TASK_UTILS


@TASK_UTILS.register_module()
class SemiHardPrototypeMiner:
    """Choose, per pixel, the prototypes of its contrast denominator.

    All prototypes (the pixel's positive among them) are ranked by their
    similarity to the pixel, most similar first; the ``num_skip`` most
    similar are skipped and the next ``num_keep`` kept (ranks 4 to 13 with
    the defaults). Equal similarities keep the lower prototype index first.
    With fewer than ``num_skip + num_keep`` prototypes, the ranks that exist
    are kept (none when there are at most ``num_skip``).

    Args:
        num_skip (int): Number of most similar prototypes skipped.
            Defaults to 3.
        num_keep (int): Number of prototypes kept after those.
            Defaults to 10.
    """

    def __init__(self, num_skip: int = 3, num_keep: int = 10) -> None:
        if num_skip < 0 or num_keep < 1:
            raise ValueError(f'SemiHardPrototypeMiner needs num_skip >= 0 '
                             f'and num_keep >= 1, got {num_skip}, {num_keep}')
        self.num_skip = num_skip
        self.num_keep = num_keep

    @torch.no_grad()
    def __call__(self, similarity: Tensor) -> Tensor:
        """Mine the semi-hard prototypes.

        Args:
            similarity (Tensor): (M, K) similarity of each pixel with each
                prototype.

        Returns:
            Tensor: (M, k) long prototype indices, ordered by decreasing
            similarity, ``k = min(num_keep, max(K - num_skip, 0))``.
        """
        order = similarity.argsort(dim=1, descending=True, stable=True)
        return order[:, self.num_skip:self.num_skip + self.num_keep]

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_skip={self.num_skip}, '
                f'num_keep={self.num_keep})')


@TASK_UTILS.register_module()
class HardPixelSampler:
    """Choose, per class, a random part and a hard part of its pixels.

    For every class with ``n >= min_pixels`` pixels:

    - random part: ``floor(random_ratio * n)`` of its pixels, drawn without
      replacement;
    - hard part: its pixels ranked by similarity to their positive prototype,
      least similar first (rank 0); the ranks
      ``[floor(hi * n) - floor((hi - lo) * n), floor(hi * n))`` are kept,
      i.e. the band from ``lo`` to ``hi`` of the least similar pixels, which
      skips the very hardest ones (often wrong pseudo labels). With the
      defaults ``(0.1, 0.6)`` these are the ``n // 2`` ranks that remain of
      the ``int(0.6 * n)`` least similar pixels once the first
      ``int(0.6 * n) - n // 2`` are dropped, as in the method. The band
      width ``hi - lo`` is rounded to 6 decimals, so that ``0.6 - 0.1`` is
      exactly 0.5.

    The two parts may overlap: a pixel in both gets weight 2, so that it
    counts twice in the class mean. Classes with fewer than ``min_pixels``
    pixels get weight 0 everywhere.

    Randomness: each call draws one ``torch.randperm(M)`` from torch's global
    generator on the device of ``labels``; a class's random part is its
    first pixels in that permutation. Similarity ties keep the lower pixel
    index first.

    Args:
        random_ratio (float): Fraction of a class's pixels drawn at random.
            Defaults to 0.5.
        hard_range (tuple[float, float]): ``(lo, hi)``, the band of the
            least similar pixels kept as hard. Defaults to (0.1, 0.6).
        min_pixels (int): Classes with fewer pixels are left out.
            Defaults to 2.
    """

    def __init__(self,
                 random_ratio: float = 0.5,
                 hard_range: Tuple[float, float] = (0.1, 0.6),
                 min_pixels: int = 2) -> None:
        low, high = hard_range
        if not 0 <= low < high <= 1:
            raise ValueError(f'HardPixelSampler needs 0 <= lo < hi <= 1 in '
                             f'hard_range, got {hard_range}')
        if not 0 <= random_ratio <= 1:
            raise ValueError(f'HardPixelSampler needs random_ratio in [0, 1],'
                             f' got {random_ratio}')
        if min_pixels < 1:
            raise ValueError(f'HardPixelSampler needs min_pixels >= 1, got '
                             f'{min_pixels}')
        self.random_ratio = random_ratio
        self.hard_range = (low, high)
        self.hard_width = round(high - low, 6)
        self.min_pixels = min_pixels

    @staticmethod
    def _rank_in_class(labels: Tensor, order: Tensor,
                       class_starts: Tensor) -> Tensor:
        """The rank of each pixel among the pixels of its class in ``order``.

        Args:
            labels (Tensor): (M,) long class of each pixel.
            order (Tensor): (M,) a permutation of the pixel indices.
            class_starts (Tensor): (K,) number of pixels of lower classes.

        Returns:
            Tensor: (M,) long rank, from 0 within each class.
        """
        # Group the pixels by class, keeping ``order`` within each class.
        grouped = order[labels[order].argsort(stable=True)]
        position = torch.arange(labels.numel(), device=labels.device)
        rank = torch.empty_like(labels)
        rank[grouped] = position - class_starts[labels[grouped]]
        return rank

    @torch.no_grad()
    def __call__(self, labels: Tensor, similarity: Tensor) -> Tensor:
        """Sample the pixels.

        Args:
            labels (Tensor): (M,) long class of each pixel, all >= 0.
            similarity (Tensor): (M,) similarity of each pixel with its
                positive prototype.

        Returns:
            Tensor: (M,) long weight of each pixel: 0 (not sampled), 1, or 2
            (sampled in both parts).
        """
        counts = torch.bincount(labels)  # (K,)
        class_starts = counts.cumsum(0) - counts
        num = counts[labels].double()  # (M,) size of each pixel's class
        num_random = (num * self.random_ratio).floor()
        hard_end = (num * self.hard_range[1]).floor()
        hard_start = (hard_end - (num * self.hard_width).floor()).clamp(min=0)

        permutation = torch.randperm(labels.numel(), device=labels.device)
        random_rank = self._rank_in_class(labels, permutation, class_starts)
        hard_rank = self._rank_in_class(labels,
                                        similarity.argsort(stable=True),
                                        class_starts)

        in_random = random_rank < num_random
        in_hard = (hard_rank >= hard_start) & (hard_rank < hard_end)
        eligible = num >= self.min_pixels
        return (in_random.long() + in_hard.long()) * eligible

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(random_ratio={self.random_ratio}, '
                f'hard_range={self.hard_range}, '
                f'min_pixels={self.min_pixels})')
