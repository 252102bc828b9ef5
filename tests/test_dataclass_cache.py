"""The cache of code compiled for dataclasses' methods (splitter/dataclass_cache.py): reused, the same classes."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from splitter import dataclass_cache
from splitter.dataclass_cache import cache_file, cached_dataclass_code


@pytest.fixture(autouse=True)
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("SPLITTER_NO_CACHE", raising=False)
    return tmp_path


def make_point():
    @dataclasses.dataclass(frozen=True)
    class Point:
        x: int
        label: str = "origin"
        tags: list[str] = dataclasses.field(default_factory=list)

    return Point


def compiled_in(monkeypatch) -> list[str]:
    """Source texts the cache compiles (not found in the cache file) from now on."""
    sources: list[str] = []

    def spy(source, *args, **kwargs):
        sources.append(source)
        return compile(source, *args, **kwargs)

    monkeypatch.setattr(dataclass_cache, "compile", spy, raising=False)
    return sources


def test_a_second_run_compiles_nothing(monkeypatch):
    first = compiled_in(monkeypatch)
    with cached_dataclass_code("plan"):
        make_point()
    assert first and cache_file("plan").is_file()
    again = compiled_in(monkeypatch)
    with cached_dataclass_code("plan"):
        make_point()
    assert again == []


def test_cached_classes_behave_as_compiled_ones():
    plain = make_point()
    for _ in range(2):  # the first run compiles and writes, the second reads the cache file
        with cached_dataclass_code("apply"):
            cached = make_point()
    assert cached(1) == cached(1, "origin", []) and cached(1) != cached(2)
    assert repr(cached(3, "a")) == repr(plain(3, "a")).replace(plain.__qualname__, cached.__qualname__)
    assert inspect.signature(cached) == inspect.signature(plain)
    assert cached.__init__.__annotations__ == plain.__init__.__annotations__
    with pytest.raises(dataclasses.FrozenInstanceError):
        cached(1).x = 2
    assert hash(cached(1, "a", ())) == hash(plain(1, "a", ()))


def test_the_stdlib_is_left_as_it_was():
    with cached_dataclass_code("plan"):
        assert dataclasses.exec is not exec
    assert not hasattr(dataclasses, "exec")
    with pytest.raises(RuntimeError), cached_dataclass_code("plan"):
        raise RuntimeError("the block failed")
    assert not hasattr(dataclasses, "exec")


@pytest.mark.parametrize(
    "content",
    [pytest.param(b"", id="empty"), pytest.param(b"\x00garbage", id="garbage"), pytest.param(b"N", id="not-a-dict")],
)
def test_an_unreadable_cache_is_compiled_again(content, monkeypatch):
    path = cache_file("plan")
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    compiled = compiled_in(monkeypatch)
    with cached_dataclass_code("plan"):
        point = make_point()
    assert compiled and point(1).label == "origin"
    assert path.stat().st_size > len(content)  # written again, whole


def test_no_cache_when_asked_or_when_it_cannot_be_written(cache_home, monkeypatch):
    monkeypatch.setenv("SPLITTER_NO_CACHE", "1")
    with cached_dataclass_code("plan"):
        make_point()
    assert not cache_file("plan").exists()
    monkeypatch.delenv("SPLITTER_NO_CACHE")
    (cache_home / "splitter").write_text("a file where the cache folder would be")
    with cached_dataclass_code("plan"):
        assert make_point()(1).x == 1
    assert list(cache_home.iterdir()) == [cache_home / "splitter"]
