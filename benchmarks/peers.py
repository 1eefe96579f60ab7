"""The tools a learner would use instead: scikit-learn's MLPClassifier and PyTorch on the CPU.

Each is set up to do exactly what ``mlpcourse.fit`` does (same architecture, minibatch size,
learning rate, plain SGD without momentum or weight decay, no early stopping), and is skipped
with a clear message when it is not installed. mlpcourse itself never imports either.
"""

from __future__ import annotations

import warnings

import numpy as np
from workloads import ETA_LECTURE, initial_network, lecture_problem


def missing(module: str) -> str | None:
    """None if ``module`` imports, else a one-line reason to print instead of its rows."""
    try:
        __import__(module)
    except ImportError:
        hint = {"torch": "pip install torch (CPU)", "sklearn": "pip install scikit-learn"}
        return f"{module} is not installed ({hint.get(module, 'pip install ' + module)})"
    return None


# ---------------------------------------------------------------- scikit-learn

def sklearn_runner(data, sizes, dtype, eta, epochs, batch_size, seed=0):
    """MLPClassifier with solver "sgd" set up as plain minibatch SGD (momentum 0, alpha 0,
    constant learning rate, no early stopping, no tolerance-based stop)."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    X, y, X_test, y_test = data
    info = {}

    def run():
        clf = MLPClassifier(hidden_layer_sizes=tuple(sizes[1:-1]), activation="relu",
                            solver="sgd", alpha=0.0, batch_size=batch_size,
                            learning_rate="constant", learning_rate_init=eta, max_iter=epochs,
                            shuffle=True, random_state=seed, tol=0.0,
                            n_iter_no_change=epochs + 1, momentum=0.0, nesterovs_momentum=False,
                            early_stopping=False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter is the plan here
            clf.fit(X, y)
        info["weights_dtype"] = str(clf.coefs_[0].dtype)
        info["epochs_run"] = int(clf.n_iter_)
        return float(clf.score(X_test, y_test))

    run.info = info
    return run


# ---------------------------------------------------------------- PyTorch

def _torch_dtype(dtype):
    import torch

    return torch.float64 if np.dtype(dtype) == np.float64 else torch.float32


def _torch_mlp(net, dtype, hidden_activation, output_activation=None):
    """nn.Sequential with mlpcourse's initial weights copied in."""
    import torch

    layers = []
    for l in range(1, net.L + 1):
        linear = torch.nn.Linear(net.W[l].shape[1], net.W[l].shape[0])
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(np.array(net.W[l], dtype=np.float64)))
            linear.bias.copy_(torch.from_numpy(np.array(net.b[l], dtype=np.float64)))
        layers.append(linear)
        if l < net.L:
            layers.append(hidden_activation())
        elif output_activation is not None:
            layers.append(output_activation())
    return torch.nn.Sequential(*layers).to(_torch_dtype(dtype))


def torch_lecture_runner(dtype, steps):
    """The lecture step in PyTorch as its tutorials write it: model, BCELoss, optim.SGD."""
    import torch

    net, x, y = lecture_problem(dtype)
    model = _torch_mlp(net, dtype, torch.nn.Sigmoid, torch.nn.Sigmoid)
    optimiser = torch.optim.SGD(model.parameters(), lr=ETA_LECTURE)
    loss_function = torch.nn.BCELoss()
    xt = torch.from_numpy(x)
    yt = torch.tensor([y], dtype=_torch_dtype(dtype))

    def run():
        for _ in range(steps):
            optimiser.zero_grad()
            loss = loss_function(model(xt), yt)
            loss.backward()
            optimiser.step()
        return model

    return run


def torch_runner(data, sizes, dtype, eta, epochs, batch_size, seed=0):
    """The same network in PyTorch on the CPU (nn.Linear/ReLU, CrossEntropyLoss, optim.SGD),
    mlpcourse's initial weights, batches gathered by index from tensors (faster than a
    DataLoader, which collates sample by sample)."""
    import torch

    X, y, X_test, y_test = data
    net = initial_network(sizes, dtype, seed)
    Xt, yt = torch.from_numpy(np.ascontiguousarray(X)), torch.from_numpy(y.astype(np.int64))
    Xt_test = torch.from_numpy(np.ascontiguousarray(X_test))
    info = {"threads": torch.get_num_threads()}

    def run():
        torch.manual_seed(seed)
        model = _torch_mlp(net, dtype, torch.nn.ReLU)
        optimiser = torch.optim.SGD(model.parameters(), lr=eta)
        loss_function = torch.nn.CrossEntropyLoss()
        generator = torch.Generator().manual_seed(seed)
        m = len(Xt)
        for _ in range(epochs):
            order = torch.randperm(m, generator=generator)
            for start in range(0, m, batch_size):
                batch = order[start:start + batch_size]
                optimiser.zero_grad(set_to_none=True)
                loss = loss_function(model(Xt[batch]), yt[batch])
                loss.backward()
                optimiser.step()
        with torch.no_grad():
            predicted = model(Xt_test).argmax(dim=1).numpy()
        return float(np.mean(predicted == y_test))

    run.info = info
    return run
