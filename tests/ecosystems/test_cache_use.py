"""cache_use and cst.mounts helpers DM202 relies on: offline settings written before a
command, what empties a package index, cache ids shared by target, nested indentation."""

from __future__ import annotations

import pytest

from dockmod import parse
from dockmod.cst import Run, ShellCommand, mounts
from dockmod.ecosystems import Manager, calls
from dockmod.ecosystems.cache_use import empties_index, offline
from dockmod.shell import parse_shell


def _call(raw: str):
    return calls(parse_shell(ShellCommand(raw=raw, escape="\\")))[0]


ENV = {"GOPROXY": "off"}


@pytest.mark.parametrize(("raw", "env", "expected"), [
    ("GOPROXY=off go build .", {}, ["GOPROXY=off"]),
    ("GOFLAGS=-mod=vendor go build .", {}, ["GOFLAGS=-mod=vendor"]),
    ("env CARGO_NET_OFFLINE=true cargo build", {}, ["CARGO_NET_OFFLINE=true"]),
    ("PIP_NO_INDEX=1 pip install --find-links /w app", {}, ["PIP_NO_INDEX=1"]),
    ("go mod download", ENV, ["GOPROXY=off"]),
    # The inline value overrides ENV, whether literal or not.
    ("GOPROXY=https://proxy.golang.org go mod download", ENV, []),
    ('GOPROXY="$P" go mod download', ENV, []),
    ("go mod download", {}, []),
])  # fmt: skip
def test_offline_reads_inline_assignments(raw: str, env: dict[str, str], expected: list[str]) -> None:
    # The caller passes the command's environment (dockmod.semantic.env), ENV then the
    # command's own assignments.
    from dockmod.semantic.env import command_env

    script = parse_shell(ShellCommand(raw=raw, escape="\\"))
    call = calls(script)[0]
    assert offline(call, command_env(env.get, script, call.command)) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("rm -rf /var/lib/apt/lists/*", True),
    ("rm -rf /var/lib/apt/lists", True),
    ("rm -rf /var/lib/apt", True),
    ("apt-get dist-clean", True),
    ("apt distclean", True),
    ("apt-get clean", False),
    ("rm -rf /var/lib/apt/lists/partial", False),
    ('rm -rf "$LISTS"/*', False),
])  # fmt: skip
def test_empties_index(raw: str, expected: bool) -> None:
    cmd = parse_shell(ShellCommand(raw=raw, escape="\\")).commands[0]
    assert empties_index(cmd, "/var/lib/apt/lists", [Manager.APT_GET, Manager.APT]) is expected


def test_cache_names_first_mount_with_an_id_or_sharing() -> None:
    df = parse("FROM a\nRUN --mount=type=cache,target=/root/.cache/pip/ pip install x\n"
               "RUN --mount=type=cache,target=/root/.cache/pip,id=mine pip install y\n"
               "RUN --mount=type=cache,target=/root/.npm,sharing=private npm ci\n"
               "RUN --mount=type=cache,target=/x,id=$ID true\n")
    assert mounts.cache_names(df.body) == {"/root/.cache/pip": ("mine", None), "/root/.npm": (None, "private")}


def test_new_mount_text_locked_wins_over_a_reused_sharing() -> None:
    new, _, _ = mounts.merge_cache_mounts((), [mounts.CacheMount("/var/cache/apt", True, None, None, "a", "private"),
                                               mounts.CacheMount("/root/.npm", False, None, None, "n", "private")])
    assert new == ["--mount=type=cache,target=/var/cache/apt,id=a,sharing=locked",
                   "--mount=type=cache,target=/root/.npm,id=n,sharing=private"]


@pytest.mark.parametrize(("text", "nested"), [
    ("RUN if true; then \\\n        pip install x; \\\n    fi\n", True),
    ("RUN apt-get install -y \\\n      curl\n", True),
    ("RUN apt-get update \\\n    && apt-get install -y curl\n", False),
    ("RUN set -eux; \\\n\tapt-get update\n", False),  # a tab is one character: never deeper
    ("RUN --mount=type=cache,target=/a \\\n        pip install x\n", False),  # the command starts below
    ("RUN \\\n        pip install x\n", False),
    ("RUN pip install x\n", False),
])  # fmt: skip
def test_nested_indent(text: str, nested: bool) -> None:
    run = parse("FROM a\n" + text).body[-1]
    assert isinstance(run, Run)
    assert mounts.nested_indent(run) is nested


def test_may_name_parents_and_globs() -> None:
    from dockmod.ecosystems.cache_use import ANY_PART, may_name

    assert may_name("/var/cache/*", "/var/cache/apt")
    assert may_name("/root/.cache", "/root/.cache/pip")
    assert may_name("/var/lib/apt", "/var/lib/apt/lists")
    assert not may_name("/var/lib/apt/lists/*", "/var/lib/apt/lists")  # inside: only the content
    assert not may_name("/root/*", "/root/.cache/pip")  # `*` skips dot-files
    assert may_name("/root/.*", "/root/.cache/pip")
    assert not may_name("/var/log/*", "/var/cache/apt")
    assert may_name(ANY_PART, "/tmp/cache")
    assert may_name(ANY_PART + "/.cache", "/home/app/.cache/pip")
    assert not may_name(ANY_PART + "/build", "/root/.cache/pip")


def test_removed_operands() -> None:
    from dockmod.ecosystems.cache_use import removed_operands

    def ops(text: str) -> list[str]:
        return [w.text for w in removed_operands(parse_shell(ShellCommand(raw=text, escape="\\")).commands[0])]

    assert ops("rm -rf /a /b") == ["/a", "/b"]
    assert ops("rm -- -x") == ["-x"]
    assert ops("mv /a /b /dest") == ["/a", "/b"]
    assert ops("find /root -name x -delete") == ["/root"]
    assert ops("find /usr/local -type f -name '*.pyc' -delete") == []
    assert ops("find /usr/local -type f -executable -exec ldd {} ;") == []
    assert ops("find -L /opt /srv -exec rm -rf {} +") == ["/opt", "/srv"]


def test_refreshes_metadata() -> None:
    from dockmod.ecosystems.cache_use import refreshes_metadata

    def fresh(text: str) -> list[bool]:
        script = parse_shell(ShellCommand(raw=text, escape="\\"))
        return [refreshes_metadata(c, script) for c in calls(script) if c.action == "install"]

    assert fresh("dnf install -y gcc") == [False]
    assert fresh("dnf --refresh install -y gcc") == [True]
    assert fresh("dnf install -y --setopt=metadata_expire=0 gcc") == [True]
    assert fresh("dnf makecache && dnf install -y gcc") == [False]  # makecache keeps unexpired metadata
    assert fresh("dnf clean expire-cache && dnf install -y gcc") == [True]
    assert fresh("dnf --refresh install -y epel-release && dnf install -y ccache") == [True, False]
    assert fresh("apt-get install -y curl") == [True]  # no expiring metadata in the row


# Every spelling of a call the recogniser finds: the pre-filter must let each through.
_CALLS = [
    "pip install flask", "/usr/local/bin/pip3.12 install x", "python3 -m pip install x", "python -m pip3 install x",
    "x && pip install y", "(cd /a;yarn)", "yarn", "p'i'p install x", '"/usr/bin/pip" install x',
    "sudo -E apt-get install -y curl", "env A=1 npm ci", "$'pip' install x", "echo a;pip install b",
    "case $a in x) pip install y;; esac", "composer.phar install", "./gradlew build", "if ! go build; then :; fi",
    "pip \\\n  install x",
]


@pytest.mark.parametrize("raw", _CALLS)
def test_may_run_lets_every_call_through(raw: str) -> None:
    from dockmod.ecosystems.cache_use import may_run
    from dockmod.lang.words import logical_text

    found = calls(parse_shell(ShellCommand(raw=raw, escape="\\")))
    assert found, raw
    for c in found:
        assert may_run(logical_text(raw), frozenset({c.manager})), raw


@pytest.mark.parametrize("raw", [
    "curl -fsSL https://dl.google.com/go/go1.22.linux-amd64.tar.gz -o go.tgz",
    "tar -C /usr/local -xzf go.tgz && rm go.tgz && ls /usr/local/go/bin",
    "curl -O https://dot.net/v1/dotnet-install.sh", "echo golang piper",
])  # fmt: skip
def test_may_run_skips_names_inside_other_words(raw: str) -> None:
    # Not ``chmod -R``: tree-sitter-bash's error recovery may start a word after a ``-``
    # (``;-cpanm x`` runs cpanm), so the filter lets ``R`` after ``-`` through.
    from dockmod.ecosystems.cache_use import may_run

    everything = frozenset(Manager)
    assert not may_run(raw, everything)


@pytest.mark.parametrize(("image", "expected"), [
    ("fedora:41", "dnf5"), ("fedora:40", "dnf4"), ("amazonlinux:2", "yum3"), ("centos:7", "yum3"),
    ("almalinux/8-base:8.9", "dnf4"), ("redhat/ubi9:9.3", "dnf4"), ("fedora:latest", None), ("${B}:41", None),
    # Docker Hub under each of its names (registry.reference.DOCKER_HUB_ALIASES).
    ("docker.io/redhat/ubi8:8.9", "dnf4"), ("registry-1.docker.io/redhat/ubi8:8.9", "dnf4"),
    ("index.docker.io/almalinux/8-base:8.9", "dnf4"), ("registry.docker.com/redhat/ubi8-minimal:8.9", "dnf4"),
    ("index.docker.io/library/amazonlinux:2", "yum3"), ("REGISTRY-1.DOCKER.IO/library/fedora:41", "dnf5"),
    ("quay.io/centos/centos:8", "dnf4"), ("registry.access.redhat.com/ubi8/ubi:8.9", "dnf4"),
])  # fmt: skip
def test_rpm_variant_reads_every_docker_hub_name(image: str, expected: str | None) -> None:
    from dockmod.ecosystems.cache_use import rpm_variant

    assert rpm_variant(image) == expected
