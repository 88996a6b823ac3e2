"""The variants: one module each. Importing this package imports every module in it, and
each module's ``@ganzoo.register`` puts its variants in the registry: adding a variant needs no
import list edited here (see docs/adding_a_model.md)."""

import importlib
import pkgutil

from ganzoo import registry
from ganzoo.models.base import GAN, make_optimizer  # noqa: F401  (re-exported)

for _info in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_info.name}")

# each registered class by its class name too: ganzoo.models.DCGAN, ganzoo.models.CycleGAN...
for _name in registry.list_models():
    globals()[registry.get_class(_name).__name__] = registry.get_class(_name)

__all__ = ["GAN", "make_optimizer"] + sorted(registry.get_class(n).__name__
                                             for n in registry.list_models())
