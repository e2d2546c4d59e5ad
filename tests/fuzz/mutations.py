"""A small, deterministic mutation engine: a seed document and a random.Random in, bytes out.

Each case is made from its own ``random.Random`` seeded with the run's seed, the target's name
and the case number, so one case can be rebuilt alone (see ``case_input``) whatever ran before.
The operations are the classic ones of mutation fuzzers (bit flips, interesting integers,
chunk deletion, duplication and swapping, truncation, splicing two seeds, dictionary tokens),
stacked a few at a time.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

# Values that sit on the edges of length, count and size fields.
_INTERESTING_8 = (0x00, 0x01, 0x7F, 0x80, 0xFF)
_INTERESTING_16 = (0x0000, 0x0001, 0x00FF, 0x7FFF, 0x8000, 0xFFFF)
_INTERESTING_32 = (0x00000000, 0x00000001, 0x0000FFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF)
# How many mutations are stacked on one case; mostly few, so most cases stay near a valid file.
_STACK = (1, 1, 1, 1, 2, 2, 3, 4, 8, 16)

Mutation = Callable[[bytearray, random.Random, Sequence[bytes], Sequence[bytes]], bytearray]


def _span(data: bytearray, rng: random.Random, longest: int = 256) -> tuple[int, int]:
    """A random [start, end) inside data, mostly short."""
    if not data:
        return 0, 0
    start = rng.randrange(len(data))
    length = min(len(data) - start, 1 + int(rng.expovariate(1 / 16)), longest)
    return start, start + length


def flip_bit(data: bytearray, rng: random.Random, *_: Sequence[bytes]) -> bytearray:
    if data:
        at = rng.randrange(len(data))
        data[at] ^= 1 << rng.randrange(8)
    return data


def set_byte(data: bytearray, rng: random.Random, *_: Sequence[bytes]) -> bytearray:
    if data:
        value = rng.choice(_INTERESTING_8) if rng.random() < 0.5 else rng.randrange(256)
        data[rng.randrange(len(data))] = value
    return data


def set_word(data: bytearray, rng: random.Random, *_: Sequence[bytes]) -> bytearray:
    width, values = rng.choice(((2, _INTERESTING_16), (4, _INTERESTING_32)))
    if len(data) >= width:
        at = rng.randrange(len(data) - width + 1)
        order = rng.choice(("big", "little"))
        data[at : at + width] = rng.choice(values).to_bytes(width, order)
    return data


def add_to_byte(data: bytearray, rng: random.Random, *_: Sequence[bytes]) -> bytearray:
    if data:
        at = rng.randrange(len(data))
        data[at] = (data[at] + rng.choice((-16, -2, -1, 1, 2, 16))) % 256
    return data


def delete_chunk(data: bytearray, rng: random.Random, *_: Sequence[bytes]) -> bytearray:
    start, end = _span(data, rng)
    del data[start:end]
    return data


def duplicate_chunk(data: bytearray, rng: random.Random, *_: Sequence[bytes]) -> bytearray:
    start, end = _span(data, rng)
    chunk = bytes(data[start:end])
    at = rng.randrange(len(data) + 1)
    data[at:at] = chunk * rng.choice((1, 1, 2, 4, 64))
    return data


def swap_chunks(data: bytearray, rng: random.Random, *_: Sequence[bytes]) -> bytearray:
    a_start, a_end = _span(data, rng)
    b_start, b_end = _span(data, rng)
    if a_end <= b_start:
        return (
            data[:a_start] + data[b_start:b_end] + data[a_end:b_start]
            + data[a_start:a_end] + data[b_end:]
        )  # fmt: skip
    return data


def insert_random(data: bytearray, rng: random.Random, *_: Sequence[bytes]) -> bytearray:
    at = rng.randrange(len(data) + 1)
    data[at:at] = rng.randbytes(1 + int(rng.expovariate(1 / 8)))
    return data


def insert_token(
    data: bytearray, rng: random.Random, tokens: Sequence[bytes], _: Sequence[bytes]
) -> bytearray:
    if tokens:
        at = rng.randrange(len(data) + 1)
        token = rng.choice(tokens)
        if rng.random() < 0.5:
            data[at:at] = token
        else:
            data[at : at + len(token)] = token
    return data


def truncate(data: bytearray, rng: random.Random, *_: Sequence[bytes]) -> bytearray:
    if data:
        del data[rng.randrange(len(data)) :]
    return data


def splice(
    data: bytearray, rng: random.Random, _: Sequence[bytes], seeds: Sequence[bytes]
) -> bytearray:
    other = rng.choice(seeds)
    if not data or not other:
        return data
    return data[: rng.randrange(len(data))] + other[rng.randrange(len(other)) :]


MUTATIONS: tuple[Mutation, ...] = (
    flip_bit,
    set_byte,
    set_word,
    add_to_byte,
    delete_chunk,
    duplicate_chunk,
    swap_chunks,
    insert_random,
    insert_token,
    insert_token,
    truncate,
    splice,
)


def mutate(
    seed: bytes,
    rng: random.Random,
    tokens: Sequence[bytes] = (),
    seeds: Sequence[bytes] = (),
    max_size: int = 1 << 20,
) -> bytes:
    """A mutated copy of ``seed``: a few operations stacked, at most ``max_size`` bytes."""
    data = bytearray(seed)
    for _ in range(rng.choice(_STACK)):
        data = rng.choice(MUTATIONS)(data, rng, tokens, seeds or (seed,))
    return bytes(data[:max_size])


def case_rng(run_seed: int, target: str, index: int) -> random.Random:
    """The random source of one case, independent of every other case."""
    return random.Random(f"{run_seed}:{target}:{index}")


def case_input(
    run_seed: int,
    target: str,
    index: int,
    seeds: Sequence[bytes],
    tokens: Sequence[bytes] = (),
    foreign: Sequence[bytes] = (),
) -> bytes:
    """The input of case ``index``: mostly a target's own seeds, now and then a foreign one
    (another parser's document), and case 0 is the first seed unchanged."""
    if index == 0:
        return seeds[0]
    rng = case_rng(run_seed, target, index)
    pool = foreign if foreign and rng.random() < 0.1 else seeds
    return mutate(rng.choice(pool), rng, tokens, [*seeds, *foreign])


def minimise(data: bytes, fails: Callable[[bytes], bool], budget: int = 400) -> bytes:
    """A shorter input that still fails: remove ever smaller chunks while it keeps failing
    (delta debugging), within ``budget`` runs."""
    runs = 0
    chunk = max(1, len(data) // 2)
    while chunk >= 1 and runs < budget:
        at, shrunk = 0, False
        while at < len(data) and runs < budget:
            candidate = data[:at] + data[at + chunk :]
            runs += 1
            if candidate and fails(candidate):
                data, shrunk = candidate, True
            else:
                at += chunk
        if not shrunk:
            chunk //= 2
    return data
