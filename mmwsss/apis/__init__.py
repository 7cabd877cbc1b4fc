from mmwsss.engine.pseudo_masks import (PseudoMaskWriter, encode_palette_png,
                                        prepare_pseudo_masks,
                                        write_pseudo_masks)
from mmwsss.models.utils import dense_crf
from .affinity import (affinity_labels, load_cams, mask_path,
                       prepare_random_walk, random_walk_refine,
                       write_affinity_labels, write_refined_masks)
from .config_utils import load_config
from .pipeline import WSSSPipeline
from .stages import (evaluate, evaluate_seeds, make_affinity_labels,
                     make_pseudo_masks, refine_masks, train, train_affinity,
                     train_stage2)
from .steps import Step, run_steps

__all__ = [
    'affinity_labels', 'load_cams', 'mask_path', 'prepare_random_walk',
    'random_walk_refine', 'write_affinity_labels', 'write_refined_masks',
    'PseudoMaskWriter', 'dense_crf', 'load_config', 'encode_palette_png',
    'prepare_pseudo_masks', 'write_pseudo_masks', 'WSSSPipeline', 'Step',
    'run_steps', 'train', 'train_affinity', 'train_stage2', 'evaluate',
    'evaluate_seeds', 'make_pseudo_masks', 'make_affinity_labels',
    'refine_masks'
]
