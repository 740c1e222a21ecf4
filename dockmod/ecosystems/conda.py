"""Conda: conda, mamba, micromamba."""

from __future__ import annotations

from dockmod.ecosystems._base import CacheDir, Ecosystem, InstallKind, Manager, ManagerInfo, PackageManagerCall
from dockmod.ecosystems._rows import names, same
from dockmod.shell.commands import CommandSpec

_SPEC = CommandSpec(
    {**same("install create update remove clean"), "env create": "env create", "env update": "env update"},
    names("-n --name -p --prefix -c --channel -f --file --override-channels -r --root-prefix"),
    names("-f --file"),
)
_ENV_FILES = ("environment.yml", "environment.yaml")


def _conda_kind(call: PackageManagerCall) -> InstallKind | None:
    a = call.action
    if a in ("env create", "env update"):
        return InstallKind.DEPENDENCIES
    if a in ("install", "create", "update"):
        if call.files:
            return InstallKind.DEPENDENCIES
        return InstallKind.PACKAGES if call.operands else None
    return None


def _conda_manifests(call: PackageManagerCall) -> tuple[str, ...]:
    if call.files:
        return call.files
    # `conda env create` without -f reads environment.yml:
    # https://docs.conda.io/projects/conda/en/latest/commands/env/create.html
    return _ENV_FILES if call.action in ("env create", "env update") else ()


def _row(manager: Manager, programs: tuple[str, ...], source: str, cache: CacheDir) -> ManagerInfo:
    return ManagerInfo(
        manager=manager,
        programs=programs,
        ecosystem="conda",
        source=source,
        spec=_SPEC,
        install_actions=frozenset({"install", "create", "update", "env create", "env update"}),
        caches=(cache,),
        cleaners=((programs[0], "clean"),),
        offline_options=("--offline",),
        kind_rule=_conda_kind,
        manifest_rule=_conda_manifests,
    )


# pkgs_dirs: https://docs.conda.io/projects/conda/en/latest/user-guide/configuration/use-condarc.html#specify-package-directories-pkgs-dirs
# (default <root prefix>/pkgs; CONDA_PKGS_DIRS overrides). The root prefix is where conda
# was installed: condaforge/miniforge3 sets CONDA_DIR=/opt/conda
# (https://github.com/conda-forge/miniforge-images/blob/master/ubuntu/Dockerfile).
_CONDA_PKGS = CacheDir(
    "{CONDA_DIR}/pkgs",
    env=("CONDA_PKGS_DIRS",),
    locked=True,
    source="https://docs.conda.io/projects/conda/en/latest/user-guide/configuration/use-condarc.html",
)
# micromamba: https://mamba.readthedocs.io/en/latest/user_guide/micromamba.html (root prefix
# MAMBA_ROOT_PREFIX; mambaorg/micromamba sets /opt/conda).
_MAMBA_PKGS = CacheDir(
    "{MAMBA_ROOT_PREFIX}/pkgs",
    env=("CONDA_PKGS_DIRS",),
    locked=True,
    source="https://mamba.readthedocs.io/en/latest/user_guide/concepts.html",
)

MANAGERS = (
    # https://docs.conda.io/projects/conda/en/latest/commands/index.html
    _row(Manager.CONDA, ("conda",), "https://docs.conda.io/projects/conda/en/latest/commands/index.html",
         _CONDA_PKGS),
    # https://mamba.readthedocs.io/en/latest/user_guide/mamba.html
    _row(Manager.MAMBA, ("mamba",), "https://mamba.readthedocs.io/en/latest/user_guide/mamba.html",
         _CONDA_PKGS),
    # https://mamba.readthedocs.io/en/latest/user_guide/micromamba.html
    _row(Manager.MICROMAMBA, ("micromamba",),
         "https://mamba.readthedocs.io/en/latest/user_guide/micromamba.html", _MAMBA_PKGS),
)

ECOSYSTEMS = (
    # https://docs.conda.io/projects/conda/en/latest/user-guide/tasks/manage-environments.html
    Ecosystem("conda", "Conda", (Manager.CONDA, Manager.MAMBA, Manager.MICROMAMBA),
              ("environment.yml", "environment.yaml", "conda-lock.yml"),
              "https://docs.conda.io/projects/conda/en/latest/user-guide/tasks/manage-environments.html"),
)
