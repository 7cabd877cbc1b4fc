import pytest
from mmengine.config import Config
from mmengine.runner import Runner

from mmwsss.apis.config_utils import build_runner, config_section
from mmwsss.registry import RUNNERS


def test_build_runner_honours_runner_type(monkeypatch):
    built = []

    @RUNNERS.register_module(force=True)
    class _RecordingRunner:

        @classmethod
        def from_cfg(cls, cfg):
            built.append(cfg)
            return cls()

    monkeypatch.setattr(Runner, 'from_cfg', lambda cfg: 'mmengine')
    assert build_runner(Config(dict(a=1))) == 'mmengine'
    runner = build_runner(Config(dict(runner_type='_RecordingRunner')))
    assert isinstance(runner, _RecordingRunner) and len(built) == 1


def test_config_sections(tmp_path):
    (tmp_path / 'cfg.py').write_text('a = dict(b=1)\nc = None\n')
    cfg = Config.fromfile(str(tmp_path / 'cfg.py'))
    assert config_section(cfg, 'a') == dict(b=1)
    for key in ('c', 'missing'):
        with pytest.raises(KeyError, match=f'cfg.py has no {key}'):
            config_section(cfg, key)
