# Copyright (c) 2026 The hafod authors
#
# Permission to use, copy, modify, and distribute this software for any
# purpose with or without fee is hereby granted, provided that the above
# copyright notice and this permission notice appear in all copies.
#
# THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
# WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
# MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
# ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
# WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
# ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
# OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.

# The narration and the clean-up of the demos (demo.sh, demo-sites.sh).
# Before sourcing: $work, the demo's directory, the current one;
# demo_name, the target as the user typed it; demo_destroy, the function
# that removes the demo's lab.

cleanup()
{
	trap - EXIT INT TERM
	cd "$work" 2>/dev/null || return
	"$demo_destroy"
	cd / || return
	if [ "${DEMO_KEEP:-0}" = 1 ]; then
		echo "$demo_name: configs and logs kept in $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'echo; echo "$demo_name: interrupted; cleaning up"; exit 130' INT
trap 'exit 143' TERM

if [ -t 1 ]; then
	B=$(printf '\033[1m') N=$(printf '\033[0m')
else
	B= N=
fi

now_ms()
{
	echo $(($(date +%s%N) / 1000000))
}

T0=$(now_ms)

elapsed()
{
	_e=$(($(now_ms) - T0))
	printf '%d.%02d' $((_e / 1000)) $((_e % 1000 / 10))
}

# step TEXT: a new step of the timeline, stamped with elapsed seconds.
step()
{
	printf '\n%s[%6s s] %s%s\n' "$B" "$(elapsed)" "$*" "$N"
}

say()
{
	printf '           %s\n' "$*"
}

indent()
{
	sed 's/^/             /'
}
