"""Fixtures of the assistant's tests: one MiniLM retriever, one tiny model and its real Generator per session."""

from __future__ import annotations

import pytest

SECTIONS = ("3.3", "3.5", "11.1", "11.5", "16.1", "19.3", "19.7", "7.6", "7.7")


@pytest.fixture(scope="session")
def retriever():
    from tests.support.assistant import manual_retriever

    return manual_retriever(SECTIONS)


@pytest.fixture(scope="session")
def classifier(retriever):
    from guardrails.ports import EmbeddingCache
    from guardrails.safety import SafetyClassifier

    embed = EmbeddingCache(retriever.embed)
    return SafetyClassifier.build(embed), embed


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    """(base HF folder, {adapter: PEFT folder}): a random tiny Llama with random default adapters."""
    from tests.support.assistant import tiny_model

    return tiny_model(tmp_path_factory.mktemp("tiny-model"))


@pytest.fixture(scope="session")
def generator(tiny_model):
    """The real runtime Generator (torch) on the tiny model, behind a spy that records requests."""
    from tests.support.assistant import RecordingGenerator, open_generator

    spy = RecordingGenerator(open_generator(*tiny_model))
    yield spy
    spy.close()


@pytest.fixture(scope="session")
def assistant(retriever, generator):
    from guardrails.assistant import Assistant
    from tests.support.assistant import ports

    with Assistant(ports(retriever, generator)) as a:
        yield a
