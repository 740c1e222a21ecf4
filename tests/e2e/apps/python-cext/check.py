"""Self-test: the extension imports as a compiled module and computes."""

import fastsum

kind = "compiled" if fastsum.__file__.endswith(".so") else "not compiled"
print(f"python-cext ok: sum_squares(10)={fastsum.sum_squares(10)} ({kind})")
