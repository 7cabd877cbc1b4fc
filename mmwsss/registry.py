"""Registries of mmwsss.

Every registry is a child of mmsegmentation's registry of the same name, so a
config in the ``mmwsss`` scope can build mmwsss components by their plain
``type`` name and still reach mmseg's and mmengine's components (backbones,
``IoUMetric``, ``PolyLR``, ...) through the parent registries. ``locations``
lets a registry import the modules that register into it on first use.
"""
from mmengine.registry import Registry
from mmseg.registry import DATA_SAMPLERS as MMSEG_DATA_SAMPLERS
from mmseg.registry import DATASETS as MMSEG_DATASETS
from mmseg.registry import EVALUATOR as MMSEG_EVALUATOR
from mmseg.registry import HOOKS as MMSEG_HOOKS
from mmseg.registry import INFERENCERS as MMSEG_INFERENCERS
from mmseg.registry import LOG_PROCESSORS as MMSEG_LOG_PROCESSORS
from mmseg.registry import LOOPS as MMSEG_LOOPS
from mmseg.registry import METRICS as MMSEG_METRICS
from mmseg.registry import MODEL_WRAPPERS as MMSEG_MODEL_WRAPPERS
from mmseg.registry import MODELS as MMSEG_MODELS
from mmseg.registry import \
    OPTIM_WRAPPER_CONSTRUCTORS as MMSEG_OPTIM_WRAPPER_CONSTRUCTORS
from mmseg.registry import OPTIM_WRAPPERS as MMSEG_OPTIM_WRAPPERS
from mmseg.registry import OPTIMIZERS as MMSEG_OPTIMIZERS
from mmseg.registry import PARAM_SCHEDULERS as MMSEG_PARAM_SCHEDULERS
from mmseg.registry import RUNNER_CONSTRUCTORS as MMSEG_RUNNER_CONSTRUCTORS
from mmseg.registry import RUNNERS as MMSEG_RUNNERS
from mmseg.registry import TASK_UTILS as MMSEG_TASK_UTILS
from mmseg.registry import TRANSFORMS as MMSEG_TRANSFORMS
from mmseg.registry import VISBACKENDS as MMSEG_VISBACKENDS
from mmseg.registry import VISUALIZERS as MMSEG_VISUALIZERS
from mmseg.registry import WEIGHT_INITIALIZERS as MMSEG_WEIGHT_INITIALIZERS

RUNNERS = Registry('runner', parent=MMSEG_RUNNERS, scope='mmwsss')
RUNNER_CONSTRUCTORS = Registry(
    'runner constructor', parent=MMSEG_RUNNER_CONSTRUCTORS, scope='mmwsss')
LOOPS = Registry('loop', parent=MMSEG_LOOPS, scope='mmwsss')
HOOKS = Registry(
    'hook',
    parent=MMSEG_HOOKS,
    scope='mmwsss',
    locations=['mmwsss.engine.hooks'])

DATASETS = Registry(
    'dataset',
    parent=MMSEG_DATASETS,
    scope='mmwsss',
    locations=['mmwsss.datasets'])
DATA_SAMPLERS = Registry(
    'data sampler', parent=MMSEG_DATA_SAMPLERS, scope='mmwsss')
TRANSFORMS = Registry(
    'transform',
    parent=MMSEG_TRANSFORMS,
    scope='mmwsss',
    locations=['mmwsss.datasets.transforms'])

MODELS = Registry(
    'model', parent=MMSEG_MODELS, scope='mmwsss', locations=['mmwsss.models'])
MODEL_WRAPPERS = Registry(
    'model_wrapper',
    parent=MMSEG_MODEL_WRAPPERS,
    scope='mmwsss',
    locations=['mmwsss.models'])
WEIGHT_INITIALIZERS = Registry(
    'weight initializer',
    parent=MMSEG_WEIGHT_INITIALIZERS,
    scope='mmwsss',
    locations=['mmwsss.models'])

OPTIMIZERS = Registry(
    'optimizer',
    parent=MMSEG_OPTIMIZERS,
    scope='mmwsss',
    locations=['mmwsss.engine.optimizers'])
OPTIM_WRAPPERS = Registry(
    'optim_wrapper',
    parent=MMSEG_OPTIM_WRAPPERS,
    scope='mmwsss',
    locations=['mmwsss.engine.optimizers'])
OPTIM_WRAPPER_CONSTRUCTORS = Registry(
    'optimizer wrapper constructor',
    parent=MMSEG_OPTIM_WRAPPER_CONSTRUCTORS,
    scope='mmwsss')
PARAM_SCHEDULERS = Registry(
    'parameter scheduler', parent=MMSEG_PARAM_SCHEDULERS, scope='mmwsss')

METRICS = Registry(
    'metric',
    parent=MMSEG_METRICS,
    scope='mmwsss',
    locations=['mmwsss.evaluation'])
EVALUATOR = Registry(
    'evaluator',
    parent=MMSEG_EVALUATOR,
    scope='mmwsss',
    locations=['mmwsss.evaluation'])

TASK_UTILS = Registry(
    'task util',
    parent=MMSEG_TASK_UTILS,
    scope='mmwsss',
    locations=['mmwsss.models'])

VISUALIZERS = Registry(
    'visualizer',
    parent=MMSEG_VISUALIZERS,
    scope='mmwsss',
    locations=['mmwsss.visualization'])
VISBACKENDS = Registry('vis_backend', parent=MMSEG_VISBACKENDS, scope='mmwsss')
LOG_PROCESSORS = Registry(
    'log_processor', parent=MMSEG_LOG_PROCESSORS, scope='mmwsss')
INFERENCERS = Registry('inferencer', parent=MMSEG_INFERENCERS, scope='mmwsss')
