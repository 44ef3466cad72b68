"""Every backend implements the one kernel contract of ``fastsaga._backends``."""

import inspect

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from fastsaga import _problem
from fastsaga._backends import (
    BACKENDS,
    KERNEL_ARGUMENTS,
    STEP_CONSTANTS,
    _numba_sparse,
    get_backend,
)


def parameters(kernel):
    """A kernel's parameters; a Numba dispatcher's are its Python function's."""
    return inspect.signature(getattr(kernel, "py_func", kernel)).parameters


def test_every_backend_registers_the_contract_kernels():
    for backend, kernels in BACKENDS.items():
        assert list(kernels) == list(KERNEL_ARGUMENTS), backend


@pytest.mark.parametrize("name", list(KERNEL_ARGUMENTS))
def test_kernels_take_the_contract_arguments_in_order(backend, name):
    kernel_parameters = parameters(getattr(get_backend(backend), name))
    assert list(kernel_parameters) == list(KERNEL_ARGUMENTS[name])
    for parameter in kernel_parameters.values():
        assert parameter.kind is parameter.POSITIONAL_OR_KEYWORD, parameter
        assert parameter.default is parameter.empty, parameter


@pytest.mark.parametrize("name", list(KERNEL_ARGUMENTS))
def test_backends_have_identical_signatures(name):
    numba, cython = (
        inspect.signature(getattr(kernel, "py_func", kernel))
        for kernel in (getattr(get_backend(backend), name)
                       for backend in ("numba", "cython"))
    )
    assert numba == cython


def test_numba_sparse_compilations_take_the_contract_arguments():
    # The wrapper forwards its arguments to one of these as they come.
    for kernel in (_numba_sparse._sparse_epoch_few, _numba_sparse._sparse_epoch_any):
        assert list(parameters(kernel)) == list(KERNEL_ARGUMENTS["sparse_epoch"])


def test_every_argument_has_a_one_line_meaning():
    for name, arguments in KERNEL_ARGUMENTS.items():
        for argument, meaning in arguments.items():
            assert meaning and "\n" not in meaning, (name, argument)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_step_constants_travel_as_one_array_in_the_contract_order(dtype):
    constants = _problem.StepConstants.build(0.5, 1e-2, 1e-3, 10, dtype)
    array = constants.as_array()
    assert array.dtype == dtype
    assert_array_equal(array, [getattr(constants, name) for name in STEP_CONSTANTS])
