"""A prototype miner that draws the negatives of each pixel at random."""
import torch
from torch import Tensor

from mmwsss.registry import TASK_UTILS


@TASK_UTILS.register_module()
class RandomPrototypeMiner:
    """Keep ``num_keep`` prototypes per pixel, drawn without replacement.

    The PPC authors' code draws such random negatives before settling on
    semi-hard mining; this miner brings that variant back as a plug-in of
    ``IntraViewContrastLoss`` without touching mmwsss. Randomness comes
    from torch's global generator on the similarity's device, so runs are
    reproducible under a fixed seed.

    Args:
        num_keep (int): Prototypes kept per pixel. Defaults to 10.
    """

    def __init__(self, num_keep: int = 10) -> None:
        if num_keep < 1:
            raise ValueError(f'num_keep must be >= 1, got {num_keep}')
        self.num_keep = num_keep

    @torch.no_grad()
    def __call__(self, similarity: Tensor) -> Tensor:
        """(M, K) similarities -> (M, min(num_keep, K)) prototype indices."""
        keys = torch.rand(similarity.shape, device=similarity.device)
        return keys.argsort(dim=1)[:, :self.num_keep]
