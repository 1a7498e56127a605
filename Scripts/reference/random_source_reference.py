#!/usr/bin/env python3
"""Independent reference for RandomSource (xoshiro256** seeded by SplitMix64).

Writes Tests/LinearAlgebraTests/Fixtures/random_source.json: the first raw outputs,
uniform doubles, bounded integers and a permutation for a few seeds. The Swift tests
compare against this file, so the generator's sequence is pinned on every machine.
Run from the repository root: python3 Scripts/reference/random_source_reference.py
Needs only the Python standard library.
"""
import json
import os

MASK = (1 << 64) - 1


def splitmix64(state):
    while True:
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        yield z ^ (z >> 31)


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK


class Xoshiro:
    def __init__(self, seed):
        mixer = splitmix64(seed & MASK)
        self.s = [next(mixer) for _ in range(4)]

    def next(self):
        s = self.s
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def next_double(self):
        return (self.next() >> 11) * 2.0 ** -53

    def next_int_below(self, bound):
        product = self.next() * bound
        low = product & MASK
        if low < bound:
            threshold = ((1 << 64) - bound) % bound
            while low < threshold:
                product = self.next() * bound
                low = product & MASK
        return product >> 64

    def permutation(self, n):
        items = list(range(n))
        for i in range(n - 1, 0, -1):
            j = self.next_int_below(i + 1)
            items[i], items[j] = items[j], items[i]
        return items


def case(seed):
    raw = Xoshiro(seed)
    doubles = Xoshiro(seed)
    ints = Xoshiro(seed)
    perm = Xoshiro(seed)
    return {
        "seed": str(seed),
        "raw": [str(raw.next()) for _ in range(8)],
        "doubles": [doubles.next_double() for _ in range(8)],
        "intsBelow7": [ints.next_int_below(7) for _ in range(16)],
        "permutation20": perm.permutation(20),
    }


def main():
    cases = [case(seed) for seed in (0, 1, 42, 27062020, (1 << 64) - 1)]
    out = os.path.join("Tests", "LinearAlgebraTests", "Fixtures", "random_source.json")
    with open(out, "w") as handle:
        json.dump({"generator": "xoshiro256** seeded by SplitMix64", "cases": cases}, handle, indent=1)
        handle.write("\n")


if __name__ == "__main__":
    main()
