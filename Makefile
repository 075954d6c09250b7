# The two commands of the README, plus the pieces they are made of.
#   make demo   build para and run a session in a container end to end
#   make test   the whole test suite (what CI runs)
# Both install what is missing first (scripts/bootstrap.sh).

BUILD ?= build

.PHONY: all build demo test unit integration sanitize fuzz bench clean

all: build

build:
	@scripts/bootstrap.sh --deps -q
	@[ -f $(BUILD)/build.ninja ] || meson setup $(BUILD) >/dev/null
	@ninja -C $(BUILD)

demo:
	@scripts/demo.sh

test:
	@scripts/test.sh

unit: build
	meson test -C $(BUILD) --suite unit --print-errorlogs

integration: build
	PARA=$(CURDIR)/$(BUILD)/para tests/integration/run.sh

sanitize:
	@scripts/test.sh --only sanitize

fuzz:
	@scripts/test.sh --only fuzz

bench: build
	@for b in bench/*; do [ -x "$$b" ] && [ ! -d "$$b" ] && echo "== $$b" && "$$b"; done; true

clean:
	rm -rf $(BUILD) build-asan build-clang build-fuzz
