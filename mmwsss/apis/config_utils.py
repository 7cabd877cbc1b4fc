"""Config preparation shared by the command-line tools."""
import os.path as osp
from typing import Optional, Sequence

from mmengine.config import Config
from mmengine.runner import Runner

from mmwsss.registry import RUNNERS
from mmwsss.utils import (register_all_modules, setup_launcher,
                          trust_checkpoints)

#: Metrics that write their summary files into the work dir by default.
_METRICS_WITH_OUTPUT = ('SeedMetric', )


def _default_output_dir(evaluator, work_dir: str) -> None:
    """Point evaluators of ``_METRICS_WITH_OUTPUT`` at ``work_dir``."""
    metrics = evaluator if isinstance(evaluator, list) else [evaluator]
    for metric in metrics:
        if isinstance(metric, dict) and metric.get(
                'type'
        ) in _METRICS_WITH_OUTPUT and not metric.get('output_dir'):
            metric['output_dir'] = work_dir


def load_config(config: str,
                work_dir: Optional[str] = None,
                cfg_options: Optional[dict] = None,
                launcher: str = 'none',
                trusted_checkpoints: Sequence[str] = ()) -> Config:
    """Load a config the way every tool of mmwsss does.

    Registers all modules (scope ``mmwsss``), trusts the
    ``trusted_checkpoints`` to name classes to build when loaded (see
    :func:`mmwsss.utils.verify_checkpoint`), merges ``cfg_options``, sets
    the work dir (argument > config > ``work_dirs/{config name}``), points
    the seed metric's summary at the work dir, and prepares the launcher
    (see :func:`mmwsss.utils.setup_launcher`).

    Args:
        config (str): Config file.
        work_dir (str, optional): Work dir from the command line.
        cfg_options (dict, optional): ``--cfg-options`` overrides.
        launcher (str): Job launcher. Defaults to 'none'.
        trusted_checkpoints (Sequence[str]): Checkpoints the user trusts to
            run code when unpickled (``--trust-checkpoint``).

    Returns:
        Config: The prepared config.
    """
    if not osp.isfile(config):
        raise FileNotFoundError(f'The config {config} does not exist.')
    register_all_modules(init_default_scope=False)
    trust_checkpoints(trusted_checkpoints)
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(config))[0])
    for key in ('val_evaluator', 'test_evaluator'):
        if cfg.get(key):
            _default_output_dir(cfg[key], cfg.work_dir)
    setup_launcher(cfg, launcher)
    return cfg


def build_runner(cfg: Config) -> Runner:
    """The config's own runner type if it names one, else mmengine's."""
    return RUNNERS.build(cfg) if 'runner_type' in cfg else \
        Runner.from_cfg(cfg)


def config_section(cfg: Config, key: str):
    """The config's ``key``, or an error naming the config and the key.

    Raises:
        KeyError: If the config has no ``key``.
    """
    if cfg.get(key) is None:
        raise KeyError(f'The config {cfg.filename} has no {key}, which this '
                       'tool needs.')
    return cfg[key]
