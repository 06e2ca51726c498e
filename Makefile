# nbdbox. `make` builds ./nbdbox with the configuration in .config (the
# defaults of Config.in when there is none: no Kconfig tool needed).
#   make static       stripped static binary with musl-gcc (./nbdbox.static)
#   make check        unit tests, fuzz corpus replay, shell suites, VM tests
#   make demo         build, then list and probe a local nbdkit
#   make menuconfig   (kconfig-frontends) / defconfig / oldconfig
#   O=DIR             where objects go (default build)
#   CONFIG=FILE       which configuration (default .config)

CC       ?= cc
O        ?= build
CONFIG   ?= .config
CFLAGS   ?= -Os -g
# Always, whatever CFLAGS the command line brings:
WFLAGS   := -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE
CPPFLAGS += -I$(O) -Icore -Iplatform -Iapplets
LDFLAGS  ?=
LDLIBS   ?=
BIN      ?= nbdbox
Q        := $(if $(V),,@)

all: $(BIN)

# ---- configuration
# Kconfig text: Config.in and the pieces scripts/gen.sh gathers from the
# `//config:` lines next to the code.
KCONFIG_IN := Config.in applets/Config.in Config.features.in
FEATURE_SRCS := $(wildcard platform/*.h platform/*/*.[ch] core/*.[ch] applets/*.h)

$(CONFIG): | applets/Config.in Config.features.in
	$(Q)scripts/config.sh defconfig . > $@
	@echo "  CONFIG  $@ (defaults from Config.in)"

applets/Config.in applets/Kbuild Config.features.in $(O)/applets.h: $(wildcard applets/*.c) \
		$(FEATURE_SRCS) scripts/gen.sh
	$(Q)scripts/gen.sh . $(O)

$(O)/autoconf.h: $(CONFIG) $(KCONFIG_IN) scripts/config.sh FORCE
	$(Q)mkdir -p $(O) && scripts/config.sh header . $(CONFIG) > $@.tmp && \
	  (cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@)

$(O)/auto.conf: $(O)/autoconf.h
	$(Q)scripts/config.sh make . $(CONFIG) > $@

-include $(O)/auto.conf

# ---- objects from the Kbuild files
define kbuild
obj-y :=
include $(1)Kbuild
OBJS += $$(addprefix $(O)/$(1),$$(obj-y))
endef
OBJS :=
$(eval $(call kbuild,))
$(eval $(call kbuild,core/))
$(eval $(call kbuild,platform/))
$(eval $(call kbuild,applets/))

ifeq ($(CONFIG_TLS),y)
LDLIBS += -lwolfssl
endif

# Objects and the binary are rebuilt when the flags change (make static
# after a change to its CFLAGS, say), not only when the sources do.
FLAGS_NOW = $(CC) $(WFLAGS) $(CPPFLAGS) $(CFLAGS) | $(LDFLAGS) $(LDLIBS)
$(O)/.flags: FORCE
	@mkdir -p $(O); echo '$(FLAGS_NOW)' | cmp -s - $@ || echo '$(FLAGS_NOW)' > $@

$(O)/%.o: %.c $(O)/autoconf.h $(O)/applets.h $(O)/.flags
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(WFLAGS) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

-include $(OBJS:.o=.d)

$(BIN): $(OBJS) $(O)/.flags
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(LDLIBS)

# ---- variants
# musl's include path has no kernel headers: borrow Debian's linux/, asm/
# and asm-generic/ (pure UAPI, no libc) through a directory of links.
KINC := build-static/kinc
$(KINC):
	$(Q)mkdir -p $@ && ln -sfn /usr/include/linux $@/linux && \
	  ln -sfn /usr/include/asm-generic $@/asm-generic && \
	  ln -sfn /usr/include/$$(gcc -print-multiarch)/asm $@/asm

static: $(KINC)
	$(Q)$(MAKE) --no-print-directory O=build-static CC=musl-gcc BIN=nbdbox.static \
	  CFLAGS="-Os -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables -fno-unwind-tables -isystem $(KINC)" \
	  LDFLAGS="-static -s -Wl,--gc-sections -Wl,-z,noseparate-code"
	@ls -l nbdbox.static

# Static with TLS: Debian's glibc-built libwolfssl.a linked into musl
# through shims for glibc's _chk fortify symbols (scripts/musl-chk-shims.c).
# Works, but not a supported combination: prefer a wolfSSL built for musl
# (WOLFSSL_A=/path/libwolfssl.a WOLFSSL_INC=/path/include).
WOLFSSL_A   ?= /usr/lib/$(shell gcc -print-multiarch)/libwolfssl.a
WOLFSSL_INC ?= /usr/include
static-tls: $(KINC) $(CONFIG)
	@mkdir -p build-static-tls/winc
	$(Q)ln -sfn $(WOLFSSL_INC)/wolfssl build-static-tls/winc/wolfssl
	$(Q)sed -e 's/^# CONFIG_TLS is not set/CONFIG_TLS=y/' $(CONFIG) > build-static-tls/.config.new
	$(Q)cmp -s build-static-tls/.config.new build-static-tls/.config || mv build-static-tls/.config.new build-static-tls/.config
	$(Q)musl-gcc -Os -c -o build-static-tls/musl-chk-shims.o scripts/musl-chk-shims.c
	$(Q)$(MAKE) --no-print-directory O=build-static-tls CONFIG=build-static-tls/.config \
	  CC=musl-gcc BIN=nbdbox.static-tls \
	  CFLAGS="-Os -ffunction-sections -fdata-sections -isystem $(KINC) -isystem build-static-tls/winc" \
	  LDFLAGS="-static -s -Wl,--gc-sections -Wl,-z,noseparate-code" \
	  LDLIBS="build-static-tls/musl-chk-shims.o $(WOLFSSL_A) -lm"
	@ls -l nbdbox.static-tls

# The stub platform, as on a non-Linux system: same tree, PLATFORM_LINUX
# off (NETLINK, which depends on it, follows).
stub: $(CONFIG)
	@mkdir -p build-stub
	$(Q)sed -e 's/^CONFIG_PLATFORM_LINUX=y/# CONFIG_PLATFORM_LINUX is not set/' \
	  $(CONFIG) > build-stub/.config.new
	$(Q)cmp -s build-stub/.config.new build-stub/.config || mv build-stub/.config.new build-stub/.config
	$(Q)$(MAKE) --no-print-directory O=build-stub CONFIG=build-stub/.config BIN=nbdbox.stub

# TLS on (needs libwolfssl-dev): ./nbdbox.tls, what tests/shell/test_tls.sh
# runs when ./nbdbox was built without TLS (the Config.in default).
tls: $(CONFIG)
	@mkdir -p build-tls
	$(Q)sed -e 's/^# CONFIG_TLS is not set/CONFIG_TLS=y/' $(CONFIG) > build-tls/.config.new
	$(Q)cmp -s build-tls/.config.new build-tls/.config || mv build-tls/.config.new build-tls/.config
	$(Q)$(MAKE) --no-print-directory O=build-tls CONFIG=build-tls/.config BIN=nbdbox.tls

# ---- Kconfig front ends (Debian: kconfig-frontends)
# Without kconfig-frontends, defconfig still works (scripts/config.sh).
KCONF = $(Q)command -v kconfig-$(1) >/dev/null || \
	{ echo "make $@ needs kconfig-frontends (apt-get install kconfig-frontends)"; exit 1; }; \
	KCONFIG_CONFIG=$(CONFIG) kconfig-$(1)
defconfig: applets/Config.in Config.features.in
	$(Q)if command -v kconfig-conf >/dev/null; then \
	  KCONFIG_CONFIG=$(CONFIG) kconfig-conf --alldefconfig Config.in; \
	else scripts/config.sh defconfig . > $(CONFIG); fi
oldconfig: applets/Config.in Config.features.in
	$(call KCONF,conf) --oldconfig Config.in
olddefconfig: applets/Config.in Config.features.in
	$(call KCONF,conf) --olddefconfig Config.in
menuconfig: applets/Config.in Config.features.in
	$(call KCONF,mconf) Config.in

include tests/unit/unit.mk
include tests/tests.mk

clean:
	rm -rf build build-* nbdbox nbdbox.static nbdbox.stub nbdbox.tls nbdbox.static-tls applets/Config.in applets/Kbuild \
	  Config.features.in

FORCE:
.PHONY: all static static-tls stub tls defconfig menuconfig oldconfig olddefconfig clean FORCE

demo: all
	$(Q)scripts/demo.sh ./$(BIN)
.PHONY: demo
