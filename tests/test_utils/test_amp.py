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


@pytest.mark.parametrize('supported', (True, False))
def test_detector_asks_onednn_once(supported):
    """The answer is oneDNN's, asked once per process."""
    amp.cpu_has_fast_bfloat16.cache_clear()
    try:
        with mock.patch.object(
                torch.ops.mkldnn,
                '_is_mkldnn_bf16_supported',
                return_value=supported) as ask:
            answers = [amp.cpu_has_fast_bfloat16() for _ in range(3)]
        assert answers == [supported] * 3
        ask.assert_called_once_with()
    finally:
        amp.cpu_has_fast_bfloat16.cache_clear()


def _cpu_flags():
    """The x86 CPU's flags of /proc/cpuinfo (empty elsewhere)."""
    if not os.path.isfile('/proc/cpuinfo'):
        return set()
    with open('/proc/cpuinfo') as f:
        return {
            flag
            for line in f if line.startswith('flags')
            for flag in line.split(':', 1)[1].split()
        }


def test_detector_follows_the_cpu_flags():
    """AVX-512 BF16 or AMX run bfloat16 natively; a CPU without AVX-512 or
    AVX-NE-CONVERT (AVX2 only) does not. oneDNN also runs bfloat16 on
    AVX-512 CPUs without BF16 (emulated), which is not checked here."""
    flags = _cpu_flags()
    if flags & {'avx512_bf16', 'amx_bf16'}:
        assert amp.cpu_has_fast_bfloat16() is True
    elif flags and 'avx_ne_convert' not in flags and not any(
            flag.startswith('avx512') for flag in flags):
        assert amp.cpu_has_fast_bfloat16() is False
    else:
        pytest.skip('no x86 flags, or AVX-512 without BF16 (emulated)')
