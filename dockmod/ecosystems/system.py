"""System package managers: apt-get/apt, apk, dnf/yum/microdnf, zypper.

Their caches are system directories written as root, and need ``sharing=locked``: each
tool takes a lock on them and fails or waits when another process holds it
(https://docs.docker.com/build/cache/optimize/#use-cache-mounts shows apt with
``sharing=locked``).

``BUILD_PACKAGES`` maps each build-only package (a compiler, a ``-dev``/``-devel`` header
package, a build tool) to the runtime package it implies, or None when nothing is needed at
run time. Runtime names are those of the current release of each distribution (Debian 12
bookworm, Alpine 3.20, EL9, openSUSE Leap 15.6); others differ (Debian 11 has libffi7 and
libssl1.1, Debian 13 libssl3t64), so a consumer should treat a name as a hint to verify.
"""

from __future__ import annotations

from collections.abc import Mapping

from dockmod.ecosystems._base import CacheDir, Ecosystem, InstallKind, Manager, ManagerInfo, PackageManagerCall
from dockmod.ecosystems._rows import names, same
from dockmod.shell.commands import CommandSpec, Option
from dockmod.shell.parse import ShellWord

_TOOLS = dict.fromkeys(
    "gcc g++ cpp make cmake ninja-build autoconf automake libtool pkg-config pkgconf git patch"
    " bison flex".split()
)

# Debian/Ubuntu: https://packages.debian.org/bookworm/<package> (each -dev package's
# "Depends" names the runtime library below).
APT_BUILD_PACKAGES: dict[str, str | None] = {
    **_TOOLS,
    "build-essential": None,
    "python3-dev": None,
    "libpq-dev": "libpq5",
    "libffi-dev": "libffi8",
    "libssl-dev": "libssl3",
    "libxml2-dev": "libxml2",
    "libxslt1-dev": "libxslt1.1",
    "libjpeg-dev": "libjpeg62-turbo",
    "libjpeg62-turbo-dev": "libjpeg62-turbo",
    "zlib1g-dev": "zlib1g",
    "default-libmysqlclient-dev": "libmariadb3",
    "libmariadb-dev": "libmariadb3",
    "libmariadb-dev-compat": "libmariadb3",
    "libcurl4-openssl-dev": "libcurl4",
    "libpng-dev": "libpng16-16",
    "libyaml-dev": "libyaml-0-2",
    "libsqlite3-dev": "libsqlite3-0",
    "libbz2-dev": "libbz2-1.0",
    "libreadline-dev": "libreadline8",
    "liblzma-dev": "liblzma5",
    "libgmp-dev": "libgmp10",
    "libsasl2-dev": "libsasl2-2",
    "libldap2-dev": "libldap-2.5-0",
    "libmagic-dev": "libmagic1",
    "libwebp-dev": "libwebp7",
    "libfreetype6-dev": "libfreetype6",
    "libzstd-dev": "libzstd1",
    "libpcre3-dev": "libpcre3",
    "libgeos-dev": "libgeos-c1v5",
    "libsnappy-dev": "libsnappy1v5",
}

# Alpine: https://pkgs.alpinelinux.org/packages (the -dev package's dependencies).
APK_BUILD_PACKAGES: dict[str, str | None] = {
    **_TOOLS,
    "build-base": None,
    "musl-dev": None,
    "linux-headers": None,
    "python3-dev": None,
    "postgresql-dev": "libpq",
    "libpq-dev": "libpq",
    "libffi-dev": "libffi",
    "openssl-dev": "libssl3",
    "libxml2-dev": "libxml2",
    "libxslt-dev": "libxslt",
    "jpeg-dev": "libjpeg-turbo",
    "libjpeg-turbo-dev": "libjpeg-turbo",
    "zlib-dev": "zlib",
    "mariadb-dev": "mariadb-connector-c",
    "mariadb-connector-c-dev": "mariadb-connector-c",
    "curl-dev": "libcurl",
    "libpng-dev": "libpng",
    "yaml-dev": "yaml",
    "sqlite-dev": "sqlite-libs",
    "bzip2-dev": "libbz2",
    "readline-dev": "readline",
    "xz-dev": "xz-libs",
    "gmp-dev": "gmp",
    "freetype-dev": "freetype",
    "zstd-dev": "zstd-libs",
    "libwebp-dev": "libwebp",
}

# RHEL/Fedora: https://packages.fedoraproject.org/pkgs/<source>/<package>/ (Requires).
RPM_BUILD_PACKAGES: dict[str, str | None] = {
    **_TOOLS,
    "gcc-c++": None,
    "redhat-rpm-config": None,
    "python3-devel": None,
    "libpq-devel": "libpq",
    "postgresql-devel": "libpq",
    "libffi-devel": "libffi",
    "openssl-devel": "openssl-libs",
    "libxml2-devel": "libxml2",
    "libxslt-devel": "libxslt",
    "libjpeg-turbo-devel": "libjpeg-turbo",
    "zlib-devel": "zlib",
    "mariadb-connector-c-devel": "mariadb-connector-c",
    "mariadb-devel": "mariadb-connector-c",
    "libcurl-devel": "libcurl",
    "libpng-devel": "libpng",
    "libyaml-devel": "libyaml",
    "sqlite-devel": "sqlite-libs",
    "bzip2-devel": "bzip2-libs",
    "readline-devel": "readline",
    "xz-devel": "xz-libs",
    "gmp-devel": "gmp",
    "freetype-devel": "freetype",
    "libzstd-devel": "libzstd",
}

# openSUSE: https://software.opensuse.org/package/<package>
ZYPPER_BUILD_PACKAGES: dict[str, str | None] = {
    **_TOOLS,
    "gcc-c++": None,
    "python3-devel": None,
    "libopenssl-devel": "libopenssl3",
    "libffi-devel": "libffi8",
    "zlib-devel": "libz1",
    "postgresql-devel": "libpq5",
    "libxml2-devel": "libxml2-2",
}


#: Header packages the tables above do not list are still build-only when named like one
#: (Debian policy 8.4 ``-dev``: https://www.debian.org/doc/debian-policy/ch-sharedlibs.html#development-files;
#: Fedora packaging guidelines ``-devel``: https://docs.fedoraproject.org/en-US/packaging-guidelines/#_devel_packages).
#: Their runtime library is then unknown.
HEADER_SUFFIXES = ("-dev", "-devel")


#: Packages that give a C compiler, and so turn cgo on by default: "The cgo tool is
#: enabled by default for native builds on systems where it is expected to work. It is
#: disabled by default ... when the CC environment variable is unset and the default C
#: compiler (typically gcc or clang) cannot be found on the system PATH"
#: (https://pkg.go.dev/cmd/cgo). The compilers of the tables above, their meta packages
#: (``build-essential``, ``build-base``) and musl's libc headers, which a cgo build on
#: Alpine needs (https://pkgs.alpinelinux.org/package/edge/main/x86_64/musl-dev).
C_TOOLCHAIN = frozenset({"gcc", "g++", "clang", "build-essential", "build-base", "musl-dev"})

#: Actions that remove packages: apt-get(8) ``remove``/``purge``/``autoremove``, apk
#: ``del`` (https://wiki.alpinelinux.org/wiki/Alpine_Package_Keeper#Remove_a_Package),
#: dnf/yum ``remove``/``erase`` (https://dnf.readthedocs.io/en/latest/command_ref.html#remove-command-label).
REMOVING_ACTIONS = frozenset({"remove", "purge", "autoremove", "del", "erase"})

#: Options that install packages as one named group which a later removal deletes whole:
#: ``apk add --virtual NAME`` / ``-t NAME``
#: (https://wiki.alpinelinux.org/wiki/Alpine_Package_Keeper#Virtual_Packages).
GROUP_OPTIONS: dict[Manager, tuple[str, ...]] = {Manager.APK: ("--virtual", "-t")}


def group_option(call: PackageManagerCall) -> str | None:
    """The group a call installs its packages as (``apk add --virtual .build-deps``):
    ``""`` when the option has no value, None without one."""
    names = GROUP_OPTIONS.get(call.manager)
    opt = call.option(*names) if names else None
    return None if opt is None else (opt.value or "")


def build_package(table: Mapping[str, str | None], package: str) -> tuple[bool, str | None, bool]:
    """``(build_only, runtime_library, known)`` for ``package`` under a manager's table.

    ``known`` is False when the package is build-only by its name only (a header package
    missing from the table): its runtime library, if any, is then unknown.
    """
    if package in table:
        return True, table[package], True
    if package.endswith(HEADER_SUFFIXES):
        return True, None, False
    return False, None, True


def _system_kind(call: PackageManagerCall) -> InstallKind | None:
    a = call.action
    if a in ("update", "makecache", "refresh", "ref"):
        return InstallKind.INDEX
    if a in ("install", "add", "upgrade", "dist-upgrade", "full-upgrade", "build-dep", "builddep",
             "reinstall", "distro-sync", "groupinstall", "in", "up", "dup", "source", "download"):
        return InstallKind.PACKAGES
    return None


_APT_VALUE = names("-o --option -t --target-release --default-release -c --config-file")
_APT_SPEC = CommandSpec(
    same(
        "update install upgrade dist-upgrade full-upgrade remove purge autoremove clean"
        " autoclean distclean dist-clean build-dep source download"
    ),
    _APT_VALUE,
    bundles=True,
)
_APT_ACTIONS = frozenset(
    {"update", "install", "upgrade", "dist-upgrade", "full-upgrade", "build-dep", "source", "download"}
)
# apt(8): /var/cache/apt/archives (Dir::Cache::archives) and /var/lib/apt/lists (Dir::State::lists):
# https://manpages.debian.org/bookworm/apt/apt.conf.5.en.html#DIRECTORIES
_APT_CACHES = (
    CacheDir("/var/cache/apt", locked=True, system=True,
             source="https://manpages.debian.org/bookworm/apt/apt.conf.5.en.html#DIRECTORIES"),
    CacheDir("/var/lib/apt/lists", kind="index", locked=True, system=True,
             source="https://manpages.debian.org/bookworm/apt/apt.conf.5.en.html#DIRECTORIES"),
)

# apt-get(8) since apt 2.9 (Debian 13): "distclean (and the dist-clean alias) removes all
# files under /var/lib/apt/lists except Release, Release.gpg, and InRelease", besides what
# ``clean`` removes (https://manpages.debian.org/trixie/apt/apt-get.8.en.html).
_APT_INDEX_CLEANERS = (("apt-get", "distclean"), ("apt-get", "dist-clean"), ("apt", "distclean"),
                       ("apt", "dist-clean"))
# https://manpages.debian.org/bookworm/apt/apt-get.8.en.html (``clean``)
_APT_CLEANERS = (("apt-get", "clean"), ("apt", "clean"), *_APT_INDEX_CLEANERS)

# apt-get(8): ``update`` fetches the lists; these actions read them.
_APT_INDEX = frozenset({"update"})
_APT_READS_INDEX = frozenset({"install", "upgrade", "dist-upgrade", "full-upgrade", "build-dep", "source", "download",
                              "simulate"})
# apt-get(8): "-s, --simulate, --just-print, --dry-run, --recon, --no-act: No action; perform
# a simulation of events that would occur" (https://manpages.debian.org/bookworm/apt/apt-get.8.en.html).
# Such a command reads the package lists and installs nothing: its action is ``simulate``.
_APT_SIMULATE = names("-s --simulate --just-print --dry-run --recon --no-act")
_APT_SIMULATED = frozenset({"install", "upgrade", "dist-upgrade", "full-upgrade", "build-dep", "remove", "purge",
                            "autoremove"})


def _apt_action(action: str, options: tuple[Option, ...], operands: tuple[ShellWord, ...]) -> str | None:
    if action in _APT_SIMULATED and any(
            o.name in _APT_SIMULATE or (o.value is None and not o.name.startswith("--") and "s" in o.name[1:])
            for o in options):
        return "simulate"
    return action


_DNF_VALUE = names(
    "-c --config --installroot --releasever -x --exclude --enablerepo --disablerepo --repo"
    " --repoid --setopt --forcearch --disableplugin --enableplugin"
)
_DNF_SPEC = CommandSpec(
    same(
        "install update upgrade remove erase clean makecache reinstall distro-sync builddep"
        " groupinstall"
    ),
    _DNF_VALUE,
    bundles=True,
)
_DNF_ACTIONS = frozenset(
    {"install", "update", "upgrade", "makecache", "reinstall", "distro-sync", "builddep", "groupinstall"}
)
_DNF_CLEAN = (("dnf", "clean", "all"), ("dnf", "clean", "packages"), ("dnf5", "clean", "all"),
              ("dnf5", "clean", "packages"))
# dnf, yum and microdnf keep no downloaded package by default (``keepcache=0``:
# https://dnf.readthedocs.io/en/latest/conf_ref.html#keepcache-label; dnf5:
# https://dnf5.readthedocs.io/en/latest/dnf5.conf.5.html), so their cache holds mostly the
# repository metadata, which they reuse without asking the mirror until ``metadata_expire``
# (dnf.conf(5): 48 hours, https://dnf.readthedocs.io/en/latest/conf_ref.html#metadata-expire-label;
# yum.conf(5) on EL7: 6 hours). ``--refresh`` marks it expired for the command
# (https://dnf.readthedocs.io/en/latest/command_ref.html#options, dnf5(8), microdnf
# ``--refresh``), as does ``--setopt=metadata_expire=0``; ``clean expire-cache`` (or
# ``metadata``, ``all``) for the commands after it. ``makecache`` alone keeps metadata that
# has not expired ("tries to avoid downloading whenever possible"), so it does not count.
_DNF_EXPIRY = "until `metadata_expire` (48 hours by default)"
_YUM3_EXPIRY = "until `metadata_expire` (6 hours by default)"
_DNF_REFRESH = ("--refresh", "--setopt=metadata_expire=0")
# dnf 4: https://dnf.readthedocs.io/en/latest/conf_ref.html#cachedir-label (/var/cache/dnf)
_DNF4_CACHE = CacheDir("/var/cache/dnf", locked=True, system=True, variant="dnf4", expiring_metadata=_DNF_EXPIRY,
                       source="https://dnf.readthedocs.io/en/latest/conf_ref.html#cachedir-label")
# dnf 5 (Fedora 41+): https://dnf5.readthedocs.io/en/latest/misc/caching.7.html (/var/cache/libdnf5)
_DNF5_CACHE = CacheDir("/var/cache/libdnf5", locked=True, system=True, variant="dnf5", expiring_metadata=_DNF_EXPIRY,
                       source="https://dnf5.readthedocs.io/en/latest/misc/caching.7.html")
# yum 3 (EL7): https://man7.org/linux/man-pages/man5/yum.conf.5.html (cachedir /var/cache/yum/$basearch/$releasever)
_YUM3_CACHE = CacheDir("/var/cache/yum", locked=True, system=True, variant="yum3", expiring_metadata=_YUM3_EXPIRY,
                       source="https://man7.org/linux/man-pages/man5/yum.conf.5.html")

MANAGERS = (
    # https://manpages.debian.org/bookworm/apt/apt-get.8.en.html
    ManagerInfo(
        manager=Manager.APT_GET,
        programs=("apt-get",),
        ecosystem="system",
        source="https://manpages.debian.org/bookworm/apt/apt-get.8.en.html",
        spec=_APT_SPEC,
        install_actions=_APT_ACTIONS,
        caches=_APT_CACHES,
        cleaners=_APT_CLEANERS, index_cleaners=_APT_INDEX_CLEANERS,
        index_actions=_APT_INDEX, reads_index=_APT_READS_INDEX,
        system=True,
        build_packages=APT_BUILD_PACKAGES,
        action_rule=_apt_action,
        kind_rule=_system_kind,
    ),
    # https://manpages.debian.org/bookworm/apt/apt.8.en.html
    ManagerInfo(
        manager=Manager.APT,
        programs=("apt",),
        ecosystem="system",
        source="https://manpages.debian.org/bookworm/apt/apt.8.en.html",
        spec=_APT_SPEC,
        install_actions=_APT_ACTIONS,
        caches=_APT_CACHES,
        cleaners=_APT_CLEANERS, index_cleaners=_APT_INDEX_CLEANERS,
        index_actions=_APT_INDEX, reads_index=_APT_READS_INDEX,
        system=True,
        build_packages=APT_BUILD_PACKAGES,
        action_rule=_apt_action,
        kind_rule=_system_kind,
    ),
    # https://wiki.alpinelinux.org/wiki/Alpine_Package_Keeper
    # cache: https://wiki.alpinelinux.org/wiki/Alpine_Package_Keeper#Local_Cache (only used
    # when /etc/apk/cache links to it; otherwise only the index is cached)
    ManagerInfo(
        manager=Manager.APK,
        programs=("apk",),
        ecosystem="system",
        source="https://wiki.alpinelinux.org/wiki/Alpine_Package_Keeper",
        spec=CommandSpec(
            same("add del update upgrade fix cache"),
            names(
                "-X --repository -p --root --arch --cache-dir --keys-dir -t --virtual"
                " --repositories-file"
            ),
            bundles=True,
        ),
        install_actions=frozenset({"add", "update", "upgrade", "fix"}),
        caches=(
            CacheDir("/var/cache/apk", locked=True, system=True, options=("--cache-dir",),
                     source="https://wiki.alpinelinux.org/wiki/Alpine_Package_Keeper#Local_Cache"),
        ),
        defeating_options=("--no-cache",),
        cleaners=(("apk", "cache", "clean"),),
        system=True,
        build_packages=APK_BUILD_PACKAGES,
        kind_rule=_system_kind,
    ),
    # https://dnf.readthedocs.io/en/latest/command_ref.html ; dnf5:
    # https://dnf5.readthedocs.io/en/latest/commands/index.html. Which of the two a
    # base image ships decides the cache (see the base-image table).
    ManagerInfo(
        manager=Manager.DNF,
        # ``dnf5`` is dnf 5 by name (https://dnf5.readthedocs.io/en/latest/dnf5.8.html); ``dnf``
        # is dnf 4 or 5, as the image says (``cache_use.RPM_IMAGES``).
        programs=("dnf", "dnf-3", "dnf5"),
        program_variants={"dnf5": "dnf5", "dnf-3": "dnf4"},
        ecosystem="system",
        source="https://dnf.readthedocs.io/en/latest/command_ref.html",
        spec=_DNF_SPEC,
        install_actions=_DNF_ACTIONS,
        caches=(_DNF4_CACHE, _DNF5_CACHE),
        cleaners=_DNF_CLEAN,
        # https://github.com/hadolint/hadolint/wiki/DL3040. Not ``dnf5 clean``: DL3040 checks
        # the programs ``dnf`` and ``microdnf`` only, and takes a cache mount on
        # /var/cache/libdnf5 in place of the clean (hadolint's src/Hadolint/Rule/DL3040.hs).
        linted_cleaners=((("dnf", "clean"), "hadolint DL3040"),),
        offline_options=("-C", "--cacheonly"),
        metadata_refresh=_DNF_REFRESH,
        metadata_refreshers=tuple((p, "clean", w) for p in ("dnf", "dnf-3", "dnf5")
                                  for w in ("expire-cache", "metadata", "all")),
        system=True,
        build_packages=RPM_BUILD_PACKAGES,
        kind_rule=_system_kind,
    ),
    # yum is dnf on EL8 and later (/usr/bin/yum → dnf-3, cache /var/cache/dnf:
    # https://dnf.readthedocs.io/en/latest/cli_vs_yum.html); EL7's yum 3 caches in /var/cache/yum.
    ManagerInfo(
        manager=Manager.YUM,
        programs=("yum",),
        ecosystem="system",
        source="https://dnf.readthedocs.io/en/latest/cli_vs_yum.html",
        spec=_DNF_SPEC,
        install_actions=_DNF_ACTIONS,
        caches=(_DNF4_CACHE, _YUM3_CACHE),
        cleaners=(("yum", "clean", "all"), ("yum", "clean", "packages")),
        # https://github.com/hadolint/hadolint/wiki/DL3032
        linted_cleaners=((("yum", "clean"), "hadolint DL3032"),),
        offline_options=("-C", "--cacheonly"),
        metadata_refresh=_DNF_REFRESH,
        metadata_refreshers=tuple(("yum", "clean", w) for w in ("expire-cache", "metadata", "all")),
        system=True,
        build_packages=RPM_BUILD_PACKAGES,
        kind_rule=_system_kind,
    ),
    # https://github.com/rpm-software-management/microdnf (cache /var/cache/yum:
    # https://github.com/rpm-software-management/microdnf/pull/73)
    ManagerInfo(
        manager=Manager.MICRODNF,
        programs=("microdnf",),
        ecosystem="system",
        source="https://github.com/rpm-software-management/microdnf",
        spec=_DNF_SPEC,
        install_actions=_DNF_ACTIONS,
        caches=(CacheDir("/var/cache/yum", locked=True, system=True, expiring_metadata=_DNF_EXPIRY,
                         source="https://github.com/rpm-software-management/microdnf/pull/73"),),
        cleaners=(("microdnf", "clean", "all"),),
        # Not ``--refresh``: only dnf's and dnf5's manuals document it.
        metadata_refresh=("--setopt=metadata_expire=0",),
        metadata_refreshers=(("microdnf", "clean", "all"), ("microdnf", "clean", "metadata"),
                             ("microdnf", "clean", "expire-cache")),
        # DL3040 checks ``microdnf`` as it does ``dnf`` (https://github.com/hadolint/hadolint/wiki/DL3040,
        # hadolint's src/Hadolint/Rule/DL3040.hs: ``dnfCmds = ["dnf", "microdnf"]``).
        linted_cleaners=((("microdnf", "clean"), "hadolint DL3040"),),
        system=True,
        build_packages=RPM_BUILD_PACKAGES,
        kind_rule=_system_kind,
    ),
    # https://doc.opensuse.org/documentation/leap/reference/html/book-reference/cha-sw-cl.html
    # cache: /var/cache/zypp (https://en.opensuse.org/SDB:Zypper_manual, packagesdir)
    ManagerInfo(
        manager=Manager.ZYPPER,
        programs=("zypper",),
        ecosystem="system",
        source="https://doc.opensuse.org/documentation/leap/reference/html/book-reference/cha-sw-cl.html",
        spec=CommandSpec(
            {"install": "install", "in": "install", "update": "update", "up": "update",
             "dist-upgrade": "dist-upgrade", "dup": "dist-upgrade", "refresh": "refresh",
             "ref": "refresh", "remove": "remove", "rm": "remove", "clean": "clean", "cc": "clean",
             "source-install": "source-install", "si": "source-install"},
            names("-R --root --reposd-dir -D --cache-dir -C --raw-cache-dir -t --type -r --repo --from"),
        ),
        install_actions=frozenset({"install", "update", "dist-upgrade", "refresh", "source-install"}),
        caches=(CacheDir("/var/cache/zypp", locked=True, system=True, options=("--cache-dir",),
                         source="https://en.opensuse.org/SDB:Zypper_manual"),),
        cleaners=(("zypper", "clean"), ("zypper", "cc")),
        system=True,
        build_packages=ZYPPER_BUILD_PACKAGES,
        kind_rule=lambda call: InstallKind.INDEX if call.action == "refresh" else (
            InstallKind.PACKAGES if call.action in ("install", "update", "dist-upgrade", "source-install")
            else None),
    ),
)

ECOSYSTEMS = (
    # https://www.debian.org/doc/manuals/debian-faq/pkgtools.en.html
    Ecosystem("system", "OS packages", tuple(m.manager for m in MANAGERS), (),
              "https://www.debian.org/doc/manuals/debian-faq/pkgtools.en.html"),
)

#: What a system-package RUN may delete after installing (DM401 keeps such an ``rm``):
#: the package lists and downloads (the apt and apk cache rows above) and scratch folders
#: (``/tmp``, ``/var/tmp``: FHS 3.0 https://refspecs.linuxfoundation.org/FHS_3.0/fhs/ch03s18.html).
CLEANUP_PATHS = (*dict.fromkeys(c.path for row in MANAGERS if row.manager in (Manager.APT_GET, Manager.APK)
                                for c in row.caches), "/tmp/", "/var/tmp/")
