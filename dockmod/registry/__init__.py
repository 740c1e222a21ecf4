"""Image references and registry look-ups (OCI distribution), kept out of the transforms.

``reference`` and ``model`` are pure; ``client`` and ``auth`` do I/O and import httpx lazily.
"""
