"""What every layer shares: settings, errors, the package version. Imports nothing of the project."""

__version__ = "0.1.0"
