import io
import types

import numpy as np
import torch
from mmengine.logging import HistoryBuffer, MessageHub

from mmwsss.engine.hooks import SafeCheckpointHook


def test_message_hub_survives_a_weights_only_load():
    hub = MessageHub.get_instance('safe_ckpt_test')
    for v in (1.0, 2.0, 4.0):
        hub.update_scalar('train/loss', v)
    hub.update_info('eta', np.float64(12.5))
    checkpoint = dict(
        meta=dict(seed=np.int64(3), epoch=2),
        message_hub=hub.state_dict(),
        state_dict=dict(w=torch.ones(2)))
    runner = types.SimpleNamespace(cfg=dict(resume=True))
    hook = SafeCheckpointHook()
    hook.before_save_checkpoint(runner, checkpoint)
    buffer = io.BytesIO()
    torch.save(checkpoint, buffer)
    buffer.seek(0)
    loaded = torch.load(buffer, weights_only=True)  # no trust needed
    draw = np.random.rand()
    hook.after_load_checkpoint(runner, loaded)  # restores the generators
    assert np.random.rand() == draw
    scalars = loaded['message_hub']['log_scalars']
    assert isinstance(scalars['train/loss'], HistoryBuffer)
    assert scalars['train/loss'].mean() == np.mean([1.0, 2.0, 4.0])
    assert loaded['message_hub']['runtime_info']['eta'] == 12.5
    assert loaded['meta']['seed'] == 3
    restored = MessageHub.get_instance('safe_ckpt_test_2')
    restored.load_state_dict(loaded['message_hub'])
    assert restored.get_scalar('train/loss').current() == 4.0
