"""Where the background channel of class activation maps lies."""
from typing import Optional

import torch
from torch import Tensor


class CAMLayout:
    """The channel layout of CAMs: foreground channels and, optionally, one
    background channel first or last.

    A stage-1 classifier predicts ``(N, C + 1, ...)`` maps with the
    background first (SEAM and SEAM + PPC, ``bg_index=0``) or last (EPS and
    EPS + PPC, ``bg_index=-1``), or ``(N, C, ...)`` maps without background
    (the plain CAM, ``bg_index=None``). Every piece of code that takes the
    background out of such maps, puts one in, or extends image labels with
    it goes through this class, so that the two conventions are handled in
    one place.

    Args:
        bg_index (int, optional): 0, -1 or None, see above.
        dim (int): The channel dimension of the maps. Defaults to 1.

    Example:
        >>> layout = CAMLayout(-1)
        >>> cam = torch.rand(2, 21, 8, 8)
        >>> fg = layout.foreground(cam)  # (2, 20, 8, 8)
        >>> layout.with_background(fg, 1 - fg.amax(1, keepdim=True)).shape
        torch.Size([2, 21, 8, 8])
    """

    def __init__(self, bg_index: Optional[int], dim: int = 1) -> None:
        if bg_index not in (None, 0, -1):
            raise ValueError(f'bg_index must be None, 0 or -1, got '
                             f'{bg_index!r}')
        self.bg_index = bg_index
        self.dim = dim

    @property
    def has_background(self) -> bool:
        """bool: Whether the maps have a background channel."""
        return self.bg_index is not None

    def background_channel(self, num_channels: int) -> int:
        """The index in ``[0, num_channels)`` of the background channel."""
        self._need_background()
        return 0 if self.bg_index == 0 else num_channels - 1

    def foreground(self, x: Tensor) -> Tensor:
        """The foreground channels of ``x`` (a view, no copy)."""
        if not self.has_background:
            return x
        start = 1 if self.bg_index == 0 else 0
        return x.narrow(self.dim, start, x.shape[self.dim] - 1)

    def background(self, x: Tensor) -> Tensor:
        """The background channel of ``x``, kept as a dimension of size 1."""
        return x.narrow(self.dim, self.background_channel(x.shape[self.dim]),
                        1)

    def with_background(self, fg: Tensor, bg: Tensor) -> Tensor:
        """Maps made of the foreground channels ``fg`` and a background
        channel ``bg`` (size 1 along the channel dimension) at its place."""
        self._need_background()
        parts = [bg, fg] if self.bg_index == 0 else [fg, bg]
        return torch.cat(parts, dim=self.dim)

    def label_with_background(self, labels: Tensor) -> Tensor:
        """``(N, C)`` image labels extended with a background that is
        always present: ``(N, C + 1)`` in the layout of the maps."""
        layout = CAMLayout(self.bg_index, dim=1)
        return layout.with_background(labels, labels.new_ones(len(labels), 1))

    def _need_background(self) -> None:
        if not self.has_background:
            raise ValueError('These maps have no background channel '
                             '(bg_index=None)')


def required_bg_index(bg_index: Optional[int], part: str) -> int:
    """The ``bg_index`` of a part that reads the background channel of the
    CAMs (PCM, ECR, the saliency loss, the contrast plug-in).

    A classifier gives the parts it builds its own ``bg_index``; a part
    built alone takes it from its config.

    Args:
        bg_index (int, optional): 0 or -1.
        part (str): The part's name, for the message.

    Returns:
        int: ``bg_index``.

    Raises:
        ValueError: If ``bg_index`` is None, or not 0 or -1.
    """
    if bg_index is None:
        raise ValueError(f'{part} needs bg_index, the background channel of '
                         'the CAMs (0 or -1): a classifier gives the parts '
                         f'it builds its own; give it to a {part} built '
                         'alone.')
    return CAMLayout(bg_index).bg_index
