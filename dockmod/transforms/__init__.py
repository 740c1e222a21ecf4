"""The registry: one explicit, ordered tuple. Its order is the order fixes are applied in.

Codes are grouped by hundreds so that prefixes select meaningfully:
``DM0xx`` file-level directives, ``DM1xx`` base images, ``DM2xx`` layer caching,
``DM3xx`` secrets, ``DM4xx`` stage structure, ``DM5xx`` autofixes for what
``docker build --check`` and hadolint only report.
"""

from __future__ import annotations

from dockmod.transforms._base import Context, Example, Finding, FixSafety, Option, Transform, TransformMeta
from dockmod.transforms.add_apt_install_flags import AddAptInstallFlags
from dockmod.transforms.add_cache_mounts import AddCacheMounts
from dockmod.transforms.add_syntax_directive import AddSyntaxDirective
from dockmod.transforms.ignore_risky_context_files import IgnoreRiskyContextFiles
from dockmod.transforms.lowercase_stage_names import LowercaseStageNames
from dockmod.transforms.match_from_as_casing import MatchFromAsCasing
from dockmod.transforms.pin_base_image_digest import PinBaseImageDigest

from dockmod.transforms.mount_secret_files import MountSecretFiles
from dockmod.transforms.move_secrets_to_mounts import MoveSecretsToMounts
from dockmod.transforms.remove_empty_continuations import RemoveEmptyContinuations
from dockmod.transforms.remove_redundant_target_platform import RemoveRedundantTargetPlatform
from dockmod.transforms.rename_duplicate_stage import RenameDuplicateStage
from dockmod.transforms.reorder_dependency_copy import ReorderDependencyCopy
from dockmod.transforms.split_builder_runtime import SplitBuilderRuntime
from dockmod.transforms.replace_maintainer_with_label import ReplaceMaintainerWithLabel
from dockmod.transforms.use_absolute_workdir import UseAbsoluteWorkdir
from dockmod.transforms.use_consistent_keyword_casing import UseConsistentKeywordCasing
from dockmod.transforms.use_copy_instead_of_add import UseCopyInsteadOfAdd
from dockmod.transforms.use_exec_form import UseExecForm
from dockmod.transforms.use_key_value_format import UseKeyValueFormat

REGISTRY: tuple[type[Transform], ...] = (
    AddSyntaxDirective,
    PinBaseImageDigest,
    ReorderDependencyCopy,
    AddCacheMounts,
    IgnoreRiskyContextFiles,

    MoveSecretsToMounts,
    MountSecretFiles,
    UseExecForm,
    UseKeyValueFormat,
    MatchFromAsCasing,
    LowercaseStageNames,
    ReplaceMaintainerWithLabel,
    RemoveEmptyContinuations,
    RemoveRedundantTargetPlatform,
    UseAbsoluteWorkdir,
    UseConsistentKeywordCasing,
    RenameDuplicateStage,
    UseCopyInsteadOfAdd,
    AddAptInstallFlags,
    SplitBuilderRuntime,
)

__all__ = ["REGISTRY", "Context", "Example", "Finding", "FixSafety", "Option", "Transform",
           "TransformMeta", "by_code", "resolve_code", "select"]


def by_code() -> dict[str, type[Transform]]:
    return {t.meta.code: t for t in REGISTRY}


def resolve_code(item: str) -> str | None:
    """A code for a code or a name (case-insensitive for codes), or None."""
    for t in REGISTRY:
        if t.meta.code == item.upper() or t.meta.name == item.lower():
            return t.meta.code
    return None


def _matches(t: type[Transform], item: str) -> bool:
    item = item.strip()
    if item.upper() == "ALL":
        return True
    return t.meta.code.startswith(item.upper()) or t.meta.name == item.lower()


def _explicit(t: type[Transform], item: str) -> bool:
    return t.meta.code == item.strip().upper() or t.meta.name == item.strip().lower()


def select(select: list[str] | None = None, ignore: list[str] | None = None,
           extend_select: list[str] | None = None) -> list[type[Transform]]:
    """The transforms a run uses, in registry order.

    ``select`` replaces the default set (every transform with ``default_enabled``);
    ``extend_select`` adds to it. A transform that is off by default is only turned on by
    its exact code or name, never by a prefix. ``ignore`` (codes, prefixes, names) wins.
    """
    out = []
    for t in REGISTRY:
        if select is None:
            on = t.meta.default_enabled
        else:
            on = any(_explicit(t, s) or (t.meta.default_enabled and _matches(t, s)) for s in select)
        if extend_select and any(_explicit(t, s) or (t.meta.default_enabled and _matches(t, s))
                                 for s in extend_select):
            on = True
        if ignore and any(_matches(t, s) for s in ignore):
            on = False
        if on:
            out.append(t)
    return out


def unknown_selectors(items: list[str]) -> list[str]:
    """Selectors that match no transform (for a helpful error)."""
    return [s for s in items if not any(_matches(t, s) for t in REGISTRY)]
