"""The text descriptions of the training plots (mlpcourse.plots.training) follow their data."""

import matplotlib.pyplot as plt

import mlpcourse as mc
from mlpcourse.datasets import logic_gate
from mlpcourse.plots.alt_text import description
from mlpcourse.plots.training import decision_regions, loss_curves


def test_decision_regions_count_the_samples_on_their_own_side():
    X, y = logic_gate("AND")
    net = mc.Network.from_weights(W=[[[1.0, 1.0]]], b=[[-1.5]], activations=["step"])
    text = description(decision_regions(net, X, y, title="AND").figure)
    assert text.startswith("AND: decision regions of the network over x1 from −0.5 to 1.5")
    assert "shaded by the predicted probability of class 1" in text
    assert "4 samples marked by class, 4 of them in the region of their own class" in text
    flipped = mc.Network.from_weights(W=[[[-1.0, -1.0]]], b=[[1.5]], activations=["step"])
    assert "0 of them in the region" in description(decision_regions(flipped, X, y).figure)
    plt.close("all")


def test_loss_curves_say_the_range_the_checks_and_the_stop():
    X, y = logic_gate("XOR")
    net = mc.init_network([2, 4, 1], ["tanh", "sigmoid"], method="xavier", rng=0)
    net, history = mc.fit(net, X, y, loss="binary_cross_entropy", eta=0.5, epochs=30,
                          batch_size=4, rng=0, validation=(X, y), patience=2)
    text = description(loss_curves(history).figure)
    assert f"training loss over {len(history.train_loss)} epochs, from " in text
    assert f"validation loss at {len(history.val_loss)} checks" in text
    assert f"best check at epoch {history.best_epoch}" in text
    short = description(loss_curves(history, log=True).figure)
    assert "on a logarithmic axis" in short
    plt.close("all")


def test_a_playground_run_is_described_with_its_result():
    from mlpcourse.playground import Config, snapshot

    fig, metrics = snapshot(Config(epochs=20))
    text = description(fig)
    assert f"a training run, after {metrics['epochs']} epochs train accuracy " \
           f"{metrics['train_accuracy']:.0%}" in text
    assert "Left: decision regions of the network" in text and "Right: loss curves" in text
    plt.close("all")
