"""One definition per parameter: core options, node declarations, params file and docs agree."""

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from pose_estimation_ros.core.estimator import option_specs
from pose_estimation_ros.core.families import FAMILIES, Family
from pose_estimation_ros.core.movenet.options import make_options
from pose_estimation_ros.core.options import option, shared_specs
from pose_estimation_ros.core.pose_pipeline import make_tracking_options
from pose_estimation_ros.nodes.pose_params import PARAMS
from pose_estimation_ros.tools import params as tool
from pose_estimation_ros.tools.param_tables import markdown_table, yaml_value

PACKAGE = Path(__file__).resolve().parents[2] / "pose_estimation_ros"


@dataclass(frozen=True)
class FakeOptions:
    threads: int = option(
        0, "inference threads; 0: the runtime chooses", min_value=0, max_value=256
    )
    backend: str = option("openvino", "inference runtime", choices=("openvino", "onnx"))
    fake_gain: float = option(1.0, "gain | offset", unit="dB", min_value=0.0)


def test_params_file_and_docs_tables_are_written_from_the_specs():
    assert tool.stale() == []


def test_a_table_edited_by_hand_is_found_stale(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "params.yaml").write_text(tool.params_file())
    page = docs / "page.md"
    page.write_text(tool.with_tables("x\n<!-- params: OpenPose -->\n<!-- end params -->\n"))
    assert tool.stale(tmp_path) == []
    page.write_text(page.read_text().replace("| `20` |", "| `21` |"))
    assert tool.stale(tmp_path) == [page]


def test_the_readme_launch_arguments_table_is_written_from_the_graph(tmp_path):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "params.yaml").write_text(tool.params_file())
    readme = tmp_path / "README.md"
    marked = "x\n<!-- launch arguments -->\n<!-- end launch arguments -->\n"
    readme.write_text(tool.with_tables(marked))
    assert tool.stale(tmp_path) == []
    row = '| `port` | `""` | `udp_bridge_node.port` | UDP bridge destination port; empty: the '
    assert row + "params file's (4900 in the installed one) |" in readme.read_text()
    readme.write_text(readme.read_text().replace("(4900 ", "(4901 "))
    assert tool.stale(tmp_path) == [readme]


def test_a_new_family_is_declared_by_the_node_without_a_node_change():
    fake = Family("Fake", ("fake_model",), "no.such.module", FakeOptions)
    specs = {spec.name: spec for spec in option_specs((*FAMILIES, fake))}
    assert specs["fake_gain"].description == "Fake: gain | offset"
    assert specs["fake_gain"].summary == "Fake: gain | offset (dB)"
    assert specs["backend"].choices == ("openvino", "litert", "tensorflow", "onnx")
    assert specs["threads"].description.startswith("MoveNet, OpenPose, Fake: inference threads")
    assert {spec.name for spec in option_specs()} <= {spec.name for spec in PARAMS}


def test_families_sharing_an_option_must_agree_on_its_default():
    @dataclass(frozen=True)
    class Other:
        threads: int = option(1, "inference threads", min_value=0)

    with pytest.raises(ValueError, match="'threads': A and B differ in default"):
        shared_specs([("A", FakeOptions), ("B", Other)])


def test_core_options_are_checked_against_their_spec():
    with pytest.raises(ValueError, match="tracking track_max_age_s must be >= 0.001"):
        make_tracking_options({"track_max_age_s": 0.0})
    with pytest.raises(ValueError, match="MoveNet threads must be <= 256"):
        make_options({"threads": 257})
    assert make_tracking_options({"smoothing_beta": 1}).smoothing_beta == 1.0


@pytest.mark.parametrize(
    "path, forbidden",
    [
        ("core/pose_pipeline.py", ("core.movenet", "core.openpose")),
        ("nodes/pose_node.py", ("core.movenet", "core.openpose", "core.families")),
        ("nodes/pose_params.py", ("core.movenet", "core.openpose", "core.families")),
    ],
)
def test_layout_free_modules_import_no_model_family(path, forbidden):
    tree = ast.parse((PACKAGE / path).read_text())
    imported = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    assert not [name for name in imported if any(f in (name or "") for f in forbidden)]


@pytest.mark.parametrize("value", ["", "true", "0", "1.5", "127.0.0.1", "a: b", 0, -1.0, False])
def test_params_file_values_read_back_unchanged(value):
    read = yaml.safe_load(f"key: {yaml_value(value)}")["key"]
    assert read == value and type(read) is type(value)


def test_markdown_cells_escape_pipes():
    row = markdown_table(shared_specs([("Fake", FakeOptions)])).splitlines()[-1]
    assert "gain \\| offset" in row and row.count(" | ") == 5
