"""One training run per work dir: a second one is refused, a lock left by a
killed run is taken over."""
import json
import os
import socket
import subprocess
import sys

from tool_helpers import tool

from mmwsss.utils import folder_lock


def test_a_second_run_on_a_locked_work_dir_is_refused(
        tiny_cam_config, tmp_path):
    config = tiny_cam_config()
    work_dir = str(tmp_path / 'run')
    with folder_lock(work_dir) as path:
        with open(path) as f:
            start = json.load(f)['start']
        refused = tool('train.py', config, '--work-dir', work_dir,
                       '--cfg-options', 'randomness.seed=1')
        assert os.listdir(work_dir) == ['.lock']  # nothing written
    assert refused.returncode == 1
    error = refused.stderr.strip().splitlines()
    assert error[-2] == (
        f'error: {work_dir} is in use by process {os.getpid()} on '
        f'{socket.gethostname()}, started {start} (lock file {path}): wait '
        'for that run to end or use another folder; if no run uses it any '
        f'more, remove {path}.'), refused.stderr[-3000:]


def test_the_lock_of_a_killed_run_is_taken_over(tiny_cam_config, tmp_path):
    killed = subprocess.Popen([sys.executable, '-c', 'pass'])
    killed.wait()
    work_dir = tmp_path / 'run'
    work_dir.mkdir()
    (work_dir / '.lock').write_text(
        json.dumps(
            dict(pid=killed.pid, host=socket.gethostname(), start='then')))
    done = tool('train.py', tiny_cam_config(), '--work-dir', str(work_dir))
    assert done.returncode == 0, done.stderr[-3000:]
    assert f'Took over the lock {work_dir}/.lock of process {killed.pid}' \
        in done.stdout + done.stderr
    assert (work_dir / 'epoch_1.pth').is_file()
    assert not (work_dir / '.lock').exists()
