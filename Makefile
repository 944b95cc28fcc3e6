# Tessera: `make run` and `make test` set up everything they need on Debian 12.

BUILDDIR      ?= build
ASAN_BUILDDIR ?= build-asan
MESON_TEST    ?= meson test --print-errorlogs --num-processes 2

# What building and testing need, as Debian 12 packages (nodejs and openssl: the HTTP/2 test
# server and its certificates).
PACKAGES := gcc make meson ninja-build pkg-config gettext ca-certificates \
            libgtk-4-dev libcurl4-openssl-dev libcjson-dev libpsl-dev webp-pixbuf-loader \
            desktop-file-utils xvfb xauth dbus-daemon libclang-rt-14-dev libjpeg-dev \
            nodejs openssl libssl-dev
# What looking at the app by hand and `make bench` use on top.
TOOLS    := xdotool xclip imagemagick clang-format
# What `make lint` uses.
LINTERS  := cppcheck
# What `make bench` uses on top: xdotool finds the window and presses End, Debian's Python 3
# runs the driver (with numpy and PIL it draws the decode rows' photos), ImageMagick keeps a
# screenshot after End, Node serves the pictures over HTTP/1.1 and HTTP/2, openssl makes its
# certificate; the peers it is measured against are curl, aria2, wget2, Chromium and libvips's
# vipsthumbnail.
BENCH_PACKAGES := xdotool python3 python3-numpy python3-pil imagemagick nodejs openssl curl aria2 wget2 \
                  chromium libvips-tools
# Which scenarios `make bench` runs: a comma-separated list of classic, A, H2, B, C, D and
# decode (`make bench BENCH=A`).
BENCH ?= classic,A,H2,B,C,D,decode
BENCH_PROBE := $(BUILDDIR)/bench/tessera-bench-probe.so

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps tools build run test test-asan lint bench format clean

all: build

define install_missing
	@missing=$$(for p in $(1); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:" $$missing; \
	  $(SUDO) apt-get update -q && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi
endef

deps:
	$(call install_missing,$(PACKAGES))

tools: deps
	$(call install_missing,$(TOOLS))

$(BUILDDIR)/build.ninja:
	meson setup $(BUILDDIR)

build: deps $(BUILDDIR)/build.ninja
	meson compile -C $(BUILDDIR)

# Opens the demo pictures the build draws (no network needed), or Imgur's gallery when
# IMGUR_CLIENT_ID is set.
run: build
	@if [ -n "$$IMGUR_CLIENT_ID" ]; then \
	  $(BUILDDIR)/src/app/tessera --imgur; \
	else \
	  $(BUILDDIR)/src/app/tessera $(BUILDDIR)/data/demo; \
	fi

test: build
	$(MESON_TEST) -C $(BUILDDIR)

$(ASAN_BUILDDIR)/build.ninja:
	meson setup $(ASAN_BUILDDIR) -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug

test-asan: deps $(ASAN_BUILDDIR)/build.ninja
	meson compile -C $(ASAN_BUILDDIR)
	$(MESON_TEST) -C $(ASAN_BUILDDIR)

# Static analysis: fails on a finding. Noise is suppressed inline, with the reason
# (`// cppcheck-suppress id ; why`). The build tree is needed for the generated headers.
CPPCHECK_FLAGS := --library=gtk --library=posix --library=libcurl \
                  --enable=warning,performance,portability --inline-suppr --std=c11 \
                  --suppress=missingIncludeSystem --error-exitcode=1 -q -j 2 \
                  -I src/engine -I src/engine/cache -I src/engine/imgur -I src/engine/save -I src/ui -I src/app \
                  -I tests/support -I $(BUILDDIR) -I $(BUILDDIR)/src/engine

lint: build
	$(call install_missing,$(LINTERS))
	cppcheck $(CPPCHECK_FLAGS) src tests data

# The benchmark against the peers (issues 10, 11, 13), not part of `make test`: a Markdown table
# on stdout and in bench/results/latest.md (see bench/README.md). Takes a few minutes.
$(BENCH_PROBE): bench/tessera-bench-probe.c | deps
	@mkdir -p $(@D)
	$(CC) -O2 -g -fPIC -shared -Wall -Wextra -Wno-unused-parameter -Wmissing-prototypes \
	  -Wdeclaration-after-statement -Werror $$(pkg-config --cflags glib-2.0) \
	  -o $@ $< $$(pkg-config --libs glib-2.0)

bench: build $(BENCH_PROBE)
	$(call install_missing,$(BENCH_PACKAGES))
	meson compile -C $(BUILDDIR) bench/tessera-bench-decode
	/usr/bin/python3 bench/run-bench.py --build=$(BUILDDIR) --scenarios=$(BENCH) \
	  --command="make bench$(if $(filter command line,$(origin BENCH)), BENCH=$(BENCH))"

format: tools
	clang-format -i $$(git ls-files "*.c" "*.h")

clean:
	rm -rf $(BUILDDIR) $(ASAN_BUILDDIR)
