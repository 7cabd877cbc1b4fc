"""Registration of every mmwsss module and the default scope."""
import datetime
import warnings

from mmengine import DefaultScope
from mmengine.registry import Registry

from mmwsss import registry


def register_all_modules(init_default_scope: bool = True) -> None:
    """Register all modules of mmwsss (and mmseg) into the registries.

    Each registry of :mod:`mmwsss.registry` imports the modules named by its
    ``locations``, so that this lowest layer names no higher one.

    Args:
        init_default_scope (bool): Whether to set the global default scope to
            ``mmwsss``, so that registries build modules from mmwsss's
            registry nodes first and fall back to mmseg and mmengine.
            Defaults to True.
    """
    import mmseg.utils
    import mmseg.visualization  # noqa: F401,F403
    mmseg.utils.register_all_modules(init_default_scope=False)

    for node in vars(registry).values():
        if isinstance(node, Registry) and node.scope == 'mmwsss':
            node.import_from_location()

    if init_default_scope:
        never_created = DefaultScope.get_current_instance() is None \
            or not DefaultScope.check_instance_created('mmwsss')
        if never_created:
            DefaultScope.get_instance('mmwsss', scope_name='mmwsss')
            return
        current_scope = DefaultScope.get_current_instance()
        if current_scope.scope_name != 'mmwsss':
            warnings.warn('The current default scope '
                          f'"{current_scope.scope_name}" is not "mmwsss", '
                          '`register_all_modules` will force the current '
                          'default scope to be "mmwsss". If this is not '
                          'expected, please set `init_default_scope=False`.')
            new_instance_name = f'mmwsss-{datetime.datetime.now()}'
            DefaultScope.get_instance(new_instance_name, scope_name='mmwsss')
