from .crf import dense_crf
from .embedding_init import embedding_init_cfg
from .multiscale_cam import (minmax_norm, multiscale_cam, normalize_cam,
                             resize_to)
from .view_warp import ViewWarp

__all__ = [
    'ViewWarp', 'dense_crf', 'embedding_init_cfg', 'minmax_norm',
    'multiscale_cam', 'normalize_cam', 'resize_to'
]
