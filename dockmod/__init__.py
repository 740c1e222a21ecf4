"""dockmod: lossless Dockerfile codemods."""

__version__ = "0.1.0"
