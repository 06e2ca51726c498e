# nbdbox. `make` builds ./nbdbox with the configuration in .config (the
# defaults of Config.in when there is none: no Kconfig tool needed). TLS
# is on by default: ./nbdbox links Debian's libwolfssl (libwolfssl-dev).
#   make static       stripped static binary with musl-gcc (./nbdbox.static),
#                     TLS with a small wolfSSL (scripts/wolfssl-musl.sh, cached)
#   make small        ./nbdbox.small: static, the small profile (no TLS:
#                     configs/small_defconfig); make small_defconfig writes
#                     that profile to .config
#   make check        unit tests, fuzz corpus replay, shell suites, VM tests
#   make demo         build, then list and probe a local nbdkit, plain and TLS
#   make menuconfig   (kconfig-frontends) / defconfig / oldconfig
#   O=DIR             where objects go (default build)
#   CONFIG=FILE       which configuration (default .config)

# ---- cross compilation, busybox-style
#   make CROSS_COMPILE=aarch64-linux-gnu-        (dynamic, glibc of the target)
#   make static CROSS_COMPILE=s390x-linux-gnu-   (static: musl where Debian has
#                       musl-dev for the target, else glibc; target kernel headers)
#   make check-cross ARCH=s390x                  (unit + shell suites under qemu-user)
CROSS_COMPILE ?=
ifneq ($(CROSS_COMPILE),)
ifeq ($(origin CC),default)
CC := $(CROSS_COMPILE)gcc
endif
endif
CC       ?= cc
# The target, as gcc names it (s390x-linux-gnu, arm-linux-gnueabihf, ...).
TRIPLET  := $(shell $(CROSS_COMPILE)gcc -dumpmachine 2>/dev/null)
# Cross builds keep their objects apart: build-s390x-linux-gnu, ...
XSUF     := $(if $(CROSS_COMPILE),-$(TRIPLET))
O        ?= build$(XSUF)
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

applets/Config.in applets/Kbuild Config.features.in $(O)/applets.h $(O)/usage.h: \
		$(wildcard applets/*.c) nbdbox.c $(FEATURE_SRCS) scripts/gen.sh $(O)/usagez
	$(Q)scripts/gen.sh . $(O) $(O)/usagez

# Host tools run by the build (the usage compressor, scripts/usagez.c):
# built with the host's compiler, also in a cross build.
HOSTCC     ?= cc
HOSTCFLAGS ?= -O2
$(O)/usagez: scripts/usagez.c
	@mkdir -p $(O)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(WFLAGS) $(HOSTCFLAGS) -o $@ $<

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

# TLS (CONFIG_TLS, on by default) needs wolfSSL's headers and library.
# Without them: one line that says how to get them, or how to build
# without TLS on purpose, before anything is compiled. Static builds pass
# their wolfSSL in CFLAGS and LDLIBS (static: below).
WOLFSSL_HINT = TLS is on (CONFIG_TLS) and needs wolfSSL: apt-get install libwolfssl-dev; \
or build without TLS on purpose: make small_defconfig (or CONFIG_TLS off in $(CONFIG))
ifeq ($(CONFIG_TLS),y)
LDLIBS += -lwolfssl
TLS_CHECK := $(O)/.wolfssl
endif
# The library too: a cross compiler may find the host's headers in
# /usr/include and still have no libwolfssl for its target.
$(O)/.wolfssl: $(O)/.flags
	$(Q)echo '#include <wolfssl/options.h>' | $(CC) $(WFLAGS) $(CPPFLAGS) $(CFLAGS) -E -x c - \
	  > /dev/null 2>&1 || { echo "$(BIN): $(WOLFSSL_HINT)" >&2; exit 1; }
	$(Q)echo 'int main(void) { return 0; }' | $(CC) $(CFLAGS) $(LDFLAGS) -x c - -x none -o $@.out $(LDLIBS) \
	  > /dev/null 2>&1 || { rm -f $@.out; echo "$(BIN): $(WOLFSSL_HINT)" >&2; exit 1; }
	$(Q)rm -f $@.out
	@touch $@

# Objects and the binary are rebuilt when the flags change (make static
# after a change to its CFLAGS, say), not only when the sources do.
FLAGS_NOW = $(CC) $(WFLAGS) $(CPPFLAGS) $(CFLAGS) | $(LDFLAGS) $(LDLIBS)
$(O)/.flags: FORCE
	@mkdir -p $(O); echo '$(FLAGS_NOW)' | cmp -s - $@ || echo '$(FLAGS_NOW)' > $@

$(O)/%.o: %.c $(O)/autoconf.h $(O)/applets.h $(O)/usage.h $(O)/.flags $(TLS_CHECK)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(WFLAGS) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

-include $(OBJS:.o=.d)

# One name serves every target CPU (make static, then make static
# CROSS_COMPILE=...): BIN.from says which object directory linked BIN, so
# switching back relinks instead of leaving the other CPU's binary there.
$(BIN).from: FORCE
	@echo '$(O)' | cmp -s - $@ || echo '$(O)' > $@

$(BIN): $(OBJS) $(O)/.flags $(BIN).from
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(LDLIBS)

# ---- variants
# The target's kernel headers (linux/, asm/, asm-generic/: pure UAPI, no
# libc) for a libc whose include path has none (musl): the cross sysroot
# /usr/TRIPLET/include (linux-libc-dev-ARCH-cross), else the multiarch
# linux-libc-dev:ARCH (/usr/include/TRIPLET/asm). Never the host's asm/ for
# another CPU: the ioctl numbers differ (NBD_SET_SOCK is 0x2000ab00 on mips).
KHDR_SYSROOT := $(if $(CROSS_COMPILE),$(wildcard /usr/$(TRIPLET)/include/asm/ioctl.h))
KHDR_LINUX   := $(if $(KHDR_SYSROOT),/usr/$(TRIPLET)/include/linux,/usr/include/linux)
KHDR_ASM     := $(if $(KHDR_SYSROOT),/usr/$(TRIPLET)/include/asm,/usr/include/$(TRIPLET)/asm)
KHDR_GENERIC := $(if $(KHDR_SYSROOT),/usr/$(TRIPLET)/include/asm-generic,/usr/include/asm-generic)
# Static builds: musl (Debian's musl-dev:ARCH gives TRIPLET-musl-gcc, e.g.
# s390x-linux-musl-gcc, arm-linux-musleabihf-gcc) where there is one, else
# the target's glibc, linked statically.
MUSL_CC   ?= $(subst linux-gnu,linux-musl,$(TRIPLET))-gcc
STATIC_CC ?= $(if $(shell command -v $(MUSL_CC) 2>/dev/null),$(MUSL_CC),$(CROSS_COMPILE)gcc)
STATIC_O  ?= build-static$(XSUF)
STATIC_BIN ?= nbdbox.static
KINC := $(STATIC_O)/kinc
# Links, remade when they point elsewhere (a checkout moved, headers found).
$(KINC): FORCE
	$(Q)for h in $(KHDR_LINUX) $(KHDR_ASM) $(KHDR_GENERIC); do [ -d $$h ] || \
	  { echo "no kernel headers for $(TRIPLET) at $$h (apt-get install linux-libc-dev-ARCH-cross)"; exit 1; }; done
	$(Q)mkdir -p $@ && ln -sfn $(KHDR_LINUX) $@/linux && \
	  ln -sfn $(KHDR_GENERIC) $@/asm-generic && ln -sfn $(KHDR_ASM) $@/asm

# -Oz (GCC 12) where the compiler has it, and link-time optimisation: the
# whole program is one unit, so the compiler drops and merges across files
# (amd64 default -3,120 B; no measurable change in nbd-probe or nbd-copy).
# -mgeneral-regs-only where the compiler has it (amd64, arm64): nbdbox has
# no floating point, and without it every variadic function (msg, out,
# nbd_fmt's callers) saves the vector argument registers on entry
# (amd64 default -448 B).
cc_has = $(shell $(STATIC_CC) $(1) -S -o /dev/null -x c /dev/null 2>/dev/null && echo y)
STATIC_OPT    := $(if $(call cc_has,-Oz),-Oz,-Os) -flto=auto \
		 $(if $(call cc_has,-mgeneral-regs-only),-mgeneral-regs-only)
STATIC_CFLAGS  = $(STATIC_OPT) -fno-pie -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables \
		 -fno-unwind-tables -isystem $(KINC)
STATIC_LDFLAGS = -static -no-pie -s -Wl,--gc-sections -Wl,-z,noseparate-code \
		 $(if $(findstring musl,$(STATIC_CC)),$(MUSL_LAYOUT))
# musl applies no RELRO in a static binary (its relro page stays rw-p in
# /proc/self/maps), so for musl the segment buys nothing but the padding
# that page-aligns its end; and a small common page size lets the data
# segment start right after the text in the file (same offset modulo the
# page, so it still maps) instead of on the next page: no page of zeros
# (up to 64 KiB on arm64) in the file. glibc applies RELRO: kept there.
MUSL_LAYOUT := -Wl,-z,norelro -Wl,-z,common-page-size=64

# With TLS (the configuration's CONFIG_TLS, on by default): a small
# wolfSSL built for the target's libc from Debian's source package with
# nbdbox's configuration (scripts/wolfssl-musl.sh, cached in
# /var/cache/nbdbox-wolfssl), for CROSS_COMPILE targets too. Or bring your
# own: WOLFSSL_A=/path/libwolfssl.a WOLFSSL_INC=/path/include.
# The build's key is in CFLAGS: objects are rebuilt when wolfSSL's settings
# change (-MMD does not follow -isystem headers).
WOLFSSL_A   ?=
WOLFSSL_INC ?=
static: $(KINC) $(CONFIG)
	$(Q)if scripts/config.sh make . $(CONFIG) | grep -q '^CONFIG_TLS=y$$'; then \
	  if [ -n "$(WOLFSSL_A)" ]; then a="$(WOLFSSL_A)" i="$(WOLFSSL_INC)"; else \
	  d=$$(scripts/wolfssl-musl.sh $(STATIC_CC) $(TRIPLET)) || \
	    { echo "$(STATIC_BIN): $(WOLFSSL_HINT) (scripts/wolfssl-musl.sh builds it from Debian's source package: see above)" >&2; exit 1; }; \
	  a=$$d/lib/libwolfssl.a i=$$d/include k=$$(cat $$d/key); fi; \
	  tls="-isystem $$i -DNBDBOX_WOLFSSL_BUILD=$${k:-0}"; fi; \
	$(MAKE) --no-print-directory O=$(STATIC_O) CONFIG=$(CONFIG) CC=$(STATIC_CC) BIN=$(STATIC_BIN) \
	  CFLAGS="$(STATIC_CFLAGS) $$tls" LDFLAGS="$(STATIC_LDFLAGS)" LDLIBS="$$a"
	@ls -l $(STATIC_BIN)

# The small profile: static, configs/small_defconfig (the defaults without
# TLS), ./nbdbox.small; the size guard's binary (< 96 KiB on amd64).
SMALL_O   ?= build-small$(XSUF)
SMALL_BIN ?= nbdbox.small
small:
	@mkdir -p $(SMALL_O)
	$(Q)scripts/config.sh defconfig . configs/small_defconfig > $(SMALL_O)/.config.new
	$(Q)cmp -s $(SMALL_O)/.config.new $(SMALL_O)/.config || mv $(SMALL_O)/.config.new $(SMALL_O)/.config
	$(Q)$(MAKE) --no-print-directory static O=$(SMALL_O) STATIC_O=$(SMALL_O) \
	  CONFIG=$(SMALL_O)/.config STATIC_BIN=$(SMALL_BIN)

# Static with TLS whatever .config says: ./nbdbox.static-tls (the same as
# `make static` with the default configuration).
TLS_O       ?= build-static-tls$(XSUF)
STATIC_TLS_BIN ?= nbdbox.static-tls
static-tls: $(CONFIG)
	@mkdir -p $(TLS_O)
	$(Q)sed -e 's/^# CONFIG_TLS is not set/CONFIG_TLS=y/' $(CONFIG) > $(TLS_O)/.config.new
	$(Q)cmp -s $(TLS_O)/.config.new $(TLS_O)/.config || mv $(TLS_O)/.config.new $(TLS_O)/.config
	$(Q)$(MAKE) --no-print-directory static O=$(TLS_O) STATIC_O=$(TLS_O) \
	  CONFIG=$(TLS_O)/.config STATIC_BIN=$(STATIC_TLS_BIN)

# The stub platform, as on a non-Linux system: same tree, PLATFORM_LINUX
# off (NETLINK, which depends on it, follows).
stub: $(CONFIG)
	@mkdir -p build-stub
	$(Q)sed -e 's/^CONFIG_PLATFORM_LINUX=y/# CONFIG_PLATFORM_LINUX is not set/' \
	  $(CONFIG) > build-stub/.config.new
	$(Q)cmp -s build-stub/.config.new build-stub/.config || mv build-stub/.config.new build-stub/.config
	$(Q)$(MAKE) --no-print-directory O=build-stub CONFIG=build-stub/.config BIN=nbdbox.stub

# TLS on whatever .config says (needs libwolfssl-dev): ./nbdbox.tls, what
# tests/shell/test_tls.sh runs when ./nbdbox was built without TLS.
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
# A profile: configs/NAME_defconfig names what differs from the defaults
# (small_defconfig: no TLS).
%_defconfig: configs/%_defconfig applets/Config.in Config.features.in
	$(Q)scripts/config.sh defconfig . $< > $(CONFIG)
	@echo "  CONFIG  $(CONFIG) (from $<)"
oldconfig: applets/Config.in Config.features.in
	$(call KCONF,conf) --oldconfig Config.in
olddefconfig: applets/Config.in Config.features.in
	$(call KCONF,conf) --olddefconfig Config.in
menuconfig: applets/Config.in Config.features.in
	$(call KCONF,mconf) Config.in

include tests/unit/unit.mk
include tests/tests.mk

clean:
	rm -rf build build-* nbdbox nbdbox.static nbdbox.small nbdbox.stub nbdbox.tls nbdbox.static-tls applets/Config.in applets/Kbuild \
	  Config.features.in *.from

FORCE:
.PHONY: all static small static-tls stub tls defconfig menuconfig oldconfig olddefconfig clean FORCE

# What it needs first (apt-get, as root: nbdkit, gnutls-bin, and
# libwolfssl-dev for the default build), then the build, then the demo.
demo:
	$(Q)CONFIG=$(CONFIG) scripts/demo.sh --deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)scripts/demo.sh ./$(BIN)
.PHONY: demo

# ---- install
#   make install [DESTDIR=] [PREFIX=/usr]   nbdbox (static, with TLS, by
#       default; INSTALL_BIN=nbdbox.small for the small profile) and
#       a link per applet in PREFIX/sbin; nbd-client only where no other
#       nbd-client is (Debian's package owns /usr/sbin/nbd-client)
#   make install-initramfs-tools [CMDLINE=1]   the hook (and with CMDLINE=1
#       local-top/nbdbox: nbd-attach --cmdline instead of the nbd-client
#       package's parser) under /etc/initramfs-tools
#   make install-dracut [CMDLINE=1]   dracut module 99nbdbox (or
#       99nbdbox-cmdline); add it with `dracut --add nbdbox[-cmdline]`
#   make install-systemd   contrib/systemd/nbd@.service (nbdtab attaches)
#       under /etc/systemd/system, where it overrides the nbd-client
#       package's unit of the same name
PREFIX      ?= /usr
DESTDIR     ?=
INSTALL_BIN ?= nbdbox.static
SBINDIR      = $(DESTDIR)$(PREFIX)/sbin
ITOOLSDIR   ?= $(DESTDIR)/etc/initramfs-tools
DRACUTDIR   ?= $(DESTDIR)$(PREFIX)/lib/dracut/modules.d
SYSTEMDDIR  ?= $(DESTDIR)/etc/systemd/system

install: $(patsubst nbdbox.static,static,$(patsubst nbdbox.small,small,$(INSTALL_BIN)))
	install -d $(SBINDIR)
	install -m 755 $(INSTALL_BIN) $(SBINDIR)/nbdbox
	$(Q)for a in $$(./$(INSTALL_BIN) --list); do \
	  if [ "$$a" = nbd-client ] && [ -e $(SBINDIR)/$$a ] && [ ! -L $(SBINDIR)/$$a ]; then \
	    echo "  SKIP    $(SBINDIR)/$$a (another nbd-client is installed there)"; continue; fi; \
	  ln -sfn nbdbox $(SBINDIR)/$$a; echo "  LN      $(SBINDIR)/$$a"; done

install-initramfs-tools:
	install -d $(ITOOLSDIR)/hooks $(ITOOLSDIR)/scripts/local-top
	install -m 755 contrib/initramfs-tools/hooks/nbdbox $(ITOOLSDIR)/hooks/nbdbox
	$(if $(CMDLINE),install -m 755 contrib/initramfs-tools/scripts/local-top/nbdbox \
	  $(ITOOLSDIR)/scripts/local-top/nbdbox,rm -f $(ITOOLSDIR)/scripts/local-top/nbdbox)

install-dracut:
	install -d $(DRACUTDIR)/99nbdbox$(if $(CMDLINE),-cmdline)
	install -m 755 contrib/dracut/99nbdbox$(if $(CMDLINE),-cmdline)/* \
	  $(DRACUTDIR)/99nbdbox$(if $(CMDLINE),-cmdline)/

# ---- man pages (doc/*.scd, scdoc) and bash completion
#   make man                 build/man/*.[1578]
#   make install-man [MANDIR=PREFIX/share/man]   nbd-client.8 and nbdtab.5
#       as links to nbdbox's pages only where no other page has that name
#   make install-completion [BASHCOMPDIR=PREFIX/share/bash-completion/completions]
MANDIR      ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
MAN_SRCS    := $(wildcard doc/*.scd)
MAN_PAGES   := $(patsubst doc/%.scd,$(O)/man/%,$(MAN_SRCS))
$(O)/man/%: doc/%.scd
	@mkdir -p $(dir $@)
	@echo "  SCDOC   $@"
	$(Q)scdoc < $< > $@.tmp && mv $@.tmp $@
man: $(MAN_PAGES)

# make install also installs the man pages and the completion.
install: install-man install-completion

install-man: man
	$(Q)for p in $(MAN_PAGES); do s=$${p##*.}; install -d $(DESTDIR)$(MANDIR)/man$$s; \
	  install -m 644 $$p $(DESTDIR)$(MANDIR)/man$$s/; done
	$(Q)for l in man8/nbd-client.8:nbdbox-nbd-client.8 man5/nbdtab.5:nbdbox-nbdtab.5; do \
	  d=$(DESTDIR)$(MANDIR)/$${l%%:*}; \
	  if [ -e $$d ] || [ -e $$d.gz ]; then [ -L $$d ] || { echo "  SKIP    $$d (another page)"; continue; }; fi; \
	  ln -sfn $${l#*:} $$d; echo "  LN      $$d"; done

install-completion:
	install -d $(DESTDIR)$(BASHCOMPDIR)
	install -m 644 contrib/bash-completion/nbdbox $(DESTDIR)$(BASHCOMPDIR)/nbdbox
	$(Q)for a in nbd-list nbd-probe nbd-attach nbd-detach nbd-copy nbd-client; do \
	  ln -sfn nbdbox $(DESTDIR)$(BASHCOMPDIR)/$$a; done

install-systemd:
	install -d $(SYSTEMDDIR)
	install -m 644 contrib/systemd/nbd@.service $(SYSTEMDDIR)/nbd@.service

.PHONY: install install-initramfs-tools install-dracut install-systemd man install-man install-completion

# Another CPU under qemu-user: make check-cross ARCH=s390x (armhf, arm64,
# mips, ppc64, riscv64 ...); tests/cross/check.sh says what it skips.
ARCH ?= s390x
check-cross:
	@tests/cross/check.sh $(ARCH)
.PHONY: check-cross
