import pytest
from torch import nn

from mmwsss.models.layers import CPUSyncBatchNorm
from mmwsss.models.wrappers import CPUDistributedDataParallel
from mmwsss.registry import MODEL_WRAPPERS


def test_sync_batch_norm_layers_become_cpu_ones(process_group):
    model = nn.Sequential(
        nn.Conv2d(3, 4, 1), nn.SyncBatchNorm(4), nn.BatchNorm2d(4))
    weight, running_mean = model[1].weight, model[1].running_mean
    wrapped = MODEL_WRAPPERS.build(
        dict(type='CPUDistributedDataParallel', module=model))
    assert isinstance(wrapped, CPUDistributedDataParallel)
    assert type(wrapped.module[1]) is CPUSyncBatchNorm
    assert type(wrapped.module[2]) is nn.BatchNorm2d  # plain BN stays
    # the same parameters and buffers, so an optimizer built before works
    assert wrapped.module[1].weight is weight
    assert wrapped.module[1].running_mean is running_mean


def test_device_ids_are_refused(process_group):
    with pytest.raises(ValueError, match='device_ids must be None'):
        CPUDistributedDataParallel(nn.Linear(2, 2), device_ids=[0])
