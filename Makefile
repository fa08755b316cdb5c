# Entry points for a machine without ROS 2 (see README.md).
#   make run    set up (once) and run the pose graph
#   make test   set up (once) and run every test and linter
#   make bench  set up (once) and benchmark the graph against the seed loop (bench-results/)
#   make eval   set up (once) and score the pipeline on COCO-format images (docs/evaluation.md)
#   make soak   set up (once) and run the graph for an hour: memory, frames, errors
SHELL := /bin/bash
IN_ENV := tools/in_env.sh

.PHONY: setup run test lint bench eval soak clean

setup:
	@tools/setup.sh

run: setup
	@$(IN_ENV) python -m pose_estimation_ros.runner $(ARGS)

test: setup
	@$(IN_ENV) pytest $(PYTEST_ARGS)

lint: setup
	@$(IN_ENV) pytest test/test_linters.py

bench: setup
	@$(IN_ENV) python -m pose_estimation_ros.bench.graph_bench $(ARGS)

eval: setup
	@$(IN_ENV) python -m pose_estimation_ros.evaluation $(ARGS)

soak: setup
	@$(IN_ENV) python -m pose_estimation_ros.bench.soak $(ARGS)

clean:
	rm -rf build install log
