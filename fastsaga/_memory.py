"""Arrays whose rows start on cache-line boundaries, for the kernels.

The kernels stream rows of their state (``W`` and ``S``, or the sparse
kernels' feature-major table) through vector loads and stores.  NumPy
allocates on 16-byte boundaries, so such an access usually straddles two
cache lines, which costs a second line fetch.  Rows whose length is not a
whole number of lines are padded with columns the kernels never touch.
The caller's ``X`` is read where it is: it is not copied to be aligned.
"""

import numpy as np

CACHE_LINE = 64  # bytes


def _aligned(allocate, shape, dtype):
    """A C-contiguous array from ``allocate`` (of bytes), starting on a line."""
    dtype = np.dtype(dtype)
    n_bytes = int(np.prod(shape)) * dtype.itemsize
    buffer = allocate(n_bytes + CACHE_LINE, dtype=np.uint8)
    start = -buffer.ctypes.data % CACHE_LINE
    return buffer[start : start + n_bytes].view(dtype).reshape(shape)


def aligned_empty(shape, dtype):
    """An uninitialised C-contiguous array starting on a cache line."""
    return _aligned(np.empty, shape, dtype)


def aligned_zeros(shape, dtype):
    """A zero C-contiguous array starting on a cache line.

    From ``np.zeros``: a large block comes from the system already zeroed,
    so a large table is not written twice.
    """
    return _aligned(np.zeros, shape, dtype)


def aligned_copy(array, dtype=None):
    """A C-contiguous copy of ``array`` (in ``dtype``) starting on a cache line."""
    copy = aligned_empty(array.shape, array.dtype if dtype is None else dtype)
    copy[...] = array
    return copy


def padded_row_length(length, itemsize):
    """The fewest items, at least ``length``, whose rows never straddle lines.

    Rows of up to a line are padded to a power of two bytes (a divisor of
    the line), longer rows to whole lines.
    """
    row_bytes = length * itemsize
    if row_bytes <= CACHE_LINE:
        padded = 1 << max(row_bytes - 1, 0).bit_length()
    else:
        padded = -(-row_bytes // CACHE_LINE) * CACHE_LINE
    return max(padded // itemsize, length)


def padded_zeros(n_rows, length, dtype):
    """Zero rows of ``padded_row_length(length)`` items, starting on a line."""
    width = padded_row_length(length, np.dtype(dtype).itemsize)
    return aligned_zeros((n_rows, width), dtype)
