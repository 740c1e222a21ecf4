"""One test of "is this a Windows image", shared by the model and the transforms."""

from __future__ import annotations

import pytest

from dockmod.ecosystems.images import is_windows_image, lookup


@pytest.mark.parametrize(("image", "windows"), [
    ("mcr.microsoft.com/windows/servercore:ltsc2022", True),
    ("mcr.microsoft.com/windows/nanoserver:ltsc2022", True),
    ("python:3.12-windowsservercore-ltsc2022", True),
    ("golang:1.22-NanoServer-ltsc2022", True),
    ("python:3.12-slim", False),
    ("mcr.microsoft.com/dotnet/sdk:8.0", False),
])
def test_is_windows_image(image: str, windows: bool) -> None:
    assert is_windows_image(image) is windows
    if windows and ":" in image and not image.startswith("mcr."):
        assert lookup(image) is None  # the Linux family rows do not describe it


def test_dm401_leaves_a_windows_image_alone() -> None:
    import dockmod
    from dockmod import engine
    from dockmod.transforms.split_builder_runtime import SplitBuilderRuntime

    text = ("FROM python:3.12-windowsservercore-ltsc2022\nCOPY . /app\n"
            "RUN pip install -r /app/requirements.txt\n")
    opts = engine.EngineOptions(fix=True, unsafe_fixes=True)
    result = engine.run(dockmod.parse(text), [SplitBuilderRuntime], opts)
    assert not result.findings
    linux = engine.run(dockmod.parse(text.replace("-windowsservercore-ltsc2022", "")), [SplitBuilderRuntime], opts)
    assert linux.findings  # the same file on Linux is split: the test above can fail
