# Test targets; included from the top Makefile.
#   make check         install missing test tools (root, apt-get), build
#                      all variants (./nbdbox and nbdbox.static with TLS, the
#                      small profile nbdbox.small without), run every suite;
#                      ends `N passed, N failed`
#   make check-shell   only the shunit2 suites, against the current ./nbdbox
#   NBDBOX_SKIP_VM=1   skip the qemu suite

# Dependencies come first: on a fresh machine `make static` needs musl-gcc.
check:
	@tests/install-deps.sh
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory static
	$(Q)$(MAKE) --no-print-directory small
	$(Q)$(MAKE) --no-print-directory stub
	@tests/run-all.sh

check-shell: all
	@for t in tests/shell/test_*.sh; do bash $$t || rc=1; done; exit $${rc:-0}

bench: all static
	@bench/size.sh; bench/probe.sh; bench/list10k.sh

.PHONY: check check-shell bench
