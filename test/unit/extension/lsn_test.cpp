#include "core/lsn.hpp"
#include "core/token.hpp"

#include <gtest/gtest.h>

using readscale::Lsn;
using readscale::WalGeometry;

TEST(ParseLsn, AcceptsPostgresForms) {
	EXPECT_EQ(readscale::parse_lsn("0/0").value(), 0u);
	EXPECT_EQ(readscale::parse_lsn("0/16B3748").value(), 0x16B3748u);
	EXPECT_EQ(readscale::parse_lsn("1/0").value(), 0x100000000u);
	EXPECT_EQ(readscale::parse_lsn("ffffffff/FFFFFFFF").value(), ~Lsn {0});
}

TEST(ParseLsn, RejectsMalformedWith22P02) {
	for (const char *bad :
	     {"", "/", "0/", "/0", "0", "g/0", "0/0/0", "123456789/0", "0/123456789", " 0/0", "0/0 ", "-1/0"}) {
		auto result = readscale::parse_lsn(bad);
		ASSERT_FALSE(result.ok()) << bad;
		EXPECT_EQ(result.error().sqlstate(), "22P02") << bad;
		EXPECT_FALSE(result.error().hint().empty());
	}
}

TEST(FormatLsn, RoundTripsInBothForms) {
	for (bool zero_pad : {false, true})
		for (Lsn lsn : {Lsn {0}, Lsn {0x16B3748}, Lsn {0x1234567890ABCDEF}, ~Lsn {0}})
			EXPECT_EQ(readscale::parse_lsn(readscale::format_lsn(lsn, zero_pad)).value(), lsn) << zero_pad;
}

TEST(FormatLsn, PlainAsPostgres15To18) {
	EXPECT_EQ(readscale::format_lsn(0x300000060, false), "3/60");
	EXPECT_EQ(readscale::format_lsn(0, false), "0/0");
	EXPECT_EQ(readscale::format_lsn(0x302DB00, false), "0/302DB00");
	EXPECT_EQ(readscale::format_lsn(~Lsn {0}, false), "FFFFFFFF/FFFFFFFF");
}

TEST(FormatLsn, ZeroPaddedAsPostgres19) {
	EXPECT_EQ(readscale::format_lsn(0x300000060, true), "3/00000060");
	EXPECT_EQ(readscale::format_lsn(0, true), "0/00000000");
	EXPECT_EQ(readscale::format_lsn(0x302DB00, true), "0/0302DB00");
	EXPECT_EQ(readscale::format_lsn(0xABC12345678, true), "ABC/12345678");
	EXPECT_EQ(readscale::format_lsn(~Lsn {0}, true), "FFFFFFFF/FFFFFFFF");
}

TEST(FormatLsn, IntoBufferMatchesStringForm) {
	char buffer[readscale::kLsnTextCapacity];
	for (bool zero_pad : {false, true}) {
		std::size_t length = readscale::format_lsn_into(buffer, 0x1A0000BEEF, zero_pad);
		EXPECT_EQ(std::string(buffer, length), readscale::format_lsn(0x1A0000BEEF, zero_pad));
		EXPECT_EQ(buffer[length], '\0');
	}
	EXPECT_EQ(readscale::format_lsn_into(buffer, ~Lsn {0}, true), readscale::kLsnTextCapacity - 1);
}

TEST(ParseLsn, AcceptsZeroPaddedForm) {
	EXPECT_EQ(readscale::parse_lsn("0/0302DB00").value(), 0x302DB00u);
	EXPECT_EQ(readscale::parse_lsn("3/00000060").value(), 0x300000060u);
	EXPECT_EQ(readscale::parse_lsn("00000003/00000060").value(), 0x300000060u);
}

TEST(EffectiveWaitTarget, InsideShortPageHeaderMeansPageStart) {
	WalGeometry g;
	Lsn page = 0x1000000 + 8192 * 3; // not a segment start
	EXPECT_EQ(readscale::effective_wait_target(page + 24, g), page);
	EXPECT_EQ(readscale::effective_wait_target(page + 1, g), page);
	EXPECT_EQ(readscale::effective_wait_target(page + 25, g), page + 25); // first byte of a record
	EXPECT_EQ(readscale::effective_wait_target(page, g), page);
}

TEST(EffectiveWaitTarget, SegmentStartHasLongHeader) {
	WalGeometry g;
	Lsn segment = 16u * 1024u * 1024u * 5u;
	EXPECT_EQ(readscale::effective_wait_target(segment + 40, g), segment);
	EXPECT_EQ(readscale::effective_wait_target(segment + 41, g), segment + 41);
	// the second page of a segment has a short header
	EXPECT_EQ(readscale::effective_wait_target(segment + 8192 + 40, g), segment + 8192 + 40);
}

TEST(EffectiveWaitTarget, MidPageUnchanged) {
	WalGeometry g;
	EXPECT_EQ(readscale::effective_wait_target(0x3000060 + 4000, g), 0x3000060u + 4000u);
}

TEST(LsnDistance, NeverNegative) {
	EXPECT_EQ(readscale::lsn_distance(10, 4), 6u);
	EXPECT_EQ(readscale::lsn_distance(4, 10), 0u);
}

TEST(PrimaryToken, CoversSessionCommitAndFlush) {
	EXPECT_EQ(readscale::choose_primary_token(0, 500), 500u);   // no commit in this backend
	EXPECT_EQ(readscale::choose_primary_token(700, 500), 700u); // asynchronous commit not yet flushed
	EXPECT_EQ(readscale::choose_primary_token(300, 500), 500u); // others flushed more since
}
