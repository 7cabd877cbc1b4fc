"""The shipped configs' layout: shallow inheritance and a poly schedule that
ends with the training loop."""
import ast
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.optim.scheduler import PolyLR
from mmengine.runner import Runner
from tool_helpers import ROOT

from mmwsss.utils import register_all_modules

LEAVES = sorted(
    path for path in glob.glob(osp.join(ROOT, 'configs', '*', '*.py'))
    if osp.basename(osp.dirname(path)) not in ('_base_', 'pipeline'))


def _bases(path: str) -> list:
    """The files named by a config's ``_base_``, as paths."""
    for node in ast.parse(open(path).read()).body:
        if isinstance(node, ast.Assign) and any(
                getattr(t, 'id', None) == '_base_' for t in node.targets):
            names = ast.literal_eval(node.value)
            names = [names] if isinstance(names, str) else names
            return [
                osp.normpath(osp.join(osp.dirname(path), n)) for n in names
            ]
    return []


def _loaded(path: str) -> list:
    """Every base file a config loads, through its bases' bases."""
    loaded = []
    for base in _bases(path):
        loaded += [base] + _loaded(base)
    return loaded


@pytest.mark.parametrize('leaf', LEAVES, ids=osp.basename)
def test_a_leaf_reads_at_most_five_bases(leaf):
    """A method model on its backbone, one data file, a schedule on the
    runtime."""
    loaded = _loaded(leaf)
    assert len(loaded) <= 5, [osp.relpath(p, ROOT) for p in loaded]
    for base in loaded:
        if '/datasets/' in base:
            assert not _bases(base), f'{base} inherits: data files stand alone'


def test_poly_schedule_ends_with_the_training_loop(tiny_voc, tmp_path):
    """The runtime's PolyLR has no ``end``: the runner ends it at the loop's
    last iteration, so a shorter ``max_epochs`` shortens it, with the
    learning rates of the epoch-based form the configs used to spell out."""
    register_all_modules()
    cfg = Config.fromfile(
        osp.join(ROOT, 'configs', 'cam',
                 'cam_efflite0-d8_1xb8-4e_synthetic-v2-96x96.py'))
    cfg.merge_from_dict({
        'work_dir': str(tmp_path),
        'train_dataloader.dataset.data_root': tiny_voc,
        'train_dataloader.batch_size': 4,
        'train_dataloader.num_workers': 0,
        'train_dataloader.persistent_workers': False,
        'train_cfg.max_epochs': 2,
        'model.backbone.init_cfg': None,
    })
    runner = Runner.from_cfg(cfg)
    runner._train_loop = runner.build_train_loop(runner._train_loop)
    runner.optim_wrapper = runner.build_optim_wrapper(runner.optim_wrapper)
    scheduler, = runner.build_param_scheduler(runner.param_schedulers)
    assert runner.max_iters == 2 * 4  # 16 train_aug images, batch 4
    assert (scheduler.begin, scheduler.end) == (0, runner.max_iters)

    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.)
    epoch_based = PolyLR.build_iter_from_epoch(
        optimizer, power=0.9, eta_min=0., begin=0, end=2, epoch_length=4)
    ours = runner.optim_wrapper.optimizer
    base_lr = ours.param_groups[0]['lr']
    for _ in range(runner.max_iters):
        assert ours.param_groups[0]['lr'] == pytest.approx(
            base_lr * optimizer.param_groups[0]['lr'], rel=1e-12)
        scheduler.step()
        epoch_based.step()
