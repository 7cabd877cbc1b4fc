"""CPUSyncBatchNorm on 2 gloo processes equals BatchNorm on the whole batch."""
import os

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch import nn

from mmwsss.models.layers import CPUSyncBatchNorm


def _batch():
    torch.manual_seed(0)
    x = torch.randn(4, 3, 5, 6) * 2 + 1  # a mean far from 0
    return x, torch.randn(4, 3, 5, 6)  # the input and an upstream gradient


def _layer(cls, momentum):
    layer = cls(3, momentum=momentum)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor([1., 2., -1.]))
        layer.bias.copy_(torch.tensor([0., .5, 1.]))
    return layer


def _rank(rank, out_dir, momentum):
    dist.init_process_group(
        'gloo',
        init_method='file://' + os.path.join(out_dir, 'rendezvous'),
        rank=rank,
        world_size=2)
    x, grad = _batch()
    x = x[2 * rank:2 * rank + 2].clone().requires_grad_()
    layer = _layer(CPUSyncBatchNorm, momentum)
    for _ in range(2):  # running statistics over two steps
        y = layer(x)
    y.backward(grad[2 * rank:2 * rank + 2])
    torch.save(
        dict(
            y=y.detach(),
            x_grad=x.grad,
            w_grad=layer.weight.grad,
            b_grad=layer.bias.grad,
            state=layer.state_dict()), os.path.join(out_dir, f'{rank}.pt'))
    dist.destroy_process_group()


@pytest.mark.parametrize('momentum', [0.1, None])
def test_two_processes_equal_one_batch_norm(tmp_path, momentum):
    mp.spawn(_rank, args=(str(tmp_path), momentum), nprocs=2)
    x, grad = _batch()
    x.requires_grad_()
    ref = _layer(nn.BatchNorm2d, momentum)
    for _ in range(2):
        y = ref(x)
    y.backward(grad)
    parts = [torch.load(tmp_path / f'{r}.pt') for r in (0, 1)]
    torch.testing.assert_close(torch.cat([p['y'] for p in parts]), y)
    torch.testing.assert_close(
        torch.cat([p['x_grad'] for p in parts]), x.grad)
    # parameter gradients are per process; DDP sums (averages) them
    torch.testing.assert_close(parts[0]['w_grad'] + parts[1]['w_grad'],
                               ref.weight.grad)
    torch.testing.assert_close(parts[0]['b_grad'] + parts[1]['b_grad'],
                               ref.bias.grad)
    for part in parts:
        for key, value in ref.state_dict().items():
            torch.testing.assert_close(part['state'][key], value, msg=key)


def test_without_a_process_group_it_is_batch_norm():
    x, _ = _batch()
    layer, ref = _layer(CPUSyncBatchNorm, 0.1), _layer(nn.BatchNorm2d, 0.1)
    torch.testing.assert_close(layer(x), ref(x))
    layer.eval(), ref.eval()
    torch.testing.assert_close(layer(x), ref(x))
