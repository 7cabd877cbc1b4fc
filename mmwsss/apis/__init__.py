from .config_utils import load_config
from .crf import dense_crf
from .pseudo_masks import (PseudoMaskWriter, encode_palette_png,
                           prepare_pseudo_masks, write_pseudo_masks)

__all__ = [
    'PseudoMaskWriter', 'dense_crf', 'load_config', 'encode_palette_png',
    'prepare_pseudo_masks', 'write_pseudo_masks'
]
