"""mmwsss: weakly supervised semantic segmentation on OpenMMLab."""
from typing import Optional

import mmcv
import mmengine
import mmseg
import torch
from mmengine.utils import digit_version

from .version import __version__, version_info

MMCV_MIN = '2.0.0rc4'
MMCV_MAX = '2.2.0'
MMENGINE_MIN = '0.10.0'
MMENGINE_MAX = '1.0.0'
MMSEG_MIN = '1.2.0'
MMSEG_MAX = '1.3.0'
#: torch.load's default is weights_only=True from 2.6 on: every checkpoint
#: (mmengine's loader included) then loads without running code.
TORCH_MIN = '2.6.0'


def _check_version(name: str,
                   version: str,
                   low: str,
                   high: Optional[str] = None) -> None:
    """Raise a clear error unless ``low <= version`` (``< high``)."""
    if digit_version(version) < digit_version(low) or (
            high is not None
            and digit_version(version) >= digit_version(high)):
        needed = f'>={low}' + (f',<{high}' if high else '')
        raise ImportError(
            f'{name}=={version} is installed, but mmwsss needs '
            f'{name}{needed}. Run the install command of the README.')


_check_version('mmcv', mmcv.__version__, MMCV_MIN, MMCV_MAX)
_check_version('mmengine', mmengine.__version__, MMENGINE_MIN, MMENGINE_MAX)
_check_version('mmsegmentation', mmseg.__version__, MMSEG_MIN, MMSEG_MAX)
_check_version('torch', torch.__version__, TORCH_MIN)

__all__ = ['__version__', 'version_info']
