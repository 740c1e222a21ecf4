"""Where dockmod lives: the one place that names its repository.

``https://github.com/dockmod/dockmod`` is a placeholder: the project has no public home
yet. Code reads :data:`REPOSITORY_URL` (SARIF's ``informationUri`` and each rule's
``helpUri``, the fleet summary's links to ``docs/transforms/``). The copies that cannot
import it (the JSON schemas' ``$id``, the pre-commit recipe's ``repo:``) are checked against
it by ``tests/test_project_url.py``, which also checks that every link names a file that
exists; when the real address is known, change it here and follow that test.
"""

REPOSITORY_URL = "https://github.com/dockmod/dockmod"


def blob_url(path: str) -> str:
    """The address of ``path`` (relative to the repository root) on the main branch."""
    return f"{REPOSITORY_URL}/blob/main/{path}"
