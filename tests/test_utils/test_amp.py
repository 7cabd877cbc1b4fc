import os
from unittest import mock

import pytest
import torch
import torch.nn as nn

from mmwsss.engine.optimizers import BF16OptimWrapper
from mmwsss.utils import amp, bfloat16_autocast


@pytest.mark.parametrize('fast', (True, False))
def test_cpu_autocast_only_with_native_bfloat16(fast):
    """On a CPU without native bfloat16 the context runs in float32 and
    warns; with it, a matrix product comes out in bfloat16."""
    x = torch.randn(4, 4)
    with mock.patch.object(amp, 'cpu_has_fast_bfloat16', return_value=fast), \
            mock.patch.object(amp, 'print_log') as warning:
        with bfloat16_autocast('cpu'):
            dtype = (x @ x).dtype
    assert dtype == (torch.bfloat16 if fast else torch.float32)
    assert warning.called != fast
    if not fast:
        assert 'no native bfloat16' in warning.call_args[0][0]


def test_disabled_stays_float32_without_warning():
    x = torch.randn(4, 4)
    with mock.patch.object(amp, 'print_log') as warning:
        with bfloat16_autocast('cpu', enabled=False):
            assert (x @ x).dtype == torch.float32
    assert not warning.called


@pytest.mark.parametrize('fast', (True, False))
def test_bf16_optim_wrapper_follows_the_cpu(fast):
    model = nn.Linear(4, 4)
    wrapper = BF16OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    with mock.patch.object(amp, 'cpu_has_fast_bfloat16', return_value=fast):
        with wrapper.optim_context(model):
            out = model(torch.randn(2, 4))
    assert out.dtype == (torch.bfloat16 if fast else torch.float32)


@pytest.mark.skipif(
    not os.path.isfile('/proc/cpuinfo'), reason='no /proc/cpuinfo to compare')
def test_detector_follows_the_cpu_flags():
    """Native bfloat16 is AVX-512 BF16 or AMX (bfloat16 tiles): the
    detector agrees with the kernel's list of the CPU's flags."""
    with open('/proc/cpuinfo') as f:
        flags = {
            flag
            for line in f if line.startswith('flags')
            for flag in line.split(':', 1)[1].split()
        }
    native = bool(flags & {'avx512_bf16', 'amx_bf16'})
    assert amp.cpu_has_fast_bfloat16() is native
