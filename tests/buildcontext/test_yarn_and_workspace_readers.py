"""The readers DM201 uses for Yarn's own files and for workspace declarations."""

from dockmod.buildcontext.manifests import classic_yarnrc_files, protocol_files, workspace_globs, yarnrc_files

SETTINGS = ("yarnPath", "plugins")


def test_yarnrc_release_and_plugins_as_yarn_writes_them():
    data = (b"nodeLinker: node-modules\n"
            b"plugins:\n"
            b"  - path: .yarn/plugins/@yarnpkg/plugin-workspace-tools.cjs\n"
            b'    spec: "@yarnpkg/plugin-workspace-tools"\n'
            b"- checksum: abc\n"
            b"  path: '.yarn/plugins/plugin-b.cjs'\n"
            b"yarnPath: .yarn/releases/yarn-4.1.0.cjs  # set by yarn set version\n")
    assert yarnrc_files(data, SETTINGS) == [
        ("plugins", ".yarn/plugins/@yarnpkg/plugin-workspace-tools.cjs"),
        ("plugins", ".yarn/plugins/plugin-b.cjs"),
        ("yarnPath", ".yarn/releases/yarn-4.1.0.cjs"),
    ]


def test_yarnrc_forms_not_read_give_a_reason():
    assert isinstance(yarnrc_files(b"plugins: [a.cjs]\n", SETTINGS), str)
    assert isinstance(yarnrc_files(b"yarnPath: ${YARN_PATH}\n", SETTINGS), str)
    assert yarnrc_files(b"nodeLinker: pnp\n", SETTINGS) == []


def test_classic_yarnrc_yarn_path():
    assert classic_yarnrc_files(b'yarn-path "./bin/yarn.js"\n', ("yarn-path",)) == [("yarn-path", "./bin/yarn.js")]
    assert classic_yarnrc_files(b"yarn-path false\n", ("yarn-path",)) == []


def test_patch_protocol_files_skip_builtin_patches():
    data = (b'{"dependencies": {"lodash": "patch:lodash@npm%3A4.17.21#~/.yarn/patches/lodash.patch"},'
            b' "resolutions": {"ts": "patch:typescript@npm%3A5.4.5#optional!builtin<compat/typescript>",'
            b' "left-pad": "patch:left-pad@1.3.0#./patches/a.patch::version=1.3.0&hash=abc"}}')
    assert protocol_files(data, "patch:") == [("lodash", "~/.yarn/patches/lodash.patch"),
                                              ("left-pad", "./patches/a.patch")]


def test_workspace_globs():
    assert workspace_globs("package.json", b'{"workspaces": ["apps/*"]}') == ["apps/*"]
    assert workspace_globs("package.json", b'{"workspaces": {"packages": ["libs/**"]}}') == ["libs/**"]
    assert workspace_globs("package.json", b'{"name": "x"}') is None
    assert workspace_globs("pnpm-workspace.yaml", b'packages:\n  - "packages/*"\n  - \'!**/test/**\'\n') == [
        "packages/*", "!**/test/**"]
    assert workspace_globs("pnpm-workspace.yaml", b"catalog:\n  react: ^18\n") is None
