"""Python: pip, uv, poetry, pipenv."""

from __future__ import annotations

from dockmod.ecosystems._base import (
    CacheDir, ConfigFile, Ecosystem, InstallKind, LockWrite, Manager, ManagerInfo, PackageManagerCall,
)
from dockmod.ecosystems._rows import in_dir, is_archive, names, prefixes, same
from dockmod.shell.commands import CommandSpec

_PIP_VALUE = names(
    "-r --requirement -c --constraint -e --editable -i --index-url --extra-index-url -f"
    " --find-links -t --target --prefix --root --src --upgrade-strategy --progress-bar"
    " --platform --python-version --implementation --abi --only-binary --no-binary"
    " --cache-dir --log --proxy --retries --timeout --exists-action --trusted-host --cert"
    " --client-cert --global-option -C --config-settings --python --report"
    " --root-user-action -d --dest -w --wheel-dir"
)
_PROJECT_FILES = ("pyproject.toml", "setup.py", "setup.cfg")
_XDG_CACHE = "{XDG_CACHE_HOME:-{HOME}/.cache}"


def _pip_kind(call: PackageManagerCall) -> InstallKind | None:
    """``pip install``/``uv pip install``: the project (a local directory), manifests
    (``-r``), or named packages and archives."""
    if call.action not in ("install", "download", "wheel", "pip install"):
        return None
    if any(not is_archive(p) for p in call.local_paths):
        return InstallKind.PROJECT
    if call.files:
        return InstallKind.DEPENDENCIES
    return InstallKind.PACKAGES if call.operands else None


def _pip_manifests(call: PackageManagerCall) -> tuple[str, ...]:
    out = list(call.files)
    for path in call.local_paths:
        if not is_archive(path):
            out += in_dir(path, _PROJECT_FILES)
    return tuple(dict.fromkeys(out))


def _uv_kind(call: PackageManagerCall) -> InstallKind | None:
    a = call.action
    if a == "pip install":
        return _pip_kind(call)
    if a == "pip sync":
        return InstallKind.DEPENDENCIES
    if a == "sync":
        # https://docs.astral.sh/uv/guides/integration/docker/#intermediate-layers
        if call.has_option("--no-install-project", "--only-group", "--no-install-workspace"):
            return InstallKind.DEPENDENCIES
        return InstallKind.PROJECT
    if a == "add":
        return InstallKind.PACKAGES
    return None


def _uv_manifests(call: PackageManagerCall) -> tuple[str, ...]:
    if call.action == "pip install":
        return _pip_manifests(call)
    if call.action == "pip sync":
        return tuple(w.text for w in call.operands)
    return tuple(dict.fromkeys((*call.files, *call.manifests)))


def _poetry_kind(call: PackageManagerCall) -> InstallKind | None:
    if call.action in ("install", "sync"):
        # https://python-poetry.org/docs/cli/#options-2 (--no-root: dependencies only)
        return InstallKind.DEPENDENCIES if call.has_option("--no-root") else InstallKind.PROJECT
    return InstallKind.PACKAGES if call.action == "add" else None


def _pipenv_kind(call: PackageManagerCall) -> InstallKind | None:
    if call.action == "sync":
        return InstallKind.DEPENDENCIES
    if call.action == "install":
        return InstallKind.PACKAGES if call.operands else InstallKind.DEPENDENCIES
    return None


# ``name==version`` with no wildcard or range in the version (PEP 440 version matching).
_PIN_EQ = r"(?:(?!==).)+==[^*,<>!]+\Z"

MANAGERS = (
    # https://pip.pypa.io/en/stable/cli/pip_install/
    # cache: https://pip.pypa.io/en/stable/topics/caching/#default-paths
    # --no-cache: optparse accepts any unambiguous prefix of a long option
    # (https://pip.pypa.io/en/stable/user_guide/#command-completion is silent; see
    # https://docs.python.org/3/library/optparse.html "abbreviated long options").
    ManagerInfo(
        manager=Manager.PIP,
        programs=("pip",),
        versioned=("pip",),
        python_modules=("pip",),
        ecosystem="python",
        source="https://pip.pypa.io/en/stable/cli/pip_install/",
        spec=CommandSpec(
            same("install download wheel uninstall"),
            _PIP_VALUE,
            names("-r --requirement -c --constraint"),
            bundles=True,
        ),
        install_actions=frozenset({"install", "download", "wheel"}),
        caches=(
            CacheDir(
                f"{_XDG_CACHE}/pip",
                env=("PIP_CACHE_DIR",),
                options=("--cache-dir",),
                config=(("pip", "config", "set", "global.cache-dir"),),
                source="https://pip.pypa.io/en/stable/topics/caching/#default-paths",
            ),
        ),
        defeating_options=prefixes("--no-cache-dir", "--no-ca"),
        # https://pip.pypa.io/en/stable/topics/configuration/#environment-variables
        defeating_env=("PIP_NO_CACHE_DIR",),
        defeating_env_any=("PIP_NO_CACHE_DIR",),
        # https://pip.pypa.io/en/stable/cli/pip_cache/
        cleaners=(("pip", "cache", "purge"), ("pip", "cache", "remove")),
        offline_options=("--no-index",),
        # ``PIP_NO_INDEX``: every option as ``PIP_<NAME>``, a flag's value read as a boolean
        # (https://pip.pypa.io/en/stable/topics/configuration/#environment-variables)
        offline_env=tuple(("PIP_NO_INDEX", v) for v in ("1", "true", "True", "yes", "on")),
        # https://pip.pypa.io/en/stable/cli/pip_install/#requirement-specifiers (``==``)
        tool_actions=frozenset({"install"}), tool_excludes=("-e", "--editable"), pin=_PIN_EQ,
        local_artifacts=(".whl",),
        # Every option as ``PIP_<NAME>`` (values separated by white space), and the
        # configuration file: https://pip.pypa.io/en/stable/topics/configuration/#environment-variables
        # and https://pip.pypa.io/en/stable/topics/configuration/#pip-config-file
        file_env=(("PIP_REQUIREMENT", "requirements"), ("PIP_CONSTRAINT", "requirements"),
                  ("PIP_CONFIG_FILE", "file"), ("PIP_FIND_LINKS", "links")),
        kind_rule=_pip_kind,
        manifest_rule=_pip_manifests,
    ),
    # https://docs.astral.sh/uv/reference/cli/
    # cache: https://docs.astral.sh/uv/concepts/cache/#cache-directory
    # --no-cache / -n / alias --no-cache-dir, UV_NO_CACHE: https://docs.astral.sh/uv/reference/cli/#uv-pip-install--no-cache
    ManagerInfo(
        manager=Manager.UV,
        programs=("uv",),
        python_modules=("uv",),
        ecosystem="python",
        source="https://docs.astral.sh/uv/reference/cli/",
        spec=CommandSpec(
            {"pip install": "pip install", "pip sync": "pip sync", "sync": "sync", "add": "add"},
            _PIP_VALUE
            | names(
                "-p --python --group --only-group --no-group --extra --package --directory"
                " --project -o --output-file --index --default-index"
            ),
            names("-r --requirement -c --constraint --constraints"),
        ),
        install_actions=frozenset({"pip install", "pip sync", "sync", "add"}),
        action_manifests={"sync": ("pyproject.toml", "uv.lock")},
        caches=(
            CacheDir(
                f"{_XDG_CACHE}/uv",
                env=("UV_CACHE_DIR",),
                options=("--cache-dir",),
                source="https://docs.astral.sh/uv/concepts/cache/#cache-directory",
            ),
        ),
        defeating_options=("--no-cache", "-n", "--no-cache-dir"),
        defeating_env=("UV_NO_CACHE",),
        # https://docs.astral.sh/uv/concepts/cache/#clearing-the-cache
        cleaners=(("uv", "cache", "clean"), ("uv", "cache", "prune"), ("uv", "clean")),
        offline_options=("--offline",),
        offline_env=(("UV_OFFLINE", "*"),),
        tool_actions=frozenset({"pip install"}), tool_excludes=("-e", "--editable"), pin=_PIN_EQ,
        local_artifacts=(".whl",),
        # https://docs.astral.sh/uv/guides/integration/docker/#caching
        mount_env=(("UV_LINK_MODE", "copy"),),
        # https://docs.astral.sh/uv/reference/cli/#uv-pip-install--link-mode (the same setting)
        mount_env_options=(("UV_LINK_MODE", "--link-mode"),),
        # https://docs.astral.sh/uv/reference/environment/ (UV_CONSTRAINT, UV_OVERRIDE:
        # space-separated lists of files; UV_CONFIG_FILE: a uv.toml to use instead)
        file_env=(("UV_CONSTRAINT", "requirements"), ("UV_OVERRIDE", "requirements"),
                  ("UV_CONFIG_FILE", "file")),
        kind_rule=_uv_kind,
        manifest_rule=_uv_manifests,
        # Project configuration: `uv.toml`, or the `[tool.uv]` table of `pyproject.toml`, in
        # the working directory (or a parent) (https://docs.astral.sh/uv/concepts/configuration-files/).
        project_config=(
            ConfigFile("uv.toml", "https://docs.astral.sh/uv/concepts/configuration-files/"),
            ConfigFile("pyproject.toml", "https://docs.astral.sh/uv/concepts/configuration-files/",
                       table="tool.uv"),
        ),
        # `uv sync` locks the project first and updates uv.lock when it is out of date, unless
        # `--locked` (an error instead) or `--frozen` (the lock as it is):
        # https://docs.astral.sh/uv/concepts/projects/sync/; `UV_LOCKED`, `UV_FROZEN`:
        # https://docs.astral.sh/uv/reference/environment/.
        lock_writes=(LockWrite(
            frozenset({"sync"}), ("uv.lock",), "https://docs.astral.sh/uv/concepts/projects/sync/",
            unless=("--locked", "--frozen"),
            unless_env=(("UV_LOCKED", "1"), ("UV_LOCKED", "true"), ("UV_FROZEN", "1"), ("UV_FROZEN", "true"))),),
    ),
    # https://python-poetry.org/docs/cli/
    # cache: https://python-poetry.org/docs/configuration/#cache-dir (virtualenvs also
    # live under it, so only its cache/ and artifacts/ are cache directories)
    ManagerInfo(
        manager=Manager.POETRY,
        programs=("poetry",),
        python_modules=("poetry",),
        ecosystem="python",
        source="https://python-poetry.org/docs/cli/",
        spec=CommandSpec(
            same("install add sync"),
            names("--only --with --without -E --extras -C --directory -P --project"),
        ),
        install_actions=frozenset({"install", "add", "sync"}),
        action_manifests={
            "install": ("pyproject.toml", "poetry.lock"),
            "sync": ("pyproject.toml", "poetry.lock"),
        },
        caches=tuple(
            CacheDir(
                f"{_XDG_CACHE}/pypoetry/{sub}",
                overrides=(("POETRY_CACHE_DIR", f"{{POETRY_CACHE_DIR}}/{sub}"),),
                config=(("poetry", "config", "cache-dir"),),
                source="https://python-poetry.org/docs/configuration/#cache-dir",
            )
            for sub in ("cache", "artifacts")
        ),
        # https://python-poetry.org/docs/cli/#global-options
        defeating_options=("--no-cache",),
        # https://python-poetry.org/docs/cli/#cache-clear
        cleaners=(("poetry", "cache", "clear"),),
        kind_rule=_poetry_kind,
        # Local configuration: `poetry.toml` in the project folder (`virtualenvs.in-project`…)
        # (https://python-poetry.org/docs/configuration/#local-configuration).
        project_config=(ConfigFile("poetry.toml", "https://python-poetry.org/docs/configuration/"),),
    ),
    # https://pipenv.pypa.io/en/latest/cli.html
    # cache: https://pipenv.pypa.io/en/latest/configuration.html (PIPENV_CACHE_DIR); it
    # installs with pip, which keeps its own cache too.
    ManagerInfo(
        manager=Manager.PIPENV,
        programs=("pipenv",),
        python_modules=("pipenv",),
        ecosystem="python",
        source="https://pipenv.pypa.io/en/latest/cli.html",
        spec=CommandSpec(
            same("install sync"),
            names("--python --categories --extra-pip-args -r --requirements"),
            names("-r --requirements"),
        ),
        install_actions=frozenset({"install", "sync"}),
        action_manifests={"install": ("Pipfile", "Pipfile.lock"), "sync": ("Pipfile", "Pipfile.lock")},
        caches=(
            CacheDir(
                f"{_XDG_CACHE}/pipenv",
                env=("PIPENV_CACHE_DIR",),
                source="https://pipenv.pypa.io/en/latest/configuration.html",
            ),
            CacheDir(
                f"{_XDG_CACHE}/pip",
                env=("PIP_CACHE_DIR",),
                source="https://pip.pypa.io/en/stable/topics/caching/#default-paths",
            ),
        ),
        defeating_env=("PIP_NO_CACHE_DIR",),
        defeating_env_any=("PIP_NO_CACHE_DIR",),
        kind_rule=_pipenv_kind,
        # `pipenv install` locks again, writing Pipfile.lock, when the lock is out of date with
        # the Pipfile (or missing), unless `--deploy` ("Abort if the Pipfile.lock is out-of-date")
        # or `--ignore-pipfile` (installs from the lock only); `pipenv sync` installs from the lock
        # and never writes it: https://pipenv.pypa.io/en/latest/cli.html#install,
        # https://pipenv.pypa.io/en/latest/cli.html#sync.
        lock_writes=(LockWrite(
            frozenset({"install"}), ("Pipfile.lock",), "https://pipenv.pypa.io/en/latest/cli.html#install",
            unless=("--deploy", "--ignore-pipfile")),),
    ),
)

ECOSYSTEMS = (
    # https://packaging.python.org/en/latest/guides/writing-pyproject-toml/
    Ecosystem(
        "python",
        "Python",
        (Manager.PIP, Manager.UV, Manager.POETRY, Manager.PIPENV),
        ("pyproject.toml", "requirements*.txt", "setup.py", "setup.cfg", "uv.lock", "poetry.lock",
         "Pipfile", "Pipfile.lock"),
        "https://packaging.python.org/en/latest/guides/writing-pyproject-toml/",
    ),
)

# Where a project manager puts the project's environment (DM401 copies it whole):
# (variable that overrides it, default relative to the project folder, source).
# uv: https://docs.astral.sh/uv/concepts/projects/config/#project-environment-path
# poetry: only with virtualenvs.in-project true and virtualenvs.create not false
#   (https://python-poetry.org/docs/configuration/#virtualenvsin-project); it uses an
#   activated environment ($VIRTUAL_ENV) instead when there is one
#   (https://python-poetry.org/docs/managing-environments/).
PROJECT_ENVIRONMENT: dict[Manager, tuple[str | None, str, str]] = {
    Manager.UV: ("UV_PROJECT_ENVIRONMENT", ".venv",
                 "https://docs.astral.sh/uv/concepts/projects/config/#project-environment-path"),
    Manager.POETRY: (None, ".venv", "https://python-poetry.org/docs/configuration/#virtualenvsin-project"),
}
#: poetry settings as (environment variable, ``poetry config`` key): same source.
POETRY_CREATE = ("POETRY_VIRTUALENVS_CREATE", "virtualenvs.create")
POETRY_IN_PROJECT = ("POETRY_VIRTUALENVS_IN_PROJECT", "virtualenvs.in-project")
#: The command that sets one: ``poetry config KEY VALUE`` (https://python-poetry.org/docs/cli/#config).
POETRY_CONFIG = ("poetry", "config")
#: Values poetry reads as true for a boolean setting, and the ones written as false. A
#: ``POETRY_*`` variable wins over ``poetry config`` (poetry's src/poetry/config/config.py:
#: ``Config.get`` reads the environment first; ``boolean_normalizer``: ``true``/``1``).
POETRY_TRUE = ("true", "1")
POETRY_FALSE = ("false", "0")

# pip install options that choose where files go (https://pip.pypa.io/en/stable/cli/pip_install/#options):
# option → True when the packages then land outside the active environment (``--user``: the
# user site; ``-t``/``--target``, ``--prefix``, ``--root``: another directory). ``--src``
# only moves the checkouts of editable VCS installs.
PIP_LOCATION_OPTIONS: dict[str, bool] = {
    "--user": True, "-t": True, "--target": True, "--prefix": True, "--root": True, "--src": False,
}
#: The options of that table that move the packages out of the active environment.
PIP_OUTSIDE_ENVIRONMENT = tuple(o for o, outside in PIP_LOCATION_OPTIONS.items() if outside)

# uv sync options that choose the project, and so its environment, or another interpreter's
# environment (https://docs.astral.sh/uv/reference/cli/#uv-sync: ``--project``, ``--directory``,
# ``--active`` (use $VIRTUAL_ENV), ``-p``/``--python``).
UV_SYNC_ENVIRONMENT_OPTIONS = ("--project", "--directory", "--active", "--python", "-p")


#: The poetry command that writes a requirements file for pip (https://python-poetry.org/docs/cli/#export).
POETRY_EXPORT = ("poetry", "export")


def poetry_setup(words: list[str]) -> bool:
    """``words`` (a command's program basename and its non-option arguments) only prepare
    an install: ``poetry config KEY VALUE`` or ``poetry export``."""
    return tuple(words[: len(POETRY_EXPORT)]) == POETRY_EXPORT or poetry_setting(words) is not None


def poetry_setting(words: list[str]) -> tuple[str, str] | None:
    """``poetry config KEY VALUE`` (its words, options left out) → (KEY, VALUE lowercased);
    None for other commands and for ``poetry config KEY`` (a read) or ``--unset``."""
    n = len(POETRY_CONFIG)
    if tuple(words[:n]) == POETRY_CONFIG and len(words) == n + 2:
        return words[n], words[n + 1].lower()
    return None


#: The (manager, action) steps DM401's split understands in a Python builder: installs into
#: the virtualenv (https://pip.pypa.io/en/stable/cli/pip_install/,
#: https://pip.pypa.io/en/stable/cli/pip_uninstall/, https://python-poetry.org/docs/cli/#install,
#: https://pipenv.pypa.io/en/latest/commands.html#install, .../commands.html#sync,
#: https://docs.astral.sh/uv/reference/cli/#uv-sync) and poetry's settings and export
#: (https://python-poetry.org/docs/cli/#config, https://python-poetry.org/docs/cli/#export).
SPLIT_STEPS: frozenset[tuple[Manager, str]] = frozenset({
    (Manager.PIP, "install"), (Manager.PIP, "uninstall"), (Manager.POETRY, "install"),
    (Manager.POETRY, "config"), (Manager.POETRY, "export"), (Manager.PIPENV, "install"),
    (Manager.PIPENV, "sync"), (Manager.UV, "sync"),
})
