# Unit tests and fuzz targets, built with sanitizers; included from the
# top Makefile.
#   make unit          C unit tests (ASan + UBSan)
#   make fuzz-replay   run the fuzz corpus through the targets (ASan + UBSan)
#   make fuzz          libFuzzer (clang) for FUZZ_SECONDS, growing the corpus

#   CROSS_COMPILE=...  build for the target, run under EMU (qemu-user)
#   UNIT_SAN=...       the sanitizer flags; UNIT_LDFLAGS, EMU likewise

SAN_O      := build-unit$(XSUF)
# qemu-user's name for the target CPU (qemu-s390x, qemu-arm, qemu-ppc64 ...).
QEMU_ARCH  := $(patsubst powerpc%,ppc%,$(patsubst i%86,i386,$(firstword $(subst -, ,$(TRIPLET)))))
ifneq ($(CROSS_COMPILE),)
# Cross: static (qemu-user needs no target libraries) and UBSan in trap
# mode (no runtime library to find: ASan fails to start under qemu-user on
# s390x/ppc64 and has no runtime for mips/riscv64).
UNIT_SAN     ?= -fsanitize=undefined -fsanitize-undefined-trap-on-error
UNIT_LDFLAGS ?= -static
EMU          ?= qemu-$(QEMU_ARCH)
else
UNIT_SAN     ?= -fsanitize=address,undefined -fno-sanitize-recover=all
UNIT_LDFLAGS ?=
EMU          ?=
endif
SAN_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -g -O1 \
              $(UNIT_SAN) -fno-omit-frame-pointer
SAN_INC    := -I$(O) -Icore -Iplatform -Itests/unit
# The pure core (no TLS library: core/tls/'s pure pieces, not the ones
# that need wolfSSL) plus pure platform pieces, if present.
SAN_CORE   := $(wildcard core/*.c) \
              core/tls/psk-file.c core/tls/ktls-info.c core/tls/x509san.c \
              $(wildcard platform/linux/nlmsg.c platform/linux/kerr.c \
                         platform/linux/ioctl.c platform/linux/query.c)
UNIT_SRCS  := $(wildcard tests/unit/*.c)
FUZZ_SECONDS ?= 60

$(SAN_O)/unit: $(SAN_CORE) $(UNIT_SRCS) $(wildcard core/*.h core/tls/*.h tests/unit/*.h platform/*.h platform/linux/*.h) $(O)/autoconf.h
	@mkdir -p $(SAN_O)
	@echo "  CC      $@"
	$(Q)$(CC) $(SAN_CFLAGS) $(SAN_INC) $(UNIT_LDFLAGS) -o $@ $(SAN_CORE) $(UNIT_SRCS)

unit: $(SAN_O)/unit
	$(Q)$(EMU) $(SAN_O)/unit

FUZZ_TARGETS := hs dns uri psk nl xmit cmdline

$(SAN_O)/replay-%: $(SAN_CORE) tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(O)/autoconf.h
	@mkdir -p $(SAN_O)
	$(Q)$(CC) $(SAN_CFLAGS) $(SAN_INC) $(UNIT_LDFLAGS) -o $@ $(SAN_CORE) tests/fuzz/fuzz_$*.c tests/fuzz/replay.c

# One line per target, then the sum (the line tests/run-all.sh reads).
fuzz-replay: $(FUZZ_TARGETS:%=$(SAN_O)/replay-%)
	$(Q)n=0; for t in $(FUZZ_TARGETS); do \
	  $(EMU) $(SAN_O)/replay-$$t tests/fuzz/corpus/$$t/* > $(SAN_O)/replay-$$t.out || exit 1; \
	  k=$$(sed -n 's/^fuzz-replay: \([0-9]*\) passed.*/\1/p' $(SAN_O)/replay-$$t.out); \
	  echo "  $$t: $$k inputs"; n=$$((n + k)); done; \
	echo "fuzz-replay: $$n passed, 0 failed"

$(SAN_O)/fuzz-%: $(SAN_CORE) tests/fuzz/fuzz_%.c $(O)/autoconf.h
	@mkdir -p $(SAN_O)
	$(Q)clang -std=gnu11 -g -O1 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined $(SAN_INC) \
	  -o $@ $(SAN_CORE) tests/fuzz/fuzz_$*.c

# make fuzz [FUZZ=hs|dns] [FUZZ_SECONDS=60]
FUZZ ?= hs
fuzz: $(SAN_O)/fuzz-$(FUZZ)
	$(Q)mkdir -p $(SAN_O)/corpus-$(FUZZ)
	$(SAN_O)/fuzz-$(FUZZ) -max_total_time=$(FUZZ_SECONDS) -max_len=4096 $(SAN_O)/corpus-$(FUZZ) tests/fuzz/corpus/$(FUZZ)

.PHONY: unit fuzz fuzz-replay
