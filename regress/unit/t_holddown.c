/*
 * Copyright (c) 2026 The hafod authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 * WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 * MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
 * ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 * WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
 * ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
 * OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
 */


/*
 * The hold-down of a failed promote hook, as hafod.conf.5 (Promote
 * failure) states it; each case is named after the rule it checks.
 */

#include <sys/types.h>

#include <atf-c.h>

#include "hafod.h"

#define UNTIL_OPERATOR	0

ATF_TC_WITHOUT_HEAD(first_failure_holds_for_hold);
ATF_TC_BODY(first_failure_holds_for_hold, tc)
{
	ATF_CHECK_EQ(holddown_secs(60, 3, 1), 60);
	ATF_CHECK_EQ(holddown_secs(1, 100, 1), 1);
}

ATF_TC_WITHOUT_HEAD(each_failure_in_a_row_doubles);
ATF_TC_BODY(each_failure_in_a_row_doubles, tc)
{
	ATF_CHECK_EQ(holddown_secs(60, 5, 2), 120);
	ATF_CHECK_EQ(holddown_secs(60, 5, 3), 240);
	ATF_CHECK_EQ(holddown_secs(60, 5, 4), 480);
}

ATF_TC_WITHOUT_HEAD(doubling_stops_at_an_hour);
ATF_TC_BODY(doubling_stops_at_an_hour, tc)
{
	ATF_CHECK_EQ(holddown_secs(60, 100, 7), 3600);	/* not 3840 */
	ATF_CHECK_EQ(holddown_secs(60, 100, 99), 3600);
	ATF_CHECK_EQ(holddown_secs(3600, 100, 1), 3600);
	ATF_CHECK_EQ(holddown_secs(3600, 100, 2), 3600);
	/* no overflow however many failures */
	ATF_CHECK_EQ(holddown_secs(3000, UINT32_MAX, UINT32_MAX - 1), 3600);
}

ATF_TC_WITHOUT_HEAD(limit_th_failure_holds_until_operator);
ATF_TC_BODY(limit_th_failure_holds_until_operator, tc)
{
	ATF_CHECK_EQ(holddown_secs(60, 3, 3), UNTIL_OPERATOR);
	ATF_CHECK_EQ(holddown_secs(60, 3, 4), UNTIL_OPERATOR);
	ATF_CHECK_EQ(holddown_secs(60, 1, 1), UNTIL_OPERATOR);
	ATF_CHECK_EQ(holddown_secs(60, 2, 1), 60);
}

/*
 * Two nodes whose promote hooks both fail: each gives the service away
 * at most limit times, so the service moves a bounded number of times.
 */
ATF_TC_WITHOUT_HEAD(two_failing_nodes_stop_handing_over);
ATF_TC_BODY(two_failing_nodes_stop_handing_over, tc)
{
	uint32_t	count[2] = { 0, 0 }, limit = 3;
	int		master = 0, moves = 0, i;

	for (i = 0; i < 1000; i++) {
		count[master]++;
		/* past its limit a node keeps what it is given */
		if (count[master] > limit)
			break;
		master = !master;
		moves++;
	}
	ATF_CHECK_EQ(moves, 2 * limit);
	ATF_CHECK_EQ(holddown_secs(60, limit, count[0]), UNTIL_OPERATOR);
	ATF_CHECK_EQ(holddown_secs(60, limit, count[1]), UNTIL_OPERATOR);
}

ATF_TP_ADD_TCS(tp)
{
	ATF_TP_ADD_TC(tp, first_failure_holds_for_hold);
	ATF_TP_ADD_TC(tp, each_failure_in_a_row_doubles);
	ATF_TP_ADD_TC(tp, doubling_stops_at_an_hour);
	ATF_TP_ADD_TC(tp, limit_th_failure_holds_until_operator);
	ATF_TP_ADD_TC(tp, two_failing_nodes_stop_handing_over);
	return (atf_no_error());
}
