import argparse
import os
import subprocess
import sys

import pytest
import torch.distributed as torch_dist
from mmengine.config import Config

from mmwsss.apis.cli import (add_runner_args, bg_score_arg, folder_arg,
                             load_tool_config, parse_runner_args,
                             positive_float, run_tool, unit_interval,
                             user_message)
from mmwsss.utils import DiskFullError


def _parser():
    parser = argparse.ArgumentParser()
    parser.add_argument('config')
    parser.add_argument('--work-dir')
    add_runner_args(parser)
    return parser


def test_runner_args_and_local_rank(monkeypatch, tmp_path):
    monkeypatch.delenv('LOCAL_RANK', raising=False)
    config = tmp_path / 'c.py'
    config.write_text('a = 1\nb = dict(c=2)\n')
    monkeypatch.setattr('sys.argv', [
        'tool',
        str(config), '--cfg-options', 'b.c=3', '--local-rank', '1',
        '--trust-checkpoint', 'x.pth'
    ])
    args = parse_runner_args(_parser())
    assert os.environ['LOCAL_RANK'] == '1'
    assert args.launcher == 'none' and args.trust_checkpoint == ['x.pth']
    cfg = load_tool_config(args, work_dir=str(tmp_path / 'w'))
    assert cfg.b.c == 3 and cfg.work_dir == str(tmp_path / 'w')
    # torchrun's LOCAL_RANK wins over the argument
    monkeypatch.setenv('LOCAL_RANK', '0')
    parse_runner_args(_parser())
    assert os.environ['LOCAL_RANK'] == '0'


def test_folders():
    cfg = Config(dict(cam_dir='cams'))
    assert folder_arg('given', cfg, 'cam_dir') == 'given'
    assert folder_arg(None, cfg, 'cam_dir') == 'cams'
    with pytest.raises(SystemExit, match='refined_mask_dir'):
        folder_arg(None, cfg, 'refined_mask_dir')


def test_number_arguments():
    assert unit_interval('0.25') == 0.25 and positive_float('8') == 8.
    for bad in ('2.0', '-1', 'nan', 'inf', 'x'):
        with pytest.raises(argparse.ArgumentTypeError, match=r'\[0, 1\]'):
            unit_interval(bad)
    for bad in ('0', '-3', 'nan'):
        with pytest.raises(argparse.ArgumentTypeError, match='> 0'):
            positive_float(bad)


def test_background_score_from_a_number_or_a_seed_evaluation(tmp_path):
    assert bg_score_arg('0.3') == 0.3
    summary = tmp_path / 'seed_metric.json'
    summary.write_text('{"mIoU": 41.5, "bg_score": 0.27}')
    assert bg_score_arg(str(summary)) == 0.27
    summary.write_text('{"mIoU": 41.5}')
    with pytest.raises(argparse.ArgumentTypeError, match='no number bg_sc'):
        bg_score_arg(str(summary))
    with pytest.raises(argparse.ArgumentTypeError, match='does not exist'):
        bg_score_arg(str(tmp_path / 'missing.json'))
    with pytest.raises(argparse.ArgumentTypeError, match=r'\[0, 1\]'):
        bg_score_arg('1.5')


def test_a_full_disk_is_one_line(capsys, monkeypatch):
    def main():
        raise DiskFullError(28, 'No space left on the device of /out '
                            '(0.0 MiB free) while writing a.png: free some '
                            'space and rerun; the files written before are '
                            'kept.')

    monkeypatch.setattr('sys.argv', ['tool'])
    # whatever other jobs run on this machine
    monkeypatch.setattr('mmwsss.apis.cli.busy_cores_warning', lambda: None)
    with pytest.raises(SystemExit) as stop:
        run_tool(main)
    assert stop.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith('error: [Errno 28] No space left on the device of '
                          '/out (0.0 MiB free)')
    assert 'Traceback' not in err


def test_user_message_of_a_worker_error():
    worker = ValueError('Caught ValueError in DataLoader worker process 0.\n'
                        'Original Traceback (most recent call last):\n'
                        '  File "x.py", line 1\n'
                        'ValueError: The mask m.png holds index 30.')
    assert user_message(worker) == 'ValueError: The mask m.png holds index 30.'
    assert user_message(KeyError('The config has no x.')) == \
        'The config has no x.'


_DISTRIBUTED_TOOL = """
import atexit, sys
import torch
import torch.distributed as dist
from mmwsss.apis.cli import run_tool

dist.init_process_group(
    'gloo', init_method='file://' + sys.argv[1] + '/rendezvous', rank=0,
    world_size=1)
# a DDP model keeps the process group alive past its destruction
model = torch.nn.parallel.DistributedDataParallel(torch.nn.Linear(3, 3))


def at_exit():
    with open(sys.argv[1] + '/at_exit', 'w') as f:
        f.write(str(dist.is_initialized()))


def main():
    atexit.register(at_exit)
    dist.all_reduce(torch.ones(3))
    print('finished')  # block-buffered: a pipe


run_tool(main)
raise SystemExit('run_tool returned')
"""


def test_run_tool_ends_a_distributed_run(gloo, tmp_path):
    # a finished distributed tool destroys its process group, runs the exit
    # handlers, flushes its output and exits 0 without finalising the
    # interpreter (where gloo's threads could abort it)
    result = subprocess.run(
        [sys.executable, '-c', _DISTRIBUTED_TOOL,
         str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith('finished')
    assert (tmp_path / 'at_exit').read_text() == 'False'


def test_run_tool_keeps_the_process_group_after_an_error(process_group):

    def fails():
        raise ValueError('bad value')

    # other ranks may still wait in a collective: the group stays
    with pytest.raises(SystemExit):
        run_tool(fails)
    assert torch_dist.is_initialized()
