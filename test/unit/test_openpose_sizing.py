"""Network input sizing keeps the aspect ratio, and heatmap cells map back to source pixels."""

import numpy as np
import pytest

from pose_estimation_ros.core.openpose.sizing import cells_to_source, fit_input, make_input


@pytest.mark.parametrize(
    "source, height", [((640, 384), 256), ((576, 768), 256), ((342, 548), 368)]
)
def test_input_keeps_the_aspect_ratio_within_the_stride_padding(source, height):
    geometry = fit_input(*source, height)
    assert geometry.input_height == geometry.scaled_height == height
    assert geometry.input_width % 8 == 0
    assert 0 <= geometry.input_width - geometry.scaled_width < 8
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
