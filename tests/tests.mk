# Test targets; included from the top Makefile.
check:
	@echo "no tests yet"
.PHONY: check
