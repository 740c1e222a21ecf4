"""Fixtures for real-build (e2e) tests; the machinery lives in ``harness/``.

Session-scoped: ``registry``, ``tls_registry``, ``base_images``, ``e2e_apps``.
Module-scoped: ``builder`` (a fresh storage root per test module, because layer-cache
look-ups in a shared store can pick up a stale image from another module).
Function-scoped: ``fresh_builder`` for a test that needs an empty store of its own.

Without root or the tools, every e2e test skips with one line saying how to run them;
with ``CI=true`` the same condition is a failure.
"""

from __future__ import annotations

import pytest

import harness

_session_notes: list[str] = []
#: Engine features probed by any builder this session (feature -> supported).
_capabilities: dict[str, bool] = {}


def _unavailable() -> str | None:
    problems = harness.missing_prerequisites()
    return f"e2e: {'; '.join(problems)}; {harness.HOW_TO_RUN}" if problems else None


def _require_prerequisites() -> None:
    message = _unavailable()
    if message is None:
        return
    if harness.in_ci():
        pytest.fail(f"{message} [CI=true: failing instead of skipping]", pytrace=False)
    pytest.skip(message)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Skip e2e tests before their fixtures start when the host can't run them.

    Raised here rather than in a fixture, every skip has the same origin, so pytest's
    ``-ra`` summary folds them into one line. Under CI=true the fixtures fail instead.
    """
    if item.get_closest_marker("e2e") and not harness.in_ci():
        message = _unavailable()
        if message is not None:
            pytest.skip(message)


@pytest.fixture(scope="session")
def registry():
    """A plain-HTTP ``docker-registry`` on 127.0.0.1; ``docker.io/*`` resolves here in builds."""
    _require_prerequisites()
    harness.sweep_stale_work_dirs()
    with harness.Registry() as running:
        yield running


@pytest.fixture(scope="session")
def tls_registry():
    """A ``docker-registry`` with HTTPS (CA made for the session) and htpasswd basic auth.

    ``tls_registry.transport_args()`` gives the ``--cert-dir``/``--creds`` flags;
    ``tls_registry.tls.ca_cert`` and ``.username``/``.password`` are there for other clients.
    """
    _require_prerequisites()
    with harness.Registry(tls=True) as running:
        yield running


@pytest.fixture(scope="session")
def base_images(registry) -> harness.BaseImageSet:
    """Look-alike base images pushed to ``registry`` (see ``harness/images.py`` for the list)."""
    images = harness.BaseImageSet.prepare(registry)
    _session_notes.append(images.describe())
    return images


@pytest.fixture(scope="module")
def builder(registry, base_images):
    """buildah with a storage root of its own for this test module."""
    made = harness.new_builder(registry)
    yield made
    _capabilities.update(made.capabilities.known)
    made.sandbox.close()


@pytest.fixture
def fresh_builder(registry, base_images):
    """Like ``builder`` but with an empty store for this one test."""
    made = harness.new_builder(registry)
    yield made
    _capabilities.update(made.capabilities.known)
    made.sandbox.close()


@pytest.fixture(scope="session")
def e2e_apps() -> dict[str, harness.App]:
    """The sample apps by name: ``python-pure``, ``python-cext``, ``node``, ``go``."""
    return harness.load_apps()


def pytest_terminal_summary(terminalreporter):
    for note in _session_notes:
        terminalreporter.write_sep("-", "dockmod e2e")
        terminalreporter.write_line(note)
    if _capabilities:
        found = ", ".join(f"{name} {'yes' if ok else 'NO'}" for name, ok in sorted(_capabilities.items()))
        terminalreporter.write_line(f"engine capabilities: {found}")
