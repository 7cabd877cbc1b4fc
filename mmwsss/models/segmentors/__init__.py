from .crf_seg_tta_model import CRFSegTTAModel

__all__ = ['CRFSegTTAModel']
