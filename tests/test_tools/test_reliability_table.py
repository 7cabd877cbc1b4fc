"""Every row of docs/reliability.md names tests that exist in the suite."""
import ast
import glob
import os.path as osp
import re

from tool_helpers import ROOT


def _rows():
    """The rows of every table of the page, headers left out."""
    with open(osp.join(ROOT, 'docs', 'reliability.md')) as f:
        lines = f.read().splitlines()
    headers = {i - 1 for i, line in enumerate(lines) if line.startswith('|-')}
    return [
        line.strip().strip('|').split('|') for i, line in enumerate(lines)
        if line.startswith('| ') and i not in headers
    ]


def _test_file(name):
    if '/' in name:
        return osp.join(ROOT, name)
    found = glob.glob(osp.join(ROOT, 'tests', '**', name), recursive=True)
    assert len(found) == 1, f'{name}: {found}'
    return found[0]


def _functions(path):
    with open(path) as f:
        tree = ast.parse(f.read())
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}


def test_every_row_names_existing_tests():
    rows = _rows()
    assert len(rows) >= 29
    for row in rows:
        assert len(row) == 4, row
        refs = re.findall(r'`([\w/]+\.py)(?:::(\w+))?`', row[3])
        assert refs, f'no test named for: {row[0]}'
        for name, function in refs:
            path = _test_file(name)
            assert osp.isfile(path), path
            if function:
                assert function in _functions(path), (name, function)
