"""``.dockerignore`` matching against a table of documented cases.

The tables are the behaviour moby/patternmatcher's own tests pin down
(``patternmatcher_test.go``: TestMatches, the multi-pattern cases, the ``filepath.Match``
cases, TestCompile's match kinds; ``ignorefile_test.go``: TestReadAll), plus the
examples of Docker's ``.dockerignore`` documentation. Each row says where a gitignore
reading would differ, where it does.
"""

from __future__ import annotations

import pytest

from dockmod.buildcontext.patterns import Pattern, PatternError, PatternMatcher, clean, read_ignore_file

EXACT, INEXACT, FAIL = "exact", "inexact", "fail"

# (pattern, path, result): EXACT matches the path itself, INEXACT only through a parent
# folder, FAIL not at all.
MATCHES = [
    ("**", "file", EXACT),
    ("**", "file/", EXACT),
    ("**/", "file", EXACT),
    ("**/", "file/", EXACT),
    ("**", "/", EXACT),
    ("**/", "/", EXACT),
    ("**", "dir/file", EXACT),
    ("**/", "dir/file", EXACT),
    ("**", "dir/file/", EXACT),
    ("**/", "dir/file/", EXACT),
    ("**/**", "dir/file", EXACT),
    ("**/**", "dir/file/", EXACT),
    ("dir/**", "dir/file", EXACT),
    ("dir/**", "dir/file/", EXACT),
    ("dir/**", "dir/dir2/file", EXACT),
    ("dir/**", "dir/dir2/file/", EXACT),
    ("**/dir", "dir", EXACT),
    ("**/dir", "dir/file", INEXACT),
    ("**/dir2/*", "dir/dir2/file", EXACT),
    ("**/dir2/*", "dir/dir2/file/", INEXACT),
    ("**/dir2/**", "dir/dir2/dir3/file", EXACT),
    ("**/dir2/**", "dir/dir2/dir3/file/", EXACT),
    ("**file", "file", EXACT),
    ("**file", "dir/file", EXACT),
    ("**/file", "dir/file", EXACT),
    ("**file", "dir/dir/file", EXACT),
    ("**/file", "dir/dir/file", EXACT),
    ("**/file*", "dir/dir/file", EXACT),
    ("**/file*", "dir/dir/file.txt", EXACT),
    ("**/file*txt", "dir/dir/file.txt", EXACT),
    ("**/file*.txt", "dir/dir/file.txt", EXACT),
    ("**/file*.txt*", "dir/dir/file.txt", EXACT),
    ("**/**/*.txt", "dir/dir/file.txt", EXACT),
    ("**/**/*.txt2", "dir/dir/file.txt", FAIL),
    ("**/*.txt", "file.txt", EXACT),
    ("**/**/*.txt", "file.txt", EXACT),
    ("a**/*.txt", "a/file.txt", EXACT),
    ("a**/*.txt", "a/dir/file.txt", EXACT),
    ("a**/*.txt", "a/dir/dir/file.txt", EXACT),
    ("a/*.txt", "a/dir/file.txt", FAIL),
    ("a/*.txt", "a/file.txt", EXACT),
    ("a/*.txt**", "a/file.txt", EXACT),
    ("a[b-d]e", "ae", FAIL),
    ("a[b-d]e", "ace", EXACT),
    ("a[b-d]e", "aae", FAIL),
    ("a[^b-d]e", "aze", EXACT),
    (".*", ".foo", EXACT),
    (".*", "foo", FAIL),
    ("abc.def", "abcdef", FAIL),
    ("abc.def", "abc.def", EXACT),
    ("abc.def", "abcZdef", FAIL),
    ("abc?def", "abcZdef", EXACT),
    ("abc?def", "abcdef", FAIL),
    ("**/foo/bar", "foo/bar", EXACT),
    ("**/foo/bar", "dir/foo/bar", EXACT),
    ("**/foo/bar", "dir/dir2/foo/bar", EXACT),
    ("abc/**", "abc", FAIL),
    ("abc/**", "abc/def", EXACT),
    ("abc/**", "abc/def/ghi", EXACT),
    ("**/.foo", ".foo", EXACT),
    ("**/.foo", "bar.foo", FAIL),
    ("a(b)c/def", "a(b)c/def", EXACT),
    ("a(b)c/def", "a(b)c/xyz", FAIL),
    ("a.|)$(}+{bc", "a.|)$(}+{bc", EXACT),
    ("dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
     "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", EXACT),
    ("dist/*.whl", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", EXACT),
    ("a\\\\", "a\\", EXACT),
    ("a\\*b", "a*b", EXACT),
    # Anchored at the root, unlike gitignore (where `foo` matches at any depth).
    ("foo", "a/foo", FAIL),
    ("foo", "foo/bar", INEXACT),
    # `*` never crosses `/`; a pattern for a folder excludes what is inside it.
    ("*", "dir/file", INEXACT),
    ("*/temp*", "somedir/temporary.txt", EXACT),
    ("*/temp*", "somedir/temp/x", INEXACT),
    ("*/temp*", "temporary.txt", FAIL),
    ("*/*/temp*", "somedir/subdir/temporary.txt", EXACT),
    ("temp?", "tempa", EXACT),
    ("temp?", "dir/tempa", FAIL),
    ("**/*.go", "main.go", EXACT),
    ("**/*.go", "cmd/app/main.go", EXACT),
]

MULTI = [
    (["**", "!util/docker/web"], "util/docker/web/foo", False),
    (["**", "!util/docker/web", "util/docker/web/foo"], "util/docker/web/foo", True),
    (["**", "!dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl"],
     "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", False),
    (["**", "!dist/*.whl"], "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", False),
    (["!fileutils.go", "*.go"], "fileutils.go", True),
    (["*.go", "!fileutils.go"], "fileutils.go", False),
    (["docs", "!docs/README.md"], "docs/README.md", False),
    (["docs/", "!docs/README.md"], "docs/README.md", False),
    (["docs/*", "!docs/README.md"], "docs/README.md", False),
    (["*"], "fileutils.go", True),
    (["*.go"], "fileutils.go", True),
    (["*.go"], ".", False),
    ([], "any/path/there", False),
    # Docker docs: the last matching line wins.
    (["*.md", "!README*.md", "README-secret.md"], "README-secret.md", True),
    (["*.md", "!README*.md", "README-secret.md"], "README.md", False),
    (["*.md", "README-secret.md", "!README*.md"], "README-secret.md", False),
    (["*.md", "!README*.md", "README-secret.md"], "CHANGES.md", True),
    # "Include only": `*` then exceptions.
    (["*", "!src", "!requirements.txt"], "src/app/main.py", False),
    (["*", "!src", "!requirements.txt"], "node_modules/x/index.js", True),
    # Leading/trailing spaces trimmed, `./` and `//` cleaned.
    (["  !docs/README.md", "docs"], "docs/README.md", True),
    (["docs", "!docs/README.md  "], "docs/README.md", False),
    (["./node_modules"], "node_modules/a", True),
    (["a//b/../c"], "a/c", True),
]

# Go's filepath.Match table, as patternmatcher runs it (pattern, path, match); None: bad.
GO_MATCH = [
    ("abc", "abc", True), ("*", "abc", True), ("*c", "abc", True), ("a*", "a", True),
    ("a*", "abc", True), ("a*", "ab/c", True), ("a*/b", "abc/b", True), ("a*/b", "a/c/b", False),
    ("a*b*c*d*e*/f", "axbxcxdxe/f", True), ("a*b*c*d*e*/f", "axbxcxdxexxx/f", True),
    ("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", False), ("a*b*c*d*e*/f", "axbxcxdxexxx/fff", False),
    ("a*b?c*x", "abxbbxdbxebxczzx", True), ("a*b?c*x", "abxbbxdbxebxczzy", False),
    ("ab[c]", "abc", True), ("ab[b-d]", "abc", True), ("ab[e-g]", "abc", False),
    ("ab[^c]", "abc", False), ("ab[^b-d]", "abc", False), ("ab[^e-g]", "abc", True),
    ("a\\*b", "a*b", True), ("a\\*b", "ab", False), ("a?b", "a☺b", True), ("a[^a]b", "a☺b", True),
    ("a???b", "a☺b", False), ("a[^a][^a][^a]b", "a☺b", False), ("[a-ζ]*", "α", True),
    ("*[a-ζ]", "A", False), ("a?b", "a/b", False), ("a*b", "a/b", False),
    ("[\\]a]", "]", True), ("[\\-]", "-", True), ("[x\\-]", "x", True), ("[x\\-]", "-", True),
    ("[x\\-]", "z", False), ("[\\-x]", "x", True), ("[\\-x]", "-", True), ("[\\-x]", "a", False),
    ("[]a]", "]", None), ("[-]", "-", None), ("[x-]", "x", None), ("[x-]", "-", None),
    ("[x-]", "z", None), ("[-x]", "x", None), ("[-x]", "-", None), ("[-x]", "a", None),
    ("\\", "a", None), ("[a-b-c]", "a", None), ("[", "a", None), ("[^", "a", None),
    ("[^bc", "a", None), ("a[", "a", None), ("a[", "ab", None), ("*x", "xxx", True),
]

KINDS = [
    ("*", "regexp"), ("file*", "regexp"), ("*file", "regexp"), ("a*/b", "regexp"),
    ("**", "suffix"), ("**/**", "regexp"), ("dir/**", "prefix"), ("**/dir", "suffix"),
    ("**/dir2/*", "regexp"), ("**/dir2/**", "regexp"), ("**file", "suffix"),
    ("**/file*txt", "regexp"), ("**/**/*.txt", "regexp"), ("a[b-d]e", "regexp"), (".*", "regexp"),
    ("abc.def", "exact"), ("abc?def", "regexp"), ("**/foo/bar", "suffix"), ("a(b)c/def", "exact"),
    ("a.|)$(}+{bc", "exact"),
]


@pytest.mark.parametrize(("pattern", "path", "expected"), MATCHES)
def test_single_pattern(pattern: str, path: str, expected: str) -> None:
    pm = PatternMatcher([pattern])
    assert pm.matches(path) is (expected != FAIL)
    assert pm.matches_exact(path) is (expected == EXACT)


@pytest.mark.parametrize(("patterns", "path", "expected"), MULTI)
def test_pattern_list(patterns: list[str], path: str, expected: bool) -> None:
    assert PatternMatcher(patterns).matches(path) is expected


@pytest.mark.parametrize(("pattern", "path", "expected"), GO_MATCH)
def test_go_filepath_match_table(pattern: str, path: str, expected: bool | None) -> None:
    if expected is None:
        with pytest.raises(PatternError):
            PatternMatcher([pattern])
    else:
        assert PatternMatcher([pattern]).matches(path) is expected


@pytest.mark.parametrize(("pattern", "kind"), KINDS)
def test_match_kind(pattern: str, kind: str) -> None:
    assert Pattern.compile(clean(pattern), False).kind.value == kind


def test_lone_exclamation_mark_is_an_error() -> None:
    with pytest.raises(PatternError, match="illegal exclusion pattern"):
        PatternMatcher(["!"])


def test_regexp_rejected_at_compile_time() -> None:
    # filepath.Match accepts `[Local-Only]`; Go's regexp (and Python's) reject the
    # reversed range, so BuildKit fails on it. Here it fails when the matcher is built.
    with pytest.raises(PatternError):
        PatternMatcher(["[Local-Only]/"])


def test_read_ignore_file() -> None:
    content = (b"\xef\xbb\xbftest1\n/test2\n/a/file/here\n\nlastfile\n# this is a comment\n"
               b"! /inverted/abs/path\n!\n! ")
    assert read_ignore_file(content) == [
        "test1", "test2", "a/file/here", "lastfile", "!inverted/abs/path", "!", "!",
    ]


def test_read_ignore_file_crlf_and_indented_comment() -> None:
    # Only a `#` in column 1 starts a comment; an indented one is a pattern.
    assert read_ignore_file(b"a\r\n  # b\r\n#c\r\n./d/\r\n") == ["a", "# b", "d"]


@pytest.mark.parametrize(("path", "cleaned"), [
    ("", "."), ("a/b/../c", "a/c"), ("/../a", "/a"), ("../../a", "../../a"), ("a/./b/", "a/b"),
    ("//a//", "/a"), ("/", "/"),
])
def test_clean_is_go_path_clean(path: str, cleaned: str) -> None:
    assert clean(path) == cleaned
