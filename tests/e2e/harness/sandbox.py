"""Run buildah and skopeo without touching the host's container state.

containers/image and buildah write outside ``--root`` whatever they are told: a
blob-info cache and short-name alias cache under ``/var/lib/containers``, locks and
state under ``/run/containers``, big temporary files under ``/var/tmp``. Every command
therefore runs in its own mount namespace (``unshare -m``) in which

* ``/var/lib`` and ``/run`` are overlays whose writes land in this sandbox, and
* ``/var/lib/containers`` and ``/run/containers`` are private empty directories,

so the host's directories are neither read nor created. Configuration comes only from
files in the sandbox (storage.conf, registries.conf, policy.json, containers.conf),
never from the host's ``/etc/containers`` (the sandbox's config directory is
bind-mounted over it, since some defaults are read from there whatever the flags say).

The process also gets proxy variables pointing at a closed port: containers/image
never proxies loopback, so the local registry works, while any attempt to reach a
real container registry fails at once instead of going out to the network.
``buildah bud`` is given ``--http-proxy=false`` so those variables do not leak into
``RUN`` steps, which must reach the package indexes directly.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

# Runs as `sh -c ISOLATE sh SANDBOX_DIR ARGV...` inside `unshare -m`.
_ISOLATE = r"""
set -e
S=$1; shift
hide() {
    parent=$1; key=$2
    mkdir -p "$S/ns/$key/upper" "$S/ns/$key/work" "$S/ns/$key/private"
    if ! mount -t overlay overlay \
            -o "lowerdir=$parent,upperdir=$S/ns/$key/upper,workdir=$S/ns/$key/work" "$parent" 2>/dev/null
    then
        if [ ! -d "$parent/containers" ]; then
            echo "dockmod e2e sandbox: cannot overlay $parent and $parent/containers is absent" >&2
            exit 125
        fi
    fi
    mkdir -p "$parent/containers"
    mount --bind "$S/ns/$key/private" "$parent/containers"
}
hide /var/lib varlib
hide /run run
# Tools read some defaults (e.g. registries.conf.d short-name aliases) from fixed
# paths whatever the flags say; show them the sandbox's own config instead.
if [ -d /etc/containers ]; then
    mount --bind "$S/etc" /etc/containers
fi
exec "$@"
"""

_POLICY = '{"default": [{"type": "insecureAcceptAnything"}]}\n'

# Port 9 (discard) on loopback: nothing listens, so a proxied request fails fast.
_DEAD_PROXY = "http://127.0.0.1:9"


class CommandError(RuntimeError):
    """A sandboxed command failed; carries its argv, exit status and output."""

    def __init__(self, argv: list[str], returncode: int, output: str):
        self.argv = argv
        self.returncode = returncode
        self.output = output
        tail = "\n".join(output.splitlines()[-40:])
        super().__init__(f"{' '.join(argv[:6])}{' …' if len(argv) > 6 else ''} exited {returncode}:\n{tail}")


@dataclass(frozen=True)
class Completed:
    argv: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


class Sandbox:
    """One private container world: its own storage root, config and temp dir.

    Make one per test module (the ``builder`` fixture does): layer-cache look-ups in a
    shared store can pick a stale image from an earlier test.
    """

    def __init__(self, root: Path, registries_conf: str, auths: dict[str, tuple[str, str]] | None = None):
        self.root = root
        self.storage = root / "storage"
        self.runroot = root / "runroot"
        self.tmp = root / "tmp"
        self.etc = root / "etc"
        for path in (self.storage, self.runroot, self.tmp, self.etc, root / "home", root / "ns"):
            path.mkdir(parents=True, exist_ok=True)
        (self.etc / "registries.conf.d").mkdir(exist_ok=True)
        (self.etc / "registries.conf").write_text(registries_conf)
        (self.etc / "policy.json").write_text(_POLICY)
        (self.etc / "containers.conf").write_text("[engine]\n")
        # Credentials by registry host. buildah bud ignores --creds when a docker.io
        # name is rewritten to another registry, but always consults the auth file.
        entries = {
            host: {"auth": base64.b64encode(f"{user}:{password}".encode()).decode()}
            for host, (user, password) in (auths or {}).items()
        }
        (self.etc / "auth.json").write_text(json.dumps({"auths": entries}) + "\n")
        (self.etc / "storage.conf").write_text(
            f'[storage]\ndriver = "vfs"\nrunroot = "{self.runroot}"\ngraphroot = "{self.storage}"\n'
        )

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("REGISTRY_", "BUILDAH_", "CONTAINERS_"))}
        for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
            env[var] = _DEAD_PROXY
        env.update(
            NO_PROXY="127.0.0.1,localhost",
            no_proxy="127.0.0.1,localhost",
            CONTAINERS_STORAGE_CONF=str(self.etc / "storage.conf"),
            CONTAINERS_REGISTRIES_CONF=str(self.etc / "registries.conf"),
            CONTAINERS_CONF=str(self.etc / "containers.conf"),
            REGISTRY_AUTH_FILE=str(self.etc / "auth.json"),
            TMPDIR=str(self.tmp),
            HOME=str(self.root / "home"),
            XDG_CONFIG_HOME=str(self.root / "home" / ".config"),
            XDG_RUNTIME_DIR=str(self.runroot),
            STORAGE_DRIVER="vfs",
            BUILDAH_ISOLATION="chroot",
        )
        return env

    def buildah_argv(self, *args: str) -> list[str]:
        return [
            "buildah",
            "--root", str(self.storage),
            "--runroot", str(self.runroot),
            "--storage-driver", "vfs",
            "--registries-conf", str(self.etc / "registries.conf"),
            "--registries-conf-dir", str(self.etc / "registries.conf.d"),
            "--short-name-alias-conf", str(self.etc / "shortnames.conf"),
            *args,
        ]  # fmt: skip

    def skopeo_argv(self, *args: str) -> list[str]:
        return ["skopeo", "--policy", str(self.etc / "policy.json"), "--tmpdir", str(self.tmp), *args]

    def run(
        self,
        argv: list[str],
        *,
        check: bool = True,
        input: bytes | None = None,
        merge_output: bool = False,
        timeout: float = 3600,
    ) -> Completed:
        """Run ``argv`` in a fresh mount namespace; stderr folds into stdout if asked."""
        wrapped = ["unshare", "-m", "--propagation", "private", "sh", "-c", _ISOLATE, "sh", str(self.root), *argv]
        proc = subprocess.run(
            wrapped,
            input=input,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT if merge_output else subprocess.PIPE,
            env=self.env,
            timeout=timeout,
        )
        done = Completed(
            argv,
            proc.returncode,
            proc.stdout.decode(errors="replace"),
            (proc.stderr or b"").decode(errors="replace"),
        )
        if check and proc.returncode != 0:
            raise CommandError(argv, proc.returncode, done.output)
        return done

    def buildah(self, *args: str, **kwargs) -> Completed:
        return self.run(self.buildah_argv(*args), **kwargs)

    def skopeo(self, *args: str, **kwargs) -> Completed:
        return self.run(self.skopeo_argv(*args), **kwargs)

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def registries_conf(registry_hostport: str | None, *, insecure: bool = True) -> str:
    """Make ``docker.io`` names resolve to the local registry, and nothing else.

    The brief's mirror form (``[[registry.mirror]]``) falls back to the real Docker Hub
    when the mirror lacks an image; rewriting the location instead keeps every pull on
    127.0.0.1 and makes a missing base image fail with a local 404.
    """
    if registry_hostport is None:
        return 'unqualified-search-registries = []\nshort-name-mode = "permissive"\n'
    return (
        'unqualified-search-registries = ["docker.io"]\n'
        'short-name-mode = "permissive"\n\n'
        "[[registry]]\n"
        'prefix = "docker.io"\n'
        f'location = "{registry_hostport}"\n'
        f"insecure = {str(insecure).lower()}\n\n"
        "[[registry]]\n"
        f'location = "{registry_hostport}"\n'
        f"insecure = {str(insecure).lower()}\n"
    )
