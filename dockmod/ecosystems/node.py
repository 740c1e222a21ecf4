"""Node.js: npm, Yarn (classic and berry), pnpm, Bun."""

from __future__ import annotations

from dataclasses import dataclass

from dockmod.ecosystems._base import (
    CacheDir, ConfigFile, Ecosystem, InstallKind, LockWrite, Manager, ManagerInfo, PackageManagerCall,
)
from dockmod.ecosystems._rows import names, unless_asking
from dockmod.shell.commands import CommandSpec

_JS_LOCK = ("package.json", "package-lock.json")
_LOCAL = (".", "..")


# Global installs go to the prefix folder, not the project: ``-g``/``--global`` and
# ``--location=global`` (https://docs.npmjs.com/cli/v10/using-npm/config#global,
# https://docs.npmjs.com/cli/v10/using-npm/config#location); pnpm: https://pnpm.io/cli/add#--global--g;
# Bun: https://bun.sh/docs/cli/add#global. (Yarn classic's is the ``global add`` action.)
_NPM_GLOBAL = ("-g", "--global", "--location=global")
_PNPM_GLOBAL = ("-g", "--global")
_BUN_GLOBAL = ("-g", "--global")


def _local(call: PackageManagerCall) -> bool:
    return any(w.text in _LOCAL or w.text.startswith(("./", "../", "file:")) for w in call.operands)


def _npm_kind(call: PackageManagerCall) -> InstallKind | None:
    if call.action == "ci":
        # https://docs.npmjs.com/cli/v10/commands/npm-ci (never installs named packages)
        return InstallKind.DEPENDENCIES
    if call.action != "install":
        return None
    if _local(call):
        return InstallKind.PROJECT
    return InstallKind.PACKAGES if call.operands else InstallKind.DEPENDENCIES


def _yarn_kind(call: PackageManagerCall) -> InstallKind | None:
    if call.action in ("install", "workspaces focus"):
        return InstallKind.DEPENDENCIES
    if call.action in ("add", "global add"):
        return InstallKind.PACKAGES
    return None


def _pnpm_kind(call: PackageManagerCall) -> InstallKind | None:
    if call.action in ("install", "fetch"):
        return InstallKind.PACKAGES if call.operands else InstallKind.DEPENDENCIES
    return InstallKind.PACKAGES if call.action == "add" else None


def _bun_kind(call: PackageManagerCall) -> InstallKind | None:
    if call.action == "install":
        return InstallKind.PACKAGES if call.operands else InstallKind.DEPENDENCIES
    return InstallKind.PACKAGES if call.action == "add" else None


MANAGERS = (
    # https://docs.npmjs.com/cli/v10/commands/npm-install
    # cache: https://docs.npmjs.com/cli/v10/using-npm/config#cache (npm_config_* variables
    # are read case-insensitively: https://docs.npmjs.com/cli/v10/using-npm/config#environment-variables)
    ManagerInfo(
        manager=Manager.NPM,
        programs=("npm",),
        ecosystem="node",
        source="https://docs.npmjs.com/cli/v10/commands/npm-install",
        spec=CommandSpec(
            {"ci": "ci", "clean-install": "ci", "install": "install", "i": "install", "add": "install"},
            names("--prefix -w --workspace --registry --cache --omit --include --only --loglevel --location"),
        ),
        install_actions=frozenset({"ci", "install"}),
        action_manifests={"ci": _JS_LOCK, "install": _JS_LOCK},
        caches=(
            CacheDir(
                "{HOME}/.npm",
                env=("npm_config_cache", "NPM_CONFIG_CACHE"),
                options=("--cache",),
                config=(("npm", "config", "set", "cache"),),
                source="https://docs.npmjs.com/cli/v10/using-npm/config#cache",
            ),
        ),
        # https://docs.npmjs.com/cli/v10/commands/npm-cache
        cleaners=(("npm", "cache", "clean"),),
        # https://docs.npmjs.com/cli/v10/using-npm/config#offline
        offline_options=("--offline",),
        offline_env=(("npm_config_offline", "true"), ("NPM_CONFIG_OFFLINE", "true")),
        # https://docs.npmjs.com/cli/v10/commands/npm-install (``<name>@<version>``, ``-g``)
        global_options=_NPM_GLOBAL,
        tool_actions=frozenset({"install"}), tool_options=_NPM_GLOBAL,
        pin=r".+@\d(?:[^\W_]|[.+-])*\Z",
        # the user .npmrc: https://docs.npmjs.com/cli/v10/using-npm/config#userconfig (set
        # through npm_config_*: https://docs.npmjs.com/cli/v10/using-npm/config#environment-variables)
        file_env=(("npm_config_userconfig", "file"), ("NPM_CONFIG_USERCONFIG", "file")),
        kind_rule=_npm_kind,
        # `npm install` writes the lock (`package-lock`/`save` true by default), also to bring an
        # old one to `lockfile-version` 3; `npm ci` never does ("will never write to package.json
        # or any of the package-locks"): https://docs.npmjs.com/cli/v10/commands/npm-install
        # (`save`: "Will also prevent writing to package-lock.json if set to false"; `package-lock`:
        # "This will also prevent writing package-lock.json"), .../npm-ci,
        # https://docs.npmjs.com/cli/v10/using-npm/config#lockfile-version.
        lock_writes=(LockWrite(
            frozenset({"install"}), ("package-lock.json", "npm-shrinkwrap.json"),
            "https://docs.npmjs.com/cli/v10/commands/npm-install",
            unless=("--no-package-lock", "--package-lock=false", "--no-save", "--save=false"),
            unless_env=(("npm_config_package_lock", "false"), ("NPM_CONFIG_PACKAGE_LOCK", "false"),
                        ("npm_config_save", "false"), ("NPM_CONFIG_SAVE", "false"))),),
    ),
    # Yarn classic: https://classic.yarnpkg.com/en/docs/cli/install
    #   cache: https://classic.yarnpkg.com/en/docs/cli/cache (root uses /usr/local/share as
    #   its home: yarn's src/util/user-home-dir.js)
    # Yarn berry: https://yarnpkg.com/cli/install
    #   cache: https://yarnpkg.com/configuration/yarnrc#globalFolder (enableGlobalCache is
    #   true by default since 4.0: https://yarnpkg.com/configuration/yarnrc#enableGlobalCache)
    ManagerInfo(
        manager=Manager.YARN,
        programs=("yarn", "yarnpkg"),
        ecosystem="node",
        source="https://yarnpkg.com/cli/install",
        spec=CommandSpec(
            {"": "install", "install": "install", "add": "add", "global add": "global add",
             "workspaces focus": "workspaces focus"},
            names("--cwd --modules-folder --cache-folder --network-timeout --mutex --registry"),
        ),
        install_actions=frozenset({"install", "add", "global add", "workspaces focus"}),
        action_manifests={"install": ("package.json", "yarn.lock")},
        caches=(
            CacheDir(
                "{XDG_CACHE_HOME:-{HOME}/.cache}/yarn",
                env=("YARN_CACHE_FOLDER",),
                root_path="{XDG_CACHE_HOME:-/usr/local/share/.cache}/yarn",
                variant="classic",
                options=("--cache-folder",),
                config=(("yarn", "config", "set", "cache-folder"),),
                source="https://classic.yarnpkg.com/en/docs/cli/cache",
            ),
            CacheDir(
                "{HOME}/.yarn/berry/cache",
                overrides=(("YARN_GLOBAL_FOLDER", "{YARN_GLOBAL_FOLDER}/cache"),
                           ("XDG_DATA_HOME", "{XDG_DATA_HOME}/yarn/berry/cache")),
                config=(("yarn", "config", "set", "globalFolder"),),
                variant="berry",
                # Yarn 1 (classic) never reads it; which Yarn runs is not known here.
                explicit=True,
                source="https://yarnpkg.com/configuration/yarnrc#globalFolder",
            ),
        ),
        cleaners=(("yarn", "cache", "clean"), ("yarnpkg", "cache", "clean")),
        offline_options=("--offline",),
        # `yarn --version`/`-v`, `yarn --help`/`-h` print and exit, whatever the command
        # (https://classic.yarnpkg.com/en/docs/cli/, https://yarnpkg.com/cli/help)
        action_rule=unless_asking("--version -v --help -h"),
        kind_rule=_yarn_kind,
        # `yarn install` updates yarn.lock when it is out of date with package.json, unless
        # `--frozen-lockfile` ("Don't generate a yarn.lock lockfile and fail if an update is
        # needed") or `--pure-lockfile` ("Don't generate a yarn.lock lockfile"):
        # https://classic.yarnpkg.com/en/docs/cli/install; Yarn 2+: `--immutable` ("Abort with an
        # error exit code if the lockfile was to be modified", https://yarnpkg.com/cli/install),
        # also set by `YARN_ENABLE_IMMUTABLE_INSTALLS`
        # (https://yarnpkg.com/configuration/yarnrc#enableImmutableInstalls).
        lock_writes=(LockWrite(
            frozenset({"install"}), ("yarn.lock",), "https://classic.yarnpkg.com/en/docs/cli/install",
            unless=("--frozen-lockfile", "--pure-lockfile", "--no-lockfile", "--immutable"),
            unless_env=(("YARN_ENABLE_IMMUTABLE_INSTALLS", "true"), ("YARN_ENABLE_IMMUTABLE_INSTALLS", "1"))),),
    ),
    # https://pnpm.io/cli/install
    # store: https://pnpm.io/npmrc#store-dir ($PNPM_HOME/store, $XDG_DATA_HOME/pnpm/store,
    # ~/.local/share/pnpm/store on Linux)
    ManagerInfo(
        manager=Manager.PNPM,
        programs=("pnpm",),
        ecosystem="node",
        source="https://pnpm.io/cli/install",
        spec=CommandSpec(
            # `deploy` installs a workspace package's dependencies into a folder, from the
            # store like an install (https://pnpm.io/cli/deploy): recognised so that an
            # offline deploy counts as a reader of the store; not an install action here.
            {"install": "install", "i": "install", "add": "add", "fetch": "fetch", "deploy": "deploy"},
            names("--filter -F --dir -C --store-dir --reporter --pnpmfile"),
        ),
        install_actions=frozenset({"install", "add", "fetch"}),
        action_manifests={"install": ("package.json", "pnpm-lock.yaml"), "fetch": ("pnpm-lock.yaml",)},
        caches=(
            CacheDir(
                "{HOME}/.local/share/pnpm/store",
                env=("npm_config_store_dir", "NPM_CONFIG_STORE_DIR"),
                overrides=(("PNPM_HOME", "{PNPM_HOME}/store"),
                           ("XDG_DATA_HOME", "{XDG_DATA_HOME}/pnpm/store")),
                # A cache, not a store later steps read: on another file system (a cache
                # mount) pnpm copies packages into node_modules rather than linking them
                # (https://pnpm.io/npmrc#package-import-method, "auto"). Only an offline
                # install reads it as data (https://pnpm.io/cli/fetch).
                read_offline=True,
                options=("--store-dir",),
                config=(("pnpm", "config", "set", "store-dir"),
                        ("pnpm", "config", "set", "--global", "store-dir"),
                        ("pnpm", "config", "set", "-g", "store-dir")),
                source="https://pnpm.io/npmrc#store-dir",
            ),
        ),
        # https://pnpm.io/cli/store
        cleaners=(("pnpm", "store", "prune"),),
        global_options=_PNPM_GLOBAL,
        # https://pnpm.io/cli/install#--offline
        offline_options=("--offline",),
        kind_rule=_pnpm_kind,
        # Install hooks in `.pnpmfile.cjs` or `.pnpmfile.mjs` beside the lock file
        # (https://pnpm.io/pnpmfile), or in the file the `pnpmfile` setting names, in `.npmrc`
        # or `pnpm-workspace.yaml` (https://pnpm.io/settings#pnpmfile); patch files listed
        # under `pnpm.patchedDependencies` in package.json
        # (https://pnpm.io/package_json#pnpmpatcheddependencies).
        project_config=tuple(
            ConfigFile(name, "https://pnpm.io/pnpmfile", script=True,
                       settings=((".npmrc", "pnpmfile"), ("pnpm-workspace.yaml", "pnpmfile")))
            for name in (".pnpmfile.cjs", ".pnpmfile.mjs")),
        patch_table=("pnpm", "patchedDependencies"),
        # `pnpm install` updates pnpm-lock.yaml unless `--frozen-lockfile` ("pnpm-lock.yaml is not
        # updated"; on by default only in CI) or `--lockfile=false`: https://pnpm.io/cli/install.
        # `pnpm fetch` reads it only (https://pnpm.io/cli/fetch).
        lock_writes=(LockWrite(
            frozenset({"install"}), ("pnpm-lock.yaml",), "https://pnpm.io/cli/install",
            unless=("--frozen-lockfile", "--no-lockfile", "--lockfile=false"),
            unless_env=(("npm_config_frozen_lockfile", "true"), ("NPM_CONFIG_FROZEN_LOCKFILE", "true"))),),
    ),
    # https://bun.sh/docs/cli/install
    # cache: https://bun.sh/docs/install/cache (BUN_INSTALL_CACHE_DIR, ~/.bun/install/cache)
    ManagerInfo(
        manager=Manager.BUN,
        programs=("bun",),
        ecosystem="node",
        source="https://bun.sh/docs/cli/install",
        spec=CommandSpec(
            {"install": "install", "i": "install", "add": "add", "a": "add"},
            names("--cwd --cache-dir --backend --registry -c --config"),
        ),
        install_actions=frozenset({"install", "add"}),
        action_manifests={"install": ("package.json", "bun.lock", "bun.lockb")},
        caches=(
            CacheDir(
                "{BUN_INSTALL:-{HOME}/.bun}/install/cache",
                env=("BUN_INSTALL_CACHE_DIR",),
                options=("--cache-dir",),
                source="https://bun.sh/docs/install/cache",
            ),
        ),
        defeating_options=("--no-cache",),
        cleaners=(("bun", "pm", "cache", "rm"),),
        global_options=_BUN_GLOBAL,
        kind_rule=_bun_kind,
        # `bunfig.toml` in the working directory (https://bun.sh/docs/runtime/bunfig); patch
        # files listed under `patchedDependencies` in package.json (https://bun.sh/docs/install/patch).
        project_config=(ConfigFile("bunfig.toml", "https://bun.sh/docs/runtime/bunfig"),),
        patch_table=("patchedDependencies",),
        # `bun install` creates and updates bun.lock (bun.lockb before Bun 1.2) unless
        # `--frozen-lockfile` ("Disallow changes to lockfile") or `--no-save`:
        # https://bun.sh/docs/cli/install, https://bun.sh/docs/install/lockfile.
        lock_writes=(LockWrite(
            frozenset({"install"}), ("bun.lock", "bun.lockb"), "https://bun.sh/docs/cli/install",
            unless=("--frozen-lockfile", "--no-save")),),
    ),
)

ECOSYSTEMS = (
    # https://docs.npmjs.com/cli/v10/configuring-npm/package-json
    Ecosystem(
        "node",
        "Node.js",
        (Manager.NPM, Manager.YARN, Manager.PNPM, Manager.BUN),
        ("package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml",
         "pnpm-workspace.yaml", "bun.lock", "bun.lockb", ".npmrc", ".yarnrc", ".yarnrc.yml"),
        "https://docs.npmjs.com/cli/v10/configuring-npm/package-json",
    ),
)

#: How each package manager reduces an installed ``node_modules`` to the production
#: dependencies, in place (DM401's builder runs it after the build), with its source.
#: ``yarn-classic`` re-runs the install with ``--production`` (yarn 1 has no prune);
#: ``yarn-berry``'s ``workspaces focus`` is built in from Yarn 4 (a plugin before).
#: The oldest official node image (major version) that has each prune, and what it needs,
#: when there is a limit: ``npm prune --omit=dev`` needs npm 7
#: (https://docs.npmjs.com/cli/v7/commands/npm-prune), which Node 16 ships
#: (https://nodejs.org/en/about/previous-releases).
PRUNE_MIN_NODE: dict[str, tuple[int, str]] = {"npm": (16, "npm 7")}

#: Programs the builder may set up that a runtime image based on the slim node image does
#: not have: corepack and pnpm (the slim image ships npm and Yarn classic only, as the full
#: one: https://github.com/nodejs/docker-node/blob/main/README.md#image-variants);
#: ``yarn`` too unless it is that Yarn classic.
NODE_SETUP_ONLY = frozenset({"pnpm", "corepack"})

PRUNE_PRODUCTION: dict[str, tuple[str, str]] = {
    # npm 7+ (Node 16 images and later): https://docs.npmjs.com/cli/v10/commands/npm-prune
    "npm": ("npm prune --omit=dev", "https://docs.npmjs.com/cli/v10/commands/npm-prune"),
    "yarn-classic": ("yarn install --production",
                     "https://classic.yarnpkg.com/en/docs/cli/install#toc-yarn-install-production-true-false"),
    "yarn-berry": ("yarn workspaces focus --all --production", "https://yarnpkg.com/cli/workspaces/focus"),
    "pnpm": ("pnpm prune --prod", "https://pnpm.io/cli/prune"),
}


@dataclass(frozen=True, slots=True)
class NodeActions:
    """How DM401's split reads one Node tool's action (its first operand, options skipped)."""

    #: Install the project's dependencies (the step whose ``node_modules`` the runtime
    #: gets); with named packages they are declined.
    install: frozenset[str]
    #: Add, remove or upgrade dependencies: declined (the lock file no longer says what
    #: the runtime copies).
    changes: frozenset[str]
    #: Every action the split understands; None: any but ``changes``.
    known: frozenset[str] | None
    #: An install of named packages is declined, but for a global install of
    #: ``NODE_BUILDER_TOOLS`` (npm: ``npm install`` adds what it names to package.json).
    named_declined: bool = False


#: The Node tools DM401's split reads, by program name.
NODE_SPLIT_ACTIONS: dict[str, NodeActions] = {
    # https://docs.npmjs.com/cli/v10/commands/npm-ci, .../npm-install (alias ``i``),
    # .../npm-run-script (alias ``run``), .../npm-prune, .../npm-cache, .../npm-rebuild,
    # .../npm-test: the commands that install the lock file, build and test.
    "npm": NodeActions(install=frozenset({"ci", "install", "i"}), changes=frozenset(),
                       known=frozenset({"ci", "install", "i", "run", "run-script", "prune", "cache",
                                        "rebuild", "test"}), named_declined=True),
    # https://docs.npmjs.com/cli/v10/commands/npx: runs a package's binary.
    "npx": NodeActions(install=frozenset(), changes=frozenset(), known=None),
    # https://classic.yarnpkg.com/en/docs/cli/ (``yarn`` alone installs; add, global,
    # remove, upgrade, link) and https://yarnpkg.com/cli (up, dlx, unplug, set version).
    "yarn": NodeActions(install=frozenset({"", "install"}),
                        changes=frozenset({"add", "global", "remove", "upgrade", "up", "dlx", "link",
                                           "unplug"}),
                        known=None),
    # https://pnpm.io/cli/install (``pnpm i``, ``pnpm`` alone), https://pnpm.io/cli/add,
    # /cli/remove (rm), /cli/update (up), /cli/dlx, /cli/link, /cli/setup.
    "pnpm": NodeActions(install=frozenset({"", "install", "i"}),
                        changes=frozenset({"add", "remove", "rm", "update", "up", "dlx", "link", "setup"}),
                        known=None),
    # https://github.com/nodejs/corepack#usage: enable, prepare, install, use.
    "corepack": NodeActions(install=frozenset(), changes=frozenset(),
                            known=frozenset({"enable", "prepare", "install", "use"})),
}

#: Package managers an ``npm install -g`` sets up for the builder only (the runtime does
#: not get them): https://yarnpkg.com/getting-started/install, https://pnpm.io/installation#using-npm,
#: https://github.com/nodejs/corepack#manual-installs.
NODE_BUILDER_TOOLS = frozenset({"yarn", "pnpm", "corepack"})


# -- which Yarn runs (dockmod.semantic.yarn; DM202: only Yarn classic uses the classic cache
# directory; DM401: which prune the builder runs) -------------------------------------------
#: Commands that put another Yarn in place of the one the image has, by the words that
#: start them, and where the version they install is named: "operand" for a ``yarn@<v>``
#: operand, "next" for the word after the prefix, "" when none is (then the project's
#: package.json ``packageManager`` decides). Corepack: https://nodejs.org/api/corepack.html
#: (``enable`` with no operand enables Yarn too); https://yarnpkg.com/cli/set/version;
#: https://classic.yarnpkg.com/en/docs/cli/policies (``set-version``, which may name berry).
YARN_SWITCHES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("corepack", "enable"), ""),
    (("corepack", "prepare"), "operand"),
    (("corepack", "install"), "operand"),
    (("corepack", "use"), "operand"),
    (("yarn", "set", "version"), "next"),
    (("yarnpkg", "set", "version"), "next"),
    (("yarn", "policies", "set-version"), "next"),
)
#: Packages that install Yarn classic when named without a version: npm's ``yarn``
#: (https://www.npmjs.com/package/yarn, 1.22.x; berry is ``@yarnpkg/cli-dist``), Debian's
#: ``yarnpkg`` and Alpine's ``yarn`` (both 1.22.x), the ``yarn`` of dl.yarnpkg.com's
#: apt repository (https://classic.yarnpkg.com/en/docs/install).
YARN_CLASSIC_PACKAGES = frozenset({"yarn", "yarnpkg"})
#: Packages that install Yarn 2+ (berry): https://www.npmjs.com/package/@yarnpkg/cli-dist.
YARN_BERRY_PACKAGES = frozenset({"@yarnpkg/cli-dist", "@yarnpkg/cli"})
#: Files that make a project a Yarn 2+ one: ``.yarnrc.yml`` (berry's settings, whose
#: ``yarnPath`` even Yarn classic 1.22 follows, running the berry release it names) and
#: the ``.yarn`` folder (releases, cache, plugins): https://yarnpkg.com/configuration/yarnrc.
YARN_BERRY_FILES = (".yarnrc.yml", ".yarn")


def yarn_generation(version: str) -> str:
    """``classic`` for a Yarn 1 version or tag (``1.22.22``, ``classic``), else ``berry``
    (``4.1.0``, ``stable``, ``berry``, ``latest``, ``canary``: every tag but ``classic``
    names Yarn 2 or later since Yarn 2's release, https://yarnpkg.com/cli/set/version)."""
    v = version.strip().lstrip("v^~=")
    return "classic" if v == "classic" or v == "1" or v.startswith("1.") else "berry"


# -- what a Yarn install reads and writes in the project (DM201) ----------------------------
#: What ``yarn install`` writes in the project folder: ``node_modules`` (Yarn classic, and
#: berry's ``nodeLinker: node-modules``); berry's Plug'n'Play loader ``.pnp.cjs`` and
#: ``.pnp.loader.mjs``, its cache ``.yarn/cache`` (``cacheFolder``, used when
#: ``enableGlobalCache`` is off, the default before Yarn 4), ``.yarn/install-state.gz``
#: (``installStatePath``) and ``.yarn/unplugged`` (``pnpUnpluggedFolder``):
#: https://yarnpkg.com/configuration/yarnrc. Not the rest of ``.yarn/``: ``releases``,
#: ``plugins``, ``patches``, ``sdks`` and ``versions`` are the project's own files, which
#: Yarn says to commit (https://yarnpkg.com/getting-started/qa#which-files-should-be-gitignored).
YARN_WRITES = ("node_modules", ".yarn/cache", ".yarn/install-state.gz", ".yarn/unplugged", ".pnp.cjs",
               ".pnp.loader.mjs")
#: Settings of ``.yarnrc.yml`` naming files of the project that Yarn loads before it installs
#: anything: ``yarnPath``, the Yarn release run instead of the one installed ("This binary will
#: be executed instead of any other", https://yarnpkg.com/configuration/yarnrc#yarnPath; ``yarn
#: set version`` writes it, with the file under ``.yarn/releases``:
#: https://yarnpkg.com/cli/set/version), and the ``path`` of each ``plugins`` entry (``yarn
#: plugin import`` writes the file under ``.yarn/plugins`` and "updates the configuration to
#: reference it": https://yarnpkg.com/cli/plugin/import). They are inputs of the install.
YARNRC_FILE_SETTINGS = ("yarnPath", "plugins")
#: The same for Yarn classic's ``.yarnrc``: ``yarn-path`` "instructs yarn to defer to another
#: Yarn binary for execution" (https://classic.yarnpkg.com/en/docs/yarnrc#toc-yarn-path).
YARNRC_CLASSIC_FILE_SETTINGS = ("yarn-path",)
#: The protocol of a dependency patched by a file of the project, named after ``#``
#: (``patch:lodash@npm%3A4.17.21#~/.yarn/patches/lodash.patch``: ``~/`` is the project's root,
#: other paths are relative to the package.json), in a dependency table or ``resolutions``
#: (where ``yarn patch-commit -s`` puts it): https://yarnpkg.com/protocol/patch,
#: https://yarnpkg.com/features/patching, https://yarnpkg.com/cli/patch-commit. Several
#: patches are joined by ``&``; ``builtin<…>`` ones ship with Yarn.
YARN_PATCH_PROTOCOL = "patch:"
#: An install that reads only the store an earlier fetch of the same lock file filled, by
#: manager: (the fetch action, the install's options that make it read that store). ``pnpm
#: fetch`` loads the packages into the store from the lock file alone, and ``pnpm install
#: --offline`` then links them without the network; pnpm's Docker example copies the whole
#: project between the two (https://pnpm.io/cli/fetch: "specifically designed to improve
#: building a docker image"). ``--prefer-offline`` asks the network only for what the store
#: lacks (https://pnpm.io/cli/install#--prefer-offline), which after the fetch is nothing. A
#: source edit re-runs only that link step, which downloads nothing: no DM201 finding.
FETCH_THEN_OFFLINE: dict[Manager, tuple[str, tuple[str, ...]]] = {
    Manager.PNPM: ("fetch", ("--offline", "--prefer-offline")),
}
