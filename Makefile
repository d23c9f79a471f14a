# TKMS — every entry point a person or CI needs. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help
NODE_FLAGS := --no-warnings
JEST := NODE_OPTIONS="--experimental-vm-modules --no-warnings" node_modules/.bin/jest

.PHONY: help install build contracts proto wasmd minio tfhe-zk start stop localnet localnet-down test test-fast test-native bench bench-dkg clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

node_modules/.install-stamp: package.json package-lock.json
	npm ci --no-fund --no-audit
	@touch $@

install: node_modules/.install-stamp ## install npm dependencies (npm ci)

proto: install ## regenerate TypeScript from proto/ (generated code is committed)
	# buf is fetched on demand: its per-platform packages do not survive this machine's npm lockfile settings
	npx --yes @bufbuild/buf@1.75.0 generate

contracts: install ## build the AssemblyScript contracts and check the wasm as wasmd would
	bash contracts/build.sh

build: install contracts ## compile TypeScript to dist/ and build the contracts
	node_modules/.bin/tsc -p tsconfig.json

wasmd: ## build wasmd from Go module sources into .cache/wasmd (reused when present)
	bash localnet/build-wasmd.sh

minio: ## build MinIO (a real S3 server, for the S3 storage tests) from Go module sources into .cache/minio
	bash localnet/build-minio.sh

tfhe-zk: ## build tkms-tfhe-zk, the cores' native proof verifier (tfhe-rs 1.7, cargo), into .cache/tfhe-zk (reused when present)
	bash tools/tfhe-zk/build.sh

start: build tfhe-zk ## run TKMS on the embedded chain (foreground; Ctrl-C stops)
	node $(NODE_FLAGS) dist/localnet/dev.js

stop: ## stop what `make start --detach` left running
	node $(NODE_FLAGS) dist/localnet/stop.js .state/dev

localnet: build wasmd tfhe-zk ## run TKMS on 4 wasmd validators with 4 threshold cores (VALIDATORS=n, PARTIES=n to change)
	node $(NODE_FLAGS) dist/localnet/localnet.js --validators $${VALIDATORS:-4} --parties $${PARTIES:-4}

localnet-down: ## stop the wasmd localnet and its KMS components
	node $(NODE_FLAGS) dist/localnet/localnet.js --down

test: build wasmd minio tfhe-zk ## every test: unit, contracts, S3 storage, embedded E2E and wasmd E2E
	$(JEST) --maxWorkers=2

test-fast: build ## tests that need neither wasmd, MinIO nor tkms-tfhe-zk
	$(JEST) --maxWorkers=2 --testPathIgnorePatterns wasmd s3Storage tfheZkTool crsCeremony provenInput oprf threshold.test threshold7 distributedKeygen thresholdTestInsecure e2e/dkg zk/keygenTool

test-native: tfhe-zk ## the native tool's Rust tests: DKG key assembly at test-insecure, default and fhevm size against tfhe-rs's own keys, the CRS ceremony (~3 min on 2 cores)
	cd tools/tfhe-zk && CARGO_TARGET_DIR="$${TKMS_CARGO_TARGET_DIR:-$${CARGO_TARGET_DIR:-$${XDG_CACHE_HOME:-$$HOME/.cache}/tkms/cargo-target}}" cargo test --release --locked

bench: build wasmd tfhe-zk ## benchmarks; figures printed and written to bench/results.json
	node $(NODE_FLAGS) dist/bench/run.js

bench-dkg: build tfhe-zk ## the distributed key generation of the real `default` set at (4,1): about an hour on 2 cores
	node $(NODE_FLAGS) dist/bench/dkg.bench.js --params default

clean: ## remove build outputs (keeps .cache/wasmd)
	rm -rf dist contracts/build
