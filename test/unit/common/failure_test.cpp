// The core half of the boundary guard: every kind of exception becomes a Failure with the right SQLSTATE.
#include "common/error.hpp"
#include "common/failure.hpp"
#include "common/sqlstate.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <stdexcept>
#include <string>

using readscale::Failure;

namespace {

template <typename Throw>
Failure
capture(Throw thrower) {
	Failure failure {};
	try {
		thrower();
	} catch (...) {
		readscale::describe_current_exception(&failure);
	}
	return failure;
}

} // namespace

TEST(Failure, ReadscaleErrorKeepsEveryPart) {
	Failure f = capture([] { throw readscale::Error("55R01", "not caught up", "Replayed 0/1.", "Use the primary."); });
	EXPECT_STREQ(f.sqlstate, "55R01");
	EXPECT_STREQ(f.message, "not caught up");
	EXPECT_STREQ(f.detail, "Replayed 0/1.");
	EXPECT_STREQ(f.hint, "Use the primary.");
}

TEST(Failure, MalformedSqlstateBecomesInternalError) {
	Failure f = capture([] { throw readscale::Error("bad", "odd"); });
	EXPECT_STREQ(f.sqlstate, readscale::sqlstate::kInternalError);
	EXPECT_STREQ(f.message, "odd");
}

TEST(Failure, LowerCaseSqlstateIsRejected) {
	Failure f = capture([] { throw readscale::Error("55r01", "odd"); });
	EXPECT_STREQ(f.sqlstate, "XX000");
}

TEST(Failure, BadAllocIsOutOfMemory) {
	Failure f = capture([] { throw std::bad_alloc(); });
	EXPECT_STREQ(f.sqlstate, "53200");
	EXPECT_STREQ(f.message, "out of memory");
	EXPECT_STREQ(f.detail, "");
}

TEST(Failure, StdExceptionIsInternalWithWhatAsDetail) {
	Failure f = capture([] { throw std::runtime_error("boom"); });
	EXPECT_STREQ(f.sqlstate, "XX000");
	EXPECT_STREQ(f.detail, "boom");
}

TEST(Failure, UnknownTypeIsInternal) {
	Failure f = capture([] { throw 42; });
	EXPECT_STREQ(f.sqlstate, "XX000");
	EXPECT_STREQ(f.message, "unexpected C++ exception of unknown type");
}

TEST(Failure, LongMessageIsTruncatedWithEllipsis) {
	std::string huge(10000, 'm');
	Failure f = capture([&] { throw readscale::Error("22023", huge); });
	std::size_t length = std::strlen(f.message);
	EXPECT_EQ(length, Failure::kMessageCapacity - 1);
	EXPECT_EQ(std::string(f.message).substr(length - 3), "...");
}

TEST(CopyTruncated, NeverSplitsUtf8Character) {
	char buffer[8];
	// "aaa" then two-byte characters: the cut must land before a lead byte.
	std::string text = "aaa\xC3\xA9\xC3\xA9\xC3\xA9";
	EXPECT_FALSE(readscale::copy_truncated(buffer, sizeof(buffer), text.data(), text.size()));
	std::string kept(buffer);
	EXPECT_EQ(kept, "aaa...");
}

TEST(CopyTruncated, ExactFitIsNotTruncated) {
	char buffer[4];
	EXPECT_TRUE(readscale::copy_truncated(buffer, sizeof(buffer), "abc", 3));
	EXPECT_STREQ(buffer, "abc");
}

TEST(Sqlstate, Shape) {
	EXPECT_TRUE(readscale::is_valid_sqlstate("55R01"));
	EXPECT_TRUE(readscale::is_valid_sqlstate("XX000"));
	EXPECT_FALSE(readscale::is_valid_sqlstate("5R01"));
	EXPECT_FALSE(readscale::is_valid_sqlstate("55R011"));
	EXPECT_FALSE(readscale::is_valid_sqlstate("55-01"));
	EXPECT_FALSE(readscale::is_valid_sqlstate(""));
}

TEST(Result, ValueAndError) {
	readscale::Result<int> good(7);
	ASSERT_TRUE(good.ok());
	EXPECT_EQ(good.value(), 7);
	readscale::Result<int> bad(readscale::Error("22023", "bad"));
	ASSERT_FALSE(bad.ok());
	EXPECT_EQ(bad.error().sqlstate(), "22023");
	EXPECT_THROW(bad.take(), readscale::Error);
}
