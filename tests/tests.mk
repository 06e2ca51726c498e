# Test targets; included from the top Makefile.
#   make check         install missing test tools (root, apt-get), build
#                      all variants (./nbdbox and nbdbox.static with TLS, the
#                      small profile nbdbox.small without), run every suite;
#                      ends `N passed, N failed`
#   make check-all     the same, with every real-root boot (tests/vm/root
#                      README: the forms make check leaves out)
#   make check-shell   only the shunit2 suites, against the current ./nbdbox
#   NBDBOX_SKIP_VM=1   skip the qemu suite

# Dependencies come first: on a fresh machine `make static` needs musl-gcc.
check:
	@tests/install-deps.sh
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory static
	$(Q)$(MAKE) --no-print-directory small
	$(Q)$(MAKE) --no-print-directory stub
	$(Q)$(MAKE) --no-print-directory cross-glibc
	@tests/run-all.sh

# glibc cross builds, as a Debian cross-packager or a Buildroot glibc
# toolchain makes them (make check builds the other CPUs with musl, whose
# types differ: statfs's f_type is a signed 32-bit int on armhf's glibc).
# Each links build-TRIPLET/nbdbox, leaving ./nbdbox alone. Without TLS:
# Debian's libwolfssl-dev is not Multi-Arch, so the host has no libwolfssl
# for another CPU (a cross-packager builds in the target's chroot, or
# links the musl wolfSSL of make static); every other file is compiled.
GLIBC_CROSS ?= arm-linux-gnueabihf- s390x-linux-gnu-
cross-glibc: $(CONFIG)
	$(Q)for c in $(GLIBC_CROSS); do \
	  command -v $${c}gcc > /dev/null || { echo "cross-glibc: no $${c}gcc (tests/install-deps.sh)"; exit 1; }; \
	  t=$$($${c}gcc -dumpmachine); mkdir -p build-$$t; \
	  sed -e 's/^CONFIG_TLS=y/# CONFIG_TLS is not set/' $(CONFIG) > build-$$t/.config-notls; \
	  $(MAKE) --no-print-directory CROSS_COMPILE=$$c O=build-$$t CONFIG=build-$$t/.config-notls \
	    BIN=build-$$t/nbdbox || exit 1; done

check-all:
	$(Q)NBDBOX_CHECK_ALL=1 $(MAKE) --no-print-directory check

check-shell: all
	@for t in tests/shell/test_*.sh; do bash $$t || rc=1; done; exit $${rc:-0}

bench: all static
	@bench/size.sh; bench/probe.sh; bench/list10k.sh

.PHONY: check check-all check-shell bench cross-glibc
