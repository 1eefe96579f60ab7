"""Training: minibatch gradient descent with early stopping on a validation set.

Lecture ("Backpropagation", Steps 2-4, and "Some things to keep in mind", Early stopping): for
every minibatch, feed forward, compute the loss, backpropagate the errors and update the weights;
use a validation set V different from the training set; every k rounds check the loss on V; if it
starts to increase, stop training. Here k is ``check_every`` and "starts to increase" is made
robust to noise with ``patience``: stop once the validation loss has not improved for
``patience`` checks in a row, and return the best weights seen.

``fit`` below is the loop that runs. Its minibatch step is ``textbook_step`` (the four steps
through the public functions) done in place by ``_fast.InPlaceStep``: the same operations in the
same order, so the same numbers bit for bit; set ``FAST_STEP = False`` to run ``textbook_step``
itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import _fast
from ._validation import as_generator, describe, positive_float, positive_int
from .losses import check_output_activation, get_loss, prepare_targets
from .network import Network, _check_input, backward, forward, update

FAST_STEP = True  # False: fit runs textbook_step (same numbers, slower); tests compare the two


@dataclass
class History:
    """What happened during ``fit``.

    Attributes
    ----------
    train_loss : list of float, the mean training loss of each epoch (averaged over its
        minibatches as they were seen, so no extra pass over the data)
    val_loss : list of float, the validation loss at each check
    val_epochs : list of int, the epoch (1-based) of each check
    stopped_epoch : int, the last epoch that ran
    best_epoch : int or None, the epoch whose weights were returned (None: no validation set)
    stopped_early : bool, True if early stopping ended training before ``epochs``
    diverged : bool, True if the training loss stopped being a finite number (η too large); the
        weights from the end of the last finite epoch are returned
    """

    train_loss: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_epochs: list = field(default_factory=list)
    stopped_epoch: int = 0
    best_epoch: int | None = None
    stopped_early: bool = False
    diverged: bool = False


def minibatches(m: int, batch_size: int, rng) -> list[np.ndarray]:
    """Split the indices 0..m-1, shuffled by ``rng``, into batches of ``batch_size`` (last may be
    smaller)."""
    order = as_generator(rng).permutation(m)
    return [order[i:i + batch_size] for i in range(0, m, batch_size)]


def textbook_step(net: Network, X, Y, batch, spec, eta: float) -> tuple[Network, float]:
    """One step of minibatch gradient descent on the samples ``batch`` (lecture: Steps 2-4).

    Parameters
    ----------
    net : Network
    X : array of shape (m, n_0), the training inputs
    Y : array of shape (m, n_L), the prepared training targets
    batch : array of row indices into X and Y
    spec : the loss's table entry (``losses.get_loss(name)``)
    eta : learning rate η

    Returns
    -------
    (the updated network, the batch's mean loss)
    """
    y_hat, cache = forward(net, X[batch])  # Step 2: feedforward
    batch_loss = spec.function(y_hat, Y[batch])  # the loss L(ŷ, y), averaged over the batch
    grads = backward(net, cache, Y[batch], spec.name)  # Step 3: backpropagation of errors
    return update(net, grads, eta), batch_loss  # Step 4: w ← w - η dL/dw, b ← b - η dL/db


def fit(net: Network, X, y, loss="mse", eta=0.1, epochs=100, batch_size=32, validation=None,
        check_every=1, patience=3, rng=None, callback=None):
    """Train ``net`` by minibatch gradient descent; return (trained network, History).

    Parameters
    ----------
    net : Network, left unchanged (a trained copy is returned)
    X : array of shape (m, n_0)
    y : targets for ``loss`` ((m, n_L), (m,) for one output, (m,) labels for cross_entropy)
    loss : loss name
    eta : learning rate η
    epochs : maximum number of passes over the training set
    batch_size : samples per gradient step (the whole set if batch_size >= m)
    validation : (X_val, y_val) or None; with it, early stopping is on
    check_every : look at the validation loss every ``check_every`` epochs (the lecture's k)
    patience : stop after this many checks in a row without a new best validation loss
    rng : int seed or Generator for the shuffle
    callback : optional callable(epoch, net, history), called after every epoch (for live plots)
    """
    spec, X, Y = _checked_data(net, X, y, loss)
    eta = positive_float("eta", eta)
    epochs = positive_int("epochs", epochs)
    batch_size = positive_int("batch_size", batch_size)
    check_every = positive_int("check_every", check_every)
    patience = positive_int("patience", patience)
    rng = as_generator(rng)
    X_val, Y_val = _checked_validation(net, spec, validation)
    m = X.shape[0]

    if FAST_STEP:  # a private copy of the weights, trained in place
        step = _fast.InPlaceStep(net, spec, eta, min(batch_size, m))
        net = step.net
    else:
        def step(net, X, Y, batch):
            return textbook_step(net, X, Y, batch, spec, eta)

    history = History()
    best_net, best_loss, checks_without_improvement = None, np.inf, 0
    for epoch in range(1, epochs + 1):
        start = net.copy()  # the weights before this epoch, kept in case it diverges
        total = 0.0
        # a too-large η overflows to inf/NaN: detected below, so numpy need not warn about it
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for batch in minibatches(m, batch_size, rng):  # a new shuffle every epoch
                net, batch_loss = step(net, X, Y, batch)  # forward, loss, backward, update
                total += batch_loss * len(batch)
        history.train_loss.append(total / m)
        history.stopped_epoch = epoch
        if not np.isfinite(total):  # diverged: return the weights from before this epoch
            history.diverged = True
            net = start
            break
        if X_val is not None and epoch % check_every == 0:  # every k rounds: the loss on V
            with np.errstate(over="ignore", invalid="ignore"):  # weights about to diverge
                val_loss = spec.function(forward(net, X_val)[0], Y_val)
            history.val_loss.append(val_loss)
            history.val_epochs.append(epoch)
            if val_loss < best_loss:  # a new best: keep these weights
                best_net, best_loss, history.best_epoch = net.copy(), val_loss, epoch
                checks_without_improvement = 0
            else:
                checks_without_improvement += 1
        if callback is not None:
            callback(epoch, net.copy(), history)  # a snapshot: training goes on
        if checks_without_improvement >= patience:  # the loss on V stopped improving: stop
            history.stopped_early = True
            break
    if best_net is not None:
        net = best_net
    return net, history


def _checked_data(net: Network, X, y, loss):
    """Check fit's network, training data and loss; return (the loss's table entry, X, Y), X
    (m, n_0) and the targets Y prepared as (m, n_L), both in the network's dtype."""
    if not isinstance(net, Network):
        raise TypeError(f"net must be a Network; got {describe(net)}")
    spec = get_loss(loss)
    check_output_activation(spec.name, net.activations[net.L])
    X = _check_input(net, X)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (m, {net.sizes[0]}) for training; got {describe(X)}")
    m = X.shape[0]
    if m == 0:
        raise ValueError(f"X must hold at least one sample; got {describe(X)}")
    Y = prepare_targets(spec.name, y, (m, net.sizes[-1]), net.dtype)
    X = X.astype(net.dtype, copy=False)  # one dtype end to end: float32 stays float32
    return spec, X, Y


def _checked_validation(net: Network, spec, validation):
    """Check fit's validation pair; return (X_val, Y_val) like ``_checked_data``'s X and Y, or
    (None, None) without a validation set."""
    if validation is None:
        return None, None
    if not isinstance(validation, tuple | list) or len(validation) != 2:
        raise TypeError(f"validation must be a pair (X_val, y_val); got {describe(validation)}")
    X_val = _check_input(net, validation[0], "validation X_val").astype(net.dtype, copy=False)
    if X_val.ndim != 2:  # a 1-D X_val would be read as one sample: refuse, as for X
        raise ValueError(f"validation X_val must be 2-D (m, {net.sizes[0]}); got "
                         f"{describe(X_val)}")
    Y_val = prepare_targets(spec.name, validation[1], (X_val.shape[0], net.sizes[-1]),
                            net.dtype)
    return X_val, Y_val
