"""Notebook documents: validation, parameter injection and the run cache key."""

import functools
import hashlib
import importlib.metadata
import json
import platform

import nbformat
from django.conf import settings

from shortscience.exceptions import ServiceError

# The kernel every demo runs in: IPython on the worker's own Python.
KERNEL_NAME = "shortscience-python3"
PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"

# Packages whose versions decide a notebook's outputs. A change of any of
# them changes the cache key, so old outputs are not served for new code.
FINGERPRINT_PACKAGES = (
    "ipykernel",
    "nbclient",
    "numpy",
    "torch",
    "matplotlib",
    "scikit-learn",
)


def parse_notebook(data: bytes | str) -> nbformat.NotebookNode:
    """Read and validate an ``.ipynb`` document, raising ServiceError if unusable.

    The notebook must be nbformat 4 JSON within ``DEMOS_NOTEBOOK_MAX_BYTES``,
    for a Python kernel, with at least one code cell.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    limit = settings.DEMOS_NOTEBOOK_MAX_BYTES
    if len(raw) > limit:
        raise ServiceError(
            f"The notebook is {len(raw):,} bytes; the limit is {limit:,} bytes. "
            "Clear its outputs before uploading.",
            field="notebook",
        )
    try:
        notebook = nbformat.reads(raw.decode("utf-8"), as_version=4)
        nbformat.validate(notebook)
    except (
        UnicodeDecodeError,
        ValueError,
        TypeError,
        AttributeError,
        KeyError,
        nbformat.ValidationError,
    ) as error:
        # nbformat raises TypeError or KeyError on JSON of the wrong shape.
        raise ServiceError(
            f"The file is not a valid Jupyter notebook: {_first_line(error)}",
            field="notebook",
        ) from error
    language = notebook.metadata.get("kernelspec", {}).get("language", "python")
    if language.lower() != "python":
        raise ServiceError(
            f"The notebook's kernel language is {language!r}; only Python "
            "notebooks can run here.",
            field="notebook",
        )
    if not any(cell.cell_type == "code" for cell in notebook.cells):
        raise ServiceError("The notebook has no code cell to run.", field="notebook")
    return notebook


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def check_parameters(parameters) -> dict:
    """Return ``parameters`` if it is a JSON object keyed by Python identifiers."""
    if not isinstance(parameters, dict):
        raise ServiceError(
            'Parameters must be a JSON object such as {"size": "large"}.',
            field="parameters",
        )
    for name in parameters:
        if not name.isidentifier() or name.startswith("_"):
            raise ServiceError(
                f"Parameter name {name!r} is not a public Python identifier.",
                field="parameters",
            )
    if _contains_nul(parameters):
        # PostgreSQL's jsonb rejects U+0000 in any string, key or value.
        raise ServiceError(
            "Parameter values cannot contain the NUL character (U+0000).",
            field="parameters",
        )
    return parameters


def _contains_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(
            _contains_nul(key) or _contains_nul(item) for key, item in value.items()
        )
    if isinstance(value, list):
        return any(_contains_nul(item) for item in value)
    return False


def inject_parameters(
    notebook: nbformat.NotebookNode, parameters: dict
) -> nbformat.NotebookNode:
    """Return a copy with a cell assigning ``parameters`` after the parameters cell.

    As papermill does, the new cell follows the first cell tagged
    ``parameters``, or opens the notebook if none is tagged. JSON values
    are also Python literals, except true, false and null, which are
    written as True, False and None.
    """
    copy = nbformat.from_dict(json.loads(json.dumps(notebook)))
    if not parameters:
        return copy
    cell = nbformat.v4.new_code_cell(parameters_source(parameters))
    cell.metadata["tags"] = [INJECTED_TAG]
    cell.pop("id", None)
    tagged = parameters_cell_index(copy)
    copy.cells.insert(0 if tagged is None else tagged + 1, cell)
    return copy


def parameters_cell_index(notebook: nbformat.NotebookNode) -> int | None:
    """Return the index of the first cell tagged ``parameters``, or None."""
    return next(
        (
            index
            for index, cell in enumerate(notebook.cells)
            if PARAMETERS_TAG in cell.metadata.get("tags", [])
        ),
        None,
    )


def parameters_source(parameters: dict) -> str:
    """Return the code of the cell that ``inject_parameters`` adds."""
    return "\n".join(
        f"{name} = {_python_literal(value)}" for name, value in parameters.items()
    )


def _python_literal(value) -> str:
    return repr(json.loads(json.dumps(value)))


def code_sources(notebook: nbformat.NotebookNode) -> list[str]:
    """Return the sources of the code cells that run, in order."""
    return [
        cell.source
        for cell in notebook.cells
        if cell.cell_type == "code" and cell.source.strip()
    ]


@functools.cache
def environment_fingerprint(resource_class: str) -> dict:
    """Describe the environment that runs a notebook of ``resource_class``.

    The web process and the workers are installed from the same image, so
    the versions read here are those the kernel imports.
    """
    versions = {}
    for package in FINGERPRINT_PACKAGES:
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "python": platform.python_version(),
        "packages": versions,
        "resource_class": resource_class,
    }


def cache_key(
    notebook: nbformat.NotebookNode, *, parameters: dict, resource_class: str
) -> str:
    """Hash what decides a run's outputs into a 64-character hex key.

    Only the kernel name, the ordered code-cell sources, the parameters and
    the environment count. Cell ids, tags, metadata, Markdown cells and
    stored outputs do not, so re-saving a notebook keeps its key.
    """
    material = {
        "kernel": KERNEL_NAME,
        "code": code_sources(notebook),
        "parameters": parameters,
        "environment": environment_fingerprint(resource_class),
    }
    encoded = json.dumps(material, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()
