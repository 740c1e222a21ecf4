"""Which Yarn runs: the one fact DM202 (cache mounts) and DM401 (node split) read."""

from __future__ import annotations

import dockmod
from dockmod.cst.instructions import Run
from dockmod.semantic import build_model
from dockmod.semantic.yarn import Yarn, which_yarn


def yarn(text: str, files: dict[str, bytes] | None = None) -> Yarn:
    """The Yarn after every instruction of the last stage (its image: the stage's own FROM)."""
    m = build_model(dockmod.parse(text))
    s = m.stages[-1]
    return which_yarn(s, s.instructions[1:], (files or {}).get)


def test_official_node_image_ships_yarn_classic() -> None:
    y = yarn("FROM node:20\nWORKDIR /app\nRUN yarn install\n")
    assert y == Yarn("classic", "", None, False, None)


def test_unknown_image_is_unknown() -> None:
    y = yarn("FROM myorg/base:1\nRUN yarn install\n")
    assert y.generation == "unknown" and y.version is None
    assert "`myorg/base:1` is of unknown version" in y.reason


def test_corepack_and_package_manager_yarn_4_is_berry() -> None:
    files = {"package.json": b'{"packageManager": "yarn@4.1.0+sha512.abc"}'}
    y = yarn("FROM node:20\nRUN corepack enable\nCOPY package.json .\nRUN yarn install\n", files)
    assert (y.generation, y.version, y.corepack, y.package_manager) == ("berry", None, True, "4.1.0")
    assert "`packageManager` is `yarn@4.1.0`" in y.reason
    # Without package.json in the context, corepack's pick is not known.
    y = yarn("FROM node:20\nRUN corepack enable\nCOPY package.json .\nRUN yarn install\n")
    assert (y.generation, y.package_manager) == ("unknown", None)
    assert "`corepack enable` lets package.json's `packageManager` pick" in y.reason


def test_corepack_and_package_manager_yarn_1_is_classic() -> None:
    files = {"package.json": b'{"packageManager": "yarn@1.22.22"}'}
    y = yarn("FROM myorg/base\nRUN corepack enable\nCOPY . .\nRUN yarn install\n", files)
    assert (y.generation, y.package_manager) == ("classic", "1.22.22")


def test_yarn_set_version_berry() -> None:
    y = yarn("FROM node:20\nRUN yarn set version berry\nRUN yarn install\n")
    assert (y.generation, y.version) == ("berry", "berry")
    assert y.reason.startswith("`yarn set version berry` installs Yarn 2+")


def test_npm_install_global_yarn_1() -> None:
    y = yarn("FROM debian:12\nRUN npm i -g yarn@1\nRUN yarn install\n")
    assert (y.generation, y.version, y.reason) == ("classic", "1", "")
    y = yarn("FROM node:20\nRUN npm install --location=global yarn@4\n")
    assert y.version == "4"


def test_copied_yarnrc_yml_is_berry() -> None:
    y = yarn("FROM node:20\nCOPY .yarnrc.yml package.json ./\nRUN yarn install\n")
    assert y.generation == "berry" and y.version is None
    assert y.reason.startswith("the Dockerfile copies `.yarnrc.yml`")
    # Sent with the whole context: read there.
    y = yarn("FROM node:20\nCOPY . .\nRUN yarn install\n", {".yarnrc.yml": b"nodeLinker: pnp\n"})
    assert y.generation == "berry" and "the build context has `.yarnrc.yml`" in y.reason


def test_until_stops_before_a_command_of_the_last_run() -> None:
    m = build_model(dockmod.parse("FROM node:20\nRUN yarn install && yarn set version 4\n"))
    s = m.stages[0]
    run = s.instructions[1]
    assert isinstance(run, Run)
    calls = m.run(run).commands
    assert which_yarn(s, (run,), {}.get, until=calls[1]).generation == "classic"
    assert which_yarn(s, (run,), {}.get).generation == "berry"


def test_programs_and_ignore_narrow_what_is_read() -> None:
    m = build_model(dockmod.parse("FROM node:20\nRUN yarnpkg set version 4\nRUN yarn policies set-version 3\n"))
    s = m.stages[0]
    body = s.instructions[1:]
    assert which_yarn(s, body, {}.get).version == "3"
    policies = frozenset({("yarn", "policies", "set-version")})
    assert which_yarn(s, body, {}.get, ignore=policies).version == "4"
    only = which_yarn(s, body, {}.get, programs=frozenset({"yarn"}), ignore=policies)
    assert (only.generation, only.version) == ("classic", None)


def test_a_yarn_version_in_a_variable_is_not_classic() -> None:
    """``corepack prepare yarn@$V``: the version is not known, so DM202 must not mount Yarn
    classic's cache (it was read as no Yarn step, leaving the image's classic)."""
    y = yarn("FROM node:20\nARG V\nRUN corepack prepare yarn@$V --activate && yarn install\n")
    assert y.generation != "classic" and "cannot know" in y.reason
    assert y.version == "$V"  # DM401 declines it as an unknown version


def test_npm_location_global_yarn_4_is_berry() -> None:
    for spelling in ("--location=global", "--location global"):
        y = yarn(f"FROM node:20\nRUN npm install {spelling} yarn@4\n")
        assert y.generation == "berry", spelling


def test_a_copied_yarnrc_yml_wins_over_an_earlier_classic_install() -> None:
    """Yarn classic 1.22 runs the release a ``.yarnrc.yml``'s ``yarnPath`` names."""
    y = yarn("FROM node:20\nRUN npm install -g yarn\nCOPY .yarnrc.yml .\nRUN yarn install\n")
    assert y.generation == "berry" and y.reason.startswith("the Dockerfile copies `.yarnrc.yml`")
