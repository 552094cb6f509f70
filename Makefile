# bandup.ecs — the two commands are `make demo` and `make test`; everything else is a step of those.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
VENV := $(CURDIR)/.venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
export PATH := $(BIN):$(PATH)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
APT_PACKAGES := buildah podman docker-registry apache2-utils busybox-static graphviz
SANITY_ROOT ?= $(CURDIR)/tests/output/sanity-tree

docs: ## regenerate docs/variables.md and the roles' README.md from the roles' argument specs
	$(PY) scripts/gen_variable_docs.py

changelog: ## CHANGELOG.rst for galaxy.yml's version from changelogs/fragments (kept; rerun after adding fragments)
	PATH=$(BIN):$$PATH ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/.collections $(BIN)/antsibull-changelog release \
	  --version $$(sed -n 's/^version: *//p' galaxy.yml) --update-existing --refresh-fragments

.PHONY: docs changelog setup apt venv collection-link local-up local-down lint sanity unit integration molecule test test-slow demo bench clean

setup: apt venv collection-link ## virtualenv, Debian packages, collection link, ansible-test pip bootstrap
	@scripts/write_get_pip.sh $(PY)

apt:
	@if [ "$$(id -u)" = 0 ]; then \
	  missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	  if [ -n "$$missing" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi; \
	else \
	  for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || { echo "not root: install the Debian packages '$(APT_PACKAGES)' yourself (missing: $$p)"; exit 1; }; done; \
	fi

$(VENV)/.installed: requirements-test.txt
	@python=$$(scripts/find_python312.sh); test -x $(PY) || "$$python" -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
	@touch $@

venv: $(VENV)/.installed

collection-link:
	@mkdir -p .collections/ansible_collections/bandup
	@ln -sfn ../../.. .collections/ansible_collections/bandup/ecs

local-up: ## start moto server + registry on 127.0.0.1, write .local/env
	$(PY) scripts/local_endpoint.py up --state-dir .local

local-down:
	$(PY) scripts/local_endpoint.py down --state-dir .local

lint:
	$(BIN)/ansible-lint
	$(BIN)/antsibull-changelog lint

sanity: ## ansible-test sanity on a copy of the tracked tree laid out as ansible_collections/bandup/ecs
	rm -rf $(SANITY_ROOT) && mkdir -p $(SANITY_ROOT)/ansible_collections/bandup/ecs
	git ls-files -co --exclude-standard | grep -v '^tests/output/' | tar -cf - -T - | tar -xf - -C $(SANITY_ROOT)/ansible_collections/bandup/ecs
	for dep in amazon community; do ln -sfn $(VENV)/lib/python3.12/site-packages/ansible_collections/$$dep $(SANITY_ROOT)/ansible_collections/$$dep; done
	cd $(SANITY_ROOT)/ansible_collections/bandup/ecs && git init -q && git add -A && \
	  $(BIN)/ansible-test sanity --venv --python 3.12 --requirements --color no plugins/

unit:
	$(BIN)/pytest tests/unit -q

integration: ## pytest driving ansible-playbook against local endpoints the tests start and stop (not the slow ones), a test file per worker on two workers, then the `alone` ones
	$(BIN)/pytest tests/integration -q -m "not slow and not alone" -n 2 --dist loadfile --durations=20
	$(BIN)/pytest tests/integration -q -m "alone" --durations=5

test-slow: ## the slow integration tests (a converge killed at several points, then rerun), each on its own endpoint
	$(BIN)/pytest tests/integration -q -m slow -n 2 --dist loadfile --durations=20

SCENARIOS ?= $(notdir $(wildcard molecule/*))
molecule: ## every molecule scenario (or SCENARIOS="a b"), each reset and run against a fresh local endpoint
	@for s in $(SCENARIOS); do \
	  echo "== molecule scenario $$s"; \
	  $(BIN)/molecule reset -s $$s >/dev/null 2>&1 || true; \
	  $(PY) scripts/local_endpoint.py run --state-dir .local/molecule-$$s -- $(BIN)/molecule test -s $$s || exit 1; \
	done

test: lint sanity unit integration molecule

demo: setup ## the whole deployment against the local endpoint, then the summary (leaves the endpoint up)
	$(PY) scripts/local_endpoint.py up --state-dir .local
	$(BIN)/ansible-playbook tests/fixtures/apps/prepare.yml
	set -a && . .local/env && set +a && \
	  $(BIN)/ansible-playbook -i inventories/local site.yml && \
	  $(BIN)/ansible-playbook -i inventories/local playbooks/status.yml
	@echo; cat .local/status/summary.txt; echo
	@echo "picture: .local/status/topology.svg (source: topology.mmd, topology.dot); stop the endpoint: make local-down"

bench: setup ## site.yml vs the stock-module playbook (benchmarks/stock) on fresh local endpoints: medians of 5 runs, ratios, benchmarks/results.md
	$(PY) benchmarks/bench.py

clean:
	rm -rf $(VENV) .local .bench .collections tests/output
