"""PHP: Composer."""

from __future__ import annotations

from dockmod.ecosystems._base import (
    CacheDir, ConfigFile, Ecosystem, InstallKind, LockWrite, Manager, ManagerInfo, PackageManagerCall,
)
from dockmod.ecosystems._rows import names
from dockmod.shell.commands import CommandSpec


def _composer_kind(call: PackageManagerCall) -> InstallKind | None:
    if call.action in ("install", "update"):
        return InstallKind.DEPENDENCIES
    return InstallKind.PACKAGES if call.action in ("require", "global require") else None


MANAGERS = (
    # https://getcomposer.org/doc/03-cli.md
    # cache: https://getcomposer.org/doc/03-cli.md#composer-cache-dir (default
    # $COMPOSER_HOME/cache; COMPOSER_HOME default ~/.composer where XDG is not in use:
    # https://getcomposer.org/doc/03-cli.md#composer-home). The official composer image
    # sets COMPOSER_HOME=/tmp (https://github.com/composer/docker/blob/main/latest/Dockerfile).
    ManagerInfo(
        manager=Manager.COMPOSER,
        programs=("composer", "composer.phar"),
        ecosystem="php",
        source="https://getcomposer.org/doc/03-cli.md",
        spec=CommandSpec(
            {"install": "install", "i": "install", "update": "update", "u": "update",
             "require": "require", "global require": "global require"},
            names("-d --working-dir"),
        ),
        install_actions=frozenset({"install", "update", "require", "global require"}),
        action_manifests={"install": ("composer.json", "composer.lock")},
        caches=(
            CacheDir(
                "{HOME}/.composer/cache",
                env=("COMPOSER_CACHE_DIR",),
                overrides=(("COMPOSER_HOME", "{COMPOSER_HOME}/cache"),),
                config=(("composer", "config", "--global", "cache-dir"),
                        ("composer", "config", "-g", "cache-dir")),
                source="https://getcomposer.org/doc/03-cli.md#composer-cache-dir",
            ),
        ),
        # https://getcomposer.org/doc/03-cli.md#global-options (--no-cache)
        defeating_options=("--no-cache",),
        # https://getcomposer.org/doc/03-cli.md#clear-cache-clearcache-cc
        cleaners=(("composer", "clear-cache"), ("composer", "clearcache"), ("composer", "cc")),
        kind_rule=_composer_kind,
        # `auth.json` beside composer.json holds the credentials of private repositories:
        # https://getcomposer.org/doc/articles/authentication-for-private-packages.md
        project_config=(ConfigFile("auth.json",
                                   "https://getcomposer.org/doc/articles/authentication-for-private-packages.md"),),
        # `composer update` resolves again and writes composer.lock (`--dry-run` writes
        # nothing); `composer install` installs from the lock as it is:
        # https://getcomposer.org/doc/03-cli.md#update-u-upgrade, .../03-cli.md#install-i.
        lock_writes=(LockWrite(frozenset({"update"}), ("composer.lock",),
                               "https://getcomposer.org/doc/03-cli.md#update-u-upgrade", unless=("--dry-run",)),),
    ),
)

ECOSYSTEMS = (
    # https://getcomposer.org/doc/04-schema.md
    Ecosystem("php", "PHP", (Manager.COMPOSER,), ("composer.json", "composer.lock", "auth.json"),
              "https://getcomposer.org/doc/04-schema.md"),
)
