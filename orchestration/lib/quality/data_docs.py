"""Great Expectations' project on disk: its context, the stored validations and Data Docs."""

from __future__ import annotations

import functools
import shutil
from pathlib import Path

from orchestration.lib.settings import settings


@functools.cache
def gx_context(project_root_dir: str):
    """GE's file context of the project, made once per process: reading its configuration takes
    a sixth of a second, paid by every validation of a run otherwise."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="file", project_root_dir=project_root_dir)
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def render_data_docs() -> None:
    """Keep each suite's newest CX_QUALITY_KEEP_RESULTS validations (the chunks of one validation share its
    run_time and are kept or pruned together), and render into Data Docs every kept validation
    that has no page yet (this run's, and those of a run that stopped before rendering), with the
    index page, which lists every stored validation. Once per run, not per validation: GE renders
    ten results at once in a fifth of the time of ten one by one."""
    context = gx_context(str(settings().quality_dir))
    by_suite: dict[str, list] = {}
    for key in context.validation_results_store.list_keys():
        by_suite.setdefault(key.expectation_suite_identifier.name, []).append(key)
    kept = []
    for keys in by_suite.values():
        pruned = set(sorted({key.run_id.run_time for key in keys})[: -settings().quality_keep_results])
        _prune([key for key in keys if key.run_id.run_time in pruned])
        kept += [key for key in keys if key.run_id.run_time not in pruned]
    unrendered = [key for key in kept if not _page(key).exists()]
    # Given no resource, GE re-renders every page: give it at least one, re-rendered with the index.
    context.build_data_docs(resource_identifiers=unrendered or kept[:1])


def _page(key) -> Path:
    """The Data Docs page of a stored validation result."""
    *suite, run_name, run_time, batch = key.to_tuple()
    return _docs_dir().joinpath("validations", *suite, run_name, run_time, f"{batch}.html")


def _docs_dir() -> Path:
    return settings().quality_dir / "gx" / "uncommitted" / "data_docs" / "local_site"


def _prune(keys) -> None:
    """Delete stored validation results and their Data Docs pages (GE keeps them forever)."""
    gx_dir = settings().quality_dir / "gx" / "uncommitted"
    for key in keys:
        *suite, run_name, run_time, _batch = key.to_tuple()
        for root in (gx_dir / "validations", _docs_dir() / "validations"):
            run_dir = root.joinpath(*suite, run_name)
            shutil.rmtree(run_dir / run_time, ignore_errors=True)
            if run_dir.is_dir() and not any(run_dir.iterdir()):
                run_dir.rmdir()


def data_docs_index() -> Path:
    return _docs_dir() / "index.html"
