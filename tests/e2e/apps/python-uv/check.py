"""Self-test: the project's C extension imports compiled, and its dependency is there."""

import fastsum
import six

kind = "compiled" if fastsum.__file__.endswith(".so") else "not compiled"
print(f"python-uv ok: six {six.__version__}, sum_squares(10)={fastsum.sum_squares(10)} ({kind})")
