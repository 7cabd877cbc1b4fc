"""mmwsss: weakly supervised semantic segmentation on OpenMMLab."""
import mmcv
import mmengine
import mmseg
from mmengine.utils import digit_version

from .version import __version__, version_info

MMCV_MIN = '2.0.0rc4'
MMCV_MAX = '2.2.0'
MMENGINE_MIN = '0.10.0'
MMENGINE_MAX = '1.0.0'
MMSEG_MIN = '1.2.0'
MMSEG_MAX = '1.3.0'


def _check_version(name: str, version: str, low: str, high: str) -> None:
    """Raise a clear error if ``low <= version < high`` does not hold."""
    if not digit_version(low) <= digit_version(version) < digit_version(high):
        raise ImportError(
            f'{name}=={version} is installed, but mmwsss needs '
            f'{name}>={low},<{high}. Run the install command of the README.')


_check_version('mmcv', mmcv.__version__, MMCV_MIN, MMCV_MAX)
_check_version('mmengine', mmengine.__version__, MMENGINE_MIN, MMENGINE_MAX)
_check_version('mmsegmentation', mmseg.__version__, MMSEG_MIN, MMSEG_MAX)

__all__ = ['__version__', 'version_info']
