"""The text descriptions of the graph pictures (mlpcourse.plots.graph) follow the graph."""

import matplotlib.pyplot as plt
import numpy as np

from mlpcourse import graph
from mlpcourse.plots import graph as graph_plots
from mlpcourse.plots.alt_text import description


def test_the_graph_names_its_nodes_edges_and_highlighted_paths():
    net = graph.problem3(activation="tanh", rng=0)
    text = description(graph_plots.draw_graph(net, highlight="x1", title="paths").figure)
    assert text.startswith("paths: computation graph with inputs x1, x2, inner nodes ")
    assert f"the {len(net.paths(net.output, 'x1'))} paths from x1 to y highlighted" in text
    weights = description(graph_plots.draw_graph(net, edge_labels="weights").figure)
    w = net.weights[net.edges[0]]
    assert f"{net.edges[0][0]}→{net.edges[0][1]} (w = {w:.2g})".replace("-", "−") in weights
    valued = description(graph_plots.draw_graph(net, x=[0.5, -1.0]).figure)
    assert "node values x1 = 0.5, x2 = −1" in valued
    plt.close("all")


def test_path_terms_give_the_sum_at_the_point_and_follow_a_live_update():
    net = graph.problem3(activation="tanh", rng=0)
    ax = graph_plots.path_contributions(net, "x1", np.array([0.5, -1.0]))
    text = description(ax.figure)
    assert "each of the 5 paths" in text and "as input x1 goes from −4 to 4" in text
    assert "at x1 = 0.5 (dashed) the sum is " in text
    fig, update = graph_plots.path_contributions_live(net, "x1", np.array([0.5, -1.0]))
    update(net, np.array([1.5, -1.0]))
    assert "at x1 = 1.5 (dashed)" in description(fig)
    plt.close("all")
