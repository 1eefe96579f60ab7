"""The text descriptions of lesson 9's problem pictures (mlpcourse.plots.practice) follow the
problem: its numbers, and what the solution view adds."""

import matplotlib.pyplot as plt

from mlpcourse import practice
from mlpcourse.plots.alt_text import description, undescribed_axes


def test_bar_pictures_list_their_numbers_and_the_solution_adds_the_answer():
    problem = practice.generate("softmax", 7)
    given = description(problem.draw().figure)
    solved = description(problem.draw(solution=True).figure)
    assert given.startswith(f"the logits z of {len(problem.data['z'])} classes as bars: class 1 ")
    assert solved.startswith("the softmax probabilities of ")
    loss = practice.generate("loss", 7)
    assert "the loss of each sample" not in description(loss.draw().figure)
    assert "the loss of each sample" in description(loss.draw(solution=True).figure)
    assert description(practice.generate("softmax", 8).draw().figure) != given
    plt.close("all")


def test_every_kind_is_described_and_the_live_figure_follows_the_problem():
    for kind in practice.KINDS:
        ax = practice.generate(kind, 3).draw(solution=True)
        assert description(ax.figure), kind
        assert undescribed_axes(ax.figure) == [], kind
        plt.close("all")
    from mlpcourse.plots.practice import draw_live

    fig, update = draw_live(practice.generate("forward_pass", 1))
    update(practice.generate("softmax", 2))
    assert description(fig).startswith("the logits z of")  # the hidden diagram is not described
    plt.close("all")
