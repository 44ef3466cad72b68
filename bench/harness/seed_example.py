"""The seed example, adapted only to run here: scikit-learn's "MNIST
classification using multinomial logistic + L1".

Copied from scikit-learn's examples (Authors: the scikit-learn developers;
SPDX-License-Identifier: BSD-3-Clause).
The benchmark report times this script in a new process against
``fastsaga mnist``.  Three changes: MNIST is read by
``fastsaga.datasets.load_mnist`` (the same arrays as
``fetch_openml("mnist_784")``, from the IDX files in ``$FASTSAGA_MNIST_DIR``)
so that it runs without a network, ``plt.show()`` is left out so that it runs
without a display, and the code is in :func:`main` so that importing this
module runs nothing.
"""

import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state

from fastsaga.datasets import load_mnist


def main():
    # Turn down for faster convergence
    t0 = time.time()
    train_samples = 5000

    # Load data from https://www.openml.org/d/554
    X, y = load_mnist()

    random_state = check_random_state(0)
    permutation = random_state.permutation(X.shape[0])
    X = X[permutation]
    y = y[permutation]
    X = X.reshape((X.shape[0], -1))

    X_train, X_test, y_train, y_test = train_test_split(
        X, y, train_size=train_samples, test_size=10000
    )

    scaler = StandardScaler()
    X_train = scaler.fit_transform(X_train)
    X_test = scaler.transform(X_test)

    # Turn up tolerance for faster convergence
    clf = LogisticRegression(
        C=50.0 / train_samples, penalty="l1", solver="saga", tol=0.1
    )
    clf.fit(X_train, y_train)
    sparsity = np.mean(clf.coef_ == 0) * 100
    score = clf.score(X_test, y_test)
    # print('Best C % .4f' % clf.C_)
    print("Sparsity with L1 penalty: %.2f%%" % sparsity)
    print("Test score with L1 penalty: %.4f" % score)

    coef = clf.coef_.copy()
    plt.figure(figsize=(10, 5))
    scale = np.abs(coef).max()
    for i in range(10):
        l1_plot = plt.subplot(2, 5, i + 1)
        l1_plot.imshow(
            coef[i].reshape(28, 28),
            interpolation="nearest",
            cmap=plt.cm.RdBu,
            vmin=-scale,
            vmax=scale,
        )
        l1_plot.set_xticks(())
        l1_plot.set_yticks(())
        l1_plot.set_xlabel("Class %i" % i)
    plt.suptitle("Classification vector for...")

    run_time = time.time() - t0
    print("Example run in %.3f s" % run_time)


if __name__ == "__main__":
    main()
