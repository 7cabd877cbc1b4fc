from .config_utils import load_config
from .pipeline import WSSSPipeline
from .stages import (evaluate, evaluate_seeds, make_affinity_labels,
                     make_pseudo_masks, refine_masks, train, train_affinity,
                     train_stage2)
from .steps import Step, run_steps

__all__ = [
    'load_config', 'WSSSPipeline', 'Step', 'run_steps', 'train',
    'train_affinity', 'train_stage2', 'evaluate', 'evaluate_seeds',
    'make_pseudo_masks', 'make_affinity_labels', 'refine_masks'
]
