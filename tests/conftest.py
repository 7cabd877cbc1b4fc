"""Shared fixtures: a tiny synthetic VOC dataset generated once per session,
and a one-process gloo group."""
import pytest
import torch.distributed as dist

from mmwsss.datasets.synthetic import write_synthetic_voc
from mmwsss.utils import register_all_modules


@pytest.fixture(scope='session', autouse=True)
def _registered():
    """Register every module with the ``mmwsss`` default scope."""
    register_all_modules(init_default_scope=True)


@pytest.fixture
def gloo():
    """Skip the test where torch.distributed has no gloo backend."""
    if not dist.is_available() or not dist.is_gloo_available():
        pytest.skip('torch.distributed with gloo is not available')


@pytest.fixture
def process_group(gloo, tmp_path):
    """A one-process gloo process group, destroyed afterwards if the test
    left it alive."""
    dist.init_process_group(
        'gloo',
        init_method=f'file://{tmp_path}/rendezvous',
        rank=0,
        world_size=1)
    yield
    if dist.is_initialized():
        dist.destroy_process_group()


@pytest.fixture(scope='session')
def tiny_voc(tmp_path_factory) -> str:
    """A VOC-layout dataset: 8 train / 16 train_aug / 8 val, 48-64 px."""
    root = tmp_path_factory.mktemp('tiny_voc')
    write_synthetic_voc(
        str(root),
        seed=0,
        num_train=8,
        num_train_aug=16,
        num_val=8,
        image_size=(48, 64))
    return str(root)
