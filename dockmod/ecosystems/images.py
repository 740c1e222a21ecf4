"""Official base-image families, as data: distro, package manager, user, HOME, ENV, slim form.

``lookup("python:3.12-slim")`` answers what the image sets before the Dockerfile's first
instruction runs. Each family row cites the Dockerfile it was read from. A reference that
is not in the table (another registry, an unknown repository, a Windows tag, a tag made of
variables) gives None: unknown, never guessed.

What a row records:

* ``env``: the ENV names the image sets. Values that depend on the tag (versions,
  checksums) are ``UNKNOWN``; values that do not (``GOPATH=/go``) are given. Names not
  listed are not set by the image, as far as its Dockerfile (and its parents') say.
* ``users``: accounts that exist in the image, ``name → (uid, gid, home)``: those the
  image's Dockerfile creates plus the distro's base accounts that Dockerfiles switch to
  (``nobody``, ``www-data``). ``root`` is always there.
* ``user``: the default ``USER`` (``""`` for root), ``home`` its HOME.
* ``slim``: the smaller image for a runtime stage, with the same tag where one exists.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType

from dockmod.lang.words import UNKNOWN, Unknown
from dockmod.registry.reference import DOCKER_HUB_ALIASES

#: BuildKit sets this PATH when the image sets none (``system.DefaultPathEnvUnix``).
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

Env = Mapping[str, "str | Unknown"]


@dataclass(frozen=True, slots=True)
class ImageFacts:
    """What a known base image sets up."""

    #: The table row: ``python``, ``node``, ``debian``, ``distroless`` …
    family: str
    #: ``debian``, ``ubuntu``, ``alpine``, ``ubi``, ``azurelinux``, ``oraclelinux``,
    #: ``busybox``, ``distroless``, ``fedora``, ``centos``, ``rockylinux``, ``almalinux``,
    #: ``amazonlinux``, ``archlinux``, ``opensuse``, ``sles``; None when the tag does not tell.
    distro: str | None
    #: ``apt``, ``apk``, ``dnf``, ``microdnf``, ``tdnf``, ``yum``, ``pacman``, ``zypper``, or None
    #: (none in the image).
    package_manager: str | None
    #: The default ``USER`` spec; ``""`` is root.
    user: str
    #: HOME of the default user.
    home: str | None
    env: Env
    users: Mapping[str, tuple[int, int | None, str | None]]
    #: The slim or runtime counterpart (e.g. ``python:3.12-slim``), or None.
    slim: str | None
    #: Where the facts come from (the image's Dockerfile).
    source: str
    #: The default WORKDIR.
    workdir: str = "/"
    #: The image has ``/bin/sh`` (distroless images do not).
    has_shell: bool = True
    #: The reference as looked up, normalised (``docker.io/library/`` removed).
    reference: str = ""
    #: ``VOLUME`` paths the image declares: what a later ``RUN`` writes there is discarded.
    volumes: tuple[str, ...] = ()


# -- distro base accounts -------------------------------------------------------------
# Debian/Ubuntu: base-passwd's fixed ids (https://salsa.debian.org/debian/base-passwd,
# passwd.master). Alpine: alpine-baselayout's /etc/passwd.
_ROOT = {"root": (0, 0, "/root")}
_DEBIAN_USERS = {**_ROOT, "www-data": (33, 33, "/var/www"), "nobody": (65534, 65534, "/nonexistent")}
_ALPINE_USERS = {**_ROOT, "nobody": (65534, 65534, "/")}
_RHEL_USERS = {**_ROOT, "nobody": (65534, 65534, "/")}
#: Homes of the accounts above that no image creates: base-passwd names ``/nonexistent``
#: for ``nobody``, and ``/var/www`` for ``www-data``, which a web server's package (or an
#: image's ``WORKDIR /var/www/html``, as ``php``'s) creates, not the distro.
ABSENT_HOMES = frozenset({"/nonexistent", "/var/www"})
#: Directories every Linux base image in the table has (the FHS top levels that Debian's
#: base-files, Alpine's alpine-baselayout and the RHEL filesystem package all create).
BASE_DIRS = frozenset({"/", "/root", "/home", "/tmp", "/var", "/var/cache", "/var/lib", "/var/tmp", "/usr",
                       "/usr/local", "/usr/share", "/opt", "/srv", "/mnt", "/etc"})


@dataclass(frozen=True, slots=True)
class _Family:
    #: docker-library and vendor sources, cited per row.
    source: str
    #: Distro and package manager when the tag names no variant.
    distro: str | None
    env: dict[str, str | Unknown] = field(default_factory=dict)
    users: dict[str, tuple[int, int | None, str | None]] = field(default_factory=dict)
    user: str = ""
    workdir: str = "/"
    #: tag → slim/runtime reference (None: no counterpart).
    slim: Callable[[str, str], str | None] | None = None
    #: Tag variants this family publishes besides the distro ones.
    alpine: bool = True
    volumes: tuple[str, ...] = ()


_V = UNKNOWN  # a value that depends on the tag


def _slim_suffix(repo: str, tag: str) -> str | None:
    """``python:3.12`` → ``python:3.12-slim``; ``-bookworm`` → ``-slim-bookworm``."""
    if "slim" in tag or "alpine" in tag:
        return None
    for codename in _DEBIAN_CODENAMES:
        if tag.endswith("-" + codename):
            return f"{repo}:{tag[: -len(codename) - 1]}-slim-{codename}"
        if tag == codename:
            return f"{repo}:slim-{codename}"
    return f"{repo}:{tag}-slim" if tag != "latest" else f"{repo}:slim"


def _node_slim(repo: str, tag: str) -> str | None:
    """Node puts the release first: ``node:22-bookworm`` → ``node:22-bookworm-slim``
    (https://github.com/nodejs/docker-node#image-variants; ``22-slim`` for a bare ``22``)."""
    if "slim" in tag or "alpine" in tag:
        return None
    for codename in _DEBIAN_CODENAMES:
        if tag.endswith(codename):
            return f"{repo}:{tag}-slim"
    return _slim_suffix(repo, tag)


def _go_runtime(repo: str, tag: str) -> str | None:
    # A static Go binary needs no distro; cgo ones need glibc (debian-slim).
    if "alpine" in tag:
        return "alpine"
    return "gcr.io/distroless/static-debian12"


def _jre(repo: str, tag: str) -> str | None:
    # maven:3.9-eclipse-temurin-21 → eclipse-temurin:21-jre
    m = re.search(r"(?:eclipse-temurin|temurin|openjdk)-(\d+)", tag)
    if m:
        return f"eclipse-temurin:{m.group(1)}-jre" + ("-alpine" if "alpine" in tag else "")
    m = re.search(r"jdk(\d+)", tag)  # gradle:8-jdk21
    if m:
        return f"eclipse-temurin:{m.group(1)}-jre" + ("-alpine" if "alpine" in tag else "")
    return None


def _temurin_jre(repo: str, tag: str) -> str | None:
    if "jre" in tag:
        return None
    return f"{repo}:{tag.replace('jdk', 'jre')}" if "jdk" in tag else f"{repo}:{tag}-jre"


def _dotnet_runtime(repo: str, tag: str) -> str | None:
    if repo.endswith("/sdk"):
        return f"{repo[: -len('sdk')]}aspnet:{tag}"
    return None


def _debian_slim(repo: str, tag: str) -> str | None:
    if "slim" in tag:
        return None
    return f"{repo}:{tag}-slim" if tag != "latest" else f"{repo}:stable-slim"


_FAMILIES: dict[str, _Family] = {
    # https://github.com/docker-library/python/blob/master/Dockerfile-linux.template
    # (ENV PATH /usr/local/bin:$PATH, LANG, GPG_KEY, PYTHON_VERSION, PYTHON_SHA256)
    "python": _Family(
        "https://github.com/docker-library/python/blob/master/Dockerfile-linux.template",
        "debian",
        env={"PATH": "/usr/local/bin:" + DEFAULT_PATH, "LANG": "C.UTF-8", "GPG_KEY": _V,
             "PYTHON_VERSION": _V, "PYTHON_SHA256": _V},
        slim=_slim_suffix,
    ),
    # https://github.com/docker-library/pypy/blob/master/Dockerfile.template
    "pypy": _Family(
        "https://github.com/docker-library/pypy/blob/master/Dockerfile.template",
        "debian",
        env={"PATH": "/opt/pypy/bin:" + DEFAULT_PATH, "LANG": "C.UTF-8", "PYPY_VERSION": _V},
        slim=_slim_suffix,
        alpine=False,
    ),
    # https://github.com/nodejs/docker-node/blob/main/Dockerfile-debian.template
    # (groupadd --gid 1000 node && useradd --uid 1000 --gid node --create-home node;
    # alpine: adduser -u 1000 -G node -s /bin/sh -D node)
    "node": _Family(
        "https://github.com/nodejs/docker-node/blob/main/Dockerfile-debian.template",
        "debian",
        env={"NODE_VERSION": _V, "YARN_VERSION": _V},
        users={"node": (1000, 1000, "/home/node")},
        slim=_node_slim,
    ),
    # (The node images also install Yarn classic, ENV YARN_VERSION 1.22.x, in every variant
    # slim included: NODE_IMAGE_YARN.)
    # https://github.com/docker-library/golang/blob/master/Dockerfile-linux.template
    # (ENV GOTOOLCHAIN=local, GOPATH /go, PATH $GOPATH/bin:/usr/local/go/bin:$PATH,
    # WORKDIR $GOPATH)
    "golang": _Family(
        "https://github.com/docker-library/golang/blob/master/Dockerfile-linux.template",
        "debian",
        env={"GOLANG_VERSION": _V, "GOTOOLCHAIN": "local", "GOPATH": "/go",
             "PATH": "/go/bin:/usr/local/go/bin:" + DEFAULT_PATH},
        workdir="/go",
        slim=_go_runtime,
    ),
    # https://github.com/rust-lang/docker-rust/blob/master/Dockerfile-debian.template
    # (ENV RUSTUP_HOME=/usr/local/rustup CARGO_HOME=/usr/local/cargo
    # PATH=/usr/local/cargo/bin:$PATH RUST_VERSION)
    "rust": _Family(
        "https://github.com/rust-lang/docker-rust/blob/master/Dockerfile-debian.template",
        "debian",
        env={"RUSTUP_HOME": "/usr/local/rustup", "CARGO_HOME": "/usr/local/cargo",
             "PATH": "/usr/local/cargo/bin:" + DEFAULT_PATH, "RUST_VERSION": _V},
        slim=lambda repo, tag: "debian:bookworm-slim" if "alpine" not in tag else "alpine",
    ),
    # https://github.com/docker-library/ruby/blob/master/Dockerfile.template
    # (ENV LANG C.UTF-8, RUBY_VERSION, GEM_HOME /usr/local/bundle,
    # BUNDLE_SILENCE_ROOT_WARNING=1 BUNDLE_APP_CONFIG="$GEM_HOME", PATH $GEM_HOME/bin:$PATH)
    "ruby": _Family(
        "https://github.com/docker-library/ruby/blob/master/Dockerfile.template",
        "debian",
        env={"LANG": "C.UTF-8", "RUBY_VERSION": _V, "RUBY_DOWNLOAD_SHA256": _V,
             "RUBY_DOWNLOAD_URL": _V, "GEM_HOME": "/usr/local/bundle",
             "BUNDLE_SILENCE_ROOT_WARNING": "1", "BUNDLE_APP_CONFIG": "/usr/local/bundle",
             "PATH": "/usr/local/bundle/bin:" + DEFAULT_PATH},
        slim=_slim_suffix,
    ),
    # https://github.com/docker-library/php/blob/master/Dockerfile-linux.template
    # (ENV PHPIZE_DEPS, PHP_INI_DIR /usr/local/etc/php, PHP_CFLAGS …, WORKDIR
    # /var/www/html in the apache and fpm variants; alpine: adduser -u 82 … www-data)
    "php": _Family(
        "https://github.com/docker-library/php/blob/master/Dockerfile-linux.template",
        "debian",
        env={"PHPIZE_DEPS": _V, "PHP_INI_DIR": "/usr/local/etc/php", "PHP_CFLAGS": _V,
             "PHP_CPPFLAGS": _V, "PHP_LDFLAGS": _V, "GPG_KEYS": _V, "PHP_VERSION": _V,
             "PHP_URL": _V, "PHP_ASC_URL": _V, "PHP_SHA256": _V},
    ),
    # https://github.com/adoptium/containers/blob/main/21/jdk/ubuntu/noble/Dockerfile
    # (ENV JAVA_HOME /opt/java/openjdk, PATH $JAVA_HOME/bin:$PATH, LANG/LANGUAGE/LC_ALL,
    # JAVA_VERSION; Ubuntu based, -alpine and -ubi9-minimal variants)
    "eclipse-temurin": _Family(
        "https://github.com/adoptium/containers/blob/main/21/jdk/ubuntu/noble/Dockerfile",
        "ubuntu",
        env={"JAVA_HOME": "/opt/java/openjdk", "PATH": "/opt/java/openjdk/bin:" + DEFAULT_PATH,
             "LANG": "en_US.UTF-8", "LANGUAGE": "en_US:en", "LC_ALL": "en_US.UTF-8",
             "JAVA_VERSION": _V},
        slim=_temurin_jre,
    ),
    # https://github.com/carlossg/docker-maven/blob/main/eclipse-temurin-21/Dockerfile
    # (ENV MAVEN_HOME /usr/share/maven, MAVEN_CONFIG "$USER_HOME_DIR/.m2" with
    # USER_HOME_DIR=/root; FROM eclipse-temurin, whose ENV it inherits)
    "maven": _Family(
        "https://github.com/carlossg/docker-maven/blob/main/eclipse-temurin-21/Dockerfile",
        "ubuntu",
        env={"MAVEN_HOME": "/usr/share/maven", "MAVEN_CONFIG": "/root/.m2", "JAVA_HOME": _V,
             "PATH": _V, "LANG": _V, "LANGUAGE": _V, "LC_ALL": _V, "JAVA_VERSION": _V},
        slim=_jre,
    ),
    # https://github.com/gradle/docker-gradle/blob/master/jdk21-noble/Dockerfile
    # (FROM eclipse-temurin:21-jdk-noble; ENV GRADLE_HOME=/opt/gradle, GRADLE_VERSION;
    # the ubuntu user (uid 1000) renamed to gradle with home /home/gradle; /root/.gradle
    # a symlink to /home/gradle/.gradle; VOLUME /home/gradle/.gradle; WORKDIR /home/gradle;
    # USER root at the end)
    "gradle": _Family(
        "https://github.com/gradle/docker-gradle/blob/master/jdk21-noble/Dockerfile",
        "ubuntu",
        env={"GRADLE_HOME": "/opt/gradle", "GRADLE_VERSION": _V, "JAVA_HOME": _V, "PATH": _V,
             "LANG": _V, "LANGUAGE": _V, "LC_ALL": _V, "JAVA_VERSION": _V},
        users={"gradle": (1000, 1000, "/home/gradle")},
        workdir="/home/gradle",
        slim=_jre,
        volumes=("/home/gradle/.gradle",),
    ),
    # https://github.com/docker-library/openjdk (deprecated): JAVA_HOME moved between
    # versions and bases (/usr/local/openjdk-N, /usr/java/openjdk-N), so it is unknown.
    "openjdk": _Family(
        "https://github.com/docker-library/openjdk/blob/master/Dockerfile-linux.template",
        None,
        env={"JAVA_HOME": _V, "PATH": _V, "LANG": _V, "JAVA_VERSION": _V},
        slim=_jre,
    ),
    # https://github.com/composer/docker/blob/main/latest/Dockerfile
    # (FROM php:8-alpine; ENV COMPOSER_ALLOW_SUPERUSER 1, COMPOSER_HOME /tmp,
    # COMPOSER_VERSION; WORKDIR /app)
    "composer": _Family(
        "https://github.com/composer/docker/blob/main/latest/Dockerfile",
        "alpine",
        env={"COMPOSER_ALLOW_SUPERUSER": "1", "COMPOSER_HOME": "/tmp", "COMPOSER_VERSION": _V,
             "PHPIZE_DEPS": _V, "PHP_INI_DIR": "/usr/local/etc/php", "PHP_CFLAGS": _V,
             "PHP_CPPFLAGS": _V, "PHP_LDFLAGS": _V, "GPG_KEYS": _V, "PHP_VERSION": _V,
             "PHP_URL": _V, "PHP_ASC_URL": _V, "PHP_SHA256": _V},
        users={"www-data": (82, 82, "/home/www-data")},
        workdir="/app",
    ),
    # https://github.com/ray-project/ray/blob/master/docker/base-deps/Dockerfile
    # (ENV HOME=/home/ray; useradd -ms /bin/bash -d /home/ray ray --uid $RAY_UID (1000)
    # --gid $RAY_GID (100); USER $RAY_UID; WORKDIR $HOME; Ubuntu based)
    "rayproject/ray": _Family(
        "https://github.com/ray-project/ray/blob/master/docker/base-deps/Dockerfile",
        "ubuntu",
        env={"HOME": "/home/ray", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PATH": _V,
             "TZ": _V},
        users={"ray": (1000, 100, "/home/ray")},
        user="1000",
        workdir="/home/ray",
        alpine=False,
    ),
    # https://github.com/debuerreotype/docker-debian-artifacts (rootfs only, no ENV)
    "debian": _Family(
        "https://github.com/debuerreotype/docker-debian-artifacts/blob/dist-amd64/bookworm/oci/index.json",
        "debian",
        slim=_debian_slim,
        alpine=False,
    ),
    # https://git.launchpad.net/cloud-images/+oci/ubuntu-base (rootfs; 23.04+ adds the
    # user ubuntu, uid 1000: https://bugs.launchpad.net/cloud-images/+bug/2005129)
    "ubuntu": _Family(
        "https://git.launchpad.net/cloud-images/+oci/ubuntu-base/tree/oci/index.json?h=noble-amd64",
        "ubuntu",
        alpine=False,
    ),
    # https://github.com/alpinelinux/docker-alpine (rootfs, CMD /bin/sh)
    "alpine": _Family("https://github.com/alpinelinux/docker-alpine/blob/master/x86_64/Dockerfile",
                      "alpine"),
    # https://github.com/docker-library/buildpack-deps/blob/master/debian/bookworm/Dockerfile
    # (FROM debian:<suite> or ubuntu:<suite> plus curl/scm/build tools; no ENV, USER or
    # WORKDIR: the distro comes from the tag, e.g. ``jammy-curl``; the Ubuntu ones keep the
    # ``ubuntu`` account of ubuntu:lunar and later: ubuntu/noble/curl/Dockerfile is FROM ubuntu:noble,
    # .../noble/scm FROM buildpack-deps:noble-curl, .../noble FROM buildpack-deps:noble-scm)
    "buildpack-deps": _Family(
        "https://github.com/docker-library/buildpack-deps/blob/master/debian/bookworm/Dockerfile",
        "debian",
        alpine=False,
    ),
    # https://github.com/fedora-cloud/docker-brew-fedora (rootfs; ENV DISTTAG, FGC and FBR
    # name the release; dnf; root)
    "fedora": _Family(
        "https://github.com/fedora-cloud/docker-brew-fedora/blob/41/x86_64/Dockerfile",
        "fedora",
        env={"DISTTAG": _V, "FGC": _V, "FBR": _V},
        alpine=False,
    ),
    # https://github.com/docker-library/busybox (a static busybox, no package manager)
    "busybox": _Family("https://github.com/docker-library/busybox/blob/master/latest/glibc/Dockerfile.builder",
                       "busybox", alpine=False),
    # https://github.com/nginxinc/docker-nginx/blob/master/Dockerfile-debian.template (FROM
    # debian:<suite>-slim; ENV NGINX_VERSION NJS_VERSION NJS_RELEASE PKG_RELEASE
    # DYNPKG_RELEASE, the set varying by release; no USER, WORKDIR or VOLUME) and
    # Dockerfile-alpine-slim.template (FROM alpine). The nginx account: :func:`_nginx_users`.
    "nginx": _Family(
        "https://github.com/nginxinc/docker-nginx/blob/master/Dockerfile-debian.template",
        "debian",
        env={"NGINX_VERSION": _V, "NJS_VERSION": _V, "NJS_RELEASE": _V, "PKG_RELEASE": _V,
             "DYNPKG_RELEASE": _V},
    ),
    # https://github.com/docker-library/httpd/blob/master/2.4/Dockerfile (FROM debian:<suite>-slim;
    # ENV HTTPD_PREFIX /usr/local/apache2, PATH $HTTPD_PREFIX/bin:$PATH, HTTPD_VERSION,
    # HTTPD_SHA256, HTTPD_PATCHES; WORKDIR $HTTPD_PREFIX; root, the server's User www-data)
    # and 2.4/alpine/Dockerfile (adduser -u 82 -D -S -G www-data www-data, since 2016).
    "httpd": _Family(
        "https://github.com/docker-library/httpd/blob/master/2.4/Dockerfile",
        "debian",
        env={"HTTPD_PREFIX": "/usr/local/apache2", "PATH": "/usr/local/apache2/bin:" + DEFAULT_PATH,
             "HTTPD_VERSION": _V, "HTTPD_SHA256": _V, "HTTPD_PATCHES": _V},
        workdir="/usr/local/apache2",
    ),
    # https://gitlab.archlinux.org/archlinux/archlinux-docker (Dockerfile.template: FROM scratch,
    # the rootfs, ENV LANG (en_US.UTF-8, earlier C.UTF-8), CMD bash; pacman; root). Its tags
    # (latest, base, base-devel, multilib-devel) name package sets, not distros.
    "archlinux": _Family(
        "https://gitlab.archlinux.org/archlinux/archlinux-docker/-/blob/master/Dockerfile.template",
        "archlinux",
        env={"LANG": _V},
        alpine=False,
    ),
}

#: The nginx account of the nginx images, uid/gid 101 in every variant since nginx 1.16.0 and
#: 1.17.0 (https://github.com/nginxinc/docker-nginx/commit/b749353968a57ebd9da17e12d23f1a5fb62f9de9,
#: "Made the UID/GID consistent throughout the variants"): Debian's ``useradd --system
#: --no-create-home --home /nonexistent --uid 101 nginx``, Alpine's ``adduser -S -D -H -u 101
#: -h /var/cache/nginx``. Before, the package chose the uid.
_NGINX_HOMES = {"debian": "/nonexistent", "alpine": "/var/cache/nginx"}


def _nginx_users(tag: str, distro: str | None) -> dict[str, tuple[int, int | None, str | None]]:
    m = re.match(r"(\d+)\.(\d+)", tag)
    if distro not in _NGINX_HOMES or (m is not None and (int(m.group(1)), int(m.group(2))) < (1, 16)):
        return {}
    return {"nginx": (101, 101, _NGINX_HOMES[distro])}

_DEBIAN_CODENAMES = ("forky", "trixie", "bookworm", "bullseye", "buster", "stretch", "sid")
#: Ubuntu codenames and their releases (https://wiki.ubuntu.com/Releases): those the table's
#: images name in their tags, buildpack-deps' included (its ubuntu/<codename> folders, xenial to
#: resolute: https://github.com/docker-library/buildpack-deps/tree/master/ubuntu).
_UBUNTU_RELEASES = {"xenial": (16, 4), "bionic": (18, 4), "eoan": (19, 10), "focal": (20, 4), "groovy": (20, 10),
                    "hirsute": (21, 4), "impish": (21, 10), "jammy": (22, 4), "kinetic": (22, 10), "lunar": (23, 4),
                    "mantic": (23, 10), "noble": (24, 4), "oracular": (24, 10), "plucky": (25, 4),
                    "questing": (25, 10), "resolute": (26, 4)}
_UBUNTU_CODENAMES = tuple(_UBUNTU_RELEASES)
_PACKAGE_MANAGER = {"debian": "apt", "ubuntu": "apt", "alpine": "apk", "busybox": None,
                    "ubi": "dnf", "oraclelinux": "microdnf", "azurelinux": "tdnf", "fedora": "dnf",
                    "archlinux": "pacman"}
_DISTRO_USERS = {"debian": _DEBIAN_USERS, "ubuntu": _DEBIAN_USERS, "alpine": _ALPINE_USERS,
                 "busybox": {**_ROOT, "nobody": (65534, 65534, "/home")},
                 "ubi": _RHEL_USERS, "oraclelinux": _RHEL_USERS, "azurelinux": _ROOT,
                 "fedora": _RHEL_USERS}

# Docker Hub under each of its host names (the one table of them: registry.reference).
_DOCKER_HUB = (*(f"{h}/library/" for h in DOCKER_HUB_ALIASES), *(f"{h}/" for h in DOCKER_HUB_ALIASES),
               "library/",
               # Docker Hub's mirror on Google's registry:
               # https://cloud.google.com/artifact-registry/docs/pull-cached-dockerhub-images
               "mirror.gcr.io/library/", "mirror.gcr.io/",
               # the Docker Official Images on ECR Public: https://gallery.ecr.aws/docker
               "public.ecr.aws/docker/library/")
# The official images per architecture, same Dockerfiles as the library ones:
# https://github.com/docker-library/official-images#architectures-other-than-amd64
_ARCH_NAMESPACES = ("amd64/", "arm32v5/", "arm32v6/", "arm32v7/", "arm64v8/", "i386/", "mips64le/",
                    "ppc64le/", "riscv64/", "s390x/")  # not windows-amd64/: Windows images only
_REF_RE = re.compile(r"^(?P<name>[^@:]+(?::\d+/[^@:]+)?)(?::(?P<tag>[\w][\w.-]{0,127}))?(?:@(?P<digest>\S+))?$")


def _split(reference: str) -> tuple[str, str, str | None] | None:
    ref = reference.strip()
    if not ref or "$" in ref or any(c.isspace() for c in ref):
        return None
    m = _REF_RE.match(ref)
    if m is None:
        return None
    name = m.group("name").lower()
    for prefix in _DOCKER_HUB:
        if name.startswith(prefix):
            name = name[len(prefix):]
            break
    for prefix in _ARCH_NAMESPACES:
        if name.startswith(prefix) and "/" not in name[len(prefix):]:
            name = name[len(prefix):]
            break
    return name, m.group("tag") or "latest", m.group("digest")


def repository_and_tag(image_text: str) -> tuple[str, str] | None:
    """``ghcr.io/org/python:3.11@sha256:…`` → (``ghcr.io/org/python``, ``3.11``); Docker Hub
    names normalised (``docker.io/library/python`` → ``python``); None for a variable."""
    parts = _split(image_text)
    return None if parts is None else (parts[0], parts[1])


# Windows base images and the tags of images built on them: mcr.microsoft.com/windows,
# windows/nanoserver, windows/servercore (https://learn.microsoft.com/virtualization/windowscontainers/manage-containers/container-base-images),
# and tags such as ``python:3.12-windowsservercore-ltsc2022`` or ``golang:1.22-nanoserver``
# (https://github.com/docker-library/python/blob/master/Dockerfile-windows-servercore.template).
WINDOWS_MARKERS = ("windows", "nanoserver", "servercore")


def is_windows_image(image_text: str) -> bool:
    """``image_text`` (a reference, or a tag alone) names a Windows image: its RUNs go to
    ``cmd``/PowerShell, not ``/bin/sh``. Matched on the words of :data:`WINDOWS_MARKERS`
    anywhere in the text, case-insensitively."""
    t = image_text.lower()
    return any(w in t for w in WINDOWS_MARKERS)


def _tag_distro(tag: str, default: str | None) -> str | None:
    t = tag.lower()
    if is_windows_image(t):
        return "windows"
    if "alpine" in t:
        return "alpine"
    if any(c in t for c in _UBUNTU_CODENAMES):
        return "ubuntu"
    if "slim" in t or any(c in t for c in _DEBIAN_CODENAMES):
        return "debian"
    if "ubi" in t:
        return "ubi"
    if "oraclelinux" in t:
        return "oraclelinux"
    if "azurelinux" in t or "cbl-mariner" in t:
        return "azurelinux"
    return default


@lru_cache(maxsize=1024)
def lookup(image_text: str) -> ImageFacts | None:
    """Facts about the image ``image_text`` names, or None when it is not known."""
    parts = _split(image_text)
    if parts is None:
        return None
    name, tag, _digest = parts
    if name.startswith("mcr.microsoft.com/dotnet/"):
        return _dotnet(name, tag)
    if name.startswith("gcr.io/distroless/"):
        return _distroless(name, tag)
    if name in _UV_REPOSITORIES:
        return _uv(name, tag)
    if name.startswith(("registry.access.redhat.com/", "registry.redhat.io/")):
        return _ubi(name, tag)
    if name in _RPM_DISTROS:
        return _rpm_distro(name, tag)
    if name in _AZURELINUX:
        return _azurelinux(name, tag)
    if name in _SUSE_IMAGES:
        return _suse(name, tag)
    if name.startswith(_DEVCONTAINERS):
        return _devcontainer(name, tag)
    if name in _MORE_DERIVED:
        return _more_derived(name, tag)
    fam = _FAMILIES.get(name)
    if fam is None:
        return None
    distro = fam.distro
    if name not in ("debian", "ubuntu", "alpine", "busybox", "fedora", "archlinux"):
        distro = _tag_distro(tag, fam.distro)
        if distro == "windows" or (distro == "alpine" and not fam.alpine):
            return None
    if name == "openjdk" and distro is None:
        # openjdk:18+ without a variant is Oracle Linux; older ones Debian: the tag decides.
        m = re.match(r"(\d+)", tag)
        if m is None:
            return None
        distro = "oraclelinux" if int(m.group(1)) >= 18 else "debian"
    users = dict(_DISTRO_USERS.get(distro, _ROOT) if distro else _ROOT)
    if name in ("ubuntu", "buildpack-deps") and distro == "ubuntu" and _ubuntu_has_user(tag):
        # buildpack-deps:<codename>[-curl|-scm] is FROM ubuntu:<codename>, which it does not change
        users["ubuntu"] = (1000, 1000, "/home/ubuntu")
    if name in ("eclipse-temurin", "maven") and distro == "ubuntu" and _noble_based(tag):
        users["ubuntu"] = (1000, 1000, "/home/ubuntu")
    if name == "maven" and any(v in tag for v in ("amazoncorretto", "openjdk", "ibmjava", "sapmachine",
                                                   "graalvm", "libericaopenjdk")):
        # Other JDK bases (Amazon Linux, Oracle Linux …): only the tag can tell the distro.
        distro = _tag_distro(tag, None)
        users = dict(_DISTRO_USERS.get(distro, _ROOT) if distro else _ROOT)
    if name in ("php", "httpd") and distro == "alpine":
        users["www-data"] = (82, 82, "/home/www-data")
    if name == "nginx":
        users.update(_nginx_users(tag, distro))
    users.update(fam.users)
    if name in ("eclipse-temurin", "maven") and distro == "ubi":
        pm: str | None = "microdnf"  # the -ubi9-minimal variants
    else:
        pm = _PACKAGE_MANAGER.get(distro) if distro else None
    user = fam.user
    home = _home_of(user, users)
    env = {"PATH": DEFAULT_PATH, **fam.env}
    workdir = fam.workdir
    if name == "php" and any(v in tag for v in ("apache", "fpm")):
        workdir = "/var/www/html"  # only the apache and fpm variants set a WORKDIR
    return ImageFacts(
        family=name,
        distro=distro,
        package_manager=pm,
        user=user,
        home=home,
        env=MappingProxyType(env),
        users=MappingProxyType(users),
        slim=fam.slim(name, tag) if fam.slim else None,
        source=fam.source,
        workdir=workdir,
        reference=f"{name}:{tag}",
        volumes=fam.volumes,
    )


# https://github.com/docker-library/buildpack-deps/blob/master/debian/bookworm/curl/Dockerfile,
# .../bookworm/scm/Dockerfile and .../bookworm/Dockerfile: the "full" python, node, ruby and
# golang images build on buildpack-deps; their -slim counterparts start from debian:*-slim
# and install none of these. A RUN that calls one of them needs it installed first.
# https://github.com/nodejs/docker-node/blob/main/Dockerfile-debian.template (ENV YARN_VERSION
# 1.22.x; `yarn` and `yarnpkg` linked into /usr/local/bin) and Dockerfile-slim.template: the
# `yarn` of a node image, before `corepack enable` replaces it, is Yarn classic.
NODE_IMAGE_YARN = "yarn-classic"

FULL_ONLY_PROGRAMS = frozenset(
    "curl wget gpg gpgv2 dirmngr git hg ssh scp sftp svn bzr ps pkill pgrep top free"
    " gcc g++ cc c++ cpp make autoconf automake autoreconf libtool libtoolize patch file"
    " pkg-config bison flex dpkg-dev unzip".split()
)


def glibc_runtime(image_text: str) -> str | None:
    """A Debian slim runtime for a cgo binary built on ``image_text``, or None.

    A binary linked against glibc needs the same (or a newer) Debian release at run time,
    so only a tag that names its release gives an answer: ``golang:1.22-bookworm`` →
    ``debian:bookworm-slim``. A bare ``golang:1.22`` follows whatever release the tag
    points at today (https://github.com/docker-library/golang/blob/master/versions.json),
    which the tag does not say.
    """
    parts = _split(image_text)
    if parts is None or parts[0] != "golang":
        return None
    for codename in _DEBIAN_CODENAMES:
        if codename in parts[1]:
            return f"debian:{codename}-slim"
    return None


def _home_of(user: str, users: Mapping[str, tuple[int, int | None, str | None]]) -> str | None:
    if user in ("", "root", "0"):
        return "/root"
    if user in users:
        return users[user][2]
    if user.isdigit():
        for uid, _gid, home in users.values():
            if uid == int(user):
                return home
    return None


def _ubuntu_has_user(tag: str) -> bool:
    """The ``ubuntu`` account (1000) exists in ``ubuntu:<tag>``: from 23.04 (lunar) on."""
    if tag in ("latest", "rolling", "devel"):
        return True
    for codename, release in _UBUNTU_RELEASES.items():
        if codename in tag:
            return release >= (23, 4)
    m = re.match(r"(\d+)\.(\d+)", tag)
    return bool(m) and (int(m.group(1)), int(m.group(2))) >= (23, 4)


def _noble_based(tag: str) -> bool:
    # Temurin images moved to Ubuntu 24.04 (noble) as default; "jammy"/"focal" say otherwise.
    return not any(c in tag for c in ("jammy", "focal"))


def _dotnet(name: str, tag: str) -> ImageFacts | None:
    # https://github.com/dotnet/dotnet-docker/blob/main/src/runtime-deps/8.0/bookworm-slim/amd64/Dockerfile
    # (ENV APP_UID=1654 ASPNETCORE_HTTP_PORTS=8080 DOTNET_RUNNING_IN_CONTAINER=true;
    # groupadd --gid=$APP_UID app && useradd --uid=$APP_UID --gid=$APP_UID --create-home app)
    # https://github.com/dotnet/dotnet-docker/blob/main/src/sdk/8.0/bookworm-slim/amd64/Dockerfile
    # (ENV DOTNET_GENERATE_ASPNET_CERTIFICATE=false DOTNET_NOLOGO=true DOTNET_SDK_VERSION
    # DOTNET_USE_POLLING_FILE_WATCHER=true NUGET_XMLDOC_MODE=skip POWERSHELL_DISTRIBUTION_CHANNEL)
    kind = name.removeprefix("mcr.microsoft.com/dotnet/")
    if kind not in ("sdk", "aspnet", "runtime", "runtime-deps"):
        return None
    t = tag.lower()
    m = re.match(r"(\d+)\.\d+", t)
    if m is None:
        return None
    major = int(m.group(1))
    distro = _tag_distro(t, "debian" if major < 10 else "ubuntu")
    if distro == "windows":
        return None
    chiseled = "chiseled" in t or "distroless" in t
    if major < 8 and chiseled:
        # Before .NET 8 each distroless flavour made its own non-root user (CBL-Mariner's
        # `app` is uid 101: src/runtime-deps/7.0/cbl-mariner2.0-distroless/amd64/Dockerfile).
        return None
    if major < 8:
        # https://github.com/dotnet/dotnet-docker/blob/main/src/runtime-deps/6.0/bookworm-slim/amd64/Dockerfile
        # (ENV ASPNETCORE_URLS=http://+:80 DOTNET_RUNNING_IN_CONTAINER=true; no `app` user:
        # .NET 8 added it, with APP_UID and port 8080)
        env: dict[str, str | Unknown] = {"PATH": DEFAULT_PATH, "ASPNETCORE_URLS": "http://+:80",
                                         "DOTNET_RUNNING_IN_CONTAINER": "true"}
    else:
        env = {"PATH": DEFAULT_PATH, "APP_UID": "1654", "ASPNETCORE_HTTP_PORTS": "8080",
               "DOTNET_RUNNING_IN_CONTAINER": "true"}
    if kind in ("runtime", "aspnet", "sdk"):
        env["DOTNET_VERSION"] = _V
    if kind in ("aspnet", "sdk"):
        env["ASPNET_VERSION"] = _V
    if kind == "sdk":
        env.update({"DOTNET_GENERATE_ASPNET_CERTIFICATE": "false", "DOTNET_NOLOGO": "true",
                    "DOTNET_SDK_VERSION": _V, "DOTNET_USE_POLLING_FILE_WATCHER": "true",
                    "NUGET_XMLDOC_MODE": "skip", "POWERSHELL_DISTRIBUTION_CHANNEL": _V})
    users = dict(_DISTRO_USERS.get(distro, _ROOT) if distro else _ROOT)
    if major >= 8:
        users["app"] = (1654, 1654, "/home/app")
    if distro == "ubuntu" and not chiseled and "jammy" not in t:
        users["ubuntu"] = (1000, 1000, "/home/ubuntu")  # noble and later
    user = "1654" if chiseled else ""
    return ImageFacts(
        family="dotnet",
        distro=distro,
        package_manager=None if chiseled else _PACKAGE_MANAGER.get(distro or ""),
        user=user,
        home=_home_of(user, users),
        env=MappingProxyType(env),
        users=MappingProxyType(users),
        slim=_dotnet_runtime(name, tag),
        source="https://github.com/dotnet/dotnet-docker/blob/main/src/sdk/8.0/bookworm-slim/amd64/Dockerfile",
        workdir="/",
        has_shell=not chiseled,
        reference=f"{name}:{tag}",
    )


# uv's images, on GHCR and Docker Hub (``UV_GHCR_IMAGE``/``UV_DOCKERHUB_IMAGE`` in
# https://github.com/astral-sh/uv/blob/main/.github/workflows/build-docker.yml; "Using uv in
# Docker", https://docs.astral.sh/uv/guides/integration/docker/#available-images). ``latest``
# and the bare version tags (``0.6.16``, ``0.6``) are the distroless image: ``/uv`` and
# ``/uvx`` on scratch, no shell, no package manager, no ``/etc/passwd``. Every other tag
# (``alpine``, ``bookworm-slim``, ``python3.12-bookworm-slim``, each also as
# ``0.6.16-<tag>``/``0.6-<tag>``) is a base image plus ``COPY --from=uv /uv /uvx
# /usr/local/bin/`` (root, no WORKDIR) and, in newer releases, ``ENV UV_TOOL_BIN_DIR``.
_UV_REPOSITORIES = frozenset({"ghcr.io/astral-sh/uv", "astral/uv"})
_UV_SOURCE = "https://github.com/astral-sh/uv/blob/main/.github/workflows/build-docker.yml"
_UV_VERSION = re.compile(r"^\d+\.\d+(?:\.\d+)?(?:(?:a|b|rc)\d+)?")
_UV_PYTHON = re.compile(r"^python(?P<version>3\.\d+)-(?P<base>alpine(?:3\.\d+)?|[a-z]+)(?P<slim>-slim)?$")


def _uv_base(variant: str) -> str | None:
    """The base image of uv's derived tag ``variant`` (version prefix removed), or None."""
    if re.fullmatch(r"alpine(?:3\.\d+)?", variant):
        return "alpine:" + (variant[len("alpine"):] or "latest")
    if variant == "debian-slim":
        return "debian:stable-slim"
    if variant == "debian":
        return "buildpack-deps:stable"
    codename = variant.removesuffix("-slim")
    if codename in _DEBIAN_CODENAMES:
        return f"debian:{variant}" if variant.endswith("-slim") else f"buildpack-deps:{codename}"
    m = _UV_PYTHON.match(variant)
    if m is None:
        return None
    version, base = m.group("version"), m.group("base")
    if base.startswith("alpine"):
        return None if m.group("slim") else f"python:{version}-{base}"
    if base not in _DEBIAN_CODENAMES:
        return None
    return f"python:{version}-slim-{base}" if m.group("slim") else f"python:{version}-{base}"


def _uv(name: str, tag: str) -> ImageFacts | None:
    variant = tag
    version = _UV_VERSION.match(tag)
    if version is not None:
        variant = tag[version.end():]
        if variant and not variant.startswith("-"):
            return None
        variant = variant[1:]
    if (version is not None and variant == "") or (version is None and tag == "latest"):
        return ImageFacts(
            family="uv", distro=None, package_manager=None, user="", home=None,
            env=MappingProxyType({"PATH": DEFAULT_PATH}), users=MappingProxyType(dict(_ROOT)),
            slim=None, source=_UV_SOURCE, has_shell=False, reference=f"{name}:{tag}",
        )
    base_ref = _uv_base(variant)
    base = lookup(base_ref) if base_ref is not None else None
    if base is None:
        return None
    return ImageFacts(
        family="uv", distro=base.distro, package_manager=base.package_manager, user=base.user,
        home=base.home, env=MappingProxyType({**base.env, "UV_TOOL_BIN_DIR": _V}), users=base.users,
        slim=None, source=_UV_SOURCE, workdir=base.workdir, has_shell=base.has_shell,
        reference=f"{name}:{tag}", volumes=base.volumes,
    )


def _distroless(name: str, tag: str) -> ImageFacts | None:
    # https://github.com/GoogleContainerTools/distroless/blob/main/base/base.bzl
    # (nonroot variants: user 65532 "nonroot", home /home/nonroot, workdir /home/nonroot;
    # no shell except :debug; PATH default, SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt)
    what = name.removeprefix("gcr.io/distroless/")
    if not re.match(r"^(static|base|base-nossl|cc|java\d*|python3|nodejs\d*)(-debian\d+)?$", what):
        return None
    nonroot = "nonroot" in tag
    users = {**_ROOT, "nonroot": (65532, 65532, "/home/nonroot"), "nobody": (65534, 65534, "/nonexistent")}
    user = "65532" if nonroot else ""
    return ImageFacts(
        family="distroless",
        distro="distroless",
        package_manager=None,
        user=user,
        home="/home/nonroot" if nonroot else "/root",
        env=MappingProxyType({"PATH": DEFAULT_PATH, "SSL_CERT_FILE": "/etc/ssl/certs/ca-certificates.crt"}),
        users=MappingProxyType(users),
        slim=None,
        source="https://github.com/GoogleContainerTools/distroless/blob/main/base/base.bzl",
        workdir="/home/nonroot" if nonroot else "/",
        has_shell="debug" in tag,
        reference=f"{name}:{tag}",
    )


def _ubi(name: str, tag: str) -> ImageFacts | None:
    # https://catalog.redhat.com/software/containers/ubi9/ubi/615bcf606feffc5384e8452e
    # (ubi: dnf (and yum on ubi8); -minimal: microdnf; ubi-micro: none. USER root;
    # ENV container oci, PATH default)
    m = re.match(r"^(?:registry\.access\.redhat\.com|registry\.redhat\.io)/(ubi[789])(?:/(ubi|ubi-minimal|ubi-micro|ubi-init))?$", name)
    if m is None:
        if re.match(r"^(?:registry\.access\.redhat\.com|registry\.redhat\.io)/ubi[789]-(minimal|micro|init)$", name):
            variant = name.rsplit("-", 1)[1]
            base = "ubi-" + variant
        else:
            return None
    else:
        base = m.group(2) or "ubi"
    pm = {"ubi": "dnf", "ubi-init": "dnf", "ubi-minimal": "microdnf", "ubi-micro": None}[base]
    return ImageFacts(
        family="ubi",
        distro="ubi",
        package_manager=pm,
        user="",
        home="/root",
        env=MappingProxyType({"PATH": DEFAULT_PATH, "container": "oci"}),
        users=MappingProxyType(dict(_RHEL_USERS)),
        slim=None,
        source="https://catalog.redhat.com/software/containers/ubi9/ubi/615bcf606feffc5384e8452e",
        reference=f"{name}:{tag}",
    )


# RHEL-like distros, each a rootfs plus ``CMD ["/bin/bash"]`` (no ENV, USER or
# WORKDIR): https://github.com/CentOS/sig-cloud-instance-images/blob/CentOS-7-x86_64/docker/Dockerfile,
# https://github.com/rocky-linux/sig-cloud-instance-images/blob/main/Dockerfile,
# https://github.com/AlmaLinux/docker-images/blob/main/Dockerfile-x86_64-minimal,
# https://github.com/amazonlinux/container-images/blob/al2/Dockerfile,
# https://github.com/oracle/container-images/blob/main/9-slim/Dockerfile. The release is the
# tag's leading number (``7``, ``centos7.6.1810``, ``8.9``, ``2023``); the package manager
# follows it: yum up to release 7 (Amazon Linux 1 and 2 included), dnf from 8 (Amazon Linux
# 2023), microdnf in the ``-minimal`` (Rocky, Alma) and 8+ ``-slim`` (Oracle) variants.
# ``centos:latest`` is ``centos8`` (https://github.com/docker-library/official-images/blob/master/library/centos),
# ``almalinux:latest`` an 8 or later release, all dnf; another tag without a release is unknown.
# Releases 8 and later ship RHEL's ``setup`` accounts (``_RHEL_USERS``); older ones only root here.
_RPM_DISTROS = {
    "centos": "https://github.com/CentOS/sig-cloud-instance-images/blob/CentOS-7-x86_64/docker/Dockerfile",
    "rockylinux": "https://github.com/rocky-linux/sig-cloud-instance-images/blob/main/Dockerfile",
    "almalinux": "https://github.com/AlmaLinux/docker-images/blob/main/Dockerfile-x86_64-minimal",
    "amazonlinux": "https://github.com/amazonlinux/container-images/blob/al2/Dockerfile",
    "oraclelinux": "https://github.com/oracle/container-images/blob/main/9-slim/Dockerfile",
}
_RPM_TAG = re.compile(r"^(?:centos)?(?P<release>\d+)(?:\.[\d.]+)?(?:-(?P<variant>[a-z-]+))?$")
#: The variants each distro publishes, and whether they ship microdnf instead of yum/dnf.
_RPM_VARIANTS = {"rockylinux": {None: False, "minimal": True}, "almalinux": {None: False, "minimal": True},
                 "oraclelinux": {None: False, "slim": True, "slim-fips": True},
                 "centos": {None: False}, "amazonlinux": {None: False}}
_RPM_LATEST = {"centos": "8", "almalinux": "8"}


def _rpm_distro(name: str, tag: str) -> ImageFacts | None:
    m = _RPM_TAG.match(_RPM_LATEST.get(name, tag) if tag == "latest" else tag)
    if m is None and name == "almalinux" and tag == "minimal":
        m = _RPM_TAG.match("8-minimal")
    if m is None or m.group("variant") not in _RPM_VARIANTS[name]:
        return None
    release = int(m.group("release"))
    if name == "amazonlinux":
        release = 8 if release >= 2023 else 7  # Amazon Linux 1 (2018.03) and 2 are yum-based
    micro = _RPM_VARIANTS[name][m.group("variant")] and release >= 8
    pm = "microdnf" if micro else "dnf" if release >= 8 else "yum"
    return ImageFacts(
        family=name, distro=name, package_manager=pm, user="", home="/root",
        env=MappingProxyType({"PATH": DEFAULT_PATH}),
        users=MappingProxyType(dict(_RHEL_USERS if release >= 8 else _ROOT)),
        slim=None, source=_RPM_DISTROS[name], reference=f"{name}:{tag}",
    )


# SUSE base images, each a kiwi recipe with zypper as <packagemanager> and a <containerconfig>
# with labels only (no <environment>, no user= or workingdir=): root, HOME /root, no ENV.
# openSUSE Tumbleweed: openSUSE:Factory/opensuse-tumbleweed-image's config.kiwi
# (https://build.opensuse.org/package/show/openSUSE:Factory/opensuse-tumbleweed-image; read in its
# git mirror https://github.com/bmwiedemann/openSUSE/blob/master/packages/o/opensuse-tumbleweed-image/config.kiwi),
# tags ``latest``, the snapshot (``20250101``) and ``<snapshot>.<build>``. SLE BCI base: the
# generator's base.py (no ``env``, no ``entrypoint_user``) rendered by KIWI_TEMPLATE
# (src/bci_build/templates.py), which writes <environment> and user= only when they are set,
# published as bci/bci-base and suse/sle15 (Sles15Image.build_tags). Accounts besides root differ
# by release (BCI adds ``user(nobody)`` except on 15 SP4/SP5), so only root is listed. openSUSE
# Leap (opensuse/leap) is not in the table: its recipe (openSUSE:Leap:15.x:Images/opensuse-leap-image)
# was not among the sources read.
_SUSE_IMAGES = {
    "opensuse/tumbleweed": ("opensuse", r"latest|\d{8}(?:\.\d+)*",
                            "https://build.opensuse.org/package/show/openSUSE:Factory/opensuse-tumbleweed-image"),
    "registry.opensuse.org/opensuse/tumbleweed": (
        "opensuse", r"latest|\d{8}(?:\.\d+)*",
        "https://build.opensuse.org/package/show/openSUSE:Factory/opensuse-tumbleweed-image"),
    "registry.suse.com/bci/bci-base": (
        "sles", r"latest|1[56](?:\.\d+)*",
        "https://github.com/SUSE/BCI-dockerfile-generator/blob/main/src/bci_build/package/base.py"),
    "registry.suse.com/suse/sle15": (
        "sles", r"latest|15(?:\.\d+)*",
        "https://github.com/SUSE/BCI-dockerfile-generator/blob/main/src/bci_build/package/base.py"),
}


def _suse(name: str, tag: str) -> ImageFacts | None:
    distro, tags, source = _SUSE_IMAGES[name]
    if not re.fullmatch(tags, tag):
        return None
    return ImageFacts(
        family=name.rsplit("/", 1)[1], distro=distro, package_manager="zypper", user="", home="/root",
        env=MappingProxyType({"PATH": DEFAULT_PATH}), users=MappingProxyType(dict(_ROOT)), slim=None,
        source=source, reference=f"{name}:{tag}",
    )


# Azure Linux (and CBL-Mariner 2.0) base images, https://github.com/microsoft/azurelinux/tree/3.0/.pipelines/containerSourceData/base:
# base/core is Dockerfile-Base-Template (the rootfs, ``CMD ["bash"]``, root; newer builds also
# add a ``nonroot`` account, 65532, so its presence depends on the build date, not on the tag);
# distroless/* is Dockerfile-Distroless-Template over the distroless-packages metapackage
# (SPECS/distroless-packages/distroless-packages.spec: minimal and base have no shell, debug adds
# busybox; none has a package manager). The ``-nonroot`` tags (USER 65532,
# Dockerfile-*-Nonroot-Template) are left unknown. The package manager is tdnf up to 3.0 and
# dnf on 4.0 (https://github.com/dotnet/dotnet-docker/blob/main/src/runtime/11.0/azurelinux4.0-distroless/amd64/Dockerfile:
# ``FROM mcr.microsoft.com/azurelinux-beta/base/core:4.0`` … ``RUN dnf install -y``).
_AZURELINUX = frozenset(f"mcr.microsoft.com/{r}/{kind}" for r in ("azurelinux", "azurelinux-beta", "cbl-mariner")
                        for kind in ("base/core", "distroless/minimal", "distroless/base", "distroless/debug"))
_AZURELINUX_SOURCE = "https://github.com/microsoft/azurelinux/blob/3.0/.pipelines/containerSourceData/base/Dockerfile-Base-Template"


def _azurelinux(name: str, tag: str) -> ImageFacts | None:
    m = re.match(r"^(\d+)\.0(?:\.\d+)?$", tag)
    if m is None:
        return None
    core = name.endswith("/base/core")
    pm = ("dnf" if int(m.group(1)) >= 4 else "tdnf") if core else None
    return ImageFacts(
        family="azurelinux", distro="azurelinux", package_manager=pm, user="", home="/root",
        env=MappingProxyType({"PATH": DEFAULT_PATH}), users=MappingProxyType(dict(_ROOT)),
        slim=None, source=_AZURELINUX_SOURCE, has_shell=core or name.endswith("/debug"),
        reference=f"{name}:{tag}",
    )


# The dev container images: https://github.com/devcontainers/images (mcr.microsoft.com/devcontainers/*,
# also pushed under vscode/devcontainers/: build/config.json ``secondaryContainerRegistryPath``)
# and their predecessor https://github.com/microsoft/vscode-dev-containers
# (mcr.microsoft.com/vscode/devcontainers/*; built in devcon.azurecr.io/public/…). Each is an
# official image plus a non-root account that the image does not switch to: the old
# base.Dockerfiles run common-debian.sh/common-alpine.sh and set no USER; the new ones add the
# common-utils Feature, and the devcontainer CLI's Feature Dockerfile ends with ``ARG
# _DEV_CONTAINERS_IMAGE_USER=root`` / ``USER $_DEV_CONTAINERS_IMAGE_USER``, the base image's
# user (https://github.com/devcontainers/cli/blob/main/src/spec-configuration/containerFeaturesConfiguration.ts,
# getContainerFeaturesBaseDockerFile). ``remoteUser`` in devcontainer.json is a label for the
# tools, not a USER. Tags are ``[<release>-]<variant>`` (manifest.json ``variantTags``), the
# release ``0``, ``1.0`` or ``0.202.7``.
_DEVCONTAINERS = ("mcr.microsoft.com/devcontainers/", "mcr.microsoft.com/vscode/devcontainers/",
                  "devcon.azurecr.io/public/vscode/devcontainers/", "devcon.azurecr.io/public/devcontainers/")
_NVM_ENV: dict[str, str | Unknown] = {"NVM_DIR": _V, "NVM_SYMLINK_CURRENT": _V}


@dataclass(frozen=True, slots=True)
class _DevContainer:
    source: str
    #: The official image the variant names (``node`` for ``16-bullseye``), or None: built on
    #: the ``base`` image, whose variant the tag names.
    official: str | None
    #: ENV added to the official (or base) image's; UNKNOWN where releases differ.
    env: dict[str, str | Unknown]
    #: common-utils adds ``vscode`` (the node images reuse their ``node`` account instead).
    vscode: bool = True


# Per image, its Dockerfile in devcontainers/images (src/<image>/.devcontainer/) and the
# Features of its devcontainer.json, whose ``containerEnv`` the CLI turns into ENV
# (https://github.com/devcontainers/features/tree/main/src/<feature>/devcontainer-feature.json),
# and the old containers/<image>/.devcontainer/base.Dockerfile of vscode-dev-containers:
_DEVCONTAINER_IMAGES = {
    # base-debian: FROM buildpack-deps:<suite>-curl; base-ubuntu: the same (noble and later
    # delete the ubuntu account first); base-alpine: FROM alpine; common-utils: vscode 1000.
    "base": _DevContainer("https://github.com/devcontainers/images/blob/main/src/base-debian/.devcontainer/Dockerfile",
                          None, {}),
    # FROM base:<variant>; ENV VCPKG_ROOT, VCPKG_DOWNLOADS, PATH (not in every old release).
    "cpp": _DevContainer("https://github.com/devcontainers/images/blob/main/src/cpp/.devcontainer/Dockerfile",
                         None, {"VCPKG_ROOT": _V, "VCPKG_DOWNLOADS": _V, "PATH": _V}),
    # FROM node:<variant>; ENV PATH=/usr/local/share/npm-global/bin:$PATH; the node Feature's
    # NVM_DIR, NVM_SYMLINK_CURRENT, PATH (old: the same ENV); the node image's ``node`` account.
    "javascript-node": _DevContainer(
        "https://github.com/devcontainers/images/blob/main/src/javascript-node/.devcontainer/Dockerfile", "node",
        {"NVM_DIR": "/usr/local/share/nvm", "NVM_SYMLINK_CURRENT": "true", "PATH": _V}, vscode=False),
    # FROM javascript-node:<variant>, the git Feature only (old: the same, no ENV).
    "typescript-node": _DevContainer(
        "https://github.com/devcontainers/images/blob/main/src/typescript-node/.devcontainer/Dockerfile", "node",
        {"NVM_DIR": "/usr/local/share/nvm", "NVM_SYMLINK_CURRENT": "true", "PATH": _V}, vscode=False),
    # FROM python:<variant>; the python and node Features' PYTHON_PATH, PIPX_HOME, PIPX_BIN_DIR,
    # NVM_*, PATH (old: ENV PIPX_HOME, PIPX_BIN_DIR, NVM_*, DEBIAN_FRONTEND in early releases).
    "python": _DevContainer("https://github.com/devcontainers/images/blob/main/src/python/.devcontainer/Dockerfile",
                            "python", {"PIPX_HOME": "/usr/local/py-utils", "PIPX_BIN_DIR": "/usr/local/py-utils/bin",
                                       "PYTHON_PATH": _V, "DEBIAN_FRONTEND": _V, "PATH": _V, **_NVM_ENV}),
    # FROM rust:1-<suite>; the rust Feature's CARGO_HOME=/usr/local/cargo,
    # RUSTUP_HOME=/usr/local/rustup, PATH=/usr/local/cargo/bin:$PATH: the rust image's own.
    "rust": _DevContainer("https://github.com/devcontainers/images/blob/main/src/rust/.devcontainer/Dockerfile",
                          "rust", {}),
    # FROM golang:<variant>; the go Feature's GOROOT, GOPATH (/usr/local/go in its early
    # releases, /go later), PATH, node's NVM_* (old: ENV GO111MODULE=auto, NVM_*, PATH).
    "go": _DevContainer("https://github.com/devcontainers/images/blob/main/src/go/.devcontainer/Dockerfile",
                        "golang", {"GOROOT": _V, "GOPATH": _V, "GO111MODULE": _V, "PATH": _V, **_NVM_ENV}),
    # FROM ruby:<variant>; the ruby Feature's GEM_HOME, GEM_PATH, MY_RUBY_HOME (rvm) or
    # RBENV_ROOT, PATH, node's NVM_* (old: ENV NVM_*, PATH; GEM_HOME the ruby image's).
    "ruby": _DevContainer("https://github.com/devcontainers/images/blob/main/src/ruby/.devcontainer/Dockerfile",
                          "ruby", {"GEM_HOME": _V, "GEM_PATH": _V, "MY_RUBY_HOME": _V, "RBENV_ROOT": _V, "PATH": _V,
                                   **_NVM_ENV}),
}
_VSCODE_USER = {"vscode": (1000, 1000, "/home/vscode")}
#: base-ubuntu's variants over its history (src/base-ubuntu/manifest.json ``variants``).
_DEVCONTAINER_UBUNTU = ("bionic", "focal", "jammy", "noble", "resolute")
_RELEASE = r"\d+(?:\.\d+){0,2}"


def _devcontainer_base(variant: str) -> tuple[str, bool] | None:
    """The official image a ``base`` variant builds on, and whether it has the vscode account
    at uid 1000 (not known for noble-based builds: until 2024-09 the ubuntu account held
    1000, devcontainers/images#1170)."""
    if variant in ("", "latest", "debian"):
        return "debian:latest", True  # the latest base image is the Debian one
    m = re.fullmatch(r"debian-?(\d+)", variant)
    suite = {"9": "stretch", "10": "buster", "11": "bullseye", "12": "bookworm", "13": "trixie"}.get(
        m.group(1), "") if m else variant
    if suite in _DEBIAN_CODENAMES:
        return f"buildpack-deps:{suite}-curl", True
    m = re.fullmatch(r"ubuntu-?(\d+\.\d+)", variant)
    codename = {"18.04": "bionic", "20.04": "focal", "22.04": "jammy", "24.04": "noble"}.get(
        m.group(1), "") if m else variant
    if codename in _DEVCONTAINER_UBUNTU or variant == "ubuntu":
        return "ubuntu:" + (codename if codename != "ubuntu" else "latest"), codename not in ("noble", "ubuntu")
    m = re.fullmatch(r"alpine(?:-?(3\.\d+))?", variant)
    return (f"alpine:{m.group(1) or 'latest'}", True) if m else None


def _devcontainer(name: str, tag: str) -> ImageFacts | None:
    kind = name.rsplit("devcontainers/", 1)[1]
    if kind in _DEVCONTAINERS_ON:
        return _devcontainer_on(name, _DEVCONTAINERS_ON[kind], tag)
    row = _DEVCONTAINER_IMAGES.get(kind)
    if row is None:
        return None
    variant = tag
    parts = tag.split("-", 1)
    # A release prefix: ``0-bullseye``, ``0.202.7-focal``; for the language images only when a
    # language version follows (``0-16-bullseye``; ``16-bullseye`` is node 16).
    if re.fullmatch(_RELEASE, parts[0]) and (row.official is None or (len(parts) > 1 and re.match(_RELEASE, parts[1]))):
        variant = parts[1] if len(parts) > 1 else ""
    vscode = row.vscode
    if row.official is None:
        found = _devcontainer_base(variant)
        if found is None:
            return None
        base_ref, vscode = found[0], found[1] and vscode
    elif row.official == "rust":
        # FROM rust:1-<suite>: the variant is the suite (``bullseye``, ``1-bullseye``).
        suite = variant.rsplit("-", 1)[-1]
        if suite in _DEBIAN_CODENAMES:
            base_ref = f"rust:1-{suite}"
        else:
            base_ref = "rust:1" if variant in ("", "latest", "1") else ""
    elif variant == "latest" or re.match(_RELEASE + r"(?:-|$)", variant):
        # ``latest`` is the newest language release on Debian (manifest.json ``latest``).
        base_ref = f"{row.official}:{variant}"
    else:
        return None
    base = lookup(base_ref)
    if base is None or base.distro not in (("debian", "ubuntu", "alpine") if row.official is None else ("debian",)):
        return None
    users = dict(base.users)
    if row.official is None:
        users.pop("ubuntu", None)  # deleted (or holding uid 1000: not known) in noble and later
    if vscode:
        users.update(_VSCODE_USER)
    env = {**(base.env if row.official else {"PATH": DEFAULT_PATH}), **row.env}
    return ImageFacts(
        family="devcontainers", distro=base.distro, package_manager=base.package_manager, user="",
        home="/root", env=MappingProxyType(env), users=MappingProxyType(users), slim=None,
        source=row.source, workdir=base.workdir, reference=f"{name}:{tag}",
    )


# Dev container images built FROM an image the table knows, which the variant names (the tag, a
# release prefix removed when the rest is a variant: ``1-21-bookworm``):
# * java (https://github.com/devcontainers/images/blob/main/src/java/.devcontainer/Dockerfile and
#   src/java-8/): FROM devcontainers/base:<debian suite> (its vscode 1000), ENV JAVA_HOME,
#   PATH, LANG en_US.UTF-8 (java 8: none), then the java Feature (SDKMAN_DIR /usr/local/sdkman and
#   PATH in every release, JAVA_HOME from 1.0.7, GRADLE_USER_HOME and M2 in some 1.0 releases:
#   https://github.com/devcontainers/features/blob/main/src/java/devcontainer-feature.json) and the
#   node Feature (NVM_DIR, NVM_SYMLINK_CURRENT, PATH). Only devcontainers/images builds:
#   vscode-dev-containers' java images were FROM openjdk until 2021-12
#   (containers/java/.devcontainer/base.Dockerfile), whose ENV is not known here.
# * dotnet (src/dotnet/): FROM mcr.microsoft.com/dotnet/sdk:<variant> (the variant names the OS:
#   ``8.0-bookworm-slim``), ENV PATH and NUGET_XMLDOC_MODE (2026), the node Feature; the old
#   base.Dockerfile: common-debian.sh vscode 1000 and the NVM ENV. vscode is 1000 before .NET 8;
#   from .NET 8 the sdk image's app account is 1654 and common-utils, without userUid until 2025-04,
#   took the next uid: unknown. The noble and resolute variants delete the ubuntu account.
# * php (src/php/): FROM php:<version>-apache-<suite> (every variant an apache one since
#   2021-02), common-utils vscode (1000: pinned since 2025-04, the first free uid before; the old
#   base.Dockerfile: USER_UID=1000), the node Feature or the old NVM ENV. In 2020 the
#   vscode-dev-containers variants ``7``, ``7.4`` were php:<v>-cli: a tag naming neither a suite
#   nor apache is known only under devcontainers/.
# * jekyll (src/jekyll/): FROM devcontainers/ruby:<variant> (old: vscode/devcontainers/ruby), ENV
#   LANG=en_US.UTF-8 LANGUAGE=en_US TZ=Etc/UTC LC_ALL=en_US.UTF-8 (LANGUAGE set twice, the last
#   wins), the node Feature.
# Not in the table: universal (ENV from some fifteen Features whose set and versions changed
# between releases), anaconda and miniconda (USER vscode in some releases:
# src/miniconda/.devcontainer/Dockerfile before 2023-09).
_NEW_DEVCONTAINERS = ("mcr.microsoft.com/devcontainers/", "devcon.azurecr.io/public/devcontainers/")
_NODE_FEATURE_ENV: dict[str, str | Unknown] = {"NVM_DIR": "/usr/local/share/nvm", "NVM_SYMLINK_CURRENT": "true",
                                               "PATH": _V}
_SUITE = "|".join(_DEBIAN_CODENAMES)


@dataclass(frozen=True, slots=True)
class _DevContainerOn:
    source: str
    #: (variant, built by devcontainers/images) → the reference the image is FROM, or None.
    base: Callable[[str, bool], str | None]
    env: Callable[[str], Env]
    #: variant → common-utils adds vscode as 1000 (False: the base's accounts only).
    vscode: Callable[[str], bool] = lambda variant: False


def _java_base(variant: str, new: bool) -> str | None:
    m = re.fullmatch(rf"(?:(?P<java>\d+)(?:-jdk)?)?-?(?P<suite>{_SUITE})?", variant)
    if not new or m is None or (m.group("java") and int(m.group("java")) < 8):
        return None
    return f"mcr.microsoft.com/devcontainers/base:{m.group('suite') or 'latest'}"


def _java_env(variant: str) -> Env:
    env = {"PATH": _V, "JAVA_HOME": _V, "SDKMAN_DIR": "/usr/local/sdkman", "GRADLE_USER_HOME": _V, "M2": _V,
           **_NODE_FEATURE_ENV}
    return env if variant.startswith("8") else {**env, "LANG": "en_US.UTF-8"}


def _dotnet_base(variant: str, new: bool) -> str | None:
    codenames = "|".join((*_DEBIAN_CODENAMES, *_UBUNTU_CODENAMES))
    if re.fullmatch(rf"\d+\.\d+(?:-preview)?-(?:{codenames})(?:-slim)?", variant):
        return f"mcr.microsoft.com/dotnet/sdk:{variant}"
    # ``8.0`` alone: devcontainers/images' manifest.json variantTags have always given 6.0 to 9.0
    # a Debian variant and 10.0 noble, the sdk table's defaults; vscode-dev-containers gave 3.1
    # and 5.0 focal.
    m = re.fullmatch(r"(\d+)\.0", variant)
    return f"mcr.microsoft.com/dotnet/sdk:{variant}" if new and m and int(m.group(1)) >= 6 else None


def _php_base(variant: str, new: bool) -> str | None:
    m = re.fullmatch(rf"(?P<php>\d+(?:\.\d+)?)?-?(?P<apache>apache)?-?(?P<suite>{_SUITE})?", variant)
    if m is None or not (new or m.group("apache") or m.group("suite")):
        return None
    parts = (m.group("php"), "apache", m.group("suite"))
    return "php:" + "-".join(p for p in parts if p)


def _jekyll_base(variant: str, new: bool) -> str | None:
    m = re.fullmatch(rf"(?P<ruby>\d+(?:\.\d+)?-)?(?P<suite>{_SUITE})?", variant)
    if m is None:
        return None
    # the ruby row's facts do not depend on the ruby version (``3`` when the tag names none)
    return "mcr.microsoft.com/devcontainers/ruby:" + ((m.group("ruby") or "3-") + (m.group("suite") or "")).rstrip("-")


_DEVCONTAINERS_ON = {
    "java": _DevContainerOn("https://github.com/devcontainers/images/blob/main/src/java/.devcontainer/Dockerfile",
                            _java_base, _java_env),
    "dotnet": _DevContainerOn(
        "https://github.com/devcontainers/images/blob/main/src/dotnet/.devcontainer/Dockerfile", _dotnet_base,
        lambda variant: {"PATH": _V, "NUGET_XMLDOC_MODE": _V, **_NODE_FEATURE_ENV},
        vscode=lambda variant: int(variant.split(".", 1)[0]) < 8),
    "php": _DevContainerOn("https://github.com/devcontainers/images/blob/main/src/php/.devcontainer/Dockerfile",
                           _php_base, lambda variant: _NODE_FEATURE_ENV, vscode=lambda variant: True),
    "jekyll": _DevContainerOn(
        "https://github.com/devcontainers/images/blob/main/src/jekyll/.devcontainer/Dockerfile", _jekyll_base,
        lambda variant: {"LANG": "en_US.UTF-8", "LANGUAGE": "en_US", "TZ": "Etc/UTC", "LC_ALL": "en_US.UTF-8"}),
}


def _devcontainer_on(name: str, row: _DevContainerOn, tag: str) -> ImageFacts | None:
    new = name.startswith(_NEW_DEVCONTAINERS)
    m = re.fullmatch(_RELEASE + r"(?:-(.+))?", tag)
    for variant in ("" if tag == "latest" else tag, *((m.group(1) or "",) if m else ())):
        base_ref = row.base(variant, new)
        if base_ref is not None:
            break
    base = lookup(base_ref) if base_ref is not None else None
    if base is None or base.distro not in ("debian", "ubuntu"):
        return None
    users = {k: v for k, v in base.users.items() if k != "ubuntu"}
    if row.vscode(variant):
        users.update(_VSCODE_USER)
    return ImageFacts(
        family="devcontainers", distro=base.distro, package_manager=base.package_manager, user="", home="/root",
        env=MappingProxyType({**base.env, **row.env(variant)}), users=MappingProxyType(users), slim=None,
        source=row.source, workdir=base.workdir, reference=f"{name}:{tag}",
    )


def _derived(base: ImageFacts, family: str, reference: str, source: str, env: Env,
             workdir: str | None = None, slim: str | None = None) -> ImageFacts:
    """An image built ``FROM base`` that adds ``env`` (and a WORKDIR) and keeps its user."""
    return ImageFacts(
        family=family, distro=base.distro, package_manager=base.package_manager, user=base.user,
        home=base.home, env=MappingProxyType({**base.env, **env}), users=base.users, slim=slim,
        source=source, workdir=workdir or base.workdir, has_shell=base.has_shell, reference=reference,
        volumes=base.volumes,
    )


_CONDA_TAG = re.compile(r"^(?:latest|\d+(?:\.\d+)*(?:-\d+)?)$")
_CONDA_ENV: dict[str, str | Unknown] = {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
                                        "PATH": "/opt/conda/bin:" + DEFAULT_PATH}
# Conda in /opt/conda on PATH, root, no WORKDIR; the tag is the installer's version:
# https://github.com/ContinuumIO/docker-images/blob/main/miniconda3/debian/Dockerfile (and
# anaconda3/debian: FROM debian:<release>-slim; ENV LANG=C.UTF-8 LC_ALL=C.UTF-8, PATH
# /opt/conda/bin:$PATH; CONDA_VERSION, CONDA_MD, TINI_VERSION in some releases);
# https://github.com/conda-forge/miniforge-images/blob/master/ubuntu/Dockerfile (FROM
# ubuntu:<release>, focal to noble: whether the ubuntu account exists is not known; ENV
# CONDA_DIR=/opt/conda, LANG, LC_ALL, PATH=${CONDA_DIR}/bin:${PATH}).
_CONDA_IMAGES: dict[str, tuple[str, str, Env]] = {
    "continuumio/miniconda3": (
        "debian:stable-slim", "https://github.com/ContinuumIO/docker-images/blob/main/miniconda3/debian/Dockerfile",
        {**_CONDA_ENV, "CONDA_VERSION": _V, "CONDA_MD": _V, "TINI_VERSION": _V}),
    "continuumio/anaconda3": (
        "debian:stable-slim", "https://github.com/ContinuumIO/docker-images/blob/main/anaconda3/debian/Dockerfile",
        {**_CONDA_ENV, "CONDA_VERSION": _V, "CONDA_MD": _V, "TINI_VERSION": _V}),
    "condaforge/miniforge3": (
        "ubuntu:jammy", "https://github.com/conda-forge/miniforge-images/blob/master/ubuntu/Dockerfile",
        {**_CONDA_ENV, "CONDA_DIR": "/opt/conda"}),
}
#: tiangolo/uvicorn-gunicorn(-fastapi):python3.11-slim is python:3.11-slim plus ENV
#: PYTHONPATH=/app (PYTHONDONTWRITEBYTECODE=1, PYTHONUNBUFFERED=1 in later releases) and
#: WORKDIR /app/, root (https://github.com/tiangolo/uvicorn-gunicorn-docker/blob/master/docker-images/python3.11-slim.dockerfile;
#: the -fastapi image only adds a pip install and /app:
#: https://github.com/tiangolo/uvicorn-gunicorn-fastapi-docker/blob/master/docker-images/python3.11-slim.dockerfile).
_UVICORN_GUNICORN = frozenset({"tiangolo/uvicorn-gunicorn", "tiangolo/uvicorn-gunicorn-fastapi"})
_UVICORN_GUNICORN_SOURCE = "https://github.com/tiangolo/uvicorn-gunicorn-docker/blob/master/docker-images/python3.11-slim.dockerfile"
# nvidia/cuda, CUDA 12 (https://gitlab.com/nvidia/container-images/cuda, dist/<version>/<os>/, read
# for 12.0.0 to 12.9.1, history included, in a git mirror of it at NVIDIA's commit 7ad4b0af:
# https://github.com/pranavmishra90/nvidia-container-images-cuda; every kind root, no WORKDIR, USER
# or VOLUME).
# Tags: <version>-{base,runtime,devel}-<os> and <version>-cudnn[8|9]-{runtime,devel}-<os> (.gitlab-ci.yml:
# ${CUDA_VERSION}-${CUDNN_VERSION}-runtime-${OS}, CUDNN_VERSION the folder name: cudnn8 to 12.2,
# cudnn9 in 12.3, cudnn from 12.4). Each kind is FROM the one before: base FROM the distro image
# (ubuntu:<release>; registry.access.redhat.com/ubiN/ubi:latest; rockylinux:N; oraclelinux:N from
# 12.8), runtime FROM base, devel FROM runtime, cudnn/ FROM its runtime or devel; the ENV each adds:
# * base: NVARCH, NVIDIA_REQUIRE_CUDA, NV_CUDA_CUDART_VERSION, CUDA_VERSION, PATH, LD_LIBRARY_PATH,
#   NVIDIA_VISIBLE_DEVICES all, NVIDIA_DRIVER_CAPABILITIES compute,utility; Ubuntu up to 12.5.0 also
#   NV_CUDA_COMPAT_PACKAGE, the RPM distros from 12.8.1 PKG_CMD. PATH is
#   /usr/local/nvidia/bin:/usr/local/cuda/bin:$PATH and LD_LIBRARY_PATH /usr/local/nvidia/lib:
#   /usr/local/nvidia/lib64 up to 12.8.0; from 12.8.1 /usr/local/cuda/bin:$PATH and /usr/local/cuda/lib64.
# * runtime: package pins (names below; the RPM ones differ), NVIDIA_PRODUCT_NAME="CUDA", an ENTRYPOINT.
# * devel: package pins and LIBRARY_PATH /usr/local/cuda/lib64/stubs.
# * cudnn: NV_CUDNN_VERSION, NV_CUDNN_PACKAGE (and NV_CUDNN_PACKAGE_NAME on Ubuntu;
#   NV_CUDNN_PACKAGE_DEV in devel).
# Values that name versions are UNKNOWN. A devel image's runtime counterpart is the runtime image it
# is built FROM (the same tag with -runtime-). CUDA 11 and 13 tags, the tags without an OS, and
# amzn2023/cm2/azl3 (no cudnn, other ENV) are left unknown.
_CUDA_REPOSITORIES = frozenset({"nvidia/cuda", "nvcr.io/nvidia/cuda"})
_CUDA_SOURCE = "https://gitlab.com/nvidia/container-images/cuda/-/tree/master/dist/12.9.1"
_CUDA_TAG = re.compile(r"(?P<version>12\.\d+(?:\.\d+)?)-(?:(?P<cudnn>cudnn\d?)-)?(?P<kind>base|runtime|devel)"
                       r"-(?P<os>ubuntu\d\d\.\d\d|ubi[89]|rockylinux[89]|oraclelinux[89])")
_CUDA_OS_IMAGES = {"ubi8": "registry.access.redhat.com/ubi8/ubi:latest",
                   "ubi9": "registry.access.redhat.com/ubi9/ubi:latest", "rockylinux8": "rockylinux:8",
                   "rockylinux9": "rockylinux:9", "oraclelinux8": "oraclelinux:8", "oraclelinux9": "oraclelinux:9"}
_CUDA_BASE_NAMES = ("NVARCH", "NVIDIA_REQUIRE_CUDA", "NV_CUDA_CUDART_VERSION", "CUDA_VERSION")
_NCCL = ("NV_LIBNCCL_PACKAGE_NAME", "NV_LIBNCCL_PACKAGE_VERSION", "NCCL_VERSION", "NV_LIBNCCL_PACKAGE")
_NCCL_DEV = ("NV_LIBNCCL_DEV_PACKAGE_NAME", "NV_LIBNCCL_DEV_PACKAGE_VERSION", "NV_LIBNCCL_DEV_PACKAGE")
_CUDA_DEV = ("NV_CUDA_CUDART_DEV_VERSION", "NV_NVML_DEV_VERSION", "NV_LIBNPP_DEV_VERSION", "NV_LIBNPP_DEV_PACKAGE",
             "NV_LIBCUBLAS_DEV_VERSION", "NV_CUDA_NSIGHT_COMPUTE_VERSION", "NV_CUDA_NSIGHT_COMPUTE_DEV_PACKAGE",
             "NV_NVPROF_VERSION", "NV_NVPROF_DEV_PACKAGE", *_NCCL_DEV)
#: The ENV names each kind adds, (Ubuntu, RPM distros).
_CUDA_NAMES = {
    "base": (("NV_CUDA_COMPAT_PACKAGE",), ("PKG_CMD",)),
    "runtime": (("NV_CUDA_LIB_VERSION", "NV_NVTX_VERSION", "NV_LIBNPP_VERSION", "NV_LIBNPP_PACKAGE",
                 "NV_LIBCUSPARSE_VERSION", "NV_LIBCUBLAS_PACKAGE_NAME", "NV_LIBCUBLAS_VERSION",
                 "NV_LIBCUBLAS_PACKAGE", *_NCCL),
                ("NV_CUDA_LIB_VERSION", "NV_NVTX_VERSION", "NV_LIBNPP_VERSION", "NV_LIBNPP_PACKAGE",
                 "NV_LIBCUBLAS_VERSION", "NV_LIBNCCL_VERSION", *_NCCL)),
    "devel": ((*_CUDA_DEV, "NV_LIBCUSPARSE_DEV_VERSION", "NV_LIBCUBLAS_DEV_PACKAGE_NAME", "NV_LIBCUBLAS_DEV_PACKAGE"),
              _CUDA_DEV),
    "cudnn": (("NV_CUDNN_VERSION", "NV_CUDNN_PACKAGE_NAME", "NV_CUDNN_PACKAGE"),
              ("NV_CUDNN_VERSION", "NV_CUDNN_PACKAGE")),
}
_CUDA_FIXED: dict[str, dict[str, str | Unknown]] = {
    "base": {"NVIDIA_VISIBLE_DEVICES": "all", "NVIDIA_DRIVER_CAPABILITIES": "compute,utility"},
    "runtime": {"NVIDIA_PRODUCT_NAME": "CUDA"}, "devel": {"LIBRARY_PATH": "/usr/local/cuda/lib64/stubs"}}


def _cuda_paths(version: str) -> dict[str, str | Unknown]:
    """PATH and LD_LIBRARY_PATH of a CUDA 12 ``version``'s base image (changed in 12.8.1)."""
    release = tuple(int(p) for p in version.split("."))
    if release == (12, 8):
        return {"PATH": _V, "LD_LIBRARY_PATH": _V}  # 12.8.0 or 12.8.1
    if release < (12, 8, 1):
        return {"PATH": "/usr/local/nvidia/bin:/usr/local/cuda/bin:" + DEFAULT_PATH,
                "LD_LIBRARY_PATH": "/usr/local/nvidia/lib:/usr/local/nvidia/lib64"}
    return {"PATH": "/usr/local/cuda/bin:" + DEFAULT_PATH, "LD_LIBRARY_PATH": "/usr/local/cuda/lib64"}


def _cuda_env(kind: str, cudnn: bool, ubuntu: bool) -> dict[str, str | Unknown]:
    """The ENV names a ``kind`` image sets, its base's and runtime's included (values UNKNOWN but
    those of :data:`_CUDA_FIXED`); PATH and LD_LIBRARY_PATH are :func:`_cuda_paths`."""
    kinds = ("base", "runtime", "devel")[: ("base", "runtime", "devel").index(kind) + 1]
    env: dict[str, str | Unknown] = dict.fromkeys(_CUDA_BASE_NAMES, _V)
    for k in (*kinds, *(("cudnn",) if cudnn else ())):
        env.update(dict.fromkeys(_CUDA_NAMES[k][0 if ubuntu else 1], _V))
        env.update(_CUDA_FIXED.get(k, {}))
    if cudnn and kind == "devel":
        env["NV_CUDNN_PACKAGE_DEV"] = _V
    return env


def _cuda(name: str, tag: str) -> ImageFacts | None:
    m = _CUDA_TAG.fullmatch(tag)
    if m is None or (m.group("cudnn") and m.group("kind") == "base"):
        return None
    os_ = m.group("os")
    ubuntu = os_.startswith("ubuntu")
    base = lookup(f"ubuntu:{os_.removeprefix('ubuntu')}" if ubuntu else _CUDA_OS_IMAGES[os_])
    if base is None:
        return None
    env = {**_cuda_env(m.group("kind"), bool(m.group("cudnn")), ubuntu), **_cuda_paths(m.group("version"))}
    slim = f"{name}:{tag.replace('-devel-', '-runtime-')}" if m.group("kind") == "devel" else None
    return _derived(base, "cuda", f"{name}:{tag}", _CUDA_SOURCE, env, slim=slim)


# pytorch/pytorch <version>-cuda<x>-cudnn<y>-{runtime,devel}: the ``official`` stage of
# https://github.com/pytorch/pytorch/blob/main/Dockerfile (the devel tags' ``dev`` stage is FROM it,
# adding files only): conda in /opt/conda; ENV PATH (/opt/conda/bin, /usr/local/nvidia/bin,
# /usr/local/cuda/bin before the base's), NVIDIA_VISIBLE_DEVICES all, NVIDIA_DRIVER_CAPABILITIES
# compute,utility, LD_LIBRARY_PATH, PYTORCH_VERSION; WORKDIR /workspace; root. The runtime tags are
# FROM BASE_RUNTIME, an ubuntu image (docker.Makefile) whose release varies (18.04, 22.04): its base
# accounts only, no ``ubuntu``. The devel tags are FROM BASE_DEVEL, an nvidia/cuda devel image on
# Ubuntu 22.04 or earlier: ...-cudnn8-devel-ubuntu22.04 (pytorch/pytorch#113032, 2.2 and 2.3),
# <CUDA_VERSION>-devel-ubuntu22.04 (#125770, from 2.4), before that 18.04 and 20.04 ones. The CUDA
# release and cudnn are only partly in the tag, so the devel tags carry every Ubuntu CUDA 12 ENV
# name (cudnn's included) as UNKNOWN but those no release changes. From 2.10 unknown: #166907
# (2025-11, https://github.com/pytorch/pytorch/issues/166897) moves the devel base to ubuntu:24.04.
_PYTORCH_SOURCE = "https://github.com/pytorch/pytorch/blob/main/Dockerfile"
_PYTORCH_ENV: dict[str, str | Unknown] = {
    "PATH": _V, "NVIDIA_VISIBLE_DEVICES": "all", "NVIDIA_DRIVER_CAPABILITIES": "compute,utility",
    "LD_LIBRARY_PATH": "/usr/local/nvidia/lib:/usr/local/nvidia/lib64", "PYTORCH_VERSION": _V}
_PYTORCH_TAG = re.compile(r"(?P<version>\d+\.\d+)(?:\.\d+)?-cuda(?P<cuda>\d+)[\d.]*-cudnn\d+-(?P<kind>runtime|devel)")


def _pytorch(tag: str) -> ImageFacts | None:
    m = _PYTORCH_TAG.fullmatch(tag)
    base = lookup("ubuntu:22.04")
    if m is None or base is None:
        return None
    env = _PYTORCH_ENV
    if m.group("kind") == "devel":
        if m.group("cuda") != "12" or tuple(int(p) for p in m.group("version").split(".")) >= (2, 10):
            return None
        env = {**_cuda_env("devel", True, ubuntu=True), **_PYTORCH_ENV}
    return _derived(base, "pytorch", f"pytorch/pytorch:{tag}", _PYTORCH_SOURCE, env, "/workspace")


_MORE_DERIVED = frozenset({*_CONDA_IMAGES, *_UVICORN_GUNICORN, *_CUDA_REPOSITORIES, "pytorch/pytorch"})


def _more_derived(name: str, tag: str) -> ImageFacts | None:
    """The conda, uvicorn-gunicorn, nvidia/cuda and pytorch images, each built on a table image."""
    reference = f"{name}:{tag}"
    if name in _CONDA_IMAGES:
        base_ref, source, env = _CONDA_IMAGES[name]
        base = lookup(base_ref) if _CONDA_TAG.match(tag) else None
        return _derived(base, "conda", reference, source, env) if base is not None else None
    if name in _UVICORN_GUNICORN:
        m = re.fullmatch(r"python(3\.\d+)(-slim|-alpine3\.\d+)?", tag)
        base = lookup(f"python:{m.group(1)}{m.group(2) or ''}") if m else None
        env = {"PYTHONPATH": "/app", "PYTHONDONTWRITEBYTECODE": _V, "PYTHONUNBUFFERED": _V}
        return _derived(base, "uvicorn-gunicorn", reference, _UVICORN_GUNICORN_SOURCE, env, "/app") if base else None
    if name in _CUDA_REPOSITORIES:
        return _cuda(name, tag)
    return _pytorch(tag)
