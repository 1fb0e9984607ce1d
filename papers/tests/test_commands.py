from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from papers import services
from papers.management.commands import import_bibtex
from papers.models import Paper

pytestmark = pytest.mark.django_db

GOOD = "@article{journals/x/Good, title = {Good}}\n"
MIXED = "@article{first, title = {First}}\n@article{bad, title = {B}, month = foo}\n"


def run(*files) -> tuple[str, str]:
    """Run import_bibtex on the files and return its stdout and stderr."""
    out, err = StringIO(), StringIO()
    call_command("import_bibtex", *map(str, files), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(*files) -> tuple[CommandError, str]:
    """Run import_bibtex expecting CommandError; return it and the stderr."""
    err = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_bibtex", *map(str, files), stdout=StringIO(), stderr=err)
    return raised.value, err.getvalue()


@pytest.fixture
def write(tmp_path):
    def write(name: str, content: str | bytes):
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write


def test_success_imports_papers(write):
    run(write("good.bib", GOOD))
    assert list(Paper.objects.values_list("bibtex_key", flat=True)) == [
        "journals/x/Good"
    ]


def test_success_prints_counts(write):
    path = write("good.bib", GOOD)
    out, _ = run(path)
    assert out == f"{path}: 1 created, 0 updated, 0 unchanged, 0 failed\n"


def test_reimport_prints_unchanged(write):
    path = write("good.bib", GOOD)
    run(path)
    out, _ = run(path)
    assert "0 created, 0 updated, 1 unchanged, 0 failed" in out


def test_several_files_print_total(write):
    out, _ = run(write("a.bib", GOOD), write("b.bib", "@misc{b, title = {B}}"))
    assert (
        out.splitlines()[-1]
        == "All 2 files: 2 created, 0 updated, 0 unchanged, 0 failed"
    )


def test_failed_entry_exit_status_one(write):
    error, _ = run_failing(write("mixed.bib", MIXED))
    assert error.returncode == 1


def test_failed_entry_printed_with_file_and_line(write):
    path = write("mixed.bib", MIXED)
    _, err = run_failing(path)
    assert err.startswith(f"{path}:2: bad: field `month`: undefined macro `foo`")


def test_failed_entry_keeps_others(write):
    run_failing(write("mixed.bib", MIXED))
    assert list(Paper.objects.values_list("bibtex_key", flat=True)) == ["first"]


def test_failure_without_key_omits_it(write):
    path = write("nokey.bib", "@misc{, title = {T}}\n")
    _, err = run_failing(path)
    assert err.startswith(f"{path}:1: missing key")


def test_missing_file_exit_status_two(write, tmp_path):
    error, _ = run_failing(write("good.bib", GOOD), tmp_path / "absent.bib")
    assert error.returncode == 2


def test_missing_file_named(tmp_path):
    path = tmp_path / "absent.bib"
    error, _ = run_failing(path)
    assert f"{path}: cannot read the file: No such file or directory" in str(error)


def test_unreadable_file_imports_nothing(write, tmp_path):
    run_failing(write("good.bib", GOOD), tmp_path / "absent.bib")
    assert Paper.objects.count() == 0


def test_directory_is_unreadable(tmp_path):
    error, _ = run_failing(tmp_path)
    assert error.returncode == 2


def test_latin1_file_exit_status_two(write):
    path = write("latin.bib", "@misc{k,\n title = {Caf\xe9}}".encode("latin-1"))
    error, _ = run_failing(path)
    assert error.returncode == 2


def test_latin1_file_named_with_line(write):
    path = write("latin.bib", "@misc{k,\n title = {Caf\xe9}}".encode("latin-1"))
    error, _ = run_failing(path)
    assert f"{path}:2: the file is not valid UTF-8 (byte 0xe9)" in str(error)


def test_utf16_file_rejected(write):
    path = write("utf16.bib", GOOD.encode("utf-16-le"))
    error, _ = run_failing(path)
    assert error.returncode == 2
    assert f"{path}:1: the file contains NUL bytes" in str(error)


def test_byte_order_mark_accepted(write):
    run(write("bom.bib", "\ufeff" + GOOD))
    assert Paper.objects.get().bibtex_key == "journals/x/Good"


def test_progress_lines_for_large_file(write, monkeypatch):
    monkeypatch.setattr(services, "BATCH_SIZE", 2)
    text = "".join(f"@misc{{k{n}, title = {{T}}}}\n" for n in range(5))
    out, _ = run(write("large.bib", text))
    progress = [line for line in out.splitlines() if "entries written" in line]
    assert [line.split(": ")[1] for line in progress] == [
        "2 of 5 entries written",
        "4 of 5 entries written",
        "5 of 5 entries written",
    ]


def test_no_progress_lines_for_small_file(write):
    out, _ = run(write("good.bib", GOOD))
    assert "entries written" not in out


def test_help_documents_exit_status():
    parser = import_bibtex.Command().create_parser("manage.py", "import_bibtex")
    help_text = " ".join(parser.format_help().split())
    assert "Exit status: 0 when every entry was imported, 1 when" in help_text


def test_frontpage_file_exit_status_zero(frontpage_bib):
    out, err = run(frontpage_bib)
    assert out.endswith("10 created, 0 updated, 0 unchanged, 0 failed\n")
    assert err == ""
