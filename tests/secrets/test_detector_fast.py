"""The detector's shortcuts (one alternation of the token patterns, no URL scan without
``://``) give what scanning every pattern gives."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from dockmod import secrets
from dockmod.secrets import _URL_CREDENTIALS, _placeholder_credentials, data, looks_like_credential


def _slow(value: str) -> str | None:
    # looks_like_credential before the shortcuts, up to the entropy test it shares.
    if value.lower() in data.FLAG_VALUES:
        return None
    for name, rx, _ in data.TOKEN_PATTERNS:
        if re.search(rx, value):
            return name
    if any("$" not in m.group(1) and not _placeholder_credentials(m) for m in _URL_CREDENTIALS.finditer(value)):
        return "URL with a password"
    return "rest"


PIECES = ["ghp_", "github_pat_", "glpat-", "AKIA", "xoxb-", "npm_", "sk_live_", "AIza", "pypi-AgEIcHlwaS5vcmc",
          "dckr_pat_", "sk-", "proj-", "-----BEGIN ", "RSA ", "PRIVATE KEY-----", "A" * 12, "a1" * 9, "Z9" * 10,
          "https://", "u:", "p4ss", "@", "example.com", "registry.io", "/", "$X", " ", "_", "-", "true"]


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=8))
def test_shortcuts_agree_with_every_pattern(parts: list[str]) -> None:
    value = "".join(parts)
    slow = _slow(value)
    fast = looks_like_credential(value)
    if slow == "rest":
        assert fast in (None, secrets.HIGH_ENTROPY), value
    else:
        assert fast == slow, value


def test_each_pattern_is_found_through_the_alternation() -> None:
    samples = {"GitHub token": "ghp_" + "a" * 36, "AWS access key id": "AKIA" + "A" * 16,
               "private key": "-----BEGIN RSA PRIVATE KEY-----", "URL with a password": "https://u:s3cr3t@registry.io/x"}
    for kind, value in samples.items():
        assert looks_like_credential(value) == kind
    assert looks_like_credential("https://registry.io/x") is None
