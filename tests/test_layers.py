"""The imports of ``mmwsss`` point one way and never go round in a circle.

Every module of the package (package ``__init__`` files included) is parsed,
and each ``import`` / ``from ... import`` (absolute or relative, at module
level or inside a function) is resolved to the mmwsss modules it loads:
``from pkg import name`` loads ``pkg/__init__.py`` and, if ``name`` is a
submodule, that submodule too; importing ``a.b.c`` also loads the packages
``a.b`` and ``a`` unless the importing module lies inside them (then they
are loaded already).
"""
import ast
import os
from pathlib import Path
from typing import Dict, List, Optional, Set

import mmwsss

#: Height of each part of the package (one line per subpackage or top-level
#: module): a module may import from its own height and below only.
LAYERS = {
    'mmwsss': 0,  # the root __init__: version checks
    'mmwsss.registry': 0,
    'mmwsss.structures': 0,
    'mmwsss.utils': 0,
    'mmwsss.version': 0,
    'mmwsss.datasets': 1,
    'mmwsss.models': 1,
    'mmwsss.visualization': 1,  # CAM overlays, seed curves: numpy/cv2 only
    'mmwsss.engine': 2,
    'mmwsss.evaluation': 2,
    'mmwsss.apis': 3,
}

#: module -> {imported module: line of the first such import}
Graph = Dict[str, Dict[str, int]]


def find_modules(package_dir: Path) -> Dict[str, Path]:
    """Dotted name of every module and package below ``package_dir``."""
    modules = {}
    for path in sorted(package_dir.rglob('*.py')):
        parts = path.relative_to(package_dir.parent).with_suffix('').parts
        if parts[-1] == '__init__':
            parts = parts[:-1]
        modules['.'.join(parts)] = path
    return modules


def _prefixes(name: str) -> List[str]:
    """``'a.b.c'`` -> ``['a', 'a.b']``."""
    parts = name.split('.')
    return ['.'.join(parts[:i]) for i in range(1, len(parts))]


def _imported(node: ast.AST, module: str, is_package: bool,
              modules: Dict[str, Path]) -> Set[str]:
    """The dotted names an import statement of ``module`` names."""
    root = module.split('.')[0]
    if isinstance(node, ast.Import):
        return {
            a.name
            for a in node.names
            if a.name == root or a.name.startswith(root + '.')
        }
    if node.level:
        parts = module.split('.')
        if not is_package:
            parts = parts[:-1]
        base = '.'.join(parts[:len(parts) - node.level + 1] +
                        ([node.module] if node.module else []))
    else:
        base = node.module or ''
    if base != root and not base.startswith(root + '.'):
        return set()
    names = {f'{base}.{a.name}' for a in node.names}
    return {base} | (names & set(modules))


def import_graph(package_dir: Path) -> Graph:
    """The modules each module of the package loads.

    Raises:
        AssertionError: If an import names no module of the package.
    """
    modules = find_modules(package_dir)
    graph: Graph = {}
    for module, path in modules.items():
        is_package = path.name == '__init__.py'
        inside = set(_prefixes(module)) | ({module} if is_package else set())
        edges = graph.setdefault(module, {})
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            for name in _imported(node, module, is_package, modules):
                assert name in modules, (
                    f'{path}:{node.lineno} imports {name}, which is not a '
                    'module of the package')
                loaded = {name} | (set(_prefixes(name)) - inside)
                for target in loaded - {module}:
                    edges.setdefault(target, node.lineno)
    return graph


def layer_of(module: str) -> int:
    """Height of ``module`` in :data:`LAYERS`."""
    return LAYERS['.'.join(module.split('.')[:2])]


def upward_imports(graph: Graph) -> List[str]:
    """Every import of a module from a higher layer, as text."""
    return [
        f'{module} (layer {layer_of(module)}) line {line} imports '
        f'{target} (layer {layer_of(target)})'
        for module, edges in sorted(graph.items())
        for target, line in sorted(edges.items())
        if layer_of(target) > layer_of(module)
    ]


def find_cycle(graph: Graph) -> Optional[List[str]]:
    """A cycle of the graph (first node repeated at the end), or None."""
    state: Dict[str, str] = {}  # 'open' on the DFS path, then 'done'
    path: List[str] = []

    def visit(node: str) -> Optional[List[str]]:
        state[node] = 'open'
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 'open':
                return path[path.index(target):] + [target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        state[node] = 'done'
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


PACKAGE_DIR = Path(mmwsss.__file__).parent


def test_every_module_has_a_layer():
    missing = sorted({
        '.'.join(m.split('.')[:2])
        for m in find_modules(PACKAGE_DIR)
    } - set(LAYERS))
    assert not missing, f'Add these to LAYERS: {missing}'


def test_no_import_goes_to_a_higher_layer():
    upward = upward_imports(import_graph(PACKAGE_DIR))
    assert not upward, 'Upward imports:\n' + '\n'.join(upward)


def test_import_graph_has_no_cycle():
    cycle = find_cycle(import_graph(PACKAGE_DIR))
    assert cycle is None, 'Import cycle: ' + ' -> '.join(cycle)


def _write(root: Path, files: Dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        os.makedirs(path.parent, exist_ok=True)
        path.write_text(text)
    return root / 'mmwsss'


def test_the_checks_see_function_level_relative_and_init_imports(tmp_path):
    """A toy package: a lazy upward import that closes a circle through
    package ``__init__`` files, which both checks must find."""
    package = _write(
        tmp_path, {
            'mmwsss/__init__.py': '',
            'mmwsss/utils/__init__.py': 'from .env import register\n',
            'mmwsss/utils/env.py': 'def register():\n'
            '    import mmwsss.models  # noqa\n',
            'mmwsss/models/__init__.py': 'from .net import Net\n',
            'mmwsss/models/net.py': 'from ..utils import env\n'
            'from mmwsss import registry\n'
            'class Net:\n    pass\n',
            'mmwsss/registry.py': '',
        })
    graph = import_graph(package)
    assert graph['mmwsss.models.net'] == {
        'mmwsss.utils': 1,
        'mmwsss.utils.env': 1,
        'mmwsss': 2,
        'mmwsss.registry': 2,
    }
    assert upward_imports(graph) == [
        'mmwsss.utils.env (layer 0) line 2 imports mmwsss.models (layer 1)'
    ]
    assert find_cycle(graph) == [
        'mmwsss.models', 'mmwsss.models.net', 'mmwsss.utils',
        'mmwsss.utils.env', 'mmwsss.models'
    ]
    (package / 'utils' / 'env.py').write_text('def register():\n    pass\n')
    graph = import_graph(package)
    assert upward_imports(graph) == [] and find_cycle(graph) is None
