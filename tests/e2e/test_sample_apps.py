"""Every sample app builds from its naive Dockerfile and passes its self-test."""

from __future__ import annotations

import pytest

APPS = ["python-pure", "python-cext", "node", "go"]


@pytest.mark.e2e
@pytest.mark.parametrize("name", APPS)
def test_naive_dockerfile_builds_and_selftest_passes(builder, e2e_apps, name):
    app = e2e_apps[name]
    # layers=False: one commit instead of one per step; vfs makes each commit a full copy.
    result = builder.build(app.path, layers=False)
    assert builder.inspect(result.image).config["Cmd"] == list(app.selftest)
    assert builder.run(result.image).stdout.strip() == app.expected

