"""The benchmark report's sections: fastsaga against scikit-learn's saga and peers.

``python bench/report.py`` runs them (``--help`` lists the options).  One run
writes, into ``--out``:

* ``report.md``: the machine (CPU, cores used, library versions) and one
  markdown section per benchmark section;
* ``report.json``: every raw number, section by section;
* the figures the sections draw (``convergence.png``, ...).

Sections
--------
The report is a list of sections, :data:`SECTIONS`, each a module of this
package, run in that order.  The contract of a section module is one function::

    run(context) -> dict(title=str, markdown=str, data=dict[, figures=list,
                         readme=list])

``context`` is a :class:`harness._context.Context`:

* ``context.problem()``: the seed problem (MNIST 5000/10000, standardised,
  C = 0.01, L1; a small synthetic problem with ``--quick``), built once, a
  :class:`harness._context.Problem` with ``X_train``, ``y_train``
  (labels), ``y_index`` (class indices), ``X_test``, ``y_test``, ``C``,
  ``penalty`` (``(alpha, beta)`` of ``fastsaga._problem.objective``),
  ``shape`` (``(n, d, K)``), ``key`` (a digest naming cached results) and
  ``objective(W, b)``;
* ``context.optimum()``: the reference optimum ``F*`` of that problem as a
  dict (``value``, ``method``, ...), computed once and cached on disk;
* ``context.repeats`` (every reported figure is a median over this many
  runs), ``context.quick``, ``context.out_dir``, ``context.cache_dir``,
  ``context.mnist_dir``, ``context.sklearn_data_home`` (for data sets such
  as 20 newsgroups; None means scikit-learn's default), ``context.budget``
  (seconds a single slow peer fit may take);
* ``context.progress(message)``: print one progress line (stderr);
* ``context.results``: the ``data`` of the sections already run, by module
  name, for sections that summarise others.

``title`` heads the section, ``markdown`` is its body (tables, notes),
``data`` is JSON-serialisable and goes into ``report.json`` under the module
name, ``figures`` lists files the section wrote into ``context.out_dir``,
``readme`` the section's parts of README.md's benchmark tables (each a
heading, a line of context and its tables; written with ``--readme``, see
:mod:`harness.readme`).
Time figures are medians of ``context.repeats`` runs and are given next to
their ratio to scikit-learn's figure measured in the same run.
"""

# Module names, in report order.  ``targets`` summarises the others last.
SECTIONS = (
    "seed", "startup", "convergence", "batches", "path", "sparse", "memory",
    "targets",
)
