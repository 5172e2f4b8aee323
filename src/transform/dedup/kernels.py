"""Compiled near-duplicate kernels (numba, GIL released) on Arrow string buffers.

Descriptions are read straight from Arrow string buffers, so no Python string is made per description.
Per document: HTML tags skipped, letters case- and accent-folded, every other character (digits,
punctuation, symbols) separates words; word shingles; a one-permutation MinHash signature
(:func:`_sign_range`). Per block: identical word sequences grouped by hash, LSH banding over the distinct
texts, candidates verified on the whole signature, union-find with the earliest as the root
(:func:`_group_range`). The hash constants are fixed, so every run gives the same signatures.
:mod:`.near` drives these over threads; :mod:`.reference` reads one text the same way in Python.
"""

from __future__ import annotations

import functools
import unicodedata
from typing import Any

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core.extending import intrinsic

_U32_MAX = np.uint32(0xFFFFFFFF)
_WORD_SEED = np.uint64(0xCBF29CE484222325)
_SHINGLE_SEED = np.uint64(0x243F6A8885A308D3)
_TEXT_SEED = np.uint64(0x13198A2E03707344)
_BAND_SEED = np.uint64(0xA4093822299F31D0)
_PROBE_SEED = np.uint64(0x082EFA98EC4E6C89)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MULT = np.uint64(0x100000001B3)  # FNV prime: odd, so each (x ^ v) * _MULT step is a bijection
_CHUNK_MULT = np.uint64(0x9FB21C651E98DF25)  # odd, dense bits: spreads an 8-byte chunk of a word
_LOW = np.uint64(0x0101010101010101)
_HIGH = np.uint64(0x8080808080808080)
_CASE = np.uint64(0x2020202020202020)  # bit 5 of each byte: ASCII letters to lower case
#: Longest HTML tag skipped, in bytes (``_TAG_RE`` counts characters: the same for ASCII markup).
_TAG_MAX = 500


@njit(cache=True, nogil=True)
def _mix(x: np.uint64) -> np.uint64:
    """splitmix64 finaliser: a bijective 64-bit mix (wrapping arithmetic)."""
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _py_mix(x: int) -> int:
    mask = (1 << 64) - 1
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & mask
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & mask
    return x ^ (x >> 31)


def _py_word_hash(word: bytes) -> int:
    """The kernel's hash of a folded word (``_word_hash``): 8-byte little-endian chunks, then the length."""
    h = int(_WORD_SEED)
    for at in range(0, len(word), 8):
        h = ((h ^ int.from_bytes(word[at : at + 8], "little")) * int(_CHUNK_MULT)) & ((1 << 64) - 1)
    return _py_mix(h ^ len(word))


#: ``&`` reads as the word "and" (``"R&D"`` → r, and, d), as ``_fold`` spells it out.
_AND = np.uint64(_py_word_hash(b"and"))
#: Byte classes for the per-byte path: 0 separator, 1 ASCII letter, 2 handled apart ('<', '&', non-ASCII).
_BYTE_CLASS = np.zeros(256, dtype=np.uint8)
_BYTE_CLASS[ord("a") : ord("z") + 1] = 1
_BYTE_CLASS[ord("A") : ord("Z") + 1] = 1
_BYTE_CLASS[[ord("<"), ord("&")]] = 2
_BYTE_CLASS[0x80:] = 2
#: ``_fold_tables`` marks code points that vanish (combining accents) with this length, as NFKD plus
#: dropping the combining marks did: ``"e\u0301cole"`` reads like ``"école"``, one word.
_IGNORED = 255


@functools.cache
def _fold_tables() -> tuple[np.ndarray, np.ndarray]:
    """How each BMP code point reads in a description: ``(length, utf8)``, the folded letters as UTF-8.

    Letters fold like NFKD without accents where that gives ASCII letters (é → e, ﬁ → fi, Ａ → a); other
    letters are kept, lower-cased (д, ß, 中: previously dropped, now words). Length 0: a separator
    (digits, punctuation, symbols, spaces); ``_IGNORED``: dropped inside a word (combining accents).
    Built once per process (~0.2 s).
    """
    length = np.zeros(0x10000, dtype=np.uint8)
    utf8 = np.zeros((0x10000, 3), dtype=np.uint8)
    for cp in range(0x10000):
        if 0xD800 <= cp <= 0xDFFF:  # surrogates never occur in valid UTF-8
            continue
        ch = chr(cp)
        if unicodedata.combining(ch):
            length[cp] = _IGNORED
            continue
        folded = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)).lower()
        if not (folded and len(folded) <= 3 and all("a" <= c <= "z" for c in folded)):
            if not unicodedata.category(ch).startswith("L"):
                continue
            lower = ch.lower()
            folded = lower if len(lower) == 1 and ord(lower) < 0x10000 else ch
        raw = folded.encode()
        length[cp] = len(raw)
        utf8[cp, : len(raw)] = list(raw)
    return length, utf8


@intrinsic
def _load8(typingctx: Any, data: Any, at: Any) -> Any:
    """``data[at:at + 8]`` (uint8 array) as one little-endian uint64: one unaligned load, no bounds check."""
    if not (isinstance(data, types.Array) and data.dtype == types.uint8 and isinstance(at, types.Integer)):
        return None

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        array = context.make_array(signature.args[0])(context, builder, args[0])
        index = context.cast(builder, args[1], signature.args[1], types.intp)
        ptr = builder.gep(array.data, [index])
        return builder.load(builder.bitcast(ptr, ir.IntType(64).as_pointer()), align=1)

    return types.uint64(data, at), codegen


@njit(cache=True, nogil=True)
def _has_byte(x: np.uint64, byte: int) -> bool:
    """Whether any byte of ``x`` equals ``byte`` (the classic SWAR zero-byte test)."""
    v = x ^ (_LOW * np.uint64(byte))
    return ((v - _LOW) & ~v & _HIGH) != np.uint64(0)


@njit(cache=True, nogil=True)
def _word_hash(data: np.ndarray, start: int, end: int) -> np.uint64:
    """Hash of the ASCII-letter word ``data[start:end]`` in lower case, read 8 bytes at a time.

    Words of up to 16 letters (nearly all) take two loads and no data-dependent branch.
    """
    size = end - start
    if size <= 16 and start + 16 <= data.size:
        ones = ~np.uint64(0)
        first = (_load8(data, start) | _CASE) & (ones >> np.uint64(64 - 8 * min(size, 8)))
        rest = max(size - 8, 1)
        second = (_load8(data, start + 8) | _CASE) & (ones >> np.uint64(64 - 8 * rest))
        h = (_WORD_SEED ^ first) * _CHUNK_MULT
        h2 = (h ^ second) * _CHUNK_MULT
        return _mix((h2 if size > 8 else h) ^ np.uint64(size))
    h = _WORD_SEED
    x = np.uint64(0)
    filled = 0
    for at in range(start, end):  # long words, and the end of the buffer (no load past it)
        h, x, filled = _feed(h, x, filled, data[at] | 32)
    return _finish(h, x, filled, size)


@njit(cache=True, nogil=True)
def _feed(h: np.uint64, x: np.uint64, filled: int, byte: int) -> tuple[np.uint64, np.uint64, int]:
    """Append a byte to a word hashed as it is read: ``x`` holds the ``filled`` bytes of the open chunk."""
    x |= np.uint64(byte) << np.uint64(8 * filled)
    if filled == 7:
        return (h ^ x) * _CHUNK_MULT, np.uint64(0), 0
    return h, x, filled + 1


@njit(cache=True, nogil=True)
def _finish(h: np.uint64, x: np.uint64, filled: int, length: int) -> np.uint64:
    if filled:
        h = (h ^ x) * _CHUNK_MULT
    return _mix(h ^ np.uint64(length))


#: For each 8-bit mask: the positions of its set bits, lowest first, one per byte; and how many.
_BIT_POS = np.zeros(256, dtype=np.uint64)
_BIT_COUNT = np.zeros(256, dtype=np.int64)
for _mask in range(256):
    _bits = [j for j in range(8) if _mask >> j & 1]
    _BIT_POS[_mask] = sum(j << (8 * t) for t, j in enumerate(_bits))
    _BIT_COUNT[_mask] = len(_bits)
del _mask, _bits


@njit(cache=True, nogil=True)
def _tokenise(
    data: np.ndarray,
    start: int,
    end: int,
    fold_len: np.ndarray,
    fold_utf8: np.ndarray,
    out: np.ndarray,
    bounds: np.ndarray,
) -> int:
    """Hashes of the words of ``data[start:end]`` (UTF-8) into ``out``; returns how many.

    A word's hash covers its folded letters as UTF-8 (``_py_word_hash``). Plain ASCII goes 8 bytes at a
    time without a branch per word: a letter mask (SWAR), its bit transitions written out as word
    boundaries (``bounds``: start, end, start, end, …), the words hashed straight from the buffer
    afterwards. Tags, ``&`` and non-ASCII bytes go byte by byte; a word with folded letters is hashed as
    it is read (``h, x, filled``: the same hash, built chunk by chunk) and stored in ``out`` at once,
    marked by a negative start. ``out`` and ``bounds`` need ``end - start + 1`` and
    ``2 * (end - start) + 8`` slots (a word takes at least one byte).
    """
    nb = 0  # boundaries written; odd: a direct word is open (its start is bounds[nb - 1])
    acc_open = False  # a word hashed as it is read is open
    h, x, filled, length = _WORD_SEED, np.uint64(0), 0, 0
    i = start
    while i < end:
        if not acc_open:
            # whether the byte before this chunk is a letter: carried from mask to mask, not read from nb,
            # so that each chunk does not wait for the previous chunk's count (a loop-carried dependency)
            before = np.uint64(nb & 1)
            while i + 8 <= end:  # the fast path, as a tight loop of its own
                chunk = _load8(data, i)
                if (chunk & _HIGH) != 0 or _has_byte(chunk, 60) or _has_byte(chunk, 38):
                    break
                low = chunk | _CASE  # every byte < 0x80: the adds below never carry into the next byte
                hi = (low + np.uint64(0x1F1F1F1F1F1F1F1F)) & ~(low + np.uint64(0x0505050505050505)) & _HIGH
                # gather the 8 high bits into one byte: bit j says byte j is a letter
                mask = ((hi >> np.uint64(7)) * np.uint64(0x0102040810204080)) >> np.uint64(56)
                edges = (mask ^ ((mask << np.uint64(1)) | before)) & np.uint64(0xFF)
                before = mask >> np.uint64(7)
                pos = _BIT_POS[edges]
                at = np.uint64(nb)  # unsigned indices: no negative-index wraparound code in this loop
                for t in range(4):  # unconditionally: a branch per word boundary would mispredict
                    bounds[at + np.uint64(t)] = i + np.int64((pos >> np.uint64(8 * t)) & np.uint64(0xFF))
                count = _BIT_COUNT[edges]
                if count > 4:  # rare: five or more boundaries in 8 bytes ("a b c d")
                    for t in range(4, 8):
                        bounds[at + np.uint64(t)] = i + np.int64((pos >> np.uint64(8 * t)) & np.uint64(0xFF))
                nb += count
                i += 8
            if i >= end:
                break
        c = data[i]
        if _BYTE_CLASS[c] == 1:
            if acc_open:
                h, x, filled = _feed(h, x, filled, c | 32)
                length += 1
            elif not nb & 1:
                bounds[nb] = i
                nb += 1
            i += 1
            continue
        width = 1
        folded = 0  # bytes of the folded letter, 0: a separator, _IGNORED: dropped
        cp = 0
        if c >= 128:
            b = np.int64(c)
            if 0xC2 <= b <= 0xDF and i + 1 < end:
                cp = ((b & 0x1F) << 6) | (np.int64(data[i + 1]) & 0x3F)
                width = 2
            elif 0xE0 <= b <= 0xEF and i + 2 < end:
                cp = (
                    ((b & 0x0F) << 12)
                    | ((np.int64(data[i + 1]) & 0x3F) << 6)
                    | (np.int64(data[i + 2]) & 0x3F)
                )
                width = 3
            elif 0xF0 <= b <= 0xF4:  # outside the BMP (emoji): a separator
                width = 4
            if width < 4:
                folded = np.int64(fold_len[cp])
        if folded > 0:
            if nb & 1:  # an open direct word goes on hashed as it is read: take over its letters
                nb -= 1
                h, x, filled, length = _WORD_SEED, np.uint64(0), 0, i - bounds[nb]
                for at in range(bounds[nb], i):
                    h, x, filled = _feed(h, x, filled, data[at] | 32)
                acc_open = True
            if folded != _IGNORED:
                if not acc_open:
                    h, x, filled, length = _WORD_SEED, np.uint64(0), 0, 0
                    acc_open = True
                for t in range(folded):
                    h, x, filled = _feed(h, x, filled, fold_utf8[cp, t])
                length += folded
            i += width
            continue
        if nb & 1:  # a separator ends the open word
            bounds[nb] = i
            nb += 1
        elif acc_open:
            out[nb // 2] = _finish(h, x, filled, length)
            bounds[nb] = -1
            nb += 2
            acc_open = False
        if c == 60:  # '<' opens a tag when '>' follows within _TAG_MAX bytes and no other '<' does
            j = i + 1
            stop = min(end, i + _TAG_MAX + 2)
            while j < stop and data[j] != 62 and data[j] != 60:
                j += 1
            i = j + 1 if j < stop and data[j] == 62 else i + 1
            continue
        if c == 38:
            out[nb // 2] = _AND
            bounds[nb] = -1
            nb += 2
        i += width
    if nb & 1:
        bounds[nb] = end
        nb += 1
    elif acc_open:
        out[nb // 2] = _finish(h, x, filled, length)
        bounds[nb] = -1
        nb += 2
    for w in range(nb // 2):
        first = bounds[np.uint64(2 * w)]
        if first >= 0:
            out[np.uint64(w)] = _word_hash(data, first, bounds[np.uint64(2 * w + 1)])
    return nb // 2


@njit(cache=True, nogil=True)
def _window(words: np.ndarray, k: int) -> tuple[np.uint64, np.uint64]:
    """The first shingle's rolling state over ``words[:k]`` and ``_MULT ** (k - 1)``.

    Shingles are a rolling polynomial over the (already mixed) word hashes, then a mix: order-sensitive,
    and two multiplications per shingle whatever ``k``.
    """
    top = np.uint64(1)  # the weight of the word that leaves the window
    for _ in range(k - 1):
        top *= _MULT
    acc = np.uint64(0)
    for j in range(k):
        acc = acc * _MULT + words[j]
    return acc, top


@njit(cache=True, nogil=True)
def _slide(acc: np.uint64, top: np.uint64, leaving: np.uint64, entering: np.uint64) -> np.uint64:
    return (acc - leaving * top) * _MULT + entering


@njit(cache=True, nogil=True)
def _shingle_hashes(words: np.ndarray, n: int, k: int) -> np.ndarray:
    """Hashes of the word ``k``-shingles of ``words[:n]`` (fewer words: one shingle of all of them)."""
    if n == 0:
        return np.empty(0, dtype=np.uint64)
    kk = min(k, n)
    out = np.empty(n - kk + 1, dtype=np.uint64)
    acc, top = _window(words, kk)
    out[0] = _mix(acc ^ _SHINGLE_SEED)
    for s in range(1, n - kk + 1):
        acc = _slide(acc, top, words[s - 1], words[s + kk - 1])
        out[s] = _mix(acc ^ _SHINGLE_SEED)
    return out


@njit(cache=True, nogil=True)
def _sign(
    words: np.ndarray, n: int, k: int, out: np.ndarray, vals: np.ndarray, filled: np.ndarray
) -> np.uint64:
    """One-permutation MinHash of the ``k``-shingles of ``words[:n]`` (``n`` ≥ 1) into ``out``.

    Each shingle hash (``_shingle_hashes``, computed inline here) picks a bin with its high 32 bits and
    competes for the bin's minimum with its low 32 bits. Empty bins (short texts) are filled by optimal
    densification (Shrivastava, 2017): bin ``b`` copies the first non-empty bin of a probe sequence that
    depends on ``b`` only, so two documents agree on a filled bin with probability equal to their Jaccard
    similarity. ``vals`` and ``filled`` are scratch space. Returns the hash of the whole word sequence
    (equal for identical normalised texts).
    """
    nbins = np.uint64(out.size)
    vals[:] = _U32_MAX
    filled[:] = False
    kk = min(k, n)
    acc, top = _window(words, kk)
    t = _TEXT_SEED
    for j in range(kk):
        t = (t ^ words[j]) * _MULT
    for s in range(n - kk + 1):
        u = np.uint64(s)  # unsigned indices: no negative-index wraparound code in the hot loop
        if s:
            entering = words[u + np.uint64(kk - 1)]
            acc = _slide(acc, top, words[u - np.uint64(1)], entering)
            t = (t ^ entering) * _MULT
        x = _mix(acc ^ _SHINGLE_SEED)
        b = ((x >> np.uint64(32)) * nbins) >> np.uint64(32)
        vals[b] = min(vals[b], np.uint32(x & np.uint64(0xFFFFFFFF)))  # branch-free: minima are unpredictable
        filled[b] = True
    for b in range(out.size):
        if filled[b]:
            out[b] = vals[b]
            continue
        p = b
        for attempt in range(1, 64 * out.size + 1):
            x = _mix(_PROBE_SEED ^ (np.uint64(b) * _GOLDEN + np.uint64(attempt)))
            p = np.int64(((x >> np.uint64(32)) * nbins) >> np.uint64(32))
            if filled[p]:
                break
        while not filled[p]:  # never in practice: bounded probes, then a scan
            p = (p + 1) % out.size
        out[b] = vals[p]
    return _mix(t ^ np.uint64(n))


@njit(cache=True, nogil=True)
def _sign_range(
    offsets: np.ndarray,
    data: np.ndarray,
    valid: np.ndarray,
    rows: np.ndarray,
    lo: int,
    hi: int,
    k: int,
    fold_len: np.ndarray,
    fold_utf8: np.ndarray,
    sig: np.ndarray,
    text_hash: np.ndarray,
    nwords: np.ndarray,
) -> None:
    """Sign strings ``lo``..``hi`` of an Arrow string array into rows ``rows[i]`` of the outputs."""
    nbins = sig.shape[1]
    longest = 0
    for i in range(lo, hi):
        longest = max(longest, offsets[i + 1] - offsets[i])
    words = np.empty(longest + 1, dtype=np.uint64)
    bounds = np.empty(2 * longest + 8, dtype=np.int64)
    vals = np.empty(nbins, dtype=np.uint32)
    filled = np.empty(nbins, dtype=np.bool_)
    for i in range(lo, hi):
        r = rows[i]
        n = _tokenise(data, offsets[i], offsets[i + 1], fold_len, fold_utf8, words, bounds) if valid[i] else 0
        nwords[r] = n
        if n == 0:
            text_hash[r] = 0
            sig[r, :] = 0
        else:
            text_hash[r] = _sign(words, n, k, sig[r], vals, filled)


@njit(cache=True, nogil=True)
def _tokenise_one(data: np.ndarray, fold_len: np.ndarray, fold_utf8: np.ndarray, k: int) -> np.ndarray:
    words = np.empty(data.size + 1, dtype=np.uint64)
    n = _tokenise(data, 0, data.size, fold_len, fold_utf8, words, np.empty(2 * data.size + 8, dtype=np.int64))
    return _shingle_hashes(words, n, k)


@njit(cache=True, nogil=True)
def _find(parent: np.ndarray, i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]  # path halving
        i = parent[i]
    return i


@njit(cache=True, nogil=True)
def _equal(sig: np.ndarray, a: int, b: int) -> int:
    same = 0
    for c in range(sig.shape[1]):
        same += sig[a, c] == sig[b, c]
    return same


@njit(cache=True, nogil=True)
def _verify_union(sig: np.ndarray, parent: np.ndarray, a: int, b: int, threshold: float) -> None:
    ra = _find(parent, a)
    rb = _find(parent, b)
    if ra != rb and _equal(sig, a, b) / sig.shape[1] >= threshold:
        parent[max(ra, rb)] = min(ra, rb)  # the earlier document stays the root


@njit(cache=True, nogil=True)
def _chain(
    keys: np.ndarray,
    n: int,
    slot_key: np.ndarray,
    slot_of: np.ndarray,
    head: np.ndarray,
    tail: np.ndarray,
    nxt: np.ndarray,
) -> int:
    """Group ``keys[:n]`` by value without sorting: a linear-probing table of lists in input order.

    Afterwards ``head[:count]`` holds each distinct key's first position (in order of appearance) and
    ``nxt`` links the positions with the same key, ascending (-1 ends a list). ``slot_key`` and
    ``slot_of`` (the list that owns a slot) are the table, a power of two of at least ``2 * n`` slots;
    ``tail`` is scratch. Returns ``count``.
    """
    mask = np.uint64(slot_key.size - 1)
    slot_of[:] = -1
    count = 0
    for t in range(n):
        key = keys[t]
        slot = key & mask
        while slot_of[slot] >= 0 and slot_key[slot] != key:
            slot = (slot + np.uint64(1)) & mask
        nxt[t] = -1
        owner = slot_of[slot]
        if owner < 0:
            slot_of[slot] = count
            slot_key[slot] = key
            head[count] = t
            tail[count] = t
            count += 1
        else:
            nxt[tail[owner]] = t
            tail[owner] = t
    return count


@njit(cache=True, nogil=True, inline="always")
def _band_key(sig: np.ndarray, i: int, c0: int, rows_per_band: int) -> np.uint64:
    """The LSH bucket key of document ``i``'s band starting at column ``c0``."""
    x = _BAND_SEED
    for c in range(c0, c0 + rows_per_band):
        x = (x ^ np.uint64(sig[i, c])) * _MULT
    return _mix(x)


@njit(cache=True, nogil=True)
def _band_keys(sig: np.ndarray, rows: np.ndarray, rows_per_band: int, out: np.ndarray) -> None:
    """``out[t, band]``: the bucket key of document ``rows[t]`` in each band, as :func:`_group_block`
    computes it."""
    for t in range(rows.size):
        for band in range(out.shape[1]):
            out[t, band] = _band_key(sig, rows[t], band * rows_per_band, rows_per_band)


@njit(cache=True, nogil=True)
def _group_block(
    s: int,
    e: int,
    sig: np.ndarray,
    text_hash: np.ndarray,
    nwords: np.ndarray,
    rows_per_band: int,
    threshold: float,
    max_bucket: int,
    parent: np.ndarray,
    similarity: np.ndarray,
    merged: np.ndarray,
) -> None:
    """Groups of documents ``s``..``e`` (one block, earliest first) into ``parent`` (the root).

    Equal keys (identical texts, LSH bands) are found with a hash table rather than a sort: linear in
    the block's size, and the lists come out in document order.
    """
    m = 0
    for i in range(s, e):
        parent[i] = i
        m += nwords[i] > 0
    if m < 2:
        return
    docs = np.empty(m, dtype=np.int64)
    m = 0
    for i in range(s, e):
        if nwords[i] > 0:
            docs[m] = i
            m += 1
    size = 2
    while size < 2 * m:
        size *= 2
    slot_key = np.empty(size, dtype=np.uint64)
    slot_of = np.empty(size, dtype=np.int64)
    head = np.empty(m, dtype=np.int64)
    tail = np.empty(m, dtype=np.int64)
    nxt = np.empty(m, dtype=np.int64)
    keys = np.empty(m, dtype=np.uint64)
    # 1. identical normalised texts: the earliest of each text is its representative
    for t in range(m):
        keys[t] = text_hash[docs[t]]
    nrep = _chain(keys, m, slot_key, slot_of, head, tail, nxt)
    reps = np.empty(nrep, dtype=np.int64)
    for r in range(nrep):
        reps[r] = docs[head[r]]  # first appearances: in document order
        t = nxt[head[r]]
        while t >= 0:
            parent[docs[t]] = reps[r]
            t = nxt[t]
    # 2. LSH banding over the distinct texts: a bucket's members in document order are the candidates
    if nrep > 1:
        members = np.empty(nrep, dtype=np.int64)
        for band in range(sig.shape[1] // rows_per_band):
            c0 = band * rows_per_band
            for t in range(nrep):
                keys[t] = _band_key(sig, reps[t], c0, rows_per_band)
            for bucket in range(_chain(keys, nrep, slot_key, slot_of, head, tail, nxt)):
                t = head[bucket]
                if nxt[t] < 0:
                    continue
                count = 0
                while t >= 0:
                    members[count] = reps[t]
                    count += 1
                    t = nxt[t]
                if count > max_bucket:  # huge bucket: each member against the first and the previous one
                    for q in range(1, count):
                        _verify_union(sig, parent, members[0], members[q], threshold)
                        _verify_union(sig, parent, members[q - 1], members[q], threshold)
                else:
                    for a in range(count):
                        for b in range(a + 1, count):
                            _verify_union(sig, parent, members[a], members[b], threshold)
    # 3. every document points at its root, with its own estimated similarity to the root
    for t in range(m):
        i = docs[t]
        root = _find(parent, i)
        parent[i] = root
        if root != i:
            similarity[i] = _equal(sig, i, root) / sig.shape[1]
    for t in range(nrep):
        merged[reps[t]] = parent[reps[t]] != reps[t]


@njit(cache=True, nogil=True)
def _group_range(
    starts: np.ndarray,
    lo: int,
    hi: int,
    sig: np.ndarray,
    text_hash: np.ndarray,
    nwords: np.ndarray,
    rows_per_band: int,
    threshold: float,
    max_bucket: int,
    parent: np.ndarray,
    similarity: np.ndarray,
    merged: np.ndarray,
) -> None:
    for blk in range(lo, hi):
        _group_block(
            starts[blk],
            starts[blk + 1],
            sig,
            text_hash,
            nwords,
            rows_per_band,
            threshold,
            max_bucket,
            parent,
            similarity,
            merged,
        )
