"""The text descriptions of the network diagrams (mlpcourse.plots.diagrams) follow the network."""

import matplotlib.pyplot as plt
import numpy as np

import mlpcourse as mc
from mlpcourse.plots.alt_text import description
from mlpcourse.plots.diagrams import draw_network, draw_network_live


def _net(w11=0.2):
    return mc.Network.from_weights(W=[[[w11, 0.4], [0.3, 0.7]], [[0.6, 0.9]]],
                                   b=[[0.1, 0.2], [0.3]], activations=["sigmoid", "sigmoid"])


def test_a_small_diagram_lists_its_weights_biases_and_activations():
    text = description(draw_network(_net(), x=[0.5, 0.1], title="Example 3").figure)
    assert text.startswith("Example 3: network diagram of a 2-2-1 network (layer 1 sigmoid, "
                           "layer 2 sigmoid)")
    assert "W(1) rows (0.2, 0.4), (0.3, 0.7), b(1) = (0.1, 0.2); W(2) rows (0.6, 0.9)" in text
    assert "for the input x = (0.5, 0.1) the activations are a(1) = (0.56, 0.603)" in text
    assert "W(1) rows (−1.5, 0.4)" in description(draw_network(_net(-1.5)).figure)
    big = mc.init_network([64, 16, 10], ["tanh", "softmax"], rng=0)
    assert "64-16-10 network" in description(draw_network(big).figure)
    assert "1184 weights, too many to list" in description(draw_network(big).figure)
    plt.close("all")


def test_a_live_diagram_describes_the_network_after_each_update():
    ax, update = draw_network_live(_net(), x=[0.5, 0.1])
    update(_net(0.9), x=np.array([1.0, 0.1]))
    text = description(ax.figure)
    assert "W(1) rows (0.9, 0.4)" in text and "input x = (1, 0.1)" in text
    y_hat, cache = mc.forward(_net(), np.array([[0.5, 0.1]]))
    grads = mc.backward(_net(), cache, np.array([[1.0]]), "mse")
    ax, update = draw_network_live(_net(), x=[0.5, 0.1], grads=grads, title="gradients")
    assert "∂L/∂W(2) rows (" in description(ax.figure)
    plt.close("all")
