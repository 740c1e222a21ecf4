"""dockmod e2e sample: pure Python with one small pure-Python PyPI dependency."""

import six

print(f"python-pure ok: six {six.__version__}, 6*7={6 * 7}")
