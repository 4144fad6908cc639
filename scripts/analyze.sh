#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Static analysis of the core: gcc's -fanalyzer and cppcheck, both as
# errors. The simulator and tests are checked by the sanitizers instead.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh" cppcheck clang-format
clang-format --dry-run --Werror "$top"/src/*.[ch] "$top"/include/teemed/*.h
for src in "$top"/src/*.c; do
	gcc -std=c11 -O1 -ffreestanding -fanalyzer -Werror \
		-I"$top/include" -I"$top/src" -c "$src" -o /dev/null
done
cppcheck --quiet --error-exitcode=1 --std=c11 --inline-suppr \
	--enable=warning,portability,performance \
	-UTEEMED_USER_CONFIG -UTEEMED_TYPES_HEADER -UTEEMED_STRING_HEADER -I"$top/include" -I"$top/src" "$top/src"
echo "static analysis of src/ passed (clang-format, gcc -fanalyzer, cppcheck)"
