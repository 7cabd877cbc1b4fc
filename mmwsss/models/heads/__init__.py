from .aspp_v2_head import ASPPV2Head
from .cam_head import CAMHead
from .largefov_head import LargeFOVHead
from .pcm_head import PCMHead, pcm_input

__all__ = ['ASPPV2Head', 'CAMHead', 'LargeFOVHead', 'PCMHead', 'pcm_input']
