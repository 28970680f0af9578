"""Nothing a journal contains can make a build write outside its output folder.

Slugs, tags, goal names and file names are tried with ``../``, absolute paths, NUL,
Windows drives and backslashes, and Unicode look-alikes of "/" and "." (fullwidth
solidus, division slash, one-dot leader). Symbolic links under content/ that lead out
are reported and not followed. The output folder can never be the site folder,
content/, the home folder, "/" or a folder of someone else's files, whether it comes
from ``--out`` or journal.toml, and the refusal comes before anything is touched.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from conftest import run_journal, write_files

from journal_site.engine.store import CACHE_DIR_NAME
from journal_site.writer import Output

TODAY = "2026-11-25"


def snapshot(root: Path, skip: str = "") -> dict[str, str]:
    """Every file and folder under ``root`` with a digest of its bytes, except the output
    folder ``skip`` (relative to ``root``), its hidden staging siblings and the cache."""
    parent, _, name = skip.rpartition("/")
    found: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = Path(dirpath).relative_to(root)
        if skip and rel_dir.as_posix() == (parent or "."):
            # The output, its staging siblings and the build cache are the build's own.
            dirnames[:] = [
                d
                for d in dirnames
                if d not in (name, CACHE_DIR_NAME) and not d.startswith(f".{name}.")
            ]
        for dirname in dirnames:
            found[str(rel_dir / dirname) + "/"] = "dir"
        for filename in filenames:
            path = Path(dirpath) / filename
            data = os.readlink(path).encode() if path.is_symlink() else path.read_bytes()
            found[str(rel_dir / filename)] = hashlib.sha256(data).hexdigest()
    return found


def assert_all_inside(public: Path) -> None:
    real = public.resolve()
    for path in public.rglob("*"):
        assert path.resolve().is_relative_to(real), path
        assert not path.is_symlink(), path


@pytest.mark.parametrize(
    "path",
    ["../escape.html", "a/../../escape.html", "/etc/passwd", "//host/share", "a\0b",
     "C:\\Windows\\x", "C:/Windows/x", "c:x", "a\\..\\..\\x", "..\\x", "", ".."],
)  # fmt: skip
def test_output_refuses_every_path_that_could_leave_the_folder(path: str) -> None:
    output = Output()
    output.add(path, b"x", "content/evil.md")
    assert path not in output.files
    (problem,) = output.problems
    assert problem.path == "content/evil.md"
    assert "would write outside the output folder" in problem.message


@pytest.mark.parametrize("path", ["..／escape/index.html", "∕etc∕passwd", "․․/x", "tags/…/x"])
def test_look_alikes_are_ordinary_names_inside_the_folder(path: str) -> None:
    output = Output()
    output.add(path, b"x", "content/a.md")
    assert output.problems == [] and path in output.files


HOSTILE_TAGS = [
    "../../escape", "/etc/passwd", "C:\\Windows\\system32", "C:/boot", "a\\..\\..\\b",
    "..／..／fullwidth", "∕etc∕division", "․․/․․/leader", "%2e%2e%2fencoded", "..", ".",
    "NUL\0byte", "con", "tag/with/slashes",
]  # fmt: skip


def hostile_site(root: Path) -> Path:
    tags = ", ".join(
        '"' + t.replace("\\", "\\\\").replace("\0", "\\0") + '"' for t in HOSTILE_TAGS
    )
    return write_files(
        root,
        {
            "content/2026-11-20.md": f"""\
                ---
                title: Tags that look like paths
                tags: [{tags}]
                wins:
                  - text: A win on a look-alike goal
                    goal: "․․∕․․∕leader goal"
                    tags: ["../../win-tag", "C:\\\\win"]
                ---
                Body.
                """,
            "content/2026-11-20-..／..／second.md": "---\ntitle: Second\n---\nA second entry.\n",
            "content/2026-11-20-․․∕third.md": "---\ntitle: Third\n---\nA third entry.\n",
            "content/goals/․․∕․․∕leader goal.md": "---\ntitle: Dots\nsteps: [one]\n---\n",
            "content/img/a..／photo.png": b"\x89PNG fake",
            "content/img/∕photo.png": b"\x89PNG fake 2",
        },
    )


def test_hostile_names_build_inside_the_output_folder(tmp_path: Path) -> None:
    root = hostile_site(tmp_path / "site")
    outside_before = snapshot(tmp_path, skip="site/public")
    result = run_journal("build", "--today", TODAY, cwd=root)
    assert result.returncode == 0, result.stderr
    public = root / "public"
    assert_all_inside(public)
    assert (
        snapshot(tmp_path, skip="site/public") == outside_before
    )  # nothing written beside or above public/
    # The look-alikes were turned into harmless slugs (NFKC folds ／ and ․ into / and .,
    # which a slug turns into hyphens) or kept as ordinary file names.
    day = public / "2026/11/20"
    assert {p.parent.relative_to(day).as_posix() for p in day.rglob("index.html")} == {
        ".",  # the first file by name: 2026-11-20-..／..／second.md
        "tags-that-look-like-paths",
        "third",
    }
    assert (public / "img/a..／photo.png").read_bytes() == b"\x89PNG fake"
    assert (public / "img/∕photo.png").read_bytes() == b"\x89PNG fake 2"
    tag_dirs = {p.name for p in (public / "tags").iterdir() if p.is_dir()}
    assert all(name not in ("..", ".", "") for name in tag_dirs)
    assert "escape" in tag_dirs and "etc-passwd" in tag_dirs


def test_a_slug_that_names_a_path_is_an_error(site) -> None:
    root = site(
        {
            "content/2026-11-20.md": "---\ntitle: one\n---\n",
            "content/2026-11-20-b.md": "---\nslug: ../../../escape\n---\n",
            "content/2026-11-20-c.md": "---\nslug: C:\\\\evil\n---\n",
            "content/2026-11-20-d.md": '---\nslug: "a\\0b"\n---\n',
        }
    )
    result = run_journal("build", "--today", TODAY, cwd=root)
    assert result.returncode == 1
    for name in ("b", "c", "d"):
        assert f"content/2026-11-20-{name}.md:2: slug:" in result.stderr
    assert not (root / "public").exists()
    assert not (root.parent / "escape").exists()


@pytest.mark.parametrize(
    "name",
    ["C:\\evil.png", "C:evil.png", "back\\slash.png"],
)
def test_an_asset_name_that_is_a_path_elsewhere_is_refused_with_its_name(site, name: str) -> None:
    root = site({"content/2026-11-20.md": "---\ntitle: x\n---\n", f"content/{name}": b"png"})
    result = run_journal("build", "--today", TODAY, cwd=root)
    assert result.returncode == 1
    assert f"content/{name}: would write outside the output folder" in result.stderr
    assert not (root / "public").exists()


def test_links_out_of_content_are_reported_and_not_followed(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    write_files(secret, {"diary.md": "---\ntitle: SECRET ENTRY\n---\nprivate\n", "key.txt": "KEY"})
    root = write_files(tmp_path / "site", {"content/2026-11-20.md": "---\ntitle: mine\n---\n"})
    content = root / "content"
    (content / "2026-11-21.md").symlink_to(secret / "diary.md")  # a file link out
    (content / "linked-folder").symlink_to(secret, target_is_directory=True)  # a folder link
    (content / "key.txt").symlink_to(secret / "key.txt")
    (content / "broken.md").symlink_to(tmp_path / "nowhere.md")
    (content / "2026-11-22-copy.md").symlink_to(content / "2026-11-20.md")  # inside: read

    for command in ("build", "check"):
        result = run_journal(command, "--today", TODAY, cwd=root)
        assert result.returncode in (0, 1), result.stderr
        for rel in ("2026-11-21.md", "key.txt", "broken.md"):
            assert f"warning: content/{rel}: is a link to a file outside the content folder" in (
                result.stderr
            ), command
        assert "warning: content/linked-folder: is a link to a folder" in result.stderr
    public = root / "public"
    built = "".join(p.read_text("utf-8", "replace") for p in public.rglob("*") if p.is_file())
    assert "SECRET ENTRY" not in built and "KEY" not in built
    assert not (public / "linked-folder").exists() and not (public / "key.txt").exists()
    assert_all_inside(public)


def test_static_links_out_of_the_journal_are_refused_and_never_published(
    tmp_path: Path,
) -> None:
    secret = write_files(tmp_path / "secret", {"key.txt": "SECRET KEY", "more/a.txt": "SECRET A"})
    root = write_files(
        tmp_path / "site",
        {"content/2026-11-20.md": "---\ntitle: mine\n---\n", "static/ok.txt": "fine"},
    )
    static = root / "static"
    (static / "key.txt").symlink_to(secret / "key.txt")
    (static / "more").symlink_to(secret / "more", target_is_directory=True)
    (static / "inside.md").symlink_to(root / "content" / "2026-11-20.md")  # inside: fine

    result = run_journal("build", "--today", TODAY, cwd=root)
    assert result.returncode == 1, result.stderr
    for rel in ("static/key.txt", "static/more"):
        assert f"error: {rel}: is a symbolic link to something outside the journal folder" in (
            result.stderr
        )
    assert "inside.md" not in result.stderr
    public = root / "public"
    assert not public.exists() or not any(
        b"SECRET" in p.read_bytes() for p in public.rglob("*") if p.is_file()
    )

    (static / "key.txt").unlink()
    (static / "more").unlink()
    result = run_journal("build", "--today", TODAY, cwd=root)
    assert result.returncode == 0, result.stderr
    assert any(p.name.startswith("inside.") for p in (public / "static").iterdir())


def refused(result, what: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "refusing to build into" in result.stderr and what in result.stderr, result.stderr


@pytest.mark.parametrize("how", ["--out", "journal.toml"])
@pytest.mark.parametrize(
    ("target", "what"),
    [
        (".", "it is the site folder"),
        ("content", "it is the content folder"),
        ("content/public", "inside the content folder"),
        ("..", "it contains the site folder"),
        ("../..", "it is your home folder"),
        ("HOME", "it is your home folder"),
        ("HOME/..", "it contains"),
        ("/", "it is the root of the file system"),
        ("../../documents", "it holds files that journal did not build"),
        ("notes.txt", "it is a file, not a folder"),
    ],
)
def test_dangerous_output_folders_are_refused_before_anything_is_touched(
    tmp_path: Path, how: str, target: str, what: str
) -> None:
    home = tmp_path / "home"
    root = write_files(
        home / "journals" / "journal",
        {
            "content/2026-11-20.md": "---\ntitle: keep me\n---\nprecious words\n",
            "notes.txt": "mine",
        },
    )
    write_files(home, {"documents/thesis.txt": "years of work", ".profile": "x"})
    target = target.replace("HOME", str(home))
    args = ["build", "--today", TODAY]
    if how == "--out":
        args += ["--out", target]
    else:
        (root / "journal.toml").write_text(f'output = "{target}"\n', encoding="utf-8")
    before = snapshot(tmp_path)
    result = run_journal(*args, cwd=root, env={"HOME": str(home)})
    refused(result, what)
    assert snapshot(tmp_path) == before  # not one file touched
