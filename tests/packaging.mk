# SPDX-License-Identifier: GPL-2.0
# Host checks of the installed layout, the systemd unit, the man pages, the bash
# completion and the DKMS build (tests/packaging/check.sh).

HOST_TESTS	+= $(BUILD)/tests/packaging-check

$(BUILD)/tests/packaging-check: tests/packaging/check.sh $(TOOLS)
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\nexec "%s/tests/packaging/check.sh" "$$@"\n' "$(CURDIR)" >$@
	chmod +x $@
