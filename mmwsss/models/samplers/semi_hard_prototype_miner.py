"""Semi-hard prototype mining for the intra-view prototype contrast."""
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
