"""The model contract shared by every mmwsss network."""
from abc import ABCMeta, abstractmethod
from typing import Dict, List, Optional, Union

from mmengine.model import BaseModel
from torch import Tensor

from mmwsss.structures import WSSSDataSample


class BaseWSSSModel(BaseModel, metaclass=ABCMeta):
    """Base of the stage-1 classifiers and AffinityNet.

    Same contract as mmseg's segmentors: ``forward(inputs, data_samples,
    mode)`` dispatches to :meth:`loss` (``mode='loss'``), :meth:`predict`
    (``'predict'``) and :meth:`_forward` (``'tensor'``), so the mmengine
    Runner, its loops and the model wrappers drive every model the same way.
    """

    def forward(
            self,
            inputs: Tensor,
            data_samples: Optional[List[WSSSDataSample]] = None,
            mode: str = 'tensor') -> Union[Dict[str, Tensor], list, Tensor]:
        """Dispatch to :meth:`loss`, :meth:`predict` or :meth:`_forward`.

        Args:
            inputs (Tensor): ``(N, 3, H, W)`` images.
            data_samples (list[WSSSDataSample], optional): Their samples.
            mode (str): 'loss', 'predict' or 'tensor'. Defaults to 'tensor'.

        Returns:
            dict | list | Tensor: Losses, data samples or raw outputs.
        """
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self._forward(inputs, data_samples)
        raise RuntimeError(f'Invalid mode "{mode}". Only supports loss, '
                           'predict and tensor mode.')

    @abstractmethod
    def loss(self, inputs: Tensor,
             data_samples: List[WSSSDataSample]) -> Dict[str, Tensor]:
        """Losses of a training batch."""

    @abstractmethod
    def predict(
            self, inputs: Tensor,
            data_samples: List[WSSSDataSample]) -> List[WSSSDataSample]:
        """Predictions of a batch, written into its data samples."""

    @abstractmethod
    def _forward(
            self,
            inputs: Tensor,
            data_samples: Optional[List[WSSSDataSample]] = None) -> Tensor:
        """Raw network outputs of a batch."""
