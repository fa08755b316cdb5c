"""Network input sizing keeps the aspect ratio, and heatmap cells map back to source pixels."""

import numpy as np
import pytest

from pose_estimation_ros.core.openpose.sizing import (
    cells_to_source,
    fit_input,
    make_input,
    max_input_width,
)


@pytest.mark.parametrize(
    "source, height", [((640, 384), 256), ((576, 768), 256), ((342, 548), 368)]
)
def test_input_keeps_the_aspect_ratio_within_the_width_step_padding(source, height):
    geometry = fit_input(*source, height)
    assert geometry.input_height == geometry.scaled_height == height
    assert geometry.input_width % 16 == 0
    assert 0 <= geometry.input_width - geometry.scaled_width < 16
    assert geometry.scaled_width / height == pytest.approx(source[1] / source[0], abs=1 / height)


def test_a_blob_in_the_source_maps_back_to_where_it_was_drawn():
    """Draw a bright square, find it in the network input, map the input position back."""
    image = np.zeros((640, 384, 3), dtype=np.uint8)
    image[300:340, 200:248] = 255  # centre (224, 320) in pixel-corner coordinates
    geometry = fit_input(640, 384, 256)
    tensor = make_input(image, geometry)
    assert tensor.shape == (256, geometry.input_width, 3)
    weights = tensor[..., 0]
    rows, cols = np.indices(weights.shape)
    centre_input = (
        np.array([(weights * (cols + 0.5)).sum(), (weights * (rows + 0.5)).sum()]) / weights.sum()
    )
    centre_cells = centre_input / 8 - 0.5  # the inverse of the network's cell centres
    np.testing.assert_allclose(cells_to_source(centre_cells, geometry), [224, 320], atol=0.5)


def test_input_height_must_be_a_multiple_of_the_stride():
    with pytest.raises(ValueError, match="multiple of 8"):
        fit_input(480, 640, 250)


@pytest.mark.parametrize("source", [(1, 640), (1, 4000), (3, 16384), (480, 8000)])
def test_a_wide_source_is_scaled_by_width_and_padded_at_the_bottom(source):
    geometry = fit_input(*source, 256)
    assert (geometry.input_height, geometry.input_width) == (256, max_input_width(256))
    assert geometry.scaled_width == max_input_width(256) == 4 * 256
    assert 1 <= geometry.scaled_height < 256
    assert geometry.scaled_height == max(1, round(source[0] * 1024 / source[1]))


def test_the_widest_aspect_that_is_scaled_by_height():
    inside, past = fit_input(100, 400, 256), fit_input(100, 402, 256)
    assert (inside.scaled_height, inside.scaled_width) == (256, 1024)
    assert (past.scaled_height, past.scaled_width) == (255, 1024)
    assert past.input_width == inside.input_width == 1024


@pytest.mark.parametrize("source", [(100, 3), (640, 1), (4096, 1), (4096, 3)])
def test_a_tall_or_tiny_source_keeps_one_step_of_columns(source):
    geometry = fit_input(*source, 256)
    assert geometry.scaled_height == geometry.input_height == 256
    assert geometry.input_width == 16 and 1 <= geometry.scaled_width <= 16


def test_every_source_gets_one_of_a_few_input_shapes():
    shapes = {
        (g.input_height, g.input_width)
        for height in range(1, 600, 7)
        for width in (1, 3, 50, 333, 640, 1279, 4096)
        for g in [fit_input(height, width, 256)]
    }
    assert len(shapes) <= 256 // 4
    assert {h for h, _ in shapes} == {256} and max(w for _, w in shapes) == 1024


def test_a_blob_in_a_wide_source_maps_back_to_where_it_was_drawn():
    image = np.zeros((60, 2400, 3), dtype=np.uint8)
    image[20:40, 1800:1840] = 255  # centre (1820, 30)
    geometry = fit_input(60, 2400, 256)
    tensor = make_input(image, geometry)
    assert tensor.shape == (256, 1024, 3)
    assert not tensor[geometry.scaled_height:].any()  # the bottom padding is black
    weights = tensor[..., 0]
    rows, cols = np.indices(weights.shape)
    centre_input = (
        np.array([(weights * (cols + 0.5)).sum(), (weights * (rows + 0.5)).sum()]) / weights.sum()
    )
    np.testing.assert_allclose(
        cells_to_source(centre_input / 8 - 0.5, geometry), [1820, 30], atol=1.5
    )


def test_an_empty_source_is_refused():
    with pytest.raises(ValueError, match="empty"):
        fit_input(0, 640, 256)
