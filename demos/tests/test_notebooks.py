"""Notebook validation, parameters and the cache key."""

import json

import nbformat
import pytest

from demos import notebooks
from demos.tests.factories import make_notebook
from shortscience.exceptions import ServiceError


def key_of(text: str, parameters=None, resource_class="cpu") -> str:
    notebook = notebooks.parse_notebook(text)
    return notebooks.cache_key(
        notebook, parameters=parameters or {}, resource_class=resource_class
    )


def resaved(text: str, change) -> str:
    document = json.loads(text)
    for cell in document["cells"]:
        change(cell)
    return json.dumps(document, indent=2)


BASE = make_notebook("import random\nprint(random.random())", "x = 1", markdown="# Hi")


def test_key_ignores_new_cell_ids():
    def new_id(cell):
        cell["id"] = "renamed-" + cell["id"][:8]

    assert key_of(resaved(BASE, new_id)) == key_of(BASE)


def test_key_ignores_tags_and_metadata():
    def tag(cell):
        cell["metadata"]["tags"] = ["slow"]
        cell["metadata"]["collapsed"] = True

    assert key_of(resaved(BASE, tag)) == key_of(BASE)


def test_key_ignores_outputs():
    def add_output(cell):
        if cell["cell_type"] == "code":
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "7"}]
            cell["execution_count"] = 3

    assert key_of(resaved(BASE, add_output)) == key_of(BASE)


def test_key_ignores_markdown():
    def edit_markdown(cell):
        if cell["cell_type"] == "markdown":
            cell["source"] = "# Another heading"

    assert key_of(resaved(BASE, edit_markdown)) == key_of(BASE)


def test_key_changes_with_one_character():
    changed = make_notebook(
        "import random\nprint(random.random())", "x = 2", markdown="# Hi"
    )
    assert key_of(changed) != key_of(BASE)


def test_key_changes_with_cell_order():
    swapped = make_notebook("x = 1", "import random\nprint(random.random())")
    assert key_of(swapped) != key_of(
        make_notebook(*notebooks.code_sources(notebooks.parse_notebook(BASE)))
    )


def test_key_changes_with_parameters():
    assert key_of(BASE, {"size": "large"}) != key_of(BASE, {"size": "small"})


def test_key_changes_with_resource_class():
    assert key_of(BASE, resource_class="gpu") != key_of(BASE)


def test_parse_rejects_oversized(settings):
    settings.DEMOS_NOTEBOOK_MAX_BYTES = 1000
    with pytest.raises(ServiceError, match="limit is 1,000 bytes"):
        notebooks.parse_notebook(make_notebook("x = '" + "a" * 2000 + "'"))


@pytest.mark.parametrize(
    "text",
    [
        b"not json",
        b"{}",
        b'{"cells": 1, "nbformat": 4}',
        "\udcff".encode("utf-8", "surrogatepass"),
    ],
)
def test_parse_rejects_invalid(text):
    with pytest.raises(ServiceError, match="not a valid Jupyter notebook"):
        notebooks.parse_notebook(text)


def test_parse_rejects_other_language():
    document = json.loads(make_notebook("1"))
    document["metadata"]["kernelspec"]["language"] = "julia"
    with pytest.raises(ServiceError, match="only Python"):
        notebooks.parse_notebook(json.dumps(document))


def test_parse_rejects_no_code():
    with pytest.raises(ServiceError, match="no code cell"):
        notebooks.parse_notebook(make_notebook(markdown="# Only text"))


def test_inject_after_parameters_cell():
    document = nbformat.reads(make_notebook("size = 'small'", "print(size)"), 4)
    document.cells[0].metadata["tags"] = ["parameters"]
    injected = notebooks.inject_parameters(document, {"size": "large", "flag": True})
    assert injected.cells[1].source == "size = 'large'\nflag = True"


def test_inject_first_without_tag():
    document = nbformat.reads(make_notebook("print(size)"), 4)
    injected = notebooks.inject_parameters(document, {"size": None})
    assert injected.cells[0].source == "size = None"


@pytest.mark.parametrize("name", ["not valid", "_private", "a-b"])
def test_check_parameters_rejects_names(name):
    with pytest.raises(ServiceError, match="identifier"):
        notebooks.check_parameters({name: 1})
