"""Credentials from docker's config.json and helpers; challenge and Retry-After parsing."""

from __future__ import annotations

import base64
import json
import os
import stat
from email.utils import formatdate
from pathlib import Path

import pytest

from dockmod.registry.auth import (CredentialError, DockerConfig, docker_config_path, parse_challenge,
                                   retry_after_seconds)


def _config(tmp_path: Path, data: dict) -> DockerConfig:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(data))
    return DockerConfig.load(path)


def _helper(bin_dir: Path, name: str, script: str) -> None:
    bin_dir.mkdir(exist_ok=True)
    exe = bin_dir / f"docker-credential-{name}"
    exe.write_text("#!/bin/sh\n" + script)
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)


def test_config_path_honours_docker_config(tmp_path: Path) -> None:
    assert docker_config_path({"DOCKER_CONFIG": str(tmp_path)}) == tmp_path / "config.json"
    assert docker_config_path({"HOME": "/home/x"}) == Path("/home/x/.docker/config.json")


def test_auths_entry_base64_and_plain_fields(tmp_path: Path) -> None:
    auth = base64.b64encode(b"alice:s3cret:with:colons").decode()
    cfg = _config(tmp_path, {"auths": {"https://registry.example.com/v1/": {"auth": auth},
                                       "other.example:5000": {"username": "bob", "password": "pw"}}})
    creds = cfg.credentials("registry.example.com")
    assert (creds.username, creds.secret) == ("alice", "s3cret:with:colons")
    assert cfg.credentials("other.example:5000").username == "bob"
    assert cfg.credentials("nowhere.example") is None
    assert "s3cret" not in repr(creds)


def test_docker_hub_credentials_under_the_cli_key(tmp_path: Path) -> None:
    auth = base64.b64encode(b"hubuser:hubpw").decode()
    cfg = _config(tmp_path, {"auths": {"https://index.docker.io/v1/": {"auth": auth}}})
    assert cfg.credentials("docker.io").username == "hubuser"


def test_identity_token(tmp_path: Path) -> None:
    cfg = _config(tmp_path, {"auths": {"r.example": {"identitytoken": "refresh-me"}}})
    creds = cfg.credentials("r.example")
    assert creds.identity_token and creds.secret == "refresh-me"


def test_cred_helpers_win_then_creds_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    # The helper protocol: server URL on stdin, JSON on stdout.
    _helper(bin_dir, "special", 'read s; printf \'{"ServerURL":"%s","Username":"helper-user","Secret":"hs"}\' "$s"\n')
    _helper(bin_dir, "store", 'read s; if [ "$s" = "https://index.docker.io/v1/" ]; then '
                              'echo \'{"Username":"hub-from-store","Secret":"x"}\'; '
                              'else echo "credentials not found in native keychain"; exit 1; fi\n')
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    cfg = _config(tmp_path, {"credHelpers": {"ghcr.io": "special"}, "credsStore": "store",
                             "auths": {"ghcr.io": {}}})
    assert cfg.credentials("ghcr.io").username == "helper-user"
    assert cfg.credentials("ghcr.io").source == "docker-credential-special"
    assert cfg.credentials("docker.io").username == "hub-from-store"
    assert cfg.credentials("quay.io") is None  # "credentials not found" is not an error


def test_missing_or_failing_helper_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    _helper(bin_dir, "broken", 'echo "password=hunter2"; exit 3\n')
    monkeypatch.setenv("PATH", str(bin_dir))
    cfg = _config(tmp_path, {"credHelpers": {"a.example": "broken", "b.example": "absent"}})
    with pytest.raises(CredentialError) as err:
        cfg.credentials("a.example")
    assert "docker-credential-broken" in str(err.value) and "hunter2" not in str(err.value)
    with pytest.raises(CredentialError, match="not on PATH"):
        cfg.credentials("b.example")


def test_bad_config_file(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(CredentialError, match="cannot read docker config"):
        DockerConfig.load(tmp_path / "config.json")
    assert DockerConfig.load(tmp_path / "absent.json").credentials("x.example") is None


@pytest.mark.parametrize("header,scheme,params", [
    ('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/python:pull"',
     "bearer", {"realm": "https://auth.docker.io/token", "service": "registry.docker.io",
                "scope": "repository:library/python:pull"}),
    ('Basic realm="dockmod-e2e"', "basic", {"realm": "dockmod-e2e"}),
    ('Bearer realm="https://r/t", scope="repository:a:pull,push"', "bearer",
     {"realm": "https://r/t", "scope": "repository:a:pull,push"}),
    ('Bearer realm=https://r/t,error="insufficient_scope"', "bearer", {"realm": "https://r/t", "error": "insufficient_scope"}),
    ('Basic realm="a \\"quoted\\" realm"', "basic", {"realm": 'a "quoted" realm'}),
])
def test_parse_challenge(header, scheme, params) -> None:  # type: ignore[no-untyped-def]
    assert parse_challenge(header) == (scheme, params)


def test_retry_after() -> None:
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("soon") is None
    now = 1_800_000_000.0
    assert retry_after_seconds(formatdate(now + 30, usegmt=True), now=now) == pytest.approx(30, abs=1)
    assert retry_after_seconds(formatdate(now - 30, usegmt=True), now=now) == 0.0
