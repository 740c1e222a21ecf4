"""Ruby: Bundler and RubyGems."""

from __future__ import annotations

from dockmod.ecosystems._base import CacheDir, Ecosystem, InstallKind, Manager, ManagerInfo, PackageManagerCall
from dockmod.ecosystems._rows import names, unless_asking
from dockmod.shell.commands import CommandSpec

# Gems are downloaded into $GEM_HOME/cache (https://guides.rubygems.org/command-reference/#gem-environment);
# with BUNDLE_PATH set they go under $BUNDLE_PATH/ruby/<abi>/cache instead, which a row
# cannot know: such a RUN's cache stays unknown to this table (the ABI version is not data).
_GEM_CACHE = CacheDir(
    "{GEM_HOME}/cache",
    source="https://guides.rubygems.org/command-reference/#gem-environment",
)


def _bundler_kind(call: PackageManagerCall) -> InstallKind | None:
    if call.action == "install":
        return InstallKind.DEPENDENCIES
    return InstallKind.PACKAGES if call.action == "add" else None


def _gem_kind(call: PackageManagerCall) -> InstallKind | None:
    if call.action != "install":
        return None
    # https://guides.rubygems.org/command-reference/#gem-install (-g/--file: a Gemfile)
    if call.has_option("-g", "--file"):
        return InstallKind.DEPENDENCIES
    return InstallKind.PACKAGES


MANAGERS = (
    # https://bundler.io/man/bundle-install.1.html
    # config and its variables: https://bundler.io/man/bundle-config.1.html
    ManagerInfo(
        manager=Manager.BUNDLER,
        programs=("bundle", "bundler"),
        ecosystem="ruby",
        source="https://bundler.io/man/bundle-install.1.html",
        spec=CommandSpec(
            {"install": "install", "": "install", "add": "add"},
            names("-j --jobs --retry --path --without --with --gemfile --binstubs"),
            names("--gemfile"),
        ),
        install_actions=frozenset({"install", "add"}),
        action_manifests={"install": ("Gemfile", "Gemfile.lock")},
        caches=(
            _GEM_CACHE,
            CacheDir(
                "{HOME}/.bundle/cache",
                env=("BUNDLE_USER_CACHE",),
                overrides=(("BUNDLE_USER_HOME", "{BUNDLE_USER_HOME}/cache"),),
                # Used for gems only with BUNDLE_GLOBAL_GEM_CACHE (bundle-config(1)).
                explicit=True,
                source="https://bundler.io/man/bundle-config.1.html",
            ),
        ),
        # https://bundler.io/man/bundle-install.1.html (--local: no network)
        offline_options=("--local",),
        # `bundle --version`/`-v`, `--help`/`-h` print and exit (https://bundler.io/man/bundle.1.html)
        action_rule=unless_asking("--version -v --help -h"),
        kind_rule=_bundler_kind,
    ),
    # https://guides.rubygems.org/command-reference/#gem-install
    ManagerInfo(
        manager=Manager.GEM,
        programs=("gem",),
        ecosystem="ruby",
        source="https://guides.rubygems.org/command-reference/#gem-install",
        spec=CommandSpec(
            {"install": "install", "update": "update"},
            names("-v --version -i --install-dir -n --bindir --source -p --http-proxy -g --file --platform"),
            names("-g --file"),
        ),
        install_actions=frozenset({"install", "update"}),
        caches=(_GEM_CACHE,),
        offline_options=("--local", "-l"),
        kind_rule=_gem_kind,
    ),
)

ECOSYSTEMS = (
    # https://bundler.io/guides/gemfile.html
    Ecosystem("ruby", "Ruby", (Manager.BUNDLER, Manager.GEM), ("Gemfile", "Gemfile.lock", "*.gemspec", ".ruby-version"),
              "https://bundler.io/guides/gemfile.html"),
)

#: What makes Bundler install gems into a path of its own (``vendor/bundle``) instead of
#: ``GEM_HOME``: it then keeps the downloaded ``.gem`` files under
#: ``<path>/ruby/<abi>/cache``, not in the cache directories above, so a mount on those
#: serves nothing. bundle-config(1) (https://bundler.io/man/bundle-config.1.html): the
#: ``path`` and ``deployment`` settings (``deployment`` installs to ``vendor/bundle``), as
#: ``BUNDLE_PATH``/``BUNDLE_DEPLOYMENT``, ``bundle config [set] [--local|--global] <key>``
#: or a project's ``.bundle/config``; bundle-install(1): ``--path``, ``--deployment``.
BUNDLER_VENDOR_ENV = ("BUNDLE_PATH", "BUNDLE_DEPLOYMENT")
BUNDLER_VENDOR_SETTINGS = frozenset({"path", "deployment"})
BUNDLER_VENDOR_OPTIONS = ("--path", "--deployment")
BUNDLER_CONFIG_DIR = ".bundle"
