"""Placeholder while the package is being assembled."""
from ._version import __version__ as __version__
