"""Installation of mmwsss.

``pip install -e .`` installs the package and its runtime requirements;
torch and the compiled mmcv are installed beforehand by ``tools/install.sh``
(see the README), because mmcv's wheel must be built against the installed
torch.
"""
import os.path as osp

from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))


def get_version() -> str:
    """Read ``__version__`` from ``mmwsss/version.py`` without importing."""
    scope: dict = {}
    with open(osp.join(HERE, 'mmwsss', 'version.py')) as f:
        exec(compile(f.read(), 'version.py', 'exec'), scope)
    return scope['__version__']


def parse_requirements(name: str) -> list:
    """Requirement lines of ``requirements/{name}.txt``."""
    with open(osp.join(HERE, 'requirements', f'{name}.txt')) as f:
        lines = (line.split('#')[0].strip() for line in f)
        return [line for line in lines if line and not line.startswith('-')]


if __name__ == '__main__':
    setup(
        name='mmwsss',
        version=get_version(),
        description='Weakly supervised semantic segmentation on OpenMMLab: '
        'CAM, SEAM, EPS and pixel-to-prototype contrast',
        long_description=open(osp.join(HERE, 'README.md')).read(),
        long_description_content_type='text/markdown',
        keywords='weakly supervised semantic segmentation, CAM, PyTorch',
        packages=find_packages(exclude=('configs', 'tools', 'tests',
                                        'benchmarks', 'projects', 'docs')),
        include_package_data=True,
        python_requires='>=3.8',
        license='Apache License 2.0',
        classifiers=[
            'Programming Language :: Python :: 3',
            'Topic :: Scientific/Engineering :: Artificial Intelligence',
        ],
        install_requires=parse_requirements('runtime') +
        parse_requirements('mminstall'),
        extras_require=dict(
            tests=parse_requirements('tests'),
            benchmark=parse_requirements('benchmark'),
            optional=parse_requirements('optional')),
        zip_safe=False)
