"""The tools report input errors as one line, without a traceback."""
import os
import shutil

import torch
from tool_helpers import tool


def _train(tiny_cam_config, tmp_path):
    """A tiny config and a checkpoint of it (one short training)."""
    config = tiny_cam_config(batch=8, epochs=1)
    work = tmp_path / 'work'
    done = tool('train.py', config, '--work-dir', str(work))
    assert done.returncode == 0, done.stderr[-3000:]
    return config, str(work / 'epoch_1.pth')


def _one_line_error(result, *parts):
    assert result.returncode != 0
    assert 'Traceback' not in result.stderr, result.stderr[-3000:]
    lines = [line for line in result.stderr.splitlines() if 'error:' in line]
    assert lines, result.stderr[-3000:]
    for part in parts:
        assert part in lines[0], (part, lines[0])


def test_input_errors_and_pseudo_mask_reruns(tiny_cam_config, tmp_path):
    config, ckpt = _train(tiny_cam_config, tmp_path)
    out = str(tmp_path / 'masks')
    r = tool('pseudo_masks.py', config, ckpt, '--out', out, '--bg-score',
             'nan')
    _one_line_error(r, '--bg-score', 'nan')
    # a truncated checkpoint, named
    data = open(ckpt, 'rb').read()
    cut = tmp_path / 'cut.pth'
    cut.write_bytes(data[:len(data) // 3])
    r = tool('test.py', config, str(cut), '--work-dir', str(tmp_path / 'w'))
    _one_line_error(r, 'cut.pth', 'truncated')
    # the weights of another model
    state = torch.load(ckpt, weights_only=True)
    state['state_dict'] = {
        k: v
        for k, v in state['state_dict'].items() if 'cam_head' not in k
    }
    other = tmp_path / 'other.pth'
    torch.save(state, other)
    r = tool('train.py', config, '--work-dir', str(tmp_path / 'w2'),
             '--cfg-options', f'load_from={other}')
    _one_line_error(r, 'other.pth', 'missing: cam_head')
    # --debug shows the traceback
    r = tool('pseudo_masks.py', config, str(tmp_path / 'no.pth'), '--out', out,
             '--debug')
    assert r.returncode != 0 and 'Traceback' in r.stderr
    assert 'no.pth does not exist' in r.stderr

    # pseudo masks rerun into the same folder
    r = tool('pseudo_masks.py', config, ckpt, '--out', out, '--bg-score',
             '0.2')
    assert r.returncode == 0, r.stderr[-3000:]
    pngs = sorted(f for f in os.listdir(out) if f.endswith('.png'))
    assert len(pngs) == 16
    first = {f: open(os.path.join(out, f), 'rb').read() for f in pngs}
    # an orphan of a killed run goes; the same inputs: nothing to redo
    open(os.path.join(out, '.x.png.abcdefgh.tmp'), 'wb').close()
    r = tool('pseudo_masks.py', config, ckpt, '--out', out, '--bg-score',
             '0.2')
    assert r.returncode == 0 and 'already in' in r.stdout + r.stderr
    assert not os.path.exists(os.path.join(out, '.x.png.abcdefgh.tmp'))
    # another threshold: refused, then rewritten with --overwrite
    r = tool('pseudo_masks.py', config, ckpt, '--out', out, '--bg-score',
             '0.6')
    _one_line_error(r, 'bg_score: 0.2 -> 0.6', '--overwrite')
    r = tool('pseudo_masks.py', config, ckpt, '--out', out, '--bg-score',
             '0.6', '--overwrite')
    assert r.returncode == 0, r.stderr[-3000:]
    changed = [
        f for f in pngs if open(os.path.join(out, f), 'rb').read() != first[f]
    ]
    assert changed


def test_resume_without_a_checkpoint_is_an_error_unless_auto(
        tiny_cam_config, tmp_path):
    """A mistyped --work-dir with --resume would train from scratch in
    silence; --resume auto is for jobs that may or may not have one."""
    config = tiny_cam_config(batch=8, epochs=1)
    empty = str(tmp_path / 'typo')
    r = tool('train.py', config, '--work-dir', empty, '--resume')
    _one_line_error(r, '--resume', 'typo holds no complete checkpoint')
    assert not os.path.exists(os.path.join(empty, 'epoch_1.pth'))
    r = tool('train.py', config, '--work-dir', empty, '--resume', 'auto')
    assert r.returncode == 0, r.stderr[-3000:]
    assert os.path.exists(os.path.join(empty, 'epoch_1.pth'))
    r = tool('train.py', config, '--work-dir', empty, '--resume')
    assert r.returncode == 0, r.stderr[-3000:]
    assert 'resumed' in (r.stdout + r.stderr).lower()


def test_corrupt_image_is_one_line_naming_the_file(tiny_cam_config, tiny_voc,
                                                   tmp_path):
    config, ckpt = _train(tiny_cam_config, tmp_path)
    root = str(tmp_path / 'voc')
    shutil.copytree(tiny_voc, root)
    with open(os.path.join(root, 'ImageSets', 'Segmentation',
                           'train_aug.txt')) as f:
        img_id = f.read().split()[3]
    with open(os.path.join(root, 'JPEGImages', img_id + '.jpg'), 'wb') as f:
        f.write(b'\xff\xd8 not a jpeg')
    for workers in ('0', '1'):  # in the tool's process, in a worker
        r = tool('pseudo_masks.py', config, ckpt, '--out',
                 str(tmp_path / 'masks'), '--bg-score', '0.2',
                 '--cfg-options',
                 f'pseudo_mask_dataloader.dataset.data_root={root}',
                 f'pseudo_mask_dataloader.num_workers={workers}',
                 'pseudo_mask_dataloader.persistent_workers=False')
        _one_line_error(r, 'Cannot decode the image', f'{img_id}.jpg',
                        'corrupt')
    r = tool('pseudo_masks.py', config, ckpt, '--out', str(tmp_path / 'm2'),
             '--bg-score', '0.2', '--debug', '--cfg-options',
             f'pseudo_mask_dataloader.dataset.data_root={root}',
             'pseudo_mask_dataloader.num_workers=0')
    assert r.returncode != 0 and 'Traceback' in r.stderr
